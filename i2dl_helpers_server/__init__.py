"""A Jupyter server extension of the course: kernel websockets send every message at once.

jupyter_server leaves Nagle's algorithm on for the websockets between the browser (or
JupyterHub's proxy) and a kernel. A slider move is answered by a few small messages (a
status, the widget's echo, the new frame, another status); with Nagle's algorithm a small
write waits until the previous one is acknowledged, and the receiver delays that
acknowledgement by up to 40 ms (Linux's delayed ACK). The kernel round trip of a slider
then takes ~50 ms instead of ~10 ms (``benchmarks/hub_nodelay.py`` measures it).

This extension sets ``TCP_NODELAY`` on every kernel websocket when it opens. It is enabled
on install (``etc/jupyter/jupyter_server_config.d/i2dl_helpers_server.json``), so
``course.py lab``, the browser tests and every user server of the course's JupyterHub get it;
``jupyter server extension list`` shows it. It is a separate top-level package, not part of
``i2dl_helpers``, so a Jupyter server does not import numpy and the course's maths for it.
Turn it off with ``--ServerApp.jpserver_extensions=i2dl_helpers_server=False`` (the dict syntax
``'{"i2dl_helpers_server": false}'`` makes the server exit: "expected a dict, not the list").
"""
from __future__ import annotations

import functools

__all__ = ["enable_nodelay"]


def _jupyter_server_extension_points():
    return [{"module": "i2dl_helpers_server"}]


def enable_nodelay() -> bool:
    """Make kernel websockets set TCP_NODELAY when they open; True if this call patched the handler."""
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    if getattr(KernelWebsocketHandler, "_i2dl_nodelay", False):
        return False
    original = KernelWebsocketHandler.open

    @functools.wraps(original)
    async def open(self, *args, **kwargs):  # noqa: A001 - the name tornado calls
        try:
            self.set_nodelay(True)
        except (AssertionError, AttributeError, OSError) as err:  # no connection (closed at once): nothing to speed up
            self.log.debug("i2dl_helpers_server: TCP_NODELAY not set: %s", err)
        result = original(self, *args, **kwargs)
        if hasattr(result, "__await__"):
            result = await result
        return result

    KernelWebsocketHandler.open = open
    KernelWebsocketHandler._i2dl_nodelay = True
    return True


def _load_jupyter_server_extension(serverapp) -> None:
    enable_nodelay()
    serverapp.log.info("i2dl_helpers_server: kernel websockets send without delay (TCP_NODELAY)")
