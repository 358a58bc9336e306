"""Checks for the exercises of notebook 01 (compute graphs and backpropagation).

Every check compares the student's function with an independent computation:
the compute-graph engine's own backward pass (``i2dl_helpers.graph``), the
layers of ``i2dl_helpers.nn`` confirmed by central differences, or a count of
the arrays a network really holds. No message prints an expected value.
"""
from __future__ import annotations

import numpy as np

from . import WrongAnswer, attempt, expect, expect_close, passed

__all__ = ["check_bias_gradient", "check_mul_backward", "check_sigmoid_prime", "check_relu_backward",
           "check_affine_backward", "check_n_params"]


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _neuron_grads(x: float, w: float, b: float, y: float) -> dict[str, float]:
    """∂L/∂(x, w, b, y) of L = (max(0, x·w + b) − y)² from the engine's backward pass."""
    from ..graph import Value

    xv, wv, bv, yv = Value(x, name="x"), Value(w, name="w"), Value(b, name="b"), Value(y, name="y")
    loss = ((xv * wv + bv).relu() - yv).square()
    loss.backward()
    return {"x": xv.grad, "w": wv.grad, "b": bv.grad, "y": yv.grad}


def check_bias_gradient(bias_gradient, seed: int = 0) -> None:
    """∂L/∂b of the neuron L = (max(0, x·w + b) − y)² against the engine's backward pass.

    The inputs include neurons whose ReLU is active (z > 0) and inactive (z < 0).
    """
    rng = np.random.default_rng(seed)
    cases = [(1.5, -0.4, 2.0, 0.3), (1.0, -2.0, 0.5, 0.7)]          # z > 0, then z < 0
    for _ in range(6):
        x, w, b, y = rng.uniform(-2, 2, 4)
        if abs(x * w + b) > 0.05:                                   # stay away from the kink
            cases.append((float(x), float(w), float(b), float(y)))
    for x, w, b, y in cases:
        engine = _neuron_grads(x, w, b, y)["b"]
        got = attempt(bias_gradient, x, w, b, y)
        z = x * w + b
        hint = ("follow the path L → ŷ → z → b and multiply the three local derivatives: "
                "∂L/∂ŷ = 2(ŷ − y), ∂ŷ/∂z = 1[z > 0], ∂z/∂b = 1")
        if z < 0:
            hint = ("here z = x·w + b < 0: what is the local derivative of max(0, z) there? " + hint)
        expect_close(got, engine, f"bias_gradient(x={x:.3g}, w={w:.3g}, b={b:.3g}, y={y:.3g})", hint)
    passed("bias_gradient")


def check_mul_backward(mul_backward, seed: int = 0) -> None:
    """The backward rule of ``out = a · b`` on the engine's nodes: it must *add*
    ``out.grad · b`` to ``a.grad`` and ``out.grad · a`` to ``b.grad``.

    Checked with gradients that already hold contributions from other users of
    ``a`` and ``b`` (accumulation), with ``a`` used twice (``out = a · a``) and on
    arrays; the reference is the engine's own ``grad`` of the product.
    """
    from ..graph import Value, grad

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
    attempt(mul_backward, a, b, out)
    da, db = local(a0, b0, g)
    hint = "the local derivative of a·b with respect to a is b (and with respect to b it is a)"
    expect_close(a.grad, da, "a.grad after mul_backward (gradients starting at 0)", hint)
    expect_close(b.grad, db, "b.grad after mul_backward (gradients starting at 0)", hint)

    # 2. accumulation: a and b already got gradient from other nodes that use them
    ga, gb = (float(v) for v in rng.uniform(-3, 3, 2))
    a, b = fresh(a0, ga), fresh(b0, gb)
    out = a * b
    out.grad = g
    attempt(mul_backward, a, b, out)
    for name, node, before, term in (("a", a, ga, da), ("b", b, gb, db)):
        if np.isclose(node.grad, term) and not np.isclose(term, before + term):
            raise WrongAnswer(f"{name}.grad lost what was already in it: your rule overwrites the gradient. "
                              "A node used by several others collects ∂L/∂n = Σ_c ∂L/∂c · ∂c/∂n: "
                              f"add your term to {name}.grad (+=) instead of replacing it.")
        expect_close(node.grad, before + term, f"{name}.grad when it already held another node's contribution",
                     "add upstream · local derivative to the gradient that is already there")

    # 3. the same node twice: out = a · a must give ∂out/∂a = 2a
    a1 = float(rng.uniform(0.5, 3))
    a = fresh(a1, 0.0)
    out = a * a
    out.grad = g
    attempt(mul_backward, a, a, out)
    av = Value(a1)
    d_sq = grad(av * av * Value(g), [av])[0].data
    expect_close(a.grad, d_sq, "a.grad for out = a · a (the same node as both inputs)",
                 "both terms land on the same node: the second must be added to the first, "
                 "which gives ∂(a²)/∂a = 2a")

    # 4. arrays (elementwise product of two arrays of the same shape)
    A0, B0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    GA, GB, G = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    a, b = fresh(A0, GA), fresh(B0, GB)
    out = a * b
    out.grad = G.copy()
    attempt(mul_backward, a, b, out)
    expect_close(a.grad, GA + G * B0, "a.grad on arrays", "the rule works elementwise; use NumPy operations")
    expect_close(b.grad, GB + G * A0, "b.grad on arrays", "the rule works elementwise; use NumPy operations")
    passed("mul_backward")


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


