"""Type your own function: a safe parser from text to an :class:`Objective`.

``parse("x**4 - 3*x**2 + x")`` reads the text with this module's own tokenizer
and a small recursive-descent parser (no ``eval``, ``exec``, ``compile`` or
``ast``: no Python is ever run). The tree is then evaluated with the course's
compute-graph engine (:mod:`i2dl_helpers.graph`) on whole arrays of points, so
the value L(θ), the gradient ∇L(θ) and the Hessian ∇²L(θ) of a 200×200 grid
each take one pass, and the derivatives are exact (reverse mode), not finite
differences.

Grammar (lowest precedence first; ``^`` means the same as ``**``)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("+" | "-") unary | power
    power  := atom (("**" | "^") unary)?        # right-associative: 2**3**2 = 2**9
    atom   := number | variable | "pi" | "e" | function "(" expr ")" | "(" expr ")"

As in Python, ``-x**2`` is ``-(x**2)``. Anything else (attributes, subscripts,
strings, keywords, commas, ``=``, ``;`` ...) is refused with an
:class:`ExpressionError` that says what is wrong and at which column. Input
length, nesting depth, node count and constant exponents are bounded, so
nothing typed can exhaust time or memory.

Where the function is undefined (``log`` of a negative number, ``sqrt(-1)``,
``0/0``) values are NaN, silently: the optimisers treat a non-finite loss as
divergence.

The folded tree of a typed function (constants computed, as Python computes them) is there to
read, e.g. to compile it (:mod:`i2dl_helpers.flatprog`): ``typed_tree(objective)`` gives it and
its variables, ``evaluate_tree(tree, {name: Value})`` runs it on the engine. A folded tree is a
float (a constant) or a node with ``kind``, ``text`` and ``args``: kind "var" (``text`` its
name), "neg" or "pos" (args (a,)), "call" (``text`` the function, args (a,)), or "+", "-",
"*", "/", "**" (args (a, b)); every arg is again a float or a node.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from . import graph
from .graph import Value
from .objectives.base import Objective

__all__ = ["ExpressionError", "FUNCTIONS", "CONSTANTS", "parse", "MAX_LENGTH", "MAX_DEPTH", "MAX_NODES",
           "MAX_EXPONENT", "evaluate_tree", "latex", "typed_tree"]

MAX_LENGTH = 500     #: characters
MAX_DEPTH = 50       #: nesting levels: parentheses, signs, exponents
MAX_NODES = 200      #: numbers, names, operators and calls in the tree
MAX_EXPONENT = 100   #: |n| for a constant exponent n


def _softplus(a):
    """log(1 + e^a) = −log σ(−a), with the engine's overflow-free σ; the derivative is σ(a)
    everywhere (a form with relu and abs would get 0 instead of ½ at a = 0). Gives inf
    beyond a ≈ 745, where σ(−a) underflows."""
    return -graph.log(graph.sigmoid(-a))


#: the functions a typed expression may call; every one is built from engine operations, so its
#: derivatives (first and second) come from the engine's local rules. At a kink the slope is
#: taken as 0 (abs and relu at 0), as in PyTorch.
FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "sin": graph.sin, "cos": graph.cos, "tan": graph.tan,
    "exp": graph.exp, "log": graph.log, "ln": graph.log, "sqrt": graph.sqrt,
    "tanh": graph.tanh, "sinh": lambda a: 0.5 * (graph.exp(a) - graph.exp(-a)),
    "cosh": lambda a: 0.5 * (graph.exp(a) + graph.exp(-a)),
    "abs": graph.abs, "sigmoid": graph.sigmoid, "relu": graph.relu, "softplus": _softplus,
    "square": graph.square,
}
#: named constants
CONSTANTS: dict[str, float] = {"pi": float(np.pi), "e": float(np.e)}

_HINTS = {
    ".": "attribute access is not allowed", "[": "lists and subscripts are not allowed",
    "]": "lists and subscripts are not allowed", "'": "strings are not allowed",
    '"': "strings are not allowed", "=": "assignments, comparisons and keyword arguments are not allowed",
    ":": "lambdas, slices and ':=' are not allowed", ";": "only one expression is allowed",
    "{": "braces are not allowed", "}": "braces are not allowed", "|": "write abs(x) for |x|",
    "\u2212": "type '-' for minus", "\u00d7": "type '*' for times", "\u00b7": "type '*' for times",
    "\u22c5": "type '*' for times", "\u00b2": "type '**2' for a square", "\u00b3": "type '**3' for a cube",
}
_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/^(),])
""", re.VERBOSE | re.ASCII)
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "pos": 3, "**": 4}


