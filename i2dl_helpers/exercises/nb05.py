"""Checks for the exercises of notebook 05 (gradient descent for networks, line search)."""
from __future__ import annotations

import math

import numpy as np

from . import WrongAnswer, attempt, expect, expect_close, passed

__all__ = ["check_gd_until_small_step", "check_predicted_steps", "check_alpha_star", "check_armijo"]


def _quadratic(rng, d):
    from .. import objectives

    M = rng.normal(size=(d, d))
    A = M @ M.T + 0.3 * np.eye(d)
    return objectives.quadratic_form(A, rng.normal(size=d)), A


def check_gd_until_small_step(gd_until_small_step, seed: int = 0) -> None:
    """The lecture's stopping rule against the package's ``run(objective, GD(α), θ_0, tol=ε)``:
    the returned θ_k is the first iterate with ‖θ_k − θ_{k−1}‖ < ε, and k its step number."""
    from ..optim import GD, run

    rng = np.random.default_rng(seed)
    hint = ("loop: θ_new = θ − α ∇L(θ); stop as soon as ‖θ_new − θ‖ < ε (np.linalg.norm) and return θ_new "
            "with the number of steps taken; stop after max_steps steps otherwise")
    for trial in range(3):
        d = 2 + (seed + trial) % 3
        obj, A = _quadratic(rng, d)
        lr = float(rng.uniform(0.3, 0.8) / np.linalg.eigvalsh(A)[-1])
        eps = float(10.0 ** rng.uniform(-6, -2))
        theta0 = rng.normal(size=d) * 3
        ref = run(obj, GD(lr), theta0, steps=5000, tol=eps)
        out = attempt(gd_until_small_step, obj.grad, theta0.copy(), lr, eps, max_steps=5000)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise WrongAnswer("gd_until_small_step should return a pair (θ, k): "
                              f"got {type(out).__name__}" + ("" if not isinstance(out, tuple) else f" of length {len(out)}"))
        theta, k = out
        what = f"with α = {lr:.3g}, ε = {eps:.1e} in {d} dimensions"
        expect(isinstance(k, (int, np.integer)), f"the step count k {what} is not an integer ({type(k).__name__})",
               "count the steps with an int")
        expect(int(k) == int(ref.stop_step),
               f"the step count k {what} is {'too large' if k > ref.stop_step else 'too small'}",
               "k is the number of updates made, including the last one whose step was shorter than ε. " + hint)
        expect_close(theta, ref.final, f"the returned θ {what}", "return the newest iterate θ_k, the one after the "
                     "short step. " + hint, rtol=1e-10, atol=1e-12)
    # a step budget that runs out: θ after exactly max_steps steps
    obj, A = _quadratic(rng, 2)
    lr = float(0.1 / np.linalg.eigvalsh(A)[-1])
    theta0 = np.array([4.0, -3.0])
    ref = run(obj, GD(lr), theta0, steps=7, tol=1e-12)
    out = attempt(gd_until_small_step, obj.grad, theta0.copy(), lr, 1e-12, max_steps=7)
    expect(isinstance(out, tuple) and len(out) == 2 and int(out[1]) == 7,
           "when ε is never reached, gd_until_small_step should stop after max_steps steps and return k = max_steps",
           hint)
    expect_close(out[0], ref.final, "θ after max_steps steps", hint, rtol=1e-10, atol=1e-12)
    passed("gd_until_small_step")


def check_predicted_steps(predicted_steps, seed: int = 0) -> None:
    """Extrapolating the steps-versus-ε table: k(ε) = k(ε_ref) + m · log10(ε_ref / ε)."""
    rng = np.random.default_rng(seed)
    for _ in range(4):
        eps_ref = float(10.0 ** -rng.integers(1, 4))
        k_ref = int(rng.integers(10, 200))
        per_decade = float(rng.integers(5, 60))
        eps = eps_ref * 10.0 ** -float(rng.integers(1, 5))
        got = attempt(predicted_steps, eps, eps_ref, k_ref, per_decade)
        expected = k_ref + per_decade * math.log10(eps_ref / eps)
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise WrongAnswer(f"predicted_steps should return a number, got {type(got).__name__}") from None
        expect(abs(got - expected) <= 1.0,
               f"predicted_steps(ε = {eps:.0e}, ε_ref = {eps_ref:.0e}, k_ref = {k_ref}, "
               f"{per_decade:g} steps per factor 10) is {'too large' if got > expected else 'too small'}",
               "how many factors of 10 lie between ε_ref and ε (math.log10)? Each adds the same number of steps")
    passed("predicted_steps")


