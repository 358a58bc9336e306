"""Objectives: analytic derivatives against finite differences, shapes, minima, bad input."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from i2dl_helpers import numerical_grad, numerical_hessian
from i2dl_helpers.objectives import Objective, get, names, quadratic_form

ALL = names()


def _points(obj, n=7, seed=0):
    rng = np.random.default_rng(seed)
    lo, hi = obj.domain[:, 0], obj.domain[:, 1]
    return rng.uniform(lo, hi, size=(n, obj.dim))


@pytest.mark.parametrize("name", ALL)
def test_gradient_matches_central_differences(name):
    obj = get(name)
    x = _points(obj)
    g = obj.grad(x)
    fd = numerical_grad(obj, x)
    scale = 1 + np.abs(fd)
    assert np.all(np.abs(g - fd) / scale < 1e-6), name


@pytest.mark.parametrize("name", ALL)
def test_hessian_matches_differences_of_the_gradient(name):
    obj = get(name)
    x = _points(obj, seed=1)
    H = obj.hessian(x)
    fd = numerical_hessian(obj.grad, x)
    assert H.shape == (len(x), obj.dim, obj.dim)
    assert np.allclose(H, np.swapaxes(H, -1, -2))
    assert np.all(np.abs(H - fd) / (1 + np.abs(fd)) < 1e-5), name


@pytest.mark.parametrize("name", ALL)
def test_vectorised_over_leading_axes(name):
    obj = get(name)
    x = _points(obj, n=12).reshape(3, 4, obj.dim)
    assert obj(x).shape == (3, 4)
    assert obj.grad(x).shape == (3, 4, obj.dim)
    assert obj.hessian(x).shape == (3, 4, obj.dim, obj.dim)
    # the batch gives the same numbers as point by point
    one = np.array([obj(p) for p in x.reshape(-1, obj.dim)])
    assert np.allclose(obj(x).ravel(), one)


@pytest.mark.parametrize("name", ALL)
def test_listed_minima_are_strict_local_minima(name):
    obj = get(name)
    for m in obj.minima:
        assert np.linalg.norm(obj.grad(m)) < 1e-9, (name, m)
        assert np.all(np.linalg.eigvalsh(obj.hessian(m)) > 0), (name, m)
        # every nearby point is higher
        rng = np.random.default_rng(3)
        near = m + 1e-3 * rng.standard_normal((50, obj.dim))
        assert np.all(obj(near) > obj(m))


@given(st.sampled_from([n for n in ALL if get(n).dim == 2]),
       st.floats(-3, 3), st.floats(-3, 3))
def test_gradient_property_2d(name, x, y):
    obj = get(name)
    p = np.array([x, y])
    fd = numerical_grad(obj, p)
    assert np.allclose(obj.grad(p), fd, rtol=1e-5, atol=1e-5 * (1 + np.abs(fd).max()))


def test_closed_form_values_worked_by_hand():
    dw = get("double_well")
    assert dw(-1.0) == pytest.approx(0.25 + 1 / 6 - 0.75)          # local minimum
    assert dw(1.5) == pytest.approx(5.0625 / 4 - 3.375 / 6 - 1.6875)  # global minimum
    assert dw(0.0) == 0.0 and dw.grad(0.0) == 0.0 and dw.hessian(0.0) < 0  # the maximum
    assert dw(1.5) < dw(-1.0)
    assert get("rosenbrock")([1.0, 1.0]) == 0.0
    assert get("himmelblau")([3.0, 2.0]) == 0.0
    assert np.allclose(get("himmelblau")(get("himmelblau").minima), 0, atol=1e-20)
    assert get("flat_saddle").grad(0.0) == 0.0 and get("flat_saddle").hessian(0.0) == 0.0
    assert get("quadratic", curvature=4.0, center=1.0)(3.0) == pytest.approx(8.0)
    mm = get("many_minima")
    assert mm(0.0) == -1.0 and np.all(mm(mm.minima[1:, 0]) > -1.0)


def test_one_dimensional_objectives_accept_numbers_and_arrays():
    q = get("quadratic", curvature=2.0)
    assert isinstance(q(1.5), float) and q(1.5) == pytest.approx(2.25)
    assert isinstance(q.grad(1.5), float) and q.grad(1.5) == pytest.approx(3.0)
    xs = np.linspace(-1, 1, 5)
    assert q(xs).shape == (5,) and q.grad(xs).shape == (5,) and q.hessian(xs).shape == (5,)
    assert q(xs[:, None]).shape == (5,) and q.grad(xs[:, None]).shape == (5, 1)


def test_user_callables_are_wrapped():
    f = Objective(lambda x: np.sin(x), lambda x: np.cos(x), dim=1, name="sine", domain=(-3, 3))
    assert f(0.5) == pytest.approx(np.sin(0.5))
    assert f.hessian(0.5) == pytest.approx(-np.sin(0.5), rel=1e-6)  # numerical Hessian fallback
    g = Objective(lambda p: (p**2).sum(-1), lambda p: 2 * p, dim=2)
    assert g.grad([1.0, 2.0]).tolist() == [2.0, 4.0]
    assert np.allclose(g.hessian([1.0, 2.0]), 2 * np.eye(2), atol=1e-6)
    assert g.domain.shape == (2, 2)


def test_quadratic_form_minimiser_and_condition():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    q = quadratic_form(A, b)
    assert np.allclose(q.grad(q.minima[0]), 0)
    assert q.smoothness == pytest.approx(np.linalg.eigvalsh(A)[-1])
    ill = get("ill_conditioned", condition=25.0, angle=30.0)
    assert np.allclose(np.linalg.eigvalsh(ill.hessian([0.3, -0.2])), [1.0, 25.0])


@pytest.mark.parametrize("x", [0.7, np.array([-1.5, 0.25, 2.0]), np.array([[0.3], [-0.8]])])
def test_quadratic_form_of_one_variable(x):
    """A 1×1 A: L(θ) = ½ a θ² − b θ, checked against the closed form and finite differences."""
    a, b = 2.5, -0.75
    q = quadratic_form(np.array([[a]]), np.array([b]))
    flat = np.asarray(x, dtype=float)
    assert np.allclose(q(x), np.reshape(0.5 * a * flat ** 2 - b * flat, np.shape(q(x))))
    assert np.allclose(q.grad(x), a * flat - b)
    h = 1e-5
    assert np.allclose(np.ravel(q.grad(x)), np.ravel((q(flat + h) - q(flat - h)) / (2 * h)), atol=1e-6)
    assert np.allclose(q.hessian(x), a)
    assert q.minima[0][0] == pytest.approx(b / a)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: get("nope"), ValueError, "name must be one of"),
    (lambda: get(3), TypeError, "name must be a string"),
    (lambda: get("quadratic", curvature=-1.0), ValueError, "curvature"),
    (lambda: get("quadratic", curvature=float("nan")), ValueError, "curvature"),
    (lambda: get("quadratic", wobble=1.0), TypeError, "wobble"),
    (lambda: get("ill_conditioned", condition=0.5), ValueError, "condition"),
    (lambda: get("rosenbrock").grad([1.0, 2.0, 3.0]), ValueError, r"x must have shape \(\.\.\., 2\)"),
    (lambda: get("bowl")("abc"), TypeError, "x must be a number"),
    (lambda: Objective(1, lambda x: x, dim=1), TypeError, "fun must be callable"),
    (lambda: Objective(lambda x: x, lambda x: x, dim=0), ValueError, "dim must be a positive integer"),
    (lambda: Objective(lambda x: x, lambda x: x, dim=1, domain=(2, 1)), ValueError, "domain"),
    (lambda: quadratic_form([[1.0, 0.0], [0.0, -1.0]]), ValueError, "positive definite"),
    (lambda: numerical_grad(lambda x: x, 1.0, h=0), ValueError, "h must be a positive"),
])
def test_bad_input_is_named(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
