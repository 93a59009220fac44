"""`memoryos serve --workers N`: N server processes, each accepting on a listening socket of its own.

uvicorn's supervisor hands every worker one shared listening socket, and whichever worker wakes first accepts a
burst of connections: 32 keep-alive clients connecting together were split 6 / 26 between two workers (counted with
`ss`), and the busier worker then served all of its clients at half speed (two workers gave 45-58 req/s in such
runs against 130-170 in balanced ones). With SO_REUSEPORT every worker listens on a socket of its own bound to the
same port, and the kernel spreads new connections over them by their address hash. A worker that exits takes its
socket with it, so no connection waits on a socket that nobody accepts from; the supervisor starts another.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from ..errors import ConfigError

log = logging.getLogger(__name__)

APP = "memoryos.interfaces.rest:app_from_environment"
# a worker that exits with an error this soon after its start cannot start: stop rather than restart it forever
STARTUP_GRACE_SECONDS = 20.0


def per_worker_sockets_supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def port_socket(host: str, port: int, *, listen: bool) -> socket.socket:
    """A TCP socket bound to (host, port) in the port's SO_REUSEPORT group. Connections it accepts inherit
    TCP_NODELAY (asyncio sets it only on sockets that say IPPROTO_TCP; see `rest.listening_socket`). Only a
    listening member receives connections; Linux admits to the group only sockets of the same user."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        if listen:
            sock.listen(2048)
            sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _run_worker(options: dict[str, Any]) -> None:  # pragma: no cover - runs in the spawned worker process
    config = uvicorn.Config(APP, factory=True, **options)
    server = uvicorn.Server(config)
    server.run(sockets=[port_socket(options["host"], options["port"], listen=True)])


class Supervisor:
    """Starts the workers, restarts one that exits while the server runs, and stops them all on SIGINT/SIGTERM."""

    def __init__(
        self, options: dict[str, Any], workers: int, target: Callable[[dict[str, Any]], None] = _run_worker
    ) -> None:
        self.options = dict(options)
        self.workers = workers
        self._target = target
        self._failed: int | None = None
        self._stop = threading.Event()
        self._context = multiprocessing.get_context("spawn")  # no forked copies of the parent's threads or locks

    def _start(self) -> tuple[multiprocessing.process.BaseProcess, float]:
        process = self._context.Process(target=self._target, args=(self.options,), name="memoryos-worker")
        process.start()
        return process, time.monotonic()

    def _on_signal(self, signum: int, _frame: object) -> None:
        log.info("received %s: stopping the workers", signal.Signals(signum).name)
        self._stop.set()

    def run(self) -> None:
        """Until SIGINT or SIGTERM; raises ConfigError when a worker cannot start (its own log says why)."""
        # holds the port for the group while workers come and go (and learns it when port 0 asked for any)
        reserved = port_socket(self.options["host"], self.options["port"], listen=False)
        self.options["port"] = reserved.getsockname()[1]
        previous = {signum: signal.signal(signum, self._on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
        running = [self._start() for _ in range(self.workers)]
        try:
            while not self._stop.wait(0.5):
                for slot, (process, started) in enumerate(running):
                    if process.is_alive():
                        continue
                    code = process.exitcode
                    # an error exit right after the start is a worker that cannot start; one killed by a signal
                    # (negative code: the OOM killer, an operator) is started again
                    early = code is not None and code > 0 and time.monotonic() - started < STARTUP_GRACE_SECONDS
                    if code == STARTUP_FAILURE or early:
                        log.error("worker %s could not start (exit code %s): stopping the server", process.pid, code)
                        self._failed = code
                        self._stop.set()
                        break
                    log.warning("worker %s exited (exit code %s): starting another", process.pid, code)
                    running[slot] = self._start()
        finally:
            for process, _ in running:
                if process.is_alive():
                    process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
            for process, _ in running:
                process.join(timeout=30)
                if process.is_alive():
                    process.kill()
                    process.join()
            reserved.close()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if self._failed is not None:
            raise ConfigError(f"a server worker could not start (exit code {self._failed}); the log above says why")


__all__ = ["Supervisor", "per_worker_sockets_supported", "port_socket"]
