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

__all__ = ["encode_jpeg", "guard_stale_echoes", "use_jpeg"]


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


# The stale-echo guard moved into the base class; kept here under its prototype name.
from .base import guard_stale_echoes  # noqa: E402,F401
