"""TrainingExplorer: driven through its controls (no browser), status, artists, errors, speed."""

import numpy as np
import pytest

from i2dl_helpers.data import digits
from i2dl_helpers.nn import MLP
from i2dl_helpers.optim import SGD, train
from i2dl_helpers.widgets import TrainingExplorer


@pytest.fixture(scope="module")
def explorer():
    ex = TrainingExplorer(renderer="image")
    yield ex
    ex.close()


def test_default_run_matches_train(explorer):
    h = train(MLP([64, 64, 10], seed=0), SGD(0.05, momentum=0.9), digits(seed=0), epochs=10, batch_size=64)
    assert explorer.history.val_loss == h.val_loss
    assert explorer.status_text.startswith("Momentum, α = 0.05, B = 64, constant: 10 epochs (190 steps)")
    assert f"accuracy {h.val_accuracy[-1]:.1%}" in explorer.status_text and explorer.error_text == ""
    x, y = explorer._lines["current", "val", "epochs"].get_data()
    np.testing.assert_array_equal(x, np.arange(11))
    np.testing.assert_allclose(y[1:], h.val_loss)


def test_controls_retrain_and_keep_the_previous_run(explorer):
    before = explorer.history
    explorer.controls["optimizer"].value = "Adam"
    explorer.controls["lr"].value = 3e-3
    assert explorer.history.optimizer == "Adam" and explorer.previous is not before
    assert explorer.status_text.startswith("Adam, α = 0.003") and explorer.error_text == ""
    assert len(explorer._lines["previous", "train", "epochs"].get_data()[0]) == 11
    explorer.controls["epochs"].value = 3
    assert len(explorer.history.val_loss) == 3 and explorer.ax_epochs.get_xlim() == (0, 3)
    explorer.controls["schedule"].value = "warmup + cosine"
    lrs = explorer.history.lrs
    assert lrs[0] == pytest.approx(3e-4) and lrs[-1] < 1e-5
    explorer.controls["batch_size"].value = 1197
    assert explorer.history.steps_per_epoch == 1 and "(full)" in explorer.controls["batch_size"].label


def test_divergence_is_reported_not_raised(explorer):
    explorer.controls["optimizer"].value = "Momentum"
    explorer.controls["schedule"].value = "constant"
    explorer.controls["batch_size"].value = 8
    explorer.controls["epochs"].value = 10
    explorer.controls["lr"].value = 0.2
    assert "diverged" in explorer.status_text and "smaller" in explorer.status_text
    assert explorer.error_text == "" and explorer._note.get_text().startswith("diverged")
    # the plotted losses stay inside the fixed limits
    y = explorer._lines["current", "val", "epochs"].get_data()[1]
    assert np.all(np.isfinite(y))


def test_bad_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        TrainingExplorer(batch_size=100)
    with pytest.raises(ValueError, match="optimizer"):
        TrainingExplorer(optimizer="LBFGS")
    with pytest.raises(ValueError, match="epochs"):
        TrainingExplorer(epochs=0)
