"""Every optimiser's iterates agree with torch.optim (float64) over 200 steps.

Both sides are fed the same gradients (the objective's analytic ∇L, evaluated
at each side's own iterate), so what is compared is the update rule alone.

To 1e-12 wherever the arithmetic allows, decided on the machine that runs the test
(tests/parity_tools.py): each start is compared up to its horizon, the step at which our own
run nudged by an ulp departs by more than 1e-13; most runs never do (all 200 steps compared),
a few amplify round-off near the minimum late in the run, and a run that does so before
step 100 fails, since it could not test the update rule.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

from i2dl_helpers import objectives
from i2dl_helpers.optim import LBFGS, SGD, Adagrad, Adam, RMSProp, run

sys.path.insert(0, str(Path(__file__).resolve().parent))
from parity_tools import assert_parity, horizon, nudged_runs  # noqa: E402

sys.path.pop(0)

torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[torch]' to run the reference checks")

STEPS = 200
TOL = 1e-12
#: every start agrees with torch to TOL for at least this many steps (half the run)
MIN_STEPS = STEPS // 2

# (objective, starts, learning-rate scale): the scale keeps plain GD stable on each surface.
OBJECTIVES = {
    "ill_conditioned": (lambda: objectives.get("ill_conditioned", condition=20.0, angle=30.0),
                        [[2.5, -1.0], [-1.0, 2.0], [0.3, 0.1]], 0.04),
    "rosenbrock": (lambda: objectives.get("rosenbrock"), [[-1.2, 1.0], [0.5, -0.4]], 1e-3),
    "himmelblau": (lambda: objectives.get("himmelblau"), [[0.0, 0.0], [-1.0, 1.0], [1.0, -2.0]], 5e-3),
    "quadratic_5d": (lambda: _spd_quadratic(5), np.random.default_rng(1).normal(size=(3, 5)), 0.05),
}


def _spd_quadratic(d):
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = Q @ np.diag(np.linspace(1.0, 15.0, d)) @ Q.T
    return objectives.quadratic_form(0.5 * (A + A.T), rng.normal(size=d))


# name -> (ours(scale), torch factory(params, scale)); adaptive methods take larger steps.
CASES = {
    "gd": (lambda s: SGD(s), lambda p, s: torch.optim.SGD(p, lr=s)),
    "momentum": (lambda s: SGD(s, momentum=0.9), lambda p, s: torch.optim.SGD(p, lr=s, momentum=0.9)),
    "nesterov": (lambda s: SGD(s, momentum=0.8, nesterov=True),
                 lambda p, s: torch.optim.SGD(p, lr=s, momentum=0.8, nesterov=True)),
    "adagrad": (lambda s: Adagrad(10 * s), lambda p, s: torch.optim.Adagrad(p, lr=10 * s, foreach=False)),
    "adagrad_decay": (lambda s: Adagrad(10 * s, lr_decay=0.01, initial_accumulator_value=0.1, eps=1e-6),
                      lambda p, s: torch.optim.Adagrad(p, lr=10 * s, lr_decay=0.01, initial_accumulator_value=0.1,
                                                       eps=1e-6, foreach=False)),
    "rmsprop": (lambda s: RMSProp(s / 10), lambda p, s: torch.optim.RMSprop(p, lr=s / 10, foreach=False)),
    "rmsprop_momentum": (lambda s: RMSProp(s / 10, momentum=0.5),
                         lambda p, s: torch.optim.RMSprop(p, lr=s / 10, momentum=0.5, foreach=False)),
    "rmsprop_centered": (lambda s: RMSProp(s / 10, alpha=0.95, centered=True, eps=1e-2),
                         lambda p, s: torch.optim.RMSprop(p, lr=s / 10, alpha=0.95, centered=True, eps=1e-2,
                                                          foreach=False)),
    "adam": (lambda s: Adam(10 * s), lambda p, s: torch.optim.Adam(p, lr=10 * s, foreach=False)),
    "adam_betas": (lambda s: Adam(10 * s, betas=(0.8, 0.99), eps=1e-6),
                   lambda p, s: torch.optim.Adam(p, lr=10 * s, betas=(0.8, 0.99), eps=1e-6, foreach=False)),
}

def _torch_path(objective, make, start, steps, closure_based=False):
    """torch's iterates from ``start`` (d,) or, for element-wise optimisers, all starts (n, d) as one tensor.

    Gradients are evaluated on (n, d) arrays, the shape ``run`` uses, so both sides see the same bits.
    """
    start = np.asarray(start, dtype=float)
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make([p])
    path = [p.detach().numpy().copy()]

    def closure():
        x = p.detach().numpy().reshape(-1, start.shape[-1]).copy()
        p.grad = torch.from_numpy(np.asarray(objective.grad(x), dtype=float).reshape(start.shape).copy())
        return torch.tensor(float(np.sum(objective(x))), dtype=torch.float64)

    for _ in range(steps):
        if closure_based:
            opt.step(closure)
        else:
            closure()
            opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


@pytest.mark.parametrize("objective_name", list(OBJECTIVES))
@pytest.mark.parametrize("case", list(CASES))
def test_first_order_matches_torch(objective_name, case, capsys):
    build, starts, scale = OBJECTIVES[objective_name]
    objective = build()
    ours, theirs = CASES[case]
    starts = np.asarray(starts, dtype=float)
    traj = run(objective, ours(scale), starts, steps=STEPS)
    assert traj.points.shape == (STEPS + 1,) + starts.shape
    assert np.all(traj.status == "max_steps"), traj.message
    # These optimisers act coordinate by coordinate, so all starts can be one (n, d) torch parameter.
    reference = _torch_path(objective, lambda p: theirs(p, scale), starts, STEPS)
    ours_path = lambda obj, x0: run(obj, ours(scale), x0, steps=STEPS).points
    horizons = horizon(traj.points, nudged_runs(ours_path, objective, starts), TOL)
    summary = assert_parity(traj.points, reference, horizons, tol=TOL, min_steps=MIN_STEPS,
                            label=f"{case} on {objective_name}")
    with capsys.disabled():
        if np.any(horizons <= STEPS):
            print(f"\n{summary}")


@pytest.mark.parametrize("objective_name", ["ill_conditioned", "himmelblau", "quadratic_5d"])
def test_lbfgs_without_line_search_matches_torch(objective_name):
    build, starts, scale = OBJECTIVES[objective_name]
    objective = build()
    # α = 0.5 everywhere: L-BFGS without line search at α = 0.05 on himmelblau amplifies round-off from
    # step ~70 (an ulp grows to 1e-5), which a fixed tolerance there would only pass on matching arithmetic
    lr = 0.5
    starts = np.asarray(starts, dtype=float)
    traj = run(objective, LBFGS(lr=lr, history_size=5, line_search=None), starts, steps=STEPS)
    assert np.all(traj.status == "max_steps"), traj.message
    make = lambda p: torch.optim.LBFGS(p, lr=lr, max_iter=1, history_size=5, tolerance_grad=0.0,
                                       tolerance_change=0.0, line_search_fn=None)
    reference = np.stack([_torch_path(objective, make, start, STEPS, closure_based=True) for start in starts], axis=1)
    ours_path = lambda obj, x0: run(obj, LBFGS(lr=lr, history_size=5, line_search=None), x0, steps=STEPS).points
    horizons = horizon(traj.points, nudged_runs(ours_path, objective, starts), TOL)
    assert_parity(traj.points, reference, horizons, tol=TOL, min_steps=MIN_STEPS, label=f"L-BFGS on {objective_name}")


def test_lecture_momentum_form_is_torch_form():
    """v ← βv − α∇L, θ ← θ + v (the lecture) gives torch's iterates for a constant α."""
    objective = objectives.get("rosenbrock")
    alpha, beta = 1e-3, 0.9
    theta, v = np.array([-1.2, 1.0]), np.zeros(2)
    lecture = [theta]
    for _ in range(STEPS):
        v = beta * v - alpha * objective.grad(theta)
        theta = theta + v
        lecture.append(theta)
    reference = _torch_path(objective, lambda p: torch.optim.SGD(p, lr=alpha, momentum=beta), [-1.2, 1.0], STEPS)
    np.testing.assert_allclose(np.array(lecture), reference, rtol=0, atol=1e-10)