def check_alpha_star(alpha_star, seed: int = 0) -> None:
    """α* = gᵀg / gᵀAg against a 1D minimisation of φ(α) = L(θ − αg) on a fine grid and the
    condition that the new gradient is orthogonal to g."""
    rng = np.random.default_rng(seed)
    for _ in range(3):
        d = int(rng.integers(2, 5))
        obj, A = _quadratic(rng, d)
        theta = rng.normal(size=d) * 2
        g = obj.grad(theta)
        got = attempt(alpha_star, g.copy(), A.copy())
        try:
            a = float(got)
        except (TypeError, ValueError):
            raise WrongAnswer(f"alpha_star should return a number, got {type(got).__name__}") from None
        expect(np.isfinite(a) and a > 0, "alpha_star is not a positive number",
               "along −g the loss first falls; the best step is positive")
        slope_after = float(obj.grad(theta - a * g) @ g)           # zero at the minimiser of φ
        expect(abs(slope_after) <= 1e-8 * float(g @ g),
               f"alpha_star for a {d}×{d} A is {'too short' if slope_after > 0 else 'too long'}: φ still "
               f"{'falls' if slope_after > 0 else 'rises'} at your α",
               "at α* the new gradient ∇L(θ − α*g) is orthogonal to g; write gᵀg and gᵀAg with `@`")
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


def check_armijo(armijo, seed: int = 0) -> None:
    """Backtracking against ``linesearch.backtracking`` (the package's reference) on lines
    through real objectives, and the evaluation count against the calls the check counted."""
    from .. import linesearch, objectives

    rng = np.random.default_rng(seed)
    hint = ("start at α = α0; while φ(α) > φ(0) + c·α·φ'(0), set α ← ρα; count each call of φ; "
            "return the first α that passes and the count")
    cases = []
    for name in ("rosenbrock", "himmelblau", "ill_conditioned"):
        obj = objectives.get(name)
        (x0, x1), (y0, y1) = obj.domain
        theta = np.array([rng.uniform(x0, x1), rng.uniform(y0, y1)])
        g = obj.grad(theta)
        alpha0 = float(10.0 ** rng.uniform(-0.5, 0.5))
        c = float(rng.choice([1e-4, 0.1, 0.3, 0.5]))
        rho = float(rng.choice([0.3, 0.5, 0.7]))
        cases.append((obj, theta, g, alpha0, c, rho))
    for obj, theta, g, alpha0, c, rho in cases:
        ref = linesearch.backtracking(obj, theta, -g, alpha0=alpha0, c=c, rho=rho, g=g, full=True)
        phi = _Phi(lambda a, obj=obj, theta=theta, g=g: obj(theta - a * g))
        phi0, slope = float(obj(theta)), -float(g @ g)
        out = attempt(armijo, phi, phi0, slope, alpha0, c, rho)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise WrongAnswer("armijo should return a pair (α, number of evaluations of φ), got "
                              f"{type(out).__name__}")
        alpha, count = out
        what = f"on {obj.name} with α0 = {alpha0:.3g}, c = {c:g}, ρ = {rho:g}"
        try:
            alpha = float(alpha)
        except (TypeError, ValueError):
            raise WrongAnswer(f"the step α {what} is not a number ({type(alpha).__name__})") from None
        expect(np.isfinite(alpha) and alpha > 0, f"the step α {what} is not a positive number", hint)
        expect(float(obj(theta - alpha * g)) <= phi0 + c * alpha * slope,
               f"the step α {what} breaks the Armijo condition φ(α) ≤ φ(0) + c·α·φ'(0)",
               "φ'(0) is negative (it is passed in as `slope`): the line φ(0) + c·α·φ'(0) falls with α. " + hint)
        expect(math.isclose(alpha, ref.alpha, rel_tol=1e-12),
               f"the step α {what} is {'smaller' if alpha < ref.alpha else 'larger'} than backtracking's",
               "return the *first* step of α0, ρα0, ρ²α0, … that passes, not one shrink later. " + hint)
        expect(len(phi.calls) == len(ref.trials) and np.allclose(phi.calls, ref.trials, rtol=1e-12, atol=0),
               f"{what} your function evaluated φ at {len(phi.calls)} steps; backtracking needs {len(ref.trials)} "
               "(α0, ρα0, … up to the first that passes)",
               "φ(0) is given (phi0): do not evaluate it again, and evaluate φ once per trial step")
        expect(isinstance(count, (int, np.integer)) and int(count) == len(phi.calls),
               f"the evaluation count {what} says {count!r}, but φ was called {len(phi.calls)} times",
               "add one to the count for every call of phi")
    passed("armijo")
