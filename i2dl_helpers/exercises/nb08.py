"""Checks for the exercises of notebook 08 (training on real data).

The references are the package's ``nn.softmax_cross_entropy`` and ``optim.AdamW`` (both compared with
PyTorch in the test suite). Every check draws from the whole domain its docstring states (a batch of one,
two classes, ties for a row's maximum, logits of ±10⁴; parameters that are vectors or matrices, gradients
exactly zero or far below ε, no weight decay) and accepts every reasonable form of the result (a tuple, a
list or an array of the values; the loss as any kind of number).
"""
from __future__ import annotations

import warnings

import numpy as np

from ..nn import softmax_cross_entropy as ref_softmax_cross_entropy
from ..optim import AdamW
from . import WrongAnswer, as_number, as_sequence, attempt, expect, expect_close, passed

__all__ = ["check_softmax_cross_entropy", "check_adamw_step"]


def _values(out, n: int, what: str, names: str) -> tuple:
    """The ``n`` values a function returns, as a tuple: a tuple or list of them, or an array whose first
    axis has length ``n`` (``np.array([theta, m, v])``)."""
    if isinstance(out, np.ndarray) and out.ndim >= 2 and out.shape[0] == n and out.dtype != object:
        return tuple(out)
    return as_sequence(out, n, what, names)


def _call_quietly(fn, *args):
    """Call the student's function with numpy warnings silenced (overflow shows up as inf/NaN)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return attempt(fn, *args)


def _same(got, expected, rtol: float = 1e-7, atol: float = 1e-10) -> bool:
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    with np.errstate(all="ignore"):
        return got.shape == np.shape(expected) and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


def _named(got, mistakes: dict, **tol) -> str | None:
    """The first known mistake (name → the wrong result) that ``got`` matches, or None."""
    return next((name for name, wrong in mistakes.items() if wrong is not None and _same(got, wrong, **tol)), None)


def _softmax_cases(rng, seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(description, logits, labels): random logits; a batch of one; two classes, every label the same; a row
    whose largest logit is shared; logits of size ±10⁴ (where exp overflows)."""
    n, C = 5 + seed % 4, 4 + seed % 3
    cases = [("random logits", 3 * rng.normal(size=(n, C)), rng.integers(0, C, n)),
             ("a batch of one sample", rng.normal(size=(1, C)), np.array([C - 1]))]
    m = int(rng.integers(3, 7))
    cases.append(("two classes, every sample of class 1", 2 * rng.normal(size=(m, 2)), np.ones(m, dtype=int)))
    z = rng.normal(size=(4, C))
    z[:, 1] = z.max(axis=1) + rng.uniform(0.5, 2.0, 4)
    z[:, C - 1] = z[:, 1]                                         # a tie for each row's maximum
    cases.append(("rows whose largest logit appears twice", z, np.array([1, C - 1, 0, int(rng.integers(0, C))])))
    big = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4 + 1.0, -1e4 + 2.0], [5.0, 3e3, -2e3], [3e3, -5e3, 1.0]])
    big = big * (1 + 0.1 * (seed % 3)) * float(rng.uniform(0.8, 1.0))
    y = np.array([0, 2, 1, 1]) if seed % 2 == 0 else np.array([1, 0, 2, 1])   # the last: a class far below
    cases.append(("logits of size ±1e4", big, y))
    return cases


_STABLE = ("exp of a logit of 1e4 overflows to inf: subtract each row's own maximum m_i from its logits before exp, "
           "and add it back to the log of the sum")


def _check_loss(loss, z, ref_loss: float, what: str, big: bool) -> None:
    """The loss: one number (any form), finite, the mean over the batch; named mistakes."""
    hint = _STABLE if big else "average the per-sample losses log Σ_k exp(z_ik) − z_i,y_i over the batch"
    if np.ndim(loss) > 0 and np.size(loss) > 1:
        raise WrongAnswer(f"the loss for {what} should be one number (the mean over the batch), got an array "
                          f"of shape {np.shape(loss)}\nHint: average over the samples")
    try:
        with np.errstate(all="ignore"):
            loss = as_number(loss, f"the loss for {what}", hint=hint)
    except WrongAnswer:
        if big:
            raise WrongAnswer(f"for {what} your loss is inf or NaN\nHint: {_STABLE}") from None
        raise
    mistakes = {"the sum over the batch, not the mean": ref_loss * z.shape[0],
                "the row maxima subtracted but not added back": ref_loss - z.max(axis=1).mean()}
    expect_close(loss, ref_loss, f"the loss for {what}", hint, rtol=1e-9,
                 mistakes={k: v for k, v in mistakes.items() if not np.isclose(v, ref_loss, rtol=1e-9)})


