"""The figure lint (tests/figure_lint.py) catches each problem it is for, and passes the fixed figure."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parent))
import figure_lint  # noqa: E402

sys.path.pop(0)


def _kinds(findings):
    return sorted({f.kind for f in findings})


def _plain(width=6.4, **kw):
    fig = Figure(figsize=(width, 3.6), dpi=100, layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1, 2], [0, 1, 4], label="loss")
    ax.set(xlabel="step", ylabel="L", **kw)
    return fig, ax


def test_a_plain_figure_passes():
    fig, ax = _plain()
    ax.legend()
    assert figure_lint.lint_figure(fig) == []


def test_small_legend_text_is_caught_and_named():
    fig, ax = _plain()
    ax.legend(fontsize=6)
    findings = figure_lint.lint_figure(fig)
    assert _kinds(findings) == ["text"]
    assert "legend 6 pt < 8 pt" in findings[0].detail and "'loss'" in findings[0].detail


def test_small_tick_labels_are_caught():
    fig, ax = _plain()
    ax.tick_params(labelsize=7)
    (finding,) = figure_lint.lint_figure(fig)
    assert finding.kind == "text" and finding.detail.startswith("tick label 7 pt")


def test_text_legible_at_its_size_is_too_small_when_the_figure_is_shrunk_to_the_column():
    """9 pt in a 14-in figure (1400 px) is shown at 1000/1400: 6.4 pt. The same text in a 9-in figure passes."""
    wide, ax = _plain(width=14.0)
    ax.tick_params(labelsize=9)
    found = figure_lint.lint_figure(wide)
    assert any(f.kind == "text" and "shown as" in f.detail and "tick label 9 pt" in f.detail for f in found)
    assert "shown at 1000 px" in found[0].figure
    narrow, ax = _plain(width=9.0)
    ax.tick_params(labelsize=9)
    assert figure_lint.lint_figure(narrow) == []
    # the column width is a parameter: at 1600 px the wide figure is not shrunk
    assert not [f for f in figure_lint.lint_figure(wide, column_px=1600) if f.kind == "text"]


def test_a_higher_dpi_makes_the_same_points_larger():
    """An explorer at zoom 1.6 renders at 160 dpi: 6 pt there is 9.6 pt of a 100-dpi figure."""
    fig = Figure(figsize=(5, 3), dpi=160, layout="constrained")
    ax = fig.subplots()
    ax.plot([1, 2], [1, 2])
    ax.tick_params(labelsize=6)
    assert figure_lint.lint_figure(fig, column_px=2000) == []


def test_a_star_hidden_under_a_bigger_square_is_caught():
    fig, ax = _plain()
    ax.plot([1.0], [1.0], "*", ms=10, color="gold", label="minimum")
    ax.plot([1.0, 2.0], [1.0, 4.0], "s", ms=14, color="C1", label="last iterate")
    (finding,) = figure_lint.lint_figure(fig)
    assert finding.kind == "marker"
    assert "'minimum'" in finding.detail and "'last iterate'" in finding.detail and "(1, 1)" in finding.detail


@pytest.mark.parametrize("fix", ["star on top", "hollow square", "small square", "apart"])
def test_markers_that_stay_visible_pass(fix):
    fig, ax = _plain()
    star = dict(ms=10, color="gold", zorder=3 if fix == "star on top" else None)
    ax.plot([1.0], [1.0], "*", **{k: v for k, v in star.items() if v is not None})
    square = dict(ms=6 if fix == "small square" else 14, color="C1")
    if fix == "hollow square":
        square["markerfacecolor"] = "none"
    ax.plot([1.3 if fix == "apart" else 1.0], [1.0], "s", **square)
    assert figure_lint.lint_figure(fig) == []


def test_the_iterates_of_a_path_under_its_start_and_end_markers_pass():
    fig, ax = _plain()
    xs = np.array([2.0, 1.0, 0.5, 0.25, 0.125])
    ax.plot(xs, xs ** 2, "-o", ms=4, label="iterates")
    ax.plot(xs[:1], xs[:1] ** 2, "o", ms=9, label="start")
    ax.plot(xs[-1:], xs[-1:] ** 2, "s", ms=9, label="last")
    assert figure_lint.lint_figure(fig) == []
    ax.plot([0.125], [0.125 ** 2], "*", ms=6, label="minimum")  # a point of its own, then hidden: caught
    ax.plot(xs[-1:], xs[-1:] ** 2, "s", ms=12, label="last")
    assert _kinds(figure_lint.lint_figure(fig)) == ["marker"]


def test_a_scatter_point_hidden_under_a_bigger_scatter_point_is_caught():
    fig, ax = _plain()
    ax.scatter([0.5], [2.0], s=30, marker="o", color="C2", zorder=2)
    ax.scatter([0.5], [2.0], s=200, marker="o", color="C3", zorder=3)
    assert _kinds(figure_lint.lint_figure(fig)) == ["marker"]


def test_a_few_points_of_a_cloud_under_its_mean_marker_pass():
    fig, ax = _plain()
    rng = np.random.default_rng(0)
    cloud = rng.normal(size=(300, 2))
    ax.scatter(cloud[:, 0], cloud[:, 1], s=4, label="samples")
    ax.plot([0.0], [0.0], "o", ms=12, label="mean")
    assert figure_lint.lint_figure(fig) == []
    ax.scatter([2.0, 2.05], [3.0, 3.0], s=9, marker="*", label="minima")
    ax.plot([2.02], [3.0], "s", ms=16, label="last iterate")  # hides both minima
    (finding,) = figure_lint.lint_figure(fig)
    assert finding.kind == "marker" and "2 of 2 markers of 'minima'" in finding.detail


def test_an_explorers_moving_marker_is_painted_over_its_background():
    """Animated artists are drawn after the background whatever their zorder: the star below is hidden."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig, ax = _plain()
    ax.plot([1.0], [1.0], "*", ms=9, zorder=10, label="minimum")
    ax.plot([1.0], [1.0], "s", ms=14, zorder=1, animated=True, label="last iterate")
    figure_lint._RECORDER.install()
    FigureCanvasAgg(fig).draw()
    found = figure_lint.lint(fig, 640, 100, {})
    assert [f.kind for f in found] == ["marker"] and "'minimum'" in found[0].detail


