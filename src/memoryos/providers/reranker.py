"""An optional cross-encoder that re-orders the best retrieved pages (config `reranker_model`, off by default).

A cross-encoder reads the question and a page together, so it sees that "I painted it after visiting the
center" answers "What inspired the painting?" where two separate vectors do not; the price is one forward pass
per candidate on every retrieval. Only local model directories are accepted (memoryos never downloads models):
a sentence-transformers CrossEncoder, e.g. a copy of cross-encoder/ms-marco-MiniLM-L-6-v2, run on torch
(`pip install "memoryos[torch]"`)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from ..errors import ConfigError

log = logging.getLogger(__name__)

_MODELS: dict[str, tuple[Any, threading.Lock]] = {}
_LOCK = threading.Lock()


class Reranker(Protocol):
    def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        """Relevance of each text to the query, higher is better."""
        ...


def check_reranker_path(value: str) -> str:
    """A reranker_model must be a local model directory: the folder with config.json."""
    path = Path(value).expanduser()
    if not path.is_dir():
        raise ValueError(
            f"{value!r} is not a directory; give the directory of a local sentence-transformers cross-encoder "
            "(the folder with config.json), or leave reranker_model unset"
        )
    if not (path / "config.json").is_file():
        raise ValueError(f"{value!r} has no config.json: it is not a cross-encoder model directory")
    return value


class CrossEncoderReranker:
    """A local sentence-transformers CrossEncoder, loaded at first use, once per process."""

    def __init__(self, model_path: str, batch_size: int = 32) -> None:
        self.path = str(Path(model_path).expanduser())
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        with _LOCK:
            cached = _MODELS.get(self.path)
            if cached is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                try:
                    from sentence_transformers import CrossEncoder
                except ImportError as exc:
                    raise ConfigError(
                        "reranker_model runs on torch with sentence-transformers, which is not installed: "
                        'pip install "memoryos[torch]"'
                    ) from exc
                try:
                    model = CrossEncoder(self.path, device="cpu")
                except Exception as exc:
                    raise ConfigError(f"cannot load reranker_model {self.path!r}: {exc}") from exc
                # torch modules are not safe to call from two threads at once: one lock per model
                cached = _MODELS[self.path] = (model, threading.Lock())
                log.info("loaded reranker %s", self.path)
        self._model, self._lock = cached

    def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        if self._model is None:
            self._load()
        with self._lock:
            values = self._model.predict(
                [(query, text) for text in texts], batch_size=self.batch_size, show_progress_bar=False
            )
        return [float(v) for v in values]


__all__ = ["CrossEncoderReranker", "Reranker", "check_reranker_path"]
