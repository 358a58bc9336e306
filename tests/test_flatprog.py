"""Flat programs: objectives compiled by the graph engine into ops that Python and the browser run alike.

The browser half (``widgets/flatprog.js``) is checked in Chromium by
``tests/browser/test_flatprog_parity.py``; here the Python half: every catalogue objective and
typed function compiles, the programs repeat the objectives' values and gradients (the catalogue's
formulas, the engine's gradients, central differences), data-backed objectives and other Python
functions are refused with a reason, and programs survive a JSON round trip. A catalogue objective's
value and gradient are its program run by numpy (it is declared once, as a formula): equal bit for
bit on whole grids, and ``optim.run`` on the program repeats ``optim.run`` on the objective exactly.
"""
from __future__ import annotations

import importlib.resources
import json
import warnings

import numpy as np
import pytest

from i2dl_helpers import expressions, flatprog, nn, objectives, optim
from i2dl_helpers.flatprog import NotCompilable, compile_expression, compile_objective, evaluate
from i2dl_helpers.numdiff import numerical_grad
from i2dl_helpers.objectives import LeastSquares, NetLoss, Objective, exponential_decay, linear_fit

RTOL = 1e-12

#: catalogue objectives with other parameters than the defaults (the formulas read them off)
PARAMETRISED = [
    ("quadratic", {"curvature": 4.0, "center": -1.25}),
    ("bowl", {"curvature": 2.5}),
    ("ill_conditioned", {"condition": 30.0, "angle": 25.0}),
    ("rosenbrock", {"a": 0.5, "b": 10.0}),
    ("ravine", {"condition": 10.0, "angle": -15.0, "curvature": 2.0}),
    ("plateau", {"width": 0.5}),
]

#: typed functions covering every function, constant and kind of power the parser knows
TYPED = [
    ("x**4 - 3*x**2 + x", ("x",)),
    ("sin(x) + cos(2*x) - tan(x/3) + tanh(x)", ("x",)),
    ("exp(-x**2) + log(x**2 + 1) + ln(2 + x) + sqrt(x**2 + 0.5)", ("x",)),
    ("sinh(x/2) + cosh(x/3) + abs(x - 0.3) + sigmoid(3*x) + relu(x - 0.1) + softplus(x) + square(x - 1)", ("x",)),
    ("x**-2 + x**0.5 + x**2.5 + x**17 / 1e6 + 2**x + pi*e*x", ("x",)),
    ("x**y + y**-1", ("x", "y")),
    ("(1 - x)^2 + 100*(y - x^2)^2", ("x", "y")),
    ("-x*y/(1 + x**2 + y**2) + abs(x)*relu(y) + x**0", ("x", "y")),
    ("x*y*z - z**3 + sin(x + y + z)", ("x", "y", "z")),
    ("x", ("x", "y")),
    ("3", ("x",)),
    ("2*pi", ("x", "y")),
]


def _grid(obj, n: int = 61) -> np.ndarray:
    if obj.dim == 1:
        return obj.grid(n)[:, None]
    return obj.grid(n)[2].reshape(-1, 2)


def _catalogue():
    yield from ((name, {}) for name in objectives.names())
    yield from PARAMETRISED


def _assert_close_to_objective(obj, program, pts):
    """Value and gradient within RTOL of the objective's, relative to their largest size on the points."""
    value, grad = evaluate(program, pts)
    ref_v, ref_g = obj(pts), np.reshape(obj.grad(pts), grad.shape)
    assert value.shape == ref_v.shape and grad.shape == (len(pts), obj.dim)
    np.testing.assert_allclose(value, ref_v, rtol=RTOL, atol=RTOL * np.abs(ref_v).max())
    np.testing.assert_allclose(grad, ref_g, rtol=RTOL, atol=RTOL * np.abs(ref_g).max())


