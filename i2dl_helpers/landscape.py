"""Loss-landscape slices of the two-layer network (slide 17: networks are non-convex).

The loss L(θ) of a network lives in as many dimensions as it has weights, so we
look at it along lines and planes through a trained θ*:

    1D slice:  α ↦ L(θ* + α d)            2D slice:  (α, β) ↦ L(θ* + α d₁ + β d₂)

with random directions d normalised per neuron ("filter normalisation", Li, Xu,
Taylor, Studer & Goldstein, 2018, "Visualizing the Loss Landscape of Neural
Nets"): each neuron's block of incoming weights in d is rescaled to the norm of
the same block in θ*, so α = 1 means a step as large as the weights themselves
in every neuron, whatever the layer's scale. Bias entries of d are zero (as in
the paper's code).

Weight-space symmetry: permuting the hidden units (columns of W1, entries of b1,
rows of W2) gives a different θ with exactly the same function, hence the same
loss. Every minimum comes with n_hidden! − 1 copies, and the straight line
between two copies usually rises in between: the loss cannot be convex.

Parameters follow ``nn.TwoLayerNet``: params W1 (n_in, h), b1 (h,), W2 (h, n_out),
b2 (n_out,), flattened in that order (``net.get_flat()``).
"""
from __future__ import annotations

import numpy as np

from ._validate import check_int, check_positive
from .nn import PARAM_NAMES, TwoLayerNet
from .objectives.empirical import NetLoss
from .optim import GD, run

__all__ = ["interpolate", "losses", "permute_hidden", "random_direction", "slice_1d", "slice_2d",
           "toy_regression", "train_gd"]


def toy_regression(n: int = 64, seed: int = 0, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """A small 1D regression set: x ~ Uniform(−2, 2), y = sin(2x) + noise·N(0, 1).

    Returns X (n, 1) and y (n, 1), drawn with ``numpy.random.default_rng(seed)``.
    """
    n = check_int("n", n, low=1)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(n, 1))
    return X, np.sin(2.0 * X) + noise * rng.normal(size=(n, 1))


def train_gd(net: TwoLayerNet, X, y, lr: float = 0.05, steps: int = 3000) -> np.ndarray:
    """Full-batch gradient descent θ ← θ − α ∇L(θ) on the mean L2 loss, in place.

    The course's one loop does the work: ``optim.run`` with ``GD(lr)`` on the
    network's loss as an objective of its flat parameters (``NetLoss``).
    Returns the loss before each step and after the last one, shape (steps + 1,)
    (shorter if the run diverged: it stops there).
    """
    lr = check_positive("lr", lr)
    steps = check_int("steps", steps, low=0)
    objective = NetLoss(net, X, y)
    traj = run(objective, GD(lr), net.get_flat(), steps=steps)
    net.set_flat(traj.final)
    return np.asarray(traj.values, dtype=float)


def _unflatten(net: TwoLayerNet, thetas: np.ndarray) -> list[np.ndarray]:
    """(m, P) flat parameter vectors -> [W1 (m, n_in, h), b1 (m, h), W2 (m, h, o), b2 (m, o)]."""
    out, i = [], 0
    for k in PARAM_NAMES:
        shape = net.params[k].shape
        size = int(np.prod(shape))
        out.append(thetas[:, i:i + size].reshape((len(thetas),) + shape))
        i += size
    return out


