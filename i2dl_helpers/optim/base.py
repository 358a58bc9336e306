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

import numpy as np

from .._validate import as_points, check_int, check_positive
from ..data import epoch_batches
from ..formulas import formula
from . import rules

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

    The step is the SGD rule of ``optim.rules`` without momentum and weight decay (the one
    declaration of that arithmetic).
    """

    name = "GD"
    momentum, nesterov, weight_decay = 0.0, False, 0.0
    init_state = rules.numpy_init("SGD")
    step = rules.numpy_step("SGD")


@formula
def run_message(status, stop, reason, last):
    """Trajectory.message of one run: "converged in k steps", "diverged at step k (reason)", "failed at
    step k (reason)" or "stopped after k steps (step limit), L = <last value>"."""
    if status == "converged":
        return f"converged in {stop:d} step{'s' if stop != 1 else ''}"
    if status == "diverged" or status == "failed":
        return f"{status} at step {stop:d}" + (f" ({reason})" if reason else "")
    return f"stopped after {stop:d} steps (step limit), L = {last:.4g}"


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
    notes      : what the optimiser reported along the way through its state
                 (``state["notes"]``, e.g. Newton's (step, start, "indefinite",
                 λ_min) curvature events). Wall-clock time per step is measured by
                 ``timing.Clocked``, not here.
    """

    points: np.ndarray
    grad_norms: np.ndarray
    status: Any
    stop_step: Any
    lrs: np.ndarray
    optimizer: str = "GD"
    objective: Any = None
    reason: Any = None
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
        last = float(self.values[-1]) if self.status == "max_steps" else None  # minibatch runs: only when shown
        return run_message(str(self.status), int(self.stop_step), self.reason or "", last)

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
    x, single = _check_run(objective, optimizer, x0, steps=steps, tol=tol, max_abs=max_abs, record=record,
                           schedule=schedule, delay=delay)
    steps, delay = int(steps), int(delay)
    batches = _batches(objective, batch_size, seed, steps)
    loop = _Loop(objective, optimizer, x, batches, tol=tol, max_abs=max_abs, delay=delay)
    with np.errstate(all="ignore"):
        loop.start(steps)
        for t in range(steps):
            loop.step(t, _learning_rate(optimizer, schedule, t))
            if not record:  # keep the start and the latest point only
                loop.forget_middle()
            if loop.finished:
                break
    return loop.result(single, record)


def _check_run(objective, optimizer, x0, *, steps, tol, max_abs, record, schedule, delay):
    """run()'s argument checks; returns the starts as (n, d) and whether there was one start."""
    if not (hasattr(objective, "grad") and hasattr(objective, "dim") and callable(objective)):
        raise TypeError(f"objective must be an Objective (value, grad, dim), got {type(objective).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer such as GD(lr=0.1), got {type(optimizer).__name__}")
    check_int("steps", steps, low=0)
    if tol is not None:
        check_positive("tol", tol)
    check_positive("max_abs", max_abs)
    if not isinstance(record, bool):
        raise TypeError(f"record must be True or False, got {record!r}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be callable t -> factor or None, got {type(schedule).__name__}")
    check_int("delay", delay, low=0)
    x = as_points("x0", x0, objective.dim)
    if x.ndim > 2 or (x.ndim == 2 and objective.dim == 1 and np.ndim(x0) > 1 and np.shape(x0)[-1] != 1):
        raise ValueError(f"x0 must have shape ({objective.dim},) or (n, {objective.dim}), got {np.shape(x0)}")
    return np.array(x.reshape(-1, objective.dim)), x.ndim == 1


def _batches(objective, batch_size, seed, steps: int):
    """The minibatch index stream (epochs, shuffled, without replacement), or None for full batches."""
    if batch_size is None:
        return None
    n_samples = getattr(objective, "n_samples", None)
    if n_samples is None:
        raise ValueError("batch_size needs an objective over data (with n_samples), e.g. LeastSquares(X, y)")
    batch_size = check_int("batch_size", batch_size, low=1, high=n_samples)
    # one gradient at the start plus one per step: only that many indices are drawn
    return epoch_batches(n_samples, batch_size, np.random.default_rng(seed), steps=steps + 1)


def _learning_rate(optimizer, schedule, t: int) -> float:
    """α_t = α · schedule(t); a schedule that leaves the positive reals is an error."""
    lr = optimizer.lr if schedule is None else optimizer.lr * float(schedule(t))
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"schedule({t}) gave the learning rate {lr!r}; it must stay positive and finite")
    return lr


def _why_diverged(x_new: np.ndarray, max_abs: float) -> np.ndarray:
    """The reason for each rejected point (rows of x_new)."""
    finite = np.isfinite(x_new).all(axis=-1)
    inside = (np.abs(x_new) <= max_abs).all(axis=-1)
    return np.where(finite, np.where(inside, "the loss became inf/NaN", f"|θ| exceeded {max_abs:g}"),
                    "θ became inf/NaN")


