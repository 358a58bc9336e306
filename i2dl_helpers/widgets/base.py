"""The explorer pattern shared by every interactive widget of the course.

An explorer builds its controls and its matplotlib figure once. When a control
changes, it recomputes (cheap), moves its artists (``set_data``) and redraws
only what moved over a cached background (blitting). Text that changes often
(the status line) lives outside the figure, so it costs no redraw. Errors are
shown inside the widget and the widget keeps working.

Three views render the same Figure:

* ``"canvas"`` (default): the static part of the figure is rendered once with
  Agg and sent as a PNG; on every update only the moving artists travel, as
  drawing instructions that the browser paints on a canvas over the PNG
  (:mod:`.figure_canvas`). Cheapest in the kernel, on the wire and in the
  browser; needs anywidget's front end (installed with the package).
* ``"image"``: every frame is rendered with Agg and shown as a whole PNG in an
  ``ipywidgets.Image``; works wherever ipywidgets does.
* ``"ipympl"``: the figure is an ipympl canvas (``%matplotlib widget``), which
  adds mouse events (e.g. click to set the start) and sends only changed pixels.

``renderer="auto"`` picks ipympl when it is the active backend, else the canvas.

Figures are never registered with pyplot, so re-running a cell that creates an
explorer leaks nothing and never triggers the "more than 20 figures" warning.
"""
from __future__ import annotations

import contextlib
import html
import io
import math
from typing import Any, Callable

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._validate import check_choice
from .. import style as _style
from ._png import encode_png

__all__ = ["Explorer", "log_slider"]


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


def _same_grid_point(control, a: float, b: float) -> bool:
    a, b = _position(control, a), _position(control, b)
    return a is not None and b is not None and abs(a - b) <= 1e-6 * control.step


class _EchoFilter:
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


class _AggImageView:
    """Render with Agg into PNG bytes shown by an ipywidgets.Image (every frame a whole PNG)."""

    paints_animated = True  # the kernel composites the moving artists into each frame

    def __init__(self, explorer: "Explorer"):
        self.explorer = explorer
        self.canvas = FigureCanvasAgg(explorer.figure)
        w, h = (int(round(v)) for v in explorer.figure.bbox.size)
        # at most the figure's pixel width, narrower with the notebook column
        self.widget = widgets.Image(format="png", layout=widgets.Layout(width=f"{w}px", max_width="100%", height="auto"))

    def draw(self):
        self.canvas.draw()  # fires draw_event: the explorer caches its background there
        self._push()

    def blit(self):
        self.explorer._paint_over_background()
        self._push()

    def _push(self):
        self.widget.value = encode_png(np.asarray(self.canvas.buffer_rgba()))


class _CanvasView:
    """The static figure as one PNG; the moving artists drawn by the browser on a canvas
    over it (``figure_canvas``). A frame with an artist the browser cannot draw is sent
    as a whole PNG instead."""

    paints_animated = False  # the PNG background must not contain the moving artists

    def __init__(self, explorer: "Explorer"):
        from .figure_canvas import FigureCanvasWidget

        self.explorer = explorer
        self.canvas = FigureCanvasAgg(explorer.figure)
        # width and height: those of the rendered PNG, set with every new background (draw)
        self.widget = FigureCanvasWidget(alt=f"{type(explorer).__name__} figure")
        self._clean = b""  # the last background PNG
        self._whole_frame = False  # the last frame was sent as a whole PNG

    def draw(self):
        self.canvas.draw()  # draw_event: the explorer caches this background
        buffer = np.asarray(self.canvas.buffer_rgba())
        self._clean = encode_png(buffer)
        self._send(self._clean, size=buffer.shape[:2])

    def blit(self):
        self._send(None)

    def _send(self, background: bytes | None, size=None):
        from .figure_canvas import Unsupported, overlay_ops

        try:
            ops = overlay_ops(self.explorer.figure, self.explorer._animated, self.canvas.get_renderer())
        except Unsupported:
            self.explorer._paint_over_background()
            background, ops = encode_png(np.asarray(self.canvas.buffer_rgba())), []
            self._whole_frame = True
        else:
            if self._whole_frame and background is None:
                background = self._clean
            self._whole_frame = False
        with self.widget.hold_sync():
            if size is not None:
                self.widget.height, self.widget.width = (int(v) for v in size)
            if background is not None:
                self.widget.background = background
            self.widget.overlay = ops


