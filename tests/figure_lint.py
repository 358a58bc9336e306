"""Figure lint: the measurable part of "every figure fits the notebook column and is legible" (issue 22).

Three checks on a matplotlib figure, as a student sees it in JupyterLab:

* **text**: every text drawn (tick labels, legend, titles, axis labels, annotations) is at least
  ``MIN_PT`` = 8 pt when the figure is shown at the column width. What the notebooks use (measured in
  the kernel): the inline backend renders PNGs at ``rcParams["figure.dpi"]`` = 100 with
  ``bbox_inches="tight"``; JupyterLab shows an image at 1 image px per CSS px and shrinks it to the
  notebook column (``max-width: 100%``), about ``COLUMN_PX`` = 1000 px wide (a 1400-px window with the file
  browser open, the browser test's window). The explorers render at ``100 · zoom`` dpi and are shown the
  same way (``max_width="100%"``). So a text of ``s`` pt drawn at ``dpi`` in an image ``w`` px wide looks
  like ``s · dpi/100 · min(1, COLUMN_PX/w)`` pt of a figure at its natural size (100 dpi, 1 px per px):
  8 pt is 11 px, about four fifths of the notebook's 14-px body text.
* **marker**: no artist loses its markers (at least half of them; its only one) entirely under bigger, opaque
  markers of another artist drawn after it at the same place (e.g. the minimum's star under the last
  iterate's square; an explorer's moving artists are painted after its background). Markers on a
  path (a line with markers: a run's iterates) are not points of their own: a bigger marker on its start
  or end emphasises the path, which stays visible.
* **ticks**: every axis that shows tick labels shows at least two (one label cannot give a scale:
  "10¹" alone on a log axis from 1 to 64). Axes without ticks (images, graph drawings) and axes whose
  labels are turned off (shared axes) are not checked.

``lint_figure(fig)`` renders a figure the way the inline backend does and returns the findings (the unit
tests in tests/test_figure_lint.py); ``install(shell, path)`` runs inside a kernel (an IPython start-up file of
the fresh clone's JupyterLab calls it before the first cell, tests/browser/fresh_clone.py; the notebooks are
not changed): after every cell it lints every figure that
the cell drew, inline or in an explorer, and appends the findings to ``path`` as JSON lines with the cell's
execution count.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import asdict, dataclass

import numpy as np

#: the notebook column of JupyterLab in CSS px (a 1400-px window with the file browser open)
COLUMN_PX = 1000.0
#: the dpi at which the inline backend renders (rcParams["figure.dpi"] in the kernel; 1 image px = 1 CSS px)
NOTEBOOK_DPI = 100.0
#: the smallest text, in points of a figure shown at its natural size (dpi 100, 1 px per CSS px)
MIN_PT = 8.0
#: markers closer to covering than this many px count as covering (anti-aliasing, edge widths)
COVER_TOL_PX = 0.5


@dataclass(frozen=True)
class Finding:
    kind: str      # "text", "marker" or "ticks"
    figure: str    # which figure: its size and title(s)
    detail: str    # what is wrong, with the numbers

    def __str__(self) -> str:
        return f"{self.kind}: {self.figure}: {self.detail}"


# --- recording what a draw puts on the screen ---------------------------------------------------------------
class _Recorder:
    """Patches Figure.draw and Text.draw to note, per figure, the renderer's size and every text drawn."""

    def __init__(self):
        self.figures = {}  # id(fig) -> [fig, {"width": px, "dpi": dpi}, {id(text): (text, size_pt, dpi)}]
        self._active = []
        self._installed = False

    def install(self):
        if self._installed:
            return
        from matplotlib.figure import Figure
        from matplotlib.text import Text

        recorder, figure_draw, text_draw = self, Figure.draw, Text.draw

        @functools.wraps(figure_draw)  # keeps matplotlib's markers (_supports_rasterization)
        def draw_figure(fig, renderer):
            entry = recorder._entry(fig)
            width = getattr(renderer, "width", None)
            if width:  # the last draw wins: after the tight-bbox layout pass comes the real (cropped) one
                entry[1] = {"width": float(width), "dpi": float(getattr(renderer, "dpi", fig.dpi))}
            entry[2].clear()
            recorder._active.append(entry)
            try:
                return figure_draw(fig, renderer)
            finally:
                recorder._active.pop()

        @functools.wraps(text_draw)
        def draw_text(text, renderer):
            result = text_draw(text, renderer)
            try:
                if text.get_visible() and text.get_text().strip() and hasattr(renderer, "dpi"):
                    fig = _root_figure(text)
                    entry = recorder._active[-1] if recorder._active else (
                        recorder._entry(fig) if fig is not None else None)
                    if entry is not None:
                        entry[2][id(text)] = (text, float(text.get_fontsize()), float(renderer.dpi))
            except Exception:  # never break a notebook's figure
                pass
            return result

        Figure.draw, Text.draw = draw_figure, draw_text
        self._installed = True

    def _entry(self, fig):
        key = id(fig)
        if key not in self.figures or self.figures[key][0] is not fig:
            self.figures[key] = [fig, None, {}]
        return self.figures[key]

    def take(self):
        """The figures drawn since the last call: [(fig, {"width", "dpi"} or None, texts)]."""
        drawn, self.figures = list(self.figures.values()), {}
        return drawn


