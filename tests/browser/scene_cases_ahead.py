"""Scene cases of the explorers whose frames the kernel draws ahead (``Explorer.AHEAD``,
``Explorer.draw_ahead``): the page shows the kernel's own frames, so each must be exactly the one the
kernel draws when the slider's value arrives. Settings move that slider only (another control drops the
frames: tests/test_frames_ahead.py)."""
from __future__ import annotations

from .scene_cases import case


def _drawn_ahead(e):
    assert e.draw_ahead(), f"{type(e).__name__} could not draw its frames ahead"
    return e


@case("BackpropStepper (frames drawn ahead)")
def _backprop():
    from i2dl_helpers.graph import Value
    from i2dl_helpers.widgets import BackpropStepper

    x, w, b, y = Value(1.5, name="x"), Value(-0.4, name="w"), Value(2.0, name="b"), Value(0.3, name="y")
    e = _drawn_ahead(BackpropStepper(((x * w + b).relu() - y).square(), renderer="canvas"))
    top = e.controls["step"].max
    return e, [{"step": 1}, {"step": 2}, {"step": top}, {"step": 0}, {"step": top // 2}]


@case("NetworkShape (frames drawn ahead)")
def _network_shape():
    from i2dl_helpers.widgets import NetworkShape

    e = _drawn_ahead(NetworkShape(renderer="canvas"))
    c = e.controls["width"]
    return e, [{"width": c.min}, {"width": c.max}, {"width": (c.min + c.max) // 2}]


@case("LineSearchExplorer (frames drawn ahead)")
def _line_search():
    from i2dl_helpers.widgets import LineSearchExplorer

    e = _drawn_ahead(LineSearchExplorer(renderer="canvas"))
    return e, [{"k": 1}, {"k": 5}, {"k": 30}, {"k": 0}]


@case("StalenessExplorer (frames drawn ahead)")
def _staleness():
    from i2dl_helpers.widgets import StalenessExplorer

    e = _drawn_ahead(StalenessExplorer(renderer="canvas"))
    c = e.controls["tau"]
    return e, [{"tau": c.min}, {"tau": 3}, {"tau": c.max}]