def _check_dlogits(dlogits, z, y, ref_dz: np.ndarray, what: str, big: bool) -> None:
    """∂L/∂z: finite, of shape (n, C), the reference's; named mistakes."""
    try:
        dz = np.asarray(dlogits, dtype=float)
    except (TypeError, ValueError):
        dz = None
    if big and dz is not None and dz.shape == z.shape and not np.all(np.isfinite(dz)):
        raise WrongAnswer(f"dlogits for {what} contains inf or NaN\nHint: {_STABLE}")
    n = z.shape[0]
    onehot = np.zeros_like(z)
    onehot[np.arange(n), y] = 1.0
    mistake = _named(dz, {
        "the gradient of the sum, not of the mean (divide by n)": ref_dz * n if n > 1 else None,
        "the softmax itself: the one-hot labels are not subtracted": (ref_dz * n + onehot) / n,
        "one-hot minus softmax: the sign is flipped": -ref_dz,
    }, rtol=1e-9, atol=1e-12)
    expect_close(dlogits, ref_dz, f"dlogits for {what}",
                 f"it matches a common mistake: {mistake}" if mistake else
                 (_STABLE if big else "∂L/∂z_ic is the softmax p_ic minus 1 for the true class, divided by the "
                  "batch size"), rtol=1e-9, atol=1e-12)


def check_softmax_cross_entropy(softmax_cross_entropy, seed: int = 0) -> None:
    """Loss and ∂L/∂z against the package's reference ``nn.softmax_cross_entropy``: random logits, a batch
    of one, two classes, ties for a row's maximum, and logits of ±1e4 (where the textbook formula overflows)."""
    rng = np.random.default_rng(seed)
    for what, z, y in _softmax_cases(rng, seed):
        out = _values(_call_quietly(softmax_cross_entropy, z.copy(), y.copy()), 2, "softmax_cross_entropy",
                      "loss, dlogits")
        ref_loss, ref_dz = ref_softmax_cross_entropy(z, y)
        big = bool(np.abs(z).max() > 700)
        _check_loss(out[0], z, ref_loss, what, big)
        _check_dlogits(out[1], z, y, ref_dz, what, big)
    passed("softmax_cross_entropy")


def _adamw_setting(rng, seed: int) -> dict:
    shape = ((7,), (3, 4), (5,), (2, 1, 3))[seed % 4]
    if seed == 0:
        return dict(shape=shape, lr=0.05, betas=(0.9, 0.999), eps=1e-8, wd=0.1)
    return dict(shape=shape, lr=float(np.exp(rng.uniform(np.log(0.003), np.log(0.2)))),
                betas=(float(rng.uniform(0.5, 0.97)), float(rng.uniform(0.9, 0.9999))),
                eps=float(np.exp(rng.uniform(np.log(1e-9), np.log(1e-6)))),
                wd=float(np.exp(rng.uniform(np.log(0.01), np.log(1.0)))))


