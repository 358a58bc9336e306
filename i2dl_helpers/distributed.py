"""Data-parallel SGD on Dask workers, and stale gradients (asynchronous SGD).

**Synchronous data parallelism.** The n training rows are cut once into k
contiguous shards S_1 … S_k, one per Dask worker; the rows stay there. Each
step the driver draws the minibatch B_t exactly as ``optim.run`` does, sends θ_t
and the row indices of B_t ∩ S_s to the worker holding S_s, which returns the
mean gradient of its part, g_s = 1/b_s Σ_{i ∈ B_t ∩ S_s} ∇L_i(θ_t) with
b_s = |B_t ∩ S_s|. The driver combines them weighted by part size,

    ∇L_B(θ_t) = Σ_s (b_s / B) g_s ,      B = Σ_s b_s ,

which is the gradient of the combined batch: data-parallel SGD *is* SGD with
that batch, and its iterates equal ``run(problem, optimizer, x0, steps,
batch_size=B, seed=seed)`` to round-off, for any number of shards, even or not.
Only θ (d numbers), the batch's row indices and the gradients (d numbers per
worker) travel each step. With ``batch_size=None`` every worker returns the
gradient of its whole shard (full-batch gradient descent, weights n_s / n).
Problems: least squares (``LeastSquares``, the 10⁶ samples of notebook 06) and a
network's mean loss (``optim.training.MinibatchLoss``, e.g. the digits MLP), both
through ``ShardedObjective`` (also named ``ShardedLeastSquares``).

**Stale gradients.** ``optim.run(..., delay=τ)`` simulates asynchronous
workers deterministically: step t applies ∇L(θ_{t−τ}). On the quadratic
L = λθ²/2 gradient descent becomes θ_{k+1} = θ_k − q θ_{k−τ}, q = αλ, whose
characteristic polynomial is z^{τ+1} − z^τ + q; it is stable (every root inside
the unit circle) exactly for 0 < q < 2 sin(π / (2(2τ + 1))) (``delay_bound``),
which is 2 for τ = 0 and shrinks like π/(2τ) as τ grows. ``delay_rate`` and
``delay_bound_scan`` compute the same from the roots, numerically.

Dask is a dependency of the package, but an environment may still lack it (a
plain ``pip install`` of the package without its dependencies, an old environment).
This module imports without it; the functions that need a cluster raise an
ImportError that says how to install it, and ``dask_ready()`` lets a notebook skip
its cluster cells with one line each instead of failing. The staleness functions
need numpy only.

Clusters started here (``start_cluster``, ``local_cluster``, ``sgd(client=None)``)
are closed by ``stop_cluster``, on leaving the ``with`` block, on error, and at
interpreter exit. Workers are spawned processes: a *script* that starts one needs
the ``if __name__ == "__main__":`` guard (notebooks do not).

**Threads on a hub.** On a JupyterHub (``JUPYTERHUB_USER`` is set) the workers are threads
of the notebook's own process instead (``processes=False``): each worker process costs
a Python interpreter of its own with numpy and Dask, and a class shares one node (notebook
09's kernel and workers peaked at 564 MB of PSS with processes, 497 MB with threads:
``benchmarks/notebook09_memory.py``). The workers still talk
to the scheduler and the client over TCP on 127.0.0.1 (the same messages, serialised),
compute the same gradients and give the same iterates, bit for bit. The environment
variable ``I2DL_DASK_PROCESSES`` decides where it is set (``1``: processes, ``0``:
threads), and ``start_cluster(processes=...)`` decides for one cluster.
"""
from __future__ import annotations

import atexit
import contextlib
import itertools
import logging
import os
import time
import uuid
import warnings
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from ._validate import check_int, check_positive
from .optim.base import Optimizer, Trajectory, run
from .optim.training import MinibatchLoss

__all__ = ["ShardedLeastSquares", "ShardedObjective", "StepTimes", "WorkerLost", "combine_gradients", "cost_model",
           "dask_ready", "delay_bound", "delay_bound_scan", "delay_rate", "have_dask", "local_cluster", "sgd",
           "start_cluster", "stop_cluster", "worker_processes"]

