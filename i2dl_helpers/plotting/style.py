"""Screen and classroom styles for every figure and explorer of the course.

``classroom()`` switches to large fonts, thick lines and a colour-blind-safe,
high-contrast palette (Okabe & Ito) that reads from the back of a lecture hall;
``screen()`` returns to the plain style. Explorers created afterwards use it.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import matplotlib as mpl
from cycler import cycler

__all__ = ["PALETTE", "classroom", "context", "current", "screen"]

#: Okabe & Ito's colour-blind-safe palette.
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
}


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


@contextlib.contextmanager
def context(style: Style | None = None):
    """Apply ``style``'s rcParams (default: the current style) inside a ``with`` block."""
    style = style or _current
    with mpl.rc_context(style.rc()):
        yield style

