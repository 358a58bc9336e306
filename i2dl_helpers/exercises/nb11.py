"""Checks for the exercises of notebook 11 (your own function).

A typed function is checked through ``i2dl_helpers.expressions.parse`` (the same parser the explorers use),
by running gradient descent on it, and by its exact gradient and Hessian from the compute graph; the
central differences are compared with the differences of the same function at the same points (a closed
form for the quartic), for steps h on no convenient lattice.
"""
from __future__ import annotations

import numpy as np

from ..basins import NoMinimumFound, find_minima
from ..expressions import ExpressionError, parse
from ..optim import GD, run
from . import WrongAnswer, _as_numbers, attempt, expect, passed

__all__ = ["check_diverging_function", "check_central_difference", "check_minimum_at"]

STEPS = 300            # GD steps the divergence check runs from each start
BOX = [(-3.0, 3.0), (-3.0, 3.0)]


def _text(fn, args: str, value, example: str):
    """The student's returned text, parsed check: a string, or a WrongAnswer saying what came back."""
    if value is None:
        raise WrongAnswer(f"{fn}({args}) returned None. Did you forget `return`?")
    expect(isinstance(value, str), f"{fn}({args}) should return the text of a function (a string) such as "
           f"{example!r}, got {type(value).__name__}", "build the text with an f-string to put the numbers in it")
    return value


def _parse(fn, args: str, text: str, variables=("x",), domain=None):
    try:
        return parse(text, variables=variables, domain=domain)
    except ExpressionError as err:
        raise WrongAnswer(f"{fn}({args}) returned {text!r}, which does not parse: {err}") from None


def check_diverging_function(diverging_function, seed: int = 0) -> None:
    """diverging_function(α) must be a text in x, defined at each of 12 starts in [−2.9, 2.9] (none at 0),
    on which GD with that α diverges from every start within 300 steps, for a small (10⁻³ … 10⁻²), a middle
    (0.01 … 0.1, or the notebook's 0.1) and a large (0.1 … 2) learning rate."""
    rng = np.random.default_rng(seed)
    middle = 0.1 if seed == 0 else float(10 ** rng.uniform(-2, -1))
    alphas = [middle, float(10 ** rng.uniform(-3, -2)), float(10 ** rng.uniform(-1, np.log10(2)))]
    starts = np.linspace(-2.9, 2.9, 12)[:, None]  # none exactly at 0
    hint = ("notebook 02: GD on a parabola overshoots its minimum by more each step once α times the curvature "
            "passes a limit. Which curvature is beyond that limit for this α? Make the text depend on α")
    diverged_for = []
    for alpha in alphas:
        args = f"{alpha:.3g}"
        text = _text("diverging_function", args, attempt(diverging_function, alpha), "x**2")
        objective = _parse("diverging_function", args, text)
        with np.errstate(all="ignore"):
            values = np.asarray(objective(starts[:, 0]), dtype=float)
            grads = np.asarray(objective.grad(starts[:, 0]), dtype=float)
        undefined = ~(np.isfinite(values) & np.isfinite(grads))
        expect(not undefined.any(), f"{text!r} has no finite value or slope at {int(undefined.sum())} of the 12 "
               "starts: GD must diverge, not start where the function is undefined",
               "use a function that is defined for every x (a polynomial, for example)")
        with np.errstate(all="ignore"):
            traj = run(objective, GD(alpha), starts, steps=STEPS, tol=1e-12)  # a converged start is done
        bad = int(np.sum(traj.status != "diverged"))
        if bad and diverged_for:
            raise WrongAnswer(f"GD diverges on your function for α = {diverged_for[0]:.3g}, but with α = {alpha:.3g} "
                              f"it does not diverge from {bad} of the 12 starts within {STEPS} steps.\n"
                              f"Hint: {hint}")
        expect(bad == 0, f"with α = {alpha:.3g}, GD on {text!r} does not diverge from {bad} of the 12 starts "
               f"within {STEPS} steps ({traj.message})",
               hint + " (well beyond the limit, so that it diverges quickly)")
        diverged_for.append(alpha)
    passed("diverging_function")


def _central(f, x, h):
    """(f(x + h eᵢ) − f(x − h eᵢ)) / (2h) for every i: the definition, evaluated by the check."""
    out = np.empty(len(x))
    for i in range(len(x)):
        e = np.zeros(len(x))
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def _forward(f, x, h):
    out = np.empty(len(x))
    for i in range(len(x)):
        e = np.zeros(len(x))
        e[i] = h
        out[i] = (f(x + e) - f(x)) / h
    return out


