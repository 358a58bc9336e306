"""Small pure functions declared once, in a subset of Python that Python runs and the browser interprets.

A status line or a closed form that both halves need (a learning-rate regime, momentum's rate, an explorer's
status text) is a plain Python function decorated with :func:`formula`. Python calls it as it is; the
decorator reads its source with ``ast``, refuses anything outside the subset below (naming the function, the
line and what is refused) and keeps it as a JSON tree. :func:`browser_prelude` writes the trees a page needs
as the JavaScript constant ``FORMULAS`` (the generated module ``formulas_data.js``, ``esm.formulas_module``),
which ``widgets/formulas.js`` interprets with Python's semantics (truthiness, ``and``/``or`` returning an
operand, ``min``/``max`` keeping the first of equal values, negative indices, f-strings through ``pyfmt``), so
both halves compute the same doubles (the same IEEE operations in the same order) and the same text.

The subset, inside ``def name(a, b, c=constant):`` (positional parameters, constant defaults):

* statements: a docstring, ``name = expr``, ``name += expr``, ``if``/``elif``/``else`` and ``return expr``;
* expressions: numbers, strings, True/False/None, names (parameters and locals), ``+ - * / **``,
  unary ``-``, ``not``, ``and``, ``or``, comparisons (chains, ``is None``/``is not None``; ``==`` of numbers,
  texts, booleans and None, not of lists), ``a if c else b``,
  f-strings whose number fields carry a format spec (``{x:.3g}``, ``{k:d}``; JavaScript has no int type),
  lists and tuples, ``xs[i]``, ``[expr for v in xs if cond]`` (one ``for``, at most one ``if``),
  ``"sep".join(strings)``;
* calls of other formulas and of :data:`BUILTINS`: ``sqrt`` and ``log`` (NaN below 0, as ``Math``'s;
  element-wise on arrays), ``abs``, ``min``, ``max`` (of arguments or of one list), ``len``, ``range``
  (one argument). ``isclose`` and ``hypot`` are formulas themselves (below). (No ``sum``: Python's
  compensates its rounding since 3.12, a plain loop does not.)

``sqrt`` rounds correctly on both sides; ``log`` and ``**`` are each side's maths library (V8 and glibc differ
in the last bit for a few per cent of inputs), so a formula that uses them agrees to the last bit only in what it
prints. Where Python raises, JavaScript does not: a formula must not divide by zero or let a float ``**``
overflow (Python raises, JavaScript gives ±inf or NaN); guard with a condition, as ``momentum_status`` does.
A formula of arithmetic alone also takes numpy arrays (the chord's points, a tangent line).
"""
from __future__ import annotations

import ast
import inspect
import json
import textwrap
from typing import Callable

import numpy as np

__all__ = ["BINARY_OPS", "BUILTINS", "COMPARE_OPS", "FORMULAS", "FormulaError", "browser_formulas", "browser_prelude",
           "formula", "hypot", "isclose", "log", "sqrt"]

#: the operators of the restricted subsets (this one and optim/rules.py's): ast node type -> the symbol in a tree
BINARY_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
COMPARE_OPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
               ast.Is: "is", ast.IsNot: "is not"}

#: every declared formula, by name (the function itself)
FORMULAS: dict[str, Callable] = {}


def _elementwise(fn, x):
    with np.errstate(invalid="ignore", divide="ignore"):
        out = fn(x)
    return float(out) if np.ndim(out) == 0 else out


def sqrt(x):
    """√x; NaN for x < 0 (as JavaScript's Math.sqrt), element-wise for arrays."""
    return _elementwise(np.sqrt, x)


def log(x):
    """ln x; −inf at 0 and NaN below (as JavaScript's Math.log), element-wise for arrays."""
    return _elementwise(np.log, x)


#: the functions a formula may call besides other formulas: name -> number of arguments (None: any)
BUILTINS = {"sqrt": 1, "log": 1, "abs": 1, "min": None, "max": None, "len": 1, "range": 1}


class FormulaError(ValueError):
    """A formula outside the subset: names the function, the line and what is refused."""


