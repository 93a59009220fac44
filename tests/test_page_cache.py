"""Pages read with their vectors are kept between reads (storage/page_cache.py) and never served stale: a write
through another store, another Memoryos or another process is seen by the next read; a page kept is not read
again; a caller changing what it got changes nothing kept."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from memoryos.models import Page, Scope
from memoryos.storage import Store, open_store
from memoryos.storage.page_cache import PageCache
from memoryos.storage.sqlite import SqliteStore

DIM = 8
ALICE = Scope("alice", "assistant")
BOB = Scope("bob", "assistant")


def vec(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def add(store: Store, scope: Scope, text: str, seed: int) -> str:
    page = store.add_page(scope, Page(id=uuid.uuid4().hex, user_input=text, agent_response="ok", timestamp=1.7e9))
    store.set_page_vectors(scope, {page.id: vec(seed)})
    return page.id


@pytest.fixture
def two_stores(new_storage: Callable[[], str]) -> Iterator[tuple[Store, Store, str]]:
    """Two stores (two connection sets, as two Memoryos instances have) on one database."""
    url = new_storage()
    first, second = open_store(url), open_store(url)
    first.check_embedding_model("cache-model", DIM)
    yield first, second, url
    first.close()
    second.close()


def test_a_page_changed_through_another_store_is_read_anew(two_stores: tuple[Store, Store, str]) -> None:
    first, second, _ = two_stores
    ids = [add(first, ALICE, f"page {i}", i) for i in range(4)]
    before = first.get_pages(ALICE, ids, with_vectors=True)
    assert [p.id for p in before] == ids
    second.set_page_vectors(ALICE, {ids[1]: vec(99)})
    after = {p.id: p for p in first.get_pages(ALICE, ids, with_vectors=True)}
    assert after[ids[1]].embedding is not None
    assert np.allclose(after[ids[1]].embedding, vec(99))
    assert np.allclose(after[ids[0]].embedding, vec(0))


def test_a_page_deleted_through_another_store_is_gone(two_stores: tuple[Store, Store, str]) -> None:
    first, second, _ = two_stores
    ids = [add(first, ALICE, f"page {i}", i) for i in range(3)]
    first.get_pages(ALICE, ids, with_vectors=True)
    second.delete_page(ALICE, ids[2])
    pages = first.get_pages(ALICE, ids, with_vectors=True)
    assert [p.id for p in pages] == ids[:2]
    # the chain link of the page before it was rewritten by the deletion, and is read as it is now
    assert pages[1].next_page_id == second.get_page(ALICE, ids[1]).next_page_id


def test_another_users_write_leaves_this_users_pages_kept(two_stores: tuple[Store, Store, str]) -> None:
    first, second, _ = two_stores
    mine = [add(first, ALICE, "mine", 1)]
    theirs = add(first, BOB, "theirs", 2)
    first.get_pages(ALICE, mine, with_vectors=True)
    second.set_page_vectors(BOB, {theirs: vec(7)})
    second.delete_page(BOB, theirs)
    assert [p.id for p in first.get_pages(ALICE, mine, with_vectors=True)] == mine


def test_a_write_by_another_process_is_seen(two_stores: tuple[Store, Store, str]) -> None:
    first, _, url = two_stores
    ids = [add(first, ALICE, f"page {i}", i) for i in range(2)]
    first.get_pages(ALICE, ids, with_vectors=True)
    script = textwrap.dedent(
        f"""
        import numpy as np
        from memoryos.models import Scope
        from memoryos.storage import open_store
        store = open_store({url!r})
        store.set_page_vectors(Scope("alice", "assistant"), {{{ids[0]!r}: np.ones({DIM}, dtype=np.float32)}})
        store.delete_page(Scope("alice", "assistant"), {ids[1]!r})
        store.close()
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    pages = first.get_pages(ALICE, ids, with_vectors=True)
    assert [p.id for p in pages] == ids[:1]
    assert pages[0].embedding is not None and np.allclose(pages[0].embedding, 1.0)


