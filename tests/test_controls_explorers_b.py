"""Controls declared once, for MomentumExplorer, BasinExplorer, OptimizerRace, StalenessExplorer and
TrainingExplorer (issue 15): a
constructor value outside a slider's range is refused with an error that names the parameter and the
range, or the range grows to include it; the explorer then runs with the value given, never with a
silently clamped one. Also: the race's defaults and L* come from the objective."""
from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from i2dl_helpers import Objective, objectives  # noqa: E402
from i2dl_helpers.basins import basin_map  # noqa: E402
from i2dl_helpers.optim.racing import PRESETS  # noqa: E402
from i2dl_helpers.widgets import (BasinExplorer, MomentumExplorer, OptimizerRace,  # noqa: E402
                                  StalenessExplorer, TrainingExplorer)


# -- MomentumExplorer -------------------------------------------------------------------------------
@pytest.mark.parametrize("lr", [31.6, 2e-4])   # above and below the slider's 1e-3 ... 3.16
def test_momentum_runs_with_a_learning_rate_outside_the_slider(lr):
    # 31.6 was run with α = 3.16 (the slider's top)
    e = MomentumExplorer(lr=lr, beta=0.5, condition=10.0, steps=5, renderer="image")
    try:
        slider = e.controls["lr"]
        assert slider.value == lr and slider.min <= math.log10(lr) + 1e-12 <= slider.max + 2e-12
        # the first heavy-ball step is a plain gradient step: θ_1 = θ_0 − α ∇L(θ_0)
        theta0 = e.trajectory.points[0]
        np.testing.assert_allclose(e.trajectory.points[1], theta0 - lr * e.objective.grad(theta0), rtol=1e-12)
        assert e.error_text == ""
        if lr > 1:   # αλ = 31.6 for λ = 1 is far outside the region 0 < q < 2 + 2β
            assert e.status_text.startswith("diverges")
    finally:
        e.close()


@pytest.mark.parametrize("kwargs, message", [
    ({"beta": 0.995}, r"beta must be in \[0.0, 0.99\]"),
    ({"beta": -0.1}, r"beta must be in \[0.0, 0.99\]"),
    ({"condition": 2000.0}, r"condition must be in \[1.0, 1000.0\]"),
    ({"condition": 0.5}, r"condition must be in \[1.0, 1000.0\]"),
    ({"steps": 501}, "steps must be an integer <= 500"),
    ({"steps": 0}, "steps must be an integer >= 1"),
    ({"lr": 0.0}, "lr must be a positive"),
    ({"lr": float("inf")}, "lr"),
])
def test_momentum_refuses_by_name_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MomentumExplorer(renderer="image", **kwargs)


def test_momentum_nesterov_box_redraws_the_region():
    e = MomentumExplorer(lr=0.05, beta=0.8, condition=20.0, renderer="image")
    try:
        heavy = e.ax.get_title()
        e.controls["nesterov"].value = True
        assert e.ax.get_title() != heavy and e.ax.get_title().startswith("Nesterov")
        assert e.trajectory.optimizer == "Nesterov" and e.error_text == ""
    finally:
        e.close()


# -- BasinExplorer ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lr", [0.5, 2e-4])    # above and below the slider's 1e-3 ... 0.1
def test_basins_map_the_learning_rate_given(lr):
    e = BasinExplorer("himmelblau", lr=lr, steps=20, n=20, renderer="image")
    try:
        assert e.controls["lr"].value == lr
        assert e.controls["lr"].min <= math.log10(lr) + 1e-12 <= e.controls["lr"].max + 2e-12
        expected = basin_map(objectives.get("himmelblau"), lr, n=20, steps=20)
        np.testing.assert_array_equal(e.result.labels, expected.labels)
        assert e.error_text == ""
    finally:
        e.close()


@pytest.mark.parametrize("kwargs, message", [
    ({"steps": 5}, "steps must be an integer >= 10"),
    ({"steps": 1000}, "steps must be an integer <= 500"),
    ({"lr": -0.01}, "lr must be a positive"),
    ({"n": 5}, "n must be an integer >= 10"),
])
def test_basins_refuse_by_name_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BasinExplorer("himmelblau", renderer="image", **kwargs)


def test_basins_sliders_recompute_on_release():
    e = BasinExplorer("himmelblau", n=12, renderer="image")
    try:
        assert not e.controls["lr"].continuous_update and not e.controls["steps"].continuous_update
    finally:
        e.close()


# -- OptimizerRace ----------------------------------------------------------------------------------
def test_race_runs_the_steps_given_and_refuses_more_than_its_slider():
    e = OptimizerRace("himmelblau", steps=1500, renderer="image")
    try:
        assert e.controls["steps"].value == 1500
        assert all(len(r.trajectory.points) <= 1501 for r in e.results.values())
        assert max(len(r.trajectory.points) for r in e.results.values()) > 201  # not the preset's 200
    finally:
        e.close()
    with pytest.raises(ValueError, match="steps must be an integer <= 2000"):
        OptimizerRace("himmelblau", steps=3000, renderer="image")
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        OptimizerRace("himmelblau", steps=0, renderer="image")


