"""Tests for i2dl_helpers.nn: layer gradients vs finite differences and torch."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i2dl_helpers.nn import (TwoLayerNet, affine_backward, affine_forward, gradient_check, l2_loss,
                             leaf_grads, relu_backward, relu_forward)
from i2dl_helpers.numdiff import numerical_grad

TORCH_REASON = "PyTorch not installed: pip install -e '.[torch]' to run the reference checks"


def _data(n=20, n_in=2, n_out=1, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.normal(size=(n, n_out))


def _fd_grads(net, X, y, reduction, h=1e-5):
    """Independent central differences over every parameter entry."""
    out = {}
    for k, theta in net.params.items():
        g = np.zeros_like(theta)
        for idx in np.ndindex(theta.shape):
            old = theta[idx]
            theta[idx] = old + h
            plus = np.sum((net.forward(X) - y) ** 2)
            theta[idx] = old - h
            minus = np.sum((net.forward(X) - y) ** 2)
            theta[idx] = old
            g[idx] = (plus - minus) / (2 * h)
        out[k] = g / (len(X) if reduction == "mean" else 1)
    return out


def _rel(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("sizes", [(2, 16, 1), (3, 5, 2)])
def test_two_layer_grads_match_finite_differences(reduction, sizes):
    n_in, n_hidden, n_out = sizes
    net = TwoLayerNet(n_in, n_hidden, n_out, seed=3)
    X, y = _data(n_in=n_in, n_out=n_out)
    loss, grads = net.loss_and_grads(X, y, reduction=reduction)
    fd = _fd_grads(net, X, y, reduction)
    for k in ("W1", "b1", "W2", "b2"):
        assert grads[k].shape == net.params[k].shape
        assert _rel(grads[k], fd[k]) < 1e-7, f"gradient of {k} disagrees with finite differences"


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_two_layer_loss_and_grads_match_torch(reduction):
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    net = TwoLayerNet(3, 7, 2, seed=5)
    X, y = _data(n=33, n_in=3, n_out=2)
    loss, grads = net.loss_and_grads(X, y, reduction=reduction)
    p = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    Xt, yt = torch.tensor(X), torch.tensor(y)
    out = torch.relu(Xt @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    lt = ((out - yt) ** 2).sum()
    if reduction == "mean":
        lt = lt / len(X)
    lt.backward()
    assert loss == pytest.approx(lt.item(), rel=1e-12)
    for k in p:
        np.testing.assert_allclose(grads[k], p[k].grad.numpy(), rtol=1e-12, atol=1e-14)


def test_mean_and_sum_differ_by_n():
    net = TwoLayerNet(2, 4, 1, seed=0)
    X, y = _data(n=10)
    lm, gm = net.loss_and_grads(X, y, "mean")
    ls, gs = net.loss_and_grads(X, y, "sum")
    assert ls == pytest.approx(10 * lm)
    np.testing.assert_allclose(gs["W1"], 10 * gm["W1"])


def test_layer_backward_functions_match_finite_differences():
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dZ = rng.normal(size=(4, 2))
    _, cache = affine_forward(X, W, b)
    dX, dW, db = affine_backward(dZ, cache)
    # L = Σ dZ ⊙ Z has ∂L/∂(X, W, b) equal to the backward results
    np.testing.assert_allclose(dX, numerical_grad(lambda x: np.sum(dZ * (x.reshape(4, 3) @ W + b)), X.ravel()).reshape(4, 3), rtol=1e-7)
    np.testing.assert_allclose(dW, numerical_grad(lambda w: np.sum(dZ * (X @ w.reshape(3, 2) + b)), W.ravel()).reshape(3, 2), rtol=1e-7)
    np.testing.assert_allclose(db, dZ.sum(axis=0))
    Z = np.array([[-1.0, 2.0], [0.5, -0.2]])
    H, mask = relu_forward(Z)
    np.testing.assert_array_equal(H, [[0.0, 2.0], [0.5, 0.0]])
    np.testing.assert_array_equal(relu_backward(np.ones_like(Z), mask), [[0, 1], [1, 0]])
    loss, dY = l2_loss(np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]]), "mean")
    assert loss == pytest.approx((1 + 4) / 2)
    np.testing.assert_allclose(dY, [[1.0], [2.0]])


def test_graph_version_gives_the_same_gradients():
    net = TwoLayerNet(2, 3, 1, seed=2)
    X, y = _data(n=3)
    for reduction in ("sum", "mean"):
        loss_node, leaves = net.to_graph(X, y, reduction=reduction)
        loss_node.backward()
        loss, grads = net.loss_and_grads(X, y, reduction=reduction)
        assert loss_node.data == pytest.approx(loss, rel=1e-13)
        for k, g in leaf_grads(leaves).items():
            assert g.shape == net.params[k].shape
            np.testing.assert_allclose(g, grads[k], rtol=1e-12, atol=1e-14)


def test_gradient_check_reports_small_error_and_catches_a_bug():
    net = TwoLayerNet(2, 5, 1, seed=0)
    X, y = _data()
    errors = gradient_check(lambda: net.loss_and_grads(X, y), net.params)
    assert set(errors) == {"W1", "b1", "W2", "b2"} and max(errors.values()) < 1e-7

    def buggy():
        loss, g = net.loss_and_grads(X, y)
        g = dict(g, b1=2 * g["b1"])
        return loss, g
    assert gradient_check(buggy, net.params)["b1"] > 0.1


def test_sgd_step_lowers_the_loss_and_flat_roundtrip():
    net = TwoLayerNet(2, 8, 1, seed=0)
    X, y = _data(n=50)
    before, grads = net.loss_and_grads(X, y)
    net.sgd_step(grads, lr=1e-2)
    assert net.loss(X, y) < before
    theta = net.get_flat()
    assert theta.shape == (net.num_params,) == (2 * 8 + 8 + 8 + 1,)
    net.set_flat(theta * 0 + 1.0)
    assert np.all(net.params["W2"] == 1.0)
    net.set_flat(theta)
    np.testing.assert_array_equal(net.get_flat(), theta)


def test_same_seed_same_network():
    a, b = TwoLayerNet(2, 4, 1, seed=7), TwoLayerNet(2, 4, 1, seed=7)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert not np.array_equal(TwoLayerNet(2, 4, 1, seed=8).params["W1"], a.params["W1"])


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), n_in=st.integers(1, 3), n_hidden=st.integers(1, 4), n_out=st.integers(1, 2),
       seed=st.integers(0, 1000))
def test_random_sizes_match_finite_differences(n, n_in, n_hidden, n_out, seed):
    net = TwoLayerNet(n_in, n_hidden, n_out, seed=seed)
    X, y = _data(n=n, n_in=n_in, n_out=n_out, seed=seed + 1)
    _, grads = net.loss_and_grads(X, y, "sum")
    fd = _fd_grads(net, X, y, "sum")
    for k in grads:
        np.testing.assert_allclose(grads[k], fd[k], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("call, exc, match", [
    (lambda n: n.forward(np.zeros((4, 3))), ValueError, r"X must have shape \(n, 2\)"),
    (lambda n: n.forward(np.zeros(4)), ValueError, "X must have shape"),
    (lambda n: n.loss_and_grads(np.zeros((4, 2)), np.zeros((5, 1))), ValueError, "y must have 4 rows"),
    (lambda n: n.loss_and_grads(np.zeros((4, 2)), np.zeros((4, 2))), ValueError, r"y must have shape \(4, 1\)"),
    (lambda n: n.loss_and_grads(np.full((4, 2), np.nan), np.zeros(4)), ValueError, "X must be finite"),
    (lambda n: n.loss_and_grads(np.zeros((4, 2)), np.zeros(4), reduction="avg"), ValueError, "reduction must be one of"),
    (lambda n: n.forward("abc"), TypeError, "X must be an array of numbers"),
    (lambda n: n.set_flat(np.zeros(3)), ValueError, "theta must have shape"),
    (lambda n: n.sgd_step({}, lr=-1.0), ValueError, "lr must be a positive"),
    (lambda n: TwoLayerNet(0, 3, 1), ValueError, "n_in must be an integer >= 1"),
    (lambda n: TwoLayerNet(2, 2.5, 1), TypeError, "n_hidden must be an integer"),
    (lambda n: gradient_check(3, n.params), TypeError, "f must be a callable"),
])
def test_bad_inputs_raise(call, exc, match):
    net = TwoLayerNet(2, 3, 1, seed=0)
    with pytest.raises(exc, match=match):
        call(net)
