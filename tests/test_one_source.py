"""Each formula once: a catalogue objective is declared once, in the course's expression language.

The declaration (``objectives.catalogue.register``: its text, variables, parameters' symbols, the
lesson's facts in its factory) is the only place the formula is written. Its value and gradient (the
flat program run by numpy: the browser's program), its Hessian (the engine's), its LaTeX and its
summary in ``describe()`` are derived from it, and no other module restates it: no table of
formulas keyed by objective (the former ``flatprog.FORMULAS``, ``GRADIENT_FORMULAS``, the
convexity widget's ``_GALLERY_FORMULAS``), no second writing of a declaration's text.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

import i2dl_helpers
from i2dl_helpers import expressions, flatprog, objectives
from i2dl_helpers.convexity import gallery
from i2dl_helpers.objectives import catalogue

PACKAGE = Path(i2dl_helpers.__file__).parent
SOURCES = {path: path.read_text(encoding="utf-8") for path in sorted(PACKAGE.rglob("*.py"))}


def _bits(a) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=float).view(np.uint64)


def test_the_catalogue_has_one_declaration_per_objective():
    assert list(catalogue._REGISTRY) == objectives.names() and len(objectives.names()) >= 11
    for name, entry in catalogue._REGISTRY.items():
        assert entry.name == name and entry.text and entry.variables in (("x",), ("x", "y"))
        obj = objectives.get(name)
        # the objective is its declaration: the same folded tree as the text (its parameters put in)
        text, variables, params = obj.declared
        assert (text, variables) == (entry.text, entry.variables)
        filled = re.sub(r"[A-Za-z_]\w*", lambda m: repr(params[m[0]]) if m[0] in params else m[0], text)
        typed = expressions.parse(filled, variables)
        assert expressions.typed_tree(obj) == expressions.typed_tree(typed), name
        # its Hessian: the chain rule twice, as the engine takes it for the typed-in function, bit for bit
        pts = flatprog.probe_points(obj, 21)
        np.testing.assert_array_equal(_bits(obj.hessian(pts)), _bits(typed.hessian(pts)))


@pytest.mark.parametrize("name", objectives.names())
def test_value_gradient_latex_and_summary_are_derived_from_the_declaration(name):
    entry, obj = catalogue._REGISTRY[name], objectives.get(name)
    program = flatprog.compile_objective(obj)
    pts = flatprog.probe_points(obj, 41)
    value, grad = flatprog.evaluate(program, pts)
    np.testing.assert_array_equal(_bits(obj(pts)), _bits(value))
    np.testing.assert_array_equal(_bits(np.reshape(obj.grad(pts), grad.shape)), _bits(grad))
    symbols = {p: entry.symbols.get(p, p) for p in obj.declared[2]}
    assert obj.formula.startswith(f"L({', '.join(entry.variables)}) = "
                                  + expressions.latex(entry.text, entry.variables, symbols))
    assert objectives.describe()[name] == f"L = {entry.text}: {entry.summary}"
    assert obj.analytic_hessian


def test_no_declaration_is_written_twice_in_the_package():
    texts = [e.text for e in catalogue._REGISTRY.values()]
    assert len(set(texts)) == len(texts)
    for text in texts:
        places = [p.relative_to(PACKAGE).as_posix() for p, src in SOURCES.items() if text in src]
        assert len(places) == 1 and places[0].startswith("objectives/"), (text, places)
        assert sum(src.count(text) for src in SOURCES.values()) == 1, text


def _formula_tables(tree: ast.AST, keys: set[str]):
    """Dict literals keyed by two or more objective names whose values are formulas (strings, lambdas)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        named = [(k.value, v) for k, v in zip(node.keys, node.values)
                 if isinstance(k, ast.Constant) and k.value in keys]
        if len(named) >= 2 and all(isinstance(v, (ast.Lambda, ast.JoinedStr, ast.Name))
                                   or (isinstance(v, ast.Constant) and isinstance(v.value, str)) for _, v in named):
            yield node.lineno, [k for k, _ in named]


def test_no_module_keeps_a_table_of_formulas_by_objective():
    keys = set(objectives.names()) | {obj.name for obj, _ in gallery()}
    found = [(path.relative_to(PACKAGE).as_posix(), line, names) for path, src in SOURCES.items()
             for line, names in _formula_tables(ast.parse(src), keys)]
    assert not found, f"formula tables keyed by objective: {found}"
    assert not hasattr(flatprog, "FORMULAS") and not hasattr(flatprog, "GRADIENT_FORMULAS")
    from i2dl_helpers.widgets import convexity
    assert not hasattr(convexity, "_GALLERY_FORMULAS")


def test_the_gallerys_functions_are_declared_too_and_compile():
    for obj, _ in gallery():
        program = flatprog.compile_objective(obj)   # no second writing needed for the browser
        pts = flatprog.probe_points(obj, 21)
        value, grad = flatprog.evaluate(program, pts)
        np.testing.assert_array_equal(_bits(obj(pts)), _bits(value))
        np.testing.assert_array_equal(_bits(np.reshape(obj.grad(pts), grad.shape)), _bits(grad))


def test_the_detector_finds_a_formula_table():
    src = 'FORMULAS = {"rosenbrock": lambda o: "(1 - x)**2", "bowl": "x**2 + y**2"}\nOK = {"bowl": {"lr": 1}}\n'
    assert list(_formula_tables(ast.parse(src), {"rosenbrock", "bowl"})) == [(1, ["rosenbrock", "bowl"])]


def test_the_latex_is_read_off_the_expression_tree():
    assert expressions.latex("x**4/4 - 3*x") == r"\frac{x^{4}}{4} - 3\,x"
    assert (expressions.latex("(a - x)**2 + b*(y - x**2)**2", ("x", "y"), {"a": "a", "b": "b"})
            == r"\left(a - x\right)^{2} + b\,\left(y - x^{2}\right)^{2}")
    assert expressions.latex("1 - exp(-x**2/2) + sqrt(abs(x))*cos(pi*x)") == (
        r"1 - e^{\frac{-x^{2}}{2}} + \sqrt{\left|x\right|}\,\cos\left(\pi\,x\right)")
    assert expressions.latex("2*3 + k*x", symbols={"k": r"\kappa"}) == r"2 \cdot 3 + \kappa\,x"
