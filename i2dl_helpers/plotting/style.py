"""Screen and classroom styles for every figure and explorer of the course.

``classroom()`` switches to large fonts, thick lines and a colour-blind-safe,
high-contrast palette (Okabe & Ito) that reads from the back of a lecture hall;
``screen()`` returns to the plain style. Explorers created afterwards use it.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import matplotlib.ticker as mticker
from cycler import cycler
from matplotlib.colors import to_rgb

__all__ = ["LEGEND_PT", "MARK_COLOURS", "OKABE_ITO", "PALETTE", "PlainLogFormatter", "classroom", "context",
           "contrast_ratio", "current", "legend_size", "plain_log_ticks", "screen"]

#: Okabe & Ito's colour-blind-safe palette, as published (2008).
OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
}

#: The course's colours: Okabe & Ito's, with orange, sky blue and vermillion darkened (same hue
#: and saturation, less lightness) so that every colour that draws a line, a marker or text has a
#: contrast of at least 3:1 against the white background (WCAG 2.1, 1.4.11 non-text contrast;
#: Okabe & Ito's orange has 2.25:1, sky blue 2.31:1). Vermillion moves with orange so that the two
#: stay apart in lightness for red-green colour-vision deficiencies. Yellow (1.3:1) is for fills
#: behind dark marks only. tests/test_colour_contrast.py checks both properties.
PALETTE = {
    "blue": "#0072B2", "orange": "#C48800", "green": "#009E73", "vermillion": "#B55000",
    "sky": "#1E9BE2", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
}
#: the colours that may draw lines, markers and text (3:1 or more against white)
MARK_COLOURS = ("blue", "orange", "green", "vermillion", "sky", "purple", "black")


def contrast_ratio(foreground, background="white") -> float:
    """WCAG 2.1's contrast ratio (L1 + 0.05) / (L2 + 0.05) of two matplotlib colours, L1 the lighter
    one's relative luminance L = 0.2126 R + 0.7152 G + 0.0722 B (sRGB channels linearised)."""
    def luminance(colour) -> float:
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class Style:
    name: str
    size: float      # figure size multiplier
    font: float      # base font size in points
    line: float      # line width in points
    marker: float    # marker size in points

    @property
    def zoom(self) -> float:
        """How much larger than on screen every line, marker and letter is drawn (the
        explorers render their figures at ``100 · zoom`` dpi, so sizes set explicitly
        in points, like ``lw=1.2``, grow with the ones taken from the style)."""
        return self.font / SCREEN.font

    def rc(self) -> dict:
        order = ["blue", "vermillion", "green", "orange", "purple", "sky", "black"]
        return {
            "font.size": self.font, "axes.titlesize": self.font * 1.1, "axes.labelsize": self.font,
            "xtick.labelsize": self.font * 0.9, "ytick.labelsize": self.font * 0.9,
            "legend.fontsize": self.font * 0.85, "lines.linewidth": self.line,
            "lines.markersize": self.marker, "axes.linewidth": 0.8 * self.line / 1.5,
            "axes.prop_cycle": cycler(color=[PALETTE[c] for c in order]),
            "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
            "grid.alpha": 0.3, "image.cmap": "viridis",
        }


SCREEN = Style("screen", size=1.0, font=10.0, line=1.6, marker=5.0)
CLASSROOM = Style("classroom", size=1.25, font=16.0, line=3.0, marker=9.0)
_current = SCREEN


def classroom() -> Style:
    """Presentation mode: large fonts, thick lines, high contrast."""
    global _current
    _current = CLASSROOM
    return _current


def screen() -> Style:
    """The plain style for a laptop screen (the default)."""
    global _current
    _current = SCREEN
    return _current


def current() -> Style:
    return _current


# --- legends and log axes that read at the notebook's column width ------------------------------------------
#: the smallest legend text of a static figure, in points at its natural size (100 dpi, shown 1 px per px up to
#: the ~1000-px column): the notebook's body text is 14 px ≈ 10.5 pt, a legend a little smaller but not below 9
LEGEND_PT = 9.0


def legend_size() -> float:
    """The legend font size in points for the static figures: ``LEGEND_PT`` on screen, larger in
    classroom mode (never the relative "x-small", which is under 6 pt)."""
    return max(LEGEND_PT, 0.9 * _current.font)


def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def plain_number(x: float, powers: bool = False) -> str:
    """A tick value as a person writes it: 0.003, 0.3, 0.6, 1, 3, 30000; beyond 10⁻⁴ … 10⁵ (or with
    ``powers``) a power of ten (10⁻⁶) or a multiple of one (3×10⁻⁶)."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    if 1e-4 <= abs(x) < 1e5 and not powers:
        return f"{x:.6g}".replace("-", "−")
    exponent = math.floor(math.log10(abs(x)) + 1e-9)
    coeff = x / 10.0 ** exponent
    if math.isclose(coeff, 1.0, rel_tol=1e-6):
        return f"10{_superscript(exponent)}"
    return f"{coeff:.3g}×10{_superscript(exponent)}".replace("-", "−")


class PlainLogFormatter(mticker.LogFormatter):
    """matplotlib's log-axis formatter (which ticks get labels: the decades, and the 2, 3, 5 … in between
    when the axis spans little more than a decade) with plain numbers: "0.3, 0.6, 1, 3", not "3×10⁻¹".
    An axis that shows a decade beyond 10⁻⁴ … 10⁴ is labelled in powers of ten throughout (10⁻¹⁶ … 10⁰), so
    one axis never mixes the two styles."""

    def _num_to_string(self, x, vmin, vmax):
        lo, hi = sorted((max(abs(vmin), 1e-300), max(abs(vmax), 1e-300)))
        first, last = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)  # the decades shown
        return plain_number(x, powers=not (-4 <= first and last <= 4))


def plain_log_ticks(ax, axis: str = "y") -> None:
    """Label the log axis ``axis`` ("x", "y" or "both") of ``ax`` with plain numbers (major and minor ticks;
    see :class:`PlainLogFormatter`). Call it after the axis has been made logarithmic."""
    for name in ("x", "y") if axis == "both" else (axis,):
        ax_ = getattr(ax, f"{name}axis")
        if ax_.get_scale() != "log":
            continue
        base = getattr(ax_.get_transform(), "base", 10)
        ax_.set_major_formatter(PlainLogFormatter(base))
        ax_.set_minor_formatter(PlainLogFormatter(base, labelOnlyBase=False))


@contextlib.contextmanager
def context(style: Style | None = None):
    """Apply ``style``'s rcParams (default: the current style) inside a ``with`` block."""
    style = style or _current
    with mpl.rc_context(style.rc()):
        yield style


def hatch_nonconvex(ax, X, Y, convex) -> None:
    """Hatch where L is not locally convex (``convex`` False), so the map does not tell the two regions apart by
    colour alone (WCAG 1.4.11: its fills are lighter than 3:1 against each other)."""
    nonconvex = (~np.asarray(convex, dtype=bool)).astype(float)
    if nonconvex.any():
        with mpl.rc_context({"hatch.color": "0.25", "hatch.linewidth": 0.6}):
            ax.contourf(X, Y, nonconvex, levels=[0.5, 1.5], colors="none", hatches=["////"])
