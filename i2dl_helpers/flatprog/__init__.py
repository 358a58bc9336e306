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

What compiles: every function :func:`expressions.parse` accepts, and the catalogue's objectives
(``objectives.names()``), which are declared once as such formulas
(:func:`i2dl_helpers.objectives.declare`): their value and gradient in the kernel *are* the program
run by numpy (:func:`to_objective`), so the browser, which runs the same program, agrees with the
kernel by construction; bit for bit where the program's ops round alike in numpy and V8 (+ − × ÷,
sqrt: correctly rounded in both; exp, sin, cos, pow are each side's own and may differ in the last
bit). The program format and its ops are described in :mod:`.format`. Where L is undefined the
program gives NaN, as the typed functions do. Objectives built from data (LeastSquares, NetLoss,
curve fits) and other Python functions raise :class:`NotCompilable`: they run in the kernel.

One module per job:

* :mod:`.format`: the program format, its ops (``UNARY``, ``BINARY``), ``validate``, and the
  ``Writer`` the compiler writes ops with;
* :mod:`.from_graph`: the chain-rule program, from the engine's graph (``Value.parents``,
  ``Value.op``, ``Value.exponent``, ``graph.symbolic_slopes``);
* :mod:`.probe`: ``probe_points``, the points a bit-for-bit check of a program uses;
* :mod:`.compiler`: ``compile_objective`` and ``compile_expression`` (or a refusal);
* :mod:`.interpret`: ``evaluate`` (the Python interpreter, numpy, vectorised over points) and
  ``to_objective`` (it as an Objective, so ``optim.run`` can run exactly the arithmetic the
  browser runs);
* :mod:`.browser` (import it from there: it links the optimisers' rules, and :mod:`i2dl_helpers.optim` needs
  the catalogue, which needs this package): ``browser_source()``, the browser half ``widgets/flatprog.js`` (the same ops,
  and an interpreter of the first-order optimisers' update rules, declared once in
  :mod:`i2dl_helpers.optim.rules`) linked (:mod:`i2dl_helpers.esm`) with the rules' declarations as the
  generated module ``rules.js``, as the widgets load it; ``tests/browser/test_flatprog_parity.py`` holds
  the two halves together.
"""
from __future__ import annotations

from .compiler import compile_expression, compile_objective
from .format import BINARY, FORMAT, UNARY, VERSION, NotCompilable, validate
from .interpret import evaluate, to_objective
from .probe import probe_points

__all__ = ["FORMAT", "VERSION", "NotCompilable", "compile_expression", "compile_objective", "evaluate",
           "probe_points", "to_objective", "validate"]
# importable from here too, as before the split: UNARY and BINARY (the ops' numpy functions)