def test_a_log_axis_with_one_labelled_tick_is_caught():
    """Workers k = 1 … 64 on a log axis labelled by a formatter that writes only 10^1 (issue 22, 09 c25)."""
    from matplotlib.ticker import LogFormatterSciNotation, NullFormatter

    fig = Figure(figsize=(6, 3.5), dpi=100, layout="constrained")
    ax = fig.subplots()
    ax.loglog([2, 4, 8, 16, 32, 64], [1, 2, 3, 4, 5, 6], "o-")
    ax.set(xlabel="workers k", xlim=(1.5, 80))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(LogFormatterSciNotation())
    findings = [f for f in figure_lint.lint_figure(fig) if f.kind == "ticks"]
    assert len(findings) == 1 and findings[0].detail.startswith("x-axis of «workers k» (log")
    assert "1 labelled tick" in findings[0].detail
    ax.set_xticks([2, 4, 8, 16, 32, 64], labels=["2", "4", "8", "16", "32", "64"])
    assert [f for f in figure_lint.lint_figure(fig) if f.kind == "ticks"] == []


def test_axes_without_ticks_or_with_labels_off_are_not_checked():
    fig = Figure(figsize=(6, 3), dpi=100, layout="constrained")
    image = fig.subplots()
    image.imshow(np.arange(16.0).reshape(4, 4))
    image.set(xticks=[], yticks=[])
    assert figure_lint.lint_figure(fig) == []
    fig2 = Figure(figsize=(6, 4), dpi=100, layout="constrained")
    top, bottom = fig2.subplots(2, 1, sharex=True)
    top.plot([0, 1], [0, 1])
    bottom.plot([0, 1], [1, 0])
    top.tick_params(labelbottom=False)  # the shared x-axis is labelled once, below
    assert figure_lint.lint_figure(fig2) == []


def test_the_recorder_keeps_matplotlibs_rasterization_support():
    import warnings

    from matplotlib.figure import Figure as F
    from matplotlib.text import Text

    figure_lint._RECORDER.install()
    assert getattr(F.draw, "_supports_rasterization", False) and getattr(Text.draw, "_supports_rasterization", False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, ax = _plain()
        ax.set_title("t").set_rasterized(True)


def test_install_reports_per_execution_count(tmp_path):
    """In a shell, after each cell, every figure the cell drew is linted and written with the cell's count."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    class Events:
        def __init__(self):
            self.callbacks = []

        def register(self, name, fn):
            assert name == "post_run_cell"
            self.callbacks.append(fn)

    class Shell:
        events = Events()

    class Result:
        execution_count = 7

    out = tmp_path / "findings.jsonl"
    figure_lint.install(Shell, str(out))
    fig, ax = _plain()
    ax.legend(fontsize=5)
    FigureCanvasAgg(fig).draw()           # an explorer's view draws its figure without the inline backend
    Shell.events.callbacks[-1](Result)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["kind"], r["execution_count"]) for r in records] == [("text", 7)]
    fig.canvas.draw()                     # drawn again by a later cell: reported once
    Shell.events.callbacks[-1](Result)
    assert len(out.read_text().splitlines()) == 1
