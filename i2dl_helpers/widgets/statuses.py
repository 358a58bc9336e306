"""The browser-stepped explorers' status lines and the small formulas their artists need, declared once.

Each function is a formula (:mod:`i2dl_helpers.formulas`): the explorer's ``_update`` calls it in Python,
and its scene in ``widgets/scenes*.js`` calls the same declaration through ``formula(name)`` (the trees reach
the page as the generated module ``formulas_data.js``: ``esm.formulas_module(BROWSER)``). A status formula
returns (text, kind); kind is "ok", "warn", "error" or "info".
"""
from __future__ import annotations

from ..basins import basin_summary
from ..convexity import min_eigenvalue_of
from ..formulas import formula, hypot, log, sqrt
from ..optim.base import run_message
from ..optim.first_order import momentum_rate_of
from ..optim.racing import race_gap, steps_to_target
from ..optim.theory import regime_of

__all__ = ["BROWSER"]


@formula
def run_kind(status):
    """The status kind of a run: converged "ok", diverged "error", anything else "warn"."""
    return "ok" if status == "converged" else "error" if status == "diverged" else "warn"


@formula
def path_note(diverged, off, stop):
    """The note on a 2D path: the first step off the plot (``off``, None if it stays on it); a run that
    diverged says so (at its last step ``stop`` if every point it kept is on the plot)."""
    if diverged:
        return f"diverged: the path leaves the plot at step {stop if off is None else off:d}"
    return "" if off is None else f"the path leaves the plot at step {off:d}"


# -- GradientDescent1D (gd1d.py) ----------------------------------------------------------------------
@formula
def gd1d_status(message, status, lr, curvature, x, value):
    """The run's message; on the quadratic of curvature λ (else None) its regime (:func:`regime_of` of
    q = αλ) and the critical α = 2/λ; else, when it converged, where: x and L."""
    text = message
    if curvature is not None:
        text += f" · {regime_of(lr * curvature)} · critical α = 2/λ = {2 / curvature:.4g}"
    elif status == "converged":
        text += f" · x = {x:.4f}, L = {value:.4f}"
    return (text, run_kind(status))


# -- GradientDescent2D (gd2d.py) ----------------------------------------------------------------------
@formula
def near_a_minimum(minima, theta):
    """Whether θ lies within 1e-3 of one of the known minima (a list of points, maybe empty)."""
    return len(minima) > 0 and min([hypot(m[0] - theta[0], m[1] - theta[1]) for m in minima]) < 1e-3


@formula
def gd2d_status(message, status, theta, first, last, grad, minima, hessian, kappa, smoothness, lr):
    """The run's message; unless it diverged, where it ended (θ, L), whether L grew, and a saddle note when
    ‖∇L‖ = hypot(grad) < 1e-3 away from every minimum with λ_min(∇²L) < 0 (``hessian`` the exact Hessian
    at θ, ``grad`` the gradient of the run's last step); then the stable learning rates α < 2/λ_max
    (``smoothness``), with κ on the ill-conditioned quadratic (``kappa``, else None)."""
    text = message
    if status != "diverged":
        text += f" · θ = ({theta[0]:.4g}, {theta[1]:.4g})"
        if status == "converged":
            text += f", L = {last:.4g}"
        elif last > first:
            text += " · L grows: α is too large"
        g = hypot(grad[0], grad[1])
        if g < 1e-3 and not near_a_minimum(minima, theta):
            lam = min_eigenvalue_of(hessian)
            if lam < 0:
                text += f" · stuck near a saddle point (‖∇L‖ = {g:.1e}, λ_min(∇²L) = {lam:.3g} < 0)"
    if kappa is not None:
        text += (f" · κ = {kappa:.3g}: curvatures 1 and κ, stable only for α < 2/κ = "
                 f"{2 / smoothness:.4g} (α·κ = {lr * smoothness:.3g})")
    elif smoothness is not None:
        text += f" · stable for α < 2/λ_max = {2 / smoothness:.4g} (λ_max: the largest curvature)"
    return (text, run_kind(status))


# -- MomentumExplorer (momentum.py) -------------------------------------------------------------------
@formula
def momentum_rates(lr, condition, beta, nesterov):
    """[ρ(α·1), ρ(α·κ)]: :func:`momentum_rate_of` at the two curvatures 1 and κ = ``condition``."""
    return [momentum_rate_of(lr * 1.0, beta, nesterov), momentum_rate_of(lr * condition, beta, nesterov)]


@formula
def momentum_envelope(first, rates, k):
    """L(θ_0)·ρ^{2k} with ρ = max(rates): the loss's envelope at step k (in Python a numpy array of k, where an
    overflow gives inf, not an OverflowError)."""
    return first * max(rates) ** (2.0 * k)


