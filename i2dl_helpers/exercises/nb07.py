"""Checks for the exercises of notebook 07 (momentum and adaptive methods).

The references are independent of the formulas the student writes: momentum is
compared with the package's ``SGD(lr, momentum=β)``, which implements PyTorch's
buffer form b ← βb + ∇L, θ ← θ − αb (a different recursion with the same
iterates), and, for a start with a velocity, with the linear map of (θ, v) on a
quadratic; Nesterov with ``SGD(…, nesterov=True)``, whose iterates are the
lecture's look-ahead points; Adam with the package's ``Adam`` (PyTorch's form,
checked against torch itself in the test suite); the edge of momentum's stable
range by bisection on the spectral radius of the 2 × 2 iteration matrix.

Every check draws from the whole domain its docstring states (β = 0 and β close
to 1, one and several coordinates, curvatures from 10⁻² to 10³, gradients that
are exactly zero or far below ε) and accepts every reasonable form of the result
(a tuple, a list or an array of the values; numpy scalars).
"""
from __future__ import annotations

import functools

import numpy as np

from ..optim import SGD, Adam, momentum_rate
from ..optim.racing import race_all
from . import (WrongAnswer, as_sequence, attempt, expect, expect_close, passed)

__all__ = ["check_momentum_step", "check_nesterov_step", "check_max_momentum_lr", "check_adam_step",
           "check_first_to_settle"]


class _Bowl:
    """A random positive-definite quadratic L(θ) = ½θᵀAθ − bᵀθ on θ of shape (d,), curvatures in [0.5, 4]."""

    def __init__(self, rng, d: int = 3):
        Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
        A = Q @ np.diag(rng.uniform(0.5, 4.0, d)) @ Q.T
        self.A, self.b = (A + A.T) / 2, rng.normal(size=d)

    def grad(self, theta) -> np.ndarray:
        return self.A @ np.asarray(theta, dtype=float) - self.b


def _values(out, n: int, what: str, names: str) -> tuple:
    """The ``n`` values a step returns, as a tuple: a tuple or list of them, or an array whose first
    axis has length ``n`` (``np.array([theta, v])``)."""
    if isinstance(out, np.ndarray) and out.ndim >= 2 and out.shape[0] == n and out.dtype != object:
        return tuple(out)
    return as_sequence(out, n, what, names)


