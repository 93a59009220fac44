"""Query-side handling of names: the people who talk in nearly every page (the user and the assistant, or
the two speakers of an imported conversation) are named in questions but tell no page from another."""

from __future__ import annotations

import threading

from ..models import Scope
from ..storage.base import Store
from ..textutil import name_candidates, tokens

SAMPLE_PAGES = 200  # newest pages whose words estimate how common a name is
REFRESH_EVERY = 100  # pages added before the sample is refreshed
UBIQUITOUS_SHARE = 0.3  # a name in at least this share of sampled pages is a participant's


class ParticipantNames:
    def __init__(self, store: Store, scope: Scope) -> None:
        self.store = store
        self.scope = scope
        self._lock = threading.Lock()
        self._sampled_at = -(10**9)
        self._pages = 0
        self._document_frequency: dict[str, int] = {}

    def ubiquitous(self, query: str, newest_seq: int) -> set[str]:
        """Capitalised words of the query that occur in most recent pages. `newest_seq` (the highest page seq
        known to the caller) decides when the sample is stale."""
        names = name_candidates(query)
        if not names:
            return set()
        with self._lock:
            if newest_seq - self._sampled_at >= REFRESH_EVERY or newest_seq < self._sampled_at:
                self._sample(newest_seq)
            if self._pages < 10:
                return set()
            floor = UBIQUITOUS_SHARE * self._pages
            return {n for n in names if self._document_frequency.get(n, 0) >= floor}

    def _sample(self, newest_seq: int) -> None:
        pages = self.store.list_pages(self.scope, limit=SAMPLE_PAGES, newest_first=True)
        frequency: dict[str, int] = {}
        for page in pages:
            for word in set(tokens(page.user_input)) | set(tokens(page.agent_response)):
                frequency[word] = frequency.get(word, 0) + 1
        self._document_frequency = frequency
        self._pages = len(pages)
        self._sampled_at = newest_seq
