"""Checks for the exercises of notebook 04 (gradient descent in many dimensions)."""
from __future__ import annotations

import numpy as np

from .. import objectives
from ..numdiff import numerical_grad
from . import (NotAnswered, WrongAnswer, as_number, attempt, attempt_in_place, expect, expect_close,
               expect_no_loop, passed)

__all__ = ["check_quadratic_grad", "check_alpha_max", "check_gd_step_grid"]


def _call_for_shape(fn, what: str, hint: str, *args):
    """:func:`attempt`, but a crash (typically numpy's shape error of a formula written for one shape
    only) is reported with the shape the function was given and a hint, not as a bare numpy error."""
    try:
        return attempt(fn, *args)
    except NotAnswered:
        raise
    except WrongAnswer as exc:
        cause = exc.__cause__
        if not isinstance(cause, (ValueError, IndexError)):   # not a shape error: the plain report
            raise
        raise WrongAnswer(f"{what}: `{getattr(fn, '__name__', 'your function')}` raised {type(cause).__name__} "
                          f"({cause}).\nHint: {hint}") from cause


def check_quadratic_grad(quadratic_grad, seed: int = 0) -> None:
    """∇L for L(θ) = ½ θᵀAθ − bᵀθ (A square, not necessarily symmetric), at one point and at
    stacks of points, against central finite differences of L (an independent computation)."""
    rng = np.random.default_rng(seed)
    d = 2 + seed % 4                     # 2 … 5
    A = rng.normal(size=(d, d))
    A[0, -1] += 2.0                      # clearly not symmetric
    b = rng.normal(size=d)

    def loss(p):
        return 0.5 * np.einsum("...i,ij,...j->...", p, A, p) - p @ b

    hint = ("differentiate ½ Σ_ij θ_i A_ij θ_j term by term: θ_k appears in row k and in column k of A; "
            "compare with a finite difference (L(θ + h e_k) − L(θ − h e_k)) / 2h")
    stack_hint = ("your function must work for θ of shape (d,) and of shape (n, d) alike, each row of a stack "
                  "being one point: write the product so that it acts on the last axis of θ (`θ @ M` multiplies "
                  "every row of θ by M at once, and works for a single point too)")
    theta = rng.normal(size=d)
    what = f"quadratic_grad(A, b, θ) for one point θ of shape ({d},) (A of shape ({d}, {d}))"
    got = _call_for_shape(quadratic_grad, what, stack_hint, A, b, theta)
    expect_close(got, numerical_grad(loss, theta), what, hint, rtol=1e-6, atol=1e-8)
    n = d + 1 + int(rng.integers(0, 4))  # never square: a formula for one point fails with a shape error
    for points in (rng.normal(size=(n, d)), rng.normal(size=(d, d))):
        what = f"quadratic_grad(A, b, θ) for a stack of points θ of shape {points.shape} (A of shape ({d}, {d}))"
        got = _call_for_shape(quadratic_grad, what, stack_hint, A, b, points)
        expect_close(got, numerical_grad(loss, points), what, stack_hint, rtol=1e-6, atol=1e-8)
    sym = 0.5 * (A + A.T)
    what = "quadratic_grad for a symmetric A"
    got = _call_for_shape(quadratic_grad, what, stack_hint, sym, b, theta)
    expect_close(got, numerical_grad(lambda p: 0.5 * np.einsum("...i,ij,...j->...", p, sym, p) - p @ b, theta),
                 what, hint, rtol=1e-6, atol=1e-8)
    passed("quadratic_grad")


def _curvature_cases(rng, seed: int) -> list[np.ndarray]:
    """Curvatures in the order the student's function gets them: the steepest one in the middle (never
    first or last), a single curvature, a tie for the steepest, and a range over four decades."""
    cases = [np.array([25.0, 1.0]), np.array([1.0, 100.0, 4.0])] if seed == 0 else []
    lam = rng.uniform(0.1, 50.0, size=int(rng.integers(3, 7)))
    lam = np.sort(lam)
    middle = int(rng.integers(1, lam.size - 1))
    rest = rng.permutation(lam[:-1])
    cases.append(np.insert(rest, middle, lam[-1]))                   # the largest neither first nor last
    cases.append(np.array([float(rng.uniform(0.2, 30.0))]))          # d = 1
    top = float(rng.uniform(2.0, 40.0))
    cases.append(rng.permutation([top, float(rng.uniform(0.1, top)), top, float(rng.uniform(0.1, top))]))
    cases.append(rng.permutation(10.0 ** rng.uniform(-2, 2, size=5)))
    return cases


