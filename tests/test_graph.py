"""Tests for i2dl_helpers.graph: random expressions against finite differences and torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from i2dl_helpers import graph as G
from i2dl_helpers.graph import Value, allow_nan, grad, topological_order
from i2dl_helpers.numdiff import numerical_grad

# ---------------------------------------------------------------------------
# Random expression trees: ("var", i) | ("const", c) | (op, child) | (op, left, right)
# ---------------------------------------------------------------------------
SMOOTH_UNARY = ["neg", "sin", "cos", "tanh", "sigmoid", "exp", "square", "pow3",
                "log1p2", "sqrt1p2"]
KINKED_UNARY = ["relu", "abs"]
BINARY = ["add", "sub", "mul", "div1p2", "radd", "rmul", "rsub", "rdiv"]
N_VARS = 3


def trees(unary, max_leaves=12):
    """Random expressions as straight-line programs (DAGs: nodes may be reused).

    A program is (constants, steps); each step (op, i, j) applies op to earlier
    nodes i and j (modulo the number of nodes so far). The output adds the last
    two nodes, so most steps influence it.
    """
    ops = st.sampled_from(unary + BINARY)
    steps = st.lists(st.tuples(ops, st.integers(0, 10_000), st.integers(0, 10_000)),
                     min_size=2, max_size=max_leaves)
    consts = st.lists(st.floats(-2, 2, allow_nan=False).filter(lambda c: abs(c) > 0.1), min_size=1, max_size=2)
    return st.tuples(st.just("program"), consts, steps)


def _libs():
    """The same operations written for Value, for numpy (finite differences) and for torch."""
    value = {
        "neg": lambda a: -a, "sin": G.sin, "cos": G.cos, "tanh": G.tanh, "sigmoid": G.sigmoid,
        "exp": G.exp, "square": G.square, "pow3": lambda a: a ** 3,
        "log1p2": lambda a: G.log(1 + a * a), "sqrt1p2": lambda a: G.sqrt(1 + a ** 2),
        "relu": G.relu, "abs": G.abs,
    }
    npy = {
        "neg": np.negative, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
        "sigmoid": lambda a: 1 / (1 + np.exp(-a)), "exp": np.exp, "square": np.square,
        "pow3": lambda a: a ** 3, "log1p2": lambda a: np.log(1 + a * a),
        "sqrt1p2": lambda a: np.sqrt(1 + a ** 2), "relu": lambda a: np.maximum(a, 0), "abs": np.abs,
    }
    binary = {
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div1p2": lambda a, b: a / (1 + b * b),
        "radd": lambda a, b: 0.5 + a, "rmul": lambda a, b: 1.5 * a,
        "rsub": lambda a, b: 1.0 - a, "rdiv": lambda a, b: 1.0 / (2 + a * a),
    }
    return value, npy, binary


VALUE_OPS, NUMPY_OPS, BINARY_OPS = _libs()


def evaluate(tree, xs, unary_ops, const=float):
    _, consts, steps = tree
    nodes = list(xs) + [const(c) for c in consts]
    for op, i, j in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(unary_ops[op](a) if op in unary_ops else BINARY_OPS[op](a, b))
    return nodes[-1] + nodes[-2]


def torch_ops(torch):
    return {
        "neg": lambda a: -a, "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh,
        "sigmoid": torch.sigmoid, "exp": torch.exp, "square": torch.square,
        "pow3": lambda a: a ** 3, "log1p2": lambda a: torch.log(1 + a * a),
        "sqrt1p2": lambda a: torch.sqrt(1 + a ** 2), "relu": torch.relu, "abs": torch.abs,
    }


points = st.lists(st.floats(-2, 2, allow_nan=False), min_size=N_VARS, max_size=N_VARS)


def _value_and_grad(tree, p):
    xs = [Value(v, name=f"x{i}") for i, v in enumerate(p)]
    out = evaluate(tree, xs, VALUE_OPS)
    if not isinstance(out, Value):        # the tree was a constant
        out = Value(out) * 1.0
    out.backward()
    return out, np.array([float(x.grad) for x in xs])


def _finite_values(tree, p):
    with np.errstate(all="ignore"):
        v = evaluate(tree, list(np.asarray(p, float)), NUMPY_OPS)
    return np.isfinite(v) and abs(v) < 1e6


# ---------------------------------------------------------------------------
# Gradients of random expressions
# ---------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(tree=trees(SMOOTH_UNARY), p=points)
def test_random_expressions_match_finite_differences(tree, p):
    assume(_finite_values(tree, p))
    out, g = _value_and_grad(tree, p)

    def f(q):
        return evaluate(tree, [q[..., i] for i in range(N_VARS)], NUMPY_OPS) + 0 * q[..., 0]

    g_num = numerical_grad(f, np.array(p, float))
    assume(np.all(np.abs(g_num) < 1e5))
    np.testing.assert_allclose(g, g_num, rtol=1e-5, atol=1e-5 * (1 + abs(out.data)))


@settings(max_examples=150, deadline=None)
@given(tree=trees(SMOOTH_UNARY + KINKED_UNARY), p=points)
def test_random_expressions_match_torch(tree, p):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[torch]' to run the reference checks")
    assume(_finite_values(tree, p))
    out, g = _value_and_grad(tree, p)
    xt = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in p]
    ot = evaluate(tree, xt, torch_ops(torch), const=lambda c: torch.tensor(c, dtype=torch.float64))
    ot = ot + 0 * sum(xt)      # every input takes part, so torch gives a (zero) grad
    ot.backward()
    g_ref = np.array([x.grad.item() for x in xt])
    np.testing.assert_allclose(out.data, ot.item(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g, g_ref, rtol=1e-12, atol=1e-12 * (1 + np.abs(g_ref).max()))


@settings(max_examples=60, deadline=None)
@given(tree=trees(SMOOTH_UNARY, max_leaves=8), p=points)
def test_second_derivatives_match_torch(tree, p):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[torch]' to run the reference checks")
    assume(_finite_values(tree, p))
    xs = [Value(v) for v in p]
    out = evaluate(tree, xs, VALUE_OPS)
    assume(isinstance(out, Value))
    first = grad(out, xs, create_graph=True)
    hess = np.array([[float(h.data) for h in grad(gi, xs)] for gi in first])

    xt = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in p]
    ot = evaluate(tree, xt, torch_ops(torch), const=lambda c: torch.tensor(c, dtype=torch.float64))
    assume(ot.requires_grad)
    gt = torch.autograd.grad(ot, xt, create_graph=True, allow_unused=True)
    ref = np.zeros((N_VARS, N_VARS))
    for i, gi in enumerate(gt):
        if gi is None or not gi.requires_grad:
            continue
        row = torch.autograd.grad(gi, xt, allow_unused=True, retain_graph=True)
        ref[i] = [0.0 if r is None else r.item() for r in row]
    assume(np.all(np.abs(ref) < 1e6))
    np.testing.assert_allclose(hess, ref, rtol=1e-11, atol=1e-11 * (1 + np.abs(ref).max()))


def test_array_broadcasting_gradients_match_torch():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[torch]' to run the reference checks")
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(size=(4, 1)), rng.normal(size=(1, 5)), rng.normal(size=(5,))
    x, y, z = Value(a), Value(b), Value(c)
    out = (G.sin(3 * x) * G.exp(-y ** 2) + G.tanh(x * z) / (1 + z * z)).sum()
    out.backward()
    xt, yt, zt = (torch.tensor(v, requires_grad=True) for v in (a, b, c))
    ot = (torch.sin(3 * xt) * torch.exp(-yt ** 2) + torch.tanh(xt * zt) / (1 + zt * zt)).sum()
    ot.backward()
    for v, t in [(x, xt), (y, yt), (z, zt)]:
        assert v.grad.shape == v.data.shape, "unbroadcast must restore the operand's shape"
        np.testing.assert_allclose(v.grad, t.grad.numpy(), rtol=1e-12, atol=1e-13)


def test_grid_hessian_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[torch]' to run the reference checks")
    X, Y = np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 1, 6))
    x, y = Value(X), Value(Y)
    f = G.sin(3 * x) * G.exp(-y ** 2) + x * x * y
    gx, gy = grad(f, [x, y], create_graph=True)
    hxy = grad(gx, [y])[0].data
    hyy = grad(gy, [y])[0].data
    xt, yt = torch.tensor(X, requires_grad=True), torch.tensor(Y, requires_grad=True)
    ft = torch.sin(3 * xt) * torch.exp(-yt ** 2) + xt * xt * yt
    gxt, gyt = torch.autograd.grad(ft.sum(), [xt, yt], create_graph=True)
    np.testing.assert_allclose(hxy, torch.autograd.grad(gxt.sum(), yt, retain_graph=True)[0].numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(hyy, torch.autograd.grad(gyt.sum(), yt)[0].numpy(), rtol=1e-12, atol=1e-12)


def test_broadcast_hessian_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[torch]' to run the reference checks")
    a, c = np.linspace(-1, 1, 4)[:, None], np.linspace(-0.5, 2, 5)[None, :]
    x, y = Value(a), Value(c)
    f = G.tanh(x * y) * G.exp(-y ** 2) + +x / (1 + y * y)
    gx, gy = grad(f, [x, y], create_graph=True)
    hxy, hyy = grad(gx, [x, y])[1].data, grad(gy, [y])[0].data
    xt, yt = torch.tensor(a, requires_grad=True), torch.tensor(c, requires_grad=True)
    ft = torch.tanh(xt * yt) * torch.exp(-yt ** 2) + xt / (1 + yt * yt)
    gxt, gyt = torch.autograd.grad(ft.sum(), [xt, yt], create_graph=True)
    assert hxy.shape == (1, 5) and hyy.shape == (1, 5)
    np.testing.assert_allclose(hxy, torch.autograd.grad(gxt.sum(), yt, retain_graph=True)[0].numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(hyy, torch.autograd.grad(gyt.sum(), yt)[0].numpy(), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------
# Local derivatives written out by hand (from calculus, not from the engine)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("fn, deriv", [
    (G.sin, np.cos), (G.cos, lambda a: -np.sin(a)), (G.tan, lambda a: 1 / np.cos(a) ** 2),
    (G.exp, np.exp), (G.log, lambda a: 1 / a), (G.sqrt, lambda a: 0.5 / np.sqrt(a)),
    (G.tanh, lambda a: 1 / np.cosh(a) ** 2),
    (G.sigmoid, lambda a: np.exp(-a) / (1 + np.exp(-a)) ** 2),
    (G.relu, lambda a: float(a > 0)), (G.abs, np.sign), (G.square, lambda a: 2 * a),
    (lambda v: v ** -1.5, lambda a: -1.5 * a ** -2.5), (lambda v: 3 ** v, lambda a: np.log(3) * 3 ** a),
    (lambda v: 2 / v, lambda a: -2 / a ** 2), (lambda v: 5 - v, lambda a: -1.0),
])
@pytest.mark.parametrize("a", [0.3, 1.7])
def test_local_derivatives(fn, deriv, a):
    x = Value(a)
    fn(x).backward()
    assert x.grad == pytest.approx(deriv(a), rel=1e-12)


def test_lecture_neuron_by_hand():
    # L = (max(0, x·w + b) − y)²; by hand ∂L/∂w = 2 (ŷ − y) · 1[x·w+b>0] · x
    x, w, b, y = Value(1.5), Value(-0.4), Value(2.0), Value(0.3)
    L = ((x * w + b).relu() - y) ** 2
    L.backward()
    y_hat = max(0.0, 1.5 * -0.4 + 2.0)
    assert L.data == pytest.approx((y_hat - 0.3) ** 2)
    assert w.grad == pytest.approx(2 * (y_hat - 0.3) * 1.5)
    assert b.grad == pytest.approx(2 * (y_hat - 0.3))
    assert y.grad == pytest.approx(-2 * (y_hat - 0.3))


# ---------------------------------------------------------------------------
# Behaviour of the engine
# ---------------------------------------------------------------------------
def test_backward_twice_gives_same_grads_and_zero_grad_resets():
    x, w = Value(2.0), Value(-1.0)
    y = x * w + x * x          # x used twice: gradients from both paths add up
    y.backward()
    first = (x.grad, w.grad)
    assert first == (2 * 2.0 - 1.0, 2.0)
    y.backward()
    assert (x.grad, w.grad) == first, "backward() twice must not double the gradients"
    y.zero_grad()
    assert all(n.grad == 0 for n in topological_order(y))


def test_every_node_keeps_its_fields():
    a = Value(1.0, name="a")
    c = (a * 2.0).exp()
    assert c.op == "exp" and c._prev[0].op == "*" and a.name == "a"
    assert c._prev[0]._prev[0] is a
    assert hasattr(c, "data") and hasattr(c, "grad")


def test_public_hooks_read_the_graph():
    """parents, op, exponent and local_derivatives(): what a reader of the graph (flatprog) uses."""
    a, b = Value(2.0, name="a"), Value(3.0, name="b")
    d = a - b
    assert d.parents == (a, b) and d.op == "-" and d.exponent is None
    assert d.local_derivatives() == (1.0, -1.0)
    assert a.parents == () and a.local_derivatives() == () and a.exponent is None
    p = a ** 3
    assert p.parents == (a,) and p.op == "**3" and p.exponent == 3.0
    (local,) = p.local_derivatives()
    assert isinstance(local, Value) and local.data == 12.0          # 3 · a²
    assert (a ** 1).exponent == 1.0 and (a ** 1).local_derivatives() == (1.0,)
    assert (a ** -0.5).exponent == -0.5 and G.sqrt(a).exponent is None
    assert [n.data for n in (a * b).local_derivatives()] == [3.0, 2.0]
    g = grad(a * a, [a])[0]                       # made while the graph is not recorded
    assert g.parents == () and g.local_derivatives() == ()


def test_symbolic_slopes_make_relu_and_abs_slopes_graph_nodes():
    x = Value(np.array([-1.5, 0.0, 2.0]), name="x")
    y = G.relu(x) * 3.0 + G.abs(x - 1.0)
    plain = grad(y, [x])[0].data
    assert G.symbolic_slopes(y) is y
    g = grad(y, [x], create_graph=True)[0]
    ops = [n.op for n in topological_order(g)]
    assert "step" in ops and "sign" in ops
    np.testing.assert_array_equal(g.data, plain)
    np.testing.assert_array_equal(g.data, 3.0 * np.greater(x.data, 0.0) + np.sign(x.data - 1.0))
    step = next(n for n in topological_order(g) if n.op == "step")
    assert step.parents == (x,) and step.local_derivatives() == (0.0,)
    assert G.symbolic_slopes(G.exp(x)).op == "exp"     # nothing to rewire


def test_topological_order_puts_parents_first():
    x = Value(0.5)
    y = G.sin(x) * G.cos(x) + x
    order = topological_order(y)
    pos = {id(n): i for i, n in enumerate(order)}
    assert order[-1] is y and len(pos) == len(order)
    for n in order:
        for p in n._prev:
            assert pos[id(p)] < pos[id(n)]


def test_backward_steps_replay_the_chain_rule():
    x, w = Value(3.0, name="x"), Value(0.5, name="w")
    out = G.square(x * w - 1.0)
    out.backward()
    steps = out.steps
    assert steps[0].node is out and steps[0].grad == 1.0 and steps[0].terms == []
    seen = [s.node for s in steps]
    assert len(seen) == len(set(map(id, seen))) == len(topological_order(out))
    for s in steps[1:]:
        # gradient = Σ upstream · local, and it is the grad stored on the node
        assert s.grad == pytest.approx(sum(child.grad * local for child, local, _ in s.terms))
        assert s.grad == pytest.approx(s.node.grad)
    w_step = next(s for s in steps if s.node is w)
    assert w_step.terms[0][1] == 3.0          # ∂(x·w)/∂w = x


def test_gradient_of_unused_input_is_zero():
    x, y = Value(1.0), Value(2.0)
    gx, gy = grad(x * 3.0, [x, y])
    assert gx.data == 3.0 and gy.data == 0.0


@pytest.mark.parametrize("make, exc, match", [
    (lambda: Value(float("nan")), ValueError, "non-finite input"),
    (lambda: Value(np.array([1.0, np.inf])), ValueError, "non-finite input"),
    (lambda: Value("3"), TypeError, "real number"),
    (lambda: Value(None), TypeError, "real number"),
    (lambda: Value(True), TypeError, "real number"),
    (lambda: Value(1.0) + "a", TypeError, "operand must be a real number"),
    (lambda: G.log(Value(0.0)), ValueError, "log is only defined for positive"),
    (lambda: G.log(-2.0), ValueError, "log is only defined for positive"),
    (lambda: G.sqrt(Value(-1.0)), ValueError, "sqrt is only defined for non-negative"),
    (lambda: Value(1.0) / 0.0, ValueError, "division by zero"),
    (lambda: Value(-2.0) ** 0.5, ValueError, "negative base"),
    (lambda: Value(2.0) ** Value(2.0), TypeError, "exponent must be a constant"),
    (lambda: G.exp(Value(800.0)), ValueError, "non-finite result"),
    (lambda: G.sqrt(Value(0.0)).backward(), ValueError, "derivative of sqrt is not finite"),
    (lambda: grad(3.0, []), TypeError, "output must be a Value"),
    (lambda: grad(Value(1.0), [2.0]), TypeError, r"inputs\[0\] must be a Value"),
    (lambda: Value(1.0, name=3), TypeError, "name must be a string"),
])
def test_bad_inputs_raise_clear_errors(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_allow_nan_gives_nan_silently_on_arrays():
    a = np.array([-1.0, 0.0, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with allow_nan():
            x = Value(a)
            f = G.log(x) + G.sqrt(x) + 1.0 / x
            gx, = grad(f, [x])
    assert np.isnan(f.data[0]) and not np.isfinite(f.data[1])
    assert f.data[2] == pytest.approx(np.log(4) + 2 + 0.25)
    assert gx.data[2] == pytest.approx(1 / 4 + 0.25 - 1 / 16)
    with pytest.raises(ValueError):   # strict again outside the block
        G.log(Value(a))


def test_numpy_scalars_on_the_left_stay_values():
    x = Value(2.0)
    assert isinstance(np.float64(3.0) * x, Value)
    assert isinstance(np.float64(3.0) - x, Value)


# ---------------------------------------------------------------------------
# Drawing and the backprop stepper (matplotlib / ipywidgets)
# ---------------------------------------------------------------------------
def _neuron():
    x, w, b, y = Value(1.5, name="x"), Value(-0.4, name="w"), Value(2.0, name="b"), Value(0.3, name="y")
    return ((x * w + b).relu() - y).square(), (x, w, b, y)


def test_layout_puts_inputs_left_and_output_right():
    from i2dl_helpers.plotting.graph_draw import layout
    L, leaves = _neuron()
    pos = layout(L)
    assert all(pos[v][0] == 0 for v in leaves)
    assert pos[L][0] == max(p[0] for p in pos.values()) == 5   # *, +, max, −, (·)² after the inputs
    for n in pos:
        for p in n._prev:
            assert pos[p][0] < pos[n][0], "every edge must point to the right"


def test_draw_shows_values_and_gradients():
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    from i2dl_helpers.plotting.graph_draw import draw
    L, (x, w, b, y) = _neuron()
    ax = draw(L)
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == len(topological_order(L))
    assert not any("∂" in t for t in texts), "no gradients are shown before backward()"
    L.backward()
    ax = draw(L)
    w_box = next(t.get_text() for t in ax.texts if t.get_text().startswith("w\n"))
    assert w_box == "w\n= -0.4\n∂ 3.3"            # 2·(1.4 − 0.3)·1.5 = 3.3
    with pytest.raises(TypeError, match="output must be a Value"):
        draw(3.0)


def test_backprop_stepper_walks_the_backward_pass():
    pytest.importorskip("ipywidgets")
    from i2dl_helpers.widgets.backprop import BackpropStepper
    L, (x, w, b, y) = _neuron()
    stepper = BackpropStepper(L)
    slider = stepper.controls["step"]
    assert slider.max == len(topological_order(L)) and stepper.current_step is None
    slider.value = 1
    assert stepper.current_step.node is L and "∂L/∂L = 1" in stepper.status_text
    k = next(i for i, s in enumerate(stepper.steps) if s.node is w) + 1
    slider.value = k
    assert stepper.current_step.node is w
    assert stepper.current_step.terms[0][1] == 1.5          # ∂(x·w)/∂w = x
    assert stepper.status_text.endswith("= 3.3") and stepper.error_text == ""
    shown = stepper.art.texts[x].get_text()
    x_done = any(s.node is x for s in stepper.steps[:k])
    assert shown.endswith("∂ ?") == (not x_done), "only finished nodes show their gradient"
    slider.value = slider.max
    assert all(not t.get_text().endswith("∂ ?") for t in stepper.art.texts.values())
    with pytest.raises(ValueError, match="scalar Value"):
        BackpropStepper(Value(np.ones(3)) * 2.0)


def test_name_leaves_gives_the_matrix_names_and_keeps_the_gradients():
    from i2dl_helpers.graph import name_leaves
    from i2dl_helpers.nn import TwoLayerNet, leaf_grads
    net = TwoLayerNet(2, 3, 1, seed=4)
    X, Y = np.array([[0.3, -0.7], [1.1, 0.2]]), np.array([[0.5], [-0.2]])
    loss, leaves = net.to_graph(X, Y)
    assert name_leaves(leaves) is leaves
    assert leaves["W1"][1, 2].name == "W1[1,2]" and leaves["b1"][0].name == "b1[0]"
    assert leaves["W2"][2, 0].name == "W2[2,0]" and leaves["b2"][0].name == "b2[0]"
    names = [v.name for arr in leaves.values() for v in arr.ravel()]
    assert len(names) == len(set(names)) == net.num_params
    loss.backward()
    _, grads = net.loss_and_grads(X, Y, reduction="sum")      # renaming changes nothing else
    assert all(np.allclose(leaf_grads(leaves)[k], grads[k]) for k in grads)
    with pytest.raises(TypeError, match="leaves"):
        name_leaves([1, 2])
    with pytest.raises(TypeError, match=r"leaves\['W1'\]"):
        name_leaves({"W1": np.array([1.0, 2.0], dtype=object)})


def test_graph_figures_fit_the_notebook_column():
    """At most 9 inches (900 px at dpi 100) wide: the drawing and the stepper of notebook 01."""
    pytest.importorskip("ipywidgets")
    from i2dl_helpers.nn import TwoLayerNet
    from i2dl_helpers.plotting.graph_draw import MAX_WIDTH, draw
    from i2dl_helpers.widgets.backprop import BackpropStepper
    assert MAX_WIDTH <= 9.0
    L, _ = _neuron()
    stepper = BackpropStepper(L)
    width_px = stepper.figure.get_size_inches()[0] * stepper.figure.dpi
    assert width_px <= 900 * stepper.figure.dpi / 100 + 1e-9
    assert stepper.figure.get_size_inches()[0] <= 9.0 + 1e-9
    net = TwoLayerNet(2, 2, 1, seed=1)
    big, _ = net.to_graph(np.ones((2, 2)), np.ones((2, 1)))   # 10 layers: wider than 9 in uncapped
    for output in (L, big):
        for inputs_left in (True, False):
            fig = draw(output, inputs_left=inputs_left).figure
            assert fig.get_size_inches()[0] <= 9.0 + 1e-9
            fig.canvas.draw()
            for text in fig.axes[0].texts:                 # every box stays inside the figure
                box = text.get_window_extent()
                assert box.x0 >= -1 and box.x1 <= fig.bbox.width + 1
