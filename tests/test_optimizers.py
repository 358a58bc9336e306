"""Momentum, adaptive and second-order optimisers: closed forms, batching, validation."""
import warnings

import numpy as np
import pytest

from i2dl_helpers import objectives
from i2dl_helpers.numdiff import numerical_grad, numerical_hessian
from i2dl_helpers.objectives import Objective
from i2dl_helpers.objectives.curvefit import LeastSquaresProblem, exponential_decay, linear_fit
from i2dl_helpers.optim import (LBFGS, SGD, Adagrad, Adam, CurvatureWarning, GaussNewton, Levenberg,
                                LevenbergMarquardt, Newton, RMSProp, momentum_rate, run)
from i2dl_helpers.optim.racing import LR_GRID, PRESETS, make_racers, race, race_table, tune


def _quadratic(d=6, seed=0, spread=(1.0, 30.0)):
    """A random SPD quadratic with a known minimiser x*: L = ½θᵀAθ − bᵀθ, b = A x*."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = Q @ np.diag(np.linspace(*spread, d)) @ Q.T
    A = 0.5 * (A + A.T)
    xstar = rng.normal(size=d)
    return objectives.quadratic_form(A, A @ xstar), A, xstar


# ------------------------------------------------------------------ surfaces and curve fits --
@pytest.mark.parametrize("name", ["ravine", "plateau"])
def test_surfaces_registered_with_correct_derivatives(name):
    assert name in objectives.names(dim=2)
    obj = objectives.get(name)
    pts = np.random.default_rng(3).uniform(-2, 2, size=(7, 2))
    np.testing.assert_allclose(obj.grad(pts), numerical_grad(obj, pts), atol=1e-7)
    np.testing.assert_allclose(obj.hessian(pts), numerical_hessian(obj.grad, pts), atol=1e-6)
    np.testing.assert_allclose(obj.grad(obj.minima), 0, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(obj.hessian(obj.minima)) > 0)


def test_ravine_is_ill_conditioned_and_rotated():
    H = objectives.get("ravine", condition=50.0, angle=30.0).hessian(np.zeros(2))
    eig, vec = np.linalg.eigh(H)
    assert eig[1] / eig[0] == pytest.approx(50.0)
    valley = vec[:, 0] * np.sign(vec[0, 0])  # the flat direction
    np.testing.assert_allclose(valley, [np.cos(np.pi / 6), np.sin(np.pi / 6)], atol=1e-12)


def test_plateau_gradient_vanishes_far_away():
    obj = objectives.get("plateau")
    assert np.linalg.norm(obj.grad([3.5, 2.5])) < 1e-3
    assert obj([3.5, 2.5]) == pytest.approx(1.0, abs=1e-3)


def test_exponential_decay_fit_derivatives_and_minimum():
    prob = exponential_decay()
    pts = np.array([[1.0, 0.5], [2.5, 1.5], [3.0, 0.1]])
    J_num = np.stack([numerical_grad(lambda p, i=i: prob.residuals(p)[..., i], pts)
                      for i in range(prob.t.size)], axis=-2)
    np.testing.assert_allclose(prob.jacobian(pts), J_num, atol=1e-7)
    np.testing.assert_allclose(prob.grad(pts), numerical_grad(prob, pts), atol=1e-6)
    np.testing.assert_allclose(prob.hessian(pts), numerical_hessian(prob.grad, pts), atol=1e-5)
    np.testing.assert_allclose(numerical_grad(prob, prob.minima[0]), 0, atol=1e-8)
    assert prob.minima[0] == pytest.approx([2.0, 0.8], abs=0.1)  # near the parameters that made the data


def test_least_squares_problem_validates():
    with pytest.raises(TypeError, match="residuals and jacobian must be callables"):
        LeastSquaresProblem(None, lambda p: p, dim=2)
    with pytest.raises(ValueError, match="full column rank"):
        linear_fit(np.ones((5, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="y must be finite with shape"):
        linear_fit(np.eye(3), np.zeros(4))


# ------------------------------------------------------------------------ batched == one by one --
BATCHABLE = [
    lambda: SGD(0.01), lambda: SGD(0.01, momentum=0.9), lambda: SGD(0.01, momentum=0.9, nesterov=True),
    lambda: Adagrad(0.3), lambda: RMSProp(0.01, centered=True, momentum=0.3), lambda: Adam(0.05),
    lambda: Newton(damping=0.5), lambda: LBFGS(), lambda: LBFGS(lr=0.5, line_search=None),
]


@pytest.mark.parametrize("make", BATCHABLE, ids=lambda m: repr(m()))
def test_batched_run_equals_one_by_one(make):
    obj = objectives.get("himmelblau")
    starts = np.array([[0.0, 0.0], [-1.0, 2.5], [2.0, -3.0], [-4.0, -4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CurvatureWarning)
        batch = run(obj, make(), starts, steps=60)
        for i, x0 in enumerate(starts):
            single = run(obj, make(), x0, steps=60)
            np.testing.assert_allclose(batch.points[: len(single), i], single.points, rtol=0, atol=1e-12)
            assert batch.status[i] == single.status


@pytest.mark.parametrize("make", [lambda: GaussNewton(), lambda: LevenbergMarquardt(), lambda: Levenberg()])
def test_least_squares_batched_equals_one_by_one(make):
    prob = exponential_decay()
    starts = np.array([[1.0, 0.3], [3.0, 2.0], [0.5, 1.0]])
    batch = run(prob, make(), starts, steps=20)
    for i, x0 in enumerate(starts):
        single = run(prob, make(), x0, steps=20)
        np.testing.assert_allclose(batch.points[: len(single), i], single.points, rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------- first order --
def test_lecture_momentum_form_gives_the_same_iterates():
    obj = objectives.get("ravine")
    alpha, beta = 0.1, 0.8
    theta, v = np.array([-3.0, 1.0]), np.zeros(2)
    path = [theta]
    for _ in range(100):
        v = beta * v - alpha * obj.grad(theta)
        theta = theta + v
        path.append(theta)
    traj = run(obj, SGD(alpha, momentum=beta), [-3.0, 1.0], steps=100)
    np.testing.assert_allclose(traj.points, np.array(path), rtol=0, atol=1e-12)


def test_adaptive_first_steps_follow_sign_of_gradient():
    """With zero state, AdaGrad's and Adam's first step is −α·sign(g), RMSProp's −α·sign(g)/√(1 − a)."""
    obj = objectives.get("rosenbrock")
    x0 = np.array([-1.2, 1.0])
    s = np.sign(obj.grad(x0))
    for opt, expected in [(Adagrad(0.1), -0.1 * s), (Adam(0.1), -0.1 * s),
                          (RMSProp(0.1, alpha=0.9), -0.1 * s / np.sqrt(0.1))]:
        step = run(obj, opt, x0, steps=1).points[1] - x0
        np.testing.assert_allclose(step, expected, rtol=1e-6)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_rate_matches_measured_decay(nesterov):
    lam = 2.0
    for alpha, beta in [(0.1, 0.5), (0.3, 0.3), (0.9, 0.6), (0.05, 0.9)]:
        traj = run(objectives.get("quadratic", curvature=lam), SGD(alpha, momentum=beta, nesterov=nesterov),
                   1.0, steps=400, max_abs=1e300)
        x = np.abs(traj.points[:, 0])
        # the envelope of |x_k| decays like ρᵏ: compare over a window of 100 steps
        measured = (np.max(x[300:320]) / np.max(x[200:220])) ** (1 / 100)
        assert measured == pytest.approx(momentum_rate(alpha * lam, beta, nesterov), rel=0.03)


