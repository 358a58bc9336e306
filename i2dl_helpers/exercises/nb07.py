"""Checks for the exercises of notebook 07 (momentum and adaptive methods).

The references are independent of the formulas the student writes: momentum is
compared with the package's ``SGD(lr, momentum=β)``, which implements PyTorch's
buffer form b ← βb + ∇L, θ ← θ − αb (a different recursion with the same
iterates); Adam with the package's ``Adam`` (PyTorch's form, checked against
torch itself in the test suite); the edge of momentum's stable range by
bisection on the spectral radius of the 2 × 2 iteration matrix.
"""
from __future__ import annotations

import numpy as np

from . import WrongAnswer, attempt, expect, expect_close, passed

__all__ = ["check_momentum_step", "check_nesterov_step", "check_max_momentum_lr", "check_adam_step",
           "check_first_to_settle"]


def _bowl(rng, d: int = 3):
    """A random positive-definite quadratic ½θᵀAθ − bᵀθ with curvatures in [0.5, 4]."""
    from ..objectives import quadratic_form

    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = Q @ np.diag(rng.uniform(0.5, 4.0, d)) @ Q.T
    return quadratic_form((A + A.T) / 2, rng.normal(size=d))


def _pair(out, what: str, names: str):
    if not isinstance(out, (tuple, list)) or len(out) != len(names.split(", ")):
        raise WrongAnswer(f"{what} should return a tuple ({names}), got {type(out).__name__}"
                          + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
                          + f"\nHint: end with `return {names}`")
    return out


def check_momentum_step(momentum_step, seed: int = 0) -> None:
    """Iterate the student's step on a random quadratic; compare with the package's SGD(momentum).

    The lecture's v_{k+1} = θ_{k+1} − θ_k is checked as well, so a v with the
    wrong sign (and a θ update that undoes it) is caught.
    """
    from ..optim import SGD, run

    rng = np.random.default_rng(seed)
    obj = _bowl(rng)
    lr, beta = float(rng.uniform(0.05, 0.2)), float(rng.uniform(0.5, 0.9))
    theta0 = rng.normal(size=3) * 2
    steps = 40
    reference = run(obj, SGD(lr, momentum=beta), theta0, steps=steps).points
    theta, v = theta0.copy(), np.zeros(3)
    hint_v = "the velocity keeps β times its old value and adds −α times the gradient: v ← βv − α∇L"
    with np.errstate(all="ignore"):
        for k in range(steps):
            g = obj.grad(theta)
            out = _pair(attempt(momentum_step, theta.copy(), v.copy(), g.copy(), lr, beta),
                        "momentum_step", "theta, v")
            new_theta = expect_close(out[0], reference[k + 1], f"θ after step {k + 1}",
                                     hint_v + "; then θ ← θ + v (with the new v)" if k == 0 else
                                     "the first step was right, a later one is not: does v remember the last "
                                     "step (β times the old v)?")
            new_v = expect_close(out[1], reference[k + 1] - reference[k], f"the returned v after step {k + 1}",
                                 "in the lecture's form v is the step itself: θ_{k+1} = θ_k + v_{k+1}, "
                                 "so v points downhill (−α∇L), not uphill")
            theta, v = new_theta, new_v
    passed("momentum_step")


def check_nesterov_step(nesterov_step, seed: int = 0) -> None:
    """Iterate the student's Nesterov step; its look-ahead points θ_k + βv_k must be the iterates of the
    package's SGD(momentum, nesterov=True) (PyTorch's form), and θ_{k+1} − θ_k must be the returned v."""
    from ..optim import SGD, run

    rng = np.random.default_rng(seed)
    obj = _bowl(rng)
    lr, beta = float(rng.uniform(0.05, 0.2)), float(rng.uniform(0.5, 0.9))
    theta0 = rng.normal(size=3) * 2
    steps = 40
    reference = run(obj, SGD(lr, momentum=beta, nesterov=True), theta0, steps=steps).points
    theta, v = theta0.copy(), np.zeros(3)
    calls = []

    def grad_fn(point):
        calls.append(np.array(point, dtype=float))
        return obj.grad(np.asarray(point, dtype=float))

    with np.errstate(all="ignore"):
        for k in range(steps):
            calls.clear()
            out = _pair(attempt(nesterov_step, theta.copy(), v.copy(), grad_fn, lr, beta), "nesterov_step", "theta, v")
            expect(len(calls) == 1, f"nesterov_step called grad_fn {len(calls)} times in step {k + 1}",
                   "one gradient per step, at the look-ahead point")
            new_theta = np.asarray(out[0], dtype=float)
            new_v = expect_close(out[1], new_theta - theta if new_theta.shape == theta.shape else None,
                                 f"the returned v after step {k + 1}",
                                 "return the new velocity, the step itself: θ_{k+1} = θ_k + v_{k+1}")
            expect_close(new_theta + beta * new_v, reference[k + 1], f"the look-ahead θ + βv after step {k + 1}",
                         "take the gradient at the look-ahead point θ_k + βv_k (where momentum is about to carry "
                         "you), not at θ_k; then v ← βv − α·(that gradient) and θ ← θ + v")
            theta, v = new_theta, new_v
    passed("nesterov_step")


