"""Draw a compute graph of :class:`~i2dl_helpers.graph.Value` nodes with matplotlib alone.

Inputs on the left, the output on the right. Nodes are grouped into layers by
the longest path from an input (layer(n) = 1 + max over parents), and ordered
inside a layer by the mean height of their neighbours (a few barycentre sweeps)
so that edges cross rarely. Every box shows the operation (or the input's
name), the forward value and, once ``backward()`` has run, the gradient
∂L/∂node.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..graph import Value, topological_order
from .style import context, current

__all__ = ["draw", "draw_graph", "render", "layout", "node_label", "GraphArtists", "MAX_WIDTH"]

#: the largest figure (inches at dpi 100) draw() makes: 9 in = 900 px fits the notebook column
MAX_WIDTH, MAX_HEIGHT = 9.0, 9.0

FILL = {"input": "#dbeaf7", "const": "#eeeeee", "op": "#fdebd0", "output": "#d5f0e3"}


def _kind(node: Value, output: Value) -> str:
    if node is output:
        return "output"
    if node._prev:
        return "op"
    return "const" if node.op == "const" else "input"


def _fmt(x, fmt: str) -> str:
    if isinstance(x, np.ndarray):
        return f"array{x.shape}"
    return format(float(x) + 0.0, fmt)   # + 0.0 turns −0 into 0


def node_label(node: Value, show_grad: bool = True, fmt: str = ".3g", grad=None) -> str:
    """Box text: op (or name), forward value, and gradient (``grad`` overrides ``node.grad``).

    ``grad="?"`` shows a gradient that is not computed yet.
    """
    if node._prev:
        title = f"{node.op} {node.name}".strip()
    elif node.op == "const":
        title = "const"
    else:
        title = node.name or "input"
    lines = [title, f"= {_fmt(node.data, fmt)}"]
    if show_grad:
        g = node.grad if grad is None else grad
        lines.append("∂ ?" if isinstance(g, str) else f"∂ {_fmt(g, fmt)}")
    return "\n".join(lines)


def _layers(order: list[Value], inputs_left: bool) -> tuple[dict[Value, int], dict[Value, list[Value]]]:
    """Longest-path layer of every node, and every node's users (children)."""
    layer: dict[Value, int] = {}
    for n in order:
        layer[n] = 1 + max((layer[p] for p in n._prev), default=-1)
    children: dict[Value, list[Value]] = {n: [] for n in order}
    for n in order:
        for p in n._prev:
            children[p].append(n)
    if not inputs_left:
        for n in order:
            if not n._prev and children[n]:
                layer[n] = min(layer[c] for c in children[n]) - 1
    return layer, children


def _crossings(edges, layer, height) -> int:
    """Pairs of edges that cross (edges sharing a node never count)."""
    segs = [((layer[p], height[p]), (layer[c], height[c])) for p, c in edges]
    count = 0
    for i, ((ax0, ay0), (ax1, ay1)) in enumerate(segs):
        for (bx0, by0), (bx1, by1) in segs[i + 1:]:
            lo, hi = max(ax0, bx0), min(ax1, bx1)
            if hi <= lo:
                continue
            da = [ay0 + (ay1 - ay0) * (t - ax0) / (ax1 - ax0) for t in (lo, hi)]
            db = [by0 + (by1 - by0) * (t - bx0) / (bx1 - bx0) for t in (lo, hi)]
            count += (da[0] - db[0]) * (da[1] - db[1]) < 0
    return count


def _reorder(col: list[Value], neighbours, height: dict) -> None:
    """Sort one layer by the mean height of each node's neighbours (barycentre), re-centre it."""
    def key(n):
        hs = [height[m] for m in neighbours(n)]
        return np.mean(hs) if hs else height[n]
    col.sort(key=key)
    for i, n in enumerate(col):
        height[n] = i - (len(col) - 1) / 2


