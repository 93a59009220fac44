"""Short-term memory: the latest pages, a FIFO of fixed capacity."""

from __future__ import annotations

from ..models import Page, Scope
from ..storage.base import Store


class ShortTermMemory:
    def __init__(self, store: Store, scope: Scope, capacity: int, retain: int, batch_pages: int | None = None) -> None:
        self.store = store
        self.scope = scope
        self.capacity = capacity
        self.retain = min(retain, capacity - 1)
        # the paper's cadence: a full queue hands over all but the retained pages
        self.batch_pages = max(1, batch_pages if batch_pages is not None else capacity - self.retain)

    def add(self, page: Page) -> Page:
        return self.store.add_page(self.scope, page)

    def add_and_check(self, page: Page) -> bool:
        """Add a page; whether short-term memory is full with it (counted by the add's own transaction)."""
        return self.store.add_page_and_count(self.scope, page) >= self.capacity

    def pages(self) -> list[Page]:
        return self.store.list_pages(self.scope, tier="short")

    def count(self) -> int:
        return self.store.count_pages(self.scope, tier="short")

    def is_full(self) -> bool:
        return self.count() >= self.capacity

    def overflow_batch(self) -> list[Page]:
        """When full, the oldest pages leave as one batch of at most `batch_pages`; the newest `retain` stay for
        context. A backlog (adds faster than upkeep) leaves in several batches, oldest first, so no analysis ever
        sees more than `batch_pages` pages."""
        waiting = self.count()
        if waiting < self.capacity:
            return []
        return self.store.list_pages(self.scope, tier="short", limit=min(self.batch_pages, waiting - self.retain))
