"""Scene parity cases (test_scenes.py) for the calculus explorers: ChordExplorer (SCENES.chord)
and DifferenceQuotient (SCENES.derivative), in scenes_calculus.js.

Each list of settings is applied in order; every setting after the first keeps the background, so the
browser recomputes it from the previous overlay. Together they reach every branch of the updates: a
chord that dips below the graph (the "not convex" error), one on or above it (ok), the point at λ with
the chord above, below or touching the graph (λ = 0 and λ = 1 put z on an end), x = y, points beyond
the domain (sliders widened), a gallery function (declared as a formula, as the catalogue's are), a
typed function, and for the difference quotient h from 1e-4 (round-off) to 2 (coarse).
"""
from __future__ import annotations

from .scene_cases import case


# -- ChordExplorer ----------------------------------------------------------------------------------
@case("ChordExplorer double_well")
def _chord_double_well():
    from i2dl_helpers.widgets import ChordExplorer

    e = ChordExplorer("double_well", x=-1.5, y=2.0, lam=0.5, renderer="canvas")
    return e, [{"lam": 0.3}, {"lam": 0.0}, {"lam": 1.0}, {"x": 1.2, "y": 2.3, "lam": 0.4},  # convex stretch
               {"x": -1.9, "y": -1.1}, {"x": -1.0, "y": 1.0, "lam": 0.5}, {"y": -1.0},  # x = y
               {"x": 0.3, "y": 2.5, "lam": 0.93}, {"x": -2.0, "y": 2.5, "lam": 0.2},  # the domain's ends
               {"x": 2.4, "y": -0.2, "lam": 0.77}]


@case("ChordExplorer many_minima")
def _chord_many_minima():
    from i2dl_helpers.widgets import ChordExplorer

    e = ChordExplorer("many_minima", renderer="canvas")
    return e, [{"lam": 0.12}, {"x": -0.4, "y": 0.4}, {"lam": 0.5}, {"x": -4.9, "y": 4.9, "lam": 0.61},
               {"x": 1.9, "y": 2.2, "lam": 0.25}]


@case("ChordExplorer quadratic")
def _chord_quadratic():
    from i2dl_helpers.widgets import ChordExplorer

    e = ChordExplorer("quadratic", x=-2.0, y=1.0, lam=0.25, renderer="canvas")
    return e, [{"lam": 0.75}, {"x": 2.9, "y": -2.9}, {"lam": 1.0}, {"x": 0.0, "y": 0.0, "lam": 0.5}]


@case("ChordExplorer gallery softplus then x⁴")
def _chord_gallery():
    from i2dl_helpers.widgets import ChordExplorer

    e = ChordExplorer("softplus", renderer="canvas")
    return e, [{"lam": 0.2}, {"x": -3.9, "y": 3.9}, {"x": 0.0, "y": 0.5, "lam": 0.66},
               {"objective": "x⁴"}, {"x": -1.4, "y": 1.4, "lam": 0.5}, {"lam": 0.01}]


@case("ChordExplorer typed")
def _chord_typed():
    from i2dl_helpers.expressions import parse
    from i2dl_helpers.widgets import ChordExplorer

    e = ChordExplorer(parse("log(1 + x**2)", variables=("x",)), renderer="canvas")
    lo, hi = (float(v) for v in e.objective.domain[0])
    return e, [{"x": 0.6 * lo, "y": 0.6 * hi}, {"x": -0.9, "y": 0.9, "lam": 0.4}, {"x": lo, "y": hi, "lam": 0.05},
               {"x": 0.5, "y": 2.9, "lam": 0.5}, {"x": 2.9, "y": -0.3, "lam": 0.8}]  # across the bend: not convex


@case("ChordExplorer typed, undefined beyond the domain")
def _chord_typed_nan():
    from i2dl_helpers.expressions import parse
    from i2dl_helpers.widgets import ChordExplorer

    # sqrt(x + 3.5) is NaN left of −3.5, outside the domain; x = −4.5 widens both sliders to reach it
    # (L(x) = NaN, the graph NaN on part of the chord)
    e = ChordExplorer(parse("sqrt(x + 3.5) - x", variables=("x",)), x=-4.5, y=2.0, renderer="canvas")
    return e, [{"lam": 0.3}, {"x": -1.0}, {"y": -4.0, "x": 1.0}, {"x": -3.4, "y": 0.0, "lam": 0.9},
               {"x": -4.2, "y": -3.8}, {"x": -4.5, "y": 2.0}]


# -- DifferenceQuotient -----------------------------------------------------------------------------
@case("DifferenceQuotient double_well")
def _dq_double_well():
    from i2dl_helpers.widgets import DifferenceQuotient

    e = DifferenceQuotient("double_well", x=-0.5, h=1.0, renderer="canvas")
    return e, [{"h": 0.1}, {"h": 1e-4}, {"h": 2.0}, {"x": 1.3}, {"h": 0.0173}, {"x": -2.0, "h": 0.5},
               {"x": 2.5, "h": 0.25}, {"x": -1.0, "h": 3e-4}, {"x": 0.05, "h": 1e-4},
               {"x": 0.0, "h": 1e-3}]  # L'(0) = −0.0 by hand, +0.0 compiled: both print 0.000000


@case("DifferenceQuotient others")
def _dq_others():
    from i2dl_helpers.widgets import DifferenceQuotient

    e = DifferenceQuotient("many_minima", x=1.0, h=0.5, renderer="canvas")
    return e, [{"h": 0.003}, {"x": -4.2, "h": 1.7}, {"x": 3.3, "h": 1e-4}]


@case("DifferenceQuotient quadratic")
def _dq_quadratic():
    from i2dl_helpers.widgets import DifferenceQuotient

    e = DifferenceQuotient("quadratic", x=1.0, h=0.5, renderer="canvas")
    return e, [{"h": 0.01}, {"x": -2.5}, {"h": 2.0}, {"x": 0.0, "h": 1e-4}]
