"""GradientDescent1D and the Explorer base: driven through .controls, as nbval and benchmarks do."""
import io
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from i2dl_helpers.plotting import style
from i2dl_helpers.objectives import Objective, get
from i2dl_helpers.optim import GD, run
from i2dl_helpers.widgets import DifferenceQuotient, GradientDescent1D
from i2dl_helpers.widgets._png import encode_png
from i2dl_helpers.optim.theory import regime


def _image(explorer):
    return np.asarray(Image.open(io.BytesIO(explorer.widget.children[1].value)))


def test_controls_contract_and_path_matches_run():
    e = GradientDescent1D("double_well", lr=0.05, x0=-1.8, steps=80)
    assert {"lr", "x0", "steps", "objective"} <= set(e.controls)
    assert e.controls["lr"].min == -3 and e.controls["lr"].base == 10  # log scale
    e.controls["lr"].value = 0.1
    e.controls["x0"].value = 0.5
    expected = run(get("double_well"), GD(0.1), 0.5, steps=80, tol=e.tol)
    xs, ys = e._path.get_data()
    assert np.array_equal(xs, expected.points[:, 0]) and np.array_equal(ys, expected.values)
    assert e.status_text.startswith(expected.message)
    assert not e.error_text


def test_status_names_the_regime_and_divergence():
    e = GradientDescent1D("quadratic", lr=0.1, x0=2.5, steps=100)
    e.controls["lr"].value = 1.5
    assert "converged" in e.status_text and "oscillates" in e.status_text
    e.controls["lr"].value = 2.5
    assert e.status_text.startswith("diverged at step") and "diverges" in e.status_text
    assert "off the plot" in e._offplot.get_text()
    e.controls["lr"].value = 0.5
    assert e._offplot.get_text() == ""


@pytest.mark.parametrize("q, word", [(0.05, "slow"), (0.5, "monotone"), (1.0, "one step"), (1.5, "oscillates"),
                                     (2.0, "forever"), (3.0, "diverges")])
def test_regime_words(q, word):
    assert word in regime(q, 1.0)


def test_slider_updates_blit_instead_of_full_redraws(monkeypatch):
    e = GradientDescent1D("quadratic", renderer="image")
    calls = {"draw": 0}
    original = e.figure.canvas.draw

    def counting_draw(*a, **k):
        calls["draw"] += 1
        return original(*a, **k)

    monkeypatch.setattr(e.figure.canvas, "draw", counting_draw)
    before = _image(e)
    for lr in (0.2, 0.4, 0.8):
        e.controls["lr"].value = lr
    e.controls["x0"].value = -2.0
    assert calls["draw"] == 0, "lr/x0 changes must not redraw the whole figure"
    assert not np.array_equal(before, _image(e)), "the image sent to the browser changed"
    e.controls["objective"].value = "double_well"
    assert calls["draw"] == 1, "a new function redraws the background once"


def test_blitted_image_equals_a_full_render():
    e = GradientDescent1D("double_well", lr=0.05, x0=-1.8, renderer="image")
    e.controls["lr"].value = 0.2
    blitted = _image(e)
    e.redraw(full=True)
    assert np.array_equal(blitted, _image(e))


def test_new_function_moves_the_start_slider_into_its_domain():
    e = GradientDescent1D("quadratic")
    e.controls["objective"].value = "many_minima"
    lo, hi = get("many_minima").domain[0]
    assert (e.controls["x0"].min, e.controls["x0"].max) == (lo, hi)
    assert lo <= e.controls["x0"].value <= hi
    assert e.ax.get_title() == "many minima"


def test_errors_are_shown_in_the_widget_and_it_keeps_working():
    def broken_grad(x):
        raise ZeroDivisionError("boom")

    e = GradientDescent1D("quadratic")
    e.set_objective(Objective(lambda x: x**2, lambda x: 2 * x, dim=1, name="ok"))
    good = e.status_text
    e._objective = Objective(lambda x: x**2, broken_grad, dim=1, name="broken")
    e.controls["lr"].value = 0.3
    assert "ZeroDivisionError: boom" in e.error_text and "boom" in e.error.value
    e.controls["objective"].value = "quadratic"
    e.controls["lr"].value = 0.2
    assert e.error_text == "" and e.status_text and e.status_text != good