def check_relu_backward(relu_backward, seed: int = 0) -> None:
    """∂L/∂Z = ∂L/∂H · 1[Z > 0] for H = max(0, Z), against ``nn.relu_backward``.

    Z contains exact zeros: there the engine (and PyTorch) use the local derivative 0.
    """
    from ..nn import relu_backward as ref_backward
    from ..nn import relu_forward

    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(5, 4))
    Z[0, 0] = Z[3, 2] = 0.0
    dH = rng.normal(size=(5, 4))
    got = attempt(relu_backward, dH.copy(), Z.copy())
    expect_close(got, ref_backward(dH, relu_forward(Z)[1]), "relu_backward(dH, Z)",
                 "the local derivative of max(0, z) is 1 where z > 0 and 0 elsewhere (also at z = 0); "
                 "multiply it with the upstream gradient dH entry by entry")
    passed("relu_backward")


def check_affine_backward(affine_backward, seed: int = 0) -> None:
    """(dX, dW, db) of Z = X W + b against ``nn.affine_backward``, itself confirmed here
    by central differences of the scalar ⟨dZ, X W + b⟩ (whose gradient is exactly that)."""
    from ..nn import affine_backward as ref_backward
    from ..numdiff import numerical_grad

    rng = np.random.default_rng(seed)
    n, d, m = 5, 3, 4
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m)
    dZ = rng.normal(size=(n, m))
    ref = ref_backward(dZ, (X, W))
    # the reference itself, against finite differences of f(X, W, b) = Σ dZ ⊙ (X W + b)
    numeric = (numerical_grad(lambda x: np.sum(dZ * (x.reshape(n, d) @ W + b)), X.ravel()).reshape(n, d),
               numerical_grad(lambda w: np.sum(dZ * (X @ w.reshape(d, m) + b)), W.ravel()).reshape(d, m),
               numerical_grad(lambda c: np.sum(dZ * (X @ W + c)), b))
    assert all(np.allclose(r, q, atol=1e-6) for r, q in zip(ref, numeric)), "reference affine_backward is wrong"
    got = attempt(affine_backward, dZ.copy(), X.copy(), W.copy())
    expect(isinstance(got, (tuple, list)) and len(got) == 3,
           f"affine_backward should return three arrays (dX, dW, db), got {type(got).__name__}"
           + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else ""),
           "end with `return dX, dW, db`")
    hints = {"dX": "∂L/∂X has the shape of X, (n, d): combine dZ (n, m) with W (d, m)",
             "dW": "∂L/∂W has the shape of W, (d, m): every sample contributes x_iᵀ dz_i, so sum over the "
                   "samples with one matrix product of X and dZ",
             "db": "b is added to every row of Z, so its gradient collects (sums) dZ over the rows; shape (m,)"}
    for name, value, expected in zip(("dX", "dW", "db"), got, ref):
        expect_close(value, expected, f"{name} for X {X.shape}, W {W.shape}, b {b.shape}", hints[name])
    passed("affine_backward")


def check_n_params(n_params, seed: int = 0) -> None:
    """The number of weights and biases of a fully connected network with layer sizes ``sizes``.

    Three sizes are checked against ``TwoLayerNet(...).num_params``; longer lists against
    the sizes of the weight matrices and bias vectors such a network holds.
    """
    from ..nn import TwoLayerNet

    rng = np.random.default_rng(seed)
    cases = [[2, 16, 1], [3, 5, 2]] + [[int(v) for v in rng.integers(1, 20, 3)] for _ in range(2)]
    for sizes in cases:
        got = attempt(n_params, list(sizes))
        expected = TwoLayerNet(*sizes, seed=0).num_params
        expect(got is not None, f"n_params({sizes}) returned None. Did you forget `return`?")
        expect(isinstance(got, (int, np.integer)) and not isinstance(got, bool) and got == expected,
               f"n_params({sizes}) = {got!r} is wrong (W1 is {sizes[0]}×{sizes[1]}, …)",
               "count every weight matrix W (n_in × n_out of its layer) and every bias vector b "
               "(one entry per unit of the layer it feeds); the input layer has no bias. Return an int.")
    for _ in range(2):
        sizes = [int(v) for v in rng.integers(1, 12, int(rng.integers(4, 6)))]
        arrays = [np.zeros((a, c)) for a, c in zip(sizes[:-1], sizes[1:])] + [np.zeros(c) for c in sizes[1:]]
        got = attempt(n_params, list(sizes))
        expect(isinstance(got, (int, np.integer)) and got == sum(a.size for a in arrays),
               f"n_params({sizes}) = {got!r} is wrong for a network with {len(sizes) - 2} hidden layers",
               "loop over consecutive pairs of sizes (one weight matrix and one bias vector per pair)")
    passed("n_params")
