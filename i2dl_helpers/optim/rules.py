"""The first-order update rules, each declared once; numpy's step and the browser's derive from it.

A rule is a few assignments in a restricted Python expression form (``ast``-checked, never
``eval``'d as typed: only the node kinds below pass). Each assignment ``target = expression`` acts
element-wise: per start and per coordinate, on arrays of shape (n, d) in numpy, on one coordinate
at a time in the browser. Names an expression may use:

    x, g         the point θ_k and the gradient ∇L(θ_k) (a rule may reassign both, e.g. weight decay)
    lr, t        the learning rate α of this step (schedule included) and run's step index 0, 1, ...
    k, first     this optimiser's own step count 1, 2, ... (kept in ``state["step"]``) and k == 1
    hyper-parameters (torch's names; a pair such as ``betas`` is split into beta1, beta2)
    state        the rule's per-coordinate state, initialised to a number or a hyper-parameter
    locals       names assigned earlier in the rule

Operations: + − × ÷ ** (``Math.pow`` in the browser), unary −, ``sqrt``, comparisons (one
operator), ``and``, ``or``, ``not`` and ``a if c else b``. The last value of ``x`` is θ_{k+1};
every assignment is one rounding order, written once, so numpy and the browser compute the same
doubles. Conditions on hyper-parameters alone select a form of the rule (the browser's generated
code keeps the chosen branch only); ``first`` distinguishes the first step.

What derives from a declaration:

* ``numpy_step(name)``: the Python function ``step(self, x, g, state, *, lr, t, objective)``
  of the Optimizer classes (generated once as Python source, compiled, no interpretation per
  step; hyper-parameters are the optimiser's attributes);
* ``browser_rules()``: the declarations as JSON (expression trees), which ``flatprog.js``
  interprets (``makeStep``) and ``flatbatch.js`` turns into its generated batch code;
  ``browser_prelude()`` is that JSON as the JavaScript constant ``OPTIMIZER_RULES``, the body of
  the generated module ``rules.js`` that flatprog.js imports (``esm.rules_module``, ``flatprog.browser.browser_source``);
* ``numpy_readout(name, what)``: diagnostics such as AdaGrad's per-coordinate step sizes.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..formulas import BINARY_OPS, COMPARE_OPS

__all__ = ["ALIASES", "RULES", "Rule", "browser_prelude", "browser_rules", "numpy_readout", "numpy_step"]

#: names every rule may read besides its hyper-parameters, state and locals
BUILTIN = ("x", "g", "lr", "t", "k", "first")
_COMPARE = {op: symbol for op, symbol in COMPARE_OPS.items() if symbol not in ("is", "is not")}  # numbers only
_FUNCTIONS = ("sqrt",)


@dataclass(frozen=True)
class Rule:
    """One update rule: hyper-parameters (torch's names -> defaults), state (name -> initial value:
    a number or a hyper-parameter's name), the assignments in order, and readouts (name ->
    expression over the state after a step, for diagnostics; numpy only)."""

    name: str
    hyper: dict[str, Any]
    state: dict[str, Any]
    update: tuple[tuple[str, str], ...]
    pairs: dict[str, tuple[str, str]] = field(default_factory=dict)
    readouts: dict[str, str] = field(default_factory=dict)

    def scalars(self) -> list[str]:
        """The hyper-parameters as the expressions see them (pairs split)."""
        out = []
        for name in self.hyper:
            out.extend(self.pairs.get(name, (name,)))
        return out

    def trees(self) -> list[tuple[str, list]]:
        """The assignments as expression trees (checked)."""
        known = set(BUILTIN) | set(self.scalars()) | set(self.state)
        out = []
        for target, text in self.update:
            tree = _tree(text, known, f"{self.name}: {target} = {text}")
            if target in self.scalars() or target in ("lr", "t", "k", "first"):
                raise ValueError(f"{self.name}: cannot assign to {target!r}")
            known.add(target)
            out.append((target, tree))
        return out

    @property
    def counted(self) -> bool:
        """Whether the rule reads its own step count (k or first): then ``state["step"]`` keeps it."""
        texts = list(dict(self.update).values()) + list(self.readouts.values())
        return any(n.id in ("k", "first") for text in texts for n in ast.walk(ast.parse(text, mode="eval"))
                   if isinstance(n, ast.Name))


# -- the expression form ---------------------------------------------------------------------
def _tree(text: str, known: set[str], where: str) -> list:
    """The restricted expression ``text`` as a JSON tree; refuses anything else."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError as err:
        raise ValueError(f"{where}: {err.msg}") from None
    return _node(node, known, where)


