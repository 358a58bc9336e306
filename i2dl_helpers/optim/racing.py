"""The optimiser race: several optimisers from one start on one surface, scored alike.

``race`` runs each optimiser with ``run`` and records, per optimiser, the loss
gap L(θ_k) − L* (L* = ``objective.best``, the lowest known value), the step from which the gap
stays below ``target`` and the wall-clock time. ``RACERS`` and ``PRESETS`` give
the course's line-up and, per surface, a start and learning rates picked from a
grid (the best of ``LR_GRID`` for that surface: see ``tune``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import objectives
from ..formulas import formula
from .._validate import check_int, check_positive
from .base import Optimizer, Trajectory, run
from .first_order import SGD, Adagrad, Adam, RMSProp

__all__ = ["LR_GRID", "PRESETS", "RACERS", "RaceResult", "make_racers", "outcome", "race", "race_all", "race_gap",
           "race_table", "steps_to_target", "tune", "which_what_when", "winners"]

#: name -> factory(lr, **hyper-parameters) -> Optimizer
RACERS: dict[str, Callable[..., Optimizer]] = {
    "GD": lambda lr: SGD(lr),
    "Momentum": lambda lr, momentum=0.9: SGD(lr, momentum=momentum),
    "Nesterov": lambda lr, momentum=0.9: SGD(lr, momentum=momentum, nesterov=True),
    "AdaGrad": lambda lr: Adagrad(lr),
    "RMSProp": lambda lr, alpha=0.99: RMSProp(lr, alpha=alpha),
    "Adam": lambda lr, beta1=0.9, beta2=0.999: Adam(lr, betas=(beta1, beta2)),
}

#: the learning rates ``tune`` tries: 1e-4 ... 10^0.5 ≈ 3.16 in steps of ×10^0.25 ≈ ×1.78
LR_GRID = tuple(float(v) for v in np.round(np.logspace(-4, 0.5, 19), 6))

#: the race's starts where they differ from the catalogue's ``objective.start`` (every other
#: surface starts there): far along the ravine's floor, where GD crawls; Rosenbrock's classic
#: (−1.2, 1); 10⁻⁶ off the saddle's ridge, so escaping it takes a while; out on the plateau,
#: where ∇L is about 0.001.
_OWN_STARTS = {"ravine": (-3.5, -0.5), "rosenbrock": (-1.2, 1.0), "saddle": (1.8, 1e-6), "plateau": (3.0, 2.0)}

#: per surface: each racer's learning rate, the best of LR_GRID by steps to the target, then by
#: final gap (``tests/test_optimizers.py`` re-derives them), and the steps if not 200
_TUNED = {
    "ravine": {"lr": {"GD": 0.316228, "Momentum": 0.056234, "Nesterov": 0.316228, "AdaGrad": 1.77828,
                      "RMSProp": 1, "Adam": 0.562341}},
    "rosenbrock": {"steps": 1000,
                   "lr": {"GD": 0.001778, "Momentum": 0.003162, "Nesterov": 0.001, "AdaGrad": 1.77828,
                          "RMSProp": 0.01, "Adam": 0.562341}},
    "himmelblau": {"lr": {"GD": 0.017783, "Momentum": 0.005623, "Nesterov": 0.01, "AdaGrad": 1.77828,
                          "RMSProp": 0.1, "Adam": 0.316228}},
    "saddle": {"lr": {"GD": 0.562341, "Momentum": 0.562341, "Nesterov": 0.562341, "AdaGrad": 1,
                      "RMSProp": 0.1, "Adam": 0.316228}},
    "plateau": {"lr": {"GD": 1.77828, "Momentum": 1, "Nesterov": 0.562341, "AdaGrad": 0.562341,
                       "RMSProp": 0.017783, "Adam": 0.562341}},
}


def _preset(surface: str, tuned: dict) -> dict:
    start = _OWN_STARTS.get(surface) or tuple(float(v) for v in objectives.get(surface).start)
    return {"start": start, "steps": tuned.get("steps", 200), "target": 1e-6, "lr": tuned["lr"]}


#: per surface: start, number of steps, target gap and each racer's learning rate
PRESETS: dict[str, dict] = {surface: _preset(surface, tuned) for surface, tuned in _TUNED.items()}
@dataclass
class RaceResult:
    """One racer's run: its trajectory, the gap L(θ_k) − L* per step, and the score."""

    name: str
    optimizer: Optimizer
    trajectory: Trajectory
    gap: np.ndarray            # (T + 1,)
    steps_to_target: int | None
    seconds: float

    @property
    def final_gap(self) -> float:
        return float(self.gap[-1])


