"""Checks for the exercises of notebook 06 (stochastic gradient descent)."""
from __future__ import annotations

import math

import numpy as np

from . import WrongAnswer, attempt, expect, expect_close, passed

__all__ = ["check_minibatch_gradient", "check_batch_for_variance", "check_sgd_epoch", "check_work_to_target"]


def _data(rng, n, d):
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 * rng.normal(size=n)
    return X, y


def check_minibatch_gradient(minibatch_gradient, seed: int = 0) -> None:
    """∇L_B(w) = 2/|B| Σ_{i∈B} x_i (x_iᵀw − y_i) against the mean of per-sample finite
    differences, and its unbiasedness: averaged over the batches of one epoch (equal sizes)
    it is the full gradient."""
    from ..numdiff import numerical_grad

    rng = np.random.default_rng(seed)
    n, d = 24 + seed % 5, 3
    X, y = _data(rng, n, d)
    w = rng.normal(size=d)
    hint = "the gradient of (x_iᵀw − y_i)² is 2 x_i (x_iᵀw − y_i); average it over the rows in idx (X[idx], y[idx])"
    for B in (1, 5, n):
        idx = rng.choice(n, size=B, replace=False)
        per_sample = [numerical_grad(lambda p, i=i: (X[i] @ p - y[i]) ** 2, w) for i in idx]
        got = attempt(minibatch_gradient, X.copy(), y.copy(), w.copy(), idx.copy())
        expect_close(got, np.mean(per_sample, axis=0), f"minibatch_gradient for a batch of B = {B} of n = {n} rows",
                     hint + ("; divide by the batch size |B| = len(idx), not by n" if B < n else ""),
                     rtol=1e-6, atol=1e-8)
    # unbiased: the mean over a partition into equal batches is ∇L(w) = 2/n Xᵀ(Xw − y)
    order = rng.permutation(n - n % 4)
    batches = order.reshape(-1, 4)
    mean = np.mean([attempt(minibatch_gradient, X, y, w, b) for b in batches], axis=0)
    rows = np.sort(order)
    full = 2.0 / rows.size * X[rows].T @ (X[rows] @ w - y[rows])
    expect_close(mean, full, "the average of minibatch_gradient over one epoch of equal batches",
                 "an unbiased estimate averages to the full gradient; " + hint, rtol=1e-9)
    passed("minibatch_gradient")


def check_batch_for_variance(batch_for_variance, seed: int = 0) -> None:
    """The smallest B with σ²/B · (n − B)/(n − 1) ≤ σ²/r, against a search over B = 1 … n."""
    rng = np.random.default_rng(seed)
    cases = [(10.0, 2000), (4.0, 10)] if seed == 0 else []
    cases += [(float(rng.uniform(1.5, 50)), int(rng.integers(20, 5000))) for _ in range(4)]
    for r, n in cases:
        B = np.arange(1, n + 1)
        ratio = (n - B) / (B * (n - 1.0))               # variance of the batch mean / σ²
        expected = int(B[np.argmax(ratio <= 1.0 / r)])
        got = attempt(batch_for_variance, r, n)
        expect(isinstance(got, (int, np.integer)) or (isinstance(got, float) and got.is_integer()),
               f"batch_for_variance({r:.4g}, {n}) should be a whole number of samples, got {got!r}",
               "round up to the next integer (math.ceil)")
        expect(int(got) == expected,
               f"batch_for_variance(r = {r:.4g}, n = {n}) is {'too large' if got > expected else 'too small'}",
               "solve (n − B)/(B(n − 1)) ≤ 1/r for B, then round up; without sampling without replacement "
               "it would be B ≥ r, and the factor (n − B)/(n − 1) makes it a little smaller")
    passed("batch_for_variance")


def _least_squares_grad(calls):
    def grad(w, Xb, yb):
        Xb, yb = np.asarray(Xb), np.asarray(yb)
        calls.append(yb.copy())
        return 2.0 / len(yb) * Xb.T @ (Xb @ w - yb)
    return grad