_INSTALL = ("pip install 'dask[distributed]' in this environment (conda: conda install dask distributed), "
            "or set the course up with `python3 course.py lab`, which installs everything")
_EXTRA = (f"i2dl_helpers.distributed needs Dask's scheduler, the package `distributed`, which is not installed: "
          f"{_INSTALL}")


def _require():
    """Import ``distributed`` (dask.distributed) or raise an ImportError saying how to install it."""
    try:
        import distributed as dd
    except ImportError as exc:
        raise ImportError(_EXTRA) from exc
    return dd


def have_dask() -> bool:
    """Whether Dask's distributed scheduler can be imported here."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


_told_missing = False   # dask_ready has explained the missing Dask once in this session


def dask_ready() -> bool:
    """True when Dask's distributed scheduler is installed, so a notebook cell can use a cluster:
    ``if dask_ready(): client = start_cluster(2)``. Otherwise False, after saying so: the first call
    explains what is missing and how to install it, every later call prints one line (the cell is skipped)."""
    global _told_missing
    if have_dask():
        return True
    if _told_missing:
        print("skipped: this cell needs Dask (see the note at the start of section 2)")
    else:
        _told_missing = True
        print("Dask is not installed in this environment, so this notebook cannot start a cluster. Every cell "
              "that needs one prints a single 'skipped' line; the rest of the notebook (the exercises, "
              "the linear scaling rule, stale gradients) runs as usual.\n"
              f"To run the cluster cells: {_INSTALL}; then restart the kernel and run the notebook again.")
    return False


# ---------------------------------------------------------------------------------------------------
# stale gradients: the delayed recurrence θ_{k+1} = θ_k − q θ_{k−τ}  (numpy only)

def delay_bound(tau) -> float | np.ndarray:
    """The largest stable q = αλ of delayed gradient descent on a quadratic:

        θ_{k+1} = θ_k − q θ_{k−τ} converges (for every start) iff 0 < q < 2 sin(π / (2(2τ + 1))).

    Derivation: at the edge of stability a root z = e^{iω} of z^τ (z − 1) + q = 0
    lies on the unit circle; |z − 1| = 2 sin(ω/2) = q and the phases give
    (2τ + 1) ω / 2 = π/2 (mod 2π). The smallest such q is the bound.
    tau : τ >= 0 (an integer or an integer array). Returns a float or an array.
    """
    t = np.asarray(tau)
    if t.dtype.kind not in "iu" and not (t.dtype.kind == "f" and np.all(t == np.round(t))):
        shown = repr(tau) if t.size <= 4 else f"an array of {t.dtype} with non-integer values"
        raise TypeError(f"tau must be a whole number >= 0 (or an array of them), got {shown}")
    if np.any(t < 0):
        raise ValueError(f"tau must be >= 0, got {tau!r}")
    out = 2.0 * np.sin(np.pi / (2.0 * (2.0 * t + 1.0)))
    return float(out) if out.ndim == 0 else out


def delay_rate(q, tau: int) -> float | np.ndarray:
    """Spectral radius ρ(q, τ): the largest |z| over the roots of z^{τ+1} − z^τ + q.

    The error of θ_{k+1} = θ_k − q θ_{k−τ} shrinks like ρᵏ when ρ < 1 and grows when ρ > 1.
    q : a number or an array of q = αλ. Returns ρ with the shape of q.
    """
    tau = check_int("tau", tau, low=0)
    qs = np.atleast_1d(np.asarray(q, dtype=float))
    if not np.all(np.isfinite(qs)):
        raise ValueError("q must be finite")
    if tau == 0:
        rho = np.abs(1.0 - qs)
    else:
        # companion matrices of z^{τ+1} − z^τ + q, all at once: eigenvalues = roots
        m = tau + 1
        C = np.zeros((qs.size, m, m))
        C[:, 0, 0] = 1.0
        C[:, 0, -1] = -qs
        C[:, np.arange(1, m), np.arange(m - 1)] = 1.0
        rho = np.abs(np.linalg.eigvals(C)).max(axis=-1)
    rho = rho.reshape(np.shape(q))
    return float(rho) if rho.ndim == 0 else rho


def delay_bound_scan(tau: int, q_grid=None) -> float:
    """The stability edge of θ_{k+1} = θ_k − q θ_{k−τ} found numerically, independently of
    the closed form: the first q of ``q_grid`` (default: 4001 points in (0, 2.2]) at which a
    root of z^{τ+1} − z^τ + q reaches the unit circle (ρ(q, τ) >= 1). The grid's spacing is
    its accuracy; stability is one interval (0, q*), so the first unstable point is the edge."""
    tau = check_int("tau", tau, low=0)
    q = np.linspace(0.0, 2.2, 4002)[1:] if q_grid is None else np.asarray(q_grid, dtype=float)
    if q.ndim != 1 or q.size < 2 or np.any(np.diff(q) <= 0):
        raise ValueError("q_grid must be an increasing 1D array of at least 2 values")
    unstable = delay_rate(q, tau) >= 1.0
    if not unstable.any():
        raise ValueError(f"no unstable q on the grid up to {q[-1]:g}: extend q_grid")
    return float(q[np.argmax(unstable)])


# ---------------------------------------------------------------------------------------------------
# the cost model of a synchronous step

def cost_model(compute_1: float, communication_1: float, communication_2: float, workers) -> dict[str, np.ndarray]:
    """Extrapolate the time of one synchronous step to k workers:  T(k) = C/k + c₀ + c₁ k.

    Assumptions (state them when you use it): the computation C measured on one worker
    splits evenly over k workers; the communication grows linearly with k (the driver
    sends θ to and gathers a gradient from every worker, one after the other), fitted
    through the two measurements c(1) = c₀ + c₁ and c(2) = c₀ + 2c₁ (c₁ is kept >= 1 %
    of c(1), since it cannot be negative and measured times are noisy); workers have
    their own cores. T is then smallest at k* = √(C / c₁).

    compute_1       : C, seconds of computation per step on one worker.
    communication_1 : c(1), seconds of communication per step with one worker.
    communication_2 : c(2), the same with two workers.
    workers         : the k to evaluate (integers >= 1).
    Returns {"workers", "compute", "communication", "total", "speedup"} (arrays over k;
    speedup = T(1)/T(k)) and "k_best" (k*, a float) and "per_worker" (c₁).
    """
    C = check_positive("compute_1", compute_1)
    c1m = check_positive("communication_1", communication_1)
    c2m = check_positive("communication_2", communication_2)
    k = np.asarray(workers, dtype=float)
    if k.ndim != 1 or k.size == 0 or np.any(k < 1) or np.any(k != np.round(k)):
        raise ValueError(f"workers must be a 1D list of whole numbers >= 1, got {workers!r}")
    per_worker = max(c2m - c1m, 0.01 * c1m)
    base = c1m - per_worker
    compute = C / k
    comm = base + per_worker * k
    total = compute + comm
    t1 = C + base + per_worker
    return {"workers": k.astype(int), "compute": compute, "communication": comm, "total": total,
            "speedup": t1 / total, "k_best": float(np.sqrt(C / per_worker)), "per_worker": per_worker}


# ---------------------------------------------------------------------------------------------------
# combining the workers' gradients

def combine_gradients(grads, counts) -> np.ndarray:
    """The minibatch gradient from per-worker parts: Σ_s (b_s / B) g_s with B = Σ_s b_s.

    grads  : (k, ..., d) the mean gradient g_s of each worker's part of the batch.
    counts : (k,) the part sizes b_s >= 0 (a worker with b_s = 0 contributes nothing).
    Returns (..., d).
    """
    g = np.asarray(grads, dtype=float)
    b = np.asarray(counts, dtype=float)
    if b.ndim != 1 or g.shape[:1] != b.shape:
        raise ValueError(f"counts must have shape ({g.shape[0] if g.ndim else '?'},), one per worker; got {b.shape}")
    if np.any(b < 0) or b.sum() <= 0:
        raise ValueError("counts must be >= 0 with a positive sum")
    used = b > 0  # an empty part has no gradient (its mean would be 0/0)
    w = (b[used] / b.sum()).reshape((-1,) + (1,) * (g.ndim - 1))
    return np.sum(w * g[used], axis=0)


# ---------------------------------------------------------------------------------------------------
# clusters

_STARTED: dict[int, tuple] = {}  # id(client) -> (client, cluster) started by this module


_PROCESSES_ENV = "I2DL_DASK_PROCESSES"
_YES, _NO = ("1", "true", "yes", "processes"), ("0", "false", "no", "threads")


def worker_processes(processes: bool | None = None) -> bool:
    """Whether ``start_cluster`` makes worker processes (True) or worker threads (False).

    ``processes`` True or False decides; None (the default) reads ``I2DL_DASK_PROCESSES``
    (``1``/``processes`` or ``0``/``threads``), and without it: threads on a JupyterHub
    (``JUPYTERHUB_USER`` set, one node serves a class), processes elsewhere."""
    if processes is not None:
        if not isinstance(processes, bool):
            raise ValueError(f"processes must be True, False or None (from {_PROCESSES_ENV}), not {processes!r}")
        return processes
    raw = os.environ.get(_PROCESSES_ENV, "").strip().lower()
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    if raw:
        raise ValueError(f"{_PROCESSES_ENV} must be 1 (worker processes) or 0 (worker threads), not {raw!r}")
    return not os.environ.get("JUPYTERHUB_USER")


#: what a worker logs when its heartbeat meets the scheduler closing: an ERROR with a traceback, on a busy
#: machine at the end of a run (dask/distributed issue #7105), shown under the notebook's cell
_CLOSING_HEARTBEAT = "Failed to communicate with scheduler during heartbeat"


class _HeartbeatAtClose(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_CLOSING_HEARTBEAT)


def dask_setup(worker) -> None:
    """Run by every worker of ``start_cluster`` as it starts (dask's ``preload`` of this module; also a worker
    the nanny restarts): the worker's logger drops the heartbeat error of a closing cluster; every other log
    line, and every task's error, still shows."""
    log = logging.getLogger("distributed.worker")
    if not any(isinstance(f, _HeartbeatAtClose) for f in log.filters):
        log.addFilter(_HeartbeatAtClose())


