"""Shared by tests/test_site.py and tests/browser/test_static_site.py: the site builder as a module."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_build_site():
    """``scripts/build_site.py`` imported as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
