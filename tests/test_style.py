"""Presentation mode: style.classroom() enlarges every explorer created afterwards; screen() restores."""
from __future__ import annotations

import colorsys

import matplotlib.colors as mcolors
import pytest

from i2dl_helpers.plotting import style
from i2dl_helpers import widgets as explorers

EXPLORERS = [n for n in explorers.__all__ if n not in ("Explorer", "log_slider")]

#: Okabe & Ito (2008), "Color Universal Design": the eight colours, as published.
OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


@pytest.fixture(autouse=True)
def plain_style_after():
    style.screen()
    yield
    style.screen()  # other tests must not inherit presentation mode


#: (explorer, style) -> its measures: both classroom tests read the same measures of a new explorer in each
#: style (creating an explorer draws it: seconds for the training explorers)
_MEASURED: dict[tuple[str, str], dict] = {}


def measured(name: str) -> dict:
    """``measure(name)`` in the current style, taken once per style and explorer; a copy."""
    key = (name, style.current().name)
    if key not in _MEASURED:
        _MEASURED[key] = measure(name)
    return {k: list(v) if isinstance(v, list) else v for k, v in _MEASURED[key].items()}


def measure(name: str) -> dict:
    """Sizes as they reach the screen, in pixels (points · dpi / 72), of a new explorer ``name``."""
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    ex = getattr(explorers, name)(renderer="image")
    fig = ex.figure
    axes = fig.axes
    px = fig.dpi / 72
    moving = [a for a in ex._view.animated if isinstance(a, Line2D)]
    out = {
        "moving widths": [px * a.get_linewidth() for a in moving if a.get_linestyle() not in ("None", "")],
        "moving markers": [px * a.get_markersize() for a in moving if a.get_marker() not in ("None", "", None)],
        # the sizes in use, not one per text: how many tick labels an axis has can depend on the data (the training
        # explorer's time axis ends at the measured training time)
        "texts": sorted({px * t.get_fontsize() for t in fig.findobj(Text) if t.get_text()}),
        "titles": [px * ax.title.get_fontsize() for ax in axes if ax.get_title()],
        "size": tuple(fig.get_size_inches() * fig.dpi),
        "tick_font": px * min(t.get_fontsize() for ax in axes for t in ax.get_xticklabels() + ax.get_yticklabels()),
        "label_font": px * max(ax.xaxis.label.get_fontsize() for ax in axes),
        "spine": px * max(s.get_linewidth() for ax in axes for s in ax.spines.values()),
        "lines": [px * line.get_linewidth() for ax in axes for line in ax.get_lines()],
    }
    ex.close()
    return out


@pytest.mark.parametrize("name", EXPLORERS)
def test_classroom_enlarges_new_explorers_and_screen_restores(name):
    plain = measured(name)
    style.classroom()
    big = measured(name)
    style.screen()
    again = measure(name)  # a new explorer, after screen()

    w0, h0 = plain["size"]
    w1, h1 = big["size"]
    assert w1 > 1.2 * w0 and h1 > 1.2 * h0, f"{name}: figure {plain['size']} -> {big['size']} in classroom mode"
    assert big["tick_font"] >= 1.4 * plain["tick_font"], f"{name}: tick labels {plain['tick_font']} -> {big['tick_font']} px"
    assert big["label_font"] >= 1.4 * plain["label_font"], f"{name}: axis labels not larger"
    assert big["spine"] > plain["spine"], f"{name}: axes lines not thicker"
    if plain["lines"]:
        # lines drawn with the style's width get thicker; none gets thinner
        assert max(big["lines"]) >= max(plain["lines"]), f"{name}: lines got thinner"
        assert all(b >= 1.4 * p for b, p in zip(big["lines"], plain["lines"])), (
            f"{name}: a line is not thicker in classroom mode: {plain['lines']} -> {big['lines']}")
    assert again == plain, f"{name}: screen() did not restore the plain style"


def test_palette_is_okabe_ito():
    """Okabe & Ito's hues; some darkened for contrast (tests/test_colour_contrast.py)."""
    assert {c.upper() for c in style.OKABE_ITO.values()} == OKABE_ITO
    for name, colour in style.PALETTE.items():
        h, _, s = colorsys.rgb_to_hls(*mcolors.to_rgb(colour))
        h0, _, s0 = colorsys.rgb_to_hls(*mcolors.to_rgb(style.OKABE_ITO[name]))
        assert abs(h - h0) < 0.01 and abs(s - s0) < 0.05, name


@pytest.mark.parametrize("mode", [style.screen, style.classroom])
def test_colour_cycle_uses_only_the_palette(mode):
    mode()
    with style.context():
        import matplotlib as mpl

        cycle = [mcolors.to_hex(c["color"]).upper() for c in mpl.rcParams["axes.prop_cycle"]]
    assert cycle and set(cycle) <= {c.upper() for c in style.PALETTE.values()}
    assert len(set(cycle)) == len(cycle), "no colour twice in the cycle"


def test_classroom_is_high_contrast():
    """Every cycle colour keeps a contrast ratio >= 2 against the white background (WCAG formula)."""
    def luminance(hex_colour):
        rgb = mcolors.to_rgb(hex_colour)
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    style.classroom()
    with style.context():
        import matplotlib as mpl

        cycle = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    for colour in cycle:
        ratio = (1.0 + 0.05) / (luminance(colour) + 0.05)
        assert ratio >= 2.0, f"{colour} on white has contrast {ratio:.2f}"


def test_style_calls_return_the_active_style():
    assert style.classroom() is style.current() and style.current().name == "classroom"
    assert style.screen() is style.current() and style.current().name == "screen"


@pytest.mark.parametrize("name", EXPLORERS)
def test_classroom_thickens_the_moving_lines_and_every_text(name):
    """Explicit sizes in an explorer (``lw=1.2``, ``ms=3``, ``fontsize=8``) grow too, not only rc defaults."""
    plain = measured(name)
    style.classroom()
    big = measured(name)
    for key, factor in (("moving widths", 1.5), ("moving markers", 1.3), ("titles", 1.4)):
        assert len(big[key]) == len(plain[key])
        for p, b in zip(plain[key], big[key]):
            assert b >= factor * p, f"{name}: {key} {plain[key]} -> {big[key]}"
    assert min(big["texts"]) >= 15, f"{name}: a text of {min(big['texts'])} px is too small for a lecture hall"