def start_cluster(n_workers: int = 2, *, threads_per_worker: int = 1, processes: bool | None = None):
    """Start a ``LocalCluster`` of ``n_workers`` workers on the loopback interface and
    return a connected ``distributed.Client``. Close it with ``stop_cluster(client)``
    (it is also closed at interpreter exit). The workers are processes, or threads of this
    process on a JupyterHub (``worker_processes``: ``processes``, ``I2DL_DASK_PROCESSES``);
    either way they talk over TCP on 127.0.0.1."""
    dd = _require()
    n_workers = check_int("n_workers", n_workers, low=1, high=64)
    threads_per_worker = check_int("threads_per_worker", threads_per_worker, low=1)
    processes = worker_processes(processes)
    with warnings.catch_warnings():  # a second cluster on this machine moves its status port: not news
        warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
        cluster = dd.LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=processes,
                                  protocol="tcp://", host="127.0.0.1", dashboard_address=None,
                                  preload=[__name__])  # each worker runs dask_setup
    try:
        client = dd.Client(cluster)
        client.wait_for_workers(n_workers, timeout=60)
    except BaseException:
        cluster.close()
        raise
    _STARTED[id(client)] = (client, cluster)
    return client


def stop_cluster(client) -> None:
    """Close ``client`` and, if ``start_cluster`` made it, its cluster (worker processes end)."""
    client_cluster = _STARTED.pop(id(client), None)
    cluster = client_cluster[1] if client_cluster else None
    try:
        client.close()
    finally:
        if cluster is not None:
            cluster.close()


