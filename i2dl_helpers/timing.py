"""Wall-clock time of optimisation runs: loss against seconds, not only against steps.

``timed_run`` is ``optim.run`` plus one time stamp per step (taken by a
``Clocked`` schedule wrapper, so ``run`` itself is unchanged); ``time_per_call``
measures one call of a function (e.g. a full-batch gradient) robustly;
``time_to_target`` reads off when a run first got below a loss level;
``newton_step_cost`` times a Newton step against a GD step as the dimension grows.
Timings run with the BLAS on one thread where asked (``one_blas_thread``,
``time_per_call(threads=1)``), so they show the arithmetic, not thread scheduling.
"""
from __future__ import annotations

import contextlib
import ctypes
import time
from typing import Callable

import numpy as np

from ._validate import check_int, check_positive
from .optim import run

__all__ = ["Clocked", "newton_step_cost", "one_blas_thread", "timed_run", "time_per_call", "time_to_target"]


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


# -- the BLAS on one thread, and what a Newton step costs --------------------------------------
def _openblas_thread_functions():
    """(set_num_threads, get_num_threads) of the OpenBLAS loaded into this process, or None
    when none can be found (no /proc, another BLAS)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and line.split()[-1].startswith("/")}
        for path in paths:
            lib = ctypes.CDLL(path)
            for name in (f"{prefix}{{}}_num_threads{suffix}" for prefix in ("scipy_openblas_", "openblas_")
                         for suffix in ("64_", "")):
                if hasattr(lib, name.format("set")):
                    return getattr(lib, name.format("set")), getattr(lib, name.format("get"))
    except OSError:
        pass
    return None


@contextlib.contextmanager
def one_blas_thread():
    """Run numpy's OpenBLAS on one thread inside the block (if it can be found), so that
    timings show the arithmetic's growth, not thread scheduling on a busy machine.
    Yields True when the thread count was set, False when no OpenBLAS was found."""
    functions = _openblas_thread_functions()
    if functions is None:
        yield False
        return
    setter, getter = functions
    before = getter()
    setter(1)
    try:
        yield True
    finally:
        setter(before)


def newton_step_cost(dims, repeats: int = 5, seed: int = 0) -> dict[str, np.ndarray]:
    """Seconds per step of Newton and of GD on random d-dimensional quadratics, for each d in ``dims``.

    A Newton step solves a d×d system, (H + λI) s = ∇L: O(d³). A GD step only
    needs ∇L = Aθ − b: O(d²) here (a matrix–vector product). Each time is the best
    of ``repeats``, measured with the BLAS on one thread (where it can be set).
    Returns {"dims", "newton", "gd"} as arrays.
    """
    with one_blas_thread():
        return _step_cost(dims, repeats, seed)


def _step_cost(dims, repeats, seed):
    rng = np.random.default_rng(seed)
    dims = np.asarray([check_int("dims", int(d), low=1) for d in dims])
    newton, gd = [], []
    for d in dims:
        M = rng.normal(size=(d, d))
        A = M @ M.T + d * np.eye(d)
        b, theta = rng.normal(size=d), rng.normal(size=d)
        t_newton, t_gd = np.inf, np.inf
        for _ in range(repeats):
            tic = time.perf_counter()
            g = A @ theta - b
            theta_newton = theta - np.linalg.solve(A, g)
            t_newton = min(t_newton, time.perf_counter() - tic)
            tic = time.perf_counter()
            theta_gd = theta - 0.1 * (A @ theta - b)
            t_gd = min(t_gd, time.perf_counter() - tic)
        del theta_newton, theta_gd
        newton.append(t_newton)
        gd.append(t_gd)
    return {"dims": dims, "newton": np.array(newton), "gd": np.array(gd)}
