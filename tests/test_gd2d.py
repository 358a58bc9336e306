"""GradientDescent2D driven through its controls, as a notebook (or nbval) does."""
from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

from i2dl_helpers import Objective, objectives
from i2dl_helpers.widgets import GradientDescent2D


@pytest.fixture
def gd():
    e = GradientDescent2D("ill_conditioned", lr=0.1, x0=-2.5, y0=1.5, steps=40, condition=10.0, renderer="image")
    yield e
    e.close()


def test_path_matches_the_closed_form_on_the_quadratic(gd):
    # L = ½(θ₁² + κθ₂²):  θ_k = ((1 − α)^k θ₁⁰, (1 − ακ)^k θ₂⁰)
    assert gd.error_text == ""
    k = np.arange(len(gd.trajectory))
    xs, ys = gd._path.get_data()
    np.testing.assert_allclose(xs, -2.5 * 0.9**k, rtol=1e-12)
    np.testing.assert_allclose(ys, 1.5 * 0.0**k, atol=1e-12)   # α·κ = 1: one step in θ₂
    gd.controls["lr"].value = 0.15                               # 1 − ακ = −0.5: zig-zag
    xs, ys = gd._path.get_data()
    np.testing.assert_allclose(ys[:6], 1.5 * (-0.5) ** np.arange(6), rtol=1e-12)
    assert "2/κ = 0.2" in gd.status_text and gd.error_text == ""


def test_divergence_keeps_the_axes_and_says_so(gd):
    limits = (gd.ax.get_xlim(), gd.ax.get_ylim(), gd.ax_loss.get_ylim())
    gd.controls["lr"].value = 0.25                               # > 2/κ = 0.2: |1 − ακ| = 1.5
    assert "L grows: α is too large" in gd.status_text           # 1.5⁴⁰ ≈ 1e7: not yet past 1e8
    gd.controls["lr"].value = 0.3                                # |1 − ακ| = 2: 2⁴⁰ ≈ 1e12
    assert gd.status_text.startswith("diverged at step")
    assert "leaves the plot" in gd._note.get_text()
    assert (gd.ax.get_xlim(), gd.ax.get_ylim(), gd.ax_loss.get_ylim()) == limits
    xs, ys = gd._path.get_data()
    assert np.all(np.abs(ys) <= 9.0 + 1e-12)   # drawn path cut at one domain width beyond the plot
    lo, hi = gd.ax_loss.get_ylim()
    assert np.all(gd._loss.get_data()[1] <= hi)
    gd.controls["lr"].value = 0.1
    assert gd._note.get_text() == "" and "diverged" not in gd.status_text


def test_condition_slider_sets_the_step_limit(gd):
    gd.controls["condition"].value = 100.0
    assert gd.objective.smoothness == pytest.approx(100.0)
    assert "2/κ = 0.02" in gd.status_text and "diverged" in gd.status_text   # α = 0.1 > 0.02
    gd.controls["lr"].value = 0.019
    assert "diverged" not in gd.status_text
    gd.controls["objective"].value = "bowl"
    assert gd.controls["condition"].disabled
    gd.controls["condition"].value = 3.0                          # ignored for the bowl
    assert gd.objective.name == "bowl" and gd.error_text == ""


def test_objective_chooser_moves_sliders_and_contours(gd):
    gd.controls["objective"].value = "rosenbrock"
    assert (gd.controls["x0"].min, gd.controls["x0"].max) == (-2.0, 2.0)
    assert (gd.controls["y0"].min, gd.controls["y0"].max) == (-1.0, 3.0)
    assert gd.ax.get_xlim() == (-2.0, 2.0) and gd.ax.get_ylim() == (-1.0, 3.0)
    assert gd.controls["lr"].value == pytest.approx(1e-3)
    assert gd.error_text == "" and gd.status_text
    gd.controls["steps"].value = 300
    assert gd.ax_loss.get_xlim()[1] == pytest.approx(306)
    assert len(gd.trajectory) == 301


def test_saddle_point_stalls(gd):
    gd.controls["objective"].value = "saddle"
    gd.set_start(1.5, 0.0)                                      # on the line θ₂ = 0: ∇L has no θ₂ part
    gd.controls["steps"].value = 300
    assert "saddle" in gd.status_text
    assert np.allclose(gd.trajectory.final, [0.0, 0.0], atol=1e-6)


def test_custom_objective_and_errors_inside_the_widget(gd):
    tilted = objectives.quadratic_form(np.array([[2.0, 0.5], [0.5, 1.0]]), b=np.array([1.0, 0.0]),
                                       name="tilted", domain=[(-2, 2), (-2, 2)])
    gd.set_objective(tilted)
    assert gd.controls["objective"].value == "tilted" and "tilted" in gd.controls["objective"].options
    gd.controls["steps"].value = 1000
    assert gd.status_text.startswith("converged")
    np.testing.assert_allclose(gd.trajectory.final, np.linalg.solve([[2.0, 0.5], [0.5, 1.0]], [1.0, 0.0]),
                               atol=1e-6)

    def bad_grad(p):
        raise ValueError("gradient not defined here")
    broken = Objective(lambda p: p[..., 0] ** 2, bad_grad, dim=2, name="broken")
    with pytest.raises(ValueError, match="gradient not defined here"):   # a direct call raises
        gd.set_objective(broken)
    gd.controls["objective"].value = "bowl"                     # the widget keeps working
    assert gd.error_text == "" and gd.status_text
    gd.controls["expression"].value = "x +* y"                  # a typo is shown inside the widget
    assert "ExpressionError" in gd.error_text and gd.objective.name == "bowl"
    gd.controls["expression"].value = "(x - 1)**2 + 2*y**2"
    assert gd.error_text == "" and gd.objective.name == "(x - 1)**2 + 2*y**2"


