"""How many students one hub node serves while they drag sliders: K simulated students through the
real JupyterHub and proxy (hub/jupyterhub_config.py, demo mode, 127.0.0.1 only).

Each student has a server of their own and a kernel holding two of the course's explorers, made as
the notebooks make them:

* browser-stepped: notebook 02's ``GradientDescent1D("quadratic", lr=0.1, x0=2.5, steps=50)``
  (the page draws each frame itself; the kernel still receives every value and recomputes);
* kernel-stepped: notebook 06's ``SGDExplorer(lr=0.05, batch_size=1, schedule="constant", steps=600)``
  (the kernel computes and sends every frame).

A student drags the learning-rate slider back and forth: the client sends what the page sends -- the
slider's ``comm_msg`` "update" over the kernel websocket, through the proxy -- waits until the
kernel is idle again (one update in flight) and sends the next, at most ``--rate`` (30) a second.
For K = 1, 4, 8, 16 students dragging at once, ``--seconds`` (6) each, it prints updates/s per
student, p50/p90 round trip, CPU per update of the kernel, of the user's server and of the proxy,
and memory (PSS) per student: server + kernel.

    python benchmarks/hub_load.py [--students 1,4,8,16] [--seconds 6] [--rate 30] [--json out.json]

README's sizing table ("A JupyterHub for the class") comes from this benchmark.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hub"))
import hubctl  # noqa: E402

import psutil  # noqa: E402

SETUP = """
import json
import numpy as np
from i2dl_helpers.widgets import GradientDescent1D, SGDExplorer
gd = GradientDescent1D("quadratic", lr=0.1, x0=2.5, steps=50)
sgd = SGDExplorer(lr=0.05, batch_size=1, schedule="constant", steps=600)
def _drag(slider, width=10):
    # the values a page sends while the slider moves +-width steps around its value and back
    k0 = round((np.log10(slider.value) - slider.min) / slider.step)
    ks = [k for k in range(k0 - width, k0 + width + 1) if 0 <= k <= round((slider.max - slider.min) / slider.step)]
    return [float(10 ** (slider.min + k * slider.step)) for k in ks + ks[::-1]]
print(json.dumps({"browser": [gd.controls["lr"].model_id, _drag(gd.controls["lr"])],
                  "kernel": [sgd.controls["lr"].model_id, _drag(sgd.controls["lr"])]}))
