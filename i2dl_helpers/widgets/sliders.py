"""Controls of the explorers: declared once, checked at the door, kept when set from code.

``Control`` declares one control (name, kind, range, label); an explorer's table of them makes both
its constructor's validation and its widgets. ``log_slider`` makes the learning-rate sliders (log
scale, readable readout). ``EchoFilter`` absorbs the browser's rounded copies of values set from code.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from .._validate import check_choice, check_int, check_real

__all__ = ["Control", "EchoFilter", "grid_neighbours", "log_slider"]


def log_slider(description: str, value: float, low_exp: float, high_exp: float, step: float = 0.05,
               fmt: str = ".4g") -> widgets.FloatLogSlider:
    """A FloatLogSlider from 10**low_exp to 10**high_exp whose readout shows ``fmt``."""
    return widgets.FloatLogSlider(value=value, base=10, min=low_exp, max=high_exp, step=step,
                                  description=description, readout_format=fmt, continuous_update=True,
                                  style={"description_width": "initial"})


def _position(control, value) -> float | None:
    """Where ``value`` sits on the slider's track, in the units of its min, max and step
    (the exponent for a FloatLogSlider); None if it cannot sit there."""
    if isinstance(control, widgets.FloatLogSlider):
        return math.log(value, control.base) if value > 0 else None
    return value


def _grid_value(control, value) -> float | None:
    """The value the browser's slider snaps ``value`` to (its grid: min + k·step on the
    track), or None for controls without a numeric grid."""
    step = getattr(control, "step", None)
    if not isinstance(value, (int, float)) or not isinstance(step, (int, float)) or step <= 0:
        return None
    at = _position(control, value)
    if at is None:
        return None
    lo, hi = control.min, control.max
    snapped = lo + round((min(max(at, lo), hi) - lo) / step) * step
    return float(control.base ** snapped) if isinstance(control, widgets.FloatLogSlider) else snapped


def grid_neighbours(control, value: float, k: int) -> tuple[list, list]:
    """The ``k`` grid points of a slider on each side of ``value`` (the grid point it snaps to, see
    ``_grid_value``), within the slider's range, nearest first: (below, above). These are the values the
    arrow keys give (as the browser computes them, to round-off: ``Explorer.AHEAD_NEAR``)."""
    at, lo, step = _position(control, value), control.min, control.step
    if at is None:
        return [], []
    index, last = round((min(max(at, lo), control.max) - lo) / step), round((control.max - lo) / step)

    def point(i):
        if isinstance(control, widgets.FloatLogSlider):
            return float(control.base ** (lo + i * step))
        return lo + i * step

    below = [point(i) for i in range(index - 1, max(index - k, 0) - 1, -1)]
    above = [point(i) for i in range(index + 1, min(index + k, last) + 1)]
    return below, above


def _same_grid_point(control, a: float, b: float) -> bool:
    a, b = _position(control, a), _position(control, b)
    return a is not None and b is not None and abs(a - b) <= 1e-6 * control.step


class EchoFilter:
    """Keeps values set from code from being replaced by the browser's rounded copy.

    When code sets a slider to a value off the slider's grid (α = 0.5 on a log
    grid of step 0.05), the browser moves the handle to the nearest grid point
    and sends that value back, late: after Run All, only once every cell has
    run. The explorer would then silently jump to the rounded value, or, when
    code set several values in a row, back to an earlier one. This filter
    predicts the browser's rounded copy of every off-grid value set from code;
    a value from the browser that is such a copy is not a person moving the
    slider, so the explorer keeps the value the code set (the slider's readout
    shows the grid point next to it). Any other value from the browser is a
    person's move: it is applied and the pending copies are forgotten; if it is
    off the grid (typed into the readout), its rounded copy is expected in turn,
    so a typed 0.5 stays 0.5.
    """

    def __init__(self):
        self._pending: dict[str, list[float]] = {}

    def expect(self, name: str, control, value) -> None:
        """``value`` was set from code: remember the copy the browser will send if it is off-grid."""
        snapped = _grid_value(control, value)
        if snapped is not None and not _same_grid_point(control, snapped, value):
            pending = self._pending.setdefault(name, [])
            pending.append(snapped)
            del pending[:-16]

    def absorbs(self, name: str, control, change) -> bool:
        """True when ``change`` is the browser's copy of a value set from code; the
        control then gets the kernel's value back (without telling the browser,
        which would only snap it again)."""
        if "value" not in getattr(control, "_property_lock", {}):  # set from code
            self.expect(name, control, change["new"])
            return False
        pending = self._pending.get(name, [])
        if any(_same_grid_point(control, change["new"], p) for p in pending):
            kept = change["old"]
            control._trait_values["value"] = kept
            near = _grid_value(control, kept)
            if near is None or not _same_grid_point(control, change["new"], near):
                # the copy of an earlier value: the browser would keep showing it (ipywidgets
                # echoes it back), so send the kept value again; its own copy is absorbed
                self.expect(name, control, kept)
                control.send_state("value")
            return True
        pending.clear()  # a person moved the slider, or typed a value into its readout;
        self.expect(name, control, change["new"])  # a typed value off the grid is rounded and sent again
        return False


_KINDS = ("log", "float", "int", "choice")


@dataclass(frozen=True)
class Control:
    """One control of an explorer, declared once: the constructor's check and the widget both come from it.

    kind   : "log" (a FloatLogSlider; ``low``/``high`` are values, e.g. 1e-3 and 10), "float", "int"
             or "choice" (a Dropdown over ``options``).
    redraw : a change of this control changes the static background (new function, new limits),
             so the explorer redraws the whole figure.
    grow   : a value outside [low, high] widens the slider's range to include it instead of
             being refused (for ranges that are a convenience, not a limit of the maths); the
             hard limits ``limits`` = (lowest, highest) still apply (None: unbounded).
    A value outside the range is never silently changed: it is refused with an error that names
    the parameter and the range, or the range grows.
    """

    name: str
    label: str
    kind: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    fmt: str | None = None
    options: tuple = ()
    redraw: bool = False
    grow: bool = False
    limits: tuple = (None, None)

    def __post_init__(self):
        if self.kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}, got {self.kind!r}")

    def check(self, value: Any, low: float | None = None, high: float | None = None) -> Any:
        """``value`` validated for this control (``low``/``high`` override the declared range)."""
        low = self.low if low is None else low
        high = self.high if high is None else high
        if self.kind == "choice":
            return check_choice(self.name, value, self.options) if self.options else value
        if self.grow:
            low, high = self.limits
        if self.kind == "int":
            return check_int(self.name, value, low=None if low is None else int(low),
                             high=None if high is None else int(high))
        if self.kind == "log":
            value = check_real(self.name, value, low=low, high=high)
            if value <= 0:
                raise ValueError(f"{self.name} must be a positive finite number, got {value!r}")
            return value
        return check_real(self.name, value, low=low, high=high)

    def make(self, value: Any, low: float | None = None, high: float | None = None,
             options: tuple | None = None) -> widgets.Widget:
        """The widget, showing ``value``; the range grows to include it where ``grow`` allows."""
        if self.kind == "choice":
            return widgets.Dropdown(options=list(options or self.options), value=value, description=self.label)
        low = self.low if low is None else low
        high = self.high if high is None else high
        if low is not None and high is not None:
            low, high = min(low, value), max(high, value)
        if self.kind == "log":
            lo_exp, hi_exp = _covering_exponents(low, high, value)
            return log_slider(self.label, value, lo_exp, hi_exp, step=self.step or 0.05, fmt=self.fmt or ".4g")
        style = {"description_width": "initial"}
        if self.kind == "int":
            return widgets.IntSlider(value=int(value), min=int(low), max=int(high), step=int(self.step or 1),
                                     description=self.label, style=style)
        return widgets.FloatSlider(value=float(value), min=low, max=high, step=self.step or (high - low) / 400,
                                   description=self.label, readout_format=self.fmt or ".3f", style=style)


def _covering_exponents(low: float, high: float, value: float) -> tuple[float, float]:
    """log10 of [low, high], nudged out until 10**ends cover ``value`` (10**log10(v) can miss v by
    one rounding step, and the slider would then clip v)."""
    lo_exp, hi_exp = math.log10(low), math.log10(high)
    while 10 ** lo_exp > value:
        lo_exp = math.nextafter(lo_exp, -math.inf)
    while 10 ** hi_exp < value:
        hi_exp = math.nextafter(hi_exp, math.inf)
    return lo_exp, hi_exp
