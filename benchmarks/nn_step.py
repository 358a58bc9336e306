"""One training step of the two-layer net: i2dl_helpers (numpy) vs PyTorch eager.

A step is forward, backward and the SGD update θ' = θ − α ∇_θ L, on the same
sizes (input 2, hidden 16, output 1, float64) and batches of 64 and 4096.
Both run in this process, in alternating rounds; the best round of each is kept
(so a busy machine slows both alike).

    python benchmarks/nn_step.py
Goal (issue 3): ≥ 5× torch's steps/s at batch 64 and ≥ 1.2× at batch 4096.
"""
from __future__ import annotations

import time

import numpy as np

from i2dl_helpers.nn import TwoLayerNet

N_IN, N_HIDDEN, N_OUT, LR = 2, 16, 1, 1e-3


def _loop_length(step, min_time: float) -> int:
    step()                                     # warm-up
    n = 1
    while True:
        t = time.perf_counter()
        for _ in range(n):
            step()
        if time.perf_counter() - t > min_time:
            return n
        n *= 2


def compare(steps: list, min_time: float = 0.05, repeats: int = 7) -> list[float]:
    """Best steps/s of each (setup, step) pair, measured in alternating rounds so all
    see the same machine load. ``setup`` runs before each round (e.g. set torch threads)."""
    lengths = []
    for setup, step in steps:
        setup()
        lengths.append(_loop_length(step, min_time))
    best = [0.0] * len(steps)
    for _ in range(repeats):
        for i, ((setup, step), n) in enumerate(zip(steps, lengths)):
            setup()
            t = time.perf_counter()
            for _ in range(n):
                step()
            best[i] = max(best[i], n / (time.perf_counter() - t))
    return best


def numpy_step(X, y):
    net = TwoLayerNet(N_IN, N_HIDDEN, N_OUT, seed=0)

    def step():
        _, grads = net.loss_and_grads(X, y)
        net.sgd_step(grads, LR)
    return step


def torch_step(X, y, torch):
    net = TwoLayerNet(N_IN, N_HIDDEN, N_OUT, seed=0)     # same start
    p = [torch.tensor(net.params[k], requires_grad=True) for k in ("W1", "b1", "W2", "b2")]
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def step():
        W1, b1, W2, b2 = p
        loss = ((torch.relu(Xt @ W1 + b1) @ W2 + b2 - yt) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for t in p:
                t -= LR * t.grad
                t.grad = None
    return step


def main() -> None:
    try:
        import torch
    except ImportError:
        raise SystemExit("PyTorch not installed: pip install -e '.[torch]' to run this benchmark")
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__} eager (default {threads} threads, and 1 thread), numpy {np.__version__}")
    print(f"{'batch':>6} {'numpy steps/s':>14} {'torch steps/s':>14} {'torch 1 thr':>12} "
          f"{'ratio vs faster torch':>22}  goal")
    rng = np.random.default_rng(0)
    nothing = lambda: None
    for batch, goal in ((64, 5.0), (4096, 1.2)):
        X, y = rng.normal(size=(batch, N_IN)), rng.normal(size=(batch, N_OUT))
        ours, ref, ref1 = compare([
            (nothing, numpy_step(X, y)),
            (lambda: torch.set_num_threads(threads), torch_step(X, y, torch)),
            (lambda: torch.set_num_threads(1), torch_step(X, y, torch)),
        ])
        torch.set_num_threads(threads)
        ratio = ours / max(ref, ref1)
        mark = "ok" if ratio >= goal else "MISSED"
        print(f"{batch:>6} {ours:>14,.0f} {ref:>14,.0f} {ref1:>12,.0f} {ratio:>21.2f}x  >= {goal}x {mark}")


if __name__ == "__main__":
    main()
