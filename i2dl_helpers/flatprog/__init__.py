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

The program format and its ops are described in :mod:`.format`. Where L is undefined the
program gives NaN, as the typed functions do.

What compiles: every function :func:`expressions.parse` accepts, and the
catalogue's objectives of dimension 1 and 2 (``objectives.names()``), whose
numpy formulas are restated as expression text (``FORMULAS``, and
``GRADIENT_FORMULAS`` for the hand-written gradients). That text is *checked*,
not trusted: compiling compares the program with the objective's own value and
gradient on a grid over its domain (bit for bit where the gradient is restated),
and ``tests/test_flatprog.py`` does so on whole grids.
Objectives built from data (LeastSquares, NetLoss, curve fits) raise
:class:`NotCompilable`: their loss needs the data set and runs in the kernel.

One module per job:

* :mod:`.format`: the program format, its ops (``UNARY``, ``BINARY``), ``validate``, and the
  ``Writer`` the compilers write ops with;
* :mod:`.from_graph`: the chain-rule program, from the engine's graph (``Value.parents``,
  ``Value.op``, ``Value.exponent``, ``graph.symbolic_slopes``);
* :mod:`.from_expression`: the program that repeats numpy code written as expression text;
* :mod:`.catalogue`: the catalogue's formulas and gradients as text, keyed by objective name;
* :mod:`.probe`: ``probe_points`` and ``probe``, the checks of a program against its objective;
* :mod:`.compiler`: ``compile_objective`` and ``compile_expression``, which choose and check;
* :mod:`.interpret`: ``evaluate`` (the Python interpreter, numpy, vectorised over points) and
  ``to_objective`` (it as an Objective, so ``optim.run`` can run exactly the arithmetic the
  browser runs);
* :mod:`.browser`: ``browser_source()``, the browser half ``widgets/flatprog.js`` (the same ops,
  and an interpreter of the first-order optimisers' update rules, declared once in
  :mod:`i2dl_helpers.optim.rules`) linked (:mod:`i2dl_helpers.esm`) with the rules' declarations as the
  generated module ``rules.js``, as the widgets load it; ``tests/browser/test_flatprog_parity.py`` holds
  the two halves together.
"""
from __future__ import annotations

from .browser import browser_source
from .catalogue import FORMULAS, GRADIENT_FORMULAS, formula, gradient_formula
from .compiler import compile_expression, compile_objective
from .format import BINARY, FORMAT, UNARY, VERSION, NotCompilable, validate
from .interpret import evaluate, to_objective
from .probe import probe, probe_points

__all__ = ["FORMAT", "VERSION", "NotCompilable", "browser_source", "compile_expression", "compile_objective", "evaluate",
           "formula", "gradient_formula", "probe", "probe_points", "to_objective", "validate"]
# importable from here too, as before the split: UNARY and BINARY (the ops' numpy functions),
# FORMULAS and GRADIENT_FORMULAS (the catalogue's texts)
