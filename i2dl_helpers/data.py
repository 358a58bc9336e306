"""Seeded synthetic data sets for the SGD and neural-network notebooks (numpy only).

``linear_regression`` draws a linear model with Gaussian noise whose features may
be correlated (real data is rarely perfectly conditioned); ``nonlinear_regression``
draws a small 1D curve for the two-layer network. The same seed always gives the
same data (``numpy.random.default_rng(seed)``). ``epoch_batches`` draws minibatch
indices by epochs (and, for a run shorter than an epoch, without shuffling all n first).
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from ._validate import check_int, check_real

__all__ = ["linear_regression", "nonlinear_regression", "ar1_condition_number", "epoch_batches",
           "minibatch_variance", "digits"]


def linear_regression(n: int, d: int, noise: float = 0.5, seed: int | None = 0,
                      correlation: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear-regression data  y_i = x_iᵀ w_true + noise · ε_i,  ε_i ~ N(0, 1).

    The features of each sample follow an AR(1) chain with neighbour correlation
    ρ = ``correlation``:  x_{i,0} = z_{i,0},  x_{i,j} = ρ x_{i,j−1} + √(1 − ρ²) z_{i,j},
    with z ~ N(0, 1). Every feature then has variance 1 and Corr(x_j, x_k) = ρ^|j−k|,
    so the population Hessian of the mean squared error, 2 Σ with Σ_jk = ρ^|j−k|,
    has condition number ``ar1_condition_number(d, ρ)`` (48 for d = 10, ρ = 0.8;
    it tends to ((1 + ρ)/(1 − ρ))² = 81 as d grows). ρ = 0 gives independent features.
    w_true ~ N(0, I_d).

    n, d        : number of samples (>= 1) and features (>= 1).
    noise       : the standard deviation of the label noise (>= 0).
    correlation : ρ in (−1, 1).
    Returns X (n, d), y (n,), w_true (d,). X is a transposed view of one (d, n)
    buffer (Fortran order): the data are generated in place, with no extra copy;
    n = 10^6, d = 10 takes about half a second, most of it drawing 10^7 normal numbers.
    """
    n = check_int("n", n, low=1)
    d = check_int("d", d, low=1)
    noise = check_real("noise", noise, low=0)
    rho = check_real("correlation", correlation, low=-1, high=1, low_open=True, high_open=True)
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(d)
    Z = np.empty((d, n))
    rng.standard_normal(out=Z)
    if rho != 0.0:
        scale = np.sqrt(1.0 - rho * rho)
        for j in range(1, d):  # rows of Z are contiguous: the recursion runs at memory speed
            Z[j] *= scale
            Z[j] += rho * Z[j - 1]
    X = Z.T
    y = X @ w_true
    if noise > 0:
        y += noise * rng.standard_normal(n)
    return X, y, w_true


def ar1_condition_number(d: int, correlation: float) -> float:
    """Condition number λ_max/λ_min of the AR(1) covariance Σ_jk = ρ^|j−k| (d × d)."""
    d = check_int("d", d, low=1)
    rho = check_real("correlation", correlation, low=-1, high=1, low_open=True, high_open=True)
    j = np.arange(d)
    eig = np.linalg.eigvalsh(rho ** np.abs(j[:, None] - j[None, :]))
    return float(eig[-1] / eig[0])


def nonlinear_regression(n: int = 64, noise: float = 0.1, seed: int | None = 0
                         ) -> tuple[np.ndarray, np.ndarray]:
    """A small 1D curve for the two-layer network:  y = sin(1.5 x) + 0.3 x + noise · ε.

    x is drawn uniformly from [−3, 3] and sorted (so the fitted curve can be drawn
    with a line). Returns X (n, 1) and y (n, 1), ready for ``TwoLayerNet(1, H, 1)``.
    """
    n = check_int("n", n, low=1)
    noise = check_real("noise", noise, low=0)
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3.0, 3.0, size=n))
    y = np.sin(1.5 * x) + 0.3 * x
    if noise > 0:
        y = y + noise * rng.standard_normal(n)
    return x[:, None], y[:, None]


