"""Draw an explorer's moving artists in the browser, over a background the kernel rendered.

A slider move changes only a few artists (the path, its markers, a note). The
"image" view re-encodes and ships the whole figure as a PNG for that (~10 ms in
the kernel, ~17 ms to decode in the browser). This view sends the static part
of the figure once, as a PNG, and then, per update, only the moving artists as
drawing instructions in the figure's pixel coordinates (a few kB of JSON); a
small ES module (``figure_canvas.js``, loaded by anywidget) draws them on a
canvas laid exactly over the PNG. Colours, line widths, dashes, markers and
fonts are taken from the matplotlib artists themselves, so the result reads as
one matplotlib figure and follows :mod:`i2dl_helpers.plotting.style`.

What it can draw: ``Line2D`` (solid or dashed lines, NaN gaps, filled or open
markers of any matplotlib marker style, alpha), ``LineCollection`` with solid
lines, and ``Text``/``Annotation`` without rotation, maths or arrows (optionally
on a rectangular box). For anything else (an ``AxesImage``, a rotated or
``$...$`` text) the frame falls back to a whole PNG rendered in the kernel, so
every explorer works with this view, only some of them faster.

Without a kernel (exported HTML, GitHub) the explorer's mimebundle carries a
static PNG of the whole figure instead (see ``Explorer._repr_mimebundle_``).
"""
from __future__ import annotations

from pathlib import Path

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets
from matplotlib import rcParams
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text

from ..esm import formulas_module, link, rules_module
from . import statuses

__all__ = ["FigureCanvasWidget", "Unsupported", "overlay_ops"]

#: coordinates are clipped to this many pixels around the figure (a diverged path
#: would otherwise send 1e300, which a canvas cannot draw)
_FAR = 1e5


class Unsupported(Exception):
    """An artist this view cannot draw in the browser (the frame falls back to a PNG)."""


_CSS: dict = {}
_FAMILIES: dict = {}


def _remembered(memo: dict, key, compute):
    """``compute()``, remembered in ``memo`` under ``key`` (at most 4096 entries; an unhashable key: not
    remembered)."""
    try:
        return memo[key]
    except KeyError:
        pass
    except TypeError:
        return compute()
    if len(memo) >= 4096:
        memo.clear()
    memo[key] = value = compute()
    return value


def _css(colour, alpha=None) -> str | None:
    """matplotlib colour (+ alpha) -> CSS rgba(), None when fully transparent or 'none'."""
    if isinstance(colour, np.ndarray):
        colour = tuple(colour.tolist())
    return _remembered(_CSS, (colour, alpha), lambda: _css_of(colour, alpha))


def _css_of(colour, alpha) -> str | None:
    if colour is None or (isinstance(colour, str) and colour.lower() == "none"):
        return None
    r, g, b, a = to_rgba(colour, alpha)
    if a <= 0:
        return None
    return f"rgba({round(255 * r)},{round(255 * g)},{round(255 * b)},{a:.3g})"


