"""Scene cases for BasinExplorer: the status line (each basin's share, to 0.1 %) must equal the kernel's."""
from __future__ import annotations

from .scene_cases import case


@case("BasinExplorer himmelblau")
def _basins_himmelblau():
    from i2dl_helpers.widgets import BasinExplorer

    e = BasinExplorer("himmelblau", lr=0.01, steps=100, n=80, renderer="canvas")
    return e, [{"lr": 0.001}, {"lr": 0.03}, {"lr": 0.1}, {"steps": 10}, {"steps": 300, "lr": 0.02}]


@case("BasinExplorer typed function")
def _basins_typed():
    from i2dl_helpers import expressions
    from i2dl_helpers.widgets import BasinExplorer

    f = expressions.parse("(x**2 - 1)**2 + y**2", variables=("x", "y"))
    e = BasinExplorer(f, lr=0.05, steps=60, n=50, renderer="canvas")
    return e, [{"lr": 0.3}, {"lr": 0.6}, {"lr": 0.002}]