"""
KINDS = {"browser": "browser-stepped (02: GD 1D, learning rate)",
         "kernel": "kernel-stepped (06: SGD explorer, learning rate)"}


class Student:
    def __init__(self, hub: hubctl.Hub, user: str):
        self.hub, self.user = hub, user
        self.kernel: hubctl.Kernel | None = None
        self.sliders: dict = {}
        self.server_proc = self.kernel_proc = None

    async def setup(self):
        self.kernel = await hubctl.Kernel(self.hub, self.user).connect()
        self.sliders = json.loads((await self.kernel.execute(SETUP, timeout=300)).strip().splitlines()[-1])
        for p in self.hub.processes(self.user):
            cmd = " ".join(p.cmdline())
            if "ipykernel" in cmd:
                self.kernel_proc = p
            elif "jupyterhub-singleuser" in cmd:
                self.server_proc = p

    async def drag(self, kind: str, seconds: float, rate: float) -> tuple[list[float], list[int]]:
        slider, values = self.sliders[kind]
        trips, sizes, i = [], [], 0
        end = time.perf_counter() + seconds
        while time.perf_counter() < end and i < seconds * rate + 5:
            t0 = time.perf_counter()
            rt, size = await self.kernel.comm_update(slider, {"value": values[i % len(values)]}, timeout=60)
            trips.append(1e3 * rt)
            sizes.append(size)
            i += 1
            await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - t0)))
        return trips, sizes


def cpu(procs) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.NoSuchProcess:
            pass
    return total


def pss_mb(p) -> float:
    try:
        return p.memory_full_info().pss / 2**20
    except (psutil.NoSuchProcess, AttributeError):
        return float("nan")


async def phase(students: list[Student], kind: str, seconds: float, rate: float, proxy) -> dict:
    kernels = [s.kernel_proc for s in students]
    servers = [s.server_proc for s in students]
    c0 = (cpu(kernels), cpu(servers), cpu([proxy]))
    t0 = time.perf_counter()
    results = await asyncio.gather(*(s.drag(kind, seconds, rate) for s in students))
    wall = time.perf_counter() - t0
    c1 = (cpu(kernels), cpu(servers), cpu([proxy]))
    trips = [t for r, _ in results for t in r]
    n = len(trips)
    q = statistics.quantiles(trips, n=10) if n >= 2 else [trips[0]] * 9
    return {"kind": kind, "K": len(students), "updates": n,
            "per_student_per_s": n / len(students) / wall,
            "p50_ms": statistics.median(trips), "p90_ms": q[8],
            "kernel_ms": 1e3 * (c1[0] - c0[0]) / n, "server_ms": 1e3 * (c1[1] - c0[1]) / n,
            "proxy_ms": 1e3 * (c1[2] - c0[2]) / n,
            "bytes_back": statistics.fmean(s for _, sz in results for s in sz)}


async def run(hub: hubctl.Hub, users: list[str], ks: list[int], seconds: float, rate: float) -> dict:
    students = [Student(hub, u) for u in users]
    t0 = time.monotonic()
    sem = asyncio.Semaphore(4)  # a few kernels start at a time: the node stays responsive

    async def setup(s):
        async with sem:
            await s.setup()
    await asyncio.gather(*(setup(s) for s in students))
    print(f"{len(students)} kernels with both explorers in {time.monotonic() - t0:.0f} s", flush=True)
    proxy = next(p for p in psutil.Process(hub.proc.pid).children(recursive=True)
                 if "configurable-http-proxy" in " ".join(p.cmdline()))
    memory = [{"server_mb": pss_mb(s.server_proc), "kernel_mb": pss_mb(s.kernel_proc)} for s in students]
    rows = []
    for kind in KINDS:
        print(f"\n{KINDS[kind]}: each student drags at up to {rate:.0f} moves/s for {seconds:.0f} s, one update in flight")
        print("   K  updates/s/student  p50 ms  p90 ms  kernel ms/upd  server ms/upd  proxy ms/upd  kB back/upd")
        for k in ks:
            row = await phase(students[:k], kind, seconds, rate, proxy)
            rows.append(row)
            print(f"  {k:2d}  {row['per_student_per_s']:17.1f}  {row['p50_ms']:6.1f}  {row['p90_ms']:6.1f}  "
                  f"{row['kernel_ms']:13.2f}  {row['server_ms']:13.2f}  {row['proxy_ms']:12.2f}  "
                  f"{row['bytes_back'] / 1e3:11.1f}", flush=True)
            await asyncio.sleep(1)
    for s in students:
        await s.kernel.close()
    return {"rows": rows, "memory": memory}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", default="1,4,8,16", help="comma-separated K values")
    ap.add_argument("--seconds", type=float, default=6.0, help="seconds of dragging per K and explorer")
    ap.add_argument("--rate", type=float, default=30.0, help="at most this many moves a second per student")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    args = ap.parse_args()
    ks = sorted({int(k) for k in args.students.split(",")})
    if not ks or ks[0] < 1 or ks[-1] > 64:
        ap.error("--students: whole numbers between 1 and 64")
    if not 0 < args.seconds <= 60 or not 0 < args.rate <= 60:
        ap.error("--seconds must be in (0, 60] and --rate in (0, 60]")
    if hubctl.find_proxy(install=True) is None:
        sys.exit("configurable-http-proxy is needed: python hub/hubctl.py proxy")
    users = [f"student{i:02d}" for i in range(1, ks[-1] + 1)]
    cores = psutil.cpu_count()
    print(f"hub_load: {cores} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
          f"load average {' '.join(f'{x:.1f}' for x in psutil.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory(prefix="i2dl-hub-load-") as tmp:
        hub = hubctl.Hub(Path(tmp), users)
        t0 = time.monotonic()
        hub.start()
        try:
            for u in users:
                hub.spawn(u, wait=False)
            for u in users:
                hub.spawn(u, timeout=600)
            print(f"hub and {len(users)} servers up in {time.monotonic() - t0:.0f} s", flush=True)
            result = asyncio.run(run(hub, users, ks, args.seconds, args.rate))
        finally:
            hub.stop()
    mem = result["memory"]
    server = statistics.median(m["server_mb"] for m in mem)
    kernel = statistics.median(m["kernel_mb"] for m in mem)
    print(f"\nmemory per student (PSS, median of {len(mem)}): server {server:.0f} MB + kernel with both explorers "
          f"{kernel:.0f} MB = {server + kernel:.0f} MB")
    print("\nsizing (students dragging at once, per core, if a core is all theirs; CPU = kernel + server + proxy):")
    for kind in KINDS:
        row = next(r for r in result["rows"] if r["kind"] == kind and r["K"] == ks[0])
        per_update = row["kernel_ms"] + row["server_ms"] + row["proxy_ms"]
        print(f"  {KINDS[kind]}: {per_update:.1f} ms CPU per update -> {1e3 / (per_update * args.rate):.1f} students "
              f"per core at {args.rate:.0f} moves/s")
    result.update(server_mb=server, kernel_mb=kernel, cores=cores, seconds=args.seconds, rate=args.rate)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
