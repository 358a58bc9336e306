"""One minibatch SGD step (B = 64) must not get slower as the data set grows.

LeastSquares on n = 10^4 and n = 10^6 samples (d = 10). A step is the minibatch
gradient over 64 rows plus the update w − α g; only the batch's rows are read.
Measured three ways, in alternating rounds (best round kept):

1. the step itself: ``grad(w, idx)`` + update, batches drawn beforehand;
2. a whole step of ``optim.run(..., batch_size=64)`` averaged over 2000 steps,
   which includes run()'s shuffle of all n indices before the first step;
3. the same update in a plain loop with ``data.epoch_batches(n, B, rng, steps=2000)``, which
   draws the 2000·64 indices by rng.choice instead of shuffling all n.

    python benchmarks/minibatch_step.py
Goal (issue 5): time per step at n = 10^6 / at n = 10^4 under 2.
"""
from __future__ import annotations

import time

import numpy as np

from i2dl_helpers.data import epoch_batches, linear_regression
from i2dl_helpers.objectives import LeastSquares
from i2dl_helpers.optim import GD, run

D, B, STEPS, ROUNDS = 10, 64, 2000, 5


def step_time(obj, batches, lr):
    w = np.zeros((1, D))
    t = time.perf_counter()
    for idx in batches:
        w = w - lr * obj.grad(w, idx=idx)
    return (time.perf_counter() - t) / len(batches)


def run_time(obj, lr, seed):
    t = time.perf_counter()
    run(obj, GD(lr), np.zeros(D), steps=STEPS, batch_size=B, seed=seed)
    return (time.perf_counter() - t) / STEPS


def prefix_time(obj, lr, seed):
    w = np.zeros((1, D))
    t = time.perf_counter()
    gen = epoch_batches(obj.n_samples, B, np.random.default_rng(seed), steps=STEPS)
    for _ in range(STEPS):
        w = w - lr * obj.grad(w, idx=next(gen))
    return (time.perf_counter() - t) / STEPS


def main():
    problems = {}
    for n in (10**4, 10**6):
        X, y, _ = linear_regression(n, D, noise=0.5, seed=0, correlation=0.8)
        obj = LeastSquares(X, y)
        gen = epoch_batches(n, B, np.random.default_rng(1))
        problems[n] = (obj, [next(gen) for _ in range(STEPS)], 0.5 / obj.smoothness)
    best = {(n, k): np.inf for n in problems for k in ("step", "run", "prefix")}
    for r in range(ROUNDS):
        for n, (obj, batches, lr) in problems.items():
            best[n, "step"] = min(best[n, "step"], step_time(obj, batches, lr))
            best[n, "run"] = min(best[n, "run"], run_time(obj, lr, r))
            best[n, "prefix"] = min(best[n, "prefix"], prefix_time(obj, lr, r))
    labels = {"step": "minibatch step: grad(w, idx) + update",
              "run": f"optim.run(batch_size={B}), per step over {STEPS} steps (incl. its shuffle of n)",
              "prefix": f"step with data.epoch_batches(steps={STEPS}) drawing the batches, over {STEPS} steps"}
    for k, label in labels.items():
        small, big = best[10**4, k] * 1e6, best[10**6, k] * 1e6
        verdict = f"  (goal < 2: {'met' if big / small < 2 else 'NOT met'})" if k == "step" else ""
        print(f"{label}:\n    n = 10^4: {small:8.1f} µs   n = 10^6: {big:8.1f} µs   ratio {big / small:.2f}{verdict}")


if __name__ == "__main__":
    main()
