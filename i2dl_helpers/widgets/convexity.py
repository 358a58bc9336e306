"""ChordExplorer: the definition of convexity as a picture (slide 16)."""
from __future__ import annotations

import numpy as np

from .. import objectives as _objectives
from ..convexity import gallery
from ..objectives import Objective
from ..plotting.style import PALETTE
from .base import Control, Explorer
from .chooser import ObjectiveChooser
from .resting import Fresh
from .statuses import chord_scale, chord_status, convex_combination

__all__ = ["ChordExplorer"]


def _choices() -> dict[str, Objective]:
    """The 1D catalogue plus the 1D convex examples of the gallery, by name."""
    out = {name: _objectives.get(name) for name in _objectives.names(dim=1)}
    for obj, _ in gallery():
        if obj.dim == 1 and obj.name not in out:
            out[obj.name] = obj
    return out


class ChordExplorer(ObjectiveChooser, Explorer):
    """Two points θ₁ = x, θ₂ = y on the graph of L, the chord between them and λ.

    The point z = λx + (1 − λ)y is marked on the graph and on the chord. L is
    convex when for all x, y, λ
        L(λx + (1 − λ)y) ≤ λL(x) + (1 − λ)L(y),
    i.e. the chord never dips below the graph. Stretches where the graph rises
    above the chord are drawn in red; the status line reports the largest gap
    between x and y and the gap at λ.

    objective : a name from ``objectives.names(dim=1)``, a gallery name ("x²",
                "exp(x)", "softplus", "x⁴") or a 1D Objective.
    x, y      : the two points (sliders over the domain, widened to include a point outside it;
                default: 15 % and 85 % of the way across the domain).
    lam       : λ in [0, 1].
    controls  : "objective", "x", "y", "lam". ``set_objective`` switches the function (errors
                propagate, so a typed-in function that fails leaves the previous one in place).
    """

    ALT_SUBJECT = ("The chord between two points x, y on the graph of L and the point z = λx + (1 − λ)y; where the "
                   "graph rises above the chord it is not convex")

    figsize = (6.5, 3.8)
    expression_variables = ("x",)
    SCENE = "chord"  # scenes_calculus.js repeats _update in the browser
    gap = Fresh()  # up to date when read, also after the page moved a slider (resting)
    max_gap = Fresh()
    CONTROLS = (
        Control("objective", "function", "choice", redraw=True),
        Control("x", "θ₁ = x", "float", fmt=".3f", grow=True),
        Control("y", "θ₂ = y", "float", fmt=".3f", grow=True),
        Control("lam", "λ", "float", 0.0, 1.0, step=0.01, fmt=".2f"),
    )
    #: where the two points sit by default, as fractions of the domain
    _SPOTS = (("x", 0.15), ("y", 0.85))

    def __init__(self, objective: str | Objective = "double_well", x: float | None = None,
                 y: float | None = None, lam: float = 0.5, *, renderer: str = "auto"):
        self._choices = _choices()
        self._init_chooser(objective)
        self._declare(x=x, y=y, lam=lam)
        self.max_gap = 0.0
        self.gap = 0.0
        super().__init__(renderer=renderer)

    # -- the chooser: the 1D catalogue plus the gallery's 1D examples ---------
    def _catalogue_names(self) -> list[str]:
        return list(self._choices)

    def _from_catalogue(self, name: str) -> Objective:
        return self._choices[name]

    def _default_spots(self) -> dict[str, float]:
        lo, hi = (float(v) for v in self._objective.domain[0])
        return {name: lo + frac * (hi - lo) for name, frac in self._SPOTS}

    # -- explorer hooks ---------------------------------------------------
    def _make_controls(self):
        init = self._initial
        init["objective"] = self._objective.name
        for name, value in self._default_spots().items():
            init[name] = value if init[name] is None else init[name]
        domain = tuple(float(v) for v in self._objective.domain[0])
        return self._declared_controls(objective=self._chooser_options(), x=domain, y=domain)

    def _build(self, fig):
        ax = self.ax = fig.subplots()
        (self._curve,) = ax.plot([], [], color=PALETTE["black"], lw=1.5, label="L")
        self._above = self.animate(*ax.plot([], [], color=PALETTE["vermillion"], lw=4, alpha=0.6,
                                                 solid_capstyle="butt", label="graph above chord", gid="above"))
        self._chord = self.animate(*ax.plot([], [], color=PALETTE["blue"], lw=2, label="chord", gid="chord"))
        self._ends = self.animate(*ax.plot([], [], "o", color=PALETTE["blue"], ms=8, gid="ends"))
        self._gapline = self.animate(*ax.plot([], [], "-", color=PALETTE["orange"], lw=2.5, gid="gapline"))
        self._on_chord = self.animate(*ax.plot([], [], "s", color=PALETTE["blue"], ms=7, mec="k",
                                                    label="λL(x) + (1−λ)L(y)", gid="on_chord"))
        self._on_graph = self.animate(*ax.plot([], [], "o", color=PALETTE["orange"], ms=7, mec="k",
                                                    label="L(λx + (1−λ)y)", gid="on_graph"))
        ax.set_xlabel("θ")
        ax.legend(loc="upper center", fontsize="small", ncol=2)

    def _set_background(self):
        obj = self._objective
        lo, hi = obj.domain[0]
        xs = np.linspace(lo, hi, 600)
        ys = obj(xs)
        if not np.all(np.isfinite(ys)):
            raise ValueError(f"{obj.name} is not finite everywhere on its domain {lo:g} ... {hi:g}")
        ymin, ymax = float(np.min(ys)), float(np.max(ys))
        pad = 0.1 * (ymax - ymin or 1.0)
        self._curve.set_data(xs, ys)
        self.ax.set_xlim(lo, hi)
        self.ax.set_ylim(ymin - pad, ymax + 4 * pad)  # room for the legend
        self.ax.set_title(f"is {obj.name.replace('_', ' ')} convex?")

    def _scene_params(self):
        return {"name": self._objective.name}

    def _sync_sliders(self):
        lo, hi = (float(v) for v in self._objective.domain[0])
        for name, value in self._default_spots().items():
            self._retarget(name, lo, hi, value)

    def _update(self, changed):
        if changed == "objective":  # chosen from the list, typed in, or set from code
            self._follow_chooser()
            with self.quietly():
                self._sync_sliders()
        if changed in (None, "objective"):
            self._set_background()
        f = self._objective
        x, y, lam = self.controls["x"].value, self.controls["y"].value, self.controls["lam"].value
        fx, fy = f(x), f(y)
        t = np.linspace(0.0, 1.0, 400)
        zs = convex_combination(t, x, y)
        chord = convex_combination(t, fx, fy)
        graph = f(zs)
        gaps = graph - chord
        scale = chord_scale(fx, fy)
        self._chord.set_data([x, y], [fx, fy])
        self._ends.set_data([x, y], [fx, fy])
        self._above.set_data(zs, np.where(gaps > scale, graph, np.nan))
        z = convex_combination(lam, x, y)
        fz, cz = f(z), convex_combination(lam, fx, fy)
        self.gap, self.max_gap = float(fz - cz), float(gaps.max())
        self._gapline.set_data([z, z], [fz, cz])
        self._on_chord.set_data([z], [cz])
        self._on_graph.set_data([z], [fz])
        self.set_status(*chord_status(lam, float(fz), float(cz), float(fx), float(fy), gaps.tolist(), zs.tolist(),
                                      f.name))
        return changed is None  # the function, a declared redraw control, is added by the base
