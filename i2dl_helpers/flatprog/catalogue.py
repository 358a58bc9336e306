"""What the compiler knows of the catalogue's objectives, keyed by their name.

The catalogue's objectives of dimension 1 and 2 (``objectives.names()``) are numpy code; their
formulas are restated here as expression text (``FORMULAS``), and the hand-written numpy
gradients as ``GRADIENT_FORMULAS``, parameters read off the objective. That text is *checked*, not
trusted: compiling compares the program with the objective's own value and gradient
(:mod:`.probe`). Objectives built from data (LeastSquares, NetLoss, curve fits) have no formula:
:class:`NotCompilable`, their loss needs the data set and runs in the kernel.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .format import NotCompilable

__all__ = ["FORMULAS", "GRADIENT_FORMULAS", "formula", "gradient_formula"]


def _num(v: float) -> str:
    """A float as parser text that reads back to the same float."""
    v = float(v)
    return f"({v!r})" if v < 0 or np.signbit(v) else repr(v)


def _quadratic(obj) -> str:
    a, c = float(obj.hessian(0.0)), float(obj.minima[0, 0])
    return f"0.5*{_num(a)}*(x - {_num(c)})**2"


def _bowl(obj) -> str:
    return f"0.5*{_num(obj.hessian(np.zeros(2))[0, 0])}*(x**2 + y**2)"


def _quadratic_form(obj) -> str:
    """½ θᵀAθ − bᵀθ with A the (constant) Hessian and b = −∇L(0), in numpy's order:
    0.5·(x·(Aθ)_0 + y·(Aθ)_1) − (x·b_0 + y·b_1), (Aθ)_j = x·A_0j + y·A_1j."""
    A, b = obj.hessian(np.zeros(2)), -obj.grad(np.zeros(2))
    a = [f"(x*{_num(A[0, j])} + y*{_num(A[1, j])})" for j in range(2)]
    quad = f"0.5*(x*{a[0]} + y*{a[1]})"
    return quad if not b.any() else f"{quad} - (x*{_num(b[0])} + y*{_num(b[1])})"


def _rosenbrock(obj) -> str:
    a, b = float(obj.minima[0, 0]), obj.hessian(np.zeros(2))[1, 1] / 2
    return f"({_num(a)} - x)**2 + {_num(b)}*(y - x**2)**2"


def _plateau(obj) -> str:
    d = np.diag(obj.hessian(np.zeros(2)))   # ∇²L(0) = diag(D)
    return f"1.0 - exp(-(0.5*({_num(d[0])}*x*x + {_num(d[1])}*y*y)))"


#: catalogue name -> objective -> its formula as expression text (parameters read off the objective)
FORMULAS: dict[str, Callable] = {
    "quadratic": _quadratic,
    "double_well": lambda obj: "x**4/4 - x**3/6 - 0.75*x**2",
    "many_minima": lambda obj: "0.1*x**2 - cos(3*x)",
    "flat_saddle": lambda obj: "x**4/4 - x**3/3",
    "bowl": _bowl,
    "ill_conditioned": _quadratic_form,
    "ravine": _quadratic_form,
    "quadratic_form": _quadratic_form,
    "rosenbrock": _rosenbrock,
    "himmelblau": lambda obj: "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "saddle": lambda obj: "0.5*x**2 + 0.25*y**4 - 0.5*y**2",
    "plateau": _plateau,
}


def _rosenbrock_grad(obj) -> tuple[str, str]:
    # numpy: -2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)  (4 * b, 2 * b: Python floats)
    a, b = float(obj.minima[0, 0]), obj.hessian(np.zeros(2))[1, 1] / 2
    return f"-2*({_num(a)} - x) - 4*{_num(b)}*x*(y - x**2)", f"2*{_num(b)}*(y - x**2)"


def _plateau_grad(obj) -> tuple[str, str]:
    # numpy: exp(-q)[..., None] * (D * p), q = 0.5 * np.sum(D * p * p, axis=-1)
    d = np.diag(obj.hessian(np.zeros(2)))
    q = f"0.5*({_num(d[0])}*x*x + {_num(d[1])}*y*y)"
    return f"exp(-({q}))*({_num(d[0])}*x)", f"exp(-({q}))*({_num(d[1])}*y)"


def _quadratic_form_grad(obj) -> tuple[str, str]:
    # numpy: np.sum(p[..., :, None] * A, axis=-2) - b, i.e. (x·A[0, j] + y·A[1, j]) − b_j
    A, b = obj.hessian(np.zeros(2)), -obj.grad(np.zeros(2))
    return tuple(f"x*{_num(A[0, j])} + y*{_num(A[1, j])}" + (f" - {_num(b[j])}" if b[j] != 0 else "")
                 for j in range(2))


def _bowl_grad(obj) -> tuple[str, str]:
    # numpy: a * p
    a = _num(obj.hessian(np.zeros(2))[0, 0])
    return f"{a}*x", f"{a}*y"


#: catalogue name -> objective -> its hand-written numpy gradient as expression texts, one per
#: component, operation by operation in numpy's order (Python's left-to-right ``a * b * c``, its
#: folding of constant products such as ``4 * b``); the programs of these objectives give the
#: catalogue's gradient bit for bit. Without one (the chain rule):
#: * saddle: its ``y**3 - y`` calls numpy's pow, which V8's Math.pow does not repeat to the last bit;
#:   the chain rule's y·y·y keeps the browser on the numpy program bit for bit (a chaotic basin map,
#:   tests/browser/test_basin_parity.py, follows that program), where the restated gradient would
#:   follow neither program nor catalogue exactly.
GRADIENT_FORMULAS: dict[str, Callable] = {
    "quadratic": lambda obj: (f"{_num(obj.hessian(0.0))}*(x - {_num(obj.minima[0, 0])})",),
    "double_well": lambda obj: ("x*(x + 1)*(x - 1.5)",),
    "many_minima": lambda obj: ("0.2*x + 3*sin(3*x)",),
    "flat_saddle": lambda obj: ("x**2*(x - 1)",),
    "bowl": _bowl_grad,
    "rosenbrock": _rosenbrock_grad,
    "himmelblau": lambda obj: ("4*x*(x**2 + y - 11) + 2*(x + y**2 - 7)",
                               "2*(x**2 + y - 11) + 4*y*(x + y**2 - 7)"),
    "plateau": _plateau_grad,
    "ill_conditioned": _quadratic_form_grad,
    "ravine": _quadratic_form_grad,
    "quadratic_form": _quadratic_form_grad,
}


def _read_off(maker, objective):
    """A formula maker's text for the objective (parameters read off it), or NotCompilable."""
    if maker is None or _data_backed(objective) or getattr(objective, "dim", None) not in (1, 2):
        raise NotCompilable(_refusal(objective))
    try:
        return maker(objective)
    except (ArithmeticError, IndexError, TypeError, ValueError):   # not shaped like the catalogue's
        raise NotCompilable(f"objective {objective.name!r} is not the catalogue's {objective.name!r} "
                            "(its parameters cannot be read off); it needs a Python kernel") from None


