"""Wall-clock time of optimisation runs: loss against seconds, not only against steps.

``timed_run`` is ``optim.run`` plus one time stamp per step (taken by a
``Clocked`` schedule wrapper, so ``run`` itself is unchanged); ``time_per_call``
measures one call of a function (e.g. a full-batch gradient) robustly;
``time_to_target`` reads off when a run first got below a loss level.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from ._validate import check_int, check_positive

__all__ = ["Clocked", "timed_run", "time_per_call", "time_to_target"]


class Clocked:
    """Wrap a schedule (or none) and record the wall-clock time at which each step starts.

    ``run`` calls the schedule once per step, right after the gradient at θ_t is
    known, so ``times[t]`` (seconds since ``start()``) is when θ_t and its gradient
    were ready. Used to plot loss against seconds in the SGD-versus-GD race::

        clock = Clocked(); clock.start()
        traj = run(obj, GD(lr), w0, steps=100, schedule=clock)
        clock.stop()
        seconds = clock.elapsed(len(traj))   # one time per recorded point
    """

    def __init__(self, schedule=None):
        if schedule is not None and not callable(schedule):
            raise TypeError(f"schedule must be callable t -> factor or None, got {type(schedule).__name__}")
        self.schedule = schedule
        self._t0 = None
        self._stamps: list[float] = []

    def start(self) -> None:
        self._stamps = []
        self._t0 = time.perf_counter()

    def __call__(self, t: int) -> float:
        if self._t0 is None:
            self.start()
        self._stamps.append(time.perf_counter())
        return 1.0 if self.schedule is None else float(self.schedule(t))

    def stop(self) -> None:
        """Mark the end of the run (the time of the last point)."""
        self._stamps.append(time.perf_counter())

    def elapsed(self, n_points: int | None = None) -> np.ndarray:
        """Seconds since ``start()`` at which each point θ_k and its gradient were ready.

        n_points : the trajectory's length; the clock must hold that many stamps
                   (call ``stop()`` after ``run`` to stamp the last point).
        """
        if self._t0 is None:
            raise ValueError("the clock was never started: call start() before run()")
        times = np.asarray(self._stamps) - self._t0
        if n_points is None:
            return times
        if len(times) < n_points:
            raise ValueError(f"the clock holds {len(times)} stamps, fewer than n_points={n_points}: "
                             "call stop() after run()")
        return times[:n_points]


def timed_run(objective, optimizer, x0, steps: int = 100, *, schedule=None, **run_kwargs):
    """``optim.run`` that also returns the seconds at which each point θ_k (with its gradient) was ready.

    Accepts every argument of ``run`` (tol, batch_size, seed, schedule, ...).
    Returns (Trajectory, seconds) with seconds of shape (len(trajectory),).
    """
    from .optim import run

    clock = Clocked(schedule)
    clock.start()
    traj = run(objective, optimizer, x0, steps, schedule=clock, **run_kwargs)
    clock.stop()
    return traj, clock.elapsed(len(traj))


def time_per_call(f: Callable[[], object], *, repeats: int = 5, min_time: float = 0.02,
                  threads: int | None = None) -> float:
    """Median seconds of one call of ``f()`` over ``repeats`` rounds; each round loops until it
    has run for at least ``min_time`` seconds, so fast calls are timed accurately.

    threads : None (leave the BLAS/OpenMP thread pools as they are) or a number of threads to
              limit them to while timing (via ``threadpoolctl``, installed with scikit-learn;
              without it the limit is skipped). ``threads=1`` gives the same conditions on every
              machine: a multi-threaded BLAS on a busy machine makes mid-sized matrix products
              erratic (a 10⁵-row gradient measured 16 ms with threads, 0.4 ms without).
    """
    if not callable(f):
        raise TypeError(f"f must be callable with no arguments, got {type(f).__name__}")
    repeats = check_int("repeats", repeats, low=1)
    min_time = check_positive("min_time", min_time)
    if threads is not None:
        threads = check_int("threads", threads, low=1)
    with _thread_limit(threads):
        rounds = []
        for _ in range(repeats):
            calls, t0 = 0, time.perf_counter()
            while True:
                f()
                calls += 1
                elapsed = time.perf_counter() - t0
                if elapsed >= min_time:
                    break
            rounds.append(elapsed / calls)
    return float(np.median(rounds))


def _thread_limit(threads: int | None):
    """A context limiting the native thread pools to ``threads`` (a no-op for None or
    when threadpoolctl is missing)."""
    import contextlib

    if threads is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads)


def time_to_target(losses, seconds, target: float) -> tuple[int, float]:
    """(first k with losses[k] <= target, seconds[k]); (-1, inf) if the run never got there."""
    losses = np.asarray(losses, dtype=float)
    seconds = np.asarray(seconds, dtype=float)
    if losses.shape != seconds.shape:
        raise ValueError(f"losses and seconds must have the same shape, got {losses.shape} and {seconds.shape}")
    hit = np.flatnonzero(losses <= target)
    return (int(hit[0]), float(seconds[hit[0]])) if hit.size else (-1, float("inf"))
