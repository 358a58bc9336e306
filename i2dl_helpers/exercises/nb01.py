"""Checks for the exercises of notebook 01 (compute graphs and backpropagation).

Every check compares the student's function with an independent computation:
the compute-graph engine's own backward pass (``i2dl_helpers.graph``), the
layers of ``i2dl_helpers.nn`` confirmed by central differences, or a count of
the arrays a network really holds. The inputs cover each exercise's whole
domain on purpose: a neuron exactly at the ReLU's kink (z = 0, also in whole
numbers), a ReLU layer with exact zeros, layers of one row and square layers,
networks without a hidden layer. No message prints an expected value.
"""
from __future__ import annotations

import numpy as np

from ..graph import Value, grad, sigmoid
from ..nn import TwoLayerNet, relu_forward
from ..nn import affine_backward as ref_affine_backward
from ..nn import relu_backward as ref_relu_backward
from ..numdiff import numerical_grad
from . import (NotAnswered, WrongAnswer, as_number, as_sequence, attempt, attempt_in_place, expect, expect_close,
               passed)

__all__ = ["check_bias_gradient", "check_mul_backward", "check_sigmoid_prime", "check_relu_backward",
           "check_affine_backward", "check_n_params"]


def _sigmoid(a):
    return np.exp(-np.logaddexp(0.0, -np.asarray(a, dtype=float)))


def _neuron_grads(x: float, w: float, b: float, y: float) -> dict[str, float]:
    """∂L/∂(x, w, b, y) of L = (max(0, x·w + b) − y)² from the engine's backward pass."""
    xv, wv, bv, yv = Value(x, name="x"), Value(w, name="w"), Value(b, name="b"), Value(y, name="y")
    loss = ((xv * wv + bv).relu() - yv).square()
    loss.backward()
    return {"x": xv.grad, "w": wv.grad, "b": bv.grad, "y": yv.grad}


def _shape_hint(fn, what: str, hint: str, *args, crashes=(ValueError, IndexError)):
    """:func:`attempt`, but a crash of the kinds ``crashes`` (numpy's shape checks: a formula that fits one
    shape only) is reported with what the function was given and a hint, not as numpy's bare message."""
    try:
        return attempt(fn, *args)
    except NotAnswered:
        raise
    except WrongAnswer as exc:
        if not isinstance(exc.__cause__, crashes):
            raise
        raise WrongAnswer(f"{what}: `{getattr(fn, '__name__', 'your function')}` raised "
                          f"{type(exc.__cause__).__name__} ({exc.__cause__}).\nHint: {hint}") from exc.__cause__


def check_bias_gradient(bias_gradient, seed: int = 0) -> None:
    """∂L/∂b of the neuron L = (max(0, x·w + b) − y)² against the engine's backward pass.

    The inputs include neurons whose ReLU is active (z > 0), inactive (z < 0) and exactly at its kink
    (z = 0, where the engine, like PyTorch, takes the local derivative of max(0, z) to be 0), in floats
    and in whole numbers, and one whose output already equals its target.
    """
    rng = np.random.default_rng(seed)
    y0 = float(rng.uniform(-2, 2))
    cases = [(1.5, -0.4, 2.0, 0.3), (1.0, -2.0, 0.5, 0.7),        # z > 0, then z < 0
             (1.5, -2.0, 3.0, y0),                                 # z = 0 exactly (x·w = −3.0)
             (2, 1, -2, 1),                                        # z = 0 in whole numbers
             (1.0, 0.5, 0.25, 0.75)]                               # ŷ = y: the gradient is 0
    while len(cases) < 11:
        x, w, b, y = (float(v) for v in rng.uniform(-2, 2, 4))
        if abs(x * w + b) > 1e-3:
            cases.append((x, w, b, y))
    for x, w, b, y in cases:
        engine = _neuron_grads(float(x), float(w), float(b), float(y))["b"]
        z = x * w + b
        y_hat = max(z, 0.0)
        hint = ("Follow the path L → ŷ → z → b and multiply one local derivative per node: "
                "that of the square, that of max(0, ·), and that of the sum z = x·w + b with respect to b")
        if z < 0:
            hint = "Here z = x·w + b < 0: what is the local derivative of max(0, z) there? " + hint
        elif z == 0:
            hint = ("Here z = x·w + b is exactly 0, the kink of max(0, z): the engine (and PyTorch) take its "
                    "local derivative there to be 0, as the notebook's 1[z > 0] says. " + hint)
        mistakes = {"the gradient of a neuron whose ReLU passes everything (the gate 1[z > 0] left out)":
                    2 * (y_hat - y),
                    "the derivative of (ŷ − y) instead of (ŷ − y)²: the factor 2 is missing": engine / 2,
                    "∂L/∂w, not ∂L/∂b (∂z/∂w = x, but ∂z/∂b = 1)": engine * x}
        got = attempt(bias_gradient, x, w, b, y)
        expect_close(got, engine, f"bias_gradient(x={x:.3g}, w={w:.3g}, b={b:.3g}, y={y:.3g})", hint,
                     mistakes={k: v for k, v in mistakes.items() if not np.isclose(v, engine)})
    passed("bias_gradient")


