"""Notebook 02's explorer (GradientDescent1D): a minimum's star stays visible when the iterates gather
at that minimum (issue 22: it was hidden under the last-iterate square). Measured on the rendered
figure: the star's pixels with the moving artists drawn, against the star drawn alone."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from i2dl_helpers.plotting.style import PALETTE  # noqa: E402
from i2dl_helpers.widgets import GradientDescent1D  # noqa: E402


def _star_pixels(fig) -> int:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3].astype(int)
    green = np.array(to_rgb(PALETTE["green"])) * 255
    return int(np.sum(np.all(np.abs(rgb - green) < 40, axis=-1)))


@pytest.mark.parametrize("objective, lr, x0", [("quadratic", 0.5, 2.5),    # notebook 02, cell 31's final state
                                               ("double_well", 0.05, -1.5),
                                               ("double_well", 0.05, 2.2)])
def test_the_minimum_star_is_not_hidden_by_the_iterates(objective, lr, x0):
    gd = GradientDescent1D(objective, lr=lr, x0=x0, steps=200, renderer="image")
    assert gd.trajectory.status == "converged"
    shown = _star_pixels(gd.figure)
    moving = [a for a in gd.ax.get_children() if a.get_gid() in ("path", "start", "end")]
    assert len(moving) == 3
    for artist in moving:
        artist.set_visible(False)
    alone = _star_pixels(gd.figure)
    assert alone > 50, "the stars are drawn"
    assert shown >= 0.9 * alone, f"the iterates cover the minimum's star: {shown} of {alone} pixels visible"
