"""The static 1D figures of notebook 02: regimes_plot titles are short, readable and do not overlap."""
from __future__ import annotations

import numpy as np
import pytest

from i2dl_helpers.objectives import get
from i2dl_helpers.plotting.basics import difference_error_plot, regimes_plot


def test_regimes_plot_titles_do_not_overlap_and_the_figure_fits():
    quad = get("quadratic", curvature=1.0)
    fig, trajs = regimes_plot(quad, lrs=[0.1, 1.6, 2.1], x0=2.5, steps=20,
                              titles=["too small", "overshooting", "too large"])
    assert fig.get_size_inches()[0] <= 9.0
    fig.canvas.draw()
    axes = fig.axes
    boxes = [ax.title.get_window_extent() for ax in axes]
    for left, right in zip(boxes, boxes[1:]):
        assert left.x1 < right.x0, "neighbouring titles must not overlap"
    for box in boxes:
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width
    titles = [ax.get_title() for ax in axes]
    assert titles[0].startswith("too small: α = 0.1\n")
    # what the titles say is what the runs did (closed form x_k = (1 − α)^k x0 on this quadratic)
    assert trajs[0].status == "max_steps" and np.isclose(trajs[0].points[-1, 0], 2.5 * 0.9 ** 20)
    assert titles[0].endswith(f"last x = {2.5 * 0.9 ** 20:.3g}")
    assert titles[2].endswith(f"last x = {2.5 * (1 - 2.1) ** 20:.3g}")
    assert all(ax.get_xlabel() == "x" for ax in axes) and axes[0].get_ylabel() == "L(x)"


def test_regimes_plot_reports_convergence_and_divergence():
    quad = get("quadratic", curvature=1.0)
    fig, trajs = regimes_plot(quad, lrs=[1.0, 3.0], x0=2.5, steps=200)
    one_step, diverged = (ax.get_title() for ax in fig.axes)
    assert trajs[0].points[1, 0] == 0.0                    # α = 1/λ lands on the minimum in one step
    assert trajs[1].status == "diverged"
    assert "diverged at step" in diverged
    assert "steps" in one_step


def test_difference_error_plot_still_labelled():
    ax = difference_error_plot(np.sin, np.cos, x=1.0)
    assert ax.get_xlabel() == "step h" and ax.get_ylabel() == "|error|"
