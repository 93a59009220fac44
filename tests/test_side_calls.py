"""Store reads a retrieval runs beside the query embedding (memoryos.side)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from memoryos import side


@contextmanager
def every_side_thread_busy() -> Iterator[None]:
    """Hold every thread of the side pool until the block ends."""
    release = threading.Event()
    started = threading.Barrier(side._pool()._max_workers + 1)

    def hold() -> None:
        started.wait(timeout=10)
        release.wait(timeout=10)

    holders = [side.side_call(hold) for _ in range(side._pool()._max_workers)]
    try:
        started.wait(timeout=10)  # every pool thread is busy now
        yield
    finally:
        release.set()
        for holder in holders:
            holder.result()


def test_a_side_call_returns_its_value_and_raises_its_error() -> None:
    assert side.side_call(lambda a, b: a + b, 2, 3).result() == 5

    def fails() -> None:
        raise ValueError("broken read")

    with pytest.raises(ValueError, match="broken read"):
        side.side_call(fails).result()


def test_a_call_no_free_thread_has_started_runs_on_the_callers_thread() -> None:
    with every_side_thread_busy():
        call = side.side_call(threading.get_ident)
        assert call.result() == threading.get_ident()  # not queued behind the others: run here


def _ranked(result: object) -> list[tuple[str, float, float | None]]:
    return [(p.page.id, round(p.score, 6), p.signals.get("lexical")) for p in result.pages]  # type: ignore[attr-defined]


def test_retrieve_finds_the_same_with_the_side_threads_busy(make_memo) -> None:  # type: ignore[no-untyped-def]
    """Both backends: the full-text search and the segment read that run beside the query embedding give what
    they give when every side thread is taken and they run on the caller's thread."""
    memo = make_memo(short_term_capacity=2)
    for i, (said, answer) in enumerate(
        [
            ("I adopted a puppy named Biscuit", "What a lovely name"),
            ("My sister lives in Lisbon", "Portugal is beautiful"),
            ("I started learning the cello", "Good luck with the lessons"),
            ("Biscuit chewed my shoes again", "Puppies do that"),
            ("We flew to Lisbon for her wedding", "Congratulations to her"),
        ]
    ):
        memo.add_memory(said, answer, timestamp=1_700_000_000 + 3600 * i)
    memo.flush()
    free = memo.retrieve("What is my puppy called? Biscuit", update_heat=False)
    assert any(p.signals.get("lexical") for p in free.pages)  # the lexical search ran and found the name

    with every_side_thread_busy():
        busy = memo.retrieve("What is my puppy called? Biscuit", update_heat=False)
    assert _ranked(busy) == _ranked(free)
    assert [s.segment_id for s in busy.segments] == [s.segment_id for s in free.segments]


def test_a_scan_cut_into_pieces_finds_what_one_scan_finds(make_memo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from memoryos.storage import sqlite

    memo = make_memo(short_term_capacity=1)
    if not isinstance(memo.store, sqlite.SqliteStore):
        pytest.skip("SQLite scans its vector matrix itself; PostgreSQL asks pgvector")
    for i in range(12):
        memo.add_memory(f"note {i} about topic {i % 4}", f"reply {i}", timestamp=1_700_000_000 + 60 * i)
    memo.flush()
    query = memo.embedder.embed(["topic 2"])[0]
    whole = memo.store.dense_search(memo.scope, query, 5)
    monkeypatch.setattr(sqlite, "PARALLEL_SCAN_ROWS", 2)  # every piece a couple of rows: several pieces
    assert memo.store.dense_search(memo.scope, query, 5) == whole
    assert len(whole) == 5