def check_alpha_max(alpha_max, seed: int = 0) -> None:
    """The step limit of GD on L(θ) = ½ Σ_i λ_i θ_i², checked by running GD 0.1 % below and 0.1 %
    above the returned value (not by comparing with a formula): 3,000 steps from θ_0 = 1, each multiplying
    θ_i by (1 − αλ_i), taken at once as θ_i = (1 − αλ_i)^3000."""
    rng = np.random.default_rng(seed)
    hint = "each coordinate follows θ_i ← (1 − αλ_i) θ_i: which λ_i gives the first |1 − αλ_i| ≥ 1?"
    for lam in _curvature_cases(rng, seed):
        shown = np.round(lam, 3).tolist()
        a = as_number(attempt(alpha_max, lam), f"alpha_max({shown})", hint=hint)
        expect(a > 0, f"alpha_max({shown}) is not a positive number", "a learning rate is positive")

        def final(lr):
            with np.errstate(all="ignore"):  # 3,000 GD steps on the diagonal quadratic from θ_0 = 1
                return float(np.max(np.abs((1.0 - lr * lam) ** 3000)))

        what = f"with curvatures λ = {shown}"
        expect(final(0.999 * a) < 1.0, f"{what}, GD diverges even 0.1 % below your alpha_max: the limit is smaller",
               hint)
        expect(not final(1.001 * a) < 1.0,
               f"{what}, GD still converges 0.1 % above your alpha_max: the limit is larger", hint)
    passed("alpha_max")


def check_gd_step_grid(gd_step_grid, seed: int = 0) -> None:
    """One GD step for n starts at once: points (n, 2) → points − α ∇L(points), with ∇L
    evaluated once on the whole array and no Python loop over the starts; ``points`` is left
    unchanged (the exercise asks for a new array)."""
    rng = np.random.default_rng(seed)
    obj = objectives.get("himmelblau")
    n = 40 + seed
    points = rng.uniform(-5, 5, size=(n, 2))
    lr = float(rng.uniform(0.005, 0.02))
    calls = []

    def grad(p):
        p = np.asarray(p, dtype=float)
        calls.append(p.shape)
        return obj.grad(p)

    given = points.copy()
    got = attempt_in_place(gd_step_grid, grad, given, lr)
    expect(np.array_equal(given, points), "gd_step_grid changed the array `points` it was given",
           "the exercise asks for a new array and leaves `points` as it was (the caller may still need the "
           "old points, e.g. to see how far each start moved): compute the new points into a new array")
    expect(len(calls) >= 1, "gd_step_grid never called grad", "the step needs ∇L at every start")
    expected = points - lr * obj.grad(points)
    expect_close(got, expected, f"gd_step_grid(grad, points of shape ({n}, 2), α)",
                 "θ_{k+1} = θ_k − α ∇L(θ_k) for every row at once; grad(points) gives all the gradients, "
                 "shape (n, 2)", rtol=1e-12, atol=1e-12)
    expect(len(calls) == 1 and calls[0] == (n, 2),
           f"gd_step_grid called grad {len(calls)} times (on arrays of shape {sorted(set(calls))})",
           "no loop over the starts: call grad once on the whole (n, 2) array; NumPy does the rows at once")
    expect_no_loop(gd_step_grid, "with no Python loop over the starts")
    one = rng.uniform(-5, 5, size=(1, 2))
    calls.clear()
    got = attempt(gd_step_grid, grad, one, 0.01)
    expect_close(got, one - 0.01 * obj.grad(one), "gd_step_grid for a single start of shape (1, 2)",
                 rtol=1e-12, atol=1e-12)
    passed("gd_step_grid")
