"""Kernel replies that are never missed: jupyter_client's asyncio channels poll in short slices.

nbclient (which nbgrader's autograde and nbval-free notebook runs use) waits for a cell's reply with
``shell_channel.get_msg(timeout=cell_timeout)``. Now and then the asyncio ZMQ socket misses the
wake-up for a reply that has arrived (seen after cells that create widgets, e.g. notebook 05's
``widgets.interactive``), and the wait ends only when the timeout fires -- then pyzmq looks at the
socket again, finds the reply and execution goes on with no error. Autograde stalled for exactly
``ExecutePreprocessor.timeout`` (300 s) that way. Waiting in slices of one second looks at the socket
every second, so a missed wake-up costs at most a second; timeouts keep their meaning.

The course's nbgrader_config.py calls :func:`poll_replies_in_slices` (in nbgrader's process).
"""
from __future__ import annotations

import time
from queue import Empty

__all__ = ["poll_replies_in_slices"]


def poll_replies_in_slices(slice_seconds: float = 1.0) -> bool:
    """Patch ``AsyncZMQSocketChannel.get_msg`` to poll at most ``slice_seconds`` at a time;
    True if this call patched it (False: already patched, or jupyter_client is not installed)."""
    if not slice_seconds > 0:
        raise ValueError(f"slice_seconds must be > 0, got {slice_seconds!r}")
    try:
        from jupyter_client.channels import AsyncZMQSocketChannel
    except ImportError:
        return False
    if getattr(AsyncZMQSocketChannel, "_i2dl_sliced", False):
        return False

    async def get_msg(self, timeout: float | None = None):
        """Get a message if there is one that is ready (looking at the socket every slice)."""
        assert self.socket is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = slice_seconds if deadline is None else max(0.0, min(slice_seconds, deadline - time.monotonic()))
            if await self.socket.poll(int(wait * 1000)):
                return await self._recv()
            if deadline is not None and time.monotonic() >= deadline:
                raise Empty

    AsyncZMQSocketChannel.get_msg = get_msg
    AsyncZMQSocketChannel._i2dl_sliced = True
    return True
