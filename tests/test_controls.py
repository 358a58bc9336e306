"""Controls declared once: the constructor's check and the widget come from one table, and a value
outside a slider's range is refused by name or widens the range, never silently changed."""
import math

import ipywidgets as widgets
import pytest

from i2dl_helpers.widgets import GradientDescent1D, NetworkShape
from i2dl_helpers.widgets.sliders import Control


def test_a_log_control_refuses_by_name_and_range():
    c = Control("lr", "learning rate", "log", 1e-3, 10.0)
    assert c.check(0.5) == 0.5
    with pytest.raises(ValueError, match=r"lr must be in \[0.001, 10.0\]"):
        c.check(100.0)
    with pytest.raises(TypeError, match="lr must be a real number"):
        c.check("fast")


def test_a_growing_control_widens_its_slider_to_the_value():
    c = Control("lr", "learning rate", "log", 1e-3, 10.0, grow=True)
    slider = c.make(c.check(100.0))
    assert isinstance(slider, widgets.FloatLogSlider)
    assert slider.value == 100.0 and math.isclose(slider.max, 2.0)
    with pytest.raises(ValueError, match="lr must be a positive"):
        c.check(-1.0)


def test_hard_limits_hold_when_the_range_grows():
    c = Control("steps", "steps", "int", 1, 200, grow=True, limits=(1, 10_000))
    assert c.make(c.check(1000)).max == 1000
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        c.check(0)
    with pytest.raises(ValueError, match="steps must be an integer <= 10000"):
        c.check(20_000)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        Control("x", "x", "slider")


@pytest.mark.parametrize("kwargs,control,value", [
    ({"lr": 100.0}, "lr", 100.0),          # was silently run with α = 10
    ({"steps": 1000}, "steps", 1000),      # was silently run with 200 steps
    ({"x0": 7.5}, "x0", 7.5),              # outside the quadratic's plotted domain
])
def test_gd1d_honours_values_outside_the_default_ranges(kwargs, control, value):
    e = GradientDescent1D("quadratic", renderer="image", **kwargs)
    assert e.controls[control].value == value
    assert e.trajectory.points[0, 0] == e.controls["x0"].value
    if control == "steps":
        assert e.trajectory.stop_step <= 1000 and "steps" not in e.error_text
    if control == "lr":
        assert "diverged" in e.status_text          # α = 100 on L = x²/2 diverges (αλ = 100 > 2)
    e.close()


@pytest.mark.parametrize("kwargs,name", [({"lr": 0.0}, "lr"), ({"steps": 0}, "steps"), ({"lr": float("nan")}, "lr"),
                                         ({"steps": 2.5}, "steps")])
def test_gd1d_refuses_impossible_values_by_name(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        GradientDescent1D("quadratic", renderer="image", **kwargs)


def test_network_shape_refuses_out_of_range():
    with pytest.raises(ValueError, match="width must be an integer <= 12"):
        NetworkShape(width=40)
