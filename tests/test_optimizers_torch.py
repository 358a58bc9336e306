"""Every optimiser's iterates agree with torch.optim (float64) over 200 steps.

Both sides are fed the same gradients (the objective's analytic ∇L, evaluated
at each side's own iterate), so what is compared is the update rule alone.
"""
import numpy as np
import pytest

from i2dl_helpers import objectives
from i2dl_helpers.optim import LBFGS, SGD, Adagrad, Adam, RMSProp, run

torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[torch]' to run the reference checks")

STEPS = 200
TOL = 1e-12

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

# Runs whose dynamics amplify round-off: near the minimum g/√s acts like sign(g) and the iterates
# bounce chaotically, so torch itself moves by more than 1e-12 when its start moves by 1e-15
# (checked below). torch's kernels use fused multiply-adds, so 1-ulp differences exist from step 1;
# on these runs they grow, on all others they stay at round-off.
SENSITIVE = {("rmsprop_centered", "ill_conditioned"), ("adam_betas", "quadratic_5d")}


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
def test_first_order_matches_torch(objective_name, case):
    build, starts, scale = OBJECTIVES[objective_name]
    objective = build()
    ours, theirs = CASES[case]
    starts = np.asarray(starts, dtype=float)
    traj = run(objective, ours(scale), starts, steps=STEPS)
    assert traj.points.shape == (STEPS + 1,) + starts.shape
    assert np.all(traj.status == "max_steps"), traj.message
    # These optimisers act coordinate by coordinate, so all starts can be one (n, d) torch parameter.
    reference = _torch_path(objective, lambda p: theirs(p, scale), starts, STEPS)
    if (case, objective_name) in SENSITIVE:
        nudged = _torch_path(objective, lambda p: theirs(p, scale), starts * (1 + 1e-15), STEPS)
        assert np.max(np.abs(nudged - reference)) > TOL, "no longer sensitive: move it out of SENSITIVE"
        np.testing.assert_allclose(traj.points[:30], reference[:30], rtol=0, atol=TOL)
        return
    np.testing.assert_allclose(traj.points, reference, rtol=0, atol=TOL, err_msg=f"{case} on {objective_name}")


@pytest.mark.parametrize("objective_name", ["ill_conditioned", "himmelblau", "quadratic_5d"])
def test_lbfgs_without_line_search_matches_torch(objective_name):
    build, starts, scale = OBJECTIVES[objective_name]
    objective = build()
    lr = 0.5 if objective_name != "himmelblau" else 0.05
    starts = np.asarray(starts, dtype=float)
    traj = run(objective, LBFGS(lr=lr, history_size=5, line_search=None), starts, steps=STEPS)
    assert np.all(traj.status == "max_steps"), traj.message
    make = lambda p: torch.optim.LBFGS(p, lr=lr, max_iter=1, history_size=5, tolerance_grad=0.0,
                                       tolerance_change=0.0, line_search_fn=None)
    for i, start in enumerate(starts):
        reference = _torch_path(objective, make, start, STEPS, closure_based=True)
        np.testing.assert_allclose(traj.points[:, i], reference, rtol=0, atol=TOL,
                                   err_msg=f"L-BFGS on {objective_name}, start {i}")


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
        p = torch.tensor(starts, dtype=torch.float64, requires_grad=True)
        opt = theirs([p], scale)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda t: schedule(t))
        path = [p.detach().numpy().copy()]
        for _ in range(STEPS):
            p.grad = torch.from_numpy(np.asarray(objective.grad(p.detach().numpy().copy()), dtype=float))
            opt.step()
            sched.step()
            path.append(p.detach().numpy().copy())
        np.testing.assert_allclose(traj.points, np.array(path), rtol=0, atol=TOL,
                                   err_msg=f"{case} with {type(schedule).__name__} on {objective_name}")