def epoch_batches(n_samples: int, batch_size: int, rng: np.random.Generator, *,
                  steps: int | None = None) -> Iterator[np.ndarray]:
    """Minibatch row indices by epochs: each epoch is a uniformly random ordering of all
    n samples cut into batches of ``batch_size`` (the last one may be smaller), so every
    sample is used exactly once per epoch (sampling without replacement).

    steps : how many batches the caller will take, if known. When steps·B < n the run
            never finishes its first epoch, and shuffling all n indices first would cost
            more than the run itself (``rng.permutation(10**6)`` takes ~0.1 s, longer than
            SGD needs to reach a good loss on a million samples). Then the steps·B indices
            are drawn at once by ``rng.choice(n, steps·B, replace=False)`` (O(steps·B)),
            distributed exactly as the start of a random permutation; should the caller
            take more batches, the rest of the epoch is the unused indices, shuffled.
    """
    n = check_int("n_samples", n_samples, low=1)
    B = check_int("batch_size", batch_size, low=1, high=n)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if steps is not None and check_int("steps", steps, low=0) * B < n:
        first = rng.choice(n, steps * B, replace=False)
        for start in range(0, first.size, B):
            yield first[start:start + B]
        used = np.zeros(n, dtype=bool)
        used[first] = True
        rest = np.flatnonzero(~used)
        rng.shuffle(rest)
        for start in range(0, rest.size, B):
            yield rest[start:start + B]
    while True:
        perm = rng.permutation(n)
        for start in range(0, n, B):
            yield perm[start:start + B]


def minibatch_variance(objective, w, batch_sizes, draws: int = 2000, seed: int | None = 0
                       ) -> tuple[np.ndarray, np.ndarray]:
    """The noise of minibatch gradients, measured and predicted, for each batch size B.

    measured  : E‖∇L_B(w) − ∇L(w)‖² over ``draws`` batches drawn by ``epoch_batches``.
    predicted : σ²/B · (n − B)/(n − 1), σ² = 1/n Σ_i ‖∇L_i(w) − ∇L(w)‖² the variance of one
                sample's gradient; (n − B)/(n − 1) corrects for drawing without replacement.
    objective : has ``n_samples``, ``grad(w, idx)`` and ``per_sample_grads(w)`` (e.g. LeastSquares).
    Returns (measured, predicted), arrays of shape (len(batch_sizes),).
    """
    draws = check_int("draws", draws, low=2)
    n = objective.n_samples
    w = np.asarray(w, dtype=float)
    full = objective.grad(w)
    per = objective.per_sample_grads(w)
    sigma2 = float(np.mean(np.sum((per - full) ** 2, axis=-1)))
    rng = np.random.default_rng(seed)
    measured, predicted = [], []
    for B in batch_sizes:
        gen = epoch_batches(n, check_int("batch size", B, low=1, high=n), rng)
        g = np.array([objective.grad(w, idx=next(gen)) for _ in range(draws)])
        measured.append(np.mean(np.sum((g - full) ** 2, axis=-1)))
        predicted.append(sigma2 / B * (n - B) / (n - 1))
    return np.asarray(measured), np.asarray(predicted)


_DIGITS_CACHE: dict = {}


def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8×8 digits (read once per process, kept in memory)."""
    if "data" not in _DIGITS_CACHE:
        from sklearn.datasets import load_digits  # ships with scikit-learn: no download

        bunch = load_digits()
        _DIGITS_CACHE["data"] = (np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64))
    return _DIGITS_CACHE["data"]


def digits(seed: int | None = 0, n_val: int = 300, n_test: int = 300
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Handwritten digits (scikit-learn's ``load_digits``: 1,797 images of 8×8 pixels, classes 0–9),
    split at random into training, validation and test sets and standardised.

    The rows are shuffled by ``numpy.random.default_rng(seed)``; the first ``n_test`` form the test
    set, the next ``n_val`` the validation set, the rest (1,197 by default) the training set.
    Every pixel j is standardised with the training set's statistics only,
    x_j ← (x_j − μ_j) / σ_j (σ_j = 1 for pixels that are constant in the training set), so nothing
    about the validation and test images leaks into training.

    Returns (X_train, y_train, X_val, y_val, X_test, y_test): features float64 of shape (n, 64),
    labels int64 of shape (n,).
    """
    X, y = _load_digits()
    n = X.shape[0]
    n_val = check_int("n_val", n_val, low=1, high=n - 2)
    n_test = check_int("n_test", n_test, low=1, high=n - 1 - n_val)
    perm = np.random.default_rng(seed).permutation(n)
    test, val, tr = perm[:n_test], perm[n_test:n_test + n_val], perm[n_test + n_val:]
    mu = X[tr].mean(axis=0)
    sigma = X[tr].std(axis=0)
    sigma[sigma == 0] = 1.0
    out = []
    for idx in (tr, val, test):
        out += [(X[idx] - mu) / sigma, y[idx].copy()]
    return tuple(out)
