"""The canvas view: what travels to the browser per update, checked against matplotlib's own geometry."""
import json

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from i2dl_helpers.widgets import BasinExplorer, GradientDescent1D, GradientDescent2D
from i2dl_helpers.widgets.figure_canvas import Unsupported, overlay_ops


def _figure():
    fig = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 5)
    return fig, ax, fig.canvas.get_renderer()


def test_line_coordinates_are_matplotlibs_pixels_with_y_down():
    fig, ax, renderer = _figure()
    (line,) = ax.plot([1, 2, np.nan, 4, 1e300], [1, 2, 3, 4, 1], "-", lw=2)
    (op,) = overlay_ops(fig, [line], renderer)
    display = ax.transData.transform(np.c_[[1, 2, 4], [1, 2, 4]])
    xy = op["xy"]
    assert xy[0] == pytest.approx(display[0, 0], abs=0.01) and xy[1] == pytest.approx(300 - display[0, 1], abs=0.01)
    assert xy[6] == pytest.approx(display[2, 0], abs=0.01) and xy[7] == pytest.approx(300 - display[2, 1], abs=0.01)
    assert xy[4] is None and xy[5] is None  # the NaN breaks the line
    assert xy[8] == 1e5  # far away, clipped to something a canvas can draw
    assert op["width"] == pytest.approx(2 * 100 / 72, abs=1e-3)  # points -> pixels
    x0, y0, w, h = ax.bbox.bounds
    assert op["clip"] == pytest.approx([x0, 300 - y0 - h, w, h], abs=0.01)
    json.dumps(op, allow_nan=False)  # valid JSON for the browser


def test_colours_dashes_and_markers_follow_the_artist():
    fig, ax, renderer = _figure()
    (line,) = ax.plot([1, 2], [1, 2], "--s", color="#d55e00", alpha=0.5, ms=10, mec="k", mew=2)
    (op,) = overlay_ops(fig, [line], renderer)
    assert op["color"] == "rgba(213,94,0,0.5)"
    assert op["dash"] and all(d > 0 for d in op["dash"])
    m = op["marker"]
    assert m["fill"] == "rgba(213,94,0,0.5)" and m["edge"] == "rgba(0,0,0,0.5)"
    assert m["edge_width"] == pytest.approx(2 * 100 / 72, abs=1e-3)
    square = np.asarray(m["polys"][0]).reshape(-1, 2)
    side = 10 * 100 / 72  # marker 's' is ms points wide
    assert np.ptp(square[:, 0]) == pytest.approx(side, abs=0.01) and np.ptp(square[:, 1]) == pytest.approx(side, abs=0.01)
    (dot,) = ax.plot([3], [3], "o", ms=8)
    (op,) = overlay_ops(fig, [dot], renderer)
    assert op["color"] is None and op["marker"]["circle"] == pytest.approx(4 * 100 / 72, abs=1e-3)


def test_text_sits_where_matplotlib_puts_it():
    fig, ax, renderer = _figure()
    text = ax.text(0.5, 0.9, "diverged at step 7", transform=ax.transAxes, ha="center", va="top",
                   fontweight="bold", bbox=dict(fc="w", ec="none"))
    (op,) = overlay_ops(fig, [text], renderer)
    x0, y0, w, h = text.get_window_extent(renderer).bounds
    assert op["rect"] == pytest.approx([x0, 300 - y0 - h, w, h], abs=0.01)
    assert op["x"] == pytest.approx(x0 + w / 2, abs=0.01) and op["align"] == "center"
    assert op["weight"] == "bold" and op["box"]["fill"] == "rgba(255,255,255,1)"
    assert op["box"]["rect"][2] > w  # the box pads the text
    # an empty text draws nothing but keeps its place, one line tall, for the browser to fill
    (empty,) = overlay_ops(fig, [ax.text(0.5, 0.9, "", transform=ax.transAxes, ha="center", va="top")], renderer)
    assert empty["text"] == "" and empty["rect"][1] == pytest.approx(300 - y0 - h, abs=0.5)
    assert empty["rect"][3] == pytest.approx(h, rel=0.2) and empty["valign"] == "top"


def _uncached(fig, artists, renderer):
    from i2dl_helpers.widgets import figure_canvas

    for memo in (figure_canvas._EXTENTS, figure_canvas._CSS, figure_canvas._FAMILIES):
        memo.clear()
    return overlay_ops(fig, artists, renderer)


