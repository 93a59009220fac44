"""Query embeddings on the int8 copy of the local model (query_embedding_precision): close to the float32 vectors,
never used for what is stored, cached apart from them, built once beside the float32 graph."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memoryos import Memoryos
from memoryos.providers.batching import BatchingEmbedder
from memoryos.providers.embeddings import embed_queries
from memoryos.providers.onnx_embedder import INT8_TAG, OnnxEmbedder

QUESTIONS = [
    "What did Caroline research?",
    "When did Melanie paint a sunrise?",
    "What do you remember about my job?",
    "How many children does Nate have, and what are their names?",
    "Would Jon enjoy a trip to the mountains next summer, given what he said about hiking?",
    "¿Dónde vive mi hermana?",
    "ok",
]


class RecordingGraphs:
    """Two 'graphs' that give different vectors, so a test sees which one answered; records every call."""

    name = "recording"
    dim = 4

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(("float32", list(texts)))
        return np.tile(np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32), (len(texts), 1))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(("int8", list(texts)))
        return np.tile(np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32), (len(texts), 1))


def test_query_vectors_point_where_the_float32_ones_do(embedder: Any) -> None:
    assert isinstance(embedder, OnnxEmbedder)
    exact = embedder.embed(QUESTIONS)
    fast = embedder.embed_queries(QUESTIONS)
    assert fast.dtype == np.float32 and fast.shape == exact.shape
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    cosines = (fast * exact).sum(axis=1)
    # measured: 0.995-0.999 on LoCoMo's questions; a text of one word (3 tokens) is quantised worst (~0.983)
    assert float(cosines[:-1].min()) > 0.985 and float(cosines.min()) > 0.95
    assert float(cosines.min()) < 0.9999  # it is the other graph, not the float32 one again
    # a text's vector does not depend on the company it is embedded in (each runs alone)
    alone = np.vstack([embedder.embed_queries([q]) for q in reversed(QUESTIONS)])[::-1]
    np.testing.assert_array_equal(alone, fast)
    # the ranking of stored texts barely moves: the same best match for every question
    pages = embedder.embed([f"I {verb} yesterday" for verb in ("painted a sunrise", "researched adoption", "hiked")])
    assert ((exact @ pages.T).argmax(axis=1) == (fast @ pages.T).argmax(axis=1)).all()
    assert embedder.embed_queries([]).shape == (0, embedder.dim)


def test_several_questions_run_side_by_side_on_one_runtime_thread_each(
    embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retrieval's two forms of its question: one per worker thread, the caller's among them, on the int8 graph
    with one runtime thread; the vectors are those of each alone. More questions than workers run one after
    another on the caller's session."""
    assert isinstance(embedder, OnnxEmbedder)
    monkeypatch.setattr(embedder, "workers", 2)
    seen: list[tuple[int, Any]] = []
    run = embedder._run

    def recording(session: Any, encodings: Sequence[Any]) -> np.ndarray:
        seen.append((threading.get_ident(), session))
        return run(session, encodings)

    monkeypatch.setattr(embedder, "_run", recording)
    pair = QUESTIONS[2:4]
    together = embedder.embed_queries(pair)
    assert len(seen) == 2 and len({thread for thread, _ in seen}) == 2
    assert threading.get_ident() in {thread for thread, _ in seen}  # the caller runs a share itself
    sessions = {id(session): session for _, session in seen}
    assert len(sessions) == 1
    (single,) = sessions.values()
    assert single is not embedder.query_session() and single.get_session_options().intra_op_num_threads == 1
    seen.clear()
    alone = np.vstack([embedder.embed_queries([q]) for q in pair])  # one question: the caller's session
    assert {id(session) for _, session in seen} == {id(embedder.query_session())}
    np.testing.assert_array_equal(alone, together)
    seen.clear()
    many = embedder.embed_queries(QUESTIONS)
    assert {thread for thread, _ in seen} == {threading.get_ident()}
    assert {id(session) for _, session in seen} == {id(embedder.query_session())}
    np.testing.assert_array_equal(many[2:4], together)


def test_stored_vectors_stay_the_float32_ones(embedder: Any) -> None:
    before = embedder.embed(QUESTIONS)
    embedder.embed_queries(QUESTIONS)  # the query graph is loaded beside, not instead
    np.testing.assert_array_equal(embedder.embed(QUESTIONS), before)


