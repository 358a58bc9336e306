"""Checks for the exercises of notebook 10 (second-order methods).

References: the package's ``Newton`` and ``LevenbergMarquardt`` optimisers (one
step from the same point), and the defining linear equations themselves
(H p = −∇L, (JᵀJ + λ diag(JᵀJ)) δ = −Jᵀr), whose residuals are computed
independently of any solver.
"""
from __future__ import annotations

import numpy as np

from . import attempt, expect, expect_close, passed

__all__ = ["check_newton_step", "check_lm_step", "check_min_damping"]


def _spd(rng, d: int, cond: float = 50.0) -> np.ndarray:
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    H = Q @ np.diag(np.geomspace(1.0, cond, d)) @ Q.T
    return (H + H.T) / 2


def check_newton_step(newton_step, seed: int = 0) -> None:
    """newton_step(g, H) on random positive-definite systems and on the Rosenbrock function."""
    from .. import objectives
    from ..optim import Newton, run

    rng = np.random.default_rng(seed)
    hint = ("the Newton step p solves the linear system H p = −g (mind the minus sign); np.linalg has a solver "
            "for linear systems, so no inverse is needed")
    for d in (1, 3, 6):
        H, g = _spd(rng, d), rng.normal(size=d)
        p = attempt(newton_step, g.copy(), H.copy())
        p = expect_close(p, np.linalg.solve(H, -g), f"newton_step for a {d} × {d} Hessian", hint)
        expect(np.allclose(H @ p, -g, atol=1e-9), "H p should equal −g", hint)
    rosen = objectives.get("rosenbrock")
    x = np.array([-1.2, 1.0]) + rng.normal(scale=0.1, size=2)
    ref = run(rosen, Newton(), x, steps=1).points[1]
    p = attempt(newton_step, rosen.grad(x), rosen.hessian(x))
    expect_close(np.asarray(p, dtype=float) + x if p is not None else None, ref,
                 "θ + newton_step(∇L(θ), H(θ)) on Rosenbrock", hint)
    passed("newton_step")


def check_lm_step(lm_step, seed: int = 0) -> None:
    """lm_step(J, r, λ) on random least-squares systems and on the exponential-decay fit."""
    from ..objectives import exponential_decay
    from ..optim import LevenbergMarquardt, run

    rng = np.random.default_rng(seed)
    hint = ("solve (JᵀJ + λ·diag(JᵀJ)) δ = −Jᵀr: diag(JᵀJ) is the diagonal matrix made of JᵀJ's diagonal, "
            "np.diag(np.diag(A)); J has one row per residual, so JᵀJ is (d, d)")
    for n, d in ((5, 2), (12, 4), (30, 3)):
        J = rng.normal(size=(n, d)) * rng.uniform(0.1, 10, d)  # columns on different scales
        r = rng.normal(size=n)
        lam = float(10 ** rng.uniform(-2, 1))
        A = J.T @ J
        delta = attempt(lm_step, J.copy(), r.copy(), lam)
        delta = expect_close(delta, np.linalg.solve(A + lam * np.diag(np.diag(A)), -J.T @ r),
                             f"lm_step for J of shape ({n}, {d}) and λ = {lam:.3g}", hint)
        resid = (A + lam * np.diag(np.diag(A))) @ delta + J.T @ r
        expect(np.allclose(resid, 0, atol=1e-8 * (1 + np.abs(J.T @ r).max())),
               "δ does not satisfy the damped normal equations", hint)
    fit = exponential_decay(seed=seed)
    theta = np.array([1.5, 0.5])
    opt = LevenbergMarquardt(damping=1e-2)
    ref = run(fit, opt, theta, steps=1).points[1]   # its first trial lowers L, so it is taken with λ = 1e-2
    delta = attempt(lm_step, fit.jacobian(theta), fit.residuals(theta), 1e-2)
    expect_close(np.asarray(delta, dtype=float) + theta if delta is not None else None, ref,
                 "θ + lm_step(J, r, 0.01) on the curve fit", hint)
    passed("lm_step")


def check_min_damping(min_damping, seed: int = 0) -> None:
    """min_damping(H) against the eigenvalues of symmetric matrices, indefinite and definite."""
    rng = np.random.default_rng(seed)
    hint = ("H + λI has the eigenvalues λᵢ + λ of H shifted by λ; it is positive definite when the smallest "
            "one is > 0. If H is already positive definite no damping is needed (0).")
    cases = []
    if seed == 0:
        cases.append(np.diag([1.0, 3 * 0.3**2 - 1]))  # the saddle surface at (0.5, 0.3)
    for d in (2, 3, 4):
        M = rng.normal(size=(d, d))
        cases.append((M + M.T) / 2)
    cases.append(_spd(rng, 3))
    for H in cases:
        eig = np.linalg.eigh(H)[0]
        got = attempt(min_damping, H.copy())
        expect_close(got, max(0.0, -float(eig[0])), f"min_damping for a {len(H)} × {len(H)} matrix", hint)
    passed("min_damping")