def check_mul_backward(mul_backward, seed: int = 0) -> None:
    """The backward rule of ``out = a · b`` on the engine's nodes: it must *add*
    ``out.grad · b`` to ``a.grad`` and ``out.grad · a`` to ``b.grad``.

    Checked with gradients that already hold contributions from other users of
    ``a`` and ``b`` (accumulation), with ``a`` used twice (``out = a · a``, numbers
    and arrays) and on arrays; the reference is the engine's own ``grad`` of the
    product.
    """
    rng = np.random.default_rng(seed)

    def fresh(data, start):
        v = Value(data)
        v.grad = np.array(start, dtype=float) if isinstance(data, np.ndarray) else float(start)
        return v

    def local(a, b, g):
        """(∂(g·ab)/∂a, ∂(g·ab)/∂b) from the engine."""
        av, bv = Value(a), Value(b)
        da, db = grad(av * bv * Value(g), [av, bv])
        return da.data, db.data

    # 1. fresh nodes: gradients start at zero
    a0, b0, g = (float(v) for v in rng.uniform(-3, 3, 3))
    a, b = fresh(a0, 0.0), fresh(b0, 0.0)
    out = a * b
    out.grad = g
    returned = attempt_in_place(mul_backward, a, b, out)
    expect(not (a.grad == 0.0 and b.grad == 0.0),
           "mul_backward left a.grad and b.grad unchanged" + (" (and returned a value instead)"
                                                               if returned is not None else ""),
           "the rule changes the gradients of the nodes it is given, a.grad and b.grad; it returns nothing")
    da, db = local(a0, b0, g)
    hint = ("each input gets ∂L/∂out times the local derivative of a·b with respect to that input "
            "(with respect to a, the product changes at the rate of the other factor)")
    expect_close(a.grad, da, "a.grad after mul_backward (gradients starting at 0)", hint)
    expect_close(b.grad, db, "b.grad after mul_backward (gradients starting at 0)", hint)

    # 2. accumulation: a and b already got gradient from other nodes that use them
    ga, gb = (float(v) for v in rng.uniform(-3, 3, 2))
    a, b = fresh(a0, ga), fresh(b0, gb)
    out = a * b
    out.grad = g
    attempt_in_place(mul_backward, a, b, out)
    for name, node, before, term in (("a", a, ga, da), ("b", b, gb, db)):
        if np.isclose(node.grad, term) and not np.isclose(term, before + term):
            raise WrongAnswer(f"{name}.grad lost what was already in it: your rule overwrites the gradient. "
                              "A node used by several others collects ∂L/∂n = Σ_c ∂L/∂c · ∂c/∂n: "
                              f"add your term to {name}.grad instead of replacing it.")
        expect_close(node.grad, before + term, f"{name}.grad when it already held another node's contribution",
                     "add upstream · local derivative to the gradient that is already there")

    # 3. the same node twice: out = a · a must give ∂out/∂a = 2a (a number, then an array)
    square_hint = ("both terms land on the same node: the second must be added to what the first already left "
                   "there, which gives ∂(a²)/∂a = 2a. Adding each term to its node's gradient as you go does "
                   "that; computing both new gradients first and assigning them afterwards loses one term")
    a1 = float(rng.uniform(0.5, 3))
    a = fresh(a1, 0.0)
    out = a * a
    out.grad = g
    attempt_in_place(mul_backward, a, a, out)
    av = Value(a1)
    d_sq = grad(av * av * Value(g), [av])[0].data
    expect_close(a.grad, d_sq, "a.grad for out = a · a (the same node as both inputs)", square_hint)
    A1, GA1, G1 = rng.normal(size=4), rng.normal(size=4), rng.normal(size=4)
    a = fresh(A1, GA1)
    out = a * a
    out.grad = G1.copy()
    attempt_in_place(mul_backward, a, a, out)
    expect_close(a.grad, GA1 + 2 * G1 * A1, "a.grad for out = a · a on arrays, a.grad not zero before",
                 square_hint)

    # 4. arrays (elementwise product of two arrays of the same shape)
    shape = (int(rng.integers(1, 4)), int(rng.integers(2, 5)))
    A0, B0 = rng.normal(size=shape), rng.normal(size=shape)
    GA, GB, G = rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=shape)
    a, b = fresh(A0, GA), fresh(B0, GB)
    out = a * b
    out.grad = G.copy()
    attempt_in_place(mul_backward, a, b, out)
    expect_close(a.grad, GA + G * B0, f"a.grad on arrays of shape {shape}",
                 "the rule works entry by entry; use NumPy operations on the whole arrays")
    expect_close(b.grad, GB + G * A0, f"b.grad on arrays of shape {shape}",
                 "the rule works entry by entry; use NumPy operations on the whole arrays")
    passed("mul_backward")


