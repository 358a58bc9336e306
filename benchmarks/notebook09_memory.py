"""Memory of a student running notebook 09 (data-parallel SGD on a Dask LocalCluster), with the
cluster's workers as processes and as threads (``I2DL_DASK_PROCESSES``; threads are the default on a
JupyterHub), side by side in the same run.

Each way runs the whole notebook (source/scaling_optimization/09, with its solutions) top to bottom in a
fresh kernel of this Python (nbclient, a cell error fails the run) and samples, every 0.1 s, the PSS
(proportional set size: shared pages split between the processes sharing them) of the kernel and all
its descendants (the worker processes and their nannies). It prints the peak of that sum, the peak of
the kernel alone, and the run's wall time; and the largest difference between the data-parallel and
the single-process MLP iterates the notebook prints (it must not change with the workers' kind).

    python benchmarks/notebook09_memory.py [--ways processes,threads] [--json out.json]

README's sizing table ("A JupyterHub for the class") quotes it for notebook 09.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "source" / "scaling_optimization" / "09_data_parallel_sgd.ipynb"
WAYS = {"processes": "1", "threads": "0"}


def pss_mb(p: psutil.Process) -> float:
    try:
        return p.memory_full_info().pss / 2**20
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0


class Sampler(threading.Thread):
    """The peak PSS of the kernels this process started, and of all their descendants."""

    def __init__(self, every: float = 0.1):
        super().__init__(daemon=True)
        self.every, self.stop = every, threading.Event()
        self.peak_tree = self.peak_kernel = 0.0
        self.most_processes = 0

    def run(self):
        me = psutil.Process()
        while not self.stop.is_set():
            for kernel in me.children():
                try:
                    if "ipykernel" not in " ".join(kernel.cmdline()):
                        continue
                    tree = [kernel] + kernel.children(recursive=True)
                except psutil.Error:  # ended (or a zombie) meanwhile
                    continue
                k = pss_mb(kernel)
                self.peak_kernel = max(self.peak_kernel, k)
                self.peak_tree = max(self.peak_tree, k + sum(pss_mb(p) for p in tree[1:]))
                self.most_processes = max(self.most_processes, len(tree))
            self.stop.wait(self.every)


def run_once(way: str) -> dict:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    os.environ["I2DL_DASK_PROCESSES"] = WAYS[way]  # the kernel inherits it
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sampler = Sampler()
    sampler.start()
    t0 = time.monotonic()
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        sampler.stop.set()
        sampler.join()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    gap = re.search(r"MLP with [\d,]+ parameters: largest difference (\S+);", text)
    return {"way": way, "peak_mb": sampler.peak_tree, "kernel_peak_mb": sampler.peak_kernel,
            "processes": sampler.most_processes, "seconds": time.monotonic() - t0,
            "mlp_gap": gap.group(1) if gap else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ways", default="processes,threads", help="processes, threads or both (comma-separated)")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    args = ap.parse_args()
    ways = [w.strip() for w in args.ways.split(",") if w.strip()]
    if not ways or set(ways) - set(WAYS):
        ap.error("--ways: processes, threads or processes,threads")
    print(f"notebook09_memory: {psutil.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.1f}' for x in psutil.getloadavg())}", flush=True)
    rows = []
    print("  workers    peak PSS, kernel + workers  kernel alone  processes  run time  MLP largest difference")
    for way in ways:
        row = run_once(way)
        rows.append(row)
        print(f"  {way:9s}  {row['peak_mb']:22.0f} MB  {row['kernel_peak_mb']:9.0f} MB  {row['processes']:9d}  "
              f"{row['seconds']:6.0f} s  {row['mlp_gap']}", flush=True)
    print(f"load average now {' '.join(f'{x:.1f}' for x in psutil.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