@atexit.register
def _stop_all() -> None:
    for client, _ in list(_STARTED.values()):
        with contextlib.suppress(Exception):
            stop_cluster(client)


@contextlib.contextmanager
def local_cluster(n_workers: int = 2, *, threads_per_worker: int = 1, processes: bool | None = None) -> Iterator:
    """``with local_cluster(2) as client: ...`` — a LocalCluster closed on exit and on error
    (``processes`` as in ``start_cluster``)."""
    client = start_cluster(n_workers, threads_per_worker=threads_per_worker, processes=processes)
    try:
        yield client
    finally:
        stop_cluster(client)


# ---------------------------------------------------------------------------------------------------
# the worker side (module-level functions: workers import them by name)

def _make_shard(X, y):
    """A shard as (Xᵀ (d, b) C-contiguous, y (b,)), freshly allocated on the worker: each
    feature's column is one contiguous row, which makes Xᵀθ and the gradient's sum two fast
    passes over memory. The copy matters: arrays deserialised from the network can start at
    an unaligned address, and numpy then skips BLAS (a matrix–vector product 4× slower)."""
    return (np.array(np.asarray(X, dtype=float).T, order="C", copy=True),
            np.array(y, dtype=float, order="C", copy=True))


def _make_model_part(model, X, y):
    """A model's shard: the mean loss of ``model`` over the rows X, y (fresh, aligned copies)."""
    return MinibatchLoss(model, np.array(X, order="C", copy=True), np.array(y, order="C", copy=True))


