"""The explorer pattern shared by every interactive widget of the course.

An explorer declares its controls (a table of :class:`~.sliders.Control`, from
which both the constructor's checks and the widgets are made), builds its
matplotlib figure once, and on every control change recomputes (cheap), moves
its artists and asks its view for a new frame. The view (:mod:`.views`) owns
the frame: the cached background and the moving artists drawn over it. Text
that changes often (the status line) lives outside the figure, so it costs no
redraw. Errors are shown inside the widget and the widget keeps working.

``renderer`` picks the view: "canvas" (default; the browser draws the moving
artists over a PNG of the static figure), "image" (whole PNG frames) or
"ipympl" (``%matplotlib widget``, mouse events); "auto" picks ipympl when it is
the active backend, else the canvas.

Figures are never registered with pyplot, so re-running a cell that creates an
explorer leaks nothing and never triggers the "more than 20 figures" warning.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import html
import itertools
import os
from typing import Any, Callable

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .. import flatprog
from .._validate import check_choice
from ..expressions import parse
from ..plotting import style as _style
from . import resting
from .resting import Fresh
from .sliders import Control, EchoFilter, grid_neighbours, log_slider
from .views import VIEWS, active_renderer

__all__ = ["Control", "Explorer", "log_slider"]

#: the status line's colour per kind (the browser writes the same HTML on a page without a kernel)
STATUS_COLOURS = {"info": "#333", "ok": "#1a7f37", "warn": "#b35900", "error": "#b00020"}


class Explorer:
    """Base class: controls + a figure built once + status line + error box.

    Subclasses declare ``CONTROLS`` (a table of ``Control``), check the
    constructor's values with ``self._declare(name=value, ...)``, and implement

    * ``_make_controls() -> dict[str, Widget]`` (the public ``.controls``; by
      default made from ``CONTROLS``; override to add controls whose range
      depends on the data, e.g. a start slider over the function's domain),
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
    #: the declared controls (see ``Control``); ``_make_controls`` builds them from
    #: ``self._initial`` (the constructor's values, checked by ``_declare``)
    CONTROLS: tuple[Control, ...] = ()
    #: the figure's subject in its text alternative (``alt_text``), e.g. "Gradient descent on a 1D
    #: function: L(x) with the iterates (left), L(x_k) per step (right)"; default: the class name
    ALT_SUBJECT: str = ""
    #: how to work the explorer by keyboard beyond its sliders, shown under the figure (e.g. the
    #: keys of click-to-start); empty: nothing beyond Tab and the sliders' arrow keys
    KEYS_HELP: str = ""
    #: set to ("x",) or ("x", "y") in explorers that implement ``set_objective``:
    #: the base then adds a text box "f(x) =" (control "expression") whose text is
    #: parsed safely by ``i2dl_helpers.expressions.parse`` on Enter.
    expression_variables: tuple[str, ...] | None = None
    #: while a page steps this explorer itself, the page coalesces the values it sends and the kernel
    #: computes only when a result is read or the slider settles (``resting``); False: every value, at once
    rest_while_page_steps: bool = True
    status_text = Fresh()  # read after a page moved a slider: computed then (``resting``)
    error_text = Fresh()

    def __init__(self, *, renderer: str = "auto"):
        check_choice("renderer", renderer, ("auto", *VIEWS))
        self.renderer = active_renderer() if renderer == "auto" else renderer
        self._quiet = False
        self._status_kind = "info"
        self._ahead = None  # the frames drawn ahead (draw_ahead), for the other controls' values then
        self._ahead_ticket = None  # the frames being drawn (draw_ahead_soon)
        self._drawing_ahead = False
        self._ahead_wanted = False  # the page asked once: a window (AHEAD_NEAR) follows the slider
        self._ahead_drawing_for = None  # (the slider's value, the others') of the window drawn last
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
        self._view = VIEWS[self.renderer](self.figure, type(self).__name__)
        resting.listen(self)
        with resting.LOCK, _style.context(_style.SCREEN):  # another thread may be moving an explorer
            self._build(self.figure)
        self._echoes = EchoFilter()
        for name, control in self.controls.items():
            self._echoes.expect(name, control, getattr(control, "value", None))  # the first render rounds too
            control.observe(self._observer(name), names="value")
        for widget in (*self.controls.values(), self._view.widget):  # one thread at a time (resting.LOCK)
            resting.serialise(widget)
        self.widget = widgets.VBox([self._layout_controls(), self._view.widget, self.status, self.error])
        self._safe(self._first_draw)

    def _first_draw(self):
        with _style.context(_style.SCREEN):
            self._update(None)
            self.figure.canvas.draw()  # constrained layout settles over two draws
        self._redraw(full=True)

    # -- declared controls -------------------------------------------------
    def _declare(self, **values) -> dict[str, Any]:
        """Check the constructor's ``values`` against ``CONTROLS``; keep them for ``_make_controls``.

        None means "the control's default" and is kept as None. Raises the error of
        ``Control.check`` (naming the parameter and its range) for a value out of range.
        """
        spec = {c.name: c for c in self.CONTROLS}
        checked = {name: None if value is None else spec[name].check(value) for name, value in values.items()}
        self._initial = {**getattr(self, "_initial", {}), **checked}
        return checked

    def _declared_controls(self, **known_now) -> dict[str, widgets.Widget]:
        """The widgets of ``CONTROLS`` showing ``self._initial``. ``known_now`` gives what is known
        only now: ``name=(low, high)`` for a slider (e.g. the function's domain), ``name=[...]``
        for a choice's options."""
        made = {}
        for c in self.CONTROLS:
            extra = known_now.get(c.name)
            if c.kind == "choice":
                made[c.name] = c.make(self._initial[c.name], options=tuple(extra) if extra else None)
            else:
                low, high = extra if extra is not None else (None, None)
                made[c.name] = c.make(self._initial[c.name], low, high)
        return made

    @property
    def _redraw_controls(self) -> frozenset[str]:
        """Controls whose change needs a full redraw (declared with ``redraw=True``)."""
        return frozenset(c.name for c in self.CONTROLS if c.redraw)

    # -- subclass hooks ---------------------------------------------------
    def _make_controls(self) -> dict[str, widgets.Widget]:
        return self._declared_controls()

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
        """Register artists that move on updates (the view draws them over its cached background)."""
        return self._view.animate(*artists)

    def set_status(self, text: str, kind: str = "info") -> None:
        """Show ``text`` below the figure; kind is "info", "ok", "warn" or "error"."""
        self.status_text, self._status_kind = text, kind
        if self._drawing_ahead:  # a frame drawn ahead: the page shows the status line with it
            return
        self.status.value = (f'<span class="i2dl-status" style="color:{STATUS_COLOURS[kind]};font-family:monospace">'
                             f"{html.escape(text)}</span>")

    # -- text alternative ---------------------------------------------------------
    def _alt_subject(self) -> str:
        """The first part of ``alt_text``: what the figure shows (refine per explorer)."""
        return self.ALT_SUBJECT or f"{type(self).__name__} figure"

    def _alt_controls(self) -> list[str]:
        """The controls whose values ``alt_text`` names, in order (default: all but the typed-function box)."""
        return [name for name, c in self.controls.items() if name != "expression" and hasattr(c, "value")]

    def _alt_spec(self) -> dict:
        """What the browser needs to write ``alt_text`` itself for the values a frame shows:
        ``{"subject": str, "controls": [[name, label], ...]}`` (see ``alt_value``)."""
        return {"subject": self._alt_subject(),
                "controls": [[name, self.controls[name].description or name] for name in self._alt_controls()]}

    @property
    def alt_text(self) -> str:
        """The figure's text alternative, made from the explorer's state:
        "<subject>; <label> = <value>, ...: <status line>" (values as ``alt_value`` writes them).
        The page shows it as the figure's ``alt`` and updates it with every frame; the browser writes
        the same text for frames it computes itself (``figure_canvas.js``, ``altText``)."""
        spec = self._alt_spec()
        parts = [f"{label} = {alt_value(self.controls[name])}" for name, label in spec["controls"]]
        text = spec["subject"] + (f"; {', '.join(parts)}" if parts else "")
        return text + (f": {self.status_text}" if self.status_text else "")

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
            with resting.LOCK:  # a page's message holds it already (resting.serialise); code's change too
                if self._echoes.absorbs(name, control, change) or self._quiet:
                    return
                if resting.rests(self, name, control):  # the page drew this frame; computed when needed
                    return
                resting.catch_up(self)
                if name == "expression":
                    self._safe(lambda: self._apply_expression(change["new"]))
                else:
                    with self._frame_first():
                        self._safe(lambda: self.refresh(name))
        return handler

    @contextlib.contextmanager
    def _frame_first(self):
        """While a move from the page is computed: the frame goes out as one message (its text alternative,
        values and drawing together), then the status and error lines. The page handles the kernel's
        messages one after another, so the frame is on screen before it spends time on the text lines."""
        with contextlib.ExitStack() as stack:
            for line in (self.status, self.error):  # released last: sent after the frame
                stack.enter_context(line.hold_sync())
            canvas = getattr(self._view, "widget", None)
            if isinstance(canvas, widgets.Widget):  # released first: the frame in one message
                stack.enter_context(canvas.hold_sync())
            yield

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
            full = self._update(changed) or changed in self._redraw_controls
            self._draw_frame(full)  # in the same style context: entering one costs ~1 ms (rcParams copied)
        if changed != self.AHEAD and self._drop_ahead():  # drawn for other values (a full redraw dropped them)
            self._publish_scene()
        if self.AHEAD_NEAR and self._ahead_wanted:  # the window follows the slider (and the other controls)
            self.draw_ahead_soon()

    @contextlib.contextmanager
    def quietly(self):
        """Change controls from code without triggering updates (holding ``resting.LOCK``: a move handled in
        another thread meanwhile would be taken for one of these changes and dropped)."""
        with resting.LOCK:
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
            with resting.LOCK, np.errstate(all="ignore"):
                action()
        except Exception as err:  # shown in the widget: the explorer must keep working
            self.show_error(f"{type(err).__name__}: {err}")
        else:
            self.show_error(None)

    def _redraw(self, full: bool = False):
        with _style.context(_style.SCREEN):
            self._draw_frame(full)

    def _draw_frame(self, full: bool) -> None:
        """Give the view the frame's values and text alternative and put the frame on screen (inside the
        screen style's context)."""
        if hasattr(self._view, "values"):  # the browser's slider may show a rounded copy of these
            self._view.values = {n: c.value for n, c in self.controls.items()
                                 if isinstance(getattr(c, "value", None), (int, float))}
        self._view.describe(self.alt_text, self._alt_spec() if full else None, self.KEYS_HELP)
        scene = full and hasattr(self._view, "set_scene")
        if full:
            self._drop_ahead()  # frames drawn on the old background
        if scene:  # before the draw: the view must know whether the browser paints the images
            self._view.browser_images = self.SCENE is not None and self._steps_in_browser()
        self._view.show(full)
        if scene:  # after it: click targets need the laid-out figure
            self._publish_scene()

    # -- stepping in the browser ------------------------------------------------
    #: the key of this explorer's update in ``scenes.js`` (None: it steps in the kernel only)
    SCENE: str | None = None
    #: whether the scene reads ∇²L: then the page's program carries the Hessian's registers (``hessianAt``)
    SCENE_HESSIAN = False

    def _scene_params(self) -> dict:
        """What the browser's update needs besides the controls' values (limits, tol, ...);
        JSON-serialisable. Called after every full redraw."""
        return {}

    def _scene_program(self):
        """The objective the browser runs: its flat program (``flatprog.compile_objective``),
        or None when it has none (then the explorer steps in the kernel and says so)."""
        objective = self.objective
        if objective is None:
            return None
        cached = getattr(self, "_compiled", None)
        if cached is not None and cached[0] is objective:
            return cached[1]
        try:
            program = flatprog.compile_objective(objective, hessian=self.SCENE_HESSIAN)
        except (ValueError, TypeError):  # NotCompilable (data-backed) is a ValueError
            program = None
        self._compiled = (objective, program)
        return program

    def _steps_in_browser(self) -> bool:
        """True when the page can step this explorer: it has a scene, and an objective with a flat
        program (or no objective at all); or it has frames drawn ahead (``draw_ahead``)."""
        if self.SCENE is None:
            return self._ahead is not None
        return self.objective is None or self._scene_program() is not None

    # -- frames drawn ahead ----------------------------------------------------------
    #: a slider whose frames the kernel can draw ahead, for the other controls' values, when the page asks
    #: (the reader reaches for that slider: focus, pointer, a first move). The page then steps it from those
    #: frames, at once, while the kernel rests (``resting``); they are dropped when any other control
    #: changes. For explorers that step in the kernel only (``SCENE`` None) whose slider moves no
    #: background; None: none.
    AHEAD: str | None = None
    #: None: every frame of the ``AHEAD`` slider (an integer slider) is drawn at once. k: only a window of the
    #: k grid points on each side of its value, the one the slider last moved towards first, drawn again
    #: after every move (``_ahead_values``): for sliders whose every frame is a new training (SGD, training).
    #: The page takes one frame from a window, one press away from its centre, and tells the kernel at once.
    AHEAD_NEAR: int | None = None

    def draw_ahead(self) -> bool:
        """Draw the frames of the ``AHEAD`` slider now and give them to the page; True when the page
        has them (False: this explorer has no such slider, or a frame cannot be drawn ahead)."""
        if not self._can_draw_ahead():
            return False
        with resting.LOCK:
            resting.catch_up(self)
            if self._ahead is None or self._ahead_moved():
                steps = self._ahead_steps()
                with contextlib.suppress(StopIteration):
                    while True:
                        next(steps)
            return self._ahead is not None

    def draw_ahead_soon(self) -> None:
        """``draw_ahead`` one frame at a time on the kernel's event loop, so that moves and cells are handled
        between frames (the page asks for them when the reader reaches for the slider; a window follows the
        slider); at once where no event loop runs (plain Python)."""
        self._ahead_wanted = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.draw_ahead()
            return
        with resting.LOCK:
            if (not self._can_draw_ahead() or self._drawing_ahead
                    or (self._ahead is not None or self._ahead_ticket is not None) and not self._ahead_moved()):
                return
            resting.catch_up(self)
            ticket, steps = object(), self._ahead_steps()
            self._ahead_ticket = ticket

        def step():
            with resting.LOCK:  # a move handled in another thread waits for this frame (and drops the rest)
                if self._ahead_ticket is not ticket:  # dropped: another control changed meanwhile, or the slider
                    steps.close()
                    return
                try:
                    next(steps)
                except StopIteration:
                    self._ahead_ticket = None
                    return
            loop.call_soon(step)
        loop.call_soon(step)

    def _ahead_steps(self):
        """Draw the frames one by one (a generator: it yields after each) and publish them at the end.
        Every frame or none at all, without a window (``AHEAD_NEAR``); a window keeps the frames it has."""
        frames, centre, value_for = {}, self.controls[self.AHEAD].value, self._ahead_for()
        previous = (self._ahead_drawing_for or (None,))[0]  # the centre of the window drawn before
        self._ahead_drawing_for = (centre, value_for)
        for value in self._ahead_values(previous):
            frame = self._frame_ahead(value)
            if frame is None and not self.AHEAD_NEAR:
                return
            if frame is not None:
                frames[repr(value)] = frame
            yield
        ahead = {"frames": frames, "for": value_for}
        if self.AHEAD_NEAR:
            ahead["centre"] = centre
        self._ahead = ahead
        self._publish_scene()

    def _ahead_moved(self) -> bool:
        """A window (``AHEAD_NEAR``) that is not, or is not being, drawn around the slider's value now."""
        if not self.AHEAD_NEAR:
            return False
        return self._ahead_drawing_for != (self.controls[self.AHEAD].value, self._ahead_for())

    def _can_draw_ahead(self) -> bool:
        """An ``AHEAD`` slider, a canvas view, and not switched off (``I2DL_FRAMES_AHEAD=0`` in the kernel's
        environment: the page then asks the kernel for every frame, as ``benchmarks/kernel_frames.py``
        compares)."""
        return (self.AHEAD is not None and hasattr(self._view, "frame_ops")
                and os.environ.get("I2DL_FRAMES_AHEAD", "1") != "0")

    def _ahead_values(self, previous=None) -> list:
        """The slider's values whose frames are drawn ahead: all of them, or the window of ``AHEAD_NEAR`` grid
        points on each side of the value (``sliders.grid_neighbours``), nearest first, the side the slider
        moved towards from ``previous`` (the last window's centre) first."""
        control = self.controls[self.AHEAD]
        if not self.AHEAD_NEAR:
            return list(range(control.min, control.max + 1, control.step))
        value = control.value
        below, above = grid_neighbours(control, value, self.AHEAD_NEAR)
        first, second = (below, above) if previous is not None and value < previous else (above, below)
        return [v for pair in itertools.zip_longest(first, second) for v in pair if v is not None]

    def _remembered(self, key, compute: Callable[[], Any]):
        """``compute()``, remembered for the last 8 keys: a frame drawn ahead (``AHEAD_NEAR``), the move that
        shows it and the move back reuse a run instead of repeating it. For computations that depend on the
        key only (seeded)."""
        memo = vars(self).setdefault("_memo", {})
        result = memo.pop(key) if key in memo else compute()
        memo[key] = result
        while len(memo) > 8:
            memo.pop(next(iter(memo)))
        return result

    def _ahead_state(self):
        """What the explorer keeps besides its controls that drawing a frame ahead would change (e.g. the
        previous run a training explorer shows in grey); ``_frame_ahead`` puts it back before the explorer is
        brought back to its value. None by default: ``_update`` depends on the controls only."""
        return None

    def _put_back_ahead_state(self, state) -> None:
        """Put back what ``_ahead_state`` returned (called before the explorer's ``_update`` at its value)."""

    def _frame_ahead(self, value) -> dict | None:
        """{"value", "ops", "status": {text, kind}, "alt"}: the frame of the ``AHEAD`` slider at ``value`` as the
        kernel would draw it, or None where it needs a new background, fails or cannot be drawn by the page.
        The explorer is left as it was, and nothing reaches the page (the slider's value is set under a lock,
        the status line is not written)."""
        control = self.controls[self.AHEAD]
        start, state = control.value, self._ahead_state()
        self._drawing_ahead = True
        try:
            with self.quietly(), np.errstate(all="ignore"), _style.context(_style.SCREEN):
                try:
                    with control._lock_property(value=value):
                        control.value = value
                    if self._update(self.AHEAD):
                        return None
                    ops = self._view.frame_ops()
                    if ops is None:
                        return None
                    return {"value": value, "ops": ops, "alt": self.alt_text,
                            "status": {"text": self.status_text, "kind": self._status_kind}}
                except Exception:  # noqa: BLE001 - the page then asks the kernel for each frame, as without
                    return None
                finally:
                    with control._lock_property(value=start):
                        control.value = start
                    self._put_back_ahead_state(state)
                    self._update(self.AHEAD)
        finally:
            self._drawing_ahead = False

    def _drop_ahead(self) -> bool:
        """Forget the frames drawn ahead (and any being drawn); True if the page had some."""
        self._ahead_ticket = self._ahead_drawing_for = None
        had, self._ahead = self._ahead is not None, None
        return had

    def _ahead_for(self) -> dict:
        """The other controls' values the frames drawn ahead are for (the page checks them)."""
        return {n: c.value for n, c in self.controls.items()
                if n != self.AHEAD and isinstance(getattr(c, "value", None), (bool, int, float, str))}

    def _publish_scene(self) -> None:
        """Tell the canvas view how to step in the browser, or why it cannot (then a page
        without a kernel disables the controls and shows the reason in the status line)."""
        controls = {name: c for name, c in self.controls.items() if hasattr(c, "value")}
        if self.SCENE is None and self._ahead is not None:  # frames drawn ahead: the page shows them
            scene = {"name": "ahead", "ahead": self.AHEAD, "program": None, "status_colours": STATUS_COLOURS,
                     "params": {"control": self.AHEAD, **self._ahead},
                     "kernel_only": sorted(self._kernel_only_controls()), "coalesce": self.rest_while_page_steps}
        elif self._steps_in_browser():
            scene = {"name": self.SCENE, "program": self._scene_program(), "params": self._scene_params(),
                     "kernel_only": sorted(self._kernel_only_controls()), "status_colours": STATUS_COLOURS,
                     "coalesce": self.rest_while_page_steps}
        else:
            reason = ("This explorer computes in Python: open the notebook in JupyterLab or Binder "
                      "to move its controls.")
            if self.SCENE is not None:
                reason = (f"{getattr(self.objective, 'name', 'this function')} is computed in Python "
                          "(it needs its data): open the notebook in JupyterLab or Binder to move the controls.")
            scene = {"name": None, "kernel_only": sorted(controls), "status_colours": STATUS_COLOURS,
                     "reason": reason}
            if self._can_draw_ahead():
                scene["ahead"] = self.AHEAD  # the page may ask for its frames (draw_ahead)
        self._view.set_scene(scene, {"controls": controls, "status": self.status, "error": self.error})

    def _kernel_only_controls(self) -> set[str]:
        """Controls whose change needs the kernel (a new background): without one, the page
        disables them. By default the declared redraw controls and the typed-function box; with frames drawn
        ahead, every control but that slider."""
        if self.SCENE is None and self.AHEAD is not None:
            return {n for n, c in self.controls.items() if hasattr(c, "value")} - {self.AHEAD}
        return set(self._redraw_controls) | ({"expression"} if self.expression_variables else set())

    def redraw(self, full: bool = True) -> None:
        """Redraw now (``full`` re-renders the background too)."""
        with resting.LOCK:
            resting.catch_up(self)
            self._redraw(full=full)

    def snapshot(self, fmt: str = "png", dpi: float | None = None) -> bytes:
        """The whole figure, moving artists included, as image bytes (for export)."""
        with resting.LOCK:
            resting.catch_up(self)
            with _style.context(_style.SCREEN):
                return self._view.snapshot(fmt, dpi)

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        # A static image for viewers without a kernel (exported HTML, GitHub), with its text alternative.
        data["image/png"] = base64.b64encode(self.snapshot()).decode("ascii")
        data["text/plain"] = f"<{type(self).__name__}: {self.status_text}>"
        metadata = {**(metadata or {}), "image/png": {"alt": self.alt_text}}
        return data, metadata

    def close(self) -> None:
        """Close the whole widget tree, so the explorer and its figure can be freed."""
        self._ahead_ticket = None  # frames being drawn ahead stop

        def close_tree(widget):
            for child in getattr(widget, "children", ()):
                close_tree(child)
            widget.close()

        close_tree(self.widget)
        for control in self.controls.values():
            control.close()


def alt_value(control) -> str:
    """A control's value as the text alternative names it: a choice's label (several joined by
    ", "), "on"/"off", an integer as is, a float in 4 significant digits (Python's ".4g"; the
    browser's ``formatG`` writes the same), other values as ``str``."""
    label = getattr(control, "label", None)
    if hasattr(control, "options") and label is not None:
        return ", ".join(map(str, label)) if isinstance(label, tuple) else str(label)
    value = control.value
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(value, ".4g")
    return str(value)
