"""How many students one hub node serves while they drag sliders: K simulated students through the
real JupyterHub and proxy (hub/jupyterhub_config.py, demo mode, 127.0.0.1 only).

Each student has a server of their own and a kernel holding two of the course's explorers, made as
the notebooks make them:

* browser-stepped: notebook 02's ``GradientDescent1D("quadratic", lr=0.1, x0=2.5, steps=50)``
  (the page draws each frame itself);
* kernel-stepped: notebook 06's ``SGDExplorer(lr=0.05, batch_size=1, schedule="constant", steps=600)``
  (the kernel computes and sends every frame).

A student drags the learning-rate slider back and forth, ``--gestures`` (3) drags of ``--seconds``
(3.5) each at ``--rate`` (30) moves a second, and the client sends over the kernel websocket, through
the proxy, what the page sends:

* ``coalesced`` (the browser-stepped explorer, the page today): what ``widgets/coalesce.js`` lets
  through -- ``{kind: 'stepping'}`` to the canvas widget's comm at the first move, the latest value
  after 3 s while the slider keeps moving, and 250 ms after the last move the final value and then
  ``{kind: 'settled'}`` (the kernel computes once, ``widgets/resting.py``);
* ``every`` (the page before coalesce.js, and the kernel-stepped explorer, which the page does not
  step): every value as ipywidgets syncs it, one update in flight (a value set meanwhile waits, the
  latest only, until the kernel is idle again).

``--modes coalesced,every`` (the default) runs the browser-stepped explorer both ways in the same
run, side by side. For K = 1, 4, 8, 16 students dragging at once it prints per student: moves/s,
messages/s, CPU per second of dragging of the kernel, the user's server and the proxy, p50/p90 of the
settle round trip (the last move until the kernel is idle with the final value computed) and of the
update round trips; before that the same CPU while nobody drags; after it the load average during
the run and memory (PSS) per student: server + kernel. The hub's servers and kernels import the
package the benchmark runs from (PYTHONPATH passes through the spawner; checked in each kernel).

    python benchmarks/hub_load.py [--students 1,4,8,16] [--gestures 3] [--seconds 3.5] [--rate 30]
                                  [--modes coalesced,every] [--json out.json]

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
import i2dl_helpers
from i2dl_helpers.widgets import GradientDescent1D, SGDExplorer
gd = GradientDescent1D("quadratic", lr=0.1, x0=2.5, steps=50)
sgd = SGDExplorer(lr=0.05, batch_size=1, schedule="constant", steps=600)
assert gd._steps_in_browser() and gd.rest_while_page_steps and not sgd._steps_in_browser()
def _drag(slider, width=10):
    # the values a page sends while the slider moves +-width steps around its value and back
    k0 = round((np.log10(slider.value) - slider.min) / slider.step)
    ks = [k for k in range(k0 - width, k0 + width + 1) if 0 <= k <= round((slider.max - slider.min) / slider.step)]
    return [float(10 ** (slider.min + k * slider.step)) for k in ks + ks[::-1]]
print(json.dumps({"package": i2dl_helpers.__file__,
                  "browser": [gd.controls["lr"].model_id, gd._view.widget.model_id, _drag(gd.controls["lr"])],
                  "kernel": [sgd.controls["lr"].model_id, sgd._view.widget.model_id, _drag(sgd.controls["lr"])]}))
"""
# after a coalesced drag the kernel has caught up: no burst open, nothing stale, the last value computed
CHECK = """
assert not vars(gd).get("_page_stepping") and not vars(gd).get("_stale"), (vars(gd).get("_page_stepping"), vars(gd).get("_stale"))
_fresh = GradientDescent1D("quadratic", lr=gd.controls["lr"].value, x0=2.5, steps=50)
assert np.array_equal(vars(gd)["trajectory"].points, _fresh.trajectory.points)
print("caught up")
"""
# the rows: (explorer, how the page sends its values); "every" is the page before coalesce.js (and any page
# that does not step the explorer itself: the kernel-stepped explorers)
ROWS = {("browser", "coalesced"): "browser-stepped (02: GD 1D, learning rate), the page coalesces (coalesce.js)",
        ("browser", "every"): "browser-stepped (02: GD 1D, learning rate), every value (before coalesce.js)",
        ("kernel", "every"): "kernel-stepped (06: SGD explorer, learning rate), every value"}