def _shard_grad(shard, points, local_idx):
    """On a worker: the mean gradient of the part (all rows if local_idx is None) for points
    (m, d) — 2/b Σ_i x_i (x_iᵀθ − y_i) for least squares, the model's backward pass otherwise;
    returns (gradient (m, d), b, compute seconds)."""
    start = time.perf_counter()
    if not isinstance(shard, tuple):  # a model's MinibatchLoss
        g = np.stack([shard.grad(p, idx=local_idx) for p in points])
        b = shard.n_samples if local_idx is None else local_idx.size
        return g, int(b), time.perf_counter() - start
    Xt, y = shard
    if local_idx is not None:
        Xt, y = Xt[:, local_idx], y[local_idx]
    r = points @ Xt - y                      # (m, b) residuals
    g = (r @ Xt.T) * (2.0 / y.size)          # (m, d)
    return g, int(y.size), time.perf_counter() - start


# ---------------------------------------------------------------------------------------------------
# the driver side

@dataclass
class StepTimes:
    """Seconds per gradient round (one per recorded point of the run), split in two:

    compute       : the slowest worker's own computation of its part (the critical path).
    communication : total − compute: serialisation, scheduling, transfer and the
                    driver's combination of the parts.
    total         : wall-clock seconds of the round at the driver.
    """

    compute: np.ndarray
    communication: np.ndarray
    total: np.ndarray

    def median(self) -> dict[str, float]:
        """Median seconds per round: {"compute", "communication", "total"}."""
        return {k: float(np.median(getattr(self, k))) for k in ("compute", "communication", "total")}


class WorkerLost(RuntimeError):
    """A gradient round failed (e.g. a worker died and its shard could not be recomputed).

    step       : the step whose gradient could not be computed (θ_step is the last point).
    trajectory : the Trajectory up to θ_step, everything computed before the failure.
    """

    def __init__(self, message: str, step: int, trajectory: Trajectory | None = None):
        super().__init__(message)
        self.step = step
        self.trajectory = trajectory


