#!/usr/bin/env python3
"""One entry point for students, instructors and CI (needs only Python >= 3.10).

    python3 course.py lab      set up .venv and open the course in JupyterLab
    python3 course.py lab --setup-only
                               set up .venv as ``lab`` does (everything every notebook needs),
                               without starting JupyterLab
    python3 course.py test     set up .venv (with the test tools) and run every test
    python3 course.py test --quick
                               the quick tier: the maths and the exercises' checks, no kernel and
                               no browser (under a minute)
    python3 course.py release  make the student notebooks in notebooks/ from the instructor
                               notebooks in source/scaling_optimization/ (nbgrader)
    python3 course.py strip    clear the outputs of every notebook (before committing)

Set-up is a virtual environment in .venv with this package installed in editable
mode; it is re-used, and re-installed only when pyproject.toml changes. Extra
arguments after ``test`` go to pytest, e.g. ``python3 course.py test -k gd1d``;
arguments after ``lab`` go to ``jupyter lab``, e.g. ``python3 course.py lab --port 8890``
(``python3 course.py lab source`` opens the instructor notebooks instead). As root,
``lab`` passes ``--allow-root`` to JupyterLab and says so. ``lab`` installs the run-time
dependencies, Dask included (notebook 09); tests/browser/test_jupyterlab.py runs every student
notebook in the JupyterLab of a fresh clone set up by ``lab --setup-only``.
Pass ``--torch`` to ``test`` to also install the PyTorch reference (large), ``--quick`` to run only
the quick tier (``-m quick``, see tests/conftest.py).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
SOURCE = ROOT / "source"
ASSIGNMENT = "scaling_optimization"
STUDENT = ROOT / "notebooks"


def _say(msg: str) -> None:
    print(f"[course] {msg}", flush=True)


def _run(*cmd, **kw) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def setup(extras: str) -> None:
    """Create .venv if needed and install the package with ``extras``."""
    if sys.version_info < (3, 10):
        sys.exit("Python >= 3.10 is needed; this is " + sys.version.split()[0])
    if not PY.exists():
        _say(f"creating the virtual environment {VENV.relative_to(ROOT)}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    _say(f"installing i2dl_helpers{f'[{extras}]' if extras else ''} and its dependencies")
    _run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    _run(PY, "-m", "pip", "install", "--quiet", "-e", target, cwd=ROOT)
    stamp.write_text(digest)


def _course_env() -> dict[str, str]:
    """The environment of the kernels, the same for students and tests.

    One BLAS thread: on a shared machine threaded BLAS makes timings erratic (a 1e5-row
    gradient took 30 ms instead of 1.5 ms under contention), and notebook 06 measures how
    the cost of a gradient grows with n. A value the user set is kept.
    """
    env = dict(os.environ, PYTHONHASHSEED="0")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MKL_NUM_THREADS", "1")
    return env


#: the course's server extension (i2dl_helpers_server: TCP_NODELAY on kernel websockets, one-frame round trips);
#: an editable install does not install the file that enables it on install, so ``lab`` enables it here
NODELAY = "--ServerApp.jpserver_extensions=i2dl_helpers_server=True"


def lab(args: list[str]) -> int:
    """Open the course in JupyterLab; ``args`` go to ``jupyter lab`` (e.g. ``--port 8890``).

    ``--setup-only``: set up .venv exactly as for JupyterLab, then stop (tests, images, a hub's build).
    """
    setup_only = "--setup-only" in args
    args = [a for a in args if a != "--setup-only"]
    setup("")
    if setup_only:
        _say(f"set up {VENV.relative_to(ROOT)}; start the course with: python3 course.py lab")
        return 0
    folder = "notebooks"
    if args and not args[0].startswith("-"):  # `course.py lab source` opens the instructor notebooks
        folder, args = args[0], args[1:]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
        _say("running as root (a container or a fresh cloud machine): JupyterLab refuses that unless told, "
             "so --allow-root is passed. Use a normal user account where you can.")
        args = [*args, "--allow-root"]
    _say(f"opening JupyterLab on {folder}/ (stop it with Ctrl-C)")
    if not any(a.startswith("--ServerApp.jpserver_extensions") for a in args):
        args = [NODELAY, *args]
    return subprocess.call([str(BIN / "jupyter"), "lab", *args], cwd=ROOT / folder, env=_course_env())


#: the quick tier: the tests tests/conftest.py marks ``quick`` (the maths and the exercises' checks, each
#: well under a second; no kernel, server, cluster or browser)
QUICK = ["-m", "quick"]


def _workers(args: list[str]) -> list[str]:
    """pytest-xdist's options for the full run: two workers (this course's machines have two cores; set
    ``I2DL_TEST_WORKERS``, 0 for none), tests that share a server or a build kept together (tests/conftest.py).
    Nothing when the arguments choose already (``-n``, ``-p no:xdist``)."""
    if any(a == "-n" or a.startswith(("-n", "--numprocesses", "--dist")) or a == "no:xdist" for a in args):
        return []
    n = os.environ.get("I2DL_TEST_WORKERS", "2")
    return [] if n == "0" else ["-n", n, "--dist", "loadscope", "--no-loadscope-reorder"]


def test(args: list[str]) -> int:
    """Run pytest: every test, or with ``--quick`` the quick tier (no kernel, no browser)."""
    import time

    extras = "test,instructor,distributed" + (",torch" if "--torch" in args else "")
    quick = "--quick" in args
    args = [a for a in args if a not in ("--torch", "--quick")]
    setup(extras)
    slowest = [] if quick or any(a.startswith("--durations") for a in args) else ["--durations=15"]
    cmd = [str(PY), "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
           *(QUICK if quick else _workers(args)), *slowest, *args]  # the slowest tests named in the log
    _say(" ".join(cmd[2:]))
    start = time.monotonic()
    code = subprocess.call(cmd, cwd=ROOT, env=_course_env())
    _say(f"{'quick tier' if quick else 'tests'}: {time.monotonic() - start:.0f} s, pytest exit code {code}")
    return code


def write_notebook(path: Path, nb: dict) -> None:
    """Write a notebook the one way this repository stores them (stable diffs)."""
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def strip(args: list[str]) -> int:
    for path in sorted([*STUDENT.glob("*.ipynb"), *(SOURCE / ASSIGNMENT).glob("*.ipynb")]):
        nb = json.loads(path.read_text(encoding="utf-8"))
        changed = False
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count")):
                cell["outputs"], cell["execution_count"] = [], None
                changed = True
        if changed:
            write_notebook(path, nb)
            _say(f"stripped {path.relative_to(ROOT)}")
    return 0


def generate(out: Path, python: Path | None = None) -> Path:
    """Run nbgrader's ``generate_assignment`` on a copy of the course; return the release folder.

    The copy (``nbgrader_config.py`` and ``source/``) lives in ``out``, so nbgrader's
    gradebook and release folder never land in the repository.
    """
    import shutil

    python = python or PY
    shutil.copy(ROOT / "nbgrader_config.py", out / "nbgrader_config.py")
    shutil.copytree(SOURCE, out / "source", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    # nbgrader runs `alembic` from PATH: put the environment's bin folder first.
    env = dict(os.environ, PATH=str(Path(python).parent) + os.pathsep + os.environ.get("PATH", ""))
    subprocess.run([str(python), "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force",
                    "--log-level=WARN"], cwd=out, env=env, check=True)
    return out / "release" / ASSIGNMENT


def release(args: list[str]) -> int:
    """notebooks/ := nbgrader's student version of source/scaling_optimization/."""
    import tempfile

    setup("instructor")
    with tempfile.TemporaryDirectory() as tmp:
        made = generate(Path(tmp))
        names = {p.name for p in made.glob("*.ipynb")}
        for old in STUDENT.glob("*.ipynb"):
            if old.name not in names:
                old.unlink()
                _say(f"removed {old.relative_to(ROOT)} (no longer in source/)")
        for path in sorted(made.glob("*.ipynb")):
            write_notebook(STUDENT / path.name, json.loads(path.read_text(encoding="utf-8")))
    _say(f"wrote {len(names)} student notebooks to {STUDENT.relative_to(ROOT)}/")
    return 0


def main(argv: list[str]) -> int:
    commands = {"lab": lab, "test": test, "release": release, "strip": strip}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
