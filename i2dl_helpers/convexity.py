"""Numerical convexity tests on a box (slide 16).

A function L is convex when every chord lies on or above the graph (Jensen):

    L(λθ₁ + (1 − λ)θ₂) ≤ λ L(θ₁) + (1 − λ) L(θ₂)   for all θ₁, θ₂ and λ ∈ [0, 1].

``chord_test`` samples triples (θ₁, θ₂, λ) in a box and returns the worst
violation it finds as a counter-example. A finite sample can only refute
convexity, never prove it. ``hessian_map`` is the second-order test for a
twice-differentiable L: L is convex on a convex region iff its Hessian ∇²L is
positive semi-definite there, i.e. its smallest eigenvalue is ≥ 0 at every point.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from ._validate import check_int, check_real
from .formulas import formula, hypot
from .objectives import Objective
from .objectives import catalogue as _catalogue

__all__ = ["ChordTest", "ConvexityMap", "Counterexample", "chord_gap", "chord_test", "gallery",
           "hessian_map", "min_eigenvalue_2x2", "min_eigenvalue_of"]


class Counterexample(NamedTuple):
    """θ₁ = x, θ₂ = y, λ = lam and gap = L(λx + (1 − λ)y) − [λL(x) + (1 − λ)L(y)] > 0.

    x, y are arrays (d,), or floats for a 1D function.
    """

    x: np.ndarray | float
    y: np.ndarray | float
    lam: float
    gap: float


@dataclass
class ChordTest:
    """Result of :func:`chord_test`.

    convex         : True when no sampled chord dipped below the graph
                     ("no counter-example found", not a proof).
    counterexample : the worst violation found, or None.
    max_gap        : the largest gap over all samples (≤ tolerance when convex).
    n_samples      : how many (θ₁, θ₂, λ) triples were tried.
    """

    convex: bool
    counterexample: Counterexample | None
    max_gap: float
    n_samples: int

    def __str__(self) -> str:
        if self.convex:
            return f"no chord below the graph in {self.n_samples} samples (max gap {self.max_gap:.2e})"
        c = self.counterexample
        return (f"not convex: the chord from {np.round(c.x, 4).tolist()} to {np.round(c.y, 4).tolist()} "
                f"lies {c.gap:.4g} below the graph at λ = {c.lam:.3f}")


def _evaluator(f, dim: int) -> Callable[[np.ndarray], np.ndarray]:
    """Points (n, dim) -> values (n,), for an Objective or a plain callable.

    A plain callable receives (n, dim) arrays, or (n,) arrays when dim == 1
    (the Objective convention for 1D functions).
    """
    if isinstance(f, Objective):
        if f.dim != dim:
            raise ValueError(f"box has {dim} dimension(s) but the objective has dim={f.dim}")
        return lambda p: np.asarray(f.value_raw(p), dtype=float).reshape(-1)
    if not callable(f):
        raise TypeError(f"f must be an Objective or a callable, got {type(f).__name__}")
    if dim == 1:
        return lambda p: np.broadcast_to(np.asarray(f(p[:, 0]), dtype=float), (p.shape[0],))
    return lambda p: np.broadcast_to(np.asarray(f(p), dtype=float), (p.shape[0],))


def _box(f, box) -> np.ndarray:
    if box is None:
        if not isinstance(f, Objective):
            raise ValueError("box is required when f is not an Objective (e.g. box=[(-2, 2), (-2, 2)])")
        return np.array(f.domain, dtype=float)
    arr = np.asarray(box, dtype=float)
    if arr.shape == (2,):
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != 2 or not np.all(np.isfinite(arr)) or np.any(arr[:, 0] >= arr[:, 1]):
        raise ValueError(f"box must be one (low, high) pair per dimension with low < high, got {box!r}")
    return arr


def chord_gap(f, x, y, lam) -> np.ndarray:
    """gap = L(λx + (1 − λ)y) − [λ L(x) + (1 − λ) L(y)], vectorised.

    x, y : points (..., d) (for a 1D function numbers or arrays); lam : λ, broadcast
    against the points' leading shape. A positive gap means the graph is above
    the chord there: a violation of convexity.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    lam = np.asarray(lam, dtype=float)
    if np.any((lam < 0) | (lam > 1)) or not np.all(np.isfinite(lam)):
        raise ValueError("lam must lie in [0, 1]")
    dim = f.dim if isinstance(f, Objective) else (x.shape[-1] if x.ndim else 1)
    if dim == 1 and (x.ndim == 0 or x.shape[-1] != 1):
        x, y = x[..., None], y[..., None]
    lead = np.broadcast_shapes(x.shape[:-1], y.shape[:-1], lam.shape)
    x, y = np.broadcast_to(x, lead + (dim,)), np.broadcast_to(y, lead + (dim,))
    lam_b = np.broadcast_to(lam, lead)[..., None]
    ev = _evaluator(f, dim)
    flat = lambda p: ev(p.reshape(-1, dim)).reshape(lead)
    with np.errstate(all="ignore"):
        return flat(lam_b * x + (1 - lam_b) * y) - (lam_b[..., 0] * flat(x) + (1 - lam_b[..., 0]) * flat(y))


