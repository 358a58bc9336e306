"""Compiler 2: a flat program that repeats numpy code, written as expression text.

The text (e.g. a catalogue objective's value and hand-written gradient, :mod:`.catalogue`) is
read by :func:`expressions.parse` (its grammar, constants folded as Python folds ``4 * b``) and
written out operation by operation in numpy's order, no engine in between: ``x**2`` is
``square``, ``x**3`` is ``pow``, as numpy's ``ndarray ** n`` computes them. Equal
sub-expressions share one register.
"""
from __future__ import annotations

from .. import expressions
from .format import BINARY, NotCompilable, Writer, assemble

__all__ = ["numpy_program"]

#: functions of the expression text -> program ops, where the numpy call is the program op's
_NUMPY_CALLS = {"exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
                "tan": "tan", "tanh": "tanh", "abs": "abs", "square": "square"}


class _NumpyWriter(Writer):
    """Writes a folded expression tree as the numpy code it restates: ``a ** n`` as numpy's
    ``ndarray ** n`` computes it (``square`` for 2, ``sqrt`` for 0.5, ``1/a`` for −1, else
    ``np.power``). Equal sub-expressions share one register."""

    def __init__(self, inputs: list[str]):
        super().__init__()
        self.seen: dict[tuple, int] = {}
        self.variables = {v: self._emit("input", index=i) for i, v in enumerate(inputs)}

    def _once(self, op: str, args: tuple, **extra) -> int:
        key = (op, args, tuple(sorted(extra.items())))
        if key not in self.seen:
            self.seen[key] = (self.binary(op, *args) if op in BINARY else self._emit(op, args, **extra))
        return self.seen[key]

    def tree(self, node) -> int:
        """The register of a folded tree (:func:`expressions.typed_tree`): a float, or a node of kind
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
            return self._power(*node.args)
        op = {"+": "add", "-": "sub", "*": "mul", "/": "div"}[kind]
        return self._once(op, (self.tree(node.args[0]), self.tree(node.args[1])))

    def _power(self, base, n) -> int:
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


def numpy_program(value_text: str, grad_texts, variables: tuple[str, ...], name: str) -> dict:
    """The program that repeats numpy code: the value (its ops first), then each gradient
    component, every text read by expressions.parse and written out by :class:`_NumpyWriter`
    (``program["gradient"] == "numpy"``)."""
    trees = [expressions.typed_tree(expressions.parse(text, variables))[0] for text in (value_text, *grad_texts)]
    emit = _NumpyWriter(list(variables))
    value = emit.tree(trees[0])
    value_ops = len(emit.ops)
    grads = [emit.tree(t) for t in trees[1:]]
    return assemble(emit, name, variables, value, grads, value_ops, gradient="numpy")
