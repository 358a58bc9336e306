"""OptimizerRace: GD, momentum, Nesterov, AdaGrad, RMSProp and Adam from one start on one surface."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import objectives as _objectives
from .._validate import check_int
from ..objectives import Objective
from ..optim.racing import LR_GRID, PRESETS, RACERS, make_racers, race, tune
from ..plotting.views2d import contour_background
from ..style import PALETTE
from .base import Explorer, log_slider

__all__ = ["OptimizerRace"]

SURFACES = ["ravine", "rosenbrock", "himmelblau", "saddle", "plateau"]
COLOURS = {"GD": PALETTE["black"], "Momentum": PALETTE["blue"], "Nesterov": PALETTE["sky"],
           "AdaGrad": PALETTE["green"], "RMSProp": PALETTE["orange"], "Adam": PALETTE["vermillion"]}
#: extra hyper-parameters per racer: control name -> (racer, keyword, label, low, high, default)
_HYPER = {
    "beta_Momentum": ("Momentum", "momentum", "β", 0.0, 0.99, 0.9),
    "beta_Nesterov": ("Nesterov", "momentum", "β", 0.0, 0.99, 0.9),
    "alpha_RMSProp": ("RMSProp", "alpha", "decay a", 0.5, 0.999, 0.99),
    "beta1_Adam": ("Adam", "beta1", "β₁", 0.0, 0.99, 0.9),
    "beta2_Adam": ("Adam", "beta2", "β₂", 0.5, 0.999, 0.999),
}


class OptimizerRace(Explorer):
    """Six optimisers race from the same start θ_0 on one surface.

    Left: every path on the contours (the same colour on both panels). Right:
    L(θ_k) − L* per step on a log axis, L* the lowest known minimum. The status
    line gives, per optimiser, the step from which L − L* stays below ``target``
    ("—" if it does not within the steps), and the winner.

    surface : a name from ``SURFACES`` (ravine, rosenbrock, himmelblau, saddle,
              plateau) or any 2D Objective (``set_objective`` switches later; its
              learning rates are then tuned with ``optim.racing.tune``).
    controls: "surface", "steps" (shared by all), "x0", "y0" (the shared start),
              "racers" (which optimisers run), "lr_<name>" for each optimiser
              (log scale) and "beta_Momentum", "beta_Nesterov", "alpha_RMSProp",
              "beta1_Adam", "beta2_Adam". Choosing a surface loads its preset
              start and learning rates (the best of a grid, see ``PRESETS``).
    ``results`` holds the last race: name -> RaceResult.
    """

    figsize = (9.0, 3.9)
    expression_variables = ("x", "y")

    def __init__(self, surface: str | Objective = "ravine", steps: int | None = None, target: float = 1e-6, *,
                 renderer: str = "auto"):
        self._custom: dict[str, Objective] = {}
        self._presets = {k: dict(v) for k, v in PRESETS.items()}
        self.target = float(target)
        self._objective = self._resolve(surface)
        self._steps0 = None if steps is None else check_int("steps", steps, low=1, high=2000)
        self.results = {}
        self._cache: dict[str, tuple] = {}
        self._version = 0
        super().__init__(renderer=renderer)

    # -- surfaces ---------------------------------------------------------------
    def _resolve(self, surface) -> Objective:
        if isinstance(surface, Objective):
            if surface.dim != 2:
                raise ValueError(f"surface must be two-dimensional, got dim={surface.dim}")
            self._custom[surface.name] = surface
            if surface.name not in self._presets:
                self._presets[surface.name] = self._tuned_preset(surface)
            return surface
        if isinstance(surface, str) and surface in self._custom:
            return self._custom[surface]
        if isinstance(surface, str) and surface in SURFACES:
            return _objectives.get(surface)
        raise ValueError(f"surface must be one of {', '.join(SURFACES + list(self._custom))} or a 2D Objective; "
                         f"got {surface!r}")

    def _tuned_preset(self, obj: Objective) -> dict:
        (x0, x1), (y0, y1) = obj.domain
        start = (x0 + 0.15 * (x1 - x0), y0 + 0.85 * (y1 - y0))
        # a coarse grid (every third rate, ×5.6 apart) over 100 steps keeps a typed-in
        # function responsive: 6 rates × 6 optimisers instead of 19 × 6 runs of 200 steps
        lrs = {name: tune(obj, name, start, 100, self.target, lrs=LR_GRID[2::3])[0] for name in RACERS}
        return {"start": start, "steps": 200, "target": self.target, "lr": lrs}

    def set_objective(self, objective: str | Objective) -> None:
        """Race on another surface: a name or a 2D Objective (added to the chooser).
        Errors propagate, so a typed-in function that fails leaves the old one in place."""
        obj = self._resolve(objective)
        self._choose("surface", obj.name)
        self._objective = obj
        self.refresh("surface")

    # -- controls ---------------------------------------------------------------------
    def _make_controls(self):
        style = {"description_width": "initial"}
        pre = self._presets[self._objective.name]
        (xl, xh), (yl, yh) = (tuple(map(float, r)) for r in self._objective.domain)
        steps = self._steps0 or pre["steps"]
        controls = {
            "surface": widgets.Dropdown(options=SURFACES + [n for n in self._custom if n not in SURFACES],
                                        value=self._objective.name, description="surface"),
            "steps": widgets.IntSlider(value=steps, min=1, max=2000, description="steps", style=style),
            "racers": widgets.SelectMultiple(options=list(RACERS), value=tuple(RACERS), rows=6,
                                             description="racers"),
            "x0": widgets.FloatSlider(value=pre["start"][0], min=xl, max=xh, step=(xh - xl) / 400,
                                      description="start θ₁", readout_format=".2f", style=style),
            "y0": widgets.FloatSlider(value=pre["start"][1], min=yl, max=yh, step=(yh - yl) / 400,
                                      description="start θ₂", readout_format=".2f", style=style),
        }
        for name in RACERS:
            controls[f"lr_{name}"] = log_slider("α", pre["lr"][name], -4, 0.5)
        for key, (_, _, label, lo, hi, default) in _HYPER.items():
            controls[key] = widgets.FloatSlider(value=default, min=lo, max=hi, step=0.001 if hi > 0.99 else 0.01,
                                                description=label, readout_format=".3f", style=style)
        return controls

    def _layout_controls(self):
        c = self.controls
        tabs = []
        for name in RACERS:
            extra = [c[k] for k, spec in _HYPER.items() if spec[0] == name]
            tabs.append(widgets.VBox([c[f"lr_{name}"], *extra]))
        tab = widgets.Tab(children=tabs)
        for i, name in enumerate(RACERS):
            tab.set_title(i, name)
        left = widgets.VBox([c["surface"], c["steps"], c["x0"], c["y0"]])
        return widgets.HBox([left, c["racers"], tab])

    # -- figure -------------------------------------------------------------------------
    def _build(self, fig):
        self.ax, self.ax_loss = fig.subplots(1, 2, width_ratios=[1.15, 1])
        self._paths, self._ends, self._curves = {}, {}, {}
        for name in RACERS:
            col = COLOURS[name]
            self._paths[name] = self.animate(*self.ax.plot([], [], "-", color=col, lw=1.6, zorder=4, label=name))
            self._ends[name] = self.animate(*self.ax.plot([], [], "o", color=col, ms=6, mec="k", zorder=6))
            self._curves[name] = self.animate(*self.ax_loss.plot([], [], "-", color=col, lw=1.6, label=name))
        self._start = self.animate(*self.ax.plot([], [], "o", color="w", ms=9, mec="k", zorder=7))
        self._target_line = self.ax_loss.axhline(self.target, color="0.4", ls=":", lw=1, label="target")
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_xlabel("step k")
        self.ax_loss.set_ylabel(r"$L(\theta_k) - L^*$")
        self.ax_loss.legend(loc="lower left", fontsize="x-small", ncol=2)
        self._static = []

    def _set_background(self):
        for artist in self._static:
            artist.remove()
        obj = self._objective
        self._static, Z = contour_background(self.ax, obj, levels=22, line_colour="0.5")
        self.ax.set_title(obj.name.replace("_", " "))
        names = getattr(obj, "parameter_names", None) or ("θ₁", "θ₂")
        self.ax.set_xlabel(names[0])
        self.ax.set_ylabel(names[1])
        self._lstar = float(np.min(obj(obj.minima))) if len(obj.minima) else 0.0
        top = max(float(np.nanmax(Z)) - self._lstar, 1e-3) * 10
        self._ylim = (1e-14, top)
        self.ax_loss.set_ylim(*self._ylim)

    def _load_preset(self):
        pre = self._presets[self._objective.name]
        c = self.controls
        (xl, xh), (yl, yh) = (tuple(map(float, r)) for r in self._objective.domain)
        for key, lo, hi, v in (("x0", xl, xh, pre["start"][0]), ("y0", yl, yh, pre["start"][1])):
            self._retarget(key, lo, hi, v)
        for name in RACERS:
            c[f"lr_{name}"].value = pre["lr"][name]
        for key, spec in _HYPER.items():
            c[key].value = spec[5]
        c["steps"].value = pre["steps"]

    def _update(self, changed):
        full = changed in (None, "surface", "steps")
        if changed == "surface":
            self._objective = self._resolve(self.controls["surface"].value)
            with self.quietly():
                self._load_preset()
        if changed in (None, "surface"):
            self._version += 1  # a new surface: no cached run is valid
            self._set_background()
        c = self.controls
        steps = c["steps"].value
        self.ax_loss.set_xlim(0, steps)
        names = list(c["racers"].value)
        hyper = {}
        for key, (racer, kw, *_rest) in _HYPER.items():
            hyper.setdefault(racer, {})[kw] = c[key].value
        lrs = {n: c[f"lr_{n}"].value for n in RACERS}
        start = np.array([c["x0"].value, c["y0"].value])
        # Only racers whose settings changed run again (one slider moves one racer).
        racers = make_racers(names, lrs, hyper)
        keys = {n: (self._version, tuple(start), steps, repr(o)) for n, o in racers.items()}
        stale = {n: o for n, o in racers.items() if self._cache.get(n, (None,))[0] != keys[n]}
        if stale:
            fresh = race(self._objective, stale, start, steps, self.target)
            self._cache.update({n: (keys[n], r) for n, r in fresh.items()})
        self.results = {n: self._cache[n][1] for n in racers}
        (x0, x1), (y0, y1) = self._objective.domain
        span = np.array([x1 - x0, y1 - y0])
        lo, hi = np.array([x0, y0]) - span, np.array([x1, y1]) + span
        for name in RACERS:
            res = self.results.get(name)
            if res is None:
                for art in (self._paths[name], self._ends[name], self._curves[name]):
                    art.set_data([], [])
                continue
            pts = np.clip(res.trajectory.points, lo, hi)
            self._paths[name].set_data(pts[:, 0], pts[:, 1])
            self._ends[name].set_data(pts[-1:, 0], pts[-1:, 1])
            gap = np.clip(res.gap, *self._ylim)
            self._curves[name].set_data(np.arange(len(gap)), gap)
        self._start.set_data([start[0]], [start[1]])
        self.set_status(self._message(), "ok")
        return full

    def _message(self) -> str:
        if not self.results:
            return "no racer selected"
        parts = []
        for name, res in self.results.items():
            k = res.steps_to_target
            tag = " (diverged)" if res.trajectory.status == "diverged" else ""
            parts.append(f"{name} {'—' if k is None else k}{tag}")
        done = {n: r.steps_to_target for n, r in self.results.items() if r.steps_to_target is not None}
        if done:
            best = min(done, key=done.get)
            winner = f"winner: {best} ({done[best]} steps)"
        else:
            winner = "nobody reached the target: more steps or other learning rates"
        return f"steps until L − L* stays < {self.target:g}: " + ", ".join(parts) + " · " + winner
