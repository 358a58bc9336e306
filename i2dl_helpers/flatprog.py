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

Typed functions and saddle use that chain rule. The other
catalogue objectives have a hand-written numpy gradient, restated in
``GRADIENT_FORMULAS``; their programs are the numpy code itself, value and
gradient written out operation by operation in numpy's order (``x**2`` is
``square``, ``x**3`` is ``pow``, as numpy computes them), not the engine's
chain rule. Why: the chain rule reaches the same gradient by other roundings,
and runs that amplify the last bit (RMSProp near a valley floor) then drift
visibly from ``optim.run`` on the catalogue objective. The restated programs
give the catalogue's value and gradient *bit for bit* in numpy (checked on a
grid at every compile; should they not, e.g. on another numpy build, the program
falls back to the chain rule). ``program["gradient"]`` says which: ``"numpy"``
or ``"chain rule"``. (The quadratic forms compute Aθ with plain products and
sums rather than a BLAS product, whose fused multiply-adds no program could
repeat and whose roundings depend on the machine.) In the browser the arithmetic ops
(+ − × ÷, sqrt) round as numpy's do; exp, sin, cos and pow are V8's own and
may differ from numpy's in the last bit. So saddle, whose numpy gradient calls
pow (``y**3``), keeps the chain rule (y·y·y): the browser then repeats its
program exactly, which a pow could not.

Program (a dict)::

    {"format": "i2dl-flatprog", "version": 1, "name": str, "variables": [str, ...],
     "dim": d, "registers": R, "ops": [op, ...], "value_ops": k,
     "value": register of L, "grad": [register of ∂L/∂θ_i for i < d],
     "gradient": "chain rule" | "numpy"}

Every op writes register ``out``; ``ops[:value_ops]`` compute ``value`` alone
(a contour grid needs no gradient). Ops:

    input  (index)        θ_index                      const (value)   a number
    add sub mul div (a, b)                              pow (a; n)      a ** n (np.power)
    neg exp log sqrt sin cos tan tanh abs square (a)    the numpy functions
    relu (a) = max(a, 0)   sigmoid (a) = exp(−logaddexp(0, −a))
    step (a) = 1 if a > 0 else 0 (relu's slope)         sign (a) (abs's slope)

Small integer powers are multiplied out exactly as the engine does (in the
programs restating numpy: as numpy computes them). Where L is undefined the
program gives NaN, as the typed functions do.

What compiles: every function :func:`expressions.parse` accepts, and the
catalogue's objectives of dimension 1 and 2 (``objectives.names()``), whose
numpy formulas are restated here as expression text (``FORMULAS``, and
``GRADIENT_FORMULAS`` for the hand-written gradients). That text is *checked*,
not trusted: compiling compares the program with the objective's own value and
gradient on a grid over its domain (bit for bit where the gradient is restated),
and ``tests/test_flatprog.py`` does so on whole grids.
Objectives built from data (LeastSquares, NetLoss, curve fits) raise
:class:`NotCompilable`: their loss needs the data set and runs in the kernel.

``evaluate(program, points)`` is the Python interpreter (numpy, vectorised over
points); ``to_objective(program)`` wraps it as an Objective, so ``optim.run`` can
run exactly the arithmetic the browser runs. The browser half is
``widgets/flatprog.js`` (the same ops, and an interpreter of the first-order optimisers' update
rules, declared once in :mod:`i2dl_helpers.optim.rules`); ``browser_source()`` is that module
linked (:mod:`i2dl_helpers.esm`) with the rules' declarations as the generated module ``rules.js``;
``tests/browser/test_flatprog_parity.py`` holds the two together.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from . import esm, expressions, graph
from .graph import Value
from .objectives.base import Objective

__all__ = ["FORMAT", "VERSION", "NotCompilable", "browser_source", "compile_expression", "compile_objective", "evaluate",
           "formula", "gradient_formula", "probe_points", "to_objective", "validate"]

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


def _assemble(emit: _Emitter, name, variables, value: int, grads: list[int], value_ops: int,
              gradient: str = "chain rule") -> dict:
    return {"format": FORMAT, "version": VERSION, "name": name, "variables": list(variables),
            "dim": len(variables), "registers": emit.count, "ops": emit.ops, "value_ops": value_ops,
            "value": value, "grad": grads, "gradient": gradient}


