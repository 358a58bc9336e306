"""Minibatch SGD: epochs, unbiasedness, variance ~ 1/B, schedules, mean-versus-sum."""
import numpy as np
import pytest

from i2dl_helpers import data
from i2dl_helpers.nn import TwoLayerNet
from i2dl_helpers.objectives import LeastSquares, NetLoss
from i2dl_helpers.optim import GD, Constant, ExponentialDecay, InverseTime, StepDecay, run
from i2dl_helpers.data import epoch_batches
from i2dl_helpers.timing import Clocked, time_per_call, time_to_target, timed_run


@pytest.fixture(scope="module")
def problem():
    X, y, _ = data.linear_regression(1000, 4, noise=0.5, seed=1, correlation=0.5)
    return LeastSquares(X, y)


class Recording(LeastSquares):
    """LeastSquares that remembers every minibatch run() asks for."""

    def __init__(self, X, y):
        super().__init__(X, y)
        self.batches = []

    def grad(self, w, idx=None):
        if idx is not None:
            self.batches.append(np.array(idx))
        return super().grad(w, idx)


# ---------------------------------------------------------------- epochs ---------------
@pytest.mark.parametrize("B", [1, 7, 64, 1000])
def test_each_epoch_visits_every_sample_once(problem, B):
    obj = Recording(problem.X, problem.y)
    n = obj.n_samples
    per_epoch = -(-n // B)
    run(obj, GD(0.01), np.zeros(4), steps=2 * per_epoch - 1, batch_size=B, seed=3)
    assert len(obj.batches) == 2 * per_epoch  # one gradient per step plus the start's
    for e in range(2):
        epoch = np.concatenate(obj.batches[e * per_epoch:(e + 1) * per_epoch])
        assert np.array_equal(np.sort(epoch), np.arange(n))
    assert not np.array_equal(np.concatenate(obj.batches[:per_epoch]),
                              np.concatenate(obj.batches[per_epoch:])) or B == n


@pytest.mark.parametrize("B", [1, 10, 40, 300])
def test_epoch_mean_of_minibatch_gradients_is_the_full_gradient(problem, B):
    w = np.array([0.5, -1.0, 2.0, 0.0])
    gen = epoch_batches(problem.n_samples, B, np.random.default_rng(0))
    n_batches = -(-problem.n_samples // B)
    total = np.zeros(4)
    for _ in range(n_batches):  # weight each batch mean by its size (the last one may be smaller)
        idx = next(gen)
        total += len(idx) * problem.grad(w, idx=idx)
    assert np.allclose(total / problem.n_samples, problem.grad(w), rtol=1e-12, atol=1e-12)


def test_minibatch_gradient_is_unbiased(problem):
    w = np.array([1.0, 1.0, -1.0, 0.5])
    rng = np.random.default_rng(5)
    draws = np.array([problem.grad(w, idx=rng.choice(problem.n_samples, 16, replace=False))
                      for _ in range(4000)])
    stderr = draws.std(axis=0) / np.sqrt(len(draws))
    assert np.all(np.abs(draws.mean(axis=0) - problem.grad(w)) < 4 * stderr)


def test_variance_falls_as_one_over_batch_size(problem):
    w = np.array([1.0, -0.5, 0.3, 2.0])
    per = problem.per_sample_grads(w)
    n = problem.n_samples
    sigma2 = per.var(axis=0, ddof=0).sum()  # total variance of one sample's gradient
    rng = np.random.default_rng(0)
    measured = {}
    for B in (1, 4, 16, 64):
        gen = epoch_batches(n, B, rng)
        g = np.array([problem.grad(w, idx=next(gen)) for _ in range(3000)])
        measured[B] = ((g - problem.grad(w)) ** 2).sum(axis=1).mean()
        # sampling without replacement: σ²/B · (n − B)/(n − 1)
        expected = sigma2 / B * (n - B) / (n - 1)
        assert measured[B] == pytest.approx(expected, rel=0.1)
    slope = np.polyfit(np.log(list(measured)), np.log(list(measured.values())), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.05)


# ---------------------------------------------------------------- run with batches ----
def test_run_rejects_bad_batch_sizes(problem):
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        run(problem, GD(0.1), np.zeros(4), steps=5, batch_size=0)
    with pytest.raises(ValueError, match="batch_size must be an integer <= 1000"):
        run(problem, GD(0.1), np.zeros(4), steps=5, batch_size=1001)
    with pytest.raises(ValueError, match="negative|tol must be"):
        run(problem, GD(0.1), np.zeros(4), steps=5, tol=-1e-3)


def test_sgd_constant_step_noise_ball_versus_decaying_step(problem):
    lr = 0.2 / problem.smoothness
    w0 = np.zeros(4)
    const = run(problem, GD(lr), w0, steps=3000, batch_size=1, seed=0)
    decay = run(problem, GD(lr), w0, steps=3000, batch_size=1, seed=0, schedule=InverseTime(k=0.01))
    ball = problem.excess(const.points[1500:]).mean()
    assert ball > 0  # a constant step never settles: the excess loss stays above zero
    assert problem.excess(decay.final) < 0.2 * ball
    assert const.lrs[-1] == pytest.approx(lr) and decay.lrs[-1] == pytest.approx(lr / (1 + 0.01 * 2999))


def test_full_batch_run_matches_closed_form_gd(problem):
    lr = 1.0 / problem.smoothness
    traj = run(problem, GD(lr), np.zeros(4), steps=20)
    w = np.zeros(4)
    H, b = 2 * problem.X.T @ problem.X / 1000, 2 * problem.X.T @ problem.y / 1000
    for _ in range(20):
        w = w - lr * (H @ w - b)
    assert np.allclose(traj.final, w, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- schedules ------------
def test_schedule_formulas():
    t = np.arange(12)
    assert np.allclose(Constant()(t), 1.0)
    assert np.allclose(InverseTime(k=0.5)(t), 1 / (1 + 0.5 * t))
    assert np.allclose(InverseTime(k=0.5, power=0.6)(t), (1 + 0.5 * t) ** -0.6)
    assert np.allclose(StepDecay(every=5, gamma=0.1)(t), [1] * 5 + [0.1] * 5 + [0.01] * 2)
    assert np.allclose(ExponentialDecay(0.9)(t), 0.9 ** t)
    assert isinstance(StepDecay(every=5, gamma=0.1)(7), float)


def test_schedules_robbins_monro():
    assert not Constant().robbins_monro
    assert InverseTime(k=0.1).robbins_monro
    assert InverseTime(k=0.1, power=0.75).robbins_monro
    assert not InverseTime(k=0.1, power=0.5).robbins_monro  # Σ 1/t diverges
    assert not InverseTime(k=0.0).robbins_monro
    assert not StepDecay(10, 0.5).robbins_monro and not ExponentialDecay(0.99).robbins_monro
    # the numbers behind it: Σα grows without bound for 1/t, stays bounded for γ^t
    s1, q1 = InverseTime(k=1.0).partial_sums(100_000)
    assert s1 == pytest.approx(np.log(100_000) + 0.5772, abs=0.01)  # harmonic series
    assert q1 == pytest.approx(np.pi ** 2 / 6, abs=1e-4)
    s2, _ = ExponentialDecay(0.9).partial_sums(10_000)
    assert s2 == pytest.approx(10.0)


@pytest.mark.parametrize("make, match", [
    (lambda: InverseTime(k=-1), "k must be"),
    (lambda: InverseTime(k=1, power=1.5), "power must be"),
    (lambda: StepDecay(every=0), "every must be"),
    (lambda: StepDecay(every=10, gamma=0), "gamma must be"),
    (lambda: ExponentialDecay(1.2), "gamma must be"),
    (lambda: Constant()(-1), "t must be a step index"),
])
def test_schedule_bad_inputs(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_schedules_work_with_run(problem):
    sched = StepDecay(every=3, gamma=0.5)
    traj = run(problem, GD(0.1), np.zeros(4), steps=9, schedule=sched)
    assert np.allclose(traj.lrs, 0.1 * np.array([1, 1, 1, .5, .5, .5, .25, .25, .25]))


def test_clocked_records_one_time_per_point(problem):
    clock = Clocked(InverseTime(k=1.0))
    clock.start()
    traj = run(problem, GD(0.1), np.zeros(4), steps=5, schedule=clock)
    clock.stop()
    times = clock.elapsed(len(traj))
    assert times.shape == (6,) and np.all(np.diff(times) >= 0) and times[0] >= 0
    assert np.allclose(traj.lrs, 0.1 / (1 + np.arange(5)))
    with pytest.raises(ValueError, match="call stop"):
        clock.elapsed(10)


# ---------------------------------------------------------------- mean versus sum --------
def test_mean_and_sum_give_the_same_path_once_lr_is_rescaled():
    X, y = data.nonlinear_regression(50, seed=0)  # n = 50: not a power of two, so round-off shows
    net = TwoLayerNet(1, 8, 1, seed=2)
    theta0 = net.get_flat()
    lr = 0.05
    mean = run(NetLoss(net, X, y, "mean"), GD(lr), theta0, steps=100)
    summ = run(NetLoss(net, X, y, "sum"), GD(lr / 50), theta0, steps=100)
    assert np.allclose(mean.points, summ.points, rtol=1e-10, atol=1e-12)
    assert np.allclose(summ.values, 50 * mean.values, rtol=1e-10)
    # and the same α on the sum loss is a 50× larger step: a different path
    other = run(NetLoss(net, X, y, "sum"), GD(lr), theta0, steps=5)
    assert not np.allclose(other.points[1], mean.points[1])


def test_timed_run_and_time_to_target(problem):
    traj, seconds = timed_run(problem, GD(1.0 / problem.smoothness), np.zeros(4), steps=30)
    assert seconds.shape == (31,) and np.all(np.diff(seconds) >= 0)
    gap = problem.excess(traj.points)
    k, t = time_to_target(gap, seconds, 0.01 * gap[0])
    assert gap[k] <= 0.01 * gap[0] and (k == 0 or gap[k - 1] > 0.01 * gap[0]) and t == seconds[k]
    assert time_to_target(gap, seconds, -1.0) == (-1, float("inf"))
    assert 0 < time_per_call(lambda: problem.grad(np.zeros(4)), repeats=2, min_time=0.001) < 0.1


# ---------------------------------------------------------------- explorer ---------------
def test_sgd_explorer_noise_ball():
    from i2dl_helpers.widgets import SGDExplorer

    e = SGDExplorer(lr=0.05, batch_size=1, schedule="constant", steps=800, renderer="image")
    assert e.error_text == "" and "Σα_t² = ∞" in e.status_text
    ball_b1 = e.noise_ball
    e.controls["schedule"].value = "1/t"
    assert "meets Robbins–Monro" in e.status_text
    assert e.noise_ball < 0.2 * e.noise_ball_constant  # the decaying step leaves the noise ball
    e.controls["schedule"].value = "constant"
    e.controls["batch_size"].value = 32
    assert e.noise_ball < ball_b1 / 4  # larger batches: less noise
    e.controls["batch_size"].value = 200  # B = n: full-batch GD, no noise ball
    assert e.noise_ball < 1e-10
    e.controls["lr"].value = 1.0
    e.controls["batch_size"].value = 1
    assert "diverged" in e.status_text and e.error_text == ""
    xs, _ = e._path.get_data()
    assert len(xs) == len(e.trajectory)
    e.close()


def test_minibatch_variance_helper(problem):
    from i2dl_helpers.data import minibatch_variance

    w = np.array([0.5, 0.5, -0.5, 1.0])
    Bs = [1, 8, 64, 1000]
    measured, predicted = minibatch_variance(problem, w, Bs, draws=3000, seed=2)
    per = np.array([2 * x * (x @ w - t) for x, t in zip(problem.X, problem.y)])
    sigma2 = per.var(axis=0).sum()
    assert np.allclose(predicted[:3], sigma2 / np.array(Bs[:3]) * (1000 - np.array(Bs[:3])) / 999)
    assert np.allclose(measured[:3], predicted[:3], rtol=0.1)
    assert measured[3] < 1e-20 and predicted[3] == 0  # B = n: the full gradient, no noise
    with pytest.raises(ValueError, match="batch size must be an integer <= 1000"):
        minibatch_variance(problem, w, [2000])