class _Loop:
    """The state of one run over n starts: iterates, gradients, and which starts still move.

    Masks, each of shape (n,): ``active`` (still moving), and per step ``bad`` (the
    step left the finite region: not taken, the start diverged) and ``keep`` (the
    start stays where it is: bad, already stopped, or converged). ``all_active``
    skips the masking while no start has stopped (the common case).
    """

    def __init__(self, objective, optimizer, x, batches, *, tol, max_abs, delay):
        self.objective, self.optimizer, self.x, self.batches = objective, optimizer, x, batches
        self.tol, self.max_abs = tol, max_abs
        self.value_fn = getattr(objective, "value_raw", objective)
        self.grad_fn = getattr(objective, "grad_raw", objective.grad)
        n = x.shape[0]
        self.status = np.full(n, "max_steps", dtype=object)
        self.reason = np.full(n, None, dtype=object)
        self.history = deque(maxlen=delay + 1) if delay else None  # fresh gradients; [0] is τ steps old
        self.lrs: list[float] = []

    def gradient(self, points):
        if self.batches is None:
            return self.grad_fn(points)
        return self.objective.grad(points, idx=next(self.batches))

    def start(self, steps: int) -> None:
        x = self.x
        self.state = self.optimizer.init_state(x)
        self.g = self.gradient(x)
        self.v = np.asarray(self.value_fn(x), dtype=float) if self.batches is None else None
        self.stop = np.full(x.shape[0], steps)
        bad = ~np.all(np.isfinite(self.g), axis=-1)
        if self.v is not None:
            bad |= ~np.isfinite(self.v)
        self.status[bad], self.stop[bad], self.reason[bad] = "diverged", 0, "loss or gradient undefined at the start"
        self.active = ~bad
        self.all_active = bool(self.active.all())
        if self.history is not None:
            self.history.append(self.g)
        self.pts, self.vals, self.gns = [x], [self.v], [_norms(self.g)]

    @property
    def finished(self) -> bool:
        return not self.all_active and not self.active.any()

    def _acceptable(self, x_new, v_new) -> np.ndarray:
        """Rows of x_new inside ±max_abs with a finite loss (one reduction in the usual case)."""
        if np.abs(x_new).max(initial=0.0) <= self.max_abs:  # NaN fails this comparison too
            ok = np.ones(x_new.shape[0], dtype=bool)
        else:
            ok = (np.abs(x_new) <= self.max_abs).all(axis=-1)
        if v_new is not None:
            ok &= np.isfinite(v_new)
        return ok

    def _stopping(self, t: int, x_new, v_new):
        """Apply divergence and the stopping rule to step t; returns (x_new, v_new, keep)."""
        ok = self._acceptable(x_new, v_new)
        bad = ~ok if self.all_active else self.active & ~ok
        if bad.any():
            self.reason[bad] = _why_diverged(x_new[bad], self.max_abs)
            self.status[bad], self.stop[bad] = "diverged", t + 1
        keep = bad if self.all_active else bad | ~self.active
        if keep.any():
            x_new = np.where(keep[:, None], self.x, x_new)
            if v_new is not None:
                v_new = np.where(keep, self.v, v_new)
        if self.tol is not None:
            conv = (_norms(x_new - self.x) < self.tol) & ~keep
            self.status[conv], self.stop[conv] = "converged", t + 1
            keep = keep | conv
        return x_new, v_new, keep

    def step(self, t: int, lr: float) -> None:
        self.lrs.append(lr)
        x_new = np.asarray(self.optimizer.step(self.x, self.g, self.state, lr=lr, t=t, objective=self.objective),
                           dtype=float)
        v_new = None if self.v is None else np.asarray(self.value_fn(x_new), dtype=float)
        x_new, v_new, keep = self._stopping(t, x_new, v_new)
        if keep.any():
            self.active = self.active & ~keep
            self.all_active = False
        self.x, self.v = x_new, v_new
        g_new = self.gradient(x_new)
        if self.history is not None:
            self.history.append(g_new)
            g_new = self.history[0]  # the gradient at θ_{max(t+1−τ, 0)}
        self.g = g_new if self.all_active else np.where(self.active[:, None], g_new, self.g)
        self.pts.append(x_new)
        self.vals.append(v_new)
        self.gns.append(_norms(self.g))

    def forget_middle(self) -> None:
        del self.pts[1:-1], self.vals[1:-1], self.gns[1:-1]

    def result(self, single: bool, record: bool) -> Trajectory:
        """The Trajectory, built once: one start's arrays cut at its stop when recorded."""
        self.stop[self.active] = len(self.lrs)
        points, grad_norms = np.stack(self.pts), np.stack(self.gns)
        values = np.stack(self.vals) if self.batches is None else None
        lrs, status, stop, reason = np.asarray(self.lrs), self.status.astype(str), self.stop.astype(int), self.reason
        if single:
            k = int(stop[0])
            length = len(points)
            if record:
                length = max(k if status[0] == "diverged" else k + 1, 1)  # a diverged step was not taken
                lrs = lrs[:max(length - 1, 0)]
            points, grad_norms = points[:length, 0], grad_norms[:length, 0]
            values = None if values is None else values[:length, 0]
            status, stop, reason = str(status[0]), k, reason[0]
        notes = list(self.state.get("notes", []))
        return Trajectory(points=points, grad_norms=grad_norms, status=status, stop_step=stop, lrs=lrs,
                          optimizer=self.optimizer.name, objective=self.objective, reason=reason, notes=notes,
                          _values=values)
