"""Data-parallel SGD on a real Dask LocalCluster (2 worker processes, loopback only).

* on a hub (JUPYTERHUB_USER) start_cluster's workers are threads (I2DL_DASK_PROCESSES overrides),
  with the same iterates as worker processes, bit for bit;

* parity: distributed.sgd equals optim.run on the combined batch to 1e-12, for 1 and 2 workers,
  uneven shards, minibatches and full batches, several optimisers;
* the combination Σ_s (b_s/B) g_s against the objective's own minibatch gradient;
* timing split into compute and communication;
* faults: a killed worker is recomputed (the run completes, equal iterates) or, with scattered
  shards, stops with WorkerLost naming the step and keeping the trajectory so far;
* clusters started by the helper leave no process behind (psutil), also on error;
* without dask the module imports and says which extra to install.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

from i2dl_helpers.data import linear_regression
from i2dl_helpers.objectives import LeastSquares
from i2dl_helpers.optim import GD, SGD, Adam, run

dd = pytest.importorskip("distributed", reason="the distributed tests need the `distributed` extra (dask)")
psutil = pytest.importorskip("psutil", reason="the process checks need psutil (the `test` extra)")

from i2dl_helpers import distributed as D  # noqa: E402


def _workers_and_nannies() -> set[int]:
    """Child processes of this test process, without Python's multiprocessing resource tracker."""
    return {p.pid for p in psutil.Process().children(recursive=True)
            if "resource_tracker" not in " ".join(p.cmdline())}


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():  # another cluster on this machine moves the status port: not news
        warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
        cluster = dd.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None)
    c = dd.Client(cluster)
    c.wait_for_workers(2, timeout=180)  # a worker process imports numpy and dask: slow on a loaded machine
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def problem():
    X, y, _ = linear_regression(3000, 6, noise=0.5, seed=5, correlation=0.6)
    return LeastSquares(X, y)


@pytest.fixture
def two_workers(client):
    client.wait_for_workers(2, timeout=180)  # after a kill, the nanny restarts the worker (slow when the machine is loaded)
    return client


@pytest.mark.parametrize("shards", [1, 2, [7, 2993], [1000, 1500, 500]], ids=["1 worker", "2 workers",
                                                                               "uneven", "3 uneven shards"])
@pytest.mark.parametrize("opt", [GD(0.05), SGD(0.02, momentum=0.9)], ids=lambda o: o.name)
def test_minibatch_iterates_equal_single_process_sgd(two_workers, problem, shards, opt):
    ref = run(problem, opt, np.zeros(6), 25, batch_size=32, seed=9)
    traj = D.sgd(problem, opt, np.zeros(6), 25, 32, 9, two_workers, shards=shards)
    assert traj.points.shape == ref.points.shape
    np.testing.assert_allclose(traj.points, ref.points, rtol=0, atol=1e-12)
    np.testing.assert_allclose(traj.grad_norms, ref.grad_norms, rtol=1e-12, atol=1e-12)
    assert traj.status == ref.status and traj.objective is problem
    np.testing.assert_allclose(traj.values, ref.values, rtol=1e-12)


def test_full_batch_and_many_starts_and_adam(two_workers, problem):
    starts = np.random.default_rng(0).standard_normal((3, 6))
    ref = run(problem, Adam(0.1), starts, 15)
    traj = D.sgd(problem, Adam(0.1), starts, 15, None, None, two_workers, shards=[2000, 1000])
    np.testing.assert_allclose(traj.points, ref.points, rtol=0, atol=1e-12)
    np.testing.assert_allclose(traj.values, ref.values, rtol=1e-12)


def test_the_digits_mlp_sharded_equals_single_process_sgd(two_workers):
    from i2dl_helpers.data import digits
    from i2dl_helpers.nn import MLP
    from i2dl_helpers.optim.training import MinibatchLoss

    X, y = digits(seed=0)[:2]
    problem = MinibatchLoss(MLP([64, 32, 10], seed=1), X, y)
    theta0 = problem.flat()
    ref = run(problem, SGD(0.1, momentum=0.9), theta0, 15, batch_size=64, seed=2)
    traj = D.sgd(problem, SGD(0.1, momentum=0.9), theta0, 15, 64, 2, two_workers, shards=[800, X.shape[0] - 800])
    np.testing.assert_allclose(traj.points, ref.points, rtol=0, atol=1e-12)
    assert traj.values[-1] < traj.values[0], "SGD should lower the MLP's training loss"


