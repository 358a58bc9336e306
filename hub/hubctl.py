#!/usr/bin/env python3
"""The course's JupyterHub: set-up helpers, and a small client that the test and benchmarks share.

    python hub/hubctl.py proxy                 find configurable-http-proxy, or install it with npm
    python hub/hubctl.py course [DEST]         make the instructor's nbgrader course directory
                                               (default ~/i2dl-course) from this repository
    python hub/hubctl.py demo [--port 8000]    a demo hub on 127.0.0.1: any user name, any password,
                                               homes in a temporary folder; Ctrl-C stops it

README ("A JupyterHub for the class") tells the whole set-up. Nothing here talks to any address
but 127.0.0.1 (and the npm registry, through npm, for the proxy).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = HERE / "jupyterhub_config.py"
ASSIGNMENT = "scaling_optimization"
#: configurable-http-proxy, JupyterHub's proxy, from the npm registry (a major version: npm picks the newest 5.x)
PROXY_SPEC = "configurable-http-proxy@5"
PROXY_PREFIX = Path(os.environ.get("I2DL_HUB_PROXY_PREFIX", Path.home() / ".cache" / "i2dl-hub-proxy"))


# -- set-up --------------------------------------------------------------------------------------------

def find_proxy(install: bool = False) -> str | None:
    """The configurable-http-proxy command: on PATH (``npm install -g``, conda-forge), in this
    helper's npm prefix, or (``install=True``, with node and npm present) installed there now."""
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    local = PROXY_PREFIX / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return str(local)
    if install and shutil.which("npm") and shutil.which("node"):
        subprocess.run(["npm", "install", "--prefix", str(PROXY_PREFIX), "--no-audit", "--no-fund",
                        "--loglevel=error", PROXY_SPEC], check=True, timeout=600)
        if local.exists():
            return str(local)
    return None


