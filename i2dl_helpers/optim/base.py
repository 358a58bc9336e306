"""The optimiser protocol and the one loop that runs every optimiser.

An optimiser is a small object holding its hyper-parameters. ``run`` owns the
loop: it asks the objective for gradients, lets the optimiser turn them into the
next point, records the trajectory, applies the stopping rule and catches
divergence. A batch of starts is one array of shape (n, d) and is advanced in
one vectorised pass; there is no Python loop over starts.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

import time

import numpy as np

from .._validate import as_points, check_int, check_positive
from ..data import epoch_batches

__all__ = ["GD", "Optimizer", "Trajectory", "run"]

#: |θ_i| beyond this counts as divergence (the default of ``run``'s ``max_abs``).
MAX_ABS = 1e8


class Optimizer:
    """Base class. Subclasses set ``name`` and implement :meth:`step`.

    ``step(x, g, state, lr=..., t=..., objective=...)`` receives the current
    points ``x`` (n, d), the gradients ``g`` (n, d) at ``x``, a dict ``state``
    made by :meth:`init_state` (per-start arrays such as a velocity), the
    learning rate of this step and the step index t = 0, 1, ... It returns the
    new points (n, d) and may update ``state`` in place.
    """

    name = "optimizer"

    def __init__(self, lr: float):
        self.lr = check_positive("lr", lr)

    def init_state(self, x: np.ndarray) -> dict[str, Any]:
        return {}

    def step(self, x: np.ndarray, g: np.ndarray, state: dict, *, lr: float, t: int, objective) -> np.ndarray:
        raise NotImplementedError

    def hyperparameters(self) -> dict[str, Any]:
        """The constructor's arguments, e.g. {"lr": 0.1}."""
        return {"lr": self.lr}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"


class GD(Optimizer):
    """Gradient descent (slide 12): θ_{k+1} = θ_k − α ∇L(θ_k).

    lr : the learning rate α > 0.
    """

    name = "GD"

    def step(self, x, g, state, *, lr, t, objective):
        return x - lr * g


@dataclass
class Trajectory:
    """What ``run`` recorded.

    points     : (T + 1, d) for one start, (T + 1, n, d) for n starts; T is the
                 largest number of steps any start took. A start that stopped
                 early (converged or diverged) stays at its last point.
    values     : L(θ_k), shape (T + 1,) or (T + 1, n).
    grad_norms : ‖g_k‖ of the gradient used at θ_k (a minibatch gradient for
                 SGD), same shape as values.
    status     : "converged", "diverged" or "max_steps" (an array of them for n starts);
                 "failed" when a distributed run lost a worker (``distributed.sgd``).
    stop_step  : the step at which it stopped (an int array for n starts):
                 converged at step k means ‖θ_k − θ_{k−1}‖ < tol; diverged at
                 step k means step k left the finite region and was not taken.
    lrs        : the learning rate used at each step, shape (T,).
    seconds    : wall-clock time since the start of the run at each recorded
                 point, shape (T + 1,) (for loss-versus-time plots).
    notes      : what the optimiser reported along the way (e.g. Newton's
                 (step, start, "indefinite", λ_min) curvature events).
    """

    points: np.ndarray
    grad_norms: np.ndarray
    status: Any
    stop_step: Any
    lrs: np.ndarray
    optimizer: str = "GD"
    objective: Any = None
    reason: Any = None
    seconds: np.ndarray | None = None
    notes: list = field(default_factory=list)
    _values: np.ndarray | None = field(default=None, repr=False)

    @property
    def values(self) -> np.ndarray:
        if self._values is None:  # minibatch runs compute the full loss only on request
            with np.errstate(all="ignore"):
                self._values = np.asarray(self.objective(self.points), dtype=float)
        return self._values

    @property
    def batched(self) -> bool:
        return self.points.ndim == 3

    @property
    def final(self) -> np.ndarray:
        """The last point(s): (d,) or (n, d)."""
        return self.points[-1]

    @property
    def message(self) -> str:
        """A status line such as "converged in 23 steps" or "diverged at step 7"."""
        if self.batched:
            stat = np.asarray(self.status)
            parts = [f"{np.sum(stat == s)} {s.replace('_', ' ')}" for s in ("converged", "diverged", "max_steps")
                     if np.any(stat == s)]
            return f"{stat.size} starts: " + ", ".join(parts)
        if self.status == "converged":
            return f"converged in {self.stop_step} step{'s' if self.stop_step != 1 else ''}"
        if self.status == "diverged":
            return f"diverged at step {self.stop_step}" + (f" ({self.reason})" if self.reason else "")
        if self.status == "failed":  # e.g. a lost worker in distributed.sgd
            return f"failed at step {self.stop_step}" + (f" ({self.reason})" if self.reason else "")
        return f"stopped after {self.stop_step} steps (step limit), L = {self.values[-1]:.4g}"

    def __len__(self) -> int:
        return self.points.shape[0]


