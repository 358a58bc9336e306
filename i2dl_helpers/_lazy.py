"""Lazy exports: ``package.Name`` imports its module on first use.

Each package lists ``name -> submodule`` once; nothing heavy is imported until
it is needed, and adding a module never means editing an import block.
"""
from __future__ import annotations

import importlib


def lazy_exports(package: str, table: dict[str, str]):
    """Return (__getattr__, __dir__) for a package whose names live in submodules."""

    def __getattr__(name: str):
        if name in table:
            module = importlib.import_module(f"{package}.{table[name]}")
            return getattr(module, name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(table)

    return __getattr__, __dir__