def _compare_differences(values, expected, f, x, step: float, what: str, hint: str) -> None:
    """A WrongAnswer unless ``values`` are the central differences ``expected`` to round-off; it names the
    known mistake the values match (one-sided differences, a factor 2, all coordinates moved at once, the
    default step instead of the h given)."""
    # the round-off of f's values, amplified by 1/h, bounds how far two correct answers may differ
    tol = 1e-9 * np.abs(expected) + 64 * np.finfo(float).eps * (1 + abs(f(x))) / step
    if np.all(np.abs(values - expected) <= tol):
        return
    d = len(x)
    mistakes = {"are one-sided (forward) differences, from x and x + h·eᵢ": _forward(f, x, step),
                "are twice too large: the two points are 2h apart": 2 * expected}
    if d > 1:
        mistakes["are all the same: every coordinate was moved at once"] = np.full(
            d, (f(x + step) - f(x - step)) / (2 * step))
    if step != 1e-5:
        mistakes["were computed with a step other than the h you were given"] = _central(f, x, 1e-5)
    for name, wrong in mistakes.items():
        if np.all(np.abs(values - wrong) <= tol + 1e-9 * np.abs(wrong)):
            raise WrongAnswer(f"{what}: your differences {name}.\nHint: {hint}")
    n_bad = int(np.sum(np.abs(values - expected) > tol))
    raise WrongAnswer(f"{what} is wrong ({n_bad} of {d} entries differ).\nHint: {hint}")


def check_central_difference(central_difference, seed: int = 0) -> None:
    """central_difference(f, x, h) for typed functions of 1, 2 and 3 variables, with the default h and with
    steps h from 10⁻⁶ to 0.3 off any lattice (large ones make the difference differ visibly from the
    gradient), against the central differences of the same function at the same points (for the quartic
    x⁴ − 3x² + x against their closed form 4x³ − 6x + 1 + 4h²x)."""
    rng = np.random.default_rng(seed)
    cases = [("sin(x) * exp(y) + x**3 * y", ("x", "y")), ("x**4 - 3*x**2 + x", ("x",)),
             ("log(1 + x**2 + y**2) + z * tanh(x - y)", ("x", "y", "z"))]
    hint = ("for coordinate i, evaluate f at two points: x moved by +h and by −h along that coordinate only, "
            "the others unchanged; the slope between the two points is entry i. Use the h you are given")
    for text, variables in cases:
        obj = parse(text, variables=variables)
        d = len(variables)

        def f(p, _obj=obj, _d=d):
            p = np.asarray(p, dtype=float)
            if p.shape != (_d,):
                raise WrongAnswer(f"f was called with a point of shape {p.shape}; it takes one point "
                                  f"of shape ({_d},)")
            return float(_obj(p if _d > 1 else p[0]))

        for h in (None, float(10 ** rng.uniform(-6, -2)), float(10 ** rng.uniform(-1.3, -0.5))):
            x = rng.uniform(-1.5, 1.5, d)
            step = 1e-5 if h is None else h
            got = attempt(central_difference, f, x) if h is None else attempt(central_difference, f, x, h)
            if text.startswith("x**4"):
                expected = np.array([4 * x[0]**3 - 6 * x[0] + 1 + 4 * step**2 * x[0]])
            else:
                expected = _central(f, x, step)
            what = (f"central_difference of {text} at x = {np.round(x, 3).tolist()}"
                    + (" (default h)" if h is None else f" with h = {h:.3g}"))
            if d == 1 and got is not None and np.size(got) == 1:
                got = np.reshape(np.asarray(got, dtype=float), (1,))      # a number for d = 1 is fine
            values = _as_numbers(got, expected, what, hint)
            _compare_differences(values, expected, f, x, step, what, hint)
    passed("central_difference")


