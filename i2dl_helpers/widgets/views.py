"""The views that put an explorer's figure on screen; each owns the frame.

A view holds the figure's moving ("animated") artists and the cached
background (the figure without them). ``show(full)`` puts a new frame on
screen: a full draw re-renders and re-caches the background, otherwise only
the moving artists are drawn over the cached one. The explorer only builds
artists, registers the moving ones with :meth:`View.animate`, moves them, and
calls ``show``; it never touches the background or the canvas.

Three views render the same Figure:

* ``"canvas"`` (:class:`CanvasView`, default): the static figure is rendered
  once with Agg and sent as a PNG; per update only the moving artists travel,
  as drawing instructions that the browser paints on a canvas over the PNG
  (:mod:`.figure_canvas`). A frame with an artist the browser cannot draw is
  sent as a whole PNG instead.
* ``"image"`` (:class:`ImageView`): every frame a whole PNG in an
  ``ipywidgets.Image``; works wherever ipywidgets does.
* ``"ipympl"`` (:class:`IpymplView`): an ipympl canvas (``%matplotlib widget``),
  which adds mouse events and sends only changed pixels.
"""
from __future__ import annotations

import io

import ipywidgets as widgets
import matplotlib
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ._png import encode_png
from .figure_canvas import FigureCanvasWidget, Unsupported, overlay_ops

__all__ = ["VIEWS", "View", "active_renderer"]


class View:
    """Base: the moving artists, the cached background and the draw cycle of one figure.

    Subclasses set ``self.canvas`` (the figure's canvas) and ``self.widget`` in
    ``_attach`` and implement ``_present_full`` (after a full draw) and
    ``_present_moving`` (after only the moving artists changed).
    """

    #: True when the kernel composites the moving artists into the frame it shows
    paints_animated = True

    def __init__(self, figure: Figure, name: str = "explorer"):
        self.figure = figure
        self.animated: list = []
        self._background = None
        self._snapshotting = False
        self._attach(name)
        figure.canvas.mpl_connect("draw_event", self._on_draw)

    # -- for the explorer -------------------------------------------------------
    def animate(self, *artists):
        """Register artists that move on updates (drawn over the cached background)."""
        for artist in artists:
            artist.set_animated(True)
            self.animated.append(artist)
        return artists[0] if len(artists) == 1 else artists

    def show(self, full: bool = False) -> None:
        """Put the current state on screen; ``full`` re-renders the background too."""
        if full or self._background is None:
            self.canvas.draw()  # fires draw_event: _on_draw caches the background
            self._present_full()
        else:
            self._present_moving()

    def describe(self, alt: str, spec: dict | None = None, keys_help: str = "") -> None:
        """The frame's text alternative ``alt`` (``Explorer.alt_text``); ``spec`` (``Explorer._alt_spec``,
        sent with full redraws) lets a browser write it for frames it computes itself; ``keys_help``
        says how to work the figure by keyboard. A view shows what its widget can."""

    def snapshot(self, fmt: str = "png", dpi: float | None = None) -> bytes:
        """The whole figure, moving artists included, as image bytes (for export)."""
        self._snapshotting = True
        for artist in self.animated:
            artist.set_animated(False)
        try:
            with io.BytesIO() as out:
                FigureCanvasAgg(self.figure).print_figure(out, format=fmt, dpi=dpi or self.figure.dpi)
                return out.getvalue()
        finally:
            for artist in self.animated:
                artist.set_animated(True)
            self.figure.set_canvas(self.canvas)
            self._snapshotting = False

    # -- the frame -----------------------------------------------------------------
    def _on_draw(self, event) -> None:
        if self._snapshotting:  # an export draws everything; keep the cached background
            return
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        if self.paints_animated:
            self._draw_animated()

    def _draw_animated(self) -> None:
        for artist in self.animated:
            if artist.get_visible():
                self.figure.draw_artist(artist)

    def _paint_over_background(self) -> None:
        """Put the cached background back and draw the moving artists on it (in the kernel)."""
        self.figure.canvas.restore_region(self._background)
        self._draw_animated()

    # -- subclass hooks ------------------------------------------------------------
    def _attach(self, name: str) -> None:
        raise NotImplementedError

    def _present_full(self) -> None:
        raise NotImplementedError

    def _present_moving(self) -> None:
        raise NotImplementedError


class _TitledImage(widgets.Image):
    """An Image whose ``tooltip`` (its text alternative, the <img>'s title) renders: ipywidgets' front end reads
    ``description`` when it sets a tooltip, and an Image has none (TypeError: 'length' of undefined, the widget
    shows an error instead of the picture). This one syncs an empty ``description``."""

    description = traitlets.Unicode("").tag(sync=True)


