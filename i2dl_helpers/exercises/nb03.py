"""Checks for the exercises of notebook 03 (convexity).

A counter-example is checked by computing its gap
L(λx + (1 − λ)y) − [λL(x) + (1 − λ)L(y)] here, independently of the student's
code; verdicts are compared with the package's ``convexity.chord_test`` and
``convexity.hessian_map`` or with closed forms. No message prints an answer.
"""
from __future__ import annotations

import numpy as np

from . import WrongAnswer, attempt, expect, passed

__all__ = ["check_find_counterexample", "check_crest_chord", "check_hessian_convex", "check_quartic_is_convex"]

#: a gap must exceed this to count as a counter-example (round-off on convex functions stays far below)
GAP_TOL = 1e-9


def _gap(f, x: float, y: float, lam: float) -> float:
    z = lam * x + (1 - lam) * y
    with np.errstate(all="ignore"):
        return float(f(np.float64(z)) - (lam * f(np.float64(x)) + (1 - lam) * f(np.float64(y))))


def _as_triple(got, what: str) -> tuple[float, float, float]:
    expect(isinstance(got, (tuple, list)) and len(got) == 3,
           f"{what} should return a tuple (x, y, lam) or None, got {type(got).__name__}"
           + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""),
           "return x, y, lam")
    try:
        x, y, lam = (float(v) for v in got)
    except (TypeError, ValueError):
        raise WrongAnswer(f"{what} should return three numbers (x, y, lam)") from None
    expect(all(np.isfinite([x, y, lam])), f"{what} returned NaN or inf")
    expect(0.0 <= lam <= 1.0, f"{what} returned λ = {lam:.3g}, outside [0, 1]", "λ is a weight between 0 and 1")
    return x, y, lam


def check_find_counterexample(find_counterexample, seed: int = 0) -> None:
    """Sampled chord test on 1D functions: a returned (x, y, λ) must lie in the box and have a
    positive gap (> 1e-9); None is right exactly for the convex functions (all of them are
    convex or clearly not, so 10,000 samples always find a violation where there is one)."""
    from ..convexity import chord_test

    rng = np.random.default_rng(seed)
    c, w = float(rng.uniform(0.6, 2.0)), float(rng.uniform(2.0, 4.0))
    a, s = float(rng.uniform(-3, 3)), float(rng.uniform(0.5, 3))
    cases = [  # (description, f, lo, hi, convex)
        ("the double well on [−2, 2.5]", lambda t: t**4 / 4 - t**3 / 6 - 3 * t**2 / 4, -2.0, 2.5, False),
        (f"θ⁴ − {c:.3g}θ² on [−2, 2]", lambda t: t**4 - c * t**2, -2.0, 2.0, False),
        (f"θ²/10 − cos({w:.3g}θ) on [−4, 4]", lambda t: t**2 / 10 - np.cos(w * t), -4.0, 4.0, False),
        ("sin on [0, 2π]", np.sin, 0.0, 2 * np.pi, False),
        ("θ² on [−2, 2]", lambda t: t**2, -2.0, 2.0, True),
        ("exp on [−2, 2]", np.exp, -2.0, 2.0, True),
        (f"|θ − {a:.3g}| on [−4, 4]", lambda t: np.abs(t - a), -4.0, 4.0, True),
        (f"the straight line {s:.3g}θ + 1 on [−3, 3]", lambda t: s * t + 1, -3.0, 3.0, True),
        ("softplus log(1 + eᶿ) on [−4, 4]", lambda t: np.logaddexp(0.0, t), -4.0, 4.0, True),
    ]
    for what, f, lo, hi, convex in cases:
        assert chord_test(f, box=(lo, hi), n_samples=5000, seed=seed).convex == convex, what  # the cases are right
        got = attempt(find_counterexample, f, lo, hi, 10_000, seed)
        name = f"find_counterexample on {what}"
        if convex:
            if got is not None:
                x, y, lam = _as_triple(got, name)
                expect(False, f"{name} returned a counter-example, but this function is convex: "
                              f"at your (x, y, λ) the gap is {_gap(f, x, y, lam):.3g}",
                       "return a triple only when the graph lies *above* the chord, "
                       "gap = L(λx + (1 − λ)y) − [λL(x) + (1 − λ)L(y)] > 1e-9; otherwise return None")
            continue
        expect(got is not None, f"{name} returned None, but the function is not convex",
               "draw x, y uniformly from [lo, hi] and λ from [0, 1] (n_samples of each, vectorised), "
               "compute the gap of every triple and return one with gap > 1e-9")
        x, y, lam = _as_triple(got, name)
        expect(lo <= x <= hi and lo <= y <= hi, f"{name} returned points outside the box [{lo:.3g}, {hi:.3g}]")
        gap = _gap(f, x, y, lam)
        expect(gap > GAP_TOL, f"{name}: at the returned (x, y, λ) the chord is not below the graph "
                              f"(gap {gap:.3g})",
               "gap = L(λx + (1 − λ)y) − [λL(x) + (1 − λ)L(y)]: the chord weights L(x) with λ, "
               "the same λ that weights x in the point between them")
    passed("find_counterexample")


