"""Compiler 1: a flat program by the compute-graph engine's chain rule.

The objective's folded expression tree (:func:`expressions.typed_tree`) is evaluated on input
Values, the engine's reverse mode (``graph.grad(..., create_graph=True)``) builds the gradient as
a graph of the same operations, and both graphs are written out in topological order, read through
the engine's public hooks (``Value.parents``, ``Value.op``, ``Value.exponent``). Evaluating the
program therefore repeats the engine's arithmetic operation by operation: the gradient is the
engine's chain rule, not a finite difference. Small integer powers are multiplied out exactly as
the engine does.
"""
from __future__ import annotations

import numpy as np

from .. import expressions, graph
from ..graph import Value
from .format import BINARY, NotCompilable, Writer, assemble

__all__ = ["graph_program"]

#: the engine's op names (``Value.op``) -> program ops
_ENGINE_OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "neg": "neg", "exp": "exp", "log": "log",
               "sqrt": "sqrt", "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh", "abs": "abs",
               "(·)²": "square", "sigmoid": "sigmoid", "max(0,·)": "relu", "step": "step", "sign": "sign"}


class _GraphWriter(Writer):
    """Writes graph nodes as ops, parents first; one register per node, constants shared."""

    def __init__(self, inputs: list[Value]):
        super().__init__()
        self.regs: dict[int, int] = {}
        for i, node in enumerate(inputs):
            self.regs[id(node)] = self._emit("input", index=i)

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
        if not v.parents:
            return self.const(_uniform(v))
        parents = [self.regs[id(p)] for p in v.parents]
        if v.exponent is not None:
            return self.power(parents[0], v.exponent)
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


def graph_program(tree, variables: tuple[str, ...], name: str, *, hessian: bool = False) -> dict:
    """The flat program of a folded expression tree (:func:`expressions.typed_tree`): the value's
    graph, then each gradient component's graph (``program["gradient"] == "chain rule"``).

    hessian : also the Hessian, the chain rule once more, written after the gradient (the ops before
              are the same): ``program["hessian"]`` (rows of registers) and ``program["gradient_ops"]``
              (the ops the value and gradient need). The kernel's catalogue objectives run them, and the
              browser's ``hessianAt`` where a scene asks for them (``Explorer.SCENE_HESSIAN``)."""
    with graph.allow_nan():
        inputs = [Value(np.array([0.3, 0.7]) + i, name=v) for i, v in enumerate(variables)]
        out = expressions.evaluate_tree(tree, dict(zip(variables, inputs)))
        emit = _GraphWriter(inputs)
        if not isinstance(out, Value):                   # a constant function
            value, grads = emit.const(out), [emit.const(0.0)] * len(inputs)
            program = assemble(emit, name, variables, value, grads, len(emit.ops))
            return program | ({"hessian": [grads] * len(inputs), "gradient_ops": len(emit.ops)} if hessian else {})
        graph.symbolic_slopes(out)     # relu's and abs's slopes recomputed at every point, not constants
        value, value_ops = _written(emit, out), len(emit.ops)
        first = graph.grad(out, inputs, create_graph=True)
        grads = [_written(emit, g) for g in first]
        if not hessian:
            return assemble(emit, name, variables, value, grads, value_ops)
        gradient_ops = len(emit.ops)
        second = [graph.grad(g, inputs, create_graph=True) for g in first]  # all alive while written: ids stay unique
        rows = [[_written(emit, h) for h in row] for row in second]
    return assemble(emit, name, variables, value, grads, value_ops) | {"hessian": rows, "gradient_ops": gradient_ops}


def _written(emit: _GraphWriter, v: Value) -> int:
    """The register of ``v`` once its graph is written out (parents first). The writer knows nodes by
    ``id``: every graph written must stay alive until the program is done."""
    for node in graph.topological_order(v):
        emit.node(node)
    return emit.regs[id(v)]
