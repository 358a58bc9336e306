"""The course's named objectives, each with analytic gradient and Hessian.

``get(name, **params)`` builds one; ``names(dim=None)`` lists them. Minimisers
that have no closed form are found once by Newton's method on the analytic
gradient (polished to round-off), which the tests check independently.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .._validate import check_choice, check_real
from .base import Objective

__all__ = ["get", "names", "register"]

_REGISTRY: dict[str, tuple[int, Callable[..., Objective], str]] = {}


def register(name: str, dim: int, summary: str):
    """Decorator adding a factory ``f(**params) -> Objective`` to the catalogue."""
    def deco(factory):
        _REGISTRY[name] = (dim, factory, summary)
        return factory
    return deco


def names(dim: int | None = None) -> list[str]:
    """Names of the catalogue's objectives, optionally only those of one dimension."""
    if dim is not None and dim not in (1, 2):
        raise ValueError(f"dim must be 1, 2 or None, got {dim!r}")
    return [n for n, (d, _, _) in _REGISTRY.items() if dim is None or d == dim]


def describe() -> dict[str, str]:
    """One line per objective: name -> summary."""
    return {n: s for n, (_, _, s) in _REGISTRY.items()}


def get(name: str, **params) -> Objective:
    """The objective called ``name``, e.g. ``get("quadratic", curvature=4.0)``.

    Raises ValueError listing the known names for an unknown one, and TypeError
    for a parameter the objective does not take.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    check_choice("name", name, _REGISTRY)
    factory = _REGISTRY[name][1]
    try:
        return factory(**params)
    except TypeError as err:
        raise TypeError(f"objective {name!r}: {err}") from None


def _polish(grad: Callable, hess: Callable, seeds, iters: int = 50) -> np.ndarray:
    """Newton's method θ ← θ − H⁻¹∇L from ``seeds`` (k, d), to round-off."""
    x = np.array(seeds, dtype=float)
    for _ in range(iters):
        step = np.linalg.solve(hess(x), grad(x)[..., None])[..., 0]
        x = x - step
        if np.max(np.abs(step)) < 1e-15 * (1 + np.max(np.abs(x))):
            break
    return x


# ---------------------------------------------------------------- 1D ------
@register("quadratic", 1, "L(x) = a/2 (x − c)²: convex, curvature a, GD stable for α < 2/a")
def quadratic(curvature: float = 1.0, center: float = 0.0) -> Objective:
    a = check_real("curvature", curvature, low=0, low_open=True)
    c = check_real("center", center)
    return Objective(
        lambda x: 0.5 * a * (x - c) ** 2,
        lambda x: a * (x - c),
        lambda x: np.full(np.shape(x), a),
        dim=1, name="quadratic", start=[c + 2.5], lr=0.1, domain=[(c - 3, c + 3)], minima=[[c]], smoothness=a,
        formula=rf"L(x) = \frac{{{a:g}}}{{2}}(x - {c:g})^2",
        description="convex parabola; the learning rate must stay below 2/a",
    )


@register("double_well", 1, "x⁴/4 − x³/6 − 3x²/4: local min at −1, maximum at 0, global min at 1.5")
def double_well() -> Objective:
    # L'(x) = x³ − x²/2 − 3x/2 = x (x + 1)(x − 1.5): stationary points are exact floats.
    return Objective(
        lambda x: x**4 / 4 - x**3 / 6 - 0.75 * x**2,
        lambda x: x * (x + 1) * (x - 1.5),
        lambda x: 3 * x**2 - x - 1.5,
        dim=1, name="double_well", start=[-1.8], lr=0.1, domain=[(-2.0, 2.5)], minima=[[1.5], [-1.0]],
        formula=r"L(x) = \frac{x^4}{4} - \frac{x^3}{6} - \frac{3x^2}{4}",
        description="two minima (global at x = 1.5, local at x = −1) and a maximum at x = 0",
    )


