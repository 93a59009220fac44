"""Adds that wait for SQLite's write lock are committed together, each acknowledged only once committed
(storage/group_commit.py); through the library and through the REST API."""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rest_helpers import settings

from memoryos import Memoryos
from memoryos.errors import InvalidInput, StorageError
from memoryos.interfaces.rest import create_app
from memoryos.models import Page, Scope
from memoryos.storage.sqlite import SqliteStore
from memoryos.testing import HashingEmbedder

ALICE = Scope("alice", "a")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(str(tmp_path / "memoryos.db"))
    opened.check_embedding_model("group-commit-model", 8)
    yield opened
    opened.close()


def _page(text: str, page_id: str | None = None) -> Page:
    return Page(id=page_id or uuid.uuid4().hex, user_input=text, agent_response="ok", timestamp=1_700_000_000.0)


def _count_transactions(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many adds each write transaction of adds carried."""
    sizes: list[int] = []
    write_adds = store._write_adds

    def counted(batch: Any, writer: Any) -> None:
        sizes.append(len(batch))
        write_adds(batch, writer)

    monkeypatch.setattr(store, "_write_adds", counted)
    return sizes


def _queued(store: SqliteStore, n: int) -> None:
    deadline = time.monotonic() + 10
    while len(store._adds._items) < n:
        assert time.monotonic() < deadline, "the adds never queued"
        time.sleep(0.005)


def _adds_behind_the_lock(
    store: SqliteStore, pages: list[Page], hold: Callable[[], None] = lambda: None
) -> dict[str, Any]:
    """Add `pages` from one thread each while this thread holds the write lock, so they all queue; then let go."""
    outcome: dict[str, Any] = {}

    def add(page: Page) -> None:
        try:
            outcome[page.id] = store.add_page_and_count(ALICE, page)
        except Exception as exc:  # the test looks at each add's own outcome
            outcome[page.id] = exc

    threads = [threading.Thread(target=add, args=(p,)) for p in pages]
    with store._write_lock:
        for t in threads:
            t.start()
        _queued(store, len(pages))
        hold()
    for t in threads:
        t.join(10)
    return outcome


def test_adds_that_queue_for_the_lock_share_one_commit_and_each_gets_its_count(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = _count_transactions(store, monkeypatch)
    pages = [_page(f"p{i}") for i in range(6)]
    outcome = _adds_behind_the_lock(store, pages)
    assert sizes == [6]  # one transaction for the six
    stored = store.list_pages(ALICE)
    assert sorted(p.id for p in stored) == sorted(p.id for p in pages)  # each once
    by_id = {p.id: p for p in stored}
    # each add's count is the short-term count right after its own insert, as if the adds had run one by one
    assert sorted(outcome.values()) == [1, 2, 3, 4, 5, 6]
    assert all(outcome[pid] == by_id[pid].seq for pid in outcome)
    assert all(p.tier == "short" for p in pages)


def test_a_lone_add_is_written_alone(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = _count_transactions(store, monkeypatch)
    assert [store.add_page_and_count(ALICE, _page(f"p{i}")) for i in range(3)] == [1, 2, 3]
    assert sizes == [1, 1, 1]


def test_an_add_that_fails_in_a_group_fails_alone(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = _page("first", "taken-id")
    store.add_page(ALICE, taken)
    sizes = _count_transactions(store, monkeypatch)
    pages = [_page("a"), _page("duplicate", "taken-id"), _page("b")]
    outcome = _adds_behind_the_lock(store, pages)
    assert sizes == [3]
    assert isinstance(outcome["taken-id"], InvalidInput) and "already exists" in str(outcome["taken-id"])
    assert outcome[pages[0].id] == 2 and outcome[pages[2].id] == 3
    assert sorted(p.user_input for p in store.list_pages(ALICE)) == ["a", "b", "first"]


def test_when_the_group_cannot_commit_no_add_is_acknowledged(store: SqliteStore, monkeypatch) -> None:
    def locked(_timeout: float) -> None:
        raise TimeoutError("another writer holds it")

    pages = [_page(f"p{i}") for i in range(4)]
    assert store._file_lock is not None
    monkeypatch.setattr(store._file_lock, "acquire", locked)
    outcome = _adds_behind_the_lock(store, pages)
    assert all(isinstance(outcome[p.id], StorageError) for p in pages)
    monkeypatch.undo()
    assert store.list_pages(ALICE) == []
    assert store.add_page_and_count(ALICE, _page("after")) == 1  # the store writes again


def test_concurrent_adds_through_the_rest_api_are_each_stored_once(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, short_term_capacity=1000), embedder=HashingEmbedder())
    n = 24

    async def run() -> tuple[list[httpx.Response], list[dict[str, Any]], list[int]]:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
        ):
            first = await client.post("/v1/users/alice/memories", json={"user_input": "hello", "agent_response": "hi"})
            assert first.status_code == 201
            pool = app.state.memoryos.pool
            slot = pool.lease_open(pool.user("alice"))
            store = slot.memo.store
            pool.release(slot)
            sizes: list[int] = []
            write_adds = store._write_adds

            def counted(batch: Any, writer: Any) -> None:
                sizes.append(len(batch))
                write_adds(batch, writer)

            store._write_adds = counted
            store._write_lock.acquire()  # the adds queue behind a write in progress
            try:
                posts = asyncio.gather(
                    *(
                        client.post(
                            "/v1/users/alice/memories", json={"user_input": f"note {i}", "agent_response": "ok"}
                        )
                        for i in range(n)
                    )
                )
                task = asyncio.ensure_future(posts)
                deadline = time.monotonic() + 20
                while len(store._adds._items) < 4 and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
            finally:
                store._write_lock.release()
            responses = await task
            pages = (await client.get("/v1/users/alice/pages?limit=100")).json()["items"]
            return responses, pages, sizes

    responses, pages, sizes = asyncio.run(run())
    assert [r.status_code for r in responses] == [201] * n
    acknowledged = [r.json()["page_id"] for r in responses]
    stored = [p["id"] for p in pages]
    assert len(stored) == n + 1 and len(set(stored)) == n + 1  # no page lost, none twice
    assert set(acknowledged) <= set(stored)
    assert sum(sizes) == n and len(sizes) < n  # some adds shared a commit


CONCURRENT_WRITER = textwrap.dedent(
    """
    import sys, threading
    sys.path.insert(0, {tests_dir!r})
    from doubles import HashingEmbedder
    from memoryos import Memoryos

    memo = Memoryos(user_id="crash", storage=sys.argv[1], embedder=HashingEmbedder(), short_term_capacity=5,
                    upkeep_lease_seconds=0.5, upkeep_retry_seconds=0)
    said = threading.Lock()

    def write(k):
        for i in range(100000):
            page_id = memo.add_memory(f"writer {{k}} note {{i}} about subject {{i % 7}}", f"reply {{i}}")
            with said:
                print(page_id, flush=True)  # printed only once add_memory returned: acknowledged

    for k in range(6):
        threading.Thread(target=write, args=(k,)).start()
    """
)


def test_sigkill_during_concurrent_adds_loses_no_acknowledged_page(storage_url: str) -> None:
    rng = random.Random(24)
    acknowledged: list[str] = []
    script = CONCURRENT_WRITER.format(tests_dir=str(Path(__file__).parent))
    for run in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", script, storage_url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert proc.stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda out=proc.stdout, sink=lines: sink.extend(out), daemon=True)
        reader.start()
        while not lines and proc.poll() is None:  # the clock starts once the writers are really writing
            time.sleep(0.01)
        time.sleep(rng.uniform(0.3, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(timeout=30)
        acknowledged += [line.strip() for line in lines if line.strip()]
        memo = Memoryos(user_id="crash", storage=storage_url, embedder=HashingEmbedder(), background_upkeep=False)
        try:
            stored = Counter(p["id"] for p in memo.list_pages())
            missing = [pid for pid in acknowledged if pid not in stored]
            assert not missing, f"run {run}: {len(missing)} acknowledged pages lost"
            assert all(n == 1 for n in stored.values())
            assert memo.check(sample=None) == []
        finally:
            memo.close()
    assert len(acknowledged) > 30  # the writers really got going
