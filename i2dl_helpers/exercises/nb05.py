"""Checks for the exercises of notebook 05 (gradient descent for networks, line search)."""
from __future__ import annotations

import math

import numpy as np

from .. import objectives
from ..optim import GD, run
from . import WrongAnswer, _scalar_kind, as_number, as_sequence, attempt, expect, expect_close, passed

__all__ = ["check_gd_until_small_step", "check_predicted_steps", "check_alpha_star", "check_armijo"]


def _quadratic(rng, d):
    M = rng.normal(size=(d, d))
    A = M @ M.T + 0.3 * np.eye(d)
    return objectives.quadratic_form(A, rng.normal(size=d)), A


def _reference_run(grad, theta0, lr, eps, max_steps):
    """The stopping rule written out: (θ_k, k) for the first step shorter than ε, or after max_steps."""
    theta = np.array(theta0, dtype=float)
    for k in range(1, max_steps + 1):
        new = theta - lr * grad(theta)
        if np.linalg.norm(new - theta) < eps:
            return new, k
        theta = new
    return theta, max_steps


def check_gd_until_small_step(gd_until_small_step, seed: int = 0) -> None:
    """The lecture's stopping rule against the package's ``run(objective, GD(α), θ_0, tol=ε)``:
    the returned θ_k is the first iterate with ‖θ_k − θ_{k−1}‖ < ε (strictly: a step of exactly ε
    does not stop the run), and k its step number; after ``max_steps`` steps the run stops anyway."""
    rng = np.random.default_rng(seed)
    hint = ("k counts the updates θ ← θ − α∇L(θ) made, including the last, short one, and the θ you return is "
            "the one that short step reached; if no step gets shorter than ε, stop after max_steps updates")

    def attempt_pair(what, *args, **kwargs):
        out = attempt(gd_until_small_step, *args, **kwargs)
        theta, k = as_sequence(out, 2, "gd_until_small_step", "θ, k")
        return theta, as_number(k, f"the step count k {what}", integer=True, hint=hint)

    for trial in range(3):
        d = 2 + (seed + trial) % 3
        obj, A = _quadratic(rng, d)
        lr = float(rng.uniform(0.3, 0.8) / np.linalg.eigvalsh(A)[-1])
        eps = float(10.0 ** rng.uniform(-6, -2))
        theta0 = rng.normal(size=d) * 3
        ref = run(obj, GD(lr), theta0, steps=5000, tol=eps)
        what = f"with α = {lr:.3g}, ε = {eps:.3g} in {d} dimensions"
        theta, k = attempt_pair(what, obj.grad, theta0, lr, eps, max_steps=5000)
        expect(k == int(ref.stop_step), f"the step count k {what} is {'too large' if k > ref.stop_step else 'too small'}",
               hint)
        expect_close(theta, ref.final, f"the returned θ {what}", hint, rtol=1e-10, atol=1e-12)
    # a step exactly as long as ε does not stop the run (‖θ_{k+1} − θ_k‖ < ε is strict): with ∇L(θ) = θ,
    # α = 1/2 and θ_0 a multiple of (3, 4), every step and its length 5·2^−j are exact in floating point
    scale = 2.0 ** -int(rng.integers(0, 4))
    theta0 = scale * np.array([3.0, 4.0]) * (1 if seed % 2 == 0 else -1)
    j = 3 + seed % 4
    eps = 5.0 * scale * 2.0 ** -j                       # the length of step j
    ref_theta, ref_k = _reference_run(lambda t: 1.0 * np.asarray(t), theta0, 0.5, eps, 100)
    what = f"on L = ½‖θ‖² with α = 0.5, ε = {eps:g} (one step is exactly ε long)"
    theta, k = attempt_pair(what, lambda t: 1.0 * np.asarray(t), theta0, 0.5, eps, max_steps=100)
    expect(k == ref_k, f"the step count k {what} is {'too large' if k > ref_k else 'too small'}",
           "the rule is ‖θ_{k+1} − θ_k‖ < ε, strictly: a step exactly ε long does not stop the run. " + hint)
    expect_close(theta, ref_theta, f"the returned θ {what}", hint, rtol=1e-12, atol=0)
    # a step budget that runs out: θ after exactly max_steps steps
    obj, A = _quadratic(rng, 2)
    lr = float(0.1 / np.linalg.eigvalsh(A)[-1])
    theta0 = np.array([4.0, -3.0])
    budget = 5 + seed % 5
    ref = run(obj, GD(lr), theta0, steps=budget, tol=1e-12)
    theta, k = attempt_pair(f"when ε is never reached in max_steps = {budget} steps", obj.grad, theta0, lr, 1e-12,
                            max_steps=budget)
    expect(k == budget, "when ε is never reached, gd_until_small_step should stop after max_steps steps and "
           "return k = max_steps", hint)
    expect_close(theta, ref.final, "θ after max_steps steps", hint, rtol=1e-10, atol=1e-12)
    passed("gd_until_small_step")


