"""Explorer update latency: in-place blitting vs a full replot, side by side.

The contender is GradientDescent1D: setting ``controls["lr"].value`` recomputes
the path and moves the artists; the default canvas view then sends them as
drawing instructions for the browser (the static PNG is already there), the
image view restores the cached background, draws them and encodes the frame. The baseline does what
``interact`` with the inline backend does on every slider change: build a new
two-panel figure, draw everything and encode it as PNG.

    python benchmarks/explorer_latency.py [--updates 50]

Goal (issue 2): in-place update at least 3× faster than the baseline and a
median under 25 ms.
"""
from __future__ import annotations

import argparse
import io
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from i2dl_helpers.objectives import get  # noqa: E402
from i2dl_helpers.optim import GD, run  # noqa: E402
from i2dl_helpers.widgets import GradientDescent1D  # noqa: E402


def baseline_update(objective, lr: float, x0: float, steps: int) -> bytes:
    """A full replot, as an inline-backend interact callback does it."""
    traj = run(objective, GD(lr), x0, steps=steps, tol=1e-6)
    lo, hi = objective.domain[0]
    xs = np.linspace(lo, hi, 600)
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(9.5, 3.6), width_ratios=[1.5, 1], layout="constrained")
    ax.plot(xs, objective(xs), "k")
    ax.plot(traj.points[:, 0], traj.values, "-o", ms=4)
    ax.set_xlim(lo, hi)
    ax.set_title(objective.name)
    ax.set_xlabel("x")
    ax.set_ylabel("L(x)")
    ax_loss.plot(traj.values, "-o", ms=3)
    ax_loss.set_xlabel("step k")
    ax_loss.set_ylabel("L(x_k)")
    with io.BytesIO() as out:
        fig.savefig(out, format="png")
        data = out.getvalue()
    plt.close(fig)
    return data


def measure(update, values) -> np.ndarray:
    times = []
    for v in values:
        start = time.perf_counter()
        update(v)
        times.append(time.perf_counter() - start)
    return np.array(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=50)
    args = parser.parse_args()
    lrs = np.geomspace(0.01, 1.9, args.updates)
    objective = get("quadratic")
    explorer = GradientDescent1D("quadratic", lr=0.05, x0=2.5, steps=50)
    image_view = GradientDescent1D("quadratic", lr=0.05, x0=2.5, steps=50, renderer="image")

    def contender(lr):
        explorer.controls["lr"].value = float(lr)

    def image(lr):
        image_view.controls["lr"].value = float(lr)

    def baseline(lr):
        baseline_update(objective, float(lr), 2.5, 50)

    # warm up both, then interleave rounds so that machine noise hits both alike
    contender(0.02), baseline(0.02), image(0.02)
    fast, slow, middle = [], [], []
    for chunk in np.array_split(lrs, 5):
        fast.append(measure(contender, chunk))
        middle.append(measure(image, chunk))
        slow.append(measure(baseline, chunk))
    fast, slow, middle = np.concatenate(fast), np.concatenate(slow), np.concatenate(middle)
    assert not explorer.error_text, explorer.error_text
    print(f"{'':28s} {'median':>8s} {'p95':>8s}   (ms, {args.updates} updates each)")
    print(f"{'in place, canvas (default)':28s} {np.median(fast):8.2f} {np.percentile(fast, 95):8.2f}")
    print(f"{'in place, image view':28s} {np.median(middle):8.2f} {np.percentile(middle, 95):8.2f}")
    print(f"{'full replot (baseline)':28s} {np.median(slow):8.2f} {np.percentile(slow, 95):8.2f}")
    ratio = np.median(slow) / np.median(fast)
    print(f"speed-up of the median: {ratio:.1f}x (goal >= 3x); median {np.median(fast):.1f} ms (goal < 25 ms)")


if __name__ == "__main__":
    main()
