r"""The course's named objectives, each declared once: its formula in the course's expression language.

``get(name, **params)`` builds one; ``names(dim=None)`` lists them; ``describe()`` says what each is.
Every entry is declared (:func:`register`, :func:`declare`): one text in that language (parameters by
name, e.g. ``a`` and ``b`` of Rosenbrock's valley) plus what the lesson needs (start, α, minima,
domain). From that text come its value and gradient (the flat program of :mod:`i2dl_helpers.flatprog`,
compiled by the graph engine's chain rule and run by numpy: the browser runs the same program, so
kernel and browser agree by construction), its Hessian (the chain rule twice, run alike), its LaTeX
(``objective.formula``) and the summary of :func:`describe`. Minimisers without a closed form are
found once by Newton's method (polished to round-off), which the tests check independently.
``quadratic_form`` (any dimension, e.g. 10) is a numpy function of a matrix, not a catalogue entry:
it runs in the kernel.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from .. import expressions, flatprog
from .._validate import check_choice, check_real
from ..flatprog.from_graph import graph_program
from .base import Objective

__all__ = ["declare", "describe", "entry", "get", "names", "quadratic_form", "register"]


@dataclass(frozen=True)
class Entry:
    """A catalogue entry: L as text (``variables`` and the factory's parameters by name), the LaTeX
    symbol of each parameter (default: its name), one line on what it shows, and the factory
    ``f(**params) -> Objective`` that checks the parameters and states the lesson's facts."""
    name: str
    text: str
    variables: tuple[str, ...]
    summary: str
    symbols: dict
    factory: Callable[..., Objective]


_REGISTRY: dict[str, Entry] = {}


def register(name: str, text: str, summary: str, *, variables=("x",), symbols=None):
    """Decorator adding a factory ``f(**params) -> Objective`` (which calls :func:`entry`) to the catalogue."""
    def deco(factory):
        _REGISTRY[name] = Entry(name, text, tuple(variables), summary, dict(symbols or {}), factory)
        return factory
    return deco


def names(dim: int | None = None) -> list[str]:
    """Names of the catalogue's objectives, optionally only those of one dimension."""
    if dim is not None and dim not in (1, 2):
        raise ValueError(f"dim must be 1, 2 or None, got {dim!r}")
    return [n for n, e in _REGISTRY.items() if dim is None or len(e.variables) == dim]


def describe() -> dict[str, str]:
    """One line per objective: name -> "its formula: what it shows"."""
    return {n: f"L = {e.text}: {e.summary}" for n, e in _REGISTRY.items()}


def get(name: str, **params) -> Objective:
    """The objective called ``name``, e.g. ``get("quadratic", curvature=4.0)``.

    Raises ValueError listing the known names for an unknown one, and TypeError
    for a parameter the objective does not take.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    check_choice("name", name, _REGISTRY)
    try:
        return _REGISTRY[name].factory(**params)
    except TypeError as err:
        raise TypeError(f"objective {name!r}: {err}") from None


def _num(v: float) -> str:
    """A float as expression text that reads back to the same float."""
    v = float(v)
    return f"({v!r})" if v < 0 or np.signbit(v) else repr(v)


@lru_cache(maxsize=128)
def _compiled(text: str, variables: tuple[str, ...], name: str):
    """(folded tree, flat program with its Hessian) of a text without parameters."""
    tree = expressions.typed_tree(expressions.parse(text, variables))[0]
    return tree, graph_program(tree, variables, name, hessian=True)


def declare(text: str, variables=("x",), *, name: str, params: dict | None = None, symbols: dict | None = None,
            **facts) -> Objective:
    """The Objective of ``text`` in the course's expression language (:mod:`i2dl_helpers.expressions`),
    ``params`` (name -> number) put in for their names.

    Its value, gradient and Hessian are its flat program (the engine's chain rule, once and twice) run
    by numpy; the value and gradient are exactly what the browser runs; ``formula`` is the text as LaTeX (parameters as
    ``symbols``, their values after it). ``facts``: name, domain, minima, start, lr, smoothness,
    description (see :class:`Objective`). ``objective.declared`` is (text, variables, params).
    """
    params, variables = dict(params or {}), tuple(variables)
    filled = re.sub(r"[A-Za-z_]\w*", lambda m: _num(params[m[0]]) if m[0] in params else m[0], text)
    tree, program = _compiled(filled, variables, name)
    symbols = {p: (symbols or {}).get(p, p) for p in params}
    where = ", ".join(f"{symbols[p]} = {v:g}" for p, v in params.items())
    tex = f"L({', '.join(variables)}) = {expressions.latex(text, variables, symbols)}"
    obj = flatprog.to_objective(program, name=name, formula=tex + (rf",\quad {where}" if where else ""), **facts)
    obj.typed, obj.declared = (tree, variables), (text, variables, params)
    return obj


def entry(name: str, params: dict | None = None, **facts) -> Objective:
    """The catalogue entry ``name`` declared with its registered text and these parameters and facts."""
    e = _REGISTRY[name]
    return declare(e.text, e.variables, name=name, params=params, symbols=e.symbols, **facts)


_POLISHED: dict[tuple, np.ndarray] = {}


def _polish(obj: Objective, seeds, iters: int = 50) -> np.ndarray:
    """Newton's method θ ← θ − H⁻¹∇L from ``seeds`` (k, d), to round-off (once per formula and seeds)."""
    key = (repr(obj.declared), np.asarray(seeds, dtype=float).tobytes())
    if key not in _POLISHED:
        _POLISHED[key] = _newton(obj, seeds, iters)
    return _POLISHED[key].copy()


def _newton(obj: Objective, seeds, iters: int) -> np.ndarray:
    x = np.array(seeds, dtype=float).reshape(-1, obj.dim)
    for _ in range(iters):
        hess = np.reshape(obj.hessian(x), (-1, obj.dim, obj.dim))
        step = np.linalg.solve(hess, np.reshape(obj.grad(x), (-1, obj.dim, 1)))[..., 0]
        x = x - step
        if np.max(np.abs(step)) < 1e-15 * (1 + np.max(np.abs(x))):
            break
    return x


# ---------------------------------------------------------------- 1D ------
@register("quadratic", "a/2*(x - c)**2", "convex, curvature a, GD stable for α < 2/a")
def quadratic(curvature: float = 1.0, center: float = 0.0) -> Objective:
    a = check_real("curvature", curvature, low=0, low_open=True)
    c = check_real("center", center)
    return entry("quadratic", {"a": a, "c": c}, start=[c + 2.5], lr=0.1, domain=[(c - 3, c + 3)], minima=[[c]],
                 smoothness=a, description="convex parabola; the learning rate must stay below 2/a")


@register("double_well", "x**4/4 - x**3/6 - 3*x**2/4", "local min at −1, maximum at 0, global min at 1.5")
def double_well() -> Objective:
    # L'(x) = x³ − x²/2 − 3x/2 = x (x + 1)(x − 1.5): stationary points are exact floats.
    return entry("double_well", start=[-1.8], lr=0.1, domain=[(-2.0, 2.5)], minima=[[1.5], [-1.0]],
                 description="two minima (global at x = 1.5, local at x = −1) and a maximum at x = 0")


@register("many_minima", "x**2/10 - cos(3*x)", "global min at 0, many local minima")
def many_minima() -> Objective:
    obj = entry("many_minima", start=[4.0], lr=0.1, domain=[(-5.0, 5.0)], smoothness=9.2,
                description="a bowl with ripples: the start decides which dip GD ends in")
    # seeds: the minima of −cos(3x), moved slightly by x²/10
    mins = _polish(obj, 2 * np.pi / 3 * np.arange(-2, 3))
    obj.minima = mins[np.argsort(obj(mins[:, 0]))]
    return obj


@register("flat_saddle", "x**4/4 - x**3/3", "flat saddle (L' = L'' = 0) at 0, minimum at 1")
def flat_saddle() -> Objective:
    return entry("flat_saddle", start=[-1.2], lr=0.1, domain=[(-1.5, 1.8)], minima=[[1.0]],
                 description="an x³-like inflection point at 0 where GD from the left stalls")


# ---------------------------------------------------------------- 2D ------
_XY = ("x", "y")


@register("bowl", "a/2*(x**2 + y**2)", "isotropic, every direction curves the same", variables=_XY)
def bowl(curvature: float = 1.0) -> Objective:
    a = check_real("curvature", curvature, low=0, low_open=True)
    return entry("bowl", {"a": a}, start=[2.5, 2.0], lr=0.1, domain=[(-3, 3), (-3, 3)], minima=[[0.0, 0.0]],
                 smoothness=a, description="round bowl")


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
    # turns −0 into 0)
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


#: (u, v) = Rᵀθ, the coordinates along and across a valley rotated by φ (p = cos φ, q = sin φ)
_ROTATED = {"p": r"\cos\varphi", "q": r"\sin\varphi"}


def _rotation(angle: float) -> dict[str, float]:
    phi = np.deg2rad(check_real("angle", angle))
    return {"p": float(np.cos(phi)), "q": float(np.sin(phi))}


@register("ill_conditioned", "((p*x + q*y)**2 + k*(p*y - q*x)**2)/2",
          "condition number κ, a narrow valley rotated by φ", variables=_XY,
          symbols={**_ROTATED, "k": r"\kappa"})
def ill_conditioned(condition: float = 10.0, angle: float = 0.0) -> Objective:
    kappa = check_real("condition", condition, low=1.0)
    return entry("ill_conditioned", {**_rotation(angle), "k": kappa}, start=[-2.5, 1.5], lr=0.15,
                 domain=[(-3, 3), (-3, 3)], minima=[[0.0, 0.0]], smoothness=kappa,
                 description=f"condition number {kappa:g}: curvatures 1 and {kappa:g}; GD needs α < 2/{kappa:g}")


@register("rosenbrock", "(a - x)**2 + b*(y - x**2)**2", "a curved, flat-bottomed valley; min at (a, a²)",
          variables=_XY)
def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    a = check_real("a", a)
    b = check_real("b", b, low=0, low_open=True)
    return entry("rosenbrock", {"a": a, "b": b}, start=[-1.5, 2.0], lr=1e-3, domain=[(-2, 2), (-1, 3)],
                 minima=[[a, a * a]], description="the banana valley: easy to find, slow to follow")


@register("himmelblau", "(x**2 + y - 11)**2 + (x + y**2 - 7)**2", "four global minima", variables=_XY)
def himmelblau() -> Objective:
    obj = entry("himmelblau", start=[0.0, 0.0], lr=0.01, domain=[(-5, 5), (-5, 5)],
                description="four minima of equal value 0: the start decides which one")
    obj.minima = _polish(obj, [[3.0, 2.0], [-2.8, 3.1], [-3.8, -3.3], [3.6, -1.8]])
    return obj


@register("saddle", "x**2/2 + y**4/4 - y**2/2", "a saddle at the origin between minima (0, ±1)", variables=_XY)
def saddle() -> Objective:
    return entry("saddle", start=[1.8, 0.01], lr=0.1, domain=[(-2, 2), (-2, 2)], minima=[[0.0, 1.0], [0.0, -1.0]],
                 description="GD started on the line y = 0 stops at the saddle point")