def test_what_a_caller_changes_is_not_kept(two_stores: tuple[Store, Store, str]) -> None:
    first, _, _ = two_stores
    page_id = add(first, ALICE, "page", 1)
    got = first.get_pages(ALICE, [page_id], with_vectors=True)[0]
    got.tier = "archive"
    got.meta_data["changed"] = True
    again = first.get_pages(ALICE, [page_id], with_vectors=True)[0]
    assert again.tier == "short" and again.meta_data == {}


def test_kept_pages_are_not_decoded_again_on_either_backend(
    two_stores: tuple[Store, Store, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, _ = two_stores
    ids = [add(first, ALICE, f"page {i}", i) for i in range(5)]
    first.shared_pages(ALICE, ids[:3])
    decoded: list[str] = []
    original = first._page  # type: ignore[attr-defined]
    monkeypatch.setattr(first, "_page", lambda row, *a: decoded.append(row[0]) or original(row, *a))
    assert [p.id for p in first.shared_pages(ALICE, ids)] == ids
    assert sorted(decoded) == sorted(ids[3:])
    decoded.clear()
    second.set_page_vectors(ALICE, {ids[1]: vec(5)})
    assert [p.id for p in first.shared_pages(ALICE, ids)] == ids
    assert decoded == [ids[1]]


def test_a_page_deleted_and_written_again_under_its_id_is_read_anew(two_stores: tuple[Store, Store, str]) -> None:
    """A page id can come back (an import of an export after forgetting): the kept page of that id is stale."""
    first, second, _ = two_stores
    page_id = add(first, ALICE, "the old text", 1)
    assert first.shared_pages(ALICE, [page_id])[0].user_input == "the old text"
    second.delete_page(ALICE, page_id)
    second.add_page(ALICE, Page(id=page_id, user_input="the new text", agent_response="ok", timestamp=1.7e9))
    second.set_page_vectors(ALICE, {page_id: vec(2)})
    (page,) = first.shared_pages(ALICE, [page_id])
    assert page.user_input == "the new text" and page.embedding is not None and np.allclose(page.embedding, vec(2))


def test_kept_pages_are_not_read_again(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "memoryos.db"))
    store.check_embedding_model("cache-model", DIM)
    ids = [add(store, ALICE, f"page {i}", i) for i in range(5)]
    store.get_pages(ALICE, ids[:3], with_vectors=True)
    statements: list[str] = []
    store._conn().set_trace_callback(statements.append)
    pages = store.get_pages(ALICE, ids, with_vectors=True)
    assert [p.id for p in pages] == ids
    page_reads = [s for s in statements if s.startswith("SELECT id, seq")]
    assert len(page_reads) == 1 and all(i in page_reads[0] for i in ids[3:])
    assert not any(i in page_reads[0] for i in ids[:3])
    store.close()


def test_a_read_only_store_of_an_older_schema_reads_without_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "memoryos.db"
    store = SqliteStore(str(path))
    store.check_embedding_model("cache-model", DIM)
    page_id = add(store, ALICE, "page", 1)
    store.close()
    with sqlite3.connect(path) as conn:  # as a store written before the counters existed
        conn.execute("DROP TRIGGER pages_changed")
        conn.execute("DROP TRIGGER pages_removed")
        conn.execute("ALTER TABLE scopes DROP COLUMN page_version")
    reader = SqliteStore(str(path), read_only=True)
    assert [p.id for p in reader.get_pages(ALICE, [page_id], with_vectors=True)] == [page_id]
    reader.close()


def test_the_cache_keeps_at_most_its_capacity() -> None:
    cache = PageCache(capacity=2)
    cache.sync("s", (0, 0), lambda since: [])
    pages = [Page(id=str(i), user_input="u", agent_response="a", timestamp=1.0) for i in range(3)]
    cache.put("s", (0, 0), pages)
    assert set(cache.get("s", ["0", "1", "2"])) == {"1", "2"}
    # pages read at a state the cache has moved past are not kept
    cache.sync("s", (1, 0), lambda since: ["1"])
    cache.put("s", (0, 0), pages[:1])
    assert set(cache.get("s", ["0", "1", "2"])) == {"2"}


def test_a_retrieve_sees_what_another_memoryos_changed(make_memo: Callable[..., object]) -> None:
    from memoryos import Memoryos

    reader = make_memo(short_term_capacity=2)
    writer = make_memo(short_term_capacity=2)
    assert isinstance(reader, Memoryos) and isinstance(writer, Memoryos)
    for i, city in enumerate(["Lisbon", "Kyoto", "Denver", "Oslo", "Nairobi", "Prague"]):
        reader.add_memory(f"I flew to {city} in week {i}.", f"How was {city}?")
    reader.flush()
    query = "Which city did I fly to in week 1?"
    first = [p.page.id for p in reader.retrieve(query, update_heat=False).pages]
    kyoto = next(p.page for p in reader.retrieve(query, update_heat=False).pages if "Kyoto" in p.page.user_input)
    assert kyoto.id in first and kyoto.tier != "short"
    writer.delete_memory(kyoto.id)
    again = reader.retrieve(query, update_heat=False)
    assert kyoto.id not in [p.page.id for p in again.pages]
    assert all(p.page.prev_page_id != kyoto.id and p.page.next_page_id != kyoto.id for p in again.pages)


def test_shared_pages_are_the_pages_with_vectors_and_kept_without_copies(two_stores: tuple[Store, Store, str]) -> None:
    """`shared_pages` (retrieval's reads) returns what `get_pages(with_vectors=True)` does on either backend; on
    SQLite a second read hands out the very objects kept, and a write is still seen."""
    first, second, _ = two_stores
    ids = [add(first, ALICE, f"page {i}", i) for i in range(4)]
    wanted = [ids[2], "no-such-page", ids[0], ids[3]]
    shared = first.shared_pages(ALICE, wanted)
    copies = first.get_pages(ALICE, wanted, with_vectors=True)
    assert [p.id for p in shared] == [p.id for p in copies] == [ids[2], ids[0], ids[3]]
    for a, b in zip(shared, copies, strict=True):
        assert a.embedding is not None and b.embedding is not None
        assert np.array_equal(a.embedding, b.embedding) and a.user_input == b.user_input and a.seq == b.seq
    again = first.shared_pages(ALICE, wanted)
    assert all(x is y for x, y in zip(again, shared, strict=True))
    assert all(c is not s for c, s in zip(first.get_pages(ALICE, wanted, with_vectors=True), shared, strict=True))
    second.set_page_vectors(ALICE, {ids[0]: vec(42)})
    changed = {p.id: p for p in first.shared_pages(ALICE, wanted)}
    assert changed[ids[0]].embedding is not None and np.allclose(changed[ids[0]].embedding, vec(42))


def test_what_a_retrieve_returns_can_be_changed_without_changing_the_next(make_memo: Callable[..., object]) -> None:
    """A retrieve ranks the store's kept pages themselves and returns copies."""
    from memoryos import Memoryos

    memo = make_memo(short_term_capacity=2)
    assert isinstance(memo, Memoryos)
    for i, city in enumerate(["Lisbon", "Kyoto", "Denver", "Oslo", "Nairobi", "Prague"]):
        memo.add_memory(f"I flew to {city} in week {i}.", f"How was {city}?", meta_data={"week": i})
    memo.flush()
    query = "Which city did I fly to in week 1?"
    before = memo.retrieve(query, update_heat=False)
    for hit in before.pages:
        hit.page.user_input = "changed"
        hit.page.meta_data["week"] = -1
        hit.page.tier = "archive"
    after = memo.retrieve(query, update_heat=False)
    assert [p.page.id for p in after.pages] == [p.page.id for p in before.pages]
    assert [p.score for p in after.pages] == [p.score for p in before.pages]
    assert all(p.page.user_input != "changed" and p.page.meta_data["week"] >= 0 for p in after.pages)
    assert all(p.page.tier == p.tier != "archive" for p in after.pages)
