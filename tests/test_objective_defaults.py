"""Each objective carries its default start, learning rate and best known value L* (one place)."""
import numpy as np
import pytest

from i2dl_helpers import objectives
from i2dl_helpers.objectives import Objective
from i2dl_helpers.optim import GD, run


@pytest.mark.parametrize("name", objectives.names())
def test_start_is_inside_the_domain_and_lr_is_positive(name):
    obj = objectives.get(name)
    assert obj.start.shape == (obj.dim,)
    assert np.all(obj.start >= obj.domain[:, 0]) and np.all(obj.start <= obj.domain[:, 1])
    assert obj.lr > 0


@pytest.mark.parametrize("name", objectives.names())
def test_best_is_the_lowest_value_anywhere_we_look(name):
    obj = objectives.get(name)
    pts = obj.grid(200) if obj.dim == 1 else obj.grid(200)[2]
    assert obj.best <= np.nanmin(obj(pts)) + 1e-12


@pytest.mark.parametrize("name", ["bowl", "ill_conditioned", "quadratic", "double_well"])
def test_the_default_lr_converges_from_the_default_start(name):
    obj = objectives.get(name)
    traj = run(obj, GD(obj.lr), obj.start, steps=2000, tol=1e-10)
    assert traj.status == "converged"
    assert obj(traj.final) - obj.best < 1e-6 or len(obj.minima) > 1  # a local minimum is fine on the well


def test_best_without_known_minima_is_the_grid_minimum():
    obj = Objective(lambda x: (x - 0.5) ** 2 + 1.0, lambda x: 2 * (x - 0.5), dim=1, domain=[(-2, 2)])
    assert obj.best == pytest.approx(1.0, abs=1e-3)
    assert obj.start[0] == pytest.approx(-2 + 0.1 * 4)
    assert obj.lr == 0.01


def test_bad_start_and_lr_are_refused_by_name():
    with pytest.raises(ValueError, match="lr"):
        Objective(lambda x: x**2, lambda x: 2 * x, dim=1, lr=0.0)
    with pytest.raises(ValueError, match="start"):
        Objective(lambda p: (p**2).sum(-1), lambda p: 2 * p, dim=2, start=[1.0, 2.0, 3.0])