_RECORDER = _Recorder()


def _root_figure(artist):
    try:
        return artist.get_figure(root=True)
    except TypeError:  # matplotlib < 3.10
        return artist.figure


# --- the three checks ----------------------------------------------------------------------------------------
def _describe(fig, width_px: float, shown_px: float) -> str:
    w, h = fig.get_size_inches()
    titles = [t for t in ([fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) else [])
              + [ax.get_title() for ax in fig.axes] if t]
    name = f"{w:.1f}×{h:.1f} in figure, {width_px:.0f} px"
    if shown_px < width_px - 0.5:
        name += f" shown at {shown_px:.0f} px"
    titles = [" / ".join(line for line in t.splitlines() if line.strip()) for t in titles]
    if titles:
        name += " «" + "», «".join(titles[:3]) + ("», …" if len(titles) > 3 else "»")
    return name


def _text_role(text) -> str:
    from matplotlib.text import Annotation

    ax = text.axes
    fig = _root_figure(text)
    for a in (fig.axes if fig is not None else []):
        legend = a.get_legend()
        if legend is not None and text in legend.get_texts():
            return "legend"
        for axis in _axes_axes(a):
            ticks = axis.get_major_ticks() + axis.get_minor_ticks()
            if any(text is t.label1 or text is t.label2 for t in ticks):
                return "tick label"
            if text is axis.label:
                return "axis label"
            if text is axis.get_offset_text():
                return "axis offset"
        if text in (a.title, getattr(a, "_left_title", None), getattr(a, "_right_title", None)):
            return "title"
    for legend in getattr(fig, "legends", []):
        if text in legend.get_texts():
            return "legend"
    if isinstance(text, Annotation):
        return "annotation"
    return "text" if ax is None else "text in axes"


def _axes_axes(ax):
    return [ax.xaxis, ax.yaxis] + ([ax.zaxis] if hasattr(ax, "zaxis") else [])


def check_text(fig, texts, width_px: float, column_px: float = COLUMN_PX, min_pt: float = MIN_PT):
    """Texts smaller than ``min_pt`` at the column width. ``texts``: {id: (Text, size_pt, dpi)}."""
    scale = min(1.0, column_px / width_px) if width_px else 1.0
    small = {}
    for text, size, dpi in texts.values():
        shown = size * dpi / NOTEBOOK_DPI * scale
        if shown < min_pt - 0.01:
            role = _text_role(text)
            label = text.get_text().replace("\n", " ")
            label = label if len(label) <= 24 else label[:23] + "…"
            key = (role, round(size, 2), round(shown, 2))
            small.setdefault(key, []).append(label)
    findings = []
    for (role, size, shown), labels in sorted(small.items(), key=lambda kv: kv[0][2]):
        sample = ", ".join(repr(s) for s in labels[:4]) + (f" and {len(labels) - 4} more" if len(labels) > 4 else "")
        how = f"{size:g} pt" + (f", shown as {shown:.1f} pt" if abs(shown - size) > 0.05 else "")
        findings.append(f"{role} {how} < {min_pt:g} pt at the column width: {sample}")
    return findings


def _marker_shape(path, transform):
    """(outer radius, inner radius, filled) of a marker path in its own units (1 = the marker size)."""
    poly = [p for p in path.transformed(transform).to_polygons(closed_only=False) if len(p)]
    if not poly:
        return 0.0, 0.0
    verts = np.concatenate(poly)
    outer = float(np.max(np.hypot(verts[:, 0], verts[:, 1])))
    inner = math.inf
    for p in poly:
        a, b = p, np.roll(p, -1, axis=0)
        d = b - a
        t = np.clip(-(a * d).sum(1) / np.maximum((d * d).sum(1), 1e-300), 0, 1)
        closest = a + t[:, None] * d
        inner = min(inner, float(np.min(np.hypot(closest[:, 0], closest[:, 1]))))
    return outer, inner


def _opaque(rgba, alpha=None) -> bool:
    rgba = np.atleast_2d(np.asarray(rgba, dtype=float))
    if rgba.size == 0:
        return False
    a = rgba[:, 3] * (1.0 if alpha is None else alpha)
    return bool(np.all(a >= 0.999))


