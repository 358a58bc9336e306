"""Fixtures for the real-browser tests: JupyterLab servers and one Chromium for the session.

``lab_server`` serves a temporary copy of ``notebooks/`` (JupyterLab autosaves, the
repository must stay clean) with this environment's kernels; ``student_lab`` is the JupyterLab of a
fresh clone set up by ``python3 course.py lab --setup-only`` (``fresh_clone``, once per test run,
tests/browser/fresh_clone.py), where the student notebooks run. Each has its own config, data,
runtime, settings and workspace folders, so nothing touches the user's Jupyter set-up. Chromium is
Debian's (``/usr/bin/chromium``, or ``$I2DL_CHROMIUM``) driven by Playwright;
Playwright cannot download browsers here. Both are stopped whatever happens.

Enable on Debian/Ubuntu:  ``apt-get install chromium`` and ``pip install -e '.[test]'``.

The parity tests need a JavaScript engine, not a page: ``blank_page`` opens an empty page in Chromium
when the run drives the browser anyway, else in Node.js (``jsengine.py``), so they run in the quick
tier too. ``I2DL_JS_ENGINE=chromium`` or ``=node`` chooses.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from .jsengine import NodePage, PackedPage, node_path
from .pagetools import leave_lab

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SERVER_START_TIMEOUT = 90.0


def chromium_path() -> str | None:
    """Debian's Chromium, or the browser named by $I2DL_CHROMIUM."""
    for candidate in (os.environ.get("I2DL_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clean_env(tmp: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if k not in ("MPLBACKEND", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH")}  # the kernel picks the inline backend
    env.update(JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_PLATFORM_DIRS="1",
               IPYTHONDIR=str(tmp / "ipython"), PYTHONHASHSEED="0")
    return env


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (OSError, http.client.HTTPException):  # not up yet (or another program's port)
            time.sleep(0.25)
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop_process_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group (server + kernels), SIGKILL after 10 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


