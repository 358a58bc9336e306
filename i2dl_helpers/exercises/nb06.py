"""Checks for the exercises of notebook 06 (stochastic gradient descent)."""
from __future__ import annotations

import math

import numpy as np

from ..numdiff import numerical_grad
from . import (WrongAnswer, _scalar_kind, as_number, attempt, expect, expect_close, expect_no_loop, passed)

__all__ = ["check_minibatch_gradient", "check_batch_for_variance", "check_sgd_epoch", "check_work_to_target"]


def _kind(got: int, expected: int, mistakes: dict[str, int | None]) -> str:
    """How a wrong whole number differs from the expected one: every known mistake it matches (a value
    can match several), else too large / too small, by a little or a lot (never a difference)."""
    names = [name for name, value in mistakes.items() if value is not None and value != expected and value == got]
    if names:
        return "matches a common mistake: " + "; or ".join(names)
    return _scalar_kind(got, expected, 0.0, 0.5, None)


def _data(rng, n, d):
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 * rng.normal(size=n)
    return X, y


def check_minibatch_gradient(minibatch_gradient, seed: int = 0) -> None:
    """∇L_B(w) = 2/|B| Σ_{i∈B} x_i (x_iᵀw − y_i) against the mean of per-sample finite
    differences, and its unbiasedness: averaged over the batches of one epoch (equal sizes)
    it is the full gradient. The exercise asks for it without a Python loop over the rows."""
    rng = np.random.default_rng(seed)
    n, d = 24 + seed % 5, 3
    X, y = _data(rng, n, d)
    w = rng.normal(size=d)
    hint = ("the gradient of (x_iᵀw − y_i)² is 2 x_i (x_iᵀw − y_i); average it over the rows in idx, "
            "all rows at once")
    for B in (1, 5, n):
        idx = rng.choice(n, size=B, replace=False)
        per_sample = [numerical_grad(lambda p, i=i: (X[i] @ p - y[i]) ** 2, w) for i in idx]
        got = attempt(minibatch_gradient, X, y, w, idx)
        expect_close(got, np.mean(per_sample, axis=0), f"minibatch_gradient for a batch of B = {B} of n = {n} rows",
                     hint + ("; divide by the batch size |B|, not by n" if B < n else ""),
                     rtol=1e-6, atol=1e-8)
    # unbiased: the mean over a partition into equal batches is ∇L(w) = 2/n Xᵀ(Xw − y)
    order = rng.permutation(n - n % 4)
    batches = order.reshape(-1, 4)
    mean = np.mean([attempt(minibatch_gradient, X, y, w, b) for b in batches], axis=0)
    rows = np.sort(order)
    full = 2.0 / rows.size * X[rows].T @ (X[rows] @ w - y[rows])
    expect_close(mean, full, "the average of minibatch_gradient over one epoch of equal batches",
                 "an unbiased estimate averages to the full gradient; " + hint, rtol=1e-9)
    expect_no_loop(minibatch_gradient, "without a Python loop over the rows")
    passed("minibatch_gradient")


#: (r, n, B) with B(n − 1) / (n − B) = r a whole number: the smallest batch is exactly
#: rn/(n − 1 + r) = B, and every usual way of computing it (rn/(n − 1 + r), r/(1 + (r − 1)/n),
#: n/((n − 1)/r + 1), a search over B with the inequality) gives exactly B in floating point
_WHOLE = ((3, 4, 2), (10, 6, 4), (8, 7, 4), (15, 7, 5), (21, 8, 6), (10, 9, 5), (6, 10, 4), (21, 10, 7),
          (14, 13, 7), (7, 15, 5), (16, 15, 8), (28, 15, 10), (5, 16, 4), (15, 16, 8), (18, 17, 9), (20, 19, 10),
          (57, 20, 15), (10, 21, 7), (22, 21, 11), (40, 21, 14))


def _smallest_batch(r: float, n: int) -> int:
    B = np.arange(1, n + 1)
    return int(B[np.argmax((n - B) / (B * (n - 1.0)) <= 1.0 / r)])


