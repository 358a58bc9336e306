"""The tiers and the two workers (tests/conftest.py, course.py test): their lists name real modules, a module
spread over both workers shares no expensive fixture, and course.py passes what the README says."""
import re
import sys
from pathlib import Path

import pytest

import conftest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import course  # noqa: E402

sys.path.pop(0)


def test_the_lists_name_test_modules_that_exist():
    for path in (*conftest.LONG_FIRST, *conftest.SPREAD, *conftest.QUICK_MODULES):
        assert (ROOT / path).is_file(), f"tests/conftest.py names {path}, which does not exist"
    for nodeid in conftest.NOT_QUICK:
        path, _, name = nodeid.partition("::")
        assert re.search(rf"^def {re.escape(name)}\(", (ROOT / path).read_text(), re.M), f"{nodeid} is not a test"


#: shared fixtures of spread modules that cost nothing to make twice: test_jupyterlab's ``lab`` hands out the
#: worker's JupyterLab and tab (session fixtures of tests/browser/conftest.py) and stops kernels after the module
#: (its ``fresh_clone``, in tests/browser/conftest.py, is built once per run and shared by the workers)
CHEAP = {"tests/browser/test_jupyterlab.py": {"lab"}}


@pytest.mark.parametrize("path", sorted(conftest.SPREAD))
def test_modules_spread_over_the_workers_share_no_fixture_of_their_own(path):
    """Spread tests of one module run on both workers: a module-scoped fixture of the module would be built twice."""
    text = (ROOT / path).read_text()
    shared = re.findall(r"@pytest\.fixture\([^)]*scope=[\"'](?:module|package|session)[^)]*\)\s*\ndef (\w+)", text)
    assert set(shared) <= CHEAP.get(path, set()), \
        f"{path} has shared fixtures of its own, {shared}: take it out of SPREAD (tests/conftest.py)"


def test_units_of_work():
    assert conftest.unit_of_work("tests/test_hub.py::test_log_in[x]") == "tests/test_hub.py"
    spread = "tests/browser/test_jupyterlab.py::test_notebook_runs_in_jupyterlab[01.ipynb]"
    assert conftest.unit_of_work(spread) == spread
    # the test site is built once per process: its two modules go to one worker
    assert conftest.unit_of_work("tests/browser/test_accessibility.py::test_site_pages_pass_axe") \
        == conftest.unit_of_work("tests/browser/test_static_site.py::test_pages_work_offline")


def test_full_run_on_two_workers_and_quick_tier_in_one_process(monkeypatch):
    seen = []
    monkeypatch.setattr(course, "setup", lambda extras: None)
    monkeypatch.setattr(course.subprocess, "call", lambda cmd, **kw: seen.append(cmd) or 0)
    monkeypatch.delenv("I2DL_TEST_WORKERS", raising=False)
    course.main(["test"])
    course.main(["test", "--quick"])
    course.main(["test", "-n", "0"])
    monkeypatch.setenv("I2DL_TEST_WORKERS", "0")
    course.main(["test"])
    full, quick, chosen, single = (cmd[3:] for cmd in seen)
    assert full[full.index("-n") + 1] == "2" and "loadscope" in full
    assert "-n" not in quick and quick[quick.index("-m") + 1] == "quick"
    assert chosen.count("-n") == 1 and "loadscope" not in chosen
    assert "-n" not in single