def test_remembered_text_boxes_follow_the_text_wherever_and_however_it_changes():
    """Text extents, colours and font names are remembered between frames (issue 24: a backprop graph's labels
    cost ~2 ms each to lay out): a moved, re-worded, resized, recoloured text, or one whose font changed in place,
    gets exactly the op of a first measurement."""
    fig, ax, renderer = _figure()
    text = ax.text(2.0, 1.0, "∂L/∂w = 0.3", ha="center", va="bottom", color="C1",
                   bbox=dict(boxstyle="round,pad=0.15", fc="w", ec="none"))
    moves = [lambda: None, lambda: text.set_position((7.5, 4.0)), lambda: text.set_text("×−0.4\nsecond line"),
             lambda: text.set_fontsize(14), lambda: text.get_fontproperties().set_weight("bold"),
             lambda: text.set_color((0.1, 0.2, 0.3)), lambda: text.set_horizontalalignment("right"),
             lambda: ax.set_xlim(-5, 10), lambda: text.set_text("∂L/∂w = 0.3")]
    for move in moves:
        move()
        (warm,) = overlay_ops(fig, [text], renderer)
        (cold,) = _uncached(fig, [text], renderer)
        assert warm == cold
        x0, y0, w, h = text.get_window_extent(renderer).bounds
        assert warm["rect"] == pytest.approx([x0, 300 - y0 - h, w, h], abs=0.01)


def test_a_backprop_graph_sends_the_same_ops_when_remembered():
    from i2dl_helpers.graph import Value
    from i2dl_helpers.widgets import BackpropStepper

    x, w, b, y = Value(1.5, name="x"), Value(-0.4, name="w"), Value(2.0, name="b"), Value(0.3, name="y")
    stepper = BackpropStepper(((x * w + b).relu() - y).square(), renderer="canvas")
    view = stepper._view
    for k in [1, 2, 3, 2, 1, 0, 3]:
        stepper.controls["step"].value = k
        cold = _uncached(stepper.figure, view.animated, view.canvas.get_renderer())
        assert json.dumps(stepper._view.widget.overlay) == json.dumps(cold)
    stepper.close()


def test_segments_and_what_cannot_be_drawn():
    fig, ax, renderer = _figure()
    coll = ax.add_collection(LineCollection([[(0, 0), (1, 1)], [(2, 2), (3, 1)]], colors=["r", "b"], linewidths=2))
    (op,) = overlay_ops(fig, [coll], renderer)
    assert len(op["segments"]) == 2 and op["colors"] == ["rgba(255,0,0,1)", "rgba(0,0,255,1)"]
    for artist in (ax.imshow(np.zeros((2, 2))), ax.text(1, 1, "$x^2$"), ax.text(1, 1, "tilted", rotation=30)):
        with pytest.raises(Unsupported):
            overlay_ops(fig, [artist], renderer)


def test_segments_transformed_at_once_are_those_transformed_one_by_one():
    from i2dl_helpers.widgets.figure_canvas import _flat

    fig, ax, renderer = _figure()
    ax.set_yscale("log")
    segments = [[(0, 1), (1, 2)], [(2, 2), (3, np.nan), (4, 1e300)], [(5, 3)], [(6, 0.5), (7, 4), (8, 2), (9, 1)]]
    coll = ax.add_collection(LineCollection(segments, colors="k"))
    (op,) = overlay_ops(fig, [coll], renderer)
    one_by_one = [_flat(coll.get_transform().transform(np.asarray(s, dtype=float)), 300.0)
                  for s in coll.get_segments() if len(s)]
    assert op["segments"] == one_by_one


def test_explorer_sends_the_background_once_then_only_the_overlay():
    e = GradientDescent1D("quadratic", lr=0.1, x0=2.0, renderer="canvas")
    view = e._view.widget
    background = view.background
    assert background.startswith(b"\x89PNG") and [op["kind"] for op in view.overlay] == ["line"] * 3 + ["text", "line"]
    assert [op["gid"] for op in view.overlay] == ["path", "start", "end", "offplot", "loss"]
    assert view.scene["name"] == "gd1d" and view.scene["program"]["format"] == "i2dl-flatprog"
    assert set(view.scene_widgets["controls"]) >= {"lr", "x0", "steps"}
    e.controls["lr"].value = 0.3
    assert view.background is background, "a slider move must not send a new background"
    path = e._path.get_xydata()
    expected = e.ax.transData.transform(path)
    drawn = np.asarray(view.overlay[0]["xy"], dtype=float).reshape(-1, 2)
    assert np.allclose(drawn[:, 0], expected[:, 0], atol=0.01)
    assert np.allclose(drawn[:, 1], view.height - expected[:, 1], atol=0.01)
    assert len(json.dumps(view.overlay)) < 10_000  # a few kB instead of a 40 kB PNG
    e.controls["objective"].value = "double_well"
    assert view.background != background, "a new function sends a new background"