def _other_minima(objective, n: int = 121) -> list[np.ndarray]:
    """The minima of a function of (x, y) in the box: the points of an n × n grid lower than their eight
    neighbours, each refined by ``basins.find_minima`` in the grid cells around it (a strict local minimum:
    zero gradient, positive-definite Hessian). Faster than ``find_minima`` over the whole box, and it sees
    every minimum whose basin spans a grid cell."""
    xs = np.linspace(BOX[0][0], BOX[0][1], n)
    X, Y = np.meshgrid(xs, xs, indexing="ij")
    with np.errstate(all="ignore"):
        Z = np.asarray(objective(np.stack([X, Y], axis=-1)), dtype=float)
    Z = np.where(np.isfinite(Z), Z, np.inf)
    core = Z[1:-1, 1:-1]
    lowest = np.isfinite(core)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                lowest &= core < Z[1 + di:n - 1 + di, 1 + dj:n - 1 + dj]
    step = xs[1] - xs[0]
    found = []
    for i, j in zip(*np.nonzero(lowest)):
        cell = [(xs[i + 1] - 2 * step, xs[i + 1] + 2 * step), (xs[j + 1] - 2 * step, xs[j + 1] + 2 * step)]
        try:
            with np.errstate(all="ignore"):
                found.extend(find_minima(objective, n_starts=8, steps=60, domain=cell))
        except NoMinimumFound:               # a grid artefact of a flat region, not a strict minimum
            pass
    return found


def check_minimum_at(minimum_at, seed: int = 0) -> None:
    """minimum_at(a, b) must be the text of a function of x and y whose only minimum in the box [−3, 3]² is
    (a, b), strict: the gradient vanishes there and the Hessian is positive definite (a minimum that is flat
    to second order, like that of (x − a)⁴, does not count); other minima are looked for on a fine grid over
    the box (:func:`_other_minima`). Points: (1, −2) in the visible check, points rounded to 3 decimals, one not
    rounded at all, and one near the box's edge."""
    rng = np.random.default_rng(seed)
    points = [(1.0, -2.0)] if seed == 0 else []
    points += [tuple(float(v) for v in np.round(rng.uniform(-2.5, 2.5, 2), 3)) for _ in range(2)]
    points.append(tuple(float(v) for v in rng.uniform(-2.5, 2.5, 2)))            # not rounded
    near_edge = round(float(rng.choice([-1, 1]) * rng.uniform(2.6, 2.9)), 3)
    other = round(float(rng.uniform(-2.9, 2.9)), 3)
    points.append((near_edge, other) if rng.random() < 0.5 else (other, near_edge))
    hint_bowl = "a bowl in both x and y, such as a sum of two squares, curves up in every direction"
    hint_place = "(x − a)² is smallest where x = a; mind the signs and which coordinate gets which number"
    for a, b in points:
        args = f"{a}, {b}"
        text = _text("minimum_at", args, attempt(minimum_at, a, b), "(x - 1)**2 + y**2")
        objective = _parse("minimum_at", args, text, variables=("x", "y"), domain=BOX)
        at, where = np.array([a, b]), f"(a, b) = ({a}, {b})"
        with np.errstate(all="ignore"):
            value, grad = float(objective(at)), np.asarray(objective.grad(at), dtype=float)
            hessian = np.asarray(objective.hessian(at), dtype=float)
        expect(np.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(hessian)),
               f"{text!r} is not defined at {where}", hint_bowl)
        eig = np.linalg.eigvalsh(0.5 * (hessian + hessian.T))
        flat = 1e-8 * max(1.0, float(np.abs(eig).max()))
        if eig[0] > flat:                        # a bowl at (a, b): is its bottom (a, b)?
            offset = float(np.linalg.norm(np.linalg.solve(hessian, grad)))
            expect(offset <= 1e-6, f"{text!r} is not smallest at {where}: its gradient there is not zero, and "
                   "its minimum nearby lies elsewhere", hint_place)
        else:
            expect(np.linalg.norm(grad) <= 1e-6 * (1 + abs(value)),
                   f"{text!r} is not flat at {where}: its gradient there is not zero, so it is not a minimum",
                   hint_place)
            expect(eig[0] >= -flat, f"{text!r} curves down in some direction at {where} (its Hessian has a "
                   "negative eigenvalue): a saddle or a maximum, not a minimum", hint_bowl)
            raise WrongAnswer(f"the Hessian of {text!r} at {where} is not positive definite (it has an eigenvalue "
                              "0): the function is flat to second order in some direction there, and the exercise "
                              "asks for a strict minimum with a positive-definite Hessian.\nHint: a square "
                              "(x − a)² curves like a parabola, with second derivative 2, in every direction you "
                              "give it; a fourth power, or a direction without a square, is flatter")
        others = [m for m in _other_minima(objective) if np.linalg.norm(m - at) > 1e-3]
        if others:
            raise WrongAnswer(f"{text!r} has {len(others)} other minim{'um' if len(others) == 1 else 'a'} in "
                              f"[−3, 3]² besides {where}, e.g. near ({others[0][0]:.3g}, {others[0][1]:.3g})"
                              "\nHint: a sum of squares of (x − something) and (y − something) has exactly one")
    passed("minimum_at")