def losses(net: TwoLayerNet, X, y, thetas, chunk: int = 256) -> np.ndarray:
    """Mean L2 loss 1/n Σ_i ‖ŷ_i − y_i‖² of the network at many parameter vectors at once.

    thetas : (m, P) flat vectors in ``net.get_flat()`` order (or (P,) for one).
    Returns (m,) losses (a float for one vector). The network's own params are not touched.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).reshape(len(X), -1)
    thetas = np.asarray(thetas, dtype=float)
    single = thetas.ndim == 1
    thetas = np.atleast_2d(thetas)
    if thetas.shape[1] != net.num_params:
        raise ValueError(f"thetas must have shape (m, {net.num_params}), got {thetas.shape}")
    out = np.empty(len(thetas))
    with np.errstate(all="ignore"):
        for s in range(0, len(thetas), chunk):
            W1, b1, W2, b2 = _unflatten(net, thetas[s:s + chunk])
            H = np.maximum(np.matmul(X, W1) + b1[:, None, :], 0.0)          # (m, n, h)
            R = np.matmul(H, W2) + b2[:, None, :] - y                        # (m, n, o)
            out[s:s + chunk] = np.einsum("mno,mno->m", R, R) / len(X)
    return float(out[0]) if single else out


def random_direction(net: TwoLayerNet, seed: int = 0, ignore_biases: bool = True) -> np.ndarray:
    """A Gaussian direction d (P,) normalised per neuron like θ (Li et al., 2018).

    For each neuron j of each layer, the column d[:, j] of its incoming weights is
    scaled to ‖d[:, j]‖ = ‖W[:, j]‖. Bias entries are 0 (``ignore_biases``) or
    scaled entry-wise to |d_j| = |b_j|.
    """
    rng = np.random.default_rng(check_int("seed", seed, low=0))
    parts = []
    for k in PARAM_NAMES:
        theta = net.params[k]
        d = rng.normal(size=theta.shape)
        if theta.ndim == 2:    # weights (fan_in, neurons): one column per neuron
            d *= np.linalg.norm(theta, axis=0) / np.maximum(np.linalg.norm(d, axis=0), 1e-300)
        elif ignore_biases:
            d[:] = 0.0
        else:
            d *= np.abs(theta) / np.maximum(np.abs(d), 1e-300)
        parts.append(d.ravel())
    return np.concatenate(parts)


def slice_1d(net: TwoLayerNet, X, y, direction, alphas, theta=None) -> np.ndarray:
    """L(θ + α d) for each α; θ defaults to the network's current parameters.

    direction : (P,); alphas : (k,). Returns (k,).
    """
    theta = net.get_flat() if theta is None else np.asarray(theta, dtype=float)
    alphas = np.asarray(alphas, dtype=float).reshape(-1)
    d = np.asarray(direction, dtype=float)
    return losses(net, X, y, theta + alphas[:, None] * d)


def slice_2d(net: TwoLayerNet, X, y, d1, d2, alphas, betas, theta=None) -> np.ndarray:
    """L(θ + α d₁ + β d₂) on a grid; returns (len(betas), len(alphas)) (rows follow β)."""
    theta = net.get_flat() if theta is None else np.asarray(theta, dtype=float)
    A, B = np.meshgrid(np.asarray(alphas, dtype=float), np.asarray(betas, dtype=float))
    pts = theta + A.reshape(-1, 1) * np.asarray(d1, dtype=float) + B.reshape(-1, 1) * np.asarray(d2, dtype=float)
    return losses(net, X, y, pts).reshape(A.shape)


def permute_hidden(params: dict[str, np.ndarray], perm) -> dict[str, np.ndarray]:
    """The same network with hidden units reordered: unit j of the result is unit perm[j].

    W1[:, perm], b1[perm], W2[perm, :]; b2 is unchanged. Returns a new dict.
    """
    h = params["b1"].shape[0]
    perm = np.asarray(perm)
    if perm.shape != (h,) or not np.array_equal(np.sort(perm), np.arange(h)):
        raise ValueError(f"perm must be a permutation of 0 ... {h - 1} (one entry per hidden unit), got {perm!r}")
    return {"W1": params["W1"][:, perm].copy(), "b1": params["b1"][perm].copy(),
            "W2": params["W2"][perm, :].copy(), "b2": params["b2"].copy()}


def interpolate(net: TwoLayerNet, X, y, theta_a, theta_b, ts) -> np.ndarray:
    """L((1 − t) θ_a + t θ_b) along the straight line between two parameter vectors."""
    ts = np.asarray(ts, dtype=float).reshape(-1)
    a, b = np.asarray(theta_a, dtype=float), np.asarray(theta_b, dtype=float)
    return losses(net, X, y, (1 - ts)[:, None] * a + ts[:, None] * b)