class Server:
    """A running Jupyter server (lab or voila) serving ``root``."""

    def __init__(self, proc: subprocess.Popen, port: int, root: Path, log: Path):
        self.proc, self.port, self.root, self.log = proc, port, root, log
        self.url = f"http://127.0.0.1:{port}"

    def api(self, method: str, path: str) -> object:
        req = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel (one notebook at a time keeps two cores free enough)."""
        for kernel in self.api("GET", "/api/kernels") or []:
            try:
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
            except OSError:
                pass


@pytest.fixture(scope="session")
def browser_tools():
    """(playwright module, chromium path), or a skip that says how to enable the test."""
    path = chromium_path()
    if path is None:
        pytest.skip("the browser tests need Chromium: apt-get install chromium (or set I2DL_CHROMIUM=/path)")
    try:
        from playwright import sync_api
    except ImportError:
        pytest.skip("the browser tests need Playwright: pip install -e '.[test]'")
    return sync_api, path


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    """A temporary copy of notebooks/ (plus room for generated notebooks)."""
    root = tmp_path_factory.mktemp("lab")
    served = root / "notebooks"
    shutil.copytree(NOTEBOOKS, served, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return served


@contextmanager
def serve_folder(folder: Path, log: Path, timeout: float = 30.0):
    """``python -m http.server`` serving ``folder`` on a free port of 127.0.0.1 (its output in ``log``); yields
    its URL once ``index.html`` answers; stopped whatever happens."""
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                 "--directory", str(folder)], stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_http(f"{url}/index.html", proc, log, timeout)
        yield url
    finally:
        stop_process_group(proc)


#: the course's server extension on (TCP_NODELAY on kernel websockets), as ``course.py lab`` starts JupyterLab
NODELAY_ON = "--ServerApp.jpserver_extensions=i2dl_helpers_server=True"


def start_jupyterlab(root_dir: Path, tmp: Path, extension: str = NODELAY_ON, *, python: Path | None = None,
                     base_env: dict[str, str] | None = None, **env: str):
    """Start JupyterLab on a free local port serving ``root_dir``, with its config, data, runtime, settings and
    workspace folders in ``tmp`` (nothing touches the user's Jupyter set-up) and every cell rendered (no virtual
    scrolling: outputs far down the page exist in the DOM); ``env`` is added to the kernels' environment. Waits
    until it answers; returns (process, port, its log). Stop it with ``stop_process_group`` (on a failed start
    it is stopped here). ``python``: the JupyterLab of another environment (this one's by default); ``base_env``:
    the environment to start from instead of this process's (the server's and its kernels')."""
    for sub in ("config", "data", "runtime", "ipython", "workspaces"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    tracker = tmp / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = free_port()
    cmd = [str(python or sys.executable), "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
           f"--ServerApp.root_dir={root_dir}", f"--LabApp.user_settings_dir={tmp / 'settings'}",
           f"--LabApp.workspaces_dir={tmp / 'workspaces'}", "--LabApp.news_url=None",
           "--LabApp.expose_app_in_browser=True", extension]  # window.jupyterapp: pagetools.open_notebook
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = tmp / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, env=dict(_clean_env(tmp, base_env), **env), cwd=root_dir, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/status", proc, log, SERVER_START_TIMEOUT)
    except BaseException:
        stop_process_group(proc)
        raise
    return proc, port, log


@pytest.fixture(scope="session")
def lab_server(browser_tools, workdir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("jupyter")
    try:
        proc, port, log = start_jupyterlab(workdir, tmp)
        try:
            yield Server(proc, port, workdir, log)
        finally:
            stop_process_group(proc)
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(tmp / "server.log", ARTIFACTS / "jupyterlab-server.log")


@pytest.fixture(scope="session")
def fresh_clone(tmp_path_factory):
    """The fresh clone set up by ``python3 course.py lab --setup-only`` (tests/browser/fresh_clone.py): once per
    test run, shared by the two workers (built under a lock in the parent of their temporary folders)."""
    from . import fresh_clone as fc

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of the course (the test clones it)")
    base = tmp_path_factory.getbasetemp()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        base = base.parent  # the run's folder, shared by its workers
    try:
        with fc.shared_clone(base, worker or f"pid{os.getpid()}") as clone:
            yield clone
    except fc.SetUpFailed as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def student_lab(browser_tools, fresh_clone, tmp_path_factory):
    """JupyterLab as ``python3 course.py lab`` starts it in the fresh clone: the clone's .venv serving its
    notebooks/, kernels of that .venv (``python3`` kernelspec in the lab's JUPYTER_DATA_DIR) with
    ``course.py``'s kernel environment. An IPython start-up file installs the figure lint in every student
    notebook's kernel and records its cells in ``server.checks`` (tests/browser/fresh_clone.py)."""
    from . import fresh_clone as fc

    tmp = tmp_path_factory.mktemp("student-lab")
    checks = tmp / "checks"
    checks.mkdir()
    root = fresh_clone["root"] / "notebooks"
    fc.write_kernelspec(tmp / "data", fresh_clone["python"])
    fc.startup_file(tmp / "ipython", fresh_clone["root"], checks)
    try:
        proc, port, log = start_jupyterlab(root, tmp, python=fresh_clone["python"], base_env=fc.kernel_env())
        try:
            server = Server(proc, port, root, log)
            server.checks = checks
            yield server
        finally:
            stop_process_group(proc)
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        if (tmp / "server.log").exists():
            shutil.copy(tmp / "server.log", ARTIFACTS / "jupyterlab-fresh-clone-server.log")


@pytest.fixture(scope="session")
def browser(browser_tools):
    sync_api, path = browser_tools
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def page(browser):
    """One tab for the whole session: notebooks are opened one after another."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="module")
def lab(lab_server, page):
    """(this worker's JupyterLab, the shared tab) for a module's tests; its documents closed and its kernels
    stopped after the module (``pagetools.leave_lab``)."""
    yield lab_server, page
    leave_lab(page, lab_server)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# -- a JavaScript engine for the parity tests -----------------------------------------------------
BLANK = "<!doctype html><html><body></body></html>"
_DRIVES_BROWSER = pytest.StashKey[bool]()


def pytest_collection_finish(session):
    """Remember whether this run drives Chromium anyway (it selected a ``browser`` test)."""
    session.config.stash[_DRIVES_BROWSER] = any(item.get_closest_marker("browser") for item in session.items)


@pytest.fixture(scope="session")
def js_engine(request) -> str:
    """``"chromium"`` when this run drives the browser anyway and Chromium is installed, else ``"node"``;
    ``$I2DL_JS_ENGINE`` chooses. Skips with what to install when neither is there."""
    chosen = os.environ.get("I2DL_JS_ENGINE", "").strip().lower()
    if chosen not in ("", "chromium", "node"):
        raise pytest.UsageError(f"I2DL_JS_ENGINE={chosen!r}: use 'chromium' or 'node'")
    drives = request.config.stash.get(_DRIVES_BROWSER, False)
    if chosen == "chromium" or (not chosen and chromium_path() and (drives or not node_path())):
        return "chromium"
    if node_path() is None:
        pytest.skip("the JavaScript parity tests need Node.js (apt-get install nodejs) or Chromium "
                    "(apt-get install chromium)")
    return "node"


@pytest.fixture(scope="session")
def blank_page(request, js_engine):
    """``with blank_page() as page:`` an empty page in the run's JavaScript engine (Playwright's page in
    a fresh Chromium context, or a :class:`NodePage`), closed after the block."""
    browser = request.getfixturevalue("browser") if js_engine == "chromium" else None

    @contextmanager
    def open_page():
        if browser is not None:
            context = browser.new_context()
            try:
                page = context.new_page()
                page.set_content(BLANK)
                yield PackedPage(page)
            finally:
                context.close()
        else:
            page = NodePage(node_path())
            try:
                yield page
            finally:
                page.close()
    return open_page