def check_sigmoid_prime(sigmoid_prime, seed: int = 0) -> None:
    """σ′(a) at numbers (0, a whole number, both signs, far out in the tails) and on arrays (one- and
    two-dimensional) against the compute-graph engine.

    The reference is the engine's own backward pass through ``graph.sigmoid``,
    an independent computation from the closed form the student writes.
    """
    rng = np.random.default_rng(seed)
    hint = ("differentiate 1/(1 + e^(−a)) with the chain rule, then write the result with σ(a) itself; "
            "use NumPy operations (np.exp), which work on numbers and arrays alike")
    points = [2, -25.0, 0.0] + [float(v) for v in rng.uniform(-6, 6, 5)]
    for a in points:
        node = Value(float(a))
        engine = float(grad(sigmoid(node), [node])[0].data)
        s = float(_sigmoid(a))
        got = attempt(sigmoid_prime, a)
        expect_close(got, engine, f"sigmoid_prime({a:.3g})", hint,
                     mistakes={"σ(a) itself, not its derivative": s,
                               "σ(a)(1 + σ(a)): a sign slip in the second factor": s * (1 + s),
                               "e^(−a)/(1 + e^(−a)) = 1 − σ(a): the denominator is not squared": 1 - s})
    for arr in (rng.uniform(-6, 6, 7), rng.uniform(-6, 6, (3, 4))):
        what = f"sigmoid_prime on an array of shape {arr.shape}"
        got = _shape_hint(sigmoid_prime, what, "use NumPy operations (np.exp, not math.exp), which work entry "
                          "by entry on arrays", arr, crashes=(TypeError, ValueError))
        expect_close(got, _sigmoid(arr) * (1 - _sigmoid(arr)), what,
                     "use NumPy operations (np.exp, not math.exp), which work entry by entry on arrays")
    passed("sigmoid_prime")


