"""A retrieve's reads that need nothing from each other go to the store together (Store.retrieval_reads,
Store.context_reads): the same records as the reads one by one, and on PostgreSQL one round trip each."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

from memoryos import Memoryos
from memoryos.storage.postgres import PostgresStore


def _seeded(make_memo: Callable[..., Memoryos]) -> Memoryos:
    memo = make_memo(short_term_capacity=3)
    for i, city in enumerate(["Lisbon", "Kyoto", "Denver", "Oslo", "Nairobi"]):
        memo.add_memory(f"I flew to {city} in week {i}.", f"How was {city}?")
    memo.flush()
    memo.add_knowledge("The user lives in Berlin.")
    memo.add_knowledge("The user plays the cello.")
    return memo


def test_reads_together_are_the_reads_one_by_one(make_memo: Callable[..., Memoryos]) -> None:
    memo = _seeded(make_memo)
    store, scope = memo.store, memo.scope
    short, facts = store.retrieval_reads(scope)
    assert [p.id for p in short] == [p.id for p in store.list_pages(scope, tier="short")] and short
    alone = store.list_facts(scope, with_vectors=True, include_history=True)
    assert [(f.id, f.text) for f in facts] == [(f.id, f.text) for f in alone] and len(facts) == 2
    pairs = zip(facts, alone, strict=True)
    assert all(f.embedding is not None and np.array_equal(f.embedding, g.embedding) for f, g in pairs)
    (ids, keywords, matrix), profile = store.context_reads(scope)
    ids_alone, keywords_alone, matrix_alone = store.segment_vectors(scope)
    assert ids == ids_alone and keywords == keywords_alone and np.array_equal(matrix, matrix_alone) and ids
    assert profile == store.current_profile(scope)
    memo.add_knowledge("The user keeps bees.")  # the facts change: read anew
    assert len(store.retrieval_reads(scope)[1]) == 3


def test_a_retrieve_on_postgresql_takes_one_round_trip_for_each_pair(
    make_memo: Callable[..., Memoryos], monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = _seeded(make_memo)
    store = memo.store
    if not isinstance(store, PostgresStore):
        pytest.skip("round trips are PostgreSQL's")
    memo.retrieve("Where did I fly in week 1?", update_heat=False)  # facts and pages now kept
    executed: list[str] = []
    pool = store._pool
    original = pool.connection

    @contextmanager
    def counted(*args: Any, **kwargs: Any) -> Any:
        with original(*args, **kwargs) as conn:
            execute = conn.execute

            def traced(query: Any, *a: Any, **k: Any) -> Any:
                executed.append(str(query))
                return execute(query, *a, **k)

            conn.execute = traced
            try:
                yield conn
            finally:
                conn.execute = execute

    monkeypatch.setattr(pool, "connection", counted)
    store.retrieval_reads(memo.scope)
    assert len(executed) == 2 and "knowledge_versions" in executed[1]  # in one pipeline, no fact read
    executed.clear()
    store.context_reads(memo.scope)
    assert len(executed) == 2 and "profiles" in executed[1]
