"""Finite differences: the independent check for every analytic derivative.

The derivative is the limit of the difference quotient (slide 11),
    f'(x) = lim_{h→0} (f(x + h) − f(x)) / h .
Central differences (f(x + h) − f(x − h)) / 2h have truncation error O(h²) and
round-off error O(ε/h), so h ≈ ε^{1/3} ≈ 1e-5 balances the two.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._validate import check_choice, check_positive

__all__ = ["difference_quotient", "numerical_grad", "numerical_hessian"]


def _prepare(x):
    arr = np.asarray(x, dtype=float)
    scalar = arr.ndim == 0
    return (arr[None] if scalar else arr), scalar


def numerical_grad(f: Callable, x, h: float = 1e-5) -> np.ndarray | float:
    """Central-difference gradient ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / 2h.

    f : maps points of shape (..., d) to values of shape (...). For a scalar
        ``x`` it is called with scalars and the result is a float.
    x : (d,) or (..., d) point(s); all points are differenced in one pass.
    Returns an array of x's shape (a float for a scalar x).
    """
    h = check_positive("h", h)
    arr, scalar = _prepare(x)
    if scalar:
        return float((f(float(arr[0]) + h) - f(float(arr[0]) - h)) / (2 * h))
    grad = np.empty_like(arr)
    for i in range(arr.shape[-1]):
        step = np.zeros(arr.shape[-1])
        step[i] = h
        grad[..., i] = (np.asarray(f(arr + step)) - np.asarray(f(arr - step))) / (2 * h)
    return grad


def numerical_hessian(grad: Callable, x, h: float = 1e-5) -> np.ndarray | float:
    """Hessian by central differences of an analytic gradient, symmetrised.

    grad : maps (..., d) points to (..., d) gradients.
    Returns (..., d, d) (a float for a scalar x and scalar gradient).
    """
    h = check_positive("h", h)
    arr, scalar = _prepare(x)
    if scalar:
        return float((grad(float(arr[0]) + h) - grad(float(arr[0]) - h)) / (2 * h))
    d = arr.shape[-1]
    hess = np.empty(arr.shape + (d,))
    for i in range(d):
        step = np.zeros(d)
        step[i] = h
        hess[..., :, i] = (np.asarray(grad(arr + step)) - np.asarray(grad(arr - step))) / (2 * h)
    return 0.5 * (hess + np.swapaxes(hess, -1, -2))


def difference_quotient(f: Callable, x, h, kind: str = "forward"):
    """(f(x + h) − f(x)) / h ("forward") or (f(x + h) − f(x − h)) / 2h ("central").

    Vectorised over arrays of ``h`` (all > 0), which is how the error-vs-h plot
    of the first notebook is drawn in one call.
    """
    check_choice("kind", kind, ("forward", "central"))
    h = np.asarray(h, dtype=float)
    if not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise ValueError("h must contain positive finite step sizes")
    if kind == "forward":
        return (f(x + h) - f(x)) / h
    return (f(x + h) - f(x - h)) / (2 * h)
