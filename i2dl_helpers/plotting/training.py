"""Static figures of training a network on real data: histories against epochs and seconds,
the learning-rate range test, learning-rate schedules and the large-batch scaling rule.

Every function takes data (``optim.training.History`` objects, arrays) and returns the Axes or
Figure it drew on.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import PALETTE, legend_size, plain_log_ticks

__all__ = ["plot_history", "compare_histories", "lr_range_plot", "lr_schedule_plot", "scaling_plot"]

_COLOURS = [PALETTE[c] for c in ("blue", "vermillion", "green", "orange", "purple", "sky", "black", "yellow")]


def _curves(history, name):
    epochs, values = history.curve(name)
    seconds = np.concatenate([[0.0], np.asarray(history.seconds, dtype=float)])[:len(values)]
    return epochs, seconds, values


def plot_history(history, axes=None, label: str | None = None, color=None, *, figsize=(9.0, 3.2)):
    """Training (solid) and validation (dashed) loss against epochs (left) and seconds (right).

    history : an ``optim.training.History``;  axes : a pair of Axes to draw on (new figure if None).
    Returns the pair of Axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    color = color or PALETTE["blue"]
    label = label or f"{history.optimizer}, B = {history.batch_size}"
    for name, ls, lw in (("train_loss", "-", 1.6), ("val_loss", "--", 1.4)):
        epochs, seconds, values = _curves(history, name)
        which = "train" if name == "train_loss" else "validation"
        axes[0].plot(epochs, values, ls, color=color, lw=lw, marker="o", ms=2.5, label=f"{label}: {which}")
        axes[1].plot(seconds, values, ls, color=color, lw=lw, marker="o", ms=2.5)
    for ax, xlabel in zip(axes, ("epoch", "training time (s)")):
        ax.set_yscale("log")
        plain_log_ticks(ax)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("cross-entropy loss")
    axes[0].legend(fontsize=legend_size())
    return axes


def compare_histories(histories: dict, *, metric: str = "val_loss", title: str | None = None, figsize=(9.0, 3.3),
                      log: bool = True):
    """One curve per run: ``metric`` ("val_loss", "train_loss", "val_accuracy", …) against epochs (left)
    and against training seconds (right). histories : {label: History}. Returns the Figure."""
    fig, axes = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    for i, (label, h) in enumerate(histories.items()):
        epochs, seconds, values = _curves(h, metric)
        c = _COLOURS[i % len(_COLOURS)]
        axes[0].plot(epochs, values, "-", color=c, marker="o", ms=2.5, lw=1.5, label=label)
        axes[1].plot(seconds, values, "-", color=c, marker="o", ms=2.5, lw=1.5)
    ylabel = {"val_loss": "validation loss", "train_loss": "training loss", "val_accuracy": "validation accuracy",
              "train_accuracy": "training accuracy"}.get(metric, metric)
    for ax, xlabel in zip(axes, ("epoch (passes over the training set)", "training time (s)")):
        if log and "loss" in metric:
            ax.set_yscale("log")
            plain_log_ticks(ax)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    axes[0].legend(fontsize=legend_size(), ncols=2 if len(histories) > 4 else 1)
    if title:
        fig.suptitle(title, fontsize="medium")
    return fig


def lr_range_plot(result, *, ax=None, figsize=(6.0, 3.4)):
    """The learning-rate range test: minibatch loss (raw and smoothed) against α on a log axis,
    with the suggested α marked. result : ``optim.training.LRRangeResult``."""
    if ax is None:
        ax = plt.figure(figsize=figsize, layout="constrained").add_subplot()
    ax.semilogx(result.lrs, result.losses, ".", color=PALETTE["sky"], ms=3, alpha=0.6, label="minibatch loss")
    ax.semilogx(result.lrs, result.smoothed, "-", color=PALETTE["blue"], lw=1.8, label="smoothed")
    ax.axvline(result.lr_min_loss, color=PALETTE["vermillion"], ls=":", lw=1.4,
               label=f"lowest smoothed loss, α = {result.lr_min_loss:.3g}")
    ax.axvline(result.suggestion, color=PALETTE["green"], ls="--", lw=1.6,
               label=f"suggestion (÷ {result.divisor:g}), α = {result.suggestion:.3g}")
    top = min(np.nanmax(result.smoothed), 4 * result.smoothed[0])
    ax.set_ylim(0, 1.15 * top)
    plain_log_ticks(ax, "x")
    ax.set_xlabel("learning rate α (grows every step)")
    ax.set_ylabel("cross-entropy loss")
    ax.legend(fontsize=legend_size())
    return ax


def lr_schedule_plot(schedules: dict, steps: int, lr: float, *, ax=None, steps_per_epoch: int | None = None,
                     figsize=(6.0, 3.0)):
    """α_t = α · schedule(t) for t < steps, one curve per schedule ({label: schedule or None})."""
    if ax is None:
        ax = plt.figure(figsize=figsize, layout="constrained").add_subplot()
    t = np.arange(steps)
    for i, (label, s) in enumerate(schedules.items()):
        f = np.ones(steps) if s is None else np.asarray(s.bind(lr)(t) if hasattr(s, "bind") else s(t), dtype=float)
        ax.plot(t, lr * f, color=_COLOURS[i % len(_COLOURS)], lw=1.8, label=label)
    if steps_per_epoch:
        for e in range(steps_per_epoch, steps, steps_per_epoch):
            ax.axvline(e, color="0.85", lw=0.6, zorder=0)
    ax.set_xlabel("step t" + (" (grey lines: epochs)" if steps_per_epoch else ""))
    ax.set_ylabel("learning rate α_t")
    # above the axes: a schedule may pass through any part of them
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(3, len(schedules)), frameon=False,
              fontsize=legend_size())
    return ax


def scaling_plot(batch_sizes, accuracies: dict, *, reference: float | None = None, ax=None, figsize=(6.0, 3.4)):
    """Validation accuracy against the batch size B (log axis), one curve per rule ({label: accuracies})."""
    if ax is None:
        ax = plt.figure(figsize=figsize, layout="constrained").add_subplot()
    B = np.asarray(batch_sizes, dtype=float)
    for i, (label, acc) in enumerate(accuracies.items()):
        ax.semilogx(B, acc, "o-", color=_COLOURS[i % len(_COLOURS)], lw=1.6, label=label, base=2)
    if reference is not None:
        ax.axhline(reference, color="0.4", ls=":", lw=1.2, label="small-batch reference − 1 %")
    ax.set_xticks(B, [str(int(b)) for b in B])
    ax.set_xlabel("batch size B")
    ax.set_ylabel("best validation accuracy")
    ax.legend(fontsize=legend_size())
    return ax
