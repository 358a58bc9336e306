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

Rules every check follows (``tests/test_exercises.py`` holds them):

* **Right in any reasonable form.** Results go through :func:`as_number`,
  :func:`as_sequence`, :func:`as_bool` or :func:`expect_close`, which accept
  Python or numpy scalars, 0-d arrays, tuples, lists and arrays alike; the
  student's function gets copies of the check's arrays, so it may change them.
* **Feedback that does not reveal.** A wrong single number is "too large" or
  "too small", "by a little" (within 10 %) or "by a lot", or the known mistake
  it matches; never a ratio, a difference or an expected value.
* **Instructions are graded.** "Without a Python loop" is checked by
  :func:`expect_no_loop`, "do not invert H" by :func:`forbid`.
* **A message, not a traceback.** In an IPython kernel a failed check shows a
  heading, the message and the hint (``_display``); ``%tb`` shows the rest.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import _display
from ._answers import NotAnswered, WrongAnswer
from ._rules import ForbiddenCall, expect_no_loop, forbid

__all__ = ["ForbiddenCall", "NotAnswered", "WrongAnswer", "as_bool", "as_number", "as_sequence", "attempt",
           "attempt_in_place", "expect", "expect_close", "expect_no_loop", "forbid", "passed"]


def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", "your function")


def attempt(fn: Callable, *args, **kwargs) -> Any:
    """Call the student's ``fn``; turn its NotImplementedError into :class:`NotAnswered`.

    Any other exception is reported as a wrong answer that names the exception,
    so a crash in the student's code reads as feedback, not as a failure of
    the check. Array arguments are passed as copies: the student's function may
    change them in place without changing what the check compares against.
    """
    if not callable(fn):
        raise WrongAnswer(f"expected a function, got {type(fn).__name__}: define it with `def` in the cell above")
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    kwargs = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    return attempt_in_place(fn, *args, **kwargs)


def attempt_in_place(fn: Callable, *args, **kwargs) -> Any:
    """:func:`attempt` without copying the arrays: for a check that looks at what ``fn`` did to its
    arguments (an exercise whose task is an in-place update, or one that says not to change them)."""
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
    """How an array ``got`` differs from ``expected``, in words that do not give the expected values away
    (no ratio, no difference, no expected entry)."""
    if not np.any(expected):
        return "is wrong"
    if np.allclose(got, -expected, rtol=rtol, atol=atol):
        return "has the wrong sign"
    if not np.any(got):
        return "is all zeros"
    k = np.argmax(np.abs(expected.ravel()))
    ratio = got.ravel()[k] / expected.ravel()[k]
    if ratio != 0 and np.allclose(got, ratio * expected, rtol=1e-6, atol=atol):
        return "is off by a constant factor (right direction, wrong scale)"
    return "is wrong"


def _scalar_kind(got: float, expected: float, rtol: float, atol: float,
                 mistakes: dict[str, float] | None) -> str:
    """How a single number differs from the expected one: a known mistake it matches, the sign, or
    too large / too small, by a little (within 10 %) or by a lot. Never a ratio or a difference, so
    the expected value cannot be computed from the message."""
    for name, value in (mistakes or {}).items():
        if np.isclose(got, value, rtol=max(rtol, 1e-9), atol=atol):
            return f"matches a common mistake: {name}"
    if expected != 0 and np.isclose(got, -expected, rtol=rtol, atol=atol):
        return "has the wrong sign"
    direction = "too large" if got > expected else "too small"
    size = "a little" if abs(got - expected) <= 0.1 * abs(expected) else "a lot"
    return f"is {direction}, by {size}"