@formula
def momentum_status(lr, condition, beta, nesterov, rates, message, status):
    """ρ = the larger of ``rates`` (:func:`momentum_rates`, which the caller has computed for its artists) and
    how fast L falls (×10 every ln 10 / (−2 ln ρ) steps) or that it diverges; for heavy ball αλ_max against
    the edge 2 + 2β and the slowest curvature's damping against the critical β = (1 − √q)²; then the run's
    message. Kind "ok" when ρ < 1 and the run did not diverge."""
    qs = [lr * 1.0, lr * condition]
    rho = max(rates)
    edge = 2 + 2 * beta
    if rho < 1:
        per_decade = log(10) / -log(rho) / 2 if rho > 0 else 0.0  # L ~ ρ^{2k}
        text = f"converges: ρ = {rho:.4g} per step (L falls ×10 every {per_decade:.3g} steps)"
    else:
        text = f"diverges: ρ = {rho:.4g} ≥ 1"
    if not nesterov:
        text += f" · αλ_max = {qs[1]:.3g} {'<' if qs[1] < edge else '≥'} 2 + 2β = {edge:.3g}"
    slow = 1 if rates[1] > rates[0] else 0  # np.argmax: the first of equal rates
    s = 1 - sqrt(qs[slow])
    crit = s * s
    if not nesterov and qs[slow] < 4:
        damping = ("critically damped" if abs(beta - crit) < 0.01 else
                   "under-damped (oscillates)" if beta > crit else "over-damped (no oscillation)")
        text += f" · slowest curvature {'κ' if slow else '1'}: {damping}, critical β = {crit:.3g}"
    return (text + f" · run: {message}", "ok" if rho < 1 and status != "diverged" else "error")


# -- OptimizerRace (race.py) --------------------------------------------------------------------------
@formula
def race_part(name, reached, diverged):
    """"Adam 41", "GD —" (never settled below the target), with " (diverged)" where it diverged."""
    count = "—" if reached is None else f"{reached:d}"
    return f"{name} {count}" + (" (diverged)" if diverged else "")


@formula
def race_status(target, names, reached, diverged):
    """Each racer's steps to the target (:func:`steps_to_target`) and the winner: the first of the
    fewest steps."""
    if len(names) == 0:
        return ("no racer selected", "ok")
    parts = [race_part(names[i], reached[i], diverged[i]) for i in range(len(names))]
    done = [k for k in reached if k is not None]
    if len(done) > 0:
        best = min(done)
        who = [names[i] for i in range(len(names)) if reached[i] == best][0]
        winner = f"winner: {who} ({best:d} steps)"
    else:
        winner = "nobody reached the target: more steps or other learning rates"
    return (f"steps until L − L* stays < {target:g}: " + ", ".join(parts) + " · " + winner, "ok")


# -- ChordExplorer (convexity.py) ---------------------------------------------------------------------
@formula
def convex_combination(t, a, b):
    """t·a + (1 − t)·b (numbers or numpy arrays): a point of the segment, or of the chord."""
    return t * a + (1 - t) * b


@formula
def chord_scale(fx, fy):
    """The gap below which chord and graph touch: 1e-9 · max(1, |L(x)|, |L(y)|)."""
    return 1e-9 * max(1.0, abs(fx), abs(fy))


@formula
def chord_status(lam, fz, cz, fx, fy, gaps, zs, name):
    """At λ: L(z) against the chord's cz; then the largest gap L − chord over the points zs (a list) and
    where it is, if above :func:`chord_scale` (not convex), else that the chord lies above the graph."""
    scale = chord_scale(fx, fy)
    gap = fz - cz
    here = ("chord above the graph" if gap < -scale else
            "graph above the chord" if gap > scale else "chord touches the graph")
    head = f"at λ = {lam:.2f}: L(z) = {fz:.4g}, chord = {cz:.4g} ({here})"
    biggest = max(gaps)
    if biggest > scale:
        k = [i for i in range(len(gaps)) if gaps[i] == biggest][0]
        return (f"{head} · the chord dips below the graph (by up to {biggest:.3g} at θ = {zs[k]:.3f}): "
                f"{name} is not convex", "error")
    return (f"{head} · this chord lies on or above the graph everywhere between x and y", "ok")


# -- DifferenceQuotient (derivative.py) ---------------------------------------------------------------
@formula
def difference_quotient(fx, fxh, h):
    """(L(x + h) − L(x)) / h."""
    return (fxh - fx) / h


@formula
def line_through(value, slope, u, x):
    """The line through (x, value) of this slope at u (a number or a numpy array): value + slope·(u − x)."""
    return value + slope * (u - x)


@formula
def derivative_status(quotient, slope):
    """The quotient, L'(x) (−0 shown as 0) and their difference."""
    return (f"(L(x+h) − L(x))/h = {quotient:.6f}   L'(x) = {slope + 0.0:.6f}   "
            f"difference = {quotient - slope:.2e}", "info")


# -- BasinExplorer (basins.py) ------------------------------------------------------------------------
@formula
def basin_status(n, steps, lr, shares, diverged, stuck):
    """"n×n starts, k steps · " and :func:`basin_summary`; "error" when more than half diverged, "warn"
    when more than 5 % diverged or did not converge."""
    kind = "error" if diverged > 0.5 else "warn" if diverged + stuck > 0.05 else "ok"
    return (f"{n:d}×{n:d} starts, {steps:d} steps · " + basin_summary(lr, shares, diverged, stuck), kind)


#: the formulas the scenes call (and, through them, every formula they call): the page's FORMULAS
BROWSER = (run_message, path_note, gd1d_status, gd2d_status, momentum_rates, momentum_envelope, momentum_status,
           race_gap, steps_to_target, race_status, convex_combination, chord_scale, chord_status, difference_quotient,
           line_through, derivative_status, basin_status)
