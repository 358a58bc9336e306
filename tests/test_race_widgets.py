"""MomentumExplorer and OptimizerRace driven through their controls; the glyph plot."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from i2dl_helpers import objectives  # noqa: E402
from i2dl_helpers.optim import Adagrad, Adam, RMSProp, momentum_rate  # noqa: E402
from i2dl_helpers.optim.racing import PRESETS  # noqa: E402
from i2dl_helpers.plotting.adaptive import adaptive_glyphs, per_parameter_rates  # noqa: E402
from i2dl_helpers.widgets import MomentumExplorer, OptimizerRace  # noqa: E402
from i2dl_helpers.optim.theory import optimal_momentum  # noqa: E402


def test_momentum_explorer_follows_sliders():
    e = MomentumExplorer(lr=0.05, beta=0.8, condition=20.0)
    assert e.error_text == "" and e.status_text.startswith("converges")
    assert e.rates[1] == pytest.approx(momentum_rate(0.05 * 20, 0.8))
    e.controls["lr"].value = 0.5  # αλ_max = 10 > 2 + 2β
    assert e.status_text.startswith("diverges") and "diverged" in e.status_text
    alpha, beta = optimal_momentum(1.0, 20.0)
    e.controls["beta"].value = round(beta, 3)
    e.controls["lr"].value = alpha
    assert "critically damped" in e.status_text
    b = e.controls["beta"].value
    assert max(e.rates) == pytest.approx(max(momentum_rate(alpha * np.array([1.0, 20.0]), b)))
    assert max(e.rates) < np.sqrt(beta) + 0.05  # near the best possible rate √β*
    e.controls["nesterov"].value = True
    assert e.error_text == "" and e.trajectory.optimizer == "Nesterov"
    xs, ys = e._marks.get_data()
    assert np.allclose(ys, b)


def test_optimal_momentum_beats_every_grid_point():
    alpha, beta = optimal_momentum(1.0, 50.0)
    best = max(momentum_rate(alpha * np.array([1.0, 50.0]), beta))
    a, b = np.meshgrid(np.linspace(0.01, 0.12, 60), np.linspace(0, 0.95, 60))
    worst = np.maximum(momentum_rate(a, b), momentum_rate(50 * a, b))
    assert best <= worst.min() + 1e-3


def test_race_explorer_surfaces_and_controls():
    e = OptimizerRace()
    assert e.error_text == "" and "winner" in e.status_text
    for surface in ("rosenbrock", "himmelblau", "saddle", "plateau", "ravine"):
        e.controls["surface"].value = surface
        assert e.error_text == ""
        assert e.controls["lr_Adam"].value == pytest.approx(PRESETS[surface]["lr"]["Adam"], rel=0.02)
        assert set(e.results) == {"GD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"}
    gd_before = e.results["GD"].steps_to_target
    e.controls["lr_GD"].value = 1.0  # beyond 2/L on the ravine
    assert e.results["GD"].trajectory.status == "diverged" and "GD — (diverged)" in e.status_text
    e.controls["racers"].value = ("Adam",)
    assert list(e.results) == ["Adam"] and len(e._paths["GD"].get_data()[0]) == 0
    assert gd_before is None  # GD does not make it on the ravine within the preset steps


def test_race_explorer_accepts_an_objective():
    bowl = objectives.get("bowl")
    e = OptimizerRace(bowl)
    assert e.error_text == "" and e.controls["surface"].value == "bowl"
    e.set_objective("himmelblau")
    assert e.objective.name == "himmelblau" and e.error_text == ""
    with pytest.raises(ValueError, match="surface must be one of"):
        OptimizerRace("nope")


def test_adaptive_rates_shrink_for_adagrad():
    obj = objectives.get("ill_conditioned", condition=20.0)
    traj, rates, _ = per_parameter_rates(obj, Adagrad(0.5), [-2.5, 2.0], steps=40)
    assert rates.shape == (40, 2) and np.all(np.diff(rates, axis=0) <= 0)
    # the steep coordinate (curvature 20) gets the smaller learning rate
    assert np.all(rates[:, 1] < rates[:, 0])
    axes = adaptive_glyphs(obj, [Adagrad(0.5), RMSProp(0.05), Adam(0.3)], [-2.5, 2.0], steps=30)
    assert axes.shape == (2, 3)
    # the lower panels show exactly the rates per_parameter_rates returns, η₁ and η₂ per step
    for j, opt in enumerate((Adagrad(0.5), RMSProp(0.05), Adam(0.3))):
        _, expected, _ = per_parameter_rates(obj, opt, [-2.5, 2.0], steps=30)
        lines = axes[1, j].get_lines()
        np.testing.assert_allclose(lines[0].get_ydata(), expected[:, 0])
        np.testing.assert_allclose(lines[1].get_ydata(), expected[:, 1])
        assert axes[1, j].get_yscale() == "log" and axes[1, j].get_legend() is not None
    with pytest.raises(TypeError, match="per-parameter step sizes"):
        per_parameter_rates(obj, object(), [0.0, 0.0])


def test_race_reruns_only_what_changed_and_matches_a_fresh_race():
    from i2dl_helpers.optim.racing import make_racers, race

    e = OptimizerRace("himmelblau")
    before = dict(e.results)
    e.controls["lr_Adam"].value = 0.1
    assert all(e.results[n] is before[n] for n in before if n != "Adam") and e.results["Adam"] is not before["Adam"]
    e.controls["surface"].value = "saddle"
    e.controls["surface"].value = "himmelblau"
    pre = PRESETS["himmelblau"]
    fresh = race(objectives.get("himmelblau"), make_racers(lr=pre["lr"]), pre["start"], pre["steps"], pre["target"])
    for name, res in fresh.items():
        np.testing.assert_array_equal(e.results[name].trajectory.points, res.trajectory.points)


def test_adam_rates_are_alpha_over_root_of_corrected_v():
    """Independent of the optimiser: η_k = α / (√(v_k / (1 − β₂ᵏ)) + ε) from the gradients along the path."""
    obj = objectives.get("ill_conditioned", condition=20.0)
    traj, rates, _ = per_parameter_rates(obj, Adam(0.3), [-2.5, 2.0], steps=20)
    v = np.zeros(2)
    for k in range(1, 21):
        g = obj.grad(traj.points[k - 1])
        v = 0.999 * v + 0.001 * g * g
        np.testing.assert_allclose(rates[k - 1], 0.3 / (np.sqrt(v / (1 - 0.999**k)) + 1e-8), rtol=1e-10)


def test_optimal_momentum_names_curvatures_not_the_loss():
    with pytest.raises(ValueError, match="lam_min"):
        optimal_momentum(0.0, 1.0)
    with pytest.raises(ValueError, match="lam_min must be <= lam_max"):
        optimal_momentum(4.0, 1.0)


def test_stability_plot_legend_explains_every_colour():
    import matplotlib.pyplot as plt

    from i2dl_helpers.optim.first_order import momentum_converges
    from i2dl_helpers.plotting import stability_plot

    q, betas = np.linspace(0.05, 4.4, 30), np.linspace(0.0, 0.9, 6)
    converged = np.array([momentum_converges(q, b) for b in betas])
    ax = stability_plot(q, betas, converged, rates=momentum_rate(q[None, :], betas[:, None]))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("shrank" in t for t in labels) and any("did not shrink" in t for t in labels)
    assert any("2 + 2β" in t for t in labels) and any("ρ = 1" in t for t in labels)
    # both classes occur, and the two colours differ (no cell is left white)
    mesh = ax.collections[0]
    assert set(np.unique(mesh.get_array())) == {0.0, 1.0}
    assert mesh.cmap(0.0) != mesh.cmap(1.0) and mesh.cmap(0.0)[:3] != (1.0, 1.0, 1.0)
    plt.close("all")


def test_momentum_explorer_legend_is_maths():
    e = MomentumExplorer(lr=0.05, beta=0.8, condition=20.0, renderer="image")
    try:
        labels = [t.get_text() for t in e.ax_loss.get_legend().get_texts()]
        assert all("^{" not in t or t.count("$") >= 2 for t in labels), labels
        assert any(r"\rho^{2k}" in t for t in labels)
    finally:
        e.close()
