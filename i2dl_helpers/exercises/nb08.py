"""Checks for the exercises of notebook 08 (training on real data)."""
from __future__ import annotations

import warnings

import numpy as np

from . import WrongAnswer, attempt, expect, expect_close, passed

__all__ = ["check_softmax_cross_entropy", "check_adamw_step"]


def _pair(result, name: str, what: str):
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           f"`{name}` should return a pair {what}, got {type(result).__name__}",
           "end with `return loss, dlogits`")
    return result


def _call_quietly(fn, *args):
    """Call the student's function with numpy warnings silenced (overflow shows up as inf/NaN)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return attempt(fn, *args)


def check_softmax_cross_entropy(softmax_cross_entropy, seed: int = 0) -> None:
    """Loss and ∂L/∂z against the package's reference ``nn.softmax_cross_entropy`` on random
    logits, a batch of one, and logits of ±1e4 (where the textbook formula overflows)."""
    from ..nn import softmax_cross_entropy as reference

    rng = np.random.default_rng(seed)
    n, C = 5 + seed % 4, 4 + seed % 3
    cases = [
        ("random logits", 3 * rng.normal(size=(n, C)), rng.integers(0, C, n)),
        ("a batch of one sample", rng.normal(size=(1, C)), np.array([C - 1])),
    ]
    for what, z, y in cases:
        loss, dz = _pair(_call_quietly(softmax_cross_entropy, z.copy(), y.copy()),
                         "softmax_cross_entropy", "(loss, dlogits)")
        ref_loss, ref_dz = reference(z, y)
        expect(np.ndim(loss) == 0, f"the loss for {what} should be one number (the mean over the batch), "
                                   f"got an array of shape {np.shape(loss)}", "average −log p over the samples")
        expect_close(loss, ref_loss, f"the loss for {what}",
                     "L = 1/n Σ_i (log Σ_k exp(z_ik) − z_i,y_i): the mean over the batch, not the sum")
        expect_close(dz, ref_dz, f"dlogits for {what}",
                     "∂L/∂z_ic = (p_ic − 1[c = y_i]) / n with p the softmax of each row")
    big = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4 + 1.0, -1e4 + 2.0], [5.0, 3e3, -2e3]]) * (1 + 0.1 * (seed % 3))
    y = np.array([0, 2, 1]) if seed % 2 == 0 else np.array([1, 0, 2])
    loss, dz = _pair(_call_quietly(softmax_cross_entropy, big.copy(), y), "softmax_cross_entropy",
                     "(loss, dlogits)")
    ref_loss, ref_dz = reference(big, y)
    hint = ("exp(1e4) overflows to inf: subtract each row's own maximum m_i from its logits before exp; "
            "log Σ_k exp(z_ik) = m_i + log Σ_k exp(z_ik − m_i)")
    expect(np.all(np.isfinite(np.asarray(loss, dtype=float))) and np.all(np.isfinite(np.asarray(dz, dtype=float))),
           "for logits of size ±1e4 your loss or gradient is inf or NaN", hint)
    expect_close(loss, ref_loss, "the loss for logits of size ±1e4", hint, rtol=1e-9)
    expect_close(dz, ref_dz, "dlogits for logits of size ±1e4", hint, rtol=1e-9, atol=1e-12)
    passed("softmax_cross_entropy")


def check_adamw_step(adamw_step, seed: int = 0) -> None:
    """Six AdamW steps in a row (the student's outputs fed back in) against ``optim.AdamW``."""
    from ..optim import AdamW

    rng = np.random.default_rng(seed)
    d = 7
    lr = (0.05, 0.02, 0.1)[seed % 3]
    betas = ((0.9, 0.999), (0.8, 0.99), (0.95, 0.9))[seed % 3]
    wd = (0.1, 0.3, 0.05)[seed % 3]
    eps = 1e-8
    ref = AdamW(lr, betas=betas, eps=eps, weight_decay=wd)
    theta = rng.normal(size=d)
    state = ref.init_state(theta[None, :])
    mine = (theta.copy(), np.zeros(d), np.zeros(d))
    for k in range(1, 7):
        g = rng.normal(size=d) * np.array([1, 1, 1, 10, 0.1, 1e-6, 1e-7])  # tiny entries: where ε matters
        expected = ref.step(mine[0][None, :].copy(), g[None, :], state, lr=lr, t=k - 1, objective=None)[0]
        out = attempt(adamw_step, mine[0].copy(), g.copy(), mine[1].copy(), mine[2].copy(), k, lr, betas, eps, wd)
        expect(isinstance(out, (tuple, list)) and len(out) == 3,
               f"`adamw_step` should return (theta, m, v), got {type(out).__name__}",
               "end with `return theta_new, m_new, v_new`")
        new_theta, m, v = (np.asarray(a, dtype=float) if a is not None else None for a in out)
        expect_close(m, state["exp_avg"][0], f"m after step {k}",
                     "m_k = β₁ m_{k−1} + (1 − β₁) g: the raw average, before bias correction, without weight decay")
        expect_close(v, state["exp_avg_sq"][0], f"v after step {k}",
                     "v_k = β₂ v_{k−1} + (1 − β₂) g²: the gradient alone enters v (no weight decay in it)")
        expect_close(new_theta, expected, f"θ after step {k}",
                     "first shrink θ ← θ (1 − α λ), then θ ← θ − α m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵏ), "
                     "v̂ = v / (1 − β₂ᵏ); ε is added after the square root")
        mine = (new_theta, m, v)
    # without weight decay AdamW is Adam: θ must not shrink then
    out = attempt(adamw_step, mine[0].copy(), np.zeros(d), np.zeros(d), np.zeros(d), 1, lr, betas, eps, 0.0)
    expect(isinstance(out, (tuple, list)) and len(out) == 3, "`adamw_step` should return (theta, m, v)")
    try:
        same = np.allclose(np.asarray(out[0], dtype=float), mine[0], rtol=1e-12, atol=0)
    except (TypeError, ValueError):
        raise WrongAnswer("θ with a zero gradient and λ = 0 is not an array of numbers") from None
    expect(same, "with a zero gradient and weight_decay = 0, θ should not move at all",
           "the decay factor is (1 − α λ), which is 1 for λ = 0")
    passed("adamw_step")
