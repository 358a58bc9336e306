"""The course on its JupyterHub, end to end: hub/jupyterhub_config.py and nbgrader's exchange cycle.

A real JupyterHub (PyPI) with configurable-http-proxy (npm) on 127.0.0.1, the dummy authenticator and
the local-process spawner (the config's demo mode: one home folder per user under a temporary folder),
three users: ``instructor``, ``solver`` (answers one exercise) and ``blank`` (answers nothing). Every
nbgrader command is typed into the user's own terminal, through the proxy, as a person would:

    instructor: hubctl.py course (notebook 02 only), generate_assignment, release_assignment
    students:   fetch_assignment, (solver: edits the notebook through the contents API), submit
    instructor: collect, autograde (one submission at a time), generate_feedback, release_feedback
    students:   fetch_feedback

and the gradebook must hold the points of the one answered exercise for ``solver`` and none for
``blank``, both named by their hub user name (not the shared unix account). The time of every step
is printed and saved in test-artifacts/hub_e2e.json.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from exercise_tools import SOURCE, exercises, load, nbgrader_meta, source_of

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hub"))
import hubctl  # noqa: E402

pytest.importorskip("jupyterhub", reason="the hub test needs JupyterHub (the `test` extra installs it)")
pytest.importorskip("nbgrader", reason="the hub test needs nbgrader (the `instructor` extra)")

ASSIGNMENT = hubctl.ASSIGNMENT
NOTEBOOK = "02_gradient_descent_1d.ipynb"
INSTRUCTOR, SOLVER, BLANK = "instructor", "solver", "blank"
STUDENTS = (SOLVER, BLANK)



def _run(coro):
    """``asyncio.run`` on a thread of its own: in the full suite an earlier test (Playwright's sync API)
    can leave an event loop running on the main thread, where ``asyncio.run`` refuses to start."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()

def _proxy() -> str:
    try:
        found = hubctl.find_proxy(install=True)
    except (OSError, subprocess.SubprocessError) as err:
        found, why = None, f"npm could not install it ({err})"
    else:
        why = "Node.js and npm are not installed"
    if not found:
        pytest.skip(f"configurable-http-proxy is not on PATH and cannot be installed: {why} "
                    "(CI installs it; locally: python hub/hubctl.py proxy)")
    return found


def _answered_notebook(nb: dict, exercise) -> dict:
    """``nb`` (the student's) with ``exercise``'s solution cell answered as the solution does."""
    for cell in nb["cells"]:
        if nbgrader_meta(cell).get("grade_id") == exercise.grade_id:
            assert source_of(cell) == exercise.student_version(), "the fetched cell is not the released stub"
            cell["source"] = exercise.with_region(exercise.solution_region())
            return nb
    raise AssertionError(f"{exercise.grade_id} not in the fetched notebook")


async def _cycle(hub: hubctl.Hub, exercise, timings: dict) -> dict:
    terminals = {u: hubctl.Terminal(hub, u) for u in (INSTRUCTOR, *STUDENTS)}
    outputs = {}

    async def type_(user: str, label: str, command: str, timeout: float = 300) -> str:
        # bash's `time` prints the command's user and sys CPU seconds last (a terminal shows earlier
        # output again when its websocket reconnects): on a quiet machine a step takes about that long
        rc, text, seconds = await terminals[user].run(f"time {command}", timeout)
        cpu = sum(60 * float(found[-1][0]) + float(found[-1][1]) for kind in ("user", "sys")
                  for found in [re.findall(rf"^{kind}\s+(\d+)m([\d.]+)s", text, re.M)] if found)
        timings[label] = (round(seconds, 2), round(cpu, 2))
        outputs[label] = text
        assert rc == 0, f"{user}$ {command}\nexited with {rc}:\n{text[-4000:]}"
        return text

    a = ASSIGNMENT
    await type_(INSTRUCTOR, "instructor: course directory from the repository",
                f"python {ROOT / 'hub' / 'hubctl.py'} course ~/i2dl-course --only {NOTEBOOK} && cd ~/i2dl-course")
    await type_(INSTRUCTOR, "instructor: generate_assignment", f"nbgrader generate_assignment {a} --force")
    await type_(INSTRUCTOR, "instructor: release_assignment", f"nbgrader release_assignment {a} --force")
    # the students work at the same time, as in a class
    await asyncio.gather(*(type_(s, f"{s}: fetch_assignment", f"nbgrader fetch_assignment {a}") for s in STUDENTS))

    path = f"/api/contents/{a}/{NOTEBOOK}"
    t0 = time.monotonic()
    nb = hub.user_api(SOLVER, "GET", f"{path}?content=1")["content"]
    hub.user_api(SOLVER, "PUT", path, {"type": "notebook", "format": "json", "content": _answered_notebook(nb, exercise)})
    timings[f"{SOLVER}: answers one exercise (contents API)"] = (round(time.monotonic() - t0, 2), None)

    await asyncio.gather(*(type_(s, f"{s}: submit", f"nbgrader submit {a}") for s in STUDENTS))
    await type_(INSTRUCTOR, "instructor: collect", f"nbgrader collect {a}")
    for s in STUDENTS:
        await type_(INSTRUCTOR, f"instructor: autograde {s}'s submission",
                    f"nbgrader autograde {a} --student {s} --force", timeout=600)
    await type_(INSTRUCTOR, "instructor: generate_feedback", f"nbgrader generate_feedback {a}")
    await type_(INSTRUCTOR, "instructor: release_feedback", f"nbgrader release_feedback {a}")
    await asyncio.gather(*(type_(s, f"{s}: fetch_feedback", f"nbgrader fetch_feedback {a}") for s in STUDENTS))
    for t in terminals.values():
        t.close()
    return outputs


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    _proxy()
    exercise = next(ex for ex in exercises(SOURCE / NOTEBOOK) if ex.is_implementation)
    timings: dict[str, float] = {}
    state = tmp_path_factory.mktemp("hub")
    hub = hubctl.Hub(state, [INSTRUCTOR, *STUDENTS])
    t_all = t0 = time.monotonic()
    hub.start()
    timings["hub and proxy start"] = (round(time.monotonic() - t0, 2), None)
    try:
        for user in (INSTRUCTOR, BLANK):  # these two start while solver logs in through the form
            hub.spawn(user, wait=False)
        seconds, status = hub.login(SOLVER)
        timings[f"{SOLVER}: log-in form, server start, JupyterLab page"] = (round(seconds, 2), None)
        for user in (INSTRUCTOR, BLANK):
            hub.spawn(user)
        timings["all three servers up"] = (round(time.monotonic() - t0, 2), None)
        outputs = _run(_cycle(hub, exercise, timings))
    except Exception:
        print(hub.log_tail(80))
        raise
    finally:
        hub.stop()
    timings["total"] = (round(time.monotonic() - t_all, 2), None)
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "hub_e2e.json").write_text(json.dumps(
        {label: {"seconds": s, "cpu_seconds": c} for label, (s, c) in timings.items()}, indent=1) + "\n")
    print(f"\nhub end to end (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores): "
          "wall seconds per step, and the CPU seconds of the typed command")
    for label, (seconds, cpu) in timings.items():
        print(f"  {seconds:7.2f}  {'' if cpu is None else f'{cpu:6.2f}':>6}  {label}")
    return {"state": state, "hub": hub, "status": status, "exercise": exercise, "outputs": outputs,
            "timings": timings, "log": hub.log_path.read_text(errors="replace")}


