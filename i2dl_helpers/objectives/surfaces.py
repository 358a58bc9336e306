"""More named 2D surfaces for the optimiser race: a ravine and a plateau.

Registered into the catalogue on import (``objectives/__init__`` imports this
module as a plugin), each declared once as a formula (:func:`.catalogue.declare`).
"""
from __future__ import annotations

from .._validate import check_real
from .base import Objective
from .catalogue import _ROTATED, _XY, _rotation, entry, register

__all__ = ["plateau", "ravine"]


@register("ravine", "h/2*((p*x + q*y)**2/k + (p*y - q*x)**2)",
          "a long, narrow valley at an angle φ; one α for both directions fails",
          variables=_XY, symbols={**_ROTATED, "k": r"\kappa", "h": "c"})
def ravine(condition: float = 50.0, angle: float = 30.0, curvature: float = 4.0) -> Objective:
    """L(θ) = c/2 (u²/κ + v²) with (u, v) = Rᵀθ, R a rotation by ``angle`` degrees.

    Curvatures c/κ along the valley floor and c across it: GD needs α < 2/c to
    stay stable across, and then crawls along the floor at the rate 1 − αc/κ.
    The rotation puts the valley off the coordinate axes, so per-coordinate
    methods (AdaGrad, RMSProp, Adam) cannot simply rescale it away.
    """
    kappa = check_real("condition", condition, low=1.0)
    c = check_real("curvature", curvature, low=0.0, low_open=True)
    return entry("ravine", {**_rotation(angle), "k": kappa, "h": c}, domain=[(-4, 4), (-3, 3)], minima=[[0.0, 0.0]],
                 smoothness=c, description=f"a narrow valley rotated by {float(angle):g}°: condition number {kappa:g}")


@register("plateau", "1 - exp(-(x**2 + 2*y**2)/(2*w**2))",
          "a flat plateau far from the well, where ∇L vanishes", variables=_XY)
def plateau(width: float = 1.0) -> Objective:
    """L(θ) = 1 − e^{−q(θ)}, q = (x² + 2y²) / (2w²): a well of width w in a flat plain.

    Far from the origin e^{−q} makes the gradient tiny: GD crawls, while methods
    that divide by the gradient's size (RMSProp, Adam) keep taking steps of about α.
    Minimum 0 at the origin; L → 1 far away.
    """
    w = check_real("width", width, low=0.0, low_open=True)
    return entry("plateau", {"w": w}, domain=[(-4 * w, 4 * w), (-3 * w, 3 * w)], minima=[[0.0, 0.0]],
                 smoothness=2.0 / w**2, description="a narrow well in a flat plain: far away the gradient all but vanishes")