def test_click_sets_the_start_with_ipympl():
    import matplotlib

    backend = matplotlib.get_backend()
    e = GradientDescent2D("bowl", renderer="ipympl")   # importing ipympl switches pyplot's backend
    try:
        assert type(e.figure.canvas).__module__.startswith("ipympl")
        e.figure.canvas.draw()
        px, py = e.ax.transData.transform((1.0, -1.5))
        event = MouseEvent("button_press_event", e.figure.canvas, px, py, button=1)
        e.figure.canvas.callbacks.process("button_press_event", event)
        assert e.controls["x0"].value == pytest.approx(1.0, abs=0.02)
        assert e.controls["y0"].value == pytest.approx(-1.5, abs=0.02)
        np.testing.assert_allclose(e.trajectory.points[0], [e.controls["x0"].value, e.controls["y0"].value])
        # a click outside the contour axes changes nothing
        px, py = e.ax_loss.transData.transform((5, 1.0))
        e.figure.canvas.callbacks.process("button_press_event",
                                          MouseEvent("button_press_event", e.figure.canvas, px, py, button=1))
        assert e.controls["x0"].value == pytest.approx(1.0, abs=0.02)
    finally:
        e.close()
        matplotlib.use(backend)


def _click_to_data(click, px, py):
    """Invert the click target's affine map (canvas pixels, y down) -> data coordinates."""
    a, b, c, d, e, f = click["trans"]["m"]
    det = a * d - b * c
    return (d * (px - e) - c * (py - f)) / det, (a * (py - f) - b * (px - e)) / det


def test_click_target_in_the_browser_maps_the_contour_axes_to_their_limits():
    # the canvas renderer: the browser sets x0 and y0 to the clicked point (figure_canvas.js)
    e = GradientDescent2D("bowl", renderer="canvas")
    try:
        for name in ("bowl", "rosenbrock"):   # a new function: new limits, the scene is sent again
            e.controls["objective"].value = name
            view = e._view.widget
            scene = view.scene
            assert scene["name"] == "gd2d" and "condition" in scene["kernel_only"]
            click = scene["params"]["click"]
            assert (click["x"], click["y"]) == ("x0", "y0")
            assert not click["trans"]["xlog"] and not click["trans"]["ylog"]
            left, top, width, height = click["rect"]
            (xl, xh), (yl, yh) = e.ax.get_xlim(), e.ax.get_ylim()
            assert (xl, xh, yl, yh) == tuple(e.objective.domain.ravel())
            # the rectangle is the contour axes in PNG pixels (the PNG is `view.height` tall, y down)
            l, b, w, h = e.ax.bbox.bounds
            assert view.height == e.figure.bbox.height
            np.testing.assert_allclose([left, top, width, height], [l, view.height - b - h, w, h], atol=0.01)
            # its corners map to the axes' data limits: top left (θ₁ low, θ₂ high), bottom right
            # (the rectangle is rounded to 0.01 px: allow that much, in data units)
            tol = 0.01 * np.array([(xh - xl) / width, (yh - yl) / height])
            for (px, py), want in (((left, top), (xl, yh)), ((left + width, top + height), (xh, yl)),
                                   ((left + width / 2, top + height / 2), ((xl + xh) / 2, (yl + yh) / 2))):
                assert np.all(np.abs(np.subtract(_click_to_data(click, px, py), want)) <= tol), (name, px, py)
    finally:
        e.close()


def test_bad_arguments():
    with pytest.raises(ValueError, match="objective must be one of"):
        GradientDescent2D("nope", renderer="image")
    with pytest.raises(ValueError, match="two-dimensional"):
        GradientDescent2D(objectives.get("quadratic"), renderer="image")
    with pytest.raises(ValueError, match="lr"):
        GradientDescent2D(lr=-1.0, renderer="image")
    with pytest.raises(ValueError, match="steps"):
        GradientDescent2D(steps=0, renderer="image")
    with pytest.raises(ValueError, match="condition"):
        GradientDescent2D(condition=0.5, renderer="image")


# -- the static views the notebook uses ------------------------------------------------------
def test_static_views_draw_what_they_are_given():
    import matplotlib.pyplot as plt
    from matplotlib.quiver import Quiver

    from i2dl_helpers import GD, numerical_grad, run
    from i2dl_helpers.plotting import views2d

    obj = objectives.get("himmelblau")
    traj = run(obj, GD(0.01), [0.0, 0.0], steps=50)
    ax = views2d.contour_path(obj, traj)
    path = [line for line in ax.lines if line.get_label() == "θ_k"][0]
    np.testing.assert_array_equal(np.c_[path.get_data()], traj.points)
    assert ax.get_xlim() == (-5.0, 5.0)
    # arrows: unit vectors along ∇L, checked against finite differences
    ax = views2d.gradient_field(obj, n_arrows=7)
    q = [c for c in ax.collections if isinstance(c, Quiver)][0]
    pts = q.XY
    g = numerical_grad(obj, pts)
    np.testing.assert_allclose(np.c_[q.U, q.V], g / np.linalg.norm(g, axis=1, keepdims=True), atol=1e-6)
    fig = views2d.three_views(obj, traj)
    assert len(fig.axes) == 3
    ax = views2d.loss_per_step(traj, optimum=0.0)
    assert ax.get_yscale() == "log"
    plt.close("all")
