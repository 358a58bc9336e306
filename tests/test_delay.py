"""Stale gradients: ``run(..., delay=τ)`` and the stability bound of delayed gradient descent.

References are independent of ``run``: a hand-written loop of the recurrence
θ_{k+1} = θ_k − α ∇L(θ_{max(k−τ, 0)}), and a scan of the roots of z^{τ+1} − z^τ + q
(numpy.roots, one polynomial at a time) for the bound 2 sin(π/(2(2τ+1))).
"""
from __future__ import annotations

import numpy as np
import pytest

from i2dl_helpers.data import epoch_batches, linear_regression
from i2dl_helpers.distributed import delay_bound, delay_bound_scan, delay_rate
from i2dl_helpers.objectives import LeastSquares, get
from i2dl_helpers.optim import GD, SGD, Adam, run


@pytest.fixture(scope="module")
def problem():
    X, y, _ = linear_regression(500, 4, noise=0.3, seed=2, correlation=0.5)
    return LeastSquares(X, y)


def _delayed_loop(grad, x0, lr, steps, tau, batches=None):
    """θ_{k+1} = θ_k − α g_{max(k−τ,0)}, g_j the gradient at θ_j (on batch j)."""
    xs, gs = [np.array(x0, dtype=float)], []
    for k in range(steps):
        gs.append(grad(xs[k]) if batches is None else grad(xs[k], batches[k]))
        xs.append(xs[k] - lr * gs[max(k - tau, 0)])
    return np.array(xs)


@pytest.mark.parametrize("kwargs", [dict(), dict(batch_size=16, seed=4)], ids=["full", "minibatch"])
@pytest.mark.parametrize("opt", [GD(0.05), SGD(0.03, momentum=0.8), Adam(0.05)], ids=lambda o: o.name)
def test_delay_zero_is_the_usual_run(problem, opt, kwargs):
    a = run(problem, opt, np.zeros(4), 40, **kwargs)
    b = run(problem, opt, np.zeros(4), 40, delay=0, **kwargs)
    assert np.array_equal(a.points, b.points) and np.array_equal(a.grad_norms, b.grad_norms)
    assert a.status == b.status and a.stop_step == b.stop_step


@pytest.mark.parametrize("tau", [1, 3, 7])
def test_delayed_gd_matches_a_hand_written_loop(problem, tau):
    lr = 0.3 / problem.smoothness
    traj = run(problem, GD(lr), np.ones(4), 60, delay=tau)
    ref = _delayed_loop(problem.grad, np.ones(4), lr, 60, tau)
    np.testing.assert_allclose(traj.points, ref, rtol=0, atol=1e-12)


def test_delayed_sgd_uses_each_batch_once_in_order(problem):
    lr, tau, steps = 0.2 / problem.smoothness, 2, 50
    traj = run(problem, GD(lr), np.zeros(4), steps, batch_size=8, seed=11, delay=tau)
    gen = epoch_batches(problem.n_samples, 8, np.random.default_rng(11), steps=steps + 1)
    batches = [next(gen) for _ in range(steps)]
    ref = _delayed_loop(lambda w, idx: problem.grad(w, idx=idx), np.zeros(4), lr, steps, tau, batches)
    np.testing.assert_allclose(traj.points, ref, rtol=0, atol=1e-12)


def test_delay_with_many_starts_and_a_scalar_quadratic():
    obj = get("quadratic", curvature=2.0)
    starts = np.array([[1.0], [-0.5], [3.0]])
    traj = run(obj, GD(0.2), starts, 30, delay=2)
    q = 0.4
    for i, x0 in enumerate(starts[:, 0]):
        ref = _delayed_loop(lambda x: 2.0 * x, x0, 0.2, 30, 2)
        np.testing.assert_allclose(traj.points[:, i, 0], ref, rtol=0, atol=1e-14)
    assert delay_rate(q, 2) < 1 and np.all(np.abs(traj.points[-1]) < np.abs(starts))


def test_delay_can_make_a_stable_step_diverge_and_stops_cleanly():
    obj = get("quadratic", curvature=1.0)
    q = 1.5  # stable without delay (q < 2), beyond the τ = 1 bound (q < 1)
    assert run(obj, GD(q), 1.0, 200).status == "max_steps"
    traj = run(obj, GD(q), 1.0, 2000, delay=1)
    assert traj.status == "diverged" and "exceeded" in traj.reason


