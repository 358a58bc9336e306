"""GradientDescent2D: gradient descent on a 2D function, on contours (slides 18–21)."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import objectives as _objectives
from .._validate import check_int, check_positive, check_real
from ..convexity import min_eigenvalue_2x2
from ..objectives import Objective
from ..optim import GD, run
from ..plotting.views2d import contour_background
from ..style import PALETTE
from .base import Explorer, log_slider

__all__ = ["GradientDescent2D"]

#: sensible (start, learning rate) for the catalogue's 2D objectives
_DEFAULTS = {
    "bowl": ((2.5, 2.0), 0.1),
    "ill_conditioned": ((-2.5, 1.5), 0.15),
    "rosenbrock": ((-1.5, 2.0), 1e-3),
    "himmelblau": ((0.0, 0.0), 0.01),
    "saddle": ((1.8, 0.01), 0.1),
}


class GradientDescent2D(Explorer):
    """Gradient descent θ_{k+1} = θ_k − α ∇L(θ_k) on a function of θ = (θ₁, θ₂).

    Left: contours of L with the iterates θ_0, θ_1, ... joined in order (the
    contours are drawn once; only the path moves). Right: L(θ_k) − L* per step on
    a log axis, L* the lowest known minimum. The axes never rescale: a diverging
    path leaves the plot and a note says at which step. With ``renderer="ipympl"``
    a click on the contour plot sets the start.

    objective : a name from ``objectives.names(dim=2)`` or a 2D Objective.
    controls  : "objective", "lr" (α, log scale 1e-4 ... 3), "steps" (1 ... 1000),
                "x0", "y0" (the start θ_0) and "condition" (κ of the
                ill-conditioned quadratic ½(u² + κv²); inactive for other functions).
    """

    figsize = (9.0, 3.8)
    expression_variables = ("x", "y")

    def __init__(self, objective: str | Objective = "ill_conditioned", lr: float | None = None,
                 x0: float | None = None, y0: float | None = None, steps: int = 100,
                 condition: float = 10.0, tol: float = 1e-8, *, renderer: str = "auto"):
        self._options: dict[str, Objective | None] = {name: None for name in _objectives.names(dim=2)}
        self._kappa = check_real("condition", condition, low=1.0, high=1000.0)
        self._objective = self._resolve(objective)
        (dx, dy), dlr = self._defaults()
        self._init = dict(lr=dlr if lr is None else check_positive("lr", lr),
                          x0=dx if x0 is None else check_real("x0", x0),
                          y0=dy if y0 is None else check_real("y0", y0),
                          steps=check_int("steps", steps, low=1, high=1000))
        self.tol = check_positive("tol", tol)
        self.trajectory = None
        super().__init__(renderer=renderer)
        self.figure.canvas.mpl_connect("button_press_event", self._on_click)

    # -- objectives -----------------------------------------------------------
    def _resolve(self, objective) -> Objective:
        if isinstance(objective, Objective):
            if objective.dim != 2:
                raise ValueError(f"objective must be two-dimensional, got dim={objective.dim}")
            self._options[objective.name] = objective
            return objective
        if isinstance(objective, str) and objective in self._options:
            custom = self._options[objective]
            if custom is not None:
                return custom
            if objective == "ill_conditioned":
                return _objectives.get(objective, condition=self._kappa)
            return _objectives.get(objective)
        raise ValueError(f"objective must be one of {', '.join(self._options)} or a 2D Objective; "
                         f"got {objective!r}")

    def _defaults(self):
        obj = self._objective
        if obj.name in _DEFAULTS and self._options.get(obj.name) is None:
            return _DEFAULTS[obj.name]
        (x0, x1), (y0, y1) = obj.domain
        lr = 1.0 / obj.smoothness if obj.smoothness else 0.01
        return (x0 + 0.2 * (x1 - x0), y0 + 0.8 * (y1 - y0)), lr

    def set_objective(self, objective: str | Objective) -> None:
        """Switch to another function (a catalogue name or a 2D Objective); the start
        and learning rate move to that function's defaults."""
        obj = self._resolve(objective)
        self._choose("objective", obj.name)
        self._objective = obj
        self.refresh("objective")  # errors propagate: the caller shows them

    def set_start(self, x: float, y: float) -> None:
        """Move the start θ_0 to (x, y) (clipped to the plot) and rerun once."""
        sx, sy = self.controls["x0"], self.controls["y0"]
        with self.quietly():
            sx.value = float(np.clip(x, sx.min, sx.max))
            sy.value = float(np.clip(y, sy.min, sy.max))
        self._safe(lambda: self.refresh("start"))

    def _on_click(self, event):
        if event.inaxes is self.ax and event.xdata is not None and getattr(event, "button", 1) == 1:
            self.set_start(event.xdata, event.ydata)

    # -- explorer hooks -----------------------------------------------------
    def _coord_slider(self, label, value, lo, hi):
        return widgets.FloatSlider(value=float(np.clip(value, lo, hi)), min=lo, max=hi, step=(hi - lo) / 400,
                                   description=label, readout_format=".2f",
                                   style={"description_width": "initial"})

    def _make_controls(self):
        (xl, xh), (yl, yh) = (tuple(map(float, r)) for r in self._objective.domain)
        return {
            "objective": widgets.Dropdown(options=list(self._options), value=self._objective.name,
                                          description="function"),
            "lr": log_slider("learning rate α", self._init["lr"], -4, 0.5),
            "steps": widgets.IntSlider(value=self._init["steps"], min=1, max=1000, description="steps",
                                       style={"description_width": "initial"}),
            "x0": self._coord_slider("start θ₁", self._init["x0"], xl, xh),
            "y0": self._coord_slider("start θ₂", self._init["y0"], yl, yh),
            "condition": log_slider("condition κ", self._kappa, 0, 3, fmt=".3g"),
        }

    def _build(self, fig):
        self.ax, self.ax_loss = fig.subplots(1, 2, width_ratios=[1.25, 1])
        ax = self.ax
        self._path = self.animate(*ax.plot([], [], "-o", color=PALETTE["vermillion"], ms=3, lw=1.2, zorder=4,
                                           label="θ_k"))
        self._start = self.animate(*ax.plot([], [], "o", color=PALETTE["blue"], ms=9, mec="w", zorder=5,
                                            label="θ_0"))
        self._end = self.animate(*ax.plot([], [], "s", color=PALETTE["orange"], ms=8, mec="k", zorder=5,
                                          label="last θ_k"))
        self._note = self.animate(ax.text(0.5, 0.97, "", transform=ax.transAxes, ha="center", va="top",
                                          color=PALETTE["vermillion"], fontweight="bold",
                                          bbox=dict(fc="w", ec="none", alpha=0.8)))
        self._loss = self.animate(*self.ax_loss.plot([], [], "-o", color=PALETTE["vermillion"], ms=2.5, lw=1.2))
        self._loss_note = self.animate(self.ax_loss.text(0.97, 0.97, "", transform=self.ax_loss.transAxes,
                                                         ha="right", va="top", color=PALETTE["vermillion"]))
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_xlabel("step k")
        self.ax_loss.set_ylabel("L(θ_k) − L*")
        self._static = []

    def _set_background(self):
        obj = self._objective
        for artist in self._static:
            artist.remove()
        ax = self.ax
        self._static, Z = contour_background(ax, obj, levels=25, label="minima")
        finite = Z[np.isfinite(Z)]
        self._lstar = float(np.min(obj(obj.minima))) if len(obj.minima) else float(finite.min())
        ax.set_xlabel("θ₁")
        ax.set_ylabel("θ₂")
        ax.set_title(obj.name.replace("_", " ") + (f", κ = {self._kappa:.3g}" if obj.name == "ill_conditioned"
                                                  and self._options.get(obj.name) is None else ""))
        top = max(float(finite.max()) - self._lstar, 1e-6) * 10
        self._loss_ylim = (1e-12, top)
        self.ax_loss.set_ylim(*self._loss_ylim)

    def _sync_to_objective(self):
        """Start sliders follow the domain; start and α move to the function's defaults."""
        (dx, dy), dlr = self._defaults()
        for name, (lo, hi), v in (("x0", self._objective.domain[0], dx), ("y0", self._objective.domain[1], dy)):
            self._retarget(name, lo, hi, v)
        self.controls["lr"].value = dlr

    def _update(self, changed):
        full = changed in (None, "objective", "steps", "condition")
        cond = self.controls["condition"]
        if changed == "objective":
            self._objective = self._resolve(self.controls["objective"].value)
            with self.quietly():
                self._sync_to_objective()
        is_quad = self._objective.name == "ill_conditioned" and self._options.get("ill_conditioned") is None
        cond.disabled = not is_quad
        if changed == "condition":
            self._kappa = float(cond.value)
            if not is_quad:
                full = False
            else:
                self._objective = _objectives.get("ill_conditioned", condition=self._kappa)
        if full and changed != "steps":
            self._set_background()
        steps = self.controls["steps"].value
        self.ax_loss.set_xlim(-0.02 * steps, steps * 1.02)
        lr = self.controls["lr"].value
        start = np.array([self.controls["x0"].value, self.controls["y0"].value])
        traj = run(self._objective, GD(lr), start, steps=steps, tol=self.tol)
        self.trajectory = traj
        self._draw_path(traj)
        self.set_status(self._message(traj, lr), {"converged": "ok", "diverged": "error"}.get(traj.status, "warn"))
        return full

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
        if traj.status == "diverged":
            self._note.set_text(f"diverged: the path leaves the plot at step {int(np.argmax(off)) if off.any() else traj.stop_step}")
        elif off.any():
            self._note.set_text(f"the path leaves the plot at step {int(np.argmax(off))}")
        else:
            self._note.set_text("")
        gap = vals - self._lstar
        lo, hi = self._loss_ylim
        self._loss.set_data(np.arange(len(gap)), np.clip(np.where(np.isfinite(gap), gap, hi), lo, hi))
        self._loss_note.set_text("values above the top are drawn at the top" if np.any(gap > hi) else "")

    def _message(self, traj, lr) -> str:
        obj = self._objective
        text = traj.message
        theta = traj.final
        if traj.status != "diverged":
            text += f" · θ = ({theta[0]:.4g}, {theta[1]:.4g})"
            if traj.status == "converged":
                text += f", L = {traj.values[-1]:.4g}"
            elif traj.values[-1] > traj.values[0]:
                text += " · L grows: α is too large"
            g = float(traj.grad_norms[-1])
            near_min = len(obj.minima) and np.min(np.hypot(*(obj.minima - theta).T)) < 1e-3
            if g < 1e-3 and not near_min:
                lam = float(min_eigenvalue_2x2(obj.hessian(theta)))
                if lam < 0:
                    text += f" · stuck near a saddle point (‖∇L‖ = {g:.1e}, λ_min(∇²L) = {lam:.3g} < 0)"
        if obj.name == "ill_conditioned" and obj.smoothness is not None:
            text += (f" · κ = {self._kappa:.3g}: curvatures 1 and κ, stable only for α < 2/κ = "
                     f"{2 / obj.smoothness:.4g} (α·κ = {lr * obj.smoothness:.3g})")
        elif obj.smoothness is not None:
            text += f" · stable for α < 2/λ_max = {2 / obj.smoothness:.4g} (λ_max: the largest curvature)"
        return text