def test_race_start_comes_from_the_objective_where_the_race_has_none_of_its_own():
    himmelblau = objectives.get("himmelblau")
    np.testing.assert_array_equal(PRESETS["himmelblau"]["start"], himmelblau.start)
    tilted = Objective(lambda p: (p[..., 0] - 0.5) ** 2 + 2 * (p[..., 1] + 0.25) ** 2 + 1.0,
                       lambda p: np.stack([2 * (p[..., 0] - 0.5), 4 * (p[..., 1] + 0.25)], -1),
                       dim=2, name="tilted", start=[-2.0, 1.5], domain=[(-3, 3), (-3, 3)])
    e = OptimizerRace(tilted, renderer="image")
    try:
        assert (e.controls["x0"].value, e.controls["y0"].value) == (-2.0, 1.5)
        assert e.controls["surface"].value == "tilted" and e.error_text == ""
        # no minima are known: L* is the objective's grid minimum (≈ 1, the true minimum), so
        # the racers that settle get a gap below the target, not L − 0 ≈ 1
        assert e.objective.best == pytest.approx(1.0, abs=1e-3)
        assert any(r.steps_to_target is not None for r in e.results.values())
        for r in e.results.values():
            np.testing.assert_allclose(r.gap, np.maximum(r.trajectory.values - tilted.best, 0.0))
    finally:
        e.close()


def test_race_chooser_comes_back_to_a_function_passed_in():
    bowl = objectives.get("bowl")
    e = OptimizerRace(bowl, renderer="image")
    try:
        e.controls["surface"].value = "saddle"
        assert e.objective.name == "saddle"
        e.controls["surface"].value = "bowl"
        assert e.objective is bowl and e.error_text == ""
        np.testing.assert_array_equal([e.controls["x0"].value, e.controls["y0"].value], bowl.start)
    finally:
        e.close()


# -- StalenessExplorer: its diagram shows exactly the slider ranges, so values outside are refused --
@pytest.mark.parametrize("kwargs, message", [
    ({"tau": 21}, "tau must be an integer <= 20"),
    ({"tau": -1}, "tau must be an integer >= 0"),
    ({"q": 5.0}, r"q must be in \[0.02, 3.0\]"),
    ({"q": 0.01}, r"q must be in \[0.02, 3.0\]"),
    ({"steps": 40}, "steps must be an integer >= 50"),
    ({"steps": 401}, "steps must be an integer <= 400"),
])
def test_staleness_refuses_by_name_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        StalenessExplorer(renderer="image", **kwargs)


def test_staleness_runs_with_the_values_at_its_edges():
    e = StalenessExplorer(tau=20, q=3.0, steps=50, renderer="image")
    try:
        assert (e.controls["tau"].value, e.controls["q"].value, e.controls["steps"].value) == (20, 3.0, 50)
        # θ_1 = θ_0 − q θ_{−20} = θ_0 − q θ_0 (θ_j = θ_0 for j < 0), with θ_0 = 1
        assert e.trajectory.points[1, 0] == pytest.approx(1 - 3.0) and e.error_text == ""
    finally:
        e.close()


# -- TrainingExplorer ---------------------------------------------------------------------------------
@pytest.mark.parametrize("lr", [20.0, 5e-5])   # above and below the slider's 1e-4 ... 10
def test_training_runs_with_a_learning_rate_outside_the_slider(lr):
    from i2dl_helpers.data import digits
    from i2dl_helpers.nn import MLP
    from i2dl_helpers.optim import SGD, train

    e = TrainingExplorer(lr=lr, optimizer="SGD", epochs=1, hidden=8, renderer="image")
    try:
        assert e.controls["lr"].value == lr
        assert e.controls["lr"].min <= math.log10(lr) + 1e-12 <= e.controls["lr"].max + 2e-12
        h = train(MLP([64, 8, 10], seed=0), SGD(lr), digits(seed=0), epochs=1, batch_size=64)
        assert e.history.status == h.status
        np.testing.assert_array_equal(e.history.train_loss, h.train_loss)
        assert f"α = {lr:.3g}" in e.status_text and e.error_text == ""
    finally:
        e.close()


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 31}, "epochs must be an integer <= 30"),
    ({"epochs": 0}, "epochs must be an integer >= 1"),
    ({"lr": 0.0}, "lr must be a positive"),
    ({"optimizer": "Lion"}, "optimizer must be one of"),
    ({"schedule": "linear"}, "schedule must be one of"),
    ({"batch_size": 100}, "batch_size must be one of"),
])
def test_training_refuses_by_name_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainingExplorer(renderer="image", **kwargs)
