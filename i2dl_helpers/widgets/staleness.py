"""StalenessExplorer: gradient descent with stale gradients, and its shrinking stability bound."""
from __future__ import annotations

import numpy as np

from ..distributed import delay_bound, delay_bound_scan, delay_rate
from ..objectives import get
from ..optim import GD, run
from ..plotting.style import PALETTE
from .base import Control, Explorer

__all__ = ["StalenessExplorer"]

_TAU_MAX = 20
_Q_LIM = (0.02, 3.0)
_Y_LIM = (1e-10, 1e8)


class StalenessExplorer(Explorer):
    """Delayed gradient descent θ_{k+1} = θ_k − α ∇L(θ_{k−τ}) on L(θ) = λθ²/2, i.e.

        θ_{k+1} = θ_k − q θ_{k−τ},   q = αλ,   θ_j = θ_0 for j < 0.

    Left: the stability diagram over the staleness τ and q (log axis). Shaded: the
    stable region 0 < q < 2 sin(π/(2(2τ + 1))) (the curve); the crosses are the edge
    found numerically, the first q of a fine grid where a root of z^{τ+1} − z^τ + q
    reaches the unit circle. The marker is the current (τ, q).
    Right: |θ_k| per step (log axis) with staleness τ, and in grey the same step
    without staleness (τ = 0); dashed, the predicted envelope ρᵏ (ρ the largest
    root's modulus).

    controls : "tau" (τ, 0 … 20), "q" (αλ, log scale 0.02 … 3), "steps" (50 … 400); the
               diagram shows exactly these ranges, so a value outside is refused with an error
               naming the parameter and its range.
    Attributes after each update: ``trajectory`` (the delayed run), ``fresh`` (τ = 0),
    ``rate`` (ρ) and ``bound`` (the largest stable q for this τ).
    """

    ALT_SUBJECT = ("Delayed gradient descent: the stability diagram over the staleness τ and q = αλ with the current"
                   " (τ, q) (left), |θ_k| per step on a log axis against the same step without staleness (right)")

    figsize = (9.0, 3.8)
    AHEAD = "tau"  # every staleness's frame is drawn ahead (for q and the steps shown) (Explorer.draw_ahead)
    CONTROLS = (
        Control("tau", "staleness τ", "int", 0, _TAU_MAX),
        Control("q", "q = αλ", "log", *_Q_LIM, step=0.01, fmt=".3g"),
        Control("steps", "steps", "int", 50, 400, step=10, redraw=True),
    )

    def __init__(self, tau: int = 0, q: float = 0.5, steps: int = 200, *, renderer: str = "auto"):
        self._declare(tau=tau, q=q, steps=steps)
        self._objective = get("quadratic", curvature=1.0)
        self.trajectory = self.fresh = None
        self.rate = self.bound = np.nan
        super().__init__(renderer=renderer)

    def _build(self, fig):
        self.ax_region, self.ax = fig.subplots(1, 2, width_ratios=[1, 1.25])
        ax = self.ax_region
        taus = np.arange(_TAU_MAX + 1)
        edge = delay_bound(taus)
        ax.fill_between(taus, _Q_LIM[0], edge, step="mid", color=PALETTE["sky"], alpha=0.4, lw=0, label="stable")
        ax.plot(taus, edge, "o", color=PALETTE["black"], ms=3.5, label="2 sin(π / (2(2τ+1)))")
        grid = np.geomspace(0.01, 2.2, 500)  # spacing 1.1 %: the crosses sit on the dots
        scanned = [delay_bound_scan(int(t), grid) for t in taus]
        ax.plot(taus, scanned, "x", color=PALETTE["vermillion"], ms=5, label="edge from the roots")
        ax.set_yscale("log")
        ax.set_xlim(-0.5, _TAU_MAX + 0.5)
        ax.set_ylim(*_Q_LIM)
        ax.set_xlabel("staleness τ (steps)")
        ax.set_ylabel("q = αλ")
        ax.set_title("where delayed GD converges")
        ax.legend(loc="upper right", fontsize="small")
        self._mark = self.animate(*ax.plot([], [], "o", ms=9, color=PALETTE["orange"], mec="k", zorder=5))
        self._fresh = self.animate(*self.ax.plot([], [], "-", color="0.6", lw=1.2, label="τ = 0"))
        self._path = self.animate(*self.ax.plot([], [], "-", color=PALETTE["vermillion"], lw=1.4,
                                                label="|θ_k| with staleness τ"))
        self._envelope = self.animate(*self.ax.plot([], [], "--", color=PALETTE["black"], lw=1, label="ρᵏ"))
        self._note = self.animate(self.ax.text(0.5, 0.04, "", transform=self.ax.transAxes, ha="center",
                                               va="bottom", color=PALETTE["vermillion"], fontweight="bold"))
        self.ax.set_yscale("log")
        self.ax.set_ylim(*_Y_LIM)
        self.ax.set_xlabel("step k")
        self.ax.set_ylabel("|θ_k|")
        self.ax.set_title("the error, with and without staleness")
        self.ax.legend(loc="upper right", fontsize="small")

    def _update(self, changed):
        tau, q, steps = self.controls["tau"].value, self.controls["q"].value, self.controls["steps"].value
        full = changed is None or changed in self._redraw_controls  # the base redraws for the declared ones
        if full:
            self.ax.set_xlim(0, steps)
        self.bound, self.rate = delay_bound(tau), delay_rate(q, tau)
        self.trajectory = run(self._objective, GD(q), 1.0, steps, delay=tau)
        self.fresh = run(self._objective, GD(q), 1.0, steps)
        for line, traj in ((self._path, self.trajectory), (self._fresh, self.fresh)):
            a = np.clip(np.abs(traj.points[:, 0]), *_Y_LIM)
            line.set_data(np.arange(len(a)), a)
        k = np.arange(steps + 1)
        with np.errstate(all="ignore"):
            self._envelope.set_data(k, np.clip(self.rate ** k.astype(float), *_Y_LIM))
        self._mark.set_data([tau], [q])
        if self.trajectory.status == "diverged":
            self._note.set_text(f"diverged at step {self.trajectory.stop_step}")
        else:
            self._note.set_text("")
        stable = q < self.bound
        verdict = (f"converges: ρ = {self.rate:.4g} per step" if self.rate < 1
                   else f"does not converge: ρ = {self.rate:.4g} ≥ 1")
        self.set_status(f"τ = {tau}: stable for q < {self.bound:.4g} · q = {q:.3g} "
                        f"{'<' if stable else '≥'} bound, {verdict} · run: {self.trajectory.message}",
                        "ok" if self.rate < 1 else "error")
        return full