def check_crest_chord(crest_chord, seed: int = 0) -> None:
    """A counter-example (x, y, λ) for L_ω(θ) = θ²/10 − cos(ωθ), checked by its gap."""
    rng = np.random.default_rng(seed)
    for omega in [3.0] + [float(v) for v in rng.uniform(1.0, 6.0, 3)]:
        f = (lambda w: lambda t: t**2 / 10 - np.cos(w * t))(omega)
        got = attempt(crest_chord, omega)
        x, y, lam = _as_triple(got, f"crest_chord({omega:.3g})")
        gap = _gap(f, x, y, lam)
        expect(gap > 1e-6, f"crest_chord({omega:.3g}): the chord is not below the graph there (gap {gap:.3g})",
               "the dips of cos(ωθ) are a distance 2π/ω apart and a crest lies half-way between two dips: "
               "put x and y in neighbouring dips (in terms of omega) and z between them")
    passed("crest_chord")


def _grid_points(box, n: int) -> np.ndarray:
    (x0, x1), (y0, y1) = box
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return np.stack([X, Y], -1)


def check_hessian_convex(hessian_convex, seed: int = 0) -> None:
    """The second-order test on an n × n grid, against ``convexity.hessian_map`` for catalogue
    functions and closed forms for quadratics θᵀAθ/2 (Hessian A everywhere)."""
    from ..convexity import hessian_map
    from ..objectives import get

    rng = np.random.default_rng(seed)
    cases = []
    for name, kw, box in (("bowl", {}, None), ("ill_conditioned", {"condition": float(rng.uniform(2, 20)),
                                                                      "angle": float(rng.uniform(0, 90))}, None),
                          ("rosenbrock", {}, None), ("himmelblau", {}, None), ("saddle", {}, None),
                          ("rosenbrock", {}, [(1.0, 2.0), (-1.0, 1.0)])):
        obj = get(name, **kw)
        box = [tuple(map(float, r)) for r in (obj.domain if box is None else box)]
        truth = hessian_map(obj, n=40, domain=box).everywhere
        cases.append((f"{name} on {box}", obj.hessian, box, truth))

    def quadratic(A):
        A = np.asarray(A, dtype=float)
        return lambda P: np.broadcast_to(A, np.shape(P)[:-1] + (2, 2)).copy()

    p, r = float(rng.uniform(0.5, 2)), float(rng.uniform(1.2, 3))
    cases += [
        (f"a quadratic with Hessian [[{p:.3g}, {r * p:.3g}], [{r * p:.3g}, {p:.3g}]] (positive diagonal)",
         quadratic([[p, r * p], [r * p, p]]), [(-1.0, 1.0), (-1.0, 1.0)], False),
        ("−(θ₁² + θ₂²), an upside-down bowl", quadratic([[-2.0, 0.0], [0.0, -2.0]]), [(-1.0, 1.0), (-1.0, 1.0)],
         False),
        ("(θ₁ + θ₂)², flat along one direction", quadratic([[2.0, 2.0], [2.0, 2.0]]), [(-1.0, 1.0), (-1.0, 1.0)],
         True),
    ]
    for what, hessian, box, truth in cases:
        got = attempt(hessian_convex, hessian, box, 40)
        expect(isinstance(got, (bool, np.bool_)),
               f"hessian_convex on {what} should return True or False, got {type(got).__name__}",
               "np.all(...) gives a NumPy bool; bool(...) makes it a Python one")
        expect(bool(got) == truth, f"hessian_convex on {what} gives the wrong verdict",
               "L is convex on the box when the *smallest* eigenvalue of ∇²L is ≥ 0 (up to −1e-9) at *every* "
               "grid point; positive diagonal entries or a positive determinant are not enough "
               "(np.linalg.eigvalsh works on a whole stack of matrices (..., 2, 2) at once)")
    passed("hessian_convex")


def check_quartic_is_convex(quartic_is_convex, seed: int = 0) -> None:
    """Is L(θ) = θ⁴ − cθ² convex on [−2, 2]? Against the sign of L″(θ) = 12θ² − 2c on a fine grid
    (and the package's chord test where the non-convex stretch is wide enough to sample)."""
    from ..convexity import chord_test

    rng = np.random.default_rng(seed)
    thetas = np.linspace(-2, 2, 4001)
    for c in [1.0, -1.0, 0.0] + [float(v) for v in rng.uniform(-3, 3, 4)]:
        truth = bool(np.all(12 * thetas**2 - 2 * c >= 0))
        if abs(c) >= 0.5:
            assert chord_test(lambda t: t**4 - c * t**2, box=(-2, 2)).convex == truth
        got = attempt(quartic_is_convex, c)
        expect(isinstance(got, (bool, np.bool_)), f"quartic_is_convex({c:.3g}) should return True or False, "
                                                   f"got {type(got).__name__}")
        expect(bool(got) == truth, f"quartic_is_convex({c:.3g}) is wrong",
               "look at the sign of L″(θ) = 12θ² − 2c on the box, especially at θ = 0; "
               "and what happens at c = 0?")
    passed("quartic_is_convex")
