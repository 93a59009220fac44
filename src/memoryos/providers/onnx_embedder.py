"""The local sentence-transformers model run by ONNX Runtime: the same vectors, without torch on the query path.

A single short query costs ~4.5 ms here against ~14 ms through sentence-transformers (whose per-call overhead,
not arithmetic, dominates small inputs), and a process that finds the exported graph in its cache never imports
torch at all, which cuts seconds from a cold start. The graph is exported from the torch model once per model
file and kept in a cache directory; each export is checked against torch before it is kept.

Only the layout of the default family is handled (a BERT-style transformer, mean pooling, optional
normalisation); any other model is reported as unsupported and the caller falls back to torch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FORMAT_VERSION = "1"  # bump when the exported graph's inputs or outputs change
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_PROBES = ["What do you remember about my job?", "I adopted a puppy named Biscuit last spring. 🐶", "ok"]
_SESSIONS: dict[str, Any] = {}
_SESSIONS_LOCK = threading.Lock()


class OnnxUnavailable(RuntimeError):
    """This model or this machine cannot use the ONNX path (the message says why); torch serves instead."""


def default_cache_dir() -> Path:
    explicit = os.environ.get("MEMORYOS_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "memoryos"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OnnxUnavailable(f"cannot read {path.name}: {exc}") from exc


def check_layout(model_dir: Path) -> int:
    """The model's maximum sequence length, if its layout is transformer → mean pooling (→ normalise)."""
    if not (model_dir / "tokenizer.json").is_file() or not (model_dir / "model.safetensors").is_file():
        raise OnnxUnavailable("the model directory has no tokenizer.json or model.safetensors")
    modules = _read_json(model_dir / "modules.json")
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise OnnxUnavailable(f"unsupported module layout {kinds}")
    pooling_path = next(m.get("path", "") for m in modules if str(m.get("type", "")).endswith("Pooling"))
    pooling = _read_json(model_dir / pooling_path / "config.json")
    # sentence-transformers < 6 writes a flag per mode; 6 writes one "pooling_mode" (what `save` gives today)
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v}
    if "pooling_mode" in pooling:
        modes.add(f"pooling_mode_{pooling['pooling_mode']}_tokens")
    if modes != {"pooling_mode_mean_tokens"}:
        raise OnnxUnavailable("only mean pooling is supported")
    config = _read_json(model_dir / "config.json")
    if config.get("model_type") != "bert":
        raise OnnxUnavailable(f"unsupported architecture {config.get('model_type')!r}")
    settings = _read_json(model_dir / "sentence_bert_config.json")
    return int(settings.get("max_seq_length") or config.get("max_position_embeddings") or 512)


def fingerprint(model_dir: Path) -> str:
    """Changes whenever the weights or configuration could have: path, size and mtime of the weights, the config."""
    weights = (model_dir / "model.safetensors").stat()
    digest = hashlib.sha256()
    for part in (FORMAT_VERSION, str(model_dir.resolve()), str(weights.st_size), str(weights.st_mtime_ns)):
        digest.update(part.encode() + b"\0")
    digest.update((model_dir / "config.json").read_bytes())
    return digest.hexdigest()[:20]


