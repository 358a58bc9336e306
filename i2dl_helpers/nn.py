"""The lecture's two-layer network as matrix layers (slides 5–8, 22).

Per sample x ∈ R^{n_in} (lecture symbols; A(z) = max(0, z) is the ReLU):

    h_k = A(b_{0,k} + Σ_l x_l w_{0,k,l})          hidden layer, k = 1..n_hidden
    ŷ_i =    b_{1,i} + Σ_k h_k w_{1,i,k}           output layer, i = 1..n_out
    L_i = ‖ŷ_i − y_i‖²                             L2 loss of sample i

In matrix form for a batch X of shape (n, n_in), with ``W1[l, k] = w_{0,k,l}``:
    H = max(0, X W1 + b1),  Ŷ = H W2 + b2,  L = 1/n Σ_i ‖Ŷ_i − Y_i‖²  ("mean")
                                               or  Σ_i ‖Ŷ_i − Y_i‖²    ("sum").
The output layer is kept linear (slide 22 also applies A there; a ReLU on the
output could never predict a negative target).

Every layer has a forward function returning ``(out, cache)`` and a backward
function taking the upstream gradient and the cache, as in the course exercises.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ._validate import check_choice, check_int, check_positive
from .graph import Value

__all__ = [
    "affine_forward", "affine_backward", "relu_forward", "relu_backward", "l2_loss",
    "TwoLayerNet", "gradient_check", "leaf_grads", "softmax_cross_entropy", "MLP",
]

PARAM_NAMES = ("W1", "b1", "W2", "b2")


# --- layers ---------------------------------------------------------------------------
def affine_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Affine layer Z = X W + b.

    X : (n, d_in), W : (d_in, d_out), b : (d_out,).  Returns Z (n, d_out) and a cache (X, W).
    """
    return X @ W + b, (X, W)


