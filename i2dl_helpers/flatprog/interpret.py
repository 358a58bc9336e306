"""The Python interpreter of flat programs: numpy, vectorised over points.

``evaluate(program, points)`` runs a program op by op with the numpy functions of
:data:`.format.UNARY` and :data:`.format.BINARY`; ``to_objective(program)`` wraps it as an
Objective, so ``optim.run`` can run exactly the arithmetic the browser runs. The browser's
interpreter is ``widgets/flatprog.js``.
"""
from __future__ import annotations

import numpy as np

from ..objectives.base import Objective
from .format import BINARY, UNARY, validate

__all__ = ["evaluate", "to_objective"]


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

