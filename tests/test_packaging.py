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
    assert re.search(r"^python3 course\.py test$", ci, re.M)
