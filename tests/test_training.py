"""The digits data set and ``train``: splits, reshuffling, determinism, a hand-written loop, divergence."""
import warnings

import numpy as np
import pytest

from i2dl_helpers.data import digits, epoch_batches
from i2dl_helpers.nn import MLP
from i2dl_helpers.optim import GD, SGD, Adam, AdamW, train
from i2dl_helpers.optim.schedules import CosineAnnealing, warmup_cosine
from i2dl_helpers.optim.training import History, steps_per_epoch


@pytest.fixture(scope="module")
def data():
    return digits(seed=0)


# --- data ----------------------------------------------------------------------------------------------
def test_digits_split_shapes_and_types(data):
    Xtr, ytr, Xv, yv, Xte, yte = data
    assert Xtr.shape == (1197, 64) and Xv.shape == (300, 64) and Xte.shape == (300, 64)
    assert all(a.dtype == np.float64 for a in (Xtr, Xv, Xte))
    assert all(a.dtype.kind == "i" for a in (ytr, yv, yte))
    assert set(np.unique(ytr)) == set(range(10))


def test_digits_standardised_with_training_statistics_only(data):
    from sklearn.datasets import load_digits

    Xtr, ytr, Xv, yv, Xte, yte = data
    np.testing.assert_allclose(Xtr.mean(axis=0), 0, atol=1e-12)
    std = Xtr.std(axis=0)
    assert np.all((np.abs(std - 1) < 1e-12) | (std == 0))
    assert np.abs(Xv.mean(axis=0)).max() > 1e-3  # validation statistics were not used
    # the three parts are a partition of the 1,797 images: same size and the same labels
    raw = load_digits()
    assert len(ytr) + len(yv) + len(yte) == len(raw.target) == 1797
    np.testing.assert_array_equal(np.bincount(np.concatenate([ytr, yv, yte])), np.bincount(raw.target))
    # x' = (x − μ)/σ is one affine map per pixel for all three parts: the integer grey levels of every
    # part sit on the grid of the training set's levels (offset and spacing 1/σ)
    for X in (Xtr, Xv, Xte):
        for j in (20, 36):
            levels = np.unique(np.round(Xtr[:, j], 12))
            step = np.min(np.diff(levels))
            k = (X[:, j] - levels[0]) / step
            assert np.allclose(k, np.round(k), atol=1e-6)


def test_digits_deterministic_and_seeded():
    a, b, c = digits(seed=0), digits(seed=0), digits(seed=1)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[1], c[1])
    with pytest.raises(ValueError, match="n_val"):
        digits(n_val=0)


# --- train ---------------------------------------------------------------------------------------------
class _Spy:
    """A linear softmax-free model that records the first feature (the row id) of every batch."""

    def __init__(self, d):
        self.params = {"w": np.zeros(d)}
        self.seen = []

    def loss_and_grads(self, X, y):
        self.seen.append(X[:, 0].astype(int).copy())
        r = X @ self.params["w"] - y
        return float(np.mean(r * r)), {"w": 2 * X.T @ r / len(y)}

    def forward(self, X):
        return (X @ self.params["w"])[:, None]


def test_every_epoch_is_a_permutation_of_the_training_set():
    n, B, epochs = 50, 8, 4
    X = np.column_stack([np.arange(n), np.ones(n)]).astype(float)
    y = np.zeros(n, dtype=int)
    spy = _Spy(2)
    X_val = np.column_stack([-np.ones(5), np.ones(5)])  # row id −1: evaluations are told apart
    history = train(spy, GD(1e-4), (X, y, X_val, y[:5]), epochs=epochs, batch_size=B)
    spe = steps_per_epoch(n, B)
    assert spe == 7 and history.steps_per_epoch == 7
    # the gradient calls on minibatches (evaluation uses forward/loss on whole sets, not this)
    batches = [s for s in spy.seen if len(s) <= B and s.min() >= 0]
    orders = [np.concatenate(batches[e * spe:(e + 1) * spe]) for e in range(epochs)]
    for order in orders:
        assert sorted(order) == list(range(n)), "each epoch visits every sample exactly once"
    assert len({tuple(o) for o in orders}) == epochs, "a new order every epoch"
    assert [len(b) for b in batches[:spe]] == [8] * 6 + [2]


def test_history_contract(data):
    net = MLP([64, 16, 10], seed=0)
    h = train(net, SGD(0.1, momentum=0.9), data, epochs=3, batch_size=128)
    assert isinstance(h, History) and h.status == "finished"
    for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy", "seconds"):
        assert len(getattr(h, name)) == 3, name
    spe = steps_per_epoch(1197, 128)
    assert h.step_loss.shape == (3 * spe,) and h.step_seconds.shape == (3 * spe,) and h.lrs.shape == (3 * spe,)
    assert np.all(np.diff(h.seconds) > 0) and np.all(h.step_seconds > 0)
    # the clock starts when run is called: the steps plus run's set-up and the first gradient
    assert h.step_seconds.sum() <= h.seconds[-1] + 1e-12
    assert 0 <= h.test_accuracy <= 1 and h.start["train_loss"] > h.train_loss[-1]
    # the model keeps the trained weights: its own accuracy is the history's last one
    assert net.accuracy(data[2], data[3]) == h.val_accuracy[-1]
    assert net.loss(data[0], data[1]) == pytest.approx(h.train_loss[-1], rel=1e-12)
    ep, vals = h.curve("val_loss")
    assert ep[0] == 0 and len(vals) == 4
    assert "3 epochs" in h.message


