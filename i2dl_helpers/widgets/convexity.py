"""ChordExplorer: the definition of convexity as a picture (slide 16)."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import objectives as _objectives
from .._validate import check_real
from ..convexity import gallery
from ..objectives import Objective
from ..style import PALETTE
from .base import Explorer

__all__ = ["ChordExplorer"]


def _choices() -> dict[str, Objective]:
    """The 1D catalogue plus the 1D convex examples of the gallery, by name."""
    out = {name: _objectives.get(name) for name in _objectives.names(dim=1)}
    for obj, _ in gallery():
        if obj.dim == 1 and obj.name not in out:
            out[obj.name] = obj
    return out


class ChordExplorer(Explorer):
    """Two points θ₁ = x, θ₂ = y on the graph of L, the chord between them and λ.

    The point z = λx + (1 − λ)y is marked on the graph and on the chord. L is
    convex when for all x, y, λ
        L(λx + (1 − λ)y) ≤ λL(x) + (1 − λ)L(y),
    i.e. the chord never dips below the graph. Stretches where the graph rises
    above the chord are drawn in red; the status line reports the largest gap
    between x and y and the gap at λ.

    objective : a name from ``objectives.names(dim=1)``, a gallery name ("x²",
                "exp(x)", "softplus", "x⁴") or a 1D Objective.
    controls  : "objective", "x", "y", "lam".
    """

    figsize = (6.5, 3.8)
    expression_variables = ("x",)

    def __init__(self, objective: str | Objective = "double_well", x: float | None = None,
                 y: float | None = None, lam: float = 0.5, *, renderer: str = "auto"):
        self._options = _choices()
        self._objective = self._resolve(objective)
        lo, hi = self._objective.domain[0]
        self._init = dict(x=lo + 0.15 * (hi - lo) if x is None else check_real("x", x),
                          y=lo + 0.85 * (hi - lo) if y is None else check_real("y", y),
                          lam=check_real("lam", lam, low=0, high=1))
        self.max_gap = 0.0
        self.gap = 0.0
        super().__init__(renderer=renderer)

    def _resolve(self, objective) -> Objective:
        if isinstance(objective, Objective):
            if objective.dim != 1:
                raise ValueError(f"objective must be one-dimensional, got dim={objective.dim}")
            self._options.setdefault(objective.name, objective)
            return objective
        if isinstance(objective, str) and objective in self._options:
            return self._options[objective]
        raise ValueError(f"objective must be one of {', '.join(self._options)} or a 1D Objective; "
                         f"got {objective!r}")

    def set_objective(self, objective: str | Objective) -> None:
        """Switch to another function (a name or a 1D Objective). Errors propagate,
        so a typed-in function that fails leaves the previous one in place."""
        obj = self._resolve(objective)
        self._choose("objective", obj.name)
        self._options[obj.name] = obj
        self.refresh("objective")

    # -- explorer hooks ---------------------------------------------------
    def _slider(self, label, value, lo, hi):
        return widgets.FloatSlider(value=float(np.clip(value, lo, hi)), min=lo, max=hi, step=(hi - lo) / 400,
                                   description=label, readout_format=".3f", continuous_update=True,
                                   style={"description_width": "initial"})

    def _make_controls(self):
        lo, hi = (float(v) for v in self._objective.domain[0])
        return {
            "objective": widgets.Dropdown(options=list(self._options), value=self._objective.name,
                                          description="function"),
            "x": self._slider("θ₁ = x", self._init["x"], lo, hi),
            "y": self._slider("θ₂ = y", self._init["y"], lo, hi),
            "lam": widgets.FloatSlider(value=self._init["lam"], min=0.0, max=1.0, step=0.01, description="λ",
                                       readout_format=".2f", style={"description_width": "initial"}),
        }

    def _build(self, fig):
        ax = self.ax = fig.subplots()
        (self._curve,) = ax.plot([], [], color=PALETTE["black"], lw=1.5, label="L")
        self._above = self.animate(*ax.plot([], [], color=PALETTE["vermillion"], lw=4, alpha=0.6,
                                                 solid_capstyle="butt", label="graph above chord"))
        self._chord = self.animate(*ax.plot([], [], color=PALETTE["blue"], lw=2, label="chord"))
        self._ends = self.animate(*ax.plot([], [], "o", color=PALETTE["blue"], ms=8))
        self._gapline = self.animate(*ax.plot([], [], "-", color=PALETTE["orange"], lw=2.5))
        self._on_chord = self.animate(*ax.plot([], [], "s", color=PALETTE["blue"], ms=7, mec="k",
                                                    label="λL(x) + (1−λ)L(y)"))
        self._on_graph = self.animate(*ax.plot([], [], "o", color=PALETTE["orange"], ms=7, mec="k",
                                                    label="L(λx + (1−λ)y)"))
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

    def _sync_sliders(self):
        lo, hi = (float(v) for v in self._objective.domain[0])
        for name, frac in (("x", 0.15), ("y", 0.85)):
            self._retarget(name, lo, hi, lo + frac * (hi - lo))

    def _update(self, changed):
        if changed == "objective":
            self._objective = self._resolve(self.controls["objective"].value)
            self._syncing = True
            try:
                self._sync_sliders()
            finally:
                self._syncing = False
        elif getattr(self, "_syncing", False):
            return False
        if changed in (None, "objective"):
            self._set_background()
        f = self._objective
        x, y, lam = self.controls["x"].value, self.controls["y"].value, self.controls["lam"].value
        fx, fy = f(x), f(y)
        t = np.linspace(0.0, 1.0, 400)
        zs = t * x + (1 - t) * y
        chord = t * fx + (1 - t) * fy
        graph = f(zs)
        gaps = graph - chord
        scale = 1e-9 * max(1.0, abs(fx), abs(fy))
        self._chord.set_data([x, y], [fx, fy])
        self._ends.set_data([x, y], [fx, fy])
        self._above.set_data(zs, np.where(gaps > scale, graph, np.nan))
        z = lam * x + (1 - lam) * y
        fz, cz = f(z), lam * fx + (1 - lam) * fy
        self.gap, self.max_gap = float(fz - cz), float(gaps.max())
        self._gapline.set_data([z, z], [fz, cz])
        self._on_chord.set_data([z], [cz])
        self._on_graph.set_data([z], [fz])
        here = ("chord above the graph" if self.gap < -scale else
                "graph above the chord" if self.gap > scale else "chord touches the graph")
        head = f"at λ = {lam:.2f}: L(z) = {fz:.4g}, chord = {cz:.4g} ({here})"
        if self.max_gap > scale:
            k = int(np.argmax(gaps))
            self.set_status(f"{head} · the chord dips below the graph (by up to {self.max_gap:.3g} at θ = "
                            f"{zs[k]:.3f}): {f.name} is not convex", "error")
        else:
            self.set_status(f"{head} · this chord lies on or above the graph everywhere between x and y", "ok")
        return changed in (None, "objective")