def _node(node: ast.AST, known: set[str], where: str) -> list:
    kind = _KINDS.get(type(node))
    tree = kind(node) if kind else None
    if tree is None:
        raise ValueError(f"{where}: {ast.dump(node)[:60]} is not part of the rules' expression form")
    if tree[0] == "name" and tree[1] not in known:
        raise ValueError(f"{where}: unknown name {tree[1]!r}")
    return [tree[0]] + [_node(a, known, where) if isinstance(a, ast.AST) else a for a in tree[1:]]


def _call(node: ast.Call):
    ok = isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS and len(node.args) == 1 and not node.keywords
    return [node.func.id, node.args[0]] if ok else None


#: node type -> [op, children (still ast nodes) or values], or None where the node is refused
_KINDS: dict[type, Callable] = {
    ast.Constant: lambda n: ["num", n.value] if type(n.value) in (int, float) else None,
    ast.Name: lambda n: ["name", n.id],
    ast.BinOp: lambda n: [BINARY_OPS[type(n.op)], n.left, n.right] if type(n.op) in BINARY_OPS else None,
    ast.UnaryOp: lambda n: ([{ast.USub: "neg", ast.Not: "not"}[type(n.op)], n.operand]
                            if type(n.op) in (ast.USub, ast.Not) else None),
    ast.BoolOp: lambda n: ([{ast.And: "and", ast.Or: "or"}[type(n.op)], *n.values] if len(n.values) == 2 else None),
    ast.Compare: lambda n: ([_COMPARE[type(n.ops[0])], n.left, n.comparators[0]]
                            if len(n.ops) == 1 and type(n.ops[0]) in _COMPARE else None),
    ast.IfExp: lambda n: ["?", n.test, n.body, n.orelse],
    ast.Call: _call,
}


# -- the rules ---------------------------------------------------------------------------------
#: torch's lerp(a, b, w) = a + w (b − a), computed as torch does (the form depends on w)
_LERP = "{a} + w * ({b} - {a}) if w < 0.5 else {b} - ({b} - {a}) * (1 - w)"

#: SGD (torch.optim.SGD, dampening 0), with α = lr, β = momentum, λ = weight_decay:
#:   g ← ∇L + λθ;  b_1 = g, b_k = β b_{k−1} + g;
#:   θ ← θ − α g (β = 0), θ − α b_k (heavy ball) or θ − α (g + β b_k) (Nesterov)
SGD = Rule(
    "SGD", {"momentum": 0.0, "nesterov": False, "weight_decay": 0.0}, {"buf": 0.0},
    (("g", "g + weight_decay * x if weight_decay != 0 else g"),
     ("buf", "buf if momentum == 0 else g if first else buf * momentum + g"),
     ("x", "x - lr * (g if momentum == 0 else g + momentum * buf if nesterov else buf)")))

#: AdaGrad (torch.optim.Adagrad), with α = lr, ε = eps:
#:   G_k = G_{k−1} + g²,  α_t = α / (1 + t·lr_decay),  θ ← θ − α_t g / (√G_k + ε)
ADAGRAD = Rule(
    "AdaGrad", {"eps": 1e-10, "lr_decay": 0.0, "initial_accumulator_value": 0.0},
    {"sum": "initial_accumulator_value"},
    (("clr", "lr / (1 + t * lr_decay)"),
     ("sum", "sum + g * g"),
     ("x", "x + (-clr) * g / (sqrt(sum) + eps)")),
    readouts={"step_sizes": "lr / (1 + t * lr_decay) / (sqrt(sum) + eps)"})