class ImageView(View):
    """Render with Agg into PNG bytes shown by an ipywidgets.Image (every frame a whole PNG)."""

    def _attach(self, name):
        self.canvas = FigureCanvasAgg(self.figure)
        w, h = (int(round(v)) for v in self.figure.bbox.size)
        # at most the figure's pixel width, narrower with the notebook column
        self.widget = _TitledImage(format="png",
                                    layout=widgets.Layout(width=f"{w}px", max_width="100%", height="auto"))

    def describe(self, alt, spec=None, keys_help=""):
        if self.widget.tooltip != alt:  # an <img> without alt: its title is its text alternative
            self.widget.tooltip = alt

    def _present_full(self):
        self._push()

    def _present_moving(self):
        self._paint_over_background()
        self._push()

    def _push(self):
        self.widget.value = encode_png(np.asarray(self.canvas.buffer_rgba()))


class CanvasView(View):
    """The static figure as one PNG; the moving artists drawn by the browser on a canvas
    over it (``figure_canvas``). A frame with an artist the browser cannot draw is sent
    as a whole PNG instead."""

    paints_animated = False  # the PNG background must not contain the moving artists

    def _attach(self, name):
        self.canvas = FigureCanvasAgg(self.figure)
        # width and height: those of the rendered PNG, set with every new background
        self.widget = FigureCanvasWidget(alt=f"{name} figure")
        self._clean = b""  # the last background PNG
        self._whole_frame = False  # the last frame was sent as a whole PNG
        self.browser_images = False  # the scene computes AxesImage pixels in the browser (set by the explorer)
        self.values: dict = {}  # the controls' values this frame shows (sent with it, see _send)

    def describe(self, alt, spec=None, keys_help=""):
        with self.widget.hold_sync():
            if self.widget.alt != alt:
                self.widget.alt = alt
            if spec is not None and self.widget.alt_spec != spec:
                self.widget.alt_spec = spec
            if self.widget.keys_help != keys_help:
                self.widget.keys_help = keys_help

    def frame_ops(self, browser_images: bool = False) -> list | None:
        """The overlay of the moving artists as they are now (what ``_send`` sends), or None where the
        browser cannot draw one of them (``_send`` then paints them into the background;
        ``Explorer.draw_ahead`` does not draw that frame ahead)."""
        try:
            return overlay_ops(self.figure, self.animated, self.canvas.get_renderer(), browser_images=browser_images)
        except Unsupported:
            return None

    def set_scene(self, scene: dict, widgets_: dict) -> None:
        """Let the browser step the explorer (see ``FigureCanvasWidget.scene``; name None: it cannot)."""
        with self.widget.hold_sync():
            self.widget.scene_widgets = widgets_
            self.widget.scene = scene

    def _present_full(self):
        buffer = np.asarray(self.canvas.buffer_rgba())
        self._clean = encode_png(buffer)
        self._send(self._clean, size=buffer.shape[:2])

    def _present_moving(self):
        self._send(None)

    def _send(self, background: bytes | None, size=None):
        ops = self.frame_ops(self.browser_images)
        if ops is None:
            self._paint_over_background()
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
            self.widget.kernel_values = self.values


class IpymplView(View):
    """An ipympl canvas: mouse events, and only changed pixels are sent."""

    def _attach(self, name):
        backend = matplotlib.get_backend()
        from ipympl.backend_nbagg import Canvas, FigureManager  # importing ipympl switches pyplot's backend

        if matplotlib.get_backend() != backend:
            matplotlib.use(backend)  # restore it: only this explorer's canvas is an ipympl widget
        self.canvas = Canvas(self.figure)
        self.manager = FigureManager(self.canvas, 0)
        self.canvas.header_visible = False
        self.canvas.toolbar_visible = False
        self.canvas.footer_visible = False
        self.canvas.resizable = False
        self.widget = self.canvas

    def _present_full(self):
        self.canvas.blit(self.canvas.figure.bbox)

    def _present_moving(self):
        self._paint_over_background()
        self.canvas.blit(self.canvas.figure.bbox)


VIEWS = {"canvas": CanvasView, "image": ImageView, "ipympl": IpymplView}


def active_renderer() -> str:
    """"ipympl" when it is matplotlib's active backend (``%matplotlib widget``), else "canvas"."""
    return "ipympl" if "ipympl" in matplotlib.get_backend() else "canvas"
