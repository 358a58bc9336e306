"""Static figures (matplotlib): functions that take data and return Figure/Axes.

``style`` (``from i2dl_helpers.plotting import style``) holds the screen and classroom
styles that every figure and explorer follows.

Names are imported lazily from their modules (see ``_EXPORTS``); add one line
per public name.
"""
import io

from matplotlib.figure import Figure

from .._lazy import lazy_exports
from . import alt_text
from . import style  # noqa: F401  (plotting.style: screen / classroom presentation styles)

_EXPORTS = {
    # sgd_plots.py: figures of the GD-for-networks and SGD notebooks
    "training_plot": "sgd_plots", "gradient_cloud": "sgd_plots", "variance_plot": "sgd_plots",
    "schedule_plot": "sgd_plots", "race_plot": "sgd_plots", "cost_plot": "sgd_plots",
    # graph_draw.py: compute graphs drawn in layers
    "draw_graph": "graph_draw",
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


def _show_figures_in_ipython() -> None:
    """Let a notebook cell that ends in a Figure display it as an image.

    The course's figures are plain ``matplotlib.figure.Figure`` objects, never
    registered with pyplot (so nothing leaks when cells are re-run). IPython only
    knows how to show those once the inline backend has been activated, so we
    register the PNG formatter ourselves.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to do
        return
    shell = get_ipython()
    if shell is None:
        return
    png = shell.display_formatter.formatters["image/png"]

    def to_png(fig):
        with io.BytesIO() as out:
            fig.savefig(out, format="png", bbox_inches="tight")
            return out.getvalue()

    png.for_type(Figure, to_png)
    alt_text.install(shell)  # and as <img alt="…"> (JupyterLab gives a PNG no alt; issue 23)


_show_figures_in_ipython()