class ExpressionError(ValueError):
    """A typed expression was refused; ``column`` is 1-based (None: the whole text)."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class _Token:
    kind: str      # "number", "name", "op", "bad", "end"
    text: str
    column: int    # 1-based


@dataclass(frozen=True)
class _Node:
    """A tree node: kind "num" (value), "var"/"const" (name), "neg"/"pos" (a),
    "+", "-", "*", "/", "**" (a, b) or "call" (name, a)."""
    kind: str
    column: int
    text: str = ""            # the number as typed, or the name
    args: tuple = ()


def _tokenize(text: str) -> list[_Token]:
    """Tokens in order; an unknown character becomes a "bad" token (reported when reached)."""
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            tokens.append(_Token("bad", text[pos], pos + 1))
            break                      # nothing after an error is looked at
        if match.lastgroup != "space":
            tokens.append(_Token(match.lastgroup, match.group(), pos + 1))
        pos = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str, variables: tuple[str, ...]):
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.nodes = 0
        self.variables = variables

    # -- helpers ----------------------------------------------------------------------
    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def _fail_bad(self, tok: _Token):
        hint = _HINTS.get(tok.text, "allowed are numbers, variables, pi, e, + - * / ** ^, "
                                    "parentheses and function calls such as sin(x)")
        name = f" (U+{ord(tok.text):04X})" if not tok.text.isascii() or not tok.text.isprintable() else ""
        raise ExpressionError(f"unexpected character {tok.text!r}{name} at column {tok.column}; {hint}",
                              tok.column)

    def _node(self, *args, **kwargs) -> _Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(f"the expression is too long at column {args[1]}: more than {MAX_NODES} "
                                  "numbers, names and operators", args[1])
        return _Node(*args, **kwargs)

    def _expected_operand(self) -> ExpressionError:
        tok = self.tok
        if tok.kind == "bad":
            self._fail_bad(tok)
        found = "the end of the expression" if tok.kind == "end" else f"{tok.text!r}"
        return ExpressionError(f"expected a number, variable, function call or '(' at column {tok.column}, "
                               f"found {found}", tok.column)

    # -- grammar ----------------------------------------------------------------------
    def parse(self) -> _Node:
        tree = self.expr()
        tok = self.tok
        if tok.kind == "end":
            return tree
        if tok.kind == "bad":
            self._fail_bad(tok)
        if tok.text == ")":
            raise ExpressionError(f"unmatched ')' at column {tok.column}", tok.column)
        if tok.text == ",":
            raise ExpressionError(f"unexpected ',' at column {tok.column}; only one expression is allowed",
                                  tok.column)
        if tok.kind == "name" and (keyword.iskeyword(tok.text) or keyword.issoftkeyword(tok.text)):
            raise ExpressionError(f"Python keyword '{tok.text}' at column {tok.column} is not allowed", tok.column)
        hint = "; use * for a product, e.g. 2*x" if tok.kind in ("name", "number") or tok.text == "(" else ""
        raise ExpressionError(f"expected an operator (+ - * / ** ^) at column {tok.column}, found "
                              f"{tok.text!r}{hint}", tok.column)

    def expr(self) -> _Node:
        node = self.term()
        while self.tok.text in ("+", "-") and self.tok.kind == "op":
            op = self.tok
            self.i += 1
            node = self._node(op.text, op.column, args=(node, self.term()))
        return node

    def term(self) -> _Node:
        node = self.unary()
        while self.tok.text in ("*", "/") and self.tok.kind == "op":
            op = self.tok
            self.i += 1
            node = self._node(op.text, op.column, args=(node, self.unary()))
        return node

    def unary(self) -> _Node:
        tok = self.tok
        self.depth += 1                # every recursion of the grammar passes through here
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested too deeply at column {tok.column} "
                                  f"(more than {MAX_DEPTH} levels of parentheses, signs or powers)",
                                  tok.column)
        if tok.kind == "op" and tok.text in ("+", "-"):
            self.i += 1
            node = self._node("neg" if tok.text == "-" else "pos", tok.column, args=(self.unary(),))
        else:
            node = self.power()
        self.depth -= 1
        return node

    def power(self) -> _Node:
        base = self.atom()
        tok = self.tok
        if tok.kind == "op" and tok.text in ("**", "^"):
            self.i += 1
            return self._node("**", tok.column, args=(base, self.unary()))
        return base

    def atom(self) -> _Node:
        tok = self.tok
        if tok.kind == "number":
            self.i += 1
            return self._node("num", tok.column, text=tok.text)
        if tok.kind == "name":
            self.i += 1
            return self._name(tok)
        if tok.kind == "op" and tok.text == "(":
            self.i += 1
            if self.tok.text == ")" and self.tok.kind == "op":
                raise ExpressionError(f"empty parentheses at column {tok.column}", tok.column)
            inner = self.expr()
            self._close(tok)
            return inner
        raise self._expected_operand()

    def _close(self, opening: _Token) -> None:
        tok = self.tok
        if tok.kind == "op" and tok.text == ")":
            self.i += 1
            return
        if tok.kind == "bad":
            self._fail_bad(tok)
        if tok.text == ",":
            raise ExpressionError(f"unexpected ',' at column {tok.column}; functions take exactly one argument",
                                  tok.column)
        if tok.kind == "end":
            raise ExpressionError(f"missing ')' for the '(' at column {opening.column}", opening.column)
        raise ExpressionError(f"expected ')' or an operator at column {tok.column}, found {tok.text!r}",
                              tok.column)

    def _name(self, tok: _Token) -> _Node:
        name, col = tok.text, tok.column
        called = self.tok.kind == "op" and self.tok.text == "("
        if name in FUNCTIONS:
            if not called:
                raise ExpressionError(f"function '{name}' at column {col} needs an argument in parentheses, "
                                      f"e.g. {name}(x)", col)
            opening = self.tok
            self.i += 1
            arg = self.expr()
            self._close(opening)
            return self._node("call", col, text=name, args=(arg,))
        if name in self.variables or name in CONSTANTS:
            if called:
                raise ExpressionError(f"'{name}' at column {col} is not a function; write {name}*(...) "
                                      "for a product", col)
            return self._node("var" if name in self.variables else "const", col, text=name)
        if keyword.iskeyword(name) or keyword.issoftkeyword(name):
            what = f"Python keyword '{name}' at column {col} is not allowed"
        elif called:
            what = (f"unknown function '{name}' at column {col}; allowed functions: "
                    f"{', '.join(sorted(FUNCTIONS))}")
        else:
            what = f"unknown name '{name}' at column {col}"
        raise ExpressionError(f"{what}; allowed variables: {', '.join(self.variables)}; constants: pi, e", col)


# -- printing ---------------------------------------------------------------------------
def _prec(node: _Node) -> int:
    return _PRECEDENCE.get(node.kind, 5)


def _format(node: _Node) -> str:
    """The tree as text with the fewest parentheses that keep its structure."""
    k = node.kind
    if k in ("num", "var", "const"):
        return node.text
    if k == "call":
        return f"{node.text}({_format(node.args[0])})"
    if k in ("neg", "pos"):
        (a,) = node.args
        inner = _format(a)
        return ("-" if k == "neg" else "+") + (f"({inner})" if _prec(a) <= 3 else inner)
    a, b = node.args
    left, right = _format(a), _format(b)
    if k == "**":                  # right-associative; the exponent may be signed
        left = f"({left})" if _prec(a) <= 4 else left
        right = f"({right})" if _prec(b) < 3 else right
        return f"{left}**{right}"
    left = f"({left})" if _prec(a) < _PRECEDENCE[k] else left
    right = f"({right})" if _prec(b) <= _PRECEDENCE[k] else right
    return f"{left} {k} {right}" if k in ("+", "-") else f"{left}{k}{right}"


_TEX_CALLS = {"sqrt": r"\sqrt{%s}", "abs": r"\left|%s\right|", "exp": r"e^{%s}"}


def _tex(node: _Node, symbols: dict[str, str]) -> str:
    """The tree as LaTeX, with as many parentheses as :func:`_format` writes; names through ``symbols``."""
    k = node.kind
    if k == "num":
        return f"{float(node.text):g}"
    if k in ("var", "const"):
        return symbols.get(node.text, {"pi": r"\pi"}.get(node.text, node.text))
    if k == "call":
        inner = _tex(node.args[0], symbols)
        return _TEX_CALLS.get(node.text, rf"\{node.text}\left(%s\right)") % inner
    if k in ("neg", "pos"):
        (a,) = node.args
        inner = _tex(a, symbols)
        return ("-" if k == "neg" else "+") + (rf"\left({inner}\right)" if _prec(a) <= 3 else inner)
    a, b = node.args
    left, right = _tex(a, symbols), _tex(b, symbols)
    if k == "/":
        return rf"\frac{{{left}}}{{{right}}}"
    if k == "**":
        return (rf"\left({left}\right)" if _prec(a) <= 4 else left) + f"^{{{right}}}"
    left = rf"\left({left}\right)" if _prec(a) < _PRECEDENCE[k] else left
    right = rf"\left({right}\right)" if _prec(b) <= _PRECEDENCE[k] else right
    if k in ("+", "-"):
        return f"{left} {k} {right}"
    return left + (r" \cdot " if right[0] in "0123456789-" else r"\,") + right


def latex(text: str, variables: Sequence[str] = ("x",), symbols: dict[str, str] | None = None) -> str:
    r"""The expression ``text`` (of the ``variables``, in this module's grammar) as LaTeX, e.g.
    ``latex("x**4/4 - 3*x")`` is ``\frac{x^{4}}{4} - 3\,x``; ``symbols`` maps other names of the text
    (read as variables too) to their LaTeX, e.g. ``{"k": r"\kappa"}``."""
    symbols = symbols or {}
    return _tex(_Parser(text, _check_variables((*variables, *symbols))).parse(), symbols)


# -- constant folding and evaluation ----------------------------------------------------
def _apply(node: _Node, args: list) -> Value | float:
    """One node's operation on evaluated children (floats or Values), with engine operations."""
    k = node.kind
    if k == "neg":
        return -args[0]
    if k == "pos":
        return args[0]
    if k == "call":
        return FUNCTIONS[node.text](args[0])
    a, b = args
    if k == "+":
        return a + b
    if k == "-":
        return a - b
    if k == "*":
        return a * b
    if k == "/":
        return a / b
    if isinstance(b, float):               # a ** n with a constant n
        return a ** b if isinstance(a, float) else _power(a, b)
    if isinstance(a, float) and a > 0:     # c ** b = e^(b ln c)
        return graph.exp(b * float(np.log(a)))
    return graph.exp(b * graph.log(a))     # a ** b = e^(b ln a): NaN where a < 0


def _power(a: Value, n: float) -> Value:
    """a ** n by the engine (which multiplies out small integer powers itself)."""
    if n == 0.0:
        return 1.0
    if n == 0.5:
        return graph.sqrt(a)
    return a ** n


def _fold_leaf(node: _Node):
    """A number or named constant as a float; a variable stays a node."""
    if node.kind == "num":
        value = float(node.text)
        if not np.isfinite(value):
            raise ExpressionError(f"the number at column {node.column} is too large", node.column)
        return value
    if node.kind == "const":
        return CONSTANTS[node.text]
    return node


def _check_power(node: _Node, base, n) -> None:
    """A constant exponent stays within ±MAX_EXPONENT; a negative constant base needs a constant exponent."""
    if isinstance(n, float) and abs(n) > MAX_EXPONENT:
        col = _first_column(node.args[1])
        raise ExpressionError(f"the exponent at column {col} is {n:.6g}; a constant exponent must lie "
                              f"in [-{MAX_EXPONENT}, {MAX_EXPONENT}]", col)
    if isinstance(base, float) and base < 0 and not isinstance(n, float):
        col = _first_column(node.args[0])
        raise ExpressionError(f"the base at column {col} is negative ({base:.6g}) and the exponent "
                              "depends on the variables: that power is undefined", col)


def _fold(node: _Node):
    """The tree with every constant sub-tree replaced by its float value; checks exponents."""
    if node.kind in ("num", "const", "var"):
        return _fold_leaf(node)
    args = [_fold(a) for a in node.args]
    if node.kind == "**":
        _check_power(node, *args)
    if any(isinstance(a, _Node) for a in args):
        return _Node(node.kind, node.column, node.text, tuple(args))
    with graph.allow_nan():                # numpy floats: 1/0 -> inf, (-8)**0.5 -> nan, no exceptions
        result = _apply(node, [np.float64(a) for a in args])
    value = float(result.data) if isinstance(result, Value) else float(result)
    if not np.isfinite(value):
        raise ExpressionError(f"the constant part '{_format(node)}' at column {_first_column(node)} is "
                              "not a finite number (overflow or undefined)", _first_column(node))
    return value


def _first_column(node: _Node) -> int:
    while node.args and node.kind not in ("neg", "pos", "call"):
        node = node.args[0]
    return node.column


def _evaluate(node, env: dict[str, Value]):
    """The folded tree on the input Values (a float for a constant)."""
    if isinstance(node, float):
        return node
    if node.kind == "var":
        return env[node.text]
    return _apply(node, [_evaluate(a, env) for a in node.args])


def evaluate_tree(tree, env: dict[str, Value]):
    """A folded tree (:func:`typed_tree`) on the engine: ``env`` maps each variable to a Value (or
    a float). Returns a Value, or a float where the tree is a constant. Call it inside
    ``graph.allow_nan()`` where the function may be undefined at the points."""
    return _evaluate(tree, env)


def typed_tree(objective):
    """(folded tree, variables) of an objective made by :func:`parse` (or declared in the catalogue,
    :func:`objectives.catalogue.declare`); None for any other objective."""
    try:
        return objective.typed
    except AttributeError:
        return None


class _Compiled:
    """Value, gradient and Hessian of a folded tree on arrays of points, by the graph engine.

    Points are taken in blocks of ``block`` points, so the memory the engine keeps
    alive during one pass (every intermediate array and its zero ``grad``) stays
    bounded however large the grid is; a 200×200 grid is three blocks.
    """

    block = 16384

    #: at most this many points: keep the graph of the last value() for grad() at the
    #: same points (an optimiser asks for L(θ) and then ∇L(θ) at every step)
    cache_points = 1024

    def __init__(self, tree, variables: tuple[str, ...]):
        self.tree, self.variables = tree, variables
        self._last = None  # (points, inputs, output) of the last small value() call

    def _blocks(self, pts, per_point: tuple, compute: Callable):
        """Run ``compute(columns) -> array (n, *per_point)`` block by block; give (..., *per_point)."""
        pts = np.asarray(pts, dtype=float)
        dim = len(self.variables)
        shape = pts.shape if dim == 1 else pts.shape[:-1]
        flat = pts.reshape(-1, dim)
        out = np.empty((flat.shape[0],) + per_point)
        with graph.allow_nan():
            for start in range(0, flat.shape[0], self.block):
                chunk = flat[start:start + self.block]
                out[start:start + self.block] = compute([Value(chunk[:, i]) for i in range(dim)])
        return out.reshape(shape + per_point)

    def _forward(self, inputs: list[Value]):
        return _evaluate(self.tree, dict(zip(self.variables, inputs)))

    @staticmethod
    def _column(v, n: int) -> np.ndarray:
        return np.broadcast_to(v.data if isinstance(v, Value) else v, (n,))

    def value(self, pts):
        def compute(inputs):
            out = self._forward(inputs)
            if inputs[0].shape[0] <= self.cache_points:
                self._last = (np.array(pts, dtype=float), inputs, out)
            return self._column(out, inputs[0].shape[0])
        return self._blocks(pts, (), compute)

    def _cached_forward(self, pts, inputs):
        last = self._last
        if last is not None and last[0].shape == np.shape(pts) and np.array_equal(last[0], pts):
            return last[1], last[2]
        return inputs, self._forward(inputs)

    def grad(self, pts):
        d = len(self.variables)

        def compute(inputs):
            inputs, out = self._cached_forward(pts, inputs)
            n = inputs[0].shape[0]
            if not isinstance(out, Value):
                return np.zeros((n, d))
            return np.stack([self._column(g, n) for g in graph.grad(out, inputs)], axis=-1)
        res = self._blocks(pts, (d,), compute)
        return res[..., 0] if d == 1 else res

    def hessian(self, pts):
        d = len(self.variables)

        def compute(inputs):
            out, n = self._forward(inputs), inputs[0].shape[0]
            if not isinstance(out, Value):
                return np.zeros((n, d, d))
            first = graph.grad(out, inputs, create_graph=True)
            rows = [np.stack([self._column(h, n) for h in graph.grad(g, inputs)], axis=-1) for g in first]
            return np.stack(rows, axis=-2)
        res = self._blocks(pts, (d, d), compute)
        return res[..., 0, 0] if d == 1 else res


def _check_variables(variables) -> tuple[str, ...]:
    if isinstance(variables, str):
        variables = (variables,)
    if not isinstance(variables, (tuple, list)) or not variables:
        raise TypeError(f"variables must be a non-empty tuple of names such as ('x', 'y'), got {variables!r}")
    for v in variables:
        if not isinstance(v, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", v, re.ASCII):
            raise ValueError(f"variables must be names made of letters, digits and '_', got {v!r}")
        if v in FUNCTIONS or v in CONSTANTS or keyword.iskeyword(v):
            raise ValueError(f"variables must not be a function, constant or keyword name, got {v!r}")
    if len(set(variables)) != len(variables):
        raise ValueError(f"variables must be distinct, got {variables!r}")
    return tuple(variables)


def parse(text: str, variables: Sequence[str] = ("x",), *,
          domain: Sequence[Sequence[float]] | None = None) -> Objective:
    """Turn typed text such as ``"(1 - x)**2 + 100*(y - x**2)**2"`` into an Objective.

    text      : the function L(θ) of the ``variables``, in the grammar of this module.
    variables : the coordinate names, θ = (variables...); dim = len(variables).
    domain    : the plotting box, one (low, high) per variable; default (−3, 3).

    Returns an :class:`Objective` named by the normalised text (``^`` written as
    ``**``, canonical spacing) whose ``value``, ``grad`` and ``hessian`` take
    points of shape (..., dim) and give (...), (..., dim) and (..., dim, dim),
    computed by the compute-graph engine; NaN where L is undefined.

    Raises ExpressionError (a ValueError) naming what is wrong and the 1-based
    column; TypeError if ``text`` is not a string.
    """
    variables = _check_variables(variables)
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; at most {MAX_LENGTH} "
                              "are allowed", None)
    if not text.strip(" \t\r\n"):
        raise ExpressionError("the expression is empty; type a function such as "
                              f"{' + '.join(v + '**2' for v in variables)}", None)
    tree = _Parser(text, variables).parse()
    name = _format(tree)
    compiled = _Compiled(_fold(tree), variables)
    args = ", ".join(variables)
    objective = Objective(compiled.value, compiled.grad, compiled.hessian, dim=len(variables), name=name,
                          domain=domain, formula=f"f({args}) = {name}",
                          description=f"typed in: f({args}) = {name}")
    objective.variables, objective.typed = variables, (compiled.tree, variables)
    return objective
