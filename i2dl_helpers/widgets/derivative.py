"""DifferenceQuotient: the secant through x and x + h turns into the tangent as h → 0."""
from __future__ import annotations

import numpy as np

from ..objectives import Objective, get
from ..plotting.style import PALETTE
from .base import Control, Explorer
from .resting import Fresh
from .statuses import derivative_status, difference_quotient, line_through

__all__ = ["DifferenceQuotient"]


class DifferenceQuotient(Explorer):
    """Secant slope (L(x + h) − L(x)) / h against the derivative L'(x) (slide 11).

    controls : "h" (log slider 1e-4 ... 2) and "x" (the point).
    The status line prints the quotient, L'(x) and their difference.
    """

    ALT_SUBJECT = ("The secant through x and x + h on the graph of L against the tangent at x; its slope (L(x + h) −"
                   " L(x))/h against L′(x)")

    figsize = (6.5, 3.8)
    SCENE = "derivative"  # scenes_calculus.js repeats _update in the browser
    quotient = Fresh()  # up to date when read, also after the page moved a slider (resting)
    derivative = Fresh()
    CONTROLS = (
        Control("h", "step h", "log", 1e-4, 2.0),
        Control("x", "point x", "float", grow=True),
    )

    def __init__(self, objective: str | Objective = "double_well", x: float = -0.5, h: float = 1.0,
                 *, renderer: str = "auto"):
        self._objective = get(objective) if isinstance(objective, str) else objective
        if not isinstance(self._objective, Objective) or self._objective.dim != 1:
            raise ValueError("objective must be a 1D objective name or Objective")
        self._declare(x=x, h=h)
        super().__init__(renderer=renderer)

    def _make_controls(self):
        return self._declared_controls(x=tuple(float(v) for v in self._objective.domain[0]))

    def _build(self, fig):
        ax = self.ax = fig.subplots()
        obj = self._objective
        lo, hi = obj.domain[0]
        xs = np.linspace(lo, hi, 500)
        ys = obj(xs)
        ax.plot(xs, ys, color=PALETTE["black"], lw=1.5, label="L(x)")
        ax.set_xlim(lo, hi)
        pad = 0.1 * (ys.max() - ys.min())
        ax.set_ylim(ys.min() - pad, ys.max() + pad)
        self._tangent = self.animate(ax.plot([], [], color=PALETTE["green"], lw=2, label="tangent, slope L'(x)",
                                             gid="tangent")[0])
        self._secant = self.animate(ax.plot([], [], "--", color=PALETTE["vermillion"], lw=2,
                                            label="secant, slope (L(x+h) − L(x))/h", gid="secant")[0])
        self._points = self.animate(ax.plot([], [], "o", color=PALETTE["blue"], ms=7, gid="points")[0])
        ax.set_xlabel("x")
        ax.set_ylabel("L(x)")
        ax.legend(loc="upper center", fontsize="small")

    def _scene_params(self):
        return {"domain": [float(v) for v in self._objective.domain[0]]}

    def _update(self, changed):
        obj, h, x = self._objective, self.controls["h"].value, self.controls["x"].value
        fx, fxh, slope = obj(x), obj(x + h), obj.grad(x)
        quotient = difference_quotient(fx, fxh, h)
        lo, hi = obj.domain[0]
        line = np.array([lo, hi])
        self._tangent.set_data(line, line_through(fx, slope, line, x))
        self._secant.set_data(line, line_through(fx, quotient, line, x))
        self._points.set_data([x, x + h], [fx, fxh])
        self.set_status(*derivative_status(quotient, slope))
        self.quotient, self.derivative = quotient, slope
        return False
