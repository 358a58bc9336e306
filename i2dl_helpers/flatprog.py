"""Objectives as small flat programs that Python and the browser evaluate alike.

``compile_objective(objective)`` turns an objective's value L(θ) and gradient
∇L(θ) into a *flat program*: a JSON-serialisable list of operations over
numbered registers, e.g. ``{"op": "mul", "out": 5, "args": [2, 3]}``. The
program is built by the course's compute-graph engine (:mod:`i2dl_helpers.graph`):
the objective's expression tree (:mod:`i2dl_helpers.expressions`) is evaluated
on input Values, the engine's reverse mode (``graph.grad(..., create_graph=True)``)
builds the gradient as a graph of the same operations, and both graphs are
written out in topological order. Evaluating the program therefore repeats the
engine's arithmetic operation by operation: the gradient is the engine's
chain rule, not a finite difference.

Program (a dict)::

    {"format": "i2dl-flatprog", "version": 1, "name": str, "variables": [str, ...],
     "dim": d, "registers": R, "ops": [op, ...], "value_ops": k,
     "value": register of L, "grad": [register of ∂L/∂θ_i for i < d]}

Every op writes register ``out``; ``ops[:value_ops]`` compute ``value`` alone
(a contour grid needs no gradient). Ops:

    input  (index)        θ_index                      const (value)   a number
    add sub mul div (a, b)                              pow (a; n)      a ** n (np.power)
    neg exp log sqrt sin cos tan tanh abs square (a)    the numpy functions
    relu (a) = max(a, 0)   sigmoid (a) = exp(−logaddexp(0, −a))
    step (a) = 1 if a > 0 else 0 (relu's slope)         sign (a) (abs's slope)

Small integer powers are multiplied out exactly as the engine does. Where L is
undefined the program gives NaN, as the typed functions do.

What compiles: every function :func:`expressions.parse` accepts, and the
catalogue's objectives of dimension 1 and 2 (``objectives.names()``), whose
numpy formulas are restated here as expression text. That text is *checked*,
not trusted: compiling compares the program with the objective's own value and
gradient at points of its domain, and ``tests/test_flatprog.py`` on whole grids.
Objectives built from data (LeastSquares, NetLoss, curve fits) raise
:class:`NotCompilable`: their loss needs the data set and runs in the kernel.

``evaluate(program, points)`` is the Python interpreter (numpy, vectorised over
points); ``to_objective(program)`` wraps it as an Objective, so ``optim.run`` can
run exactly the arithmetic the browser runs. The browser half is
``widgets/flatprog.js`` (the same ops, and the first-order optimisers' update
rules); ``tests/browser/test_flatprog_parity.py`` holds the two together.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import expressions, graph
from .graph import Value
from .objectives.base import Objective

__all__ = ["FORMAT", "VERSION", "NotCompilable", "compile_expression", "compile_objective", "evaluate",
           "formula", "to_objective", "validate"]

FORMAT = "i2dl-flatprog"
VERSION = 1


class NotCompilable(ValueError):
    """The objective has no flat program (e.g. it is backed by data); it needs a Python kernel."""


def _sigmoid(a):
    """The engine's overflow-free σ(a) = exp(−log(1 + e^−a))."""
    return np.exp(-np.logaddexp(0.0, np.negative(a)))


#: one-argument operations, exactly the numpy calls the engine makes
UNARY: dict[str, Callable] = {
    "neg": np.negative, "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
    "tan": np.tan, "tanh": np.tanh, "abs": np.abs, "square": np.square, "sigmoid": _sigmoid,
    "relu": lambda a: np.maximum(a, 0.0), "step": lambda a: np.greater(a, 0.0).astype(float),
    "sign": np.sign,
}
#: two-argument operations
BINARY: dict[str, Callable] = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide}

#: the engine's op names (``Value.op``) -> program ops
_ENGINE_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "neg": "neg", "exp": "exp", "log": "log",
               "sqrt": "sqrt", "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh", "abs": "abs",
               "(·)²": "square", "sigmoid": "sigmoid", "max(0,·)": "relu", "step": "step", "sign": "sign"}