def _step_cases(rng):
    """(ε, ε_ref, k_ref, per_decade): a row of a table of powers of ten whose prediction is a whole number
    (so rounding up with int(x) + 1 is off by one there), a tolerance off the powers of ten with a whole
    number of steps per decade, one with a fractional number of steps per decade, and a larger ε."""
    cases = []
    a, j = int(rng.integers(1, 4)), int(rng.choice([1, 2, 4, 5]))   # 10^-a / 10^-(a+j) is exactly 10^j
    cases.append((10.0 ** -(a + j), 10.0 ** -a, int(rng.integers(10, 200)), float(rng.integers(5, 60))))
    eps_ref = float(10.0 ** rng.uniform(-4, -1))
    decades = int(rng.integers(1, 4)) + float(rng.uniform(0.25, 0.75))
    cases.append((eps_ref * 10.0 ** -decades, eps_ref, int(rng.integers(10, 200)), float(rng.integers(8, 60))))
    eps_ref = float(10.0 ** rng.uniform(-5, -2))
    decades = int(rng.integers(0, 3)) + float(rng.uniform(0.3, 0.7))
    cases.append((eps_ref * 10.0 ** -decades, eps_ref, int(rng.integers(10, 200)),
                  round(float(rng.uniform(6, 60)), 1)))
    eps_ref = float(10.0 ** rng.uniform(-6, -3))
    per_decade = float(rng.integers(8, 40))
    cases.append((eps_ref * 10.0 ** float(rng.uniform(0.3, 0.7)), eps_ref, int(rng.integers(100, 300)), per_decade))
    return [cases[i] for i in rng.permutation(len(cases))]


def check_predicted_steps(predicted_steps, seed: int = 0) -> None:
    """Extrapolating the steps-versus-ε table: k(ε) = k(ε_ref) + m · log10(ε_ref / ε), for any ε
    (smaller or larger than ε_ref, on or off the powers of ten). Rounding to whole steps is fine:
    the prediction is right when it lies less than one step from k(ε)."""
    rng = np.random.default_rng(seed)
    hint = ("how many factors of 10 lie between ε_ref and ε (math.log10; not necessarily a whole number)? "
            "Each adds per_decade steps to k_ref")
    for eps, eps_ref, k_ref, per_decade in _step_cases(rng):
        expected = k_ref + per_decade * math.log10(eps_ref / eps)
        what = (f"predicted_steps(ε = {eps:.4g}, ε_ref = {eps_ref:.4g}, k_ref = {k_ref}, "
                f"per_decade = {per_decade:g})")
        got = as_number(attempt(predicted_steps, eps, eps_ref, k_ref, per_decade), what, hint=hint)
        if abs(got - expected) < 1.0:
            continue
        mistakes = {"a natural logarithm in place of log10": k_ref + per_decade * math.log(eps_ref / eps),
                    "the ratio ε/ε_ref upside down": k_ref - per_decade * math.log10(eps_ref / eps),
                    "the k_ref steps needed at ε_ref left out": per_decade * math.log10(eps_ref / eps)}
        kind = _scalar_kind(got, expected, 0.0, 1.0, mistakes)
        raise WrongAnswer(f"{what} {kind}.\nHint: {hint}" + (
            "; round only at the end, if at all (a prediction less than one step off counts as right)"
            if "little" in kind else ""))
    passed("predicted_steps")


