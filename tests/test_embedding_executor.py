"""The shared embedding executor (providers.batching): concurrent callers share model calls, each gets its own
vectors, repeated queries come from the cache, bulk requests keep their order."""

from __future__ import annotations

import threading
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from memoryos import Memoryos
from memoryos.config import build_config
from memoryos.memoryos import make_embedder
from memoryos.providers.batching import BatchingEmbedder


class RecordingEmbedder:
    """Vectors derived from each text alone (so a batch cannot change them); records every call. `gate`: the
    first call waits for it, so that the test decides what piles up behind it."""

    name = "recording"
    dim = 16

    def __init__(self, gate: threading.Event | None = None, fail_on: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.gate = gate
        self.fail_on = fail_on
        self.entered = threading.Event()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        self.entered.set()
        if self.gate is not None and len(self.calls) == 1:
            self.gate.wait(10)
        if self.fail_on is not None and self.fail_on in texts:
            raise RuntimeError(f"cannot embed {self.fail_on!r}")
        return np.stack([vector_of(t) for t in texts])


def vector_of(text: str) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(text.encode()))
    v = rng.standard_normal(16).astype(np.float32)
    return v / np.linalg.norm(v)


def run_threads(fn: Any, args: list[Any]) -> list[Any]:
    out: list[Any] = [None] * len(args)

    def call(i: int) -> None:
        out[i] = fn(args[i])

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(args))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return out


def wait_queued(executor: BatchingEmbedder, n: int) -> None:
    for _ in range(1000):
        with executor._cond:
            if len(executor._queue) >= n:
                return
        threading.Event().wait(0.005)
    raise AssertionError(f"{n} requests never queued")


def test_concurrent_queries_share_one_call_and_each_caller_gets_its_own_vector() -> None:
    gate = threading.Event()
    inner = RecordingEmbedder(gate)
    executor = BatchingEmbedder(inner, cache_size=0)
    first = threading.Thread(target=executor.embed, args=(["warm"],))
    first.start()
    assert inner.entered.wait(5)  # the model is busy: what arrives now waits for its next call
    queries = [[f"question {i}", f"about {i}"] if i % 3 == 0 else [f"question {i}"] for i in range(20)]
    results: list[Any] = []
    waiter = threading.Thread(target=lambda: results.extend(run_threads(executor.embed, queries)))
    waiter.start()
    wait_queued(executor, 20)
    gate.set()
    waiter.join(10)
    first.join(10)
    assert len(inner.calls) == 2  # the warm-up, then every waiting query together
    assert sorted(inner.calls[1]) == sorted(t for q in queries for t in q)
    for texts, vectors in zip(queries, results, strict=True):
        assert vectors.shape == (len(texts), 16)
        np.testing.assert_allclose(vectors, np.stack([vector_of(t) for t in texts]))


def test_batches_are_bounded_and_queries_jump_ahead_of_a_bulk_request() -> None:
    gate = threading.Event()
    inner = RecordingEmbedder(gate)
    executor = BatchingEmbedder(inner, max_batch=4, cache_size=0, small_request=2)
    first = threading.Thread(target=executor.embed, args=(["warm"],))
    first.start()
    assert inner.entered.wait(5)
    bulk_texts = ["x" * (1 + (i * 7) % 10) + str(i) for i in range(10)]  # lengths out of order
    bulk: list[np.ndarray] = []
    bulk_thread = threading.Thread(target=lambda: bulk.append(executor.embed(bulk_texts)))
    bulk_thread.start()
    wait_queued(executor, 1)
    queries = [["q1"], ["q2"]]
    answers: list[Any] = []
    waiter = threading.Thread(target=lambda: answers.extend(run_threads(executor.embed, queries)))
    waiter.start()
    wait_queued(executor, 3)
    gate.set()
    for t in (first, bulk_thread, waiter):
        t.join(10)
    assert all(len(call) <= 4 for call in inner.calls)
    assert set(inner.calls[1][:2]) == {"q1", "q2"}  # the queries first, then the bulk request fills the call
    bulk_calls = [t for call in inner.calls[1:] for t in call if t not in ("q1", "q2")]
    assert [len(t) for t in bulk_calls] == sorted(len(t) for t in bulk_texts)  # shortest first: little padding
    np.testing.assert_allclose(bulk[0], np.stack([vector_of(t) for t in bulk_texts]))  # in the input's order
    for texts, vectors in zip(queries, answers, strict=True):
        np.testing.assert_allclose(vectors, np.stack([vector_of(t) for t in texts]))


def test_a_bulk_request_goes_in_short_slices_so_a_query_waits_for_one_slice_at_most() -> None:
    gate = threading.Event()
    inner = RecordingEmbedder(gate)
    executor = BatchingEmbedder(inner, max_batch=32, cache_size=0, bulk_slice=3)
    bulk_texts = [f"page {i:02d}" for i in range(10)]
    bulk: list[np.ndarray] = []
    bulk_thread = threading.Thread(target=lambda: bulk.append(executor.embed(bulk_texts)))
    bulk_thread.start()
    assert inner.entered.wait(5)  # the bulk request's first slice is in the model
    answers: list[Any] = []
    waiter = threading.Thread(target=lambda: answers.extend(run_threads(executor.embed, [["q1"], ["q2"]])))
    waiter.start()
    wait_queued(executor, 3)  # the rest of the bulk request and both queries
    gate.set()
    bulk_thread.join(10)
    waiter.join(10)
    assert inner.calls[0] == bulk_texts[:3]  # one slice, though the call had room for 32
    assert inner.calls[1] == ["q1", "q2", *bulk_texts[3:6]]  # the queries go with the next slice
    assert [len(c) for c in inner.calls[2:]] == [3, 1]
    np.testing.assert_allclose(bulk[0], np.stack([vector_of(t) for t in bulk_texts]))
    for texts, vectors in zip([["q1"], ["q2"]], answers, strict=True):
        np.testing.assert_allclose(vectors, np.stack([vector_of(t) for t in texts]))


