"""Checks for the exercises of notebook 03 (convexity).

A counter-example is checked by computing its gap
L(λx + (1 − λ)y) − [λL(x) + (1 − λ)L(y)] here, independently of the student's
code; verdicts are compared with the package's ``convexity.chord_test``, with the
smallest eigenvalue of each 2 × 2 Hessian in closed form on the exact grid the
docstring names, or with the sign of L″. The inputs reach the edges of each
exercise on purpose: a gently concave function whose every gap stays below the
1e-9 threshold, boxes away from 0, ω from 1 to over 100, a non-convex spot off
the grid's diagonals, on its border or between its points, a smallest eigenvalue
just either side of −1e-9 and a zero Hessian. No message prints an answer.
"""
from __future__ import annotations

import numpy as np

from ..convexity import chord_test
from ..numdiff import numerical_hessian
from ..objectives import get
from . import as_bool, as_number, as_sequence, attempt, expect, expect_no_loop, passed

__all__ = ["check_find_counterexample", "check_crest_chord", "check_hessian_convex", "check_quartic_is_convex"]

#: a gap must exceed this to count as a counter-example (round-off on convex functions stays far below)
GAP_TOL = 1e-9


def _gap(f, x: float, y: float, lam: float) -> float:
    z = lam * x + (1 - lam) * y
    with np.errstate(all="ignore"):
        return float(f(np.float64(z)) - (lam * f(np.float64(x)) + (1 - lam) * f(np.float64(y))))


def _as_triple(got, what: str) -> tuple[float, float, float]:
    """(x, y, λ) in any reasonable form: a tuple, a list or an array of three numbers."""
    x, y, lam = (as_number(v, f"{what}: {name}") for v, name in
                 zip(as_sequence(got, 3, what, "x, y, lam"), ("x", "y", "lam")))
    expect(0.0 <= lam <= 1.0, f"{what} returned λ = {lam:.3g}, outside [0, 1]", "λ is a weight between 0 and 1")
    return x, y, lam


