"""Least-squares problems given by residuals and their Jacobian (curve fits).

Gauss–Newton, Levenberg and Levenberg–Marquardt (``optim.second_order``) need
more than L(θ): they need the residuals r(θ) whose squares L adds up, and the
Jacobian J(θ) = ∂r/∂θ. A :class:`LeastSquaresProblem` is an ordinary
:class:`Objective` (value, gradient, Hessian) that also has ``residuals`` and
``jacobian``, so every optimiser and explorer can run on it.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .._validate import as_points, check_int, check_positive, check_real
from .base import Objective

__all__ = ["LeastSquaresProblem", "exponential_decay", "linear_fit"]


class LeastSquaresProblem(Objective):
    """L(θ) = ½ Σᵢ rᵢ(θ)² = ½‖r(θ)‖², with ∇L = Jᵀr and ∇²L = JᵀJ + Σᵢ rᵢ ∇²rᵢ.

    residuals : θ (..., d) -> r (..., N).
    jacobian  : θ (..., d) -> J (..., N, d), Jᵢⱼ = ∂rᵢ/∂θⱼ.
    hessian   : optional θ -> ∇²L (..., d, d); without it the Hessian is taken
                by central differences of ∇L = Jᵀr.
    dim, name, domain, minima : as for :class:`Objective`.
    """

    def __init__(self, residuals: Callable, jacobian: Callable, hessian: Callable | None = None, *,
                 dim: int, name: str = "least_squares", domain=None, minima=None, formula: str = "",
                 description: str = ""):
        if not callable(residuals) or not callable(jacobian):
            raise TypeError("residuals and jacobian must be callables θ -> r and θ -> J")
        self._residuals, self._jacobian = residuals, jacobian
        super().__init__(self._value_from_r, self._grad_from_r, hessian, dim=dim, name=name, domain=domain,
                         minima=minima, formula=formula, description=description)
        if self.dim == 1:
            raise ValueError("LeastSquaresProblem needs dim >= 2 (use a 2-parameter model)")

    def _value_from_r(self, p):
        r = np.asarray(self._residuals(p), dtype=float)
        return 0.5 * np.sum(r * r, axis=-1)

    def _grad_from_r(self, p):
        r = np.asarray(self._residuals(p), dtype=float)
        J = np.asarray(self._jacobian(p), dtype=float)
        return np.einsum("...ij,...i->...j", J, r)

    def residuals_raw(self, pts: np.ndarray) -> np.ndarray:
        return np.asarray(self._residuals(pts), dtype=float)

    def jacobian_raw(self, pts: np.ndarray) -> np.ndarray:
        return np.asarray(self._jacobian(pts), dtype=float)

    def residuals(self, x) -> np.ndarray:
        """r(θ): points (..., d) -> residuals (..., N)."""
        return self.residuals_raw(as_points("x", x, self.dim, allow_nonfinite=True))

    def jacobian(self, x) -> np.ndarray:
        """J(θ) = ∂r/∂θ: points (..., d) -> (..., N, d)."""
        return self.jacobian_raw(as_points("x", x, self.dim, allow_nonfinite=True))


def linear_fit(X, y, *, name: str = "linear_fit") -> LeastSquaresProblem:
    """Linear least squares r(θ) = Xθ − y, J = X: L(θ) = ½‖Xθ − y‖².

    X : (N, d) design matrix of full column rank, y : (N,) targets. The minimiser
    solves the normal equations XᵀX θ* = Xᵀy (stored in ``minima``).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or not np.all(np.isfinite(X)):
        raise ValueError(f"X must be a finite (N, d) matrix, got shape {X.shape}")
    if y.shape != (X.shape[0],) or not np.all(np.isfinite(y)):
        raise ValueError(f"y must be finite with shape ({X.shape[0]},), got {y.shape}")
    d = X.shape[1]
    if np.linalg.matrix_rank(X) < d:
        raise ValueError("X must have full column rank (linearly independent columns)")
    theta = np.linalg.solve(X.T @ X, X.T @ y)
    XtX = X.T @ X
    return LeastSquaresProblem(
        lambda p: p @ X.T - y,
        lambda p: np.broadcast_to(X, p.shape[:-1] + X.shape),
        lambda p: np.broadcast_to(XtX, p.shape[:-1] + (d, d)),
        dim=d, name=name, minima=[theta], formula=r"L(\theta) = \frac{1}{2}\|X\theta - y\|^2",
        description="linear least squares; minimiser from the normal equations",
    )


def exponential_decay(n_points: int = 20, amplitude: float = 2.0, rate: float = 0.8, noise: float = 0.05,
                      t_max: float = 5.0, seed: int = 0) -> LeastSquaresProblem:
    """Fit y ≈ a·e^{−k t} to noisy samples: θ = (a, k), rᵢ(θ) = a e^{−k tᵢ} − yᵢ.

    The data are yᵢ = amplitude·e^{−rate·tᵢ} + noise·εᵢ at N = n_points times
    tᵢ evenly spaced in [0, t_max], εᵢ ~ N(0, 1) from ``default_rng(seed)``.
    Jacobian rows: (e^{−k t}, −a t e^{−k t}). The data are kept as ``.t``, ``.y``;
    ``.model(t, θ)`` evaluates the curve; ``.parameter_names`` names θ's entries
    for plots. The best fit (found by Newton's method from the true parameters)
    is ``minima[0]``.
    """
    n = check_int("n_points", n_points, low=3)
    a0 = check_real("amplitude", amplitude)
    k0 = check_real("rate", rate)
    sigma = check_real("noise", noise, low=0.0)
    t_max = check_positive("t_max", t_max)
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, t_max, n)
    y = a0 * np.exp(-k0 * t) + sigma * rng.standard_normal(n)

    def model(tt, p):
        p = np.asarray(p, dtype=float)
        return p[..., :1] * np.exp(-p[..., 1:2] * np.asarray(tt, dtype=float))

    def residuals(p):
        return model(t, p) - y

    def jacobian(p):
        e = np.exp(-p[..., 1:2] * t)
        return np.stack([e, -p[..., :1] * t * e], axis=-1)

    def hessian(p):
        a, k = p[..., :1], p[..., 1:2]
        e = np.exp(-k * t)
        r = a * e - y
        J = np.stack([e, -a * t * e], axis=-1)
        H = np.einsum("...ij,...ik->...jk", J, J)
        cross = np.sum(r * (-t * e), axis=-1)
        kk = np.sum(r * (a * t * t * e), axis=-1)
        H[..., 0, 1] += cross
        H[..., 1, 0] += cross
        H[..., 1, 1] += kk
        return H

    best = np.array([a0, k0], dtype=float)
    for _ in range(50):  # Newton from the true parameters, to round-off
        g = np.einsum("ij,i->j", jacobian(best), residuals(best))
        step = np.linalg.solve(hessian(best), g)
        best = best - step
        if np.max(np.abs(step)) < 1e-15 * (1 + np.max(np.abs(best))):
            break
    prob = LeastSquaresProblem(residuals, jacobian, hessian, dim=2, name="exp_decay_fit",
                               domain=[(0.0, 4.0), (-0.5, 3.0)], minima=[best],
                               formula=r"L(a, k) = \frac{1}{2}\sum_i (a e^{-k t_i} - y_i)^2",
                               description="least-squares fit of an exponential decay")
    prob.t, prob.y, prob.model = t, y, model
    prob.parameter_names = ("amplitude a", "decay rate k")
    return prob
