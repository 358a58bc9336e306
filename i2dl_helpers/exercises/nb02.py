"""Checks for the exercises of notebook 02 (gradient descent in 1D).

References: the package's loop ``optim.run`` with ``GD`` (the same update and
stopping rule the student writes), the closed form x_k = (1 − αλ)^k x₀ on a
quadratic with curvature λ, and the error recursion e_{k+1} = (1 − αλ) e_k
iterated numerically. No message prints an expected value.
"""
from __future__ import annotations

import numpy as np

from . import attempt, expect, expect_close, passed

__all__ = ["check_gradient_descent", "check_alpha_critical", "check_regime", "check_basin_of"]


def _reference_path(objective, x0: float, lr: float, eps: float, max_steps: int) -> np.ndarray:
    from ..optim import GD, run

    return run(objective, GD(lr), x0, steps=max_steps, tol=eps).points[:, 0]


def check_gradient_descent(gradient_descent, seed: int = 0) -> None:
    """The iterates x₀, x₁, …, x_K of x_{k+1} = x_k − α L′(x_k) with the stopping rule
    |x_{k+1} − x_k| < ε (the last iterate kept) or K = max_steps, against ``optim.run``."""
    from ..objectives import get

    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(3):                                   # quadratics L(x) = λ/2 x², both regimes
        lam = float(rng.uniform(0.5, 3.0))
        lr = float(rng.uniform(0.1, 1.8)) / lam
        cases.append((f"λ/2·x² with λ = {lam:.3g}", get("quadratic", curvature=lam), (lambda lam: lambda x: lam * x)(lam),
                      float(rng.uniform(-3, 3)), lr, 1e-6, 500))
    lam = float(rng.uniform(0.5, 2.0))
    cases.append((f"λ/2·x² with λ = {lam:.3g}, few steps", get("quadratic", curvature=lam),
                  (lambda lam: lambda x: lam * x)(lam), 2.5, 0.05 / lam, 1e-6, int(rng.integers(3, 9))))
    well = get("double_well")
    cases.append(("the double well", well, lambda x: x * (x + 1) * (x - 1.5), float(rng.uniform(0.2, 2.3)),
                  0.05, 1e-8, 2000))
    hint = ("start with the list [x0]; in each of at most max_steps steps compute x_new = x − α·dL(x), "
            "append it, and stop right after appending when |x_new − x| < eps")
    for what, objective, dL, x0, lr, eps, max_steps in cases:
        got = attempt(gradient_descent, dL, x0, lr, eps, max_steps)
        expected = _reference_path(objective, x0, lr, eps, max_steps)
        expect(got is not None, f"gradient_descent on {what} returned None. Did you forget `return`?")
        got_arr = np.asarray(got, dtype=float).reshape(-1) if np.size(got) else np.asarray(got, dtype=float)
        expect(got_arr.size == 0 or np.isclose(got_arr[0], x0),
               f"gradient_descent on {what}: the first iterate should be the start x0", "keep x0 in the list")
        expect(got_arr.size < 2 or (got_arr[1] - x0) * dL(x0) <= 0,
               f"gradient_descent on {what}: the first step goes uphill", "step against the derivative: x − α·L′(x)")
        if got_arr.size != expected.size:
            more_or_fewer = "more" if got_arr.size > expected.size else "fewer"
            expect(False, f"gradient_descent on {what} (α = {lr:.3g}, ε = {eps:g}, max_steps = {max_steps}) "
                          f"returned {got_arr.size} iterates, {more_or_fewer} than the stopping rule gives",
                   hint)
        expect_close(got_arr, expected, f"the iterates on {what}", hint)
    # the closed form x_k = (1 − αλ)^k x0 on a quadratic, as an independent check of the reference
    path = np.asarray(attempt(gradient_descent, lambda x: 2.0 * x, 1.0, 0.2, 1e-12, 10), dtype=float)
    expect_close(path, 0.6 ** np.arange(11), "the iterates on x² (λ = 2) with α = 0.2 and 10 steps",
                 "each step multiplies x by (1 − αλ); 10 steps give 11 iterates including x0")
    passed("gradient_descent")


def _simulated_factor(alpha: float, lam: float, steps: int = 60) -> tuple[bool, bool]:
    """(converges, alternates) of e_{k+1} = e_k − αλ e_k, iterated numerically from e₀ = 1."""
    e = [1.0]
    for _ in range(steps):
        e.append(e[-1] - alpha * lam * e[-1])
    e = np.array(e)
    return bool(abs(e[-1]) < 1e-3), bool(np.any(e[1:] < 0))