def check_alpha_star(alpha_star, seed: int = 0) -> None:
    """α* = gᵀg / gᵀAg, checked by the condition that defines it: the new gradient ∇L(θ − α*g) is
    orthogonal to g (φ′(α*) = 0); on random quadratics, a 1×1 one and an ill-conditioned one."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(3):
        d = int(rng.integers(2, 6))
        _, A = _quadratic(rng, d)
        cases.append(A)
    cases.append(np.array([[float(rng.uniform(0.2, 20.0))]]))
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    A = Q @ np.diag([1.0, 30.0, 900.0]) @ Q.T
    cases.append(0.5 * (A + A.T))
    hint = "at α* the new gradient ∇L(θ − α*g) is orthogonal to g: set φ′(α) = 0 and solve for α"
    for A in cases:
        d = A.shape[0]
        b, theta = rng.normal(size=d), rng.normal(size=d) * 2

        def grad(p, A=A, b=b):                                      # ∇L of ½θᵀAθ − bᵀθ
            return A @ p - b

        g = grad(theta)
        a = as_number(attempt(alpha_star, g, A), f"alpha_star for a {d}×{d} A", hint=hint)
        expect(a > 0, "alpha_star is not a positive number", "along −g the loss first falls; the best step is positive")
        slope_after = float(grad(theta - a * g) @ g)                 # zero at the minimiser of φ
        expect(abs(slope_after) <= 1e-8 * float(g @ g),
               f"alpha_star for a {d}×{d} A is {'too short' if slope_after > 0 else 'too long'}: φ still "
               f"{'falls' if slope_after > 0 else 'rises'} at your α", hint)
    passed("alpha_star")


class _Phi:
    """φ(α) that records every α it is asked for."""

    def __init__(self, f):
        self.f, self.calls = f, []

    def __call__(self, alpha):
        a = float(alpha)
        self.calls.append(a)
        if len(self.calls) > 500:
            raise WrongAnswer("armijo called φ more than 500 times without stopping: does α shrink "
                              "(α ← ρα with 0 < ρ < 1), and does the test accept a step once it passes?")
        with np.errstate(all="ignore"):
            return float(self.f(a))


def _backtracking(f, phi0, slope, alpha0, c, rho):
    """The reference search on a function of α: the steps tried, the last one accepted."""
    trials, alpha = [], alpha0
    while True:
        trials.append(alpha)
        if f(alpha) <= phi0 + c * alpha * slope:
            return trials
        alpha *= rho


def _armijo_cases(rng):
    """(description, φ, φ(0), φ′(0), α0, c, ρ). Lines through real objectives at random points; a parabola
    on which one trial lands exactly on the Armijo line (every number a power of two, so φ(α) equals
    φ(0) + cαφ′(0) in any order of the operations: `<` instead of `<=` rejects it); a parabola whose first
    tries lower φ, but by less than the Armijo line asks (plain decrease is not enough)."""
    cases = []
    for name in ("rosenbrock", "himmelblau", "ill_conditioned"):
        obj = objectives.get(name)
        (x0, x1), (y0, y1) = obj.domain
        theta = np.array([rng.uniform(x0, x1), rng.uniform(y0, y1)])
        g = obj.grad(theta)
        cases.append((f"on {obj.name}", lambda a, obj=obj, theta=theta, g=g: obj(theta - a * g), float(obj(theta)),
                      -float(g @ g), float(10.0 ** rng.uniform(-0.5, 0.5)), float(rng.choice([1e-4, 0.1, 0.3, 0.5])),
                      float(rng.choice([0.3, 0.5, 0.7]))))
    # equality: φ(α) = φ0 + sα + ½κα² with κ chosen so that the j-th trial lies exactly on the Armijo line
    phi0, s = float(2 ** int(rng.integers(-2, 3))), -float(2 ** int(rng.integers(-1, 3)))
    c, rho = float(rng.choice([0.25, 0.5, 0.125])), float(rng.choice([0.5, 0.25]))
    alpha0 = float(2 ** int(rng.integers(-1, 3)))
    alpha_j = alpha0 * rho ** int(rng.integers(0, 3))
    kappa = 2 * (1 - c) * -s / alpha_j
    cases.append(("on a parabola where one try lies exactly on the Armijo line",
                  lambda a, phi0=phi0, s=s, kappa=kappa: phi0 + s * a + 0.5 * kappa * a * a, phi0, s, alpha0, c, rho))
    # decrease without sufficient decrease: the tries in (2(1−c)|s|/κ, 2|s|/κ) lower φ but fail Armijo
    s, kappa, c = -float(rng.uniform(0.5, 3.0)), float(rng.uniform(0.5, 4.0)), float(rng.uniform(0.4, 0.6))
    low, high = 2 * (1 - c) * -s / kappa, 2 * -s / kappa
    alpha0 = float(rng.uniform(low + 0.1 * (high - low), high - 0.1 * (high - low)))
    phi0 = float(rng.uniform(-1.0, 1.0))
    cases.append(("on a parabola whose first try lowers φ, but not by enough",
                  lambda a, phi0=phi0, s=s, kappa=kappa: phi0 + s * a + 0.5 * kappa * a * a, phi0, s, alpha0, c,
                  float(rng.choice([0.3, 0.5, 0.6]))))
    return [cases[i] for i in rng.permutation(len(cases))]


def check_armijo(armijo, seed: int = 0) -> None:
    """Backtracking against the search written out here (the first of α0, ρα0, ρ²α0, … with
    φ(α) <= φ(0) + cαφ'(0)) on lines through objectives and on parabolas built to test the edges; the steps
    φ was evaluated at and the evaluation count against the calls the check counted (φ(0) is given and
    not counted)."""
    rng = np.random.default_rng(seed)
    hint = ("Try the steps α0, ρα0, ρ²α0, … in this order and accept the first one whose φ(α) lies on or below "
            "the Armijo line φ(0) + c·α·φ'(0); each try costs one call of phi, and φ(0) is given")
    for what, f, phi0, slope, alpha0, c, rho in _armijo_cases(rng):
        trials = _backtracking(f, phi0, slope, alpha0, c, rho)
        phi = _Phi(f)
        what = f"{what} with α0 = {alpha0:.3g}, c = {c:.3g}, ρ = {rho:g}"
        out = attempt(armijo, phi, phi0, slope, alpha0, c, rho)
        alpha, count = as_sequence(out, 2, "armijo", "α, number of evaluations of φ")
        alpha = as_number(alpha, f"the step α {what}", hint=hint)
        count = as_number(count, f"the evaluation count {what}", integer=True, hint=hint)
        expect(alpha > 0, f"the step α {what} is not a positive number", hint)
        expect(f(alpha) <= phi0 + c * alpha * slope,
               f"the step α {what} breaks the Armijo condition φ(α) ≤ φ(0) + c·α·φ'(0)",
               "φ'(0) is negative (it is passed in as `slope`): the line φ(0) + c·α·φ'(0) falls with α; a step "
               "that lowers φ by less than that line is not accepted. " + hint)
        expect(math.isclose(alpha, trials[-1], rel_tol=1e-12),
               f"the step α {what} is {'smaller' if alpha < trials[-1] else 'larger'} than backtracking's",
               "return the *first* step of α0, ρα0, ρ²α0, … that passes (a step exactly on the Armijo line "
               "passes: the condition is ≤), not one shrink later. " + hint)
        if any(a == 0 for a in phi.calls):
            raise WrongAnswer(f"{what} your function evaluated φ(0), which is given (phi0)\nHint: {hint}")
        if len(set(phi.calls)) < len(phi.calls):
            raise WrongAnswer(f"{what} your function evaluated φ more than once at the same step\nHint: "
                              "call phi once per try and keep its value. " + hint)
        expect(len(phi.calls) == len(trials) and np.allclose(phi.calls, trials, rtol=1e-12, atol=0),
               f"{what} your function evaluated φ at {'more' if len(phi.calls) > len(trials) else 'other'} steps "
               "than backtracking tries (α0, ρα0, … up to the first that passes)", hint)
        expect(count == len(phi.calls),
               f"the evaluation count {what} is {'too large' if count > len(phi.calls) else 'too small'}: it "
               "differs from the number of times your function called phi",
               "add one to the count for every call of phi; φ(0) is given, not evaluated, so it does not count")
    passed("armijo")
