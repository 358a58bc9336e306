"""TrainingExplorer: train the digits MLP with the course's optimisers, live, on every slider move."""
from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np

from .._validate import check_int
from ..data import digits
from ..nn import MLP
from ..optim import SGD, Adam, AdamW
from ..optim.schedules import CosineAnnealing, warmup_cosine
from ..optim.training import steps_per_epoch, train
from ..plotting.style import PALETTE
from .base import Control, Explorer

__all__ = ["TrainingExplorer", "OPTIMIZERS", "SCHEDULES"]

#: the optimisers offered: label -> factory(α)
OPTIMIZERS = {
    "SGD": lambda lr: SGD(lr),
    "Momentum": lambda lr: SGD(lr, momentum=0.9),
    "Adam": lambda lr: Adam(lr),
    "AdamW": lambda lr: AdamW(lr, weight_decay=0.01),
}
#: the schedules offered: label -> factory(total steps, steps per epoch) (None: constant α)
SCHEDULES = {
    "constant": lambda steps, spe: None,
    "cosine": lambda steps, spe: CosineAnnealing(steps),
    "warmup + cosine": lambda steps, spe: warmup_cosine(steps, min(spe, steps - 1), start_factor=0.1),
}
_YLIM = (1e-4, 20.0)
_MAX_EPOCHS = 30


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is >= x."""
    if not (x > 0 and math.isfinite(x)):
        return 1.0
    k = math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10 ** k >= x * (1 - 1e-12):
            return m * 10 ** k
    return 10 ** (k + 1)


class TrainingExplorer(Explorer):
    """Minibatch training of an MLP (64-H-10) on the handwritten digits, retrained on every move.

    Left: training (solid) and validation (dashed) cross-entropy against epochs; right: the same
    against training seconds (evaluation excluded). The previous run stays in grey, to compare.
    Every run starts from the same initial weights (``seed``) and draws its minibatches from the
    same seed, so only the moved control changes the result.

    controls : "lr" (α, log scale 10⁻⁴ … 10, widened to include an α outside it), "batch_size"
               (8 … 1,024, and the full training set: full-batch GD), "optimizer" (SGD, Momentum
               β = 0.9, Adam, AdamW λ = 0.01), "schedule" (constant, cosine to 0, warmup + cosine
               with one epoch of warmup from 0.1 α), "epochs" (1 … 30; more are refused with an
               error naming the range).
    Attributes after each update: ``history`` (``optim.training.History``) and ``previous``.
    """

    ALT_SUBJECT = ("Minibatch training of an MLP on the handwritten digits: training and validation loss against "
                   "epochs (left) and against seconds (right), the previous run in grey")

    figsize = (9.0, 3.6)
    AHEAD, AHEAD_NEAR = "lr", 1  # the next α each way is trained ahead (Explorer.AHEAD_NEAR)
    CONTROLS = (
        Control("lr", "learning rate α", "log", 1e-4, 10.0, grow=True),
        Control("optimizer", "optimiser", "choice", options=tuple(OPTIMIZERS)),
        Control("schedule", "schedule", "choice", options=tuple(SCHEDULES)),
        Control("epochs", "epochs", "int", 1, _MAX_EPOCHS, redraw=True),
    )

    def __init__(self, lr: float = 0.05, batch_size: int = 64, optimizer: str = "Momentum",
                 schedule: str = "constant", epochs: int = 10, *, hidden: int = 64, seed: int = 0,
                 renderer: str = "auto"):
        self.data = digits(seed=0)
        n = len(self.data[1])
        self._batches = (8, 16, 32, 64, 128, 256, 512, 1024, n)
        batch_size = check_int("batch_size", batch_size, low=1, high=n)
        if batch_size not in self._batches:
            raise ValueError(f"batch_size must be one of {', '.join(map(str, self._batches))}; got {batch_size}")
        self._batch_size = batch_size  # a SelectionSlider over the batch sizes (not a Control kind)
        self._declare(lr=lr, optimizer=optimizer, schedule=schedule, epochs=epochs)
        self.hidden = check_int("hidden", hidden, low=1, high=1024)
        self.seed = check_int("seed", seed, low=0)
        self.history = self.previous = None
        self._seconds_max = None
        super().__init__(renderer=renderer)

    # -- controls and figure ---------------------------------------------------------------
    def _make_controls(self):
        n = self._batches[-1]
        made = self._declared_controls()
        for name in ("optimizer", "schedule"):
            made[name].style.description_width = "initial"
        batch_size = widgets.SelectionSlider(
            options=[(f"{b} (full)" if b == n else str(b), b) for b in self._batches],
            value=self._batch_size, description="batch size B", style={"description_width": "initial"})
        return {"lr": made["lr"], "batch_size": batch_size, "optimizer": made["optimizer"],
                "schedule": made["schedule"], "epochs": made["epochs"]}

    def _build(self, fig):
        self.ax_epochs, self.ax_seconds = fig.subplots(1, 2)
        self._lines = {}
        for ax, key in ((self.ax_epochs, "epochs"), (self.ax_seconds, "seconds")):
            ax.set_yscale("log")
            ax.set_ylim(*_YLIM)
            ax.set_ylabel("cross-entropy loss")
            for run, colour, lw in (("previous", "0.6", 1.0), ("current", None, 1.6)):
                for part, ls in (("train", "-"), ("val", "--")):
                    c = colour or (PALETTE["blue"] if part == "train" else PALETTE["vermillion"])
                    label = (f"{'training' if part == 'train' else 'validation'}" if run == "current"
                             else f"previous run ({'training' if part == 'train' else 'validation'})")
                    self._lines[run, part, key] = self.animate(*ax.plot([], [], ls, color=c, lw=lw, marker="o",
                                                                        ms=2.5 if run == "current" else 1.5,
                                                                        label=label))
        self.ax_epochs.set_xlabel("epoch")
        self.ax_seconds.set_xlabel("training time (s)")
        self.ax_epochs.legend(loc="lower left", fontsize="small", ncols=2)
        self._note = self.animate(self.ax_epochs.text(0.5, 0.96, "", transform=self.ax_epochs.transAxes,
                                                      ha="center", va="top", color=PALETTE["vermillion"],
                                                      fontweight="bold"))
        self.ax_epochs.set_title(f"digits, MLP 64-{self.hidden}-10", fontsize="medium")
        self.ax_seconds.set_title("the same against wall-clock time", fontsize="medium")

    # -- the model -------------------------------------------------------------------------------
    def settings(self) -> dict:
        """The values on the controls now."""
        return {name: self.controls[name].value for name in ("lr", "batch_size", "optimizer", "schedule", "epochs")}

    def retrain(self):
        """Train a fresh network with the settings on the controls; returns the History."""
        s = self.settings()
        n = len(self.data[1])
        spe = steps_per_epoch(n, s["batch_size"])
        steps = s["epochs"] * spe
        schedule = SCHEDULES[s["schedule"]](steps, spe) if steps > 1 else None
        model = MLP([64, self.hidden, 10], seed=self.seed)
        return train(model, OPTIMIZERS[s["optimizer"]](s["lr"]), self.data, epochs=s["epochs"],
                     batch_size=s["batch_size"], schedule=schedule, seed=self.seed, progress=False)

    def _show(self, history, run: str) -> float:
        """Put ``history`` on the lines of ``run``; returns its last training time."""
        seconds = np.concatenate([[0.0], history.seconds])
        for part in ("train", "val"):
            _, values = history.curve(f"{part}_loss")
            values = np.clip(np.where(np.isfinite(values), values, _YLIM[1]), *_YLIM)
            self._lines[run, part, "epochs"].set_data(np.arange(len(values)), values)
            self._lines[run, part, "seconds"].set_data(seconds[:len(values)], values)
        return float(seconds[-1])

    def _show_previous(self) -> float:
        """The previous run in grey (none before the first move); returns its last training time."""
        if self.previous is not None:
            return self._show(self.previous, "previous")
        for key in ("epochs", "seconds"):
            for part in ("train", "val"):
                self._lines["previous", part, key].set_data([], [])
        return 0.0

    def _ahead_state(self):
        # the previous run (grey) and the time axis, as they were before a frame drawn ahead
        return self.previous, self._seconds_max, self.ax_seconds.get_xlim(), self.ax_seconds.get_xticks()

    def _put_back_ahead_state(self, state) -> None:
        previous, top, xlim, ticks = state
        self.history = self.previous = previous  # _update then makes it the previous run again
        if self._seconds_max != top:
            self._seconds_max = top
            self.ax_seconds.set_xlim(*xlim)
            self.ax_seconds.set_xticks(ticks)

    def _update(self, changed):
        if self.history is not None and changed is not None:
            self.previous = self.history
        self.history = h = self._remembered((tuple(self.settings().items()), self.hidden, self.seed), self.retrain)
        last = self._show(h, "current")
        prev_last = self._show_previous()
        epochs = self.controls["epochs"].value
        full = changed is None or changed in self._redraw_controls  # the base redraws for the declared ones
        if full:
            self.ax_epochs.set_xlim(0, epochs)
        top = _nice_ceiling(max(last, prev_last) * 1.05)
        if self._seconds_max is None or top > self._seconds_max or top < self._seconds_max / 4:
            self._seconds_max = top
            self.ax_seconds.set_xlim(0, top)
            # five equal steps whatever the top: the figure's ticks (and its texts) do not depend on
            # how fast this machine trains (1, 2 or 5 × 10^k: steps of 0.2, 0.4 or 1 × 10^k)
            self.ax_seconds.set_xticks(np.linspace(0, top, 6))
            full = True
        s = self.settings()
        head = (f"{s['optimizer']}, α = {s['lr']:.3g}, B = {s['batch_size']}, {s['schedule']}: ")
        if h.status == "diverged":
            self._note.set_text("diverged: try a smaller α")
            self.set_status(head + h.message, "error")
        else:
            self._note.set_text("")
            self.set_status(head + f"{epochs} epoch{'s' if epochs != 1 else ''} ({epochs * h.steps_per_epoch} steps) "
                            f"in {h.total_seconds:.2f} s; validation loss {h.val_loss[-1]:.3f}, "
                            f"accuracy {h.val_accuracy[-1]:.1%} (best {h.best_val_accuracy:.1%})", "info")
        return full
