"""A compute-graph engine small enough to read in one sitting (slides 5–8).

Every arithmetic operation on a :class:`Value` creates a new node that
remembers its parents (``parents``), its operation (``op``) and how to compute
its *local derivatives* ∂out/∂parent (``local_derivatives()``). ``backward()`` then applies the chain
rule from the output back to the inputs, in reverse topological order:

    ∂L/∂parent = Σ_{children c}  ∂L/∂c · ∂c/∂parent
                  (upstream grad)   (local derivative)

``data`` may be a Python float or a numpy array. Array operations broadcast
like numpy; a gradient flowing back to a smaller operand is summed over the
broadcast axes ("unbroadcast"), so ``x.grad`` always has ``x``'s shape.

Local derivatives are themselves written with ``Value`` operations, so the
gradient can be a graph too: ``grad(f, [x], create_graph=True)`` returns
gradients you can differentiate again (Hessian entries), like
``torch.autograd.grad``.

Errors. By default (strict mode) a non-finite input, ``log`` of a non-positive
number, ``sqrt`` of a negative number, division by zero or a non-numeric
operand raise a ValueError/TypeError that names the problem. Inside
``with allow_nan():`` the same points quietly give NaN/inf (no numpy warnings),
which is what evaluating a typed-in formula on a whole grid needs.
"""
from __future__ import annotations

import contextlib
import numbers
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence, Union

import numpy as np

__all__ = [
    "Value", "BackwardStep", "allow_nan", "grad", "name_leaves", "symbolic_slopes", "topological_order",
    "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "abs", "sigmoid", "relu", "square",
]

Number = Union[float, np.ndarray]


class _Mode:
    strict = True   # raise on undefined/non-finite results (False: NaN silently)
    record = True   # remember parents (False while computing plain gradients)


_mode = _Mode()


@contextlib.contextmanager
def allow_nan() -> Iterator[None]:
    """Evaluate with NaN/inf instead of errors, and without numpy warnings.

    >>> with allow_nan():
    ...     y = log(Value(np.array([1.0, -1.0])))   # [0.0, nan], no error
    """
    old = _mode.strict
    _mode.strict = False
    try:
        with np.errstate(all="ignore"):
            yield
    finally:
        _mode.strict = old


@contextlib.contextmanager
def _no_record() -> Iterator[None]:
    old = _mode.record
    _mode.record = False
    try:
        yield
    finally:
        _mode.record = old


def _as_data(x, what: str = "Value data") -> Number:
    """A float for scalars, a float array otherwise; rejects non-numbers."""
    if isinstance(x, (bool, np.bool_)) or not (
        isinstance(x, (numbers.Real, np.ndarray, list, tuple))
    ):
        raise TypeError(f"{what} must be a real number or an array of real numbers, "
                        f"got {type(x).__name__} {x!r}")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a real number or an array of real numbers, "
                        f"got {type(x).__name__}") from None
    return float(arr) if arr.ndim == 0 else arr


def _finite(x: Number) -> bool:
    return bool(np.isfinite(x).all()) if isinstance(x, np.ndarray) else np.isfinite(x)


def _zeros(x: Number) -> Number:
    return np.zeros_like(x) if isinstance(x, np.ndarray) else 0.0


def _shape(x: Number) -> tuple:
    return x.shape if isinstance(x, np.ndarray) else ()


def _power(a: Number, n: float) -> Number:
    """a ** n; small integer powers by repeated multiplication, which numpy's
    general float power (~100x slower on arrays) does not do by itself."""
    k = int(n) if n > 0 else -int(n)  # (this module's abs is the graph operation)
    if n.is_integer() and 1 <= k <= 16:
        result, base = None, a
        while k:
            if k & 1:
                result = base if result is None else result * base
            k >>= 1
            if k:
                base = base * base
        return result if n > 0 else 1.0 / result
    return np.power(a, n)


