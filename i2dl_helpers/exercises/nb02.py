"""Checks for the exercises of notebook 02 (gradient descent in 1D).

References: the package's loop ``optim.run`` with ``GD`` (the same update and
stopping rule the student writes), the closed form x_k = (1 − αλ)^k x₀ on a
quadratic with curvature λ (exact in binary arithmetic where a case needs it),
the error recursion e_{k+1} = (1 − αλ) e_k, and, at the regime boundaries, pairs
(α, λ) whose product is the boundary in floating point however it is computed.
No message prints an expected value.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..objectives import get
from ..optim import GD, run
from . import ForbiddenCall, WrongAnswer, as_number, attempt, expect, expect_close, forbid, passed
from ._rules import has_python_loop

__all__ = ["check_gradient_descent", "check_alpha_critical", "check_regime", "check_basin_of"]


def _reference_path(objective, x0: float, lr: float, eps: float, max_steps: int) -> np.ndarray:
    return run(objective, GD(lr), x0, steps=max_steps, tol=eps).points[:, 0]


def _as_path(got, what: str, hint: str) -> np.ndarray:
    """The iterates returned, in any reasonable form (array, list, tuple; a column is fine), as floats."""
    expect(got is not None, f"gradient_descent on {what} returned None. Did you forget `return`?", hint)
    try:
        path = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise WrongAnswer(f"gradient_descent on {what} should return the iterates as numbers (an array or a "
                          f"list), got {type(got).__name__}\nHint: {hint}") from None
    expect(path.ndim <= 1 or path.size == max(path.shape),
           f"gradient_descent on {what} returned an array of shape {path.shape}, not one number per iterate",
           hint)
    return path.reshape(-1)


def check_gradient_descent(gradient_descent, seed: int = 0) -> None:
    """The iterates x₀, x₁, …, x_K of x_{k+1} = x_k − α L′(x_k) with the stopping rule
    |x_{k+1} − x_k| < ε (the last iterate kept) or K = max_steps, against ``optim.run`` and closed forms.

    Cases: quadratics in both converging regimes (monotone and oscillating) with ε off any lattice; a
    budget of few steps, and of one; a step exactly ε long (not yet < ε: the run goes on), exact in
    binary arithmetic; αλ = 2 (the iterates bounce and never stop early); a diverging run; the
    double well; a whole-number start."""
    rng = np.random.default_rng(seed)
    hint = ("the array starts with x0 and gets one entry per step taken; the step whose length "
            "|x_{k+1} − x_k| is below ε is taken and kept as the last entry, and no more than max_steps steps "
            "are taken")
    cases = []                                   # (what, dL, x0, lr, eps, max_steps, expected, a step is ε long)
    for q in (float(rng.uniform(0.1, 0.9)), float(rng.uniform(1.1, 1.8)), float(rng.uniform(0.1, 1.8))):
        lam = float(rng.uniform(0.5, 3.0))
        x0, eps = float(rng.uniform(-3, 3)), float(10 ** rng.uniform(-8, -4))
        cases.append((f"λ/2·x² with λ = {lam:.3g}", (lambda lam: lambda x: lam * x)(lam), x0, q / lam, eps, 500,
                      _reference_path(get("quadratic", curvature=lam), x0, q / lam, eps, 500), False))
    lam = float(rng.uniform(0.5, 2.0))
    few = int(rng.integers(3, 9))
    cases.append((f"λ/2·x² with λ = {lam:.3g}", (lambda lam: lambda x: lam * x)(lam), 2, 0.05 / lam, 1e-6, few,
                  _reference_path(get("quadratic", curvature=lam), 2.0, 0.05 / lam, 1e-6, few), False))
    cases.append((f"λ/2·x² with λ = {lam:.3g}", (lambda lam: lambda x: lam * x)(lam), -1.5, 0.3 / lam, 1e-6, 1,
                  np.array([-1.5, -1.5 * (1 - 0.3)]), False))
    # a step exactly ε long: with αλ = 1/2 (powers of two) every step halves x, exactly
    j, m = int(rng.integers(-1, 3)), int(rng.integers(3, 9))
    x0 = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 3.0))
    eps = abs(x0) * 2.0 ** -m                             # step m − 1 → m has exactly this length
    cases.append((f"λ/2·x² with λ = {2.0 ** j:g}", (lambda lam: lambda x: lam * x)(2.0 ** j), x0, 2.0 ** -(j + 1),
                  eps, 60, x0 * 0.5 ** np.arange(m + 2), True))
    # αλ = 2: the iterates bounce between x0 and −x0, every step 2|x0| long
    n = int(rng.integers(4, 12))
    cases.append(("x²/2", lambda x: x, 1.25, 2.0, 1e-6, n, 1.25 * (-1.0) ** np.arange(n + 1), False))
    # diverging: αλ = 2.5, the error grows by 1.5 every step
    cases.append(("x²/2", lambda x: 1.0 * x, -0.5, 2.5, 1e-6, n, -0.5 * (-1.5) ** np.arange(n + 1), False))
    well = get("double_well")
    x0 = float(rng.uniform(0.2, 2.3))
    cases.append(("the double well", lambda x: x * (x + 1) * (x - 1.5), x0, 0.05, 1e-8, 2000,
                  _reference_path(well, x0, 0.05, 1e-8, 2000), False))
    for name, dL, x0, lr, eps, max_steps, expected, exact in cases:
        what = f"{name} (x0 = {x0:.3g}, α = {lr:.3g}, ε = {eps:.3g}, max_steps = {max_steps})"
        got = _as_path(attempt(gradient_descent, dL, x0, lr, eps, max_steps), what, hint)
        expect(got.size == 0 or np.isclose(got[0], x0),
               f"gradient_descent on {what}: the first iterate should be the start x0", "keep x0 in the array")
        expect(got.size < 2 or (got[1] - x0) * dL(x0) <= 0,
               f"gradient_descent on {what}: the first step goes uphill", "step against the derivative: x − α·L′(x)")
        if got.size != expected.size:
            more = got.size > expected.size
            extra = (" In this run one step is exactly ε long: that is not yet below ε, so the run goes on."
                     if exact and not more else "")
            raise WrongAnswer(f"gradient_descent on {what} returned {got.size} iterates, "
                              f"{'more' if more else 'fewer'} than the stopping rule gives.{extra}\nHint: {hint}")
        expect_close(got, expected, f"the iterates on {what}", hint, rtol=1e-9, atol=1e-12)
    # the closed form x_k = (1 − αλ)^k x0 on a quadratic, as an independent check of the reference
    path = _as_path(attempt(gradient_descent, lambda x: 2.0 * x, 1.0, 0.2, 1e-12, 10), "x² (λ = 2)", hint)
    expect_close(path, 0.6 ** np.arange(11), "the iterates on x² (λ = 2) with α = 0.2 and 10 steps",
                 "each step multiplies x by (1 − αλ); 10 steps give 11 iterates including x0")
    passed("gradient_descent")


@lru_cache(maxsize=512)
def _gd_status(lam: float, lr: float) -> str:
    """How GD with learning rate ``lr`` ends on λ/2·x² from x₀ = 1 ("converged", "diverged", "max_steps")."""
    return run(get("quadratic", curvature=lam), GD(lr), 1.0, steps=3000, tol=1e-9).status


def check_alpha_critical(alpha_critical, seed: int = 0) -> None:
    """α_crit(λ): GD on λ/2·x² converges for every α below it and for none above it, checked by
    running ``optim.run`` 2 % below and above the returned value, and to round-off. Curvatures over
    six decades, whole numbers included."""
    rng = np.random.default_rng(seed)
    hint = "each step multiplies the error by (1 − αλ): for which α does |1 − αλ| reach 1?"
    said = {"converged": "converges", "diverged": "diverges", "max_steps": "neither converges nor diverges"}
    for lam in [1.0, 4] + [float(v) for v in rng.uniform(0.2, 20.0, 2)] + [float(10 ** rng.uniform(-3, 3))]:
        got = as_number(attempt(alpha_critical, lam), f"alpha_critical({lam:.4g})", hint=hint)
        expect(got > 0, f"alpha_critical({lam:.4g}) is not positive", "a learning rate is positive")
        below, above = _gd_status(float(lam), 0.98 * got), _gd_status(float(lam), 1.02 * got)
        expect(below == "converged" and above == "diverged",
               f"alpha_critical({lam:.4g}) is wrong: 2 % below your value GD {said[below]}, 2 % above it GD "
               f"{said[above]}", hint)
        expect_close(got, 2.0 / lam, f"alpha_critical({lam:.4g})", "write it as a formula in lam")
    passed("alpha_critical")


def _exact_pair(rng, q: float) -> tuple[float, float]:
    """(α, λ) with λ off any lattice (not a power of two) and αλ = q however it is computed: α·λ = λ·α = q,
    q/λ = α, q/α = λ and 1 − αλ = 1 − q all hold in floating point, so every way of writing the comparison
    agrees at the boundary. (The product of the two doubles is q exactly only for powers of two; these
    pairs are the boundary as every program computes it.)"""
    while True:
        lam = float(rng.uniform(0.1, 10.0))
        alpha = q / lam
        if alpha * lam == q and lam * alpha == q and q / alpha == lam and 1 - alpha * lam == 1 - q:
            return alpha, lam


def check_regime(regime, seed: int = 0) -> None:
    """The regime of GD on a quadratic with curvature λ: "monotone" (αλ ≤ 1), "oscillating" (1 < αλ < 2)
    or "diverges" (αλ ≥ 2), against the product αλ and the error recursion iterated.

    The boundaries αλ = 1 and αλ = 2 are hit exactly with λ off any lattice (every way of computing αλ
    gives the boundary there), together with products a hair (10⁻⁹ to 10⁻⁶) either side of them, whole-number
    inputs, and products from 10⁻⁴ to 50."""
    rng = np.random.default_rng(seed)
    cases = [_exact_pair(rng, 1.0), _exact_pair(rng, 2.0), (1, 1), (1, 2), (3, 1)]
    for q in (1.0, 2.0):
        for side in (-1, 1):
            lam = float(rng.uniform(0.1, 10.0))
            cases.append(((q + side * q * float(10 ** rng.uniform(-9, -6))) / lam, lam))
    for q in (float(10 ** rng.uniform(-4, -1)), float(rng.uniform(0.1, 0.95)), float(rng.uniform(1.05, 1.95)),
              float(rng.uniform(2.05, 4)), float(rng.uniform(4, 50))):
        lam = float(10 ** rng.uniform(-2, 2))
        cases.append((q / lam, lam))
    cases = [cases[i] for i in rng.permutation(len(cases))]
    hint = ("look at the factor 1 − αλ that multiplies the error each step: its sign decides whether the "
            "iterates change sides, its size whether they shrink. Mind the boundaries αλ = 1 and αλ = 2 and "
            "which regime each belongs to")
    for alpha, lam in cases:
        product = float(alpha) * float(lam)
        expected = "monotone" if product <= 1 else "oscillating" if product < 2 else "diverges"
        if abs(product - 1) > 0.05 and abs(product - 2) > 0.05:          # the recursion agrees, far from them
            with np.errstate(all="ignore"):
                e = (1 - product) ** np.arange(1, 200)
            assert expected == ("diverges" if abs(e[-1]) >= 1 else "oscillating" if e[0] < 0 else "monotone")
        shown = f"{product:.10g}" + (" exactly" if product in (1, 2) else "")
        what = f"regime(α={alpha:.6g}, λ={lam:.6g}), where αλ = {shown},"
        got = attempt(regime, alpha, lam)
        expect(isinstance(got, str), f"{what} should return a string, got {got!r}",
               'return one of "monotone", "oscillating", "diverges"')
        word = got.strip().lower()
        expect(word in ("monotone", "oscillating", "diverges"),
               f'{what} returned {got!r}, not one of "monotone", "oscillating", "diverges"')
        expect(word == expected, f"{what} is not {got!r}", hint)
    passed("regime")


@lru_cache(maxsize=64)
def _basin_cases(seed: int) -> tuple[list, np.ndarray]:
    """The starts of :func:`check_basin_of` for ``seed`` and where GD (α = 0.05, 3000 steps) ends from each."""
    rng = np.random.default_rng(seed)
    tiny = float(10 ** rng.uniform(-12, -8))
    stretches = [(-1.9, -1.0), (-1.0, -0.56), (-0.56, 0.0), (0.0, 0.89), (0.89, 1.5), (1.5, 2.4)]
    starts = [0.0, 0, -1.0, 1.5, -1.9, 2.4, tiny, -tiny]
    starts += [float(rng.uniform(lo, hi)) for lo, hi in stretches] + [float(v) for v in rng.uniform(-1.9, 2.4, 4)]
    starts = [starts[i] for i in rng.permutation(len(starts))]
    ends = run(get("double_well"), GD(0.05), np.array(starts, dtype=float), steps=3000).final[:, 0]
    return starts, ends


#: the instruction of the basin exercise, as the check reports it when broken
_PREDICT = "predict the end from the sign of L′ (do not run GD inside the function)"


def check_basin_of(basin_of, seed: int = 0) -> None:
    """Where GD with α = 0.05 ends on the double well from x₀, against ``optim.run`` (as many steps as it
    needs), and that the function predicts instead of running GD (no loop, no ``run``).

    Starts: both edges of [−1.9, 2.4], the maximum 0 (a float and a whole number), the two minima
    themselves, starts a hair either side of 0, and one start in every stretch between the critical and
    inflection points, plus random ones."""
    starts, ends = _basin_cases(seed)
    hint = ("GD only ever moves downhill along the slope and never crosses a point where L′ = 0: which side of "
            "the hump at x = 0 is the start on? And where does it go if the slope at the start is exactly zero?")
    expect(not has_python_loop(basin_of),
           "`basin_of` contains a loop (for, while or a comprehension), and the exercise says: " + _PREDICT + ".",
           "no loop is needed: the sign of L′(x0) says which way GD moves, and the points where L′ = 0 say where "
           "it must stop; a few comparisons of x0 do the rest")
    blocked = {path: _PREDICT for path in ("i2dl_helpers.optim.base.run", "i2dl_helpers.optim.run",
                                           "i2dl_helpers.run")}
    for x0, end in zip(starts, ends):
        try:
            with forbid(basin_of, blocked):
                got = attempt(basin_of, x0)
        except ForbiddenCall as exc:
            raise ForbiddenCall(f"{exc}\nHint: reason instead: the sign of L′(x0) says which way GD moves, "
                                "and it stops at the first point where L′ = 0 in that direction") from None
        got = as_number(got, f"basin_of({x0:.3g})", hint=hint)
        expect(np.isclose(got, end, atol=1e-6), f"basin_of({x0:.3g}) = {got:.6g} is not where GD ends from that "
                                                f"start", hint)
    passed("basin_of")