def _same(got, expected) -> bool:
    """Whether ``got`` (any form) equals ``expected`` to round-off, without raising."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(expected) and bool(np.allclose(got, expected, rtol=1e-7, atol=1e-10))


def _diagnose(got: tuple, candidates: dict[str, tuple]) -> str | None:
    """The name of the known mistake whose result ``got`` matches (every returned value), or None."""
    for name, values in candidates.items():
        if all(_same(g, c) for g, c in zip(got, values)):
            return name
    return None


def _momentum_cases(rng, seed: int) -> list[dict]:
    """(d, α, β, v₀, steps): a random run; plain GD (β = 0); β close to 1; a start with a velocity."""
    d = (3, 1, 4, 2)[seed % 4]
    lr = float(np.exp(rng.uniform(np.log(0.02), np.log(0.25))))
    cases = [dict(d=d, lr=lr, beta=0.9 if seed == 0 else float(rng.uniform(0.3, 0.95)), v0=False, steps=40),
             dict(d=d, lr=float(rng.uniform(0.05, 0.3)), beta=0.0, v0=False, steps=5),
             dict(d=max(d, 2), lr=float(rng.uniform(0.005, 0.02)), beta=float(rng.uniform(0.98, 0.995)), v0=False,
                  steps=15),
             dict(d=d, lr=float(rng.uniform(0.02, 0.2)), beta=float(rng.uniform(0.2, 0.9)), v0=True, steps=10)]
    return cases


def _momentum_reference(bowl, theta0, v0, lr, beta, steps, nesterov=False):
    """θ_k and v_k (k = 0 … steps) of the lecture's form, computed another way: with the package's SGD (PyTorch's
    buffer form, whose heavy-ball iterates are θ_k and whose Nesterov iterates are the look-ahead points
    φ_k = θ_k + βv_k, so θ_{k+1} = (φ_{k+1} + βθ_k)/(1 + β)) when v₀ = 0, else with the linear map of (θ, v)
    on the quadratic (∇L = Aθ − b)."""
    if not np.any(v0) and (beta > 0 or not nesterov):
        opt = SGD(lr, momentum=beta, nesterov=nesterov)
        x = np.asarray(theta0, dtype=float)[None, :].copy()
        state = opt.init_state(x)
        points = [x[0]]
        for k in range(steps):
            x = opt.step(x, bowl.grad(x[0])[None, :], state, lr=lr, t=k, objective=None)
            points.append(x[0])
        thetas = [points[0]]
        for k in range(steps):
            thetas.append((points[k + 1] + beta * thetas[-1]) / (1 + beta) if nesterov else points[k + 1])
        thetas = np.array(thetas)
        return thetas, np.diff(thetas, axis=0, prepend=thetas[:1])
    A, b = bowl.A, bowl.b
    d = len(theta0)
    eye = np.eye(d)
    look = eye if nesterov else np.zeros((d, d))   # the gradient is taken at θ + β·look·v
    M = np.block([[eye - lr * A, beta * (eye - lr * A @ look)], [-lr * A, beta * (eye - lr * A @ look)]])
    c = np.concatenate([lr * b, lr * b])
    state = np.concatenate([theta0, v0])
    thetas, vs = [state[:d]], [state[d:]]
    for _ in range(steps):
        state = M @ state + c
        thetas.append(state[:d])
        vs.append(state[d:])
    return np.array(thetas), np.array(vs)


def _momentum_runs(rng, seed: int, nesterov: bool = False):
    """Each run of the momentum checks: (d, α, β, steps, objective, θ₀, v₀, reference θs, reference vs,
    the run described for a message)."""
    for case in _momentum_cases(rng, seed):
        d, lr, beta, steps = case["d"], case["lr"], case["beta"], case["steps"]
        obj = _Bowl(rng, d)
        theta0 = rng.normal(size=d) * 2
        v0 = 0.3 * rng.normal(size=d) if case["v0"] else np.zeros(d)
        thetas, vs = _momentum_reference(obj, theta0, v0, lr, beta, steps, nesterov=nesterov)
        where = f"(d = {d}, α = {lr:.3g}, β = {beta:.3g}" + (", starting with a velocity v₀ ≠ 0)" if case["v0"]
                                                              else ")")
        yield d, lr, beta, steps, obj, theta0, v0, thetas, vs, where


def check_momentum_step(momentum_step, seed: int = 0) -> None:
    """Iterate the student's step on random quadratics; compare every θ_k and v_k with the lecture's form
    (PyTorch's buffer form for v₀ = 0, the linear map of (θ, v) for a start with a velocity).

    Runs: a random (α, β); plain GD (β = 0); β close to 1; a start with v₀ ≠ 0. The returned v must be the
    lecture's v_{k+1} = θ_{k+1} − θ_k, so a v with the wrong sign (and a θ update that undoes it) is caught.
    """
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        for d, lr, beta, steps, obj, theta0, v0, thetas, vs, where in _momentum_runs(rng, seed):
            theta, v = theta0.copy(), v0.copy()
            for k in range(steps):
                g = obj.grad(theta)
                out = _values(attempt(momentum_step, theta, v, g, lr, beta), 2, "momentum_step", "theta_new, v_new")
                if not (_same(out[0], thetas[k + 1]) and _same(out[1], vs[k + 1])):
                    new_v = beta * v - lr * g
                    mistake = _diagnose(out, {
                        "the velocity points uphill: it adds +α∇L where the step goes against the gradient":
                            (theta + beta * v + lr * g, beta * v + lr * g),
                        "θ moves against v: in the lecture's form v is the step itself, θ_{k+1} = θ_k + v_{k+1}":
                            (theta - new_v, new_v),
                        "θ moved with the old velocity v_k; it moves with the new one, v_{k+1}":
                            (theta + v, new_v),
                        "the old velocity is kept whole: β is missing from the velocity's update":
                            (theta + v - lr * g, v - lr * g),
                        "this is PyTorch's buffer form: θ is right, but the returned v must be the lecture's "
                        "velocity (the step θ_{k+1} − θ_k), not the sum of gradients b":
                            (theta + new_v, -new_v / lr),
                        "the two results are swapped: return (theta_new, v_new) in that order":
                            (new_v, theta + new_v),
                    })
                    hint = (mistake or "the velocity keeps a fraction β of its last value and adds a step against "
                            "the gradient; θ then moves by the new velocity")
                    if k > 0 and mistake is None:
                        hint = ("the first steps were right, a later one is not: does v carry β times its last "
                                "value into the next step?")
                    expect_close(out[0], thetas[k + 1], f"θ after step {k + 1} {where}", hint)
                    expect_close(out[1], vs[k + 1], f"the returned v after step {k + 1} {where}", hint)
                theta, v = np.asarray(out[0], dtype=float), np.asarray(out[1], dtype=float)
    passed("momentum_step")


def check_nesterov_step(nesterov_step, seed: int = 0) -> None:
    """Iterate the student's Nesterov step; its θ_k must be the lecture's (from the package's
    SGD(momentum, nesterov=True), whose iterates are the look-ahead points θ_k + βv_k, or from the linear
    map of (θ, v) for a start with a velocity), its v_{k+1} = θ_{k+1} − θ_k, with one gradient per step."""
    rng = np.random.default_rng(seed + 100)
    with np.errstate(all="ignore"):
        for d, lr, beta, steps, obj, theta0, v0, thetas, vs, where in _momentum_runs(rng, seed, nesterov=True):
            calls = []

            def grad_fn(point):
                point = np.array(point, dtype=float)
                calls.append(point)
                return obj.grad(point)

            theta, v = theta0.copy(), v0.copy()
            for k in range(steps):
                calls.clear()
                out = _values(attempt(nesterov_step, theta, v, grad_fn, lr, beta), 2, "nesterov_step",
                              "theta_new, v_new")
                expect(len(calls) == 1, f"nesterov_step called grad_fn {len(calls)} times in step {k + 1} {where}",
                       "one gradient per step, at the point where momentum is about to carry θ")
                if not (_same(out[0], thetas[k + 1]) and _same(out[1], vs[k + 1])):
                    at = calls[0]
                    ahead = theta + beta * v
                    if not _same(at, ahead):
                        places = {"at θ_k itself (that is heavy-ball momentum)": theta,
                                  "at θ_k + v_k (β is missing from the look-ahead)": theta + v,
                                  "behind θ_k, at θ_k − βv_k": theta - beta * v}
                        named = next((name for name, p in places.items() if _same(at, p)), None)
                        hint = ((f"your gradient is taken {named}; " if named else "") +
                                "take it at the look-ahead point, where momentum alone would carry θ")
                    else:
                        hint = ("the gradient is taken at the right point; now update v as momentum does (a "
                                "fraction β of the old v and a step against that gradient) and move θ by the new v")
                    expect_close(out[0], thetas[k + 1], f"θ after step {k + 1} {where}", hint)
                    expect_close(out[1], vs[k + 1], f"the returned v after step {k + 1} {where}",
                                 "return the new velocity, the step itself: θ_{k+1} = θ_k + v_{k+1}")
                theta, v = np.asarray(out[0], dtype=float), np.asarray(out[1], dtype=float)
    passed("nesterov_step")


def _edge(lam: float, beta: float) -> float:
    """The largest α with spectral radius < 1, by bisection on ρ(αλ, β)."""
    lo, hi = 0.0, 8.0  # q = αλ; ρ(8, β) > 1 for every β < 1
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if float(momentum_rate(mid, beta)) < 1.0 else (lo, mid)
    return 0.5 * (lo + hi) / lam


def _lr_cases(rng, seed: int) -> list[tuple[float, float]]:
    """(λ, β): β = 0 (plain GD), β close to 1, λ from 10⁻² to 10³ (whole numbers and not), random ones."""
    cases = [(4.0, 0.5)] if seed == 0 else []
    cases += [(float(rng.uniform(1, 5)), 0.0),
              (float(rng.integers(2, 50)), float(rng.uniform(0.97, 0.999))),
              (float(np.exp(rng.uniform(np.log(0.01), np.log(0.5)))), float(rng.uniform(0.05, 0.95))),
              (float(np.exp(rng.uniform(np.log(50), np.log(1000)))), float(rng.uniform(0.05, 0.95)))]
    cases += [(float(np.exp(rng.uniform(np.log(0.5), np.log(20)))), float(rng.uniform(0, 0.95))) for _ in range(3)]
    return [cases[i] for i in rng.permutation(len(cases))] if seed else cases


def check_max_momentum_lr(max_momentum_lr, seed: int = 0) -> None:
    """max_momentum_lr(λ, β) against the edge of ρ < 1 found by bisection, for several (λ, β): β = 0 and
    β close to 1, curvatures from 10⁻² to 10³."""
    rng = np.random.default_rng(seed)
    hint = ("momentum stops converging when a root z of z² − (1 + β − q)z + β = 0 (q = αλ) leaves the unit "
            "circle. Complex roots have |z| = √β < 1, so the edge is where a real root reaches −1 (the "
            "iterates flip sign and grow); find the q where that happens and turn it into α. For β = 0 it "
            "must give plain gradient descent's edge")
    for lam, beta in _lr_cases(rng, seed):
        what = f"max_momentum_lr({lam:.4g}, {beta:.4g})"
        expected = _edge(lam, beta)
        got = attempt(max_momentum_lr, lam, beta)
        mistakes = {"plain gradient descent's edge, as if β were 0": 2 / lam,
                    "the edge of q = αλ, not of α (divide by λ)": expected * lam,
                    "λ multiplies where it should divide": expected * lam * lam,
                    "the critical-damping curve, not the edge of convergence": (1 + np.sqrt(beta)) ** 2 / lam}
        mistakes = {k: v for k, v in mistakes.items() if not np.isclose(v, expected, rtol=1e-6)}
        expect_close(got, expected, what, hint, rtol=1e-6, mistakes=mistakes)
    passed("max_momentum_lr")


def _adam_cases(rng, seed: int) -> tuple[dict, dict]:
    """A run on a random quadratic, and steps with given gradients: exactly zero, far below ε, large."""
    d = (3, 1, 5, 2)[seed % 4]
    run_case = dict(d=d, lr=float(rng.uniform(0.05, 0.3)),
                    betas=(0.9, 0.999) if seed == 0 else (float(rng.uniform(0.5, 0.95)),
                                                          float(rng.uniform(0.9, 0.999))),
                    eps=1e-8 if seed == 0 else float(np.exp(rng.uniform(np.log(1e-8), np.log(1e-3)))))
    scales = np.array([1.0, 0.0, 1e-7, 30.0, 1e-3])
    grad_case = dict(d=5, lr=float(rng.uniform(0.001, 0.1)),
                     betas=(float(rng.uniform(0.0, 0.99)), float(rng.uniform(0.5, 0.9999))), eps=1e-8, scales=scales)
    return run_case, grad_case


def check_adam_step(adam_step, seed: int = 0) -> None:
    """Iterate the student's Adam step and compare θ, m and v with the package's Adam: 30 steps on a random
    quadratic, then 8 steps with given gradients (an entry exactly 0, one far below ε, one large)."""
    rng = np.random.default_rng(seed)
    run_case, grad_case = _adam_cases(rng, seed)
    obj = _Bowl(rng, run_case["d"])
    fixed = rng.normal(size=(8, 5)) * grad_case["scales"]
    with np.errstate(all="ignore"):
        for case, steps in ((run_case, 30), (grad_case, 8)):
            d, lr, (b1, b2), eps = case["d"], case["lr"], case["betas"], case["eps"]
            where = f"(α = {lr:.3g}, β₁ = {b1:.3g}, β₂ = {b2:.4g}, ε = {eps:.2g}" + \
                    (", gradients with an entry 0, one far below ε and one large)" if case is grad_case else ")")
            ref = Adam(lr, betas=(b1, b2), eps=eps)
            theta = rng.normal(size=d)
            state = ref.init_state(theta[None, :])
            ref_theta = theta[None, :].copy()
            m, v = np.zeros(d), np.zeros(d)
            for k in range(1, steps + 1):
                g = obj.grad(theta) if case is run_case else fixed[k - 1]
                ref_theta = ref.step(ref_theta, g[None, :], state, lr=lr, t=k - 1, objective=None)
                out = _values(attempt(adam_step, theta, m, v, g, k, lr, b1, b2, eps), 3, "adam_step",
                              "theta_new, m_new, v_new")
                m_hat, v_hat = state["exp_avg"][0] / (1 - b1**k), state["exp_avg_sq"][0] / (1 - b2**k)
                if _same(out[1], m_hat) and not _same(out[1], state["exp_avg"][0]):
                    raise WrongAnswer(f"m after step {k} {where} is the bias-corrected m̂: return the running "
                                      "average m itself, the state carried to the next step (correct a copy)")
                m = expect_close(out[1], state["exp_avg"][0], f"m after step {k} {where}",
                                 "m is a running average of the gradients: it keeps the fraction β₁ of its old "
                                 "value and takes the rest from the new gradient; return it uncorrected")
                if _same(out[2], v_hat) and not _same(out[2], state["exp_avg_sq"][0]):
                    raise WrongAnswer(f"v after step {k} {where} is the bias-corrected v̂: return the running "
                                      "average v itself, the state carried to the next step (correct a copy)")
                v = expect_close(out[2], state["exp_avg_sq"][0], f"v after step {k} {where}",
                                 "v is the same kind of running average as m, with β₂, of the squared gradient "
                                 "(elementwise); return it uncorrected")
                if not _same(out[0], ref_theta[0]):
                    mn, vn = state["exp_avg"][0], state["exp_avg_sq"][0]
                    mistake = _diagnose((out[0],), {
                        "the step uses m and v without their bias corrections": (theta - lr * mn / (np.sqrt(vn) + eps),),
                        "only m is bias-corrected; v needs its correction too":
                            (theta - lr * m_hat / (np.sqrt(vn) + eps),),
                        "ε is inside the square root; it is added after it": (theta - lr * m_hat / np.sqrt(v_hat + eps),),
                        "ε is added to θ, not to the denominator √v̂": (theta - lr * m_hat / np.sqrt(v_hat) + eps,),
                        "the bias corrections use the wrong power: step k (1 for the first) divides by 1 − βᵏ":
                            (theta - lr * (mn / (1 - b1 ** (k + 1))) / (np.sqrt(vn / (1 - b2 ** (k + 1))) + eps),),
                        "the corrections use (1 − β)ᵏ; they divide by 1 − βᵏ, the power on β alone":
                            (theta - lr * (mn / (1 - b1) ** k) / (np.sqrt(vn / (1 - b2) ** k) + eps),),
                        "v is corrected with β₁; each average is corrected with its own β":
                            (theta - lr * m_hat / (np.sqrt(vn / (1 - b1 ** k)) + eps),),
                    })
                    expect_close(out[0], ref_theta[0], f"θ after step {k} {where}",
                                 mistake or "m and v are right; the step divides the bias-corrected m̂ by the square "
                                 "root of the bias-corrected v̂, with k the number of this step (1 for the first), "
                                 "and ε added after the square root", rtol=1e-9)
                theta = np.asarray(out[0], dtype=float)
    passed("adam_step")


@functools.lru_cache(maxsize=1)
def _race_steps() -> tuple:
    return tuple((surface, {n: r.steps_to_target for n, r in res.items()})
                 for surface, res in race_all(["ravine", "plateau"]).items())


_RACERS = ("GD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam")


def _settle_cases(seed: int) -> list[tuple[dict, str]]:
    """(steps, description) for the check: the race's own results (seed 0) and made-up races of every kind
    the docstring allows, in this order: everybody settled (the winner neither first nor last), some never
    settled (None, also first in the dict), a winner at step 0, a tie, one settler, nobody, no racers."""
    rng = np.random.default_rng(seed)
    cases = [(dict(steps), f" (the {surface} race's steps)") for surface, steps in _race_steps()] if seed == 0 else []

    def made_up(names, values):
        return {n: (None if k is None else (np.int64(k) if i % 2 else int(k))) for i, (n, k) in
                enumerate(zip(names, values))}

    names = list(_RACERS)
    k = [int(x) for x in rng.choice(np.arange(1, 600), size=6, replace=False)]
    w = int(rng.integers(1, 5))                                        # the winner: neither first nor last
    k[w], k[int(np.argmin(k))] = min(k), k[w]
    cases.append((made_up(names, k), ""))
    order = [names[i] for i in rng.permutation(6)]
    values = [None] + [int(x) for x in rng.choice(np.arange(1, 400), size=5, replace=False)]
    values[int(rng.integers(2, 5))] = None
    cases.append((made_up(order, values), ""))
    values = [int(x) for x in rng.choice(np.arange(1, 300), size=6, replace=False)]
    values[int(rng.integers(0, 6))] = None
    values[int(rng.integers(1, 5))] = 0                               # settled from the start
    cases.append((made_up([names[i] for i in rng.permutation(6)], values), ""))
    values = [None] * 6
    values[int(rng.integers(0, 6))] = 0                               # the only settler, at step 0
    cases.append((made_up(names, values), ""))
    tie = int(rng.integers(5, 200))                                   # two racers tie for the fewest
    values = [tie + int(x) for x in rng.choice(np.arange(1, 100), size=6, replace=False)]
    i, j, other = (int(x) for x in rng.choice(6, size=3, replace=False))
    values[i] = values[j] = tie
    if rng.random() < 0.5:
        values[other] = None
    cases.append((made_up([names[i] for i in rng.permutation(6)], values), ""))
    values = [None] * 6
    values[int(rng.integers(0, 6))] = int(rng.integers(1, 500))       # the only settler
    cases.append((made_up(names, values), ""))
    cases.append(({names[i]: None for i in rng.permutation(6)[:int(rng.integers(2, 7))]}, " (nobody settled)"))
    cases.append(({}, " (a race without racers)"))
    return cases


def _shown(steps: dict) -> str:
    return "{" + ", ".join(f"{n!r}: {'None' if k is None else int(k)}" for n, k in steps.items()) + "}"


_HINT_NONE = "leave out the racers that never settled (None) before you look for the fewest steps"


def _call_first_to_settle(first_to_settle, steps: dict, what: str):
    """The student's answer for ``steps``; a crash on None (or on a race nobody finished) explained."""
    try:
        return attempt(first_to_settle, dict(steps))
    except WrongAnswer as exc:
        if isinstance(exc.__cause__, TypeError) and any(k is None for k in steps.values()):
            raise WrongAnswer(f"first_to_settle({what}) raised TypeError ({exc.__cause__}). In this race some "
                              "racers never settled: their value is None, which cannot be compared with a "
                              f"number.\nHint: {_HINT_NONE}") from None
        if isinstance(exc.__cause__, ValueError) and all(k is None for k in steps.values()):
            raise WrongAnswer(f"first_to_settle({what}) raised ValueError ({exc.__cause__}): nobody settled in "
                              "this race, so there is no fewest number of steps.\nHint: return None when no "
                              "racer settled") from None
        raise


def _not_a_settler(got, steps: dict) -> tuple[str, str] | None:
    """(what is wrong, hint) when ``got`` is not the name of a racer that settled, else None."""
    if not isinstance(got, str):
        return (f"returned {got!r} ({type(got).__name__}), not a racer's name",
                "return the name (the key of the dict), not its number of steps")
    if got not in steps:
        return f"returned {got!r}, which is not one of the racers", "return one of the dict's keys"
    if steps[got] is None:
        return f"returned {got!r}, a racer that never settled", _HINT_NONE
    return None


def _settle_feedback(got, steps: dict) -> tuple[str, str] | None:
    """(what is wrong, hint) for the answer ``got`` to ``steps``, or None when it is right (any of the tied
    racers with the fewest steps; None when nobody settled)."""
    done = {n: k for n, k in steps.items() if k is not None}
    fewest = min(done.values()) if done else None
    right = {n for n, k in done.items() if k == fewest}
    if not right:
        return None if got is None else (f"returned {got!r}, but nobody settled in this race",
                                         "return None when no racer settled")
    if isinstance(got, str) and got in right:
        return None
    if got is None:
        return "returned None, but some racers settled", "return the name of the fastest one"
    not_a_settler = _not_a_settler(got, steps)
    if not_a_settler:
        return not_a_settler
    if fewest == 0:
        return (f"returned {got!r}, but another racer settled in fewer steps",
                "a racer may settle at step 0 (it starts below the target): 0 is a number of steps, not a missing "
                "value")
    if len(done) > 1 and steps[got] == max(done.values()):
        return (f"returned {got!r}, the racer that took the most steps to settle",
                "the winner is the racer with the fewest steps")
    return (f"returned {got!r}, but another racer settled in fewer steps",
            "compare the numbers of steps of all the racers that settled")


def check_first_to_settle(first_to_settle, seed: int = 0) -> None:
    """first_to_settle(steps) on the race's own results (seed 0) and on made-up races of every kind:
    some racers never settled (None, also the first entry), a racer that settled at step 0, ties (any of
    the tied names is right), a single settler, nobody settled, no racers at all. Values are Python or
    numpy integers."""
    for steps, label in _settle_cases(seed):
        what = _shown(steps) + label
        feedback = _settle_feedback(_call_first_to_settle(first_to_settle, steps, what), steps)
        if feedback:
            message, hint = feedback
            raise WrongAnswer(f"first_to_settle({what}) {message}.\nHint: {hint}")
    passed("first_to_settle")
