"""The browser half's module text: ``widgets/flatprog.js`` (the same ops as :mod:`.interpret`, and an
interpreter of the first-order optimisers' update rules, declared once in
:mod:`i2dl_helpers.optim.rules`) with the rules' declarations put before it, as the widgets load it;
``tests/browser/test_flatprog_parity.py`` holds the two halves together."""
from __future__ import annotations

from pathlib import Path

from ..optim import rules as optim_rules

__all__ = ["browser_source"]


def browser_source(files=("flatprog.js",), rules=None) -> str:
    """The browser's module text: the update rules' declarations (``optim.rules.browser_prelude``,
    the constant ``OPTIMIZER_RULES``; ``rules``: other Rule objects by name, e.g. a test's wrong
    ones) and then the given files of ``widgets/`` (flatprog.js first), joined."""
    here = Path(__file__).parent.parent / "widgets"
    return "\n".join([optim_rules.browser_prelude(rules)] + [(here / f).read_text(encoding="utf-8") for f in files])