# -- a program that repeats numpy code ------------------------------------------------------------
#: functions of the expression text -> program ops, where the numpy call is the program op's
_NUMPY_CALLS = {"exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
                "tan": "tan", "tanh": "tanh", "abs": "abs", "square": "square"}


class _NumpyEmitter(_Emitter):
    """Writes a folded expression tree as the numpy code it restates: ``a ** n`` as numpy's
    ``ndarray ** n`` computes it (``square`` for 2, ``sqrt`` for 0.5, ``1/a`` for −1, else
    ``np.power``), no engine in between. Equal sub-expressions share one register."""

    def __init__(self, inputs: list[str]):
        super().__init__([])
        self.regs = {}
        self.seen: dict[tuple, int] = {}
        self.variables = {v: self._emit("input", index=i) for i, v in enumerate(inputs)}

    def _once(self, op: str, args: tuple, **extra) -> int:
        key = (op, args, tuple(sorted(extra.items())))
        if key not in self.seen:
            self.seen[key] = (self.binary(op, *args) if op in BINARY else self._emit(op, args, **extra))
        return self.seen[key]

    def tree(self, node) -> int:
        """The register of a folded tree (``expressions._fold``): a float, or a node of kind
        var, neg, pos, call, + − * / or ** with a constant exponent."""
        if isinstance(node, float):
            return self.const(node)
        kind = node.kind
        if kind == "var":
            return self.variables[node.text]
        if kind == "pos":
            return self.tree(node.args[0])
        if kind == "neg":
            return self._once("neg", (self.tree(node.args[0]),))
        if kind == "call":
            op = _NUMPY_CALLS.get(node.text)
            if op is None:
                raise NotCompilable(f"{node.text}() has no single numpy call to restate")
            return self._once(op, (self.tree(node.args[0]),))
        if kind == "**":
            base, n = node.args
            if not isinstance(n, float):
                raise NotCompilable("a power with a variable exponent has no single numpy call to restate")
            a = self.tree(base)
            if n == 1.0:
                return a
            if n == 2.0:
                return self._once("square", (a,))
            if n == 0.5:
                return self._once("sqrt", (a,))
            if n == -1.0:
                return self._once("div", (self.const(1.0), a))
            return self._once("pow", (a,), n=n)
        op = {"+": "add", "-": "sub", "*": "mul", "/": "div"}[kind]
        return self._once(op, (self.tree(node.args[0]), self.tree(node.args[1])))


def _numpy_program(value_text: str, grad_texts, variables: tuple[str, ...], name: str) -> dict:
    """The program that repeats numpy code: the value (its ops first), then each gradient
    component, every text read by expressions.parse (grammar, constants folded as Python folds
    ``4 * b``) and written out by :class:`_NumpyEmitter`."""
    trees = [_typed_tree(expressions.parse(text, variables))[0] for text in (value_text, *grad_texts)]
    emit = _NumpyEmitter(list(variables))
    value = emit.tree(trees[0])
    value_ops = len(emit.ops)
    grads = [emit.tree(t) for t in trees[1:]]
    return _assemble(emit, name, variables, value, grads, value_ops, gradient="numpy")


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
    """½ θᵀAθ − bᵀθ with A the (constant) Hessian and b = −∇L(0), in numpy's order:
    0.5·(x·(Aθ)_0 + y·(Aθ)_1) − (x·b_0 + y·b_1), (Aθ)_j = x·A_0j + y·A_1j."""
    A, b = obj.hessian(np.zeros(2)), -obj.grad(np.zeros(2))
    a = [f"(x*{_num(A[0, j])} + y*{_num(A[1, j])})" for j in range(2)]
    quad = f"0.5*(x*{a[0]} + y*{a[1]})"
    return quad if not b.any() else f"{quad} - (x*{_num(b[0])} + y*{_num(b[1])})"


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


def _rosenbrock_grad(obj) -> tuple[str, str]:
    # numpy: -2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)  (4 * b, 2 * b: Python floats)
    a, b = float(obj.minima[0, 0]), obj.hessian(np.zeros(2))[1, 1] / 2
    return f"-2*({_num(a)} - x) - 4*{_num(b)}*x*(y - x**2)", f"2*{_num(b)}*(y - x**2)"


