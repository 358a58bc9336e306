"""The flat program format: its ops, their numpy meaning, checking a program, and writing one.

Program (a dict)::

    {"format": "i2dl-flatprog", "version": 1, "name": str, "variables": [str, ...],
     "dim": d, "registers": R, "ops": [op, ...], "value_ops": k,
     "value": register of L, "grad": [register of ∂L/∂θ_i for i < d],
     "gradient": "chain rule"}

Every op writes register ``out``; ``ops[:value_ops]`` compute ``value`` alone
(a contour grid needs no gradient). Ops:

    input  (index)        θ_index                      const (value)   a number
    add sub mul div (a, b)                              pow (a; n)      a ** n (np.power)
    neg exp log sqrt sin cos tan tanh abs square (a)    the numpy functions
    relu (a) = max(a, 0)   sigmoid (a) = exp(−logaddexp(0, −a))
    step (a) = 1 if a > 0 else 0 (relu's slope)         sign (a) (abs's slope)

:class:`Writer` appends ops and shares constants; the compiler (:mod:`.from_graph`) builds on it.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["BINARY", "FORMAT", "NotCompilable", "UNARY", "VERSION", "Writer", "assemble", "validate"]

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


# -- writing a program ---------------------------------------------------------------------------
class Writer:
    """Appends ops, one new register each; equal constants share one register."""

    def __init__(self):
        self.ops: list[dict] = []
        self.count = 0
        self.consts: dict[tuple, int] = {}

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


def assemble(writer: Writer, name, variables, value: int, grads: list[int], value_ops: int) -> dict:
    """The program dict of the ops a writer wrote: ``value``'s register (computed by the first
    ``value_ops`` ops) and one gradient register per variable."""
    return {"format": FORMAT, "version": VERSION, "name": name, "variables": list(variables),
            "dim": len(variables), "registers": writer.count, "ops": writer.ops, "value_ops": value_ops,
            "value": value, "grad": grads, "gradient": "chain rule"}


# -- checking a program --------------------------------------------------------------------------
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
