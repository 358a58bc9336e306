"""The repository explains and installs itself: metadata, environment, README, CI."""
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _conda_dependencies():
    """The package names of environment.yml (a tiny reader: no YAML library needed)."""
    names, pip_section, in_deps = set(), False, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if re.match(r"^\w", line):  # a top-level key
            in_deps = line.startswith("dependencies:")
            continue
        item = re.match(r"^(\s*)- (.+?)\s*(#.*)?$", line)
        if not item or not in_deps:
            continue
        indent, spec = len(item.group(1)), item.group(2)
        if spec == "pip:":
            pip_section = True
            continue
        if indent <= 2:
            pip_section = False
        if not pip_section:
            names.add(_name(spec.replace("=", "==", 1) if "=" in spec and ">" not in spec else spec))
    return names


#: conda-forge splits dask[distributed] into two packages
_CONDA_NAMES = {"dask": {"dask", "distributed"}}


def test_environment_and_pyproject_name_the_same_dependencies():
    """environment.yml = run-time dependencies + every extra but the (large) torch reference."""
    project = _pyproject()["project"]
    wanted = list(project["dependencies"])
    for extra, requirements in project["optional-dependencies"].items():
        if extra != "torch":
            wanted += requirements
    runtime = set()
    for r in wanted:
        runtime |= _CONDA_NAMES.get(_name(r), {_name(r)})
    conda = _conda_dependencies() - {"python", "pip"}
    assert runtime == conda, f"only in pyproject: {runtime - conda}; only in environment.yml: {conda - runtime}"


def test_environment_installs_the_package_and_pins_python():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*- python=3\.\d+", text, re.M)
    assert re.search(r"^\s*- pip:\s*$", text, re.M) and re.search(r"^\s*- -e \.", text, re.M)
    assert "conda-forge" in text


def test_dependencies_are_ranges_not_pins():
    project = _pyproject()["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    for requirement in requirements:
        assert "==" not in requirement, f"exact pin {requirement!r}: use a range"
    assert not any(_name(r) == "torch" for r in project["dependencies"] + project["optional-dependencies"]["test"]), \
        "PyTorch is a separate optional reference extra, never a run-time or test dependency"
    assert "torch" in {_name(r) for r in project["optional-dependencies"]["torch"]}
    assert project["requires-python"] == ">=3.10"


def test_readme_lists_every_notebook_and_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert nb.name in readme, f"README does not list {nb.name}"
    assert "python3 course.py lab" in readme and "python3 course.py test" in readme


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    # verbatim: no extra arguments (CI may keep the exit status, e.g. `python3 course.py test || status=$?`)
    assert re.search(r"^python3 course\.py test(\s+\|\|\s+\w+=\$\?)?$", ci, re.M)


# --- the run-time dependencies give every notebook what it needs (issue 22) ---------------------------------
def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules(code: str) -> set[str]:
    """Top-level names of the modules ``code`` imports (absolute imports only)."""
    import ast

    tree = ast.parse(code)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _notebook_code(path: Path) -> str:
    import json

    lines = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":  # IPython magics and shell escapes are not Python
            lines += [line for line in "".join(cell["source"]).splitlines() if not line.lstrip().startswith(("%", "!"))]
    return "\n".join(lines)


def _requirement_closure(requirements) -> set[str]:
    """Every distribution that installing ``requirements`` brings (read from the installed metadata)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    seen, todo = set(), [(Requirement(r), "") for r in requirements]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = _canonical(req.name)
        key = (name, tuple(sorted(req.extras)))
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            continue  # reported by the caller: a needed module without its distribution
        for extra_name in ("", *req.extras):
            todo += [(Requirement(r), extra_name) for r in requires]
    return {name for name, _ in seen}


def test_run_time_dependencies_bring_every_module_the_notebooks_import():
    """What `course.py lab` installs (the run-time dependencies, no extra) provides every third-party module that
    the package and the student and instructor notebooks import. Issue 22: Dask was an extra, so notebook 09
    failed on the README's set-up."""
    from importlib import metadata

    modules = set()
    for path in sorted((ROOT / "i2dl_helpers").rglob("*.py")):
        modules |= _imported_modules(path.read_text(encoding="utf-8"))
    for path in sorted([*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "source").rglob("*.ipynb")]):
        modules |= _imported_modules(_notebook_code(path))
    third_party = {m for m in modules - set(sys.stdlib_module_names) if m not in {"i2dl_helpers", "__future__"}}
    assert {"numpy", "matplotlib", "ipywidgets", "distributed"} <= third_party  # the scan sees the imports
    provided = metadata.packages_distributions()
    closure = _requirement_closure(_pyproject()["project"]["dependencies"])
    missing = {m: provided.get(m, ["not installed"]) for m in sorted(third_party)
               if not any(_canonical(d) in closure for d in provided.get(m, []))}
    assert not missing, f"imported by the package or a notebook, not brought by the run-time dependencies: {missing}"


def test_dask_is_a_run_time_dependency_and_the_old_extra_still_installs():
    project = _pyproject()["project"]
    dask = [r for r in project["dependencies"] if _name(r) == "dask"]
    assert dask and "[distributed]" in dask[0].replace(" ", ""), "notebook 09 needs dask.distributed at run time"
    # `pip install -e ".[distributed]"` (older instructions) keeps working: the extra exists, adds nothing new
    extra = project["optional-dependencies"].get("distributed")
    assert extra is not None and all(_name(r) == "dask" for r in extra)
    assert "distributed" not in {_name(r) for r in project["optional-dependencies"]["instructor"]}


def test_instructor_install_is_complete_for_a_hub():
    """`pip install -e ".[instructor]"` on a hub: the run-time dependencies (every notebook, Dask included)
    plus nbgrader, which brings its JupyterLab extension and the grading commands."""
    project = _pyproject()["project"]
    closure = _requirement_closure(project["dependencies"] + project["optional-dependencies"]["instructor"])
    for dist in ("nbgrader", "dask", "distributed", "jupyterlab", "ipykernel", "ipywidgets", "voila"):
        assert dist in closure, f"the instructor install lacks {dist}"


def test_the_student_notebooks_are_run_by_the_fresh_clone_test_not_by_nbval():
    """Each student notebook runs once per test run: tests/browser/test_jupyterlab.py runs notebooks/ in the
    JupyterLab of a fresh clone set up as `course.py lab` does (tests/browser/fresh_clone.py), so nbval must
    not collect notebooks/ as well, and no other test module executes them."""
    paths = _pyproject()["tool"]["pytest"]["ini_options"]["testpaths"]
    assert "notebooks" not in paths and "tests" in paths
    text = (ROOT / "tests" / "browser" / "fresh_clone.py").read_text(encoding="utf-8")
    assert '"lab", "--setup-only"' in text and 'glob("*.ipynb")' in text
    lab = (ROOT / "tests" / "browser" / "test_jupyterlab.py").read_text(encoding="utf-8")
    assert "def test_notebook_runs_in_jupyterlab(student_lab, fresh_clone" in lab
    assert not (ROOT / "tests" / "test_fresh_clone.py").exists()
