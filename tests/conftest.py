"""Shared test set-up: a headless matplotlib and a hypothesis profile for shared machines."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

# CI machines are shared and noisy: no per-example deadline; determinism via derandomize.
settings.register_profile("course", deadline=None, derandomize=True, max_examples=100,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("course")
