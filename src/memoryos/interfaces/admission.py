"""Admission of library calls in a served process: at most `limit` run on threads at once, the others wait.

A served process runs each library call (add, retrieve, search, an MCP tool) on a thread of its pool, up to ~40
at once: under a burst of clients that many request threads take turns on a few cores and on the interpreter lock.
The gate keeps calls beyond the limit waiting on the event loop, where waiting holds no thread, and lets them in in
the order they arrived (first come, first served: no call is overtaken by later ones). The limit bounds the
threads a burst makes runnable; how low it may go without costing throughput is measured, not assumed (below).

Searches (retrieve, search: `search_gate`) wait at a second gate of their own first, one place per core by default.
A search is CPU-bound Python around a model call; the model releases the interpreter lock, nothing else of it
does. One search per core keeps the cores busy (on 2 cores one search in the model while the other runs Python),
and each one beyond that only adds a thread that waits for the interpreter lock: with 16 searches let in on 2
cores one served retrieve cost ~300 voluntary context switches (the lock handed between threads) and ~20% more CPU
than alone, and 32 clients were served fewer requests than one (benchmarks/README, section 8, session 27). Adds
are not held by it: they spend their time waiting for the disk, and adds waiting together are committed together.

A waiter may give its place up before it is let in (`enter(gone=...)`: e.g. the HTTP client disconnected), so a
call nobody will read is never run. One gate per process (each server worker makes its own).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from ..errors import ConfigError

log = logging.getLogger(__name__)

# Measured (benchmarks/README, section 8, session 26): on a 2-core machine shared with other work, 2 calls per core
# cost 2-4 ms more server CPU per request at 32 clients than no limit, one worker or two, and served fewer requests;
# 8 per core served like no limit (that server had about a quarter of the machine: session 27 measured retrieves
# with more of it, and limits them at a gate of their own, below). The gate's own cost is ~15 µs per waiting call.
CALLS_PER_CORE = 8
# searches (retrieve, search) at once per core the query model may use: measured at 1-16 per process, one or two
# workers, on 2 cores (benchmarks/README, section 8, session 27)
SEARCHES_PER_CORE = 1


def model_cores(embedding_threads: int | None) -> int:
    """The cores the query model may use: its thread setting, else the cores this process may run on."""
    if embedding_threads is not None:
        return embedding_threads
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def default_limit(embedding_threads: int | None) -> int:
    return CALLS_PER_CORE * max(1, model_cores(embedding_threads))


def default_search_limit(embedding_threads: int | None) -> int:
    return SEARCHES_PER_CORE * max(1, model_cores(embedding_threads))


def check_limit(value: Any) -> int:
    """A limit given to a gate directly (settings come checked by the config)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"max_concurrent_calls must be a whole number of at least 1 (got {value!r})")
    return value


class _Waiter:
    __slots__ = ("future", "state")

    def __init__(self, future: asyncio.Future[bool]) -> None:
        self.future = future
        self.state = "waiting"  # -> "admitted" (holds a place) or "gone" (gave up, holds none)


class CallGate:
    """A first-come-first-served limit on the calls running at once, waited for on the event loop.

    Its state is guarded by a thread lock, held for a few operations: a gate normally serves one event loop, but
    in-process test clients may each run one of their own."""

    def __init__(self, limit: int) -> None:
        self.limit = check_limit(limit)
        self._running = 0
        self._queue: deque[_Waiter] = deque()
        self._lock = threading.Lock()

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._queue)

    async def enter(self, gone: Callable[[], Awaitable[object]] | None = None) -> bool:
        """Wait for a place (`leave` it after the call). False, holding no place, if `gone()` finishes first: the
        caller gave up while waiting."""
        with self._lock:
            if self._running < self.limit and not self._queue:
                self._running += 1
                return True
            waiter = _Waiter(asyncio.get_running_loop().create_future())
            self._queue.append(waiter)
        watch = asyncio.ensure_future(self._watch(waiter, gone)) if gone is not None else None
        try:
            return await waiter.future
        except BaseException:  # cancelled while waiting: never leak a place that was just handed over
            with self._lock:
                if waiter.state == "admitted":
                    self._hand_on()
                elif waiter.state == "waiting":
                    waiter.state = "gone"
                    self._queue.remove(waiter)
            raise
        finally:
            if watch is not None:
                watch.cancel()

    def leave(self) -> None:
        """Give the place up: the longest waiter, if any, takes it."""
        with self._lock:
            self._hand_on()

    async def _watch(self, waiter: _Waiter, gone: Callable[[], Awaitable[object]]) -> None:
        await gone()
        with self._lock:
            if waiter.state != "waiting":
                return
            waiter.state = "gone"
            self._queue.remove(waiter)
        _resolve(waiter.future, False)

    def _hand_on(self) -> None:
        """A place came free (the lock held): it goes to the first waiter, or back to the pool of places."""
        while self._queue:
            waiter = self._queue.popleft()
            if waiter.future.done():  # its task was cancelled; its own clean-up will find it gone from the queue
                waiter.state = "gone"
                continue
            waiter.state = "admitted"
            _resolve(waiter.future, True)
            return
        self._running -= 1


def _resolve(future: asyncio.Future[bool], value: bool) -> None:
    """Set the waiter's result on its own event loop (directly when that is the running one)."""
    loop = future.get_loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        _settle(future, value)
    else:
        loop.call_soon_threadsafe(_settle, future, value)


def _settle(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():  # a cancelled waiter cleans up after itself
        future.set_result(value)


@contextlib.asynccontextmanager
async def admitted(
    gates: Sequence[CallGate], gone: Callable[[], Awaitable[object]] | None = None
) -> AsyncIterator[bool]:
    """Wait at each gate in turn (a search gate before the call gate: no place is held while waiting for the next);
    yields False if `gone()` finished first (the places already taken are given back), else True; every place taken
    is left on exit."""
    entered: list[CallGate] = []
    try:
        for gate in gates:
            if not await gate.enter(gone=gone):
                yield False
                return
            entered.append(gate)
        yield True
    finally:
        for gate in reversed(entered):
            gate.leave()


async def until_disconnected(receive: Callable[[], Awaitable[Mapping[str, Any]]]) -> None:
    """Returns when the ASGI connection of a request whose body was read reports the client gone."""
    while (await receive())["type"] != "http.disconnect":
        pass


__all__ = [
    "CallGate",
    "admitted",
    "check_limit",
    "default_limit",
    "default_search_limit",
    "model_cores",
    "until_disconnected",
]
