"""NetworkShape: a fully connected network drawn from its width and depth, with its parameter count.

Slides 3–4: a network is layers; *width* is the number of units in a hidden
layer, *depth* the number of hidden layers. Every edge is one weight and every
non-input unit has one bias, so a layer of n_{l+1} units fed by n_l units holds
n_l · n_{l+1} + n_{l+1} parameters, and the network Σ_l (n_l + 1) n_{l+1}.
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from .._validate import check_int
from ..plotting.style import PALETTE
from .base import Control, Explorer

__all__ = ["NetworkShape", "layer_sizes", "count_params"]

#: the sliders' ranges (the constructor refuses values outside them)
WIDTH_RANGE = (1, 12)
DEPTH_RANGE = (1, 6)


def layer_sizes(n_in: int, width: int, depth: int, n_out: int) -> list[int]:
    """[n_in, width, …, width (depth times), n_out]."""
    return [n_in, *([width] * depth), n_out]


def count_params(sizes) -> int:
    """Σ_l (n_l + 1) · n_{l+1}: weights W_l of shape (n_l, n_{l+1}) plus biases b_l of shape (n_{l+1},)."""
    sizes = [int(s) for s in sizes]
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def node_positions(sizes) -> list[np.ndarray]:
    """(n_l, 2) coordinates in the unit square: layers left to right, units centred in each column."""
    sizes = list(sizes)
    xs = np.linspace(0.0, 1.0, len(sizes))
    gap = 1.0 / (max(sizes) + 1)
    return [np.column_stack([np.full(n, x), 0.5 + gap * (np.arange(n) - (n - 1) / 2)]) for x, n in zip(xs, sizes)]


class NetworkShape(Explorer):
    """A drawn fully connected network whose width and depth follow two sliders.

    controls : "width" (units per hidden layer, 1–12) and "depth" (hidden layers, 1–6).
    n_in, n_out : the sizes of the input and output layers (fixed).
    ``.n_params`` is the number of weights and biases; the status line shows the sum layer by layer.
    Raises ValueError for a width or depth outside the sliders' ranges.
    """

    ALT_SUBJECT = "A drawn fully connected network: its layers and the connections between them"

    figsize = (7.5, 3.6)
    AHEAD = "width"  # every width's frame is drawn ahead (for the depth shown) (Explorer.draw_ahead)
    CONTROLS = (
        Control("width", "width (units per hidden layer)", "int", *WIDTH_RANGE),
        Control("depth", "depth (hidden layers)", "int", *DEPTH_RANGE),
    )

    def __init__(self, width: int = 4, depth: int = 3, *, n_in: int = 3, n_out: int = 2, renderer: str = "auto"):
        self._declare(width=width, depth=depth)
        self.n_in = check_int("n_in", n_in, low=1, high=WIDTH_RANGE[1])
        self.n_out = check_int("n_out", n_out, low=1, high=WIDTH_RANGE[1])
        super().__init__(renderer=renderer)

    def _build(self, fig):
        ax = self.ax = fig.subplots()
        ax.set_xlim(-0.08, 1.08)
        ax.set_ylim(-0.12, 1.02)
        ax.set_axis_off()
        self._edges = self.animate(LineCollection([], colors="#8c8c8c", linewidths=0.6, alpha=0.7))
        ax.add_collection(self._edges)
        self._units = {kind: self.animate(ax.plot([], [], "o", color=PALETTE[colour], mec="black", mew=0.8,
                                                  ms=9, zorder=3)[0])
                       for kind, colour in (("input", "blue"), ("hidden", "orange"), ("output", "green"))}
        self._labels = [self.animate(ax.text(0, -0.07, "", ha="center", va="top", fontsize="small"))
                        for _ in range(DEPTH_RANGE[1] + 2)]
        ax.set_title("every edge is a weight; every unit after the input layer has a bias", fontsize="medium")

    def _update(self, changed):
        width, depth = int(self.controls["width"].value), int(self.controls["depth"].value)
        sizes = layer_sizes(self.n_in, width, depth, self.n_out)
        pos = node_positions(sizes)
        segments = [np.stack([a, b]) for left, right in zip(pos[:-1], pos[1:]) for a in left for b in right]
        self._edges.set_segments(segments)
        self._units["input"].set_data(pos[0][:, 0], pos[0][:, 1])
        hidden = np.concatenate(pos[1:-1])
        self._units["hidden"].set_data(hidden[:, 0], hidden[:, 1])
        self._units["output"].set_data(pos[-1][:, 0], pos[-1][:, 1])
        ms = 9 if max(sizes) <= 8 else 6
        for line in self._units.values():
            line.set_markersize(ms)
        names = ["input", *(f"hidden {k}" for k in range(1, depth + 1)), "output"]
        for label, name, p, n in zip(self._labels, names, pos, sizes):
            label.set_position((p[0, 0], -0.02))
            label.set_text(f"{name}\n{n} unit{'s' if n > 1 else ''}")
        for label in self._labels[len(names):]:
            label.set_text("")
        self.sizes, self.n_params = sizes, count_params(sizes)
        terms = " + ".join(f"({a}+1)·{b}" for a, b in zip(sizes[:-1], sizes[1:]))
        self.set_status(f"{self.n_params} parameters = {terms}   (weights + biases, layer by layer)", "info")
        return False
