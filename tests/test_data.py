"""Synthetic data sets and the objectives over data (LeastSquares, NetLoss)."""
import numpy as np
import pytest

from i2dl_helpers import data
from i2dl_helpers.nn import TwoLayerNet
from i2dl_helpers.numdiff import numerical_grad, numerical_hessian
from i2dl_helpers.objectives import LeastSquares, NetLoss


# ------------------------------------------------------------------ data sets --------
def test_linear_regression_shapes_and_determinism():
    X, y, w = data.linear_regression(50, 3, noise=0.1, seed=4)
    assert X.shape == (50, 3) and y.shape == (50,) and w.shape == (3,)
    X2, y2, w2 = data.linear_regression(50, 3, noise=0.1, seed=4)
    assert np.array_equal(X, X2) and np.array_equal(y, y2) and np.array_equal(w, w2)
    X3, _, _ = data.linear_regression(50, 3, noise=0.1, seed=5)
    assert not np.array_equal(X, X3)


def test_linear_regression_statistics():
    rho, n, d, noise = 0.8, 200_000, 5, 0.3
    X, y, w = data.linear_regression(n, d, noise=noise, seed=0, correlation=rho)
    C = np.cov(X, rowvar=False)
    j = np.arange(d)
    assert np.allclose(C, rho ** np.abs(j[:, None] - j[None, :]), atol=0.01)  # AR(1) covariance
    assert abs(np.std(y - X @ w) - noise) < 0.01
    X0, y0, w0 = data.linear_regression(n, d, noise=0.0, seed=0)
    assert np.allclose(np.cov(X0, rowvar=False), np.eye(d), atol=0.01)
    assert np.allclose(y0, X0 @ w0)


def test_linear_regression_no_copy_of_the_buffer():
    X, y, _ = data.linear_regression(1000, 4, seed=0, correlation=0.5)
    assert X.base is not None and X.base.shape == (4, 1000)  # a view of the generated buffer
    obj = LeastSquares(X, y)
    assert obj.X is X  # the objective keeps the array itself


