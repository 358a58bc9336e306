"""Explorers: memory after many slider updates, and re-running the cell that creates one.

For every explorer in ``i2dl_helpers.widgets`` (its default canvas view, as in a notebook):

* updates: move one slider back and forth ``--updates`` times (default 1,000) over
  its own grid, after a warm-up, and report

  - RSS: the growth of the process's resident memory over those updates, twice:
    "raw" as the OS sees it, and "trimmed", after ``malloc_trim(0)`` has handed
    the heap's free pages back (read at the start and at the end alike);
  - the raw growth over updates 20–60 % and 60–100 % of the run (200–600 and
    600–1,000 by default): memory that keeps leaking grows in both, memory the
    allocator holds on to stops growing (it plateaus);
  - traced: the rate at which Python-tracked memory (tracemalloc, which also
    sees numpy buffers) grows over 200 further updates (after 100 to settle),
    scaled to ``--updates``. It runs after the RSS has been read, because
    tracemalloc's own bookkeeping (a hash-table entry per live allocation) is
    allocated and freed outside what it traces and would show up in the RSS.

  Goal: traced and trimmed growth < 10 MB.

  Why two RSS numbers: glibc's malloc does not give freed memory back to the
  OS at once. A freed block of 128 kB or more that came from ``mmap`` raises the
  threshold for using ``mmap`` to its size (up to 32 MB) and the threshold for
  trimming the heap to twice that; from then on blocks of that size come from
  the heap, and the heap keeps up to that much free memory at its top, and any
  free memory below its highest block in use, resident. An explorer whose update
  makes a few MB of short-lived numpy temporaries (the basin map: 40,000 starts
  × 2 coordinates × 8 bytes per array, and matplotlib's resampling of the image
  to screen pixels) so ends up with several MB more RSS than after the warm-up,
  run after run a different amount: none of it is in use, tracemalloc sees none
  of it, and the raw growth stops once the heap has room for one update's
  temporaries. ``malloc_trim(0)`` returns those free pages; what is left after
  it is memory the process really holds. On a C library without
  ``malloc_trim`` (not glibc) the trimmed column is "n/a".

  What this showed for BasinExplorer (n = 200): the benchmark used to read the
  RSS after 300 of its 1,000 updates had run under tracemalloc, and reported
  11.7–13.4 MB of growth while tracemalloc saw none. Reading the RSS before
  tracing lowered it by ~7 MB for either version of the explorer (11.7 -> 4.7 MB
  before the change below, 8.6 -> 1.5 MB after); pinning glibc's threshold
  (``MALLOC_MMAP_THRESHOLD_=131072``) lowered the old reading only to 8.5 MB.
  Without tracemalloc the RSS rose by 1.5–6 MB (a different amount each run),
  by at most ±1.5 MB after update 200, and ``malloc_trim(0)`` returned ~11 MB,
  more than that growth: free heap, not leaked memory. The largest temporaries
  were matplotlib's, from how the explorer drew its image: labels coloured
  first and the n × n RGBA image then resampled to screen pixels in float64,
  ~15 MB per frame. The explorer now resamples the labels and colours the
  result (the same pixels), ~5 MB per frame, and writes new labels into the
  image's own array.

* re-runs: create the explorer 30 times, binding it to the same name as a re-run
  cell does; report open pyplot figures (must stay 0), matplotlib's "More than
  20 figures" warning (must not appear), how many old explorers are still alive
  (ipywidgets keeps every widget that was not closed, because a front end may
  still show it) and the memory that costs per re-run.

    python benchmarks/explorer_memory.py [--updates N] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import ctypes
import ctypes.util
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


def _libc_malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_MALLOC_TRIM = _libc_malloc_trim()


def trimmed_rss_mb() -> float:
    """RSS after glibc has returned the heap's free pages to the OS (nan without glibc)."""
    if _MALLOC_TRIM is None:
        return float("nan")
    _MALLOC_TRIM(0)
    return rss_mb()


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


