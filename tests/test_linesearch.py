"""Line search: exact (closed form and golden section) and Armijo backtracking."""
import numpy as np
import pytest

from i2dl_helpers import data, linesearch as ls, objectives
from i2dl_helpers.widgets import linesearch as ls_widget
from i2dl_helpers.objectives import LeastSquares, Objective
from i2dl_helpers.optim import GD, run


@pytest.fixture
def quad():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    return objectives.quadratic_form(A, b), A, b


def test_exact_matches_closed_form_on_quadratics(quad):
    f, A, b = quad
    for x in ([2.0, 1.0], [-1.0, 3.0], [0.3, -0.2]):
        x = np.array(x)
        g = A @ x - b
        expected = g @ g / (g @ A @ g)
        res = ls.exact(f, x, -g, full=True)
        assert res.method == "closed form" and res.alpha == pytest.approx(expected, rel=1e-12)
        golden = ls.exact(f, x, -g, method="golden", full=True)
        assert golden.alpha == pytest.approx(expected, rel=1e-6)
        assert golden.n_values > 10  # a 1D search costs many evaluations of L


def test_exact_on_least_squares_uses_the_closed_form():
    X, y, _ = data.linear_regression(200, 3, seed=0, correlation=0.5)
    obj = LeastSquares(X, y)
    w = np.zeros(3)
    g = obj.grad(w)
    H = 2 * X.T @ X / 200
    assert ls.exact(obj, w, -g) == pytest.approx(g @ g / (g @ H @ g), rel=1e-12)
    # the step lands where the directional derivative vanishes
    alpha = ls.exact(obj, w, -g)
    assert obj.grad(w - alpha * g) @ g == pytest.approx(0, abs=1e-10)


def test_exact_golden_on_a_non_quadratic():
    f = objectives.get("rosenbrock")
    x = np.array([-1.5, 2.0])
    g = f.grad(x)
    res = ls.exact(f, x, -g, full=True)
    assert res.method == "golden section"
    grid = np.linspace(0, 2 * res.alpha, 200001)
    best = grid[np.argmin(ls.phi(f, x, -g)(grid))]
    assert res.alpha == pytest.approx(best, rel=1e-4)
    assert f.grad(x - res.alpha * g) @ g == pytest.approx(0, abs=1e-4 * (g @ g))


def test_exact_with_a_plain_callable_and_far_minimum():
    f = lambda p: np.sum((np.asarray(p) - 50.0) ** 2, axis=-1)  # minimum far along the ray
    res = ls.exact(f, np.zeros(2), np.ones(2), full=True)
    assert res.alpha == pytest.approx(50.0, rel=1e-6) and res.method == "golden section"


def test_backtracking_armijo_and_largest_of_sequence():
    f = objectives.get("rosenbrock")
    for x in ([-1.5, 2.0], [0.5, -0.5], [1.2, 1.0]):
        x = np.array(x)
        g = f.grad(x)
        for alpha0, c, rho in ((1.0, 1e-4, 0.5), (0.3, 0.3, 0.8), (2.0, 0.9, 0.1)):
            res = ls.backtracking(f, x, -g, alpha0=alpha0, c=c, rho=rho, full=True)
            armijo = lambda a: f(x - a * g) <= f(x) + c * a * (g @ -g)
            assert armijo(res.alpha)
            k = round(np.log(res.alpha / alpha0) / np.log(rho))
            assert res.alpha == pytest.approx(alpha0 * rho ** k)
            assert all(not armijo(alpha0 * rho ** j) for j in range(k))  # every larger one fails
            assert res.n_values == k + 1 and len(res.trials) == k + 1  # one per trial (L(x) came with ∇L)


def test_backtracking_takes_alpha0_when_it_is_good(quad):
    f, A, b = quad
    x = np.array([1.0, 1.0])
    g = A @ x - b
    assert ls.backtracking(f, x, -g, alpha0=0.01) == 0.01


def test_zero_gradient_gives_zero_step(quad):
    f, A, b = quad
    xstar = np.linalg.solve(A, b)
    assert ls.exact(f, xstar, np.zeros(2)) == 0.0
    assert ls.backtracking(f, xstar, np.zeros(2)) == 0.0