def _norms(a: np.ndarray) -> np.ndarray:
    """Row norms ‖a_i‖ of an (n, d) array."""
    return np.sqrt(np.einsum("ij,ij->i", a, a))


def run(objective, optimizer: Optimizer, x0, steps: int = 100, tol: float | None = None, *,
        batch_size: int | None = None, seed: int | None = None,
        schedule: Callable[[int], float] | None = None, max_abs: float = MAX_ABS,
        record: bool = True, delay: int = 0) -> Trajectory:
    """Run ``optimizer`` on ``objective`` from ``x0``.

    objective  : an Objective (value, grad, dim). For minibatches it must also
                 have ``n_samples`` and accept ``grad(x, idx=indices)``.
    optimizer  : GD(lr) or any other Optimizer.
    x0         : (d,) one start, or (n, d) n starts run together (for a 1D
                 objective also a number, or n numbers).
    steps      : the largest number of steps, an integer >= 0.
    tol        : the lecture's stopping rule: stop when ‖θ_{k+1} − θ_k‖ < tol
                 (slide 23). None runs all ``steps``.
    batch_size : B for minibatch SGD (1 <= B <= n_samples); batches are drawn by
                 epochs, shuffled, without replacement, from ``seed``.
    schedule   : t -> factor; step t uses the learning rate lr · schedule(t).
    max_abs    : a coordinate beyond ±max_abs, or a non-finite point or loss,
                 counts as divergence: that step is not taken and the start stops.
    record     : False keeps only the start and the last point (points of shape
                 (2, n, d), values and grad_norms (2, n)): for maps over many
                 starts that need only where each run ended.
    delay      : τ >= 0, stale gradients (asynchronous SGD, simulated in-process
                 and deterministically): step t applies the gradient computed at
                 θ_{t−τ} (at θ_0 while t < τ), e.g. GD becomes
                 θ_{t+1} = θ_t − α ∇L(θ_{max(t−τ, 0)}). Each point's gradient
                 (and minibatch) is still computed once, in order; grad_norms then
                 hold the norm of the gradient applied at each step. τ = 0 is the
                 usual run.

    Returns a Trajectory. Never prints numpy warnings, whatever the learning rate.
    Raises TypeError/ValueError for bad arguments, naming the parameter.
    """
    if not (hasattr(objective, "grad") and hasattr(objective, "dim") and callable(objective)):
        raise TypeError(f"objective must be an Objective (value, grad, dim), got {type(objective).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer such as GD(lr=0.1), got {type(optimizer).__name__}")
    steps = check_int("steps", steps, low=0)
    if tol is not None:
        tol = check_positive("tol", tol)
    max_abs = check_positive("max_abs", max_abs)
    if not isinstance(record, bool):
        raise TypeError(f"record must be True or False, got {record!r}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be callable t -> factor or None, got {type(schedule).__name__}")
    delay = check_int("delay", delay, low=0)
    x = as_points("x0", x0, objective.dim)
    if x.ndim > 2 or (x.ndim == 2 and objective.dim == 1 and np.ndim(x0) > 1 and np.shape(x0)[-1] != 1):
        raise ValueError(f"x0 must have shape ({objective.dim},) or (n, {objective.dim}), got {np.shape(x0)}")
    single = x.ndim == 1
    x = np.array(x.reshape(-1, objective.dim))
    n = x.shape[0]

    batches = None
    if batch_size is not None:
        n_samples = getattr(objective, "n_samples", None)
        if n_samples is None:
            raise ValueError("batch_size needs an objective over data (with n_samples), e.g. LeastSquares(X, y)")
        batch_size = check_int("batch_size", batch_size, low=1, high=n_samples)
        # one gradient at the start plus one per step: only that many indices are drawn
        batches = epoch_batches(n_samples, batch_size, np.random.default_rng(seed), steps=steps + 1)

    value_fn = getattr(objective, "value_raw", objective)
    grad_fn = getattr(objective, "grad_raw", objective.grad)

    def gradient(points):
        return grad_fn(points) if batches is None else objective.grad(points, idx=next(batches))

    clock = time.perf_counter()
    with np.errstate(all="ignore"):
        state = optimizer.init_state(x)
        g = gradient(x)
        v = np.asarray(value_fn(x), dtype=float) if batches is None else None
        status = np.full(n, "max_steps", dtype=object)
        reason = np.full(n, None, dtype=object)
        stop = np.full(n, steps)
        bad0 = ~np.all(np.isfinite(g), axis=-1)
        if v is not None:
            bad0 |= ~np.isfinite(v)
        status[bad0], stop[bad0], reason[bad0] = "diverged", 0, "loss or gradient undefined at the start"
        active = ~bad0
        history = deque([g], maxlen=delay + 1) if delay else None  # fresh gradients; [0] is τ steps old
        pts, vals, gns, lrs = [x], [v], [_norms(g)], []
        stamps = [time.perf_counter() - clock]
        all_active = bool(active.all())
        for t in range(steps):
            lr = optimizer.lr if schedule is None else optimizer.lr * float(schedule(t))
            if not (np.isfinite(lr) and lr > 0):
                raise ValueError(f"schedule({t}) gave the learning rate {lr!r}; it must stay positive and finite")
            lrs.append(lr)
            x_new = np.asarray(optimizer.step(x, g, state, lr=lr, t=t, objective=objective), dtype=float)
            if np.abs(x_new).max(initial=0.0) <= max_abs:  # the usual case, one reduction (NaN fails it)
                ok = np.ones(n, dtype=bool)
            else:
                ok = (np.abs(x_new) <= max_abs).all(axis=-1)  # False for NaN and inf too
            if v is not None:
                v_new = np.asarray(value_fn(x_new), dtype=float)
                ok &= np.isfinite(v_new)
            bad = ~ok if all_active else active & ~ok
            if bad.any():
                reason[bad] = np.where(np.isfinite(x_new[bad]).all(axis=-1),
                                       np.where((np.abs(x_new[bad]) <= max_abs).all(axis=-1),
                                                "the loss became inf/NaN", f"|θ| exceeded {max_abs:g}"),
                                       "θ became inf/NaN")
                status[bad], stop[bad] = "diverged", t + 1
            keep = bad if all_active else bad | ~active
            if keep.any():
                x_new = np.where(keep[:, None], x, x_new)
                if v is not None:
                    v_new = np.where(keep, v, v_new)
            if tol is not None:
                conv = (_norms(x_new - x) < tol) & ~keep
                status[conv], stop[conv] = "converged", t + 1
                keep = keep | conv
            if keep.any():
                active = active & ~keep
                all_active = False
            x, v = x_new, v_new if v is not None else None
            g_new = gradient(x)
            if history is not None:
                history.append(g_new)
                g_new = history[0]  # the gradient at θ_{max(t+1−τ, 0)}
            g = g_new if all_active else np.where(active[:, None], g_new, g)
            if not record:  # keep the start and the latest point only
                del pts[1:], vals[1:], gns[1:], stamps[1:]
            pts.append(x)
            vals.append(v)
            gns.append(_norms(g))
            stamps.append(time.perf_counter() - clock)
            if not all_active and not active.any():
                break

    stop[active] = len(lrs)
    points, grad_norms = np.stack(pts), np.stack(gns)
    values = np.stack(vals) if batches is None else None
    if single and record:
        k = int(stop[0])
        length = max(k if status[0] == "diverged" else k + 1, 1)  # a diverged step was not taken
        return Trajectory(points[:length, 0], grad_norms[:length, 0], str(status[0]), k,
                          np.asarray(lrs[:max(length - 1, 0)]), optimizer.name, objective, reason[0],
                          np.asarray(stamps[:length]), list(getattr(optimizer, "events", [])),
                          None if values is None else values[:length, 0])
    if single:
        return Trajectory(points[:, 0], grad_norms[:, 0], str(status[0]), int(stop[0]), np.asarray(lrs),
                          optimizer.name, objective, reason[0], np.asarray(stamps),
                          list(getattr(optimizer, "events", [])), None if values is None else values[:, 0])
    return Trajectory(points, grad_norms, status.astype(str), stop.astype(int), np.asarray(lrs),
                      optimizer.name, objective, reason, np.asarray(stamps), list(getattr(optimizer, "events", [])),
                      values)
