"""Static figures (matplotlib): functions that take data and return Figure/Axes.

Names are imported lazily from their modules (see ``_EXPORTS``); add one line
per public name.
"""
from .._lazy import lazy_exports

_EXPORTS = {
    # basics.py: 1D figures of the first notebooks
    "difference_error_plot": "basics", "regimes_plot": "basics",
    # views2d.py: contour/surface/gradient-field views of 2D objectives, loss curves, maps
    "contour_path": "views2d", "surface_path": "views2d", "gradient_field": "views2d",
    "loss_per_step": "views2d", "three_views": "views2d", "convexity_map": "views2d",
    "basin_plot": "views2d", "chord_plot": "views2d", "slice_plot": "views2d", "convexity_gallery": "views2d",
    "adaptive_glyphs": "adaptive", "paths_and_losses": "compare", "stability_plot": "compare",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
