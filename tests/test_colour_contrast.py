"""The course's plot colours carry meaning for every reader (issue 23, WCAG 2.1 AA).

- Contrast: every colour that draws a line, a marker or text (``style.MARK_COLOURS``, and every
  colour of both styles' cycles) has a contrast ratio of at least 3:1 against the white
  background (success criterion 1.4.11, non-text contrast). The ratio is computed here from
  WCAG's definition and checked against published values.
- Still colour-blind safe: darkening Okabe & Ito's light colours must not make two of them look
  alike to readers with a colour-vision deficiency. Each colour is simulated for protanopia,
  deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009, severity 1) and every pair
  must stay at least ``MIN_DELTA_E`` apart in CIELAB (ΔE*76) under each, and for normal vision.
"""
from __future__ import annotations

import itertools

import matplotlib as mpl
import matplotlib.colors as mcolors
import numpy as np
import pytest

from i2dl_helpers.plotting import style

#: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
#: vision deficiency", the matrices for severity 1.0 (applied to linear sRGB)
MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}
#: the smallest CIELAB distance between two mark colours, for any kind of vision (Okabe & Ito's own
#: palette: 16; with orange and sky only darkened to 3:1 the closest pair, orange and vermillion,
#: falls to 5.7 for deuteranopia)
MIN_DELTA_E = 11.0


def linear(colour) -> np.ndarray:
    rgb = np.asarray(mcolors.to_rgb(colour))
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def relative_luminance(colour) -> float:
    """WCAG 2.1: L = 0.2126 R + 0.7152 G + 0.0722 B of the linearised sRGB channels."""
    return float(np.dot([0.2126, 0.7152, 0.0722], linear(colour)))


def contrast(a, b="white") -> float:
    hi, lo = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def lab(linear_rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of linear sRGB."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(linear_rgb, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(colours: dict[str, str]) -> tuple[float, str, str, str]:
    """(ΔE, vision, a, b) of the two colours that look most alike under any vision simulated."""
    found = []
    for vision in ("normal", *MACHADO):
        matrix = np.eye(3) if vision == "normal" else np.asarray(MACHADO[vision])
        seen = {name: lab(matrix @ linear(c)) for name, c in colours.items()}
        for a, b in itertools.combinations(seen, 2):
            found.append((float(np.linalg.norm(seen[a] - seen[b])), vision, a, b))
    return min(found)


@pytest.mark.parametrize("pair, published", [(("black", "white"), 21.0), (("#767676", "white"), 4.54),
                                             (("#777777", "white"), 4.48), (("#949494", "white"), 3.03),
                                             (("#0072B2", "white"), 5.19)])
def test_the_contrast_formula_gives_the_published_ratios(pair, published):
    """WebAIM's contrast checker: #767676 is the lightest grey with 4.5:1 on white, #777777 just misses."""
    assert round(contrast(*pair), 2) == published
    assert style.contrast_ratio(*pair) == pytest.approx(contrast(*pair), abs=1e-12)


@pytest.mark.parametrize("name", style.MARK_COLOURS)
def test_mark_colours_reach_three_to_one_against_white(name):
    ratio = contrast(style.PALETTE[name])
    assert ratio >= 3.0, f"{name} {style.PALETTE[name]} has {ratio:.2f}:1 against white"


def test_the_published_light_colours_would_fail():
    """The check can fail: Okabe & Ito's orange, sky blue and yellow are below 3:1."""
    for name in ("orange", "sky", "yellow"):
        assert contrast(style.OKABE_ITO[name]) < 3.0, name


@pytest.mark.parametrize("mode", [style.screen, style.classroom])
def test_every_cycle_colour_reaches_three_to_one(mode):
    try:
        mode()
        with style.context():
            cycle = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    finally:
        style.screen()
    low = {c: round(contrast(c), 2) for c in cycle if contrast(c) < 3.0}
    assert cycle and not low, f"cycle colours below 3:1 against white: {low}"


def test_mark_colours_stay_apart_for_colour_blind_readers():
    delta, vision, a, b = closest_pair({n: style.PALETTE[n] for n in style.MARK_COLOURS})
    assert delta >= MIN_DELTA_E, f"{a} and {b} look alike for {vision} (ΔE = {delta:.1f})"


def test_the_distinctness_check_catches_a_careless_darkening():
    """The check can fail: darkening only orange and sky blue to 3:1 makes orange and vermillion
    look alike for deuteranopia."""
    careless = {**{n: style.OKABE_ITO[n] for n in style.MARK_COLOURS}, "orange": "#C48800", "sky": "#1E9BE2"}
    assert contrast(careless["orange"]) >= 3.0 and contrast(careless["sky"]) >= 3.0
    delta, vision, a, b = closest_pair(careless)
    assert delta < MIN_DELTA_E and {a, b} == {"orange", "vermillion"} and vision == "deuteranopia"
    assert closest_pair({n: style.OKABE_ITO[n] for n in style.MARK_COLOURS})[0] >= MIN_DELTA_E


def test_classroom_keeps_its_large_fonts():
    try:
        style.classroom()
        with style.context():
            assert mpl.rcParams["font.size"] >= 16 and mpl.rcParams["axes.titlesize"] > mpl.rcParams["font.size"]
    finally:
        style.screen()
