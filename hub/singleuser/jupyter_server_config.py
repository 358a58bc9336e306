"""Every user's Jupyter server on the course's hub (the hub puts this folder on JUPYTER_CONFIG_PATH)."""
import os

c = get_config()  # noqa: F821

# Terminals run bash, not a login shell: Debian's /etc/profile would reset PATH and drop the course's
# environment (then `nbgrader` and the `alembic` it calls are not found).
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}

# Kernel websockets send at once (TCP_NODELAY): about 40 ms less per slider round trip. A
# non-editable install enables the extension by itself; this line covers editable ones.
c.ServerApp.jpserver_extensions.update({"i2dl_helpers_server": True})

# Culling: a kernel idle for I2DL_HUB_CULL seconds stops (even with its tab open: a class of 200
# leaves many tabs open), so do idle terminals; a server with nothing running stops that long after.
_idle = int(os.environ.get("I2DL_HUB_CULL", "3600"))
c.MappingKernelManager.cull_idle_timeout = _idle
c.MappingKernelManager.cull_interval = max(60, _idle // 6)
c.MappingKernelManager.cull_connected = True
c.TerminalManager.cull_inactive_timeout = _idle
c.TerminalManager.cull_interval = max(60, _idle // 6)
c.ServerApp.shutdown_no_activity_timeout = _idle

if os.environ.get("I2DL_ROLE") != "instructor":
    # students see the Assignments tab (fetch, submit, feedback), not the grading tools
    c.ServerApp.jpserver_extensions.update({
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.course_list": False,
    })
