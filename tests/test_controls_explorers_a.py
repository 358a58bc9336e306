"""Controls declared once, for GradientDescent2D, LineSearchExplorer, SGDExplorer, ChordExplorer and
BackpropStepper (issue 15): a constructor value outside a slider's range is refused with an error that
names the parameter and the range, or the range grows to include it; the explorer then runs with the
value given, never with a silently clamped one."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from i2dl_helpers import Objective, objectives  # noqa: E402
from i2dl_helpers.graph import topological_order  # noqa: E402
from i2dl_helpers.widgets import (BackpropStepper, ChordExplorer, GradientDescent2D,  # noqa: E402
                                  LineSearchExplorer, SGDExplorer)
from i2dl_helpers.widgets.backprop import lecture_neuron  # noqa: E402


# -- GradientDescent2D ------------------------------------------------------------------------------
def test_gd2d_runs_with_a_learning_rate_above_the_slider():
    # was run with α = 3.16 (the slider's top); on the bowl ∇L(θ) = θ, so θ_1 = (1 − α) θ_0
    e = GradientDescent2D("bowl", lr=31.6, x0=1.0, y0=0.5, steps=5, renderer="image")
    assert e.controls["lr"].value == 31.6 and e.controls["lr"].max >= np.log10(31.6) - 1e-12
    np.testing.assert_allclose(e.trajectory.points[1], (1 - 31.6) * np.array([1.0, 0.5]), rtol=1e-12)
    assert "α is too large" in e.status_text or "diverged" in e.status_text
    e.close()


def test_gd2d_starts_outside_the_domain_where_it_is_told():
    e = GradientDescent2D("bowl", lr=0.1, x0=7.5, y0=-4.0, steps=3, renderer="image")
    assert (e.controls["x0"].value, e.controls["y0"].value) == (7.5, -4.0)
    assert e.controls["x0"].max >= 7.5 and e.controls["y0"].min <= -4.0
    np.testing.assert_array_equal(e.trajectory.points[0], [7.5, -4.0])
    e.close()


@pytest.mark.parametrize("kwargs, message", [
    ({"condition": 2000.0}, r"condition must be in \[1.0, 1000.0\]"),
    ({"condition": 0.5}, r"condition must be in \[1.0, 1000.0\]"),
    ({"steps": 1001}, "steps must be an integer <= 1000"),
    ({"steps": 0}, "steps must be an integer >= 1"),
    ({"lr": 0.0}, "lr must be a positive"),
    ({"lr": float("nan")}, "lr"),
])
def test_gd2d_refuses_by_name_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GradientDescent2D(renderer="image", **kwargs)


def test_gd2d_defaults_and_reference_come_from_the_objective():
    e = GradientDescent2D("rosenbrock", renderer="image")
    obj = objectives.get("rosenbrock")
    assert e.controls["lr"].value == pytest.approx(obj.lr)
    np.testing.assert_allclose([e.controls["x0"].value, e.controls["y0"].value], obj.start)
    e.controls["condition"].value = 40.0                     # κ applies to the quadratic only
    e.controls["objective"].value = "ill_conditioned"
    assert e.objective.smoothness == pytest.approx(40.0)     # the chooser builds it with the slider's κ
    # a function without known minima: L* is the value at the minimum basins.find_minima finds, not the grid's
    # lowest value (which lies above it and would cut off the convergence; issue 22, notebook 11)
    tilted = Objective(lambda p: (p[..., 0] - 0.3) ** 2 + 2 * p[..., 1] ** 2 + 1.0,
                       lambda p: np.stack([2 * (p[..., 0] - 0.3), 4 * p[..., 1]], -1), dim=2, name="tilted")
    e.set_objective(tilted)
    assert e.best == pytest.approx(1.0, abs=1e-12) and 1.0 < tilted.best   # the true minimum is 1 at (0.3, 0)
    gap = e._loss.get_data()[1]
    np.testing.assert_allclose(gap[:5], e.trajectory.values[:5] - 1.0, rtol=1e-12)
    e.close()


# -- LineSearchExplorer -----------------------------------------------------------------------------
def test_line_search_honours_a_start_and_a_first_try_outside_the_sliders():
    e = LineSearchExplorer("bowl", x0=4.0, y0=-3.5, search="backtracking", alpha0=100.0, renderer="image")
    assert (e.controls["x0"].value, e.controls["y0"].value) == (4.0, -3.5)
    assert e.controls["alpha0"].value == 100.0 and e.controls["search"].value == "backtracking"
    np.testing.assert_array_equal(e.trajectory.points[0], [4.0, -3.5])
    assert e.result_backtracking.trials[0] == 100.0         # backtracking tries α0 first
    e.close()


def test_line_search_starts_at_the_objective_start_unless_told():
    e = LineSearchExplorer("saddle", renderer="image")
    np.testing.assert_allclose([e.controls["x0"].value, e.controls["y0"].value], objectives.get("saddle").start)
    e.close()
    e = LineSearchExplorer("himmelblau", x0=0.5, y0=-0.5, renderer="image")   # the explorer's former start
    np.testing.assert_array_equal(e.trajectory.points[0], [0.5, -0.5])
    e.close()


@pytest.mark.parametrize("kwargs, message", [
    ({"k": 31}, "k must be an integer <= 30"),
    ({"k": -1}, "k must be an integer >= 0"),
    ({"c": 0.95}, r"c must be in \[0.0001, 0.9\]"),
    ({"rho": 0.05}, r"rho must be in \[0.1, 0.9\]"),
    ({"alpha0": -1.0}, "alpha0 must be a positive"),
    ({"search": "armijo"}, "search must be one of 'exact', 'backtracking'"),
])
def test_line_search_refuses_by_name_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LineSearchExplorer(renderer="image", **kwargs)


# -- SGDExplorer ------------------------------------------------------------------------------------
def test_sgd_runs_with_a_learning_rate_above_the_slider():
    # was run with α = 1 (the slider's top); full batch, L(w) = 1/n ‖Xw − y‖², ∇L = 2/n Xᵀ(Xw − y)
    e = SGDExplorer(lr=10.0, batch_size=200, steps=50, renderer="image")
    assert e.controls["lr"].value == 10.0 and e.controls["lr"].max >= 1.0 - 1e-12
    X, y, w0 = e.problem.X, e.problem.y, e.start
    w1 = w0 - 10.0 * 2.0 / len(y) * X.T @ (X @ w0 - y)
    np.testing.assert_allclose(e.trajectory.points[1], w1, rtol=1e-10)
    assert "diverged" in e.status_text
    e.close()


@pytest.mark.parametrize("kwargs, message", [
    ({"steps": 2050}, "steps must be an integer <= 2000"),
    ({"steps": 10}, "steps must be an integer >= 50"),
    ({"seed": 21}, "seed must be an integer <= 20"),
    ({"batch_size": 3}, "batch_size must be one of 1, 2, 4"),
    ({"batch_size": 500}, "batch_size must be an integer <= 200"),
    ({"schedule": "cosine"}, "schedule must be one of 'constant'"),
    ({"lr": -0.1}, "lr must be a positive"),
])
def test_sgd_refuses_by_name_and_range(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SGDExplorer(renderer="image", **kwargs)


# -- ChordExplorer ----------------------------------------------------------------------------------
def test_chord_honours_points_outside_the_domain():
    # double_well: L(x) = x⁴/4 − x³/6 − 3x²/4 on [−2, 2.5]; L(−3) = 81/4 + 27/6 − 27/4 = 18
    e = ChordExplorer("double_well", x=-3.0, y=2.0, lam=0.25, renderer="image")
    assert e.controls["x"].value == -3.0 and e.controls["x"].min <= -3.0
    xs, ys = e._chord.get_data()
    assert xs[0] == -3.0 and ys[0] == pytest.approx(18.0, rel=1e-12)
    z = 0.25 * -3.0 + 0.75 * 2.0
    f = lambda t: t**4 / 4 - t**3 / 6 - 0.75 * t**2
    assert e.gap == pytest.approx(f(z) - (0.25 * 18.0 + 0.75 * f(2.0)), rel=1e-12)
    e.close()


def test_chord_refuses_lambda_outside_zero_one():
    with pytest.raises(ValueError, match=r"lam must be in \[0.0, 1.0\]"):
        ChordExplorer(lam=1.5, renderer="image")


def test_chord_moves_its_points_quietly_when_the_function_changes():
    e = ChordExplorer("double_well", renderer="image")
    seen = []
    update = e._update
    e._update = lambda changed: seen.append(changed) or update(changed)
    e.controls["objective"].value = "x²"
    assert seen == ["objective"]                    # the points move from code: no update of their own
    lo, hi = e.objective.domain[0]
    assert (e.controls["x"].value, e.controls["y"].value) == pytest.approx((lo + 0.15 * (hi - lo),
                                                                            lo + 0.85 * (hi - lo)))
    assert e.max_gap <= 1e-9 and e.error_text == ""
    e.close()


# -- BackpropStepper --------------------------------------------------------------------------------
def test_backprop_starts_at_the_step_it_is_given_and_refuses_one_past_the_end():
    n = len(topological_order(lecture_neuron()))
    e = BackpropStepper(step=3, renderer="image")
    assert e.controls["step"].value == 3 and e.controls["step"].max == n
    assert e.current_step is e.steps[2] and e.status_text.startswith(f"step 3/{n}")
    e.close()
    with pytest.raises(ValueError, match=f"step must be an integer <= {n}"):
        BackpropStepper(step=n + 1, renderer="image")
    with pytest.raises(ValueError, match="step must be an integer >= 0"):
        BackpropStepper(step=-1, renderer="image")


# -- log sliders whose grown end does not round-trip (10**log10(v) != v): the end is nudged out ----
@pytest.mark.parametrize("make, control, value", [
    (lambda: GradientDescent2D("bowl", lr=50.0, renderer="image"), "lr", 50.0),
    (lambda: GradientDescent2D("bowl", lr=3e-5, renderer="image"), "lr", 3e-5),
    (lambda: SGDExplorer(lr=30.0, renderer="image"), "lr", 30.0),
    (lambda: LineSearchExplorer(alpha0=50.0, renderer="image"), "alpha0", 50.0),
])
def test_log_sliders_keep_values_whose_logarithm_does_not_round_trip(make, control, value):
    e = make()
    try:
        assert e.controls[control].value == value
    finally:
        e.close()


# -- the one contour swap -----------------------------------------------------------------------------
def test_replace_contours_removes_the_old_background():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from i2dl_helpers.plotting.views2d import replace_contours

    ax = Figure().add_subplot()
    first, _ = replace_contours(ax, [], objectives.get("bowl"), n=40, label="minima")
    assert all(a.axes is ax for a in first)
    second, Z = replace_contours(ax, first, objectives.get("rosenbrock"), n=40)
    assert Z.shape == (40, 40) and ax.get_xlim() == (-2.0, 2.0)
    assert all(a.axes is None for a in first) and all(a.axes is ax for a in second)
    assert not [line for line in ax.lines if line.get_label() == "minima"]   # the bowl's star went too
