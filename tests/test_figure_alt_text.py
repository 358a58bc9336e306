"""Static figures carry a text alternative (issue 23, WCAG 1.1.1): ``plotting.alt_text``.

JupyterLab shows an image/png output without ``alt``; the course adds a text/html representation
``<img alt="…">`` of every Figure, written from its titles, labels and legends (or set with
``describe``), rendered once together with the PNG, and kept when pyplot switches on the inline backend.
"""
from __future__ import annotations

import base64
import html
import re

import pytest
from matplotlib.figure import Figure

from i2dl_helpers.plotting import alt_text


def two_panels() -> Figure:
    fig = Figure()
    left, right = fig.subplots(1, 2)
    left.plot([0, 1], [1, 0], label="path")
    left.plot([0], [0], "*", label="minima")
    left.legend()
    left.set_title("contours of $L$")
    left.set_xlabel(r"$\theta_1$")
    left.set_ylabel(r"$\theta_2$")
    right.semilogy([1, 2], [1, 0.1])
    right.set_xlabel("step k")
    right.set_ylabel(r"$L(\theta_k) - L^*$")
    fig.suptitle(r"gradient descent, $\alpha = 0.1$")
    return fig


def test_the_text_is_written_from_titles_labels_and_legends():
    text = alt_text.figure_alt_text(two_panels())
    assert text == ("Figure: gradient descent, α = 0.1, in 2 panels. Panel 1, contours of L: θ_2 against θ_1; "
                    "shows: path, minima. Panel 2, L(θ_k) - L^* against step k.")


def test_a_drawing_without_axes_is_described_by_its_labels():
    fig = Figure()
    ax = fig.subplots()
    ax.axis("off")
    for i, word in enumerate(("x", "w", "x·w", "x")):
        ax.text(i, 0, word)
    assert alt_text.figure_alt_text(fig) == "Figure. Labelled x, w, x·w."


def test_describe_sets_the_text():
    fig = alt_text.describe(two_panels(), "three views of one run")
    assert alt_text.figure_alt_text(fig) == "three views of one run"


@pytest.mark.parametrize("fig, text, error, name", [(None, "a plot", TypeError, "fig"),
                                                    ("figure", "a plot", TypeError, "fig"),
                                                    (Figure(), "", ValueError, "text"),
                                                    (Figure(), "  ", ValueError, "text"),
                                                    (Figure(), 3, ValueError, "text")])
def test_describe_names_the_wrong_parameter(fig, text, error, name):
    with pytest.raises(error, match=f"^{name} must"):
        alt_text.describe(fig, text)


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    assert alt_text.install(shell)
    yield shell
    InteractiveShell.clear_instance()


def test_ipython_shows_the_figure_as_an_image_with_its_alt_text_rendered_once(shell, monkeypatch):
    fig = two_panels()
    renders = []
    original = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (renders.append(1), original(self, *a, **k))[1])
    data, _ = shell.display_formatter.format(fig)
    assert len(renders) == 1, "the html and png representations should share one rendering"
    tag = data["text/html"]
    alt = html.unescape(re.search(r'alt="([^"]*)"', tag).group(1))
    assert alt == alt_text.figure_alt_text(fig)
    src = re.search(r'src="data:image/png;base64,([^"]+)"', tag).group(1)
    png = data["image/png"]
    assert base64.b64decode(src) == (base64.b64decode(png) if isinstance(png, str) else png)
    assert base64.b64decode(src)[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_inline_backend_keeps_the_alt_text(shell):
    """pyplot's inline backend drops the formatters of Figure and adds its own PNG: the html stays;
    with SVG chosen instead of PNG the figure is left to the SVG."""
    from IPython.core.pylabtools import select_figure_formats

    select_figure_formats(shell, {"png"}, bbox_inches="tight")  # the inline backend's defaults
    fig = two_panels()
    data, _ = shell.display_formatter.format(fig)
    assert "image/png" in data and 'alt="Figure: gradient descent' in data["text/html"]
    src = re.search(r'src="data:image/png;base64,([^"]+)"', data["text/html"]).group(1)
    png = data["image/png"]
    assert base64.b64decode(src) == (base64.b64decode(png) if isinstance(png, str) else png), \
        "the html and png representations should be the same picture"
    select_figure_formats(shell, {"svg"})
    data, _ = shell.display_formatter.format(two_panels())
    assert "image/svg+xml" in data and "text/html" not in data
