"""First-order optimisers beyond plain GD: momentum, Nesterov, AdaGrad, RMSProp, Adam.

Every update rule, hyper-parameter name and default follows ``torch.optim``
(SGD with dampening 0, Adagrad, non-centered RMSprop, Adam with bias
correction), operation by operation, so that the same gradients give the same
iterates to round-off (``tests/test_optimizers_torch.py`` checks this).

The arithmetic of each rule is declared once, in :mod:`i2dl_helpers.optim.rules`: the classes'
``step`` and ``init_state`` (and the diagnostics ``step_sizes``, ``velocity``) are generated from
those declarations, as are the browser's steps (``widgets/flatprog.js``, ``widgets/flatbatch.js``).
The classes here hold the hyper-parameters, check them and state the formulas.

All optimisers work on a batch of starts: ``x`` and ``g`` have shape (n, d) and
every per-parameter quantity kept in ``state`` has shape (n, d) too. The ``lr``
given to :meth:`step` already includes any schedule factor (``run`` applies it).
Element-wise operations (squares, square roots, divisions) act per coordinate:
that is what "one learning rate per parameter" means.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import check_positive, check_real
from ..formulas import formula, hypot, sqrt
from ..objectives.base import Objective
from . import rules
from .base import Optimizer, run

__all__ = ["Adagrad", "Adam", "AdamW", "RMSProp", "Recorder", "SGD", "momentum_converges", "momentum_rate",
           "momentum_rate_of"]


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def _check_unit(name: str, value: Any) -> float:
    """A number in [0, 1): momentum factors and moving-average decays."""
    return check_real(name, value, low=0.0, high=1.0, high_open=True)


class SGD(Optimizer):
    """Gradient descent with (heavy-ball or Nesterov) momentum, as ``torch.optim.SGD``.

    With momentum β = 0 it is plain GD: θ_{k+1} = θ_k − α ∇L(θ_k).
    With β > 0 a buffer b (per start and coordinate, shape (n, d)) accumulates
    the gradients (dampening 0):

        b_0 = ∇L(θ_0),   b_k = β b_{k−1} + ∇L(θ_k)            (k ≥ 1)
        θ_{k+1} = θ_k − α b_k                                  (heavy ball)
        θ_{k+1} = θ_k − α (∇L(θ_k) + β b_k)                    (nesterov=True)

    For a constant α this is the lecture's form v ← βv − α∇L, θ ← θ + v with
    v_k = −α b_k (both start from v = 0).

    With weight decay λ > 0 (torch's ``weight_decay``, an L2 penalty λ/2 ‖θ‖² added to the loss)
    every gradient above is first replaced by ∇L(θ_k) + λ θ_k.

    lr           : α > 0.
    momentum     : β in [0, 1).
    nesterov     : use the Nesterov form (needs momentum > 0).
    weight_decay : λ >= 0.
    Raises ValueError for a negative momentum, momentum >= 1 or Nesterov without momentum.
    """

    name = "SGD"

    def __init__(self, lr: float, momentum: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(lr)
        self.momentum = _check_unit("momentum", momentum)
        self.nesterov = _check_bool("nesterov", nesterov)
        self.weight_decay = check_real("weight_decay", weight_decay, low=0.0)
        if self.nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs a momentum in (0, 1), got momentum=0")
        if self.nesterov:
            self.name = "Nesterov"
        elif self.momentum > 0:
            self.name = "Momentum"

    init_state = rules.numpy_init("SGD")
    step = rules.numpy_step("SGD")

    def hyperparameters(self):
        hp = {"lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov}
        if self.weight_decay:
            hp["weight_decay"] = self.weight_decay
        return hp


class Adagrad(Optimizer):
    """AdaGrad, as ``torch.optim.Adagrad``: one learning rate per coordinate.

    Keeps the running sum of squared gradients G (per start and coordinate, (n, d)):

        G_k = G_{k−1} + ∇L(θ_k)²,   G_{−1} = initial_accumulator_value
        α_k = α / (1 + k · lr_decay)
        θ_{k+1} = θ_k − α_k ∇L(θ_k) / (√G_k + ε)

    (squares, roots and the division act per coordinate). Coordinates that have
    seen large gradients take smaller steps; the steps only ever shrink.

    lr : α > 0;  eps : ε > 0 (added after the root);  lr_decay >= 0;
    initial_accumulator_value >= 0.
    """

    name = "AdaGrad"

    def __init__(self, lr: float, eps: float = 1e-10, lr_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0):
        super().__init__(lr)
        self.eps = check_positive("eps", eps)
        self.lr_decay = check_real("lr_decay", lr_decay, low=0.0)
        self.initial_accumulator_value = check_real("initial_accumulator_value", initial_accumulator_value, low=0.0)

    init_state = rules.numpy_init("AdaGrad")
    step = rules.numpy_step("AdaGrad")
    #: step_sizes(state, lr, t): the per-coordinate learning rate α_k / (√G_k + ε) of the last step, (n, d)
    step_sizes = rules.numpy_readout("AdaGrad", "step_sizes")

    def hyperparameters(self):
        return {"lr": self.lr, "eps": self.eps, "lr_decay": self.lr_decay,
                "initial_accumulator_value": self.initial_accumulator_value}


class RMSProp(Optimizer):
    """RMSProp, as ``torch.optim.RMSprop`` (``alpha`` is the decay of the average).

    Keeps a moving average s of squared gradients (per start and coordinate, (n, d)):

        s_k = a s_{k−1} + (1 − a) ∇L(θ_k)²,   s_{−1} = 0
        θ_{k+1} = θ_k − α ∇L(θ_k) / (√s_k + ε)

    Unlike AdaGrad's sum, the average forgets old gradients, so the steps do not
    shrink for ever. With ``centered=True`` the variance s_k − m_k² replaces s_k
    (m_k the moving average of the gradients); with ``momentum`` μ > 0 a buffer
    b_k = μ b_{k−1} + ∇L/(√s_k + ε) is applied instead: θ_{k+1} = θ_k − α b_k.

    lr : α > 0;  alpha : a in [0, 1);  eps : ε > 0;  momentum : μ in [0, 1).
    """

    name = "RMSProp"

    def __init__(self, lr: float, alpha: float = 0.99, eps: float = 1e-8, momentum: float = 0.0,
                 centered: bool = False):
        super().__init__(lr)
        self.alpha = _check_unit("alpha", alpha)
        self.eps = check_positive("eps", eps)
        self.momentum = _check_unit("momentum", momentum)
        self.centered = _check_bool("centered", centered)

    init_state = rules.numpy_init("RMSProp")
    step = rules.numpy_step("RMSProp")
    #: step_sizes(state, lr, t): the per-coordinate learning rate α / (√s_k + ε) of the last step, (n, d)
    #: (non-centered form)
    step_sizes = rules.numpy_readout("RMSProp", "step_sizes")

    def hyperparameters(self):
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps, "momentum": self.momentum,
                "centered": self.centered}


class Adam(Optimizer):
    """Adam with bias correction, as ``torch.optim.Adam``.

    Keeps moving averages of the gradient m and of its square v (per start and
    coordinate, (n, d)); with k = 1, 2, ... the number of steps taken:

        m_k = β₁ m_{k−1} + (1 − β₁) ∇L,      v_k = β₂ v_{k−1} + (1 − β₂) ∇L²
        m̂_k = m_k / (1 − β₁ᵏ),               v̂_k = v_k / (1 − β₂ᵏ)
        θ_{k+1} = θ_k − α m̂_k / (√v̂_k + ε)

    (m_0 = v_0 = 0; the corrections undo the pull towards 0 of the first steps.)
    It is momentum (m) and RMSProp (v) together.

    With ``weight_decay`` λ > 0 (torch's Adam: an L2 penalty) every gradient is first replaced
    by ∇L(θ_k) + λ θ_k, so the decay too is divided by √v̂_k (compare :class:`AdamW`).

    lr : α > 0;  betas : (β₁, β₂), each in [0, 1);  eps : ε > 0;  weight_decay : λ >= 0.
    """

    name = "Adam"
    decoupled = False  # the Adam rule's flag: weight decay as an L2 penalty (AdamW: decoupled)

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_check_unit("betas[0]", betas[0]), _check_unit("betas[1]", betas[1]))
        self.eps = check_positive("eps", eps)
        self.weight_decay = check_real("weight_decay", weight_decay, low=0.0)

    init_state = rules.numpy_init("Adam")
    step = rules.numpy_step("Adam")
    #: step_sizes(state, lr, t): the per-coordinate learning rate α / (√v̂_k + ε) that multiplies m̂_k in
    #: the last step, (n, d)
    step_sizes = rules.numpy_readout("Adam", "step_sizes")
    #: velocity(state): the bias-corrected first moment m̂_k of the last step, (n, d)
    velocity = rules.numpy_readout("Adam", "velocity")

    def hyperparameters(self):
        hp = {"lr": self.lr, "betas": self.betas, "eps": self.eps}
        if self.weight_decay or self.decoupled:
            hp["weight_decay"] = self.weight_decay
        return hp


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW`` (Loshchilov & Hutter, 2019).

    Before the Adam step (see :class:`Adam`) every parameter shrinks towards 0:

        θ ← θ (1 − α λ),   then   θ_{k+1} = θ − α m̂_k / (√v̂_k + ε)

    The decay is *decoupled* from the gradient: it does not enter m and v, so every parameter
    decays at the same rate α λ. (Adding λ θ to the gradient instead, the L2 penalty of
    ``SGD(weight_decay=λ)``, would be divided by √v̂ in Adam: parameters with large gradients
    would hardly decay.) α is the learning rate of this step, schedule included.

    lr : α > 0;  betas : (β₁, β₂), each in [0, 1);  eps : ε > 0;  weight_decay : λ >= 0
    (torch's default 0.01).
    """

    name = "AdamW"
    decoupled = True

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2):
        super().__init__(lr, betas, eps, weight_decay)


class Recorder(Optimizer):
    """Wraps an optimiser and keeps a copy of its state after every step.

    ``run(objective, Recorder(Adam(0.1)), x0)`` runs Adam exactly; afterwards
    ``recorder.states[k]`` is the state after step k (arrays copied) and
    ``recorder.lrs[k]`` the learning rate used, e.g. to draw what an adaptive
    method keeps per parameter along its path.
    """

    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be an Optimizer, got {type(optimizer).__name__}")
        self.inner = optimizer
        self.lr = optimizer.lr
        self.name = optimizer.name
        self.states: list[dict] = []
        self.lrs: list[float] = []

    def init_state(self, x):
        self.states, self.lrs = [], []
        return self.inner.init_state(x)

    def step(self, x, g, state, *, lr, t, objective):
        out = self.inner.step(x, g, state, lr=lr, t=t, objective=objective)
        self.states.append({k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in state.items()})
        self.lrs.append(lr)
        return out

    def hyperparameters(self):
        return self.inner.hyperparameters()


def momentum_rate(q, beta, nesterov: bool = False) -> np.ndarray:
    """Convergence factor of momentum on a quadratic with curvature λ, where q = αλ.

    On L(θ) = λθ²/2 heavy-ball momentum is the linear map
    (θ, v) ↦ ((1 − q)θ + βv, −qθ + βv) (lecture form, v ← βv − α∇L), whose
    eigenvalues solve z² − (1 + β − q) z + β = 0; Nesterov (torch form) is
    (θ, αb) ↦ ((1 − q(1 + β))θ − β²·αb, qθ + β·αb). The error shrinks like ρᵏ with
    ρ = max |z| (the spectral radius): it converges iff ρ < 1, which for heavy
    ball means 0 < q < 2 + 2β (and 0 <= β < 1). The two roots coincide
    (critical damping, fastest for a given q) at β = (1 − √q)².

    q, beta : arrays that broadcast together. Returns ρ with their broadcast shape; for two numbers,
    the declared formula :func:`momentum_rate_of` (which the browser runs too), as a numpy float.
    """
    if np.ndim(q) == 0 and np.ndim(beta) == 0:
        return np.float64(momentum_rate_of(float(q), float(beta), bool(nesterov)))
    q, beta = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(beta, dtype=float))
    if nesterov:
        tr = 1 - q * (1 + beta) + beta
        det = (1 - q * (1 + beta)) * beta + beta**2 * q
    else:
        tr = 1 + beta - q
        det = beta
    disc = (tr * tr - 4 * det).astype(complex)
    root = np.sqrt(disc)
    return np.maximum(np.abs((tr + root) / 2), np.abs((tr - root) / 2))