def chord_test(f, box=None, n_samples: int = 20000, seed: int = 0, rtol: float = 1e-9,
               atol: float = 1e-12) -> ChordTest:
    """Sampled Jensen test: look for a chord that dips below the graph of L on a box.

    f         : an Objective (its domain is the default box) or a callable on
                points (n, d) ((n,) for d = 1).
    box       : (d, 2) array of (low, high) per coordinate.
    n_samples : number of triples θ₁, θ₂ ~ Uniform(box), λ ~ Uniform(0, 1), drawn
                with ``numpy.random.default_rng(seed)``.
    A triple counts as a violation when
        gap = L(λθ₁ + (1 − λ)θ₂) − [λL(θ₁) + (1 − λ)L(θ₂)] > atol + rtol·max(|L(θ₁)|, |L(θ₂)|),
    which keeps round-off on linear pieces from counting.
    Returns a ChordTest whose ``counterexample`` is the triple with the largest gap.
    """
    box = _box(f, box)
    dim = box.shape[0]
    ev = _evaluator(f, dim)
    n_samples = check_int("n_samples", n_samples, low=1)
    check_int("seed", seed, low=0)
    rtol, atol = check_real("rtol", rtol, low=0), check_real("atol", atol, low=0)
    rng = np.random.default_rng(seed)
    lo, hi = box[:, 0], box[:, 1]
    x = lo + (hi - lo) * rng.random((n_samples, dim))
    y = lo + (hi - lo) * rng.random((n_samples, dim))
    lam = rng.random(n_samples)
    with np.errstate(all="ignore"):
        fx, fy = ev(x), ev(y)
        fz = ev(lam[:, None] * x + (1 - lam[:, None]) * y)
        gap = fz - (lam * fx + (1 - lam) * fy)
        excess = gap - (atol + rtol * np.maximum(np.abs(fx), np.abs(fy)))
    excess = np.where(np.isfinite(excess), excess, -np.inf)
    i = int(np.argmax(excess))
    max_gap = float(np.max(np.where(np.isfinite(gap), gap, -np.inf)))
    if excess[i] > 0:
        point = (lambda v: v.copy()) if dim > 1 else (lambda v: float(v[0]))  # 1D: plain numbers
        ce = Counterexample(point(x[i]), point(y[i]), float(lam[i]), float(gap[i]))
        return ChordTest(False, ce, max_gap, n_samples)
    return ChordTest(True, None, max_gap, n_samples)


def min_eigenvalue_2x2(H: np.ndarray) -> np.ndarray:
    """Smallest eigenvalue of symmetric 2×2 matrices (..., 2, 2) in closed form:
    λ_min = (a + c)/2 − √(((a − c)/2)² + b²) for [[a, b], [b, c]]."""
    a, b, c = H[..., 0, 0], 0.5 * (H[..., 0, 1] + H[..., 1, 0]), H[..., 1, 1]
    return 0.5 * (a + c) - np.hypot(0.5 * (a - c), b)


