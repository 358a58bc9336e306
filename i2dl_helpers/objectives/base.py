"""The objective protocol: value, gradient and Hessian, vectorised over points.

Every function the course minimises is an :class:`Objective`. Points have shape
``(..., dim)``: values come back with shape ``(...)``, gradients ``(..., dim)``
and Hessians ``(..., dim, dim)``. A 1D objective also accepts plain numbers and
arrays of 1D points such as ``np.linspace(-2, 2, 400)`` (then values, gradients
and Hessians all have the input's shape).
"""
from __future__ import annotations

import copy
from typing import Callable, Sequence

import numpy as np

from .._validate import as_points, check_real
from ..numdiff import numerical_hessian

__all__ = ["Objective"]


class Objective:
    """A differentiable function L(θ) with its gradient ∇L and Hessian ∇²L.

    Parameters
    ----------
    fun, grad, hessian : callables on point arrays. For ``dim >= 2`` they take
        θ of shape (..., dim) and return (...), (..., dim) and (..., dim, dim).
        For ``dim == 1`` they take and return arrays of the coordinate's shape
        (...), so ``Objective(lambda x: x**2, lambda x: 2*x, dim=1)`` works.
        Without ``hessian`` the Hessian is taken by central differences of
        ``grad``.
    dim : number of coordinates d (>= 1).
    name : short identifier shown in plots and choosers.
    domain : plotting box, one (low, high) per dimension; default (-3, 3).
    minima : known minimisers, shape (k, dim) (k may be 0).
    smoothness : the constant L_g of an L_g-smooth objective (largest Hessian
        eigenvalue), when it is known; GD is stable for lr < 2 / L_g.
    start : a start θ_0 that shows the function's character (shape (dim,)); the
        explorers begin there. Default: a point near a corner of the domain.
    lr : a learning rate α that converges from ``start`` in a visible number of
        steps. Default: 1 / smoothness when known, else 0.01.

    ``best`` is the lowest known value L* (at the known minima, else the lowest
    value on a grid over the domain), the reference of every "L − L*" plot.
    """

    def __init__(self, fun: Callable, grad: Callable, hessian: Callable | None = None, *,
                 dim: int, name: str = "custom", domain: Sequence[Sequence[float]] | None = None,
                 minima=None, smoothness: float | None = None, formula: str = "",
                 description: str = "", start=None, lr: float | None = None):
        if not callable(fun):
            raise TypeError(f"fun must be callable, got {type(fun).__name__}")
        if not callable(grad):
            raise TypeError(f"grad must be callable, got {type(grad).__name__}")
        if hessian is not None and not callable(hessian):
            raise TypeError(f"hessian must be callable or None, got {type(hessian).__name__}")
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
            raise ValueError(f"dim must be a positive integer, got {dim!r}")
        self.dim = int(dim)
        self.name = str(name)
        self.formula = formula
        self.description = description
        self._fun, self._grad, self._hess = fun, grad, hessian
        self.domain = self._check_domain(domain)
        if minima is None:
            minima = np.empty((0, self.dim))
        minima = np.asarray(minima, dtype=float).reshape(-1, self.dim)
        self.minima = minima
        self.smoothness = None if smoothness is None else check_real("smoothness", smoothness, low=0)
        self._start = None if start is None else as_points("start", start, self.dim).reshape(self.dim)
        self._lr = None if lr is None else check_real("lr", lr, low=0, low_open=True)
        self._best: float | None = None

    def _check_domain(self, domain) -> np.ndarray:
        if domain is None:
            return np.tile([-3.0, 3.0], (self.dim, 1))
        box = np.asarray(domain, dtype=float)
        if box.shape == (2,) and self.dim == 1:
            box = box[None]
        if box.shape != (self.dim, 2) or not np.all(np.isfinite(box)) or np.any(box[:, 0] >= box[:, 1]):
            raise ValueError(f"domain must be {self.dim} pairs (low, high) with low < high, got {domain!r}")
        return box

    @property
    def analytic_hessian(self) -> bool:
        """True when the Hessian comes from a formula, False when it is taken by
        finite differences of the gradient."""
        return self._hess is not None

    # -- evaluation -------------------------------------------------------
    def _points(self, x):
        return as_points("x", x, self.dim, allow_nonfinite=True)

    def _squeeze(self, x, result):
        """Give 1D results the caller's shape: a float for a number, x's shape
        for an array of 1D points without a trailing axis of length 1."""
        if self.dim == 1 and np.ndim(x) == 0:
            return float(np.reshape(result, ()))
        if self.dim == 1 and np.shape(x)[-1] != 1:
            return np.reshape(result, np.shape(x))
        return result

    def _call(self, f, pts, extra_axes):
        if self.dim == 1:
            out = np.asarray(f(pts[..., 0]), dtype=float)
            target = pts.shape[:-1]
            if out.shape != target:
                out = np.broadcast_to(out, target)
            return out.reshape(target + (1,) * extra_axes)
        out = np.asarray(f(pts), dtype=float)
        target = pts.shape[:-1] + (self.dim,) * extra_axes
        if out.shape != target:
            try:
                out = np.broadcast_to(out, target)
            except ValueError:
                raise ValueError(f"objective {self.name!r} returned shape {out.shape}, expected {target}") from None
        return out

    # Unchecked fast paths for the optimiser loop: pts is a float array (..., dim).
    def value_raw(self, pts: np.ndarray) -> np.ndarray:
        return self._call(self._fun, pts, 0)

    def grad_raw(self, pts: np.ndarray) -> np.ndarray:
        return self._call(self._grad, pts, 1)

    def __call__(self, x):
        """L(θ): points (..., dim) -> values (...)."""
        pts = self._points(x)
        return self._squeeze(x, self._call(self._fun, pts, 0))

    def value(self, x):
        """Same as calling the objective."""
        return self(x)

    def grad(self, x):
        """∇L(θ): points (..., dim) -> gradients (..., dim)."""
        pts = self._points(x)
        return self._squeeze(x, self._call(self._grad, pts, 1))

    def hessian(self, x):
        """∇²L(θ): points (..., dim) -> Hessians (..., dim, dim)."""
        pts = self._points(x)
        if self._hess is None:
            g = lambda p: self._call(self._grad, as_points("x", p, self.dim, allow_nonfinite=True), 1)
            hess = numerical_hessian(g, pts)
        else:
            hess = self._call(self._hess, pts, 2)
        return self._squeeze(x, hess)

    # -- defaults and references used by explorers and races --------------
    @property
    def start(self) -> np.ndarray:
        """The default start θ_0, shape (dim,)."""
        if self._start is not None:
            return self._start.copy()
        lo, hi = self.domain[:, 0], self.domain[:, 1]
        frac = np.array([0.1] if self.dim == 1 else [0.2, 0.8] + [0.5] * (self.dim - 2))
        return lo + frac * (hi - lo)

    @property
    def lr(self) -> float:
        """The default learning rate α."""
        if self._lr is not None:
            return self._lr
        return 1.0 / self.smoothness if self.smoothness else 0.01

    @property
    def best(self) -> float:
        """L*: the lowest value at the known minima, else the lowest finite value on a
        grid over the domain (200 points per axis for d ≤ 2), computed once."""
        if self._best is None:
            if len(self.minima):
                self._best = float(np.min(self(self.minima)))
            elif self.dim <= 2:
                pts = self.grid(200) if self.dim == 1 else self.grid(200)[2]
                with np.errstate(all="ignore"):
                    values = np.asarray(self(pts), dtype=float)
                finite = values[np.isfinite(values)]
                self._best = float(finite.min()) if finite.size else 0.0
            else:
                self._best = 0.0
        return self._best

    # -- helpers used by plots and explorers ------------------------------
    def grid(self, n: int = 200, domain=None):
        """A plotting grid over the domain: (xs,) for 1D, (X, Y, points) for 2D."""
        box = self.domain if domain is None else self._check_domain(domain)
        axes = [np.linspace(lo, hi, n) for lo, hi in box]
        if self.dim == 1:
            return axes[0]
        if self.dim == 2:
            X, Y = np.meshgrid(*axes)
            return X, Y, np.stack([X, Y], axis=-1)
        raise ValueError("grid is only defined for 1D and 2D objectives")

    def with_domain(self, domain) -> "Objective":
        """A copy with another plotting box."""
        clone = copy.copy(self)
        clone.domain = self._check_domain(domain)
        clone._best = None  # a grid minimum depends on the box
        return clone

    def __repr__(self) -> str:
        return f"Objective(name={self.name!r}, dim={self.dim})"
