"""Many processes on one store (both backends), and migration from SQLite to PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from doubles import HashingEmbedder

from memoryos import Memoryos
from memoryos.migrate import copy_memory

TESTS_DIR = Path(__file__).parent

WORKER = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {tests_dir!r})
    from doubles import HashingEmbedder
    from memoryos import Memoryos

    url, user, worker, adds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    memo = Memoryos(user_id=user, assistant_id="shared", storage=url, embedder=HashingEmbedder(),
                    background_upkeep=False, mid_term_heat_threshold=1e9, mid_term_capacity=100000,
                    upkeep_lease_seconds=60)
    ids, visits = [], {{}}
    for i in range(adds):
        ids.append(memo.add_memory(f"worker {{worker}} message {{i}} about topic {{i % 5}}", f"reply {{i}}"))
        if i % 20 == 19:
            for segment_id in memo.retrieve(f"topic {{i % 5}} message").visited_segment_ids:
                visits[segment_id] = visits.get(segment_id, 0) + 1
    memo.close()
    print(json.dumps({{"ids": ids, "visits": visits}}))
    """
)


@pytest.fixture
def pg_url(new_storage, storage_url: str) -> str:
    if not storage_url.startswith("postgres"):
        pytest.skip("PostgreSQL-only test")
    return storage_url


def test_eight_processes_same_user_and_eight_different_users(storage_url: str) -> None:
    """Runs on both backends: SQLite serialises writers on its file lock, PostgreSQL on row locks."""
    pg_url = storage_url
    adds = 100  # 8 writers on one user still contend on every add; 5 retrieves each still record visits
    script = WORKER.format(tests_dir=str(TESTS_DIR))
    jobs = [("shared_user", w) for w in range(8)] + [(f"solo_user_{w}", 100 + w) for w in range(8)]
    procs = [
        subprocess.Popen([sys.executable, "-c", script, pg_url, user, str(w), str(adds)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for user, w in jobs
    ]
    results: dict[str, list[dict]] = {}
    for (user, _), proc in zip(jobs, procs, strict=True):
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        results.setdefault(user, []).append(json.loads(out.strip().splitlines()[-1]))
    for user, outputs in results.items():
        memo = Memoryos(user_id=user, assistant_id="shared", storage=pg_url, embedder=HashingEmbedder(),
                        background_upkeep=False, mid_term_heat_threshold=1e9, mid_term_capacity=100000)
        try:
            assert memo.flush() is True
            acknowledged = [pid for out in outputs for pid in out["ids"]]
            stored = [p["id"] for p in memo.list_pages()]
            assert len(acknowledged) == adds * len(outputs)
            assert Counter(stored) == Counter(acknowledged)  # every page present exactly once
            assert memo.check() == []  # tiers, segments, links and counts consistent
            assert memo.stats()["pages"]["short"] < memo.config.short_term_capacity
            expected_visits: Counter[str] = Counter()
            for out in outputs:
                expected_visits.update(out["visits"])
            segments = {s["id"]: s["n_visit"] for s in memo.list_segments(include_archived=True)}
            assert {k: v for k, v in segments.items() if v} == dict(expected_visits)
            assert sum(expected_visits.values()) > 0
        finally:
            memo.close()


def test_migrate_sqlite_to_postgres_copies_and_verifies(pg_url: str, tmp_path: Path, embedder) -> None:
    source = f"sqlite:///{tmp_path / 'src' / 'memoryos.db'}"
    for user in ("ana", "ben"):
        memo = Memoryos(user_id=user, storage=source, embedder=embedder, background_upkeep=False,
                        short_term_capacity=3)
        for i in range(8):
            memo.add_memory(f"{user} talks about hobby number {i}: pottery and kilns.", "Nice!")
        memo.add_knowledge(f"{user} is a potter.")
        memo.close()
    report = copy_memory(source, pg_url)
    assert [s["user_id"] for s in report.scopes] == ["ana", "ben"] and report.pages == 16
    for user in ("ana", "ben"):
        old = Memoryos(user_id=user, storage=source, embedder=embedder, background_upkeep=False)
        new = Memoryos(user_id=user, storage=pg_url, embedder=embedder, background_upkeep=False)
        assert new.export() == old.export()
        assert new.check() == []
        assert new.search("pottery kilns").pages  # vectors and lexical index usable on the target
        old.close()
        new.close()
    with pytest.raises(Exception, match="not empty"):
        copy_memory(source, pg_url, user_id="ana")


def test_a_bulk_import_refreshes_planner_statistics(pg_url: str, embedder) -> None:
    """After a large import the planner must know the tables are large, or it scans instead of using HNSW."""
    import psycopg

    sys.path.insert(0, str(TESTS_DIR.parent))
    from benchmarks._synth import scale_dump

    memo = Memoryos(user_id="bulk", storage=pg_url, embedder=embedder, background_upkeep=False)
    try:
        memo.store.import_scope(memo.scope, scale_dump(1200, embedder.dim))
        with psycopg.connect(pg_url) as conn:
            analyzed = conn.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE relname IN ('pages', 'segments') "
                "AND coalesce(last_analyze, last_autoanalyze) IS NOT NULL"
            ).fetchall()
        assert sorted(r[0] for r in analyzed) == ["pages", "segments"]
        assert memo.stats()["pages"]["mid"] + memo.stats()["pages"].get("archive", 0) == 1200
        assert len(memo.retrieve("hobby", update_heat=False).pages) > 0
    finally:
        memo.close()


def test_heat_writes_survive_a_deadlock_with_another_transaction(pg_url: str, embedder) -> None:
    """Another process holds one segment and then wants a second that the heat write holds: PostgreSQL aborts
    one side, and the heat write is retried instead of surfacing as an error (or losing the visits)."""
    import threading

    import psycopg

    sys.path.insert(0, str(TESTS_DIR.parent))
    from benchmarks._synth import scale_dump

    memo = Memoryos(user_id="locks", storage=pg_url, embedder=embedder, background_upkeep=False)
    try:
        memo.store.import_scope(memo.scope, scale_dump(40, embedder.dim, pages_per_segment=20))
        first, second = sorted(s["id"] for s in memo.list_segments())[:2]
        errors: list[BaseException] = []
        with psycopg.connect(pg_url) as other:
            other.execute("SET deadlock_timeout = '5s'")  # the heat write's side notices the deadlock first
            other.execute("SELECT 1 FROM segments WHERE id=%s FOR UPDATE", (second,))

            def write() -> None:
                try:
                    memo.store.record_visits(memo.scope, [first, second, second], 123.0)
                except BaseException as exc:
                    errors.append(exc)

            writer = threading.Thread(target=write)
            writer.start()
            time.sleep(0.3)  # the writer now holds `first` and waits for `second`
            other.execute("SELECT 1 FROM segments WHERE id=%s FOR UPDATE", (first,))  # the cycle
            other.commit()
            writer.join(30)
        assert not errors and not writer.is_alive()
        visits = {s["id"]: s["n_visit"] for s in memo.list_segments()}
        assert (visits[first], visits[second]) == (1, 2)
    finally:
        memo.close()
