"""Typed-in functions on a 200×200 grid: parse + value + gradient, vs hand-written numpy.

Contender: ``parse(text)`` then ``obj(points)`` and ``obj.grad(points)`` — the
tokenizer, parser and the compute-graph engine (reverse mode) on all 40 000
points of the plotting grid.
Baseline : the same function and its gradient written by hand in numpy (what
the catalogue does for a named objective).
Both run side by side in this process, interleaved round by round so that both
see the same machine load; each time is the best of REPEATS rounds (the load
average is printed too: on a shared machine it moves every number).
The contender's numbers are checked against the baseline's before timing.
Goal: contender under 20 ms for each of the three examples of the issue.
The Hessian (double backward, create_graph=True) is timed too, for information.

    python benchmarks/expressions.py
"""
from __future__ import annotations

import os
import time

import numpy as np

from i2dl_helpers.expressions import parse

N, REPEATS, GOAL_MS = 200, 25, 20.0


def _quartic(x):
    return x**4 - 3 * x**2 + x, 4 * x**3 - 6 * x + 1


def _rosenbrock(p):
    x, y = p[..., 0], p[..., 1]
    r = y - x**2
    return (1 - x) ** 2 + 100 * r**2, np.stack([-2 * (1 - x) - 400 * x * r, 200 * r], -1)


def _wave(p):
    x, y = p[..., 0], p[..., 1]
    s, g = np.sin(3 * x), np.exp(-y**2)
    value = s * g + 0.1 * (x**2 + y**2)
    return value, np.stack([3 * np.cos(3 * x) * g + 0.2 * x, -2 * y * s * g + 0.2 * y], -1)


CASES = [
    ("x**4 - 3*x**2 + x", ("x",), _quartic),
    ("(1 - x)**2 + 100*(y - x**2)**2", ("x", "y"), _rosenbrock),
    ("sin(3*x) * exp(-y**2) + 0.1*(x**2 + y**2)", ("x", "y"), _wave),
]


def _best(*fns) -> list[float]:
    """Best time in ms of each function, timed in interleaved rounds."""
    times = [[] for _ in fns]
    for _ in range(REPEATS):
        for fn, record in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            record.append(time.perf_counter() - t0)
    return [1e3 * min(record) for record in times]


def main() -> None:
    axis = np.linspace(-3, 3, N)
    X, Y = np.meshgrid(axis, axis)
    print(f"parse + value + gradient on a {N}x{N} grid ({N * N} points), best of {REPEATS}")
    print(f"  {'expression':44s} {'parsed':>9s} {'numpy':>9s} {'ratio':>6s} {'hessian':>9s}  goal < {GOAL_MS:g} ms")
    for text, variables, by_hand in CASES:
        pts = X if len(variables) == 1 else np.stack([X, Y], -1)
        obj = parse(text, variables)
        v_ref, g_ref = by_hand(pts)
        np.testing.assert_allclose(obj(pts), v_ref, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(obj.grad(pts), g_ref, rtol=1e-10, atol=1e-9)

        def contender():
            o = parse(text, variables)
            o(pts)
            o.grad(pts)

        t_parsed, t_numpy, t_hess = _best(contender, lambda: by_hand(pts), lambda: obj.hessian(pts))
        verdict = "met" if t_parsed < GOAL_MS else "NOT met"
        print(f"  {text:44s} {t_parsed:6.2f} ms {t_numpy:6.2f} ms {t_parsed / t_numpy:5.1f}x "
              f"{t_hess:6.2f} ms  {verdict}")
    (t_parse,) = _best(lambda: [parse(text, variables) for text, variables, _ in CASES])
    print(f"  parsing alone (mean of the three): {1e3 * t_parse / len(CASES):.0f} us")
    print(f"  load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
