"""Turn-level baselines for LoCoMo: BM25 (SQLite FTS5), dense cosine, and the last k turns."""

from __future__ import annotations

import sqlite3

import numpy as np

from memoryos.providers.embeddings import Embedder
from memoryos.textutil import content_tokens

from ._locomo_data import Turn


class BM25Turns:
    """BM25 over turns (speaker name + text, photo caption appended) with FTS5's porter tokenizer."""

    def __init__(self, turns: list[Turn]) -> None:
        self.ids = [t.dia_id for t in turns]
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE turns USING fts5(body, tokenize='porter unicode61')")
        self.db.executemany(
            "INSERT INTO turns(rowid, body) VALUES(?, ?)", [(i, t.labelled()) for i, t in enumerate(turns)]
        )

    def rank(self, question: str, k: int) -> list[str]:
        terms = list(dict.fromkeys(content_tokens(question)))
        if not terms:
            return []
        expression = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = self.db.execute(
            "SELECT rowid FROM turns WHERE turns MATCH ? ORDER BY bm25(turns) LIMIT ?", (expression, k)
        ).fetchall()
        return [self.ids[r[0]] for r in rows]

    def close(self) -> None:
        self.db.close()


class DenseTurns:
    """Cosine similarity over turn embeddings with the same model memoryos uses."""

    def __init__(self, turns: list[Turn], embedder: Embedder) -> None:
        self.ids = [t.dia_id for t in turns]
        self.embedder = embedder
        self.matrix = embedder.embed([t.labelled() for t in turns])

    def rank(self, question: str, k: int) -> list[str]:
        scores = self.matrix @ self.embedder.embed([question])[0]
        top = np.argsort(-scores)[:k]
        return [self.ids[i] for i in top]


class LastTurns:
    """The most recent turns, newest first: what a context window without memory would hold."""

    def __init__(self, turns: list[Turn]) -> None:
        self.ids = [t.dia_id for t in reversed(turns)]

    def rank(self, question: str, k: int) -> list[str]:
        return self.ids[:k]