def _marker_sets(ax, dpi):
    """Every artist of ``ax`` that draws markers, in draw order: (artist, centres px, outer r, inner r, size)."""
    from matplotlib.collections import PathCollection
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.markers import MarkerStyle

    # the order Axes.draw uses (zorder); an explorer's moving (animated) artists are painted over the background
    children = sorted(ax.get_children(), key=lambda a: (bool(a.get_animated()), a.get_zorder()))
    out = []
    for art in children:
        if not art.get_visible():
            continue
        if isinstance(art, Line2D):
            marker = art.get_marker()
            if marker in (None, "", " ", "None", "none") or art.get_markersize() <= 0:
                continue
            style = MarkerStyle(marker, fillstyle=art.get_fillstyle())
            xy = art.get_transform().transform(np.asarray(art.get_xydata(), dtype=float))
            outer, inner = _marker_shape(style.get_path(), style.get_transform())
            size = art.get_markersize() * dpi / 72.0
            edge = art.get_markeredgewidth() * dpi / 72.0 / 2
            face = art.get_markerfacecolor()
            filled = style.is_filled() and style.get_fillstyle() == "full" and face not in ("none", None) \
                and _opaque(to_rgba(face), art.get_alpha())
            out.append((art, xy, outer * size + edge, (inner * size + edge) if filled else 0.0, np.full(len(xy), size)))
        elif isinstance(art, PathCollection) and len(art.get_offsets()):
            paths = art.get_paths()
            if not paths:
                continue
            xy = art.get_offset_transform().transform(np.asarray(art.get_offsets(), dtype=float))
            sizes = np.sqrt(np.broadcast_to(art.get_sizes() if len(art.get_sizes()) else [0.0], (len(xy),)))
            sizes = sizes * dpi / 72.0
            outer, inner = _marker_shape(paths[0], __import__("matplotlib").transforms.IdentityTransform())
            filled = _opaque(art.get_facecolors(), art.get_alpha()) if len(art.get_facecolors()) else False
            lw = art.get_linewidths()
            edge = (float(np.max(lw)) if len(lw) else 0.0) * dpi / 72.0 / 2
            out.append((art, xy, outer * sizes + edge, (inner * sizes + edge) if filled else np.zeros(len(xy)), sizes))
    return out


def _label(artist) -> str:
    label = artist.get_label() or ""
    if label.startswith("_"):
        label = ""
    kind = type(artist).__name__
    marker = getattr(artist, "get_marker", lambda: None)()
    return (f"{label!r} " if label else "") + f"({kind}" + (f", marker {marker!r})" if marker else ")")


def _is_path(artist) -> bool:
    """A line with markers (the iterates of a run): its markers are not points of their own."""
    from matplotlib.lines import Line2D

    return isinstance(artist, Line2D) and artist.get_linestyle() not in ("None", "none", "", " ") \
        and artist.get_linewidth() > 0


def check_markers(fig, dpi):
    """Markers of one artist hidden entirely under a bigger opaque marker of another artist drawn later."""
    findings = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        box = ax.bbox
        sets = _marker_sets(ax, dpi)
        for i, (a, xy_a, out_a, _, size_a) in enumerate(sets):
            if _is_path(a):
                continue  # a path stays visible; a bigger marker over its start or end emphasises it
            out_a = np.broadcast_to(out_a, (len(xy_a),))
            size_a = np.broadcast_to(size_a, (len(xy_a),))
            inside = np.isfinite(xy_a).all(1) & (xy_a[:, 0] >= box.x0 - 1) & (xy_a[:, 0] <= box.x1 + 1) \
                & (xy_a[:, 1] >= box.y0 - 1) & (xy_a[:, 1] <= box.y1 + 1)
            for b, xy_b, _, in_b, size_b in sets[i + 1:]:
                in_b = np.broadcast_to(in_b, (len(xy_b),))
                size_b = np.broadcast_to(size_b, (len(xy_b),))
                ok_b = np.isfinite(xy_b).all(1) & (in_b > 0)
                if not ok_b.any():
                    continue
                hidden = []
                for k in np.flatnonzero(inside):
                    dist = np.hypot(xy_b[ok_b, 0] - xy_a[k, 0], xy_b[ok_b, 1] - xy_a[k, 1])
                    covers = (dist + out_a[k] <= in_b[ok_b] + COVER_TOL_PX) & (size_b[ok_b] > size_a[k] + 0.5)
                    if covers.any():
                        hidden.append(k)
                # a few points of a cloud under a mean's marker are still a cloud; an artist that lost at least
                # half of its markers (its only one, the minimum's star) is what the reader cannot see
                if hidden and 2 * len(hidden) >= inside.sum():
                    x, y = ax.transData.inverted().transform(xy_a[hidden[0]])
                    findings.append(f"{len(hidden)} of {len(xy_a)} markers of {_label(a)} are hidden under the bigger "
                                    f"markers of {_label(b)}, drawn after them (first at ({x:.3g}, {y:.3g}))")
    return findings