@formula
def momentum_rate_of(q, beta, nesterov=False):
    """:func:`momentum_rate` for one q = αλ and β: ρ = max |z| over the roots of z² − tr·z + det = 0,
    tr = 1 + β − q, det = β (heavy ball) or tr = 1 − q(1 + β) + β, det = (1 − q(1 + β))β + β²q
    (Nesterov); real roots (tr ± √disc)/2 when disc = tr² − 4 det >= 0, else a complex pair of
    modulus hypot(tr/2, √−disc/2)."""
    if nesterov:
        tr = 1 - q * (1 + beta) + beta
        det = (1 - q * (1 + beta)) * beta + beta * beta * q
    else:
        tr = 1 + beta - q
        det = beta
    disc = tr * tr - 4 * det
    if disc >= 0:
        root = sqrt(disc)
        return max(abs((tr + root) / 2), abs((tr - root) / 2))
    return hypot(tr / 2, sqrt(-disc) / 2)


def momentum_converges(q, beta: float, steps: int = 300, nesterov: bool = False) -> np.ndarray:
    """Run momentum on L(θ) = ½ Σ q_i θ_i² with α = 1 (so αλ_i = q_i) from θ = 1 and
    report which coordinates shrank: |θ_i| after ``steps`` steps < 1. Each coordinate
    is an independent 1D quadratic, so one run checks a whole row of the stability diagram.

    q : (m,) positive values of αλ;  beta : β in [0, 1). Returns a bool array (m,).
    """
    q = np.asarray(q, dtype=float)
    if q.ndim != 1 or np.any(q <= 0):
        raise ValueError("q must be a 1D array of positive values αλ")
    beta = _check_unit("beta", beta)
    # L = ½ Σ q_i θ_i² directly, O(m) per step: quadratic_form(diag(q)) would multiply by the m × m matrix
    obj = Objective(lambda p: 0.5 * np.sum(q * p * p, axis=-1), lambda p: q * p,
                    lambda p: np.broadcast_to(np.diag(q), p.shape[:-1] + (q.size, q.size)),
                    dim=q.size, name="½ Σ q_i θ_i²", minima=[np.zeros(q.size)], smoothness=float(q.max()))
    opt = SGD(1.0, momentum=beta, nesterov=nesterov) if beta > 0 else SGD(1.0)
    traj = run(obj, opt, np.ones(q.size), steps=steps, max_abs=1e300)
    return np.abs(traj.final) < 1.0