def test_heavy_ball_stability_region_is_q_below_2_plus_2beta():
    for beta in (0.0, 0.3, 0.7, 0.95):
        edge = 2 + 2 * beta
        assert momentum_rate(0.98 * edge, beta) < 1 < momentum_rate(1.02 * edge, beta)
        lam = 1.0
        inside = run(objectives.get("quadratic", curvature=lam), SGD(0.97 * edge, momentum=beta), 1.0, steps=3000)
        outside = run(objectives.get("quadratic", curvature=lam), SGD(1.03 * edge, momentum=beta), 1.0, steps=3000)
        assert abs(inside.final[0]) < 1e-3 and outside.status == "diverged"


def test_critical_damping_gives_a_double_root():
    q = np.array([0.04, 0.25, 1.0, 2.25])
    beta = (1 - np.sqrt(q)) ** 2
    np.testing.assert_allclose(momentum_rate(q, beta), np.sqrt(beta), atol=1e-7)
    # and it is the fastest β for that q
    others = momentum_rate(q[:, None], np.linspace(0, 0.99, 100)[None])
    assert np.all(momentum_rate(q, beta) <= others.min(axis=1) + 1e-6)


# --------------------------------------------------------------------------- second order --
def test_newton_solves_a_quadratic_in_one_step():
    obj, A, xstar = _quadratic(d=6)
    traj = run(obj, Newton(), np.zeros(6), steps=1)
    np.testing.assert_allclose(traj.points[1], xstar, atol=1e-10)