def check_sgd_epoch(sgd_epoch, seed: int = 0) -> None:
    """One epoch: a reshuffle with ``rng.permutation(n)``, consecutive batches of B rows of
    that order (the last one smaller), one step per batch. Checked by recording which rows
    each gradient call saw, and against the same epoch written out here."""
    rng_data = np.random.default_rng(seed)
    for n, B in ((23, 5), (20, 4), (7, 7), (9, 1)):
        X, _ = _data(rng_data, n, 2)
        y = np.arange(n, dtype=float) + 0.25 * rng_data.normal(size=n)
        y_id = np.arange(n, dtype=float)
        w0, lr = rng_data.normal(size=2), 0.05
        # which rows does each batch read? pass y = row numbers and record them
        calls = []
        attempt(sgd_epoch, _least_squares_grad(calls), w0.copy(), X.copy(), y_id.copy(), lr, B,
                np.random.default_rng(seed + n))
        seen = np.concatenate(calls) if calls else np.array([])
        what = f"one epoch over n = {n} samples with B = {B}"
        expect(len(calls) == math.ceil(n / B),
               f"{what} made {len(calls)} steps; an epoch of n samples in batches of B makes ⌈n/B⌉",
               "cut the shuffled order into consecutive batches and keep the last, smaller one")
        expect(sorted(seen.tolist()) == list(range(n)),
               f"{what} did not use every sample exactly once",
               "shuffle all n indices once (rng.permutation(n)), then take them in slices [k·B:(k+1)·B]: "
               "no sampling with replacement")
        sizes = [len(c) for c in calls]
        expect(sizes[:-1] == [B] * (len(calls) - 1),
               f"{what}: the batches have sizes {sizes}; all but the last should hold B rows",
               "take consecutive slices of the shuffled order")
        order = np.random.default_rng(seed + n).permutation(n)
        expect(np.array_equal(seen, order),
               f"{what}: the samples were not visited in the order rng.permutation(n) gives",
               "draw the order once per epoch with rng.permutation(n) (the rng passed in) and walk through it")
        # the steps: same epoch, real targets
        got = attempt(sgd_epoch, _least_squares_grad([]), w0.copy(), X.copy(), y.copy(), lr, B,
                      np.random.default_rng(seed + n))
        w = w0.copy()
        for k in range(0, n, B):
            idx = order[k:k + B]
            w = w - lr * 2.0 / len(idx) * X[idx].T @ (X[idx] @ w - y[idx])
        expect_close(got, w, f"θ after {what}",
                     "each step uses the gradient at the current θ: θ ← θ − α grad(θ, X[batch], y[batch])",
                     rtol=1e-10, atol=1e-12)
    # a new epoch reshuffles: the generator moves on
    rng = np.random.default_rng(seed)
    first, second = [], []
    X, _ = _data(rng_data, 12, 2)
    attempt(sgd_epoch, _least_squares_grad(first), np.zeros(2), X, np.arange(12.0), 0.01, 12, rng)
    attempt(sgd_epoch, _least_squares_grad(second), np.zeros(2), X, np.arange(12.0), 0.01, 12, rng)
    expect(not np.array_equal(first[0], second[0]),
           "two epochs with the same generator visited the samples in the same order",
           "use the rng passed in (not a new default_rng(0)), so each epoch gets a fresh shuffle")
    passed("sgd_epoch")


def check_work_to_target(work_to_target, seed: int = 0) -> None:
    """Per-sample gradients computed until a run's L − L* first reaches the target."""
    rng = np.random.default_rng(seed)
    for _ in range(4):
        k = int(rng.integers(1, 30))
        gaps = np.concatenate([np.geomspace(1.0, 0.02, k), np.geomspace(0.015, 1e-4, int(rng.integers(1, 10)))])
        gaps *= 1 + 0.01 * rng.random(gaps.size)
        target = 0.5 * (gaps[k - 1] + gaps[k])          # first reached at index k
        per_step = int(rng.choice([1, 32, 64, 1000, 10 ** 6]))
        got = attempt(work_to_target, gaps.copy(), target, per_step)
        expect(got is not None and np.isfinite(float(got)) and int(got) == k * per_step,
               f"work_to_target for a run that first gets below the target at step {k}, with {per_step} "
               f"samples per step, is {'missing' if got is None else 'wrong'}",
               "gaps[k] belongs to θ_k, reached after k steps (np.argmax(gaps <= target) or a loop finds k); "
               "each step computed one gradient per sample of its batch")
    gaps = np.geomspace(1.0, 0.1, 8)
    got = attempt(work_to_target, gaps, 0.01, 64)
    expect(got is None, "work_to_target for a run that never reaches the target should return None, got "
           f"{got!r}", "check first whether any gaps[k] <= target")
    passed("work_to_target")