@pytest.mark.slow
def test_log_in_through_the_proxy_opens_jupyterlab(cycle):
    assert cycle["status"] == 200


@pytest.mark.slow
def test_user_servers_send_kernel_messages_without_delay(cycle):
    """Every user's server loads i2dl_helpers_server (hub/singleuser/jupyter_server_config.py)."""
    assert cycle["log"].count("kernel websockets send without delay (TCP_NODELAY)") >= 3


@pytest.mark.slow
def test_gradebook_scores_the_answered_exercise_only(cycle):
    from nbgrader.api import Gradebook

    exercise = cycle["exercise"]
    graded = [c for c in load(SOURCE / NOTEBOOK)["cells"] if nbgrader_meta(c).get("grade")]
    total = sum(nbgrader_meta(c)["points"] for c in graded)
    earned = sum(points for _, _, points in exercise.tests)
    assert 0 < earned < total
    course = cycle["hub"].home(INSTRUCTOR) / "i2dl-course"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert sorted(s.id for s in gb.students) == sorted(STUDENTS), \
            "submissions must be named by the hub user (JUPYTERHUB_USER), not the shared unix account"
        scores = {s: gb.find_submission_notebook(Path(NOTEBOOK).stem, ASSIGNMENT, s) for s in STUDENTS}
        assert scores[SOLVER].max_score == total
        assert scores[SOLVER].score == pytest.approx(earned), \
            {g.name: g.score for g in scores[SOLVER].grades}
        assert scores[BLANK].score == 0