def _shard_sizes(n: int, shards, n_workers: int) -> np.ndarray:
    if shards is None:
        shards = n_workers
    if isinstance(shards, (int, np.integer)) and not isinstance(shards, bool):
        k = check_int("shards", shards, low=1, high=n)
        return np.array([a.size for a in np.array_split(np.arange(n), k)])
    try:
        sizes = np.asarray(shards)
    except Exception:
        sizes = np.asarray([])
    if sizes.ndim != 1 or sizes.size == 0 or sizes.dtype.kind not in "iu":
        raise TypeError(f"shards must be a number of shards or a list of shard sizes (integers), got {shards!r}")
    if np.any(sizes < 1) or sizes.sum() != n:
        raise ValueError(f"shard sizes must be >= 1 and add up to n_samples = {n}, got {sizes.tolist()}")
    return sizes.astype(int)


class ShardedObjective:
    """A data objective whose rows live on Dask workers (sharded once): least squares, or a
    network's mean loss (e.g. the digits MLP).

    problem   : a LeastSquares(X, y), or an objective over a model's parameters with
                ``model``, X, y, n_samples, dim and ``grad(θ, idx)`` = the mean gradient over
                the rows idx (``optim.training.MinibatchLoss(nn.MLP(...), X, y)``); its rows
                are cut into contiguous shards. A model's shard is a MinibatchLoss of the same
                model over the shard's rows, built on the worker.
    client    : a connected ``distributed.Client``.
    shards    : None (one shard per worker), a number of shards, or a list of shard
                sizes adding up to n (uneven shards). Shard s goes to worker s mod k.
    recompute : True: each shard is made by a task from the driver's rows, so when a
                worker dies Dask recomputes the lost shard on another worker and the run
                completes. False: shards are scattered (no lineage): a lost worker stops
                the run with ``WorkerLost`` naming the step.
    timeout   : seconds to wait for one gradient round before giving up.

    Speaks the objective protocol ``run`` needs: ``dim``, ``n_samples``, value (on the
    driver, by the problem's own formula) and ``grad(θ, idx)`` (on the workers).
    ``times`` collects a (compute, communication, total) triple per gradient round.
    ``close()`` (or ``with``) releases the shards.
    """

    def __init__(self, problem, client, shards=None, *, recompute: bool = True, timeout: float = 60.0):
        dd = _require()
        for attr in ("X", "y", "n_samples", "dim"):
            if not hasattr(problem, attr):
                raise TypeError(f"problem must be a LeastSquares(X, y) or a MinibatchLoss(model, X, y) objective, "
                                f"got {type(problem).__name__}")
        model = getattr(problem, "model", None)
        if model is not None and not hasattr(model, "loss_and_grads"):
            raise TypeError(f"problem.model must have loss_and_grads(X, y) (e.g. nn.MLP), got {type(model).__name__}")
        make, extra = (_make_shard, ()) if model is None else (_make_model_part, (model,))
        if not isinstance(client, dd.Client):
            raise TypeError(f"client must be a distributed.Client, got {type(client).__name__}")
        if not isinstance(recompute, bool):
            raise TypeError(f"recompute must be True or False, got {recompute!r}")
        self.timeout = check_positive("timeout", timeout)
        self.problem, self.client, self.recompute = problem, client, recompute
        self.dim, self.n_samples = problem.dim, problem.n_samples
        self.name = getattr(problem, "name", "least_squares")
        workers = sorted(client.scheduler_info()["workers"])
        if not workers:
            raise ValueError("the client's cluster has no workers")
        self.sizes = _shard_sizes(self.n_samples, shards, len(workers))
        self.bounds = np.concatenate([[0], np.cumsum(self.sizes)])
        self.workers = [workers[s % len(workers)] for s in range(self.sizes.size)]
        X, y = problem.X, problem.y
        tag = uuid.uuid4().hex[:8]
        self._futures, raw = [], []
        for s, (lo, hi) in enumerate(zip(self.bounds[:-1], self.bounds[1:])):
            if recompute:  # the task holds its rows, so Dask can run it again on another worker
                with warnings.catch_warnings():  # the rows travel once, by design ("large graph")
                    warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
                    fut = client.submit(make, *extra, X[lo:hi], y[lo:hi], key=f"i2dl-shard-{tag}-{s}",
                                        workers=[self.workers[s]], allow_other_workers=True)
            else:  # the rows go straight to the worker, which makes its shard of them; no copy kept
                rows = client.scatter([X[lo:hi], y[lo:hi]], workers=[self.workers[s]], direct=True)
                fut = client.submit(make, *extra, *rows, key=f"i2dl-shard-{tag}-{s}", workers=[self.workers[s]],
                                    allow_other_workers=False)
                raw.append(rows)
            self._futures.append(fut)
        dd.wait(self._futures, timeout=self.timeout)
        del raw  # the scattered rows are forgotten once their shards exist
        self._dd = dd
        self.times: list[tuple[float, float, float]] = []
        self.failure: tuple[int, str] | None = None  # (round, message) of the first failed round
        self._rounds = 0

    # -- objective protocol ------------------------------------------------------------
    def __call__(self, w):
        return self.problem(w)

    def value_raw(self, w):
        return getattr(self.problem, "value_raw", self.problem)(w)

    def hessian(self, w):
        """∇²L on the driver, from the problem (for Newton-type optimisers; constant for least squares)."""
        return self.problem.hessian(w)

    def grad(self, w, idx=None) -> np.ndarray:
        """∇L(θ) (idx None: every worker's whole shard) or ∇L_B(θ) over the rows idx,
        computed by the workers and combined weighted by part size. θ: (..., d).
        After a failed round every gradient is NaN (``run`` then stops) and
        ``failure`` says why."""
        pts = np.asarray(w, dtype=float)
        flat = pts.reshape(-1, self.dim)
        round_ = self._rounds
        self._rounds += 1
        if self.failure is not None:
            return np.full(pts.shape, np.nan)
        start = time.perf_counter()
        if idx is None:
            parts = [(s, None) for s in range(self.sizes.size)]
        else:
            idx = np.asarray(idx)
            owner = np.searchsorted(self.bounds, idx, side="right") - 1
            parts = [(s, idx[owner == s] - self.bounds[s]) for s in range(self.sizes.size)]
            parts = [(s, li) for s, li in parts if li.size]
        # each part runs where its shard lives, so the rows never move (without the restriction
        # Dask may copy a shard to an idle worker); with recompute=True a task may go elsewhere
        # once its worker is gone
        futures = [self.client.submit(_shard_grad, self._futures[s], flat, li, pure=False, workers=[self.workers[s]],
                                      allow_other_workers=self.recompute) for s, li in parts]
        try:
            self._dd.wait(futures, timeout=self.timeout)
            results = self.client.gather(futures)
        except Exception as exc:  # a lost worker, a lost scattered shard, a timeout, ...
            self.client.cancel(futures)
            first = (str(exc).strip().splitlines() or [""])[0]
            self.failure = (round_, f"{type(exc).__name__}: {first}" if first else type(exc).__name__)
            return np.full(pts.shape, np.nan)
        g = combine_gradients([r[0] for r in results], [r[1] for r in results])
        total = time.perf_counter() - start
        compute = max(r[2] for r in results)
        self.times.append((compute, total - compute, total))
        return g.reshape(pts.shape)

    # -- housekeeping ------------------------------------------------------------------
    def step_times(self) -> StepTimes:
        """The recorded rounds as a StepTimes (arrays of seconds)."""
        a = np.asarray(self.times, dtype=float).reshape(-1, 3)
        return StepTimes(a[:, 0], a[:, 1], a[:, 2])

    def reset_times(self) -> None:
        self.times = []

    def close(self) -> None:
        """Release the shards on the workers."""
        futures, self._futures = self._futures, []
        if futures:
            with contextlib.suppress(Exception):
                self.client.cancel(futures)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n_samples={self.n_samples}, dim={self.dim}, shards={self.sizes.tolist()})"