def _edge(lam: float, beta: float) -> float:
    """The largest α with spectral radius < 1, by bisection on ρ(αλ, β)."""
    from ..optim import momentum_rate

    lo, hi = 0.0, 8.0  # q = αλ; ρ(8, β) > 1 for every β < 1
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if float(momentum_rate(mid, beta)) < 1.0 else (lo, mid)
    return 0.5 * (lo + hi) / lam


def check_max_momentum_lr(max_momentum_lr, seed: int = 0) -> None:
    """max_momentum_lr(λ, β) against the edge of ρ < 1 found by bisection, for several (λ, β)."""
    rng = np.random.default_rng(seed)
    cases = [(4.0, 0.5)] if seed == 0 else []
    cases += [(float(rng.uniform(0.5, 20)), float(rng.uniform(0, 0.95))) for _ in range(4)]
    cases.append((float(rng.uniform(1, 5)), 0.0))
    for lam, beta in cases:
        got = attempt(max_momentum_lr, lam, beta)
        expect_close(got, _edge(lam, beta), f"max_momentum_lr({lam:.3g}, {beta:.3g})",
                     "momentum converges on curvature λ while 0 < αλ < 2 + 2β; solve for α "
                     "(for β = 0 it must give plain GD's edge 2/λ)", rtol=1e-6)
    passed("max_momentum_lr")


def check_adam_step(adam_step, seed: int = 0) -> None:
    """Iterate the student's Adam step on a random quadratic; compare θ, m and v with the package's Adam."""
    from ..optim import Adam, run
    from ..optim.first_order import Recorder

    rng = np.random.default_rng(seed)
    obj = _bowl(rng)
    lr = float(rng.uniform(0.05, 0.3))
    betas = (0.9, 0.999) if seed == 0 else (float(rng.uniform(0.5, 0.95)), float(rng.uniform(0.9, 0.999)))
    eps = 1e-8 if seed == 0 else 1e-3
    theta0 = rng.normal(size=3)
    steps = 30
    rec = Recorder(Adam(lr, betas=betas, eps=eps))
    reference = run(obj, rec, theta0, steps=steps).points
    theta, m, v = theta0.copy(), np.zeros(3), np.zeros(3)
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            g = obj.grad(theta)
            out = _pair(attempt(adam_step, theta.copy(), m.copy(), v.copy(), g.copy(), k, lr, betas[0], betas[1], eps),
                        "adam_step", "theta, m, v")
            state = rec.states[k - 1]
            m = expect_close(out[1], state["exp_avg"][0], f"m after step {k}",
                             "return the running average m ← β₁m + (1 − β₁)g itself, not the corrected m̂")
            v = expect_close(out[2], state["exp_avg_sq"][0], f"v after step {k}",
                             "v ← β₂v + (1 − β₂)g², elementwise; return v itself, not the corrected v̂")
            theta = expect_close(out[0], reference[k], f"θ after step {k}",
                                 "the step uses the bias-corrected m̂ = m/(1 − β₁ᵏ) and v̂ = v/(1 − β₂ᵏ), "
                                 "with k the number of this step (1 for the first), and ε added after the "
                                 "square root: θ − α m̂/(√v̂ + ε)", rtol=1e-9)
    passed("adam_step")


def check_first_to_settle(first_to_settle, seed: int = 0) -> None:
    """first_to_settle(steps) on the race's own results (seed 0) or on made-up ones (other seeds)."""
    from ..optim.racing import race_all, winners

    if seed == 0:
        results = race_all(["ravine", "plateau"])
        cases = [({n: r.steps_to_target for n, r in res.items()}, winners({s: res})[s], f"the {s} race's steps")
                 for s, res in results.items()]
    else:
        rng = np.random.default_rng(seed)
        names = ["GD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]
        cases = []
        for _ in range(6):
            steps = {n: (None if rng.random() < 0.4 else int(k)) for n, k in
                     zip(names, rng.choice(np.arange(1, 500), size=len(names), replace=False))}
            done = {n: k for n, k in steps.items() if k is not None}
            cases.append((steps, min(done, key=done.get) if done else None, str(steps)))
        cases.append(({n: None for n in names}, None, "a race in which nobody settled"))
    for steps, truth, what in cases:
        got = attempt(first_to_settle, dict(steps))
        expect(got == truth, f"first_to_settle({what}) returned {got!r}, which is not right",
               "ignore the racers whose value is None (they never settled), then take the name with the "
               "fewest steps; return None when nobody settled")
    passed("first_to_settle")
