"""The compute-graph drawings of notebook 01 stay readable: no edge passes behind a box it does not
connect to, no two boxes overlap, every box stays inside the figure, and the stepper's highlighted edge
runs between the boxes (it covers no text). Checked on the rendered figures (Agg), box by box."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

from i2dl_helpers.graph import Value, name_leaves, topological_order  # noqa: E402
from i2dl_helpers.nn import TwoLayerNet  # noqa: E402
from i2dl_helpers.plotting.graph_draw import _segment_hits_box, draw  # noqa: E402


def _neuron():
    x, w, b, y = Value(1.5, name="x"), Value(-0.4, name="w"), Value(2.0, name="b"), Value(0.3, name="y")
    return ((x * w + b).relu() - y).square()


def _network(n_samples, sizes, seed=0):
    rng = np.random.default_rng(seed)
    X, Y = rng.uniform(-1, 1, size=(n_samples, sizes[0])), rng.uniform(-1, 1, size=(n_samples, sizes[2]))
    loss, leaves = TwoLayerNet(*sizes, seed=1).to_graph(X, Y, reduction="sum")
    name_leaves(leaves)
    return loss


def _notebook_network():
    """The one-sample graph of notebook 01, section 4 (cell 24), exactly as the notebook makes it."""
    rng = np.random.default_rng(0)
    X, Y = rng.uniform(-1, 1, size=(2, 2)), rng.uniform(-1, 1, size=(2, 1))
    loss, leaves = TwoLayerNet(2, 2, 1, seed=1).to_graph(X[:1], Y[:1], reduction="sum")
    name_leaves(leaves)
    return loss


def _boxes(fig, texts):
    if fig.canvas is None or not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    fig.canvas.draw()                                     # a layout engine settles over two draws
    renderer = fig.canvas.get_renderer()
    return {t: t.get_bbox_patch().get_window_extent(renderer) for t in texts}


def _problems(ax, texts, paths):
    """Edges behind a box they do not connect to, overlapping boxes, boxes outside the figure."""
    fig = ax.figure
    boxes = _boxes(fig, texts)
    at = {tuple(np.round(t.get_position(), 9)): t for t in texts}
    found = []
    for path in paths:
        path = np.asarray(path, dtype=float)
        ends = {at.get(tuple(np.round(path[0], 9))), at.get(tuple(np.round(path[-1], 9)))}
        assert None not in ends, "every edge starts and ends at the centre of a box"
        pixels = ax.transData.transform(path)
        for text, bb in boxes.items():
            if text in ends:
                continue
            inner = (bb.x0 + 0.5, bb.y0 + 0.5, bb.x1 - 0.5, bb.y1 - 0.5)
            if any(_segment_hits_box(p, q, inner) for p, q in zip(pixels[:-1], pixels[1:])):
                found.append(f"an edge passes behind {text.get_text().splitlines()[0]!r}")
    items = list(boxes.items())
    for i, (t1, a) in enumerate(items):
        for t2, c in items[i + 1:]:
            if a.x0 < c.x1 and c.x0 < a.x1 and a.y0 < c.y1 and c.y0 < a.y1:
                found.append(f"boxes {t1.get_text().splitlines()[0]!r} and {t2.get_text().splitlines()[0]!r} overlap")
        if a.x0 < -1 or a.y0 < -1 or a.x1 > fig.bbox.width + 1 or a.y1 > fig.bbox.height + 1:
            found.append(f"box {t1.get_text().splitlines()[0]!r} leaves the figure")
    return found


GRAPHS = {"neuron": lambda: _neuron(), "notebook 01 network": _notebook_network,
          "two samples": lambda: _network(2, (2, 2, 1)), "3-3-1 network": lambda: _network(1, (3, 3, 1)),
          "2-3-1 network": lambda: _network(1, (2, 3, 1), seed=4)}


@pytest.mark.parametrize("inputs_left", [True, False])
@pytest.mark.parametrize("name", GRAPHS)
def test_no_edge_passes_behind_a_box_it_does_not_connect_to(name, inputs_left):
    loss = GRAPHS[name]()
    loss.backward()
    ax = draw(loss, inputs_left=inputs_left)
    assert ax.figure.get_size_inches()[0] <= 9.0 + 1e-9
    paths = ax.collections[0].get_segments()
    assert len(paths) == sum(len({id(p) for p in n._prev}) for n in topological_order(loss))
    assert _problems(ax, ax.texts, paths) == []


def test_before_backward_the_boxes_are_smaller_and_still_clear():
    ax = draw(_notebook_network(), inputs_left=False)
    assert not any("∂" in t.get_text() for t in ax.texts)
    assert _problems(ax, ax.texts, ax.collections[0].get_segments()) == []


def test_edges_that_skip_layers_bend_through_free_slots():
    """The neuron with every input on the left: b and y reach nodes several layers on, and their edges
    pass every layer in between without touching its box."""
    loss = _neuron()
    ax = draw(loss, inputs_left=True)
    bent = [p for p in ax.collections[0].get_segments() if len(p) > 2]
    assert bent, "edges that skip layers have waypoints"
    assert _problems(ax, ax.texts, ax.collections[0].get_segments()) == []


@pytest.mark.parametrize("graph", ["neuron", pytest.param("notebook 01 network", marks=pytest.mark.slow)])
def test_the_steppers_highlighted_edge_runs_between_the_boxes(graph):
    """The stepper of notebook 01 (the neuron, every step) and a larger graph (every fifth step): its
    drawing is clear of the boxes, and the highlighted edge of each step starts and ends at the borders
    of its two boxes, as they are laid out after the figure's layout engine has run."""
    pytest.importorskip("ipywidgets")
    from i2dl_helpers.widgets.backprop import BackpropStepper

    stepper = BackpropStepper(GRAPHS[graph](), renderer="image")
    art = stepper.art
    boxes = list(art.texts.values())
    assert _problems(stepper.ax, boxes, art.edge_lines.get_segments()) == []
    for k in range(1, len(stepper.steps) + 1, 1 if graph == "neuron" else 5):
        stepper.controls["step"].value = k
        pixels = _boxes(stepper.figure, boxes)            # the boxes as they are now (finished nodes are wider)
        node = stepper.current_step.node
        for (child, _, _), path in zip(stepper.current_step.terms, stepper._hi_edges.get_segments()):
            ends = stepper.ax.transData.transform(np.asarray(path)[[0, -1]])
            for end, owner in zip(ends, (art.texts[node], art.texts[child])):
                bb = pixels[owner]
                inside = bb.x0 + 2 < end[0] < bb.x1 - 2 and bb.y0 + 2 < end[1] < bb.y1 - 2
                assert not inside, f"step {k}: the highlighted edge ends inside the box of {owner.get_text()!r}"
                near = bb.x0 - 3 <= end[0] <= bb.x1 + 3 and bb.y0 - 3 <= end[1] <= bb.y1 + 3
                assert near, f"step {k}: the highlighted edge ends away from the box of {owner.get_text()!r}"
