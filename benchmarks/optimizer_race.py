"""Optimiser race: steps and wall-clock time until L − L* stays below 1e-6, per surface.

Baseline: plain GD with its best learning rate from the grid (optim.racing.PRESETS).
Contenders: momentum, Nesterov, AdaGrad, RMSProp, Adam (each with its own best
grid learning rate) and L-BFGS (backtracking line search, no tuning). Every run
starts from the surface's preset start and runs in this one process; the ratio
is GD's steps over the contender's ("—" when one of them never settles).

Run: python benchmarks/optimizer_race.py
"""
from __future__ import annotations

import numpy as np

from i2dl_helpers import objectives
from i2dl_helpers.optim import LBFGS
from i2dl_helpers.optim.racing import PRESETS, make_racers, race


def main(repeats: int = 3) -> None:
    print(f"{'surface':<11} {'optimiser':<9} {'lr':>9} {'steps':>6} {'ms/run':>8} {'µs/step':>8} "
          f"{'final L−L*':>11} {'GD/this':>8}")
    for surface, pre in PRESETS.items():
        obj = objectives.get(surface)
        racers = make_racers(lr=pre["lr"])
        racers["L-BFGS"] = LBFGS()
        best = {}
        for _ in range(repeats):  # the best of a few timings; the scores are deterministic
            res = race(obj, racers, pre["start"], pre["steps"], pre["target"])
            for name, r in res.items():
                best[name] = min(best.get(name, np.inf), r.seconds)
        base = res["GD"].steps_to_target
        for name, r in res.items():
            k = r.steps_to_target
            ratio = "—" if (k is None or base is None or k == 0) else f"{base / k:.2f}"
            if base is None and k is not None:
                ratio = f">{pre['steps'] / max(k, 1):.2f}"
            n_steps = len(r.trajectory) - 1
            print(f"{surface:<11} {name:<9} {r.optimizer.lr:>9.4g} {'—' if k is None else k:>6} "
                  f"{1e3 * best[name]:>8.2f} {1e6 * best[name] / max(n_steps, 1):>8.1f} "
                  f"{r.final_gap:>11.3g} {ratio:>8}")
        print()


if __name__ == "__main__":
    main()