def check_alpha_critical(alpha_critical, seed: int = 0) -> None:
    """α_crit(λ): GD on λ/2·x² converges for every α below it and for none above it,
    checked by running ``optim.run`` just below and just above the returned value."""
    from ..objectives import get
    from ..optim import GD, run

    rng = np.random.default_rng(seed)
    for lam in [1.0, 4.0] + [float(v) for v in rng.uniform(0.2, 20.0, 3)]:
        got = attempt(alpha_critical, lam)
        expect(got is not None, f"alpha_critical({lam:.4g}) returned None. Did you forget `return`?")
        try:
            got = float(got)
        except (TypeError, ValueError):
            expect(False, f"alpha_critical({lam:.4g}) should return a number, got {type(got).__name__}")
        quad = get("quadratic", curvature=lam)
        below = run(quad, GD(0.98 * got), 1.0, steps=3000, tol=1e-9).status if got > 0 else "bad"
        above = run(quad, GD(1.02 * got), 1.0, steps=3000, tol=1e-9).status if got > 0 else "bad"
        expect(below == "converged" and above == "diverged",
               f"alpha_critical({lam:.4g}) is wrong: just below your value GD {below}, just above it GD {above}",
               "each step multiplies the error by (1 − αλ); for which α does |1 − αλ| reach 1?")
        expect_close(got, 2.0 / lam, f"alpha_critical({lam:.4g})", "write it as a formula in lam")
    passed("alpha_critical")


def check_regime(regime, seed: int = 0) -> None:
    """The regime of GD on a quadratic with curvature λ: "monotone", "oscillating" or "diverges",
    against the error recursion iterated numerically, including the boundaries αλ = 1 and αλ = 2."""
    rng = np.random.default_rng(seed)
    lam = float(2 ** int(rng.integers(-1, 4)))                  # a power of two: αλ exact at the boundaries
    cases = [(0.1 / lam, lam), (1.0 / lam, lam), (1.5 / lam, lam), (2.0 / lam, lam), (2.5 / lam, lam)]
    for _ in range(6):
        lam_r = float(rng.uniform(0.1, 10))
        q = float(rng.choice([rng.uniform(0.02, 0.95), rng.uniform(1.05, 1.95), rng.uniform(2.05, 4)]))
        cases.append((q / lam_r, lam_r))
    for alpha, lam_c in cases:
        converges, alternates = _simulated_factor(alpha, lam_c)
        bounded = abs(1 - alpha * lam_c) <= 1 + 1e-12
        expected = ("diverges" if not converges and (not bounded or np.isclose(alpha * lam_c, 2))
                    else "oscillating" if alternates else "monotone")
        got = attempt(regime, alpha, lam_c)
        expect(isinstance(got, str), f"regime({alpha:.4g}, {lam_c:.4g}) should return a string, got {got!r}",
               'return one of "monotone", "oscillating", "diverges"')
        expect(got in ("monotone", "oscillating", "diverges"),
               f'regime({alpha:.4g}, {lam_c:.4g}) returned {got!r}, not one of "monotone", "oscillating", '
               '"diverges"')
        expect(got == expected,
               f"regime(α={alpha:.4g}, λ={lam_c:.4g}), where αλ = {alpha * lam_c:.4g}, is not {got!r}",
               "look at the factor 1 − αλ that multiplies the error each step: its sign decides whether "
               "the iterates change sides, its size whether they shrink. Mind the boundaries αλ = 1 and 2.")
    passed("regime")


def check_basin_of(basin_of, seed: int = 0) -> None:
    """Where GD with α = 0.05 ends on the double well from x₀, against ``optim.run``."""
    from ..objectives import get
    from ..optim import GD, run

    rng = np.random.default_rng(seed)
    starts = [0.0, -0.3, 0.3] + [float(v) for v in rng.uniform(-1.9, 2.4, 8) if abs(v) > 0.02]
    well = get("double_well")
    for x0 in starts:
        end = float(run(well, GD(0.05), x0, steps=4000, tol=1e-12).final[0])
        got = attempt(basin_of, x0)
        expect(got is not None, f"basin_of({x0:.3g}) returned None. Did you forget `return`?")
        expect(np.isclose(float(got), end, atol=1e-6),
               f"basin_of({x0:.3g}) = {got!r} is not where GD ends from that start",
               "GD only ever moves downhill along the slope: which side of the hump at x = 0 is the start on? "
               "And where does it go if the slope at the start is exactly zero?")
    passed("basin_of")