# -- building a program from the engine's graph ------------------------------------------------
class _Emitter:
    """Writes graph nodes as ops, parents first; one register per node, constants shared."""

    def __init__(self, inputs: list[Value]):
        self.ops: list[dict] = []
        self.count = 0
        self.regs: dict[int, int] = {}
        self.consts: dict[tuple, int] = {}
        for i, node in enumerate(inputs):
            self.regs[id(node)] = self._emit("input", index=i)

    def _emit(self, op: str, args: tuple = (), **extra) -> int:
        out = self.count
        self.count += 1
        entry = {"op": op, "out": out}
        if args:
            entry["args"] = list(args)
        entry.update(extra)
        self.ops.append(entry)
        return out

    def const(self, value: float) -> int:
        value = float(value)
        if not np.isfinite(value):
            raise NotCompilable(f"the program would need the constant {value!r}; only finite numbers are allowed")
        key = (value, bool(np.signbit(value)))        # keep -0.0 apart from 0.0
        if key not in self.consts:
            self.consts[key] = self._emit("const", value=value)
        return self.consts[key]

    def _is_const(self, reg: int, value: float) -> bool:
        op = self.ops[reg]
        return op["op"] == "const" and op["value"] == value and not np.signbit(op["value"])

    def binary(self, op: str, a: int, b: int) -> int:
        if op == "mul" and self._is_const(b, 1.0):   # x · 1 = x exactly (the chain rule's unit factors)
            return a
        if op == "mul" and self._is_const(a, 1.0):
            return b
        return self._emit(op, (a, b))

    def power(self, a: int, n: float) -> int:
        """a ** n as the engine computes it: small integer powers multiplied out, else np.power."""
        k = int(abs(n)) if n.is_integer() else 0
        if not 1 <= k <= 16:
            return self._emit("pow", (a,), n=n)
        result, base = None, a
        while k:
            if k & 1:
                result = base if result is None else self._emit("mul", (result, base))
            k >>= 1
            if k:
                base = self._emit("mul", (base, base))
        return result if n > 0 else self._emit("div", (self.const(1.0), result))

    def node(self, v: Value) -> int:
        """The register of node ``v`` (its parents already written)."""
        if id(v) in self.regs:
            return self.regs[id(v)]
        self.regs[id(v)] = reg = self._node(v)
        return reg

    def _node(self, v: Value) -> int:
        if not v._prev:
            return self.const(_uniform(v))
        parents = [self.regs[id(p)] for p in v._prev]
        if v.op.startswith("**"):
            return self.power(parents[0], _exponent(v))
        op = _ENGINE_OPS.get(v.op)
        if op is None:
            raise NotCompilable(f"the engine operation {v.op!r} has no flat-program form")
        return self.binary(op, *parents) if op in BINARY else self._emit(op, tuple(parents))


def _uniform(v: Value) -> float:
    """A constant leaf's number (array constants must hold one number, e.g. the seed ∂L/∂L = 1)."""
    data = np.asarray(v.data, dtype=float)
    if data.size == 0 or np.any(data != data.flat[0]):
        raise NotCompilable(f"the graph holds a constant that depends on the point ({v!r}); "
                            "it cannot be written as a flat program")
    return float(data.flat[0])


def _exponent(v: Value) -> float:
    """n of an engine node a ** n: its local derivative is (1.0,) for n = 1, else n · a^(n−1),
    a product whose first factor is the constant n."""
    local = v._local()[0]
    if not isinstance(local, Value):
        return 1.0
    return float(local._prev[0].data)


def _symbolic_slopes(output: Value) -> None:
    """Make relu's and abs's slopes graph nodes (step, sign) instead of constants taken from the
    data, so the program recomputes them at every point."""
    for node in graph.topological_order(output):
        op = {"max(0,·)": "step", "abs": "sign"}.get(node.op)
        if op is None:
            continue
        parent, fn = node._prev[0], UNARY[op]

        def local(parent=parent, fn=fn, op=op):
            return (Value(fn(parent.data), _prev=(parent,), op=op, _local=lambda: (0.0,)),)
        node._local = local


