"""Work a busy server shares: retrieval visits written together by one deferred upkeep pass, and SQLite writers
of one process queued on a lock rather than in SQLite's busy handler."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import memoryos.memoryos as memoryos_module
from memoryos import Memoryos
from memoryos.storage.sqlite import SqliteStore
from memoryos.upkeep.worker import UpkeepWorker


def counting_worker() -> tuple[UpkeepWorker, list[float]]:
    passes: list[float] = []

    def step() -> bool:
        passes.append(time.monotonic())
        return False

    return UpkeepWorker(step, retry_seconds=1.0), passes


def wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_deferred_requests_share_one_pass_after_the_first_ones_delay() -> None:
    worker, passes = counting_worker()
    try:
        asked = time.monotonic()
        for _ in range(50):
            worker.notify(delay=0.3)
        wait_for(lambda: passes)
        time.sleep(0.4)
        assert len(passes) == 1 and passes[0] - asked >= 0.29
        worker.notify(delay=0.3)
        worker.notify()  # an undelayed request runs at once and takes the deferred one with it
        wait_for(lambda: len(passes) == 2)
        assert passes[1] - passes[0] < 0.3 + 0.4
        time.sleep(0.5)
        assert len(passes) == 2
        worker.notify(delay=30)
        assert worker.flush(timeout=5) and len(passes) == 3  # flush does not wait for a deferred pass
    finally:
        worker.close()


def test_a_burst_of_retrievals_is_written_by_one_pass(
    tmp_path: Path, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memoryos_module, "VISIT_WRITE_DELAY_SECONDS", 60.0)  # no pass before flush() here
    with Memoryos(
        user_id="u",
        data_storage_path=str(tmp_path),
        embedder=embedder,
        short_term_capacity=3,
        mid_term_heat_threshold=1e6,  # no promotion: it would reset the counters read below
    ) as memo:
        for i in range(12):
            memo.add_memory(f"I went hiking at trail number {i} with my dog", "Sounds lovely!")
        memo.flush()
        steps: list[int] = []
        original = memo._upkeep_step

        def counted() -> bool:
            steps.append(len(memo.mid.pending_visits))
            return original()

        memo._worker._step = counted  # type: ignore[union-attr]
        visited = sum(len(memo.retrieve("where did I go hiking?").visited_segment_ids) for _ in range(10))
        assert visited >= 10
        time.sleep(0.2)
        assert steps == []  # deferred: nothing written yet
        memo.flush()
        assert steps[0] == visited  # one pass wrote every visit of the burst
        assert sum(s["n_visit"] for s in memo.list_segments()) == visited


def test_sqlite_writers_of_one_process_take_turns_on_a_lock(tmp_path: Path, embedder: Any) -> None:
    with Memoryos(user_id="u", data_storage_path=str(tmp_path), embedder=embedder) as memo:
        store = memo.store
        assert isinstance(store, SqliteStore)
        ids: list[str] = []
        inside = 0
        most = 0
        guard = threading.Lock()
        original = store._transaction

        @contextmanager
        def watched(conflict: str) -> Iterator[Any]:
            nonlocal inside, most
            with guard:
                inside += 1
                most = max(most, inside)
            try:
                with original(conflict) as tx:
                    yield tx
            finally:
                with guard:
                    inside -= 1

        store._transaction = watched  # type: ignore[method-assign]

        def add(n: int) -> None:
            for i in range(10):
                ids.append(memo.add_memory(f"thread {n} message {i}", "ok"))

        threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(ids) == 60 and most == 1
        assert {p["id"] for p in memo.list_pages()} >= set(ids)
