"""Notebook 09 where Dask is missing (issue 22, part 1): it says so once, clearly, and every cell that
needs a cluster skips with one line instead of failing; the rest of the notebook runs.

Dask is blocked the way an environment without it behaves: a ``sitecustomize`` on PYTHONPATH makes
``import dask`` / ``import distributed`` raise ModuleNotFoundError, in this process's children and in the
notebook's kernel.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "source" / "scaling_optimization" / "09_data_parallel_sgd.ipynb"

BLOCKER = textwrap.dedent('''
    import sys

    class _NoDask:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("dask", "distributed"):
                raise ModuleNotFoundError(f"No module named {name!r}")
            return None

    sys.meta_path.insert(0, _NoDask())
''')

EXPLANATION = "Dask is not installed in this environment"
SKIPPED = "skipped: this cell needs Dask"


@pytest.fixture
def without_dask(tmp_path, monkeypatch):
    (tmp_path / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    return tmp_path


def test_dask_ready_explains_once_then_one_line_per_cell(without_dask):
    code = ("from i2dl_helpers.distributed import dask_ready, have_dask\n"
            "assert not have_dask()\n"
            "print('->', dask_ready()); print('->', dask_ready()); print('->', dask_ready())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines.count("-> False") == 3
    assert out.stdout.count(EXPLANATION) == 1 and out.stdout.index(EXPLANATION) < out.stdout.index(SKIPPED)
    assert "pip install 'dask[distributed]'" in out.stdout and "restart the kernel" in out.stdout
    assert sum(line.startswith(SKIPPED) for line in lines) == 2


def test_dask_ready_is_silent_when_dask_is_there(capsys):
    pytest.importorskip("distributed")
    from i2dl_helpers.distributed import dask_ready

    assert dask_ready() is True
    assert capsys.readouterr().out == ""


@pytest.mark.slow
def test_notebook_09_runs_without_dask(without_dask):
    """Every cell runs without an error; the explanation appears once, in the first cell that needs Dask,
    and each later cell that needs it prints one 'skipped' line and nothing else."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    errors, guarded, texts = [], [], []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        errors += [(i, o.ename, o.evalue) for o in cell.outputs if o.output_type == "error"
                   and "raises-exception" not in cell.metadata.get("tags", [])]
        if "if dask_ready():" in cell.source:
            guarded.append(i)
            texts.append(text)
    assert not errors, errors
    assert len(guarded) >= 10, "the cluster cells start with `if dask_ready():`"
    assert sum(t.count(EXPLANATION) for t in texts) == 1 and EXPLANATION in texts[0]
    for i, text in zip(guarded[1:], texts[1:]):
        lines = [line for line in text.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(SKIPPED), (i, text)
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "NameError" not in outputs and "KeyError" not in outputs