def _program(tree, variables: tuple[str, ...], name: str) -> dict:
    """The flat program of a folded expression tree (``expressions._fold``)."""
    with graph.allow_nan():
        inputs = [Value(np.array([0.3, 0.7]) + i, name=v) for i, v in enumerate(variables)]
        out = expressions._evaluate(tree, dict(zip(variables, inputs)))
        emit = _Emitter(inputs)
        if not isinstance(out, Value):                   # a constant function
            value, grads = emit.const(out), [emit.const(0.0)] * len(inputs)
            return _assemble(emit, name, variables, value, grads, len(emit.ops))
        _symbolic_slopes(out)
        for node in graph.topological_order(out):
            emit.node(node)
        value, value_ops = emit.regs[id(out)], len(emit.ops)
        grads = []
        for g in graph.grad(out, inputs, create_graph=True):
            for node in graph.topological_order(g):
                emit.node(node)
            grads.append(emit.regs[id(g)])
    return _assemble(emit, name, variables, value, grads, value_ops)


def _assemble(emit: _Emitter, name, variables, value: int, grads: list[int], value_ops: int) -> dict:
    return {"format": FORMAT, "version": VERSION, "name": name, "variables": list(variables),
            "dim": len(variables), "registers": emit.count, "ops": emit.ops, "value_ops": value_ops,
            "value": value, "grad": grads}


def compile_expression(text: str, variables=("x",)) -> dict:
    """The flat program of a typed function, e.g. ``compile_expression("x**2 + sin(y)", ("x", "y"))``.

    Accepts exactly what :func:`expressions.parse` accepts (and raises its ExpressionError otherwise).
    """
    return compile_objective(expressions.parse(text, variables))


# -- the catalogue's formulas as text ------------------------------------------------------------
def _num(v: float) -> str:
    """A float as parser text that reads back to the same float."""
    v = float(v)
    return f"({v!r})" if v < 0 or np.signbit(v) else repr(v)


def _quadratic(obj) -> str:
    a, c = float(obj.hessian(0.0)), float(obj.minima[0, 0])
    return f"0.5*{_num(a)}*(x - {_num(c)})**2"


def _bowl(obj) -> str:
    return f"0.5*{_num(obj.hessian(np.zeros(2))[0, 0])}*(x**2 + y**2)"


def _quadratic_form(obj) -> str:
    """½ θᵀAθ − bᵀθ with A the (constant) Hessian and b = −∇L(0)."""
    A, b = obj.hessian(np.zeros(2)), -obj.grad(np.zeros(2))
    quad = (f"0.5*({_num(A[0, 0])}*x*x + {_num(A[0, 1])}*x*y + {_num(A[1, 0])}*y*x "
            f"+ {_num(A[1, 1])}*y*y)")
    return quad if not b.any() else f"{quad} - ({_num(b[0])}*x + {_num(b[1])}*y)"


def _rosenbrock(obj) -> str:
    a, b = float(obj.minima[0, 0]), obj.hessian(np.zeros(2))[1, 1] / 2
    return f"({_num(a)} - x)**2 + {_num(b)}*(y - x**2)**2"


def _plateau(obj) -> str:
    d = np.diag(obj.hessian(np.zeros(2)))   # ∇²L(0) = diag(D)
    return f"1.0 - exp(-(0.5*({_num(d[0])}*x*x + {_num(d[1])}*y*y)))"


#: catalogue name -> objective -> its formula as expression text (parameters read off the objective)
FORMULAS: dict[str, Callable] = {
    "quadratic": _quadratic,
    "double_well": lambda obj: "x**4/4 - x**3/6 - 0.75*x**2",
    "many_minima": lambda obj: "0.1*x**2 - cos(3*x)",
    "flat_saddle": lambda obj: "x**4/4 - x**3/3",
    "bowl": _bowl,
    "ill_conditioned": _quadratic_form,
    "ravine": _quadratic_form,
    "quadratic_form": _quadratic_form,
    "rosenbrock": _rosenbrock,
    "himmelblau": lambda obj: "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "saddle": lambda obj: "0.5*x**2 + 0.25*y**4 - 0.5*y**2",
    "plateau": _plateau,
}


def formula(objective) -> str:
    """The expression text of a catalogue objective (the one its program is compiled from)."""
    maker = FORMULAS.get(getattr(objective, "name", None))
    if maker is None or _data_backed(objective) or getattr(objective, "dim", None) not in (1, 2):
        raise NotCompilable(_refusal(objective))
    try:
        return maker(objective)
    except (ArithmeticError, IndexError, TypeError, ValueError):   # not shaped like the catalogue's
        raise NotCompilable(f"objective {objective.name!r} is not the catalogue's {objective.name!r} "
                            "(its parameters cannot be read off); it needs a Python kernel") from None


