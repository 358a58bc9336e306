"""One synchronous data-parallel gradient step on Dask: 1 worker vs 2, split into compute and communication.

Full-batch gradient descent on LeastSquares (d = 10) at n = 10^5 and 10^6 rows. The rows are
sharded once on a LocalCluster of 2 worker processes (loopback, one thread each): all rows on one
worker ("1 worker"), or half on each ("2 workers"). Each step sends θ to the workers and gathers
their gradients; ``distributed.sgd`` records per step

    compute       the slowest worker's own gradient computation (the critical path),
    communication everything else: serialisation, scheduling, transfer, combining.

The in-process gradient (no Dask) is the baseline. The driver process also hosts the
scheduler and works during every round: on a machine with 2 cores, 2 workers and the driver
compete for them, and the workers' compute times show it. Assuming per-step time = c_k + a_k n for k
workers (a constant overhead plus a cost per row, fitted through the two sizes), 2 workers beat 1
from n* = (c_2 − c_1) / (a_1 − a_2) rows on; the script prints n*.

    python benchmarks/distributed_step.py
"""
from __future__ import annotations

import os
import time

import numpy as np

from i2dl_helpers.data import linear_regression
from i2dl_helpers.objectives import LeastSquares
from i2dl_helpers.optim import GD

D, STEPS, SIZES = 10, 20, (10**5, 10**6)


def in_process(obj, repeats=20):
    w = np.zeros((1, D))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        obj.grad(w)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def main():
    from i2dl_helpers import distributed as dist

    results = {}
    with dist.local_cluster(2) as client:
        for n in SIZES:
            X, y, _ = linear_regression(n, D, noise=0.5, seed=0, correlation=0.8)
            obj = LeastSquares(X, y)
            lr = 1.0 / obj.smoothness
            results[(n, 0)] = {"compute": in_process(obj), "communication": 0.0}
            results[(n, 0)]["total"] = results[(n, 0)]["compute"]
            sharded = {k: dist.ShardedLeastSquares(obj, client, shards=k, recompute=False) for k in (1, 2)}
            for k in (1, 2):
                dist.sgd(sharded[k], GD(lr), np.zeros(D), 3, None)       # warm-up
            for _ in range(3):  # alternating rounds, best median kept: the machine is shared
                for k in (1, 2):
                    m = dist.sgd(sharded[k], GD(lr), np.zeros(D), STEPS, None).timing.median()
                    if (n, k) not in results or m["total"] < results[(n, k)]["total"]:
                        results[(n, k)] = m
            for k in (1, 2):
                sharded[k].close()
            del X, y, obj
    print(f"per-step time of full-batch GD, d = {D} (median of {STEPS} steps, best of 3 alternating runs), ms; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"{'n':>10} {'workers':>8} {'compute':>9} {'communication':>14} {'total':>8}")
    for n in SIZES:
        for k, label in ((0, "no Dask"), (1, "1"), (2, "2")):
            r = results[(n, k)]
            print(f"{n:>10,} {label:>8} {r['compute'] * 1e3:9.2f} {r['communication'] * 1e3:14.2f} "
                  f"{r['total'] * 1e3:8.2f}")
    n1, n2 = SIZES
    fit = {}
    for k in (1, 2):
        a = (results[(n2, k)]["total"] - results[(n1, k)]["total"]) / (n2 - n1)
        fit[k] = (results[(n1, k)]["total"] - a * n1, a)
    (c1, a1), (c2, a2) = fit[1], fit[2]
    speedup = results[(n2, 1)]["total"] / results[(n2, 2)]["total"]
    print(f"speed-up of 2 workers over 1 at n = {n2:,}: {speedup:.2f}×")
    print(f"fit per step: 1 worker {c1 * 1e3:.2f} ms + {a1 * 1e9:.2f} ns/row, "
          f"2 workers {c2 * 1e3:.2f} ms + {a2 * 1e9:.2f} ns/row")
    if a1 > a2:
        n_star = max((c2 - c1) / (a1 - a2), 0.0)
        print(f"break-even: 2 workers beat 1 from about n* = {n_star:,.0f} rows (d = {D}) on this machine")
    else:
        print("break-even: none — here 2 workers never computed a row faster than 1 (too few free cores "
              "for 2 workers and the driver)")


if __name__ == "__main__":  # workers are spawned processes: they re-import this file
    main()
