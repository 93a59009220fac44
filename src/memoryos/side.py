"""Work a call can do beside its own (a retrieval's store reads while the query is embedded, the halves of a large
vector scan), on a small pool of threads shared by the process. Only work that releases the GIL gains: SQLite
and PostgreSQL reads, numpy, ONNX Runtime.

A call whose thread is not free when its result is wanted runs on the caller's thread instead: a busy server (every
pool thread taken) then behaves as if there were no pool, and never waits in a queue behind other requests.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
A = TypeVar("A")

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    made = _POOL  # every side call asks: only the first takes the lock
    if made is not None:
        return made
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max(2, os.cpu_count() or 2), thread_name_prefix="memoryos-side")
        return _POOL


class SideCall(Generic[T]):
    """`fn(*args)` started on the pool; `result()` gives its value (or raises its error)."""

    def __init__(self, fn: Callable[..., T], *args: object) -> None:
        self._fn, self._args = fn, args
        self._future: Future[T] = _pool().submit(fn, *args)

    def result(self) -> T:
        if self._future.cancel():  # still queued: nobody has started it, so the caller does
            return self._fn(*self._args)
        return self._future.result()


def side_call(fn: Callable[..., T], *args: object) -> SideCall[T]:
    return SideCall(fn, *args)


def side_map(fn: Callable[[A], T], items: Sequence[A]) -> list[T]:
    """`[fn(item) for item in items]`, the first on the caller's thread and the others beside it."""
    calls = [SideCall(fn, item) for item in items[1:]]
    first = [fn(items[0])] if items else []
    return first + [call.result() for call in calls]


def workers() -> int:
    """Threads of the pool: how many pieces a scan is worth cutting into."""
    return _pool()._max_workers


__all__ = ["SideCall", "side_call", "side_map", "workers"]