def test_newton_gets_its_hessian_on_the_driver(two_workers, problem):
    from i2dl_helpers.optim import Newton

    ref = run(problem, Newton(1.0), np.ones(6), 2)
    traj = D.sgd(problem, Newton(1.0), np.ones(6), 2, None, None, two_workers)
    np.testing.assert_allclose(traj.points, ref.points, rtol=0, atol=1e-12)


def test_sharded_once_reused_for_many_runs_with_delay(two_workers, problem):
    with D.ShardedLeastSquares(problem, two_workers, shards=[1200, 1800]) as sharded:
        keys = [f.key for f in sharded._futures]
        for seed, tau in ((1, 0), (2, 3)):
            ref = run(problem, GD(0.1), np.ones(6), 20, batch_size=50, seed=seed, delay=tau)
            traj = D.sgd(sharded, GD(0.1), np.ones(6), 20, 50, seed, None, delay=tau)
            np.testing.assert_allclose(traj.points, ref.points, rtol=0, atol=1e-12)
        assert [f.key for f in sharded._futures] == keys, "the shards must not be re-sent"
        assert sharded.sizes.tolist() == [1200, 1800] and len(set(sharded.workers)) == 2


def test_combination_is_the_batch_gradient(two_workers, problem):
    """Σ_s (b_s/B) g_s of the workers = the objective's own minibatch gradient (and a plain
    mean of the g_s would not be, for uneven parts)."""
    rng = np.random.default_rng(3)
    w = rng.standard_normal(6)
    idx = np.concatenate([rng.choice(1000, 5, replace=False), 1000 + rng.choice(2000, 45, replace=False)])
    with D.ShardedLeastSquares(problem, two_workers, shards=[1000, 2000]) as sharded:
        g = sharded.grad(w, idx=idx)
    np.testing.assert_allclose(g, problem.grad(w, idx=idx), rtol=1e-12, atol=1e-13)
    parts = [problem.grad(w, idx=idx[:5]), problem.grad(w, idx=idx[5:])]
    assert not np.allclose(np.mean(parts, axis=0), g)
    np.testing.assert_allclose(D.combine_gradients(parts, [5, 45]), g, rtol=1e-12)
    np.testing.assert_allclose(D.combine_gradients([parts[0], np.full(6, np.nan)], [5, 0]), parts[0])
    with pytest.raises(ValueError, match="counts"):
        D.combine_gradients(parts, [5])


def test_timing_is_split_into_compute_and_communication(two_workers, problem):
    traj = D.sgd(problem, GD(0.05), np.zeros(6), 10, 64, 0, two_workers)
    t = traj.timing
    assert t.compute.shape == t.communication.shape == t.total.shape == (len(traj),)
    assert np.all(t.compute > 0) and np.all(t.communication > 0)
    np.testing.assert_allclose(t.compute + t.communication, t.total)
    assert set(t.median()) == {"compute", "communication", "total"}


def _killer(client, at_step):
    pid = next(iter(client.run(os.getpid).values()))

    def callback(t):
        if t == at_step:
            proc = psutil.Process(pid)
            proc.kill()
            proc.wait(10)
    return callback


@pytest.mark.slow
def test_killed_worker_is_recomputed_and_the_run_completes(two_workers, problem):
    ref = run(problem, GD(0.05), np.zeros(6), 20, batch_size=64, seed=1)
    traj = D.sgd(problem, GD(0.05), np.zeros(6), 20, 64, 1, two_workers, callback=_killer(two_workers, 5))
    np.testing.assert_allclose(traj.points, ref.points, rtol=0, atol=1e-12)
    assert traj.status == "max_steps"


