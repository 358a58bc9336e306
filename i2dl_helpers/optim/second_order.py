"""Second-order and quasi-Newton optimisers: Newton, Gauss–Newton, Levenberg(–Marquardt), L-BFGS.

All follow the optimiser protocol of ``optim.base`` (``init_state``/``step`` on
(n, d) batches of starts) and run with ``optim.run``. Newton needs the
objective's Hessian; Gauss–Newton and Levenberg(–Marquardt) need a
least-squares objective with ``residuals`` r (n, m) and ``jacobian`` J (n, m, d)
(e.g. ``objectives.curvefit.LeastSquaresProblem``); L-BFGS needs only values
and gradients.

Problems with the curvature (a singular or indefinite Hessian) are reported as a
:class:`CurvatureWarning` and recorded in the run's notes (``state["notes"]``,
which ``run`` returns as ``Trajectory.notes``) as (step t, start index, kind,
smallest eigenvalue); the run goes on. Optimisers keep nothing of a run on
themselves: all of it lives in the state ``run`` hands them.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._validate import check_choice, check_int, check_positive, check_real
from .base import Optimizer

__all__ = ["CurvatureWarning", "GaussNewton", "LBFGS", "Levenberg", "LevenbergMarquardt", "Newton"]


class CurvatureWarning(UserWarning):
    """The (approximate) Hessian is singular or not positive definite at some start."""


def _solve_spd(A: np.ndarray, b: np.ndarray):
    """Solve A s = b for a stack A (n, d, d), b (n, d).

    Returns (s, kind, eig_min): kind[i] is "" when A[i] is positive definite,
    "indefinite" when it has a negative eigenvalue (the exact solve is used),
    "singular" when an eigenvalue is 0 to round-off (the pseudo-inverse is used,
    i.e. no step along the flat directions).
    """
    n, d = b.shape
    kind = np.full(n, "", dtype=object)
    eig_min = np.full(n, np.nan)
    try:
        np.linalg.cholesky(A)  # succeeds only if every matrix is positive definite
        return np.linalg.solve(A, b[..., None])[..., 0], kind, eig_min
    except np.linalg.LinAlgError:
        pass
    mu, V = np.linalg.eigh(A)
    eig_min = mu[:, 0]
    scale = np.max(np.abs(mu), axis=1, keepdims=True)
    flat = np.abs(mu) <= 1e-12 * np.where(scale > 0, scale, 1.0)
    inv = np.where(flat, 0.0, 1.0 / np.where(flat, 1.0, mu))
    s = np.einsum("nij,nj,nkj,nk->ni", V, inv, V, b)
    kind[np.any(mu < 0, axis=1) & ~np.any(flat, axis=1)] = "indefinite"
    kind[np.any(flat, axis=1)] = "singular"
    return s, kind, eig_min


class _CurvatureReporting(Optimizer):
    on_curvature = "warn"

    def init_state(self, x):
        return {"notes": []}

    def _report(self, state, t, kind, eig_min, what):
        bad = np.flatnonzero(kind != "")
        if bad.size == 0:
            return
        state["notes"].extend((t, int(i), str(kind[i]), float(eig_min[i])) for i in bad)
        i = bad[0]
        msg = (f"{self.name}: {what} is {kind[i]} at step {t} (smallest eigenvalue {eig_min[i]:.3g}"
               f"{f', {bad.size} starts' if bad.size > 1 else ''}); "
               + ("the step heads for a saddle or maximum, not a minimum" if kind[i] == "indefinite"
                  else "no step is taken along its flat directions"))
        if self.on_curvature == "raise":
            raise ValueError(msg)
        if self.on_curvature == "warn":
            warnings.warn(msg, CurvatureWarning, stacklevel=4)


class Newton(_CurvatureReporting):
    """Newton's method: θ_{k+1} = θ_k − α (∇²L(θ_k) + λI)⁻¹ ∇L(θ_k).

    With α = 1 and λ = 0 it jumps to the minimum of the local quadratic model,
    so it solves a quadratic in one step. Each step solves a d×d linear system:
    O(d³) work and O(d²) memory. Where the Hessian is not positive definite the
    step may go uphill (indefinite: towards a saddle or maximum) or be undefined
    (singular: the pseudo-inverse is used); this is reported (see ``on_curvature``)
    and noted in the trajectory's ``notes``. A damping λ > 0 shifts every curvature up by λ.

    lr : α > 0 (default 1);  damping : λ >= 0;
    on_curvature : "warn" (a CurvatureWarning), "raise" (ValueError) or "ignore".
    """

    name = "Newton"

    def __init__(self, damping: float = 0.0, lr: float = 1.0, on_curvature: str = "warn"):
        super().__init__(lr)
        self.damping = check_real("damping", damping, low=0.0)
        self.on_curvature = check_choice("on_curvature", on_curvature, ("warn", "raise", "ignore"))

    def step(self, x, g, state, *, lr, t, objective):
        if not hasattr(objective, "hessian"):
            raise TypeError("Newton needs an objective with a hessian method")
        H = np.asarray(objective.hessian(x), dtype=float).reshape(x.shape + (x.shape[-1],))
        if self.damping:
            H = H + self.damping * np.eye(x.shape[-1])
        s, kind, eig_min = _solve_spd(H, g)
        self._report(state, t, kind, eig_min, "the Hessian" + (" + λI" if self.damping else ""))
        return x - lr * s

    def hyperparameters(self):
        return {"damping": self.damping, "lr": self.lr}


def _least_squares_parts(objective, x):
    if not (hasattr(objective, "residuals") and hasattr(objective, "jacobian")):
        raise TypeError("this optimiser needs a least-squares objective with residuals(θ) and jacobian(θ), "
                        "e.g. objectives.curvefit.exponential_decay()")
    r = np.asarray(getattr(objective, "residuals_raw", objective.residuals)(x), dtype=float)
    J = np.asarray(getattr(objective, "jacobian_raw", objective.jacobian)(x), dtype=float)
    return r, J


class GaussNewton(_CurvatureReporting):
    """Gauss–Newton for L(θ) = ½‖r(θ)‖²: θ_{k+1} = θ_k − α (JᵀJ)⁻¹ Jᵀr.

    It is Newton's method with the Hessian JᵀJ + Σ rᵢ∇²rᵢ replaced by JᵀJ, which
    needs only first derivatives and is never indefinite. On a linear problem
    (r = Xθ − y) JᵀJ is the exact Hessian and one step solves the normal equations.
    r (n, m) and J (n, m, d) come from the objective's ``residuals``/``jacobian``.

    lr : α > 0 (default 1);  on_curvature : how a singular JᵀJ is reported.
    """

    name = "Gauss–Newton"

    def __init__(self, lr: float = 1.0, on_curvature: str = "warn"):
        super().__init__(lr)
        self.on_curvature = check_choice("on_curvature", on_curvature, ("warn", "raise", "ignore"))

    def step(self, x, g, state, *, lr, t, objective):
        r, J = _least_squares_parts(objective, x)
        A = np.einsum("nij,nik->njk", J, J)
        s, kind, eig_min = _solve_spd(A, np.einsum("nij,ni->nj", J, r))
        self._report(state, t, kind, eig_min, "JᵀJ")
        return x - lr * s


class LevenbergMarquardt(Optimizer):
    """Levenberg–Marquardt for L(θ) = ½‖r(θ)‖²: solve (JᵀJ + λD) δ = −Jᵀr.

    D = diag(JᵀJ) (Marquardt: the damping follows each parameter's own scale) or
    D = I (``scaling="identity"``, Levenberg). Each step tries θ + δ: if L goes
    down the step is taken and λ ← λ/ν (closer to Gauss–Newton); if not, λ ← λν
    (closer to a short gradient step) and δ is solved again, up to ``max_tries``
    times. λ is kept per start; the trajectory's ``notes`` hold it after every step (n,).

    damping : initial λ > 0;  factor : ν > 1;  scaling : "marquardt" or "identity".
    """

    name = "Levenberg–Marquardt"

    def __init__(self, damping: float = 1e-2, factor: float = 10.0, scaling: str = "marquardt",
                 max_tries: int = 30):
        super().__init__(1.0)
        self.damping = check_positive("damping", damping)
        self.factor = check_real("factor", factor, low=1.0, low_open=True)
        self.scaling = check_choice("scaling", scaling, ("marquardt", "identity"))
        self.max_tries = check_int("max_tries", max_tries, low=1)
        if self.scaling == "identity":
            self.name = "Levenberg"

    def init_state(self, x):
        return {"lam": np.full(x.shape[0], self.damping), "notes": []}

    def step(self, x, g, state, *, lr, t, objective):
        r, J = _least_squares_parts(objective, x)
        loss = 0.5 * np.sum(r * r, axis=-1)
        A = np.einsum("nij,nik->njk", J, J)
        grad = np.einsum("nij,ni->nj", J, r)
        d = x.shape[-1]
        if self.scaling == "marquardt":
            D = np.diagonal(A, axis1=1, axis2=2).copy()
            D = np.maximum(D, 1e-12 * np.maximum(D.max(axis=1, keepdims=True), 1e-300))
        else:
            D = np.ones_like(x)
        lam = state["lam"]
        out = x.copy()
        todo = np.ones(x.shape[0], dtype=bool)
        eye = np.eye(d)
        for _ in range(self.max_tries):
            idx = np.flatnonzero(todo)
            M = A[idx] + lam[idx, None, None] * D[idx, :, None] * eye
            delta = -np.linalg.solve(M, grad[idx][..., None])[..., 0]
            trial = x[idx] + delta
            rt = np.asarray(getattr(objective, "residuals_raw", objective.residuals)(trial), dtype=float)
            lt = 0.5 * np.sum(rt * rt, axis=-1)
            ok = np.isfinite(lt) & (lt < loss[idx])
            out[idx[ok]] = trial[ok]
            lam[idx[ok]] /= self.factor
            lam[idx[~ok]] *= self.factor
            todo[idx[ok]] = False
            if not todo.any():
                break
        state["lam"] = lam
        state["notes"].append(lam.copy())
        return out

    def hyperparameters(self):
        hp = {"damping": self.damping, "factor": self.factor}
        if type(self) is LevenbergMarquardt:
            hp["scaling"] = self.scaling
        return hp


class Levenberg(LevenbergMarquardt):
    """Levenberg's method: LevenbergMarquardt with D = I, i.e. (JᵀJ + λI) δ = −Jᵀr.

    The same λ is added to every curvature, whatever the parameter's scale.
    """

    def __init__(self, damping: float = 1e-2, factor: float = 10.0, max_tries: int = 30):
        super().__init__(damping, factor, "identity", max_tries)


class LBFGS(Optimizer):
    """Limited-memory BFGS: θ_{k+1} = θ_k + α_k p_k with p_k = −H_k ∇L(θ_k).

    H_k approximates the inverse Hessian from the last ``history_size`` pairs
    s = θ_{k+1} − θ_k, y = ∇L(θ_{k+1}) − ∇L(θ_k) (two-loop recursion, starting
    from H⁰ = (sᵀy / yᵀy) I); a pair is kept only when sᵀy > 1e-10. Cost per step
    O(m d) for m pairs instead of Newton's O(d³). The first step uses
    α = min(1, 1/‖∇L‖₁)·lr, later ones start from α = lr.

    line_search : "backtracking" halves α until the Armijo condition
                  L(θ + αp) <= L(θ) + c₁ α ∇Lᵀp holds (at most ``max_backtracks``
                  times; if it never holds the start stays put). While no curvature
                  pair is stored yet (p = −∇L has no scale), an α accepted at once is
                  doubled as long as L keeps falling and Armijo holds. None takes the
                  step α as it is, exactly as ``torch.optim.LBFGS`` with
                  ``line_search_fn=None, max_iter=1``.
    lr : α > 0;  history_size : m >= 1;  c1 in (0, 1).
    """

    name = "L-BFGS"

    def __init__(self, lr: float = 1.0, history_size: int = 10, line_search: str | None = "backtracking",
                 c1: float = 1e-4, max_backtracks: int = 40):
        super().__init__(lr)
        self.history_size = check_int("history_size", history_size, low=1)
        if line_search is not None:
            check_choice("line_search", line_search, ("backtracking", None))
        self.line_search = line_search
        self.c1 = check_real("c1", c1, low=0.0, high=1.0, low_open=True, high_open=True)
        self.max_backtracks = check_int("max_backtracks", max_backtracks, low=1)

    def init_state(self, x):
        n, d = x.shape
        m = self.history_size
        return {"S": np.zeros((n, m, d)), "Y": np.zeros((n, m, d)), "rho": np.zeros((n, m)),
                "H_diag": np.ones(n), "prev_g": None, "s": None, "evals": 0}

    def _direction(self, g, state):
        S, Y, rho = state["S"], state["Y"], state["rho"]
        m = S.shape[1]
        q = -g
        al = np.zeros(rho.shape)
        for i in range(m - 1, -1, -1):  # empty (rho = 0) slots change nothing
            al[:, i] = np.sum(S[:, i] * q, axis=-1) * rho[:, i]
            q = q + (-al[:, i, None]) * Y[:, i]
        r = q * state["H_diag"][:, None]
        for i in range(m):
            be = np.sum(Y[:, i] * r, axis=-1) * rho[:, i]
            r = r + (al[:, i] - be)[:, None] * S[:, i]
        return r

    def _remember(self, g, state):
        y = g - state["prev_g"]
        s = state["s"]
        ys = np.sum(y * s, axis=-1)
        keep = ys > 1e-10
        if keep.any():
            for key, new in (("S", s), ("Y", y)):
                arr = state[key]
                arr[keep] = np.concatenate([arr[keep, 1:], new[keep, None]], axis=1)
            rho = state["rho"]
            rho[keep] = np.concatenate([rho[keep, 1:], (1.0 / ys[keep])[:, None]], axis=1)
            state["H_diag"][keep] = ys[keep] / np.sum(y[keep] * y[keep], axis=-1)

    def step(self, x, g, state, *, lr, t, objective):
        first = state["prev_g"] is None
        if first:
            p = -g
            alpha = np.minimum(1.0, 1.0 / np.sum(np.abs(g), axis=-1)) * lr
        else:
            self._remember(g, state)
            p = self._direction(g, state)
            alpha = np.full(x.shape[0], float(lr))
        state["prev_g"] = g.copy()
        if self.line_search == "backtracking":
            value = getattr(objective, "value_raw", objective)
            f0 = np.asarray(value(x), dtype=float)
            slope = np.sum(g * p, axis=-1)
            descent = slope < 0
            p = np.where(descent[:, None], p, -g)  # a non-descent direction: fall back to −∇L
            slope = np.where(descent, slope, -np.sum(g * g, axis=-1))
            todo = slope < 0
            f_acc = f0.copy()
            first_try = np.zeros(x.shape[0], dtype=bool)
            for attempt in range(self.max_backtracks):
                idx = np.flatnonzero(todo)
                if idx.size == 0:
                    break
                ft = np.asarray(value(x[idx] + alpha[idx, None] * p[idx]), dtype=float)
                state["evals"] += idx.size
                ok = np.isfinite(ft) & (ft <= f0[idx] + self.c1 * alpha[idx] * slope[idx])
                todo[idx[ok]] = False
                f_acc[idx[ok]] = ft[ok]
                first_try[idx[ok]] = attempt == 0
                alpha[idx[~ok]] *= 0.5
            alpha[todo] = 0.0  # no acceptable step found: stay
            # Without any curvature pair the direction is −∇L with no sense of scale (e.g. on a plateau,
            # where ∇L is tiny): while doubling α keeps lowering L (Armijo), double it.
            grow = first_try & (state["rho"].sum(axis=1) == 0)
            for _ in range(self.max_backtracks if grow.any() else 0):
                idx = np.flatnonzero(grow)
                if idx.size == 0:
                    break
                trial = 2 * alpha[idx]
                ft = np.asarray(value(x[idx] + trial[:, None] * p[idx]), dtype=float)
                state["evals"] += idx.size
                ok = np.isfinite(ft) & (ft < f_acc[idx]) & (ft <= f0[idx] + self.c1 * trial * slope[idx])
                alpha[idx[ok]] = trial[ok]
                f_acc[idx[ok]] = ft[ok]
                grow[idx[~ok]] = False
        s = alpha[:, None] * p
        state["s"] = s
        return x + s

    def hyperparameters(self):
        return {"lr": self.lr, "history_size": self.history_size, "line_search": self.line_search}
