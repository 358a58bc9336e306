"""Tests for i2dl_helpers.basins: the batched basin map agrees with one-by-one runs."""
from __future__ import annotations

import numpy as np
import pytest

from i2dl_helpers import GD, objectives, run
from i2dl_helpers.basins import DIVERGED, NOT_CONVERGED, basin_labels, basin_map


def _label_one(obj, lr, start, steps, radius):
    """Independent reference: one start, one run, nearest minimum by a plain loop."""
    traj = run(obj, GD(lr), start, steps=steps)
    if traj.status == "diverged":
        return DIVERGED
    best, best_d = NOT_CONVERGED, radius
    for i, m in enumerate(obj.minima):
        d = float(np.hypot(*(traj.final - m)))
        if d < best_d:
            best, best_d = i, d
    return best


@pytest.mark.parametrize("lr", [0.005, 0.02, 0.03])
def test_labels_match_one_by_one_runs(lr):
    obj = objectives.get("himmelblau")
    bm = basin_map(obj, lr, n=24, steps=150)
    assert bm.labels.shape == (24, 24)
    for i in range(0, 24, 3):
        for j in range(0, 24, 2):
            start = np.array([bm.X[i, j], bm.Y[i, j]])
            assert bm.labels[i, j] == _label_one(obj, lr, start, 150, bm.radius), (i, j, start)


def test_himmelblau_basins_cover_all_four_minima():
    bm = basin_map(objectives.get("himmelblau"), 0.01, n=200, steps=200)
    fr = bm.fractions()
    assert all(0.15 < fr[i] < 0.35 for i in range(4)), fr
    assert fr[DIVERGED] == 0 and fr[NOT_CONVERGED] < 0.01
    assert sum(fr.values()) == pytest.approx(1.0)
    # every start near a minimum ends in that minimum
    for i, m in enumerate(bm.minima):
        near = np.hypot(bm.X - m[0], bm.Y - m[1]) < 0.3
        assert near.any() and np.all(bm.labels[near] == i)


def test_large_learning_rate_diverges_and_saddle_line_does_not_converge():
    assert np.all(basin_map(objectives.get("himmelblau"), 0.1, n=20, steps=50).labels == DIVERGED)
    # saddle: starts on y = 0 slide into the saddle point (0, 0), which is no minimum
    bm = basin_map(objectives.get("saddle"), 0.1, n=21, steps=300)
    row = np.flatnonzero(bm.Y[:, 0] == 0.0)
    assert row.size == 1
    assert np.all(bm.labels[row[0]] == NOT_CONVERGED)
    assert np.all(bm.labels[bm.Y > 0.05] == 0) and np.all(bm.labels[bm.Y < -0.05] == 1)
    assert "not converged" in bm.summary()


def test_basin_labels_by_hand():
    minima = np.array([[0.0, 0.0], [1.0, 1.0]])
    final = np.array([[0.001, 0.0], [0.999, 1.0], [0.5, 0.5], [np.nan, 0.0], [1e9, 0.0]])
    diverged = np.array([False, False, False, True, True])
    np.testing.assert_array_equal(basin_labels(final, diverged, minima, 0.01), [0, 1, -2, -1, -1])
    np.testing.assert_array_equal(basin_labels(final[:3], np.zeros(3, bool), np.empty((0, 2)), 0.1),
                                  [-2, -2, -2])


def test_basin_map_errors():
    obj = objectives.get("himmelblau")
    with pytest.raises(ValueError, match="lr"):
        basin_map(obj, 0.0)
    with pytest.raises(ValueError, match="two-dimensional"):
        basin_map(objectives.get("quadratic"), 0.1)
    with pytest.raises(TypeError, match="objective"):
        basin_map("himmelblau", 0.1)
    with pytest.raises(ValueError, match="n must"):
        basin_map(obj, 0.1, n=1)
    with pytest.raises(ValueError, match="radius"):
        basin_map(obj, 0.1, radius=-1.0)


# -- BasinExplorer driven through its controls --------------------------------------------
def test_basin_explorer_updates_the_image_in_place():
    from i2dl_helpers.widgets import BasinExplorer

    e = BasinExplorer("himmelblau", lr=0.01, steps=100, n=60, renderer="image")
    try:
        assert e.error_text == ""
        image = e._image
        np.testing.assert_array_equal(image.get_array(), e.result.labels)
        assert "diverged 0.0%" in e.status_text
        e.controls["lr"].value = 0.02
        assert e._image is image                                   # same artist, new data
        np.testing.assert_array_equal(image.get_array(),
                                      basin_map(objectives.get("himmelblau"), 0.02, n=60, steps=100).labels)
        assert "min 2 0.0%" in e.status_text                        # α = 0.02 is too large for minimum 2
        e.controls["lr"].value = 0.1
        assert "diverged 100.0%" in e.status_text
    finally:
        e.close()
    with pytest.raises(ValueError, match="found no minimum"):
        BasinExplorer(objectives.Objective(lambda p: p[..., 0], lambda p: np.ones_like(p), dim=2), renderer="image")