def test_damped_newton_step_per_coordinate():
    a, b, lam = np.array([1.0, 4.0, 9.0]), np.array([1.0, -2.0, 3.0]), 0.5
    obj = objectives.quadratic_form(np.diag(a), b)
    x0 = np.array([2.0, 2.0, 2.0])
    step = run(obj, Newton(damping=lam), x0, steps=1).points[1]
    np.testing.assert_allclose(step, x0 - (a * x0 - b) / (a + lam), atol=1e-14)


def test_newton_reports_indefinite_and_singular_hessians():
    saddle = objectives.get("saddle")
    opt = Newton()
    with pytest.warns(CurvatureWarning, match="indefinite"):
        traj = run(saddle, opt, [0.5, 0.3], steps=10, tol=1e-12)
    assert traj.notes and traj.notes[0][2] == "indefinite" and traj.notes[0][3] < 0
    np.testing.assert_allclose(traj.final, [0.0, 0.0], atol=1e-8)  # it converged to the saddle, not a minimum
    with pytest.raises(ValueError, match="indefinite"):
        run(saddle, Newton(on_curvature="raise"), [0.5, 0.3], steps=3)
    flat = Objective(lambda p: 0.5 * p[..., 0] ** 2, lambda p: np.stack([p[..., 0], 0 * p[..., 1]], -1),
                     lambda p: np.broadcast_to(np.diag([1.0, 0.0]), p.shape[:-1] + (2, 2)), dim=2)
    with pytest.warns(CurvatureWarning, match="singular"):
        traj = run(flat, Newton(), [3.0, 2.0], steps=1)
    np.testing.assert_allclose(traj.points[1], [0.0, 2.0], atol=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run(saddle, Newton(on_curvature="ignore"), [0.5, 0.3], steps=3)


def test_gauss_newton_solves_linear_least_squares_in_one_step():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(40, 4)), rng.normal(size=40)
    traj = run(linear_fit(X, y), GaussNewton(), rng.normal(size=4), steps=1)
    reference = np.linalg.lstsq(X, y, rcond=None)[0]  # SVD, not the normal equations
    np.testing.assert_allclose(traj.points[1], reference, atol=1e-12)


def test_levenberg_marquardt_fits_where_gauss_newton_fails():
    prob = exponential_decay()
    far = [1.0, 2.5]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CurvatureWarning)
        gn = run(prob, GaussNewton(), far, steps=30)
    assert not np.allclose(gn.final, prob.minima[0], atol=1e-3)
    for opt in (LevenbergMarquardt(), Levenberg()):
        traj = run(prob, opt, far, steps=50, tol=1e-12)
        np.testing.assert_allclose(traj.final, prob.minima[0], atol=1e-8)
        assert np.all(np.diff(traj.values) <= 1e-15)  # every accepted step lowers L
        assert len(traj.notes) == len(traj) - 1