@pytest.mark.slow
def test_killed_worker_with_scattered_shards_stops_naming_the_step(two_workers, problem):
    ref = run(problem, GD(0.05), np.zeros(6), 20, batch_size=64, seed=1)
    with pytest.raises(D.WorkerLost, match=r"stopped at step \d+") as info:
        D.sgd(problem, GD(0.05), np.zeros(6), 20, 64, 1, two_workers, recompute=False,
              callback=_killer(two_workers, 5))
    err = info.value
    assert 5 <= err.step <= 7, err.step
    traj = err.trajectory
    assert len(traj) == err.step + 1 and traj.status == "failed"
    assert f"failed at step {err.step}" in traj.message
    np.testing.assert_allclose(traj.points, ref.points[:err.step + 1], rtol=0, atol=1e-12)
    assert np.all(np.isfinite(traj.values))


@pytest.mark.slow
def test_clusters_started_by_the_helper_leave_no_process(problem, monkeypatch):
    """sgd(client=None) starts a LocalCluster for the run; an error in the run closes it too."""
    monkeypatch.setenv("I2DL_DASK_PROCESSES", "1")  # worker processes, also inside a hub's terminal
    before = _workers_and_nannies()
    seen = []

    def fail_at_step_3(t):
        seen.append(len(_workers_and_nannies() - before))
        if t == 3:
            raise ZeroDivisionError("a failure in the middle of the run")

    with pytest.raises(ZeroDivisionError, match="middle of the run"):
        D.sgd(problem, GD(0.05), np.zeros(6), 10, 64, 0, None, callback=fail_at_step_3)
    assert min(seen) >= 2, "the run should have had its own worker processes"
    # none of the run's processes is left (a process of an earlier test, e.g. a kernel being shut down, may end
    # meanwhile: the set may shrink)
    assert not _workers_and_nannies() - before, "the workers must end when the run fails"
    assert not D._STARTED


def test_the_workers_heartbeat_at_close_reaches_no_notebook(monkeypatch):
    """A worker whose heartbeat meets the scheduler closing logs an ERROR with a traceback (dask/distributed
    issue #7105): on a busy machine it appeared under notebook 09's cells. start_cluster's workers drop that
    line and keep every other; a task that fails still raises in the client."""
    import logging

    def logged(msg):
        log = logging.getLogger("distributed.worker")
        record = log.makeRecord(log.name, logging.ERROR, __file__, 1, msg, (), None)
        return all(f.filter(record) for f in log.filters)

    monkeypatch.setenv("I2DL_DASK_PROCESSES", "1")
    client = D.start_cluster(1)
    try:
        heard = client.run(logged, "Failed to communicate with scheduler during heartbeat.")
        other = client.run(logged, "Compute Failed")
        assert list(heard.values()) == [False] and list(other.values()) == [True]
        with pytest.raises(ZeroDivisionError):
            client.submit(lambda: 1 / 0).result(timeout=60)
    finally:
        D.stop_cluster(client)


def test_bad_arguments(two_workers, problem):
    with pytest.raises(ValueError, match="shard sizes"):
        D.ShardedLeastSquares(problem, two_workers, shards=[10, 20])
    with pytest.raises(TypeError, match="shards"):
        D.ShardedLeastSquares(problem, two_workers, shards=[1.5, 2998.5])
    with pytest.raises(TypeError, match="client"):
        D.ShardedLeastSquares(problem, "tcp://127.0.0.1:1")
    with pytest.raises(TypeError, match="problem"):
        D.ShardedLeastSquares(object(), two_workers)
    with pytest.raises(TypeError, match="callback"):
        D.sgd(problem, GD(0.1), np.zeros(6), 3, 8, 0, two_workers, callback=3)