class _IpymplView:
    """An ipympl canvas: mouse events, and only changed pixels are sent."""

    paints_animated = True

    def __init__(self, explorer: "Explorer"):
        backend = matplotlib.get_backend()
        from ipympl.backend_nbagg import Canvas, FigureManager  # importing ipympl switches pyplot's backend

        if matplotlib.get_backend() != backend:
            matplotlib.use(backend)  # restore it: only this explorer's canvas is an ipympl widget
        self.explorer = explorer
        self.canvas = Canvas(explorer.figure)
        self.manager = FigureManager(self.canvas, 0)
        self.canvas.header_visible = False
        self.canvas.toolbar_visible = False
        self.canvas.footer_visible = False
        self.canvas.resizable = False
        self.widget = self.canvas

    def draw(self):
        self.canvas.draw()
        self.canvas.blit(self.canvas.figure.bbox)

    def blit(self):
        self.explorer._paint_over_background()
        self.canvas.blit(self.canvas.figure.bbox)


_VIEWS = {"canvas": _CanvasView, "image": _AggImageView, "ipympl": _IpymplView}


def _active_renderer() -> str:
    return "ipympl" if "ipympl" in matplotlib.get_backend() else "canvas"


class Explorer:
    """Base class: controls + a figure built once + status line + error box.

    Subclasses implement

    * ``_make_controls() -> dict[str, Widget]`` (the public ``.controls``),
    * ``_build(fig)``: create axes and artists once; register every artist that
      moves with ``self.animate(artist)``,
    * ``_update(changed) -> bool``: recompute and move artists after the control
      named ``changed`` (None on the first call) changed; return True when the
      static background changed too (new function, new limits) so that the whole
      figure must be redrawn.

    Public contract used by notebooks, nbval and benchmarks:
    ``.controls`` (dict of ipywidgets by name; setting ``.value`` updates the
    explorer synchronously), ``.figure`` (the matplotlib Figure), ``.status``
    (HTML widget; ``.status_text`` is its plain text), ``.error_text`` and
    ``.widget`` (what is displayed).
    """

    figsize: tuple[float, float] = (9.0, 3.6)
    #: set to ("x",) or ("x", "y") in explorers that implement ``set_objective``:
    #: the base then adds a text box "f(x) =" (control "expression") whose text is
    #: parsed safely by ``i2dl_helpers.expressions.parse`` on Enter.
    expression_variables: tuple[str, ...] | None = None

    def __init__(self, *, renderer: str = "auto"):
        check_choice("renderer", renderer, ("auto", *_VIEWS))
        self.renderer = _active_renderer() if renderer == "auto" else renderer
        self._animated: list[Any] = []
        self._background = None
        self._snapshotting = False
        self._quiet = False
        self.status_text = ""
        self.error_text = ""
        self.status = widgets.HTML(layout=widgets.Layout(min_height="1.6em"))
        self.error = widgets.HTML(layout=widgets.Layout(display="none"))
        self.controls: dict[str, widgets.Widget] = self._make_controls()
        if self.expression_variables:
            self.controls["expression"] = self._expression_box()
        # Presentation mode zooms the whole figure: it is built with the screen style's sizes
        # (explicit ones like lw=1.2 included) and rendered at a higher dpi, so every line,
        # marker and letter grows alike. An explorer keeps the style it was created in.
        zoom, size = _style.current().zoom, _style.current().size
        self.figure = Figure(figsize=(self.figsize[0] * size / zoom, self.figsize[1] * size / zoom),
                             dpi=100 * zoom, layout="constrained")
        with _style.context(_style.SCREEN):
            self._build(self.figure)
        self._view = _VIEWS[self.renderer](self)
        self.figure.canvas.mpl_connect("draw_event", self._on_draw)
        self._echoes = _EchoFilter()
        for name, control in self.controls.items():
            self._echoes.expect(name, control, getattr(control, "value", None))  # the first render rounds too
            control.observe(self._observer(name), names="value")
        self.widget = widgets.VBox([self._layout_controls(), self._view.widget, self.status, self.error])
        self._safe(self._first_draw)

    def _first_draw(self):
        with _style.context(_style.SCREEN):
            self._update(None)
            self.figure.canvas.draw()  # constrained layout settles over two draws
        self._redraw(full=True)

    # -- subclass hooks ---------------------------------------------------
    def _make_controls(self) -> dict[str, widgets.Widget]:
        raise NotImplementedError

    def _build(self, fig: Figure) -> None:
        raise NotImplementedError

    def _update(self, changed: str | None) -> bool:
        raise NotImplementedError

    def _layout_controls(self) -> widgets.Widget:
        """Controls in rows of three; override for another arrangement."""
        items = list(self.controls.values())
        rows = [widgets.HBox(items[i:i + 3]) for i in range(0, len(items), 3)]
        return widgets.VBox(rows)

    # -- helpers for subclasses ----------------------------------------------
    def animate(self, *artists):
        """Register artists that move on updates (drawn over the cached background)."""
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)
        return artists[0] if len(artists) == 1 else artists

    def set_status(self, text: str, kind: str = "info") -> None:
        """Show ``text`` below the figure; kind is "info", "ok", "warn" or "error"."""
        colours = {"info": "#333", "ok": "#1a7f37", "warn": "#b35900", "error": "#b00020"}
        self.status_text = text
        self.status.value = (f'<span class="i2dl-status" style="color:{colours[kind]};font-family:monospace">'
                             f"{html.escape(text)}</span>")

    def show_error(self, message: str | None) -> None:
        """Show an error inside the widget (None clears it)."""
        self.error_text = message or ""
        if message:
            self.error.value = (f'<div class="i2dl-error" style="color:#b00020;border-left:3px solid #b00020;'
                                f'padding-left:6px">{html.escape(message)}</div>')
            self.error.layout.display = None
        else:
            self.error.value = ""
            self.error.layout.display = "none"

    # -- machinery --------------------------------------------------------------
    def _observer(self, name: str) -> Callable:
        control = self.controls[name]

        def handler(change):
            if self._echoes.absorbs(name, control, change) or self._quiet:
                return
            if name == "expression":
                self._safe(lambda: self._apply_expression(change["new"]))
            else:
                self._safe(lambda: self.refresh(name))
        return handler

    @property
    def objective(self):
        """The function the explorer shows now (None for explorers without one)."""
        return getattr(self, "_objective", None)

    @objective.setter
    def objective(self, value) -> None:
        self._objective = value

    def _choose(self, control: str, name: str) -> None:
        """Select ``name`` in the dropdown ``control``, adding it if it is new
        (e.g. a typed-in function), without triggering an update."""
        dropdown = self.controls[control]
        with self.quietly():
            if name not in dropdown.options:
                dropdown.options = list(dropdown.options) + [name]
            dropdown.value = name

    def _retarget(self, name: str, lo: float, hi: float, value: float) -> None:
        """Give slider ``name`` the range [lo, hi] in 400 steps and the value (clipped)
        in one change, whatever its old range was."""
        s = self.controls[name]
        lo, hi = float(lo), float(hi)
        with s.hold_trait_notifications():
            s.min, s.max = min(lo, s.min), max(hi, s.max)
            s.value = float(np.clip(value, lo, hi))
            s.min, s.max, s.step = lo, hi, (hi - lo) / 400

    def refresh(self, changed: str | None = None) -> None:
        """Recompute after ``changed`` and redraw (fully if the background changed).
        Errors propagate; numpy warnings are silenced (divergence is reported instead)."""
        with np.errstate(all="ignore"), _style.context(_style.SCREEN):  # titles, contours in the same sizes
            full = self._update(changed)
        self._redraw(full=full)

    @contextlib.contextmanager
    def quietly(self):
        """Change controls from code without triggering updates."""
        previous, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = previous

    def _expression_box(self) -> widgets.Text:
        names = ", ".join(self.expression_variables)
        return widgets.Text(value="", description=f"f({names}) =", continuous_update=False,
                            placeholder="type a function and press Enter, e.g. " +
                            ("x**4 - 3*x**2 + x" if len(self.expression_variables) == 1
                             else "(1 - x)**2 + 100*(y - x**2)**2"),
                            layout=widgets.Layout(width="28em"), style={"description_width": "initial"})

    def _apply_expression(self, text: str) -> None:
        """Parse the typed function; on success switch to it, on error keep the old one."""
        if not text.strip():
            return
        from ..expressions import parse  # imported on first use

        objective = parse(text, variables=self.expression_variables)
        previous = getattr(self, "objective", None)
        try:
            self.set_objective(objective)
        except Exception:
            if previous is not None:  # put the old function back, then report the error
                with contextlib.suppress(Exception):
                    self.set_objective(previous)
            raise

    def set_objective(self, objective) -> None:  # pragma: no cover - explorers with a chooser override it
        raise NotImplementedError(f"{type(self).__name__} has no objective to replace")

    def _safe(self, action: Callable[[], None]) -> None:
        try:
            with np.errstate(all="ignore"):
                action()
        except Exception as err:  # shown in the widget: the explorer must keep working
            self.show_error(f"{type(err).__name__}: {err}")
        else:
            self.show_error(None)

    def _on_draw(self, event):
        if self._snapshotting:  # an export draws everything; keep the cached background
            return
        canvas = self.figure.canvas
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        if self._view.paints_animated:
            self._draw_animated()

    def _draw_animated(self):
        for artist in self._animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)

    def _paint_over_background(self):
        """Put the cached background back and draw the moving artists on it (in the kernel)."""
        self.figure.canvas.restore_region(self._background)
        self._draw_animated()

    def _redraw(self, full: bool = False):
        with _style.context(_style.SCREEN):
            if full or self._background is None:
                self._view.draw()
            else:
                self._view.blit()

    def redraw(self, full: bool = True) -> None:
        """Redraw now (``full`` re-renders the background too)."""
        self._redraw(full=full)

    def snapshot(self, fmt: str = "png", dpi: float | None = None) -> bytes:
        """The whole figure, moving artists included, as image bytes (for export)."""
        self._snapshotting = True
        for artist in self._animated:
            artist.set_animated(False)
        try:
            with io.BytesIO() as out, _style.context(_style.SCREEN):
                FigureCanvasAgg(self.figure).print_figure(out, format=fmt, dpi=dpi or self.figure.dpi)
                return out.getvalue()
        finally:
            for artist in self._animated:
                artist.set_animated(True)
            self.figure.set_canvas(self._view.canvas)
            self._snapshotting = False

    def _repr_mimebundle_(self, **kwargs):
        import base64

        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        # A static image for viewers without a kernel (exported HTML, GitHub).
        data["image/png"] = base64.b64encode(self.snapshot()).decode("ascii")
        data["text/plain"] = f"<{type(self).__name__}: {self.status_text}>"
        return bundle

    def close(self) -> None:
        """Close the whole widget tree, so the explorer and its figure can be freed."""
        def close_tree(widget):
            for child in getattr(widget, "children", ()):
                close_tree(child)
            widget.close()

        close_tree(self.widget)
        for control in self.controls.values():
            control.close()