def test_repeated_queries_come_from_the_cache_and_the_cache_is_bounded() -> None:
    inner = RecordingEmbedder()
    executor = BatchingEmbedder(inner, cache_size=2)
    a = executor.embed(["what is my job?"])
    again = executor.embed(["what is my job?"])
    assert len(inner.calls) == 1 and executor.cache_hits == 1
    np.testing.assert_array_equal(a, again)
    again[0, 0] = 42.0  # a caller's array is its own: the cached vector is unchanged
    np.testing.assert_allclose(executor.embed(["what is my job?"])[0], vector_of("what is my job?"))
    executor.embed(["b", "c"])  # evicts the oldest
    executor.embed(["what is my job?"])
    assert inner.calls[-1] == ["what is my job?"]
    mixed = executor.embed(["c", "new", "c"])  # a hit, a miss, and the miss embedded once
    assert inner.calls[-1] == ["new"]
    np.testing.assert_allclose(mixed, np.stack([vector_of(t) for t in ["c", "new", "c"]]))
    bulk = [f"page {i}" for i in range(20)]
    executor.embed(bulk)
    before = len(inner.calls)
    executor.embed(bulk)
    again_embedded = [t for call in inner.calls[before:] for t in call]
    assert again_embedded == sorted(bulk, key=len)  # bulk texts are not cached


def test_an_error_reaches_the_callers_of_that_call_and_the_executor_goes_on() -> None:
    executor = BatchingEmbedder(RecordingEmbedder(fail_on="bad"), cache_size=0)
    with pytest.raises(RuntimeError, match="bad"):
        executor.embed(["bad"])
    np.testing.assert_allclose(executor.embed(["good"])[0], vector_of("good"))
    assert executor.embed([]).shape == (0, 16)


def test_the_real_model_gives_the_same_vectors_batched(embedder: Any) -> None:
    texts = [
        "What did I say about my sister's wedding?",
        "hi",
        "I adopted a puppy named Biscuit last spring and we walk by the river every morning before work.",
        "東京で寿司を食べました",
    ]
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    together = run_threads(BatchingEmbedder(embedder).embed, [[t] for t in texts])
    assert float((alone * np.stack([v[0] for v in together])).sum(axis=1).min()) > 0.9999


def test_memories_of_one_process_share_one_executor(tmp_path: Any) -> None:
    cfg = build_config({"data_storage_path": str(tmp_path)})
    shared = make_embedder(cfg)
    assert isinstance(shared, BatchingEmbedder) and make_embedder(cfg) is shared
    with (
        Memoryos(user_id="a", data_storage_path=str(tmp_path)) as a,
        Memoryos(user_id="b", data_storage_path=str(tmp_path)) as b,
    ):
        assert a.embedder.get() is shared and b.embedder.get() is shared
    other = make_embedder(build_config({"data_storage_path": str(tmp_path), "embedding_threads": 1}))
    assert other is not shared


def test_the_onnx_model_groups_by_tokens_and_returns_vectors_in_input_order(embedder: Any) -> None:
    from memoryos.providers.onnx_embedder import OnnxEmbedder

    assert isinstance(embedder, OnnxEmbedder)
    texts = [
        "I adopted a puppy named Biscuit last spring and we walk by the river every morning before work.",
        "hi",
        "What did I say about my sister's wedding in June?",
        "ok",
        "東京で寿司を食べました",
        "My favourite food is ramen, and I cook it on Sundays.",
        "The quick brown fox jumps over the lazy dog. " * 3,
    ]
    small_batches = OnnxEmbedder(embedder.name, embedder_dir(), batch_size=2, session=embedder._session)
    together = small_batches.embed(texts)
    alone = np.stack([embedder.embed([t])[0] for t in texts])  # no padding at all: the reference
    assert float((together * alone).sum(axis=1).min()) > 0.9999
    assert small_batches.token_counts(["hi", "hi there"]) == [3, 4]  # [CLS] ... [SEP]


def embedder_dir() -> str:
    from memoryos.providers.embeddings import _resolve_model_path

    return _resolve_model_path("all-MiniLM-L6-v2")


def test_bulk_requests_follow_the_models_token_counts() -> None:
    class Counting(RecordingEmbedder):
        def token_counts(self, texts: Sequence[str]) -> list[int]:
            return [len(t.split()) for t in texts]

    inner = Counting()
    texts = ["one two three", "a much longer text by characters", "x y", "w"] * 3
    out = BatchingEmbedder(inner, small_request=2).embed(texts)
    assert inner.calls == [["w", "x y", "one two three", "a much longer text by characters"]]  # each text once
    np.testing.assert_allclose(out, np.stack([vector_of(t) for t in texts]))


def test_imports_embed_shortest_first_and_keep_the_order() -> None:
    from memoryos.dump_vectors import _batched

    calls: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.stack([vector_of(t) for t in texts])

    texts = [f"text {'x' * (i * 37 % 11)} {i}" for i in range(25)]
    done: list[int] = []
    vectors = _batched(embed, texts, 4, done.append)
    assert [len(c) for c in calls] == [4] * 6 + [1] and sum(done) == 25
    flat = [t for c in calls for t in c]
    assert [len(t) for t in flat] == sorted(len(t) for t in texts)
    np.testing.assert_allclose(np.stack(vectors), np.stack([vector_of(t) for t in texts]))
