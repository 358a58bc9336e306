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
        raise WrongAnswer(_with_hint(message, hint))


def _with_hint(message: str, hint: str | None) -> str:
    return message + (f"\nHint: {hint}" if hint else "")


def _as_numbers(actual, expected: np.ndarray, what: str, hint: str | None) -> np.ndarray:
    """``actual`` as a float array of ``expected``'s shape, or a WrongAnswer saying why not."""
    if actual is None:
        raise WrongAnswer(_with_hint(f"{what}: your function returned None. Did you forget `return`?", hint))
    try:
        got = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        raise WrongAnswer(f"{what}: expected numbers, got {type(actual).__name__}") from None
    if got.shape != expected.shape:
        raise WrongAnswer(_with_hint(f"{what}: wrong shape {got.shape}, expected shape {expected.shape}", hint))
    if not np.all(np.isfinite(got)):
        raise WrongAnswer(_with_hint(f"{what}: contains NaN or inf", hint))
    return got


def _kind_of_error(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    """How ``got`` differs from ``expected``, in words that do not give the expected values away."""
    if not np.any(expected):
        return "is wrong"
    if np.allclose(got, -expected, rtol=rtol, atol=atol):
        return "has the wrong sign"
    if not np.any(got):
        return "is all zeros"
    k = np.argmax(np.abs(expected.ravel()))
    ratio = got.ravel()[k] / expected.ravel()[k]
    if ratio != 0 and np.allclose(got, ratio * expected, rtol=1e-6, atol=atol):
        return f"is off by a constant factor (about {ratio:.3g}×)"
    return "is wrong"


def expect_close(actual, expected, what: str, hint: str | None = None, *,
                 rtol: float = 1e-7, atol: float = 1e-10) -> np.ndarray:
    """Check that ``actual`` equals ``expected`` to round-off; explain a mismatch.

    The message names ``what`` is wrong and the kind of error (None returned,
    wrong shape, NaN, wrong sign, off by a constant factor, zero where it should
    not be, or simply different), never the expected numbers themselves.
    Returns ``actual`` as a float array.
    """
    expected = np.asarray(expected, dtype=float)
    got = _as_numbers(actual, expected, what, hint)
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return got
    kind = _kind_of_error(got, expected, rtol, atol)
    n_bad = int(np.sum(~np.isclose(got, expected, rtol=rtol, atol=atol)))
    where = f" ({n_bad} of {got.size} entries differ)" if got.size > 1 else ""
    raise WrongAnswer(_with_hint(f"{what} {kind}{where}.", hint))


def passed(what: str) -> None:
    """Print the success line of a check."""
    print(f"✓ {what}: all checks passed")
