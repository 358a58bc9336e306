"""Checks for the exercises of notebook 10 (second-order methods).

References: the package's ``Newton`` and ``LevenbergMarquardt`` optimisers (one step from the same point),
the defining linear equations themselves (H p = −∇L, (JᵀJ + λ diag(JᵀJ)) δ = −Jᵀr), whose residuals are
computed independently of any solver, and the eigenvalues of H for the damping.

"Do not invert H" is graded: while the student's ``newton_step`` runs, the routines that invert a matrix
(``np.linalg.inv``, ``pinv``, ``tensorinv``, a negative ``matrix_power``; scipy's ``inv``, ``pinv``,
``pinvh`` when scipy is loaded) fail with a message naming the instruction, and so does a solve whose right
side is the identity matrix (that solve *is* the inverse).
"""
from __future__ import annotations

import contextlib
import sys
import warnings

import numpy as np

from .. import objectives
from ..objectives import exponential_decay
from ..optim import LevenbergMarquardt, Newton, run
from . import WrongAnswer, as_number, attempt, expect, expect_close, passed
from ._rules import ForbiddenCall, forbid

__all__ = ["check_newton_step", "check_lm_step", "check_min_damping"]

_NO_INVERSE = "do not invert H (solve the linear system H p = −g instead)"


def _spd(rng, d: int, cond: float = 50.0) -> np.ndarray:
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    H = Q @ np.diag(np.geomspace(1.0, cond, d)) @ Q.T
    return (H + H.T) / 2


def _symmetric(rng, eigenvalues) -> np.ndarray:
    """A symmetric matrix with the given eigenvalues and random (orthonormal) eigenvectors."""
    d = len(eigenvalues)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    H = Q @ np.diag(eigenvalues) @ Q.T
    return (H + H.T) / 2


@contextlib.contextmanager
def _watch(fn, path: str, refuses, message: str):
    """While the block runs, the routine at ``path`` raises ForbiddenCall(message) when
    ``refuses(*args, **kwargs)`` is true and works as usual otherwise (on its module and under any global
    name of ``fn``'s module bound to it), like ``forbid`` for a routine that is allowed in other uses."""
    module_name, _, attr = path.rpartition(".")
    module = sys.modules[module_name]
    original = getattr(module, attr)
    broken = []

    def watched(*args, **kwargs):
        if refuses(*args, **kwargs):
            broken.append(message)
            raise ForbiddenCall(message)
        return original(*args, **kwargs)

    fn_globals = getattr(getattr(fn, "__func__", fn), "__globals__", {})
    names = [key for key, value in fn_globals.items() if value is original]
    setattr(module, attr, watched)
    for key in names:
        fn_globals[key] = watched
    try:
        yield
    finally:
        setattr(module, attr, original)
        for key in names:
            fn_globals[key] = original
    if broken:                                   # the student's code caught the ForbiddenCall and went on
        raise ForbiddenCall(broken[0])


def _is_identity(b) -> bool:
    b = np.asarray(b)
    return b.ndim == 2 and b.shape[0] == b.shape[1] > 1 and np.array_equal(b, np.eye(len(b)))


@contextlib.contextmanager
def _no_inverse(fn):
    """The instruction "do not invert H", graded while ``fn`` runs."""
    routines = {f"numpy.linalg.{name}": _NO_INVERSE for name in ("inv", "pinv", "tensorinv")}
    solvers = ["numpy.linalg.solve", "numpy.linalg.lstsq"]
    try:                                         # scipy's inverses too (loaded now, so that a student's
        import scipy.linalg  # noqa: F401        # `import scipy.linalg` inside the function finds them replaced)
    except ImportError:                          # pragma: no cover - scikit-learn brings scipy
        pass
    else:
        routines.update({f"scipy.linalg.{name}": _NO_INVERSE for name in ("inv", "pinv", "pinvh")})
        solvers += ["scipy.linalg.solve", "scipy.linalg.lstsq"]
    with contextlib.ExitStack() as stack:
        stack.enter_context(forbid(fn, routines))
        stack.enter_context(_watch(fn, "numpy.linalg.matrix_power", lambda a, n, *r, **k: n < 0,
                                   f"your function raises H to a negative power, its inverse, and the exercise "
                                   f"says: {_NO_INVERSE}."))
        for path in solvers:
            stack.enter_context(_watch(fn, path, lambda a, b, *r, **k: _is_identity(b),
                                       f"your function solves for the identity matrix, which computes H⁻¹, and "
                                       f"the exercise says: {_NO_INVERSE[:-1]}, for its one right-hand side −g)."))
        yield


def check_newton_step(newton_step, seed: int = 0) -> None:
    """newton_step(g, H) on positive-definite systems of 1, 3 and 6 dimensions, an indefinite Hessian (Newton's
    step exists there too, towards the saddle) and the Rosenbrock function, without inverting H."""
    rng = np.random.default_rng(seed)
    hint = ("the Newton step goes to the stationary point of the quadratic model, where its gradient g + H p "
            "is zero; that is a linear system for p, and numpy's linear-algebra module solves such systems")
    cases = [(_spd(rng, d), f"a positive-definite {d} × {d} Hessian") for d in (1, 3, 6)]
    d = int(rng.integers(2, 5))
    eig = rng.uniform(0.5, 5.0, d) * np.where(np.arange(d) == 0, -1.0, 1.0)
    cases.append((_symmetric(rng, eig), f"an indefinite {d} × {d} Hessian (a saddle)"))
    for H, what in cases:
        g = rng.normal(size=len(H))
        with _no_inverse(newton_step):
            p = attempt(newton_step, g, H)
        p = expect_close(p, np.linalg.solve(H, -g), f"newton_step for {what}", hint)
        expect(np.allclose(H @ p, -g, atol=1e-9), "H p should equal −g", hint)
    rosen = objectives.get("rosenbrock")
    x = np.array([-1.2, 1.0]) + rng.normal(scale=0.1, size=2)
    with warnings.catch_warnings():              # an indefinite H at this start is no news here
        warnings.simplefilter("ignore")
        ref = run(rosen, Newton(), x, steps=1).points[1]
    with _no_inverse(newton_step):
        p = attempt(newton_step, rosen.grad(x), rosen.hessian(x))
    expect_close(p, ref - x, "newton_step(∇L(θ), H(θ)) on Rosenbrock", hint)
    passed("newton_step")