def formula(objective) -> str:
    """The expression text of a catalogue objective (the one its program is compiled from)."""
    return _read_off(FORMULAS.get(getattr(objective, "name", None)), objective)


def gradient_formula(objective) -> tuple[str, ...] | None:
    """The catalogue objective's hand-written numpy gradient as expression texts (one per
    coordinate), or None where the program takes the gradient by the engine's chain rule."""
    maker = GRADIENT_FORMULAS.get(getattr(objective, "name", None))
    return None if maker is None else tuple(_read_off(maker, objective))


def _data_backed(objective) -> bool:
    """LeastSquares, NetLoss (n_samples) and curve fits (residuals) compute their loss from data."""
    return hasattr(objective, "n_samples") or hasattr(objective, "residuals")


def _refusal(objective) -> str:
    kind, name = type(objective).__name__, getattr(objective, "name", "?")
    if _data_backed(objective):
        why = f"is backed by data ({kind}): its loss needs the data set"
    elif getattr(objective, "dim", None) not in (1, 2):
        why = f"has dimension {getattr(objective, 'dim', '?')}; the catalogue's formulas cover 1 and 2"
    else:
        why = "is a Python function the compiler cannot read"
    return (f"objective {name!r} {why}, so it has no flat program and needs a Python kernel; "
            "only typed functions (expressions.parse) and the catalogue's 1D and 2D objectives compile")

