"""Objectives over a data set: the loss as a function of the model's parameters.

``LeastSquares(X, y)`` is the mean squared error of a linear model over its
weights w, the objective SGD minimises in the course: its full-batch gradient
costs one pass over the data, a minibatch gradient only B rows.
``NetLoss(net, X, y)`` is the L2 loss of a two-layer network over its flattened
parameters θ, so that ``run``, line search and the optimisers apply to it too.
"""
from __future__ import annotations

import copy

import numpy as np

from .._validate import as_points
from .base import Objective

__all__ = ["LeastSquares", "NetLoss"]


def _as_data(X, y) -> tuple[np.ndarray, np.ndarray]:
    """Check X (n, d) and y (n,) without copying float64 arrays."""
    for name, a in (("X", X), ("y", y)):
        if isinstance(a, bool) or (isinstance(a, np.ndarray) and a.dtype == bool):
            raise TypeError(f"{name} must be an array of numbers, got booleans")
    try:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("X and y must be arrays of numbers") from None
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must have shape (n, d) with n, d >= 1, got shape {X.shape}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), one label per row of X, got shape {y.shape}")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError("X and y must be finite (no NaN or inf)")
    return X, y


class LeastSquares(Objective):
    """Mean squared error of a linear model over its weights w ∈ R^d:

        L(w) = 1/n Σ_i (x_iᵀ w − y_i)² = 1/n ‖X w − y‖²
        ∇L(w) = 2/n Xᵀ (X w − y),      ∇²L = H = 2/n XᵀX  (constant)

    The same scaling as the mean L2 loss of ``nn.TwoLayerNet`` (no factor ½).
    A minibatch B (row indices ``idx``) gives the mean over its rows,
    ∇L_B(w) = 2/|B| Σ_{i∈B} x_i (x_iᵀ w − y_i), an unbiased estimate of ∇L(w).

    X : (n, d) features, y : (n,) labels (float64 arrays are used as they are,
        never copied; a minibatch gradient copies only its |B| rows).
    Points w have shape (..., d); values (...), gradients (..., d), Hessians (..., d, d).

    Attributes: ``n_samples`` (n), ``w_star`` (a minimiser, (d,)), ``loss_star`` (L*),
    ``smoothness`` (the largest Hessian eigenvalue, L_g), ``condition_number`` and
    ``gram`` (XᵀX / n, (d, d)). They cost one pass over the data (O(n d²)) at
    construction. Values use the exact identity of a quadratic,
    L(w) = L* + (w − w*)ᵀ (XᵀX/n) (w − w*), so evaluating the loss along a long
    trajectory costs O(d²) per point instead of a pass over the data; gradients
    always use the data.
    """

    quadratic = True  # constant Hessian: exact line search has a closed form

    def __init__(self, X, y, *, name: str = "least_squares", domain=None):
        X, y = _as_data(X, y)
        self.X, self.y = X, y
        n, d = X.shape
        self.n_samples = n
        gram = X.T @ X / n
        xty = X.T @ y / n
        eig = np.linalg.eigvalsh(gram)
        if eig[0] > 1e-10 * eig[-1]:
            w_star = np.linalg.solve(gram, xty)
        else:  # rank-deficient: the minimum-norm minimiser
            w_star = np.linalg.lstsq(X, y, rcond=None)[0]
        r = X @ w_star - y
        self.gram, self.w_star = gram, w_star
        self.loss_star = float(r @ r) / n
        self.eigenvalues = 2.0 * eig  # of the Hessian, ascending
        if domain is None and d == 2:
            domain = [(w - 3.0, w + 3.0) for w in w_star]
        super().__init__(self._value, self._full_grad, self._hessian, dim=d, name=name, domain=domain,
                         minima=w_star[None], smoothness=float(max(self.eigenvalues[-1], 0.0)),
                         formula=r"L(w) = \frac{1}{n}\sum_i (x_i^\top w - y_i)^2",
                         description=f"least squares on {n} samples with {d} features")

    @property
    def condition_number(self) -> float:
        """λ_max / λ_min of the Hessian (inf when XᵀX is singular)."""
        lo, hi = self.eigenvalues[0], self.eigenvalues[-1]
        return float(hi / lo) if lo > 0 else float("inf")

    # -- the callables handed to Objective --------------------------------
    def _value(self, w):
        e = w - self.w_star
        return self.loss_star + np.einsum("...i,ij,...j->...", e, self.gram, e)

    def _full_grad(self, w):
        r = w.reshape(-1, self.dim) @ self.X.T - self.y  # (m, n): one pass per point
        return (r @ self.X).reshape(w.shape) * (2.0 / self.n_samples)

    def _hessian(self, w):
        return np.broadcast_to(2.0 * self.gram, w.shape[:-1] + (self.dim, self.dim))

    # -- public API ---------------------------------------------------------
    def excess(self, w) -> np.ndarray:
        """L(w) − L* = (w − w*)ᵀ (XᵀX/n) (w − w*) >= 0, without cancellation; shape (...)."""
        e = as_points("w", w, self.dim, allow_nonfinite=True) - self.w_star
        return np.einsum("...i,ij,...j->...", e, self.gram, e)

    def value_direct(self, w) -> np.ndarray:
        """L(w) = 1/n ‖X w − y‖² from the data (one pass per point); shape (...)."""
        pts = as_points("w", w, self.dim, allow_nonfinite=True)
        r = pts.reshape(-1, self.dim) @ self.X.T - self.y
        return np.einsum("mn,mn->m", r, r).reshape(pts.shape[:-1]) / self.n_samples

    def _check_idx(self, idx) -> np.ndarray:
        idx = np.asarray(idx)
        if idx.dtype.kind not in "iu" or idx.ndim != 1 or idx.size == 0:
            raise ValueError(f"idx must be a non-empty 1D array of row indices, got {idx.dtype} array "
                             f"of shape {idx.shape}")
        lo, hi = idx.min(), idx.max()
        if lo < 0 or hi >= self.n_samples:
            raise ValueError(f"idx must hold row indices in [0, {self.n_samples - 1}], got {lo}..{hi}")
        return idx

    def grad(self, w, idx=None):
        """∇L(w) (idx None, a full pass) or the minibatch mean 2/|B| Σ_{i∈idx} x_i (x_iᵀ w − y_i).

        w   : (..., d) point(s).
        idx : None or a 1D integer array of row indices (repeats allowed); only those rows are read.
        Returns (..., d).
        """
        if idx is None:
            return super().grad(w)
        idx = self._check_idx(idx)
        pts = self._points(w)
        Xb, yb = self.X[idx], self.y[idx]  # copies |B| rows only
        r = pts.reshape(-1, self.dim) @ Xb.T - yb
        return (r @ Xb).reshape(pts.shape) * (2.0 / idx.size)

    def per_sample_grads(self, w, idx=None) -> np.ndarray:
        """∇L_i(w) = 2 x_i (x_iᵀ w − y_i) for each row i (all rows, or those in idx).

        w : (d,) or (..., d). Returns (..., B, d) with B = n or len(idx); their mean
        over the B axis is ``grad(w, idx)``. Meant for demonstrations on modest n.
        """
        pts = self._points(w)
        if idx is None:
            Xb, yb = self.X, self.y
        else:
            idx = self._check_idx(idx)
            Xb, yb = self.X[idx], self.y[idx]
        r = pts @ Xb.T - yb  # (..., B)
        return 2.0 * r[..., None] * Xb

    def __repr__(self) -> str:
        return f"LeastSquares(n_samples={self.n_samples}, dim={self.dim})"


