"""Train a network on a data set with the course's own optimisers: ``train`` (built on ``run``).

``train`` does not have a loop of its own. It wraps the model and the training set as an
objective over the flat parameter vector θ (``MinibatchLoss``) and hands it to ``run``, which
draws the minibatches (a fresh random order of the training set every epoch), applies the
optimiser and the schedule, and catches divergence. ``run`` asks for the gradient at θ_k once per
step; when k is a multiple of the steps per epoch, θ_k is the network after k / steps-per-epoch
epochs, and the objective evaluates it on the training and validation sets right there. The
time spent evaluating is left out of the training clock.

    from i2dl_helpers.data import digits
    from i2dl_helpers.nn import MLP
    from i2dl_helpers.optim import Adam, train
    history = train(MLP([64, 64, 10]), Adam(1e-3), digits(), epochs=10, batch_size=64)
    history.val_accuracy[-1], history.test_accuracy
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validate import check_int, check_positive, check_real
from ..progress import ProgressBar
from .base import Optimizer, run

__all__ = ["History", "LRRangeResult", "MinibatchLoss", "lr_range_test", "train", "steps_per_epoch"]


def steps_per_epoch(n_samples: int, batch_size: int) -> int:
    """⌈n / B⌉: the minibatches of one pass over n samples (the last one may be smaller)."""
    return -(-n_samples // batch_size)


@dataclass
class History:
    """What ``train`` recorded. Lists with one entry per completed epoch (epoch 1, 2, …):

    train_loss, val_loss : mean cross-entropy on the whole training / validation set after the epoch.
    train_accuracy, val_accuracy : fraction classified correctly after the epoch.
    seconds     : training time from calling ``run`` to the end of each epoch (evaluation excluded).
    Per step (k = 0 … K − 1): ``step_loss`` (the minibatch loss at θ_k, before step k),
    ``step_seconds`` (wall-clock time of each step, evaluation excluded) and ``lrs`` (α of step k).
    ``start`` holds the same measures for the untrained network (epoch 0); ``test_accuracy`` and
    ``test_loss`` are measured once at the end (None without a test set). ``status`` is
    "finished" or "diverged"; ``message`` says so in words.
    ``plotting.training.plot_history(history)`` draws the losses against epochs and seconds.
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    step_loss: np.ndarray | None = None
    step_seconds: np.ndarray | None = None
    lrs: np.ndarray | None = None
    start: dict = field(default_factory=dict)
    test_accuracy: float | None = None
    test_loss: float | None = None
    status: str = "finished"
    message: str = ""
    optimizer: str = ""
    batch_size: int = 0
    steps_per_epoch: int = 0
    eval_seconds: float = 0.0
    config: dict = field(default_factory=dict)

    @property
    def epochs(self) -> np.ndarray:
        """1, 2, …, the number of completed epochs."""
        return np.arange(1, len(self.train_loss) + 1)

    @property
    def total_seconds(self) -> float:
        return float(self.seconds[-1]) if self.seconds else 0.0

    @property
    def best_val_accuracy(self) -> float:
        return float(max(self.val_accuracy)) if self.val_accuracy else float("nan")

    def curve(self, name: str, *, with_start: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of ``name`` ("train_loss", "val_loss", "val_accuracy", …), from epoch 0."""
        values = list(getattr(self, name))
        epochs = list(range(1, len(values) + 1))
        if with_start and name in self.start:
            values, epochs = [self.start[name]] + values, [0] + epochs
        return np.asarray(epochs), np.asarray(values, dtype=float)

    def __repr__(self) -> str:
        last = (f", val_accuracy={self.val_accuracy[-1]:.4f}" if self.val_accuracy else "")
        return f"History({self.optimizer}, B={self.batch_size}, {len(self.train_loss)} epochs{last}, {self.message!r})"


class MinibatchLoss:
    """The mean loss of ``model`` on a training set as an objective over the flat θ, for ``run``.

    ``grad(θ, idx)`` is the minibatch gradient ∇L_B(θ) = 1/|B| Σ_{i∈B} ∇ℓ_i(θ) over the rows
    ``idx``; ``L(θ)`` the loss over all n rows. Points θ have shape (1, P) (one network, P
    parameters). ``on_gradient(k, θ, loss)`` is called after the k-th gradient (k = 0, 1, …).
    Call number ``last`` (``run``'s gradient after its final step, which no step uses) only
    calls the hook and returns zeros.

    model : has ``params`` (dict of arrays) and ``loss_and_grads(X, y)`` (e.g. nn.MLP, nn.TwoLayerNet).
            A model with ``loss_and_grads_into(p, X, y, out)`` (nn.MLP) is evaluated at the views of θ
            directly, writing ∇L_B into the views of the gradient (no copies of the parameters).
    """

    def __init__(self, model, X, y, on_gradient=None, last: int | None = None):
        if not (hasattr(model, "params") and hasattr(model, "loss_and_grads")):
            raise TypeError(f"model must have params and loss_and_grads(X, y) (e.g. nn.MLP), "
                            f"got {type(model).__name__}")
        self.model, self.X, self.y = model, X, y
        self.names = list(model.params)
        self.shapes = [model.params[k].shape for k in self.names]
        sizes = [int(np.prod(s)) for s in self.shapes]
        self.offsets = [0, *np.cumsum(sizes).tolist()]
        self.dim = self.offsets[-1]
        self.n_samples = X.shape[0]
        self.on_gradient = on_gradient
        self.last = last  # run asks for a gradient after its last step too; that one is never used
        self.calls = 0
        self._fast = getattr(model, "loss_and_grads_into", None)

    def views(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """θ (P,) as a dict of arrays shaped like ``model.params`` (views, no copy)."""
        o = self.offsets
        return {k: theta[o[i]:o[i + 1]].reshape(s) for i, (k, s) in enumerate(zip(self.names, self.shapes))}

    def flat(self) -> np.ndarray:
        return np.concatenate([self.model.params[k].ravel() for k in self.names])

    def _point(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.shape[-1] != self.dim or x.size != self.dim:
            raise ValueError(f"θ must have shape ({self.dim},) or (1, {self.dim}), got {x.shape}")
        return x.reshape(self.dim)

    def loss_grad(self, theta: np.ndarray, X, y) -> tuple[float, np.ndarray]:
        """(L_B(θ), ∇L_B(θ) as a flat (P,) array) on the rows X, y."""
        model = self.model
        if self._fast is not None:
            g = np.empty(self.dim)
            loss = self._fast(self.views(theta), X, y, self.views(g))
            return loss, g
        saved = model.params
        model.params = self.views(theta)
        try:
            loss, grads = model.loss_and_grads(X, y)
        finally:
            model.params = saved
        return loss, np.concatenate([np.ravel(grads[k]) for k in self.names])

    def grad(self, x, idx=None) -> np.ndarray:
        theta = self._point(x)
        k = self.calls
        if k == self.last:  # after the last step: only the evaluation hook wants θ
            self.calls += 1
            if self.on_gradient is not None:
                self.on_gradient(k, theta, float("nan"))
            return np.zeros(np.shape(x))
        X, y = (self.X, self.y) if idx is None else (self.X[idx], self.y[idx])
        loss, g = self.loss_grad(theta, X, y)
        self.calls += 1
        if self.on_gradient is not None:
            self.on_gradient(k, theta, loss)
        return g.reshape(np.shape(x))

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        pts = x.reshape(-1, self.dim)
        out = np.array([self.loss_grad(p, self.X, self.y)[0] for p in pts])
        return out.reshape(x.shape[:-1])


def _as_split(data) -> tuple:
    """(X_train, y_train, X_val, y_val, X_test, y_test); the test pair may be missing (4 items)."""
    if not isinstance(data, (tuple, list)) or len(data) not in (4, 6):
        raise TypeError("data must be (X_train, y_train, X_val, y_val[, X_test, y_test]) as returned by "
                        f"data.digits(), got {type(data).__name__}"
                        + (f" of length {len(data)}" if isinstance(data, (tuple, list)) else ""))
    arrays = []
    for i in range(0, len(data), 2):
        X = np.asarray(data[i], dtype=float)
        y = np.asarray(data[i + 1])
        part = ("train", "validation", "test")[i // 2]
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"the {part} features must have shape (n, d) with n >= 1, got shape {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"the {part} labels must have shape ({X.shape[0]},), got shape {y.shape}")
        if y.dtype.kind not in "iu":
            raise TypeError(f"the {part} labels must be integer class labels, got dtype {y.dtype}")
        if not np.isfinite(X).all():
            raise ValueError(f"the {part} features must be finite (no NaN or inf)")
        arrays += [X, y]
    if len(arrays) == 4:
        arrays += [None, None]
    return tuple(arrays)


def _evaluate(model, theta_views: dict, X, y) -> tuple[float, float]:
    """(mean loss, accuracy) of the network with parameters ``theta_views`` on X, y.

    A model with ``loss_and_logits(X, y, params)`` (nn.MLP) gives both from one forward pass;
    any other model is evaluated by ``forward(X)`` and ``loss_and_grads(X, y)``.
    """
    if hasattr(model, "loss_and_logits"):
        loss, Z = model.loss_and_logits(X, y, theta_views)
    else:
        saved = model.params
        model.params = theta_views
        try:
            Z = model.forward(X)
            loss = float(model.loss_and_grads(X, y)[0])
        finally:
            model.params = saved
    acc = float(np.mean(np.argmax(Z, axis=1) == y)) if Z.ndim == 2 and Z.shape[1] > 1 else float("nan")
    return float(loss), acc


def train(model, optimizer: Optimizer, data, epochs: int, batch_size: int, schedule=None, seed: int | None = 0,
          *, progress: bool | None = None, max_abs: float = 1e8) -> History:
    """Train ``model`` in place by minibatch ``optimizer`` steps for ``epochs`` passes over the training set.

    Every epoch visits the n training samples once, in a new random order (from ``seed``), in
    ⌈n/B⌉ minibatches of B = ``batch_size`` rows (the last one may be smaller); step k uses
    θ_{k+1} = optimizer(θ_k, ∇L_B(θ_k)) with the learning rate α · schedule(k). After every
    epoch the network is evaluated on the training and validation sets.

    model      : e.g. ``nn.MLP([64, 64, 10])`` (anything with params and loss_and_grads(X, y)).
    optimizer  : any course optimiser (GD, SGD, Adam, AdamW, …); its state starts fresh.
    data       : (X_train, y_train, X_val, y_val, X_test, y_test) as from ``data.digits()``
                 (the test pair may be left out).
    epochs     : passes over the training set, >= 1.
    batch_size : B in 1 … n (B = n is full-batch gradient descent).
    schedule   : None or a callable t -> factor, e.g. ``schedules.warmup_cosine(steps, warmup)``;
                 schedules with an absolute η_min are bound to the optimiser's α here.
    seed       : the order of the minibatches (the network's initial weights are the model's).
    progress   : show a progress bar (None: in a notebook, when the run takes more than a second).
    Returns a :class:`History`. A run whose parameters become inf/NaN or exceed ±max_abs stops
    there with status "diverged" (and the epochs completed so far).
    """
    X, y, Xv, yv, Xt, yt = _as_split(data)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer such as SGD(lr=0.1), got {type(optimizer).__name__}")
    epochs = check_int("epochs", epochs, low=1)
    n = X.shape[0]
    B = check_int("batch_size", batch_size, low=1, high=n)
    if schedule is not None and hasattr(schedule, "bind"):
        schedule = schedule.bind(optimizer.lr)
    spe = steps_per_epoch(n, B)
    steps = epochs * spe

    bar = ProgressBar(f"{optimizer.name}, B = {B}", enabled=progress)
    history = History(optimizer=optimizer.name, batch_size=B, steps_per_epoch=spe,
                      config={"optimizer": repr(optimizer), "epochs": epochs, "batch_size": B, "seed": seed,
                              "schedule": repr(schedule) if schedule is not None else None})
    step_loss = np.empty(steps)
    stamps = np.empty(steps + 2)
    eval_time = [0.0]
    objective = None

    def on_gradient(k: int, theta: np.ndarray, loss: float) -> None:
        now = time.perf_counter()
        stamps[k] = now - clock0[0] - eval_time[0]
        if k < steps:
            step_loss[k] = loss
        if k % spe == 0 and k <= steps:
            views = objective.views(theta)
            tl, ta = _evaluate(model, views, X, y)
            vl, va = _evaluate(model, views, Xv, yv)
            if k == 0:
                history.start = {"train_loss": tl, "val_loss": vl, "train_accuracy": ta, "val_accuracy": va}
            else:
                history.train_loss.append(tl)
                history.val_loss.append(vl)
                history.train_accuracy.append(ta)
                history.val_accuracy.append(va)
                history.seconds.append(stamps[k])
                bar.update(k // spe, epochs, f"epochs, validation accuracy {va:.3f}")
            eval_time[0] += time.perf_counter() - now

    objective = MinibatchLoss(model, X, y, on_gradient, last=steps)
    theta0 = objective.flat()
    clock0 = [time.perf_counter()]  # the training clock: from calling run, evaluation time excluded
    traj = run(objective, optimizer, theta0, steps=steps, batch_size=B, seed=seed, schedule=schedule,
               record=False, max_abs=max_abs)
    taken = int(traj.stop_step) if traj.status != "diverged" else max(int(traj.stop_step) - 1, 0)
    final = traj.final
    history.lrs = np.asarray(traj.lrs)[:taken]
    history.step_loss = step_loss[:min(taken + 1, steps)].copy()
    history.step_seconds = np.diff(stamps[:taken + 1]) if taken else np.zeros(0)  # step k and gradient k + 1
    history.eval_seconds = eval_time[0]
    done = taken // spe  # epochs completed (a diverged run may have evaluated its last good point again)
    for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy", "seconds"):
        del getattr(history, name)[done:]
    # the model keeps the final parameters (as after torch's training loop)
    if hasattr(model, "set_flat") and getattr(model, "num_params", None) == objective.dim:
        model.set_flat(final)
    else:
        for k, v in objective.views(np.array(final, dtype=float)).items():
            model.params[k] = v
    if traj.status == "diverged":
        history.status = "diverged"
        history.message = (f"diverged in epoch {traj.stop_step // spe + 1} (step {traj.stop_step}): "
                           f"{traj.reason}; try a smaller learning rate")
    else:
        history.message = (f"{epochs} epochs ({steps} steps of B = {B}) in {history.total_seconds:.2f} s, "
                           f"validation accuracy {history.val_accuracy[-1]:.4f}")
        if Xt is not None:
            history.test_loss, history.test_accuracy = _evaluate(model, model.params, Xt, yt)
    bar.close(history.message)
    return history


@dataclass
class LRRangeResult:
    """What ``lr_range_test`` measured: ``lrs[k]`` the α of step k and ``losses[k]`` the minibatch
    loss right after it; ``smoothed`` their bias-corrected moving average; ``lr_min_loss`` the α
    with the lowest smoothed loss and ``suggestion`` = lr_min_loss / divisor."""

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    lr_min_loss: float
    suggestion: float
    divisor: float
    history: Any = None


def lr_range_test(model, optimizer: Optimizer, data, lr_min: float = 1e-5, lr_max: float = 10.0, epochs: int = 3,
                  batch_size: int = 32, seed: int | None = 0, beta: float = 0.9, divisor: float = 10.0,
                  stop_factor: float = 4.0) -> LRRangeResult:
    """The learning-rate range test (Smith, 2017): train once while α grows geometrically,

        α_k = α_min (α_max / α_min)^{k / (K − 1)},   k = 0 … K − 1  (K = epochs · ⌈n/B⌉ steps),

    and record the minibatch loss after every step. The loss first barely moves (α too small),
    then falls fastest, then blows up (α too large). The moving average
    s_k = β s_{k−1} + (1 − β) L_k, shown bias-corrected as s_k / (1 − β^{k+1}), smooths the
    minibatch noise; the curve is cut where it exceeds ``stop_factor`` × its minimum. A good
    constant α sits about an order of magnitude below the minimum of the smoothed loss:
    ``suggestion = lr_min_loss / divisor``.

    optimizer : its type and hyper-parameters are used with α = α_min (e.g. SGD(1.0, momentum=0.9)).
    The model is trained in place (pass a fresh one). Returns an :class:`LRRangeResult`.
    """
    lr_min, lr_max = check_positive("lr_min", lr_min), check_positive("lr_max", lr_max)
    if lr_max <= lr_min:
        raise ValueError(f"lr_max must be larger than lr_min, got lr_min={lr_min!r}, lr_max={lr_max!r}")
    beta = check_real("beta", beta, low=0, high=1, high_open=True)
    divisor = check_real("divisor", divisor, low=1)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer such as SGD(lr=0.1), got {type(optimizer).__name__}")
    opt = type(optimizer)(**{**optimizer.hyperparameters(), "lr": lr_min})
    n = np.shape(data[1])[0] if isinstance(data, (tuple, list)) and len(data) >= 2 else 0
    steps = check_int("epochs", epochs, low=1) * steps_per_epoch(n, check_int("batch_size", batch_size, low=1,
                                                                               high=max(n, 1)))
    ratio = lr_max / lr_min

    def ramp(t):
        return ratio ** (np.asarray(t, dtype=float) / max(steps - 1, 1))

    history = train(model, opt, data, epochs=epochs, batch_size=batch_size, schedule=ramp, seed=seed,
                    progress=False, max_abs=1e6)
    losses = np.asarray(history.step_loss[1:], dtype=float)  # the loss after step k, k = 0 … K − 2
    lrs = np.asarray(history.lrs[:len(losses)])
    avg, smoothed = 0.0, np.empty_like(losses)
    for k, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * loss
        smoothed[k] = avg / (1 - beta ** (k + 1))
    running_min = np.minimum.accumulate(smoothed)
    over = np.flatnonzero(~(smoothed <= stop_factor * running_min))  # NaN counts as over
    end = over[0] if over.size else len(smoothed)
    lrs, losses, smoothed = lrs[:end], losses[:end], smoothed[:end]
    best = int(np.argmin(smoothed))
    return LRRangeResult(lrs, losses, smoothed, float(lrs[best]), float(lrs[best] / divisor), divisor, history)