def measure_updates(cls, updates: int, traced_tail: int = 200, settle: int = 100) -> dict:
    """RSS growth over ``updates`` slider moves (raw and after malloc_trim, and raw over
    20-60 % and 60-100 % of them), then the growth rate of Python/numpy allocations
    over ``traced_tail`` further moves (after ``settle`` traced ones; tracemalloc slows
    updates several-fold), scaled to ``updates``."""
    ex = cls()  # the default view, as in a notebook
    name, control = numeric_control(ex.controls)
    values = grid_values(control)
    gc.collect()
    trimmed_rss_mb()  # what earlier explorers left free in the heap must not absorb this one's growth
    for v in values * 3:  # warm-up: caches, first-call allocations, the heap for one update's temporaries
        control.value = v
    gc.collect()
    base_rss = rss_mb()
    base_trimmed = trimmed_rss_mb()  # the raw growth below includes re-growing what this trim returns
    marks = {round(updates * f): float("nan") for f in (0.2, 0.6)}
    seconds = 0.0
    done = 0
    for stop in (*sorted(marks), updates):
        t0 = time.perf_counter()
        for i in range(done, stop):
            control.value = values[i % len(values)]
        seconds += time.perf_counter() - t0
        done = stop
        gc.collect()
        marks[stop] = rss_mb()
    rss = marks[updates] - base_rss
    trimmed = trimmed_rss_mb() - base_trimmed
    first, second = sorted(marks)[:2]
    plateau = (marks[second] - marks[first], marks[updates] - marks[second])
    errors = ex.error_text
    tracemalloc.start()
    for i in range(settle):  # one-off allocations when tracing starts
        control.value = values[i % len(values)]
    gc.collect()
    mid = tracemalloc.get_traced_memory()[0]
    for i in range(settle, settle + traced_tail):
        control.value = values[i % len(values)]
    gc.collect()
    # growth per update over the last ``traced_tail`` updates, times ``updates``: what keeps accumulating
    traced = (tracemalloc.get_traced_memory()[0] - mid) / 2**20 * updates / traced_tail
    tracemalloc.stop()
    errors = errors or ex.error_text
    ex.close()
    return {"control": name, "traced_mb": traced, "rss_mb": rss, "trimmed_mb": trimmed,
            "plateau_mb": plateau, "plateau_spans": (first, second, updates),
            "ms_per_update": 1e3 * seconds / updates, "error": errors}


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
            explorer = cls()  # noqa: F841 - a re-run cell rebinds the same name
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
    print(f"{'explorer':20s} {'control':8s} {'updates':>7s} {'ms/update':>9s} {'traced MB':>9s} "
          f"{'RSS MB':>6s} {'trimmed':>7s} {'RSS growth by span':>22s}"
          f"  |  re-runs: {'figs':>4s} {'warn':>5s} {'alive':>5s} {'MB/re-run':>9s} {'alive after close':>17s}",
          flush=True)
    failures = []
    spans = None
    for name, cls in classes.items():
        try:
            u = measure_updates(cls, args.updates)
            r = measure_reruns(cls)
        except Exception as err:  # report and go on with the others
            print(f"{name:20s} FAILED: {type(err).__name__}: {err}")
            failures.append(name)
            continue
        spans = u["plateau_spans"]
        ok = (u["traced_mb"] < GOAL_MB and not u["trimmed_mb"] > GOAL_MB and r["open_figures"] == 0
              and not r["figure_warning"] and not u["error"])
        if not ok:
            failures.append(name)
        trimmed = "n/a" if np.isnan(u["trimmed_mb"]) else f"{u['trimmed_mb']:.1f}"
        growth = f"{u['plateau_mb'][0]:+.1f} / {u['plateau_mb'][1]:+.1f}"
        print(f"{name:20s} {u['control']:8s} {args.updates:7d} {u['ms_per_update']:9.2f} {u['traced_mb']:9.3f} "
              f"{u['rss_mb']:6.1f} {trimmed:>7s} {growth:>22s}  |           {r['open_figures']:4d} "
              f"{r['figure_warning']!s:>5s} {r['alive']:5d} {r['mb_per_rerun']:9.2f} {r['alive_after_close']:17d}"
              + ("" if ok else "   <-- goal missed") + (f"  error: {u['error']}" if u["error"] else ""), flush=True)
    if spans:
        print(f"RSS MB: raw growth over the updates; trimmed: the same after malloc_trim(0) returned free heap "
              f"pages (see the docstring); RSS growth by span: raw growth over updates {spans[0]}-{spans[1]} / "
              f"{spans[1]}-{spans[2]} (about equal: still growing; the second near 0: it has levelled off)")
    print(f"goal: traced and trimmed RSS growth < {GOAL_MB:g} MB after {args.updates} updates, 0 open figures and "
          f"no 'More than 20 figures' warning after {RERUNS} re-runs")
    print("all explorers meet the goal" if not failures else f"goal missed by: {', '.join(failures)}")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
