"""Each first-order update rule is declared once (``optim.rules``) and everything else derives from it.

* the Optimizer classes' ``step`` and ``init_state`` are the rules' generated functions, and no class
  writes update arithmetic of its own;
* the browser's modules (flatprog.js, flatbatch.js) hold no rule: no rule or alias name, no
  hyper-parameter or state name; the widget's module defines the rules once, from Python;
* the declarations' expression form refuses what it does not know;
* a changed declaration changes numpy's step (it is derived, not a copy).

The browser's steps against numpy's, bit for bit: ``tests/browser/test_flatprog_parity.py``
(``test_every_rule_steps_as_numpy_does`` and the runs on the catalogue), ``test_basin_parity.py``
(the generated batch code); torch's: ``test_optimizers_torch.py``.
"""
from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest

from i2dl_helpers import flatprog, optim
from i2dl_helpers.flatprog.browser import browser_source
from i2dl_helpers.optim import rules
from i2dl_helpers.widgets import figure_canvas

ROOT = Path(__file__).resolve().parents[1] / "i2dl_helpers"
CLASSES = {optim.GD: "SGD", optim.SGD: "SGD", optim.Adagrad: "AdaGrad", optim.RMSProp: "RMSProp",
           optim.Adam: "Adam", optim.AdamW: "Adam"}


def test_each_rule_has_exactly_one_declaration():
    names = [rule.name for rule in rules.RULES.values()]
    assert len(names) == len(set(names)) == 4
    source = (ROOT / "optim" / "rules.py").read_text(encoding="utf-8")
    for rule in rules.RULES.values():
        assert len(re.findall(rf"^\w+ = Rule\(\n    \"{rule.name}\"", source, re.M)) == 1, rule.name
        rule.trees()  # the expressions are in the rules' form
    for alias, (rule, defaults, fixed) in rules.ALIASES.items():
        hyper = rules.RULES[rule].hyper
        assert set(defaults) | set(fixed) <= set(hyper), alias


@pytest.mark.parametrize("cls", list(CLASSES), ids=lambda c: c.__name__)
def test_the_optimizers_step_is_the_declared_rule(cls):
    rule = CLASSES[cls]
    assert cls.step.__code__.co_filename == f"<rule {rule}>"
    assert cls.step.__code__.co_code == rules.numpy_step(rule).__code__.co_code
    assert cls.init_state.__qualname__.startswith("numpy_init")
    # every name the optimisers carry is one the browser knows, as the same rule
    opt = cls(0.1)
    assert rules.ALIASES[opt.name][0] == rule
    if cls is optim.SGD:
        for kw, name in (({"momentum": 0.5}, "Momentum"), ({"momentum": 0.5, "nesterov": True}, "Nesterov")):
            assert rules.ALIASES[cls(0.1, **kw).name][0] == "SGD" and cls(0.1, **kw).name == name


def test_no_optimizer_class_writes_update_arithmetic():
    """The classes of base.py and first_order.py define no step or init_state of their own."""
    for path, classes in ((ROOT / "optim" / "base.py", {"GD"}),
                          (ROOT / "optim" / "first_order.py", {"SGD", "Adagrad", "RMSProp", "Adam", "AdamW"})):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name in classes:
                defs = {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
                assert not defs & {"step", "init_state", "step_sizes", "velocity"}, (path.name, node.name, defs)


def test_the_browser_modules_hold_no_rule():
    words = set(rules.ALIASES) | {r.name for r in rules.RULES.values()}
    for rule in rules.RULES.values():
        words |= set(rule.hyper) | set(rule.scalars()) | set(rule.state)
        words |= {target for target, _ in rule.update}
    words -= {"x", "g"}
    for name in ("flatprog.js", "flatbatch.js"):
        text = (ROOT / "widgets" / name).read_text(encoding="utf-8")
        found = sorted({w for w in words if re.search(rf"(?<![\w.$]){re.escape(w)}(?![\w$])", text)})
        assert not found, f"{name} names a rule's parts: {found}"
    bundle = figure_canvas._bundle()
    assert bundle.count("const OPTIMIZER_RULES = ") == 1
    assert rules.browser_prelude() in bundle
    assert rules.browser_prelude() in browser_source()


@pytest.mark.parametrize("text,message", [
    ("x.real", "not part of"), ("np.sqrt(x)", "not part of"), ("exp(x)", "not part of"), ("y + 1", "unknown name"),
    ("x if True else g", "not part of"), ("0 < x < 1", "not part of"), ("x[0]", "not part of"), ("x +", "x +"),
    ("lr if k else (lambda: 1)()", "not part of"), ("sqrt(x, g)", "not part of"),
])
def test_the_expression_form_refuses_what_it_does_not_know(text, message):
    rule = dataclasses.replace(rules.RULES["SGD"], update=(("x", text),))
    with pytest.raises(ValueError, match=re.escape(message)):
        rules.numpy_source(rule)


def test_a_changed_declaration_changes_numpys_step():
    rule = rules.RULES["Adam"]
    wrong = dataclasses.replace(rule, update=tuple((t, e.replace("1 - beta1 ** k", "1")) for t, e in rule.update))
    step = rules._compile(rules.numpy_source(wrong), "step", "wrong Adam")
    x, g = np.array([[1.0, -2.0]]), np.array([[0.5, 0.25]])
    opt = optim.Adam(0.1)
    right = opt.step(x, g, opt.init_state(x), lr=0.1, t=0, objective=None)
    assert not np.allclose(step(opt, x, g, opt.init_state(x), lr=0.1, t=0, objective=None), right)


def test_state_owns_its_arrays():
    """b_1 = g: the buffer is a copy, not the caller's gradient array."""
    opt = optim.SGD(0.1, momentum=0.9)
    x, g = np.zeros((2, 3)), np.ones((2, 3))
    state = opt.init_state(x)
    opt.step(x, g, state, lr=0.1, t=0, objective=None)
    assert state["buf"] is not g and np.array_equal(state["buf"], g) and state["step"] == 1
