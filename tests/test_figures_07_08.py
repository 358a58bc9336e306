"""The figures of notebooks 07 and 08 read at the notebook's column width (issue 22), and notebook 07 does
not state Exercise 3's answer before its check.

* every legend of the static figures is at least ``LEGEND_PT`` (9 pt; the notebook's body is about 10.5 pt);
* a log axis is labelled with plain numbers (0.3, 0.6, 1, 3 …), never "3×10⁻¹", and never mixes plain numbers
  with powers of ten;
* the stability diagram can leave the edge's formula off (``edge=False``), and notebook 07 does so, and says
  "2 + 2β" nowhere before the check of ``max_momentum_lr``.
"""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from i2dl_helpers.plotting.style import LEGEND_PT, plain_log_ticks, plain_number  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _legend_sizes(fig) -> list[float]:
    return [t.get_fontsize() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


def _tick_labels(ax, axis: str) -> list[str]:
    ax.figure.canvas.draw()
    a = getattr(ax, f"{axis}axis")
    return [t.get_text() for t in a.get_majorticklabels() + a.get_minorticklabels() if t.get_text()]


class _History:
    """The part of ``optim.training.History`` the figures read."""

    def __init__(self, values, seconds):
        self._values, self.seconds = np.asarray(values, dtype=float), list(seconds)
        self.optimizer, self.batch_size = "SGD", 64

    def curve(self, name):
        return np.arange(len(self._values)), self._values


def _histories():
    rng = np.random.default_rng(0)
    return {f"run {i}, α = {a}": _History(0.15 + 2.5 * np.exp(-np.arange(21) / (1 + i)) + 0.01 * rng.random(21),
                                          np.cumsum(np.full(20, 0.03 * (i + 1))))
            for i, a in enumerate((0.1, 0.3, 1.0))}


@pytest.mark.parametrize("x, text", [(0.3, "0.3"), (0.6000000000000001, "0.6"), (1.0, "1"), (3.0, "3"),
                                     (0.0001, "0.0001"), (20000.0, "20000"), (1e-5, "10⁻⁵"), (3e-6, "3×10⁻⁶"),
                                     (1e5, "10⁵")])
def test_plain_number(x, text):
    assert plain_number(x) == text


def test_compare_histories_legend_and_log_axis():
    from i2dl_helpers.plotting.training import compare_histories

    fig = compare_histories(_histories(), metric="val_loss", title="t")
    assert _legend_sizes(fig) and min(_legend_sizes(fig)) >= LEGEND_PT
    for ax in fig.axes:
        labels = _tick_labels(ax, "y")
        assert len(labels) >= 2 and not any("×" in s or "10⁻" in s or "$" in s for s in labels), labels
        assert {"0.3", "1"} <= set(labels), labels


def test_a_log_axis_over_many_decades_uses_powers_throughout():
    fig, ax = plt.subplots()
    ax.semilogy([0, 1], [1e-16, 1.0])
    plain_log_ticks(ax)
    labels = _tick_labels(ax, "y")
    assert len(labels) >= 2 and all(s.startswith("10") for s in labels), labels


def test_plot_history_and_lr_figures():
    from types import SimpleNamespace

    from i2dl_helpers.optim.schedules import CosineAnnealing
    from i2dl_helpers.plotting.training import lr_range_plot, lr_schedule_plot, plot_history, scaling_plot

    h = _History(np.linspace(2.5, 0.05, 11), np.linspace(0.05, 0.5, 10))
    axes = plot_history(h)
    assert min(_legend_sizes(axes[0].figure)) >= LEGEND_PT
    assert not any("×" in s for s in _tick_labels(axes[0], "y"))
    lrs = np.logspace(-4, 1, 60)
    rt = SimpleNamespace(lrs=lrs, losses=2.5 - np.tanh(np.log10(lrs) + 2), smoothed=2.5 - np.tanh(np.log10(lrs) + 2),
                         lr_min_loss=0.5, suggestion=0.05, divisor=10)
    ax = lr_range_plot(rt)
    assert min(_legend_sizes(ax.figure)) >= LEGEND_PT
    assert {"0.001", "0.1", "10"} <= set(_tick_labels(ax, "x"))
    ax = lr_schedule_plot({"constant": None, "cosine": CosineAnnealing(100)}, 100, lr=0.03)
    assert min(_legend_sizes(ax.figure)) >= LEGEND_PT
    ax = scaling_plot([8, 64, 512], {"rule": [0.96, 0.95, 0.6]}, reference=0.95)
    assert min(_legend_sizes(ax.figure)) >= LEGEND_PT


def test_adaptive_glyphs_and_stability_plot():
    from i2dl_helpers.objectives import get
    from i2dl_helpers.optim import Adagrad, Adam, momentum_rate
    from i2dl_helpers.optim.first_order import momentum_converges
    from i2dl_helpers.plotting import adaptive_glyphs, stability_plot

    axes = adaptive_glyphs(get("ill_conditioned", condition=20.0), [Adagrad(0.5), Adam(0.3)], [-2.5, 2.0], steps=30)
    fig = axes[0, 0].figure
    assert min(_legend_sizes(fig)) >= LEGEND_PT
    for low in axes[1]:
        labels = _tick_labels(low, "y")
        assert labels and not any("×" in s or "$" in s for s in labels), labels
    q, betas = np.linspace(0.05, 4.4, 30), np.linspace(0.0, 0.95, 8)
    converged = np.array([momentum_converges(q, b) for b in betas])
    rho = momentum_rate(q[None, :], betas[:, None])
    for edge in (True, False):
        ax = stability_plot(q, betas, converged, rates=rho, edge=edge)
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert min(_legend_sizes(ax.figure)) >= LEGEND_PT
        assert any("2 + 2β" in t for t in texts) == edge, texts


def test_notebook_07_states_the_edge_only_after_exercise_3():
    nb = json.loads((ROOT / "source/scaling_optimization/07_momentum_and_adaptive_methods.ipynb").read_text("utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"]]
    check = next(i for i, s in enumerate(sources) if "nb07.check_max_momentum_lr(" in s)
    answer = ("2 + 2\\beta", "2 + 2β", "2 + 2 * beta", "2+2β", "(1 + \\beta)", "1 + beta) * 2")
    for i, s in enumerate(sources[:check]):
        if "### BEGIN SOLUTION" in s:
            continue
        assert not any(a in s for a in answer), f"cell {i} states the edge of Exercise 3 before its check:\n{s}"
    assert any("2 + 2\\beta" in s for s in sources[check:]), "the edge is stated after the check"