class Value:
    """One node of the compute graph: ``data``, ``grad``, ``parents``, ``op``, ``name``.

    data : float or array (any shape); non-finite data raises ValueError
           (unless inside :func:`allow_nan`).
    grad : ∂(output)/∂(this node) after ``output.backward()``; same shape as data.

    Reading a graph (e.g. to write it out as a program, :mod:`i2dl_helpers.flatprog`):
    ``parents`` (the operands, in order; () for a leaf), ``op`` (the operation's name,
    e.g. "+", "exp", "**3"), ``exponent`` (n of a node ``a ** n``, else None) and
    ``local_derivatives()`` (∂node/∂parent for each parent).
    """

    __array_ufunc__ = None  # make ``np.float64(2) * v`` call Value.__rmul__

    #: n of a node made by ``a ** n`` (a float); None for every other node
    exponent: float | None = None

    def __init__(self, data, name: str = "", _prev: tuple = (), op: str = "",
                 _local: Callable[[], tuple] | None = None):
        if not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        if isinstance(data, Value):
            raise TypeError("Value data must be a number or an array, got a Value; "
                            "use the Value itself")
        self.data: Number = _as_data(data)
        if _mode.strict and not _finite(self.data):
            raise ValueError(f"Value{f' {name!r}' if name else ''} got a non-finite input "
                             f"({self.data!r}); inputs must be finite numbers")
        self._grad: Number | None = None  # allocated on first use: big arrays cost time
        self.name = name
        self.op = op
        self._prev: tuple[Value, ...] = _prev if _mode.record else ()
        self._local = _local if _mode.record else None
        self.steps: list[BackwardStep] = []

    # --- housekeeping -------------------------------------------------------------
    @property
    def grad(self) -> Number:
        """∂(output)/∂(this node) after ``output.backward()`` (zeros before)."""
        if self._grad is None:
            self._grad = _zeros(self.data)
        return self._grad

    @grad.setter
    def grad(self, value: Number) -> None:
        self._grad = value

    @property
    def shape(self) -> tuple:
        return _shape(self.data)

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in operand order (``a - b``: (a, b)); () for a leaf
        (an input, a constant, or any node made while the graph is not recorded)."""
        return self._prev

    def local_derivatives(self) -> tuple:
        """∂self/∂parent for each of ``parents``, in order: Values (graphs themselves) or plain numbers,
        e.g. (1.0, -1.0) for ``a - b``, (n · a^(n−1),) for ``a ** n``; () for a leaf. Each call builds
        the derivative anew, so call it inside :func:`allow_nan` where the data may be undefined."""
        return self._local() if self._prev else ()

    def __repr__(self) -> str:
        label = f", name={self.name!r}" if self.name else ""
        op = f", op={self.op!r}" if self.op else ""
        if isinstance(self.data, np.ndarray):
            return f"Value(shape={self.data.shape}{op}{label})"
        return f"Value(data={self.data:.6g}, grad={float(self.grad):.6g}{op}{label})"

    @staticmethod
    def _lift(other) -> "Value":
        return other if isinstance(other, Value) else Value(_as_data(other, "operand"), op="const")

    def _make(self, fn: Callable, parents: tuple, op: str, local: Callable[[], tuple]) -> "Value":
        """Child node with data fn(*parent data); numpy semantics, no warnings; checked if strict."""
        with np.errstate(all="ignore"):
            data = fn(*(p.data for p in parents))
        if _mode.strict and not _finite(data):
            raise ValueError(f"{op} gave a non-finite result (overflow?) for input(s) "
                             f"{', '.join(_short(p.data) for p in parents)}")
        return Value(data, _prev=parents, op=op, _local=local)

    # --- binary operations ---------------------------------------------------------
    def __add__(self, other) -> "Value":
        """a + b;  ∂/∂a = 1,  ∂/∂b = 1."""
        other = Value._lift(other)
        return self._make(np.add, (self, other), "+", lambda: (1.0, 1.0))

    def __mul__(self, other) -> "Value":
        """a · b;  ∂/∂a = b,  ∂/∂b = a."""
        other = Value._lift(other)
        return self._make(np.multiply, (self, other), "*", lambda: (other, self))

    def __sub__(self, other) -> "Value":
        """a − b;  ∂/∂a = 1,  ∂/∂b = −1."""
        other = Value._lift(other)
        return self._make(np.subtract, (self, other), "-", lambda: (1.0, -1.0))

    def __truediv__(self, other) -> "Value":
        """a / b;  ∂/∂a = 1/b,  ∂/∂b = −a/b².  Strict mode: b = 0 raises."""
        other = Value._lift(other)
        if _mode.strict and np.any(np.asarray(other.data) == 0):
            raise ValueError("division by zero: the denominator is 0")
        return self._make(np.divide, (self, other), "/",
                          lambda: (1.0 / other, -self / (other * other)))

    def __pow__(self, n) -> "Value":
        """a ** n for a constant n;  ∂/∂a = n · a^(n−1)."""
        if isinstance(n, Value):
            raise TypeError("the exponent must be a constant number, not a Value; "
                            "write exp(b * log(a)) for a ** b")
        if isinstance(n, bool) or not isinstance(n, numbers.Real) or not np.isfinite(n):
            raise TypeError(f"the exponent must be a finite real number, got {n!r}")
        n = float(n)
        if _mode.strict:
            if not n.is_integer() and np.any(np.asarray(self.data) < 0):
                raise ValueError(f"a ** {n:g} is undefined for a negative base")
            if n < 0 and np.any(np.asarray(self.data) == 0):
                raise ValueError(f"a ** {n:g} is undefined at a = 0 (division by zero)")
        out = self._make(lambda a: _power(a, n), (self,), f"**{n:g}",
                         lambda: (n * self ** (n - 1.0),) if n != 1.0 else (1.0,))
        out.exponent = n
        return out

    def __rpow__(self, c) -> "Value":
        """c ** a for a constant c > 0;  ∂/∂a = c^a · ln c."""
        c = float(_as_data(c, "base"))
        if c <= 0:
            raise ValueError(f"c ** x needs a positive base c, got {c:g}")
        return (self * float(np.log(c))).exp()

    def __neg__(self) -> "Value":
        """−a;  ∂/∂a = −1."""
        return self._make(np.negative, (self,), "neg", lambda: (-1.0,))

    def __pos__(self): return self
    def __radd__(self, other): return Value._lift(other) + self
    def __rsub__(self, other): return Value._lift(other) - self
    def __rmul__(self, other): return Value._lift(other) * self
    def __rtruediv__(self, other): return Value._lift(other) / self
    def __abs__(self): return self.abs()

    # --- unary functions -------------------------------------------------------------
    def exp(self) -> "Value":
        """e^a;  ∂/∂a = e^a."""
        out = self._make(np.exp, (self,), "exp", lambda: (out,))
        return out

    def log(self) -> "Value":
        """ln a;  ∂/∂a = 1/a.  Strict mode: a ≤ 0 raises."""
        if _mode.strict and np.any(np.asarray(self.data) <= 0):
            raise ValueError(f"log is only defined for positive numbers, got {_short(self.data)}")
        return self._make(np.log, (self,), "log", lambda: (1.0 / self,))

    def sqrt(self) -> "Value":
        """√a;  ∂/∂a = 1/(2√a).  Strict mode: a < 0 raises."""
        if _mode.strict and np.any(np.asarray(self.data) < 0):
            raise ValueError(f"sqrt is only defined for non-negative numbers, got {_short(self.data)}")
        out = self._make(np.sqrt, (self,), "sqrt", lambda: (0.5 / out,))
        return out

    def sin(self) -> "Value":
        """sin a;  ∂/∂a = cos a."""
        return self._make(np.sin, (self,), "sin", lambda: (self.cos(),))

    def cos(self) -> "Value":
        """cos a;  ∂/∂a = −sin a."""
        return self._make(np.cos, (self,), "cos", lambda: (-self.sin(),))

    def tan(self) -> "Value":
        """tan a;  ∂/∂a = 1 + tan² a."""
        out = self._make(np.tan, (self,), "tan", lambda: (1.0 + out * out,))
        return out

    def tanh(self) -> "Value":
        """tanh a;  ∂/∂a = 1 − tanh² a."""
        out = self._make(np.tanh, (self,), "tanh", lambda: (1.0 - out * out,))
        return out

    def sigmoid(self) -> "Value":
        """σ(a) = 1/(1 + e^−a);  ∂/∂a = σ(a)(1 − σ(a))."""
        stable = lambda a: np.exp(-np.logaddexp(0.0, np.negative(a)))  # no overflow
        out = self._make(stable, (self,), "sigmoid", lambda: (out * (1.0 - out),))
        return out

    def relu(self) -> "Value":
        """max(0, a);  ∂/∂a = 1 if a > 0 else 0 (0 at the kink, as in PyTorch)."""
        step = lambda: (Value(np.greater(self.data, 0.0).astype(float), op="const"),)
        return self._make(lambda a: np.maximum(a, 0.0), (self,), "max(0,·)", step)

    def abs(self) -> "Value":
        """|a|;  ∂/∂a = sign(a) (0 at a = 0, as in PyTorch)."""
        sign = lambda: (Value(_as_data(np.sign(self.data)), op="const"),)
        return self._make(np.abs, (self,), "abs", sign)

    def square(self) -> "Value":
        """a²;  ∂/∂a = 2a."""
        return self._make(np.square, (self,), "(·)²", lambda: (2.0 * self,))

    def sum(self) -> "Value":
        """Σ_i a_i (a scalar);  ∂/∂a_i = 1."""
        ones = lambda: (Value(np.ones_like(self.data), op="const"),)
        return self._make(np.sum, (self,), "sum", ones)

    def mean(self) -> "Value":
        """(1/n) Σ_i a_i;  ∂/∂a_i = 1/n."""
        return self.sum() * (1.0 / max(np.size(self.data), 1))

    def _sum_to(self, shape: tuple) -> "Value":
        """Sum over broadcast axes so the result has ``shape`` (the "unbroadcast")."""
        data = self.data
        lead = np.ndim(data) - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                          if s == 1 and np.shape(data)[i + lead] != 1)
        summed = lambda a: np.sum(a, axis=axes).reshape(shape)
        return self._make(summed, (self,), "sum_to", lambda: (Value(np.ones_like(data), op="const"),))

    # --- backward pass ----------------------------------------------------------------
    def backward(self) -> None:
        """Fill ``.grad`` of every node with ∂(self)/∂(node) by the chain rule.

        For array outputs this is the gradient of ``self.sum()``. Gradients are
        *set*, not accumulated, so calling it twice gives the same numbers. The
        steps taken are kept in ``self.steps`` (see :class:`BackwardStep`).
        """
        grads, self.steps = _backprop(self, create_graph=False, record_steps=True)
        for node in topological_order(self):
            node.grad = grads[node].data

    def zero_grad(self) -> None:
        """Reset ``.grad`` to zero on every node of this node's graph."""
        for node in topological_order(self):
            node.grad = _zeros(node.data)
        self.steps = []


