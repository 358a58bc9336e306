"""OptimizerRace: GD, momentum, Nesterov, AdaGrad, RMSProp and Adam from one start on one surface."""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..objectives import Objective
from ..optim.racing import LR_GRID, PRESETS, RACERS, make_racers, race, tune
from ..plotting.views2d import replace_contours
from ..plotting.style import PALETTE
from .base import Control, Explorer
from .chooser import ObjectiveChooser
from .resting import Fresh
from .statuses import race_status

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


class OptimizerRace(ObjectiveChooser, Explorer):
    """Six optimisers race from the same start θ_0 on one surface.

    Left: every path on the contours (the same colour on both panels). Right:
    L(θ_k) − L* per step on a log axis, L* = ``objective.best`` the lowest known
    value. The status line gives, per optimiser, the step from which L − L* stays
    below ``target`` ("—" if it does not within the steps), and the winner.

    surface : a name from ``SURFACES`` (ravine, rosenbrock, himmelblau, saddle,
              plateau) or any 2D Objective (``set_objective`` switches later; it
              starts at ``objective.start`` and its learning rates are tuned with
              ``optim.racing.tune``).
    steps   : the number of steps (1 ... 2000; default: the surface's preset).
    controls: "surface", "steps" (shared by all), "x0", "y0" (the shared start),
              "racers" (which optimisers run), "lr_<name>" for each optimiser
              (log scale) and "beta_Momentum", "beta_Nesterov", "alpha_RMSProp",
              "beta1_Adam", "beta2_Adam". Choosing a surface loads its preset
              start and learning rates (the best of a grid, see ``PRESETS``).
    ``results`` holds the last race: name -> RaceResult.
    """

    ALT_SUBJECT = ("Six optimisers race from one start: their paths on the contours (left), L(θ_k) − L* per step on "
                   "a log axis (right)")

    figsize = (9.0, 3.9)
    expression_variables = ("x", "y")
    chooser_dim = 2
    chooser_control = "surface"
    SCENE = "race"  # scenes_2d.js repeats _update in the browser
    results = Fresh()  # up to date when read, also after the page moved a slider (resting)
    CONTROLS = (
        Control("surface", "surface", "choice", redraw=True),
        Control("steps", "steps", "int", 1, 2000, redraw=True),
        Control("x0", "start θ₁", "float", fmt=".2f"),
        Control("y0", "start θ₂", "float", fmt=".2f"),
        *(Control(f"lr_{name}", "α", "log", 1e-4, 10 ** 0.5) for name in RACERS),
        *(Control(key, label, "float", lo, hi, step=0.001 if hi > 0.99 else 0.01, fmt=".3f")
          for key, (_, _, label, lo, hi, _) in _HYPER.items()),
    )

    def __init__(self, surface: str | Objective = "ravine", steps: int | None = None, target: float = 1e-6, *,
                 renderer: str = "auto"):
        self.target = float(target)
        self._tuned: dict[str, dict] = {}  # presets of the surfaces passed in or typed, by name
        self._init_chooser(surface)
        self._declare(steps=steps)
        self.results = {}
        self._cache: dict[str, tuple] = {}
        self._version = 0
        super().__init__(renderer=renderer)

    # -- surfaces ---------------------------------------------------------------
    def _catalogue_names(self) -> list[str]:
        return SURFACES

    def _preset(self) -> dict:
        """Start, steps and learning rates of the current surface: ``PRESETS`` for the course's
        surfaces, else tuned once (from the objective's own start)."""
        name = self._objective.name
        if name in PRESETS:
            return PRESETS[name]
        if name not in self._tuned:
            self._tuned[name] = self._tuned_preset(self._objective)
        return self._tuned[name]

    def _tuned_preset(self, obj: Objective) -> dict:
        start = tuple(float(v) for v in obj.start)
        # a coarse grid (every third rate, ×5.6 apart) over 100 steps keeps a typed-in
        # function responsive: 6 rates × 6 optimisers instead of 19 × 6 runs of 200 steps
        lrs = {name: tune(obj, name, start, 100, self.target, lrs=LR_GRID[2::3])[0] for name in RACERS}
        return {"start": start, "steps": 200, "target": self.target, "lr": lrs}

    # -- controls ---------------------------------------------------------------------
    def _make_controls(self):
        pre = self._preset()
        init = self._initial
        init["surface"] = self._objective.name
        init["steps"] = pre["steps"] if init["steps"] is None else init["steps"]
        init["x0"], init["y0"] = (float(v) for v in pre["start"])
        init.update({f"lr_{name}": pre["lr"][name] for name in RACERS})
        init.update({key: spec[5] for key, spec in _HYPER.items()})
        (xl, xh), (yl, yh) = (tuple(map(float, r)) for r in self._objective.domain)
        made = self._declared_controls(surface=self._chooser_options(), x0=(xl, xh), y0=(yl, yh))
        racers = widgets.SelectMultiple(options=list(RACERS), value=tuple(RACERS), rows=6, description="racers")
        return {"surface": made.pop("surface"), "steps": made.pop("steps"), "racers": racers, **made}

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

    def _alt_controls(self):  # the text alternative names the race's setting, not every racer's α
        return ["surface", "steps", "x0", "y0", "racers"]

    # -- figure -------------------------------------------------------------------------
    def _build(self, fig):
        self.ax, self.ax_loss = fig.subplots(1, 2, width_ratios=[1.15, 1])
        self._paths, self._ends, self._curves = {}, {}, {}
        for name in RACERS:
            col = COLOURS[name]
            self._paths[name] = self.animate(*self.ax.plot([], [], "-", color=col, lw=1.6, zorder=4, label=name,
                                                          gid=f"path_{name}"))
            self._ends[name] = self.animate(*self.ax.plot([], [], "o", color=col, ms=6, mec="k", zorder=6,
                                                         gid=f"end_{name}"))
            self._curves[name] = self.animate(*self.ax_loss.plot([], [], "-", color=col, lw=1.6, label=name,
                                                                gid=f"curve_{name}"))
        self._start = self.animate(*self.ax.plot([], [], "o", color="w", ms=9, mec="k", zorder=7,
                                                gid="start"))
        self._target_line = self.ax_loss.axhline(self.target, color="0.4", ls=":", lw=1, label="target")
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_xlabel("step k")
        self.ax_loss.set_ylabel(r"$L(\theta_k) - L^*$")
        self.ax_loss.legend(loc="lower left", fontsize="small", ncol=2)
        self._static = []

    def _set_background(self):
        obj = self._objective
        self._static, Z = replace_contours(self.ax, self._static, obj, levels=22, line_colour="0.5")
        self.ax.set_title(obj.name.replace("_", " "))
        names = getattr(obj, "parameter_names", None) or ("θ₁", "θ₂")
        self.ax.set_xlabel(names[0])
        self.ax.set_ylabel(names[1])
        self._lstar = obj.best
        top = max(float(np.nanmax(Z)) - self._lstar, 1e-3) * 10
        self._ylim = (1e-14, top)
        self.ax_loss.set_ylim(*self._ylim)

    def _load_preset(self):
        pre = self._preset()
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
        # the surface and steps are declared redraw controls (the base adds them)
        if changed == "surface":
            self._follow_chooser()
            with self.quietly():
                self._load_preset()
        if changed in (None, "surface"):
            self._version += 1  # a new surface: no cached run is valid
            self._set_background()
        steps = self.controls["steps"].value
        self.ax_loss.set_xlim(0, steps)
        start = np.array([self.controls["x0"].value, self.controls["y0"].value])
        self.results = self._run(start, steps)
        self._draw(start)
        self.set_status(*self._status())
        # a new choice of racers redraws fully: the browser's scene learns the choice from its
        # params (a SelectMultiple's value does not reach the page, only its index)
        return changed in (None, "racers")

    # -- stepping in the browser (scenes_2d.js, SCENES.race) ---------------------------
    def _scene_params(self):
        (x0, x1), (y0, y1) = (tuple(map(float, r)) for r in self._objective.domain)
        return {"racers": list(self.controls["racers"].value), "all": list(RACERS),
                "hyper": {key: [racer, kw] for key, (racer, kw, *_rest) in _HYPER.items()},
                "best": float(self._lstar), "ylim": [float(v) for v in self._ylim],
                "domain": [[x0, x1], [y0, y1]], "target": self.target}

    def _kernel_only_controls(self) -> set[str]:
        return super()._kernel_only_controls() | {"racers"}  # see _update

    def _run(self, start: np.ndarray, steps: int) -> dict:
        """The race with the controls' settings; only racers whose settings changed run again
        (one slider moves one racer)."""
        c = self.controls
        hyper = {}
        for key, (racer, kw, *_rest) in _HYPER.items():
            hyper.setdefault(racer, {})[kw] = c[key].value
        lrs = {n: c[f"lr_{n}"].value for n in RACERS}
        racers = make_racers(list(c["racers"].value), lrs, hyper)
        keys = {n: (self._version, tuple(start), steps, repr(o)) for n, o in racers.items()}
        stale = {n: o for n, o in racers.items() if self._cache.get(n, (None,))[0] != keys[n]}
        if stale:
            fresh = race(self._objective, stale, start, steps, self.target)
            self._cache.update({n: (keys[n], r) for n, r in fresh.items()})
        return {n: self._cache[n][1] for n in racers}

    def _draw(self, start: np.ndarray) -> None:
        """Paths (clipped to the domain widened by its size on every side) and gap curves."""
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

    def _status(self) -> tuple[str, str]:
        """``statuses.race_status``: each racer's steps to the target and the winner."""
        names = list(self.results)
        return race_status(self.target, names, [self.results[n].steps_to_target for n in names],
                           [self.results[n].trajectory.status == "diverged" for n in names])