@pytest.mark.parametrize("call, exc, match", [
    (lambda f, x, g: ls.exact(f, x, g), ValueError, "descent direction"),
    (lambda f, x, g: ls.backtracking(f, x, g), ValueError, "descent direction"),
    (lambda f, x, g: ls.backtracking(f, x, -g, rho=1.0), ValueError, "rho must be"),
    (lambda f, x, g: ls.backtracking(f, x, -g, c=0.0), ValueError, "c must be"),
    (lambda f, x, g: ls.backtracking(f, x, -g, alpha0=-1.0), ValueError, "alpha0 must be"),
    (lambda f, x, g: ls.exact(f, x, -g, method="newton"), ValueError, "method must be"),
    (lambda f, x, g: ls.exact(f, x[:1], -g), ValueError, "same length"),
    (lambda f, x, g: ls.exact("f", x, -g), TypeError, "f must be"),
    (lambda f, x, g: ls.exact(f, x * np.nan, -g), ValueError, "finite"),
])
def test_bad_inputs(quad, call, exc, match):
    f, A, b = quad
    x = np.array([1.0, 2.0])
    with pytest.raises(exc, match=match):
        call(f, x, A @ x - b)


def test_gd_with_exact_line_search_on_a_quadratic(quad):
    f, A, b = quad
    opt = ls.GDLineSearch("exact")
    traj = run(f, opt, [2.0, 2.0], steps=200, tol=1e-12)
    assert traj.status == "converged"
    assert np.allclose(traj.final, np.linalg.solve(A, b), atol=1e-10)
    # successive exact-search directions are orthogonal (the zig-zag)
    steps = np.diff(traj.points[:6], axis=0)
    assert all(abs(steps[i] @ steps[i + 1]) < 1e-10 * np.linalg.norm(steps[i]) * np.linalg.norm(steps[i + 1])
               for i in range(4))
    fixed = run(f, GD(0.1), [2.0, 2.0], steps=200, tol=1e-12)
    assert traj.stop_step < fixed.stop_step


def test_gd_with_backtracking_counts_evaluations():
    f = objectives.get("rosenbrock")
    opt = ls.GDLineSearch("backtracking", lr=1.0)
    traj = run(f, opt, [-1.5, 2.0], steps=300)
    assert traj.values[-1] < traj.values[0]
    assert np.all(np.diff(traj.values) <= 0)  # Armijo: the loss never goes up
    assert len(opt.alphas[0]) == 300 and opt.total_evaluations == sum(opt.evaluations[0])
    assert opt.total_evaluations >= 2 * 300


def test_gd_line_search_batched_starts(quad):
    f, A, b = quad
    opt = ls.GDLineSearch("exact")
    traj = run(f, opt, np.array([[2.0, 2.0], [-1.0, 0.5]]), steps=100, tol=1e-12)
    assert np.allclose(traj.final, np.linalg.solve(A, b), atol=1e-9)
    with pytest.raises(ValueError, match="search must be"):
        ls.GDLineSearch("armijo")


# ---------------------------------------------------------------- explorer ---------------
def test_line_search_explorer_reacts_to_controls():
    from i2dl_helpers.widgets import LineSearchExplorer

    e = LineSearchExplorer(renderer="image")
    assert e.error_text == "" and "closed form" in e.status_text
    f = e.objective
    theta = np.array([e.controls["x0"].value, e.controls["y0"].value])
    g = f.grad(theta)
    A = f.hessian(theta)
    assert e.result_exact.alpha == pytest.approx(g @ g / (g @ A @ g), rel=1e-12)
    e.controls["k"].value = 4
    assert "step k = 4" in e.status_text and len(e.trajectory) == 5
    e.controls["objective"].value = "rosenbrock"
    assert "golden section" in e.status_text and e.error_text == ""
    e.controls["search"].value = "backtracking"
    e.controls["c"].value = 0.5
    bt = e.result_backtracking
    theta = e.trajectory.final
    g = f2 = e.objective.grad(theta)
    assert e.objective(theta - bt.alpha * g) <= e.objective(theta) - 0.5 * bt.alpha * (g @ f2)
    xs, ys = e._phi_line.get_data()
    assert len(xs) == 300 and np.all(np.isfinite(ys))
    e.controls["objective"].value = "bowl"
    e.controls["k"].value = 2  # exact search on the round bowl lands on the minimum in one step
    assert "stationary point" in e.status_text
    e.close()



def _count_view_calls(explorer):
    """Wrap the explorer's view so that full redraws and blits are counted."""
    calls = {"draw": 0, "blit": 0}
    original = explorer._view.show

    def counted(full=False):
        calls["draw" if full or explorer._view._background is None else "blit"] += 1
        return original(full)
    explorer._view.show = counted
    return calls


