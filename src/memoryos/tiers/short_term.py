"""Short-term memory: the latest pages, a FIFO of fixed capacity."""

from __future__ import annotations

from ..models import Page, Scope
from ..storage.base import Store


class ShortTermMemory:
    def __init__(self, store: Store, scope: Scope, capacity: int, retain: int) -> None:
        self.store = store
        self.scope = scope
        self.capacity = capacity
        self.retain = min(retain, capacity - 1)

    def add(self, page: Page) -> Page:
        return self.store.add_page(self.scope, page)

    def pages(self) -> list[Page]:
        return self.store.list_pages(self.scope, tier="short")

    def is_full(self) -> bool:
        return self.store.count_pages(self.scope, tier="short") >= self.capacity

    def overflow_batch(self) -> list[Page]:
        """When full, the oldest pages leave together as one batch; the newest `retain` stay for context."""
        pages = self.pages()
        if len(pages) < self.capacity:
            return []
        return pages[: len(pages) - self.retain]
