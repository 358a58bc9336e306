"""NetworkShape (slides 3–4): the drawing and the parameter count follow the width and depth sliders."""
import numpy as np
import pytest

from i2dl_helpers.nn import TwoLayerNet
from i2dl_helpers.widgets import NetworkShape
from i2dl_helpers.widgets.network_shape import count_params, layer_sizes


def test_count_matches_a_real_network():
    net = TwoLayerNet(2, 16, 1, seed=0)
    assert count_params([2, 16, 1]) == sum(p.size for p in net.params.values())


@pytest.mark.parametrize("width,depth", [(1, 1), (4, 3), (12, 6), (7, 2)])
def test_drawing_has_one_edge_per_weight_and_one_marker_per_unit(width, depth):
    e = NetworkShape(renderer="image")
    e.controls["width"].value, e.controls["depth"].value = width, depth
    sizes = layer_sizes(3, width, depth, 2)
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    biases = sum(sizes[1:])
    assert e.n_params == weights + biases                      # counted independently of count_params
    assert len(e._edges.get_segments()) == weights
    drawn = sum(len(line.get_xdata()) for line in e._units.values())
    assert drawn == sum(sizes)
    labels = [t.get_text() for t in e._labels if t.get_text()]
    assert len(labels) == depth + 2 and labels[0].startswith("input") and labels[-1].startswith("output")
    assert f"{e.n_params} parameters" in e.status_text and not e.error_text
    e.close()


def test_more_layers_more_weights():
    e = NetworkShape(width=4, depth=1, renderer="image")
    counts = []
    for depth in range(1, 7):
        e.controls["depth"].value = depth
        counts.append(e.n_params)
    assert np.all(np.diff(counts) == (4 + 1) * 4)              # each extra hidden layer adds (w + 1)·w
    e.close()


@pytest.mark.parametrize("kwargs,message", [({"width": 0}, "width"), ({"width": 13}, "width"),
                                            ({"depth": 7}, "depth"), ({"n_in": 0}, "n_in")])
def test_out_of_range_is_refused_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NetworkShape(**kwargs)


def test_non_integer_width_is_a_type_error():
    with pytest.raises(TypeError, match="width"):
        NetworkShape(width=2.5)