def _short(x: Number) -> str:
    if isinstance(x, np.ndarray):
        return f"an array with min {np.min(x):.3g}" if x.size else "an empty array"
    return f"{x:.6g}"


@dataclass
class BackwardStep:
    """One step of the backward pass, in the order it happens.

    node  : the node whose gradient ∂L/∂node is complete after this step.
    grad  : that gradient, Σ over ``terms`` of upstream · local.
    terms : (child, local derivative ∂child/∂node, child's grad · local) for
            every child that uses ``node``; empty for the output (grad = 1).
    """
    node: Value
    grad: Number
    terms: list


def topological_order(output: Value) -> list[Value]:
    """All nodes of output's graph, every node after its parents (output last)."""
    order, seen = [], set()
    stack = [(output, False)]
    while stack:                                # iterative DFS: deep graphs are fine
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((p, False) for p in reversed(node._prev) if p not in seen)
    return order


#: the slope of relu and abs as an operation of the graph: op name -> (slope op, numpy function)
_SLOPES = {"max(0,·)": ("step", lambda a: np.greater(a, 0.0).astype(float)), "abs": ("sign", np.sign)}


def symbolic_slopes(output: Value) -> Value:
    """Make the slopes of relu and abs in output's graph nodes of the graph, in place; returns output.

    By default their local derivatives are constants read off the data (1 where a > 0 for relu,
    sign(a) for abs). Afterwards they are nodes ``step(a)`` (op "step": 1 if a > 0 else 0) and
    ``sign(a)`` (op "sign") with the node's operand as parent and derivative 0, so a gradient graph
    built from output (``grad(..., create_graph=True)``) recomputes them from its inputs, as a
    program written out from that graph must. The numbers of every gradient stay the same.
    """
    for node in topological_order(output):
        slope = _SLOPES.get(node.op)
        if slope is None:
            continue
        parent, (op, fn) = node._prev[0], slope

        def local(parent=parent, fn=fn, op=op):
            return (Value(fn(parent.data), _prev=(parent,), op=op, _local=lambda: (0.0,)),)
        node._local = local
    return output