def check_relu_backward(relu_backward, seed: int = 0) -> None:
    """∂L/∂Z = ∂L/∂H · 1[Z > 0] for H = max(0, Z), against ``nn.relu_backward``, on layers of several
    shapes (one row, one column, square).

    Z contains exact zeros: there the engine (and PyTorch) use the local derivative 0.
    """
    rng = np.random.default_rng(seed)
    hint = ("the local derivative of max(0, z) is 1 where z > 0 and 0 elsewhere (also at z = 0); "
            "multiply it with the upstream gradient dH entry by entry")
    for shape in ((5, 4), (1, int(rng.integers(2, 6))), (int(rng.integers(2, 6)), 1), (3, 3)):
        Z = rng.normal(size=shape)
        Z.flat[rng.choice(Z.size, size=max(1, Z.size // 4), replace=False)] = 0.0
        dH = rng.normal(size=shape)
        what = f"relu_backward(dH, Z) for dH and Z of shape {shape}"
        got = _shape_hint(relu_backward, what, "work entry by entry: the result has the shape of Z", dH, Z)
        expect_close(got, ref_relu_backward(dH, relu_forward(Z)[1]), what, hint)
    passed("relu_backward")


def check_affine_backward(affine_backward, seed: int = 0) -> None:
    """(dX, dW, db) of Z = X W + b against ``nn.affine_backward``, itself confirmed here
    by central differences of the scalar ⟨dZ, X W + b⟩ (whose gradient is exactly that).

    Layers of several shapes: all sizes different, one sample (n = 1), one input (d = 1), square
    (n = d = m, where a transposed product has the right shape and the wrong values)."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 5))
    shapes = [(5, 3, 4), (1, int(rng.integers(2, 5)), int(rng.integers(2, 5))), (4, 1, 3), (k, k, k)]
    hints = {"dX": "∂L/∂X has the shape of X, (n, d): combine dZ (n, m) with W (d, m)",
             "dW": "∂L/∂W has the shape of W, (d, m): every sample contributes its own product of x_i and dz_i, "
                   "so the samples are summed; one matrix product of X and dZ does that",
             "db": "b is added to every row of Z, so its gradient collects (sums) dZ over the rows; shape (m,)"}
    shape_hint = ("each gradient has the shape of its variable, dX (n, d), dW (d, m), db (m,): choose the "
                  "transposes so that the matrix products fit for any n, d and m")
    for n, d, m in shapes:
        X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m)
        dZ = rng.normal(size=(n, m))
        ref = ref_affine_backward(dZ, (X, W))
        # the reference itself, against finite differences of f(X, W, b) = Σ dZ ⊙ (X W + b)
        numeric = (numerical_grad(lambda x: np.sum(dZ * (x.reshape(n, d) @ W + b)), X.ravel()).reshape(n, d),
                   numerical_grad(lambda w: np.sum(dZ * (X @ w.reshape(d, m) + b)), W.ravel()).reshape(d, m),
                   numerical_grad(lambda c: np.sum(dZ * (X @ W + c)), b))
        assert all(np.allclose(r, q, atol=1e-6) for r, q in zip(ref, numeric)), "reference affine_backward is wrong"
        what = f"affine_backward for X ({n}, {d}), W ({d}, {m}), dZ ({n}, {m})"
        got = _shape_hint(affine_backward, what, shape_hint, dZ, X, W)
        parts = as_sequence(got, 3, f"affine_backward for X ({n}, {d})", "dX, dW, db")
        for name, value, expected in zip(("dX", "dW", "db"), parts, ref):
            expect_close(value, expected, f"{name} for X ({n}, {d}), W ({d}, {m}), b ({m},)", hints[name])
    passed("affine_backward")


def check_n_params(n_params, seed: int = 0) -> None:
    """The number of weights and biases of a fully connected network with layer sizes ``sizes``.

    Three sizes are checked against ``TwoLayerNet(...).num_params``; other lengths (two sizes: no hidden
    layer; up to six) against the sizes of the weight matrices and bias vectors such a network holds.
    Layers of one unit are included. Any whole number is accepted (an int, a numpy integer, 33.0).
    """
    rng = np.random.default_rng(seed)
    hint = ("count every weight matrix W (n_in × n_out of its layer) and every bias vector b (one entry per "
            "unit of the layer it feeds); the input layer has no bias, and there is one weight matrix and one "
            "bias vector between each pair of neighbouring layers")
    cases = [[2, 16, 1], [3, 5, 2], [int(v) for v in rng.integers(1, 20, 3)], [1, int(rng.integers(2, 9)), 1]]
    cases += [[int(v) for v in rng.integers(1, 12, 2)],                                   # no hidden layer
              [int(v) for v in rng.integers(1, 12, int(rng.integers(4, 7)))],
              [int(rng.integers(2, 9)), 1, 1, int(rng.integers(2, 9))]]
    for sizes in cases:
        if len(sizes) == 3:
            expected = TwoLayerNet(*sizes, seed=0).num_params
        else:
            arrays = [np.zeros((a, c)) for a, c in zip(sizes[:-1], sizes[1:])] + [np.zeros(c) for c in sizes[1:]]
            expected = sum(a.size for a in arrays)
        what = f"n_params({sizes})"
        got = as_number(_shape_hint(n_params, what, hint + " (sizes may hold any number ≥ 2 of layer sizes)",
                                    list(sizes), crashes=(Exception,)), what, integer=True, hint=hint)
        hidden = len(sizes) - 2
        layers = {0: "no hidden layer", 1: "one hidden layer"}.get(hidden, f"{hidden} hidden layers")
        expect(got == expected, f"{what} = {got} is wrong for a network with {layers}", hint)
    passed("n_params")
