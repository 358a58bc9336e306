"""The front door: which compiler an objective gets, and the checks that keep it honest.

Typed functions (:func:`expressions.parse`) and saddle use the engine's chain rule
(:mod:`.from_graph`). The other catalogue objectives have a hand-written numpy gradient
(``GRADIENT_FORMULAS``); their programs repeat that numpy code (:mod:`.from_expression`) and give
the catalogue's value and gradient bit for bit, checked on :func:`.probe.probe_points` at every
compile; should they not (e.g. on another numpy build, or a lookalike objective), the program
falls back to the chain rule, checked to 1e-9.
"""
from __future__ import annotations

from .. import expressions
from .catalogue import formula, gradient_formula
from .from_graph import graph_program
from .from_expression import numpy_program
from .probe import NotExact, probe

__all__ = ["compile_expression", "compile_objective"]


def compile_objective(objective) -> dict:
    """The flat program (a JSON-serialisable dict, see :mod:`.format`) of L and ∇L.

    objective : a typed function (``expressions.parse``) or a catalogue objective of dimension 1
                or 2 (``objectives.get(name, **params)``, parameters included).
    Raises NotCompilable (a ValueError) for anything else, e.g. objectives backed by data.

    A catalogue objective with a ``GRADIENT_FORMULAS`` entry gets the program that repeats its
    numpy value and gradient (``program["gradient"] == "numpy"``) when that equals the objective
    bit for bit on :func:`probe_points`; otherwise (and without an entry) the engine's chain rule.
    """
    if not (callable(objective) and hasattr(objective, "grad") and hasattr(objective, "dim")):
        raise TypeError(f"objective must be an Objective (value, grad, dim), got {type(objective).__name__}")
    typed = expressions.typed_tree(objective)
    if typed is not None:
        return graph_program(typed[0], typed[1], objective.name)
    text = formula(objective)
    variables = ("x",) if objective.dim == 1 else ("x", "y")
    grad_texts = gradient_formula(objective)
    if grad_texts is not None:
        program = numpy_program(text, grad_texts, variables, objective.name)
        try:
            probe(objective, program, exact=True)
            return program
        except NotExact:        # e.g. a lookalike, or numpy rounding otherwise: the chain rule, checked below
            pass
    tree = expressions.typed_tree(expressions.parse(text, variables))[0]
    program = graph_program(tree, variables, objective.name)
    probe(objective, program)
    return program


def compile_expression(text: str, variables=("x",)) -> dict:
    """The flat program of a typed function, e.g. ``compile_expression("x**2 + sin(y)", ("x", "y"))``.

    Accepts exactly what :func:`expressions.parse` accepts (and raises its ExpressionError otherwise).
    """
    return compile_objective(expressions.parse(text, variables))