def _tick_values(texts, offset):
    scale = float(offset.get_text().replace("−", "-")) if offset.get_text() else 1.0
    return np.array([float(t.get_text().replace("−", "-")) for t in texts]) * scale


def _check_phi_panel(e):
    """What the φ panel draws (in its fixed frame u = α/S, v = (φ − φ(0))/D) is the line-search math."""
    f, theta = e.objective, e.trajectory.final
    g = f.grad(theta)
    S, f0, D = e.alpha_span, e.phi0, e.phi_unit
    ex, bt = e.result_exact, e.result_backtracking
    line = ls.phi(f, theta, -g)
    assert f0 == pytest.approx(f(theta), rel=1e-12)
    assert 2.2 * max(ex.alpha, bt.alpha) <= S * (1 + 1e-12)
    assert S <= max(ls_widget._nice_ceil(2.2 * max(ex.alpha, bt.alpha)), max(bt.trials)) * (1 + 1e-12)
    us, vs = e._phi_line.get_data()
    assert len(us) == 300 and us[0] == 0 and us[-1] == pytest.approx(1)
    np.testing.assert_allclose(f0 + D * vs, line(S * us), rtol=1e-9, atol=1e-12 * D)
    assert np.nanmin(vs) >= -1 - 1e-9 and np.nanmin(vs) < -0.4  # the minimum fills the panel, unclipped
    ua, va = e._armijo.get_data()
    np.testing.assert_allclose(D * va, -e.controls["c"].value * S * ua * (g @ g), rtol=1e-9, atol=1e-12 * D)
    (u_ex,), (v_ex,) = e._ex_pt.get_data()
    assert S * u_ex == pytest.approx(ex.alpha, rel=1e-12) and f0 + D * v_ex == pytest.approx(line(ex.alpha))
    (u_bt,), (v_bt,) = e._bt_pt.get_data()
    assert S * u_bt == pytest.approx(bt.alpha, rel=1e-12)
    assert f0 + D * v_bt <= f0 - e.controls["c"].value * bt.alpha * (g @ g) + 1e-12 * abs(f0)  # Armijo holds
    # every backtracking try is on the panel (a cross; a triangle on the top edge when φ lies above it)
    # or counted in the note; the α axis leaves tries out only when the first lies far beyond both steps
    u_tr, v_tr = e._trials.get_data()
    u_up, v_up = e._trials_above.get_data()
    inside = [a for a in bt.trials if a <= S * (1 + 1e-12)]
    np.testing.assert_allclose(np.sort(S * np.concatenate([u_tr, u_up])), np.sort(inside), rtol=1e-12)
    assert np.all(np.asarray(v_tr) <= 1.1) and np.all(np.asarray(v_up) > 1.0)
    np.testing.assert_allclose(f0 + D * np.asarray(v_tr), line(S * np.asarray(u_tr)), rtol=1e-9, atol=1e-12 * D)
    assert all(line(S * u) > f0 + 1.1 * D for u in u_up)
    beyond = len(bt.trials) - len(inside)
    assert (beyond > 0) == bool(e._trials_note.get_text())
    if beyond:
        assert f"+ {beyond} tr" in e._trials_note.get_text() and max(bt.trials) > 4 * ls_widget._nice_ceil(
            2.2 * max(ex.alpha, bt.alpha))
        renderer = e.figure.canvas.get_renderer()
        assert not e._trials_note.get_window_extent(renderer).overlaps(e.ax_phi.get_legend().get_window_extent(renderer))
    # the animated tick labels name the true α and φ(α) − φ(0) at the fixed tick marks
    np.testing.assert_allclose(_tick_values(e._u_labels, e._u_offset), S * e.ax_phi.get_xticks(), rtol=1e-9)
    np.testing.assert_allclose(_tick_values(e._v_labels, e._v_offset), D * e.ax_phi.get_yticks(), rtol=1e-9,
                               atol=1e-12 * D)
    assert e.ax_phi.get_xlim() == (0.0, 1.0) and e.ax_phi.get_ylim() == (-1.1, 1.1)


