"""Serve one app from several processes sharing one listening socket (`hub serve --workers N`).

Each process is forked before it builds its app, so it has its own event loop, database
pool and HTTP client; the kernel spreads connections over them. A process that dies is
replaced; SIGINT or SIGTERM stops them all.
"""

import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType

import uvicorn

logger = logging.getLogger(__name__)

BACKLOG = 2048


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=BACKLOG)
    listener.set_inheritable(True)
    return listener


def _run_child(make_config: Callable[[], uvicorn.Config], listener: socket.socket) -> None:
    code = 1
    try:
        uvicorn.Server(make_config()).run(sockets=[listener])
        code = 0
    except Exception:  # the child's boundary: report and let the parent start another
        logger.exception("web process crashed")
    finally:
        os._exit(code)


def serve_in_processes(
    make_config: Callable[[], uvicorn.Config], *, host: str, port: int, processes: int
) -> int:
    """Run `processes` uvicorn servers on one socket until SIGINT or SIGTERM."""
    listener = _listen(host, port)
    children: set[int] = set()
    stopping = False

    def start_child() -> None:
        pid = os.fork()
        if pid == 0:
            _run_child(make_config, listener)
        children.add(pid)

    def stop(signal_number: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal_number)

    for _ in range(processes):
        start_child()
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    logger.info("serving with %d web processes on %s:%d", processes, host, port)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        children.discard(pid)
        if not stopping:
            logger.warning("web process exited, starting another pid=%d status=%d", pid, status)
            start_child()
    listener.close()
    return 0