def _variance_cases(rng, seed: int) -> list[tuple[float, int]]:
    """r = 1 (B = 1); a whole-number answer (so int(x) + 1 is not ceil); a small n, where the factor
    (n − B)/(n − 1) changes the answer by several samples; answers just above a whole number (so
    rounding to the nearest or down is wrong, and n in place of n − 1 too); r > n; and random r off the
    integers with n up to 5000."""
    cases = [(10.0, 2000), (4.0, 10)] if seed == 0 else []
    cases.append((1.0, int(rng.integers(2, 3000))))
    r, n, _ = _WHOLE[int(rng.integers(len(_WHOLE)))]
    cases.append((float(r), n))
    r = float(rng.uniform(8.0, 40.0))
    cases.append((r, int(rng.integers(int(r) + 2, int(3 * r)))))
    while True:                                   # rn/(n − 1 + r) = m + f with f in (0.05, 0.45)
        r, n = float(rng.uniform(1.5, 60.0)), int(rng.integers(20, 400))
        x = r * n / (n - 1 + r)
        if 0.05 < x - math.floor(x) < 0.45 and math.ceil(x) != math.ceil(r):
            cases.append((r, n))
            break
    n = int(rng.integers(5, 200))                 # just above a whole number m: n − 1 (not n) decides it
    m = int(rng.integers(1, n - 1))
    cases.append((m * (n - 0.5) / (n - m), n))
    n = int(rng.integers(3, 30))
    cases.append((float(rng.uniform(n, 4 * n)), n))
    cases += [(float(rng.uniform(1.5, 50)), int(rng.integers(20, 5000))) for _ in range(2)]
    return [cases[i] for i in rng.permutation(len(cases))]


def check_batch_for_variance(batch_for_variance, seed: int = 0) -> None:
    """The smallest B with σ²/B · (n − B)/(n − 1) ≤ σ²/r, against a search over B = 1 … n, for r ≥ 1
    (r = 1 and whole-number answers included) and n ≥ 2 (small n, where the factor matters, included)."""
    rng = np.random.default_rng(seed)
    hint = ("solve (n − B)/(B(n − 1)) ≤ 1/r for B, then round up to a whole number of samples; without the "
            "factor (n − B)/(n − 1) it would be B ≥ r, and the factor makes the batch a little smaller")
    for r, n in _variance_cases(rng, seed):
        expected = _smallest_batch(r, n)
        what = f"batch_for_variance(r = {r:.4g}, n = {n})"
        got = as_number(attempt(batch_for_variance, r, n), what, integer=True,
                        hint="round up to the next whole number (math.ceil)")
        if got == expected:
            continue
        x = r * n / (n - 1 + r)
        mistakes = {"B = ⌈r⌉, which ignores the factor (n − B)/(n − 1)": math.ceil(r),
                    "the bound rounded down or to the nearest whole number, not up (the variance stays too "
                    "large)": math.floor(x),
                    "n where the factor has n − 1": math.ceil(r * n / (n + r))}
        if math.ceil(x) != int(x) + 1:            # a whole-number bound: int(x) + 1 overshoots it
            mistakes["int(bound) + 1 for rounding up: one too many when the bound is a whole number"] = int(x) + 1
        raise WrongAnswer(f"{what} {_kind(got, expected, mistakes)}.\nHint: {hint}")
    passed("batch_for_variance")


def _least_squares_grad(calls):
    def grad(w, Xb, yb):
        Xb, yb = np.asarray(Xb), np.asarray(yb)
        calls.append(yb.copy())
        return 2.0 / len(yb) * Xb.T @ (Xb @ w - yb)
    return grad