@register("many_minima", 1, "x²/10 − cos(3x): global min at 0, many local minima")
def many_minima() -> Objective:
    f = lambda x: 0.1 * x**2 - np.cos(3 * x)
    g = lambda x: 0.2 * x + 3 * np.sin(3 * x)
    h = lambda x: 0.2 + 9 * np.cos(3 * x)
    seeds = 2 * np.pi / 3 * np.arange(-2, 3)  # minima of −cos(3x), moved slightly by x²/10
    mins = _polish(lambda p: g(p), lambda p: h(p)[..., None], seeds[:, None])
    order = np.argsort(f(mins[:, 0]))
    return Objective(f, g, h, dim=1, name="many_minima", start=[4.0], lr=0.1, domain=[(-5.0, 5.0)], minima=mins[order],
                     smoothness=9.2, formula=r"L(x) = \frac{x^2}{10} - \cos(3x)",
                     description="a bowl with ripples: the start decides which dip GD ends in")


@register("flat_saddle", 1, "x⁴/4 − x³/3: flat saddle (L' = L'' = 0) at 0, minimum at 1")
def flat_saddle() -> Objective:
    return Objective(
        lambda x: x**4 / 4 - x**3 / 3,
        lambda x: x**2 * (x - 1),
        lambda x: 3 * x**2 - 2 * x,
        dim=1, name="flat_saddle", start=[-1.2], lr=0.1, domain=[(-1.5, 1.8)], minima=[[1.0]],
        formula=r"L(x) = \frac{x^4}{4} - \frac{x^3}{3}",
        description="an x³-like inflection point at 0 where GD from the left stalls",
    )


# ---------------------------------------------------------------- 2D ------
@register("bowl", 2, "(x² + y²)/2: isotropic, every direction curves the same")
def bowl(curvature: float = 1.0) -> Objective:
    a = check_real("curvature", curvature, low=0, low_open=True)
    return Objective(
        lambda p: 0.5 * a * np.sum(p**2, axis=-1),
        lambda p: a * p,
        lambda p: np.broadcast_to(a * np.eye(2), p.shape[:-1] + (2, 2)),
        dim=2, name="bowl", start=[2.5, 2.0], lr=0.1, domain=[(-3, 3), (-3, 3)], minima=[[0.0, 0.0]], smoothness=a,
        formula=rf"L(x, y) = \frac{{{a:g}}}{{2}}(x^2 + y^2)", description="round bowl",
    )