def test_the_query_graph_is_cached_beside_the_float32_graph(tmp_path: Path) -> None:
    from memoryos.providers.embeddings import _resolve_model_path

    directory = _resolve_model_path("all-MiniLM-L6-v2")
    model = OnnxEmbedder("all-MiniLM-L6-v2", directory, cache_dir=tmp_path)
    model.embed_queries(["first query"])
    graphs = sorted(p.name for p in tmp_path.glob("*.onnx"))
    assert len(graphs) == 2 and graphs[0].endswith(f".{INT8_TAG}.onnx")
    assert graphs[0].replace(f".{INT8_TAG}", "") == graphs[1]  # same model version: neither removes the other
    stat = (tmp_path / graphs[0]).stat()
    again = OnnxEmbedder("all-MiniLM-L6-v2", directory, cache_dir=tmp_path)
    np.testing.assert_array_equal(again.embed_queries(["first query"]), model.embed_queries(["first query"]))
    assert (tmp_path / graphs[0]).stat().st_ino == stat.st_ino  # read from the cache, not built again


def test_the_executor_keeps_query_calls_and_their_cache_apart() -> None:
    inner = RecordingGraphs()
    executor = BatchingEmbedder(inner)
    stored = executor.embed(["what is my job?"])
    asked = executor.embed_queries(["what is my job?"])
    assert stored[0, 0] == 1.0 and asked[0, 1] == 1.0  # neither answered from the other's cache
    assert inner.calls == [("float32", ["what is my job?"]), ("int8", ["what is my job?"])]
    executor.embed_queries(["what is my job?", "what is my job?"])
    executor.embed(["what is my job?"])
    assert len(inner.calls) == 2 and executor.cache_hits == 3  # repeats come from each side's own cache
    bulk = [f"page {i}" for i in range(20)]
    executor.embed(bulk)
    assert all(graph == "float32" for graph, texts in inner.calls if texts[0].startswith("page"))
    # an embedder without a query graph embeds queries as it embeds anything
    plain = BatchingEmbedder(_Plain())
    assert plain.embed_queries(["q"]).shape == (1, 4)


class _Plain:
    name = "plain"
    dim = 4

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.ones((len(texts), 4), dtype=np.float32) / 2


@pytest.mark.parametrize("precision", ["int8", "float32"])
def test_retrieve_embeds_the_question_with_the_configured_graph(tmp_path: Path, precision: str) -> None:
    inner = RecordingGraphs()
    memo = Memoryos(
        user_id="u",
        data_storage_path=str(tmp_path),
        embedder=inner,
        use_llm=False,
        background_upkeep=False,
        query_embedding_precision=precision,
    )
    memo.add_memory("I painted a sunrise at the lake", "Lovely!")
    inner.calls.clear()
    memo.retrieve("When did I paint a sunrise?")
    memo.close()
    graphs = {graph for graph, texts in inner.calls if "When did I paint a sunrise?" in texts}
    assert graphs == {precision}
    # pages (the waiting short-term one included) are always embedded by the float32 graph
    assert all(graph == "float32" for graph, texts in inner.calls if "When did I paint a sunrise?" not in texts)
    assert embed_queries(inner, ["x"], precision)[0, 1] == (1.0 if precision == "int8" else 0.0)


def test_a_question_gets_the_same_vector_alone_and_padded_in_a_batch(tmp_path: Path) -> None:
    """The int8 graph of the model a Memoryos embeds its questions with: questions of 3 to ~100 tokens padded into
    one batch each get the vector they get alone (per-call input scales gave cosines down to 0.94 here), so the
    executor may batch them whenever that pays."""
    from memoryos.providers.onnx_embedder import mean_pool

    memo = Memoryos(user_id="u", data_storage_path=str(tmp_path), use_llm=False, background_upkeep=False)
    executor = memo.embedder.get()
    memo.close()
    assert isinstance(executor, BatchingEmbedder) and isinstance(executor.inner, OnnxEmbedder)
    model = executor.inner
    company = [*QUESTIONS, "ok?", LONG_QUESTION]
    feeds = model.feeds(company)
    together = mean_pool(model.query_session().run(None, feeds)[0], feeds["attention_mask"])
    alone = np.vstack([model.embed_queries([text]) for text in company])
    cosines = (alone * together).sum(axis=1)
    assert float(cosines.min()) > 0.99999
    np.testing.assert_allclose(alone, together, atol=1e-5)


LONG_QUESTION = (
    "Tell me everything you remember about the trip we planned to Lisbon, the hotel near the river, the restaurant "
    "my sister recommended, and whether we booked the museum tickets for the Saturday morning or the Sunday "
    "afternoon in the end, because I cannot find the confirmation email anywhere."
)
