"""Background work of a process gives way to its foreground calls.

A caller's `add_memory` or `retrieve` is foreground: someone waits for it. Consolidation and promotion on the
upkeep thread are background: nobody waits, and they can catch up later. On a small machine both compete for
the same cores and the interpreter lock, so a server taking adds while it consolidates the previous ones answered
each add several times slower. Here the background thread waits, before each upkeep step and each model call of
its own, while a foreground call is in flight or ended less than QUIET_SECONDS ago (requests that follow one
another closely keep it waiting), but never longer than MAX_WAIT_SECONDS at a time: under continuous load the
background still runs one such piece of work after each wait, so it falls behind a burst and catches up after
it, without ever stopping. Nothing is skipped, only done later; a thread that is not background never waits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

QUIET_SECONDS = 0.01  # a client's next request comes within a few ms of the last answer; a person's in seconds
MAX_WAIT_SECONDS = 0.1  # per piece of background work (one slice of texts, one upkeep step: ~10-50 ms of CPU)

_cond = threading.Condition()
_active = 0  # foreground calls in flight
_last_end = float("-inf")  # when the last one ended (monotonic)
_thread = threading.local()


@contextmanager
def call() -> Iterator[None]:
    """Mark a foreground call for as long as it runs (also a decorator)."""
    global _active, _last_end
    with _cond:
        _active += 1
    try:
        yield
    finally:
        with _cond:
            _active -= 1
            _last_end = time.monotonic()
            if not _active:
                _cond.notify_all()


def mark_background() -> None:
    """The calling thread does background work from now on (the upkeep worker's thread)."""
    _thread.background = True


def is_background() -> bool:
    return bool(getattr(_thread, "background", False))


def give_way(max_wait: float | None = None, quiet: float | None = None) -> float:
    """On a background thread, wait until no foreground call has run for `quiet` seconds (QUIET_SECONDS), at most
    `max_wait` (MAX_WAIT_SECONDS). Returns the seconds waited (0 at once on any other thread)."""
    if not is_background():
        return 0.0
    max_wait = MAX_WAIT_SECONDS if max_wait is None else max_wait
    quiet = QUIET_SECONDS if quiet is None else quiet
    started = time.monotonic()
    deadline = started + max_wait
    with _cond:
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            if _active:
                _cond.wait(deadline - now)
                continue
            calm = now - _last_end
            if calm >= quiet:
                break
            _cond.wait(min(quiet - calm, deadline - now))
    return time.monotonic() - started