@pytest.mark.parametrize("env, processes, expected", [
    ({}, None, True),                                                     # a laptop, CI: processes
    ({"JUPYTERHUB_USER": "student01"}, None, False),                      # a hub: threads
    ({"JUPYTERHUB_USER": "student01", "I2DL_DASK_PROCESSES": "1"}, None, True),
    ({"I2DL_DASK_PROCESSES": "threads"}, None, False),
    ({"I2DL_DASK_PROCESSES": " 0 "}, None, False),
    ({"JUPYTERHUB_USER": "student01"}, True, True),                       # the argument wins
    ({"I2DL_DASK_PROCESSES": "1"}, False, False),
])
def test_worker_processes_or_threads(monkeypatch, env, processes, expected):
    for name in ("JUPYTERHUB_USER", "I2DL_DASK_PROCESSES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert D.worker_processes(processes) is expected


def test_worker_processes_bad_input(monkeypatch):
    monkeypatch.setenv("I2DL_DASK_PROCESSES", "maybe")
    with pytest.raises(ValueError, match="I2DL_DASK_PROCESSES"):
        D.worker_processes()
    with pytest.raises(ValueError, match="I2DL_DASK_PROCESSES"):
        D.start_cluster(2)
    with pytest.raises(ValueError, match="processes"):
        D.worker_processes("yes")
    assert not D._STARTED


def test_on_a_hub_the_workers_are_threads_with_the_same_iterates(monkeypatch, two_workers, problem):
    """JUPYTERHUB_USER set: start_cluster's workers live in this process (no child process), talk over
    TCP on 127.0.0.1, and give exactly the iterates of worker processes (and single-process SGD's to
    round-off, as the processes do)."""
    monkeypatch.delenv("I2DL_DASK_PROCESSES", raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "student01")
    opt, shards = SGD(0.02, momentum=0.9), [7, 2993]
    in_processes = D.sgd(problem, opt, np.zeros(6), 25, 32, 9, two_workers, shards=shards)
    before = _workers_and_nannies()
    client = D.start_cluster(2)
    try:
        workers = sorted(client.scheduler_info()["workers"])
        assert len(workers) == 2 and all(w.startswith("tcp://127.0.0.1:") for w in workers), workers
        assert not _workers_and_nannies() - before, "on a hub the workers should be threads, not processes"
        in_threads = D.sgd(problem, opt, np.zeros(6), 25, 32, 9, client, shards=shards)
    finally:
        D.stop_cluster(client)
    np.testing.assert_array_equal(in_threads.points, in_processes.points)
    np.testing.assert_array_equal(in_threads.values, in_processes.values)
    ref = run(problem, opt, np.zeros(6), 25, batch_size=32, seed=9)
    np.testing.assert_allclose(in_threads.points, ref.points, rtol=0, atol=1e-12)


def test_module_imports_without_dask_and_names_the_extra():
    code = ("import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None\n"
            "import numpy as np, i2dl_helpers.distributed as D\n"
            "assert D.delay_bound(1) > 0.99\n"
            "try:\n    D.start_cluster(2)\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "`distributed`" in out.stdout and "pip install" in out.stdout


def test_cost_model_reproduces_its_measurements_and_its_optimum():
    C, c1, c2 = 0.08, 0.012, 0.02
    m = D.cost_model(C, c1, c2, workers=np.arange(1, 65))
    assert m["total"][0] == pytest.approx(C + c1) and m["total"][1] == pytest.approx(C / 2 + c2)
    assert m["speedup"][0] == pytest.approx(1.0)
    best = int(m["workers"][np.argmin(m["total"])])
    assert best in (int(np.floor(m["k_best"])), int(np.ceil(m["k_best"])))
    assert m["k_best"] == pytest.approx(np.sqrt(C / (c2 - c1)))
    # a noisy measurement with c(2) < c(1) still gives a communication that grows with k
    noisy = D.cost_model(C, c1, 0.5 * c1, workers=[1, 2, 4])
    assert np.all(np.diff(noisy["communication"]) > 0) and noisy["total"][0] == pytest.approx(C + c1)
    with pytest.raises(ValueError, match="workers"):
        D.cost_model(C, c1, c2, workers=[0, 1])
    with pytest.raises(ValueError, match="compute_1"):
        D.cost_model(-1.0, c1, c2, workers=[1])


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.slow
def test_a_cluster_left_open_is_closed_at_exit(tmp_path):
    script = tmp_path / "left_open.py"
    script.write_text(
        "import os, psutil\n"
        "from i2dl_helpers import distributed as D\n"
        "if __name__ == '__main__':\n"
        "    client = D.start_cluster(2)\n"
        "    print(*[p.pid for p in psutil.Process().children(recursive=True)], flush=True)\n"
        "    # no stop_cluster: the interpreter exits with the cluster open\n")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, I2DL_DASK_PROCESSES="1"))
    assert out.returncode == 0, out.stderr
    pids = [int(p) for p in out.stdout.split()]
    assert len(pids) >= 2
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [p for p in pids if _running(p)]
        time.sleep(0.1)
    assert not alive, f"processes outlived the script: {alive}"
