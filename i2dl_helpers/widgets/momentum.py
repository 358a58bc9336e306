"""MomentumExplorer: α and β on a quadratic, with the stability region of momentum."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import objectives as _objectives
from ..optim import SGD, run
from ..optim.first_order import momentum_rate
from ..plotting.views2d import replace_contours
from ..plotting.style import PALETTE
from .base import Control, Explorer
from .resting import Fresh
from .statuses import momentum_envelope, momentum_rates, momentum_status, path_note

__all__ = ["MomentumExplorer"]

_Q_MAX = 4.4  # right edge of the stability diagram (the heavy-ball region ends at q = 4)
_START = (-2.6, 1.8)  # the start θ_0 of every run: across the valley of ½(u² + κv²)


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

    controls : "lr" (α, log scale 1e-3 ... 3.16, widened to include an α outside it),
               "beta" (β in [0, 0.99]), "condition" (κ in [1, 1000]), "nesterov"
               (Nesterov's form; the region is then computed for it), "steps" (1 ... 500).
               A β, κ or number of steps outside its range is refused with an error naming it.
    """

    ALT_SUBJECT = ("Momentum on L = ½(u² + κv²): the stability diagram over q = αλ and β with the current (αλ, β) "
                   "for λ = 1 and λ = κ (left), the path on the contours (middle), L(θ_k) per step against the "
                   "predicted envelope (right)")

    figsize = (9.0, 3.4)
    SCENE = "momentum"  # scenes_2d.js repeats _update in the browser
    trajectory = Fresh()  # up to date when read, also after the page moved a slider (resting)
    rates = Fresh()
    CONTROLS = (
        Control("lr", "learning rate α", "log", 1e-3, 10 ** 0.5, grow=True),
        Control("beta", "momentum β", "float", 0.0, 0.99, step=0.001, fmt=".3f"),
        Control("condition", "condition κ", "log", 1.0, 1000.0, fmt=".3g", redraw=True),
        Control("steps", "steps", "int", 1, 500, redraw=True),
    )
    #: the "nesterov" checkbox (no Control kind) changes the region: it redraws like the declared ones
    _REDRAW_TOO = frozenset({"nesterov"})

    def __init__(self, lr: float = 0.05, beta: float = 0.8, condition: float = 20.0, nesterov: bool = False,
                 steps: int = 100, *, renderer: str = "auto"):
        self._declare(lr=lr, beta=beta, condition=condition, steps=steps)
        self._nesterov = bool(nesterov)
        self.trajectory = None
        self.rates = (np.nan, np.nan)
        super().__init__(renderer=renderer)

    @property
    def _redraw_controls(self) -> frozenset[str]:
        return super()._redraw_controls | self._REDRAW_TOO

    def _make_controls(self):
        controls = self._declared_controls()
        nesterov = widgets.Checkbox(value=self._nesterov, description="Nesterov")
        return {**{k: controls[k] for k in ("lr", "beta", "condition")}, "nesterov": nesterov,
                "steps": controls["steps"]}

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
        self._marks = self.animate(*ax.plot([], [], "o", ms=9, color=PALETTE["vermillion"], mec="k", zorder=5,
                                           gid="marks"))
        self._mark_labels = [self.animate(ax.text(0, 0, "", fontsize="small", zorder=6, gid=f"mark_label_{i}"))
                             for i in range(2)]
        ax.legend(loc="lower right", fontsize="small")
        self._region = None  # the shaded region and the quadratic's contours are drawn when κ is known
        self._contours = []
        self._path = self.animate(*self.ax.plot([], [], "-o", color=PALETTE["vermillion"], ms=2.5, lw=1.1, zorder=4,
                                                gid="path"))
        self._start = self.animate(*self.ax.plot([], [], "o", color=PALETTE["blue"], ms=8, mec="w", zorder=5,
                                                 gid="start"))
        self._note = self.animate(self.ax.text(0.5, 0.97, "", transform=self.ax.transAxes, ha="center", va="top",
                                               color=PALETTE["vermillion"], fontweight="bold",
                                               bbox=dict(fc="w", ec="none", alpha=0.8), gid="note"))
        self._loss = self.animate(*self.ax_loss.plot([], [], "-", color=PALETTE["vermillion"], lw=1.4,
                                                     label=r"$L(\theta_k)$", gid="loss"))
        self._envelope = self.animate(*self.ax_loss.plot([], [], "--", color=PALETTE["black"], lw=1,
                                                         label=r"envelope $L(\theta_0)\,\rho^{2k}$", gid="envelope"))
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_ylim(1e-14, 1e3)
        self.ax_loss.set_xlabel("step k")
        self.ax_loss.set_ylabel(r"loss $L(\theta_k)$")
        self.ax_loss.legend(loc="upper right", fontsize="small")

    def _set_background(self):
        nesterov = self.controls["nesterov"].value
        q, b = np.meshgrid(np.linspace(0, _Q_MAX, 221), np.linspace(0, 0.999, 200))
        if self._region is not None:
            self._region.remove()
        self._region = self.ax_region.contourf(q, b, momentum_rate(q, b, nesterov), levels=[0, 1],
                                               colors=[PALETTE["sky"]], alpha=0.45)
        kappa = self.controls["condition"].value
        self._objective = _objectives.get("ill_conditioned", condition=kappa)
        self._contours, _ = replace_contours(self.ax, self._contours, self._objective, n=140, levels=18,
                                             minima=False)
        self.ax.set_title(f"{'Nesterov' if nesterov else 'heavy ball'} on ½(u² + {kappa:.3g}v²)")
        self.ax_loss.set_xlim(0, self.controls["steps"].value)

    def _scene_params(self):
        return {"q_max": _Q_MAX, "start": list(_START)}

    def _update(self, changed):
        full = changed is None or changed in self._redraw_controls  # the base redraws for the declared ones
        if full:
            self._set_background()
        lr, beta = self.controls["lr"].value, self.controls["beta"].value
        nesterov, kappa = self.controls["nesterov"].value, self.controls["condition"].value
        steps = self.controls["steps"].value
        qs = lr * np.array([1.0, kappa])
        rates = momentum_rates(lr, kappa, beta, nesterov)
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
        with np.errstate(all="ignore"):
            env = np.clip(momentum_envelope(traj.values[0], rates, k), 1e-14, 1e3)
        self._envelope.set_data(k, env)
        off = np.any(np.abs(traj.points) > 3, axis=1)
        self._note.set_text(path_note(False, int(np.argmax(off)) if off.any() else None, steps))
        self.set_status(*momentum_status(lr, kappa, beta, nesterov, rates, traj.message, traj.status))
        return full
