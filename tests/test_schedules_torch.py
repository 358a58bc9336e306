"""AdamW, SGD with weight decay and the warmup / cosine schedules against torch (float64).

* schedules: our factor · α equals the learning rate torch.optim.lr_scheduler gives, step by step,
  for 1,000 steps (LinearLR, CosineAnnealingLR, SequentialLR);
* optimisers: fed the same sequence of gradients, our iterates (through ``run``) equal
  torch.optim's for 1,000 steps to 1e-12, with and without a schedule;
* end to end: ``train`` on the digits MLP equals a torch training loop with the same initial
  weights, the same minibatches, AdamW and warmup + cosine.

Also torch-free checks of the closed forms. Skips the torch parts with the reason if torch is absent.
"""
import numpy as np
import pytest

from i2dl_helpers.optim import GD, SGD, Adam, AdamW, run
from i2dl_helpers.optim.schedules import CosineAnnealing, LinearWarmup, Sequential, warmup_cosine

STEPS = 1000
TOL = 1e-12


def _torch():
    return pytest.importorskip("torch", reason="PyTorch not installed: pip install -e '.[torch]' "
                                               "to compare with torch.optim and torch.optim.lr_scheduler")


# --- closed forms (no torch) ---------------------------------------------------------------------
def test_linear_warmup_closed_form():
    s = LinearWarmup(start_factor=0.25, total_iters=4)
    np.testing.assert_allclose(s(np.arange(7)), [0.25, 0.4375, 0.625, 0.8125, 1, 1, 1], rtol=1e-15)


def test_cosine_closed_form_and_eta_min():
    s = CosineAnnealing(T_max=10)
    assert s(0) == 1.0 and s(5) == pytest.approx(0.5, abs=1e-15) and s(10) == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(ValueError, match="base_lr"):
        CosineAnnealing(10, eta_min=0.01)(3)
    b = CosineAnnealing(10, eta_min=0.01).bind(0.1)
    assert 0.1 * b(10) == pytest.approx(0.01, rel=1e-14) and b(0) == pytest.approx(1.0)


def test_sequential_restarts_each_clock():
    s = Sequential([LinearWarmup(0.5, 2), CosineAnnealing(4)], milestones=[2])
    np.testing.assert_allclose(s(np.arange(7)), [0.5, 0.75, 1.0, (1 + np.cos(np.pi / 4)) / 2, 0.5,
                                                 (1 + np.cos(3 * np.pi / 4)) / 2, 0.0], atol=1e-15)
    assert s(3) == pytest.approx((1 + np.cos(np.pi / 4)) / 2)


@pytest.mark.parametrize("make, err", [
    (lambda: LinearWarmup(0.0, 5), ValueError), (lambda: LinearWarmup(0.5, 0), ValueError),
    (lambda: CosineAnnealing(0), ValueError), (lambda: CosineAnnealing(5, eta_min=-1), ValueError),
    (lambda: Sequential([LinearWarmup()], [3]), ValueError),
    (lambda: Sequential([LinearWarmup(), CosineAnnealing(5)], [0]), ValueError),
    (lambda: Sequential([lambda t: 1.0], []), TypeError),
    (lambda: SGD(0.1, weight_decay=-1), ValueError), (lambda: AdamW(0.1, weight_decay=-0.1), ValueError),
])
def test_bad_arguments(make, err):
    with pytest.raises(err):
        make()


def test_weight_decay_closed_forms():
    """On L = 0 the iterates only decay: SGD θ(1 − αλ)^k, AdamW θ(1 − αλ)^k (and Adam's step is 0/ε = 0)."""

    class Zero:
        dim = 3

        def __call__(self, x):
            return np.zeros(np.shape(x)[:-1])

        def grad(self, x):
            return np.zeros(np.shape(x))

    x0 = np.array([1.0, -2.0, 3.0])
    for opt in (SGD(0.1, weight_decay=0.5), AdamW(0.1, weight_decay=0.5)):
        traj = run(Zero(), opt, x0, steps=20)
        np.testing.assert_allclose(traj.final, x0 * 0.95 ** 20, rtol=1e-13)
    # L2 penalty vs decoupled decay differ for Adam-type methods: AdamW's decay ignores √v̂
    assert "weight_decay" in AdamW(0.1).hyperparameters() and AdamW(0.1).weight_decay == 0.01


# --- against torch -----------------------------------------------------------------------------
def _torch_lrs(torch, make_sched, lr=0.1, steps=STEPS):
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make_sched(torch, opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


SCHEDULES = {
    "linear": (lambda: LinearWarmup(0.1, 50),
               lambda t, o: t.optim.lr_scheduler.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=50)),
    "cosine": (lambda: CosineAnnealing(STEPS),
               lambda t, o: t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS)),
    "cosine_eta_min": (lambda: CosineAnnealing(400, eta_min=0.002),
                       lambda t, o: t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=400, eta_min=0.002)),
    "warmup_cosine": (lambda: Sequential([LinearWarmup(0.01, 100), CosineAnnealing(STEPS - 100)], [100]),
                      lambda t, o: t.optim.lr_scheduler.SequentialLR(
                          o, [t.optim.lr_scheduler.LinearLR(o, start_factor=0.01, total_iters=100),
                              t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS - 100)], milestones=[100])),
    "three_parts": (lambda: Sequential([LinearWarmup(0.2, 30), CosineAnnealing(300, eta_min=0.01),
                                        LinearWarmup(0.5, 10)], [30, 330]),
                    lambda t, o: t.optim.lr_scheduler.SequentialLR(
                        o, [t.optim.lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=30),
                            t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=300, eta_min=0.01),
                            t.optim.lr_scheduler.LinearLR(o, start_factor=0.5, total_iters=10)],
                        milestones=[30, 330])),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedules_match_torch(name):
    torch = _torch()
    ours, theirs = SCHEDULES[name]
    sched = ours()
    if hasattr(sched, "bind"):
        sched = sched.bind(0.1)
    expected = _torch_lrs(torch, theirs)
    got = 0.1 * sched(np.arange(STEPS))
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)
    # and what run actually uses, step by step
    traj = run(_Replay(np.zeros((STEPS + 1, 1))), GD(0.1), np.zeros(1), steps=STEPS, schedule=sched)
    np.testing.assert_allclose(traj.lrs, expected, rtol=0, atol=TOL)