def test_ar1_condition_number():
    assert data.ar1_condition_number(1, 0.8) == pytest.approx(1.0)
    assert data.ar1_condition_number(2, 0.8) == pytest.approx(1.8 / 0.2)  # eigenvalues 1 ± ρ
    big = data.ar1_condition_number(400, 0.8)
    assert 78 < big < 81  # tends to ((1 + ρ)/(1 − ρ))² = 81


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(n=0, d=2), ValueError, "n must be"),
    (dict(n=10, d=0), ValueError, "d must be"),
    (dict(n=10, d=2, noise=-1.0), ValueError, "noise must be"),
    (dict(n=10, d=2, correlation=1.0), ValueError, "correlation must be"),
    (dict(n=2.5, d=2), TypeError, "n must be an integer"),
])
def test_linear_regression_bad_inputs(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        data.linear_regression(**kwargs)


def test_nonlinear_regression():
    X, y = data.nonlinear_regression(30, noise=0.0, seed=1)
    assert X.shape == (30, 1) and y.shape == (30, 1)
    assert np.all(np.diff(X[:, 0]) >= 0) and X.min() >= -3 and X.max() <= 3
    assert np.allclose(y[:, 0], np.sin(1.5 * X[:, 0]) + 0.3 * X[:, 0])
    with pytest.raises(ValueError, match="noise"):
        data.nonlinear_regression(10, noise=-0.1)


@pytest.mark.parametrize("n, B, steps", [(10, 3, None), (101, 7, None), (64, 64, None), (5, 1, 2),
                                         (1000, 64, 5), (1000, 10, 0), (1000, 10, 99), (1000, 10, 100)])
def test_epoch_batches_visit_every_sample_once_per_epoch(n, B, steps):
    # with steps known, the first epoch starts with rng.choice; taking more batches than promised
    # still completes every epoch correctly
    gen = data.epoch_batches(n, B, np.random.default_rng(1), steps=steps)
    per_epoch = -(-n // B)
    epochs = []
    for _ in range(3):
        batches = [next(gen) for _ in range(per_epoch)]
        assert all(len(b) == B for b in batches[:-1]) and 1 <= len(batches[-1]) <= B
        order = np.concatenate(batches)
        assert np.array_equal(np.sort(order), np.arange(n))
        epochs.append(order)
    assert n < 10 or not np.array_equal(epochs[0], epochs[1])


@pytest.mark.parametrize("steps", [None, 2])
def test_epoch_batches_order_is_uniform(steps):
    # the position of each sample within an epoch is uniform over 0..n-1, also when the first
    # `steps` batches come from rng.choice and the rest from a shuffle of the unused indices
    n, B, trials = 8, 2, 8000
    rng = np.random.default_rng(0)
    counts = np.zeros((n, n))
    for _ in range(trials):
        gen = data.epoch_batches(n, B, rng, steps=steps)
        order = np.concatenate([next(gen) for _ in range(n // B)])
        counts[order, np.arange(n)] += 1
    expected = trials / n
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 49 + 4 * np.sqrt(2 * 49)  # 49 degrees of freedom: mean 49, sd ≈ 10


def test_epoch_batches_bad_inputs():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        next(data.epoch_batches(10, 0, rng))
    with pytest.raises(ValueError, match="batch_size must be an integer <= 10"):
        next(data.epoch_batches(10, 11, rng))
    with pytest.raises(TypeError, match="rng must be"):
        next(data.epoch_batches(10, 2, 0))
    with pytest.raises(ValueError, match="steps must be"):
        next(data.epoch_batches(10, 2, rng, steps=-1))


# ------------------------------------------------------------------ LeastSquares ------
@pytest.fixture
def ls():
    X, y, _ = data.linear_regression(40, 3, noise=0.5, seed=2, correlation=0.6)
    return LeastSquares(X, y), X, y


def test_least_squares_value_grad_hessian(ls):
    obj, X, y = ls
    rng = np.random.default_rng(0)
    W = rng.normal(size=(4, 3))
    direct = np.array([np.mean([(X[i] @ w - y[i]) ** 2 for i in range(len(y))]) for w in W])
    assert np.allclose(obj(W), direct, rtol=1e-12)
    assert np.allclose(obj.value_direct(W), direct, rtol=1e-12)
    assert np.allclose(obj.grad(W), numerical_grad(obj.value_direct, W), atol=1e-6)
    assert np.allclose(obj.hessian(W[0]), numerical_hessian(obj.grad, W[0]), atol=1e-5)
    # vectorised over (..., d)
    assert obj(W.reshape(2, 2, 3)).shape == (2, 2)
    assert obj.grad(W.reshape(2, 2, 3)).shape == (2, 2, 3)
    assert obj.hessian(W.reshape(2, 2, 3)).shape == (2, 2, 3, 3)


def test_least_squares_minimiser_and_smoothness(ls):
    obj, X, y = ls
    w_ref = np.linalg.lstsq(X, y, rcond=None)[0]
    assert np.allclose(obj.w_star, w_ref, atol=1e-12)
    assert obj.loss_star == pytest.approx(np.mean((X @ w_ref - y) ** 2), rel=1e-12)
    assert np.allclose(obj.grad(obj.w_star), 0, atol=1e-12)
    eig = np.linalg.eigvals(2 * X.T @ X / len(y)).real
    assert obj.smoothness == pytest.approx(eig.max(), rel=1e-12)
    assert obj.condition_number == pytest.approx(eig.max() / eig.min(), rel=1e-10)
    w = np.array([1.0, -2.0, 0.5])
    assert obj.excess(w) == pytest.approx(obj.value_direct(w) - obj.loss_star, rel=1e-10)


def test_least_squares_minibatch_and_per_sample(ls):
    obj, X, y = ls
    w = np.array([0.3, -0.7, 1.1])
    idx = np.array([3, 17, 17, 0, 39])
    explicit = np.mean([2 * X[i] * (X[i] @ w - y[i]) for i in idx], axis=0)
    assert np.allclose(obj.grad(w, idx=idx), explicit, rtol=1e-12)
    per = obj.per_sample_grads(w)
    assert per.shape == (40, 3)
    single = lambda i: (lambda v: (X[i] @ v - y[i]) ** 2)
    assert np.allclose(per[7], numerical_grad(single(7), w), atol=1e-6)
    assert np.allclose(per.mean(axis=0), obj.grad(w), rtol=1e-12)
    assert np.allclose(obj.per_sample_grads(w, idx).mean(axis=0), explicit)
    W = np.stack([w, 2 * w])
    assert obj.grad(W, idx=idx).shape == (2, 3)
    assert np.allclose(obj.grad(W, idx=idx)[1], obj.grad(2 * w, idx=idx))


def test_least_squares_against_torch(ls):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[torch]' to run the reference checks")
    obj, X, y = ls
    w = np.array([0.2, 0.4, -1.0])
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    loss = torch.nn.functional.mse_loss(Xt @ wt, yt)
    loss.backward()
    assert obj(w) == pytest.approx(loss.item(), rel=1e-12)
    assert np.allclose(obj.grad(w), wt.grad.numpy(), rtol=1e-12)
    idx = np.array([1, 5, 9])
    wt.grad = None
    torch.nn.functional.mse_loss(Xt[idx] @ wt, yt[idx]).backward()
    assert np.allclose(obj.grad(w, idx=idx), wt.grad.numpy(), rtol=1e-12)


def test_least_squares_bad_inputs(ls):
    obj, X, y = ls
    with pytest.raises(ValueError, match="X must have shape"):
        LeastSquares(np.ones(5), np.ones(5))
    with pytest.raises(ValueError, match="y must have shape"):
        LeastSquares(np.ones((5, 2)), np.ones(4))
    with pytest.raises(ValueError, match="finite"):
        LeastSquares(np.full((3, 2), np.nan), np.ones(3))
    with pytest.raises(ValueError, match="idx must hold row indices"):
        obj.grad(np.zeros(3), idx=np.array([0, 40]))
    with pytest.raises(ValueError, match="idx must hold row indices"):
        obj.grad(np.zeros(3), idx=np.array([-1]))
    with pytest.raises(ValueError, match="idx must be a non-empty"):
        obj.grad(np.zeros(3), idx=np.array([], dtype=int))
    with pytest.raises(ValueError, match="idx must be a non-empty"):
        obj.grad(np.zeros(3), idx=np.array([0.5]))
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 3\)"):
        obj.grad(np.zeros(2))


# ------------------------------------------------------------------ NetLoss -----------
def test_net_loss_matches_network_and_finite_differences():
    X, y = data.nonlinear_regression(12, seed=3)
    net = TwoLayerNet(1, 5, 1, seed=1)
    obj = NetLoss(net, X, y)
    theta = net.get_flat()
    assert obj.dim == net.num_params
    assert obj(theta) == pytest.approx(net.loss(X, y), rel=1e-14)
    assert np.allclose(obj.grad(theta), numerical_grad(obj, theta), atol=1e-6)
    before = net.get_flat().copy()
    obj(theta + 1.0)
    assert np.array_equal(net.get_flat(), before)  # the caller's network is untouched
    s = NetLoss(net, X, y, reduction="sum")
    assert s(theta) == pytest.approx(12 * obj(theta), rel=1e-13)
    assert np.allclose(obj.grad(theta, idx=np.arange(12)), obj.grad(theta))
    assert obj(np.stack([theta, theta])).shape == (2,)


def test_net_loss_bad_inputs():
    X, y = data.nonlinear_regression(8, seed=0)
    net = TwoLayerNet(1, 3, 1, seed=0)
    with pytest.raises(ValueError, match="reduction must be"):
        NetLoss(net, X, y, reduction="avg")
    with pytest.raises(ValueError, match="X must have shape"):
        NetLoss(net, np.ones((8, 2)), y)
    with pytest.raises(TypeError, match="net must be a TwoLayerNet"):
        NetLoss("net", X, y)
    assert NetLoss(net, X, y)(np.full(net.num_params, 1e200)) == np.inf  # diverged θ: inf, no crash