def test_background_has_no_moving_artists_and_snapshot_has_them():
    from io import BytesIO

    from PIL import Image

    canvas = GradientDescent2D("bowl", renderer="canvas")
    image = GradientDescent2D("bowl", renderer="image")
    bg = np.asarray(Image.open(BytesIO(canvas._view.widget.background)))
    full = np.asarray(Image.open(BytesIO(image._view.widget.value)))
    assert bg.shape == full.shape and not np.array_equal(bg, full)  # the path is not in the background
    for artist in image._view.animated:
        artist.set_visible(False)
    image.redraw()
    hidden = np.asarray(Image.open(BytesIO(image._view.widget.value)))
    assert np.abs(bg.astype(int) - hidden).max() <= 2  # the same picture (up to re-rendering noise)
    assert canvas.snapshot().startswith(b"\x89PNG")


def test_a_frame_the_browser_cannot_draw_is_sent_whole_and_the_background_comes_back():
    e = GradientDescent1D("quadratic", lr=0.1, x0=2.0, renderer="canvas")
    view = e._view.widget
    clean = view.background
    e._offplot.set_text("$x_k$ is off the plot")  # maths: drawn by matplotlib, not the browser
    e.redraw(full=False)
    assert view.overlay == [] and view.background != clean
    e.controls["lr"].value = 0.2  # the note is reset: the browser draws again
    assert view.background == clean and view.overlay


def test_an_explorer_built_on_an_image_falls_back_to_whole_frames():
    class KernelBasins(BasinExplorer):
        SCENE = None  # the image's pixels come from the kernel

    e = KernelBasins("himmelblau", lr=0.01, steps=20, n=20, renderer="canvas")
    first = e._view.widget.background
    assert e._view.widget.overlay == []
    e.controls["lr"].value = 0.02
    assert e._view.widget.background != first


def test_a_browser_stepped_image_sends_only_its_place():
    e = BasinExplorer("himmelblau", lr=0.01, steps=20, n=20, renderer="canvas")
    view = e._view.widget
    first = view.background
    (image,) = [op for op in view.overlay if op["kind"] == "image"]
    assert image["gid"] == "map" and "image" not in image  # the browser computes the pixels
    l, t, w, h = image["rect"]
    (x0, y0), (x1, y1) = e.ax.transData.transform([e.ax.get_xlim()[0], e.ax.get_ylim()[0]]), \
        e.ax.transData.transform([e.ax.get_xlim()[1], e.ax.get_ylim()[1]])
    assert [l, t, w, h] == pytest.approx([x0, view.height - y1, x1 - x0, y1 - y0], abs=0.01)
    e.controls["lr"].value = 0.02
    assert view.background is first


def test_a_move_from_the_page_sends_the_frame_in_one_message_before_the_status_line(monkeypatch):
    """The page handles the kernel's messages in turn: the frame (overlay, text alternative, values) comes first
    and whole, the status line after it (base.Explorer._frame_first)."""
    from i2dl_helpers.graph import Value
    from i2dl_helpers.widgets import BackpropStepper
    import ipywidgets

    x, w, b, y = Value(1.5, name="x"), Value(-0.4, name="w"), Value(2.0, name="b"), Value(0.3, name="y")
    e = BackpropStepper(((x * w + b).relu() - y).square(), renderer="canvas")
    canvas, sent = e._view.widget, []
    original = ipywidgets.Widget.send_state

    def record(self, key=None):
        sent.append((self, sorted([key] if isinstance(key, str) else key or self.keys)))
        return original(self, key)
    monkeypatch.setattr(ipywidgets.Widget, "send_state", record)
    e.controls["step"].set_state({"value": 3})  # as ipywidgets receives a slider's value from the page
    frames = [i for i, (widget, keys) in enumerate(sent) if widget is canvas]
    assert len(frames) == 1 and {"overlay", "alt"} <= set(sent[frames[0]][1]), sent
    status = [i for i, (widget, _) in enumerate(sent) if widget is e.status]
    assert status and status[0] > frames[0], "the status line went out before the frame"
    e.close()