_NET_PARAMS = ("W1", "b1", "W2", "b2")  # the order of TwoLayerNet.get_flat


class NetLoss(Objective):
    """The L2 loss of a ``TwoLayerNet`` as a function of all its parameters θ = (W1, b1, W2, b2):

        L(θ) = 1/n Σ_i ‖ŷ_i(θ) − y_i‖²   (reduction "mean")   or   Σ_i ‖ŷ_i(θ) − y_i‖²  ("sum").

    θ is the flat vector of ``net.get_flat()`` (dim = ``net.num_params``); ∇L comes
    from the network's backward pass. The objective works on a private copy of
    ``net``: evaluating it never changes the caller's network (use ``apply`` to
    load a θ into a network). Points θ have shape (..., dim); several points are
    evaluated one after the other. A non-finite loss (a diverged θ) evaluates to
    inf, which ``run`` reports as divergence. With ``n_samples`` and
    ``grad(θ, idx)`` it also supports minibatches.

    net : a TwoLayerNet; X : (n, n_in); y : (n, n_out) or (n,) for one output.
    reduction : "mean" or "sum".
    """

    def __init__(self, net, X, y, reduction: str = "mean", *, name: str = "two_layer_net"):
        for attr in ("params", "loss_and_grads", "num_params"):
            if not hasattr(net, attr):
                raise TypeError(f"net must be a TwoLayerNet, got {type(net).__name__}")
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum'; got {reduction!r}")
        self.net = copy.deepcopy(net)
        self.reduction = reduction
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        if y.ndim == 1:
            y = y[:, None]
        if X.ndim != 2 or X.shape[1] != net.n_in or X.shape[0] < 1:
            raise ValueError(f"X must have shape (n, {net.n_in}) with n >= 1, got shape {X.shape}")
        if y.shape != (X.shape[0], net.n_out):
            raise ValueError(f"y must have shape ({X.shape[0]}, {net.n_out}), got shape {y.shape}")
        if not (np.isfinite(X).all() and np.isfinite(y).all()):
            raise ValueError("X and y must be finite (no NaN or inf)")
        self.X, self.y = X, y
        self.n_samples = X.shape[0]
        self._shapes = [(k, net.params[k].shape, net.params[k].size) for k in _NET_PARAMS]
        self._cache = None  # (θ, L(θ), ∇L(θ)) of the last full-data evaluation
        super().__init__(self._value, self._full_grad, dim=int(net.num_params), name=name,
                         formula=r"L(\theta) = \frac{1}{n}\sum_i \|\hat y_i(\theta) - y_i\|^2"
                         if reduction == "mean" else r"L(\theta) = \sum_i \|\hat y_i(\theta) - y_i\|^2",
                         description=f"two-layer network, {self.n_samples} samples, {reduction} loss")

    def params(self, theta) -> dict[str, np.ndarray]:
        """θ (dim,) as the dict W1, b1, W2, b2 (views into θ)."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.dim,):
            raise ValueError(f"theta must have shape ({self.dim},), got {theta.shape}")
        out, i = {}, 0
        for k, shape, size in self._shapes:
            out[k] = theta[i:i + size].reshape(shape)
            i += size
        return out

    def apply(self, net, theta) -> None:
        """Load θ into ``net`` (copies)."""
        for k, v in self.params(theta).items():
            net.params[k] = v.copy()

    def _loss_grad(self, theta, X, y, reduction):
        full = X is self.X and reduction == self.reduction
        if full and self._cache is not None and np.array_equal(self._cache[0], theta):
            return self._cache[1], self._cache[2]  # run() asks for L and ∇L at the same θ
        self.net.params = self.params(theta)
        try:
            with np.errstate(all="ignore"):
                loss, grads = self.net.loss_and_grads(X, y, reduction)
        except ValueError:  # the network refuses a non-finite loss: θ has diverged
            return np.inf, np.full(self.dim, np.nan)
        flat = np.concatenate([grads[k].ravel() for k in _NET_PARAMS])
        if full:
            self._cache = (np.array(theta), loss, flat)
        return loss, flat

    def _each(self, theta, which: int, X=None, y=None, reduction=None):
        X = self.X if X is None else X
        y = self.y if y is None else y
        pts = theta.reshape(-1, self.dim)
        res = [self._loss_grad(p, X, y, reduction or self.reduction)[which] for p in pts]
        return np.reshape(np.array(res, dtype=float), theta.shape[:-1] + ((self.dim,) if which else ()))

    def _value(self, theta):
        return self._each(theta, 0)

    def _full_grad(self, theta):
        return self._each(theta, 1)

    def grad(self, theta, idx=None):
        """∇L(θ) (idx None) or the minibatch gradient over the rows idx (mean or sum as the reduction)."""
        if idx is None:
            return super().grad(theta)
        idx = np.asarray(idx)
        if idx.dtype.kind not in "iu" or idx.ndim != 1 or idx.size == 0 or idx.min() < 0 \
                or idx.max() >= self.n_samples:
            raise ValueError(f"idx must be a non-empty 1D array of row indices in [0, {self.n_samples - 1}]")
        return self._each(self._points(theta), 1, self.X[idx], self.y[idx])

    def __repr__(self) -> str:
        return f"NetLoss({self.net!r}, n_samples={self.n_samples}, reduction={self.reduction!r})"