def make_racers(names=None, lr: dict | None = None, hyper: dict | None = None) -> dict[str, Optimizer]:
    """Optimisers by name from ``RACERS`` with the given learning rates and hyper-parameters."""
    names = list(RACERS) if names is None else list(names)
    unknown = [n for n in names if n not in RACERS]
    if unknown:
        raise ValueError(f"racers must be among {', '.join(RACERS)}; got {unknown}")
    lr, hyper = lr or {}, hyper or {}
    return {n: RACERS[n](lr.get(n, 0.01), **hyper.get(n, {})) for n in names}


@formula
def race_gap(value, best):
    """max(L(θ) − L*, 0): the gap a race plots and measures (NaN stays NaN)."""
    return max(value - best, 0.0)


@formula
def steps_to_target(gap, target):
    """The first k from which gap[j] <= target for every j >= k (a list of L(θ_j) − L*), None if the last
    gap is above the target (a NaN gap counts as above)."""
    above = [j for j in range(len(gap)) if not gap[j] <= target]
    if len(above) == 0:
        return 0
    if above[-1] == len(gap) - 1:
        return None
    return above[-1] + 1


def race(objective, optimizers: dict[str, Optimizer], x0, steps: int = 200, target: float = 1e-6,
         max_abs: float = 1e8) -> dict[str, RaceResult]:
    """Run every optimiser from the same start ``x0`` (d,) for ``steps`` steps.

    Returns name -> RaceResult; steps_to_target is the first k from which
    L(θ_j) − L* <= target for every j >= k up to the end of the run (None if
    the last gap is above target: bouncing below it once does not count), L* = ``objective.best``
    (the lowest value at the known minima). A diverged run stops at its last finite point.
    """
    steps = check_int("steps", steps, low=1)
    target = check_positive("target", target)
    if not isinstance(optimizers, dict) or not all(isinstance(o, Optimizer) for o in optimizers.values()):
        raise TypeError("optimizers must be a dict name -> Optimizer")
    best = objective.best
    out = {}
    for name, opt in optimizers.items():
        tic = time.perf_counter()
        traj = run(objective, opt, x0, steps=steps, max_abs=max_abs)
        seconds = time.perf_counter() - tic
        gap = np.array([race_gap(v, best) for v in np.asarray(traj.values, dtype=float).tolist()])
        reached = steps_to_target(gap.tolist(), target)
        out[name] = RaceResult(name, opt, traj, gap, reached, seconds)
    return out


def tune(objective, name: str, x0, steps: int = 200, target: float = 1e-6, lrs=LR_GRID,
         **hyper) -> tuple[float, RaceResult]:
    """The learning rate from ``lrs`` with which racer ``name`` reaches ``target`` in the fewest
    steps (ties and misses broken by the smaller final gap). Returns (lr, its RaceResult)."""
    best = None
    for lr in lrs:
        res = race(objective, {name: RACERS[name](lr, **hyper)}, x0, steps, target)[name]
        if res.trajectory.status == "diverged":
            continue
        key = (res.steps_to_target if res.steps_to_target is not None else steps + 1, res.final_gap)
        if best is None or key < best[0]:
            best = (key, lr, res)
    if best is None:
        raise ValueError(f"{name} diverged for every learning rate tried")
    return best[1], best[2]


