"""Line search (slide 27): choose the step α along a direction d instead of fixing it.

Along the ray θ + α d the loss is a function of one number,

    φ(α) = L(θ + α d),    φ'(0) = ∇L(θ)ᵀ d < 0 for a descent direction (e.g. d = −∇L).

* ``exact`` returns α* = argmin_{α >= 0} φ(α): in closed form on a quadratic
  L(θ) = ½ θᵀAθ − bᵀθ + c, where α* = −∇Lᵀd / dᵀAd (= gᵀg / gᵀAg for d = −g),
  otherwise by bracketing and golden-section search (a few dozen evaluations of L).
* ``backtracking`` (Armijo) tries α0, ρα0, ρ²α0, ... and returns the first, i.e.
  the largest of that sequence, with φ(α) <= φ(0) + c α φ'(0) ("sufficient decrease").
* ``GDLineSearch`` is gradient descent θ_{k+1} = θ_k − α_k ∇L(θ_k) with α_k from
  one of them, usable with ``optim.run``.

Each search counts the evaluations of L it needs: pass ``full=True`` to get a
``LineSearchResult`` instead of the bare step. One convention throughout: an
evaluation is a step α > 0 tried on the line; φ(0) = L(θ) is not counted, because
computing ∇L(θ) (a forward and a backward pass) gave it already. Every evaluation
of L is a pass over the whole data set, which is why deep learning does not search
the line.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from ._validate import check_choice, check_int, check_positive, check_real
from .numdiff import numerical_grad
from .optim.base import Optimizer

__all__ = ["LineSearchResult", "exact", "backtracking", "phi", "GDLineSearch"]

_INV_PHI = (np.sqrt(5.0) - 1.0) / 2.0  # 1/golden ratio ≈ 0.618


class LineSearchResult(NamedTuple):
    """alpha: the step; n_values: evaluations of L at the steps tried (φ(0) = L(θ) is not counted:
    computing ∇L(θ) gave it); n_grads: of ∇L; method: "closed form", "golden section" or
    "backtracking"; trials: the α > 0 tried, in order (one evaluation of L each)."""

    alpha: float
    n_values: int
    n_grads: int
    method: str
    trials: tuple


class _Counted:
    """φ(α) = L(x + α d) that counts its calls at α > 0 (non-finite values become +inf);
    ``at_start()`` is φ(0) = L(x), which is not counted (computing ∇L(x) gave it)."""

    def __init__(self, f: Callable, x: np.ndarray, d: np.ndarray):
        self.f, self.x, self.d = f, x, d
        self.calls = 0
        self.trials: list[float] = []

    def _value(self, alpha: float) -> float:
        with np.errstate(all="ignore"):
            v = float(np.asarray(self.f(self.x + alpha * self.d)).reshape(()))
        return v if np.isfinite(v) else np.inf

    def at_start(self) -> float:
        return self._value(0.0)

    def __call__(self, alpha: float) -> float:
        self.calls += 1
        self.trials.append(float(alpha))
        return self._value(alpha)


def _prepare(f, x, d):
    if not callable(f):
        raise TypeError(f"f must be an objective or a callable θ -> L(θ), got {type(f).__name__}")
    x = np.asarray(x, dtype=float)
    d = np.asarray(d, dtype=float)
    if x.ndim != 1 or d.shape != x.shape:
        raise ValueError(f"x and d must be 1D arrays of the same length, got shapes {x.shape} and {d.shape}")
    if not (np.isfinite(x).all() and np.isfinite(d).all()):
        raise ValueError("x and d must be finite (no NaN or inf)")
    dim = getattr(f, "dim", None)
    if dim is not None and dim != x.size:
        raise ValueError(f"x must have length {dim} for this objective, got {x.size}")
    return x, d


def _descent_slope(f, x, d, g):
    """(∇L(x), gradient evaluations, slope ∇L(x)ᵀd); raises unless d is a descent direction."""
    g, n_grads = _gradient(f, x, g)
    slope = float(g @ d)
    if slope > 0:
        raise ValueError(f"d must be a descent direction (∇L(x)ᵀd < 0), got ∇L(x)ᵀd = {slope:.4g}")
    return g, n_grads, slope


def _gradient(f, x, g):
    """(∇L(x), gradient evaluations it cost): the given g, f.grad, or central differences."""
    if g is not None:
        g = np.asarray(g, dtype=float)
        if g.shape != x.shape or not np.isfinite(g).all():
            raise ValueError(f"g must be a finite array of the shape of x {x.shape}, got shape {g.shape}")
        return g, 0
    if hasattr(f, "grad"):
        return np.asarray(f.grad(x), dtype=float).reshape(x.shape), 1
    return np.asarray(numerical_grad(f, x), dtype=float), 1


def phi(f: Callable, x, d) -> Callable[[np.ndarray], np.ndarray]:
    """φ(α) = L(x + α d) as a vectorised function of α (any shape): for plots of the line."""
    x, d = _prepare(f, x, d)

    def line(alpha):
        a = np.asarray(alpha, dtype=float)
        with np.errstate(all="ignore"):
            return np.asarray(f(x + a[..., None] * d), dtype=float)

    return line


def exact(f: Callable, x, d, *, method: str = "auto", g=None, alpha_max: float = 1e6,
          tol: float = 1e-7, max_evals: int = 200, full: bool = False):
    """α* = argmin_{α >= 0} L(x + α d): the exact line search of slide 27.

    f      : an Objective (or any callable θ -> L(θ); then ∇L is taken by finite differences).
    x, d   : the point θ and the direction, arrays of shape (dim,); d must point downhill
             (∇L(x)ᵀd < 0); with ∇L(x)ᵀd = 0 the step is 0.
    method : "closed form" (a quadratic: α* = −∇Lᵀd / dᵀ∇²L d, one gradient and one
             Hessian), "golden" (bracketing, then golden-section search until the bracket
             around α* is narrower than ``tol`` · α*, a relative width), or "auto": closed form when f declares ``quadratic = True``
             (e.g. LeastSquares, quadratic_form) or its Hessian at x and x + d agree along
             d, golden otherwise.
    alpha_max : if φ keeps falling up to this step the search stops there (φ unbounded below).
    Returns α (float), or a LineSearchResult when ``full``.
    """
    x, d = _prepare(f, x, d)
    method = check_choice("method", method, ("auto", "closed form", "golden"))
    alpha_max = check_positive("alpha_max", alpha_max)
    tol = check_positive("tol", tol)
    max_evals = check_int("max_evals", max_evals, low=3)
    g, n_grads, slope = _descent_slope(f, x, d, g)
    if slope == 0:
        return LineSearchResult(0.0, 0, n_grads, "zero slope", ()) if full else 0.0
    auto = method == "auto"
    if auto:
        method = "closed form" if _is_quadratic_along(f, x, d) else "golden"
    if method == "closed form":
        if not hasattr(f, "hessian"):
            raise ValueError("method 'closed form' needs an objective with a Hessian (e.g. LeastSquares)")
        curvature = float(d @ np.asarray(f.hessian(x), dtype=float).reshape(x.size, x.size) @ d)
        if curvature > 0:
            alpha = min(-slope / curvature, alpha_max)
            return LineSearchResult(alpha, 0, n_grads, "closed form", (alpha,)) if full else alpha
        if not auto:
            raise ValueError(f"the closed form needs positive curvature dᵀAd > 0 along d, got {curvature:.4g}")
        # a quadratic curving down along d has no minimum on the ray: the search runs to alpha_max
    line = _Counted(f, x, d)
    alpha = _golden(line, slope, alpha_max, tol, max_evals)
    if full:
        return LineSearchResult(alpha, line.calls, n_grads, "golden section", tuple(line.trials))
    return alpha


def _is_quadratic_along(f, x, d) -> bool:
    if getattr(f, "quadratic", False):
        return True
    if not hasattr(f, "hessian") or not getattr(f, "analytic_hessian", True):
        return False  # a finite-difference Hessian cannot prove anything
    u = d / np.linalg.norm(d)
    scale = max(1.0, float(np.linalg.norm(x)))  # probe where the search will look, however short d is
    with np.errstate(all="ignore"):
        h = np.asarray(f.hessian(np.stack([x, x + scale * u, x - 0.618 * scale * u])), dtype=float)
    c = np.einsum("kij,i,j->k", h.reshape(3, x.size, x.size), u, u)
    return bool(np.all(np.isfinite(c)) and np.ptp(c) <= 1e-12 * max(np.max(np.abs(c)), 1e-300))


def _golden(line: _Counted, slope: float, alpha_max: float, tol: float, max_evals: int) -> float:
    """Bracket a minimum of φ on [0, alpha_max] by growing or shrinking the step, then
    shrink the bracket [lo, hi] by the golden ratio until it is narrow *relative to the
    step*: hi − lo <= tol · (lo + hi) / 2 (so a step of 1e-3 is found to ±1e-3·tol,
    not to ±tol). The bracket always holds a positive step (φ'(0) < 0), so the
    midpoint is > 0 and the loop ends; ``max_evals`` bounds it as well."""
    f0 = line.at_start()
    b = min(1.0, alpha_max)
    fb = line(b)
    if fb >= f0:  # overshot: shrink towards 0 until φ(b) < φ(0) (it must, as φ'(0) < 0)
        lo = 0.0
        while fb >= f0:
            hi = b
            b *= _INV_PHI ** 2
            if -slope * b <= 4 * np.finfo(float).eps * abs(f0) or b < 1e-300 or line.calls >= max_evals:
                return 0.0  # any decrease this short step could make is below round-off
            fb = line(b)
    else:  # φ still falling at b: step right with growing steps until it rises
        a, hi = 0.0, min(b + (1 + _INV_PHI) * b, alpha_max)
        fc = line(hi)
        while fc < fb:
            if hi >= alpha_max or line.calls >= max_evals:
                return float(hi)
            a, b, fb = b, hi, fc
            hi = min(b + (1 + _INV_PHI) * (b - a), alpha_max)
            fc = line(hi)
        lo = a
    x1, x2 = hi - _INV_PHI * (hi - lo), lo + _INV_PHI * (hi - lo)
    # the bracketing steps were chosen so that b usually is the first golden point already
    f1 = fb if abs(x1 - b) <= 1e-12 * (1.0 + b) else line(x1)
    f2 = line(x2)
    while hi - lo > tol * 0.5 * (lo + hi) and line.calls < max_evals:
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - _INV_PHI * (hi - lo)
            f1 = line(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + _INV_PHI * (hi - lo)
            f2 = line(x2)
    best_f, best_a = min((f1, x1), (f2, x2), (fb, b))
    return float(best_a) if best_f < f0 else 0.0


def backtracking(f: Callable, x, d, alpha0: float = 1.0, c: float = 1e-4, rho: float = 0.5, *,
                 g=None, max_iter: int = 60, full: bool = False):
    """Armijo backtracking: the first α in α0, ρα0, ρ²α0, ... with

        L(x + α d) <= L(x) + c α ∇L(x)ᵀd     (sufficient decrease).

    f : an Objective (or callable θ -> L(θ)); x, d : (dim,) arrays, d a descent direction.
    alpha0 > 0 : the first trial; c in (0, 1); rho in (0, 1): the shrink factor.
    g : ∇L(x) if already known (saves a gradient evaluation).
    Costs one evaluation of L per trial (L(x) itself is not counted: computing ∇L(x) gave it,
    see the module docstring). Raises ValueError if d points uphill
    and RuntimeError if no α in max_iter trials satisfies the condition.
    Returns α (float), or a LineSearchResult when ``full``.
    """
    x, d = _prepare(f, x, d)
    alpha0 = check_positive("alpha0", alpha0)
    c = check_real("c", c, low=0, high=1, low_open=True, high_open=True)
    rho = check_real("rho", rho, low=0, high=1, low_open=True, high_open=True)
    max_iter = check_int("max_iter", max_iter, low=1)
    g, n_grads, slope = _descent_slope(f, x, d, g)
    if slope == 0:
        return LineSearchResult(0.0, 0, n_grads, "zero slope", ()) if full else 0.0
    line = _Counted(f, x, d)
    f0 = line.at_start()
    alpha = alpha0
    for _ in range(max_iter):
        if line(alpha) <= f0 + c * alpha * slope:
            if full:
                return LineSearchResult(alpha, line.calls, n_grads, "backtracking", tuple(line.trials))
            return alpha
        alpha *= rho
    raise RuntimeError(f"no step in {alpha0:g}·{rho:g}^k, k < {max_iter}, satisfies the Armijo condition "
                       f"(is d a descent direction of a smooth function?)")


class GDLineSearch(Optimizer):
    """Gradient descent with line search: θ_{k+1} = θ_k − α_k ∇L(θ_k), α_k chosen on the line.

    search : "exact" (``exact``) or "backtracking" (``backtracking`` with c and rho,
             starting each search at α0 = lr).
    lr     : α0 of the backtracking search (the learning rate plays no other role).
    After ``run`` the optimiser holds the per-step records ``alphas`` and
    ``evaluations`` (evaluations of L spent by the search, one list per start) and
    ``total_evaluations``. When backtracking finds no step with a measurable decrease
    (near a minimum, below round-off) the start stays where it is (α = 0).
    """

    name = "GD + line search"

    def __init__(self, search: str = "exact", lr: float = 1.0, c: float = 1e-4, rho: float = 0.5):
        super().__init__(lr)
        self.search = check_choice("search", search, ("exact", "backtracking"))
        self.c = check_real("c", c, low=0, high=1, low_open=True, high_open=True)
        self.rho = check_real("rho", rho, low=0, high=1, low_open=True, high_open=True)
        self.name = f"GD + {search} line search"
        self.alphas: list[list[float]] = []
        self.evaluations: list[list[int]] = []

    def hyperparameters(self):
        return {"search": self.search, "lr": self.lr, "c": self.c, "rho": self.rho}

    @property
    def total_evaluations(self) -> int:
        return int(sum(sum(e) for e in self.evaluations))

    def init_state(self, x):
        self.alphas = [[] for _ in range(x.shape[0])]
        self.evaluations = [[] for _ in range(x.shape[0])]
        return {}

    def step(self, x, g, state, *, lr, t, objective):
        out = np.array(x, dtype=float)
        for i in range(x.shape[0]):  # each start searches its own line
            if not np.all(np.isfinite(g[i])):
                out[i] = np.nan
                continue
            if self.search == "exact":
                res = exact(objective, x[i], -g[i], g=g[i], full=True)
            else:
                try:
                    res = backtracking(objective, x[i], -g[i], alpha0=lr, c=self.c, rho=self.rho, g=g[i],
                                       full=True)
                except RuntimeError:  # no measurable decrease left (round-off): stay put
                    res = LineSearchResult(0.0, 60, 0, "backtracking failed", ())  # 60 = max_iter tries
            self.alphas[i].append(res.alpha)
            self.evaluations[i].append(res.n_values)
            out[i] = x[i] - res.alpha * g[i]
        return out
