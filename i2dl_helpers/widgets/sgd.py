"""SGDExplorer: minibatch SGD on a 2D least-squares problem, noisy path and noise ball."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._validate import check_int
from ..data import linear_regression
from ..objectives import LeastSquares
from ..optim import GD, run
from ..optim.schedules import Constant, ExponentialDecay, InverseTime, StepDecay
from ..plotting.views2d import contour_background
from ..plotting.style import PALETTE
from .base import Control, Explorer

__all__ = ["SGDExplorer", "SCHEDULES"]

#: the schedules offered by the explorer: label -> factory
SCHEDULES = {
    "constant": Constant,
    "1/t": lambda: InverseTime(k=0.02),
    "step": lambda: StepDecay(every=100, gamma=0.5),
    "exponential": lambda: ExponentialDecay(gamma=0.995),
}
_BATCHES = (1, 2, 4, 8, 16, 32, 64, 128)


class SGDExplorer(Explorer):
    """Minibatch SGD  w_{t+1} = w_t − α_t ∇L_B(w_t)  on least squares with two weights.

    L(w) = 1/n Σ_i (x_iᵀw − y_i)² over n = 200 noisy samples (two correlated
    features). Left: contours of L, the SGD path and its last quarter (the "noise
    ball" a constant step keeps bouncing in). Right: L(w_t) − L* per step on a log
    axis for the chosen schedule, and in grey the constant step with the same α,
    B and seed, with its noise-ball level dashed. Batches are drawn by epochs
    (shuffled, without replacement): B = n is full-batch GD.

    controls : "lr" (α, log scale 1e-3 ... 1, widened to include a larger α), "batch_size"
               (1 ... 128, and n), "schedule" (constant, 1/t: α/(1 + 0.02 t), step: ×0.5 every
               100 steps, exponential: α·0.995^t), "steps" (50 ... 2000, by 50), "seed" (0 ... 20).
    Attributes after each update: ``trajectory``, ``reference`` (the constant-step
    run), ``noise_ball`` and ``noise_ball_constant`` (mean L − L* over the last quarter).
    """

    ALT_SUBJECT = ("Minibatch SGD on least squares with two weights: the path and its noise ball on the contours "
                   "(left), L(w_t) − L* per step with the constant step in grey (right)")

    figsize = (10.0, 4.2)
    AHEAD, AHEAD_NEAR = "lr", 1  # the next α each way is trained ahead (Explorer.AHEAD_NEAR)
    CONTROLS = (
        Control("lr", "learning rate α", "log", 1e-3, 1.0, grow=True),
        Control("batch_size", "batch size B", "choice"),  # options known once n is; shown as a slider
        Control("schedule", "schedule", "choice", options=tuple(SCHEDULES)),
        Control("steps", "steps", "int", 50, 2000, step=50, redraw=True),  # the loss axis's length
        Control("seed", "seed", "int", 0, 20),
    )

    def __init__(self, lr: float = 0.05, batch_size: int = 1, schedule: str = "constant", steps: int = 600,
                 *, n: int = 200, noise: float = 1.0, seed: int = 0, renderer: str = "auto"):
        self._declare(lr=lr, steps=steps, seed=seed, schedule=schedule)
        n = check_int("n", n, low=8, high=100_000)
        X, y, _ = linear_regression(n, 2, noise=noise, seed=0, correlation=0.6)
        self.problem = LeastSquares(X, y)
        self._batches = tuple(b for b in _BATCHES if b < n) + (n,)
        check_int("batch_size", batch_size, low=1, high=n)
        if batch_size not in self._batches:
            raise ValueError(f"batch_size must be one of {', '.join(map(str, self._batches))}; got {batch_size}")
        self._declare(batch_size=batch_size)
        self.start = self.problem.w_star + np.array([-2.4, 2.2])
        self.trajectory = self.reference = None
        self.noise_ball = self.noise_ball_constant = np.nan
        super().__init__(renderer=renderer)

    def _make_controls(self):
        made = self._declared_controls(batch_size=self._batches)
        made["schedule"].style.description_width = "initial"
        dropdown = made["batch_size"]  # the batch sizes are ordered: a slider over them
        made["batch_size"] = widgets.SelectionSlider(options=self._batches, value=dropdown.value,
                                                     description=dropdown.description,
                                                     style={"description_width": "initial"})
        dropdown.close()
        return made

    def _build(self, fig):
        self.ax, self.ax_loss = fig.subplots(1, 2, width_ratios=[1.05, 1])
        ax, axl = self.ax, self.ax_loss
        obj = self.problem
        contour_background(ax, obj, levels=20, minima=False)
        ax.plot(*obj.w_star, "*", color=PALETTE["green"], ms=15, mec="k", mew=0.5, zorder=6, label="w*")
        ax.plot(*self.start, "o", color=PALETTE["blue"], ms=8, mec="w", zorder=6, label="w_0")
        ax.set_xlabel("w₁")
        ax.set_ylabel("w₂")
        ax.set_title(f"least squares, n = {obj.n_samples}")
        self._path = self.animate(*ax.plot([], [], "-", color=PALETTE["vermillion"], lw=0.8, alpha=0.7, zorder=4,
                                           label="SGD path"))
        self._ref_tail = self.animate(*ax.plot([], [], "o", color="0.4", ms=2.0, alpha=0.5, zorder=4,
                                               label="last quarter, constant α"))
        self._tail = self.animate(*ax.plot([], [], "o", color=PALETTE["orange"], ms=2.5, alpha=0.7, zorder=5,
                                           label="last quarter"))
        self._note = self.animate(ax.text(0.5, 0.97, "", transform=ax.transAxes, ha="center", va="top",
                                          color=PALETTE["vermillion"], fontweight="bold",
                                          bbox=dict(fc="w", ec="none", alpha=0.8)))
        ax.legend(loc="lower right", fontsize="small")
        self._gap0 = float(obj.excess(self.start))
        self._ylim = (1e-8, 3.0 * self._gap0)
        self._ref = self.animate(*axl.plot([], [], color="0.55", lw=1.0, label="constant α"))
        self._ref_ball = self.animate(axl.axhline(np.nan, color="0.35", ls="--", lw=1.0,
                                                  label="noise ball of the constant α"))
        self._curve = self.animate(*axl.plot([], [], color=PALETTE["vermillion"], lw=1.2, label="chosen schedule"))
        axl.set_yscale("log")
        axl.set_ylim(*self._ylim)
        axl.set_xlabel("step t")
        axl.set_ylabel("L(w_t) − L*")
        axl.legend(loc="lower left", fontsize="small")

    def _gap(self, traj):
        """L(w_t) − L* and the same clipped to the plot's range (for drawing)."""
        gap = np.asarray(self.problem.excess(traj.points), dtype=float)
        return gap, np.clip(np.where(np.isfinite(gap), gap, self._ylim[1]), *self._ylim)

    def _runs(self, lr, B, steps, seed, name):
        """The run with the schedule ``name`` and the constant-step run (the same one for "constant")."""
        traj = run(self.problem, GD(lr), self.start, steps=steps, batch_size=B, seed=seed,
                   schedule=SCHEDULES[name]())
        ref = traj if name == "constant" else run(self.problem, GD(lr), self.start, steps=steps, batch_size=B,
                                                  seed=seed)
        return traj, ref

    def _update(self, changed):
        c = self.controls
        lr, B, steps, seed = c["lr"].value, c["batch_size"].value, c["steps"].value, c["seed"].value
        name = c["schedule"].value
        sched = SCHEDULES[name]()
        traj, ref = self._remembered((lr, B, steps, seed, name, self.start.tobytes()),
                                     lambda: self._runs(lr, B, steps, seed, name))
        self.trajectory, self.reference = traj, ref
        (gap, shown), (gap_ref, shown_ref) = self._gap(traj), self._gap(ref)
        tail = slice(3 * steps // 4, None)
        pts = traj.points
        self._path.set_data(pts[:, 0], pts[:, 1])
        self._tail.set_data(pts[tail, 0], pts[tail, 1])
        ref_pts = ref.points[tail] if ref is not traj else np.empty((0, 2))
        self._ref_tail.set_data(ref_pts[:, 0], ref_pts[:, 1])
        self._curve.set_data(np.arange(len(shown)), shown)
        self._ref.set_data(np.arange(len(shown_ref)), shown_ref)
        diverged = traj.status == "diverged" or ref.status == "diverged"
        self.noise_ball = float(np.mean(gap[tail])) if traj.status != "diverged" else np.inf
        self.noise_ball_constant = float(np.mean(gap_ref[tail])) if ref.status != "diverged" else np.inf
        level = self.noise_ball_constant if np.isfinite(self.noise_ball_constant) else np.nan
        self._ref_ball.set_ydata([level, level])
        self._note.set_text(f"diverged at step {traj.stop_step}: α is too large for B = {B}"
                            if traj.status == "diverged" else "")
        self.ax_loss.set_xlim(0, steps)
        epochs = steps * B / self.problem.n_samples
        rm = ("meets Robbins–Monro (Σα_t = ∞, Σα_t² < ∞)" if sched.robbins_monro else
              "not Robbins–Monro: " + ("Σα_t < ∞" if not sched.sum_diverges else "Σα_t² = ∞"))
        if traj.status == "diverged":
            text = f"{sched.formula}, α = {lr:.3g}, B = {B}: diverged at step {traj.stop_step}"
        else:
            text = (f"{sched.formula}, α = {lr:.3g}, B = {B} ({epochs:.3g} epochs): L − L* = {gap[-1]:.2e} at the end, "
                    f"{self.noise_ball:.2e} on average over the last quarter")
            if name != "constant":
                text += (f" (constant α: {self.noise_ball_constant:.2e})" if ref.status != "diverged"
                         else " (constant α diverges)")
        text += f" · {rm}"
        self.set_status(text, "error" if diverged and traj.status == "diverged" else "info")
        return changed is None  # steps, a declared redraw control, is added by the base