@pytest.mark.parametrize("case", ["momentum", "nesterov", "adagrad", "rmsprop", "adam"])
@pytest.mark.parametrize("objective_name", ["ill_conditioned", "himmelblau", "quadratic_5d"])
def test_schedules_match_torch_lambda_lr(case, objective_name):
    """run(..., schedule=s) uses α·s(t) at step t, as torch's LambdaLR does with scheduler.step() after each step."""
    from i2dl_helpers.optim import ExponentialDecay, StepDecay

    build, starts, scale = OBJECTIVES[objective_name]
    objective, starts = build(), np.asarray(starts, dtype=float)
    ours, theirs = CASES[case]
    for schedule in (StepDecay(every=40, gamma=0.5), ExponentialDecay(gamma=0.99)):
        traj = run(objective, ours(scale), starts, steps=STEPS, schedule=schedule)
        ours_path = lambda obj, x0: run(obj, ours(scale), x0, steps=STEPS, schedule=schedule).points
        horizons = horizon(traj.points, nudged_runs(ours_path, objective, starts), TOL)
        p = torch.tensor(starts, dtype=torch.float64, requires_grad=True)
        opt = theirs([p], scale)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda t: schedule(t))
        path = [p.detach().numpy().copy()]
        for _ in range(STEPS):
            p.grad = torch.from_numpy(np.asarray(objective.grad(p.detach().numpy().copy()), dtype=float))
            opt.step()
            sched.step()
            path.append(p.detach().numpy().copy())
        assert_parity(traj.points, np.array(path), horizons, tol=TOL, min_steps=MIN_STEPS,
                      label=f"{case} with {type(schedule).__name__} on {objective_name}")
