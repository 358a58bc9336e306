"""MomentumExplorer: α and β on a quadratic, with the stability region of momentum."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import objectives as _objectives
from .._validate import check_int, check_positive, check_real
from ..optim import SGD, run
from ..optim.first_order import momentum_rate
from ..plotting.views2d import contour_background
from ..style import PALETTE
from .base import Explorer, log_slider

__all__ = ["MomentumExplorer", "optimal_momentum"]

_Q_MAX = 4.4  # right edge of the stability diagram (the heavy-ball region ends at q = 4)
_START = (-2.6, 1.8)


def optimal_momentum(lam_min: float, lam_max: float) -> tuple[float, float]:
    """The heavy-ball (α, β) that is fastest on a quadratic with curvatures in [λ_min, λ_max]:
    α = 4 / (√λ_max + √λ_min)², β = ((√κ − 1) / (√κ + 1))², κ = λ_max/λ_min. Both extreme
    curvatures are then critically damped and converge with ρ = √β = (√κ − 1)/(√κ + 1).
    (The curvatures are Hessian eigenvalues; L stays the loss.)"""
    lam_min, lam_max = check_positive("lam_min", lam_min), check_positive("lam_max", lam_max)
    if lam_min > lam_max:
        raise ValueError(f"lam_min must be <= lam_max, got {lam_min} > {lam_max}")
    s = np.sqrt(lam_max / lam_min)
    return 4.0 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2, ((s - 1) / (s + 1)) ** 2


class MomentumExplorer(Explorer):
    """Momentum v ← βv − α∇L, θ ← θ + v on L = ½(u² + κv²) (curvatures 1 and κ).

    Left: the stability diagram over q = αλ and β. Shaded: where the error shrinks
    (spectral radius ρ(q, β) < 1); for heavy ball this is 0 < q < 2 + 2β (the
    dashed edge). The dotted curve β = (1 − √q)² is critical damping (a double
    root, the fastest β for that q); below it the error decays without
    oscillating, above it it oscillates. The two markers are the current (αλ, β)
    for λ = 1 and λ = κ: the run converges iff both lie in the shaded region.
    Middle: the path on the contours. Right: L(θ_k) per step (log axis) against
    the predicted envelope L(θ_0)·ρ^{2k} (the error shrinks like ρᵏ, the loss
    like its square).

    controls : "lr" (α, log scale), "beta" (β in [0, 0.99]), "condition" (κ),
               "nesterov" (Nesterov's form; the region is then computed for it),
               "steps".
    """

    figsize = (9.0, 3.4)

    def __init__(self, lr: float = 0.05, beta: float = 0.8, condition: float = 20.0, nesterov: bool = False,
                 steps: int = 100, *, renderer: str = "auto"):
        self._init = dict(lr=check_positive("lr", lr), beta=check_real("beta", beta, low=0.0, high=0.99),
                          condition=check_real("condition", condition, low=1.0, high=1000.0),
                          nesterov=bool(nesterov), steps=check_int("steps", steps, low=1, high=500))
        self.trajectory = None
        self.rates = (np.nan, np.nan)
        super().__init__(renderer=renderer)

    def _make_controls(self):
        style = {"description_width": "initial"}
        return {
            "lr": log_slider("learning rate α", self._init["lr"], -3, 0.5),
            "beta": widgets.FloatSlider(value=self._init["beta"], min=0.0, max=0.99, step=0.001,
                                        description="momentum β", readout_format=".3f", style=style),
            "condition": log_slider("condition κ", self._init["condition"], 0, 3, fmt=".3g"),
            "nesterov": widgets.Checkbox(value=self._init["nesterov"], description="Nesterov"),
            "steps": widgets.IntSlider(value=self._init["steps"], min=1, max=500, description="steps", style=style),
        }

    def _build(self, fig):
        self.ax_region, self.ax, self.ax_loss = fig.subplots(1, 3, width_ratios=[1, 1.1, 1])
        ax = self.ax_region
        q = np.linspace(0, _Q_MAX, 300)
        ax.plot(q, np.clip(q / 2 - 1, 0, 1), "--", color=PALETTE["black"], lw=1.2, label="heavy-ball edge q = 2 + 2β")
        qq = np.linspace(0, 4, 300)
        ax.plot(qq, (1 - np.sqrt(qq)) ** 2, ":", color=PALETTE["purple"], lw=1.8, label="critical β = (1 − √q)²")
        ax.set_xlim(0, _Q_MAX)
        ax.set_ylim(0, 1)
        ax.set_xlabel("q = αλ")
        ax.set_ylabel("β")
        ax.set_title("where momentum converges")
        self._marks = self.animate(*ax.plot([], [], "o", ms=9, color=PALETTE["vermillion"], mec="k", zorder=5))
        self._mark_labels = [self.animate(ax.text(0, 0, "", fontsize="small", zorder=6)) for _ in range(2)]
        ax.legend(loc="lower right", fontsize="x-small")
        self._region = None
        # the quadratic's contours are drawn when κ is known (_set_background)
        self._path = self.animate(*self.ax.plot([], [], "-o", color=PALETTE["vermillion"], ms=2.5, lw=1.1, zorder=4))
        self._start = self.animate(*self.ax.plot([], [], "o", color=PALETTE["blue"], ms=8, mec="w", zorder=5))
        self._note = self.animate(self.ax.text(0.5, 0.97, "", transform=self.ax.transAxes, ha="center", va="top",
                                               color=PALETTE["vermillion"], fontweight="bold",
                                               bbox=dict(fc="w", ec="none", alpha=0.8)))
        self._loss = self.animate(*self.ax_loss.plot([], [], "-", color=PALETTE["vermillion"], lw=1.4, label=r"$L(\theta_k)$"))
        self._envelope = self.animate(*self.ax_loss.plot([], [], "--", color=PALETTE["black"], lw=1,
                                                         label=r"envelope $L(\theta_0)\,\rho^{2k}$"))
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_ylim(1e-14, 1e3)
        self.ax_loss.set_xlabel("step k")
        self.ax_loss.set_ylabel(r"loss $L(\theta_k)$")
        self.ax_loss.legend(loc="upper right", fontsize="x-small")
        self._static = []

    def _set_background(self):
        for artist in self._static:
            artist.remove()
        self._static = []
        nesterov = self.controls["nesterov"].value
        q, b = np.meshgrid(np.linspace(0, _Q_MAX, 221), np.linspace(0, 0.999, 200))
        rho = momentum_rate(q, b, nesterov)
        self._static.append(self.ax_region.contourf(q, b, rho, levels=[0, 1], colors=[PALETTE["sky"]], alpha=0.45))
        kappa = self.controls["condition"].value
        self._objective = _objectives.get("ill_conditioned", condition=kappa)
        self._static += contour_background(self.ax, self._objective, n=140, levels=18, minima=False)[0]
        self.ax.set_title(f"{'Nesterov' if nesterov else 'heavy ball'} on ½(u² + {kappa:.3g}v²)")
        self.ax_loss.set_xlim(0, self.controls["steps"].value)

    def _update(self, changed):
        full = changed in (None, "nesterov", "condition", "steps")
        if full:
            self._set_background()
        lr, beta = self.controls["lr"].value, self.controls["beta"].value
        nesterov, kappa = self.controls["nesterov"].value, self.controls["condition"].value
        steps = self.controls["steps"].value
        lams = np.array([1.0, kappa])
        qs = lr * lams
        rates = momentum_rate(qs, beta, nesterov)
        self.rates = (float(rates[0]), float(rates[1]))
        self._marks.set_data(np.minimum(qs, _Q_MAX * 0.99), [beta, beta])
        for text, qv, name in zip(self._mark_labels, qs, ("λ=1", "λ=κ")):
            text.set_position((min(qv, _Q_MAX * 0.99) + 0.06, beta + 0.03))
            text.set_text(name + (" →" if qv > _Q_MAX else ""))
        momentum = beta if beta > 0 else 0.0
        opt = SGD(lr, momentum=momentum, nesterov=nesterov and momentum > 0)
        traj = run(self._objective, opt, _START, steps=steps)
        self.trajectory = traj
        pts = np.clip(traj.points, -6, 6)
        self._path.set_data(pts[:, 0], pts[:, 1])
        self._start.set_data(pts[:1, 0], pts[:1, 1])
        values = np.clip(traj.values, 1e-14, 1e3)
        self._loss.set_data(np.arange(len(values)), values)
        k = np.arange(steps + 1)
        rho = float(np.max(rates))
        with np.errstate(all="ignore"):
            env = np.clip(traj.values[0] * rho ** (2.0 * k), 1e-14, 1e3)
        self._envelope.set_data(k, env)
        off = np.any(np.abs(traj.points) > 3, axis=1)
        self._note.set_text(f"the path leaves the plot at step {int(np.argmax(off))}" if off.any() else "")
        self.set_status(self._message(qs, beta, rates, traj, nesterov),
                        "ok" if rho < 1 and traj.status != "diverged" else "error")
        return full

    @staticmethod
    def _message(qs, beta, rates, traj, nesterov) -> str:
        rho = float(np.max(rates))
        edge = 2 + 2 * beta
        parts = []
        if rho < 1:
            per_decade = np.log(10) / -np.log(rho) / 2 if rho > 0 else 0.0  # L ~ ρ^{2k}
            parts.append(f"converges: ρ = {rho:.4g} per step (L falls ×10 every {per_decade:.3g} steps)")
        else:
            parts.append(f"diverges: ρ = {rho:.4g} ≥ 1")
        if not nesterov:
            parts.append(f"αλ_max = {qs[1]:.3g} {'<' if qs[1] < edge else '≥'} 2 + 2β = {edge:.3g}")
        slow = int(np.argmax(rates))
        crit = (1 - np.sqrt(qs[slow])) ** 2
        if not nesterov and qs[slow] < 4:
            damping = ("critically damped" if abs(beta - crit) < 0.01 else
                       "under-damped (oscillates)" if beta > crit else "over-damped (no oscillation)")
            parts.append(f"slowest curvature {'κ' if slow else '1'}: {damping}, critical β = {crit:.3g}")
        parts.append(f"run: {traj.message}")
        return " · ".join(parts)
