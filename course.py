#!/usr/bin/env python3
"""One entry point for students, instructors and CI (needs only Python >= 3.10).

    python3 course.py lab      set up .venv and open the course in JupyterLab
    python3 course.py test     set up .venv (with the test tools) and run every test
    python3 course.py strip    clear the outputs of every notebook (before committing)

Set-up is a virtual environment in .venv with this package installed in editable
mode; it is re-used, and re-installed only when pyproject.toml changes. Extra
arguments after ``test`` go to pytest, e.g. ``python3 course.py test -k gd1d``.
Pass ``--torch`` to ``test`` to also install the PyTorch reference (large).
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


def lab(args: list[str]) -> int:
    setup("")
    _say("opening JupyterLab on notebooks/ (stop it with Ctrl-C)")
    return subprocess.call([str(BIN / "jupyter"), "lab", *args], cwd=ROOT / "notebooks")


def test(args: list[str]) -> int:
    extras = "test,torch" if "--torch" in args else "test"
    args = [a for a in args if a != "--torch"]
    setup(extras)
    cmd = [str(PY), "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider", *args]
    _say(" ".join(cmd[2:]))
    # One BLAS thread: on a shared 2-core machine, threaded BLAS makes the timing cells of the
    # notebooks erratic (a 1e5-row gradient took 30 ms instead of 1.5 ms under contention).
    env = dict(os.environ, PYTHONHASHSEED="0")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return subprocess.call(cmd, cwd=ROOT, env=env)


def strip(args: list[str]) -> int:
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        changed = False
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count")):
                cell["outputs"], cell["execution_count"] = [], None
                changed = True
        if changed:
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            _say(f"stripped {path.relative_to(ROOT)}")
    return 0


def main(argv: list[str]) -> int:
    commands = {"lab": lab, "test": test, "strip": strip}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