def _plateau_grad(obj) -> tuple[str, str]:
    # numpy: exp(-q)[..., None] * (D * p), q = 0.5 * np.sum(D * p * p, axis=-1)
    d = np.diag(obj.hessian(np.zeros(2)))
    q = f"0.5*({_num(d[0])}*x*x + {_num(d[1])}*y*y)"
    return f"exp(-({q}))*({_num(d[0])}*x)", f"exp(-({q}))*({_num(d[1])}*y)"


def _quadratic_form_grad(obj) -> tuple[str, str]:
    # numpy: np.sum(p[..., :, None] * A, axis=-2) - b, i.e. (x·A[0, j] + y·A[1, j]) − b_j
    A, b = obj.hessian(np.zeros(2)), -obj.grad(np.zeros(2))
    return tuple(f"x*{_num(A[0, j])} + y*{_num(A[1, j])}" + (f" - {_num(b[j])}" if b[j] != 0 else "")
                 for j in range(2))


def _bowl_grad(obj) -> tuple[str, str]:
    # numpy: a * p
    a = _num(obj.hessian(np.zeros(2))[0, 0])
    return f"{a}*x", f"{a}*y"


#: catalogue name -> objective -> its hand-written numpy gradient as expression texts, one per
#: component, operation by operation in numpy's order (Python's left-to-right ``a * b * c``, its
#: folding of constant products such as ``4 * b``); the programs of these objectives give the
#: catalogue's gradient bit for bit. Without one (the chain rule):
#: * saddle: its ``y**3 - y`` calls numpy's pow, which V8's Math.pow does not repeat to the last bit;
#:   the chain rule's y·y·y keeps the browser on the numpy program bit for bit (a chaotic basin map,
#:   tests/browser/test_basin_parity.py, follows that program), where the restated gradient would
#:   follow neither program nor catalogue exactly.
GRADIENT_FORMULAS: dict[str, Callable] = {
    "quadratic": lambda obj: (f"{_num(obj.hessian(0.0))}*(x - {_num(obj.minima[0, 0])})",),
    "double_well": lambda obj: ("x*(x + 1)*(x - 1.5)",),
    "many_minima": lambda obj: ("0.2*x + 3*sin(3*x)",),
    "flat_saddle": lambda obj: ("x**2*(x - 1)",),
    "bowl": _bowl_grad,
    "rosenbrock": _rosenbrock_grad,
    "himmelblau": lambda obj: ("4*x*(x**2 + y - 11) + 2*(x + y**2 - 7)",
                               "2*(x**2 + y - 11) + 4*y*(x + y**2 - 7)"),
    "plateau": _plateau_grad,
    "ill_conditioned": _quadratic_form_grad,
    "ravine": _quadratic_form_grad,
    "quadratic_form": _quadratic_form_grad,
}


def _read_off(maker, objective):
    """A formula maker's text for the objective (parameters read off it), or NotCompilable."""
    if maker is None or _data_backed(objective) or getattr(objective, "dim", None) not in (1, 2):
        raise NotCompilable(_refusal(objective))
    try:
        return maker(objective)
    except (ArithmeticError, IndexError, TypeError, ValueError):   # not shaped like the catalogue's
        raise NotCompilable(f"objective {objective.name!r} is not the catalogue's {objective.name!r} "
                            "(its parameters cannot be read off); it needs a Python kernel") from None


def formula(objective) -> str:
    """The expression text of a catalogue objective (the one its program is compiled from)."""
    return _read_off(FORMULAS.get(getattr(objective, "name", None)), objective)


def gradient_formula(objective) -> tuple[str, ...] | None:
    """The catalogue objective's hand-written numpy gradient as expression texts (one per
    coordinate), or None where the program takes the gradient by the engine's chain rule."""
    maker = GRADIENT_FORMULAS.get(getattr(objective, "name", None))
    return None if maker is None else tuple(_read_off(maker, objective))


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


class _NotExact(NotCompilable):
    """The restated numpy program is close to the objective but not equal to the last bit."""


def probe_points(objective, n: int = 101, n_random: int = 256) -> np.ndarray:
    """The points a bit-for-bit check uses: an n×n grid over the domain (n² points on the line in
    1D), ``n_random`` seeded uniform points in it, the start and the known minima; shape (m, d)."""
    box = np.asarray(objective.domain, dtype=float)
    if objective.dim == 1:
        grid = np.linspace(box[0, 0], box[0, 1], n * n)[:, None]
    else:
        grid = np.stack(np.meshgrid(*(np.linspace(lo, hi, n) for lo, hi in box)), -1).reshape(-1, 2)
    rng = np.random.default_rng(20261201)
    rand = box[:, 0] + rng.random((n_random, objective.dim)) * (box[:, 1] - box[:, 0])
    return np.concatenate([grid, rand, objective.start[None], objective.minima])


