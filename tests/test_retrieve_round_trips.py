"""A retrieve's reads on PostgreSQL are counted (a guard against new round trips), and both backends return the
same pages and scores for the same memory."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from conftest import database_url

from memoryos import Memoryos
from memoryos.providers.embeddings import Embedder
from memoryos.testing import ManualClock

TALK = [
    ("I adopted a beagle named Biscuit last spring.", "Biscuit sounds adorable!"),
    ("My sister Ana moved to Lisbon for a job at a bakery.", "Lisbon has great pastries."),
    ("I started learning the violin in March.", "How are the lessons going?"),
    ("We hiked up to the lake near Yosemite on Sunday.", "That trail is beautiful."),
    ("My thesis on coral reefs is due in June.", "Good luck with the writing."),
    ("Ana sent me a photo of the bakery's sourdough.", "It must smell wonderful."),
    ("Biscuit chewed my violin case yesterday.", "Oh no, is the violin fine?"),
    ("I booked a trip to Kyoto for the cherry blossoms.", "Kyoto in spring is lovely."),
]
QUESTIONS = ["What is my dog called?", "Where does Ana work?", "When is my thesis due?", "Where am I travelling?"]


@pytest.fixture
def pg_url(postgres_base_url: str, postgres_template: str) -> Iterator[str]:
    name = f"memoryos_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_base_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {postgres_template}")
    yield database_url(postgres_base_url, name)
    with psycopg.connect(postgres_base_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _memo(storage: str | None, folder: Path, embedder: Embedder, clock: ManualClock) -> Memoryos:
    return Memoryos(
        user_id="u",
        assistant_id="a",
        data_storage_path=str(folder),
        storage=storage,
        embedder=embedder,
        clock=clock,
        background_upkeep=False,
        short_term_capacity=2,
    )


def _filled(memo: Memoryos, clock: ManualClock) -> Memoryos:
    for user, agent in TALK:
        memo.add_memory(user, agent)
        clock.advance(60)
    memo.flush()
    return memo


def _results(memo: Memoryos) -> list[list[tuple[str, str, float]]]:
    return [
        [(p.page.user_input, p.tier, round(p.score, 5)) for p in memo.retrieve(q, update_heat=False).pages]
        for q in QUESTIONS
    ]


class _Statements:
    """Statements sent to PostgreSQL outside a pipeline, plus pipelines: the round trips."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, database: str) -> None:
        self.count = 0
        self.texts: list[str] = []
        execute, pipeline = psycopg.Cursor.execute, psycopg.Connection.pipeline

        def counted_execute(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            # this test's database only (threads other tests left behind may still talk to theirs), and not the
            # session settings of a connection the pool opens meanwhile (once per connection, not per retrieve)
            mine = cursor.connection.info.dbname == database and not str(query).startswith("SET ")
            if mine and getattr(cursor.connection, "_pipeline", None) is None:
                self.count += 1
                self.texts.append(str(query))
            return execute(cursor, query, *args, **kwargs)

        def counted_pipeline(conn: Any, *args: Any, **kwargs: Any) -> Any:
            if conn.info.dbname == database:
                self.count += 1
            return pipeline(conn, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", counted_execute)
        monkeypatch.setattr(psycopg.Connection, "pipeline", counted_pipeline)


def test_both_backends_retrieve_the_same_pages_and_scores(pg_url: str, tmp_path: Path, embedder: Embedder) -> None:
    lite_clock, pg_clock = ManualClock(), ManualClock()
    lite = _filled(_memo(None, tmp_path / "lite", embedder, lite_clock), lite_clock)
    pg = _filled(_memo(pg_url, tmp_path / "pg", embedder, pg_clock), pg_clock)
    try:
        expected = _results(lite)
        assert all(expected)
        assert _results(pg) == expected
    finally:
        lite.close()
        pg.close()


def test_a_retrieve_on_postgresql_takes_nine_round_trips(
    pg_url: str, tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock()
    memo = _filled(_memo(pg_url, tmp_path, embedder, clock), clock)
    memo.retrieve("warm up")  # one-time reads (the term sample, the attribute reader's exemplars)
    statements = _Statements(monkeypatch, urlsplit(pg_url).path.lstrip("/"))
    result = memo.retrieve("What is my dog called?", update_heat=False)
    assert result.pages
    # short-term pages, facts, full-text search, segment vectors and profile (the last three beside the query
    # embedding), the dense pool, the pages of both pools, their dialogue neighbours, the segments shown. (One statement
    # for the dense pool and the pages was tried: it must wait for the full-text search, which then no longer
    # overlaps the dense one, and was slower; benchmarks/README.md, session 23.)
    assert statements.count <= 9, statements.texts
    memo.close()
