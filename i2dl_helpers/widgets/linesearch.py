"""LineSearchExplorer: φ(α) = L(θ − α∇L) beside the contour plot (slide 27).

The φ panel follows the current point θ_k, whose φ can live on any scale. To
keep every control but the function instant (blitted over a cached background,
see :mod:`.base`), the panel's axes never change: it plots u = α / S against
v = (φ(α) − φ(0)) / D on fixed limits, with S and D "nice" numbers (1, 2, 4, 6
or 8 times a power of ten) chosen per point so that the curve fills the panel.
The tick marks sit at fixed u and v; their labels (the true α and φ(α) − φ(0)
there, formatted as matplotlib would) and φ(0) itself are animated texts.
"""
from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.ticker import ScalarFormatter
from matplotlib.transforms import offset_copy

from .. import linesearch as _ls
from .. import objectives as _objectives
from ..objectives import Objective
from ..optim import run
from ..plotting.views2d import replace_contours
from ..plotting.style import PALETTE
from .base import Control, Explorer
from .chooser import ObjectiveChooser

__all__ = ["LineSearchExplorer"]

#: the φ panel's fixed frame: u = α / S on [0, 1], v = (φ(α) − φ(0)) / D on [−1.1, 1.1]
_U_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)
_V_TICKS = (-1.0, -0.5, 0.0, 0.5, 1.0)
_V_LIMITS = (-1.1, 1.1)
#: the α axis widens to show every backtracking try when the first try is at most this many times the
#: span that frames α* and the accepted step (wider, the dip of φ would shrink to a sliver)
_WIDEN = 4.0


def _nice_ceil(x: float) -> float:
    """The smallest m·10^k >= x with m in {1, 2, 4, 6, 8}: quarters and halves of it are round."""
    x = float(x)
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"x must be positive and finite, got {x!r}")
    k = math.floor(math.log10(x))
    for m in (1, 2, 4, 6, 8, 10):
        value = m * 10.0 ** k
        if value >= x * (1 - 1e-12):
            return value if math.isfinite(value) else x
    return x  # pragma: no cover - m = 10 always covers x


def _tick_labels(values, lo: float, hi: float) -> tuple[list[str], str]:
    """Labels for ticks at ``values`` of an axis from lo to hi, and the offset text
    ("1e−3"), as matplotlib's ScalarFormatter writes them on a real axis."""
    fmt = ScalarFormatter(useOffset=False, useMathText=False)
    fmt.set_powerlimits((-3, 4))
    fmt.create_dummy_axis()
    fmt.axis.set_view_interval(lo, hi)
    return fmt.format_ticks(list(values)), fmt.get_offset()


def _alpha_span(alpha_exact: float, alpha_bt: float, tried: np.ndarray) -> float:
    """The φ panel's α range: a round number beyond both steps, widened to show every backtracking try
    unless the first try lies more than _WIDEN times further out."""
    span = _nice_ceil(2.2 * max(alpha_exact, alpha_bt, 1e-12))
    if tried.size and tried.max() > span and _nice_ceil(tried.max()) <= _WIDEN * span:
        span = _nice_ceil(tried.max())              # every try on the α axis
    return span


def _phi_unit(phi: np.ndarray, phi_exact: float, f0: float) -> float:
    """D: a round number at least the largest drop below φ(0) on the plot, so the minimum sits between
    v = −1 and −0.5 (if φ never drops, half its rise)."""
    finite = phi[np.isfinite(phi)]
    lows = [y for y in (finite.min() if finite.size else f0, phi_exact) if np.isfinite(y)]
    drop = f0 - min(lows, default=f0)
    if not drop > 0:
        drop = 0.5 * (float(finite.max()) - f0) if finite.size else 0.0
    return _nice_ceil(min(max(drop, 1e-12 * max(1.0, abs(f0))), 1e300))


