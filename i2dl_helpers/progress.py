"""A progress bar for long training runs: an HTML ``<progress>`` bar in a notebook, nothing elsewhere.

It appears only when the run has taken more than ``after`` seconds (default 1 s) and only in a
Jupyter kernel, so short runs, scripts and tests print nothing. The bar is one display output,
updated in place through IPython's display handle (IPython is imported only when a bar is shown);
it needs no widget, so the core maths never imports ipywidgets.
"""
from __future__ import annotations

import html
import sys
import time

__all__ = ["ProgressBar", "in_notebook"]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where a bar can be displayed), else False."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # pragma: no cover - a broken IPython
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class ProgressBar:
    """``bar.update(done, total, text)`` shows progress once ``after`` seconds have passed.

    enabled : True/False, or None for "in a notebook only".
    ``value``, ``total`` and ``text`` are what the bar shows; ``html()`` is its markup.
    """

    def __init__(self, description: str = "training", enabled: bool | None = None, after: float = 1.0):
        self.description = description
        self.enabled = in_notebook() if enabled is None else bool(enabled)
        self.after = after
        self._t0 = time.perf_counter()
        self._shown = False
        self._handle = None  # IPython's DisplayHandle (None outside a kernel, where display prints)
        self.value, self.total, self.text = 0, 1, ""
        self.finished = False

    @property
    def shown(self) -> bool:
        return self._shown

    def html(self) -> str:
        """``description <progress value max> done/total text`` as one line of HTML."""
        label = html.escape(self.description)
        return (f'<div role="group" aria-label="{label}" style="display:flex;gap:0.6em;align-items:center">'
                f"<span>{label}</span>"
                f'<progress value="{self.value}" max="{self.total}" aria-label="{label}" style="width:16em"></progress>'
                f"<span>{html.escape(self.text)}</span></div>")

    def _show(self) -> None:
        from IPython.display import HTML, display

        if self._handle is None:
            self._handle = display(HTML(self.html()), display_id=True)
        else:
            self._handle.update(HTML(self.html()))

    def update(self, done: int, total: int, text: str = "") -> None:
        if not self.enabled:
            return
        if not self._shown and (time.perf_counter() - self._t0 < self.after or done >= total):
            return
        self._shown = True
        self.value, self.total = done, max(total, 1)
        self.text = f"{done}/{total} {text}".strip()
        self._show()

    def close(self, text: str = "") -> None:
        """Fill the bar and show a final line (if it was shown at all)."""
        if self._shown:
            self.value, self.finished = self.total, True
            self.text = text or f"done in {time.perf_counter() - self._t0:.1f} s"
            self._show()