def _data_backed(objective) -> bool:
    """LeastSquares, NetLoss (n_samples) and curve fits (residuals) compute their loss from data."""
    return hasattr(objective, "n_samples") or hasattr(objective, "residuals")


def _refusal(objective) -> str:
    kind, name = type(objective).__name__, getattr(objective, "name", "?")
    if _data_backed(objective):
        why = f"is backed by data ({kind}): its loss needs the data set"
    elif getattr(objective, "dim", None) not in (1, 2):
        why = f"has dimension {getattr(objective, 'dim', '?')}; the catalogue's formulas cover 1 and 2"
    else:
        why = "is a Python function the compiler cannot read"
    return (f"objective {name!r} {why}, so it has no flat program and needs a Python kernel; "
            "only typed functions (expressions.parse) and the catalogue's 1D and 2D objectives compile")


def _typed_tree(objective):
    """(folded tree, variables) of an objective made by expressions.parse, else None."""
    compiled = getattr(getattr(objective, "_fun", None), "__self__", None)
    if isinstance(compiled, expressions._Compiled):
        return compiled.tree, compiled.variables
    return None


def _probe(objective, program: dict) -> None:
    """Compare the program with the objective at points of its domain; refuse on a mismatch."""
    box = np.asarray(objective.domain, dtype=float)
    fractions = np.array([0.13, 0.37, 0.61, 0.89])[:, None] + np.arange(objective.dim) * 0.07
    pts = box[:, 0] + (fractions % 1.0) * (box[:, 1] - box[:, 0])
    value, grad = evaluate(program, pts)
    with np.errstate(all="ignore"):
        ref_v, ref_g = objective(pts), np.reshape(objective.grad(pts), grad.shape)
    scale = 1e-9 * (1.0 + np.abs(ref_v).max() + np.abs(ref_g).max())
    if not (np.all(np.abs(value - ref_v) <= scale) and np.all(np.abs(grad - ref_g) <= scale)):
        raise NotCompilable(f"objective {objective.name!r} does not match the catalogue formula "
                            f"{formula(objective)!r}; it needs a Python kernel")


def compile_objective(objective) -> dict:
    """The flat program (a JSON-serialisable dict, see the module docstring) of L and ∇L.

    objective : a typed function (``expressions.parse``) or a catalogue objective of dimension 1
                or 2 (``objectives.get(name, **params)``, parameters included).
    Raises NotCompilable (a ValueError) for anything else, e.g. objectives backed by data.
    """
    if not (callable(objective) and hasattr(objective, "grad") and hasattr(objective, "dim")):
        raise TypeError(f"objective must be an Objective (value, grad, dim), got {type(objective).__name__}")
    typed = _typed_tree(objective)
    if typed is not None:
        return _program(typed[0], typed[1], objective.name)
    text = formula(objective)
    variables = ("x",) if objective.dim == 1 else ("x", "y")
    tree = _typed_tree(expressions.parse(text, variables))[0]
    program = _program(tree, variables, objective.name)
    _probe(objective, program)
    return program


# -- the interpreter ------------------------------------------------------------------------------
_ARITY = {**{op: 1 for op in UNARY}, **{op: 2 for op in BINARY}, "pow": 1, "input": 0, "const": 0}


def _check_op(i: int, op, defined: int, dim: int) -> None:
    if not isinstance(op, dict) or op.get("op") not in _ARITY:
        raise ValueError(f"program ops[{i}] must be an op among {', '.join(sorted(_ARITY))}, got {op!r}")
    if op.get("out") != defined:
        raise ValueError(f"program ops[{i}] must write register {defined}, got out={op.get('out')!r}")
    args = op.get("args", [])
    if len(args) != _ARITY[op["op"]] or not all(isinstance(a, int) and 0 <= a < defined for a in args):
        raise ValueError(f"program ops[{i}] ({op['op']}) needs {_ARITY[op['op']]} earlier registers, got {args!r}")
    if op["op"] == "input" and op.get("index") not in range(dim):
        raise ValueError(f"program ops[{i}] reads input {op.get('index')!r}; the program has {dim}")
    extra = {"const": "value", "pow": "n"}.get(op["op"])
    if extra and not (isinstance(op.get(extra), (int, float)) and np.isfinite(op[extra])):
        raise ValueError(f"program ops[{i}] ({op['op']}) needs a finite number {extra!r}, got {op.get(extra)!r}")