def _backprop(output: Value, create_graph: bool, record_steps: bool = False):
    """Reverse-mode chain rule. Returns {node: gradient Value} (and the steps)."""
    strict = _mode.strict
    order = topological_order(output)
    recorder = contextlib.nullcontext() if create_graph else _no_record()
    grads: dict[Value, Value] = {}
    incoming: dict[Value, list] = {}
    steps: list[BackwardStep] = []
    with recorder, allow_nan():
        grads[output] = Value(_zeros(output.data) + 1.0, op="const")
        for node in reversed(order):
            g = grads.get(node)
            if g is None:
                continue
            if record_steps:
                steps.append(BackwardStep(node, g.data, incoming.pop(node, [])))
            if not node._prev:
                continue
            for parent, local in zip(node._prev, node._local()):
                local = Value._lift(local)
                if strict and not _finite(local.data):
                    raise ValueError(f"the derivative of {node.op} is not finite at "
                                     f"{_short(parent.data)}")
                term = g * local
                if term.shape != parent.shape:
                    term = term._sum_to(parent.shape)
                grads[parent] = grads[parent] + term if parent in grads else term
                if record_steps:
                    incoming.setdefault(parent, []).append((node, local.data, term.data))
    return grads, steps


def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> list[Value]:
    """∂output/∂input for each input, as Values (torch.autograd.grad style).

    For an array output this is the gradient of ``output.sum()``; on a grid of
    independent points it is the pointwise derivative. With
    ``create_graph=True`` the results are graphs themselves, so
    ``grad(grad(f, [x], True)[0], [y])`` gives the Hessian entry ∂²f/∂x∂y.
    Inputs the output does not depend on get a zero gradient. ``.grad`` is not touched.
    """
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {type(output).__name__}")
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"inputs[{i}] must be a Value, got {type(x).__name__}")
    grads, _ = _backprop(output, create_graph=create_graph)
    out = []
    for x in inputs:
        if x in grads:
            g = grads[x]
            out.append(g if create_graph else Value(g.data, op="grad"))
        else:
            out.append(Value(_zeros(x.data), op="const"))
    return out


