"""The browser half's module text: ``widgets/flatprog.js`` (the same ops as :mod:`.interpret`, and an
interpreter of the first-order optimisers' update rules, declared once in :mod:`i2dl_helpers.optim.rules`)
linked (:mod:`i2dl_helpers.esm`) with the rules' declarations as the generated module ``rules.js``, as the
widgets load it; ``tests/browser/test_flatprog_parity.py`` holds the two halves together."""
from __future__ import annotations

from pathlib import Path

from .. import esm

__all__ = ["browser_source"]


def browser_source(files=("flatprog.js",), rules=None, formulas=()) -> str:
    """The browser's module text: the given ES modules of ``widgets/`` (flatprog.js first) and what they
    import, linked into one module that exports their exports (:func:`i2dl_helpers.esm.link`), with the
    update rules' declarations as the generated module ``rules.js`` (``optim.rules.browser_prelude``, the
    constant ``OPTIMIZER_RULES``; ``rules``: other Rule objects by name, e.g. a test's wrong ones) and the
    formulas ``formulas`` (and those they call) as the generated module ``formulas_data.js``
    (``esm.formulas_module``, for ``formulas.js``)."""
    return esm.link(files, Path(__file__).parent.parent / "widgets",
                    virtual=esm.rules_module(rules) | esm.formulas_module(formulas))
