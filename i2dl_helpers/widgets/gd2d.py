"""GradientDescent2D: gradient descent on a 2D function, on contours (slides 18–21)."""
from __future__ import annotations

import numpy as np

from .. import objectives as _objectives
from .._validate import check_positive
from ..basins import NoMinimumFound, minima_of
from ..objectives import Objective
from ..optim import GD, run
from ..plotting.views2d import replace_contours
from ..plotting.style import PALETTE
from . import figure_canvas
from .base import Control, Explorer
from .chooser import ObjectiveChooser
from .resting import Fresh
from .statuses import gd2d_status, path_note

__all__ = ["GradientDescent2D"]


class GradientDescent2D(ObjectiveChooser, Explorer):
    """Gradient descent θ_{k+1} = θ_k − α ∇L(θ_k) on a function of θ = (θ₁, θ₂).

    Left: contours of L with the iterates θ_0, θ_1, ... joined in order (the
    contours are drawn once; only the path moves). Right: L(θ_k) − L* per step on
    a log axis, L* the lowest known value (``objective.best``; for a typed function the lowest value at the
    minima that ``basins.find_minima`` finds). The axes never
    rescale: a diverging path leaves the plot and a note says at which step. A click
    on the contour plot sets the start, with ``renderer="ipympl"`` (in the kernel) and
    with the canvas renderer (in the browser, also on a page without a kernel).

    objective : a name from ``objectives.names(dim=2)`` or a 2D Objective.
    lr, x0, y0: α and the start θ_0 (default: the objective's ``lr`` and ``start``).
    controls  : "objective", "lr" (α, log scale 1e-4 ... 3.16, widened to include a larger α),
                "steps" (1 ... 1000), "x0", "y0" (the start θ_0, sliders over the domain, widened
                to include a start outside it) and "condition" (κ of the ill-conditioned
                quadratic ½(u² + κv²), 1 ... 1000; inactive for other functions).
    """

    ALT_SUBJECT = ("Gradient descent on a 2D function: the path θ_k on the contours of L (left), L(θ_k) − L* per "
                   "step on a log axis (right)")

    KEYS_HELP = ("Set the start θ₀: click the contour plot, or Tab to it, move the cross with the arrow keys "
                 "(Shift: finer steps) and press Enter; Escape hides the cross. The start sliders do the same.")
    figsize = (9.0, 3.8)
    expression_variables = ("x", "y")
    chooser_dim = 2
    SCENE = "gd2d"  # scenes_2d.js repeats _update in the browser
    SCENE_HESSIAN = True  # the saddle note reads λ_min of the exact Hessian there too
    trajectory = Fresh()  # up to date when read, also after the page moved a slider (resting)
    CONTROLS = (
        Control("objective", "function", "choice", redraw=True),
        Control("lr", "learning rate α", "log", 1e-4, 10 ** 0.5, grow=True),
        Control("steps", "steps", "int", 1, 1000, redraw=True),
        Control("x0", "start θ₁", "float", fmt=".2f", grow=True),
        Control("y0", "start θ₂", "float", fmt=".2f", grow=True),
        Control("condition", "condition κ", "log", 1.0, 1000.0, fmt=".3g"),  # redraws only the quadratic
    )

    def __init__(self, objective: str | Objective = "ill_conditioned", lr: float | None = None,
                 x0: float | None = None, y0: float | None = None, steps: int = 100,
                 condition: float = 10.0, tol: float = 1e-8, *, renderer: str = "auto"):
        self._kappa = self._declare(condition=condition)["condition"]
        self._init_chooser(objective)
        self._declare(lr=lr, x0=x0, y0=y0, steps=steps)
        self.tol = check_positive("tol", tol)
        self.trajectory = None
        self.best = None        # L* of the loss panel, set with the function (see _lowest_value)
        super().__init__(renderer=renderer)
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)

    # -- objectives -----------------------------------------------------------
    def _from_catalogue(self, name: str) -> Objective:
        if name == "ill_conditioned":
            return _objectives.get(name, condition=self._kappa)
        return _objectives.get(name)

    def _is_quadratic(self) -> bool:
        """True when the function is the catalogue's ill-conditioned quadratic (κ applies)."""
        return self._objective.name == "ill_conditioned" and not self._is_typed("ill_conditioned")

    def set_start(self, x: float, y: float) -> None:
        """Move the start θ_0 to (x, y) (clipped to the plot) and rerun once."""
        sx, sy = self.controls["x0"], self.controls["y0"]
        with self.quietly():
            sx.value = float(np.clip(x, sx.min, sx.max))
            sy.value = float(np.clip(y, sy.min, sy.max))
        self._safe(lambda: self.refresh("x0"))  # the start moved (both coordinates)

    def _on_click(self, event):
        if event.inaxes is self.ax and event.xdata is not None and getattr(event, "button", 1) == 1:
            self.set_start(event.xdata, event.ydata)

    # -- explorer hooks -----------------------------------------------------
    def _make_controls(self):
        obj = self._objective
        init = self._initial
        init["objective"] = obj.name
        init["lr"] = obj.lr if init["lr"] is None else init["lr"]
        for i, name in enumerate(("x0", "y0")):
            init[name] = float(obj.start[i]) if init[name] is None else init[name]
        (xl, xh), (yl, yh) = (tuple(map(float, r)) for r in obj.domain)
        return self._declared_controls(objective=self._chooser_options(), x0=(xl, xh), y0=(yl, yh))

    def _build(self, fig):
        self.ax, self.ax_loss = fig.subplots(1, 2, width_ratios=[1.25, 1])
        ax = self.ax
        self._path = self.animate(*ax.plot([], [], "-o", color=PALETTE["vermillion"], ms=3, lw=1.2, zorder=4,
                                           label="θ_k", gid="path"))
        self._start = self.animate(*ax.plot([], [], "o", color=PALETTE["blue"], ms=9, mec="w", zorder=5,
                                            label="θ_0", gid="start"))
        self._end = self.animate(*ax.plot([], [], "s", color=PALETTE["orange"], ms=8, mec="k", zorder=5,
                                          label="last θ_k", gid="end"))
        self._note = self.animate(ax.text(0.5, 0.97, "", transform=ax.transAxes, ha="center", va="top",
                                          color=PALETTE["vermillion"], fontweight="bold",
                                          bbox=dict(fc="w", ec="none", alpha=0.8), gid="note"))
        self._loss = self.animate(*self.ax_loss.plot([], [], "-o", color=PALETTE["vermillion"], ms=2.5, lw=1.2,
                                                     gid="loss"))
        self._loss_note = self.animate(self.ax_loss.text(0.97, 0.97, "", transform=self.ax_loss.transAxes,
                                                         ha="right", va="top", color=PALETTE["vermillion"],
                                                         gid="loss_note"))
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_xlabel("step k")
        self.ax_loss.set_ylabel("L(θ_k) − L*")
        self._static = []

    def _set_background(self):
        obj, ax = self._objective, self.ax
        self._static, Z = replace_contours(ax, self._static, obj, levels=25, label="minima")
        ax.set_xlabel("θ₁")
        ax.set_ylabel("θ₂")
        ax.set_title(obj.name.replace("_", " ") + (f", κ = {self._kappa:.3g}" if self._is_quadratic() else ""))
        finite = Z[np.isfinite(Z)]
        self.best = _lowest_value(obj)
        top = max(float(finite.max()) - self.best, 1e-6) * 10
        self._loss_ylim = (1e-12, top)
        self.ax_loss.set_ylim(*self._loss_ylim)

    # -- stepping in the browser (scenes_2d.js, SCENES.gd2d) ------------------------
    def _scene_params(self):
        obj = self._objective
        height = getattr(self._view.widget, "height", 0) or self.figure.bbox.height  # the PNG's height
        smooth = None if obj.smoothness is None else float(obj.smoothness)
        return {"tol": self.tol, "domain": np.asarray(obj.domain, dtype=float).tolist(),
                "loss_ylim": [float(v) for v in self._loss_ylim], "best": float(self.best),
                "minima": np.asarray(obj.minima, dtype=float).reshape(-1, 2).tolist(), "smoothness": smooth,
                "kappa": float(self._kappa) if obj.name == "ill_conditioned" and smooth is not None else None,
                "click": figure_canvas.click_target(self.ax, height, "x0", "y0")}

    def _kernel_only_controls(self) -> set[str]:
        return super()._kernel_only_controls() | {"condition"}  # κ draws new contours

    def _sync_to_objective(self):
        """Start sliders follow the domain; start and α move to the function's defaults."""
        obj = self._objective
        for i, name in enumerate(("x0", "y0")):
            self._retarget(name, *obj.domain[i], obj.start[i])
        self.controls["lr"].value = obj.lr

    def _follow_controls(self, changed) -> bool:
        """Apply a new function or κ; True when the background changed."""
        if changed == "objective":
            self._follow_chooser()
            with self.quietly():
                self._sync_to_objective()
        quadratic = self._is_quadratic()
        self.controls["condition"].disabled = not quadratic
        if changed == "condition":
            self._kappa = float(self.controls["condition"].value)
            if not quadratic:
                return False
            self._objective = self._from_catalogue("ill_conditioned")
        return changed in (None, "objective", "condition")

    def _update(self, changed):
        # steps and the function are declared redraw controls (the base adds them); κ redraws
        # only the quadratic, so _follow_controls says whether the contours changed
        new_background = self._follow_controls(changed)
        if new_background:
            self._set_background()
        steps = self.controls["steps"].value
        self.ax_loss.set_xlim(-0.02 * steps, steps * 1.02)
        lr = self.controls["lr"].value
        start = np.array([self.controls["x0"].value, self.controls["y0"].value])
        traj = run(self._objective, GD(lr), start, steps=steps, tol=self.tol)
        self.trajectory = traj
        self._draw_path(traj)
        self.set_status(*self._status(traj, lr))
        return new_background

    def _draw_path(self, traj):
        pts, vals = traj.points, traj.values
        box = self._objective.domain
        span = box[:, 1] - box[:, 0]
        outer_lo, outer_hi = box[:, 0] - span, box[:, 1] + span
        outside = np.any((pts < outer_lo) | (pts > outer_hi), axis=1)
        shown = pts[: int(np.argmax(outside)) + 1] if outside.any() else pts
        shown = np.clip(shown, outer_lo, outer_hi)  # far-away points would only distort the line
        self._path.set_data(shown[:, 0], shown[:, 1])
        self._start.set_data(pts[:1, 0], pts[:1, 1])
        self._end.set_data(pts[-1:, 0], pts[-1:, 1])
        off = np.any((pts < box[:, 0]) | (pts > box[:, 1]), axis=1)
        self._note.set_text(path_note(traj.status == "diverged", int(np.argmax(off)) if off.any() else None,
                                      int(traj.stop_step)))
        gap = vals - self.best
        lo, hi = self._loss_ylim
        self._loss.set_data(np.arange(len(gap)), np.clip(np.where(np.isfinite(gap), gap, hi), lo, hi))
        self._loss_note.set_text("values above the top are drawn at the top" if np.any(gap > hi) else "")

    def _status(self, traj, lr) -> tuple[str, str]:
        """``statuses.gd2d_status`` of the run (the exact Hessian at θ, the last step's gradient)."""
        obj = self._objective
        theta = traj.final
        # Trajectory.grad_norms[-1]: a run that converged keeps the gradient of the step before
        where = traj.points[-2] if traj.status == "converged" and len(traj.points) > 1 else theta
        kappa = self._kappa if obj.name == "ill_conditioned" and obj.smoothness is not None else None
        smooth = None if obj.smoothness is None else float(obj.smoothness)
        with np.errstate(all="ignore"):
            grad, hessian = obj.grad(where).tolist(), obj.hessian(theta).tolist()
        return gd2d_status(traj.message, traj.status, theta.tolist(), float(traj.values[0]), float(traj.values[-1]),
                           grad, np.asarray(obj.minima, dtype=float).reshape(-1, 2).tolist(), hessian, kappa, smooth, lr)


def _lowest_value(obj: Objective) -> float:
    """L* of the loss panel: ``obj.best`` for a function with known minima; for a typed one (no known minima)
    the lowest value at the minima ``basins.find_minima`` finds, not the lowest value on the plotting grid,
    which lies above the minimum and would cut off the convergence; the grid's when there is no minimum."""
    if len(obj.minima):
        return float(obj.best)
    try:
        found = minima_of(obj)
    except NoMinimumFound:
        return float(obj.best)
    with np.errstate(all="ignore"):
        return float(np.min(obj(found)))
