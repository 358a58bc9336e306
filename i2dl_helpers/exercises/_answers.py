"""The two ways a check fails, both an ``AssertionError`` (so nbgrader gives the cell no points).

Their own module, below the checks (``exercises``), the graded instructions (``_rules``) and the
short display (``_display``), which all need them. Both are shown as ``i2dl_helpers.exercises.…``,
where students and the tests import them from.
"""
from __future__ import annotations

__all__ = ["NotAnswered", "WrongAnswer"]


class NotAnswered(AssertionError):
    """The exercise's function still raises NotImplementedError."""

    __module__ = "i2dl_helpers.exercises"


class WrongAnswer(AssertionError):
    """The exercise's function gives a wrong result; the message says which and hints."""

    __module__ = "i2dl_helpers.exercises"