def test_typed_objective_stays_selectable():
    e = GradientDescent1D("quadratic")
    e.set_objective(Objective(np.cosh, np.sinh, dim=1, name="cosh", domain=(-2, 2)))
    assert e.controls["objective"].value == "cosh" and e.controls["x0"].max == 2
    e.controls["objective"].value = "double_well"
    e.controls["objective"].value = "cosh"
    assert e.objective.name == "cosh" and not e.error_text
    with pytest.raises(ValueError, match="one-dimensional"):
        e.set_objective(get("bowl"))


def test_no_pyplot_figures_and_no_warnings_when_recreated():
    before = plt.get_fignums()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(4):  # a figure left in pyplot's registry would show after the first
            GradientDescent1D("double_well", lr=2.0).controls["lr"].value = 5.0
    assert plt.get_fignums() == before


def test_static_fallback_contains_the_path():
    e = GradientDescent1D("quadratic", lr=0.1)
    bundle = e._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert {"image/png", "application/vnd.jupyter.widget-view+json"} <= set(data)
    a = e.snapshot()
    e.controls["lr"].value = 1.5
    b = e.snapshot()
    assert a[:8] == b"\x89PNG\r\n\x1a\n" and a != b
    # the snapshot did not disturb the live view
    e.controls["lr"].value = 0.1
    assert not e.error_text


def test_classroom_style_makes_bigger_figures():
    try:
        style.classroom()
        big = GradientDescent1D()
    finally:
        style.screen()
    small = GradientDescent1D()
    # in pixels, as on the screen (presentation mode zooms the figure through its dpi)
    assert big.figure.bbox.width > 1.2 * small.figure.bbox.width
    label_px = [e.ax.xaxis.label.get_fontsize() * e.figure.dpi / 72 for e in (big, small)]
    assert label_px[0] > 1.4 * label_px[1]


def test_png_encoder_round_trips():
    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    decoded = np.asarray(Image.open(io.BytesIO(encode_png(rgba))))
    assert np.array_equal(decoded, rgba[..., :3])


def test_difference_quotient_converges_like_h():
    e = DifferenceQuotient("double_well", x=-0.5)
    gaps = []
    for h in (1e-2, 1e-3):
        e.controls["h"].value = h
        gaps.append(abs(e.quotient - e.derivative))
    # forward truncation error ≈ h/2 · |L''(x)|, and L''(−0.5) = 3/4 + 1/2 − 3/2 = −1/4
    assert gaps[1] == pytest.approx(1e-3 / 2 * 0.25, rel=0.05)
    assert gaps[0] / gaps[1] == pytest.approx(10, rel=0.1)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(lr=0.0), ValueError, "lr must be a positive"),
    (dict(steps=0), ValueError, "steps must be an integer >= 1"),
    (dict(objective="nope"), ValueError, "objective must be one of"),
    (dict(objective=get("bowl")), ValueError, "one-dimensional"),
    (dict(renderer="svg"), ValueError, "renderer must be one of"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        GradientDescent1D(**kwargs)


def test_ipympl_renderer_updates_in_place():
    pytest.importorskip("ipympl", reason="ipympl not installed")
    e = GradientDescent1D("double_well", renderer="ipympl")
    assert type(e.widget.children[1]).__name__ == "Canvas"
    e.controls["lr"].value = 0.2
    e.controls["objective"].value = "quadratic"
    assert not e.error_text and e.status_text
    assert e.figure.canvas is e.widget.children[1]


def test_ipympl_renderer_leaves_pyplot_backend_alone():
    pytest.importorskip("ipympl", reason="ipympl not installed")
    import matplotlib

    before = matplotlib.get_backend()
    GradientDescent1D(renderer="ipympl")
    assert matplotlib.get_backend() == before
