"""Adds that wait for SQLite's write lock are committed together, each acknowledged only once it is durable.

SQLite has one writer at a time, and with `synchronous=FULL` every commit waits for the disk (fsync). Adds of
one process that arrive while another write holds the lock used to queue and then pay one synced commit each. Now
each add joins a queue before it waits for the lock; whichever writer of the adds gets the lock first writes
every add queued by then in one transaction (each in a savepoint of its own, so one failing add fails alone) and
one commit. Every add returns, or raises, only after that commit: an acknowledged add is as durable as before.
A lone add (nothing queued beside it) is written exactly as before, with no waiting for company.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ..models import Page, Scope


@dataclass
class PendingAdd:
    """One add in the queue, and its outcome once the group it went with is committed (or failed)."""

    scope: Scope
    page: Page
    count: bool
    short: int = -1  # the scope's short-term count with this page (-1: not asked)
    error: BaseException | None = None
    settled: bool = False


class AddQueue:
    """Adds waiting for the write lock, taken all at once by the writer that gets it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[PendingAdd] = []

    def join(self, item: PendingAdd) -> None:
        with self._lock:
            self._items.append(item)

    def take(self) -> list[PendingAdd]:
        with self._lock:
            items, self._items = self._items, []
        return items
