"""How a failed check looks in a notebook: a short message, not a traceback through the check.

In an IPython kernel (JupyterLab, nbgrader's autograde and feedback, nbval, the static site's build)
importing :mod:`i2dl_helpers.exercises` registers :func:`show_check_failure` for
:class:`NotAnswered` and :class:`WrongAnswer`. The cell still fails (the kernel replies with an
error, so nbgrader gives it no points and Run All goes on only past cells tagged
``raises-exception``), but its output is a heading, the message and the hint — never the check's
source, which would show how the answer is computed. Where the student's own code raised, the
student's frames of that traceback (and only those) follow, since that is where the bug is.
``%tb`` in the next cell prints the full traceback for whoever asks for it.
"""
from __future__ import annotations

import sys
import traceback
from pathlib import Path

from ._answers import NotAnswered, WrongAnswer

_PACKAGE = str(Path(__file__).resolve().parents[1])
BOLD, RESET = "\x1b[1m", "\x1b[0m"


def _student_frames(exc: BaseException) -> list[str]:
    """The frames of ``exc``'s traceback that are not the package's (the student's cell, numpy…)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not str(Path(f.filename).resolve()).startswith(_PACKAGE)]
    if not frames:
        return []
    lines = ["", "Where your code raised it:"]
    lines += [line.rstrip("\n") for line in traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(exc), exc)[-1:]
    return [line.rstrip("\n") for line in lines]


def failure_text(exc: BaseException) -> list[str]:
    """The lines a failed check shows: heading, message (with its hint), and the student's frames."""
    heading = "Not answered yet" if isinstance(exc, NotAnswered) else "Not right yet"
    lines = [f"{BOLD}{heading}{RESET}", *str(exc).splitlines()]
    if exc.__cause__ is not None:
        lines += _student_frames(exc.__cause__)
    lines += ["", "(The check's own traceback is hidden; run %tb in a new cell to see it.)"]
    return lines


def show_check_failure(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler (``InteractiveShell.set_custom_exc``): show the short text."""
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb      # for %tb
    if hasattr(sys, "last_exc"):
        sys.last_exc = value
    stb = ["\n".join(failure_text(value))]
    shell._showtraceback(etype, value, stb)
    return None


def install() -> bool:
    """Register the short display in the running IPython shell, if there is one; True if it did."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((NotAnswered, WrongAnswer), show_check_failure)
    return True