def affine_backward(dZ: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward of Z = X W + b:  ∂L/∂X = dZ Wᵀ,  ∂L/∂W = Xᵀ dZ,  ∂L/∂b = Σ_rows dZ.

    dZ : (n, d_out) upstream gradient ∂L/∂Z.  Returns (dX, dW, db) with the shapes of X, W, b.
    """
    X, W = cache
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def relu_forward(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """H = max(0, Z) elementwise.  Returns H and a cache (the mask Z > 0)."""
    mask = Z > 0
    return Z * mask, mask


def relu_backward(dH: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """∂L/∂Z = ∂L/∂H · 1[Z > 0]  (the local derivative of max(0, z) is 1 or 0)."""
    return dH * cache


def l2_loss(Y_hat: np.ndarray, Y: np.ndarray, reduction: str = "mean") -> tuple[float, np.ndarray]:
    """L2 loss and its gradient ∂L/∂Ŷ.

    "sum":  L = Σ_i ‖ŷ_i − y_i‖²,        ∂L/∂Ŷ = 2 (Ŷ − Y)
    "mean": L = 1/n Σ_i ‖ŷ_i − y_i‖²,    ∂L/∂Ŷ = 2 (Ŷ − Y) / n
    Y_hat, Y : (n, n_out).
    """
    check_choice("reduction", reduction, ("mean", "sum"))
    if np.shape(Y_hat) != np.shape(Y):
        raise ValueError(f"Y_hat and Y must have the same shape, got {np.shape(Y_hat)} and {np.shape(Y)}")
    diff = Y_hat - Y
    scale = 1.0 / diff.shape[0] if reduction == "mean" else 1.0
    return float(np.vdot(diff, diff)) * scale, (2.0 * scale) * diff


# --- the network -------------------------------------------------------------------------
def _as_matrix(name: str, a, n_cols: int, n_rows: int | None = None, check_finite: bool = True) -> np.ndarray:
    """Check that ``a`` is a finite float array of shape (n, n_cols); (n,) is accepted if n_cols == 1."""
    if isinstance(a, np.ndarray) and a.dtype == np.float64:
        arr = a
    else:
        try:
            arr = np.asarray(a, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be an array of numbers, got {type(a).__name__}") from None
    if arr.ndim == 1 and n_cols == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != n_cols or arr.shape[0] == 0:
        want = f"(n, {n_cols})" if n_rows is None else f"({n_rows}, {n_cols})"
        raise ValueError(f"{name} must have shape {want} with n >= 1, got shape {arr.shape}")
    if n_rows is not None and arr.shape[0] != n_rows:
        raise ValueError(f"{name} must have {n_rows} rows (one per row of X), got shape {arr.shape}")
    if check_finite and not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def _explain_nonfinite(arrays: dict[str, np.ndarray]) -> None:
    """Raise a ValueError naming the first array with NaN/inf (or report an overflow)."""
    for name, arr in arrays.items():
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must be finite (no NaN or inf)")
    raise ValueError("the loss overflowed to inf: the parameters or inputs are too large "
                     "(did gradient descent diverge? try a smaller lr)")


def _check_flat(theta, num_params: int) -> np.ndarray:
    """A flat parameter vector θ of shape (num_params,), finite; ValueError naming theta otherwise."""
    theta = np.asarray(theta, dtype=float)
    if theta.shape != (num_params,):
        raise ValueError(f"theta must have shape ({num_params},), got {theta.shape}")
    if not np.isfinite(theta).all():
        raise ValueError("theta must be finite (no NaN or inf)")
    return theta


class TwoLayerNet:
    """Two-layer ReLU network  Ŷ = max(0, X W1 + b1) W2 + b2  with an L2 loss.

    params : dict with W1 (n_in, n_hidden), b1 (n_hidden,), W2 (n_hidden, n_out), b2 (n_out,).
    Weights are drawn from N(0, 2/fan_in) (He initialisation) and biases from N(0, 0.1²)
    with ``numpy.random.default_rng(seed)``, so the same seed gives the same network.
    """

    def __init__(self, n_in: int, n_hidden: int, n_out: int, seed: int | None = 0):
        self.n_in = check_int("n_in", n_in, low=1)
        self.n_hidden = check_int("n_hidden", n_hidden, low=1)
        self.n_out = check_int("n_out", n_out, low=1)
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {
            "W1": rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_hidden)),
            "b1": rng.normal(0.0, 0.1, size=n_hidden),
            "W2": rng.normal(0.0, np.sqrt(2.0 / n_hidden), size=(n_hidden, n_out)),
            "b2": rng.normal(0.0, 0.1, size=n_out),
        }

    def __repr__(self) -> str:
        return f"TwoLayerNet(n_in={self.n_in}, n_hidden={self.n_hidden}, n_out={self.n_out})"

    @property
    def shapes(self) -> dict[str, tuple]:
        return {k: v.shape for k, v in self.params.items()}

    @property
    def num_params(self) -> int:
        """Number of weights and biases: n_in·n_hidden + n_hidden + n_hidden·n_out + n_out."""
        return sum(v.size for v in self.params.values())

    def forward(self, X) -> np.ndarray:
        """Ŷ for a batch X of shape (n, n_in); returns (n, n_out)."""
        X = _as_matrix("X", X, self.n_in)
        p = self.params
        return np.maximum(X @ p["W1"] + p["b1"], 0.0) @ p["W2"] + p["b2"]

    def loss_and_grads(self, X, y, reduction: str = "mean") -> tuple[float, dict[str, np.ndarray]]:
        """L2 loss of the batch and ∂L/∂θ for θ in W1, b1, W2, b2 (same keys and shapes as params).

        X : (n, n_in);  y : (n, n_out), or (n,) when n_out == 1.
        reduction : "mean" (1/n Σ_i ‖ŷ_i − y_i‖²) or "sum" (Σ_i ‖ŷ_i − y_i‖²).
        """
        if reduction not in ("mean", "sum"):
            check_choice("reduction", reduction, ("mean", "sum"))
        # Shapes are checked here; NaN/inf only if the loss comes out non-finite (it always
        # does when X, y or a parameter holds one), which saves two passes over the data.
        X = _as_matrix("X", X, self.n_in, check_finite=False)
        y = _as_matrix("y", y, self.n_out, n_rows=X.shape[0], check_finite=False)
        p = self.params
        # The layers of affine_forward → relu_forward → affine_forward → l2_loss and their
        # backward functions, fused so that one (n, n_hidden) buffer is reused in place
        # (Z1 → H → ∂L/∂H → ∂L/∂Z1): allocating big temporaries is what costs time here.
        n = X.shape[0]
        buf = X @ p["W1"]
        buf += p["b1"]                                   # Z1 = X W1 + b1
        np.maximum(buf, 0.0, out=buf)                    # H = max(0, Z1)
        mask = buf > 0                                   # local derivative of the ReLU
        dY = buf @ p["W2"]
        dY += p["b2"]                                    # Ŷ = H W2 + b2
        dY -= y                                          # Ŷ − Y
        scale = 1.0 / n if reduction == "mean" else 1.0
        loss = float(np.vdot(dY, dY)) * scale
        if not np.isfinite(loss):
            _explain_nonfinite({"X": X, "y": y, **p})
        dY *= 2.0 * scale                                # ∂L/∂Ŷ
        dW2 = buf.T @ dY                                 # ∂L/∂W2 = Hᵀ ∂L/∂Ŷ
        ones = np.ones(n)
        db2 = ones @ dY                                  # ∂L/∂b2 = 1ᵀ ∂L/∂Ŷ (sum over samples)
        if dY.shape[1] == 1:                             # ∂L/∂H = ∂L/∂Ŷ W2ᵀ (an outer product
            np.multiply(dY, p["W2"].T, out=buf)          #  for one output: faster as a product)
        else:
            np.matmul(dY, p["W2"].T, out=buf)
        buf *= mask                                      # ∂L/∂Z1 = ∂L/∂H · 1[Z1 > 0]
        dW1 = X.T @ buf                                  # ∂L/∂W1 = Xᵀ ∂L/∂Z1
        db1 = ones @ buf                                 # ∂L/∂b1 = 1ᵀ ∂L/∂Z1
        return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def loss(self, X, y, reduction: str = "mean") -> float:
        """The L2 loss only (see :meth:`loss_and_grads`)."""
        check_choice("reduction", reduction, ("mean", "sum"))
        X = _as_matrix("X", X, self.n_in)
        y = _as_matrix("y", y, self.n_out, n_rows=X.shape[0])
        return l2_loss(self.forward(X), y, reduction)[0]

    def sgd_step(self, grads: dict[str, np.ndarray], lr: float) -> None:
        """Gradient step θ' = θ − α ∇_θ L, in place, for every parameter."""
        if not (type(lr) is float and 0.0 < lr < np.inf):   # fast path for the common case
            lr = check_positive("lr", lr)
        for k in PARAM_NAMES:
            self.params[k] -= lr * grads[k]

    # --- flat parameter vector (loss-landscape slices, GD on θ) ----------------------------
    def get_flat(self) -> np.ndarray:
        """θ as one vector: W1, b1, W2, b2 flattened and concatenated, shape (num_params,)."""
        return np.concatenate([self.params[k].ravel() for k in PARAM_NAMES])

    def set_flat(self, theta) -> None:
        """Set all parameters from a vector of shape (num_params,) (inverse of get_flat)."""
        theta = _check_flat(theta, self.num_params)
        i = 0
        for k in PARAM_NAMES:
            size = self.params[k].size
            self.params[k] = theta[i:i + size].reshape(self.params[k].shape).copy()
            i += size

    def flat_grads(self, grads: dict[str, np.ndarray]) -> np.ndarray:
        """A gradient dict flattened in the order of get_flat."""
        return np.concatenate([grads[k].ravel() for k in PARAM_NAMES])

    # --- the same network as a compute graph (slides 5–7) ----------------------------------
    def to_graph(self, X, y, reduction: str = "sum") -> tuple[Value, dict[str, np.ndarray]]:
        """Build the loss of a few samples as a scalar :class:`~i2dl_helpers.graph.Value` graph.

        Every weight and bias is one named leaf node (e.g. ``w0[1,0]`` = W1[1, 0],
        ``b1[0]`` = b2[0]), shared by all samples, so ``loss.backward()`` gives the
        same gradients as :meth:`loss_and_grads`. Returns the loss node and a dict
        mapping W1, b1, W2, b2 to object arrays of their leaf Values. Keep it small
        (a few samples, a few hidden units): every scalar is one node.
        """
        check_choice("reduction", reduction, ("mean", "sum"))
        X = _as_matrix("X", X, self.n_in)
        y = _as_matrix("y", y, self.n_out, n_rows=X.shape[0])
        leaves = {}
        for k, layer, sym in (("W1", 0, "w"), ("b1", 0, "b"), ("W2", 1, "w"), ("b2", 1, "b")):
            arr = np.empty(self.params[k].shape, dtype=object)
            for idx in np.ndindex(arr.shape):
                arr[idx] = Value(float(self.params[k][idx]),
                                 name=f"{sym}{layer}[{','.join(map(str, idx))}]")
            leaves[k] = arr
        total = None
        for i in range(X.shape[0]):
            x = [Value(float(v), name=f"x{i}[{l}]") for l, v in enumerate(X[i])]
            h = []
            for k in range(self.n_hidden):
                z = leaves["b1"][k]
                for l in range(self.n_in):
                    z = z + x[l] * leaves["W1"][l, k]
                h.append(z.relu())
            for j in range(self.n_out):
                y_hat = leaves["b2"][j]
                for k in range(self.n_hidden):
                    y_hat = y_hat + h[k] * leaves["W2"][k, j]
                term = (y_hat - Value(float(y[i, j]), name=f"y{i}[{j}]")).square()
                total = term if total is None else total + term
        if reduction == "mean":
            total = total * (1.0 / X.shape[0])
        return total, leaves


def leaf_grads(leaves: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The ``.grad`` of every leaf Value from :meth:`TwoLayerNet.to_graph`, as float arrays."""
    return {k: np.array([v.grad for v in arr.ravel()], dtype=float).reshape(arr.shape) + 0.0
            for k, arr in leaves.items()}


# --- classification: softmax cross-entropy and a multi-layer perceptron ---------------------
def _check_labels(y, n: int, n_classes: int) -> np.ndarray:
    """Integer class labels of shape (n,) with values in 0 .. n_classes − 1."""
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        if y.dtype.kind == "f" and y.size and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}")
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) (one label per row of the logits), got shape {y.shape}")
    if n and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"y must hold labels in 0 .. {n_classes - 1}, got values from {y.min()} to {y.max()}")
    return y


def softmax_cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of a batch and its gradient ∂L/∂z.

    For sample i with logits z_i ∈ R^C and label y_i ∈ {0, …, C − 1}:

        p_{i,c} = exp(z_{i,c}) / Σ_k exp(z_{i,k})                      (softmax)
        L = 1/n Σ_i −log p_{i,y_i} = 1/n Σ_i (logsumexp(z_i) − z_{i,y_i})
        ∂L/∂z_{i,c} = (p_{i,c} − 1[c = y_i]) / n

    logsumexp is computed as m_i + log Σ_k exp(z_{i,k} − m_i) with m_i = max_k z_{i,k}, so every
    exponent is <= 0: no overflow and no warning even for logits of ±1e4.
    logits : (n, C) floats;  y : (n,) integer labels.  Returns (L, dlogits of shape (n, C)).
    """
    z = np.asarray(logits, dtype=float)
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError(f"logits must have shape (n, C) with n, C >= 1, got shape {z.shape}")
    if not np.isfinite(z).all():
        raise ValueError("logits must be finite (no NaN or inf)")
    y = _check_labels(y, z.shape[0], z.shape[1])
    return _softmax_ce(z, y)


def _row_max(z: np.ndarray) -> np.ndarray:
    """max_k z_{i,k} as an (n, 1) column. numpy's reduction along a short last axis is slow for
    many rows; a running maximum over the few columns is several times faster there."""
    n, C = z.shape
    if C > 32 or n < 128:
        return z.max(axis=1, keepdims=True)
    m = z[:, :1].copy()
    for c in range(1, C):
        np.maximum(m, z[:, c:c + 1], out=m)
    return m


def _softmax_ce(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """softmax_cross_entropy without the checks (z is not modified)."""
    n, C = z.shape
    flat = np.arange(0, n * C, C)
    flat += y                                          # index of z_{i, y_i} in z.ravel()
    shifted = z - _row_max(z)                          # z − m, every entry <= 0
    p = np.exp(shifted)
    s = p @ np.ones((C, 1))                            # Σ_k exp(z_ik − m_i) (a matrix product: fast)
    loss = float(np.log(s).sum() - shifted.take(flat).sum()) / n
    s *= n
    p /= s                                             # p / n
    p.reshape(-1)[flat] -= 1.0 / n                     # (p − onehot) / n
    return loss, p


def _softmax_ce_loss(z: np.ndarray, y: np.ndarray) -> float:
    """The mean softmax cross-entropy only (no gradient), stable like softmax_cross_entropy."""
    n, C = z.shape
    flat = np.arange(0, n * C, C)
    flat += y
    m = _row_max(z)
    shifted = z - m
    np.exp(shifted, out=shifted)
    return float(np.log(shifted @ np.ones(C)).sum() + m.sum() - z.take(flat).sum()) / n


class MLP:
    """A multi-layer perceptron with ReLU hidden layers and a linear output (logits).

    sizes = [d_0, d_1, …, d_L]  (e.g. [64, 64, 10] for 8×8 digits, 10 classes), layer l = 1..L:

        H_0 = X,   H_l = max(0, H_{l−1} W_l + b_l)  (l < L),   Z = H_{L−1} W_L + b_L  (logits)
        L(θ) = mean softmax cross-entropy of Z against integer labels y

    params : dict W1, b1, …, WL, bL with W_l (d_{l−1}, d_l) and b_l (d_l,), all views into one
    flat vector θ (``get_flat``), so an optimiser can update θ as one array. Weights are drawn
    from N(0, 2/d_{l−1}) (He initialisation), biases start at 0, with ``default_rng(seed)``.
    Same contract as :class:`TwoLayerNet`: ``params``, ``forward(X)``, ``loss_and_grads(X, y)``.
    The passes are affine_forward → relu_forward → … → softmax_cross_entropy and their backward
    functions, fused so that no cache is kept beyond the activations H_l (tests check the two agree).
    """

    def __init__(self, sizes, seed: int | None = 0):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise TypeError(f"sizes must be a list of layer widths such as [64, 64, 10], got {sizes!r}")
        sizes = [check_int(f"sizes[{i}]", s, low=1) for i, s in enumerate(sizes)]
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least the input and output widths, got {sizes}")
        self.sizes = sizes
        self.num_layers = len(sizes) - 1
        self.names = [f"{kind}{l}" for l in range(1, len(sizes)) for kind in ("W", "b")]
        self._shapes = []
        for d_in, d_out in zip(sizes[:-1], sizes[1:]):
            self._shapes += [(d_in, d_out), (d_out,)]
        self._sizes = [int(np.prod(s)) for s in self._shapes]
        self._offsets = np.concatenate([[0], np.cumsum(self._sizes)]).tolist()
        self.num_params = self._offsets[-1]
        rng = np.random.default_rng(seed)
        theta = np.zeros(self.num_params)
        for l, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            a, b = self._offsets[2 * l], self._offsets[2 * l + 1]
            theta[a:b] = rng.normal(0.0, np.sqrt(2.0 / d_in), size=d_in * d_out)
        self._theta = theta
        self.params: dict[str, np.ndarray] = self._views(theta)

    def __repr__(self) -> str:
        return f"MLP({self.sizes})"

    @property
    def shapes(self) -> dict[str, tuple]:
        return dict(zip(self.names, self._shapes))

    def _views(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """The parameters as reshaped views into the flat vector ``theta`` (no copy)."""
        o = self._offsets
        return {name: theta[o[i]:o[i + 1]].reshape(shape)
                for i, (name, shape) in enumerate(zip(self.names, self._shapes))}

    # --- flat parameter vector ---------------------------------------------------------------
    def get_flat(self) -> np.ndarray:
        """θ as one vector (a copy): W1, b1, …, WL, bL flattened and concatenated, (num_params,)."""
        return np.concatenate([self.params[k].ravel() for k in self.names])

    def set_flat(self, theta) -> None:
        """Set all parameters from a vector of shape (num_params,) (copied)."""
        theta = _check_flat(theta, self.num_params).copy()
        self._theta = theta
        self.params = self._views(theta)

    def flat_grads(self, grads: dict[str, np.ndarray]) -> np.ndarray:
        """A gradient dict flattened in the order of get_flat."""
        return np.concatenate([grads[k].ravel() for k in self.names])

    # --- forward and backward ----------------------------------------------------------------------
    def _check_X(self, X) -> np.ndarray:
        return _as_matrix("X", X, self.sizes[0])

    def forward(self, X) -> np.ndarray:
        """The logits Z for a batch X of shape (n, d_0); returns (n, d_L)."""
        return self._logits(self.params, self._check_X(X))

    def _logits(self, p: dict, X: np.ndarray) -> np.ndarray:
        H = X
        for l in range(1, self.num_layers):
            H = H @ p[f"W{l}"]
            H += p[f"b{l}"]
            np.maximum(H, 0.0, out=H)
        Z = H @ p[f"W{self.num_layers}"]
        Z += p[f"b{self.num_layers}"]
        return Z

    def predict(self, X) -> np.ndarray:
        """The predicted class argmax_c z_c of every row of X, shape (n,)."""
        return np.argmax(self.forward(X), axis=1)

    def accuracy(self, X, y) -> float:
        """The fraction of rows of X whose predicted class equals the label y_i."""
        X = self._check_X(X)
        y = _check_labels(y, X.shape[0], self.sizes[-1])
        return float(np.mean(np.argmax(self._logits(self.params, X), axis=1) == y))

    def loss(self, X, y) -> float:
        """The mean softmax cross-entropy only (see :meth:`loss_and_grads`)."""
        X = self._check_X(X)
        y = _check_labels(y, X.shape[0], self.sizes[-1])
        return _softmax_ce(self._logits(self.params, X), y)[0]

    def loss_and_logits(self, X, y, params: dict | None = None) -> tuple[float, np.ndarray]:
        """The mean softmax cross-entropy L and the logits Z from one forward pass (no gradient).

        X : (n, d_0) floats;  y : (n,) integer labels in 0 .. d_L − 1;
        params : the parameters to evaluate, a dict like ``params`` (e.g. views into another flat θ);
                 None uses ``self.params``.
        Returns (L, Z) with Z of shape (n, d_L). Where Z overflows (the parameters of a diverging
        run) L is inf, without an error or a warning, so such a network can still be evaluated.
        """
        X = self._check_X(X)
        y = _check_labels(y, X.shape[0], self.sizes[-1])
        p = self.params if params is None else params
        with np.errstate(all="ignore"):
            Z = self._logits(p, X)
            loss = _softmax_ce_loss(Z, y) if np.isfinite(Z).all() else float("inf")
        return loss, Z

    def loss_and_grads(self, X, y) -> tuple[float, dict[str, np.ndarray]]:
        """Mean softmax cross-entropy of the batch and ∂L/∂θ (same keys and shapes as params).

        X : (n, d_0) floats;  y : (n,) integer labels in 0 .. d_L − 1.
        Backward pass, from dZ = ∂L/∂Z (softmax_cross_entropy) down to layer 1:
            ∂L/∂W_l = H_{l−1}ᵀ dZ_l,   ∂L/∂b_l = Σ_rows dZ_l,   dZ_{l−1} = (dZ_l W_lᵀ) · 1[H_{l−1} > 0].
        """
        X = self._check_X(X)
        y = _check_labels(y, X.shape[0], self.sizes[-1])
        grads = np.empty(self.num_params)
        loss = self.loss_and_grads_into(self.params, X, y, self._views(grads))
        return loss, self._views(grads)

    def loss_and_grads_into(self, p: dict, X: np.ndarray, y: np.ndarray, out: dict) -> float:
        """The loss at the parameters ``p`` (a dict like ``params``); writes ∂L/∂θ into the arrays of
        ``out`` (same keys and shapes) and returns L. The arguments are not checked: X must be a finite float (n, d_0) array
        and y (n,) integer labels in 0 .. d_L − 1 (the fast path of ``optim.training.MinibatchLoss``)."""
        L = self.num_layers
        hs = [X]
        H = X
        for l in range(1, L):
            H = H @ p[f"W{l}"]
            H += p[f"b{l}"]
            np.maximum(H, 0.0, out=H)
            hs.append(H)
        Z = H @ p[f"W{L}"]
        Z += p[f"b{L}"]
        with np.errstate(all="ignore"):
            loss, dZ = _softmax_ce(Z, y)
        if not np.isfinite(loss):
            _explain_nonfinite({"X": X, **p})
        for l in range(L, 0, -1):
            H = hs[l - 1]
            np.matmul(H.T, dZ, out=out[f"W{l}"])           # ∂L/∂W_l = H_{l−1}ᵀ dZ_l
            np.sum(dZ, axis=0, out=out[f"b{l}"])           # ∂L/∂b_l = Σ_rows dZ_l
            if l > 1:
                dZ = dZ @ p[f"W{l}"].T                    # ∂L/∂H_{l−1}
                dZ *= H > 0                                # ReLU: pass where H_{l−1} > 0
        return loss


# --- gradient check ------------------------------------------------------------------------
def gradient_check(f: Callable[[], tuple[float, dict]], params: dict[str, np.ndarray],
                   h: float = 1e-5) -> dict[str, float]:
    """Relative error of analytic gradients against central differences, per parameter.

    f : callable with no arguments returning ``(loss, grads)`` computed from the
        arrays in ``params`` (e.g. ``lambda: net.loss_and_grads(X, y)``). Each entry
        θ_j is perturbed in place and restored:
        ∂L/∂θ_j ≈ (L(θ + h e_j) − L(θ − h e_j)) / 2h.
    Returns {name: ‖g_analytic − g_numeric‖ / max(‖g_analytic‖ + ‖g_numeric‖, 1e-300)}.
    Well below 1e-7 means the backward pass is right.
    """
    h = check_positive("h", h)
    if not callable(f):
        raise TypeError(f"f must be a callable returning (loss, grads), got {type(f).__name__}")
    _, analytic = f()
    errors = {}
    for name, theta in params.items():
        if name not in analytic:
            raise ValueError(f"f() returned no gradient for parameter {name!r}")
        numeric = np.zeros_like(theta)
        for idx in np.ndindex(theta.shape):
            old = theta[idx]
            theta[idx] = old + h
            plus = f()[0]
            theta[idx] = old - h
            minus = f()[0]
            theta[idx] = old
            numeric[idx] = (plus - minus) / (2 * h)
        diff = np.linalg.norm(analytic[name] - numeric)
        errors[name] = float(diff / max(np.linalg.norm(analytic[name]) + np.linalg.norm(numeric), 1e-300))
    return errors