def _ticks_in_view(axis):
    try:
        return axis._update_ticks()  # the ticks the next draw shows (those inside the view interval)
    except Exception:
        return axis.get_major_ticks() + axis.get_minor_ticks()


def check_ticks(fig):
    """Axes that show tick labels but fewer than two."""
    findings = []
    for n, ax in enumerate(fig.axes):
        if not ax.get_visible() or not ax.axison or ax.name == "polar":
            continue
        for axis in _axes_axes(ax):
            if not axis.get_visible():
                continue
            ticks = _ticks_in_view(axis)
            shown = [t for t in ticks if (t.label1.get_visible() or t.label2.get_visible())]
            if not shown:
                continue  # no ticks, or their labels are off on purpose (shared axes)
            labelled = [t for t in shown if any(lab.get_visible() and lab.get_text().strip()
                                                for lab in (t.label1, t.label2))]
            if len(labelled) < 2:
                name = axis.__name__ if hasattr(axis, "__name__") else type(axis).__name__
                which = {"XAxis": "x", "YAxis": "y"}.get(name, axis.axis_name if hasattr(axis, "axis_name") else name)
                text = ", ".join(repr(t.label1.get_text() or t.label2.get_text()) for t in labelled) or "none"
                where = ax.get_title() or axis.get_label_text() or f"axes {n}"
                lo, hi = sorted(axis.get_view_interval())
                findings.append(f"{which}-axis of «{where}» ({axis.get_scale()}, {lo:.3g} … {hi:.3g}) has "
                                f"{len(labelled)} labelled tick{'s' if len(labelled) != 1 else ''} ({text}); "
                                "at least two are needed to read a scale")
    return findings


def lint(fig, width_px: float | None, dpi: float | None, texts, column_px: float = COLUMN_PX) -> list[Finding]:
    """The findings for a figure drawn into an image ``width_px`` wide at ``dpi`` with the ``texts`` drawn."""
    dpi = dpi or fig.dpi
    width_px = width_px or fig.get_size_inches()[0] * dpi
    texts = dict(texts)
    for text in fig.findobj(lambda a: getattr(a, "get_animated", lambda: False)()):
        # an explorer's moving texts: drawn by the browser (canvas view) at the artist's size
        if hasattr(text, "get_fontsize") and text.get_visible() and text.get_text().strip():
            texts.setdefault(id(text), (text, float(text.get_fontsize()), float(dpi)))
    name = _describe(fig, width_px, min(width_px, column_px))
    out = [Finding("text", name, d) for d in check_text(fig, texts, width_px, column_px)]
    out += [Finding("marker", name, d) for d in check_markers(fig, dpi)]
    out += [Finding("ticks", name, d) for d in check_ticks(fig)]
    return out


def lint_figure(fig, column_px: float = COLUMN_PX) -> list[Finding]:
    """Render ``fig`` as the inline backend does (PNG at its dpi, tight bounding box) and lint it."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    _RECORDER.install()
    _RECORDER.take()
    if fig.canvas is None or not hasattr(fig.canvas, "print_figure"):
        FigureCanvasAgg(fig)
    fig.canvas.print_figure(io.BytesIO(), format="png", bbox_inches="tight")
    drawn = {id(f): (f, size, texts) for f, size, texts in _RECORDER.take()}
    _, size, texts = drawn.get(id(fig), (fig, None, {}))
    size = size or {}
    return lint(fig, size.get("width"), size.get("dpi"), texts, column_px)


# --- inside a kernel ----------------------------------------------------------------------------------------
def install(shell, path: str, column_px: float = COLUMN_PX) -> None:
    """Lint every figure each cell draws; append the findings to ``path`` (JSON lines)."""
    _RECORDER.install()
    _RECORDER.take()
    seen = set()

    def after_cell(result):
        drawn = _RECORDER.take()
        records = []
        for fig, size, texts in drawn:
            try:
                size = size or {}
                for finding in lint(fig, size.get("width"), size.get("dpi"), texts, column_px):
                    key = (id(fig), finding.kind, finding.detail)
                    if key in seen:
                        continue  # an explorer redrawn by a later cell: reported once, where it first showed
                    seen.add(key)
                    records.append(dict(asdict(finding), execution_count=result.execution_count))
            except Exception as exc:  # a bug in the lint must not look like a bug in the notebook
                records.append({"kind": "lint-error", "figure": repr(fig), "detail": repr(exc),
                                "execution_count": result.execution_count})
        if records:
            with open(path, "a", encoding="utf-8") as fh:
                for r in records:
                    fh.write(json.dumps(r, ensure_ascii=False) + "\n")

    shell.events.register("post_run_cell", after_cell)
