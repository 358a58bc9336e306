"""The layers hold: core maths (numpy only) → plotting (matplotlib) → widgets (ipywidgets) → notebooks.

Every core module is imported in a fresh interpreter, and matplotlib and ipywidgets must not be loaded
afterwards; no plotting module imports the widgets; no core module imports upwards.
"""
import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import i2dl_helpers

PACKAGE = Path(i2dl_helpers.__file__).parent
UPPER = ("plotting", "widgets")


def _modules():
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="i2dl_helpers."):
        yield info.name


CORE = sorted(m for m in _modules() if m.split(".")[1] not in UPPER)
PLOTTING = sorted(m for m in _modules() if m.split(".")[1] == "plotting")


def test_the_layers_are_not_empty():
    assert "i2dl_helpers.optim.base" in CORE and "i2dl_helpers.objectives.catalogue" in CORE
    assert "i2dl_helpers.plotting.views2d" in PLOTTING


@pytest.mark.parametrize("module", CORE)
def test_core_module_loads_neither_matplotlib_nor_ipywidgets(module):
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]", f"importing {module} loads {out.stdout.strip()}"


def _imports(path: Path) -> set[str]:
    """Every module a file imports (at any depth), as absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    package = list(rel.parts[:-1]) if rel.name != "__init__" else list(rel.parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
                found.add(name)
                found |= {f"{name}.{a.name}" for a in node.names}
            else:
                found.add(node.module)
    return found


@pytest.mark.parametrize("module", PLOTTING)
def test_plotting_never_imports_the_widgets(module):
    path = PACKAGE.parent.joinpath(*module.split(".")).with_suffix(".py")
    if not path.exists():
        path = path.with_suffix("") / "__init__.py"
    bad = {m for m in _imports(path) if m.startswith(("i2dl_helpers.widgets", "ipywidgets"))}
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", CORE)
def test_core_never_imports_upwards_at_module_level(module):
    path = PACKAGE.parent.joinpath(*module.split(".")).with_suffix(".py")
    if not path.exists():
        path = path.with_suffix("") / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = set()
    for node in top:
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        else:
            names.add(("." * node.level) + (node.module or ""))
    upward = {n for n in names if any(part in ("plotting", "widgets", "matplotlib", "ipywidgets")
                                       for part in n.replace(".", " ").split())}
    assert not upward, f"{module} imports {upward} at module level"


def test_no_function_is_more_complex_than_fifteen():
    """Cyclomatic complexity ≤ 15 everywhere in the package (radon), so every function reads in one go."""
    radon = pytest.importorskip("radon.complexity", reason="radon measures complexity: pip install radon")
    too_complex = []
    for path in PACKAGE.rglob("*.py"):
        for block in radon.cc_visit(path.read_text(encoding="utf-8")):
            if block.complexity > 15:
                too_complex.append(f"{path.relative_to(PACKAGE)}:{block.lineno} {block.name} ({block.complexity})")
    assert not too_complex, "split these functions: " + ", ".join(too_complex)
