"""Tests for i2dl_helpers.landscape: slices, filter-normalised directions, symmetry."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i2dl_helpers import landscape as ls
from i2dl_helpers.nn import TwoLayerNet

TORCH_REASON = "PyTorch not installed: pip install -e '.[torch]' to run the reference checks"


@pytest.fixture(scope="module")
def trained():
    X, y = ls.toy_regression(n=48, seed=1)
    net = TwoLayerNet(1, 8, 1, seed=0)
    hist = ls.train_gd(net, X, y, lr=0.05, steps=1500)
    return net, X, y, hist


def test_training_lowers_the_loss(trained):
    net, X, y, hist = trained
    assert hist[-1] < 0.05 * hist[0]
    assert hist[-1] == pytest.approx(net.loss(X, y), rel=1e-12)


def test_batched_losses_match_the_network_one_by_one(trained):
    net, X, y, _ = trained
    rng = np.random.default_rng(3)
    thetas = net.get_flat() + 0.3 * rng.normal(size=(7, net.num_params))
    probe = TwoLayerNet(1, 8, 1)
    expect = []
    for th in thetas:
        probe.set_flat(th)
        expect.append(probe.loss(X, y))                      # nn.py's own forward pass
    np.testing.assert_allclose(ls.losses(net, X, y, thetas, chunk=3), expect, rtol=1e-12)
    assert ls.losses(net, X, y, thetas[0]) == pytest.approx(expect[0], rel=1e-12)


def test_batched_losses_match_torch(trained):
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    net, X, y, _ = trained
    p = {k: torch.tensor(v, dtype=torch.float64) for k, v in net.params.items()}
    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    ref = torch.nn.functional.mse_loss(torch.relu(Xt @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"], yt)
    assert ls.losses(net, X, y, net.get_flat()) == pytest.approx(ref.item(), rel=1e-12)


def test_directions_are_normalised_per_neuron(trained):
    net, *_ = trained
    d = ls.random_direction(net, seed=4)
    probe = TwoLayerNet(1, 8, 1)
    probe.set_flat(d)
    for k in ("W1", "W2"):
        np.testing.assert_allclose(np.linalg.norm(probe.params[k], axis=0),
                                   np.linalg.norm(net.params[k], axis=0), rtol=1e-12)
    assert not probe.params["b1"].any() and not probe.params["b2"].any()
    probe.set_flat(ls.random_direction(net, seed=4, ignore_biases=False))
    np.testing.assert_allclose(np.abs(probe.params["b1"]), np.abs(net.params["b1"]), rtol=1e-12)
    assert not np.array_equal(d, ls.random_direction(net, seed=5))
    np.testing.assert_array_equal(d, ls.random_direction(net, seed=4))


def test_slices_pass_through_the_trained_point_and_rise(trained):
    net, X, y, _ = trained
    d1, d2 = ls.random_direction(net, 1), ls.random_direction(net, 2)
    alphas = np.linspace(-1, 1, 21)
    s1 = ls.slice_1d(net, X, y, d1, alphas)
    assert s1[10] == pytest.approx(net.loss(X, y), rel=1e-12)
    assert s1[0] > s1[10] and s1[-1] > s1[10]
    s2 = ls.slice_2d(net, X, y, d1, d2, alphas, alphas[::2])
    assert s2.shape == (11, 21)
    np.testing.assert_allclose(s2[5], s1, rtol=1e-12)          # β = 0 row is the 1D slice
    probe = TwoLayerNet(1, 8, 1)
    probe.set_flat(net.get_flat() + alphas[3] * d1 + alphas[::2][7] * d2)
    assert s2[7, 3] == pytest.approx(probe.loss(X, y), rel=1e-12)


@settings(max_examples=25)
@given(st.permutations(list(range(8))))
def test_permuting_hidden_units_leaves_outputs_and_loss_unchanged(perm):
    X, y = ls.toy_regression(n=16, seed=2)
    net = TwoLayerNet(1, 8, 1, seed=3)
    other = TwoLayerNet(1, 8, 1)
    other.params = ls.permute_hidden(net.params, perm)
    np.testing.assert_allclose(other.forward(X), net.forward(X), rtol=1e-13, atol=1e-14)
    assert other.loss(X, y) == pytest.approx(net.loss(X, y), rel=1e-13)


def test_line_between_two_symmetric_minima_rises(trained):
    net, X, y, _ = trained
    other = TwoLayerNet(1, 8, 1)
    other.params = ls.permute_hidden(net.params, np.arange(8)[::-1])
    a, b = net.get_flat(), other.get_flat()
    assert np.linalg.norm(a - b) > 1.0                          # really a different point
    line = ls.interpolate(net, X, y, a, b, np.linspace(0, 1, 11))
    assert line[0] == pytest.approx(line[-1], rel=1e-12)
    assert line[5] > 10 * line[0]                                # the midpoint is far higher
    # convexity would demand L(midpoint) <= (L(a) + L(b)) / 2


def test_landscape_errors(trained):
    net, X, y, _ = trained
    with pytest.raises(ValueError, match="perm"):
        ls.permute_hidden(net.params, [0, 0, 1, 2, 3, 4, 5, 6])
    with pytest.raises(ValueError, match="thetas"):
        ls.losses(net, X, y, np.zeros(3))
    with pytest.raises(ValueError, match="lr"):
        ls.train_gd(net, X, y, lr=0)
    with pytest.raises(ValueError, match="n must"):
        ls.toy_regression(n=0)


def test_slice_plots(trained):
    import matplotlib.pyplot as plt

    from i2dl_helpers.plotting import views2d

    net, X, y, _ = trained
    d1, d2 = ls.random_direction(net, 1), ls.random_direction(net, 2)
    a = np.linspace(-1, 1, 9)
    ax = views2d.slice_plot(a, ls.slice_1d(net, X, y, d1, a))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), ls.slice_1d(net, X, y, d1, a))
    ax = views2d.slice_plot(a, ls.slice_2d(net, X, y, d1, d2, a, a), a, title="plane")
    assert ax.get_title() == "plane"
    plt.close("all")
