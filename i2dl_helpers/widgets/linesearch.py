"""LineSearchExplorer: φ(α) = L(θ − α∇L) beside the contour plot (slide 27)."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import linesearch as _ls
from .. import objectives as _objectives
from .._validate import check_int
from ..objectives import Objective
from ..optim import run
from ..plotting.views2d import contour_background
from ..style import PALETTE
from .base import Explorer, log_slider

__all__ = ["LineSearchExplorer"]

#: sensible starts for the catalogue's 2D objectives
_STARTS = {"bowl": (2.5, 2.0), "ill_conditioned": (-2.5, 1.5), "rosenbrock": (-1.5, 2.0),
           "himmelblau": (0.5, -0.5), "saddle": (1.8, 0.6)}


class LineSearchExplorer(Explorer):
    """Gradient descent with line search, one step at a time.

    Left: contours of L with the path θ_0, ..., θ_k of GD with the chosen line
    search, and the search line θ_k − α∇L(θ_k) through the current point. Right:
    φ(α) = L(θ_k − α ∇L(θ_k)) with the exact minimiser α*, the Armijo line
    φ(0) − c α ‖∇L‖² and the steps backtracking tries (α0, ρα0, ρ²α0, ...).
    The status line gives both steps and how many evaluations of L each cost.

    objective : a name from ``objectives.names(dim=2)`` or a 2D Objective.
    controls  : "objective", "search" (the search GD uses: exact or backtracking),
                "k" (steps taken, 0 ... 30), "x0", "y0" (the start θ_0), "alpha0", "c", "rho"
                (the backtracking parameters).
    """

    figsize = (10.0, 4.2)

    def __init__(self, objective: str | Objective = "ill_conditioned", k: int = 0, *, renderer: str = "auto"):
        self._custom = objective if isinstance(objective, Objective) else None
        self._objective = self._resolve(objective)
        self._k0 = check_int("k", k, low=0, high=30)
        self.result_exact = self.result_backtracking = None
        super().__init__(renderer=renderer)

    def _resolve(self, objective) -> Objective:
        if isinstance(objective, Objective):
            if objective.dim != 2:
                raise ValueError(f"objective must be two-dimensional, got dim={objective.dim}")
            return objective
        if objective == "ill_conditioned":
            return _objectives.get("ill_conditioned", condition=10.0, angle=0.5)
        if isinstance(objective, str) and objective in _objectives.names(dim=2):
            return _objectives.get(objective)
        if self._custom is not None and objective == self._custom.name:
            return self._custom
        raise ValueError(f"objective must be one of {', '.join(_objectives.names(dim=2))} or a 2D Objective; "
                         f"got {objective!r}")

    def _start(self):
        (x0, x1), (y0, y1) = self._objective.domain
        return _STARTS.get(self._objective.name, (x0 + 0.2 * (x1 - x0), y0 + 0.8 * (y1 - y0)))

    # -- explorer hooks -----------------------------------------------------
    def _coord(self, label, value, lo, hi):
        return widgets.FloatSlider(value=float(np.clip(value, lo, hi)), min=float(lo), max=float(hi),
                                   step=(hi - lo) / 400, description=label, readout_format=".2f",
                                   style={"description_width": "initial"})

    def _make_controls(self):
        (xl, xh), (yl, yh) = self._objective.domain
        sx, sy = self._start()
        names = _objectives.names(dim=2) + ([self._custom.name] if self._custom is not None else [])
        style = {"description_width": "initial"}
        return {
            "objective": widgets.Dropdown(options=names, value=self._objective.name, description="function"),
            "search": widgets.ToggleButtons(options=["exact", "backtracking"], value="exact",
                                            description="GD uses", style=style),
            "k": widgets.IntSlider(value=self._k0, min=0, max=30, description="step k", style=style),
            "x0": self._coord("start θ₁", sx, xl, xh),
            "y0": self._coord("start θ₂", sy, yl, yh),
            "alpha0": log_slider("backtracking α0", 1.0, -3, 1),
            "c": widgets.FloatSlider(value=1e-4, min=1e-4, max=0.9, step=0.01, description="Armijo c",
                                     readout_format=".4f", style=style),
            "rho": widgets.FloatSlider(value=0.5, min=0.1, max=0.9, step=0.05, description="shrink ρ",
                                       readout_format=".2f", style=style),
        }

    def _build(self, fig):
        self.ax, self.ax_phi = fig.subplots(1, 2, width_ratios=[1.1, 1])
        ax, axp = self.ax, self.ax_phi
        self._path = self.animate(*ax.plot([], [], "-o", color=PALETTE["vermillion"], ms=3, lw=1.1, zorder=4,
                                           label="θ_0 … θ_k"))
        self._ray = self.animate(*ax.plot([], [], "--", color=PALETTE["purple"], lw=1.3, zorder=3,
                                          label="θ_k − α∇L"))
        self._here = self.animate(*ax.plot([], [], "o", color=PALETTE["blue"], ms=9, mec="w", zorder=6,
                                           label="θ_k"))
        self._next_exact = self.animate(*ax.plot([], [], "D", color=PALETTE["green"], ms=7, mec="k", zorder=6,
                                                 label="exact step"))
        self._next_bt = self.animate(*ax.plot([], [], "s", color=PALETTE["orange"], ms=7, mec="k", zorder=6,
                                              label="backtracking step"))
        self._static = []
        self._phi_line, = axp.plot([], [], color=PALETTE["black"], lw=1.6, label="φ(α)")
        self._armijo, = axp.plot([], [], ":", color=PALETTE["orange"], lw=1.4, label="φ(0) − cα‖∇L‖²")
        self._trials = axp.scatter([], [], marker="x", color=PALETTE["orange"], s=40, zorder=5,
                                   label="backtracking tries")
        self._bt_pt, = axp.plot([], [], "s", color=PALETTE["orange"], ms=8, mec="k", zorder=6)
        self._ex_pt, = axp.plot([], [], "D", color=PALETTE["green"], ms=8, mec="k", zorder=6, label="exact α*")
        axp.set_xlabel("step size α")
        axp.set_ylabel("φ(α) = L(θ_k − α∇L(θ_k))")
        axp.legend(loc="upper right", fontsize="small")

    def _set_background(self):
        obj = self._objective
        for artist in self._static:
            artist.remove()
        self._static, _ = contour_background(self.ax, obj, levels=25)
        self.ax.set_xlabel("θ₁")
        self.ax.set_ylabel("θ₂")
        self.ax.set_title(obj.name.replace("_", " "))
        self.ax.legend(loc="lower right", fontsize="x-small")

    def _sync_start(self):
        sx, sy = self._start()
        for name, (lo, hi), v in (("x0", self._objective.domain[0], sx), ("y0", self._objective.domain[1], sy)):
            self._retarget(name, lo, hi, v)

    def _update(self, changed):
        c = self.controls
        if changed == "objective":
            self._objective = self._resolve(c["objective"].value)
            with self.quietly():
                self._sync_start()
        if changed in (None, "objective"):
            self._set_background()
        obj = self._objective
        opt = _ls.GDLineSearch(c["search"].value, lr=c["alpha0"].value, c=c["c"].value, rho=c["rho"].value)
        traj = run(obj, opt, [c["x0"].value, c["y0"].value], steps=c["k"].value, tol=1e-12)
        self.trajectory = traj
        theta = traj.final
        self._path.set_data(traj.points[:, 0], traj.points[:, 1])
        self._here.set_data([theta[0]], [theta[1]])
        g = np.asarray(obj.grad(theta), dtype=float)
        gnorm = float(np.linalg.norm(g))
        spent = opt.total_evaluations
        if gnorm == 0 or not np.isfinite(gnorm):
            for art in (self._ray, self._next_exact, self._next_bt, self._phi_line, self._armijo, self._bt_pt,
                        self._ex_pt):
                art.set_data([], [])
            self._trials.set_offsets(np.empty((0, 2)))
            self.set_status(f"θ_k = ({theta[0]:.4g}, {theta[1]:.4g}) is a stationary point: ∇L = 0, nothing "
                            f"to search", "ok")
            return True
        ex = _ls.exact(obj, theta, -g, g=g, full=True)
        try:
            bt = _ls.backtracking(obj, theta, -g, alpha0=c["alpha0"].value, c=c["c"].value, rho=c["rho"].value,
                                  g=g, full=True)
        except RuntimeError:  # the decrease Armijo asks for is below round-off
            bt = _ls.LineSearchResult(0.0, 61, 1, "backtracking failed", ())
        self.result_exact, self.result_backtracking = ex, bt
        span = 2.2 * max(ex.alpha, bt.alpha, 1e-12)
        alphas = np.linspace(0, span, 300)
        phi = _ls.phi(obj, theta, -g)(alphas)
        f0 = float(phi[0])
        ray = theta - np.outer(alphas, g)
        self._ray.set_data(ray[:, 0], ray[:, 1])
        self._next_exact.set_data([theta[0] - ex.alpha * g[0]], [theta[1] - ex.alpha * g[1]])
        self._next_bt.set_data([theta[0] - bt.alpha * g[0]], [theta[1] - bt.alpha * g[1]])
        self._phi_line.set_data(alphas, phi)
        self._armijo.set_data(alphas, f0 - c["c"].value * alphas * gnorm ** 2)
        tried = np.array(bt.trials)
        shown = tried[tried <= span]
        self._trials.set_offsets(np.c_[shown, _ls.phi(obj, theta, -g)(shown)] if shown.size else np.empty((0, 2)))
        phi_ex = float(_ls.phi(obj, theta, -g)(ex.alpha))
        self._ex_pt.set_data([ex.alpha], [phi_ex])
        self._bt_pt.set_data([bt.alpha], [float(_ls.phi(obj, theta, -g)(bt.alpha))])
        finite = phi[np.isfinite(phi)]
        lo = min(float(finite.min()), phi_ex)
        hi = min(float(finite.max()), f0 + 2.0 * (f0 - lo) + 1e-12)
        pad = 0.08 * (hi - lo) + 1e-12
        self.ax_phi.set_xlim(0, span)
        self.ax_phi.set_ylim(lo - pad, hi + pad)
        how = "closed form gᵀg/gᵀAg" if ex.method == "closed form" else f"golden section: {ex.n_values} evaluations of L"
        self.set_status(
            f"step k = {len(traj) - 1}: θ_k = ({theta[0]:.4g}, {theta[1]:.4g}), L = {f0:.4g}, ‖∇L‖ = {gnorm:.3g} · "
            f"exact α* = {ex.alpha:.4g} ({how}) · "
            + (f"backtracking α = {bt.alpha:.4g} after {len(bt.trials)} tries ({bt.n_values} evaluations of L)"
               if bt.trials else "backtracking finds no step: the decrease is below round-off")
            + f" · the {len(traj) - 1} steps so far cost {spent} evaluations",
            "info")
        return True  # φ's axes follow the current point
