"""GradientDescent2D: slider-update latency, in-place update vs a full replot.

Contenders: ``GradientDescent2D`` with its default canvas view — set
``controls["lr"].value``; the explorer reruns GD, moves the path artists and
sends them as drawing instructions (the browser draws them over the contour PNG
it already has) — and with the image view, which instead blits them over the
cached contour background and PNG-encodes the whole frame.
Baseline : what ``interact`` with the inline backend does on every slider move —
a new figure (contours of the same 160 × 160 grid, path, loss panel) drawn from
scratch and PNG-encoded with ``savefig(..., bbox_inches="tight")``.
Both run the same GD (ill-conditioned quadratic, κ = 10, 100 steps) for the same
50 learning rates. Goals: contender >= 3x faster and median < 25 ms.

    python benchmarks/explorer_latency_2d.py
"""
from __future__ import annotations

import io
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from i2dl_helpers import GD, objectives, run  # noqa: E402
from i2dl_helpers.plotting.views2d import contour_levels  # noqa: E402
from i2dl_helpers.widgets import GradientDescent2D  # noqa: E402

N_UPDATES = 50
LRS = np.geomspace(0.01, 0.19, N_UPDATES)


def full_replot(obj, lr, start, steps, grid):
    """One slider move the interact/inline way: new figure, draw, PNG."""
    X, Y, Z = grid
    traj = run(obj, GD(lr), start, steps=steps, tol=1e-8)
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(9.0, 3.8), width_ratios=[1.25, 1], layout="constrained")
    lev = contour_levels(Z, 25)
    ax.contourf(X, Y, Z, levels=lev, cmap="Blues_r", alpha=0.35, extend="both")
    ax.contour(X, Y, Z, levels=lev, colors="0.45", linewidths=0.6)
    ax.plot(*traj.points.T, "-o", ms=3, lw=1.2)
    ax.plot(*traj.points[0], "o", ms=9)
    ax.set_xlim(*obj.domain[0])
    ax.set_ylim(*obj.domain[1])
    ax_loss.semilogy(np.maximum(traj.values, 1e-12), "-o", ms=2.5)
    ax_loss.set_xlabel("step k")
    with io.BytesIO() as buf:
        fig.savefig(buf, format="png", bbox_inches="tight")
        size = buf.tell()
    plt.close(fig)
    return size


def stats(ts):
    ts = np.asarray(ts) * 1e3
    return float(np.median(ts)), float(np.percentile(ts, 95))


def main() -> None:
    obj = objectives.get("ill_conditioned", condition=10.0)
    start, steps = np.array([-2.5, 1.5]), 100
    X, Y, P = obj.grid(160)
    grid = (X, Y, obj(P))

    base = []
    full_replot(obj, 0.1, start, steps, grid)  # warm-up
    for lr in LRS:
        t0 = time.perf_counter()
        full_replot(obj, lr, start, steps, grid)
        base.append(time.perf_counter() - t0)

    def explorer_times(renderer):
        gd = GradientDescent2D("ill_conditioned", lr=0.1, x0=start[0], y0=start[1], steps=steps, condition=10.0,
                               renderer=renderer)
        gd.controls["lr"].value = 0.11  # warm-up
        times = []
        for lr in LRS:
            t0 = time.perf_counter()
            gd.controls["lr"].value = float(lr)
            times.append(time.perf_counter() - t0)
        assert gd.error_text == "", gd.error_text
        gd.close()
        return times

    cont, image = explorer_times("canvas"), explorer_times("image")
    (bm, bp), (cm, cp), (im, ip) = stats(base), stats(cont), stats(image)
    print(f"GradientDescent2D update latency, {N_UPDATES} learning-rate changes "
          f"(ill-conditioned quadratic, {steps} steps, 160x160 contour grid)")
    print(f"  {'':38s} {'median':>9s} {'p95':>9s}")
    print(f"  {'full replot (new figure + PNG)':38s} {bm:7.1f}ms {bp:7.1f}ms")
    print(f"  {'explorer, image view (blit + PNG)':38s} {im:7.1f}ms {ip:7.1f}ms")
    print(f"  {'explorer, canvas view (default)':38s} {cm:7.1f}ms {cp:7.1f}ms")
    print(f"  speed-up (median)                      {bm / cm:7.1f}x   (goal >= 3x: {'met' if bm / cm >= 3 else 'NOT met'})")
    print(f"  explorer median under 25 ms            {'yes' if cm < 25 else 'NO'}")


if __name__ == "__main__":
    main()
