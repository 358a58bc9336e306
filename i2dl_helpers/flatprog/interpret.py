"""The Python interpreter of flat programs: numpy, vectorised over points.

``evaluate(program, points)`` runs a program op by op with the numpy functions of
:data:`.format.UNARY` and :data:`.format.BINARY`; ``to_objective(program)`` wraps it as an
Objective, so ``optim.run`` can run exactly the arithmetic the browser runs. The catalogue's
objectives are such Objectives (:func:`i2dl_helpers.objectives.catalogue.declare`): kernel and
browser run one program. The browser's interpreter is ``widgets/flatprog.js``.
"""
from __future__ import annotations

import operator
from functools import partial

import numpy as np

from ..objectives.base import Objective
from .format import UNARY, validate

__all__ = ["evaluate", "to_objective"]


#: + − × ÷ as Python's operators: on arrays they are numpy's ufuncs (np.add ...), on one point's np.float64
#: numbers numpy's scalar arithmetic, both the one IEEE operation, so a single point costs far less
_OPERATORS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}


_INPUT, _CONST, _UNARY, _BINARY = range(4)


def _plan(ops: list[dict]) -> list[tuple]:
    """The ops as (kind, input index / number / function, argument registers): read once, run many times."""
    plan = []
    for op in ops:
        kind, args = op["op"], tuple(op.get("args", ()))
        if kind == "input":
            plan.append((_INPUT, op["index"], ()))
        elif kind == "const":
            plan.append((_CONST, np.float64(op["value"]), ()))   # numpy's number: 1/0 is inf, as in the browser
        else:
            fn = partial(_power, n=float(op["n"])) if kind == "pow" else UNARY.get(kind) or _OPERATORS[kind]
            plan.append((_UNARY if len(args) == 1 else _BINARY, fn, args))
    return plan


def _power(a, n):
    return np.power(a, n)


def _run(plan: list[tuple], columns: list[np.ndarray]) -> list:
    regs: list = []
    push = regs.append
    for kind, fn, args in plan:
        if kind == _INPUT:
            push(columns[fn])
        elif kind == _CONST:
            push(fn)
        elif kind == _UNARY:
            push(fn(regs[args[0]]))
        else:
            push(fn(regs[args[0]], regs[args[1]]))
    return regs


def _column(reg, n: int) -> np.ndarray:
    """A register as a float array of shape (n,) (a constant register holds one number)."""
    if type(reg) is np.ndarray and reg.shape == (n,):
        return reg
    return np.full(n, reg, dtype=float)


class _Program:
    """A validated program made ready to run: its plan, the value's part of it, and the last small
    evaluation (an optimiser asks for L(θ) and then ∇L(θ) at the same points)."""

    cache_points = 1024

    def __init__(self, program: dict):
        self.program = program
        self.dim = program["dim"]
        self.hessian_plan = _plan(program["ops"])
        self.plan = self.hessian_plan[:program.get("gradient_ops", len(program["ops"]))]
        self.value_plan = self.plan[:program["value_ops"]]
        self._last = None   # (points, value, gradient)

    def __call__(self, pts: np.ndarray, gradient: bool = True):
        """(values (...), gradients (..., d)) at float points (..., d); values alone without ``gradient``."""
        d, shape = self.dim, pts.shape[:-1]
        flat = pts.reshape(-1, d)
        n = flat.shape[0]
        key = flat.tobytes() if n <= self.cache_points else None     # the points, bit for bit
        if key is None or self._last is None or self._last[0] != key:
            value, grad = self._compute(flat, gradient or key is not None)
            if key is not None:
                self._last = (key, value, grad)
        else:
            value, grad = self._last[1:]
        if key is not None:     # the caller may write into what it gets, not into what is kept
            value, grad = value.copy(), grad.copy()
        return value.reshape(shape) if not gradient else (value.reshape(shape), grad.reshape(shape + (d,)))

    @np.errstate(all="ignore")
    def _compute(self, flat: np.ndarray, gradient: bool):
        d, n = self.dim, flat.shape[0]
        plan, out, grads = self.plan if gradient else self.value_plan, self.program["value"], self.program["grad"]
        if n == 1:   # one point: numpy's float64 numbers (the same IEEE operations, without the arrays' overhead)
            regs = _run(plan, list(flat[0]))
            return np.array([regs[out]], dtype=float), np.array([[regs[r] for r in grads]]) if gradient else None
        regs = _run(plan, [flat[:, i].copy() for i in range(d)])
        value, grad = _column(regs[out], n), None
        if gradient:
            grad = np.empty((n, d))
            for i, r in enumerate(grads):
                grad[:, i] = regs[r]
        return value, grad

    @np.errstate(all="ignore")
    def hessian(self, pts):
        """∇²L at float points (..., d) (for d = 1: at coordinates (...), as Objective passes them): the
        program's ``hessian`` registers (:func:`.from_graph.graph_program` with ``hessian=True``)."""
        d = self.dim
        flat = pts.reshape(-1, d)  # for d = 1, the coordinates (...) as a column
        n = flat.shape[0]
        regs = _run(self.hessian_plan, [flat[:, i].copy() for i in range(d)])
        out = np.empty((n, d, d))
        for i, row in enumerate(self.program["hessian"]):
            for j, r in enumerate(row):
                out[:, i, j] = regs[r]
        return out.reshape(pts.shape) if d == 1 else out.reshape(pts.shape[:-1] + (d, d))

    def value(self, pts):
        return self(pts[..., None] if self.dim == 1 else pts, False)

    def grad(self, pts):
        return self(pts[..., None])[1][..., 0] if self.dim == 1 else self(pts)[1]


def evaluate(program: dict, points, *, gradient: bool = True):
    """Run a flat program on points: returns (L(θ), ∇L(θ)), or L(θ) alone with ``gradient=False``.

    points : (n, d), or (d,) for one point (for d = 1 also a number or (n,)).
    Returns values of shape (n,) and gradients (n, d) (() and (d,) for one point); NaN where L is
    undefined, without numpy warnings.
    """
    d = validate(program)["dim"]
    pts = np.asarray(points, dtype=float)
    if d == 1 and (pts.ndim == 0 or pts.shape[-1] != 1):
        pts = pts[..., None]
    if pts.shape[-1] != d:
        raise ValueError(f"points must have shape (..., {d}), got {np.shape(points)}")
    return _Program(program)(pts, gradient)


def to_objective(program: dict, *, domain=None, hessian=None, **facts) -> Objective:
    """An Objective whose value and gradient are the program run by :func:`evaluate` (numpy), e.g. to
    run ``optim.run`` on exactly the arithmetic the browser runs. The Hessian is ``hessian`` if given,
    else the program's own where it has one (``program["hessian"]``), else finite differences of the
    gradient; ``facts`` (name, minima, start, lr, ...) go to Objective."""
    run = _Program(validate(program))
    facts.setdefault("name", program.get("name", "flat program"))
    if hessian is None and "hessian" in program:
        hessian = run.hessian
    return Objective(run.value, run.grad, hessian, dim=run.dim, domain=domain, **facts)