def make_course(dest: Path, notebooks: list[str] | None = None) -> Path:
    """An nbgrader course directory at ``dest``: the repository's nbgrader_config.py and
    source/scaling_optimization/ (only ``notebooks`` if given). It holds the solutions and the hidden
    tests: keep it in the instructor's account (the folder is made readable by its owner only)."""
    dest = Path(dest).expanduser()
    source = ROOT / "source" / ASSIGNMENT
    if not source.is_dir():
        raise FileNotFoundError(f"{source} not found: run this from a clone of the course repository")
    names = sorted(p.name for p in source.glob("*.ipynb"))
    if notebooks:
        unknown = sorted(set(notebooks) - set(names))
        if unknown:
            raise ValueError(f"notebooks: {unknown} are not in {source}; choose from {names}")
        names = [n for n in names if n in notebooks]
    (dest / "source" / ASSIGNMENT).mkdir(parents=True, exist_ok=True)
    dest.chmod(0o700)
    shutil.copy(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    for name in names:
        shutil.copy(source / name, dest / "source" / ASSIGNMENT / name)
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a hub for tests, benchmarks and the demo ----------------------------------------------------------

class Hub:
    """``hub/jupyterhub_config.py`` in demo mode on 127.0.0.1 (free ports), state in ``state``.

    ``users`` may log in (the dummy authenticator, password ``password``); a ``course-admin`` service
    token (``self.token``) starts their servers and uses them through the proxy, as a browser would.
    """

    def __init__(self, state: Path, users: list[str], instructors: tuple[str, ...] = ("instructor",),
                 password: str = "course-password", cull: int = 3600, log: Path | None = None):
        self.state = Path(state)
        self.users, self.instructors, self.password = list(users), tuple(instructors), password
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cull = cull
        self.log_path = log or self.state / "jupyterhub.log"
        self.proc: subprocess.Popen | None = None

    def home(self, user: str) -> Path:
        return self.state / "home" / user

    def start(self, timeout: float = 90) -> Hub:
        proxy = find_proxy()
        if proxy is None:
            raise RuntimeError("configurable-http-proxy not found: python hub/hubctl.py proxy")
        self.state.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, I2DL_HUB_DEMO="1", I2DL_HUB_STATE=str(self.state),
                   I2DL_HUB_INSTRUCTORS=",".join(self.instructors), I2DL_HUB_USERS=",".join(self.users),
                   I2DL_HUB_PORT=str(self.port), I2DL_HUB_API_PORT=str(free_port()),
                   I2DL_HUB_HUB_PORT=str(free_port()), I2DL_HUB_API_TOKEN=self.token,
                   I2DL_HUB_DEMO_PASSWORD=self.password, I2DL_HUB_CULL=str(self.cull),
                   PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", os.defpath))
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], cwd=self.state,
                                     env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                self.api("GET", "/hub/api/")
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        self.stop()
        raise TimeoutError(f"jupyterhub did not answer in {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 30) -> None:
        """Stop the hub; it stops the users' servers and the proxy (cleanup_servers), or we do."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        for pid in self._descendants():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc = None
        self._log.close()

    def _descendants(self) -> list[int]:
        try:
            import psutil
            return [p.pid for p in psutil.Process(self.proc.pid).children(recursive=True)]
        except Exception:  # psutil missing or the hub gone: the process group kill covers the rest
            return []

    def __enter__(self) -> Hub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # REST, as the course-admin service
    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 30):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def user_api(self, user: str, method: str, path: str, body: dict | None = None, timeout: float = 60):
        """The user's own Jupyter server, through the proxy: ``path`` like ``/api/contents/x``."""
        return self.api(method, f"/user/{user}{path}", body, timeout)

    def spawn(self, user: str, wait: bool = True, timeout: float = 120) -> float:
        """Start ``user``'s server (if it is not starting or running); with ``wait``, seconds
        until it answers through the proxy."""
        t0 = time.monotonic()
        try:
            self.api("POST", f"/hub/api/users/{user}/server")
        except urllib.error.HTTPError as err:
            if err.code != 400:  # 400: already running or starting
                raise
        if not wait:
            return 0.0
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            model = self.api("GET", f"/hub/api/users/{user}")
            server = (model.get("servers") or {}).get("", {})
            if server.get("ready"):
                self.user_api(user, "GET", "/api/status")
                return time.monotonic() - t0
            time.sleep(0.3)
        raise TimeoutError(f"{user}'s server did not start in {timeout:.0f} s:\n{self.log_tail()}")

    def login(self, user: str, timeout: float = 120) -> tuple[float, int]:
        """Log in through the hub's form as a browser does (cookies, the XSRF field, OAuth to the
        user's server); return the seconds and the HTTP status of the user's JupyterLab page."""
        import http.cookiejar

        t0 = time.monotonic()
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{self.url}/hub/login", timeout=timeout).read()
        xsrf = next(c.value for c in jar if c.name == "_xsrf")
        form = urllib.parse.urlencode({"username": user, "password": self.password, "_xsrf": xsrf}).encode()
        # as the browser: the log-in form, then the hub's spawn page (it starts the server), then
        # the user's JupyterLab once the server is up (the hub answers 424 while it is not)
        with opener.open(f"{self.url}/hub/login?next=/hub/spawn", data=form, timeout=timeout) as r:
            r.read()
        status, final, deadline = 0, "", t0 + timeout
        while f"/user/{user}/lab" not in final and time.monotonic() < deadline:
            try:
                with opener.open(f"{self.url}/hub/user/{user}/lab", timeout=timeout) as r:
                    r.read()
                    status, final = r.status, r.url
            except urllib.error.HTTPError as err:
                if err.code not in (424, 503):
                    raise
            if f"/user/{user}/lab" not in final:
                time.sleep(0.5)
        return time.monotonic() - t0, status if f"/user/{user}/lab" in final else 0

    def processes(self, user: str) -> list:
        """psutil processes of ``user``'s server and its kernels (they carry JUPYTERHUB_USER)."""
        import psutil

        found = []
        for p in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                if p.environ().get("JUPYTERHUB_USER") == user:
                    found.append(p)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return found

    def ws_url(self, user: str, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}/user/{user}{path}"


# -- typing into a user's terminal, talking to a user's kernel --------------------------------------

class Terminal:
    """A terminal of the user's own server (``/api/terminals``), driven as a person types into it.

    Each command opens the terminal's websocket, types the command and Enter, reads until the
    command has ended and closes the websocket again (the shell, its folder and its history stay,
    as when a browser tab is reloaded), so no websocket idles between commands.
    """

    def __init__(self, hub: Hub, user: str):
        self.hub, self.user = hub, user
        self.name = hub.user_api(user, "POST", "/api/terminals")["name"]

    async def run(self, command: str, timeout: float = 300) -> tuple[int, str, float]:
        """Type ``command`` and Enter; wait for it to finish; (exit status, output, seconds)."""
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        t0 = time.monotonic()
        req = HTTPRequest(self.hub.ws_url(self.user, f"/terminals/websocket/{self.name}"),
                          headers={"Authorization": f"token {self.hub.token}"})
        ws = await asyncio.wait_for(websocket_connect(req), timeout)
        nonce = uuid.uuid4().hex[:8]
        done = re.compile(rf"@@{nonce}=(\d+)@@")  # the echo of the typed line shows $?, not digits
        try:
            await ws.write_message(json.dumps(["set_size", 50, 400, 800, 1200]))
            await ws.write_message(json.dumps(["stdin", f"{command}; echo @@{nonce}=$?@@\r"]))
            out, deadline = [], t0 + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.user}$ {command}: no end after {timeout:.0f} s:\n"
                                       f"{''.join(out)[-3000:]}")
                msg = await asyncio.wait_for(ws.read_message(), left)
                if msg is None:
                    raise ConnectionError(f"{self.user}'s terminal closed:\n{''.join(out)[-3000:]}")
                kind, *rest = json.loads(msg)
                if kind == "stdout":
                    out.append(rest[0])
                    m = done.search("".join(out))
                    if m:
                        text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", "".join(out))
                        return int(m.group(1)), text, time.monotonic() - t0
        finally:
            ws.close()

    def close(self) -> None:
        self.hub.user_api(self.user, "DELETE", f"/api/terminals/{self.name}")