# --- module-level functions: accept a Value or a plain number ----------------------------
def _unary(method: str) -> Callable:
    def f(x) -> Value:
        return getattr(Value._lift(x), method)()
    f.__name__ = method
    f.__doc__ = getattr(Value, method).__doc__
    return f


sin, cos, tan = _unary("sin"), _unary("cos"), _unary("tan")
exp, log, sqrt = _unary("exp"), _unary("log"), _unary("sqrt")
tanh, sigmoid, relu = _unary("tanh"), _unary("sigmoid"), _unary("relu")
abs, square = _unary("abs"), _unary("square")  # noqa: A001 (shadows builtin inside this module only)


def name_leaves(leaves: dict) -> dict:
    """Name every Value in a dict of object arrays after its key and index, in place.

    ``leaves["W1"][0, 1].name`` becomes ``"W1[0,1]"``, ``leaves["b2"][0].name`` ``"b2[0]"``: the names
    of the matrix form (W1, b1, W2, b2), so a drawn graph and the matrix layers use one naming.
    leaves : {name: object array of Value} (e.g. from ``TwoLayerNet.to_graph``). Returns ``leaves``.
    """
    if not isinstance(leaves, dict):
        raise TypeError(f"leaves must be a dict of arrays of Values, got {type(leaves).__name__}")
    for key, arr in leaves.items():
        arr = np.asarray(arr, dtype=object)
        for idx in np.ndindex(arr.shape):
            node = arr[idx]
            if not isinstance(node, Value):
                raise TypeError(f"leaves[{key!r}]{list(idx)} must be a Value, got {type(node).__name__}")
            node.name = f"{key}[{','.join(map(str, idx))}]"
    return leaves