def test_levenberg_with_huge_damping_is_a_short_gradient_step():
    prob = exponential_decay()
    x0, lam = np.array([1.5, 0.5]), 1e8
    opt = Levenberg(damping=lam, factor=1.0 + 1e-9)
    step = run(prob, opt, x0, steps=1).points[1] - x0
    np.testing.assert_allclose(step, -prob.grad(x0) / lam, rtol=1e-6)


def test_lbfgs_reaches_rosenbrock_minimum():
    rosen = objectives.get("rosenbrock")
    starts = np.array([[-1.2, 1.0], [2.0, 2.0], [-1.5, -0.5], [0.0, 3.0]])
    traj = run(rosen, LBFGS(), starts, steps=200, tol=1e-14)
    np.testing.assert_allclose(traj.final, np.ones((4, 2)), atol=1e-7)
    assert np.all(traj.stop_step < 100)


def test_lbfgs_is_exact_on_a_quadratic_after_d_steps_with_exact_curvature():
    obj, A, xstar = _quadratic(d=5, spread=(1.0, 5.0))
    traj = run(obj, LBFGS(history_size=10), np.zeros(5), steps=60, tol=1e-13)
    np.testing.assert_allclose(traj.final, xstar, atol=1e-8)


# -------------------------------------------------------------------------------- the race --
def test_race_scores_and_table():
    obj = objectives.get("himmelblau")
    pre = PRESETS["himmelblau"]
    res = race(obj, make_racers(lr=pre["lr"]), pre["start"], pre["steps"], pre["target"])
    assert set(res) == {"GD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"}
    for r in res.values():
        k = r.steps_to_target
        assert k is not None and np.all(r.gap[k:] <= pre["target"]) and (k == 0 or r.gap[k - 1] > pre["target"])
    table = race_table(res)
    assert "steps to target" in table and "Adam" in table
    # every racer reached the target, so the table says so (not the run's step-limit status)
    body = table.splitlines()[2:]
    assert len(body) == 6 and all(line.endswith("reached the target") for line in body)


def test_race_outcomes_name_what_happened():
    from i2dl_helpers.optim import SGD
    from i2dl_helpers.optim.racing import outcome

    ravine = objectives.get("ravine")
    res = race(ravine, {"ok": SGD(0.056234, momentum=0.9), "slow": SGD(1e-4), "wild": SGD(0.6)}, [-3.5, -0.5],
               steps=200)
    assert res["ok"].steps_to_target is not None and outcome(res["ok"]) == "reached the target"
    assert res["slow"].steps_to_target is None and outcome(res["slow"]) == "above the target after all steps"
    assert res["wild"].trajectory.status == "diverged" and outcome(res["wild"]) == "diverged"


def test_preset_learning_rates_are_the_tuned_ones():
    obj = objectives.get("saddle")
    pre = PRESETS["saddle"]
    for name in ("GD", "Adam"):
        lr, _ = tune(obj, name, pre["start"], pre["steps"], pre["target"])
        assert lr == pytest.approx(pre["lr"][name], rel=1e-5)
        assert lr in LR_GRID


