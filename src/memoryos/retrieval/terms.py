"""How common the words of a query are in this memory, estimated from a sample of recent pages.

Two uses: the people who talk in nearly every page (the user and the assistant, or the two speakers of an
imported conversation) are named in questions but tell no page from another, so their names are dropped from
the query; and very common words are left out of the full-text query, where they would make BM25 score most of
the memory for almost no ranking signal.
"""

from __future__ import annotations

import threading

from ..models import Scope
from ..storage.base import Store
from ..textutil import name_candidates, tokens

SAMPLE_PAGES = 200  # newest pages whose words estimate document frequency
REFRESH_EVERY = 100  # pages added before the sample is refreshed
MIN_SAMPLE = 10  # below this, no word is called common
PARTICIPANT_SHARE = 0.3  # a name in at least this share of sampled pages is a participant's
COMMON_SHARE = 0.1  # a word in at least this share of sampled pages is left out of the full-text query
STEM_CHARS = 5  # the full-text index stems words; a shared prefix is our cheap stand-in for a shared stem


class TermSample:
    def __init__(self, store: Store, scope: Scope) -> None:
        self.store = store
        self.scope = scope
        self._lock = threading.Lock()
        self._sampled_at = -(10**9)
        self._pages = 0
        self._frequency: dict[str, int] = {}
        self._prefix_frequency: dict[str, int] = {}

    def participants(self, query: str, newest_seq: int) -> set[str]:
        """Capitalised words of the query found in most recent pages. `newest_seq` (the highest page seq the
        caller knows) decides when the sample is stale."""
        names = name_candidates(query)
        if not names:
            return set()
        return {n for n in names if self.share(n, newest_seq) >= PARTICIPANT_SHARE}

    def rare_first(self, terms: list[str], newest_seq: int) -> list[str]:
        """The terms without very common ones (at least one term is kept, the rarest)."""
        if len(terms) <= 1:
            return terms
        shares = {t: self.share(t, newest_seq, stemmed=True) for t in terms}
        kept = [t for t in terms if shares[t] < COMMON_SHARE]
        return kept or [min(terms, key=lambda t: shares[t])]

    def share(self, word: str, newest_seq: int, stemmed: bool = False) -> float:
        """Share of sampled pages with this word (or, stemmed, with a word of the same 5-letter prefix)."""
        with self._lock:
            if newest_seq - self._sampled_at >= REFRESH_EVERY or newest_seq < self._sampled_at:
                self._sample(newest_seq)
            if self._pages < MIN_SAMPLE:
                return 0.0
            if stemmed:
                return self._prefix_frequency.get(word[:STEM_CHARS], 0) / self._pages
            return self._frequency.get(word, 0) / self._pages

    def _sample(self, newest_seq: int) -> None:
        pages = self.store.list_pages(self.scope, limit=SAMPLE_PAGES, newest_first=True)
        frequency: dict[str, int] = {}
        prefixes: dict[str, int] = {}
        for page in pages:
            words = set(tokens(page.user_input)) | set(tokens(page.agent_response))
            for word in words:
                frequency[word] = frequency.get(word, 0) + 1
            for prefix in {w[:STEM_CHARS] for w in words}:
                prefixes[prefix] = prefixes.get(prefix, 0) + 1
        self._frequency = frequency
        self._prefix_frequency = prefixes
        self._pages = len(pages)
        self._sampled_at = newest_seq
