"""run() and GD: closed forms, the 2/L threshold, the stopping rule, batches, divergence, errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from i2dl_helpers.objectives import Objective, get, names
from i2dl_helpers.optim import GD, MAX_ABS, Optimizer, run


def test_gd_iterates_match_the_closed_form_on_a_quadratic():
    # L = a/2 x²  =>  x_k = (1 − αa)^k x_0
    a, lr, x0 = 3.0, 0.2, 1.7
    traj = run(get("quadratic", curvature=a), GD(lr), x0, steps=25)
    expected = x0 * (1 - lr * a) ** np.arange(26)
    assert np.allclose(traj.points[:, 0], expected, rtol=1e-13, atol=1e-15)
    assert np.allclose(traj.values, 0.5 * a * expected**2, rtol=1e-12, atol=1e-15)
    assert np.allclose(traj.grad_norms, np.abs(a * expected), rtol=1e-12, atol=1e-15)
    assert traj.status == "max_steps" and traj.stop_step == 25 and len(traj.lrs) == 25


def test_one_step_in_two_dimensions_by_hand():
    traj = run(get("rosenbrock"), GD(1e-3), [0.0, 0.0], steps=1)
    # ∇L(0, 0) = (−2, 0) for a = 1, b = 100
    assert np.allclose(traj.points[1], [0.002, 0.0])


@given(curvature=st.floats(0.1, 50), q=st.floats(0.05, 1.9), x0=st.floats(0.5, 3))
def test_converges_below_the_critical_learning_rate(curvature, q, x0):
    lr = q / curvature  # αL = q < 2
    traj = run(get("quadratic", curvature=curvature), GD(lr), x0, steps=5000, tol=1e-10)
    assert traj.status == "converged"
    assert abs(traj.final[0]) < 1e-7


@given(curvature=st.floats(0.1, 50), q=st.floats(2.1, 1e4), x0=st.floats(0.5, 3))
def test_diverges_above_the_critical_learning_rate(curvature, q, x0):
    lr = q / curvature  # αL = q > 2
    traj = run(get("quadratic", curvature=curvature), GD(lr), x0, steps=5000, tol=1e-10)
    assert traj.status == "diverged"
    # |x_k| = |1 − αa|^k |x0| first exceeds MAX_ABS at this step:
    k = int(np.floor(np.log(MAX_ABS / x0) / np.log(abs(1 - lr * curvature)))) + 1
    assert traj.stop_step in (k, k + 1)  # k + 1 only through round-off at the boundary
    assert np.all(np.abs(traj.points) <= MAX_ABS)  # the diverging step was not recorded
    assert traj.message.startswith(f"diverged at step {traj.stop_step}")


def test_stopping_rule_stops_at_the_first_small_step():
    a, lr, x0, tol = 1.0, 0.3, 2.0, 1e-4
    xs = x0 * (1 - lr * a) ** np.arange(200)
    first = int(np.argmax(np.abs(np.diff(xs)) < tol)) + 1  # ‖θ_k − θ_{k−1}‖ < ε
    traj = run(get("quadratic", curvature=a), GD(lr), x0, steps=200, tol=tol)
    assert traj.status == "converged" and traj.stop_step == first
    assert len(traj.points) == first + 1
    assert traj.message == f"converged in {first} steps"


def test_a_start_on_the_maximum_stays_there():
    traj = run(get("double_well"), GD(0.1), 0.0, steps=50)
    assert np.all(traj.points == 0.0)
    traj = run(get("double_well"), GD(0.1), 0.0, steps=50, tol=1e-12)
    assert traj.status == "converged" and traj.stop_step == 1


def test_the_start_decides_the_minimum_of_the_double_well():
    traj = run(get("double_well"), GD(0.05), [-1.8, -0.2, 0.2, 2.3], steps=2000, tol=1e-12)
    assert np.allclose(traj.final[:, 0], [-1.0, -1.0, 1.5, 1.5], atol=1e-8)


@pytest.mark.parametrize("name, lr", [("himmelblau", 0.01), ("double_well", 0.1), ("rosenbrock", 1e-3),
                                      ("ill_conditioned", 0.19), ("many_minima", 0.05), ("saddle", 0.5)])
def test_batched_run_equals_one_by_one(name, lr):
    obj = get(name)
    rng = np.random.default_rng(7)
    starts = rng.uniform(obj.domain[:, 0], obj.domain[:, 1], size=(25, obj.dim))
    batch = run(obj, GD(lr), starts, steps=300, tol=1e-6)
    assert batch.points.shape[1:] == (25, obj.dim)
    for i, x0 in enumerate(starts):
        one = run(obj, GD(lr), x0, steps=300, tol=1e-6)
        assert batch.status[i] == one.status and batch.stop_step[i] == one.stop_step
        k = len(one.points)
        assert np.array_equal(batch.points[:k, i], one.points)
        # after it stopped, a start stays where it stopped
        assert np.all(batch.points[k:, i] == one.points[-1])


def test_batched_divergence_is_per_start():
    q = get("quadratic", curvature=1.0)
    traj = run(q, GD(2.5), [0.0, 1.0, 1e-3], steps=500, tol=1e-9)
    assert list(traj.status) == ["converged", "diverged", "diverged"]
    assert traj.stop_step[1] < traj.stop_step[2]
    assert "2 diverged" in traj.message and "1 converged" in traj.message


@pytest.mark.parametrize("name", names())
@pytest.mark.parametrize("lr", [1e-3, 1.0, 1e3, 1e6])
def test_no_numpy_warning_for_any_learning_rate(name, lr):
    obj = get(name)
    starts = np.concatenate([obj.domain.T, [obj.domain.mean(1)], 50 * obj.domain.T])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(obj, GD(lr), starts, steps=200, tol=1e-9)
        for x0 in starts[:2]:
            run(obj, GD(lr), x0, steps=200)
    assert np.all(np.isfinite(traj.points))


def test_undefined_loss_counts_as_divergence_without_warnings():
    f = Objective(lambda x: np.log(x), lambda x: 1 / x, dim=1, domain=(0.1, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(f, GD(5.0), 1.0, steps=10)  # 1 − 5 = −4: log undefined
        assert traj.status == "diverged" and traj.stop_step == 1
        assert "loss" in traj.reason
        bad_start = run(f, GD(0.1), -1.0, steps=10)
    assert bad_start.status == "diverged" and bad_start.stop_step == 0


def test_schedule_scales_the_learning_rate():
    q = get("quadratic")
    half = run(q, GD(0.2), 2.0, steps=10, schedule=lambda t: 0.5)
    plain = run(q, GD(0.1), 2.0, steps=10)
    assert np.array_equal(half.points, plain.points)
    decay = run(q, GD(0.5), 2.0, steps=4, schedule=lambda t: 1 / (1 + t))
    assert np.allclose(decay.lrs, [0.5, 0.25, 0.5 / 3, 0.125])
    with pytest.raises(ValueError, match="schedule"):
        run(q, GD(0.5), 2.0, steps=4, schedule=lambda t: -1.0)


class _Recorder(Objective):
    """A data objective that records which samples each minibatch used."""

    def __init__(self, n):
        super().__init__(lambda x: x**2, lambda x: 2 * x, dim=1)
        self.n_samples, self.seen = n, []

    def grad(self, x, idx=None):
        self.seen.append(np.array(idx))
        return 2 * np.asarray(x)


def test_minibatches_are_drawn_by_epochs_without_replacement():
    obj = _Recorder(10)
    run(obj, GD(0.01), 1.0, steps=8, batch_size=3, seed=0)  # 1 initial + 8 gradients
    batches = obj.seen
    assert [len(b) for b in batches] == [3, 3, 3, 1, 3, 3, 3, 1, 3]
    for epoch in (batches[:4], batches[4:8]):
        assert sorted(np.concatenate(epoch).tolist()) == list(range(10))
    obj2 = _Recorder(10)
    run(obj2, GD(0.01), 1.0, steps=8, batch_size=3, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(batches, obj2.seen))  # seeded


class _Half(Optimizer):
    name = "half"

    def step(self, x, g, state, *, lr, t, objective):
        state["calls"] = state.get("calls", 0) + 1
        return x / 2


def test_custom_optimizer_protocol():
    traj = run(get("bowl"), _Half(1.0), [[8.0, 4.0], [2.0, 2.0]], steps=3)
    assert np.allclose(traj.points[-1], [[1.0, 0.5], [0.25, 0.25]])
    assert repr(GD(0.5)) == "GD(lr=0.5)"


@pytest.mark.parametrize("call, exc, match", [
    (lambda: GD(0.0), ValueError, "lr must be a positive"),
    (lambda: GD(-1.0), ValueError, "lr must be a positive"),
    (lambda: GD(float("nan")), ValueError, "lr must be a finite"),
    (lambda: GD(float("inf")), ValueError, "lr must be a finite"),
    (lambda: GD("0.1"), TypeError, "lr must be a real number"),
    (lambda: run(get("quadratic"), GD(0.1), 1.0, steps=-1), ValueError, "steps must be an integer >= 0"),
    (lambda: run(get("quadratic"), GD(0.1), 1.0, steps=2.5), TypeError, "steps must be an integer"),
    (lambda: run(get("quadratic"), GD(0.1), float("nan")), ValueError, "x0 must be finite"),
    (lambda: run(get("bowl"), GD(0.1), [1.0, 2.0, 3.0]), ValueError, r"x0 must have shape"),
    (lambda: run(get("bowl"), GD(0.1), np.zeros((2, 3, 2))), ValueError, r"x0 must have shape"),
    (lambda: run(get("quadratic"), GD(0.1), 1.0, tol=-1e-3), ValueError, "tol must be a positive"),
    (lambda: run(get("quadratic"), 0.1, 1.0), TypeError, "optimizer must be an Optimizer"),
    (lambda: run(lambda x: x, GD(0.1), 1.0), TypeError, "objective must be an Objective"),
    (lambda: run(get("quadratic"), GD(0.1), 1.0, batch_size=4), ValueError, "batch_size needs"),
    (lambda: run(_Recorder(5), GD(0.1), 1.0, batch_size=0), ValueError, "batch_size must be an integer >= 1"),
    (lambda: run(_Recorder(5), GD(0.1), 1.0, batch_size=6), ValueError, "batch_size must be an integer <= 5"),
    (lambda: run(get("quadratic"), GD(0.1), 1.0, schedule=3), TypeError, "schedule must be callable"),
])
def test_bad_arguments_are_named(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_record_false_keeps_start_and_end_only():
    obj = get("himmelblau")
    starts = np.random.default_rng(1).uniform(-5, 5, size=(50, 2))
    full = run(obj, GD(0.01), starts, steps=150, tol=1e-8)
    light = run(obj, GD(0.01), starts, steps=150, tol=1e-8, record=False)
    assert light.points.shape == (2, 50, 2) and light.values.shape == (2, 50)
    assert np.array_equal(light.points[0], starts) and np.array_equal(light.points[-1], full.points[-1])
    assert np.array_equal(light.status, full.status) and np.array_equal(light.stop_step, full.stop_step)
    assert np.array_equal(light.values[-1], full.values[-1])
    one = run(obj, GD(0.01), starts[0], steps=150, tol=1e-8, record=False)
    assert one.points.shape == (2, 2) and np.array_equal(one.final, full.points[-1, 0])
    with pytest.raises(TypeError, match="record must be True or False"):
        run(obj, GD(0.01), starts[0], record="no")
