"""Prototype (measured by tests/browser/test_jupyterlab.py::test_slider_latency): other ways
to ship an explorer's frame to the browser than the default lossless PNG.

``use_jpeg(explorer, quality)`` swaps the explorer's image encoder for Pillow's
JPEG encoder (smaller frames for filled contour plots, cheaper to decode). It
is a measurement aid, not public API: if it pays off, the change belongs in
``widgets.base._AggImageView`` (see the report of issue 8).
"""
from __future__ import annotations

import io

import numpy as np

__all__ = ["encode_jpeg", "use_jpeg"]


def encode_jpeg(rgba: np.ndarray, quality: int = 90) -> bytes:
    """JPEG bytes of an (h, w, 4) uint8 image (alpha dropped; 4:4:4 so thin coloured lines stay sharp)."""
    from PIL import Image

    with io.BytesIO() as out:
        Image.fromarray(np.ascontiguousarray(rgba[..., :3])).save(out, format="JPEG", quality=quality,
                                                                   subsampling=0)
        return out.getvalue()


def use_jpeg(explorer, quality: int = 90):
    """Make ``explorer`` (image renderer) send JPEG frames from now on; returns the explorer."""
    view = explorer._view
    if not hasattr(view, "_push"):
        raise TypeError("use_jpeg needs the image renderer (renderer='image')")
    view.widget.format = "jpeg"

    def push():
        view.widget.value = encode_jpeg(np.asarray(view.canvas.buffer_rgba()), quality)

    view._push = push
    explorer.redraw(full=True)
    return explorer


def guard_stale_echoes(explorer, window: float = 1.0):
    """Prototype fix for slider values that the browser sends back late.

    When code sets a slider to a value off the slider's grid, the browser snaps
    it and sends the snapped value back (FloatLogSlider does so for every value
    set from code). If the code sets several values in a row (0.5, 2.5, 0.1), the
    echo of an earlier one arrives after the last one and the explorer ends up
    showing the earlier state. This guard remembers the last value set by code;
    a value from the browser within ``window`` seconds that is more than one
    slider step away from it is taken as a stale echo and the code's value is
    put back. Returns the explorer.
    """
    import math
    import time

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
