"""Explorers: memory after many slider updates, and re-running the cell that creates one.

For every explorer in ``i2dl_helpers.widgets`` (image renderer, as in a notebook):

* updates: move one slider back and forth ``--updates`` times (default 1,000) over
  its own grid; report the growth of the process RSS after a warm-up, and the
  rate at which Python-tracked memory (tracemalloc, which also sees numpy
  buffers) grows over the last 200 updates, scaled to all of them. Goal: both
  < 10 MB.
* re-runs: create the explorer 30 times, binding it to the same name as a re-run
  cell does; report open pyplot figures (must stay 0), matplotlib's "More than
  20 figures" warning (must not appear), how many old explorers are still alive
  (ipywidgets keeps every widget that was not closed, because a front end may
  still show it) and the memory that costs per re-run.

    python benchmarks/explorer_memory.py [--updates N] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import gc
import os
import time
import tracemalloc
import warnings
import weakref

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from i2dl_helpers import widgets as explorers  # noqa: E402

GOAL_MB = 10.0
RERUNS = 30
#: the control each explorer moves (default: "lr", else its first numeric slider)
PREFERRED = ("lr", "x0", "h", "x", "step", "k")


def rss_mb() -> float:
    try:
        import psutil
    except ImportError:
        return float("nan")
    return psutil.Process(os.getpid()).memory_info().rss / 2**20


def explorer_classes() -> dict[str, type]:
    names = [n for n in explorers.__all__ if n not in ("Explorer", "log_slider")]
    return {n: getattr(explorers, n) for n in names}


def numeric_control(controls: dict) -> tuple[str, widgets.Widget]:
    sliders = {k: c for k, c in controls.items()
               if isinstance(c, (widgets.FloatSlider, widgets.FloatLogSlider, widgets.IntSlider))
               and not c.disabled}
    for name in PREFERRED:
        if name in sliders:
            return name, sliders[name]
    if not sliders:
        raise LookupError(f"no numeric slider among {list(controls)}")
    return next(iter(sliders.items()))


def grid_values(control: widgets.Widget, n: int = 20) -> list:
    """``n`` values around the current one on the slider's own grid (clipped to its range)."""
    offsets = np.arange(n) - n // 2
    if isinstance(control, widgets.FloatLogSlider):
        exps = np.clip(np.log10(control.value) + control.step * offsets, control.min, control.max)
        return [float(control.base ** e) for e in exps]
    vals = np.clip(control.value + control.step * offsets, control.min, control.max)
    return [int(v) for v in vals] if isinstance(control, widgets.IntSlider) else [float(v) for v in vals]


def measure_updates(cls, updates: int, traced_tail: int = 200) -> dict:
    """RSS growth over ``updates`` slider moves, and the growth rate of Python/numpy allocations
    over the last ``traced_tail`` of them (after 100 traced updates to settle; tracemalloc slows
    updates several-fold), scaled to ``updates``."""
    ex = cls(renderer="image")
    name, control = numeric_control(ex.controls)
    values = grid_values(control)
    for v in values * 3:  # warm-up: caches, first-call allocations
        control.value = v
    gc.collect()
    base_rss = rss_mb()
    tail = min(traced_tail, updates)
    settle = min(100, updates - tail)  # traced but not counted: one-off allocations when tracing starts
    t0 = time.perf_counter()
    for i in range(updates - tail - settle):
        control.value = values[i % len(values)]
    untraced = updates - tail - settle
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    for i in range(updates - tail - settle, updates - tail):
        control.value = values[i % len(values)]
    gc.collect()
    mid = tracemalloc.get_traced_memory()[0]
    for i in range(updates - tail, updates):
        control.value = values[i % len(values)]
    gc.collect()
    # growth per update over the last ``tail`` updates, times ``updates``: what keeps accumulating
    traced = (tracemalloc.get_traced_memory()[0] - mid) / 2**20 * updates / tail
    if not untraced:  # too few updates to time any without tracemalloc: time the traced ones
        seconds, untraced = time.perf_counter() - t0, updates
    tracemalloc.stop()
    gc.collect()
    rss = rss_mb() - base_rss
    errors = ex.error_text
    ex.close()
    return {"control": name, "traced_mb": traced, "rss_mb": rss,
            "ms_per_update": 1e3 * seconds / untraced, "error": errors}


def measure_reruns(cls) -> dict:
    gc.collect()
    figs_before = len(plt.get_fignums())
    refs = []
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        explorer = None
        for _ in range(RERUNS):
            explorer = cls(renderer="image")  # noqa: F841 - a re-run cell rebinds the same name
            refs.append(weakref.ref(explorer))
        del explorer
        gc.collect()
    grown = (tracemalloc.get_traced_memory()[0] - base) / 2**20
    tracemalloc.stop()
    alive = sum(r() is not None for r in refs)
    too_many = [w for w in caught if "More than 20 figures" in str(w.message)]
    result = {"open_figures": len(plt.get_fignums()) - figs_before, "figure_warning": bool(too_many),
              "alive": alive, "mb_per_rerun": grown / RERUNS}
    # what close() releases (e.g. an explorer that closes the one it replaces)
    for r in refs:
        if r() is not None:
            r().close()
    gc.collect()
    result["alive_after_close"] = sum(r() is not None for r in refs)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--only", nargs="*", default=None, help="explorer class names")
    args = parser.parse_args()
    classes = explorer_classes()
    if args.only:
        classes = {k: v for k, v in classes.items() if k in args.only}
    print(f"{'explorer':20s} {'control':10s} {'updates':>7s} {'ms/update':>9s} {'traced MB':>9s} {'RSS MB':>7s}"
          f"  |  re-runs: {'figs':>4s} {'warn':>5s} {'alive':>5s} {'MB/re-run':>9s} {'alive after close':>17s}",
          flush=True)
    failures = []
    for name, cls in classes.items():
        try:
            u = measure_updates(cls, args.updates)
            r = measure_reruns(cls)
        except Exception as err:  # report and go on with the others
            print(f"{name:20s} FAILED: {type(err).__name__}: {err}")
            failures.append(name)
            continue
        ok = u["traced_mb"] < GOAL_MB and not u["rss_mb"] > GOAL_MB and r["open_figures"] == 0 and not r["figure_warning"] and not u["error"]
        if not ok:
            failures.append(name)
        print(f"{name:20s} {u['control']:10s} {args.updates:7d} {u['ms_per_update']:9.2f} {u['traced_mb']:9.3f} "
              f"{u['rss_mb']:7.1f}  |           {r['open_figures']:4d} {r['figure_warning']!s:>5s} "
              f"{r['alive']:5d} {r['mb_per_rerun']:9.2f} {r['alive_after_close']:17d}"
              + ("" if ok else "   <-- goal missed") + (f"  error: {u['error']}" if u["error"] else ""), flush=True)
    print(f"goal: traced growth < {GOAL_MB:g} MB after {args.updates} updates, 0 open figures and no "
          f"'More than 20 figures' warning after {RERUNS} re-runs")
    print("all explorers meet the goal" if not failures else f"goal missed by: {', '.join(failures)}")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