class _Checker:
    """One function's source as a JSON tree (``tree``), refusing anything outside the subset."""

    def __init__(self, fn: Callable):
        self.name = fn.__name__
        lines, self.first = inspect.getsourcelines(fn)
        node = ast.parse(textwrap.dedent("".join(lines))).body[0]
        if not isinstance(node, ast.FunctionDef):
            raise FormulaError(f"formula {self.name}: not a plain function definition")
        self.known = set()
        self.tree = {"params": self._params(node), "body": self._block(node.body, top=True)}

    def refuse(self, node: ast.AST, what: str):
        line = self.first + getattr(node, "lineno", 1) - 1
        raise FormulaError(f"formula {self.name} (line {line}): {what} is not part of the formulas' subset")

    def _params(self, node: ast.FunctionDef) -> list:
        a = node.args
        if a.posonlyargs or a.vararg or a.kwonlyargs or a.kwarg or node.decorator_list[1:]:
            self.refuse(node, "a parameter other than a plain positional one")
        out = []
        defaults = [None] * (len(a.args) - len(a.defaults)) + list(a.defaults)
        for arg, default in zip(a.args, defaults):
            self.known.add(arg.arg)
            if default is None:
                out.append([arg.arg])
            elif isinstance(default, ast.Constant) and isinstance(default.value, (int, float, str, bool)):
                out.append([arg.arg, default.value])
            else:
                self.refuse(default, "a default that is not a constant")
        return out

    def _block(self, stmts: list, top: bool = False) -> list:
        out = []
        for i, s in enumerate(stmts):
            if top and i == 0 and isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) \
                    and isinstance(s.value.value, str):
                continue  # the docstring
            out.append(self._statement(s))
        return out

    def _statement(self, s: ast.stmt) -> list:
        if isinstance(s, ast.Return) and s.value is not None:
            return ["return", self.expr(s.value)]
        if isinstance(s, ast.If):
            return ["if", self.expr(s.test), self._block(s.body), self._block(s.orelse)]
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
            value = self.expr(s.value)
            self.known.add(s.targets[0].id)
            return ["=", s.targets[0].id, value]
        if isinstance(s, ast.AugAssign) and isinstance(s.op, ast.Add) and isinstance(s.target, ast.Name):
            if s.target.id not in self.known:
                self.refuse(s, f"'+=' to the unknown name {s.target.id!r}")
            return ["+=", s.target.id, self.expr(s.value)]
        return self.refuse(s, f"the statement {type(s).__name__}")

    def expr(self, n: ast.expr) -> list:
        method = getattr(self, f"_{type(n).__name__}", None)
        if method is None:
            self.refuse(n, f"the expression {type(n).__name__}")
        return method(n)

    def _Constant(self, n):
        v = n.value
        if isinstance(v, bool) or v is None:
            return ["const", v]
        if isinstance(v, (int, float)) and np.isfinite(v):
            return ["num", v]
        if isinstance(v, str):
            return ["str", v]
        return self.refuse(n, f"the constant {v!r}")

    def _Name(self, n):
        if n.id not in self.known:
            self.refuse(n, f"the unknown name {n.id!r}")
        return ["name", n.id]

    def _BinOp(self, n):
        if type(n.op) not in BINARY_OPS:
            self.refuse(n, f"the operator {type(n.op).__name__}")
        return [BINARY_OPS[type(n.op)], self.expr(n.left), self.expr(n.right)]

    def _UnaryOp(self, n):
        ops = {ast.USub: "neg", ast.Not: "not"}
        if type(n.op) not in ops:
            self.refuse(n, f"the operator {type(n.op).__name__}")
        return [ops[type(n.op)], self.expr(n.operand)]

    def _BoolOp(self, n):
        return ["and" if isinstance(n.op, ast.And) else "or"] + [self.expr(v) for v in n.values]

    def _Compare(self, n):
        if any(type(op) not in COMPARE_OPS for op in n.ops):
            self.refuse(n, "the comparison 'in'")
        return ["cmp", self.expr(n.left)] + [[COMPARE_OPS[type(op)], self.expr(c)] for op, c in zip(n.ops, n.comparators)]

    def _IfExp(self, n):
        return ["?", self.expr(n.test), self.expr(n.body), self.expr(n.orelse)]

    def _List(self, n):
        return ["list"] + [self.expr(e) for e in n.elts]

    _Tuple = _List

    def _Subscript(self, n):
        if isinstance(n.slice, ast.Slice):
            self.refuse(n, "a slice")
        return ["index", self.expr(n.value), self.expr(n.slice)]

    def _ListComp(self, n):
        if len(n.generators) != 1 or len(n.generators[0].ifs) > 1 or n.generators[0].is_async \
                or not isinstance(n.generators[0].target, ast.Name):
            self.refuse(n, "a comprehension with more than one 'for' or 'if'")
        gen = n.generators[0]
        iterable = self.expr(gen.iter)
        self.known.add(gen.target.id)
        cond = self.expr(gen.ifs[0]) if gen.ifs else None
        return ["comp", self.expr(n.elt), gen.target.id, iterable, cond]

    def _JoinedStr(self, n):
        parts = []
        for v in n.values:
            if isinstance(v, ast.Constant):
                parts.append(v.value)
                continue
            if v.conversion != -1:
                self.refuse(v, "a conversion (!r, !s)")
            spec = v.format_spec
            if spec is not None and not (len(spec.values) == 1 and isinstance(spec.values[0], ast.Constant)):
                self.refuse(v, "a computed format spec")
            parts.append(["field", self.expr(v.value), spec.values[0].value if spec is not None else ""])
        return ["fmt"] + parts

    def _Call(self, n):
        if n.keywords:
            self.refuse(n, "a keyword argument")
        f = n.func
        if isinstance(f, ast.Attribute) and f.attr == "join" and isinstance(f.value, ast.Constant) \
                and isinstance(f.value.value, str) and len(n.args) == 1:
            return ["join", f.value.value, self.expr(n.args[0])]
        name = f.id if isinstance(f, ast.Name) else None
        if name in BUILTINS:
            count = BUILTINS[name]
            if (count is not None and len(n.args) != count) or not n.args:
                self.refuse(n, f"{name} with {len(n.args)} arguments")
        elif name not in FORMULAS:
            self.refuse(n, f"the call of {ast.unparse(f)!r} (neither a formula declared before nor one of "
                           f"{', '.join(BUILTINS)})")
        return ["call", name] + [self.expr(a) for a in n.args]


