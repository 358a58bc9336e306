"""Basin map of Himmelblau: 40,000 starts × 200 GD steps, batched vs one start at a time.

Contender: ``basin_map`` — one vectorised ``optim.run`` on x0 of shape (40000, 2).
Baseline : the same starts run one by one in a Python loop (``run`` on each (2,)
start, then labelled). The loop is timed on a subset of starts (every 100th,
400 starts) and extrapolated linearly to 40,000; the subset's labels are
checked against the batched map.
Goals: contender at least 20× faster than the baseline and under 0.5 s.

    python benchmarks/basins.py
"""
from __future__ import annotations

import time

import numpy as np

from i2dl_helpers import GD, objectives, run
from i2dl_helpers.basins import basin_labels, basin_map

N, STEPS, LR, SUBSET = 200, 200, 0.01, 400


def main() -> None:
    obj = objectives.get("himmelblau")
    basin_map(obj, LR, n=20, steps=STEPS)  # warm-up
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        bm = basin_map(obj, LR, n=N, steps=STEPS)
        times.append(time.perf_counter() - t0)
    t_batch = min(times)

    starts = np.stack([bm.X, bm.Y], -1).reshape(-1, 2)
    idx = np.arange(0, N * N, N * N // SUBSET)[:SUBSET]
    t0 = time.perf_counter()
    loop_labels = []
    for k in idx:
        traj = run(obj, GD(LR), starts[k], steps=STEPS)
        loop_labels.append(basin_labels(traj.final, traj.status == "diverged", obj.minima, bm.radius))
    t_subset = time.perf_counter() - t0
    t_loop = t_subset * (N * N) / len(idx)
    agree = np.array_equal(np.array(loop_labels), bm.labels.reshape(-1)[idx])

    print(f"basin map, Himmelblau, {N * N} starts x {STEPS} steps, lr = {LR}")
    print(f"  batched (one run call)   : {t_batch:8.3f} s   (best of 3: {', '.join(f'{t:.3f}' for t in times)})")
    print(f"  loop, one start at a time: {t_loop:8.1f} s   (timed {len(idx)} starts: {t_subset:.2f} s, "
          f"extrapolated x{N * N // len(idx)})")
    print(f"  speed-up                 : {t_loop / t_batch:8.0f}x   (goal >= 20x: "
          f"{'met' if t_loop / t_batch >= 20 else 'NOT met'})")
    print(f"  batched under 0.5 s      : {'yes' if t_batch < 0.5 else 'NO'}")
    print(f"  labels of the {len(idx)} looped starts equal the batched ones: {agree}")
    print(f"  {bm.summary()}")


if __name__ == "__main__":
    main()