def test_train_equals_a_hand_written_loop(data):
    """The same batches (epoch_batches from the seed) and θ ← θ − α ∇L_B(θ) by hand."""
    X, y = data[0], data[1]
    B, epochs, lr = 100, 2, 0.05
    net = MLP([64, 20, 10], seed=3)
    ref = MLP([64, 20, 10], seed=3)
    steps = epochs * steps_per_epoch(len(y), B)
    batches = epoch_batches(len(y), B, np.random.default_rng(11), steps=steps + 1)
    for _ in range(steps):
        idx = next(batches)
        _, g = ref.loss_and_grads(X[idx], y[idx])
        ref.set_flat(ref.get_flat() - lr * ref.flat_grads(g))
    train(net, GD(lr), data, epochs=epochs, batch_size=B, seed=11)
    np.testing.assert_allclose(net.get_flat(), ref.get_flat(), rtol=0, atol=1e-13)


def test_same_seed_same_history_other_seed_differs(data):
    runs = [train(MLP([64, 16, 10], seed=0), Adam(3e-3), data, epochs=2, batch_size=64, seed=s) for s in (0, 0, 1)]
    assert runs[0].val_loss == runs[1].val_loss and np.array_equal(runs[0].step_loss, runs[1].step_loss)
    assert runs[0].val_loss != runs[2].val_loss


def test_full_batch_is_gradient_descent(data):
    h = train(MLP([64, 16, 10], seed=0), GD(0.5), data, epochs=5, batch_size=len(data[1]))
    assert h.steps_per_epoch == 1 and len(h.lrs) == 5
    assert np.all(np.diff(h.step_loss) < 0), "full-batch GD with a small α lowers the loss every step"
    np.testing.assert_allclose(h.step_loss[1:], h.train_loss[:-1], rtol=1e-12)


def test_schedule_is_applied_and_bound(data):
    spe = steps_per_epoch(1197, 64)
    h = train(MLP([64, 16, 10]), SGD(0.1), data, epochs=2, batch_size=64,
              schedule=CosineAnnealing(2 * spe, eta_min=0.01))
    assert h.lrs[0] == pytest.approx(0.1) and h.lrs[-1] == pytest.approx(0.01, rel=0.05) and min(h.lrs) > 0.01
    h2 = train(MLP([64, 16, 10]), SGD(0.1), data, epochs=2, batch_size=64, schedule=warmup_cosine(2 * spe, 5))
    assert h2.lrs[0] == pytest.approx(0.01) and max(h2.lrs) == pytest.approx(0.1)


def test_reaches_95_percent_on_digits(data):
    h = train(MLP([64, 64, 10], seed=0), AdamW(3e-3, weight_decay=0.01), data, epochs=15, batch_size=64,
              schedule=warmup_cosine(15 * 19, 19))
    assert h.test_accuracy >= 0.95 and h.best_val_accuracy >= 0.95, h


def test_divergence_stops_cleanly(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(MLP([64, 16, 10]), SGD(1e9), data, epochs=3, batch_size=64)
    assert h.status == "diverged" and "diverged" in h.message and "smaller learning rate" in h.message
    assert len(h.val_loss) < 3 and h.test_accuracy is None


def test_silent_outside_a_notebook(data, capsys):
    train(MLP([64, 8, 10]), SGD(0.1), data, epochs=1, batch_size=64, progress=None)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(epochs=0), ValueError, "epochs"),
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(batch_size=5000), ValueError, "batch_size"),
    (dict(optimizer="sgd"), TypeError, "optimizer"),
    (dict(data=(1, 2)), TypeError, "data"),
    (dict(model=object()), TypeError, "model"),
])
def test_bad_arguments(data, kwargs, err, match):
    args = dict(model=MLP([64, 8, 10]), optimizer=SGD(0.1), data=data, epochs=1, batch_size=64)
    args.update(kwargs)
    with pytest.raises(err, match=match):
        train(**args)


def test_float_labels_rejected(data):
    bad = list(data)
    bad[1] = bad[1].astype(float)
    with pytest.raises(TypeError, match="labels"):
        train(MLP([64, 8, 10]), SGD(0.1), tuple(bad), epochs=1, batch_size=64)


def test_progress_bar_shows_only_when_asked_and_after_the_delay(capsys):
    from i2dl_helpers.progress import ProgressBar, in_notebook

    assert not in_notebook()                      # pytest is no Jupyter kernel
    quiet = ProgressBar()                          # auto: off outside a notebook
    quiet.update(1, 10)
    assert not quiet.enabled and not quiet.shown
    late = ProgressBar(enabled=True, after=3600)   # on, but the run has not been long enough yet
    late.update(1, 10)
    assert not late.shown
    bar = ProgressBar(enabled=True, after=0.0)
    bar.update(3, 10, "epochs")
    assert bar.shown and bar.value == 3 and bar.total == 10 and "3/10" in bar.text
    assert '<progress value="3" max="10"' in bar.html() and "3/10 epochs" in bar.html()
    bar.close("done")
    assert bar.value == 10 and bar.finished and bar.text == "done" and '<progress value="10" max="10"' in bar.html()
    capsys.readouterr()
