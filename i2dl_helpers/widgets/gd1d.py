"""GradientDescent1D: learning rate and start on sliders, the path on the curve."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.transforms import ScaledTranslation

from .. import objectives as _objectives
from .._validate import check_positive
from ..objectives import Objective
from ..optim import GD, run
from ..plotting.style import PALETTE
from .base import Control, Explorer
from .chooser import ObjectiveChooser
from .resting import Fresh
from .statuses import gd1d_status

__all__ = ["GradientDescent1D"]


class GradientDescent1D(ObjectiveChooser, Explorer):
    """Gradient descent x_{k+1} = x_k − α L'(x_k) on a 1D function.

    Left: L(x) with the iterates x_0, x_1, ... joined in order. Right: L(x_k)
    per step. The status line says how the run ended ("converged in 23 steps",
    "diverged at step 7") and, on a quadratic, which learning-rate regime αλ is in (λ the curvature).

    objective : a name from ``objectives.names(dim=1)`` or a 1D Objective.
    lr        : the learning rate α (slider on a log scale, 1e-3 ... 10; a larger α widens it).
    x0        : the start (slider over the objective's domain, widened to include x0).
    steps     : the number of steps (slider 1 ... 200, widened up to 10,000); tol is the stopping
                rule ‖Δx‖ < tol.
    controls  : "objective", "lr", "x0", "steps".
    """

    ALT_SUBJECT = "Gradient descent on a 1D function: L(x) with the iterates x_k (left), L(x_k) per step (right)"

    figsize = (9.5, 3.6)
    expression_variables = ("x",)
    SCENE = "gd1d"  # scenes.js repeats _update in the browser
    trajectory = Fresh()  # up to date when read, also after the page moved a slider (resting)
    CONTROLS = (
        Control("objective", "function", "choice", redraw=True),
        Control("lr", "learning rate α", "log", 1e-3, 10.0, grow=True),
        Control("x0", "start x₀", "float", grow=True),
        Control("steps", "steps", "int", 1, 200, grow=True, limits=(1, 10_000), redraw=True),
    )

    def __init__(self, objective: str | Objective = "quadratic", lr: float = 0.1, x0: float | None = None,
                 steps: int = 50, tol: float = 1e-6, *, renderer: str = "auto"):
        self._init_chooser(objective)
        self._declare(lr=lr, steps=steps, x0=x0)
        self.tol = check_positive("tol", tol)
        self.trajectory = None
        super().__init__(renderer=renderer)

    def _default_start(self) -> float:
        lo, hi = self._objective.domain[0]
        return float(np.clip(self._objective.start[0], lo, hi))

    def _sync_x0_slider(self):
        lo, hi = (float(v) for v in self._objective.domain[0])
        self._retarget("x0", lo, hi, self._default_start())

    # -- explorer hooks ---------------------------------------------------
    def _make_controls(self):
        lo, hi = (float(v) for v in self._objective.domain[0])
        if self._initial["x0"] is None:
            self._initial["x0"] = self._default_start()
        self._initial["objective"] = self._objective.name
        return self._declared_controls(x0=(lo, hi), objective=self._chooser_options())

    def _build(self, fig):
        self.ax, self.ax_loss = fig.subplots(1, 2, width_ratios=[1.5, 1])
        ax = self.ax
        (self._curve,) = ax.plot([], [], color=PALETTE["black"], lw=1.5, zorder=1)
        # the minima's stars sit just below the curve (10 points down), so the iterates that gather at a
        # minimum never cover them, whichever view draws the moving artists over the background
        below = ax.transData + ScaledTranslation(0, -10 / 72, fig.dpi_scale_trans)
        self._minima = ax.scatter([], [], marker="*", s=170, color=PALETTE["green"], zorder=2, transform=below,
                                  clip_on=False, label="minima")
        self._path = self.animate(*ax.plot([], [], "-o", color=PALETTE["vermillion"], ms=4, lw=1,
                                               alpha=0.85, zorder=3, label="iterates x_k", gid="path"))
        self._start = self.animate(*ax.plot([], [], "o", color=PALETTE["blue"], ms=9, zorder=4, label="start x₀", gid="start"))
        self._end = self.animate(*ax.plot([], [], "s", color=PALETTE["orange"], ms=8, zorder=4, mec="k",
                                             label="last x_k", gid="end"))
        self._offplot = self.animate(ax.text(0.03, 0.97, "", transform=ax.transAxes, ha="left", va="top",
                                             color=PALETTE["vermillion"], fontweight="bold", zorder=6,
                                             bbox=dict(fc="white", ec="none", alpha=0.85), gid="offplot"))
        ax.set_xlabel("x")
        ax.set_ylabel("L(x)")
        ax.legend(loc="upper right", fontsize="small")
        self._loss = self.animate(*self.ax_loss.plot([], [], "-o", color=PALETTE["vermillion"], ms=3, lw=1,
                                                         gid="loss"))
        self.ax_loss.set_xlabel("step k")
        self.ax_loss.set_ylabel("L(x_k)")

    def _set_background(self):
        obj = self._objective
        lo, hi = obj.domain[0]
        xs = np.linspace(lo, hi, 600)
        ys = obj(xs)
        finite = ys[np.isfinite(ys)]
        ymin, ymax = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        pad = 0.08 * (ymax - ymin or 1.0)
        self._ylim = (ymin - 1.8 * pad, ymax + pad)      # room below for the minima's stars
        self._curve.set_data(xs, ys)
        self._minima.set_offsets(np.c_[obj.minima[:, 0], obj(obj.minima[:, 0])] if len(obj.minima)
                                 else np.empty((0, 2)))
        self.ax.set_xlim(lo, hi)
        self.ax.set_ylim(*self._ylim)
        self.ax.set_title(obj.name.replace("_", " "))
        self.ax_loss.set_ylim(*self._ylim)

    def _scene_params(self):
        lo, hi = (float(v) for v in self._objective.domain[0])
        quadratic = self._objective.smoothness is not None and self._objective.name == "quadratic"
        return {"tol": self.tol, "domain": [lo, hi], "ylim": [float(v) for v in self._ylim],
                "curvature": float(self._objective.smoothness) if quadratic else None}

    def _update(self, changed):
        full = changed is None  # the declared redraw controls (objective, steps) are added by the base
        if changed == "objective":  # chosen from the list, typed in, or set from code
            self._follow_chooser()
            with self.quietly():
                self._sync_x0_slider()
        if changed in (None, "objective"):
            self._set_background()
        steps = self.controls["steps"].value
        self.ax_loss.set_xlim(-0.5, steps + 0.5)
        lr, x0 = self.controls["lr"].value, self.controls["x0"].value
        traj = run(self._objective, GD(lr), x0, steps=steps, tol=self.tol)
        self.trajectory = traj
        xs, vs = traj.points[:, 0], traj.values
        self._path.set_data(xs, vs)
        self._start.set_data(xs[:1], vs[:1])
        self._end.set_data(xs[-1:], vs[-1:])
        self._loss.set_data(np.arange(len(vs)), vs)
        lo, hi = self._objective.domain[0]
        outside = (xs[-1] < lo) or (xs[-1] > hi) or not (self._ylim[0] <= vs[-1] <= self._ylim[1])
        self._offplot.set_text(f"last x_k = {xs[-1]:.3g} is off the plot" if outside else "")
        self.set_status(*gd1d_status(traj.message, traj.status, lr, self._scene_params()["curvature"],
                                     float(xs[-1]), float(vs[-1])))
        return full
