"""The explorer pattern shared by every interactive widget of the course.

An explorer builds its controls and its matplotlib figure once. When a control
changes, it recomputes (cheap), moves its artists (``set_data``) and redraws
only what moved over a cached background (blitting). Text that changes often
(the status line) lives outside the figure, so it costs no redraw. Errors are
shown inside the widget and the widget keeps working.

Two views render the same Figure:

* ``"image"`` (default): the figure is rendered with Agg and shown in an
  ``ipywidgets.Image``; works with any backend, including the inline one, and
  needs no JupyterLab extension.
* ``"ipympl"``: the figure is an ipympl canvas (``%matplotlib widget``), which
  adds mouse events (e.g. click to set the start) and sends only changed pixels.

``renderer="auto"`` picks ipympl when it is the active backend.

Figures are never registered with pyplot, so re-running a cell that creates an
explorer leaks nothing and never triggers the "more than 20 figures" warning.
"""
from __future__ import annotations

import contextlib
import html
import io
import math
import time
from typing import Any, Callable

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._validate import check_choice
from .. import style as _style
from ._png import encode_png

__all__ = ["Explorer", "guard_stale_echoes", "log_slider"]


def log_slider(description: str, value: float, low_exp: float, high_exp: float, step: float = 0.05,
               fmt: str = ".4g") -> widgets.FloatLogSlider:
    """A FloatLogSlider from 10**low_exp to 10**high_exp whose readout shows ``fmt``."""
    return widgets.FloatLogSlider(value=value, base=10, min=low_exp, max=high_exp, step=step,
                                  description=description, readout_format=fmt, continuous_update=True,
                                  style={"description_width": "initial"})


def guard_stale_echoes(explorer, window: float = 1.0):
    """Opt-in guard against slider values that the browser sends back late.

    When code sets a slider to a value off the slider's grid, the browser snaps
    it and sends the snapped value back (FloatLogSlider does so for every value
    set from code). If the code sets several values in a row (0.5, 2.5, 0.1), the
    echo of an earlier one arrives after the last one and the explorer ends up
    showing the earlier state. This guard remembers the last value set by code;
    a value from the browser within ``window`` seconds that is more than one
    slider step away from it is taken as a stale echo and the code's value is
    put back. Returns the explorer.

    Not on by default: a person who moves a slider within ``window`` seconds of
    code changing it (e.g. right after choosing a new function, which resets the
    start) would be overruled. Notebooks avoid the drift by leaving each explorer
    at the last value they set.
    """
    last: dict[str, tuple[float, float]] = {}

    def distance_in_steps(a, b, control) -> float:
        if type(control).__name__ == "FloatLogSlider":
            if a <= 0 or b <= 0:
                return math.inf
            return abs(math.log(a, control.base) - math.log(b, control.base)) / control.step
        return abs(a - b) / control.step

    for name, control in explorer.controls.items():
        if not hasattr(control, "step") or not isinstance(getattr(control, "value", None), (int, float)):
            continue

        def watch(change, name=name, control=control):
            now = time.monotonic()
            from_browser = "value" in getattr(control, "_property_lock", {})
            if not from_browser:
                last[name] = (change["new"], now)
                return
            if name in last and now - last[name][1] < window:
                wanted = last[name][0]
                if distance_in_steps(change["new"], wanted, control) > 1.01:
                    control.value = wanted  # redraws once more and tells the browser
        control.observe(watch, names="value")
    return explorer


class _AggImageView:
    """Render with Agg into PNG bytes shown by an ipywidgets.Image."""

    def __init__(self, fig: Figure):
        self.canvas = FigureCanvasAgg(fig)
        w, h = (int(round(v)) for v in fig.bbox.size)
        self.widget = widgets.Image(format="png", layout=widgets.Layout(width=f"{w}px", height="auto"))

    def draw(self):
        self.canvas.draw()  # fires draw_event: the explorer caches its background there
        self._push()

    def blit(self):
        self._push()

    def _push(self):
        self.widget.value = encode_png(np.asarray(self.canvas.buffer_rgba()))


class _IpymplView:
    """An ipympl canvas: mouse events, and only changed pixels are sent."""

    def __init__(self, fig: Figure):
        backend = matplotlib.get_backend()
        from ipympl.backend_nbagg import Canvas, FigureManager  # importing ipympl switches pyplot's backend

        if matplotlib.get_backend() != backend:
            matplotlib.use(backend)  # restore it: only this explorer's canvas is an ipympl widget
        self.canvas = Canvas(fig)
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
        self.canvas.blit(self.canvas.figure.bbox)


def _active_renderer() -> str:
    return "ipympl" if "ipympl" in matplotlib.get_backend() else "image"


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
        check_choice("renderer", renderer, ("auto", "image", "ipympl"))
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
        scale = _style.current()
        self.figure = Figure(figsize=(self.figsize[0] * scale.size, self.figsize[1] * scale.size), dpi=100,
                             layout="constrained")
        with _style.context():
            self._build(self.figure)
        self._view = _IpymplView(self.figure) if self.renderer == "ipympl" else _AggImageView(self.figure)
        self.figure.canvas.mpl_connect("draw_event", self._on_draw)
        for name, control in self.controls.items():
            control.observe(self._observer(name), names="value")
        self.widget = widgets.VBox([self._layout_controls(), self._view.widget, self.status, self.error])
        self._safe(self._first_draw)

    def _first_draw(self):
        self._update(None)
        with _style.context():
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
        def handler(change):
            if self._quiet:
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
        with np.errstate(all="ignore"):
            self._redraw(full=self._update(changed))

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
        self._draw_animated()

    def _draw_animated(self):
        for artist in self._animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)

    def _redraw(self, full: bool = False):
        with _style.context():
            if full or self._background is None:
                self._view.draw()
                return
            self.figure.canvas.restore_region(self._background)
            self._draw_animated()
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
            with io.BytesIO() as out, _style.context():
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
