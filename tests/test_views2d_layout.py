"""Notebook 04's three views of a run (issue 22): the figure fits the notebook column, and the surface's
z-axis (values up to thousands on Rosenbrock) neither crowds its own label nor the next panel."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from i2dl_helpers import GD, objectives, run  # noqa: E402
from i2dl_helpers.plotting import views2d  # noqa: E402


@pytest.mark.parametrize("name, lr, start, steps", [("rosenbrock", 1e-3, [0.5, 2.5], 5000),
                                                    ("himmelblau", 0.01, [0.0, 0.0], 200)])
def test_three_views_fit_the_column_and_the_3d_labels_keep_apart(name, lr, start, steps):
    obj = objectives.get(name)
    fig = views2d.three_views(obj, run(obj, GD(lr), start, steps=steps))
    assert fig.get_size_inches()[0] <= 10.0   # 1000 px at 100 dpi: shown at its size in the column
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    contour, surface, loss = fig.axes
    lo, hi = sorted(surface.get_zlim())
    z_ticks = [tick.label1 for tick in surface.zaxis.get_major_ticks()          # the ticks drawn: in the limits
               if tick.label1.get_visible() and tick.label1.get_text() and lo <= tick.get_loc() <= hi]
    assert len(z_ticks) >= 2
    z_label = surface.zaxis.label.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in z_ticks]
    assert not any(z_label.overlaps(b) for b in boxes), "the z label sits on its tick labels"
    assert z_label.x0 - max(b.x1 for b in boxes) >= 5.5, "the z label is cramped against its tick labels"
    rows = sorted(boxes, key=lambda b: b.y0)
    assert all(b.y0 - a.y1 >= 7 for a, b in zip(rows, rows[1:])), "the z tick labels are cramped"
    neighbour = [loss.yaxis.label.get_window_extent(renderer)] + [
        t.get_window_extent(renderer) for t in loss.yaxis.get_ticklabels() if t.get_visible() and t.get_text()]
    for box in boxes + [z_label]:
        assert not any(box.overlaps(n) for n in neighbour), "the z-axis runs into the loss panel's labels"
        assert box.x1 <= loss.get_window_extent(renderer).x0, "the z-axis reaches into the loss panel"
    assert min(n.x0 for n in neighbour) - max(b.x1 for b in boxes + [z_label]) >= 12, \
        "the z-axis is cramped against the loss panel's labels"
    plt.close(fig)