def check_adamw_step(adamw_step, seed: int = 0) -> None:
    """Six AdamW steps in a row (the student's outputs fed back in) against ``optim.AdamW``, on a vector or
    a matrix of parameters, with gradient entries that are large, tiny (where ε matters) and exactly zero;
    then a step without weight decay and with a zero gradient, which must leave θ as it is."""
    rng = np.random.default_rng(seed)
    s = _adamw_setting(rng, seed)
    shape, lr, betas, eps, wd = s["shape"], s["lr"], s["betas"], s["eps"], s["wd"]
    b1, b2 = betas
    where = f"(α = {lr:.3g}, β = ({b1:.3g}, {b2:.4g}), ε = {eps:.2g}, λ = {wd:.3g}, θ of shape {shape})"
    size = int(np.prod(shape))
    ref = AdamW(lr, betas=betas, eps=eps, weight_decay=wd)
    theta = rng.normal(size=shape)
    state = ref.init_state(theta.reshape(1, -1))
    scales = np.resize(np.array([1.0, 1.0, 10.0, 0.1, 1e-6, 1e-7, 0.0]), size).reshape(shape)
    m, v = np.zeros(shape), np.zeros(shape)
    with np.errstate(all="ignore"):
        for k in range(1, 7):
            g = rng.normal(size=shape) * scales
            expected = ref.step(theta.reshape(1, -1).copy(), g.reshape(1, -1), state, lr=lr, t=k - 1,
                                objective=None)[0].reshape(shape)
            ref_m, ref_v = state["exp_avg"][0].reshape(shape), state["exp_avg_sq"][0].reshape(shape)
            out = _values(_call_quietly(adamw_step, theta.copy(), g.copy(), m.copy(), v.copy(), k, lr, betas, eps, wd),
                          3, "adamw_step", "theta_new, m_new, v_new")
            decayed = theta * (1 - lr * wd)
            m_hat, v_hat = ref_m / (1 - b1**k), ref_v / (1 - b2**k)
            mistake = _named(out[1], {
                "the bias-corrected m̂: return the running average m itself, the state for the next step": m_hat,
                "the weight decay entered m: in AdamW it stays out of the moments (that is what decoupled "
                "means)": b1 * m + (1 - b1) * (g + wd * theta),
                "the weight decay entered m: in AdamW it stays out of the moments": b1 * m + (1 - b1) * (g + wd * decayed),
            })
            expect_close(out[1], ref_m, f"m after step {k} {where}",
                         mistake or "m is the running average of the gradients, before bias correction, without "
                         "weight decay")
            mistake = _named(out[2], {
                "the bias-corrected v̂: return the running average v itself, the state for the next step": v_hat,
            })
            expect_close(out[2], ref_v, f"v after step {k} {where}",
                         mistake or "v is the running average of the squared gradients (elementwise), before bias "
                         "correction; the gradient alone enters it, no weight decay")
            step = lr * m_hat / (np.sqrt(v_hat) + eps)
            mistake = _named(out[0], {
                "θ is not decayed: AdamW first shrinks θ by the factor (1 − αλ)": theta - step,
                "θ is shrunk by (1 − λ); the factor is (1 − αλ), the decay per step scales with α":
                    theta * (1 - wd) - step,
                "the decay is applied after the Adam step; AdamW shrinks θ first, then takes the step":
                    (theta - step) * (1 - lr * wd),
                "the step uses m and v without their bias corrections":
                    decayed - lr * ref_m / (np.sqrt(ref_v) + eps),
                "ε is inside the square root; it is added after it": decayed - lr * m_hat / np.sqrt(v_hat + eps),
                "the bias corrections use the wrong power: step k (1 for the first) divides by 1 − βᵏ":
                    decayed - lr * (ref_m / (1 - b1 ** (k + 1))) / (np.sqrt(ref_v / (1 - b2 ** (k + 1))) + eps),
            }, rtol=1e-9, atol=1e-12)
            expect_close(out[0], expected, f"θ after step {k} {where}",
                         mistake or "first shrink θ by the factor (1 − αλ), then take Adam's step with the "
                         "bias-corrected m̂ and v̂ (k is the number of this step, 1 for the first) and ε added after "
                         "the square root", rtol=1e-9, atol=1e-12)
            theta, m, v = expected, ref_m.copy(), ref_v.copy()
    # without weight decay and with a zero gradient θ must not move at all
    out = _values(_call_quietly(adamw_step, theta.copy(), np.zeros(shape), np.zeros(shape), np.zeros(shape), 1, lr,
                                betas, eps, 0.0), 3, "adamw_step", "theta_new, m_new, v_new")
    expect(_same(out[0], theta, rtol=1e-12, atol=0),
           "with a zero gradient and weight_decay = 0, θ should not move at all",
           "without weight decay AdamW is Adam, and a zero gradient gives a zero step")
    passed("adamw_step")