class Kernel:
    """A kernel of the user's own server, through the proxy, over the websocket a page uses."""

    def __init__(self, hub: Hub, user: str):
        self.hub, self.user = hub, user
        self.id = hub.user_api(user, "POST", "/api/kernels", {"name": "python3"})["id"]
        self.session = uuid.uuid4().hex
        self.ws = None
        self.waiting: dict[str, asyncio.Future] = {}
        self.outputs: dict[str, list] = {}
        self._reader = None

    async def connect(self):
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        req = HTTPRequest(self.hub.ws_url(self.user, f"/api/kernels/{self.id}/channels?session_id={self.session}"),
                          headers={"Authorization": f"token {self.hub.token}"})
        self.ws = await websocket_connect(req, max_message_size=64 * 2**20)
        self.ws.protocol.set_nodelay(True)  # as a browser's socket
        self._reader = asyncio.ensure_future(self._read())
        return self

    def _message(self, channel: str, msg_type: str, content: dict) -> dict:
        msg_id = uuid.uuid4().hex
        return {"header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session, "username": self.user,
                           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ"), "version": "5.3"},
                "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}

    async def _read(self):
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                for fut in self.waiting.values():
                    if not fut.done():
                        fut.set_exception(ConnectionError("kernel websocket closed"))
                return
            if not isinstance(raw, str):  # binary frames (buffers): not used by these clients
                continue
            msg = json.loads(raw)
            parent = msg.get("parent_header", {}).get("msg_id")
            if parent in self.outputs:
                self.outputs[parent].append(msg)
            if (parent in self.waiting and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                fut = self.waiting.pop(parent)
                if not fut.done():
                    fut.set_result(time.perf_counter())

    async def send(self, channel: str, msg_type: str, content: dict, timeout: float = 60) -> tuple[float, list]:
        """Send a message; wait for the kernel to be idle again after it: (seconds, messages)."""
        msg = self._message(channel, msg_type, content)
        mid = msg["header"]["msg_id"]
        fut = asyncio.get_running_loop().create_future()
        self.waiting[mid], self.outputs[mid] = fut, []
        t0 = time.perf_counter()
        await self.ws.write_message(json.dumps(msg))
        t1 = await asyncio.wait_for(fut, timeout)
        return t1 - t0, self.outputs.pop(mid)

    async def execute(self, code: str, timeout: float = 120) -> str:
        """Run ``code``; its stdout, or RuntimeError with the traceback."""
        _, msgs = await self.send("shell", "execute_request",
                                  {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                                   "allow_stdin": False, "stop_on_error": True}, timeout)
        errors = [m["content"] for m in msgs if m["msg_type"] == "error"]
        if errors:
            raise RuntimeError("\n".join(errors[0]["traceback"]))
        return "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream")

    async def comm_update(self, comm_id: str, state: dict, timeout: float = 60) -> tuple[float, int]:
        """What a page sends when a slider moves: a widget state update; (round trip, bytes back)."""
        seconds, msgs = await self.send("shell", "comm_msg", {"comm_id": comm_id, "data": {
            "method": "update", "state": state, "buffer_paths": []}}, timeout)
        return seconds, sum(len(json.dumps(m["content"])) for m in msgs)

    async def close(self):
        if self._reader is not None:
            self._reader.cancel()
        if self.ws is not None:
            self.ws.close()
        try:
            self.hub.user_api(self.user, "DELETE", f"/api/kernels/{self.id}")
        except (OSError, urllib.error.URLError):
            pass


# -- command line ----------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("proxy", help="find configurable-http-proxy, or install it with npm")
    p_course = sub.add_parser("course", help="make the instructor's nbgrader course directory")
    p_course.add_argument("dest", nargs="?", default="~/i2dl-course")
    p_course.add_argument("--only", nargs="*", help="only these notebooks (file names)")
    p_demo = sub.add_parser("demo", help="a demo hub on 127.0.0.1 (any password; for trying it only)")
    p_demo.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    if args.command == "proxy":
        found = find_proxy(install=True)
        if not found:
            print("configurable-http-proxy not found, and npm/node are missing: install Node.js "
                  "(e.g. apt-get install nodejs npm), then run this again", file=sys.stderr)
            return 1
        print(found)
    elif args.command == "course":
        dest = make_course(Path(args.dest), args.only)
        print(f"course directory {dest} (readable by you only): cd there and run nbgrader "
              f"generate_assignment {ASSIGNMENT} && nbgrader release_assignment {ASSIGNMENT}")
    else:
        if find_proxy(install=True) is None:
            print("configurable-http-proxy is needed: python hub/hubctl.py proxy", file=sys.stderr)
            return 1
        state = Path(tempfile.mkdtemp(prefix="i2dl-hub-"))
        env = dict(os.environ, I2DL_HUB_DEMO="1", I2DL_HUB_STATE=str(state), I2DL_HUB_PORT=str(args.port))
        print(f"demo hub on http://127.0.0.1:{args.port} (any user name and password; 'instructor' grades); "
              f"homes in {state}/home")
        return subprocess.call([sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)], cwd=state, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
