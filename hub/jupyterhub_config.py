"""JupyterHub for a class taking this course: one JupyterLab per student, nbgrader's exchange.

    jupyterhub -f hub/jupyterhub_config.py        (as root; README, "A JupyterHub for the class")

Every user's server runs in the environment that runs the hub (install it with
``pip install ".[hub]"`` -- not ``-e``: students get the installed package, never this repository,
whose source/ holds the solutions and the hidden tests). Students fetch the released notebooks
from nbgrader's exchange; the course directory (made by ``python hub/hubctl.py course``) lives in
the instructor's account only.

Settings come from environment variables, so one file serves a course machine, the demo and the
test (tests/test_hub.py):

    I2DL_HUB_STATE        folder of the hub's database and cookie secret (default /srv/i2dl-hub;
                          made readable by the hub's account only)
    I2DL_HUB_EXCHANGE     nbgrader's exchange (default nbgrader's /srv/nbgrader/exchange; in the demo
                          $I2DL_HUB_STATE/exchange)
    I2DL_HUB_INSTRUCTORS  comma-separated user names that grade (default "instructor")
    I2DL_HUB_USERS        comma-separated user names allowed to log in (default: every account)
    I2DL_HUB_IP, I2DL_HUB_PORT        the public address (default 127.0.0.1:8000)
    I2DL_HUB_API_PORT, I2DL_HUB_HUB_PORT  the proxy's API and the hub's own port (8001, 8081)
    I2DL_HUB_CULL         seconds after which idle kernels, terminals and servers stop (3600)
    I2DL_HUB_DEMO=1       the dummy authenticator and one shared unix account (homes under
                          $I2DL_HUB_STATE/home): for trying the hub and for tests only
    I2DL_HUB_API_TOKEN    a token for a "course-admin" service that may start users' servers and
                          use them (the test and benchmarks/hub_load.py drive the hub with it)
"""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hubctl  # noqa: E402  (hub/hubctl.py: finds the proxy)

c = get_config()  # noqa: F821  (JupyterHub provides it)

STATE = Path(os.environ.get("I2DL_HUB_STATE", "/srv/i2dl-hub"))
INSTRUCTORS = {u.strip() for u in os.environ.get("I2DL_HUB_INSTRUCTORS", "instructor").split(",") if u.strip()}
USERS = {u.strip() for u in os.environ.get("I2DL_HUB_USERS", "").split(",") if u.strip()}
DEMO = os.environ.get("I2DL_HUB_DEMO") == "1"
EXCHANGE = Path(os.environ.get("I2DL_HUB_EXCHANGE", STATE / "exchange" if DEMO else "/srv/nbgrader/exchange"))
ENV_BIN = Path(sys.executable).parent  # the environment of the hub: every server, kernel and terminal uses it
STATE.mkdir(parents=True, exist_ok=True)
if not DEMO:  # the database holds every user's (hashed) tokens: no student needs to read it
    STATE.chmod(0o700)
EXCHANGE.mkdir(parents=True, exist_ok=True)
try:  # nbgrader's exchange: everyone may write to it (nbgrader makes inbound/ write-only for students)
    EXCHANGE.chmod(0o777)
except PermissionError:  # not ours: the administrator set it up
    pass

# -- addresses, state ---------------------------------------------------------------------------
c.JupyterHub.ip = os.environ.get("I2DL_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("I2DL_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("I2DL_HUB_HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(os.environ.get('I2DL_HUB_API_PORT', '8001'))}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
_proxy = hubctl.find_proxy()  # on PATH (npm -g, conda-forge) or hubctl.py's own npm install
if _proxy:
    c.ConfigurableHTTPProxy.command = [_proxy]
# a lecture starts with everyone logging in at once: spawn in batches rather than all together
c.JupyterHub.concurrent_spawn_limit = 20

# -- who logs in ----------------------------------------------------------------------------------
if DEMO:
    # Try-out and tests only: any password (or I2DL_HUB_DEMO_PASSWORD), every user the same unix
    # account with a home folder of its own. No isolation between users at all.
    c.JupyterHub.authenticator_class = "dummy"
    if os.environ.get("I2DL_HUB_DEMO_PASSWORD"):
        c.DummyAuthenticator.password = os.environ["I2DL_HUB_DEMO_PASSWORD"]
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container or CI: the one account is root
        c.Spawner.args = ["--allow-root"]
# Otherwise JupyterHub's defaults: PAM log-in and LocalProcessSpawner, i.e. one unix account per
# student (README: what a real deployment changes).
if USERS:
    c.Authenticator.allowed_users = USERS | INSTRUCTORS
else:
    c.Authenticator.allow_all = True

# -- every user's server ----------------------------------------------------------------------------
c.Spawner.cmd = [str(ENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120  # a busy node: the first server of a lecture may take a while
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    # the hub's environment first: jupyter, nbgrader (and alembic, which it calls) and the kernels
    "PATH": f"{ENV_BIN}{os.pathsep}{os.environ.get('PATH', os.defpath)}",
    # hub/singleuser/: terminals, culling, nbgrader's exchange and student ids
    "JUPYTER_CONFIG_PATH": str(HERE / "singleuser"),
    "I2DL_EXCHANGE": str(EXCHANGE),
    "I2DL_ROLE": lambda spawner: "instructor" if spawner.user.name in INSTRUCTORS else "student",
    "I2DL_HUB_CULL": os.environ.get("I2DL_HUB_CULL", "3600"),
    # as `course.py lab`: one BLAS thread per kernel (steady timings, no oversubscribed cores)
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
}

# -- a service for scripts (tests, load benchmark) ------------------------------------------------------
if os.environ.get("I2DL_HUB_API_TOKEN"):
    c.JupyterHub.services = [{"name": "course-admin", "api_token": os.environ["I2DL_HUB_API_TOKEN"]}]
    c.JupyterHub.load_roles = [{
        "name": "course-admin", "services": ["course-admin"],
        "scopes": ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"],
    }]