SETTLE_S, CATCH_UP_S = 0.25, 3.0  # coalesce.js's SETTLE_MS, CATCH_UP_MS


class Slider:
    """A slider model's sync as ipywidgets does it: one message in flight; a value set meanwhile waits
    (the latest only) and goes out when the kernel is idle again."""

    def __init__(self, kernel: hubctl.Kernel, comm: str):
        self.kernel, self.comm = kernel, comm
        self.latest = None
        self.task: asyncio.Task | None = None
        self.messages, self.trips = 0, []
        self.last_done = 0.0  # when the kernel went idle after the last value

    def set(self, value: float) -> None:
        self.latest = value
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._pump())

    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    async def _pump(self):
        while self.latest is not None:
            value, self.latest = self.latest, None
            self.messages += 1
            rt, _ = await self.kernel.comm_update(self.comm, {"value": value}, timeout=120)
            self.trips.append(1e3 * rt)
            self.last_done = time.perf_counter()

    async def drain(self):
        while self.busy():
            await self.task


class Student:
    def __init__(self, hub: hubctl.Hub, user: str):
        self.hub, self.user = hub, user
        self.kernel: hubctl.Kernel | None = None
        self.sliders: dict = {}
        self.server_proc = self.kernel_proc = None
        self.i = 0

    async def setup(self):
        self.kernel = await hubctl.Kernel(self.hub, self.user).connect()
        self.sliders = json.loads((await self.kernel.execute(SETUP, timeout=300)).strip().splitlines()[-1])
        package = Path(self.sliders.pop("package")).resolve()
        if ROOT not in package.parents:  # the kernel must import this checkout's package
            raise RuntimeError(f"{self.user}'s kernel imports i2dl_helpers from {package}, not {ROOT}: set PYTHONPATH")
        for p in self.hub.processes(self.user):
            cmd = " ".join(p.cmdline())
            if "ipykernel" in cmd:
                self.kernel_proc = p
            elif "jupyterhub-singleuser" in cmd:
                self.server_proc = p

    async def custom(self, comm: str, kind: str) -> float:
        """What the page's canvas widget sends (``model.send``): a custom message; when the kernel is idle."""
        await self.kernel.send("shell", "comm_msg", {"comm_id": comm, "data": {
            "method": "custom", "content": {"kind": kind}}}, timeout=120)
        return time.perf_counter()

    async def gesture(self, kind: str, mode: str, seconds: float, rate: float) -> dict:
        """One drag: moves at ``rate`` for ``seconds``, then the slider rests. The page sends what
        ipywidgets sends (``every``) or what coalesce.js lets through (``coalesced``); returns the
        moves, the messages, the update round trips and the settle round trip: from the last move until
        the kernel is idle with the final value computed (coalesced: after the 'settled' message, so it
        includes coalesce.js's 250 ms at rest)."""
        comm, canvas, values = self.sliders[kind]
        slider = Slider(self.kernel, comm)
        coalesce = mode == "coalesced"
        customs = []
        t0 = time.perf_counter()
        if coalesce:  # the first move opens a burst
            customs.append(asyncio.ensure_future(self.custom(canvas, "stepping")))
            catch_up = t0 + CATCH_UP_S
        moves, value = 0, None
        while time.perf_counter() - t0 < seconds:
            value = values[self.i % len(values)]
            self.i += 1
            moves += 1
            now = last_move = time.perf_counter()
            if not coalesce:
                slider.set(value)
            elif now >= catch_up:  # the latest value, at most every 3 s while the slider moves
                slider.set(value)
                catch_up = now + CATCH_UP_S
            await asyncio.sleep(max(0.0, t0 + moves / rate - time.perf_counter()))
        if coalesce:
            await asyncio.sleep(max(0.0, last_move + SETTLE_S - time.perf_counter()))  # at rest 250 ms: the final value
        if coalesce:
            await slider.drain()  # whenSent: after what is in flight
            slider.set(value)
            await asyncio.sleep(0)  # the final value is written first
            customs.append(asyncio.ensure_future(self.custom(canvas, "settled")))
        await slider.drain()  # (every value: the last move's value is already sent or waiting)
        done = max([slider.last_done] + list(await asyncio.gather(*customs)))
        return {"moves": moves, "messages": slider.messages + len(customs), "trips": slider.trips,
                "settle_ms": 1e3 * (done - last_move)}

    async def drag(self, kind: str, mode: str, gestures: int, seconds: float, rate: float) -> list[dict]:
        return [await self.gesture(kind, mode, seconds, rate) for _ in range(gestures)]


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