class _Replay:
    """An objective whose k-th gradient call returns the k-th row of a fixed sequence (any x)."""

    def __init__(self, grads):
        self.grads, self.k, self.dim = grads, 0, grads.shape[-1]

    def __call__(self, x):
        return np.zeros(np.shape(x)[:-1])

    def grad(self, x):
        g = self.grads[self.k].reshape(np.shape(x))
        self.k += 1
        return g


OPTIMIZERS = {
    "sgd_wd": (lambda: SGD(0.05, weight_decay=0.1), lambda t, p: t.optim.SGD(p, lr=0.05, weight_decay=0.1)),
    "momentum_wd": (lambda: SGD(0.05, momentum=0.9, weight_decay=0.01),
                    lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01, foreach=False)),
    "nesterov_wd": (lambda: SGD(0.02, momentum=0.8, nesterov=True, weight_decay=0.05),
                    lambda t, p: t.optim.SGD(p, lr=0.02, momentum=0.8, nesterov=True, weight_decay=0.05,
                                             foreach=False)),
    "adamw": (lambda: AdamW(0.01), lambda t, p: t.optim.AdamW(p, lr=0.01, foreach=False)),
    "adamw_strong": (lambda: AdamW(0.003, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.3),
                     lambda t, p: t.optim.AdamW(p, lr=0.003, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.3,
                                                foreach=False)),
    "adam_l2": (lambda: Adam(0.01, weight_decay=0.1),
                lambda t, p: t.optim.Adam(p, lr=0.01, weight_decay=0.1, foreach=False)),
    "adamw_no_decay_is_adam": (lambda: AdamW(0.01, weight_decay=0.0),
                               lambda t, p: t.optim.Adam(p, lr=0.01, foreach=False)),
}


@pytest.mark.parametrize("schedule", [None, "warmup_cosine"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizers_match_torch_on_the_same_gradients(name, schedule):
    torch = _torch()
    ours, theirs = OPTIMIZERS[name]
    rng = np.random.default_rng(5)
    d = 6
    grads = rng.normal(size=(STEPS + 1, 1, d)) * np.array([1e-3, 0.1, 1, 1, 10, 100])
    x0 = rng.normal(size=d)
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    topt = theirs(torch, [p])
    sched = None
    if schedule:
        sched = SCHEDULES[schedule][0]()
        tsched = SCHEDULES[schedule][1](torch, topt)
    path = [p.detach().numpy().copy()]
    for k in range(STEPS):
        p.grad = torch.tensor(grads[k, 0], dtype=torch.float64)
        topt.step()
        if schedule:
            tsched.step()
        path.append(p.detach().numpy().copy())
    traj = run(_Replay(grads), ours(), x0, steps=STEPS, schedule=sched, max_abs=1e300)
    assert traj.points.shape == (STEPS + 1, d)
    scale = np.maximum(1.0, np.abs(np.array(path)))
    err = np.max(np.abs(traj.points - np.array(path)) / scale)
    assert err <= TOL, f"{name}: largest difference {err:.3g} over {STEPS} steps"


def test_train_matches_a_torch_training_loop():
    """The same MLP, batches, AdamW and warmup + cosine: torch eager in float64 gives the same weights."""
    torch = _torch()
    from i2dl_helpers.data import digits, epoch_batches
    from i2dl_helpers.nn import MLP
    from i2dl_helpers.optim import train

    data = digits(seed=0)
    X, y = data[0], data[1]
    epochs, B, lr = 3, 64, 3e-3
    spe = -(-X.shape[0] // B)
    steps = epochs * spe
    net = MLP([64, 32, 10], seed=1)
    p = {k: torch.tensor(v.copy(), dtype=torch.float64, requires_grad=True) for k, v in net.params.items()}
    opt = torch.optim.AdamW(list(p.values()), lr=lr, weight_decay=0.05, foreach=False)
    sched = torch.optim.lr_scheduler.SequentialLR(
        opt, [torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=10),
              torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps - 10)], milestones=[10])
    batches = epoch_batches(X.shape[0], B, np.random.default_rng(7), steps=steps + 1)  # what run draws
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for _ in range(steps):
        idx = torch.tensor(next(batches))
        h = torch.relu(Xt[idx] @ p["W1"] + p["b1"])
        loss = torch.nn.functional.cross_entropy(h @ p["W2"] + p["b2"], yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    history = train(net, AdamW(lr, weight_decay=0.05), data, epochs=epochs, batch_size=B,
                    schedule=warmup_cosine(steps, 10, start_factor=0.1), seed=7)
    assert history.status == "finished" and len(history.val_loss) == epochs
    for k, v in net.params.items():
        np.testing.assert_allclose(v, p[k].detach().numpy(), rtol=0, atol=1e-10, err_msg=k)
