"""The layers hold: core maths (numpy only) → plotting (matplotlib) → widgets (ipywidgets) → notebooks.

Every core module is imported in a fresh interpreter, and matplotlib and ipywidgets must not be loaded
afterwards; no plotting module imports the widgets; no core module imports upwards. Every import is at
module level (no late imports hiding a dependency; a short, explained list of optional third-party packages
excepted), and the modules of the package import each other without a cycle.
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


# --- imports at module level only, and no cycles --------------------------------------------------------------
#: Third-party packages that may be imported inside a function, on purpose: each is optional (the code
#: path works or says what to install without it) or only of use in one code path, so the module imports
#: without it. Never the package's own modules, and never matplotlib or ipywidgets (the layers above).
LAZY_THIRD_PARTY = {
    "sklearn": "data.digits reads scikit-learn's bundled digits once; importing sklearn takes about a second",
    "distributed": "Dask's scheduler, only for distributed.py's real cluster; without it that module says "
                   "what to install (have_dask, _require)",
    "scipy": "exercises.nb10 replaces scipy.linalg's inverses while a check runs, if scipy is there",
    "threadpoolctl": "timing limits the native thread pools when asked to, a no-op without threadpoolctl",
    "IPython": "only inside a Jupyter kernel (progress bar, figure formatters); plain Python runs without it",
    "ipympl": "importing ipympl switches pyplot's backend, so only the explorer that asks for its canvas does",
}
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _path(module: str) -> Path:
    path = PACKAGE.parent.joinpath(*module.split(".")).with_suffix(".py")
    return path if path.exists() else path.with_suffix("") / "__init__.py"


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"))


def _import_sites(tree: ast.AST, nested: bool = False, typing_only: bool = False):
    """(import node, inside a function or class?, under ``if TYPE_CHECKING:``?) for every import."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, nested, typing_only
        else:
            yield from _import_sites(child, nested or isinstance(child, _NESTED),
                                     typing_only or _is_type_checking(child))


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The absolute names of the modules an import statement in ``module`` names: ``from p import m`` names
    the module p.m when there is one (p is imported anyway, as its parent), else p."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names}
    if node.level:
        package = module.split(".") if _path(module).name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module
    return {f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names}


ALL = sorted(_modules()) + ["i2dl_helpers"]
MODULES = set(ALL)


@pytest.mark.parametrize("module", ALL)
def test_every_import_is_at_module_level(module):
    """A function-level import hides a dependency (and the cycles and layer breaks it allows); only the
    optional third-party packages of LAZY_THIRD_PARTY may be imported late."""
    late = []
    for node, nested, typing_only in _import_sites(ast.parse(_path(module).read_text(encoding="utf-8"))):
        if not nested or typing_only:
            continue
        names = _targets(module, node)
        if not all(n.split(".")[0] in LAZY_THIRD_PARTY for n in names):
            late.append(f"line {node.lineno}: {ast.unparse(node)}")
    assert not late, f"{module} imports inside a function or class: " + "; ".join(late)


def _graph() -> dict[str, set[str]]:
    """module -> the package's modules it imports (anywhere but under ``if TYPE_CHECKING:``: a late import
    is a dependency all the same)."""
    graph = {}
    for module in ALL:
        edges = set()
        for node, nested, typing_only in _import_sites(ast.parse(_path(module).read_text(encoding="utf-8"))):
            if not typing_only:
                edges |= {t for t in _targets(module, node) if t in MODULES and t != module}
        graph[module] = edges
    return graph



def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as [a, b, …, a], or None (depth-first search, three colours)."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_cycles():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_import_graph_has_edges():
    graph = _graph()
    assert "i2dl_helpers.optim.base" in graph["i2dl_helpers.optim.training"]
    assert "i2dl_helpers._validate" in graph["i2dl_helpers.nn"]


def test_no_import_cycles():
    """The package's modules import each other without a cycle: each layer is built only
    on what is below it, and every module can be imported on its own."""
    cycle = _find_cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)
