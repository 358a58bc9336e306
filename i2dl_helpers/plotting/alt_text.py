"""Text alternatives for the course's static figures (WCAG 2.1, 1.1.1 non-text content).

JupyterLab shows an ``image/png`` output as an ``<img>`` without ``alt`` (its image renderer takes
no description), so a screen reader says only "image". :func:`install` adds a ``text/html``
representation of every Figure, ``<img alt="..." src="data:image/png;...">``, which JupyterLab,
Voilà and nbconvert (the static site) show instead; the ``image/png`` one stays for other tools (the
PNG is rendered once for both).

The description is the figure's own ``alt_text`` attribute when a function set one
(``describe(fig, text)``), else it is written from what the figure says about itself: its title,
each panel's title, axis labels and legend entries, e.g. "Figure in 2 panels. Panel 1, contours of
L: θ₂ against θ₁; shows: path, minima. Panel 2: L(θ_k) − L* against step k."
"""
from __future__ import annotations

import base64
import html
import io
import re

from matplotlib.figure import Figure, FigureBase

__all__ = ["describe", "figure_alt_text", "install"]

_TEX = {r"\alpha": "α", r"\beta": "β", r"\gamma": "γ", r"\delta": "δ", r"\epsilon": "ε", r"\eta": "η",
        r"\theta": "θ", r"\kappa": "κ", r"\lambda": "λ", r"\mu": "μ", r"\nabla": "∇", r"\rho": "ρ",
        r"\sigma": "σ", r"\tau": "τ", r"\phi": "φ", r"\varphi": "φ", r"\infty": "∞", r"\cdot": "·",
        r"\times": "×", r"\leq": "≤", r"\le": "≤", r"\geq": "≥", r"\ge": "≥", r"\approx": "≈",
        r"\sqrt": "√", r"\Delta": "Δ", r"\Sigma": "Σ", r"\sum": "Σ", r"\|": "‖", r"\partial": "∂"}


def _plain(text: str) -> str:
    """``text`` without matplotlib's maths markup: $…$ dropped, common TeX commands as their symbols."""
    text = text.replace("$", "")
    for command in sorted(_TEX, key=len, reverse=True):
        text = text.replace(command, _TEX[command])
    text = re.sub(r"\\(math\w+|text\w*|operatorname|left|right|,|;|!)", "", text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text).replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def describe(fig, text: str):
    """Give ``fig`` the text alternative ``text`` (instead of the one written from its labels); returns fig."""
    if not isinstance(fig, FigureBase):
        raise TypeError(f"fig must be a matplotlib Figure; got {type(fig).__name__}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty string describing the figure; got {text!r}")
    fig.alt_text = text.strip()
    return fig


def _axes_part(ax) -> str:
    """What the axes plot against what: "y against x" (a 3D panel: "surface of z over x and y")."""
    x, y = _plain(ax.get_xlabel()), _plain(ax.get_ylabel())
    z = _plain(ax.get_zlabel()) if hasattr(ax, "get_zlabel") else ""
    if z:
        return f"surface of {z} over {x or 'x'} and {y or 'y'}"
    if x or y:
        return f"{y or 'values'} against {x or 'x'}"
    return ""


def _legend_part(ax) -> str:
    """The legend's entries: "shows: a, b" (empty without a legend)."""
    legend = ax.get_legend()
    entries = [_plain(t.get_text()) for t in legend.get_texts()] if legend is not None else []
    entries = [e for e in entries if e]
    return "shows: " + ", ".join(entries) if entries else ""


def _drawing_part(ax, most: int = 16) -> str:
    """A drawing without axes (a compute graph, a network) is told by its labels: "labelled a, b, …"."""
    if ax.axison:
        return ""
    words = list(dict.fromkeys(_plain(t.get_text()) for t in ax.texts if t.get_visible() and t.get_text()))
    if not words:
        return ""
    return "labelled " + ", ".join(words[:most]) + (", …" if len(words) > most else "")