def check_lm_step(lm_step, seed: int = 0) -> None:
    """lm_step(J, r, λ) on random least-squares systems (columns on scales 0.1 … 10, so Marquardt's damping
    differs from Levenberg's) and on the exponential-decay fit."""
    rng = np.random.default_rng(seed)
    hint = ("Marquardt scales the damping of each parameter by the curvature along it: the matrix added to JᵀJ "
            "is λ times the diagonal part of JᵀJ (a diagonal matrix, (d, d)); then solve the damped normal "
            "equations for δ")
    for n, d in ((5, 2), (12, 4), (30, 3)):
        J = rng.normal(size=(n, d)) * rng.uniform(0.1, 10, d)  # columns on different scales
        r = rng.normal(size=n)
        lam = float(10 ** rng.uniform(-2, 1))
        A, Jr = J.T @ J, J.T @ r
        D = np.diag(np.diag(A))
        delta = attempt(lm_step, J, r, lam)
        what = f"lm_step for J of shape ({n}, {d}) and λ = {lam:.3g}"
        expected = np.linalg.solve(A + lam * D, -Jr)
        mistakes = {"is Levenberg's step: the damping λI is the same for every parameter":
                        np.linalg.solve(A + lam * np.eye(d), -Jr),
                    "is the undamped Gauss–Newton step": np.linalg.solve(A, -Jr),
                    "damps with λ·JᵀJ, the whole matrix, not its diagonal": np.linalg.solve((1 + lam) * A, -Jr),
                    "uses only the diagonal of JᵀJ, also in the undamped part": -Jr / ((1 + lam) * np.diag(A)),
                    "adds λ·(the diagonal of JᵀJ) to every row, a vector, not a diagonal matrix":
                        np.linalg.solve(A + lam * np.diag(A)[None, :], -Jr)}
        if delta is not None and np.shape(delta) == (d,) and not np.allclose(delta, expected):
            for name, wrong in mistakes.items():
                if np.allclose(np.asarray(delta, dtype=float), wrong, rtol=1e-9, atol=1e-12):
                    raise WrongAnswer(f"{what} {name}.\nHint: {hint}")
        delta = expect_close(delta, expected, what, hint)
        resid = (A + lam * D) @ delta + Jr
        expect(np.allclose(resid, 0, atol=1e-8 * (1 + np.abs(Jr).max())),
               "δ does not satisfy the damped normal equations", hint)
    fit = exponential_decay(seed=seed)
    theta = np.array([1.5, 0.5])
    opt = LevenbergMarquardt(damping=1e-2)
    ref = run(fit, opt, theta, steps=1).points[1]   # its first trial lowers L, so it is taken with λ = 1e-2
    delta = attempt(lm_step, fit.jacobian(theta), fit.residuals(theta), 1e-2)
    expect_close(delta, ref - theta, "lm_step(J, r, 0.01) on the curve fit", hint)
    passed("lm_step")


def check_min_damping(min_damping, seed: int = 0) -> None:
    """min_damping(H) against the eigenvalues of symmetric matrices: indefinite ones (one with a positive
    diagonal), negative definite, positive definite (0), positive semi-definite with a zero eigenvalue (0)."""
    rng = np.random.default_rng(seed)
    hint = ("H + λI has the same eigenvectors as H and every eigenvalue shifted by λ; it is positive definite "
            "when all shifted eigenvalues are > 0. If H is positive definite already, no damping is needed.")
    cases = []
    if seed == 0:
        cases.append(np.diag([1.0, 3 * 0.3**2 - 1]))  # the saddle surface at (0.5, 0.3)
    for d in (2, 3, 4):
        M = rng.normal(size=(d, d))
        cases.append((M + M.T) / 2)
    cases.append(_spd(rng, 3))                                                     # positive definite: 0
    cases.append(_symmetric(rng, [0.0, *rng.uniform(0.5, 3.0, 2)]))                 # semi-definite: 0
    cases.append(-_spd(rng, int(rng.integers(2, 5)), cond=5.0))                    # negative definite
    a, c = rng.uniform(0.5, 2.0, 2)                                                # positive diagonal,
    cases.append(np.array([[a, np.sqrt(a * c) + rng.uniform(0.3, 2.0)], [0.0, c]]))  # indefinite
    cases[-1][1, 0] = cases[-1][0, 1]
    for H in cases:
        eig = np.linalg.eigvalsh(H)
        expected = max(0.0, -float(eig[0]))
        what = f"min_damping for a {len(H)} × {len(H)} matrix"
        got = as_number(attempt(min_damping, H), what, hint=hint)
        expect(got >= 0, f"{what} is negative, but a damping is λ ≥ 0", hint)
        mistakes = {"it reads H's diagonal entries, which are not its eigenvalues": -float(np.min(np.diag(H))),
                    "it uses the largest eigenvalue, not the smallest": -float(eig[-1])}
        # a mistake that gives 0 (or a negative number, then 0) is not named: other mistakes give 0 too
        expect_close(got, expected, what, hint, mistakes={name: value for name, value in mistakes.items()
                                                          if value > 1e-9})
    passed("min_damping")
