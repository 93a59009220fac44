"""How common the words of a query are in this memory, estimated from a sample of recent pages.

Two uses: the people who talk in nearly every page (the user and the assistant, or the two speakers of an
imported conversation) are named in questions but tell no page from another, so their names are dropped from
the query; and very common index tokens are left out of the full-text query, where they would make BM25 score most
of the memory for almost no ranking signal. Frequency is how stop-words are found in languages without a list:
Japanese particles (です, には), Chinese function characters (的, 是), any language's filler.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

from ..lexical import analyze, without_question_words
from ..models import Scope
from ..storage.base import Store
from ..textutil import name_candidates, tokens
from .speakers import side_label, subject_side

SAMPLE_PAGES = 200  # newest pages whose words estimate document frequency
REFRESH_EVERY = 100  # pages added before the sample is refreshed
MIN_SAMPLE = 10  # below this, no word is called common
PARTICIPANT_SHARE = 0.3  # a name in at least this share of sampled pages is a participant's
COMMON_SHARE = 0.1  # an index token in at least this share of sampled pages is left out of the full-text query


class _Sample(NamedTuple):
    sampled_at: int  # newest page seq when sampled
    pages: int
    frequency: dict[str, int]  # word -> sampled pages with it
    token_frequency: dict[str, int]  # index token -> sampled pages with it
    labels: dict[str, tuple[int, int]]  # speaker label -> sampled pages it opens (user, agent side)


_NONE = _Sample(-(10**9), 0, {}, {}, {})


class TermSample:
    def __init__(self, store: Store, scope: Scope) -> None:
        self.store = store
        self.scope = scope
        self._lock = threading.Lock()  # taken to refresh the sample only: reads see one whole sample, old or new
        self._state = _NONE

    def participants(self, query: str, newest_seq: int) -> set[str]:
        """Capitalised words of the query found in most recent pages. `newest_seq` (the highest page seq the
        caller knows) decides when the sample is stale."""
        names = name_candidates(query)
        if not names:
            return set()
        return {n for n in names if self.share(n, newest_seq) >= PARTICIPANT_SHARE}

    def subject_side(self, names: set[str], newest_seq: int) -> str | None:
        """The side ('user' / 'assistant') whose speaker label all the names are, if the sides carry labels."""
        sample = self._current(newest_seq)
        return subject_side(names, sample.labels, sample.pages) if sample.pages >= MIN_SAMPLE else None

    def rare_first(self, terms: list[str], newest_seq: int) -> list[str]:
        """The index tokens of the terms (`lexical.analyze`: what the store's lexical search takes) without very
        common ones; at least one is kept, the rarest."""
        found = list(dict.fromkeys(analyze(*map(without_question_words, terms))))
        if len(found) <= 1:
            return found
        shares = {t: self.share(t, newest_seq, token=True) for t in found}
        kept = [t for t in found if shares[t] < COMMON_SHARE]
        return kept or [min(found, key=lambda t: shares[t])]

    def share(self, word: str, newest_seq: int, token: bool = False) -> float:
        """Share of sampled pages with this word (`token`: with this index token)."""
        sample = self._current(newest_seq)
        if sample.pages < MIN_SAMPLE:
            return 0.0
        frequency = sample.token_frequency if token else sample.frequency
        return frequency.get(word, 0) / sample.pages

    def _current(self, newest_seq: int) -> _Sample:
        """The sample, refreshed first when stale. Concurrent retrievals of one memory ask for it several times
        each: a fresh sample is read without the lock, which they would otherwise queue on."""
        sample = self._state
        if not _stale(sample, newest_seq):
            return sample
        with self._lock:
            if _stale(self._state, newest_seq):
                self._state = self._sample(newest_seq)
            return self._state

    def _sample(self, newest_seq: int) -> _Sample:
        pages = self.store.list_pages(self.scope, limit=SAMPLE_PAGES, newest_first=True)
        frequency: dict[str, int] = {}
        token_frequency: dict[str, int] = {}
        labels: dict[str, tuple[int, int]] = {}
        for page in pages:
            for side, text in enumerate((page.user_input, page.agent_response)):
                label = side_label(text)
                if label:
                    counts = labels.get(label, (0, 0))
                    labels[label] = (counts[0] + (side == 0), counts[1] + (side == 1))
            for word in set(tokens(page.user_input)) | set(tokens(page.agent_response)):
                frequency[word] = frequency.get(word, 0) + 1
            for token in set(analyze(page.user_input, page.agent_response)):
                token_frequency[token] = token_frequency.get(token, 0) + 1
        return _Sample(newest_seq, len(pages), frequency, token_frequency, labels)


def _stale(sample: _Sample, newest_seq: int) -> bool:
    return newest_seq - sample.sampled_at >= REFRESH_EVERY or newest_seq < sample.sampled_at