def _flat(xy: np.ndarray, height: float) -> list:
    """(n, 2) display coordinates -> [x0, y0, x1, y1, ...] in canvas pixels (y down); NaN -> None."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    out = np.empty_like(xy)
    out[:, 0] = xy[:, 0]
    out[:, 1] = height - xy[:, 1]
    bad = ~np.isfinite(out).all(axis=1)
    np.clip(out, -_FAR, _FAR, out=out)
    flat = np.round(out, 2).ravel().tolist()
    if bad.any():
        for i in np.flatnonzero(bad):
            flat[2 * i] = flat[2 * i + 1] = None
    return flat


def _rect(x0: float, y0: float, w: float, h: float, height: float) -> list:
    """A display-coordinate box (origin bottom left) -> [left, top, width, height] on the canvas."""
    return [round(x0, 2), round(height - y0 - h, 2), round(w, 2), round(h, 2)]


def _cap(style: str | None) -> str:
    """matplotlib cap style -> canvas lineCap (matplotlib's "projecting" is the canvas's "square")."""
    style = style or "butt"
    return "square" if style == "projecting" else style


def _clip(artist, height: float) -> list | None:
    if not artist.get_clip_on():
        return None
    if artist.get_clip_path() is not None and artist.get_clip_box() is None:
        raise Unsupported("clip path")
    box = artist.get_clip_box()
    if box is None:
        return None
    return _rect(*box.bounds, height)


def _dashes(line: Line2D, px: float) -> tuple[list, float]:
    style = line.get_linestyle()
    if style in ("-", "solid"):
        return [], 0.0
    offset, seq = getattr(line, "_dash_pattern", (0, None))  # already scaled by the line width
    if not seq:
        return [], 0.0
    return [round(s * px, 2) for s in seq], round((offset or 0) * px, 2)


def _marker(line: Line2D, px: float, alpha) -> dict | None:
    style = line._marker  # the MarkerStyle the line draws with
    if style.get_marker() in (None, "None", "none", " ", ""):
        return None
    if line.get_markevery() is not None or style.get_fillstyle() != "full":
        raise Unsupported("markevery / half-filled markers")
    size = line.get_markersize() * px
    edge_width = line.get_markeredgewidth() * px
    filled = style.is_filled()
    face = _css(line.get_markerfacecolor(), alpha) if filled else None
    edge = _css(line.get_markeredgecolor(), alpha)
    if style.get_marker() == "o":
        return {"circle": round(size / 2, 3), "fill": face, "edge": edge, "edge_width": round(edge_width, 3)}
    path = style.get_path().transformed(style.get_transform().scale(size))
    polys = [(np.c_[p[:, 0], -p[:, 1]]).round(3).ravel().tolist()  # y down on the canvas
             for p in path.to_polygons(closed_only=False)]
    return {"polys": polys, "closed": filled, "fill": face, "edge": edge, "edge_width": round(edge_width, 3)}


def _axes_transform(ax, height: float) -> dict | None:
    """How the browser maps the data coordinates of ``ax`` to canvas pixels (None for scales
    other than linear and base-10 log).

    ``{"m": [a, b, c, d, e, f], "xlog": bool, "ylog": bool}``: with X = log10(x) on a log axis
    (else x), and Y alike, the canvas point is (a X + c Y + e, b X + d Y + f) (y down).
    Only for explorers that step in the browser (``FigureCanvasWidget.scene``)."""
    scales = (ax.get_xscale(), ax.get_yscale())
    if any(scale not in ("linear", "log") for scale in scales):
        return None
    if any(getattr(axis.get_transform(), "base", 10) != 10 for axis in (ax.xaxis, ax.yaxis)):
        return None
    a, c, e, b, d, f = ax.transData.get_affine().get_matrix()[:2].ravel()
    return {"m": [float(a), float(-b), float(c), float(-d), float(e), float(height - f)],
            "xlog": scales[0] == "log", "ylog": scales[1] == "log"}


def _data_transform(artist, height: float, known: dict | None = None) -> dict | None:
    """``_axes_transform`` of ``artist``'s axes, or None when it is not drawn in data coordinates
    (``known``: the axes' transforms found so far in this frame, by axes)."""
    ax = artist.axes
    if ax is None or artist.get_transform() != ax.transData:
        return None
    if known is None:
        return _axes_transform(ax, height)
    if ax not in known:
        known[ax] = _axes_transform(ax, height)
    return known[ax]


def _line_op(line: Line2D, height: float, px: float) -> dict:
    if line.get_drawstyle() not in ("default", None):
        raise Unsupported("drawstyle")
    xy = line.get_transform().transform(line.get_xydata())
    alpha = line.get_alpha()
    dash, offset = _dashes(line, px)
    style = line.get_linestyle()
    return {"kind": "line", "xy": _flat(xy, height), "clip": _clip(line, height),
            "color": _css(line.get_color(), alpha) if style not in ("None", "none", "", " ") else None,
            "width": round(line.get_linewidth() * px, 3), "dash": dash, "dash_offset": offset,
            "cap": _cap(line.get_solid_capstyle()),
            "join": line.get_solid_joinstyle(), "marker": _marker(line, px, alpha)}


def _flat_segments(transform, segments, height: float) -> list[list]:
    """``_flat`` of each non-empty segment in display coordinates, all transformed at once (a network's
    edges: one transform instead of a hundred)."""
    segments = [np.asarray(s, dtype=float).reshape(-1, 2) for s in segments if len(s)]
    if not segments:
        return []
    flat = _flat(transform.transform(np.concatenate(segments)), height)
    out, start = [], 0
    for s in segments:
        out.append(flat[start:start + 2 * len(s)])
        start += 2 * len(s)
    return out


def _segments_op(coll: LineCollection, height: float, px: float) -> dict:
    if any(dash is not None and seq for dash, seq in coll.get_dashes()):
        raise Unsupported("dashed LineCollection")
    if len(coll.get_offsets()) and np.any(coll.get_offsets()):
        raise Unsupported("LineCollection offsets")
    transform = coll.get_transform()
    alpha = coll.get_alpha()
    colours = [_css(c, alpha) for c in coll.get_edgecolor()] or [None]
    return {"kind": "segments", "clip": _clip(coll, height),
            "segments": _flat_segments(transform, coll.get_segments(), height),
            "colors": colours, "widths": [round(w * px, 3) for w in coll.get_linewidths()] or [1.0],
            "cap": _cap(coll.get_capstyle()),
            "join": coll.get_joinstyle() or "round"}


#: a text's extent relative to its anchor, by what it depends on (see ``_text_extent``)
_EXTENTS: dict = {}
_EXTENTS_MAX = 4096


def _text_extent(text: Text, s: str, renderer) -> tuple[float, float, float, float]:
    """``text.get_window_extent(renderer).bounds``, measured once per string, font, alignment and dpi.

    Laying out a text is most of what an update of an explorer with many labels costs (a backprop
    graph's node labels: ~2 ms each). matplotlib lays a text out relative to its anchor and then moves
    the box to the anchor's display position, so the box relative to the anchor is cached. Not for
    annotations or wrapped text, whose layout depends on where they are."""
    if type(text) is not Text or text.get_wrap():
        return text.get_window_extent(renderer).bounds
    figure = text.get_figure(root=True)
    key = (s, text.get_fontproperties(), text.get_horizontalalignment(), text.get_verticalalignment(),
           text._multialignment, text.get_linespacing(), text.get_rotation(), text.get_rotation_mode(),
           text.get_usetex(), text.get_antialiased(), figure.dpi, renderer.dpi, id(renderer))
    ax, ay = text.get_transform().transform(text.get_unitless_position())
    try:
        dx, dy, w, h = _EXTENTS[key]
    except (KeyError, TypeError):  # TypeError: an unhashable property; measure every time
        x0, y0, w, h = text.get_window_extent(renderer).bounds
        if len(_EXTENTS) >= _EXTENTS_MAX:
            _EXTENTS.clear()
        try:
            _EXTENTS[key] = (x0 - ax, y0 - ay, w, h)
        except TypeError:
            pass
        return x0, y0, w, h
    return ax + dx, ay + dy, w, h


def _family(props) -> str:
    """``props.get_name()`` (the font matplotlib finds for them: ~0.5 ms a lookup), remembered. The key is a
    copy of what the lookup reads (FontProperties can change after they are looked up), with the fonts the
    rcParams list for a generic family (a style may change them)."""
    families = tuple(props.get_family())
    generic = tuple(tuple(rcParams[f"font.{f}"]) for f in families if f"font.{f}" in rcParams)
    key = (families, generic, props.get_style(), props.get_variant(), props.get_weight(), props.get_stretch(),
           props.get_size(), props.get_file())
    return _remembered(_FAMILIES, key, props.get_name)


def _text_op(text: Text, renderer, height: float, px: float) -> dict | None:
    s = text.get_text()
    if not s:
        # an empty text keeps its place (a browser-stepped explorer may fill it): measured
        # as one line, so the browser knows where a text would go and how tall it is
        text.set_text("Mg")
        try:
            op = _text_op(text, renderer, height, px)
        finally:
            text.set_text("")
        op["text"] = ""
        return op
    if text.get_rotation() % 360 != 0 or text.get_usetex() or s.count("$") >= 2:
        raise Unsupported("rotated text / maths")
    if isinstance(text, Annotation) and text.arrow_patch is not None:
        raise Unsupported("annotation arrow")
    x0, y0, w, h = _text_extent(text, s, renderer)
    align = text.get_horizontalalignment()  # "left", "center" or "right": the canvas's textAlign too
    anchor = {"left": x0, "center": x0 + w / 2, "right": x0 + w}[align]
    props = text.get_fontproperties()
    weight = props.get_weight()
    op = {"kind": "text", "text": s, "x": round(anchor, 2), "align": align,
          "rect": _rect(x0, y0, w, h, height),
          "size": round(props.get_size_in_points() * px, 2), "family": _family(props),
          "weight": weight if isinstance(weight, str) else str(int(weight)), "style": props.get_style(),
          "color": _css(text.get_color(), text.get_alpha()), "clip": _clip(text, height), "box": None,
          "valign": text.get_verticalalignment(), "lines": s.count("\n") + 1}
    patch = text.get_bbox_patch()
    if patch is not None:
        pad = getattr(patch.get_boxstyle(), "pad", 0.3) * props.get_size_in_points() * px
        op["box"] = {"rect": _rect(x0 - pad, y0 - pad, w + 2 * pad, h + 2 * pad, height),
                     "fill": _css(patch.get_facecolor()) if patch.get_fill() else None,
                     "edge": _css(patch.get_edgecolor()), "edge_width": round(patch.get_linewidth() * px, 3)}
    return op


def _image_op(image: AxesImage, height: float) -> dict:
    """An image whose pixels the browser computes (a scene's ``image``); only its place is sent."""
    if image.get_transform() != image.axes.transData or image.origin != "lower":
        raise Unsupported("image not in data coordinates with origin='lower'")
    x0, x1, y0, y1 = image.get_extent()
    corners = image.axes.transData.transform([(x0, y0), (x1, y1)])
    (l, b), (r, t) = corners.min(axis=0), corners.max(axis=0)
    return {"kind": "image", "rect": _rect(l, b, r - l, t - b, height), "clip": _clip(image, height),
            "alpha": 1.0 if image.get_alpha() is None else float(image.get_alpha())}


def click_target(ax, height: float, x: str, y: str) -> dict:
    """A scene's ``params["click"]``: a click inside ``ax`` sets the controls named ``x`` and ``y``
    to the data point under the mouse (clipped to their sliders' ranges)."""
    l, b, w, h = ax.bbox.bounds
    return {"trans": _axes_transform(ax, height), "rect": _rect(l, b, w, h, height), "x": x, "y": y}


def overlay_ops(figure, artists, renderer, *, browser_images: bool = False) -> list[dict]:
    """Drawing instructions for ``artists`` (in order) in canvas pixels of ``figure``.

    ``renderer`` is the figure's Agg renderer (text extents are measured with
    it). Raises :class:`Unsupported` for an artist the browser side cannot draw.
    Invisible artists give no instruction; an empty text gives one with its
    place (see ``_text_op``). Every op carries the artist's ``gid`` (None if
    unset) and, for lines and texts in data coordinates, ``trans`` (see
    ``_data_transform``): explorers that step in the browser name the artists
    they move by gid. ``browser_images``: an ``AxesImage`` becomes an "image" op
    whose pixels the browser's scene computes (else it is unsupported).
    """
    height = float(renderer.height)
    px = figure.dpi / 72.0  # points -> pixels
    ops, transforms = [], {}
    for artist in artists:
        if not artist.get_visible():
            continue
        if isinstance(artist, Line2D):
            op = _line_op(artist, height, px)
        elif isinstance(artist, LineCollection):
            op = _segments_op(artist, height, px)
        elif isinstance(artist, Text):
            op = _text_op(artist, renderer, height, px)
        elif isinstance(artist, AxesImage) and browser_images:
            op = _image_op(artist, height)
        else:
            raise Unsupported(type(artist).__name__)
        op["gid"] = artist.get_gid()
        if not isinstance(artist, AxesImage):
            op["trans"] = _data_transform(artist, height, transforms)
            if op["kind"] == "text" and op["trans"] is not None:  # where its data position is, in pixels
                x, y = artist.get_transform().transform(artist.get_position())
                op["at_px"] = [round(float(x), 2), round(height - float(y), 2)]
        ops.append(op)
    return ops


def _bundle(expose=()) -> str:
    """The widget's one ES module (anywidget loads a single text): figure_canvas.js (the painter) and
    everything it imports (flatprog.js the maths, flatbatch.js many starts at once, scenes*.js each
    explorer's update in the browser, formulas.js their formulas' interpreter, a11y.js, coalesce.js, and two
    generated modules: ``rules.js``, the update rules' declarations made by ``optim.rules.browser_prelude``, and
    ``formulas_data.js``, the formulas the scenes call (``statuses.BROWSER``, :mod:`i2dl_helpers.formulas`)),
    linked by :func:`i2dl_helpers.esm.link`, each file in its own scope. ``expose``: more of ``widgets/*.js``
    whose exports the module also exports (tests)."""
    return link(("figure_canvas.js", *expose), Path(__file__).parent,
                virtual=rules_module() | formulas_module(statuses.BROWSER))


class FigureCanvasWidget(anywidget.AnyWidget):
    """A PNG background (the static figure) with a canvas on top on which the
    browser draws ``overlay`` (the list :func:`overlay_ops` returns).

    ``scene`` (optional) lets the browser compute the moving artists itself:
    ``{"name": a key of scenes.js's SCENES, "params": {...}, "program": a flat
    program or None}``, with ``scene_widgets`` = ``{"controls": {name: widget},
    "status": HTML widget}``. On a change of a control the browser runs the
    scene's update and repaints in the same frame, without waiting for the
    kernel; the kernel receives the final value once the slider settles (``coalesce.js``,
    ``resting.py``) and keeps ``trajectory``, ``status_text`` and the overlay up to date. ``kernel_values``
    keeps values set from code exact where the slider can only show a rounded copy.
    Without a kernel (a static page) the browser also writes the status line.
    The front end asks ``{"kind": "ping"}`` on render; the kernel answers
    ``{"kind": "pong"}``, which tells it that a kernel is listening.
    """

    _esm = _bundle()
    # The figure scales down with a narrower notebook column (never up): the root is at most its
    # pixel width and keeps its aspect ratio; image and overlay fill it, so the overlay, drawn in
    # the figure's pixel coordinates, stays exactly on the image.
    _css = (".i2dl-figure{position:relative;line-height:0;max-width:100%}"
            ".i2dl-figure-background{display:block;width:100%;height:100%}"
            ".i2dl-figure-overlay{position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none}"
            ".i2dl-figure.i2dl-clickable .i2dl-figure-overlay{pointer-events:auto;cursor:crosshair}"
            # accessibility (a11y.js): a visible focus ring on the figure, the keys' help, the live
            # region read by screen readers only, and ipywidgets' unselected tab labels darker
            # (--jp-ui-font-color2 on the tab bar is 4.45:1, below WCAG's 4.5:1)
            ".i2dl-figure-overlay:focus{outline:none}"
            ".i2dl-figure-overlay:focus-visible{outline:3px solid #0b57d0;outline-offset:1px}"
            # ipywidgets' slider handles show no focus at all (WCAG 2.4.7): a ring like the figure's
            ".jupyter-widgets .noUi-handle:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}"
            ".i2dl-keys-help{margin:4px 0 0;line-height:1.4;color:#333;font-size:var(--jp-ui-font-size1,13px)}"
            ".i2dl-sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
            "clip:rect(0,0,0,0);white-space:nowrap;border:0}"
            ".jupyter-widgets.widget-tab>.lm-TabBar .lm-TabBar-tab:not(.lm-mod-current),"
            ".jupyter-widgets.jupyter-widget-tab>.lm-TabBar .lm-TabBar-tab:not(.lm-mod-current)"
            "{color:var(--jp-ui-font-color1,#212121)}")
    background = traitlets.Bytes(b"").tag(sync=True)
    overlay = traitlets.List([]).tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    #: the figure's text alternative (``Explorer.alt_text``), the <img>'s alt
    alt = traitlets.Unicode("").tag(sync=True)
    #: ``{"subject", "controls": [[name, label], ...]}``: the browser writes ``alt`` itself from the
    #: values a frame shows and the status line (``Explorer._alt_spec``); empty: it shows ``alt``
    alt_spec = traitlets.Dict({}).tag(sync=True)
    #: how to work the figure by keyboard (shown under it, and the overlay's description)
    keys_help = traitlets.Unicode("").tag(sync=True)
    scene = traitlets.Dict({}).tag(sync=True)
    scene_widgets = traitlets.Dict({}).tag(sync=True, **widgets.widget_serialization)
    #: the controls' values the kernel's last frame shows: a value set from code off a slider's grid
    #: (α = 2.3 on a log grid) is shown by the slider as the nearest grid point; the page then steps
    #: with the kernel's value, as the kernel does (widgets.sliders.EchoFilter), until the reader moves it
    kernel_values = traitlets.Dict({}).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_msg(self._answer)

    def _answer(self, _widget, content, _buffers) -> None:
        kind = content.get("kind") if isinstance(content, dict) else None
        if kind == "ping":
            self.send({"kind": "pong"})
        elif kind == "resend-status":  # the page wrote the status line itself before the kernel answered
            status = self.scene_widgets.get("status")
            if status is not None:
                status.send_state("value")