def formula(fn: Callable) -> Callable:
    """Declare ``fn`` a formula: checked now (a FormulaError, a ValueError, names what is outside the
    subset), kept in FORMULAS with its tree (``fn.formula_tree``), and returned unchanged."""
    name = fn.__name__
    tree = _Checker(fn).tree
    if name in FORMULAS and FORMULAS[name].formula_tree != tree:
        raise FormulaError(f"formula {name}: declared twice, differently")
    fn.formula_tree = tree
    FORMULAS[name] = fn
    return fn


def _calls(tree) -> set[str]:
    """The formulas a tree calls."""
    if isinstance(tree, dict):
        return _calls(tree["body"])
    if not isinstance(tree, list):
        return set()
    found = {tree[1]} if len(tree) > 1 and tree[0] == "call" and tree[1] in FORMULAS else set()
    for part in tree:
        found |= _calls(part)
    return found


def browser_formulas(roots) -> dict:
    """{name: tree} of the formulas ``roots`` (functions or names) and every formula they call, as JSON
    data: a tree is {"params": [[name] | [name, default]], "body": [statement]}."""
    todo = [r if isinstance(r, str) else r.__name__ for r in roots]
    out = {}
    while todo:
        name = todo.pop()
        if name not in out:
            if name not in FORMULAS:
                raise ValueError(f"roots must name declared formulas, got {name!r}")
            out[name] = FORMULAS[name].formula_tree
            todo.extend(sorted(_calls(out[name])))
    return dict(sorted(out.items()))


def browser_prelude(roots) -> str:
    """The JavaScript line that defines ``FORMULAS``: ``browser_formulas(roots)``."""
    data = json.dumps(browser_formulas(roots), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return f"// formulas declared once in Python (i2dl_helpers.formulas)\nconst FORMULAS = {data};\n"


# -- two formulas every other may call ---------------------------------------------------------------
@formula
def isclose(a, b):
    """numpy.isclose(a, b) for numbers: a == b (equal infinities), or both finite (v − v == 0) and
    |a − b| <= 1e-8 + 1e-5·|b|."""
    return a == b or (a - a == 0 and b - b == 0 and abs(a - b) <= 1e-8 + 1e-5 * abs(b))


@formula
def hypot(a, b):
    """√(a² + b²), written out so that both halves round it alike (V8's Math.hypot and C's differ in the
    last bit); overflows for |a|, |b| above ~1e154, which the formulas here never meet."""
    return sqrt(a * a + b * b)