def check_sgd_epoch(sgd_epoch, seed: int = 0) -> None:
    """One epoch: a reshuffle with ``rng.permutation(n)``, consecutive batches of B rows of
    that order (the last one smaller; a single batch when B ≥ n), one step per batch. Checked by
    recording which rows each gradient call saw, and against the same epoch written out here."""
    rng_data = np.random.default_rng(seed)
    for n, B in ((23, 5), (20, 4), (7, 7), (9, 1), (6, 10)):
        X, _ = _data(rng_data, n, 2)
        y = np.arange(n, dtype=float) + 0.25 * rng_data.normal(size=n)
        y_id = np.arange(n, dtype=float)
        w0, lr = rng_data.normal(size=2), 0.05
        # which rows does each batch read? pass y = row numbers and record them
        calls = []
        attempt(sgd_epoch, _least_squares_grad(calls), w0, X, y_id, lr, B, np.random.default_rng(seed + n))
        seen = np.concatenate(calls) if calls else np.array([])
        what = f"one epoch over n = {n} samples with B = {B}"
        expect(len(calls) == math.ceil(n / B),
               f"{what} made {len(calls)} steps; an epoch of n samples in batches of B makes ⌈n/B⌉",
               "cut the shuffled order into consecutive batches and keep the last, smaller one")
        expect(sorted(seen.tolist()) == list(range(n)),
               f"{what} did not use every sample exactly once",
               "shuffle all n indices once (rng.permutation(n)), then take consecutive slices of B of them: "
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
        got = attempt(sgd_epoch, _least_squares_grad([]), w0, X, y, lr, B, np.random.default_rng(seed + n))
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
    expect(bool(first) and bool(second) and not np.array_equal(first[0], second[0]),
           "two epochs with the same generator visited the samples in the same order",
           "use the rng passed in (not a new default_rng(0)), so each epoch gets a fresh shuffle")
    passed("sgd_epoch")


def _gap_cases(rng):
    """(description, gaps, target, samples per step, first k with gaps[k] <= target or None). Runs that fall,
    dip below the target, rise above it and fall again (SGD is noisy); one that meets the target exactly
    (<= counts it); one that starts at the target (no work); one that never reaches it."""
    cases = []
    for _ in range(2):                            # noisy: below, above again, below
        k = int(rng.integers(2, 30))
        gaps = np.concatenate([np.geomspace(1.0, 0.05, k), np.geomspace(0.02, 1e-3, int(rng.integers(2, 6))),
                               np.geomspace(0.3, 1e-4, int(rng.integers(3, 12)))])
        gaps *= 1 + 0.05 * rng.random(gaps.size)
        target = float(0.5 * (gaps[k - 1] + gaps[k]))
        cases.append(("a noisy run that dips below the target, rises above it and falls again", gaps, target, k))
    k = int(rng.integers(1, 20))
    gaps = np.geomspace(2.0, 1e-3, k + int(rng.integers(3, 15)))
    gaps[k + 1:] = gaps[k + 1:][rng.permutation(gaps.size - k - 1)]       # below the target after k, in any order
    cases.append(("a run that meets the target exactly (gaps[k] == target for one k)", gaps, float(gaps[k]), k))
    gaps = np.concatenate([[0.004], np.geomspace(0.02, 1e-3, int(rng.integers(4, 10)))])
    cases.append(("a run that starts at or below the target", gaps, 0.005, 0))
    gaps = np.geomspace(1.0, 0.1, int(rng.integers(5, 12)))
    cases.append(("a run that never reaches the target", gaps, 0.01, None))
    per_step = [1, int(rng.choice([32, 64, 1000, 10 ** 6])), int(rng.integers(2, 500)), int(rng.integers(2, 500)),
                int(rng.integers(2, 500))]
    per_step = [per_step[i] for i in rng.permutation(len(per_step))]
    return [(what, g, t, s, k) for (what, g, t, k), s in zip(cases, per_step)]


def check_work_to_target(work_to_target, seed: int = 0) -> None:
    """Per-sample gradients computed until a run's L − L* first reaches the target (gaps[k] <= target,
    the first such k, later dips and rises do not matter), or None when no gaps[k] reaches it."""
    rng = np.random.default_rng(seed)
    hint = ("gaps[k] belongs to θ_k, which k steps produced; find the first k whose gap is at or below the target "
            "(what the run does afterwards does not matter) and count samples_per_step per-sample gradients for "
            "each of those k steps")
    for what, gaps, target, per_step, k in _gap_cases(rng):
        got = attempt(work_to_target, gaps, target, per_step)
        what = f"work_to_target for {what}"
        if k is None:
            expect(got is None, f"{what} should return None, got {got!r}", "check first whether any gaps[k] <= target")
            continue
        expect(got is not None, f"{what} returned None, but the run does reach the target", hint)
        got = as_number(got, what, integer=True, hint=hint)
        expected = k * per_step
        if got == expected:
            continue
        below = np.asarray(gaps) <= target
        strict = np.flatnonzero(np.asarray(gaps) < target)
        mistakes = {"one step too many (gaps[0] is the start, before any step)": (k + 1) * per_step,
                    "the number of steps, not of per-sample gradients": k,
                    "counts the entries above the target, not the steps to the first one below it":
                        int(np.sum(~below)) * per_step,
                    "counts the entries at or below the target": int(np.sum(below)) * per_step,
                    "`<` where the text says `<=` (a gap equal to the target counts)":
                        int(strict[0]) * per_step if strict.size else None,
                    "the last step below the target, not the first": int(np.flatnonzero(below)[-1]) * per_step}
        raise WrongAnswer(f"{what} {_kind(got, expected, mistakes)}.\nHint: {hint}")
    passed("work_to_target")
