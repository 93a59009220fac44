"""The add path: one write transaction that also answers whether short-term memory is full, and a burst of adds
that lets upkeep consolidate in full batches afterwards without changing what it does (both backends)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import pytest

import memoryos.memoryos as memoryos_module
from memoryos import Memoryos
from memoryos.models import Page, Scope
from memoryos.storage import open_store
from memoryos.storage.base import Store


@pytest.fixture
def store(new_storage: Callable[[], str]) -> Iterator[Store]:
    opened = open_store(new_storage())
    opened.check_embedding_model("add-path-model", 8)
    yield opened
    opened.close()


def _page(text: str) -> Page:
    return Page(id=uuid.uuid4().hex, user_input=text, agent_response="ok", timestamp=1_700_000_000.0)


def test_add_page_and_count_counts_the_scopes_short_term_pages_with_the_new_one(store: Store) -> None:
    alice, bob = Scope("alice", "a"), Scope("bob", "a")
    assert [store.add_page_and_count(alice, _page(f"a{i}")) for i in range(3)] == [1, 2, 3]
    assert store.add_page_and_count(bob, _page("b0")) == 1  # another user's pages are not counted
    first = store.list_pages(alice)[0]
    assert [p.seq for p in store.list_pages(alice)] == [1, 2, 3] and first.tier == "short"
    assert store.count_pages(alice, tier="short") == 3


def test_an_add_on_sqlite_is_one_write_transaction_and_no_read(make_memo, storage_url: str) -> None:
    if not storage_url.startswith("sqlite"):
        pytest.skip("SQLite's statement trace")
    memo = make_memo()
    memo.add_memory("first", "creates the user's scope")
    statements: list[str] = []
    conn = memo.store._conn()  # the connection memoryos writes with (one per thread)
    conn.set_trace_callback(statements.append)
    memo.add_memory("second", "page")
    conn.set_trace_callback(None)
    top = [s.split()[0].upper() for s in statements if not s.startswith("--")]
    assert top.count("BEGIN") == 1 and top.count("COMMIT") == 1
    assert statements[0] == "BEGIN IMMEDIATE"
    assert not any("INSERT INTO scopes" in s for s in statements)  # the scope exists after the first add


def test_a_burst_of_adds_defers_upkeep_and_flush_still_finishes_it(make_memo, monkeypatch) -> None:
    monkeypatch.setattr(memoryos_module, "ADD_BURST_SECONDS", 3600.0)  # every add counts as part of a burst
    monkeypatch.setattr(memoryos_module, "ADD_BURST_UPKEEP_DELAY_SECONDS", 3600.0)
    memo: Memoryos = make_memo(background_upkeep=True, short_term_capacity=4)
    assert memo.flush() is True  # the pass every start asks for (nothing to do) is over
    ids = [memo.add_memory(f"burst message {i} about gardening", f"reply {i}") for i in range(12)]
    assert memo.stats()["pages"]["short"] == 12  # the pass waits for the burst (its delay)
    assert memo.flush() is True
    assert memo.stats()["pages"]["short"] < 4  # what upkeep does is unchanged
    assert sorted(p["id"] for p in memo.list_pages()) == sorted(ids)
    assert memo.check() == []


def test_an_add_outside_a_burst_asks_for_upkeep_at_once(make_memo, monkeypatch) -> None:
    monkeypatch.setattr(memoryos_module, "ADD_BURST_SECONDS", 0.0)  # no add is part of a burst
    monkeypatch.setattr(memoryos_module, "ADD_BURST_UPKEEP_DELAY_SECONDS", 3600.0)
    memo: Memoryos = make_memo(background_upkeep=True, short_term_capacity=4)
    for i in range(4):
        memo.add_memory(f"message {i} about cooking", f"reply {i}")
    deadline = time.monotonic() + 60
    while memo.stats()["pages"]["short"] >= 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert memo.stats()["pages"]["short"] < 4
