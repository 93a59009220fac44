"""Facts a store read, kept for the next read of the same scope: every retrieve reads all of its scope's facts
with their vectors, and facts change only when upkeep learns something or a caller edits knowledge.

The cache knows nothing of SQL. Its owner reads the scope's fact version (storage/schema.py,
`knowledge_change_counter`: every insert, update and delete of a fact, by any connection of any process, counts)
before the facts, and keeps what it read under that version. A list is served only while the stored version is
still the one it was read under, so a fact another process added, changed or deleted is never missed. Read before
the facts, a version can only label facts at least as new as itself: at worst the next read finds the version
moved and reads again.

Kept facts are shared, not copied: callers build new lists and new facts (`dataclasses.replace`), never change one
in place; their vectors are read-only arrays.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence

from ..models import Fact

CACHE_FACTS = 16_384  # facts kept per store over all scopes and reads (~1.6 KB each with a 384-d vector)


class FactCache:
    def __init__(self, capacity: int = CACHE_FACTS) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        # (scope key, what was read) -> (version, facts), the least recently used first
        self._lists: OrderedDict[tuple[str, Hashable], tuple[int, tuple[Fact, ...]]] = OrderedDict()
        self._size = 0

    def get(self, scope_key: str, version: int, read: Hashable) -> list[Fact] | None:
        """The facts of this read if they were read at `version` (a new list of the kept facts), else None."""
        key = (scope_key, read)
        with self._lock:
            kept = self._lists.get(key)
            if kept is None:
                return None
            if kept[0] != version:
                self._drop(key)
                return None
            self._lists.move_to_end(key)
            return list(kept[1])

    def put(self, scope_key: str, version: int, read: Hashable, facts: Sequence[Fact]) -> None:
        if len(facts) > self.capacity:
            return
        key = (scope_key, read)
        with self._lock:
            self._drop(key)
            self._lists[key] = (version, tuple(facts))
            self._size += len(facts)
            while self._size > self.capacity:
                self._drop(next(iter(self._lists)))

    def clear(self) -> None:
        with self._lock:
            self._lists.clear()
            self._size = 0

    def _drop(self, key: tuple[str, Hashable]) -> None:
        kept = self._lists.pop(key, None)
        if kept is not None:
            self._size -= len(kept[1])


__all__ = ["CACHE_FACTS", "FactCache"]