@formula
def min_eigenvalue_of(h):
    """Smallest eigenvalue of one 2×2 matrix h (nested lists or an array), symmetrised as
    :func:`min_eigenvalue_2x2`: (a + c)/2 − hypot((a − c)/2, b), b = (h₀₁ + h₁₀)/2 (the formulas' hypot)."""
    a = h[0][0]
    c = h[1][1]
    b = 0.5 * (h[0][1] + h[1][0])
    return 0.5 * (a + c) - hypot(0.5 * (a - c), b)


@dataclass
class ConvexityMap:
    """Result of :func:`hessian_map` on an n × n grid (or n points in 1D).

    grid    : (X, Y) arrays (n, n) for 2D, or (xs,) of shape (n,) for 1D.
    min_eig : smallest eigenvalue of ∇²L at each grid point, shape (n, n) or (n,).
    convex  : min_eig ≥ −tol: where L is locally convex.
    fraction: share of grid points where L is locally convex.
    """

    grid: tuple
    min_eig: np.ndarray
    convex: np.ndarray
    tol: float

    @property
    def fraction(self) -> float:
        return float(np.mean(self.convex))

    @property
    def everywhere(self) -> bool:
        """True when the Hessian is positive semi-definite at every grid point."""
        return bool(np.all(self.convex))


def hessian_map(objective: Objective, n: int = 200, domain=None, tol: float = 1e-9) -> ConvexityMap:
    """Second-order convexity test: the smallest eigenvalue of ∇²L(θ) on a grid.

    L is locally convex where ∇²L(θ) is positive semi-definite (all eigenvalues
    ≥ 0); in 1D this is L''(θ) ≥ 0. Works for 1D and 2D objectives.
    n : grid points per axis (n × n in 2D).
    Returns a ConvexityMap with min_eig of shape (n, n) (rows follow y) or (n,).
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
    if objective.dim not in (1, 2):
        raise ValueError(f"hessian_map needs a 1D or 2D objective, got dim={objective.dim}")
    n = check_int("n", n, low=2, high=2000)
    tol = check_real("tol", tol, low=0)
    with np.errstate(all="ignore"):
        if objective.dim == 1:
            xs = objective.grid(n, domain)
            lam = np.asarray(objective.hessian(xs), dtype=float).reshape(n)
            grid = (xs,)
        else:
            X, Y, P = objective.grid(n, domain)
            lam = min_eigenvalue_2x2(objective.hessian(P))
            grid = (X, Y)
    return ConvexityMap(grid, lam, lam >= -tol, tol)


def gallery() -> list[tuple[Objective, bool]]:
    """Examples for the convexity notebook: (objective, is it convex?).

    Convex: x², eˣ, softplus log(1 + eˣ), x⁴ (L'' = 0 at 0, still convex),
    the round bowl and an ill-conditioned quadratic. Non-convex: the double
    well, x²/10 − cos 3x, Rosenbrock (its Hessian is indefinite for y > x² + 1/200),
    Himmelblau and the saddle.
    """
    convex_1d = [_catalogue.declare(text, name=name, domain=[box], minima=minima)
                 for name, text, box, minima in (("x²", "x**2", (-2, 2), [[0.0]]), ("exp(x)", "exp(x)", (-2, 2), None),
                                                 ("softplus", "softplus(x)", (-4, 4), None),
                                                 ("x⁴", "x**4", (-1.5, 1.5), [[0.0]]))]
    out = [(o, True) for o in convex_1d]
    out += [(_catalogue.get("double_well"), False), (_catalogue.get("many_minima"), False)]
    out += [(_catalogue.get("bowl"), True), (_catalogue.get("ill_conditioned", condition=10.0, angle=30.0), True)]
    out += [(_catalogue.get(k), False) for k in ("rosenbrock", "himmelblau", "saddle")]
    return out
