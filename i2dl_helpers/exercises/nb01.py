"""Checks for the exercises of notebook 01 (compute graphs and backpropagation)."""
from __future__ import annotations

import numpy as np

from . import attempt, expect_close, passed

__all__ = ["check_sigmoid_prime"]


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def check_sigmoid_prime(sigmoid_prime, seed: int = 0) -> None:
    """σ′(a) at a few points (scalars and an array) against the compute-graph engine.

    The reference is the engine's own backward pass through ``graph.sigmoid``,
    an independent computation from the closed form the student writes.
    """
    from ..graph import Value, grad, sigmoid

    rng = np.random.default_rng(seed)
    points = np.concatenate([[0.0], rng.uniform(-4, 4, 5)])
    for a in points:
        node = Value(float(a))
        engine = grad(sigmoid(node), [node])[0].data
        got = attempt(sigmoid_prime, float(a))
        expect_close(got, engine, f"sigmoid_prime({a:.3g})",
                     "the derivative of 1/(1 + e^(−a)) can be written with σ(a) itself; "
                     "compare with the engine's backward pass at that point")
    arr = attempt(sigmoid_prime, points)
    expect_close(arr, _sigmoid(points) * (1 - _sigmoid(points)), "sigmoid_prime on an array",
                 "use NumPy operations (np.exp), which work elementwise on arrays")
    passed("sigmoid_prime")
