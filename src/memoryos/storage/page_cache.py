"""Pages a store read with their vectors, kept for the next retrieval: a retrieve reads ~150 candidate pages and
their dialogue neighbours, and decoding those rows was most of its ranking time.

The cache knows nothing of SQL. Its owner reads, in the same snapshot as the pages it asks for, two counters of
the scope that every process's writes keep (storage/schema.py, `page_change_counters`): `version` grows with
every update of one of the scope's pages, `removals` with every deletion. `sync` brings the cache to that state:
pages changed since (the owner lists them) are dropped, and after a deletion the whole scope is, so a page
another connection or process changed or deleted is never served. A page inserted since needs nothing: no
cache held it before it existed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

from ..models import Page

CACHE_PAGES = 8192  # pages kept per store, the least recently used dropped first (~2-8 KB each with vectors)

State = tuple[int, int]  # (version, removals) of one scope


class PageCache:
    def __init__(self, capacity: int = CACHE_PAGES) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._pages: OrderedDict[tuple[str, str], Page] = OrderedDict()
        self._states: dict[str, State] = {}

    def sync(self, scope_key: str, state: State, changed_since: Callable[[int], Sequence[str]]) -> None:
        """Bring the scope's pages to `state`, read by the caller; `changed_since(version)`: ids of the pages
        updated after that version (read in the same snapshot as `state`)."""
        with self._lock:
            held = self._states.get(scope_key)
            if held == state:
                return
            if held is None or held[1] != state[1] or held[0] > state[0]:
                self._drop_scope(scope_key)
            else:
                for page_id in changed_since(held[0]):
                    self._pages.pop((scope_key, page_id), None)
            self._states[scope_key] = state

    def get(self, scope_key: str, page_ids: Iterable[str], copy: bool = True) -> dict[str, Page]:
        """Copies of the cached pages among these ids (a caller may change what it gets); `copy=False`: the kept
        pages themselves, for a caller that changes none of them."""
        found: dict[str, Page] = {}
        with self._lock:
            for page_id in page_ids:
                page = self._pages.get((scope_key, page_id))
                if page is not None:
                    self._pages.move_to_end((scope_key, page_id))
                    found[page_id] = page.copy() if copy else page
        return found

    def put(self, scope_key: str, state: State, pages: Iterable[Page], copy: bool = True) -> None:
        """Keep copies of pages read at `state` (`copy=False`: the pages themselves, which the caller then
        changes no more than kept ones), unless the cache has moved on meanwhile (they may be stale)."""
        with self._lock:
            if self._states.get(scope_key) != state:
                return
            for page in pages:
                self._pages[(scope_key, page.id)] = page.copy() if copy else page
                self._pages.move_to_end((scope_key, page.id))
            while len(self._pages) > self.capacity:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._states.clear()

    def _drop_scope(self, scope_key: str) -> None:
        for key in [k for k in self._pages if k[0] == scope_key]:
            del self._pages[key]


class RowVersionCache:
    """Pages kept with the row version they were read at (PostgreSQL: storage/schema.py, `page_row_versions`:
    every insert and update of a page row draws a number no state of any page had before). The owner reads the
    current versions of the pages it wants, takes the kept ones whose version is still that, and reads the rest.
    Nothing here depends on the order writers commit in: a page that changed has another number."""

    def __init__(self, capacity: int = CACHE_PAGES) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._pages: OrderedDict[tuple[str, str], tuple[int, Page]] = OrderedDict()

    def versions(self, scope_key: str, page_ids: Iterable[str]) -> dict[str, int]:
        """The version each kept page among these ids was read at."""
        with self._lock:
            return {i: kept[0] for i in page_ids if (kept := self._pages.get((scope_key, i))) is not None}

    def get(self, scope_key: str, versions: dict[str, int], copy: bool = True) -> dict[str, Page]:
        """The kept pages among these ids whose version is the given one (copies unless `copy=False`)."""
        found: dict[str, Page] = {}
        with self._lock:
            for page_id, version in versions.items():
                kept = self._pages.get((scope_key, page_id))
                if kept is None:
                    continue
                if kept[0] != version:
                    del self._pages[(scope_key, page_id)]
                    continue
                self._pages.move_to_end((scope_key, page_id))
                found[page_id] = kept[1].copy() if copy else kept[1]
        return found

    def put(self, scope_key: str, pages: Iterable[tuple[int, Page]], copy: bool = True) -> None:
        """Keep pages, each with the version its row had when it was read."""
        with self._lock:
            for version, page in pages:
                self._pages[(scope_key, page.id)] = (version, page.copy() if copy else page)
                self._pages.move_to_end((scope_key, page.id))
            while len(self._pages) > self.capacity:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


__all__ = ["CACHE_PAGES", "PageCache", "RowVersionCache"]
