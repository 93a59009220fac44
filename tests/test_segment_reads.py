"""Reads of one segment's pages (promotion, segment rewrites, re-analysis, the API's segment view) return its pages
in order on both backends, and on SQLite find them through the segment index instead of walking every page of the
user (which cost ~30 ms of CPU per promotion at 10k pages, beside retrieval)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from memoryos import Memoryos
from memoryos.storage.sqlite import SqliteStore


def test_a_segments_pages_come_in_order_through_the_segment_index(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo(short_term_capacity=2)
    for i in range(12):
        memo.add_memory(f"Week {i}: I practised the cello for {i} hours.", f"Great cello work in week {i}!")
    memo.flush()
    store, scope = memo.store, memo.scope
    everything = store.list_pages(scope)
    segments = {p.segment_id for p in everything if p.segment_id}
    assert segments
    statements: list[str] = []
    if isinstance(store, SqliteStore):
        store._conn().set_trace_callback(statements.append)
    for segment_id in segments:
        expected = [p.id for p in everything if p.segment_id == segment_id]
        assert [p.id for p in store.list_pages(scope, segment_id=segment_id)] == expected
        assert [p.id for p in store.list_pages(scope, segment_id=segment_id, newest_first=True)] == expected[::-1]
        unanalyzed = [p.id for p in everything if p.segment_id == segment_id and not p.analyzed]
        assert [p.id for p in store.unanalyzed_pages(scope, segment_id)] == unanalyzed
    if isinstance(store, SqliteStore):
        store._conn().set_trace_callback(None)
        reads = [s for s in statements if s.startswith("SELECT") and "segment_id=" in s]
        assert len(reads) == 3 * len(segments)
        with sqlite3.connect(store.path) as conn:
            for sql in reads:
                plan = " ".join(str(row[3]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
                assert "pages_segment" in plan, plan