#: RMSProp (torch.optim.RMSprop), with α = lr, a = alpha, ε = eps, μ = momentum:
#:   s_k = a s_{k−1} + (1 − a) g²  (centered: m_k = lerp(m_{k−1}, g, 1 − a), s_k − m_k² in place of s_k)
#:   θ ← θ − α g / (√s_k + ε),  or with μ > 0: b_k = μ b_{k−1} + g / (√s_k + ε), θ ← θ − α b_k
RMSPROP = Rule(
    "RMSProp", {"alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "centered": False},
    {"square_avg": 0.0, "grad_avg": 0.0, "buf": 0.0},
    (("square_avg", "square_avg * alpha + (1 - alpha) * g * g"),
     ("w", "1 - alpha"),
     ("grad_avg", f"({_LERP.format(a='grad_avg', b='g')}) if centered else grad_avg"),
     ("avg", "sqrt(square_avg + (-1) * grad_avg * grad_avg) + eps if centered else sqrt(square_avg) + eps"),
     ("buf", "buf * momentum + g / avg if momentum > 0 else buf"),
     ("x", "x + (-lr) * buf if momentum > 0 else x + (-lr) * g / avg")),
    readouts={"step_sizes": "lr / (sqrt(square_avg) + eps)"})

#: Adam (torch.optim.Adam; AdamW: decoupled = True), with α = lr, (β₁, β₂) = betas, ε = eps, λ = weight_decay:
#:   g ← g + λθ (Adam) or first θ ← θ (1 − αλ) (AdamW);
#:   m_k = lerp(m_{k−1}, g, 1 − β₁) = β₁ m_{k−1} + (1 − β₁) g,  v_k = β₂ v_{k−1} + (1 − β₂) g²,
#:   θ ← θ − α/(1 − β₁ᵏ) · m_k / (√v_k / √(1 − β₂ᵏ) + ε)
ADAM = Rule(
    "Adam", {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "decoupled": False},
    {"exp_avg": 0.0, "exp_avg_sq": 0.0},
    (("x", "x * (1 - lr * weight_decay) if decoupled and weight_decay != 0 else x"),
     ("g", "g + weight_decay * x if weight_decay != 0 and not decoupled else g"),
     ("w", "1 - beta1"),
     ("exp_avg", _LERP.format(a="exp_avg", b="g")),
     ("exp_avg_sq", "exp_avg_sq * beta2 + (1 - beta2) * g * g"),
     ("step_size", "lr / (1 - beta1 ** k)"),
     ("x", "x + (-step_size) * exp_avg / (sqrt(exp_avg_sq) / (1 - beta2 ** k) ** 0.5 + eps)")),
    pairs={"betas": ("beta1", "beta2")},
    readouts={"step_sizes": "lr / (sqrt(exp_avg_sq) / (1 - beta2 ** k) ** 0.5 + eps)",
              "velocity": "exp_avg / (1 - beta1 ** k)"})

#: every rule, by its name
RULES: dict[str, Rule] = {rule.name: rule for rule in (SGD, ADAGRAD, RMSPROP, ADAM)}

#: the names the browser accepts (``makeStep``, ``runOptimizer``, ``runBatch``; the Optimizer classes'
#: ``name``s and torch's spellings): rule, defaults that differ from the rule's, values that are fixed
ALIASES: dict[str, tuple[str, dict, dict]] = {
    "GD": ("SGD", {}, {"momentum": 0.0}), "SGD": ("SGD", {}, {}),
    "Momentum": ("SGD", {"momentum": 0.9}, {}), "Nesterov": ("SGD", {"momentum": 0.9}, {"nesterov": True}),
    "AdaGrad": ("AdaGrad", {}, {}), "Adagrad": ("AdaGrad", {}, {}),
    "RMSProp": ("RMSProp", {}, {}), "RMSprop": ("RMSProp", {}, {}),
    "Adam": ("Adam", {}, {"decoupled": False}), "AdamW": ("Adam", {"weight_decay": 1e-2}, {"decoupled": True}),
}


# -- numpy: each rule as generated Python ------------------------------------------------------
def _py(tree: list, names: dict[str, str]) -> str:
    """A tree as a fully parenthesised Python expression (the declaration's rounding order)."""
    op, *args = tree
    if op == "num":
        return repr(args[0])
    if op == "name":
        return names[args[0]]
    parts = [_py(a, names) for a in args]
    if op == "neg":
        return f"(-{parts[0]})"
    if op == "not":
        return f"(not {parts[0]})"
    if op in ("sqrt", "copy"):
        return f"_{op}({parts[0]})"
    if op == "?":
        return f"({parts[1]} if {parts[0]} else {parts[2]})"
    return f"({parts[0]} {op} {parts[1]})"


def _py_names(rule: Rule, assigned=(), used=None) -> tuple[dict[str, str], list[str]]:
    """Python names for the rule's names, and the lines reading the hyper-parameters (those in
    ``used``, default all) from ``self``."""
    names = {"x": "x", "g": "g", "lr": "lr", "t": "t", "k": "k", "first": "first"}
    lines = []
    for hyper in rule.hyper:
        parts = rule.pairs.get(hyper, (hyper,))
        names.update({p: f"h_{p}" for p in parts})
        if used is None or set(parts) & used:
            lines.append(f"{', '.join(f'h_{p}' for p in parts)} = self.{hyper}")
    names.update({s: f"s_{s}" for s in rule.state})
    names.update({n: f"l_{n}" for n in assigned if n not in names})
    return names, lines


def _compile(source: str, name: str, label: str) -> Callable:
    """The function ``name`` defined by the generated ``source`` (shown as ``<rule label>`` in tracebacks)."""
    scope = {"_sqrt": np.sqrt, "_copy": _copy}
    exec(compile(source, f"<rule {label}>", "exec"), scope)  # noqa: S102 - our own generated source
    return scope[name]


def _owned(tree: list, target: str) -> list:
    """A state's new value with every bare other name in it (b_1 = g) copied, as the state owns it."""
    if tree[0] == "name" and tree[1] != target:
        return ["copy", tree]
    if tree[0] == "?":
        return ["?", tree[1], _owned(tree[2], target), _owned(tree[3], target)]
    return tree


def _copy(a):
    """A state that takes a bare array (b_1 = g) owns its copy."""
    return a.copy() if isinstance(a, np.ndarray) else a


def _used(trees) -> set[str]:
    out: set[str] = set()
    for _, tree in trees:
        out |= {node[1] for node in _walk(tree) if node[0] == "name"}
    return out


def _walk(tree: list):
    yield tree
    if tree[0] not in ("num", "name"):
        for arg in tree[1:]:
            yield from _walk(arg)


def numpy_source(rule: Rule) -> str:
    """The generated Python source of the rule's numpy step (for reading and for tests): reads the
    hyper-parameters it uses from ``self``, counts the step where the rule reads k or first, then
    the assignments in order, each one numpy expression in the declaration's rounding order."""
    trees = rule.trees()
    used = _used(trees)
    names, lines = _py_names(rule, [t for t, _ in trees], used)
    if rule.counted:
        lines += ['state["step"] = n = state["step"] + 1'] + ["k = float(n)"] * ("k" in used)
        lines += ["first = n == 1"] * ("first" in used)
    lines += [f"s_{s} = state[{s!r}]" for s in rule.state]
    for target, tree in trees:
        expr = _py(_owned(tree, target) if target in rule.state else tree, names)
        lines.append(f"{names[target]} = {expr}")
    lines += [f"state[{s!r}] = s_{s}" for s in rule.state if any(t == s for t, _ in trees)]
    lines.append("return x")
    return "def step(self, x, g, state, *, lr, t, objective):\n    " + "\n    ".join(lines) + "\n"


def numpy_step(name: str) -> Callable:
    """Rule ``name``'s step as a method for an Optimizer class whose attributes hold the
    hyper-parameters (``self.momentum``, ``self.betas``, ...)."""
    return _compile(numpy_source(RULES[name]), "step", name)


def numpy_init(name: str) -> Callable:
    """Rule ``name``'s ``init_state(self, x)``: every state array at its initial value, shape of x,
    and ``"step": 0`` where the rule counts its steps."""
    rule = RULES[name]

    def init_state(self, x):
        state = {s: np.full(np.shape(x), float(getattr(self, v) if isinstance(v, str) else v))
                 for s, v in rule.state.items()}
        if rule.counted:
            state["step"] = 0
        return state
    return init_state


def numpy_readout(name: str, what: str) -> Callable:
    """Rule ``name``'s readout ``what`` as a method ``(self, state, lr, t)`` on the state after a step."""
    rule = RULES[name]
    tree = _tree(rule.readouts[what], set(BUILTIN) | set(rule.scalars()) | set(rule.state), f"{name}: {what}")
    names, lines = _py_names(rule)
    lines += ['k = float(state["step"])'] if rule.counted else []
    lines += [f"s_{s} = state[{s!r}]" for s in rule.state]
    lines.append(f"return {_py(tree, names)}")
    source = f"def {what}(self, state, lr=None, t=0):\n    " + "\n    ".join(lines) + "\n"
    return _compile(source, what, f"{name} {what}")


# -- the browser: the declarations as data ----------------------------------------------------
def browser_rules(rules: dict[str, Rule] | None = None) -> dict:
    """{"rules": {name: {hyper, pairs, state, counted, update}}, "aliases": ALIASES} as JSON data:
    hyper [[name, default]], state [[name, init]] (a number or a hyper-parameter's name), update
    [[target, tree]] with trees ["num", v] | ["name", n] | [op, tree, ...] (op: + - * / ** neg not
    and or < <= > >= == != ? sqrt)."""
    out = {}
    for rule in (RULES if rules is None else rules).values():
        out[rule.name] = {"hyper": [[h, list(d) if isinstance(d, tuple) else d] for h, d in rule.hyper.items()],
                            "pairs": {h: list(p) for h, p in rule.pairs.items()},
                            "state": [[s, v] for s, v in rule.state.items()],
                            "counted": rule.counted, "update": [[t, tree] for t, tree in rule.trees()]}
    return {"rules": out, "aliases": {a: list(v) for a, v in ALIASES.items()}}


def browser_prelude(rules: dict[str, Rule] | None = None) -> str:
    """The JavaScript line that defines ``OPTIMIZER_RULES``: ``browser_rules(rules)``."""
    data = json.dumps(browser_rules(rules), separators=(",", ":"), allow_nan=False)
    return ("// the first-order update rules, declared once in Python (i2dl_helpers/optim/rules.py)\n"
            f"const OPTIMIZER_RULES = {data};\n")