@pytest.mark.parametrize("bad", [-1, 1.5, "2", None])
def test_bad_delay_is_rejected(problem, bad):
    with pytest.raises((TypeError, ValueError), match="delay"):
        run(problem, GD(0.1), np.zeros(4), 5, delay=bad)


# -- the bound ---------------------------------------------------------------------------------

def _radius_by_roots(q, tau):
    return max(abs(np.roots([1.0, -1.0] + [0.0] * (tau - 1) + [q]))) if tau else abs(1 - q)


@pytest.mark.parametrize("tau", [0, 1, 2, 3, 5, 10])
def test_bound_agrees_with_a_scan_of_the_roots(tau):
    grid = np.linspace(0.001, 2.2, 2200)
    stable = np.array([_radius_by_roots(q, tau) < 1 for q in grid])
    edge = grid[np.argmin(stable)]            # first unstable grid point
    assert stable[:np.argmin(stable)].all(), "stability must be one interval (0, q*)"
    assert abs(edge - delay_bound(tau)) <= grid[1] - grid[0]
    assert abs(delay_bound_scan(tau) - delay_bound(tau)) < 1e-3


def test_bound_known_values_and_asymptotics():
    assert delay_bound(0) == pytest.approx(2.0)
    assert delay_bound(1) == pytest.approx(1.0)             # z² − z + q: product of roots q
    taus = np.arange(0, 40)
    bounds = delay_bound(taus)
    assert np.all(np.diff(bounds) < 0), "more staleness, smaller stable steps"
    assert bounds[-1] * (2 * 39 + 1) / np.pi == pytest.approx(1.0, rel=1e-3)  # ≈ π/(2τ+1)


def test_rate_matches_the_roots_and_the_simulation():
    for tau in (1, 4):
        for q in (0.1, 0.5, 0.9):
            assert delay_rate(q, tau) == pytest.approx(_radius_by_roots(q, tau), rel=1e-9)
    # the simulated error decays at the predicted rate
    obj, q, tau = get("quadratic", curvature=1.0), 0.2, 3
    traj = run(obj, GD(q), 1.0, 400, delay=tau)
    slope = np.log(abs(traj.points[400, 0]) / abs(traj.points[300, 0])) / 100
    assert np.exp(slope) == pytest.approx(delay_rate(q, tau), rel=2e-3)


def test_bound_input_checks():
    with pytest.raises(ValueError, match="tau"):
        delay_bound(-1)
    with pytest.raises(TypeError, match="tau"):
        delay_bound(0.5)
    with pytest.raises(ValueError, match="q_grid"):
        delay_bound_scan(2, [0.5, 0.1])


# -- the explorer ------------------------------------------------------------------------------

def test_staleness_explorer_follows_its_sliders():
    pytest.importorskip("ipywidgets")
    from i2dl_helpers.widgets import StalenessExplorer

    ex = StalenessExplorer(tau=0, q=0.4, steps=100, renderer="image")
    assert ex.error_text == "" and "converges" in ex.status_text and ex.rate == pytest.approx(0.6)
    for tau, stable in ((1, True), (3, True), (4, False), (10, False)):
        ex.controls["tau"].value = tau
        assert ex.error_text == ""
        assert (ex.rate < 1) == stable == (0.4 < delay_bound(tau)), tau
        assert ("does not converge" in ex.status_text) != stable
        ref = _delayed_loop(lambda x: x, 1.0, 0.4, 100, tau)
        np.testing.assert_allclose(ex.trajectory.points[:, 0], ref[:len(ex.trajectory)], rtol=0, atol=1e-9)
        assert ex.fresh.points.shape == (101, 1)
        assert tuple(np.ravel(ex._mark.get_data())) == (tau, 0.4)
    ex.controls["q"].value = 0.1
    assert ex.rate < 1 and "converges" in ex.status_text
    ex.controls["steps"].value = 300
    assert len(ex.trajectory) == 301
    with pytest.raises(ValueError, match="tau"):
        StalenessExplorer(tau=50)
