"""Run one notebook top to bottom in a kernel of the Python that runs this script; write a JSON report.

    python tests/notebook_runner.py NOTEBOOK REPORT.json [--lint tests/figure_lint.py] [--timeout S] [--save OUT]

Used by tests/test_fresh_clone.py with the Python of a fresh clone's .venv (set up by ``course.py lab``), so
the kernel is the one a student gets (``python3`` of that environment) and only the run-time dependencies
are needed here (nbclient comes with JupyterLab). Errors are recorded, not raised (like nbclient's
``allow_errors``), with the cell's tags, so the caller decides which are allowed. With ``--lint``, the figure
lint is installed in the kernel before the first cell by a silent execution (no cell is added, the
notebook is not changed, execution counts start at 1): it reports every figure a cell draws.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

_PREAMBLE = """
def _i2dl_install_figure_lint(path, out):
    import importlib.util, sys
    spec = importlib.util.spec_from_file_location("_i2dl_figure_lint", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["_i2dl_figure_lint"] = module
    spec.loader.exec_module(module)
    module.install(get_ipython(), out)
_i2dl_install_figure_lint({lint!r}, {out!r})
del _i2dl_install_figure_lint
"""


def _errors(cell) -> list[dict]:
    found = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            tb = [_ANSI.sub("", line) for line in out.get("traceback", [])]
            found.append({"ename": out.get("ename"), "evalue": out.get("evalue"), "traceback": tb[-6:]})
    return found


def run(path: Path, report: Path, lint: Path | None, timeout: float, save: Path | None) -> dict:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    findings_file = report.with_suffix(".figures.jsonl")
    findings_file.unlink(missing_ok=True)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    result = {"notebook": path.name, "python": sys.executable, "cells": [], "findings": [], "aborted": None}
    t0 = time.perf_counter()
    client.reset_execution_trackers()
    with client.setup_kernel():
        client.wait_for_reply(client.kc.kernel_info())
        result["kernel_start_s"] = round(time.perf_counter() - t0, 2)
        if lint is not None:
            reply = client.wait_for_reply(client.kc.execute(
                _PREAMBLE.format(lint=str(lint), out=str(findings_file)), silent=True, store_history=False))
            if reply is None or reply["content"]["status"] != "ok":
                raise RuntimeError(f"the figure lint could not be installed: {reply and reply['content']}")
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            start = time.perf_counter()
            try:
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except (CellTimeoutError, DeadKernelError) as exc:
                result["aborted"] = {"cell": index, "error": f"{type(exc).__name__}: {exc}"[:2000]}
            result["cells"].append({"index": index, "tags": list(cell.metadata.get("tags", [])),
                                    "execution_count": cell.get("execution_count"),
                                    "seconds": round(time.perf_counter() - start, 3), "errors": _errors(cell)})
            if result["aborted"]:
                break
    result["total_s"] = round(time.perf_counter() - t0, 2)
    by_count = {c["execution_count"]: c["index"] for c in result["cells"] if c["execution_count"] is not None}
    if findings_file.exists():
        for line in findings_file.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            record["cell"] = by_count.get(record.pop("execution_count", None))
            result["findings"].append(record)
        findings_file.unlink()
    if save is not None:
        nbformat.write(nb, save)
    report.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("report", type=Path)
    parser.add_argument("--lint", type=Path, default=None, help="tests/figure_lint.py: lint every figure drawn")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per cell")
    parser.add_argument("--save", type=Path, default=None, help="also write the executed notebook here")
    args = parser.parse_args(argv)
    result = run(args.notebook.resolve(), args.report.resolve(), args.lint and args.lint.resolve(), args.timeout,
                 args.save)
    errors = sum(bool(c["errors"]) for c in result["cells"])
    print(f"{result['notebook']}: {len(result['cells'])} code cells in {result['total_s']:.1f} s, "
          f"{errors} with errors, {len(result['findings'])} figure findings")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