def quadratic_form(A, b=None, *, name: str = "quadratic_form", domain=None) -> Objective:
    """L(θ) = ½ θᵀAθ − bᵀθ for a symmetric positive-definite A (d, d); minimiser A⁻¹b."""
    A = np.asarray(A, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or not np.all(np.isfinite(A)):
        raise ValueError(f"A must be a finite square matrix, got shape {A.shape}")
    if not np.allclose(A, A.T):
        raise ValueError("A must be symmetric")
    eig = np.linalg.eigvalsh(A)
    if eig[0] <= 0:
        raise ValueError(f"A must be positive definite, its smallest eigenvalue is {eig[0]:g}")
    d = A.shape[0]
    b = np.zeros(d) if b is None else np.asarray(b, dtype=float)
    if b.shape != (d,):
        raise ValueError(f"b must have shape ({d},), got {b.shape}")
    xstar = np.linalg.solve(A, b)
    # Aθ (A symmetric) and the dot products as plain products summed left to right: they round
    # alike on every machine (a BLAS product may fuse multiply-adds; numpy's sum starts from 0 and
    # turns −0 into 0) and as the browser's flat programs do (flatprog restates them op by op)
    def dot(u, v):
        out = u[..., 0] * v[..., 0]
        for i in range(1, d):
            out = out + u[..., i] * v[..., i]
        return out

    def times_a(p):
        out = p[..., 0, None] * A[0]
        for i in range(1, d):
            out = out + p[..., i, None] * A[i]
        return out

    linear = bool(b.any())
    value = lambda p: 0.5 * dot(p, times_a(p)) - dot(p, b) if linear else 0.5 * dot(p, times_a(p))
    grad = lambda p: times_a(p) - b if linear else times_a(p)
    if d == 1:   # an Objective of dimension 1 passes the coordinate without its trailing axis
        return Objective(lambda x: value(x[..., None]), lambda x: grad(x[..., None])[..., 0],
                         lambda x: np.broadcast_to(A[0, 0], np.shape(x)),
                         dim=1, name=name, domain=domain, minima=[xstar], smoothness=eig[-1])
    return Objective(value, grad, lambda p: np.broadcast_to(A, p.shape[:-1] + (d, d)),
                     dim=d, name=name, domain=domain, minima=[xstar], smoothness=eig[-1])


@register("ill_conditioned", 2, "½(x² + κy²) rotated: condition number κ, a narrow valley")
def ill_conditioned(condition: float = 10.0, angle: float = 0.0) -> Objective:
    kappa = check_real("condition", condition, low=1.0)
    phi = np.deg2rad(check_real("angle", angle))
    R = np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
    A = R @ np.diag([1.0, kappa]) @ R.T
    A = 0.5 * (A + A.T)
    obj = quadratic_form(A, name="ill_conditioned", domain=[(-3, 3), (-3, 3)])
    obj.formula = rf"L = \frac{{1}}{{2}}(u^2 + {kappa:g}\,v^2)"
    obj.description = f"condition number {kappa:g}: curvatures 1 and {kappa:g}; GD needs α < 2/{kappa:g}"
    obj._start, obj._lr = np.array([-2.5, 1.5]), 0.15  # a start across the valley; α for κ = 10
    return obj


@register("rosenbrock", 2, "(a − x)² + b(y − x²)²: a curved, flat-bottomed valley; min at (a, a²)")
def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    a = check_real("a", a)
    b = check_real("b", b, low=0, low_open=True)

    def f(p):
        x, y = p[..., 0], p[..., 1]
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def g(p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)], axis=-1)

    def h(p):
        x, y = p[..., 0], p[..., 1]
        hxx = 2 - 4 * b * (y - x**2) + 8 * b * x**2
        hxy = -4 * b * x
        hyy = np.full_like(x, 2 * b)
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    return Objective(f, g, h, dim=2, name="rosenbrock", start=[-1.5, 2.0], lr=1e-3, domain=[(-2, 2), (-1, 3)], minima=[[a, a * a]],
                     formula=rf"L = ({a:g} - x)^2 + {b:g}(y - x^2)^2",
                     description="the banana valley: easy to find, slow to follow")


@register("himmelblau", 2, "(x² + y − 11)² + (x + y² − 7)²: four global minima")
def himmelblau() -> Objective:
    def f(p):
        x, y = p[..., 0], p[..., 1]
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def g(p):
        x, y = p[..., 0], p[..., 1]
        u, v = x**2 + y - 11, x + y**2 - 7
        return np.stack([4 * x * u + 2 * v, 2 * u + 4 * y * v], axis=-1)

    def h(p):
        x, y = p[..., 0], p[..., 1]
        hxx = 12 * x**2 + 4 * y - 42
        hxy = 4 * (x + y)
        hyy = 4 * x + 12 * y**2 - 26
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    seeds = [[3.0, 2.0], [-2.8, 3.1], [-3.8, -3.3], [3.6, -1.8]]
    return Objective(f, g, h, dim=2, name="himmelblau", start=[0.0, 0.0], lr=0.01, domain=[(-5, 5), (-5, 5)],
                     minima=_polish(g, h, seeds),
                     formula=r"L = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
                     description="four minima of equal value 0: the start decides which one")


@register("saddle", 2, "x²/2 + y⁴/4 − y²/2: a saddle at the origin between minima (0, ±1)")
def saddle() -> Objective:
    def f(p):
        x, y = p[..., 0], p[..., 1]
        return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2

    def g(p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([x, y**3 - y], axis=-1)

    def h(p):
        x, y = p[..., 0], p[..., 1]
        zero = np.zeros_like(x)
        return np.stack([np.stack([np.ones_like(x), zero], -1), np.stack([zero, 3 * y**2 - 1], -1)], -2)

    return Objective(f, g, h, dim=2, name="saddle", start=[1.8, 0.01], lr=0.1, domain=[(-2, 2), (-2, 2)], minima=[[0.0, 1.0], [0.0, -1.0]],
                     formula=r"L = \frac{x^2}{2} + \frac{y^4}{4} - \frac{y^2}{2}",
                     description="GD started on the line y = 0 stops at the saddle point")
