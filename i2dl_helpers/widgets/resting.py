"""A kernel that rests while the page steps an explorer itself.

An explorer that steps in the browser (``Explorer.SCENE``) has its new frame on screen before the
kernel hears of the move. The kernel has nothing to draw then, so it does no work it does not have to:

* the page (``coalesce.js``) coalesces the values it sends while it steps: it opens a *burst* with a
  ``{"kind": "stepping"}`` message on the explorer's canvas widget, sends the slider's value at most
  every three seconds while the reader keeps moving it, and, once the slider has rested for a quarter of a
  second (or before a cell can run: Enter, a click), sends the final value, exact, and closes the
  burst with ``{"kind": "settled"}``;
* inside a burst, a value from the page of a control the page steps only marks the explorer *stale*
  (``rests``): nothing is computed or sent. The explorer catches up (``catch_up``: its ``_update``
  for each stale control, in the order they changed, and one frame for the page) when the burst
  settles, when code reads one of its results (``Fresh`` attributes: ``trajectory``,
  ``status_text``, ...), when code sets a control, and before a snapshot or a redraw.

Values set from Python, values of controls that need the kernel (a new background), and every value
from a page that does not step the explorer are computed at once, as before. So after a burst the
explorer's state is the one it would have had if every value had arrived, and a value read from code
is always the fresh one. ``Explorer.rest_while_page_steps = False`` switches both halves off (the
page then sends every value and the kernel computes each; ``benchmarks/kernel_idle.py`` compares).
"""
from __future__ import annotations

import threading
import weakref

__all__ = ["LOCK", "Fresh", "catch_up", "listen", "rests", "serialise"]

#: One lock for the explorers' work in a kernel. JupyterLab (4.4 and later) sends widget messages over kernel
#: subshells when the kernel has them (ipykernel 7), so a move can be handled in a subshell's thread while the
#: main shell's thread draws frames ahead or runs a cell. Unlocked, a batch-size move handled in the middle of a
#: frame drawn ahead (controls changed quietly, then put back) was dropped, and the status kept the old B.
#: Every message to an explorer's widgets (``serialise``), every computation (``Explorer._safe``, ``quietly``,
#: frames drawn ahead) and every catch-up holds it: one thread at a time changes an explorer (re-entrant: a
#: handler may set a control whose handler runs inside it). One lock for all explorers: matplotlib's rcParams,
#: which the style context changes, are shared too.
LOCK = threading.RLock()


def serialise(widget) -> None:
    """Handle the page's messages to ``widget`` under ``LOCK``: ipywidgets sets the new value and the explorer's
    handler runs, both inside it (a widget without a comm, e.g. closed, is left as it is)."""
    comm, handle = getattr(widget, "comm", None), getattr(widget, "_handle_msg", None)
    if comm is None or handle is None:
        return

    def locked(msg):
        with LOCK:
            handle(msg)
    comm.on_msg(locked)


class Fresh:
    """An explorer attribute that is brought up to date before it is read (see ``catch_up``)."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, explorer, owner=None):
        if explorer is None:
            return self
        with LOCK:  # not a status drawn ahead in another thread
            catch_up(explorer)
            try:
                return vars(explorer)[self.name]
            except KeyError:
                raise AttributeError(self.name) from None

    def __set__(self, explorer, value):
        vars(explorer)[self.name] = value


def rests(explorer, name: str, control) -> bool:
    """True (and the explorer marked stale) when the change of ``name`` came from a page that
    steps the explorer itself inside a burst: the frame is on screen, the kernel computes later."""
    if not (vars(explorer).get("_page_stepping") and explorer.rest_while_page_steps):
        return False
    if "value" not in getattr(control, "_property_lock", {}):  # set from code: compute now
        return False
    if name in explorer._kernel_only_controls() or not explorer._steps_in_browser():
        return False
    stale = vars(explorer).setdefault("_stale", {})
    stale.pop(name, None)
    stale[name] = True  # in the order of their last change
    return True


def catch_up(explorer) -> None:
    """Compute what the kernel skipped while the page stepped (nothing when it is up to date)."""
    with LOCK:
        stale = vars(explorer).get("_stale")
        if not stale:
            return
        names = list(stale)
        stale.clear()
        for name in names:
            explorer._safe(lambda name=name: explorer.refresh(name))


def _on_message(explorer_ref, _widget, content, _buffers) -> None:
    """The page's bursts: 'stepping' opens one, 'settled' closes it (and the explorer catches up); a new
    view's 'ping' closes any burst a page left open (closed in the middle of one)."""
    explorer = explorer_ref()
    kind = content.get("kind") if isinstance(content, dict) else None
    if explorer is not None and kind == "ahead":  # the reader reaches for the slider drawn ahead
        explorer.draw_ahead_soon()
        return
    if explorer is None or kind not in ("stepping", "settled", "ping"):
        return
    explorer._page_stepping = kind == "stepping"
    if kind != "stepping" and vars(explorer).get("_stale"):
        shown = explorer.status.value
        catch_up(explorer)
        if explorer.status.value == shown:  # unchanged, so not sent: the page may show one it wrote itself
            explorer.status.send_state("value")


def listen(explorer) -> None:
    """Let the explorer's canvas widget hear the page's bursts and its requests for frames drawn ahead
    (``Explorer.draw_ahead``, under ``LOCK``: ``Explorer`` serialises its widgets); other views have no page
    that steps."""
    if hasattr(explorer._view, "set_scene"):
        ref = weakref.ref(explorer)
        explorer._view.widget.on_msg(lambda widget, content, buffers: _on_message(ref, widget, content, buffers))