def expect_close(actual, expected, what: str, hint: str | None = None, *,
                 rtol: float = 1e-7, atol: float = 1e-10, mistakes: dict[str, float] | None = None) -> np.ndarray:
    """Check that ``actual`` equals ``expected`` to round-off; explain a mismatch.

    ``actual`` may be a Python or numpy number, a 0-d array, a list, tuple or array of ``expected``'s
    shape. The message names ``what`` is wrong and the kind of error (None returned, wrong shape, NaN,
    wrong sign, off by a constant factor, zero where it should not be; for a single number: too large or
    too small, by a little or a lot, or the known mistake of ``mistakes`` — name → wrong value — that it
    matches), never the expected numbers, a ratio or a difference. Returns ``actual`` as a float array.
    """
    expected = np.asarray(expected, dtype=float)
    got = _as_numbers(actual, expected, what, hint)
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return got
    if expected.ndim == 0:
        kind = _scalar_kind(float(got), float(expected), rtol, atol, mistakes)
        raise WrongAnswer(_with_hint(f"{what} {kind}.", hint))
    kind = _kind_of_error(got, expected, rtol, atol)
    n_bad = int(np.sum(~np.isclose(got, expected, rtol=rtol, atol=atol)))
    where = f" ({n_bad} of {got.size} entries differ)" if got.size > 1 else ""
    raise WrongAnswer(_with_hint(f"{what} {kind}{where}.", hint))


def as_number(value, what: str, *, integer: bool = False, hint: str | None = None) -> float | int:
    """A single number in any reasonable form — a Python or numpy scalar, a 0-d array or an array with
    one entry — as a Python float (or int when ``integer``: a float such as 25.0 counts as the whole
    number it is). None, strings, booleans and non-finite values get a :class:`WrongAnswer` naming ``what``."""
    if value is None:
        raise WrongAnswer(_with_hint(f"{what}: your function returned None. Did you forget `return`?", hint))
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise WrongAnswer(_with_hint(f"{what} should be a number, got {type(value).__name__} {value!r}", hint))
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise WrongAnswer(_with_hint(f"{what} should be a number, got {type(value).__name__}", hint)) from None
    if arr.size != 1:
        raise WrongAnswer(_with_hint(f"{what} should be one number, got {arr.size} values (shape {arr.shape})",
                                     hint))
    number = float(arr.reshape(()))
    if not np.isfinite(number):
        raise WrongAnswer(_with_hint(f"{what} is {number} (not a finite number)", hint))
    if integer:
        if not number.is_integer():
            raise WrongAnswer(_with_hint(f"{what} should be a whole number, got {number:g}", hint))
        return int(number)
    return number


def as_sequence(value, n: int, what: str, names: str | None = None) -> tuple:
    """``n`` values returned together — a tuple, a list or a 1-d array of length ``n`` — as a tuple
    (entries unchanged). ``names`` (e.g. "alpha, n") is used in the message."""
    shown = f" ({names})" if names else ""
    if value is None:
        raise WrongAnswer(f"{what}: your function returned None. Did you forget `return`? It should return "
                          f"{n} values{shown}.")
    if isinstance(value, np.ndarray):
        if value.ndim != 1 or value.shape[0] != n:
            raise WrongAnswer(f"{what} should return {n} values{shown}, got an array of shape {value.shape}")
        return tuple(value)
    if not isinstance(value, (tuple, list)):
        raise WrongAnswer(f"{what} should return {n} values{shown} as a tuple, a list or an array, "
                          f"got {type(value).__name__}")
    if len(value) != n:
        raise WrongAnswer(f"{what} should return {n} values{shown}, got {len(value)}")
    return tuple(value)


def as_bool(value, what: str) -> bool:
    """True or False in any reasonable form: a Python or numpy boolean, or a 0-d boolean array."""
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.dtype == bool
                                                and value.size == 1):
        return bool(value)
    raise WrongAnswer(f"{what} should return True or False, got {type(value).__name__} {value!r}"
                      if value is not None else f"{what} returned None. Did you forget `return`?")


def passed(what: str) -> None:
    """Print the success line of a check."""
    print(f"✓ {what}: all checks passed")


_display.install()
