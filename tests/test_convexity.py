"""Tests for i2dl_helpers.convexity: the sampled chord test and the Hessian map."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i2dl_helpers import objectives
from i2dl_helpers.convexity import (chord_gap, chord_test, gallery, hessian_map, min_eigenvalue_2x2)
from i2dl_helpers.numdiff import numerical_hessian


# -- chord (Jensen) test ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["double_well", "many_minima", "flat_saddle"])
def test_chord_test_finds_a_real_counterexample_in_1d(name):
    obj = objectives.get(name)
    res = chord_test(obj, seed=3)
    assert not res.convex
    c = res.counterexample
    lo, hi = obj.domain[0]
    assert lo <= c.x <= hi and lo <= c.y <= hi and 0 <= c.lam <= 1
    # recompute the gap from the definition, independently of chord_test
    z = c.lam * c.x + (1 - c.lam) * c.y
    gap = obj(z) - (c.lam * obj(c.x) + (1 - c.lam) * obj(c.y))
    assert gap == pytest.approx(c.gap, rel=1e-12)
    assert gap > 1e-3


@pytest.mark.parametrize("name", ["rosenbrock", "himmelblau", "saddle"])
def test_chord_test_finds_a_real_counterexample_in_2d(name):
    obj = objectives.get(name)
    c = chord_test(obj, n_samples=5000).counterexample
    assert c is not None and c.x.shape == (2,)
    x, y, lam = c.x, c.y, c.lam
    f = {"rosenbrock": lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2,
         "himmelblau": lambda p: (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2,
         "saddle": lambda p: p[0] ** 2 / 2 + p[1] ** 4 / 4 - p[1] ** 2 / 2}[name]
    assert f(lam * x + (1 - lam) * y) > lam * f(x) + (1 - lam) * f(y)


def test_chord_test_finds_no_counterexample_on_convex_functions():
    for obj, convex in gallery():
        assert chord_test(obj, n_samples=4000).convex == convex, obj.name


def test_linear_and_nonsmooth_convex_callables_pass():
    # a linear function has gap 0 exactly in exact arithmetic: round-off must not count
    assert chord_test(lambda p: 3 * p[:, 0] - 7 * p[:, 1] + 1e6, box=[(-1e3, 1e3), (-1e3, 1e3)]).convex
    assert chord_test(np.abs, box=(-2, 2)).convex
    assert chord_test(lambda p: np.max(np.abs(p), axis=-1), box=[(-1, 1), (-1, 1)]).convex


def test_small_dip_found_once_the_box_is_small():
    f = lambda x: x**4 - 0.01 * x**2   # L'' < 0 only for |x| < 0.041
    assert not chord_test(f, box=(-0.1, 0.1)).convex
    assert chord_test(f, box=(0.2, 2.0)).convex


@settings(max_examples=30, deadline=None)
@given(st.floats(0.01, 100), st.floats(0.01, 100), st.floats(-1, 1), st.integers(0, 10))
def test_random_positive_definite_quadratics_are_convex(a, c, r, seed):
    b = r * np.sqrt(a * c) * 0.999
    A = np.array([[a, b], [b, c]])
    obj = objectives.quadratic_form(A, b=np.array([1.0, -2.0]))
    assert chord_test(obj, n_samples=2000, seed=seed).convex


def test_chord_test_is_deterministic_for_a_seed():
    obj = objectives.get("himmelblau")
    a, b = chord_test(obj, seed=5), chord_test(obj, seed=5)
    np.testing.assert_array_equal(a.counterexample.x, b.counterexample.x)
    assert a.counterexample.gap == b.counterexample.gap


def test_chord_gap_matches_the_definition():
    obj = objectives.get("double_well")
    lam = np.linspace(0, 1, 11)
    gap = chord_gap(obj, -1.0, 1.5, lam)
    f = lambda x: x**4 / 4 - x**3 / 6 - 0.75 * x**2
    expect = f(lam * -1.0 + (1 - lam) * 1.5) - (lam * f(-1.0) + (1 - lam) * f(1.5))
    np.testing.assert_allclose(gap, expect, atol=1e-14)
    assert gap[0] == pytest.approx(0, abs=1e-14) and gap[-1] == pytest.approx(0, abs=1e-14)
    assert gap.max() > 0  # the graph crosses above this chord (around the maximum at 0)


def test_chord_test_errors_name_the_parameter():
    obj = objectives.get("bowl")
    with pytest.raises(ValueError, match="box"):
        chord_test(lambda p: p, box=None)
    with pytest.raises(ValueError, match="box"):
        chord_test(obj, box=[(1, -1), (0, 1)])
    with pytest.raises(ValueError, match="dim"):
        chord_test(obj, box=[(0, 1)])
    with pytest.raises(ValueError, match="n_samples"):
        chord_test(obj, n_samples=0)
    with pytest.raises(TypeError, match="f must be"):
        chord_test(3.0, box=(0, 1))
    with pytest.raises(ValueError, match="lam"):
        chord_gap(obj, [0, 0], [1, 1], 1.5)


# -- Hessian (second-order) test -----------------------------------------------------------
def test_min_eigenvalue_matches_eigvalsh():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(500, 2, 2))
    H = M + np.swapaxes(M, -1, -2)
    np.testing.assert_allclose(min_eigenvalue_2x2(H), np.linalg.eigvalsh(H)[:, 0], atol=1e-12)


def test_hessian_map_matches_finite_differences():
    obj = objectives.get("himmelblau")
    cmap = hessian_map(obj, n=25)
    X, Y = cmap.grid
    P = np.stack([X, Y], -1)
    H = numerical_hessian(lambda p: obj.grad(p), P)
    np.testing.assert_allclose(cmap.min_eig, np.linalg.eigvalsh(H)[..., 0], atol=1e-4)


def test_hessian_map_regions_match_closed_forms():
    # saddle: ∇²L = diag(1, 3y² − 1), locally convex iff |y| ≥ 1/√3
    cmap = hessian_map(objectives.get("saddle"), n=101)
    X, Y = cmap.grid
    far = np.abs(np.abs(Y) - 1 / np.sqrt(3)) > 1e-3
    np.testing.assert_array_equal(cmap.convex[far], (np.abs(Y) >= 1 / np.sqrt(3))[far])
    # Rosenbrock (b = 100): det ∇²L = 4b(1 − 2by + 2bx²) ≥ 0 iff y ≤ x² + 1/(2b)
    cmap = hessian_map(objectives.get("rosenbrock"), n=101)
    X, Y = cmap.grid
    bound = X**2 + 1 / 200
    far = np.abs(Y - bound) > 1e-3
    np.testing.assert_array_equal(cmap.convex[far], (Y <= bound)[far])
    assert 0 < cmap.fraction < 1 and not cmap.everywhere


def test_hessian_map_1d_and_convex_cases():
    cmap = hessian_map(objectives.get("double_well"), n=401)
    xs, = cmap.grid
    # L'' = 3x² − x − 1.5 < 0 between the roots (1 ± √19)/6
    r1, r2 = (1 - np.sqrt(19)) / 6, (1 + np.sqrt(19)) / 6
    far = (np.abs(xs - r1) > 1e-2) & (np.abs(xs - r2) > 1e-2)
    np.testing.assert_array_equal(cmap.convex[far], ((xs <= r1) | (xs >= r2))[far])
    assert hessian_map(objectives.get("ill_conditioned", condition=50.0, angle=20.0)).everywhere


def test_hessian_map_errors():
    with pytest.raises(TypeError, match="objective"):
        hessian_map(lambda p: p)
    with pytest.raises(ValueError, match="n must"):
        hessian_map(objectives.get("bowl"), n=1)


# -- ChordExplorer driven through its controls --------------------------------------------
def test_chord_explorer_finds_a_dipping_chord_and_a_good_one():
    from i2dl_helpers.widgets import ChordExplorer

    e = ChordExplorer("double_well", x=-1.5, y=2.0, lam=0.5, renderer="image")
    try:
        f = lambda x: x**4 / 4 - x**3 / 6 - 0.75 * x**2
        assert e.error_text == "" and "not convex" in e.status_text
        z = 0.5 * -1.5 + 0.5 * 2.0
        assert e.gap == pytest.approx(f(z) - 0.5 * (f(-1.5) + f(2.0)), rel=1e-12)
        xs, ys = e._chord.get_data()
        np.testing.assert_allclose(ys, [f(-1.5), f(2.0)])
        e.controls["x"].value, e.controls["y"].value = 1.0, 2.0   # both right of the inflection point
        assert "on or above the graph" in e.status_text and e.max_gap <= 0
        assert np.all(np.isnan(e._above.get_data()[1]))
        e.controls["objective"].value = "x⁴"
        lo, hi = e.objective.domain[0]
        assert (e.controls["x"].min, e.controls["x"].max) == (lo, hi)
        assert "on or above" in e.status_text and e.error_text == ""
        e.controls["lam"].value = 0.0                                 # z = y: the chord meets the graph
        assert "chord touches the graph" in e.status_text
    finally:
        e.close()


def test_chord_explorer_accepts_an_objective_and_shows_errors():
    from i2dl_helpers import Objective
    from i2dl_helpers.widgets import ChordExplorer

    e = ChordExplorer("x²", renderer="image")
    try:
        wavy = Objective(np.sin, np.cos, dim=1, name="sin", domain=[(-3, 3)])
        e.set_objective(wavy)
        assert e.controls["objective"].value == "sin" and e.objective is wavy
        e.controls["x"].value, e.controls["y"].value = -3.0, 0.0    # sin'' = −sin ≥ 0 on [−3, 0]: convex there
        assert "on or above" in e.status_text
        e.controls["y"].value = 3.0
        assert "not convex" in e.status_text
        broken = Objective(lambda x: np.log(x - 10), lambda x: 1 / (x - 10), dim=1, name="broken")
        with pytest.raises(ValueError, match="not finite"):   # a direct call raises ...
            e.set_objective(broken)
        e.controls["objective"].value = "sin"
        e.controls["expression"].value = "log(x - 10)"          # ... the text box shows it in the widget
        assert "not finite" in e.error_text and e.objective is wavy   # and keeps the previous function
        e.controls["objective"].value = "x²"
        assert e.error_text == ""
    finally:
        e.close()
    with pytest.raises(ValueError, match="objective must be one of"):
        ChordExplorer("nope", renderer="image")
    with pytest.raises(ValueError, match="lam"):
        ChordExplorer(lam=2.0, renderer="image")


def test_convexity_plots():
    import matplotlib.pyplot as plt

    from i2dl_helpers.plotting import views2d

    well = objectives.get("double_well")
    ax = views2d.chord_plot(well, -1.5, 2.0, 0.5)
    chord = [line for line in ax.lines if line.get_label() == "chord"][0]
    xs, ys = chord.get_data()
    np.testing.assert_allclose(ys, np.interp(xs, [-1.5, 2.0], [well(-1.5), well(2.0)]), atol=1e-12)
    views2d.convexity_map(hessian_map(objectives.get("saddle"), n=50), objectives.get("saddle"))
    views2d.convexity_map(hessian_map(well, n=50), well)
    with pytest.raises(ValueError, match="objective"):
        views2d.convexity_map(hessian_map(well, n=50))
    plt.close("all")


def test_convexity_gallery_titles_give_the_verdict():
    import matplotlib.pyplot as plt

    from i2dl_helpers.plotting import views2d

    items = gallery()
    fig = views2d.convexity_gallery(items, n=40)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == len(items)
    for (obj, convex), title in zip(items, titles):
        assert title.endswith(": convex" if convex else ": not convex"), title
    plt.close("all")


def test_basics_convexity_gallery_has_labelled_axes_and_fits_the_column():
    from i2dl_helpers.plotting.basics import convexity_gallery

    items = gallery()
    fig = convexity_gallery(items, n=40)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == len(items)
    assert fig.get_size_inches()[0] <= 9.0
    for (obj, convex), ax in zip(items, axes):
        assert ax.get_title().endswith(": convex" if convex else ": not convex"), ax.get_title()
        want = ("θ", "L(θ)") if obj.dim == 1 else ("θ₁", "θ₂")
        assert (ax.get_xlabel(), ax.get_ylabel()) == want, obj.name
    assert fig.legends, "the colours are explained in a legend"
    fig.canvas.draw()
    boxes = [ax.title.get_window_extent() for ax in axes]
    for i, a in enumerate(boxes):                       # no two titles overlap
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    with pytest.raises(ValueError, match="items"):
        convexity_gallery([])


def test_the_2d_map_hatches_the_non_convex_region_so_colour_is_not_the_only_cue():
    """WCAG 1.4.11: the red and blue fills are lighter than 3:1 against each other; the non-convex part is hatched."""
    import matplotlib
    matplotlib.use("Agg")
    from i2dl_helpers.objectives import get
    from i2dl_helpers.plotting.views2d import convexity_map

    def hatches(name):
        obj = get(name)
        ax = convexity_map(hessian_map(obj, n=60), obj)
        found = [h for c in ax.collections for h in (getattr(c, "hatches", None) or [c.get_hatch()]) if h]
        ax.figure.clf()
        return found

    assert hatches("himmelblau") == ["////"]
    assert hatches("bowl") == []  # convex everywhere: nothing to hatch