# --- the catalogue ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name,params", list(_catalogue()), ids=lambda v: v if isinstance(v, str) else "")
def test_catalogue_objective_compiles_and_matches_its_numpy_formula(name, params):
    obj = objectives.get(name, **params)
    program = compile_objective(obj)
    assert program["dim"] == obj.dim and program["name"] == name
    pts = _grid(obj)
    _assert_close_to_objective(obj, program, pts)
    # and independently of both: central differences of the program's own value
    fd = numerical_grad(lambda p: evaluate(program, p, gradient=False), pts[::7], h=1e-6)
    np.testing.assert_allclose(evaluate(program, pts[::7])[1], fd.reshape(-1, obj.dim), rtol=1e-6,
                               atol=1e-6 * (1 + np.abs(fd).max()))


def _bits(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=float).view(np.uint64)


@pytest.mark.parametrize("name,params", list(_catalogue()), ids=lambda v: v if isinstance(v, str) else "")
def test_the_program_is_the_catalogues_value_and_gradient_bit_for_bit(name, params):
    obj = objectives.get(name, **params)
    program = compile_objective(obj)
    assert program["gradient"] == "chain rule"
    # a 101×101 grid over the domain (10201 points on the line), random points, start and minima,
    # plus points of its own: a 201×201 grid over twice the domain
    box = obj.domain
    wide = np.stack(np.meshgrid(*(np.linspace(2 * lo - hi, 2 * hi - lo, 201) for lo, hi in box)), -1)
    for pts in (flatprog.probe_points(obj), wide.reshape(-1, obj.dim)):
        value, grad = evaluate(program, pts)
        ref_g = np.reshape(obj.grad(pts), grad.shape)
        np.testing.assert_array_equal(_bits(value), _bits(obj(pts)))
        np.testing.assert_array_equal(_bits(grad), _bits(ref_g))
    # one point at a time, as optim.run asks (numpy's float64 numbers, not arrays): the same bits as on
    # the whole grid, which is what the browser's runs are compared with
    pts = flatprog.probe_points(obj)[::97]
    values, grads = evaluate(program, pts)
    for pt, value, grad in zip(pts, values, grads):
        assert _bits(obj(pt)) == _bits(value) and np.array_equal(_bits(np.reshape(obj.grad(pt), -1)), _bits(grad))
        one_v, one_g = evaluate(program, pt)
        assert _bits(one_v) == _bits(value) and np.array_equal(_bits(one_g), _bits(grad))


@pytest.mark.parametrize("name", objectives.names())
def test_optimisers_on_the_program_repeat_the_catalogue_run_exactly(name):
    obj = objectives.get(name)
    flat = flatprog.to_objective(compile_objective(obj))
    for racer, make in optim.racing.RACERS.items():
        for lr in (obj.lr, 10 * obj.lr):           # also runs that hop around or diverge
            ref = optim.run(obj, make(lr), obj.start, steps=200)
            got = optim.run(flat, make(lr), obj.start, steps=200)
            assert (got.status, got.stop_step) == (ref.status, ref.stop_step), (racer, lr)
            np.testing.assert_array_equal(got.points, ref.points, err_msg=f"{name} {racer} lr={lr}")


def test_a_quadratic_form_is_a_python_function_of_a_matrix_and_runs_in_the_kernel():
    obj = objectives.quadratic_form([[3.0, 0.5], [0.5, 1.0]], b=[1.0, -2.0], domain=[(-3, 3), (-3, 3)])
    with pytest.raises(NotCompilable, match="Python function"):
        compile_objective(obj)


def test_the_value_ops_alone_give_the_value():
    for name in objectives.names():
        obj = objectives.get(name)
        program = compile_objective(obj)
        pts = _grid(obj, 21)
        assert program["value_ops"] <= len(program["ops"])  # = when the gradient reuses the value's registers (ill_conditioned)
        np.testing.assert_array_equal(evaluate(program, pts, gradient=False), evaluate(program, pts)[0])


# --- typed functions -------------------------------------------------------------------------------
@pytest.mark.parametrize("text,variables", TYPED)
def test_typed_function_compiles_to_the_engines_arithmetic(text, variables):
    obj = expressions.parse(text, variables, domain=[(0.2, 2.0)] * len(variables))
    program = compile_expression(text, variables)
    assert program == compile_objective(obj)
    rng = np.random.default_rng(0)
    pts = rng.uniform(0.2, 2.0, size=(50, len(variables)))
    value, grad = evaluate(program, pts)
    # the same operations on the same numbers: equal to the last bit
    np.testing.assert_array_equal(value, obj(pts))
    np.testing.assert_array_equal(grad, np.reshape(obj.grad(pts), grad.shape))
    fd = numerical_grad(lambda p: evaluate(program, p, gradient=False), pts, h=1e-6)
    np.testing.assert_allclose(grad, fd.reshape(grad.shape), rtol=1e-5, atol=1e-5)