def check_find_counterexample(find_counterexample, seed: int = 0) -> None:
    """Sampled chord test on 1D functions: a returned (x, y, λ) must lie in the box and have a gap
    above 1e-9; None is right exactly when no chord of the function lies more than 1e-9 below its graph
    on the box (every non-convex function here breaks convexity by far more, so 10,000 samples always
    find a violation). The function must be vectorised: no Python loop.

    Cases: non-convex functions on boxes around 0 and far from it; convex ones, a straight line (gaps of
    round-off only) and a gently concave parabola whose every gap stays below the threshold."""
    rng = np.random.default_rng(seed)
    c, w = float(rng.uniform(0.6, 2.0)), float(rng.uniform(2.0, 4.0))
    a, s = float(rng.uniform(-3, 3)), float(rng.uniform(0.5, 3))
    lo_far = float(rng.uniform(2.0, 5.0))                          # a box that does not hold 0 or [0, 1]
    lo_flat, width = float(rng.uniform(-3, 0)), float(rng.uniform(1, 4))
    if seed == 0:                                                  # the visible check: round numbers
        c, w, a, s, lo_far, lo_flat, width = 1.0, 3.0, 0.5, 2.0, 3.0, -1.0, 2.0
    k_faint = float(rng.uniform(0.3e-9, 0.9e-9)) * 4 / width ** 2  # every gap of −kθ² on the box is below 1e-9
    k_clear = 400 * k_faint                                       # −kθ²: gaps up to about 1e-7, easy to find
    cases = [  # (description, f, lo, hi, convex in the exercise's sense: no gap above 1e-9)
        # the package's chord test (its own tolerances) agrees on every case but the last
        ("the double well on [−2, 2.5]", lambda t: t**4 / 4 - t**3 / 6 - 3 * t**2 / 4, -2.0, 2.5, False),
        (f"θ⁴ − {c:.3g}θ² on [−2, 2]", lambda t: t**4 - c * t**2, -2.0, 2.0, False),
        (f"θ²/10 − cos({w:.3g}θ) on [−4, 4]", lambda t: t**2 / 10 - np.cos(w * t), -4.0, 4.0, False),
        (f"θ²/10 − cos({w:.3g}θ) on [{lo_far:.3g}, {lo_far + 5:.3g}]", lambda t: t**2 / 10 - np.cos(w * t),
         lo_far, lo_far + 5, False),
        ("sin on [0, 2π]", np.sin, 0.0, 2 * np.pi, False),
        (f"−{k_clear:.3g}·θ² (a gently concave parabola) on [{lo_flat:.3g}, {lo_flat + width:.3g}]",
         lambda t: -k_clear * t**2, lo_flat, lo_flat + width, False),
        ("θ² on [−2, 2]", lambda t: t**2, -2.0, 2.0, True),
        ("exp on [−2, 2]", np.exp, -2.0, 2.0, True),
        (f"|θ − {a:.3g}| on [−4, 4]", lambda t: np.abs(t - a), -4.0, 4.0, True),
        (f"the straight line {s:.3g}θ + 1 on [−3, 3]", lambda t: s * t + 1, -3.0, 3.0, True),
        ("softplus log(1 + eᶿ) on [−4, 4]", lambda t: np.logaddexp(0.0, t), -4.0, 4.0, True),
        (f"−{k_faint:.3g}·θ² (concave, but every chord lies less than 1e-9 below the graph) on "
         f"[{lo_flat:.3g}, {lo_flat + width:.3g}]", lambda t: -k_faint * t**2, lo_flat, lo_flat + width, True),
    ]
    expect_no_loop(find_counterexample, "vectorised, with no Python loop (no for, while or comprehension)")
    for k, (what, f, lo, hi, convex) in enumerate(cases):
        if k < len(cases) - 1:
            assert chord_test(f, box=(lo, hi), n_samples=5000, seed=seed).convex == convex, what
        got = attempt(find_counterexample, f, lo, hi, 10_000, seed)
        name = f"find_counterexample on {what}"
        if convex:
            if got is not None:
                x, y, lam = _as_triple(got, name)
                gap = _gap(f, x, y, lam)
                faint = "less than 1e-9 below" in what
                expect(False, f"{name} returned a counter-example, but no chord of this function lies more than "
                              f"1e-9 below its graph: at your (x, y, λ) the gap is {gap:.3g}",
                       "return a triple only when its gap exceeds the threshold 1e-9 (the exercise counts smaller "
                       "gaps as round-off); otherwise return None" if faint or 0 < gap <= GAP_TOL else
                       "return a triple only when the graph lies *above* the chord, "
                       "gap = L(λx + (1 − λ)y) − [λL(x) + (1 − λ)L(y)] > 1e-9; otherwise return None")
            continue
        expect(got is not None, f"{name} returned None, but the function is not convex there",
               "10,000 sampled chords find one that lies more than 1e-9 below this graph: is the gap of every "
               "triple computed with the right sign, and is a triple with a gap above 1e-9 returned?")
        x, y, lam = _as_triple(got, name)
        expect(lo <= x <= hi and lo <= y <= hi, f"{name} returned points outside the box [{lo:.3g}, {hi:.3g}]",
               "draw x and y from the box [lo, hi] itself")
        gap = _gap(f, x, y, lam)
        expect(gap > GAP_TOL, f"{name}: at the returned (x, y, λ) the chord is not more than 1e-9 below the "
                              f"graph (gap {gap:.3g})",
               "gap = L(λx + (1 − λ)y) − [λL(x) + (1 − λ)L(y)]: the chord weights L(x) with λ, "
               "the same λ that weights x in the point between them; return a triple whose gap exceeds 1e-9")
    passed("find_counterexample")


def check_crest_chord(crest_chord, seed: int = 0) -> None:
    """A counter-example (x, y, λ) for L_ω(θ) = θ²/10 − cos(ωθ), checked by its gap, for ω = 1 (the
    smallest allowed), ω = 3, and ω spread over [1, 64] on a log scale and beyond (a fixed triple that
    happens to work for some ω fails for others)."""
    rng = np.random.default_rng(seed)
    omegas = [3.0, 1.0] + [float(rng.uniform(lo, 2 * lo)) for lo in (1, 2, 4, 8, 16, 32)]
    omegas.append(float(10 ** rng.uniform(2, 3)))
    hint = ("the graph of L dips where cos(ωθ) is largest (+1) and has a crest where cos(ωθ) is smallest (−1); "
            "a chord from one dip of the graph to the next passes below the crest between them. How far apart "
            "are two neighbouring dips, in terms of omega, and which λ puts z on the crest?")
    for omega in omegas:
        f = (lambda w: lambda t: t**2 / 10 - np.cos(w * t))(omega)
        what = f"crest_chord({omega:.3g})"
        x, y, lam = _as_triple(attempt(crest_chord, omega), what)
        gap = _gap(f, x, y, lam)
        expect(gap > 1e-6, f"{what}: the chord is not below the graph there (gap {gap:.3g})", hint)
    passed("crest_chord")


def _grid(box, n: int) -> np.ndarray:
    """The grid of the docstring: np.linspace(low, high, n) on each axis, points of shape (n, n, 2)."""
    (x0, x1), (y0, y1) = box
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return np.stack([X, Y], -1)


