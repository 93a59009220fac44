"""Faults: integrity check and repair, storage failures as typed errors, and SIGKILL during ingestion."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from doubles import HashingEmbedder

from memoryos import Memoryos, StorageError

TESTS_DIR = Path(__file__).parent
FULL = os.environ.get("MEMORYOS_FULL_FAULTS") == "1"


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///").partition("?")[0]


def _run_sql(url: str, sql: str, params: tuple = ()) -> None:
    """Corrupt a store behind memoryos's back, the way a bug or a bad manual edit would."""
    if url.startswith("sqlite"):
        with sqlite3.connect(_sqlite_path(url)) as conn:
            conn.execute(sql.replace("%s", "?"), params)
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql, params)


def test_check_finds_corruption_and_repair_rebuilds_derived_data(make_memo, storage_url: str) -> None:
    memo = make_memo(short_term_capacity=4, short_term_retain=1)
    for i in range(12):
        memo.add_memory(f"Note {i}: my cousin Lea grows {['figs', 'olives', 'lemons'][i % 3]} in Crete.", "Nice.")
    assert memo.check(sample=None) == []
    mid = memo.list_pages("mid")
    victim, other = mid[0]["id"], mid[1]["id"]
    memo.store.set_page_vectors(memo.scope, {victim: np.eye(384, dtype=np.float32)[0]})  # a vector of another text
    _run_sql(storage_url, "UPDATE segments SET page_count = page_count + 5 WHERE id = %s", (mid[0]["segment_id"],))
    if storage_url.startswith("sqlite"):
        _run_sql(storage_url, "DELETE FROM pages_fts WHERE rowid = (SELECT pk FROM pages WHERE id = %s)", (other,))
    else:  # PostgreSQL's lexical index is written from Python too: a page's tokens can go stale
        _run_sql(storage_url, "UPDATE pages SET lex = 'stale:1', lex_len = 1 WHERE id = %s", (other,))
    problems = memo.check(sample=None)
    assert any("vectors do not match" in p for p in problems)
    assert any("counts" in p for p in problems)
    assert any("lexical index" in p for p in problems)
    report = memo.repair()
    assert report["page_vectors"] == 1 and report["segment_counts"] >= 1
    assert memo.check(sample=None) == []
    assert memo.search("Lea olives Crete").pages


def test_read_only_full_and_locked_sqlite_give_typed_errors_and_stay_intact(make_memo, storage_url: str) -> None:
    if not storage_url.startswith("sqlite"):
        pytest.skip("file-level faults of the embedded store")
    memo = make_memo(short_term_capacity=100)
    ids = [memo.add_memory(f"page {i}", "ok") for i in range(5)]
    path = _sqlite_path(storage_url)

    # read-only
    ro = make_memo(storage=f"sqlite:///{path}?mode=ro")
    assert [p["id"] for p in ro.list_pages()] == ids
    with pytest.raises(StorageError):
        ro.add_memory("cannot be written", "ok")

    # disk full: SQLite's own limit on the database size makes the next write fail with SQLITE_FULL
    conn = memo.store._conn()  # the connection memoryos writes with
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageError, match="full"):
        memo.add_memory("x" * 200_000, "too big for the remaining space")
    conn.execute("PRAGMA max_page_count = 1073741823")

    # locked: another writer holds the database longer than our busy timeout
    locked = make_memo(storage=f"sqlite:///{path}?timeout=0.2")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    with pytest.raises(StorageError, match="locked"):
        locked.add_memory("blocked", "ok")
    assert time.monotonic() - started < 5
    holder.execute("ROLLBACK")
    holder.close()

    # intact afterwards, and writable again
    assert [p["id"] for p in memo.list_pages()] == ids
    assert memo.check() == []
    ids.append(memo.add_memory("after the faults", "ok"))
    assert [p["id"] for p in memo.list_pages()] == ids


WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests_dir!r})
    from doubles import HashingEmbedder
    from memoryos import Memoryos

    memo = Memoryos(user_id="crash", storage=sys.argv[1], embedder=HashingEmbedder(), short_term_capacity=5,
                    mid_term_heat_threshold=3, upkeep_lease_seconds=0.5, upkeep_retry_seconds=0)
    round_ = sys.argv[2]
    for i in range(100000):
        page_id = memo.add_memory(f"round {{round_}} note {{i}} about subject {{i % 7}}", f"reply {{i}}")
        print(page_id, flush=True)  # printed only once add_memory returned: acknowledged
        if i % 9 == 0:
            memo.retrieve(f"subject {{i % 7}}")
    """
)


def test_sigkill_during_ingestion_loses_no_acknowledged_page(storage_url: str) -> None:
    runs = 30 if FULL else 4
    rng = random.Random(2506)
    acknowledged: list[str] = []
    script = WRITER.format(tests_dir=str(TESTS_DIR))
    for run in range(runs):
        proc = subprocess.Popen([sys.executable, "-c", script, storage_url, str(run)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda out=proc.stdout, sink=lines: sink.extend(out), daemon=True)
        reader.start()
        while not lines and proc.poll() is None:  # the clock starts once the writer is really writing
            time.sleep(0.01)
        time.sleep(rng.uniform(0.2, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(timeout=30)
        acknowledged += [line.strip() for line in lines if line.strip()]
        memo = Memoryos(user_id="crash", storage=storage_url, embedder=HashingEmbedder(), background_upkeep=False,
                        short_term_capacity=5, mid_term_heat_threshold=3, upkeep_lease_seconds=0.5)
        try:
            stored = Counter(p["id"] for p in memo.list_pages())
            missing = [pid for pid in acknowledged if pid not in stored]
            assert not missing, f"run {run}: {len(missing)} acknowledged pages lost"
            assert all(n == 1 for n in stored.values())
            problems = memo.check(sample=None)
            assert problems == [], f"run {run}: {problems[:5]}"
        finally:
            memo.close()
    assert len(acknowledged) > runs * 5  # the writer really got going each time
    memo = Memoryos(user_id="crash", storage=storage_url, embedder=HashingEmbedder(), background_upkeep=False)
    try:
        stats = memo.stats()
        assert stats["pages"]["mid"] > 0 and stats["segments"]["active"] > 0  # consolidation ran between kills
    finally:
        memo.close()
