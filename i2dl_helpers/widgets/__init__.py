"""Interactive explorers (ipywidgets). Each exposes ``.controls`` and ``.figure``.

Names are imported lazily from their modules (see ``_EXPORTS``).
"""
from .._lazy import lazy_exports

_EXPORTS = {
    "Explorer": "base", "log_slider": "base",
    "GradientDescent1D": "gd1d",
    "DifferenceQuotient": "derivative",
    "BackpropStepper": "backprop",
    "ChordExplorer": "convexity",
    "GradientDescent2D": "gd2d",
    "BasinExplorer": "basins",
    "LineSearchExplorer": "linesearch",
    "SGDExplorer": "sgd",
    "MomentumExplorer": "momentum",
    "OptimizerRace": "race",
    "TrainingExplorer": "training",
    "StalenessExplorer": "staleness",
    "NetworkShape": "network_shape",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