# ---------------------------------------------------------------------------- validation --
@pytest.mark.parametrize("make, exc, match", [
    (lambda: SGD(0.1, momentum=-0.1), ValueError, r"momentum must be in \[0"),
    (lambda: SGD(0.1, momentum=1.0), ValueError, r"momentum must be in \[0.0, 1.0\)"),
    (lambda: SGD(0.1, nesterov=True), ValueError, "nesterov=True needs a momentum"),
    (lambda: SGD(0.1, momentum=0.5, nesterov="yes"), TypeError, "nesterov must be True or False"),
    (lambda: SGD(0.0), ValueError, "lr must be a positive"),
    (lambda: Adam(0.1, betas=(1.0, 0.999)), ValueError, r"betas\[0\] must be in"),
    (lambda: Adam(0.1, betas=(0.9, -0.1)), ValueError, r"betas\[1\] must be in"),
    (lambda: Adam(0.1, betas=0.9), TypeError, "betas must be a pair"),
    (lambda: Adam(0.1, eps=0.0), ValueError, "eps must be a positive"),
    (lambda: Adagrad(0.1, eps=-1e-8), ValueError, "eps must be a positive"),
    (lambda: Adagrad(0.1, lr_decay=-1), ValueError, "lr_decay must be in"),
    (lambda: RMSProp(0.1, alpha=1.0), ValueError, "alpha must be in"),
    (lambda: RMSProp(0.1, momentum=-0.5), ValueError, "momentum must be in"),
    (lambda: Newton(damping=-1.0), ValueError, "damping must be in"),
    (lambda: Newton(on_curvature="shout"), ValueError, "on_curvature must be one of"),
    (lambda: LevenbergMarquardt(damping=0.0), ValueError, "damping must be a positive"),
    (lambda: LevenbergMarquardt(factor=1.0), ValueError, "factor must be in"),
    (lambda: LevenbergMarquardt(scaling="diag"), ValueError, "scaling must be one of"),
    (lambda: LBFGS(history_size=0), ValueError, "history_size must be an integer >= 1"),
    (lambda: LBFGS(line_search="wolfe"), ValueError, "line_search must be one of"),
    (lambda: LBFGS(c1=1.0), ValueError, "c1 must be in"),
])
def test_bad_hyperparameters_raise(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_least_squares_methods_need_residuals():
    with pytest.raises(TypeError, match="least-squares objective with residuals"):
        run(objectives.get("rosenbrock"), GaussNewton(), [0.0, 0.0], steps=1)
    with pytest.raises(ValueError, match="racers must be among"):
        make_racers(["GD", "Shampoo"])


def test_no_numpy_warnings_when_diverging():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for opt in (SGD(10.0, momentum=0.9), Adam(1e3), RMSProp(1e3), Adagrad(1e4)):
            traj = run(objectives.get("rosenbrock"), opt, [-1.2, 1.0], steps=100)
            assert np.all(np.isfinite(traj.points))


def test_momentum_converges_matches_the_stability_region():
    from i2dl_helpers.optim.first_order import momentum_converges

    q = np.linspace(0.05, 4.4, 60)
    for beta in (0.0, 0.4, 0.85):
        rho = momentum_rate(q, beta)
        clear = np.abs(rho - 1) > 0.02
        assert np.array_equal(momentum_converges(q, beta)[clear], rho[clear] < 1)
        edge = 2 + 2 * beta
        assert np.array_equal(momentum_converges(q, beta)[clear], (q < edge)[clear])
    with pytest.raises(ValueError, match="q must be a 1D array of positive"):
        momentum_converges([0.0, 1.0], 0.5)


def test_newton_step_cost_shapes():
    from i2dl_helpers.timing import newton_step_cost

    cost = newton_step_cost([5, 10], repeats=1)
    assert cost["newton"].shape == cost["gd"].shape == (2,) and np.all(cost["newton"] > 0)


def test_which_what_when_table_counts_wins():
    from i2dl_helpers.optim.racing import race_all, which_what_when, winners

    results = race_all(["himmelblau", "saddle"])
    table = which_what_when(results)
    win = winners(results)
    for surface, name in win.items():
        k = results[surface][name].steps_to_target
        assert all(r.steps_to_target is None or r.steps_to_target >= k for r in results[surface].values())
        assert f"**{k}**" in table
    assert table.count("\n") == 2 + 6 - 1


def test_lbfgs_leaves_a_plateau_by_growing_its_first_steps():
    plateau = objectives.get("plateau")
    traj = run(plateau, LBFGS(), [3.0, 2.0], steps=50, tol=1e-12)
    np.testing.assert_allclose(traj.final, [0.0, 0.0], atol=1e-6)
    assert np.all(np.diff(traj.values) <= 0)