def _lambda_min(H: np.ndarray) -> np.ndarray:
    """Smallest eigenvalue of symmetric 2 × 2 matrices (..., 2, 2), in closed form (not eigvalsh)."""
    a, b, c = H[..., 0, 0], 0.5 * (H[..., 0, 1] + H[..., 1, 0]), H[..., 1, 1]
    return 0.5 * (a + c) - np.hypot(0.5 * (a - c), b)


def _constant(A):
    A = np.asarray(A, dtype=float)
    return lambda P: np.broadcast_to(A, np.shape(P)[:-1] + (2, 2)).copy()


def _bump(p, s: float, height: float):
    """Hessian of L(θ) = ½‖θ‖² + h·exp(−‖θ − p‖²/(2s²)), a bowl with a small hill at p: non-convex only
    within s·√(2 ln(h/s²)) of p (the smallest eigenvalue there is 1 − h·G/s², G the Gaussian)."""
    p = np.asarray(p, dtype=float)

    def hessian(P):
        d = np.asarray(P, dtype=float) - p
        g = height * np.exp(-np.sum(d * d, axis=-1) / (2 * s * s))
        return (np.eye(2) * (1 - g / s**2)[..., None, None]
                + (g / s**4)[..., None, None] * d[..., :, None] * d[..., None, :])

    return hessian