def _random_expression(rng, variables, depth: int = 0) -> str:
    """A random text in the parser's grammar (it may still be refused, e.g. a huge exponent)."""
    r = rng.random()
    if depth > 3 or r < 0.25:
        return str(rng.choice([*variables, "pi", "e", f"{rng.uniform(-3, 3):.3g}", str(rng.integers(1, 5))]))
    if r < 0.45:
        return f"{rng.choice(sorted(expressions.FUNCTIONS))}({_random_expression(rng, variables, depth + 1)})"
    if r < 0.55:
        return f"-{_random_expression(rng, variables, depth + 1)}"
    if r < 0.65:
        return f"({_random_expression(rng, variables, depth + 1)})**{rng.choice(['2', '3', '-1', '0.5', '1.5'])}"
    op = rng.choice(["+", "-", "*", "/"])
    return f"({_random_expression(rng, variables, depth + 1)} {op} {_random_expression(rng, variables, depth + 1)})"


def test_random_typed_functions_compile_and_agree_with_the_engine():
    rng = np.random.default_rng(17)
    pts = rng.uniform(-2.0, 2.0, size=(40, 2))
    compiled = 0
    for _ in range(150):
        text = _random_expression(rng, ("x", "y"))
        try:
            obj = expressions.parse(text, ("x", "y"))
        except expressions.ExpressionError:
            continue
        value, grad = evaluate(compile_objective(obj), pts)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ref_v, ref_g = obj(pts), obj.grad(pts)
        np.testing.assert_array_equal(value, ref_v, err_msg=text)
        np.testing.assert_array_equal(grad, ref_g, err_msg=text)
        compiled += 1
    assert compiled >= 100