def quantile(xs: list[float], p: int) -> float:
    return statistics.quantiles(xs, n=10)[p // 10 - 1] if len(xs) >= 2 else xs[0]


async def phase(students: list[Student], kind: str, mode: str, gestures: int, seconds: float, rate: float,
                proxy) -> dict:
    kernels = [s.kernel_proc for s in students]
    servers = [s.server_proc for s in students]
    c0 = (cpu(kernels), cpu(servers), cpu([proxy]))
    t0 = time.perf_counter()
    results = await asyncio.gather(*(s.drag(kind, mode, gestures, seconds, rate) for s in students))
    wall = time.perf_counter() - t0
    c1 = (cpu(kernels), cpu(servers), cpu([proxy]))
    done = [g for r in results for g in r]
    trips = [t for g in done for t in g["trips"]]
    settles = [g["settle_ms"] for g in done]
    per_s = len(students) * wall  # student-seconds of dragging
    return {"kind": kind, "mode": mode, "K": len(students), "wall_s": wall, "gestures": len(done),
            "moves_per_s": sum(g["moves"] for g in done) / per_s,
            "messages_per_s": sum(g["messages"] for g in done) / per_s,
            "updates": len(trips), "update_p50_ms": statistics.median(trips), "update_p90_ms": quantile(trips, 90),
            "settle_p50_ms": statistics.median(settles), "settle_p90_ms": quantile(settles, 90),
            "kernel_ms_per_s": 1e3 * (c1[0] - c0[0]) / per_s, "server_ms_per_s": 1e3 * (c1[1] - c0[1]) / per_s,
            "proxy_ms_per_s": 1e3 * (c1[2] - c0[2]) / per_s}


async def run(hub: hubctl.Hub, users: list[str], ks: list[int], modes: list[str], gestures: int, seconds: float,
              rate: float) -> dict:
    students = [Student(hub, u) for u in users]
    t0 = time.monotonic()
    sem = asyncio.Semaphore(4)  # a few kernels start at a time: the node stays responsive

    async def setup(s):
        async with sem:
            await s.setup()
    await asyncio.gather(*(setup(s) for s in students))
    print(f"{len(students)} kernels with both explorers in {time.monotonic() - t0:.0f} s "
          f"(i2dl_helpers from {ROOT})", flush=True)
    proxy = next(p for p in psutil.Process(hub.proc.pid).children(recursive=True)
                 if "configurable-http-proxy" in " ".join(p.cmdline()))
    memory = [{"server_mb": pss_mb(s.server_proc), "kernel_mb": pss_mb(s.kernel_proc)} for s in students]
    rows, loads = [], []
    quiet = gestures * (seconds + SETTLE_S)
    c0, t0 = (cpu([s.kernel_proc for s in students]), cpu([s.server_proc for s in students]), cpu([proxy])), \
        time.perf_counter()
    await asyncio.sleep(quiet)
    c1, wall = (cpu([s.kernel_proc for s in students]), cpu([s.server_proc for s in students]), cpu([proxy])), \
        time.perf_counter() - t0
    idle = [1e3 * (b - a) / (len(students) * wall) for a, b in zip(c0, c1)]
    print(f"\nnobody drags ({quiet:.1f} s, {len(students)} students connected): CPU ms per s per student: kernel "
          f"{idle[0]:.2f} + server {idle[1]:.2f} + proxy {idle[2]:.2f} = {sum(idle):.2f}", flush=True)
    for kind, mode in ROWS:
        if kind == "browser" and mode not in modes:
            continue
        print(f"\n{ROWS[kind, mode]}: each student drags {gestures} x {seconds:g} s at {rate:.0f} moves/s"
              + (", each drag then rests 250 ms" if mode == "coalesced" else ", one update in flight"))
        print("   K  moves/s  msgs/s  CPU ms per s of dragging: kernel + server + proxy = total"
              "  settle p50 / p90 ms  update p50 / p90 ms"
              "\n     (settle: the last move -> the kernel idle with the final value computed)")
        for k in ks:
            loads.append(psutil.getloadavg()[0])
            row = await phase(students[:k], kind, mode, gestures, seconds, rate, proxy)
            rows.append(row)
            total = row["kernel_ms_per_s"] + row["server_ms_per_s"] + row["proxy_ms_per_s"]
            print(f"  {k:2d}  {row['moves_per_s']:7.1f}  {row['messages_per_s']:6.2f}  "
                  f"{row['kernel_ms_per_s']:30.1f} + {row['server_ms_per_s']:6.1f} + {row['proxy_ms_per_s']:5.1f} = "
                  f"{total:5.1f}  {row['settle_p50_ms']:9.0f} / {row['settle_p90_ms']:5.0f}  "
                  f"{row['update_p50_ms']:10.0f} / {row['update_p90_ms']:5.0f}", flush=True)
            await asyncio.sleep(1)
        if mode == "coalesced":
            print("  kernel after the coalesced drags:", (await students[0].kernel.execute(CHECK)).strip())
    for s in students:
        await s.kernel.close()
    return {"rows": rows, "memory": memory, "load_1min": loads, "idle_ms_per_s": idle}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", default="1,4,8,16", help="comma-separated K values")
    ap.add_argument("--gestures", type=int, default=3, help="drags per student, per K and row")
    ap.add_argument("--seconds", type=float, default=3.5, help="seconds one drag lasts")
    ap.add_argument("--rate", type=float, default=30.0, help="moves a second while a student drags")
    ap.add_argument("--modes", default="coalesced,every",
                    help="how the page sends the browser-stepped explorer's values: coalesced (coalesce.js), "
                         "every (each value, the page before coalesce.js), or both, side by side")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    args = ap.parse_args()
    try:
        ks = sorted({int(k) for k in args.students.split(",")})
    except ValueError:
        ap.error("--students: comma-separated whole numbers")
    if not ks or ks[0] < 1 or ks[-1] > 64:
        ap.error("--students: whole numbers between 1 and 64")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or set(modes) - {"coalesced", "every"}:
        ap.error("--modes: coalesced, every or coalesced,every")
    if not 1 <= args.gestures <= 100 or not 0 < args.seconds <= 60 or not 0 < args.rate <= 60:
        ap.error("--gestures must be in [1, 100], --seconds in (0, 60] and --rate in (0, 60]")
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
            result = asyncio.run(run(hub, users, ks, modes, args.gestures, args.seconds, args.rate))
        finally:
            hub.stop()
    mem = result["memory"]
    server = statistics.median(m["server_mb"] for m in mem)
    kernel = statistics.median(m["kernel_mb"] for m in mem)
    loads = result["load_1min"]
    print(f"\nload average (1 min) at the start of each phase: {min(loads):.1f} to {max(loads):.1f}, "
          f"median {statistics.median(loads):.1f}; now {' '.join(f'{x:.1f}' for x in psutil.getloadavg())}")
    print(f"memory per student (PSS, median of {len(mem)}): server {server:.0f} MB + kernel with both explorers "
          f"{kernel:.0f} MB = {server + kernel:.0f} MB")
    print("\nsizing (students dragging at once, per core, if a core is all theirs; CPU = kernel + server + proxy, "
          f"K = {ks[0]}):")
    for row in result["rows"]:
        if row["K"] != ks[0]:
            continue
        total = row["kernel_ms_per_s"] + row["server_ms_per_s"] + row["proxy_ms_per_s"]
        print(f"  {ROWS[row['kind'], row['mode']]}: {total:.0f} ms CPU per second of dragging -> "
              f"{1e3 / total:.1f} students per core")
    result.update(server_mb=server, kernel_mb=kernel, cores=cores, gestures=args.gestures, seconds=args.seconds,
                  rate=args.rate)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
