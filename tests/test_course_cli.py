"""course.py: the commands students and instructors type."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import course  # noqa: E402

sys.path.pop(0)


@pytest.fixture
def calls(monkeypatch):
    seen = []
    monkeypatch.setattr(course, "setup", lambda extras: None)
    monkeypatch.setattr(course.subprocess, "call", lambda cmd, **kw: seen.append((cmd, kw)) or 0)
    return seen


def test_lab_as_root_passes_allow_root_and_says_why(calls, monkeypatch, capsys):
    monkeypatch.setattr(course.os, "geteuid", lambda: 0, raising=False)
    assert course.main(["lab", "--port", "8890"]) == 0
    cmd, kw = calls[0]
    assert cmd[1:] == ["lab", course.NODELAY, "--port", "8890", "--allow-root"]
    assert kw["cwd"] == ROOT / "notebooks"
    assert "root" in capsys.readouterr().out


def test_lab_as_a_user_passes_arguments_unchanged(calls, monkeypatch):
    monkeypatch.setattr(course.os, "geteuid", lambda: 1000, raising=False)
    course.main(["lab", "--no-browser"])
    assert calls[0][0][1:] == ["lab", course.NODELAY, "--no-browser"]


def test_lab_enables_the_course_server_extension_unless_told_otherwise(calls, monkeypatch):
    """TCP_NODELAY on kernel websockets (i2dl_helpers_server): the editable install does not enable it."""
    monkeypatch.setattr(course.os, "geteuid", lambda: 1000, raising=False)
    assert course.NODELAY == "--ServerApp.jpserver_extensions=i2dl_helpers_server=True"
    off = "--ServerApp.jpserver_extensions=i2dl_helpers_server=False"
    course.main(["lab", off])
    assert calls[0][0][1:] == ["lab", off]


def test_lab_source_opens_the_instructor_notebooks(calls, monkeypatch):
    monkeypatch.setattr(course.os, "geteuid", lambda: 1000, raising=False)
    course.main(["lab", "source"])
    assert calls[0][1]["cwd"] == ROOT / "source"


def test_kernels_get_one_blas_thread_like_the_tests(calls, monkeypatch):
    monkeypatch.setattr(course.os, "geteuid", lambda: 1000, raising=False)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    course.main(["lab"])
    assert calls[0][1]["env"]["OPENBLAS_NUM_THREADS"] == "1"


def test_unknown_command_prints_the_usage(capsys):
    assert course.main(["nonsense"]) == 2
    assert "course.py release" in capsys.readouterr().out


def test_lab_setup_only_sets_up_like_lab_and_starts_nothing(monkeypatch, capsys):
    installed, started = [], []
    monkeypatch.setattr(course, "setup", installed.append)
    monkeypatch.setattr(course.subprocess, "call", lambda cmd, **kw: started.append(cmd) or 0)
    assert course.main(["lab", "--setup-only"]) == 0
    assert installed == [""] and not started  # the run-time dependencies (Dask included), no JupyterLab
    assert "course.py lab" in capsys.readouterr().out
    course.main(["lab", "--no-browser"])
    assert installed == ["", ""], "lab and lab --setup-only install the same"
    assert "--setup-only" in course.__doc__


def test_setup_installs_the_run_time_dependencies_once_per_pyproject(tmp_path, monkeypatch):
    """setup("") installs `.` (pyproject's run-time dependencies) and re-installs only when pyproject changes."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    venv_dir = tmp_path / ".venv"
    bin_dir = venv_dir / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text("")
    monkeypatch.setattr(course, "ROOT", tmp_path)
    monkeypatch.setattr(course, "VENV", venv_dir)
    monkeypatch.setattr(course, "PY", bin_dir / "python")
    runs = []
    monkeypatch.setattr(course, "_run", lambda *cmd, **kw: runs.append([str(c) for c in cmd]))
    course.setup("")
    assert runs[-1][-2:] == ["-e", "."]
    n = len(runs)
    course.setup("")
    assert len(runs) == n, "nothing to do while pyproject.toml is unchanged"
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'y'\n")
    course.setup("")
    assert len(runs) > n