class LineSearchExplorer(ObjectiveChooser, Explorer):
    """Gradient descent with line search, one step at a time.

    Left: contours of L with the path θ_0, ..., θ_k of GD with the chosen line
    search, and the search line θ_k − α∇L(θ_k) through the current point. Right:
    φ(α) − φ(0), where φ(α) = L(θ_k − α ∇L(θ_k)), with the exact minimiser α*,
    the Armijo line (φ(0) − c α ‖∇L‖², so −c α ‖∇L‖² relative to φ(0)) and the
    steps backtracking tries (α0, ρα0, ρ²α0, ...): every curve is drawn relative
    to φ(0) (whose value is given above the panel, and in the legend's labels) on α from 0 to a round
    number beyond both steps and every backtracking try (unless the first try lies more than four times
    further out: then a note in the panel says how many tries lie beyond it). A try whose φ lies above the
    panel is drawn on its top edge as a triangle. The status line gives both steps and how many
    evaluations of L each cost (φ(0) = L(θ_k) is not counted: the gradient gave it). Only a new function redraws the whole figure;
    every other control is blitted.

    After each update ``alpha_span`` (S), ``phi0`` (φ(0)) and ``phi_unit`` (D)
    give the φ panel's scales: a point (u, v) drawn there is α = S·u,
    φ(α) = φ(0) + D·v.

    objective : a name from ``objectives.names(dim=2)`` or a 2D Objective.
    k         : the steps taken (0 ... 30).
    x0, y0    : the start θ_0 (default: the objective's ``start``; a start outside the domain
                widens the sliders).
    alpha0, c, rho : the backtracking parameters: the first try α0 (log scale 1e-3 ... 10, widened
                to include a larger one), Armijo's c (1e-4 ... 0.9) and the shrink factor ρ (0.1 ... 0.9).
    search    : the search GD uses, "exact" or "backtracking".
    controls  : "objective", "search", "k", "x0", "y0", "alpha0", "c", "rho".
    """

    ALT_SUBJECT = ("Gradient descent with line search: the path and the search line on the contours (left), φ(α) − "
                   "φ(0) with the exact minimiser, the Armijo line and the backtracking steps (right)")

    figsize = (10.0, 4.2)
    chooser_dim = 2
    AHEAD = "k"  # every step k's frame is drawn ahead (for the other controls' values) (Explorer.draw_ahead)
    CONTROLS = (  # in the order of the rows of three: the function, the run, backtracking
        Control("objective", "function", "choice", redraw=True),
        Control("search", "GD uses", "choice", options=("exact", "backtracking")),  # shown as toggle buttons
        Control("k", "step k", "int", 0, 30),
        Control("x0", "start θ₁", "float", fmt=".2f", grow=True),
        Control("y0", "start θ₂", "float", fmt=".2f", grow=True),
        Control("alpha0", "backtracking α0", "log", 1e-3, 10.0, grow=True),
        Control("c", "Armijo c", "float", 1e-4, 0.9, step=0.01, fmt=".4f"),
        Control("rho", "shrink ρ", "float", 0.1, 0.9, step=0.05, fmt=".2f"),
    )

    def __init__(self, objective: str | Objective = "ill_conditioned", k: int = 0, *, x0: float | None = None,
                 y0: float | None = None, search: str = "exact", alpha0: float = 1.0, c: float = 1e-4,
                 rho: float = 0.5, renderer: str = "auto"):
        self._init_chooser(objective)
        self._declare(k=k, x0=x0, y0=y0, search=search, alpha0=alpha0, c=c, rho=rho)
        self.result_exact = self.result_backtracking = None
        super().__init__(renderer=renderer)

    def _from_catalogue(self, name: str) -> Objective:
        if name == "ill_conditioned":  # tilted by 0.5°, as this explorer has always shown it
            return _objectives.get("ill_conditioned", condition=10.0, angle=0.5)
        return _objectives.get(name)

    # -- explorer hooks -----------------------------------------------------
    def _make_controls(self):
        obj, init = self._objective, self._initial
        init["objective"] = obj.name
        for i, name in enumerate(("x0", "y0")):
            init[name] = float(obj.start[i]) if init[name] is None else init[name]
        (xl, xh), (yl, yh) = (tuple(map(float, r)) for r in obj.domain)
        made = self._declared_controls(objective=self._chooser_options(), x0=(xl, xh), y0=(yl, yh))
        search = made["search"]
        made["search"] = widgets.ToggleButtons(options=search.options, value=search.value,
                                               description=search.description,
                                               style={"description_width": "initial"})
        search.close()
        return made

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
        self._build_phi_panel(fig, axp)

    def _build_phi_panel(self, fig, axp):
        """Fixed axes (u = α / S, v = (φ − φ(0)) / D, see the module docstring): ticks,
        grid, axis labels and legend are static; curves and tick labels are animated."""
        rc = mpl.rcParams  # the style the figure is built in (base.Explorer sets it)
        font = rc["font.size"]
        axp.set_xlim(0.0, 1.0)
        axp.set_ylim(*_V_LIMITS)
        # The tick labels on the axes are invisible placeholders as wide as the widest
        # labels _tick_labels writes ("0.0025", "−0.005"): the layout, computed only on
        # a full redraw, keeps room for the animated labels drawn over them.
        axp.set_xticks(_U_TICKS, ["0.0000"] * len(_U_TICKS))
        axp.set_yticks(_V_TICKS, ["−0.000"] * len(_V_TICKS))
        axp.tick_params(labelcolor="none")
        axp.set_xlabel("step size α")
        axp.set_ylabel("φ(α) − φ(0),   φ(α) = L(θ_k − α∇L(θ_k))")
        pad = rc["xtick.major.size"] + rc["xtick.major.pad"]
        below = offset_copy(axp.get_xaxis_transform(), fig=fig, y=-pad, units="points")
        left = offset_copy(axp.get_yaxis_transform(), fig=fig, x=-pad, units="points")
        tick_font = {"fontsize": rc["xtick.labelsize"], "in_layout": False, "clip_on": False}
        self._u_labels = [self.animate(axp.text(u, 0, "", transform=below, ha="center", va="top", **tick_font))
                          for u in _U_TICKS]
        self._v_labels = [self.animate(axp.text(0, v, "", transform=left, ha="right", va="center", **tick_font))
                          for v in _V_TICKS]
        self._u_offset = self.animate(axp.text(1, 0, "", ha="right", va="top", transform=offset_copy(
            axp.transAxes, fig=fig, y=-2.1 * font, units="points"), **tick_font))
        self._v_offset = self.animate(axp.text(0, 1, "", ha="left", va="bottom", transform=offset_copy(
            axp.transAxes, fig=fig, y=0.3 * font, units="points"), **tick_font))
        # φ(0) above the panel, in the layout (it always holds a line of text)
        self._phi0_text = self.animate(axp.text(1, 1, "φ(0)", ha="right", va="bottom", transform=offset_copy(
            axp.transAxes, fig=fig, y=0.3 * font, units="points")))
        self._phi_line = self.animate(*axp.plot([], [], color=PALETTE["black"], lw=1.6, label="φ(α) − φ(0)"))
        self._armijo = self.animate(*axp.plot([], [], ":", color=PALETTE["orange"], lw=1.4,
                                              label="Armijo line −cα‖∇L‖²"))
        self._trials = self.animate(*axp.plot([], [], "x", ls="none", color=PALETTE["orange"], ms=6.5, mew=1.6,
                                              zorder=5, clip_on=False, in_layout=False, label="backtracking tries"))
        self._trials_above = self.animate(*axp.plot([], [], "^", ls="none", color=PALETTE["orange"], ms=7,
                                                    mec="k", mew=0.6, zorder=5, clip_on=False,
                                                    in_layout=False, label="tries above the panel"))
        # bottom left: below the Armijo line and left of the dip of φ (α* sits near the middle of the axis
        # whenever tries are left out); a box keeps it readable over a curve
        self._trials_note = self.animate(axp.text(0.02, 0.03, "", transform=axp.transAxes, ha="left", va="bottom",
                                                  fontsize="small", in_layout=False,
                                                  bbox={"boxstyle": "square,pad=0.2", "facecolor": "white",
                                                        "edgecolor": "none", "alpha": 0.85}))
        self._bt_pt = self.animate(*axp.plot([], [], "s", color=PALETTE["orange"], ms=8, mec="k", zorder=6))
        self._ex_pt = self.animate(*axp.plot([], [], "D", color=PALETTE["green"], ms=8, mec="k", zorder=6,
                                             label="exact α*"))
        axp.legend(loc="lower right", fontsize="small")  # the curve rises through the upper right
        #: the φ panel's scales: α = S·u, φ(α) = φ(0) + D·v (set by every update)
        self.alpha_span = self.phi0 = self.phi_unit = float("nan")

    def _set_phi_frame(self, span: float, f0: float, unit: float) -> None:
        """Label the fixed ticks for α = span·u and φ − φ(0) = unit·v, and say φ(0)."""
        self.alpha_span, self.phi_unit = span, unit
        labels, offset = _tick_labels(np.multiply(_U_TICKS, span), 0.0, span)
        for text, label in zip(self._u_labels, labels):
            text.set_text(label)
        self._u_offset.set_text(offset)
        labels, offset = _tick_labels(np.multiply(_V_TICKS, unit), _V_LIMITS[0] * unit, _V_LIMITS[1] * unit)
        for text, label in zip(self._v_labels, labels):
            text.set_text(label)
        self._v_offset.set_text(offset)
        self._say_phi0(f0)

    def _say_phi0(self, f0: float) -> None:
        """φ(0) = L(θ_k) above the panel (the panel itself plots φ relative to it)."""
        self.phi0 = f0
        self._phi0_text.set_text(f"φ(0) = L(θ_k) = {f0:.4g}")

    def _clear_phi_panel(self, f0: float) -> None:
        """Nothing to search (∇L = 0): an empty panel that still gives φ(0)."""
        for art in (self._phi_line, self._armijo, self._trials, self._trials_above, self._bt_pt, self._ex_pt):
            art.set_data([], [])
        self._trials_note.set_text("")
        for text in (*self._u_labels, *self._v_labels, self._u_offset, self._v_offset):
            text.set_text("")
        self.alpha_span = self.phi_unit = float("nan")
        self._say_phi0(f0)

    def _set_background(self):
        obj = self._objective
        self._static, _ = replace_contours(self.ax, self._static, obj, levels=25)
        self.ax.set_xlabel("θ₁")
        self.ax.set_ylabel("θ₂")
        self.ax.set_title(obj.name.replace("_", " "))
        self.ax.legend(loc="lower right", fontsize="small")

    def _sync_start(self):
        obj = self._objective
        for i, name in enumerate(("x0", "y0")):
            self._retarget(name, *obj.domain[i], obj.start[i])

    def _draw_trials(self, tried, span, v_of):
        """Backtracking's tries on the φ panel; those off the top sit on its top edge, those beyond the α
        axis are counted in a note."""
        shown = tried[tried <= span * (1 + 1e-12)]
        v_tried = v_of(shown)
        above = ~(v_tried <= _V_LIMITS[1])             # off the top (or not finite): on the top edge
        self._trials.set_data(shown[~above] / span, v_tried[~above])
        self._trials_above.set_data(shown[above] / span, np.full(int(above.sum()), _V_LIMITS[1] - 0.05))
        beyond = tried.size - shown.size
        self._trials_note.set_text(f"+ {beyond} {'try' if beyond == 1 else 'tries'} further right" if beyond else "")

    def _update(self, changed):
        """Only a new function changes the background (the contours); every other
        control moves animated artists only (the φ panel's axes are fixed)."""
        c = self.controls
        full = changed is None  # the function is a declared redraw control (the base adds it)
        if changed == "objective":
            self._follow_chooser()
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
            for art in (self._ray, self._next_exact, self._next_bt):
                art.set_data([], [])
            self._clear_phi_panel(float(obj(theta)))
            self.set_status(f"θ_k = ({theta[0]:.4g}, {theta[1]:.4g}) is a stationary point: ∇L = 0, nothing "
                            f"to search", "ok")
            return full
        ex = _ls.exact(obj, theta, -g, g=g, full=True)
        try:
            bt = _ls.backtracking(obj, theta, -g, alpha0=c["alpha0"].value, c=c["c"].value, rho=c["rho"].value,
                                  g=g, full=True)
        except RuntimeError:  # the decrease Armijo asks for is below round-off
            bt = _ls.LineSearchResult(0.0, 60, 1, "backtracking failed", ())  # 60 = max_iter tries
        self.result_exact, self.result_backtracking = ex, bt
        line = _ls.phi(obj, theta, -g)
        tried = np.array(bt.trials, dtype=float)
        span = _alpha_span(ex.alpha, bt.alpha, tried)
        alphas = np.linspace(0, span, 300)
        phi = line(alphas)
        f0 = float(phi[0])
        phi_ex = float(line(ex.alpha))
        phi_bt = float(line(bt.alpha))
        unit = _phi_unit(phi, phi_ex, f0)
        self._set_phi_frame(span, f0, unit)

        def v(values):  # φ − φ(0) in units of D (non-finite values leave a gap)
            out = (np.asarray(values, dtype=float) - f0) / unit
            return np.where(np.isfinite(out), out, np.nan)

        ray = theta - np.outer(alphas, g)
        self._ray.set_data(ray[:, 0], ray[:, 1])
        self._next_exact.set_data([theta[0] - ex.alpha * g[0]], [theta[1] - ex.alpha * g[1]])
        self._next_bt.set_data([theta[0] - bt.alpha * g[0]], [theta[1] - bt.alpha * g[1]])
        u = alphas / span
        self._phi_line.set_data(u, v(phi))
        self._armijo.set_data(u, -c["c"].value * alphas * gnorm ** 2 / unit)
        self._draw_trials(tried, span, lambda a: v(line(a)))
        self._ex_pt.set_data([ex.alpha / span], [v(phi_ex)])
        self._bt_pt.set_data([bt.alpha / span], [v(phi_bt)])
        how = "closed form gᵀg/gᵀAg" if ex.method == "closed form" else f"golden section: {ex.n_values} evaluations of L"
        self.set_status(
            f"step k = {len(traj) - 1}: θ_k = ({theta[0]:.4g}, {theta[1]:.4g}), L = {f0:.4g}, ‖∇L‖ = {gnorm:.3g} · "
            f"exact α* = {ex.alpha:.4g} ({how}) · "
            + (f"backtracking α = {bt.alpha:.4g} after {bt.n_values} tries, one evaluation of L each "
               "(φ(0) = L(θ_k) came with ∇L)"
               if bt.trials else "backtracking finds no step: the decrease is below round-off")
            + f" · the {len(traj) - 1} steps so far cost {spent} evaluations of L",
            "info")
        return full