def _panel(ax) -> str:
    """One panel: "<title>: <what against what>; shows: <legend>; labelled <texts>"."""
    if getattr(ax, "_colorbar", None) is not None:
        label = _plain(ax.get_ylabel() or ax.get_xlabel())
        return f"colour bar{': ' + label if label else ''}"
    title = _plain(" ".join(t for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right")) if t))
    body = "; ".join(part for part in (_axes_part(ax), _legend_part(ax), _drawing_part(ax)) if part)
    return f"{title}: {body}" if title and body else title or body or "a plot"


def figure_alt_text(fig) -> str:
    """The figure's text alternative: ``fig.alt_text`` if set, else written from its titles, axis labels
    and legends."""
    explicit = getattr(fig, "alt_text", None)
    if explicit:
        return str(explicit)
    suptitle = getattr(fig, "_suptitle", None)
    head = _plain(suptitle.get_text()) if suptitle is not None else ""
    panels = [_panel(ax) for ax in fig.axes if ax.get_visible()]
    panels = [p for p in panels if p]
    lead = f"Figure{': ' + head if head else ''}"
    if len(panels) == 1:
        return f"{lead}. {panels[0][0].upper()}{panels[0][1:]}."
    if not panels:
        return f"{lead}."
    return f"{lead}, in {len(panels)} panels. " + " ".join(f"Panel {i}, {p}." for i, p in enumerate(panels, 1))


class _Renderings:
    """The PNG of the figure last shown as html, handed on to the png representation of the same
    display (IPython asks for text/html before image/png), so that it is rendered once."""

    def __init__(self):
        self.figure_id, self.data = None, None

    @staticmethod
    def render(fig) -> bytes:
        with io.BytesIO() as out:
            fig.savefig(out, format="png", bbox_inches="tight")
            return out.getvalue()

    def for_html(self, fig) -> bytes:
        self.figure_id, self.data = id(fig), self.render(fig)
        return self.data

    def for_png(self, fig) -> bytes:
        if self.figure_id == id(fig) and self.data is not None:
            data, self.figure_id, self.data = self.data, None, None
            return data
        return self.render(fig)


_RENDERINGS = _Renderings()


def figure_html(fig) -> str:
    """``<img>`` with the figure's PNG and its text alternative (the ``text/html`` representation)."""
    fig = fig.figure  # a SubFigure is shown with its whole figure
    data = base64.b64encode(_RENDERINGS.for_html(fig)).decode("ascii")
    return (f'<img class="i2dl-figure-image" alt="{html.escape(figure_alt_text(fig))}" '
            f'src="data:image/png;base64,{data}" style="max-width:100%;height:auto">')


def figure_png(fig) -> bytes:
    """The ``image/png`` representation (the rendering ``figure_html`` made just before, if any)."""
    return _RENDERINGS.for_png(fig)


def _plain_inline_png(printer) -> bool:
    """Whether ``printer`` is the inline backend's PNG with its default options (``figure_png`` draws
    the same picture)."""
    keywords = getattr(printer, "keywords", None)
    return (getattr(getattr(printer, "func", None), "__name__", "") == "print_figure"
            and keywords == {"fmt": "png", "base64": True, "bbox_inches": "tight"})


def install(shell=None) -> bool:
    """Register the text/html (with alt text) and image/png representations of Figure in IPython's
    display formatters; True if there is an IPython shell.

    Importing pyplot in a kernel switches on matplotlib's inline backend, which drops every
    formatter of ``Figure`` and registers its own PNG one: the html one is registered for Figure's
    base class (``FigureBase``), which the inline backend leaves alone, and it shows a figure only
    while a PNG formatter is there (a format chosen with ``%config InlineBackend.figure_formats``
    other than PNG is left alone)."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None:
        return False

    formatters = shell.display_formatter.formatters
    png = formatters["image/png"]

    def html_if_png(fig):
        try:
            printer = png.lookup(fig)
        except KeyError:
            return None
        if _plain_inline_png(printer):  # the inline backend's default PNG: the same picture, rendered once
            png.for_type(Figure, figure_png)
        return figure_html(fig)

    formatters["text/html"].for_type(FigureBase, html_if_png)
    png.for_type(Figure, figure_png)
    return True
