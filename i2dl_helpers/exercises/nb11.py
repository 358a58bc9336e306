"""Checks for the exercises of notebook 11 (your own function).

A typed function is checked through ``i2dl_helpers.expressions.parse`` (the
same parser the explorers use) and by running gradient descent on it; the
finite-difference gradient is compared with the exact gradient that the parser
gets from the compute graph's backward pass.
"""
from __future__ import annotations

import numpy as np

from . import WrongAnswer, attempt, expect, expect_close, passed

__all__ = ["check_diverging_function", "check_central_difference", "check_minimum_at"]


def check_diverging_function(diverging_function, seed: int = 0) -> None:
    """diverging_function(α) must be a text that parses in x and on which GD with that α
    diverges from each of 12 starts in [−2.9, 2.9]."""
    from ..expressions import ExpressionError, parse
    from ..optim import GD, run

    rng = np.random.default_rng(seed)
    alphas = [0.1] if seed == 0 else [float(a) for a in 10 ** rng.uniform(-3, 0, 3)]
    starts = np.linspace(-2.9, 2.9, 12)[:, None]  # none exactly at 0
    for alpha in alphas:
        text = attempt(diverging_function, alpha)
        expect(isinstance(text, str), f"diverging_function({alpha:.3g}) should return a string such as "
               f"'x**2', got {type(text).__name__}", "build the text with an f-string to put α's value in it")
        try:
            objective = parse(text)
        except ExpressionError as err:
            raise WrongAnswer(f"diverging_function({alpha:.3g}) returned {text!r}, which does not parse: {err}") from None
        with np.errstate(all="ignore"):
            traj = run(objective, GD(alpha), starts, steps=300)
        bad = int(np.sum(traj.status != "diverged"))
        expect(bad == 0, f"with α = {alpha:.3g}, GD on {text!r} did not diverge from {bad} of the 12 starts "
               f"({traj.message})",
               "GD multiplies the distance to a parabola's minimum by 1 − α·c per step (c the curvature); it "
               "grows when α·c > 2, so the curvature must depend on α. A function whose slope grows "
               "faster than linearly works too, but only from far enough out")
    passed("diverging_function")


def check_central_difference(central_difference, seed: int = 0) -> None:
    """central_difference(f, x) against the parser's exact gradient, in 1, 2 and 3 variables."""
    from ..expressions import parse

    rng = np.random.default_rng(seed)
    cases = [("sin(x) * exp(y) + x**3 * y", ("x", "y")), ("x**4 - 3*x**2 + x", ("x",)),
             ("log(1 + x**2 + y**2) + z * tanh(x - y)", ("x", "y", "z"))]
    hint = ("change one coordinate i at a time: (f(x + h·eᵢ) − f(x − h·eᵢ)) / (2h), with eᵢ the i-th unit "
            "vector; return one entry per coordinate, shape (d,)")
    for text, variables in cases:
        obj = parse(text, variables=variables)
        d = len(variables)
        for _ in range(2):
            x = rng.uniform(-1.5, 1.5, d)

            def f(p, _obj=obj):
                p = np.asarray(p, dtype=float)
                if p.shape != (d,):
                    raise WrongAnswer(f"f was called with a point of shape {p.shape}; it takes one point "
                                      f"of shape ({d},)")
                return float(_obj(p if d > 1 else p[0]))

            got = attempt(central_difference, f, x.copy())
            exact = obj.grad(x if d > 1 else x[0])
            expect_close(got, np.reshape(exact, (d,)), f"central_difference of {text} at x = {np.round(x, 3)}",
                         hint, rtol=1e-7, atol=1e-8)
    passed("central_difference")


def check_minimum_at(minimum_at, seed: int = 0) -> None:
    """minimum_at(a, b) must be the text of a function of x and y whose only minimum in the box
    [−3, 3]² is (a, b), strict (positive-definite Hessian); minima are found with ``basins.find_minima``."""
    from ..basins import NoMinimumFound, find_minima
    from ..expressions import ExpressionError, parse

    rng = np.random.default_rng(seed)
    points = [(1.0, -2.0)] if seed == 0 else []
    points += [tuple(float(v) for v in np.round(rng.uniform(-2.5, 2.5, 2), 3)) for _ in range(3)]
    for a, b in points:
        text = attempt(minimum_at, a, b)
        expect(isinstance(text, str), f"minimum_at({a}, {b}) should return a string, got {type(text).__name__}",
               "build the text with an f-string, e.g. f\"(x - {a})**2\"")
        try:
            objective = parse(text, variables=("x", "y"))
        except ExpressionError as err:
            raise WrongAnswer(f"minimum_at({a}, {b}) returned {text!r}, which does not parse: {err}") from None
        try:
            with np.errstate(all="ignore"):
                found = find_minima(objective)
        except NoMinimumFound:
            raise WrongAnswer(f"{text!r} has no strict minimum in [−3, 3]²: nowhere is the gradient 0 with a "
                              "positive-definite Hessian\nHint: a bowl in both x and y, such as a sum of two "
                              "squares, curves up in every direction") from None
        expect(len(found) == 1, f"{text!r} has {len(found)} minima in [−3, 3]², not one",
               "a sum of squares of (x − something) and (y − something) has exactly one")
        expect(np.allclose(found[0], [a, b], atol=1e-6),
               f"the minimum of {text!r} for (a, b) = ({a}, {b}) is at ({found[0][0]:.3g}, {found[0][1]:.3g})",
               "(x − a)² is smallest where x = a; mind the signs and which coordinate gets which number")
    passed("minimum_at")
