"""Checks for the exercises that students implement (graded with nbgrader).

Every exercise is a function the student writes in a solution cell. The check
cell below it calls one function of the notebook's module here (``nb01`` …),
which runs the student's function on inputs of its own and compares the result
with the package's reference implementation. A check never prints the answer:
it names what is wrong and gives a hint.

Three outcomes, one per kind of submission:

* unanswered (the function still raises ``NotImplementedError``) →
  :class:`NotAnswered` ("not answered yet: …"), an ``AssertionError``;
* wrong → :class:`WrongAnswer` naming the quantity, what is off, and a hint;
* right → a one-line "✓ …" message.

Both errors subclass ``AssertionError``, so nbgrader counts the cell as failed
and gives it zero points. Check cells carry the ``raises-exception`` tag, so
Run All (JupyterLab, nbval) carries on past an unanswered exercise.

``seed`` selects other inputs: the visible check uses the default, the hidden
tests of the instructor notebooks call the same check with other seeds, so an
answer hard-coded for the visible inputs fails there.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["NotAnswered", "WrongAnswer", "attempt", "expect", "expect_close", "passed"]


class NotAnswered(AssertionError):
    """The exercise's function still raises NotImplementedError."""


class WrongAnswer(AssertionError):
    """The exercise's function gives a wrong result; the message says which and hints."""


def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", "your function")


def attempt(fn: Callable, *args, **kwargs) -> Any:
    """Call the student's ``fn``; turn its NotImplementedError into :class:`NotAnswered`.

    Any other exception is reported as a wrong answer that names the exception,
    so a crash in the student's code reads as feedback, not as a failure of
    the check.
    """
    if not callable(fn):
        raise WrongAnswer(f"expected a function, got {type(fn).__name__}: define it with `def` in the cell above")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise NotAnswered(f"not answered yet: `{_name(fn)}` still raises NotImplementedError. "
                          "Replace `raise NotImplementedError()` in the cell above with your code "
                          "and run that cell again.") from None
    except (NotAnswered, WrongAnswer):
        raise
    except Exception as exc:  # the student's code crashed: say how, as feedback
        raise WrongAnswer(f"`{_name(fn)}` raised {type(exc).__name__}: {exc}") from exc


def expect(condition: bool, message: str, hint: str | None = None) -> None:
    """Raise :class:`WrongAnswer` with ``message`` (and a hint) unless ``condition``."""
    if not condition:
        raise WrongAnswer(message + (f"\nHint: {hint}" if hint else ""))


def expect_close(actual, expected, what: str, hint: str | None = None, *,
                 rtol: float = 1e-7, atol: float = 1e-10) -> np.ndarray:
    """Check that ``actual`` equals ``expected`` to round-off; explain a mismatch.

    The message names ``what`` is wrong and the kind of error (None returned,
    wrong shape, NaN, wrong sign, off by a constant factor, zero where it should
    not be, or simply different), never the expected numbers themselves.
    Returns ``actual`` as a float array.
    """
    if actual is None:
        raise WrongAnswer(f"{what}: your function returned None. Did you forget `return`?"
                          + (f"\nHint: {hint}" if hint else ""))
    expected = np.asarray(expected, dtype=float)
    try:
        got = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        raise WrongAnswer(f"{what}: expected numbers, got {type(actual).__name__}") from None
    if got.shape != expected.shape:
        raise WrongAnswer(f"{what}: wrong shape {got.shape}, expected shape {expected.shape}"
                          + (f"\nHint: {hint}" if hint else ""))
    if not np.all(np.isfinite(got)):
        raise WrongAnswer(f"{what}: contains NaN or inf" + (f"\nHint: {hint}" if hint else ""))
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return got
    kind = "is wrong"
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    if scale > 0 and np.allclose(got, -expected, rtol=rtol, atol=atol):
        kind = "has the wrong sign"
    elif scale > 0 and not np.any(got):
        kind = "is all zeros"
    elif scale > 0 and np.any(expected):
        flat_e, flat_g = expected.ravel(), got.ravel()
        k = np.argmax(np.abs(flat_e))
        ratio = flat_g[k] / flat_e[k]
        if ratio != 0 and np.allclose(got, ratio * expected, rtol=1e-6, atol=atol):
            kind = f"is off by a constant factor (about {ratio:.3g}×)"
    n_bad = int(np.sum(~np.isclose(got, expected, rtol=rtol, atol=atol)))
    where = f" ({n_bad} of {got.size} entries differ)" if got.size > 1 else ""
    raise WrongAnswer(f"{what} {kind}{where}." + (f"\nHint: {hint}" if hint else ""))


def passed(what: str) -> None:
    """Print the success line of a check."""
    print(f"✓ {what}: all checks passed")
