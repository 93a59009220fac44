"""The per-user pool behind the HTTP shells: leases that an event loop can take without waiting for storage."""

from __future__ import annotations

from pathlib import Path

from memoryos.interfaces.pool import MemoryPool
from memoryos.testing import HashingEmbedder


def pool(tmp_path: Path, max_open: int = 2) -> MemoryPool:
    settings = {"data_storage_path": str(tmp_path), "use_llm": False, "background_upkeep": False}
    return MemoryPool(settings, max_open=max_open, embedder=HashingEmbedder())


def test_lease_open_only_reaches_memories_already_open(tmp_path: Path) -> None:
    memories = pool(tmp_path)
    try:
        assert memories.lease_open("alice") is None  # opening is storage work: the caller hands it to a thread
        first = memories.lease("alice")
        again = memories.lease_open("alice")
        assert again is first and first.leases == 2
        assert memories.release(again) is None and memories.release(first) is None
        assert first.leases == 0 and memories.open_users() == ["alice"]
    finally:
        memories.close()
    assert memories.lease_open("alice") is None  # a closed pool hands out nothing


def test_an_evicted_memory_is_closed_by_its_last_lease(tmp_path: Path) -> None:
    memories = pool(tmp_path, max_open=1)
    try:
        alice = memories.lease("alice")
        alice.memo.add_memory("I live in Lisbon.", "Noted.")
        bob = memories.lease("bob")  # evicts alice, whose lease is still held: she stays open until released
        assert memories.open_users() == ["bob"] and alice.evicted
        assert memories.lease_open("alice") is None
        closing = memories.release(alice)
        assert closing is alice.memo  # the last lease hands the memory back to be closed
        closing.close()
        assert memories.release(bob) is None
        with memories.use("alice") as memo:  # opened again, from the same store
            assert [p["user_input"] for p in memo.list_pages()] == ["I live in Lisbon."]
    finally:
        memories.close()
