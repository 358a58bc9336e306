"""BackpropStepper: walk the backward pass of a compute graph one node at a time."""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from ..graph import BackwardStep, Value, topological_order
from ..plotting.graph_draw import FILL, MAX_WIDTH, layout, node_label, render
from ..plotting.style import PALETTE
from .base import Control, Explorer

__all__ = ["BackpropStepper", "lecture_neuron"]


def lecture_neuron(x: float = 1.5, w: float = -0.4, b: float = 2.0, y: float = 0.3) -> Value:
    """The single neuron of slide 5 with an L2 loss: L = (max(0, x·w + b) − y)²."""
    xv, wv, bv, yv = Value(x, name="x"), Value(w, name="w"), Value(b, name="b"), Value(y, name="y")
    return ((xv * wv + bv).relu() - yv).square()


class BackpropStepper(Explorer):
    """The backward pass ∂L/∂n = Σ_{children c} ∂L/∂c · ∂c/∂n, one node per slider step.

    Step 0 shows the forward pass only. Step 1 seeds ∂L/∂L = 1 at the output.
    Step k > 1 completes the gradient of one more node (in reverse topological
    order): that node is outlined in red, the edges to the children it got its
    gradient from are highlighted and labelled with the local derivative ∂c/∂n
    that was multiplied in, and the status line writes out the product.

    output   : the scalar loss node (default: :func:`lecture_neuron`); ``backward()`` is run on it.
    step     : the step shown first (0 ... number of nodes).
    controls : "step" (0 ... number of nodes).
    """

    ALT_SUBJECT = ("The compute graph, one backward step at a time: each node with its value and, once computed, its"
                   " gradient ∂L/∂n")

    AHEAD = "step"  # each step's frame is drawn ahead when the reader reaches for the slider (Explorer.draw_ahead)
    CONTROLS = (Control("step", "step", "int", 0, None),)  # the top is the graph's number of nodes

    def __init__(self, output: Value | None = None, *, step: int = 0, fmt: str = ".3g", renderer: str = "auto"):
        if output is None:
            output = lecture_neuron()
        if not isinstance(output, Value):
            raise TypeError(f"output must be a Value, got {type(output).__name__}")
        if isinstance(output.data, np.ndarray):
            raise ValueError("output must be a scalar Value (a loss), got an array of shape "
                             f"{output.data.shape}")
        self.output = output
        self.fmt = fmt
        output.backward()
        self.steps: list[BackwardStep] = output.steps
        self._declare(step=self.CONTROLS[0].check(step, 0, len(self.steps)))  # the range is known only now
        n_nodes = len(topological_order(output))
        if n_nodes > 80:
            raise ValueError(f"the graph has {n_nodes} nodes; the stepper stays readable up to about 80")
        # at most 9 × 8 inches (900 px at dpi 100): the figure fits the notebook column of JupyterLab
        self.figsize = (min(1.6 * self._n_layers() + 1.0, MAX_WIDTH), min(0.7 * self._max_layer_size() + 1.2, 8.0))
        self.current_step: BackwardStep | None = None
        super().__init__(renderer=renderer)

    def _n_layers(self) -> int:
        self._pos = layout(self.output)
        return int(max(p[0] for p in self._pos.values())) + 1

    def _max_layer_size(self) -> int:
        return int(np.bincount([int(p[0]) for p in self._pos.values()]).max())

    # -- explorer hooks -----------------------------------------------------
    def _make_controls(self):
        return self._declared_controls(step=(0, len(self.steps)))

    def _build(self, fig):
        ax = fig.add_subplot()
        self.ax = ax
        self.art = render(self.output, ax, show_grad=True, fmt=self.fmt)
        for text in self.art.texts.values():
            self.animate(text)
        self._hi_edges = self.animate(LineCollection([], colors=PALETTE["vermillion"], linewidths=2.5, zorder=2))
        ax.add_collection(self._hi_edges)
        most = max((len(s.terms) for s in self.steps), default=1)
        self._local_labels = [
            self.animate(ax.text(0, 0, "", ha="center", va="bottom", fontsize=8, color=PALETTE["vermillion"],
                                 fontweight="bold", zorder=4,
                                 bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none",
                                           alpha=0.85)))
            for _ in range(max(most, 1))]
        ax.set_title("backward pass: ∂ = ∂L/∂(node); red: the node just finished, "
                     "labels: local derivatives multiplied in", fontsize=9)

    def _fill(self, node, done) -> str:
        """A node's colour: the output's, white until its gradient is done, then by its kind."""
        if node is self.output:
            return FILL["output"]
        if node not in done:
            return "#ffffff"
        if node.op == "const" and not node._prev:
            return "#eeeeee"
        return FILL["op"] if node._prev else FILL["input"]

    def _update(self, changed):
        k = self.controls["step"].value
        done = {s.node: s.grad for s in self.steps[:k]}
        current = self.steps[k - 1] if k >= 1 else None
        self.current_step = current
        for node, text in self.art.texts.items():
            text.set_text(node_label(node, True, self.fmt, grad=done.get(node, "?")))
            box = text.get_bbox_patch()
            box.set_edgecolor(PALETTE["vermillion"] if current is not None and node is current.node else "#555555")
            box.set_linewidth(2.5 if current is not None and node is current.node else 0.8)
            box.set_facecolor(self._fill(node, done))
        segments = []
        for label in self._local_labels:
            label.set_visible(False)
        if current is not None:
            for (child, local, _), label in zip(current.terms, self._local_labels):
                seg = self.art.segment(current.node, child)
                segments.append(seg)
                (x0, y0), (x1, y1) = seg[:2]          # the first piece (the edge bends at waypoints)
                label.set_position((0.5 * (x0 + x1), 0.5 * (y0 + y1) + 0.08))
                label.set_text(f"×{_fmt(local, self.fmt)}")
                label.set_visible(True)
        self._hi_edges.set_segments(segments)
        self.set_status(self.explain(k))
        return False

    # -- text ------------------------------------------------------------------
    def explain(self, k: int) -> str:
        """The status line for step k: which gradient was computed, and how."""
        n = len(self.steps)
        if k == 0:
            return f"step 0/{n}: forward pass done, L = {_fmt(self.output.data, self.fmt)}. Move the slider."
        s = self.steps[k - 1]
        name = _name(s.node)
        if not s.terms:
            return f"step {k}/{n}: start at the output, ∂L/∂L = 1"
        products = " + ".join(f"{_paren(_fmt(c.grad, self.fmt))}·{_paren(_fmt(local, self.fmt))}"
                              for c, local, _ in s.terms)
        symbols = " + ".join(f"∂L/∂({_name(c)})·∂({_name(c)})/∂({name})" for c, _, _ in s.terms)
        return f"step {k}/{n}: ∂L/∂({name}) = {symbols} = {products} = {_fmt(s.grad, self.fmt)}"


def _fmt(x, fmt: str) -> str:
    if isinstance(x, np.ndarray):
        return f"array{x.shape}"
    return format(float(x) + 0.0, fmt)


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def _name(node: Value) -> str:
    if node.name:
        return node.name
    if node._prev:
        return node.op
    return format(float(node.data), "g") if not isinstance(node.data, np.ndarray) else "const"
