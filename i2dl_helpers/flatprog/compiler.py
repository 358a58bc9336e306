"""The front door: the flat program of a typed function or a catalogue objective, or a refusal.

Both are formulas in the course's expression language (:func:`expressions.parse`; the catalogue's
entries are declared that way, :func:`i2dl_helpers.objectives.declare`): their folded tree is compiled
by the engine's chain rule (:mod:`.from_graph`). A catalogue objective's value and gradient *are* its
program run by numpy, so the kernel and the browser run one program.
"""
from __future__ import annotations

from .. import expressions
from .format import NotCompilable
from .from_graph import graph_program

__all__ = ["compile_expression", "compile_objective"]


def compile_objective(objective, *, hessian: bool = False) -> dict:
    """The flat program (a JSON-serialisable dict, see :mod:`.format`) of L and ∇L.

    objective : a typed function (``expressions.parse``) or a catalogue objective
                (``objectives.get(name, **params)``, parameters included).
    hessian   : also ∇²L, as registers written after the gradient's ops (``program["hessian"]``,
                ``program["gradient_ops"]``: :func:`.from_graph.graph_program`), the ones a catalogue
                objective's ``hessian`` runs; the browser reads them with ``hessianAt``.
    Raises NotCompilable (a ValueError) for anything else, e.g. objectives backed by data.
    """
    if not (callable(objective) and hasattr(objective, "grad") and hasattr(objective, "dim")):
        raise TypeError(f"objective must be an Objective (value, grad, dim), got {type(objective).__name__}")
    typed = expressions.typed_tree(objective)
    if typed is None:
        raise NotCompilable(_refusal(objective))
    if not isinstance(hessian, bool):
        raise TypeError(f"hessian must be True or False, got {hessian!r}")
    return graph_program(typed[0], typed[1], objective.name, hessian=hessian)


def compile_expression(text: str, variables=("x",)) -> dict:
    """The flat program of a typed function, e.g. ``compile_expression("x**2 + sin(y)", ("x", "y"))``.

    Accepts exactly what :func:`expressions.parse` accepts (and raises its ExpressionError otherwise).
    """
    return compile_objective(expressions.parse(text, variables))


def _refusal(objective) -> str:
    kind, name = type(objective).__name__, getattr(objective, "name", "?")
    if hasattr(objective, "n_samples") or hasattr(objective, "residuals"):   # LeastSquares, NetLoss, curve fits
        why = f"is backed by data ({kind}): its loss needs the data set"
    else:
        why = "is a Python function the compiler cannot read"
    return (f"objective {name!r} {why}, so it has no flat program and needs a Python kernel; "
            "only typed functions (expressions.parse) and the catalogue's objectives compile")
