"""The registry of scene test cases (test_scenes.py): explorer -> a factory returning
(explorer, [control settings applied one after the other]). Each ``scene_cases_*.py`` module
registers its explorers with ``@case("name")``; test_scenes.py imports them all."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

CASES: dict = {}


def case(name):
    def register(fn):
        CASES[name] = fn
        return fn
    return register


def load_all() -> dict:
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("scene_cases_"):
            importlib.import_module(f"{__package__}.{info.name}")
    return CASES