def test_basin_plot_shows_the_labels():
    import matplotlib.pyplot as plt

    from i2dl_helpers.plotting import views2d

    bm = basin_map(objectives.get("himmelblau"), 0.02, n=40, steps=100)
    ax = views2d.basin_plot(bm)
    image = ax.get_images()[0]
    np.testing.assert_array_equal(image.get_array(), bm.labels)
    cmap, norm = views2d.basin_colors(4)
    # each label maps to its own colour: −2 grey, −1 black, 0..3 distinct
    colours = [tuple(cmap(norm(v))) for v in range(-2, 4)]
    assert len(set(colours)) == 6
    plt.close("all")


# -- minima of a typed-in function, found numerically ---------------------------------------
HIMMELBLAU_TEXT = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"


def _sorted_rows(a):
    a = np.asarray(a, dtype=float)
    return a[np.lexsort(a.T[::-1])]


def test_numerical_minima_of_a_parsed_himmelblau_match_the_catalogue():
    from i2dl_helpers.basins import find_minima
    from i2dl_helpers.expressions import parse

    typed = parse(HIMMELBLAU_TEXT, variables=("x", "y"), domain=[(-5, 5), (-5, 5)])
    assert len(typed.minima) == 0
    found = find_minima(typed)
    known = objectives.get("himmelblau").minima         # the catalogue's, polished from its own formula
    assert found.shape == (4, 2)
    np.testing.assert_allclose(_sorted_rows(found), _sorted_rows(known), atol=1e-8)
    # the saddles and the maximum of Himmelblau's function are not minima
    assert np.all(np.linalg.eigvalsh(typed.hessian(found))[:, 0] > 0)


def test_numerical_minima_in_1d_and_on_rosenbrock():
    from i2dl_helpers.basins import find_minima
    from i2dl_helpers.expressions import parse

    quartic = find_minima(parse("x**4 - 3*x**2 + x"))
    roots = np.sort(np.roots([4, 0, -6, 1]).real)      # L' = 4x³ − 6x + 1 = 0
    np.testing.assert_allclose(quartic[:, 0], roots[[0, 2]], atol=1e-9)   # the middle root is a maximum
    rosen = parse("(1 - x)**2 + 100*(y - x**2)**2", variables=("x", "y"), domain=[(-2, 2), (-1, 3)])
    np.testing.assert_allclose(find_minima(rosen), [[1.0, 1.0]], atol=1e-8)


@pytest.mark.parametrize("text", ["x**3 + y", "-x**2 - y**2", "x**2 - y**2", "x + y"])
def test_a_function_without_a_minimum_says_so(text):
    from i2dl_helpers.basins import NoMinimumFound, find_minima
    from i2dl_helpers.expressions import parse

    with pytest.raises(NoMinimumFound, match="found no minimum .* unbounded below"):
        find_minima(parse(text, variables=("x", "y")))
    assert issubclass(NoMinimumFound, ValueError)


def test_find_minima_validates():
    from i2dl_helpers.basins import find_minima

    obj = objectives.get("himmelblau")
    with pytest.raises(TypeError, match="objective"):
        find_minima("himmelblau")
    with pytest.raises(ValueError, match="n_starts"):
        find_minima(obj, n_starts=0)
    with pytest.raises(ValueError, match="grad_tol"):
        find_minima(obj, grad_tol=-1.0)


def test_basin_explorer_takes_a_parsed_function():
    from i2dl_helpers.expressions import parse
    from i2dl_helpers.widgets import BasinExplorer

    typed = parse(HIMMELBLAU_TEXT, variables=("x", "y"), domain=[(-5, 5), (-5, 5)])
    e = BasinExplorer(typed, lr=0.01, steps=100, n=40, renderer="image")
    try:
        assert e.error_text == "" and len(e.minima) == 4
        reference = basin_map(objectives.get("himmelblau"), 0.01, n=40, steps=100)
        # the same starts end at the same points; labels differ only by the minima's order
        for i, m in enumerate(e.minima):
            j = int(np.argmin(np.linalg.norm(reference.minima - m, axis=1)))
            np.testing.assert_array_equal(e.result.labels == i, reference.labels == j)
    finally:
        e.close()
    with pytest.raises(ValueError, match="found no minimum"):
        BasinExplorer(parse("x**2 - y**2", variables=("x", "y")), renderer="image")
