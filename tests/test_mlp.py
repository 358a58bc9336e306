"""Softmax cross-entropy and the multi-layer perceptron: values, gradients, stability, contract.

Gradients are checked against central differences (independent of the backward pass) and,
with the torch extra, against torch autograd in float64 to 1e-12.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from i2dl_helpers.nn import MLP, gradient_check, softmax_cross_entropy


def _naive_ce(z, y):
    """−log softmax straight from the definition (fine for moderate logits)."""
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return float(np.mean(-np.log(p[np.arange(len(y)), y])))


def _numeric_dlogits(z, y, h=1e-6):
    g = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += h
        zm[idx] -= h
        g[idx] = (softmax_cross_entropy(zp, y)[0] - softmax_cross_entropy(zm, y)[0]) / (2 * h)
    return g


def test_softmax_ce_value_and_gradient():
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(7, 4)) * 2, rng.integers(0, 4, size=7)
    loss, dz = softmax_cross_entropy(z, y)
    assert loss == pytest.approx(_naive_ce(z, y), rel=1e-13)
    np.testing.assert_allclose(dz, _numeric_dlogits(z, y), rtol=1e-7, atol=1e-9)
    # each row of ∂L/∂z sums to 0 (softmax sums to 1, the one-hot too), divided by n
    np.testing.assert_allclose(dz.sum(axis=1), 0, atol=1e-16)


def test_uniform_logits_give_log_C():
    loss, dz = softmax_cross_entropy(np.zeros((3, 10)), [0, 5, 9])
    assert loss == pytest.approx(np.log(10), rel=1e-15)
    assert dz[0, 0] == pytest.approx((0.1 - 1) / 3) and dz[0, 1] == pytest.approx(0.1 / 3)


@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_softmax_ce_is_stable_for_huge_logits(scale):
    z = np.array([[1.0, 0.0, -1.0], [0.0, 2.0, 0.5]]) * scale
    y = np.array([0, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is exact enough
            loss, dz = softmax_cross_entropy(z, y)
    assert np.isfinite(loss) and np.isfinite(dz).all()
    # shifting all logits of a row by a constant changes nothing: compare with the shifted small problem
    # row 1 label 0 has margin 2·|scale| (for +) or its logit is the largest (for −)
    row_losses = [np.log(np.exp(z[i] - z[i].max()).sum()) + z[i].max() - z[i, 0] for i in range(2)]
    assert loss == pytest.approx(np.mean(row_losses), rel=1e-12)


@given(st.integers(0, 10_000), st.floats(-50, 50))
def test_softmax_ce_invariant_to_a_shift_per_row(seed, shift):
    rng = np.random.default_rng(seed)
    z, y = rng.normal(size=(5, 6)), rng.integers(0, 6, 5)
    a, ga = softmax_cross_entropy(z, y)
    b, gb = softmax_cross_entropy(z + shift, y)
    assert a == pytest.approx(b, abs=1e-12)
    np.testing.assert_allclose(ga, gb, atol=1e-13)


@pytest.mark.parametrize("bad, err", [
    (dict(logits=np.zeros(3), y=[0]), ValueError),
    (dict(logits=np.zeros((2, 3)), y=[0, 3]), ValueError),
    (dict(logits=np.zeros((2, 3)), y=[0.5, 1]), TypeError),
    (dict(logits=np.zeros((2, 3)), y=[0]), ValueError),
    (dict(logits=np.array([[np.nan, 0.0]]), y=[0]), ValueError),
])
def test_softmax_ce_rejects_bad_input(bad, err):
    with pytest.raises(err, match="logits|y "):
        softmax_cross_entropy(**bad)


# --- the MLP ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[5, 3], [5, 7, 3], [4, 6, 5, 3]])
def test_mlp_gradients_match_finite_differences(sizes):
    rng = np.random.default_rng(1)
    net = MLP(sizes, seed=2)
    for k in net.params:  # non-zero biases too
        net.params[k] += 0.1 * rng.normal(size=net.params[k].shape)
    X, y = rng.normal(size=(9, sizes[0])), rng.integers(0, sizes[-1], 9)
    errors = gradient_check(lambda: net.loss_and_grads(X, y), net.params, h=1e-6)
    assert set(errors) == set(net.params)
    assert max(errors.values()) < 1e-7, errors


def test_mlp_contract_and_shapes():
    net = MLP([64, 64, 10], seed=0)
    assert list(net.params) == ["W1", "b1", "W2", "b2"]
    assert net.shapes == {"W1": (64, 64), "b1": (64,), "W2": (64, 10), "b2": (10,)}
    assert net.num_params == 64 * 64 + 64 + 64 * 10 + 10
    X, y = np.random.default_rng(0).normal(size=(5, 64)), np.array([0, 1, 2, 3, 9])
    assert net.forward(X).shape == (5, 10)
    loss, grads = net.loss_and_grads(X, y)
    assert {k: g.shape for k, g in grads.items()} == net.shapes
    assert loss == pytest.approx(_naive_ce(net.forward(X), y), rel=1e-12)
    assert net.loss(X, y) == pytest.approx(loss, rel=1e-15)
    assert net.predict(X).shape == (5,) and 0 <= net.accuracy(X, y) <= 1
    # He initialisation: weights N(0, 2/fan_in), biases 0, reproducible from the seed
    assert np.std(net.params["W1"]) == pytest.approx(np.sqrt(2 / 64), rel=0.05)
    assert not net.params["b1"].any()
    np.testing.assert_array_equal(MLP([64, 64, 10], seed=0).get_flat(), net.get_flat())
    assert not np.array_equal(MLP([64, 64, 10], seed=1).get_flat(), net.get_flat())


def test_flat_round_trip_and_views():
    net = MLP([3, 4, 2], seed=0)
    theta = net.get_flat() + 1.0
    net.set_flat(theta)
    np.testing.assert_array_equal(net.get_flat(), theta)
    theta[0] = 99.0  # set_flat copies
    assert net.params["W1"][0, 0] != 99.0
    _, grads = net.loss_and_grads(np.ones((2, 3)), [0, 1])
    assert net.flat_grads(grads).shape == (net.num_params,)
    with pytest.raises(ValueError, match="theta"):
        net.set_flat(np.zeros(3))


@pytest.mark.parametrize("sizes, err", [([64], ValueError), ([64, 0, 10], ValueError), ("64", TypeError),
                                         ([64, 2.5], TypeError)])
def test_mlp_rejects_bad_sizes(sizes, err):
    with pytest.raises(err, match="sizes"):
        MLP(sizes)


def test_mlp_rejects_bad_batches():
    net = MLP([4, 3])
    with pytest.raises(ValueError, match="X"):
        net.loss_and_grads(np.zeros((2, 5)), [0, 1])
    with pytest.raises(ValueError, match="y"):
        net.loss_and_grads(np.zeros((2, 4)), [0, 3])


def test_huge_weights_do_not_warn():
    net = MLP([4, 8, 3], seed=0)
    net.set_flat(net.get_flat() * 1e3)
    X = np.random.default_rng(0).normal(size=(6, 4)) * 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, grads = net.loss_and_grads(X, np.arange(6) % 3)
    assert np.isfinite(loss) and all(np.isfinite(g).all() for g in grads.values())


# --- against torch autograd ----------------------------------------------------------------------
@pytest.mark.parametrize("sizes", [[64, 64, 10], [6, 5, 4, 3]])
def test_mlp_matches_torch_autograd(sizes):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[torch]' "
                                                "to compare with torch autograd")
    rng = np.random.default_rng(3)
    net = MLP(sizes, seed=4)
    for k in net.params:
        net.params[k] += 0.05 * rng.normal(size=net.params[k].shape)
    X, y = rng.normal(size=(32, sizes[0])), rng.integers(0, sizes[-1], 32)
    loss, grads = net.loss_and_grads(X, y)
    tp = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in net.params.items()}
    H = torch.tensor(X, dtype=torch.float64)
    L = net.num_layers
    for l in range(1, L):
        H = torch.relu(H @ tp[f"W{l}"] + tp[f"b{l}"])
    logits = H @ tp[f"W{L}"] + tp[f"b{L}"]
    tl = torch.nn.functional.cross_entropy(logits, torch.tensor(y))
    tl.backward()
    assert abs(loss - tl.item()) <= 1e-12 * max(1.0, abs(loss))
    for k, g in grads.items():
        np.testing.assert_allclose(g, tp[k].grad.numpy(), rtol=0, atol=1e-12, err_msg=k)
    z = torch.tensor(net.forward(X), requires_grad=True)
    torch.nn.functional.cross_entropy(z * 1e4, torch.tensor(y)).backward()
    ours = softmax_cross_entropy(net.forward(X) * 1e4, y)[1] * 1e4
    np.testing.assert_allclose(ours, z.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_mlp_is_the_composition_of_the_layer_functions():
    """The fused forward/backward equals affine_forward → relu_forward → … → softmax_cross_entropy
    and their backward functions, layer by layer."""
    from i2dl_helpers.nn import affine_backward, affine_forward, relu_backward, relu_forward

    rng = np.random.default_rng(7)
    net = MLP([6, 5, 4, 3], seed=1)
    X, y = rng.normal(size=(8, 6)), rng.integers(0, 3, 8)
    H, caches = X, []
    for l in range(1, 4):
        Z, cache_a = affine_forward(H, net.params[f"W{l}"], net.params[f"b{l}"])
        if l < 3:
            H, cache_r = relu_forward(Z)
        else:
            cache_r = None
        caches.append((cache_a, cache_r))
    loss, dZ = softmax_cross_entropy(Z, y)
    grads = {}
    for l in range(3, 0, -1):
        cache_a, cache_r = caches[l - 1]
        if cache_r is not None:
            dZ = relu_backward(dZ, cache_r)
        dZ, grads[f"W{l}"], grads[f"b{l}"] = affine_backward(dZ, cache_a)
    ours_loss, ours = net.loss_and_grads(X, y)
    assert ours_loss == pytest.approx(loss, rel=1e-14)
    for k in grads:
        np.testing.assert_allclose(ours[k], grads[k], rtol=1e-13, atol=1e-15, err_msg=k)


def test_loss_only_equals_loss_of_the_pair():
    from i2dl_helpers.nn import _softmax_ce_loss

    rng = np.random.default_rng(2)
    for scale in (1.0, 1e4):
        z, y = rng.normal(size=(9, 7)) * scale, rng.integers(0, 7, 9)
        assert _softmax_ce_loss(z, y) == pytest.approx(softmax_cross_entropy(z, y)[0], rel=1e-13)


@pytest.mark.parametrize("shape", [(300, 10), (5, 10), (400, 40)])
def test_fast_row_max(shape):
    from i2dl_helpers.nn import _row_max

    z = np.random.default_rng(0).normal(size=shape)
    np.testing.assert_array_equal(_row_max(z), z.max(axis=1, keepdims=True))
    big = z * 1e4
    y = np.arange(shape[0]) % shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, dz = softmax_cross_entropy(big, y)
    assert loss == pytest.approx(_naive_ce_stable(big, y), rel=1e-12) and np.isfinite(dz).all()


def _naive_ce_stable(z, y):
    m = z.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(z - m).sum(axis=1)) + m[:, 0] - z[np.arange(len(y)), y]))


def test_loss_and_logits_is_one_forward_pass_of_loss_and_forward():
    """The public evaluation of optim.training: L and Z as from loss and forward, at self.params or at
    another set of parameters, and L = inf without a warning where the logits overflow."""
    rng = np.random.default_rng(4)
    net, other = MLP([5, 7, 3], seed=1), MLP([5, 7, 3], seed=2)
    X, y = rng.normal(size=(11, 5)), rng.integers(0, 3, 11)
    loss, Z = net.loss_and_logits(X, y)
    assert loss == pytest.approx(net.loss(X, y), rel=1e-13)
    np.testing.assert_allclose(Z, net.forward(X), rtol=1e-14)
    loss2, Z2 = net.loss_and_logits(X, y, other.params)
    assert loss2 == pytest.approx(other.loss(X, y), rel=1e-13)
    np.testing.assert_allclose(Z2, other.forward(X), rtol=1e-14)
    huge = {k: v * 1e200 for k, v in net.params.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert net.loss_and_logits(X, y, huge)[0] == np.inf
    with pytest.raises(ValueError, match="labels in 0 .. 2"):
        net.loss_and_logits(X, y + 3)


def test_loss_and_grads_into_writes_the_gradient_of_loss_and_grads():
    rng = np.random.default_rng(5)
    net = MLP([4, 6, 6, 3], seed=0)
    X, y = rng.normal(size=(8, 4)), rng.integers(0, 3, 8)
    loss, grads = net.loss_and_grads(X, y)
    out = {k: np.empty_like(v) for k, v in net.params.items()}
    assert net.loss_and_grads_into(net.params, X, y, out) == pytest.approx(loss, rel=1e-14)
    for k in grads:
        np.testing.assert_allclose(out[k], grads[k], rtol=1e-13, atol=1e-15, err_msg=k)
