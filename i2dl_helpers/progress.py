"""A progress bar for long training runs: an ipywidgets bar in a notebook, nothing elsewhere.

It appears only when the run has taken more than ``after`` seconds (default 1 s) and only in a
Jupyter kernel, so short runs, scripts and tests print nothing. ipywidgets is imported only at
the moment a bar is shown, so the core math never imports it.
"""
from __future__ import annotations

import sys
import time

__all__ = ["ProgressBar", "in_notebook"]


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where a widget can be displayed), else False."""
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
    """

    def __init__(self, description: str = "training", enabled: bool | None = None, after: float = 1.0):
        self.description = description
        self.enabled = in_notebook() if enabled is None else bool(enabled)
        self.after = after
        self._t0 = time.perf_counter()
        self._bar = None
        self._label = None

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def update(self, done: int, total: int, text: str = "") -> None:
        if not self.enabled:
            return
        if self._bar is None:
            if time.perf_counter() - self._t0 < self.after or done >= total:
                return
            import ipywidgets as widgets
            from IPython.display import display

            self._bar = widgets.IntProgress(value=0, min=0, max=max(total, 1), description=self.description,
                                            style={"description_width": "initial"})
            self._label = widgets.Label()
            display(widgets.HBox([self._bar, self._label]))
        self._bar.max = max(total, 1)
        self._bar.value = done
        self._label.value = f"{done}/{total} {text}".strip()

    def close(self, text: str = "") -> None:
        """Fill the bar and show a final line (if it was shown at all)."""
        if self._bar is not None:
            self._bar.value = self._bar.max
            self._bar.bar_style = "success"
            self._label.value = text or f"done in {time.perf_counter() - self._t0:.1f} s"