#: the name the notebook uses for the sharded least-squares problem
ShardedLeastSquares = ShardedObjective


def sgd(problem, optimizer: Optimizer, x0, steps: int = 100, batch_size: int | None = None,
        seed: int | None = None, client=None, *, shards=None, recompute: bool = True, delay: int = 0,
        schedule: Callable[[int], float] | None = None, callback: Callable[[int], None] | None = None,
        n_workers: int = 2, timeout: float = 60.0) -> Trajectory:
    """Synchronous data-parallel SGD on Dask workers:

        θ_{t+1} = optimizer step with  ∇L_B(θ_t) = Σ_s (b_s/B) g_s,  g_s the gradient of worker s's part.

    Returns the Trajectory that ``optim.run(problem, optimizer, x0, steps,
    batch_size=batch_size, seed=seed)`` returns (equal iterates to round-off), with
    ``trajectory.timing`` a StepTimes (one round per recorded point).

    problem    : a LeastSquares or a MinibatchLoss(model, X, y) (sharded now, released
                 afterwards), or a ShardedObjective (sharded already: reused, so the data
                 travel only once for many runs).
    optimizer  : any Optimizer (GD, SGD with momentum, Adam, ...); it runs on the driver.
    x0, steps, batch_size, seed, schedule, delay : as for ``optim.run`` (batch_size None:
                 full-batch gradient descent over all shards).
    client     : a distributed.Client; None starts a 2-worker LocalCluster (``n_workers``)
                 for this run and closes it afterwards, also on error.
    shards, recompute, timeout : see ShardedObjective (ignored for a ShardedObjective).
    callback   : called as callback(t) after the gradient of θ_t is in (t = 0, 1, ...).
    Raises WorkerLost (with .step and .trajectory up to that step) when a round fails.
    """
    _require()
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable t -> None or None, got {type(callback).__name__}")
    if client is None and not isinstance(problem, ShardedObjective):
        with local_cluster(n_workers) as own:
            return sgd(problem, optimizer, x0, steps, batch_size, seed, own, shards=shards, recompute=recompute,
                       delay=delay, schedule=schedule, callback=callback, timeout=timeout)
    if isinstance(problem, ShardedObjective):
        sharded, owned = problem, False
    else:
        sharded, owned = ShardedObjective(problem, client, shards, recompute=recompute, timeout=timeout), True
    try:
        sharded.reset_times()
        sharded.failure = None
        sharded._rounds = 0
        target = sharded if callback is None else _Calling(sharded, callback)
        traj = run(target, optimizer, x0, steps, batch_size=batch_size, seed=seed, schedule=schedule, delay=delay)
    finally:
        if owned:
            sharded.close()
    traj.objective = sharded.problem
    traj.timing = sharded.step_times()
    if sharded.failure is not None:
        step, why = sharded.failure
        traj.reason = f"a gradient round failed: {why}"
        hint = "" if sharded.recompute else "; scattered shards cannot be recomputed (recompute=True can)"
        keep = min(step + 1, len(traj))
        if not traj.batched:
            traj.points, traj.grad_norms = traj.points[:keep], traj.grad_norms[:keep]
            traj.lrs, traj.stop_step, traj.status = traj.lrs[:max(keep - 1, 0)], step, "failed"
            traj._values = None
        raise WorkerLost(f"data-parallel SGD stopped at step {step}: the workers could not compute the gradient "
                         f"of θ_{step} ({why}){hint}. The trajectory up to θ_{step} is in .trajectory.", step, traj)
    return traj


class _Calling:
    """Wraps a ShardedObjective to call ``callback(t)`` after each gradient round."""

    def __init__(self, inner: ShardedObjective, callback: Callable[[int], None]):
        self._inner, self._callback, self._count = inner, callback, itertools.count()
        self.dim, self.n_samples, self.name = inner.dim, inner.n_samples, inner.name

    def __call__(self, w):
        return self._inner(w)

    def value_raw(self, w):
        return self._inner.value_raw(w)

    def hessian(self, w):
        return self._inner.hessian(w)

    def grad(self, w, idx=None):
        g = self._inner.grad(w, idx)
        self._callback(next(self._count))
        return g