def _hessian_cases(rng) -> list:
    """(description, hessian, box, n) for :func:`check_hessian_convex`."""
    cases = []
    for name, kw, box in (("bowl", {}, None), ("ill_conditioned", {"condition": float(rng.uniform(2, 20)),
                                                                      "angle": float(rng.uniform(0, 90))}, None),
                          ("rosenbrock", {}, None), ("himmelblau", {}, None), ("saddle", {}, None),
                          ("rosenbrock", {}, [(1.0, 2.0), (-1.0, 1.0)])):
        obj = get(name, **kw)
        box = [tuple(map(float, r)) for r in (obj.domain if box is None else box)]
        cases.append((name.replace("_", "-"), obj.hessian, box, int(rng.integers(20, 45))))
    # a bowl with a small hill at one grid point far from both diagonals of the grid, in a box that is not a
    # square and not centred: only that corner of the grid is non-convex
    x0, y0 = float(rng.uniform(-2, 0)), float(rng.uniform(-1, 2))
    box = [(x0, x0 + float(rng.uniform(1.5, 3))), (y0, y0 + float(rng.uniform(2, 4)))]
    n = int(rng.integers(20, 40))
    while True:                                   # a point (x_i, y_j) far from (x_k, y_k) and (x_k, y_{n−1−k})
        i, j = (int(v) for v in rng.integers(1, n - 1, 2))
        if abs(i - j) >= n // 4 and abs(i + j - (n - 1)) >= n // 4:
            break
    grid = _grid(box, n)
    step = min((box[0][1] - box[0][0]) / (n - 1), (box[1][1] - box[1][0]) / (n - 1))
    s = 0.3 * step
    cases.append(("a bowl with a small hill off the grid's diagonals", _bump(grid[j, i], s, 3 * s * s), box, n))
    # the hill on the grid's last column (the box's right edge), half-way up
    n2 = int(rng.integers(15, 30))
    grid2, step2 = _grid(box, n2), min(b - a for a, b in box) / (n2 - 1)
    cases.append(("a bowl with a small hill on the box's right edge", _bump(grid2[n2 // 2, -1], 0.3 * step2,
                                                                             0.27 * step2 ** 2), box, n2))
    # the hill between the points of a coarse grid: the grid test (as the docstring defines it) says convex
    coarse = [(-1.0, 1.0), (-1.0, 1.0)]
    cases.append(("a bowl with a small hill between the points of a 3 × 3 grid", _bump((0.5, -0.5), 0.1, 0.03),
                  coarse, 3))
    p, r = float(rng.uniform(0.5, 2)), float(rng.uniform(1.2, 3))
    eps = float(rng.uniform(0.2, 0.7)) * 1e-9
    cases += [
        (f"a quadratic with Hessian [[{p:.3g}, {r * p:.3g}], [{r * p:.3g}, {p:.3g}]] (positive diagonal)",
         _constant([[p, r * p], [r * p, p]]), [(-1.0, 1.0), (-1.0, 1.0)], 10),
        ("−(θ₁² + θ₂²), an upside-down bowl", _constant([[-2.0, 0.0], [0.0, -2.0]]), [(-1.0, 1.0), (-1.0, 1.0)], 10),
        ("(θ₁ + θ₂)², flat along one direction", _constant([[2.0, 2.0], [2.0, 2.0]]), [(-1.0, 1.0), (-1.0, 1.0)], 10),
        ("a plane (Hessian 0 everywhere)", _constant(np.zeros((2, 2))), [(-2.0, 1.0), (0.0, 3.0)], 7),
        (f"θ₁²/2 − {eps:.2g}·θ₂²/2 (smallest eigenvalue just above −1e-9)", _constant([[1.0, 0.0], [0.0, -eps]]),
         [(-1.0, 1.0), (-1.0, 1.0)], 5),
        (f"θ₁²/2 − {2 * eps + 1e-9:.2g}·θ₂²/2 (smallest eigenvalue just below −1e-9)",
         _constant([[1.0, 0.0], [0.0, -(2 * eps + 1e-9)]]), [(-1.0, 1.0), (-1.0, 1.0)], 5),
    ]
    return cases


def check_hessian_convex(hessian_convex, seed: int = 0) -> None:
    """The second-order test on the n × n grid np.linspace(low, high, n) × np.linspace(low, high, n),
    against the smallest eigenvalue of every grid point's Hessian in closed form.

    Catalogue functions; a bowl with a small hill at one grid point far from both diagonals (so a test of
    the diagonal alone, or of the corners, passes it by), one on the grid's border, one between the points
    of a 3 × 3 grid; quadratics with an indefinite Hessian of positive diagonal, a negative definite one, a
    semi-definite one, a zero Hessian; smallest eigenvalues just above and just below the threshold −1e-9.
    Boxes that are not squares; several grid sizes n."""
    rng = np.random.default_rng(seed)
    # the hill's Hessian against central differences of its gradient ∇L = θ − h·G·(θ − p)/s²
    centre, s, h = np.array([0.3, -0.2]), 0.2, 0.12

    def grad(t):
        gauss = np.exp(-np.sum((t - centre) ** 2, -1) / (2 * s * s))[..., None]
        return t - h * gauss * (t - centre) / s**2

    at = np.array([[0.35, -0.1], [0.1, 0.0]])
    assert np.allclose(_bump(centre, s, h)(at), numerical_hessian(grad, at), atol=1e-6), "the hill's Hessian"
    hint_weak = ("some grid point was not looked at, or the test is weaker than 'the smallest eigenvalue is at "
                 "least −1e-9 at every point of the n × n grid': positive diagonal entries or a positive "
                 "determinant alone are not enough")
    hint_strict = ("the test is stricter than asked, or looks at points that are not on the grid: the smallest "
                   "eigenvalue may be 0 or slightly negative (down to −1e-9), and only the n × n grid "
                   "np.linspace(low, high, n) on each axis counts")
    for what, hessian, box, n in _hessian_cases(rng):
        truth = bool(np.all(_lambda_min(hessian(_grid(box, n))) >= -1e-9))
        shown = f"hessian_convex on {what}, box {[tuple(round(v, 3) for v in r) for r in box]}, n = {n},"
        got = as_bool(attempt(hessian_convex, hessian, [tuple(r) for r in box], n), shown)
        expect(got == truth, f"{shown} gives the wrong verdict", hint_weak if got else hint_strict)
    passed("hessian_convex")


def check_quartic_is_convex(quartic_is_convex, seed: int = 0) -> None:
    """Is L(θ) = θ⁴ − cθ² convex on [−2, 2]? Against the sign of L″(θ) = 12θ² − 2c, smallest at θ = 0,
    (and the package's chord test where the non-convex stretch is wide enough to sample), for c = 0 (a
    float and a whole number), c a hair either side of 0, large |c| and random c."""
    rng = np.random.default_rng(seed)
    tiny = float(10 ** rng.uniform(-12, -7))
    thetas = np.linspace(-2, 2, 4001)                            # holds θ = 0 exactly
    values = [1.0, -1.0, 0.0, 0, tiny, -tiny, 1e6 * float(rng.uniform(1, 2)), -1e6, 2]
    values += [float(v) for v in rng.uniform(-3, 3, 3)]
    for c in [values[i] for i in rng.permutation(len(values))]:
        truth = bool(np.all(12 * thetas**2 - 2 * c >= 0))
        assert truth == (c <= 0)
        if 0.5 <= abs(c) <= 10:
            assert chord_test(lambda t: t**4 - c * t**2, box=(-2, 2)).convex == truth
        got = as_bool(attempt(quartic_is_convex, c), f"quartic_is_convex({c:.3g})")
        expect(got == truth, f"quartic_is_convex({c:.3g}) is wrong",
               "look at the sign of L″(θ) = 12θ² − 2c on the box, especially where it is smallest; "
               "and what happens at c = 0, or for c just above 0?")
    passed("quartic_is_convex")