def test_undefined_points_give_nan_without_warnings():
    program = compile_expression("log(x) + sqrt(y)", ("x", "y"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = evaluate(program, [[-1.0, 4.0], [1.0, 4.0]])
    assert np.isnan(value[0]) and value[1] == pytest.approx(2.0)
    assert grad[1].tolist() == [1.0, 0.25]
    value, grad = evaluate(program, [[1.0, -4.0]])
    assert np.isnan(value[0]) and np.isnan(grad[0, 1])


def test_kinks_take_slope_zero_as_the_engine_does():
    program = compile_expression("relu(x) + abs(x - 1)")
    value, grad = evaluate(program, [0.0, 1.0, 2.0, -1.0])
    np.testing.assert_array_equal(value, [1.0, 1.0, 3.0, 2.0])
    np.testing.assert_array_equal(grad[:, 0], [-1.0, 1.0, 2.0, -1.0])


def test_point_shapes():
    program = compile_expression("x**2")
    value, grad = evaluate(program, 3.0)
    assert value.shape == () and grad.shape == (1,) and float(value) == 9.0 and float(grad[0]) == 6.0
    value, grad = evaluate(program, [1.0, 2.0])
    assert value.shape == (2,) and grad.shape == (2, 1)
    program2 = compile_expression("x*y", ("x", "y"))
    value, grad = evaluate(program2, [2.0, 3.0])
    assert float(value) == 6.0 and grad.tolist() == [3.0, 2.0]
    with pytest.raises(ValueError, match=r"points must have shape \(\.\.\., 2\)"):
        evaluate(program2, [[1.0, 2.0, 3.0]])


# --- refusals --------------------------------------------------------------------------------------
def _data_objectives():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = X @ np.array([1.0, -2.0]) + 0.1 * rng.normal(size=30)
    net = nn.TwoLayerNet(1, 3, 1, seed=0)
    return {
        "LeastSquares": LeastSquares(X, y),
        "LeastSquares named like the catalogue": LeastSquares(X, y, name="bowl"),
        "NetLoss": NetLoss(net, X[:, :1], y),
        "exponential_decay": exponential_decay(),
        "linear_fit": linear_fit(X, y),
    }


@pytest.mark.parametrize("label", list(_data_objectives()))
def test_data_backed_objectives_are_refused_with_a_reason(label):
    obj = _data_objectives()[label]
    with pytest.raises(NotCompilable, match="backed by data.*needs a Python kernel"):
        compile_objective(obj)


def test_other_python_functions_are_refused():
    custom = Objective(lambda x: x**2, lambda x: 2 * x, dim=1, name="my_parabola")
    with pytest.raises(NotCompilable, match="'my_parabola' is a Python function.*needs a Python kernel"):
        compile_objective(custom)
    # a Python function named like a catalogue objective is still a Python function: no lookup by name
    impostor = Objective(lambda p: np.sum(p**2, axis=-1), lambda p: 2 * p, dim=2, name="rosenbrock")
    with pytest.raises(NotCompilable, match="'rosenbrock' is a Python function"):
        compile_objective(impostor)
    big = objectives.quadratic_form(np.eye(3))
    with pytest.raises(NotCompilable, match="Python function"):
        compile_objective(big)
    assert issubclass(NotCompilable, ValueError)
    with pytest.raises(TypeError, match="objective must be an Objective"):
        compile_objective("rosenbrock")


# --- the program as data ---------------------------------------------------------------------------
def test_json_round_trip_keeps_every_bit():
    for name in objectives.names():
        obj = objectives.get(name)
        program = compile_objective(obj)
        text = json.dumps(program, allow_nan=False)
        back = json.loads(text)
        assert back == program
        pts = _grid(obj, 31)
        for a, b in zip(evaluate(back, pts), evaluate(program, pts)):
            np.testing.assert_array_equal(a, b)


def test_programs_are_small_and_only_use_known_ops():
    known = set(flatprog.UNARY) | set(flatprog.BINARY) | {"input", "const", "pow"}
    for name in objectives.names():
        program = compile_objective(objectives.get(name))
        assert {op["op"] for op in program["ops"]} <= known
        assert len(program["ops"]) <= 60, (name, len(program["ops"]))


@pytest.mark.parametrize("mutate,message", [
    (lambda p: p.update(format="other"), "format"),
    (lambda p: (p["ops"].append({"op": "erf", "out": len(p["ops"]), "args": [0]}),
                p.update(registers=len(p["ops"]))), "must be an op among"),
    (lambda p: p["ops"][-1].update(args=[len(p["ops"])] * len(p["ops"][-1].get("args", [0]))),
     "earlier registers|must be an op"),
    (lambda p: p.update(grad=p["grad"][:1]), "'grad' registers"),
    (lambda p: p["ops"][0].update(index=5), "reads input 5"),
    (lambda p: p["ops"][1].update(out=7), "must write register 1"),
    (lambda p: p.update(registers=3), "'registers' = len\\(ops\\)"),
    (lambda p: p.update(value_ops=0), "'value_ops'"),
    (lambda p: next(op for op in p["ops"] if op["op"] == "const").update(value=float("nan")), "finite number"),
    (lambda p: next(op for op in p["ops"] if op["op"] == "add").update(args=[0]), "needs 2 earlier registers"),
])
def test_malformed_programs_are_refused(mutate, message):
    program = json.loads(json.dumps(compile_objective(objectives.get("rosenbrock"))))
    mutate(program)
    with pytest.raises(ValueError, match=message):
        evaluate(program, [[0.0, 0.0]])


def test_a_program_as_an_objective_takes_the_hessian_it_is_given():
    obj = objectives.get("saddle")
    flat = flatprog.to_objective(compile_objective(obj), hessian=obj._hess, minima=obj.minima)
    pts = _grid(obj, 11)
    np.testing.assert_array_equal(flat.hessian(pts), obj.hessian(pts))
    assert flat.analytic_hessian and np.array_equal(flat.minima, obj.minima)
    assert not flatprog.to_objective(compile_objective(obj)).analytic_hessian


def test_the_browser_module_is_package_data():
    source = importlib.resources.files("i2dl_helpers.widgets").joinpath("flatprog.js").read_text(encoding="utf-8")
    for name in ("export function evaluate", "export function runOptimizer", "export function makeStep"):
        assert name in source
