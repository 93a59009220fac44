"""Facts as a table: their vectors in one matrix, their words in an index, what each says about "now", built once
for a list of facts and kept for the next retrieve that asks about the same ones.

Every retrieve scores every fact of its user (knowledge.py, fact_pages.py, categories.py): a cosine, the query's
words the fact carries, whether it says its value holds now. All of it depends on the fact alone but the query.
A store keeps the facts it read between retrieves (storage/fact_cache.py) and hands out the same objects while
no fact changed, so a table is kept under the identity of its facts: the entry holds the facts themselves, so no
other object can take one of their ids while it lives, and it is used only while every fact still has the vector
it was built from. Kept facts are never changed in place (storage/fact_cache.py); a list of facts read afresh is
a new key, and an old entry falls out of the bounded cache unused.

The cosines of a table are `np.vecdot` of its matrix with the query: numpy computes each row with the same dot
product as `fact.embedding @ query` (tests/test_fact_cache.py checks both agree bit for bit), where a matrix
product (`matrix @ query`, BLAS gemv) rounds differently in the last bits and could reorder near ties.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cached_property

import numpy as np

from ..models import Fact
from ..textutil import says_now

CACHE_ROWS = 32_768  # facts kept over all tables (a few subsets of each user's facts; ~1.6 KB each)
_STEM = 5  # a shared 5-letter prefix stands in for a shared stem ("works" / "working"); knowledge._STEM

_VECDOT = getattr(np, "vecdot", None)  # numpy >= 2.0
WordsOf = Callable[[Fact], "tuple[frozenset[str], frozenset[str], frozenset[str]]"]


class FactTable:
    """One list of facts, each with a vector, and what scoring them against any query needs of them alone."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self.facts = tuple(facts)
        self.vectors = tuple(f.embedding for f in self.facts)
        if self.facts:
            self.matrix = np.stack([np.asarray(v) for v in self.vectors])
        else:
            self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.matrix.flags.writeable = False
        self._lock = threading.Lock()
        self._words: tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]] | None = None

    def __len__(self) -> int:
        return len(self.facts)

    def holds(self, facts: Sequence[Fact]) -> bool:
        """Built from these very facts, each still with the vector it had then."""
        return len(facts) == len(self.facts) and all(
            a is b and a.embedding is v for a, b, v in zip(facts, self.facts, self.vectors, strict=True)
        )

    def cosines(self, query_vector: np.ndarray) -> np.ndarray:
        """Each fact's cosine to the query, as `float(fact.embedding @ query)` gives it."""
        if _VECDOT is None:  # numpy < 2.0: the same products, one by one
            return np.array([float(v @ query_vector) for v in self.vectors], dtype=np.float64)
        return np.asarray(_VECDOT(self.matrix, query_vector), dtype=np.float64)

    @cached_property
    def says_now(self) -> np.ndarray:
        """Whether each fact's statement says its value holds now (textutil.says_now)."""
        return np.array([says_now(f.said) for f in self.facts], dtype=bool)

    def word_counts(self, terms: Sequence[str], words_of: WordsOf) -> np.ndarray:
        """How many of the terms each fact carries; a term is carried as `knowledge._matches` decides: one of the
        fact's words, or (4 letters) the beginning of one, or (5+ letters) the stem of one."""
        by_word, by_prefix4, by_prefix5 = self._index(words_of)
        counts = np.zeros(len(self.facts), dtype=np.int64)
        hit = np.zeros(len(self.facts), dtype=bool)
        for term in terms:
            hit[:] = False
            rows = by_word.get(term)
            if rows is not None:
                hit[rows] = True
            if len(term) == 4:
                rows = by_prefix4.get(term)
            elif len(term) > 4:
                rows = by_prefix5.get(term[:_STEM])
            else:
                rows = None
            if rows is not None:
                hit[rows] = True
            counts += hit
        return counts

    def _index(self, words_of: WordsOf) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
        with self._lock:
            if self._words is None:
                lists: tuple[dict[str, list[int]], dict[str, list[int]], dict[str, list[int]]] = ({}, {}, {})
                for row, fact in enumerate(self.facts):
                    for index, keys in zip(lists, words_of(fact), strict=True):
                        for key in keys:
                            index.setdefault(key, []).append(row)
                by_word, by_prefix4, by_prefix5 = (
                    {key: np.array(rows, dtype=np.intp) for key, rows in index.items()} for index in lists
                )
                self._words = (by_word, by_prefix4, by_prefix5)
            return self._words


class _Tables:
    def __init__(self, capacity: int = CACHE_ROWS) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[int, ...], FactTable] = OrderedDict()
        self._rows = 0

    def of(self, facts: Sequence[Fact]) -> FactTable:
        key = tuple(map(id, facts))
        with self._lock:
            table = self._kept.get(key)
            if table is not None and table.holds(facts):
                self._kept.move_to_end(key)
                return table
        table = FactTable(facts)
        # a fact whose vector a caller may still change is not kept (a store's kept facts are read-only)
        if len(table) <= self.capacity and not any(v.flags.writeable for v in table.vectors if v is not None):
            with self._lock:
                old = self._kept.pop(key, None)
                self._rows += len(table) - (len(old) if old is not None else 0)
                self._kept[key] = table
                while self._rows > self.capacity:
                    _, dropped = self._kept.popitem(last=False)
                    self._rows -= len(dropped)
        return table

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._rows = 0


_TABLES = _Tables()


def fact_table(facts: Sequence[Fact]) -> FactTable:
    """The table of these facts (each must have a vector), kept from an earlier call when they are the same."""
    return _TABLES.of(facts)


__all__ = ["CACHE_ROWS", "FactTable", "fact_table"]