def layout(output: Value, inputs_left: bool = True, sweeps: int = 8) -> dict[Value, tuple[float, float]]:
    """Positions (layer, height) of every node: longest-path layers, barycentre order.

    inputs_left : put every leaf in layer 0 (True) or just left of its first user (False).
    """
    order = topological_order(output)
    layer, children = _layers(order, inputs_left)
    layers: list[list[Value]] = [[] for _ in range(max(layer.values()) + 1)]
    for n in order:                               # topological order as the first guess
        layers[layer[n]].append(n)
    height = {n: col.index(n) - (len(col) - 1) / 2 for col in layers for n in col}
    edges = [(p, n) for n in order for p in n._prev]
    best, best_height = _crossings(edges, layer, height), dict(height)
    for _ in range(sweeps):
        for col in layers[1:]:
            _reorder(col, lambda n: n._prev, height)
        for col in reversed(layers[:-1]):
            _reorder(col, lambda n: children[n], height)
        now = _crossings(edges, layer, height)
        if now < best:
            best, best_height = now, dict(height)
    return {n: (float(layer[n]), -best_height[n]) for n in order}


@dataclass
class GraphArtists:
    """What :func:`render` drew, so an explorer can update it in place."""
    ax: Axes
    output: Value
    pos: dict
    texts: dict = field(default_factory=dict)        # node -> Text (with its box)
    edges: list = field(default_factory=list)        # [(parent, child)] in LineCollection order
    edge_lines: LineCollection | None = None

    def segment(self, parent: Value, child: Value) -> list:
        return [self.pos[parent], self.pos[child]]


def render(output: Value, ax: Axes, *, show_grad: bool = True, fmt: str = ".3g",
           inputs_left: bool = True, fontsize: float | None = None) -> GraphArtists:
    """Draw the graph of ``output`` into ``ax`` and return its artists."""
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {type(output).__name__}")
    pos = layout(output, inputs_left=inputs_left)
    art = GraphArtists(ax=ax, output=output, pos=pos)
    for child in pos:
        for parent in child._prev:
            art.edges.append((parent, child))
    art.edge_lines = LineCollection([art.segment(p, c) for p, c in art.edges], colors="#888888",
                                    linewidths=1.0, zorder=1)
    ax.add_collection(art.edge_lines)
    n_nodes = len(pos)
    size = fontsize or (8 if n_nodes <= 30 else 6.5) * current().font / 10   # classroom style: larger
    for node, (x, y) in pos.items():
        kind = _kind(node, output)
        art.texts[node] = ax.text(
            x, y, node_label(node, show_grad, fmt), ha="center", va="center", fontsize=size,
            family="monospace", zorder=3,
            bbox=dict(boxstyle="round,pad=0.3", facecolor=FILL[kind], edgecolor="#555555", linewidth=0.8))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_axis_off()
    return art


def draw(output: Value, ax: Axes | None = None, *, show_grad: bool | None = None, fmt: str = ".3g",
         inputs_left: bool = True, title: str | None = None) -> Axes:
    """Draw the compute graph of ``output``: inputs left, output right, layers in between.

    Each node shows its operation (or name), its forward value and, when
    ``show_grad`` (default: whenever a gradient is non-zero, i.e. after
    ``backward()``), its gradient ∂(output)/∂(node). Returns the Axes; when ``ax``
    is None a new Figure sized to the graph is made (not registered with pyplot,
    so nothing leaks; in a notebook show it with ``draw(L).figure``).
    """
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {type(output).__name__}")
    if show_grad is None:
        show_grad = bool(np.any(output.grad != 0))
    if ax is None:
        pos = layout(output, inputs_left=inputs_left)
        n_layers = int(max(p[0] for p in pos.values())) + 1
        per_layer = np.bincount([int(p[0]) for p in pos.values()])
        k = current().size
        fig = Figure(figsize=(k * min(1.5 * n_layers + 0.5, MAX_WIDTH),
                              k * min(0.62 * per_layer.max() + 0.8, MAX_HEIGHT)),
                     layout="constrained")   # not registered with pyplot: show it with ``ax.figure``
        ax = fig.add_subplot()
    with context():
        render(output, ax, show_grad=show_grad, fmt=fmt, inputs_left=inputs_left)
    ax.set_title(title if title is not None else
                 "forward values" + (" and gradients ∂ = ∂(output)/∂(node)" if show_grad else "")
                 + "   (data flows left → right)",
                 fontsize=9)
    return ax


#: the name exported from ``i2dl_helpers.plotting`` (``draw`` alone is too generic there)
draw_graph = draw