def outcome(result: RaceResult) -> str:
    """How a race run ended, in words: "diverged", "reached the target" (the gap settled
    below it), "stopped above the target" (the run's own stopping rule ended it first)
    or "above the target after all steps"."""
    status = result.trajectory.status
    if status == "diverged":
        return "diverged"
    if result.steps_to_target is not None:
        return "reached the target"
    if status == "converged":
        return "stopped above the target"
    return "above the target after all steps"


def race_table(results: dict[str, RaceResult], target: float | None = None) -> str:
    """A plain-text table: racer, learning rate, steps to the target, final gap, outcome.

    The outcome is :func:`outcome`: a run that reached the target says so even though
    it ran on to its step limit (a race has no stopping rule of its own).
    """
    w = max([10, *(len(name) for name in results)])
    head = f"{'optimiser':<{w}} {'lr':>9} {'steps to target':>16} {'final L − L*':>13}  outcome"
    lines = [head, "-" * len(head)]
    for name, res in results.items():
        steps = "—" if res.steps_to_target is None else str(res.steps_to_target)
        lines.append(f"{name:<{w}} {res.optimizer.lr:>9.4g} {steps:>16} {res.final_gap:>13.3g}  {outcome(res)}")
    return "\n".join(lines)


#: what each racer keeps per parameter (beyond θ itself) and when to reach for it
_KEEPS = {
    "GD": ("nothing", "convex, well-conditioned problems; the baseline"),
    "Momentum": ("velocity v (1 number)", "ravines and long valleys: it accumulates speed along the floor"),
    "Nesterov": ("velocity v (1 number)", "as momentum, with less overshoot (it looks ahead)"),
    "AdaGrad": ("sum of squared gradients G (1 number)", "sparse or badly scaled features; steps only shrink"),
    "RMSProp": ("moving average of squared gradients s (1 number)", "plateaus and changing scales; non-stationary problems"),
    "Adam": ("moving averages m and v (2 numbers)", "the robust default for deep networks"),
}


def race_all(surfaces=None) -> dict[str, dict[str, RaceResult]]:
    """The race on every preset surface (or the named ones) with the preset start, steps and learning rates."""
    surfaces = list(PRESETS) if surfaces is None else list(surfaces)
    out = {}
    for name in surfaces:
        pre = PRESETS[name]
        out[name] = race(objectives.get(name), make_racers(lr=pre["lr"]), pre["start"], pre["steps"], pre["target"])
    return out


def winners(all_results: dict[str, dict[str, RaceResult]]) -> dict[str, str | None]:
    """surface -> the racer that settled below the target in the fewest steps (None if nobody did)."""
    out = {}
    for surface, results in all_results.items():
        done = {n: r.steps_to_target for n, r in results.items() if r.steps_to_target is not None}
        out[surface] = min(done, key=done.get) if done else None
    return out


def which_what_when(all_results: dict[str, dict[str, RaceResult]]) -> str:
    """A Markdown table, one row per racer: what it keeps per parameter, its steps to the
    target on every surface ("—" when it did not settle; the winner in bold), on how many
    surfaces it settled, how many it won, and when to use it."""
    surfaces = list(all_results)
    win = winners(all_results)
    names = list(next(iter(all_results.values())))
    head = ["optimiser", "keeps per parameter", *surfaces, "settled", "wins", "when"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n in names:
        steps = []
        for s in surfaces:
            k = all_results[s][n].steps_to_target
            steps.append("—" if k is None else (f"**{k}**" if win[s] == n else str(k)))
        wins = sum(w == n for w in win.values())
        settled = sum(all_results[s][n].steps_to_target is not None for s in surfaces)
        keeps, when = _KEEPS.get(n, ("?", ""))
        rows.append("| " + " | ".join([n, keeps, *steps, f"{settled}/{len(surfaces)}", str(wins), when]) + " |")
    return "\n".join(rows)