def test_line_search_explorer_moves_the_start_without_a_full_redraw():
    from i2dl_helpers.widgets import LineSearchExplorer

    e = LineSearchExplorer(renderer="image")
    calls = _count_view_calls(e)
    f = e.objective
    for x0, y0 in ((-1.5, 1.0), (-1.0, 2.5), (2.0, -2.0), (0.3, 0.1), (-2.9, -2.9)):
        e.controls["x0"].value, e.controls["y0"].value = x0, y0
        assert e.error_text == ""
        theta = np.array([x0, y0])
        assert np.allclose(e.trajectory.final, theta)  # k = 0: θ_k is the start
        g, A = f.grad(theta), f.hessian(theta)
        assert e.result_exact.alpha == pytest.approx(g @ g / (g @ A @ g), rel=1e-12)
        _check_phi_panel(e)
    assert calls == {"draw": 0, "blit": 10}
    # the other controls blit too; the panel still shows the right values
    for name, value in (("k", 3), ("search", "backtracking"), ("alpha0", 0.1), ("c", 0.5), ("rho", 0.8)):
        e.controls[name].value = value
        _check_phi_panel(e)
    assert calls == {"draw": 0, "blit": 15}
    # the blitted frame is what a full redraw of the same state shows (up to Agg's rounding)
    frame = np.asarray(e.figure.canvas.buffer_rgba()).astype(int)
    e.redraw(full=True)
    assert np.count_nonzero(np.abs(frame - np.asarray(e.figure.canvas.buffer_rgba())).max(axis=-1) > 2) == 0
    calls.update(draw=0, blit=0)
    e.controls["objective"].value = "rosenbrock"  # new contours: the one change that redraws everything
    assert calls == {"draw": 1, "blit": 0}
    _check_phi_panel(e)
    e.controls["x0"].value = 0.8
    e.controls["k"].value = 12  # near the minimum φ lives on a scale 10⁵ times smaller
    assert calls == {"draw": 1, "blit": 2} and e.error_text == ""
    _check_phi_panel(e)
    e.controls["search"].value = "exact"
    e.controls["k"].value = 0
    e.controls["objective"].value = "bowl"
    assert calls == {"draw": 2, "blit": 4}
    _check_phi_panel(e)
    e.controls["k"].value = 2  # a stationary point: the panel empties, still without a full redraw
    assert "stationary point" in e.status_text and calls == {"draw": 2, "blit": 5}
    assert len(e._phi_line.get_data()[0]) == 0 and e._phi0_text.get_text().startswith("φ(0) = L(θ_k) = ")
    e.close()

def test_no_acceptable_step_is_handled():
    # a wrong gradient (the sign flipped) makes d = −g point uphill although gᵀd < 0:
    # no step satisfies Armijo, as when the decrease is lost in round-off near a minimum
    f = Objective(lambda p: 0.5 * np.sum(p * p, axis=-1), lambda p: -p, dim=2)
    x = np.array([1.0, -2.0])
    with pytest.raises(RuntimeError, match="Armijo"):
        ls.backtracking(f, x, -f.grad(x), max_iter=20)
    res = ls.exact(f, x, -f.grad(x), method="golden", full=True)
    assert res.alpha == 0.0 and res.n_values < 60  # gives up once a step could not change L
    opt = ls.GDLineSearch("backtracking")
    traj = run(f, opt, x, steps=5, tol=1e-12)
    assert traj.status == "converged" and np.allclose(traj.final, x, rtol=1e-12)  # stays put, no crash


def test_the_phi_panel_shows_every_backtracking_try():
    """Issue 22: the tries α0, ρα0, … are all on the panel (those whose φ is above it as triangles on the
    top edge) unless the first lies far beyond both steps; then a note counts the ones further right."""
    from i2dl_helpers.widgets import LineSearchExplorer

    e = LineSearchExplorer("ill_conditioned", renderer="image")       # the notebook's first view
    bt = e.result_backtracking
    assert bt.trials == (1.0, 0.5, 0.25, 0.125) and bt.n_values == 4   # φ(0) is not counted
    assert e.alpha_span == 1.0 and e._trials_note.get_text() == ""
    assert len(e._trials.get_data()[0]) + len(e._trials_above.get_data()[0]) == 4
    assert len(e._trials_above.get_data()[0]) == 2                     # α = 1 and 0.5 overshoot far
    _check_phi_panel(e)
    assert "after 4 tries, one evaluation of L each" in e.status_text
    e.controls["objective"].value = "rosenbrock"
    e.controls["search"].value = "backtracking"
    e.controls["k"].value = 3
    bt = e.result_backtracking
    assert len(bt.trials) > 8 and e._trials_note.get_text().startswith("+ ")
    _check_phi_panel(e)
    e.close()
