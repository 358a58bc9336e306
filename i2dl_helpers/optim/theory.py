"""Closed forms for first-order methods on quadratics (numpy only).

On L(θ) = λ/2 (θ − θ*)² gradient descent's error obeys e_{k+1} = (1 − αλ) e_k,
so everything about a run follows from q = αλ. Momentum's rates and its best
hyper-parameters follow from the same kind of analysis.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_positive
from ..formulas import formula, isclose

__all__ = ["optimal_momentum", "regime", "regime_of"]


def regime(lr: float, curvature: float) -> str:
    """The learning-rate regime of GD on a quadratic with curvature λ = ``curvature``
    (:func:`regime_of` of q = αλ). Raises ValueError unless lr and curvature are positive."""
    return regime_of(check_positive("lr", lr) * check_positive("curvature", curvature))


@formula
def regime_of(q):
    """The regime of GD on a quadratic for q = αλ: q < 1 monotone ("very small steps" when q < 0.1),
    q = 1 one step, 1 < q < 2 oscillating but converging, q = 2 bouncing forever, q > 2 diverging
    (q = 1 and q = 2 as numpy.isclose)."""
    if isclose(q, 1.0):
        return "one step to the minimum (αλ = 1)"
    if isclose(q, 2.0):
        return "bounces forever between two points (αλ = 2)"
    if q < 0.1:
        return f"very small steps, slow (αλ = {q:.3g})"
    if q < 1:
        return f"monotone convergence (αλ = {q:.3g} < 1)"
    if q < 2:
        return f"overshoots, oscillates, converges (1 < αλ = {q:.3g} < 2)"
    return f"overshoots more every step: diverges (αλ = {q:.3g} > 2)"


def optimal_momentum(lam_min: float, lam_max: float) -> tuple[float, float]:
    """The heavy-ball (α, β) that is fastest on a quadratic with curvatures in [λ_min, λ_max]:
    α = 4 / (√λ_max + √λ_min)², β = ((√κ − 1) / (√κ + 1))², κ = λ_max/λ_min. Both extreme
    curvatures are then critically damped and converge with ρ = √β = (√κ − 1)/(√κ + 1).
    (The curvatures are Hessian eigenvalues; L stays the loss.)"""
    lam_min, lam_max = check_positive("lam_min", lam_min), check_positive("lam_max", lam_max)
    if lam_min > lam_max:
        raise ValueError(f"lam_min must be <= lam_max, got {lam_min} > {lam_max}")
    s = np.sqrt(lam_max / lam_min)
    return 4.0 / (np.sqrt(lam_max) + np.sqrt(lam_min)) ** 2, ((s - 1) / (s + 1)) ** 2
