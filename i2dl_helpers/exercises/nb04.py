"""Checks for the exercises of notebook 04 (gradient descent in many dimensions)."""
from __future__ import annotations

import numpy as np

from . import WrongAnswer, attempt, attempt_in_place, expect, expect_close, passed

__all__ = ["check_quadratic_grad", "check_alpha_max", "check_gd_step_grid"]


def check_quadratic_grad(quadratic_grad, seed: int = 0) -> None:
    """∇L for L(θ) = ½ θᵀAθ − bᵀθ (A square, not necessarily symmetric), at one point and at a
    stack of points, against central finite differences of L (an independent computation)."""
    from ..numdiff import numerical_grad

    rng = np.random.default_rng(seed)
    d = 2 + seed % 3
    A = rng.normal(size=(d, d))
    A[0, -1] += 2.0                      # clearly not symmetric
    b = rng.normal(size=d)

    def loss(p):
        return 0.5 * np.einsum("...i,ij,...j->...", p, A, p) - p @ b

    hint = ("differentiate ½ Σ_ij θ_i A_ij θ_j term by term: θ_k appears in row k and in column k of A; "
            "compare with a finite difference (L(θ + h e_k) − L(θ − h e_k)) / 2h")
    theta = rng.normal(size=d)
    got = attempt(quadratic_grad, A.copy(), b.copy(), theta.copy())
    expect_close(got, numerical_grad(loss, theta), "quadratic_grad(A, b, θ) for one point θ of shape (d,)",
                 hint, rtol=1e-6, atol=1e-8)
    sym = 0.5 * (A + A.T)
    got = attempt(quadratic_grad, sym, b.copy(), theta.copy())
    expect_close(got, sym @ theta - b, "quadratic_grad for a symmetric A", "for symmetric A the gradient is Aθ − b",
                 rtol=1e-9)
    points = rng.normal(size=(5, d))
    got = attempt(quadratic_grad, A.copy(), b.copy(), points.copy())
    expect_close(got, numerical_grad(loss, points), "quadratic_grad for a stack of points θ of shape (n, d)",
                 "write it for θ of shape (..., d): `θ @ M` multiplies every row θ_i by M at once",
                 rtol=1e-6, atol=1e-8)
    passed("quadratic_grad")


def check_alpha_max(alpha_max, seed: int = 0) -> None:
    """The step limit of GD on L(θ) = ½ Σ_i λ_i θ_i², checked by running GD just below and
    just above the returned value (not by comparing with a formula)."""
    rng = np.random.default_rng(seed)
    cases = [np.array([1.0, 25.0]), np.array([1.0, 100.0])] if seed == 0 else []
    cases += [np.sort(rng.uniform(0.1, 50.0, size=int(rng.integers(2, 6)))) for _ in range(3)]
    for lam in cases:
        shuffled = rng.permutation(lam)
        a = attempt(alpha_max, shuffled.copy())
        try:
            a = float(a)
        except (TypeError, ValueError):
            raise WrongAnswer(f"alpha_max({np.round(shuffled, 3).tolist()}) should be a number, got "
                              f"{type(a).__name__}") from None
        expect(np.isfinite(a) and a > 0,
               f"alpha_max({np.round(shuffled, 3).tolist()}) is not a positive number",
               "a learning rate is positive")

        def final(lr):
            theta = np.ones_like(lam)
            with np.errstate(all="ignore"):
                for _ in range(3000):
                    theta = theta - lr * lam * theta
            return float(np.max(np.abs(theta)))

        below, above = final(0.99 * a), final(1.01 * a)
        what = f"with curvatures λ = {np.round(shuffled, 3).tolist()}"
        expect(below < 1.0, f"{what}, GD diverges even at 0.99 × your alpha_max: the limit is smaller",
               "each coordinate follows θ_i ← (1 − αλ_i) θ_i: which λ_i gives the first |1 − αλ_i| ≥ 1?")
        expect(not above < 1.0,
               f"{what}, GD still converges at 1.01 × your alpha_max: the limit is larger",
               "each coordinate follows θ_i ← (1 − αλ_i) θ_i: which λ_i gives the first |1 − αλ_i| ≥ 1?")
    passed("alpha_max")


def check_gd_step_grid(gd_step_grid, seed: int = 0) -> None:
    """One GD step for n starts at once: points (n, 2) → points − α ∇L(points), with ∇L
    evaluated once on the whole array (no Python loop over the starts)."""
    from .. import objectives

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
           "return a new array (`points - ...`) instead of updating `points` in place")
    expect(len(calls) >= 1, "gd_step_grid never called grad", "the step needs ∇L at every start")
    expected = points - lr * obj.grad(points)
    expect_close(got, expected, f"gd_step_grid(grad, points of shape ({n}, 2), α)",
                 "θ_{k+1} = θ_k − α ∇L(θ_k) for every row at once; grad(points) gives all gradients, shape (n, 2)",
                 rtol=1e-12, atol=1e-12)
    expect(len(calls) == 1 and calls[0] == (n, 2),
           f"gd_step_grid called grad {len(calls)} times (on arrays of shape {sorted(set(calls))})",
           "no loop over the starts: call grad once on the whole (n, 2) array; NumPy does the rows at once")
    one = rng.uniform(-5, 5, size=(1, 2))
    calls.clear()
    got = attempt(gd_step_grid, grad, one.copy(), 0.01)
    expect_close(got, one - 0.01 * obj.grad(one), "gd_step_grid for a single start of shape (1, 2)",
                 rtol=1e-12, atol=1e-12)
    passed("gd_step_grid")
