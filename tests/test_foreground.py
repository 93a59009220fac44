"""Background work gives way to foreground calls (memoryos.foreground): the upkeep thread waits while an add or a
retrieval is in flight, never longer than its bound, and a background bulk embedding goes slice by slice with the
same vectors."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from test_embedding_executor import RecordingEmbedder, vector_of

from memoryos import Memoryos, foreground
from memoryos.errors import InvalidInput
from memoryos.providers.batching import BatchingEmbedder


def on_background_thread(work: Callable[[], object]) -> tuple[threading.Thread, threading.Event, list[object]]:
    """Run `work` on a thread marked background; the event is set when it returns."""
    finished = threading.Event()
    out: list[object] = []

    def run() -> None:
        foreground.mark_background()
        out.append(work())
        finished.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, finished, out


def test_a_background_thread_waits_while_a_foreground_call_is_in_flight() -> None:
    with foreground.call():
        _thread, finished, _out = on_background_thread(lambda: foreground.give_way(max_wait=30.0, quiet=0.0))
        assert not finished.wait(0.3)  # the call is still running: the background waits
    assert finished.wait(10)  # it ended: the background goes on


def test_the_wait_is_bounded_under_continuous_foreground_load() -> None:
    with foreground.call():
        _thread, finished, out = on_background_thread(lambda: foreground.give_way(max_wait=0.05, quiet=0.0))
        assert finished.wait(10)  # still in flight, but the background gets its turn
    assert 0.04 <= float(out[0]) < 10  # type: ignore[arg-type]


def test_a_foreground_thread_never_waits() -> None:
    with foreground.call():
        assert foreground.give_way(max_wait=30.0) == 0.0
    assert not foreground.is_background()


def test_a_background_bulk_request_waits_for_foreground_calls_and_gets_the_same_vectors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(foreground, "MAX_WAIT_SECONDS", 30.0)
    inner = RecordingEmbedder()
    executor = BatchingEmbedder(inner, cache_size=0, bulk_slice=4)
    texts = [f"page number {i} " + "word " * (i % 7) for i in range(23)]
    with foreground.call():
        _thread, finished, out = on_background_thread(lambda: executor.embed(texts))
        assert not finished.wait(0.3)
        assert inner.calls == []  # no model call while an add or a retrieval is in flight (within the bound)
    assert finished.wait(10)
    assert np.allclose(out[0], np.stack([vector_of(t) for t in texts]))  # type: ignore[arg-type]
    assert sorted(t for call in inner.calls for t in call) == sorted(texts)  # each text embedded once
    assert all(len(call) <= 4 for call in inner.calls)


def test_upkeep_finishes_and_no_call_stays_marked_after_adds_retrievals_and_refused_input(tmp_path: Path) -> None:
    memo = Memoryos(user_id="u", data_storage_path=str(tmp_path), use_llm=False, short_term_capacity=3)
    try:
        for i in range(12):
            memo.add_memory(f"I went hiking on trail {i} today", f"How long was trail {i}?")
        memo.retrieve("Where did I go hiking?")
        with pytest.raises(InvalidInput):
            memo.add_memory("", "")
        with pytest.raises(InvalidInput):
            memo.retrieve(None)  # type: ignore[arg-type]
        assert memo.flush(timeout=60)  # the worker gave way to the adds, then consolidated them all
        assert memo.stats()["upkeep"]["waiting_pages"] == 0
        # nothing is left in flight: a background thread goes on at once instead of waiting its 30 s
        _thread, finished, _out = on_background_thread(lambda: foreground.give_way(max_wait=30.0, quiet=0.0))
        assert finished.wait(10)
    finally:
        memo.close()