@pytest.mark.slow
def test_students_get_their_feedback(cycle):
    for s in STUDENTS:
        pages = list((cycle["hub"].home(s) / ASSIGNMENT / "feedback").glob(f"*/{Path(NOTEBOOK).stem}.html"))
        assert len(pages) == 1, f"{s}: feedback pages {pages}"
        assert "Score" in pages[0].read_text(errors="replace")


@pytest.mark.slow
def test_students_have_the_release_not_the_repository(cycle):
    exercise = cycle["exercise"]
    for s in STUDENTS:
        home = cycle["hub"].home(s)
        assert not any(home.rglob("source")), f"{s}'s home holds a source/ folder"
        assert not any(home.rglob("nbgrader_config.py"))
    fetched = (cycle["hub"].home(BLANK) / ASSIGNMENT / NOTEBOOK).read_text()
    assert "BEGIN HIDDEN TESTS" not in fetched
    solution_lines = [ln.strip() for ln in exercise.solution_region().splitlines() if len(ln.strip()) > 12]
    assert solution_lines and not any(ln in fetched for ln in solution_lines)


def test_the_students_course_id_is_the_courses():
    """hub/singleuser/nbgrader_config.py repeats the course id of the repository's nbgrader_config.py."""
    import re

    ids = [re.search(r'course_id = "([^"]+)"', (p).read_text()).group(1)
           for p in (ROOT / "nbgrader_config.py", ROOT / "hub" / "singleuser" / "nbgrader_config.py")]
    assert ids[0] == ids[1]


# -- the course's fixes to Jupyter (i2dl_helpers_server), fast ------------------------------------------

def test_kernel_websockets_set_tcp_nodelay_before_they_open(monkeypatch):
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    from i2dl_helpers_server import enable_nodelay

    calls = []

    async def original_open(self, kernel_id):
        calls.append(("open", kernel_id, list(self.nodelay)))

    class Fake:
        nodelay: list = []

        def set_nodelay(self, value):
            self.nodelay.append(value)

    monkeypatch.setattr(KernelWebsocketHandler, "open", original_open)
    monkeypatch.delattr(KernelWebsocketHandler, "_i2dl_nodelay", raising=False)
    assert enable_nodelay() is True
    assert enable_nodelay() is False, "a second call must not wrap the handler twice"
    _run(KernelWebsocketHandler.open(Fake(), "k1"))
    assert calls == [("open", "k1", [True])]


def test_kernel_replies_are_looked_for_every_slice(monkeypatch):
    """A poll that misses its wake-up sleeps its whole timeout; sliced, the reply is found after a slice."""
    from queue import Empty

    from jupyter_client.channels import AsyncZMQSocketChannel

    from i2dl_helpers_server.replies import poll_replies_in_slices

    with pytest.raises(ValueError, match="slice_seconds"):
        poll_replies_in_slices(0)

    class MissingSocket:
        """The reply is there from the start, but the first poll does not notice it."""
        def __init__(self, ready=True):
            self.polls, self.ready = [], ready

        async def poll(self, timeout_ms):
            self.polls.append(timeout_ms)
            if len(self.polls) == 1 or not self.ready:
                await asyncio.sleep(timeout_ms / 1000)
                return 0
            return 1

    class Channel:
        def __init__(self, socket):
            self.socket = socket

        async def _recv(self):
            return {"msg_type": "execute_reply"}

    monkeypatch.setattr(AsyncZMQSocketChannel, "get_msg", AsyncZMQSocketChannel.get_msg)
    monkeypatch.delattr(AsyncZMQSocketChannel, "_i2dl_sliced", raising=False)
    assert poll_replies_in_slices(0.05) is True
    get_msg = AsyncZMQSocketChannel.get_msg
    t0 = time.monotonic()
    assert _run(get_msg(Channel(MissingSocket()), timeout=30))["msg_type"] == "execute_reply"
    assert time.monotonic() - t0 < 5, "the missed reply must be found after a slice, not after the timeout"
    socket = MissingSocket(ready=False)
    t0 = time.monotonic()
    with pytest.raises(Empty):
        _run(get_msg(Channel(socket), timeout=0.2))
    assert 0.15 < time.monotonic() - t0 < 5 and len(socket.polls) >= 3, "a timeout still ends the wait"