class OnnxEmbedder:
    """Unit-norm float32 vectors of a local mean-pooling BERT-style model, computed by ONNX Runtime."""

    def __init__(
        self,
        model_name: str,
        model_dir: str,
        batch_size: int = 32,
        cache_dir: Path | None = None,
        threads: int | None = None,
        session: Any = None,
    ) -> None:
        """`session`: run this ONNX Runtime session instead of the cached graph's (used to check a new export)."""
        try:
            import onnxruntime  # noqa: F401
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise OnnxUnavailable(f"onnxruntime is not installed ({exc})") from exc
        # tokenizers' own thread pool breaks in processes forked after it started (servers with workers do that)
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        directory = Path(model_dir)
        max_length = check_layout(directory)
        self.name = model_name
        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=max_length)
        self._tokenizer.no_padding()  # padded per batch below, to the batch's longest text
        self._session = session or _session_for(directory, cache_dir or default_cache_dir(), threads)
        self.dim = int(self.embed(["dimension probe"]).shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        # similar lengths share a batch, so little of each batch is padding
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: np.ndarray | None = None
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            vectors = self._run([texts[i] for i in chunk])
            if out is None:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[chunk] = vectors
        assert out is not None
        return out

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        feeds = {name: np.zeros((len(texts), width), dtype=np.int64) for name in _INPUTS}
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            feeds["input_ids"][row, :n] = enc.ids
            feeds["attention_mask"][row, :n] = enc.attention_mask
            feeds["token_type_ids"][row, :n] = enc.type_ids
        hidden = self._session.run(None, feeds)[0]
        return mean_pool(hidden, feeds["attention_mask"])


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (pooled / norms).astype(np.float32)


def _session_for(model_dir: Path, cache_dir: Path, threads: int | None = None) -> Any:
    """One ONNX Runtime session per model and thread count per process (sessions are safe to run from several
    threads)."""
    import onnxruntime as ort

    graph = cache_dir / f"{model_dir.name}-{fingerprint(model_dir)}.onnx"
    key = f"{graph}|{threads or 0}"
    with _SESSIONS_LOCK:
        session = _SESSIONS.get(key)
        if session is not None:
            return session
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = threads
        # idle worker threads sleep instead of spinning: the store, the upkeep worker and other processes need the
        # cores between queries more than a query needs the last fraction of a millisecond
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = None
        if graph.is_file():
            try:
                session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
            except Exception as exc:  # a truncated or foreign file: export again
                log.warning("cached ONNX graph %s is unusable (%s); exporting it again", graph, exc)
        if session is None:
            export_graph(model_dir, graph)
            session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        _SESSIONS[key] = session
        log.info("embedding model runs on ONNX Runtime from %s", graph)
        return session


def export_graph(model_dir: Path, target: Path) -> None:
    """Export the torch model to `target`, verified against torch on probe texts, written atomically."""
    try:
        import torch  # noqa: F401 - only to report a missing torch here, before anything is written
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise OnnxUnavailable(f"exporting the model needs torch and sentence-transformers ({exc})") from exc
    try:  # an unwritable cache fails here, before the model is loaded
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OnnxUnavailable(f"cache directory {target.parent} is not writable: {exc}") from exc
    tmp = Path(tmp_name)
    try:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        hf_logging.disable_progress_bar()  # stderr is for our logs
        model = SentenceTransformer(str(model_dir), device="cpu")
        _trace(model, tmp)
        _verify(tmp, model_dir, model)
        tmp.chmod(0o644)  # a cache others on the machine may share; mkstemp made it private
        os.replace(tmp, target)  # atomic: a concurrent process sees the old file, none, or this one
    except OnnxUnavailable:
        raise
    except Exception as exc:
        raise OnnxUnavailable(f"exporting the model to ONNX failed: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    log.info("exported %s to ONNX at %s", model_dir.name, target)


def _trace(model: Any, path: Path) -> None:
    import torch

    transformer = model[0].auto_model.eval()

    class HiddenStates(torch.nn.Module):  # keyword arguments: positional order differs between transformers versions
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = model.tokenizer(_PROBES[:2], padding=True, return_tensors="pt")
    with torch.no_grad(), warnings.catch_warnings():
        # the tracer's notes on branches it froze; _verify checks the graph against torch instead
        warnings.simplefilter("ignore")
        torch.onnx.export(
            HiddenStates(),
            tuple(sample[name] for name in _INPUTS),
            str(path),
            input_names=list(_INPUTS),
            output_names=["hidden"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "hidden")},
            opset_version=17,
            dynamo=False,
        )


def _verify(graph: Path, model_dir: Path, model: Any) -> None:
    import onnxruntime as ort

    expected = np.asarray(model.encode(_PROBES, normalize_embeddings=True), dtype=np.float32)
    session = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    got = OnnxEmbedder("export check", str(model_dir), batch_size=8, session=session).embed(_PROBES)
    agreement = float((expected * got).sum(axis=1).min())
    if agreement < 0.9999:
        raise OnnxUnavailable(f"the exported graph disagrees with torch (cosine {agreement:.6f})")