def validate(program) -> dict:
    """Check a program's structure (e.g. after a JSON round trip); returns it. Raises ValueError."""
    if not isinstance(program, dict) or program.get("format") != FORMAT or program.get("version") != VERSION:
        raise ValueError(f"program must be a dict with format {FORMAT!r} and version {VERSION}")
    dim, ops = program.get("dim"), program.get("ops")
    if not isinstance(dim, int) or dim < 1 or not isinstance(ops, list) or program.get("registers") != len(ops):
        raise ValueError("program needs a positive integer 'dim', a list 'ops' and 'registers' = len(ops)")
    for i, op in enumerate(ops):
        _check_op(i, op, i, dim)
    _check_outputs(program, dim, len(ops))
    return program


def _check_outputs(program: dict, dim: int, n_ops: int) -> None:
    grads = program.get("grad")
    regs = [program.get("value"), *(grads if isinstance(grads, list) else [None])]
    if len(regs) != dim + 1 or not all(isinstance(r, int) and 0 <= r < n_ops for r in regs):
        raise ValueError(f"program needs a 'value' register and {dim} 'grad' registers among its ops")
    if not isinstance(program.get("value_ops"), int) or not program["value"] < program["value_ops"] <= n_ops:
        raise ValueError("program 'value_ops' must count the ops that compute the value")


def _run(ops: list[dict], columns: list[np.ndarray]) -> list:
    regs: list = []
    for op in ops:
        kind = op["op"]
        if kind == "input":
            regs.append(columns[op["index"]])
        elif kind == "const":
            regs.append(float(op["value"]))
        elif kind == "pow":
            regs.append(np.power(regs[op["args"][0]], float(op["n"])))
        else:
            fn = UNARY.get(kind) or BINARY[kind]
            regs.append(fn(*(regs[a] for a in op["args"])))
    return regs


def evaluate(program: dict, points, *, gradient: bool = True):
    """Run a flat program on points: returns (L(θ), ∇L(θ)), or L(θ) alone with ``gradient=False``.

    points : (n, d), or (d,) for one point (for d = 1 also a number or (n,)).
    Returns values of shape (n,) and gradients (n, d) (() and (d,) for one point); NaN where L is
    undefined, without numpy warnings.
    """
    return _evaluate(validate(program), points, gradient)


def _evaluate(program: dict, points, gradient: bool):
    """:func:`evaluate` of a validated program."""
    d = program["dim"]
    pts = np.asarray(points, dtype=float)
    if d == 1 and (pts.ndim == 0 or pts.shape[-1] != 1):
        pts = pts[..., None]
    if pts.shape[-1] != d:
        raise ValueError(f"points must have shape (..., {d}), got {np.shape(points)}")
    shape = pts.shape[:-1]
    flat = pts.reshape(-1, d)
    ops = program["ops"] if gradient else program["ops"][:program["value_ops"]]
    with np.errstate(all="ignore"):
        regs = _run(ops, [flat[:, i] for i in range(d)])
    n = flat.shape[0]
    value = np.broadcast_to(regs[program["value"]], (n,)).astype(float).reshape(shape)
    if not gradient:
        return value
    grad = np.stack([np.broadcast_to(regs[r], (n,)) for r in program["grad"]], axis=-1).astype(float)
    return value, grad.reshape(shape + (d,))


def to_objective(program: dict, *, domain=None) -> Objective:
    """An Objective whose value and gradient are the program run by :func:`evaluate` (numpy), e.g. to
    run ``optim.run`` on exactly the arithmetic the browser runs. The Hessian is taken by finite
    differences of the gradient."""
    validate(program)
    d = program["dim"]

    def grad(pts):
        g = _evaluate(program, pts, True)[1]
        return g[..., 0] if d == 1 else g
    return Objective(lambda pts: _evaluate(program, pts, False), grad, dim=d,
                     name=program.get("name", "flat program"), domain=domain)
