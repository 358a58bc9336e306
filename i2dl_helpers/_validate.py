"""Argument checks shared by the public API.

Every public function validates at the door and raises an error that names the
parameter and what is allowed, so that a student never sees a traceback from
deep inside numpy.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = [
    "as_points",
    "check_choice",
    "check_int",
    "check_positive",
    "check_real",
]


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _interval(low, high, low_open: bool, high_open: bool) -> str:
    """"[low, high]" with open ends as parentheses and missing ends as ±inf."""
    left = "(-inf" if low is None else f"{'(' if low_open else '['}{low}"
    right = "inf)" if high is None else f"{high}{')' if high_open else ']'}"
    return f"{left}, {right}"


def check_real(name: str, value: Any, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float, checking it is a finite real number in a range.

    Raises TypeError if it is not a real number, ValueError if it is not finite
    or outside ``[low, high]`` (open ends when ``low_open``/``high_open``).
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if not _is_real(value):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    below = low is not None and (value < low or (low_open and value == low))
    above = high is not None and (value > high or (high_open and value == high))
    if below or above:
        raise ValueError(f"{name} must be in {_interval(low, high, low_open, high_open)}, got {value!r}")
    return value


def check_positive(name: str, value: Any) -> float:
    """A finite real number > 0 (learning rates, tolerances, step sizes)."""
    value = check_real(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def check_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (not bool) in ``[low, high]``."""
    if isinstance(value, np.integer):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be an integer <= {high}, got {value!r}")
    return value


def check_choice(name: str, value: Any, allowed) -> Any:
    """One of ``allowed``; the error lists the allowed values."""
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value


def as_points(name: str, x: Any, dim: int, *, allow_nonfinite: bool = False) -> np.ndarray:
    """Convert ``x`` to a float array of points with shape ``(..., dim)``.

    For ``dim == 1`` a plain number or an array whose last axis is not of
    length 1 is read as a collection of 1D points and given a trailing axis.
    Raises TypeError for non-numeric input and ValueError for a wrong last axis
    or (unless ``allow_nonfinite``) NaN/inf entries.
    """
    if isinstance(x, bool) or (isinstance(x, np.ndarray) and x.dtype == bool):
        raise TypeError(f"{name} must be numeric, got a boolean")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {type(x).__name__}") from None
    if dim == 1 and (arr.ndim == 0 or arr.shape[-1] != 1):
        arr = arr[..., None]
    if arr.ndim == 0 or arr.shape[-1] != dim:
        raise ValueError(
            f"{name} must have shape (..., {dim}) for a {dim}-dimensional objective, got shape {arr.shape}"
        )
    if not allow_nonfinite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr
