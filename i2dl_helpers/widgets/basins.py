"""BasinExplorer: how the learning rate reshapes the basins of attraction."""
from __future__ import annotations

import numpy as np

from .. import objectives as _objectives
from .._validate import check_int
from ..basins import DIVERGED, NOT_CONVERGED, basin_map, minima_of
from ..objectives import Objective
from ..plotting.views2d import basin_colors, basin_legend_handles
from .base import Control, Explorer
from .resting import Fresh
from .statuses import basin_status

__all__ = ["BasinExplorer"]


class BasinExplorer(Explorer):
    """Basins of attraction of GD θ_{k+1} = θ_k − α ∇L(θ_k), one colour per minimum.

    Every pixel is a start θ_0 on an n × n grid; all n² starts run together in
    one batched pass and each pixel gets the colour of the minimum its run ends
    in (grey: ends near no minimum; black: diverged). Moving the learning-rate
    slider recomputes the map and swaps the image's data (``set_data``); the
    figure itself is built once.

    objective : a 2D Objective, or a catalogue name (default "himmelblau", four
                minima). An objective without known minima, such as a typed-in
                function from ``expressions.parse``, gets them numerically
                (``basins.find_minima``); a ValueError says so when it has none.
    n         : starts per axis (default 200, i.e. 40,000 starts).
    controls  : "lr" (α, log scale 1e-3 ... 0.1, widened to include an α outside it) and
                "steps" (10 ... 500; a number outside is refused with an error naming it).
    Both recompute the map when the slider is released: in the browser (``scenes_basins.js``,
    ~25 ms for 200×200 starts × 100 steps) and in the kernel (``basin_map``, ~0.1 s).
    """

    ALT_SUBJECT = ("Basins of attraction of gradient descent: every start θ_0 of a grid coloured by the minimum its "
                   "run ends in (grey: none, black: diverged)")

    figsize = (6.8, 4.6)
    SCENE = "basins"  # scenes_basins.js runs the whole grid in the browser (flatbatch.js)
    result = Fresh()  # up to date when read, also after the page moved a slider (resting)
    CONTROLS = (
        Control("lr", "learning rate α", "log", 1e-3, 0.1, step=0.02, grow=True),
        Control("steps", "steps", "int", 10, 500, step=10),
    )

    def __init__(self, objective: str | Objective = "himmelblau", lr: float = 0.01, steps: int = 100,
                 n: int = 200, *, renderer: str = "auto"):
        if isinstance(objective, str):
            objective = _objectives.get(objective)
        if not isinstance(objective, Objective) or objective.dim != 2:
            raise ValueError("objective must be a 2D Objective or the name of one, e.g. 'himmelblau'")
        self.minima = minima_of(objective)  # NoMinimumFound (a ValueError) explains a function without one
        self.objective = objective
        self.n = check_int("n", n, low=10, high=600)
        self.radius = 1e-2  # a start belongs to a minimum when its last iterate is this close
        self._declare(lr=lr, steps=steps)
        self.result = None
        super().__init__(renderer=renderer)

    def _make_controls(self):
        controls = self._declared_controls()
        for control in controls.values():
            control.continuous_update = False  # recompute when the slider is released
        return controls

    def _build(self, fig):
        ax = self.ax = fig.subplots()
        k = len(self.minima)
        cmap, norm = basin_colors(k)
        (x0, x1), (y0, y1) = self.objective.domain
        # The labels are the image's data, one small int per start, overwritten in place
        # on every update (see _update). Colour after resampling ("data" stage): the
        # same pixels as colouring first (nearest neighbour either way), but the
        # colour is looked up once per screen pixel instead of resampling an n×n×4
        # float64 RGBA array, ~10 MB of temporaries per frame at n = 200.
        labels = np.full((self.n, self.n), NOT_CONVERGED, dtype=np.int8 if k < 128 else np.int32)
        self._image = self.animate(ax.imshow(labels, origin="lower", extent=(x0, x1, y0, y1), cmap=cmap,
                                             norm=norm, interpolation="nearest", interpolation_stage="data",
                                             aspect="auto", gid="map"))
        self._stars = self.animate(*ax.plot(*self.minima.T, "*", color="w", mec="k", ms=15,
                                            ls="none"))
        self._labels = [self.animate(ax.annotate(str(i), m, xytext=(7, 7), textcoords="offset points",
                                                 fontweight="bold", color="w"))
                        for i, m in enumerate(self.minima)]
        ax.legend(handles=basin_legend_handles(k), loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("θ₁ at the start")
        ax.set_ylabel("θ₂ at the start")
        ax.set_title(f"where GD ends on {self.objective.name}")
        ax.grid(False)

    def _scene_params(self):
        k = len(self.minima)
        cmap, norm = basin_colors(k)
        colours = cmap(norm(np.arange(NOT_CONVERGED, k)), bytes=True)  # labels −2, −1, 0 ... k−1
        return {"n": self.n, "domain": [[float(a), float(b)] for a, b in self.objective.domain],
                "minima": np.asarray(self.minima, dtype=float).tolist(), "radius": self.radius,
                "colors": colours.tolist()}

    def _update(self, changed):
        lr, steps = self.controls["lr"].value, self.controls["steps"].value
        res = basin_map(self.objective, lr, n=self.n, steps=steps, radius=self.radius)
        self.result = res
        self._image.get_array()[...] = res.labels  # reuse the image's buffer: no copy, no new array
        self._image.changed()  # drops matplotlib's cached RGBA and marks the image stale
        fr = res.fractions()
        self.set_status(*basin_status(self.n, steps, lr, [fr[i] for i in range(len(self.minima))], fr[DIVERGED],
                                      fr[NOT_CONVERGED]))
        return False