def _same_bits(a, b) -> np.ndarray:
    """Per entry: equal as IEEE doubles bit for bit (so -0.0 differs from 0.0; NaN equals NaN)."""
    a, b = np.ascontiguousarray(a, dtype=float), np.ascontiguousarray(b, dtype=float)
    return (a.view(np.uint64) == b.view(np.uint64)) | (np.isnan(a) & np.isnan(b))


def _probe(objective, program: dict, *, exact: bool = False) -> None:
    """Compare the program with the objective at points of its domain; refuse on a mismatch.

    exact=False: four points, to 1e-9 of the largest value/gradient (is this the formula?).
    exact=True: every point of :func:`probe_points`, value and gradient bit for bit.
    """
    if exact:
        pts = probe_points(objective)
    else:
        box = np.asarray(objective.domain, dtype=float)
        fractions = np.array([0.13, 0.37, 0.61, 0.89])[:, None] + np.arange(objective.dim) * 0.07
        pts = box[:, 0] + (fractions % 1.0) * (box[:, 1] - box[:, 0])
    value, grad = evaluate(program, pts)
    with np.errstate(all="ignore"):
        ref_v, ref_g = objective(pts), np.reshape(objective.grad(pts), grad.shape)
    if exact:
        bad = ~(_same_bits(value, ref_v) & np.all(_same_bits(grad, ref_g), axis=-1))
        if bad.any():
            raise _NotExact(f"objective {objective.name!r}: the restated numpy program differs from the "
                            f"objective in the last bits at {int(bad.sum())} of {len(pts)} points, "
                            f"e.g. {pts[np.argmax(bad)].tolist()}")
        return
    scale = 1e-9 * (1.0 + np.abs(ref_v).max() + np.abs(ref_g).max())
    if not (np.all(np.abs(value - ref_v) <= scale) and np.all(np.abs(grad - ref_g) <= scale)):
        raise NotCompilable(f"objective {objective.name!r} does not match the catalogue formula "
                            f"{formula(objective)!r}; it needs a Python kernel")


def compile_objective(objective) -> dict:
    """The flat program (a JSON-serialisable dict, see the module docstring) of L and ∇L.

    objective : a typed function (``expressions.parse``) or a catalogue objective of dimension 1
                or 2 (``objectives.get(name, **params)``, parameters included).
    Raises NotCompilable (a ValueError) for anything else, e.g. objectives backed by data.

    A catalogue objective with a ``GRADIENT_FORMULAS`` entry gets the program that repeats its
    numpy value and gradient (``program["gradient"] == "numpy"``) when that equals the objective
    bit for bit on :func:`probe_points`; otherwise (and without an entry) the engine's chain rule.
    """
    if not (callable(objective) and hasattr(objective, "grad") and hasattr(objective, "dim")):
        raise TypeError(f"objective must be an Objective (value, grad, dim), got {type(objective).__name__}")
    typed = _typed_tree(objective)
    if typed is not None:
        return _program(typed[0], typed[1], objective.name)
    text = formula(objective)
    variables = ("x",) if objective.dim == 1 else ("x", "y")
    grad_texts = gradient_formula(objective)
    if grad_texts is not None:
        program = _numpy_program(text, grad_texts, variables, objective.name)
        try:
            _probe(objective, program, exact=True)
            return program
        except _NotExact:        # e.g. a lookalike, or numpy rounding otherwise: the chain rule, checked below
            pass
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


def browser_source(files=("flatprog.js",), rules=None) -> str:
    """The browser's module text: the given ES modules of ``widgets/`` (flatprog.js first) and what they
    import, linked into one module that exports their exports (:func:`i2dl_helpers.esm.link`), with the
    update rules' declarations as the generated module ``rules.js`` (``optim.rules.browser_prelude``, the
    constant ``OPTIMIZER_RULES``; ``rules``: other Rule objects by name, e.g. a test's wrong ones)."""
    return esm.link(files, Path(__file__).parent / "widgets", virtual=esm.rules_module(rules))
