"""A retrieve's reads: the dense pool and the pages of both pools come in one statement (one round trip on
PostgreSQL), and both backends return the same pages and scores for the same memory."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import psycopg
import pytest
from conftest import database_url

from memoryos import Memoryos
from memoryos.models import Page, Scope
from memoryos.providers.embeddings import Embedder
from memoryos.storage import Store, open_store
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


def test_a_retrieve_on_postgresql_takes_eight_round_trips(
    pg_url: str, tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ManualClock()
    memo = _filled(_memo(pg_url, tmp_path, embedder, clock), clock)
    memo.retrieve("warm up")  # one-time reads (the term sample, the attribute reader's exemplars)
    statements = _Statements(monkeypatch, urlsplit(pg_url).path.lstrip("/"))
    result = memo.retrieve("What is my dog called?", update_heat=False)
    assert result.pages
    # short-term pages, facts, full-text search, segment vectors, the dense pool with the pages of both pools,
    # their dialogue neighbours, the segments shown, the profile
    assert statements.count <= 8, statements.texts
    assert sum("pages" in text and "WITH d AS" in text for text in statements.texts) == 1
    memo.close()


def test_dense_pages_is_dense_search_and_get_pages(new_storage: Callable[[], str]) -> None:
    store: Store = open_store(new_storage())
    store.check_embedding_model("contract-model", 8)
    scope = Scope("alice", "assistant")
    rng = np.random.default_rng(3)
    ids = []
    for i in range(12):
        page = store.add_page(scope, Page(id=uuid.uuid4().hex, user_input=f"p{i}", agent_response="", timestamp=1e9))
        vector = rng.standard_normal(8).astype(np.float32)
        store.set_page_vectors(scope, {page.id: vector / np.linalg.norm(vector)})
        ids.append(page.id)
    query = rng.standard_normal(8).astype(np.float32)
    query /= np.linalg.norm(query)
    also = [ids[0], ids[5], "not-a-page"]
    dense, pages = store.dense_pages(scope, query, 4, also)
    assert dense == store.dense_search(scope, query, 4)
    wanted = list(dict.fromkeys([pid for pid, _ in dense] + also))
    expected = store.get_pages(scope, wanted, with_vectors=True)
    assert [p.id for p in pages] == [p.id for p in expected]
    for got, want in zip(pages, expected, strict=True):
        assert got.embedding is not None and want.embedding is not None
        assert np.array_equal(got.embedding, want.embedding) and got.to_dict() == want.to_dict()
    assert store.dense_pages(scope, query, 0, [ids[1]])[1][0].id == ids[1]
    alone, read = store.dense_pages(scope, query, 3, [])  # no lexical pool
    assert alone == store.dense_search(scope, query, 3) and [p.id for p in read] == [pid for pid, _ in alone]
    store.close()
