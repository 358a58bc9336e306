"""time_per_call's thread limit, and the race / cost figures of notebook 06 (work axis)."""
import numpy as np
import pytest

from i2dl_helpers.timing import time_per_call


def test_time_per_call_limits_the_blas_threads_while_timing():
    threadpoolctl = pytest.importorskip("threadpoolctl", reason="threadpoolctl comes with scikit-learn")
    seen = []

    def probe():
        seen.append(max((p["num_threads"] for p in threadpoolctl.threadpool_info()
                         if p.get("user_api") == "blas"), default=1))

    time_per_call(probe, repeats=1, min_time=1e-4, threads=1)
    assert seen and max(seen) == 1
    before = [p["num_threads"] for p in threadpoolctl.threadpool_info()]
    time_per_call(lambda: None, repeats=1, min_time=1e-4, threads=1)
    assert [p["num_threads"] for p in threadpoolctl.threadpool_info()] == before   # restored afterwards


@pytest.mark.parametrize("threads", [0, -1, 1.5, "one"])
def test_time_per_call_rejects_bad_threads(threads):
    with pytest.raises((ValueError, TypeError), match="threads"):
        time_per_call(lambda: None, threads=threads)


def test_time_per_call_is_the_median_of_rounds():
    import time
    t = time_per_call(lambda: time.sleep(0.002), repeats=3, min_time=0.004)
    assert 0.0015 < t < 0.05


def test_race_plot_on_a_work_axis_keeps_the_start_and_draws_steps():
    import matplotlib
    matplotlib.use("Agg")
    from i2dl_helpers.plotting.sgd_plots import race_plot

    gd = (np.arange(4) * 1000.0, np.array([1.0, 0.5, 0.25, 0.125]))
    sgd = (np.arange(6) * 10.0, np.array([1.0, 0.6, 0.3, 0.2, 0.1, 0.05]))
    ax = race_plot({"GD": gd, "SGD": sgd}, 0.3, xlabel="work", xscale="log", steps=True)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    x, y = lines["GD"].get_data()
    assert x[0] == 10.0 and y[0] == 1.0          # cost 0 moved to the left edge (the smallest positive cost)
    assert lines["GD"].get_drawstyle() == "steps-post"
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "work"
    matplotlib.pyplot.close("all")


def test_cost_plot_draws_the_proportional_reference():
    import matplotlib
    matplotlib.use("Agg")
    from i2dl_helpers.plotting.sgd_plots import cost_plot

    ns, sec = np.array([1e3, 1e4, 1e5]), np.array([1e-5, 5e-5, 8e-4])
    ax = cost_plot(ns, sec)
    ref = [ln for ln in ax.get_lines() if ln.get_label().startswith("∝ n")][0]
    x, y = ref.get_data()
    np.testing.assert_allclose(np.asarray(y) / np.asarray(x), sec[-1] / ns[-1])   # slope 1 through the last point
    matplotlib.pyplot.close("all")
