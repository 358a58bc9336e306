"""Draw a compute graph of :class:`~i2dl_helpers.graph.Value` nodes with matplotlib alone.

Inputs on the left, the output on the right. Nodes are grouped into layers by
the longest path from an input (layer(n) = 1 + max over parents); an edge that
skips layers bends through a waypoint in each layer it crosses (a slot that
holds no box), so every piece of an edge joins two neighbouring layers. The
order inside a layer comes from a few barycentre sweeps (edges cross rarely),
and the heights make the edges as level as the spacing allows. Each piece runs
straight from centre to centre unless that would pass behind a box it does
not connect to (the boxes are measured as the figure will draw them); then it
leaves its layer level, inside its own row, and turns between the layers,
where no box stands. Every box shows the operation (or the input's name), the
forward value and, once ``backward()`` has run, the gradient ∂L/∂node.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..graph import Value, topological_order
from .style import context, current

__all__ = ["draw", "draw_graph", "render", "layout", "node_label", "GraphArtists", "MAX_WIDTH"]

#: the largest figure (inches at dpi 100) draw() makes: 9 in = 900 px fits the notebook column
MAX_WIDTH, MAX_HEIGHT = 9.0, 9.0
#: inches between the centres of two neighbouring boxes of one layer (draw(), screen style)
ROW_PITCH = 0.62
#: a box's frame: ``round`` with this padding (in units of the font size) and edge width (points)
BOX_PAD, BOX_EDGE = 0.3, 0.8
#: free space kept between an edge and a box it does not connect to (pixels at the figure's dpi)
CLEARANCE_PX = 3.0
#: the margins of the axes around the outermost boxes (data units: layers, rows)
X_MARGIN, Y_MARGIN = 0.6, 0.8

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


class _Waypoint:
    """Where an edge that skips layers crosses one of them (no box; hashable by identity)."""
    __slots__ = ("edge",)

    def __init__(self, edge):
        self.edge = edge


@dataclass
class _Plan:
    """Everything render() needs: the layer of every item (node or waypoint), the items of each
    layer in order, the links between neighbouring layers, and each edge as its chain of items."""
    layer: dict
    columns: list
    links: list                                   # (left item, right item), neighbouring layers
    chains: dict                                  # (parent, child) -> [parent, waypoints…, child]
    height: dict = field(default_factory=dict)    # item -> height (rows, up is positive)


def _plan(output: Value, inputs_left: bool) -> _Plan:
    order = topological_order(output)
    layer, _ = _layers(order, inputs_left)
    columns: list[list] = [[] for _ in range(max(layer.values()) + 1)]
    for n in order:                               # topological order as the first guess
        columns[layer[n]].append(n)
    links, chains = [], {}
    for child in order:
        for parent in dict.fromkeys(child._prev):  # a·a: one edge
            chain = [parent]
            for k in range(layer[parent] + 1, layer[child]):
                w = _Waypoint((parent, child))
                layer[w] = k
                columns[k].append(w)
                chain.append(w)
            chain.append(child)
            chains[(parent, child)] = chain
            links += list(zip(chain[:-1], chain[1:]))
    return _Plan(layer, columns, links, chains)


def _crossings(plan: _Plan, index: dict) -> int:
    """Pairs of links between the same two layers that cross (links sharing an end never count)."""
    by_gap: dict[int, list] = {}
    for a, b in plan.links:
        by_gap.setdefault(plan.layer[a], []).append((index[a], index[b]))
    count = 0
    for pairs in by_gap.values():
        p = np.array(pairs, dtype=float)
        da = p[:, None, 0] - p[None, :, 0]
        db = p[:, None, 1] - p[None, :, 1]
        count += int(np.sum(da * db < 0)) // 2
    return count


def _order(plan: _Plan, sweeps: int) -> None:
    """Barycentre sweeps (right, then left) over the layers; keeps the order with fewest crossings."""
    left = {item: [] for col in plan.columns for item in col}
    right = {item: [] for col in plan.columns for item in col}
    for a, b in plan.links:
        right[a].append(b)
        left[b].append(a)

    def index():
        return {item: i for col in plan.columns for i, item in enumerate(col)}

    def sort(col, neighbours, idx):
        def key(item):
            near = [idx[m] for m in neighbours[item]]
            return np.mean(near) if near else idx[item]
        col.sort(key=key)
        idx.update({item: i for i, item in enumerate(col)})

    idx = index()
    best, best_columns = _crossings(plan, idx), [list(c) for c in plan.columns]
    for _ in range(sweeps):
        for col in plan.columns[1:]:
            sort(col, left, idx)
        for col in reversed(plan.columns[:-1]):
            sort(col, right, idx)
        now = _crossings(plan, idx)
        if now < best:
            best, best_columns = now, [list(c) for c in plan.columns]
    plan.columns[:] = best_columns


def _isotonic(targets: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The non-decreasing sequence closest to ``targets`` in weighted least squares (pool adjacent
    violators)."""
    blocks: list[list[float]] = []                # [mean, weight, length]
    for t, w in zip(targets, weights):
        blocks.append([float(t), float(w), 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, n2 = blocks.pop()
            m1, w1, n1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return np.concatenate([np.full(n, m) for m, _, n in blocks])


def _link_arrays(plan: _Plan, ids: dict):
    """Both directions of every link (item i pulled towards item j) and their weights: links through
    waypoints weigh more, so long edges run straight."""
    ends = np.array([(ids[a], ids[b]) for a, b in plan.links], dtype=int).reshape(-1, 2)
    weight = np.array([2.0 if isinstance(a, _Waypoint) or isinstance(b, _Waypoint) else 1.0
                       for a, b in plan.links])
    return (np.concatenate([ends[:, 0], ends[:, 1]]), np.concatenate([ends[:, 1], ends[:, 0]]),
            np.concatenate([weight, weight]))


def _layer_spans(plan: _Plan, ids: dict, gaps: dict, total: np.ndarray) -> list:
    """Per layer: its item ids, each item's offset below the first (the gaps summed) and its weight."""
    spans = []
    for col in plan.columns:
        idx = np.array([ids[it] for it in col], dtype=int)
        offset = np.concatenate([[0.0], np.cumsum([gaps[(col[i + 1], col[i])] for i in range(len(col) - 1)])])
        spans.append((idx, offset, np.where(total[idx] > 0, total[idx], 1.0)))
    return spans


def _heights(plan: _Plan, gaps: dict, sweeps: int = 40) -> None:
    """Heights that make the links as level as possible: each layer in turn moves towards the mean
    height of its items' neighbours, then is spread so that consecutive items keep their gap
    (``gaps[(lower item, upper item)]``, rows). Links through waypoints weigh more, so long edges run
    straight."""
    items = [it for col in plan.columns for it in col]
    ids = {it: i for i, it in enumerate(items)}
    src, dst, w2 = _link_arrays(plan, ids)
    total = np.bincount(src, w2, minlength=len(items))
    safe_total = np.where(total > 0, total, 1.0)

    def wanted(h):
        pull = np.bincount(src, w2 * h[dst], minlength=len(items))
        return np.where(total > 0, pull / safe_total, h)

    h = np.array([(len(col) - 1) / 2 - i for col in plan.columns for i in range(len(col))])  # centred
    spans = _layer_spans(plan, ids, gaps, total)
    for sweep in range(sweeps):
        want = wanted(h)
        for idx, offset, wts in (spans if sweep % 2 == 0 else spans[::-1]):
            # each layer is ordered top to bottom: with z = −h, z_i − offset_i must not decrease
            h[idx] = -(_isotonic(-want[idx] - offset, wts) + offset)
            want = wanted(h)
    h -= (h.min() + h.max()) / 2
    plan.height.clear()
    plan.height.update({it: float(v) for it, v in zip(items, h)})


def _segment_hits_box(p0, p1, box) -> bool:
    """Whether the segment p0–p1 meets the rectangle box = (x0, y0, x1, y1) (Liang–Barsky)."""
    (x0, y0), (x1, y1) = p0, p1
    t0, t1 = 0.0, 1.0
    dx, dy = x1 - x0, y1 - y0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _gaps(plan: _Plan) -> dict:
    """The least distance (rows) between neighbours of a layer: a row between two boxes or a box and a
    waypoint, half a row between two waypoints."""
    return {(col[i + 1], col[i]): 0.5 if isinstance(col[i], _Waypoint) and isinstance(col[i + 1], _Waypoint)
            else 1.0 for col in plan.columns for i in range(len(col) - 1)}


def _route(plan: _Plan, half: dict, x_scale: float, y_scale: float) -> dict:
    """How each link runs, as its points in (layer, height): straight from centre to centre where that
    passes no box it does not connect to; otherwise it first runs level out of its end's layer (past
    the widest box there, inside its own row, which holds no other box) and crosses between the layers
    where no box stands. ``half``: node -> (half width, half height) in pixels; ``x_scale``/``y_scale``:
    pixels per layer / row."""
    reach = [max((half[it][0] + CLEARANCE_PX for it in col if it in half), default=0.0) / x_scale
             for col in plan.columns]                     # the band of each layer, in layers

    def blocked(points, a, b) -> bool:
        px = [(x * x_scale, y * y_scale) for x, y in points]
        for col in {plan.layer[a], plan.layer[b]}:
            for item in plan.columns[col]:
                if item is a or item is b or item not in half:
                    continue
                hw, hh = half[item]
                cx, cy = col * x_scale, plan.height[item] * y_scale
                box = (cx - hw - CLEARANCE_PX, cy - hh - CLEARANCE_PX, cx + hw + CLEARANCE_PX,
                       cy + hh + CLEARANCE_PX)
                if any(_segment_hits_box(p, q, box) for p, q in zip(px[:-1], px[1:])):
                    return True
        return False

    routes = {}
    for a, b in plan.links:
        (xa, ya), (xb, yb) = (plan.layer[a], plan.height[a]), (plan.layer[b], plan.height[b])
        out_a, in_b = (xa + reach[xa], ya), (xb - reach[xb], yb)
        for points in ([(xa, ya), (xb, yb)], [(xa, ya), out_a, (xb, yb)], [(xa, ya), in_b, (xb, yb)],
                       [(xa, ya), out_a, in_b, (xb, yb)]):
            if not blocked(points, a, b):
                break
        routes[(a, b)] = points
    return routes


def layout(output: Value, inputs_left: bool = True, sweeps: int = 8) -> dict[Value, tuple[float, float]]:
    """Positions (layer, height) of every node: longest-path layers, barycentre order, level edges.

    inputs_left : put every leaf in layer 0 (True) or just left of its first user (False).
    (Without the boxes' sizes: :func:`render` also keeps the edges clear of the boxes.)
    """
    plan = _plan(output, inputs_left)
    _order(plan, sweeps)
    _heights(plan, _gaps(plan))
    return {n: (float(plan.layer[n]), float(plan.height[n])) for n in plan.layer if isinstance(n, Value)}


@dataclass
class GraphArtists:
    """What :func:`render` drew, so an explorer can update it in place."""
    ax: Axes
    output: Value
    pos: dict
    texts: dict = field(default_factory=dict)        # node -> Text (with its box)
    edges: list = field(default_factory=list)        # [(parent, child)] in LineCollection order
    edge_lines: LineCollection | None = None
    paths: dict = field(default_factory=dict)        # (parent, child) -> [(x, y), …] through waypoints
    halves: dict = field(default_factory=dict)       # node -> (half width, half height) of its box, pixels

    def segment(self, parent: Value, child: Value) -> list:
        """The drawn edge from ``parent`` to ``child`` as it runs between the two boxes: from the border
        of the parent's box through the waypoints of the layers it crosses to the border of the child's
        (two points between neighbouring layers), in data coordinates for the axes as they are laid out
        now. Drawn over the boxes, it covers none of their text."""
        to_px = self.ax.transData
        points = list(to_px.transform(np.asarray(self.paths[(parent, child)], dtype=float)))
        points[0] = _leave_box(points[0], points[1], self.halves.get(parent, (0.0, 0.0)))
        points[-1] = _leave_box(points[-1], points[-2], self.halves.get(child, (0.0, 0.0)))
        return [tuple(map(float, p)) for p in to_px.inverted().transform(np.array(points))]


def _leave_box(centre: np.ndarray, toward: np.ndarray, half) -> np.ndarray:
    """Where the line from a box's ``centre`` towards ``toward`` leaves the box (``half`` = its half
    width and half height), or ``toward`` itself if that lies inside the box."""
    step = toward - centre
    t = min((h / abs(d) for h, d in zip(half, step) if d != 0), default=1.0)
    return centre + min(t, 1.0) * step


def _box_halves(texts: dict, fig: Figure) -> dict:
    """node -> (half width, half height) of its framed box, in pixels at the figure's dpi."""
    renderer = RendererAgg(max(int(fig.bbox.width), 1), max(int(fig.bbox.height), 1), fig.dpi)
    halves = {}
    for node, text in texts.items():
        ext = text.get_window_extent(renderer=renderer)
        frame = (BOX_PAD * text.get_fontsize() + BOX_EDGE / 2) * fig.dpi / 72
        halves[node] = (ext.width / 2 + frame, ext.height / 2 + frame)
    return halves


def _render(output: Value, ax: Axes, *, show_grad: bool, fmt: str, inputs_left: bool, fontsize: float | None,
            axes_px, row_px=None) -> GraphArtists:
    """:func:`render`, for axes of ``axes_px`` = (width, height) pixels, or of that width and a height
    to be chosen with ``row_px(span)`` pixels per row."""
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {type(output).__name__}")
    plan = _plan(output, inputs_left)
    _order(plan, sweeps=8)
    nodes = [n for n in plan.layer if isinstance(n, Value)]
    size = fontsize or (8 if len(nodes) <= 30 else 6.5) * current().font / 10   # classroom style: larger
    texts = {}
    for node in nodes:
        texts[node] = ax.text(
            0.0, 0.0, node_label(node, show_grad, fmt), ha="center", va="center", fontsize=size,
            family="monospace", zorder=3,
            bbox=dict(boxstyle=f"round,pad={BOX_PAD}", facecolor=FILL[_kind(node, output)], edgecolor="#555555",
                      linewidth=BOX_EDGE))
    n_layers = len(plan.columns)
    width_px, height_px = axes_px
    x_scale = width_px / (n_layers - 1 + 2 * X_MARGIN)
    if row_px is None:
        row_px = lambda span: height_px / (span + 2 * Y_MARGIN)   # noqa: E731
    halves = _box_halves(texts, ax.figure)
    _heights(plan, _gaps(plan))
    y_scale = row_px(max(plan.height.values()) - min(plan.height.values()))
    routes = _route(plan, halves, x_scale, y_scale)
    pos = {n: (float(plan.layer[n]), float(plan.height[n])) for n in nodes}
    art = GraphArtists(ax=ax, output=output, pos=pos, texts=texts, halves=halves)
    for (parent, child), chain in plan.chains.items():
        art.edges.append((parent, child))
        path = [routes[(chain[0], chain[1])][0]]
        for link in zip(chain[:-1], chain[1:]):
            path += routes[link][1:]
        art.paths[(parent, child)] = [(float(x), float(y)) for x, y in path]
    art.edge_lines = LineCollection([art.paths[e] for e in art.edges], colors="#888888", linewidths=1.0,
                                    zorder=1)
    ax.add_collection(art.edge_lines)
    for node, text in texts.items():
        text.set_position(pos[node])
    heights = list(plan.height.values())
    ax.set_xlim(-X_MARGIN, n_layers - 1 + X_MARGIN)
    ax.set_ylim(min(heights) - Y_MARGIN, max(heights) + Y_MARGIN)
    ax.set_axis_off()
    return art


def render(output: Value, ax: Axes, *, show_grad: bool = True, fmt: str = ".3g",
           inputs_left: bool = True, fontsize: float | None = None) -> GraphArtists:
    """Draw the graph of ``output`` into ``ax`` and return its artists.

    The edges keep clear of the boxes they do not connect to for the size ``ax`` has now (or larger:
    a layout engine that later grows the axes keeps them clear)."""
    fig = ax.figure
    box = ax.get_position()
    axes_px = (box.width * fig.bbox.width, box.height * fig.bbox.height)
    return _render(output, ax, show_grad=show_grad, fmt=fmt, inputs_left=inputs_left, fontsize=fontsize,
                   axes_px=axes_px)


#: the strip above the drawing that holds the title (inches, screen style)
TITLE_HEIGHT = 0.35


def draw(output: Value, ax: Axes | None = None, *, show_grad: bool | None = None, fmt: str = ".3g",
         inputs_left: bool = True, title: str | None = None) -> Axes:
    """Draw the compute graph of ``output``: inputs left, output right, layers in between.

    Each node shows its operation (or name), its forward value and, when
    ``show_grad`` (default: whenever a gradient is non-zero, i.e. after
    ``backward()``), its gradient ∂(output)/∂(node). Returns the Axes; when ``ax``
    is None a new Figure sized to the graph is made (at most MAX_WIDTH × MAX_HEIGHT
    inches; not registered with pyplot, so nothing leaks; in a notebook show it with
    ``draw(L).figure``).
    """
    if not isinstance(output, Value):
        raise TypeError(f"output must be a Value, got {type(output).__name__}")
    if show_grad is None:
        show_grad = bool(np.any(output.grad != 0))
    with context():
        if ax is None:
            k = current().size
            n_layers = int(max(p[0] for p in layout(output, inputs_left=inputs_left).values())) + 1
            width = k * min(1.5 * n_layers + 0.5, MAX_WIDTH)
            fig = Figure(figsize=(width, k * MAX_HEIGHT))   # the height is set below, from the drawing
            ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
            dpi, title_in, most = fig.dpi, k * TITLE_HEIGHT, k * MAX_HEIGHT

            def row_px(span):
                return dpi * min(k * ROW_PITCH, (most - title_in) / (span + 2 * Y_MARGIN))

            art = _render(output, ax, show_grad=show_grad, fmt=fmt, inputs_left=inputs_left, fontsize=None,
                          axes_px=(width * dpi, None), row_px=row_px)
            lo, hi = ax.get_ylim()
            drawing_in = row_px(hi - lo - 2 * Y_MARGIN) * (hi - lo) / dpi
            fig.set_size_inches(width, drawing_in + title_in)
            ax.set_position((0.0, 0.0, 1.0, drawing_in / (drawing_in + title_in)))
        else:
            render(output, ax, show_grad=show_grad, fmt=fmt, inputs_left=inputs_left)
    ax.set_title(title if title is not None else
                 "forward values" + (" and gradients ∂ = ∂(output)/∂(node)" if show_grad else "")
                 + "   (data flows left → right)",
                 fontsize=9)
    return ax


#: the name exported from ``i2dl_helpers.plotting`` (``draw`` alone is too generic there)
draw_graph = draw
