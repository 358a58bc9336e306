"""The browser rounds a value set from code to its slider's grid and sends the rounded copy back, late.

The browser is simulated the way ipywidgets receives it: ``control.set_state({"value": v})``.
The rounding is computed here independently: a FloatLogSlider's handle sits at
min + k·step in the exponent (the front end sends base ** that), a FloatSlider's at
min + k·step.
"""
import math

import pytest

from i2dl_helpers.widgets import GradientDescent1D, GradientDescent2D


def browser_copy_log(value, slider):
    k = round((math.log10(value) - slider.min) / slider.step)
    return 10 ** (slider.min + k * slider.step)


def browser_sends(control, value):
    control.set_state({"value": value})


@pytest.fixture
def explorer():
    return GradientDescent1D("quadratic", lr=0.1, x0=1.5, renderer="image")


def test_the_rounded_copy_of_a_code_value_is_not_applied(explorer):
    lr = explorer.controls["lr"]
    lr.value = 0.5
    status = explorer.status_text
    assert "αλ = 0.5 " in status
    browser_sends(lr, browser_copy_log(0.5, lr))  # 10**-0.3 = 0.501
    assert lr.value == 0.5 and explorer.status_text == status


def test_stale_copies_of_earlier_values_are_undone_and_the_kept_value_resent(explorer, monkeypatch):
    lr = explorer.controls["lr"]
    sent = []
    monkeypatch.setattr(lr, "send_state", lambda key=None: sent.append((key, lr.value)))
    for v in (0.5, 2.5, 0.1):
        lr.value = v
    status = explorer.status_text
    browser_sends(lr, browser_copy_log(0.5, lr))
    browser_sends(lr, browser_copy_log(2.5, lr))
    assert lr.value == 0.1 and explorer.status_text == status
    # the browser would otherwise keep showing 2.512: the kernel tells it 0.1 again
    assert sent and sent[-1] == ("value", 0.1)


def test_a_person_moving_the_slider_is_applied(explorer):
    lr = explorer.controls["lr"]
    lr.value = 0.5
    browser_sends(lr, browser_copy_log(0.5, lr))
    moved = 10 ** (-0.3 + lr.step)  # one key press to the right of the handle
    browser_sends(lr, moved)
    assert lr.value == moved and f"αλ = {moved:.3g}" in explorer.status_text
    # pending copies are forgotten once a person acts: going back to 0.501 is a real move
    browser_sends(lr, browser_copy_log(0.5, lr))
    assert lr.value == pytest.approx(0.501187, rel=1e-5)


def test_values_on_the_grid_expect_no_copy(explorer):
    lr = explorer.controls["lr"]
    lr.value = 0.1  # 10**-1 is on the grid: the browser sends nothing back
    browser_sends(lr, browser_copy_log(0.5, lr))  # so this is a person's move
    assert lr.value == pytest.approx(0.501187, rel=1e-5)


def test_the_constructor_value_survives_the_first_render():
    e = GradientDescent1D("quadratic", lr=2.3, x0=1.0, renderer="image")
    status = e.status_text
    browser_sends(e.controls["lr"], browser_copy_log(2.3, e.controls["lr"]))
    assert e.controls["lr"].value == 2.3 and e.status_text == status


def test_linear_sliders_too():
    e = GradientDescent2D("bowl", renderer="image")
    x0 = e.controls["x0"]
    x0.value = 1.2345  # off the grid min + k·(max − min)/400
    k = round((1.2345 - x0.min) / x0.step)
    browser_sends(x0, x0.min + k * x0.step)
    assert x0.value == 1.2345
    browser_sends(x0, x0.min + (k + 3) * x0.step)
    assert x0.value == pytest.approx(x0.min + (k + 3) * x0.step)


def test_a_value_typed_into_the_readout_is_kept_exactly(explorer):
    lr = explorer.controls["lr"]
    browser_sends(lr, 0.5)  # typed; the slider then rounds it and sends the copy as well
    browser_sends(lr, browser_copy_log(0.5, lr))
    assert lr.value == 0.5 and "αλ = 0.5 " in explorer.status_text
