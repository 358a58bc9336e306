"""More named 2D surfaces for the optimiser race: a ravine and a plateau.

Registered into the catalogue on import (``objectives/__init__`` imports this
module as a plugin), each with analytic gradient and Hessian.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_real
from .base import Objective
from .catalogue import quadratic_form, register

__all__ = ["plateau", "ravine"]


@register("ravine", 2, "½(u²/κ + v²)·c rotated: a long, narrow valley at an angle; one α for both directions fails")
def ravine(condition: float = 50.0, angle: float = 30.0, curvature: float = 4.0) -> Objective:
    """L(θ) = ½ θᵀAθ with A = R diag(c/κ, c) Rᵀ, R a rotation by ``angle`` degrees.

    Curvatures c/κ along the valley floor and c across it: GD needs α < 2/c to
    stay stable across, and then crawls along the floor at the rate 1 − αc/κ.
    The rotation puts the valley off the coordinate axes, so per-coordinate
    methods (AdaGrad, RMSProp, Adam) cannot simply rescale it away.
    """
    kappa = check_real("condition", condition, low=1.0)
    c = check_real("curvature", curvature, low=0.0, low_open=True)
    phi = np.deg2rad(check_real("angle", angle))
    R = np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
    A = R @ np.diag([c / kappa, c]) @ R.T
    obj = quadratic_form(0.5 * (A + A.T), name="ravine", domain=[(-4, 4), (-3, 3)])
    obj.formula = rf"L = \frac{{{c:g}}}{{2}}\left(\frac{{u^2}}{{{kappa:g}}} + v^2\right),\ (u, v) = R_{{{np.rad2deg(phi):g}°}}^T\theta"
    obj.description = f"a narrow valley rotated by {np.rad2deg(phi):g}°: condition number {kappa:g}"
    return obj


@register("plateau", 2, "1 − exp(−(x² + 2y²)/2): a flat plateau far from the well, where ∇L vanishes")
def plateau(width: float = 1.0) -> Objective:
    """L(θ) = 1 − e^{−q(θ)}, q = (x² + 2y²) / (2w²): a well of width w in a flat plain.

    ∇L = e^{−q} ∇q and ∇²L = e^{−q}(∇²q − ∇q ∇qᵀ) with ∇q = (x, 2y)/w² and
    ∇²q = diag(1, 2)/w². Far from the origin e^{−q} makes the gradient tiny:
    GD crawls, while methods that divide by the gradient's size (RMSProp, Adam)
    keep taking steps of about α. Minimum 0 at the origin; L → 1 far away.
    """
    w = check_real("width", width, low=0.0, low_open=True)
    D = np.array([1.0, 2.0]) / w**2

    def f(p):
        q = 0.5 * np.sum(D * p * p, axis=-1)
        return 1.0 - np.exp(-q)

    def g(p):
        q = 0.5 * np.sum(D * p * p, axis=-1)
        return np.exp(-q)[..., None] * (D * p)

    def h(p):
        q = 0.5 * np.sum(D * p * p, axis=-1)
        dq = D * p
        return np.exp(-q)[..., None, None] * (np.diag(D) - dq[..., :, None] * dq[..., None, :])

    return Objective(f, g, h, dim=2, name="plateau", domain=[(-4 * w, 4 * w), (-3 * w, 3 * w)],
                     minima=[[0.0, 0.0]], smoothness=2.0 / w**2,
                     formula=r"L = 1 - e^{-(x^2 + 2y^2)/2w^2}",
                     description="a narrow well in a flat plain: far away the gradient all but vanishes")
