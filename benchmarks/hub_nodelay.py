"""A slider's round trip through a Jupyter server, with and without TCP_NODELAY on the kernel websocket.

Starts ``jupyter server`` on 127.0.0.1 twice -- without and with the course's extension
``i2dl_helpers_server`` (TCP_NODELAY on kernel websockets) -- and in each a kernel with a slider
whose observer answers like a kernel-stepped explorer: the widget's echo plus a frame of drawing
instructions (``--frame`` bytes) on a second comm. A client that sets TCP_NODELAY on its own socket
(as browsers do) sends what a page sends when the slider moves (a ``comm_msg`` "update") and waits
for the kernel to be idle again; one update in flight, at most 30 a second, as a student drags.

    python benchmarks/hub_nodelay.py [--updates 150] [--frame 2000]

Prints p50/p90/mean round trip per mode and the ratio. Goal (issue 24, item 4): the ~40 ms that
Nagle's algorithm adds to a round trip is gone with the extension.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hub"))
import hubctl  # noqa: E402

SETUP = """
import ipywidgets as widgets
from comm import create_comm
slider = widgets.FloatSlider(min=0, max=1, step=0.001)
frame = create_comm(target_name="i2dl-bench-frame")
payload = "x" * {frame}
slider.observe(lambda change: frame.send({{"frame": payload, "value": change["new"]}}), "value")
print(slider.model_id)
"""


class Server:
    """``jupyter server`` on a free 127.0.0.1 port; duck-types hubctl.Hub for hubctl.Kernel."""

    def __init__(self, nodelay: bool, folder: Path):
        self.port, self.token = hubctl.free_port(), "bench-" + os.urandom(8).hex()
        config = folder / ("on" if nodelay else "off")
        config.mkdir(parents=True, exist_ok=True)
        (config / "jupyter_server_config.json").write_text(json.dumps(
            {"ServerApp": {"jpserver_extensions": {"i2dl_helpers_server": nodelay}}}))
        env = dict(os.environ, JUPYTER_CONFIG_PATH=str(config), OPENBLAS_NUM_THREADS="1")
        args = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}", f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={folder}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--allow-root")
        self.log = open(folder / f"server-{'on' if nodelay else 'off'}.log", "wb")
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.user_api("", "GET", "/api/status")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise TimeoutError("jupyter server did not start")

    def user_api(self, user, method, path, body=None, timeout=30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def ws_url(self, user, path):
        return f"ws://127.0.0.1:{self.port}{path}"

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(15)
        except (OSError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


async def drag(kernel: hubctl.Kernel, slider_id: str, updates: int, rate: float = 30.0) -> list[float]:
    """``updates`` slider moves, one in flight, at most ``rate`` a second; round trips in ms."""
    times = []
    for i in range(updates + 5):
        t0 = time.perf_counter()
        seconds, _ = await kernel.comm_update(slider_id, {"value": (i % 997) / 997})
        if i >= 5:  # the first few warm the path up
            times.append(1e3 * seconds)
        await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - t0)))
    return times


async def measure(server: Server, updates: int, frame: int) -> list[float]:
    kernel = await hubctl.Kernel(server, "").connect()
    try:
        slider_id = (await kernel.execute(SETUP.format(frame=frame))).strip()
        return await drag(kernel, slider_id, updates)
    finally:
        await kernel.close()


def summary(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=10)
    return f"p50 {statistics.median(ms):6.1f} ms   p90 {q[8]:6.1f} ms   mean {statistics.fmean(ms):6.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--updates", type=int, default=150)
    ap.add_argument("--frame", type=int, default=2000, help="bytes of the frame message the kernel sends back")
    args = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="i2dl-nodelay-") as tmp:
        for nodelay in (False, True):  # one server at a time: the two never compete for the cores
            server = Server(nodelay, Path(tmp))
            try:
                results[nodelay] = asyncio.run(measure(server, args.updates, args.frame))
            finally:
                server.stop()
            log = (Path(tmp) / f"server-{'on' if nodelay else 'off'}.log").read_text(errors="replace")
            assert ("TCP_NODELAY" in log) == nodelay, "the extension is loaded exactly when asked for"
    print(f"slider round trip through jupyter_server, {args.updates} moves at <= 30/s, {args.frame}-byte frames")
    print(f"  without TCP_NODELAY (jupyter_server's default): {summary(results[False])}")
    print(f"  with i2dl_helpers_server (TCP_NODELAY):          {summary(results[True])}")
    print(f"  median ratio: {statistics.median(results[False]) / statistics.median(results[True]):.1f}x")


if __name__ == "__main__":
    main()
