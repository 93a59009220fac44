"""The local sentence-transformers model run by ONNX Runtime: the same vectors, without torch.

A single short query costs ~4.5 ms here against ~14 ms through sentence-transformers (whose per-call overhead,
not arithmetic, dominates small inputs), and the process never imports torch. The ONNX graph is built from the
model's own files (config.json and model.safetensors, see bert_onnx) once per model *content*, checked against a
numpy computation of the same network, and kept in a cache directory shared by every installation on the
machine: a new virtual environment or a reinstalled package finds the graph its model files already have.

Queries may run on a second graph of the same model with int8 weights (`embed_queries`, built and cached the same
way on first use): about a third of the CPU per query here, vectors at cosine ~0.997 to the float32 ones (measured
on the LoCoMo questions), so it serves only the query side of a comparison; every stored vector comes from `embed`.

Only the layout of the default family is handled (a BERT encoder, mean pooling, optional normalisation); any
other model is reported as unsupported and the caller falls back to torch.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .bert_onnx import INPUTS, BertShape, UnsupportedModel, build_graph, reference_hidden
from .safetensors_np import SafetensorsError, read_safetensors

log = logging.getLogger(__name__)
MIN_SIDE_BATCH = 8  # texts: smaller parts would pay the per-call overhead for little
# one-time notices a person at a terminal should see (the shells show this logger at INFO)
notice = logging.getLogger("memoryos.notice")

FORMAT_VERSION = "3"  # bump when the built graph changes: its inputs, outputs or computation
_PROBES = ["What do you remember about my job?", "I adopted a puppy named Biscuit last spring. 🐶"]
_SESSIONS: dict[str, Any] = {}
_SESSIONS_LOCK = threading.Lock()
_DIGESTS = "model-digests.json"  # content digests of model files, so a cold start need not hash 90 MB again
_LEGACY_GRAPH = re.compile(r"[^.]+-[0-9a-f]{20}\.onnx")  # graphs of versions keyed by model path and mtime
_STALE_TMP_SECONDS = 3600  # a build's temporary file older than this was left by a process that died
INT8_TAG = "int8"  # the query graph's file: <model>.<digest>.int8.onnx, beside the float32 <model>.<digest>.onnx
# how close the graphs must come to the numpy reference on the probes: float32 computes the same network; the
# query graph only needs to point the same way (it measured 0.989-0.999 on LoCoMo's questions)
_AGREEMENT = {False: 0.9999, True: 0.98}


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
    try:
        BertShape.from_config(config)
    except (UnsupportedModel, KeyError, TypeError, ValueError) as exc:
        raise OnnxUnavailable(str(exc) if isinstance(exc, UnsupportedModel) else f"config.json: {exc!r}") from exc
    settings = _read_json(model_dir / "sentence_bert_config.json")
    return int(settings.get("max_seq_length") or config.get("max_position_embeddings") or 512)


def _slug(model_name: str) -> str:
    last = model_name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9_-]+", "_", last) or "model"


def content_digest(model_dir: Path, cache_dir: Path) -> str:
    """The graph's cache key: a digest of what the graph is built from (config.json, model.safetensors) and of
    FORMAT_VERSION, not of where the files are. Remembered per file identity in the cache directory, so only a new
    or changed copy of the weights is hashed."""
    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    identity = f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ctime_ns}|{stat.st_ino}"
    config = (model_dir / "config.json").read_bytes()
    memo_path = cache_dir / _DIGESTS
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
        if not isinstance(memo, dict):
            memo = {}
    except (OSError, ValueError):
        memo = {}
    weights_digest = memo.get(identity)
    if not isinstance(weights_digest, str):
        weights_digest = _sha256(weights)
        memo = {k: v for k, v in memo.items() if not k.startswith(f"{weights.resolve()}|")}
        memo[identity] = weights_digest
        _write_atomically(memo_path, json.dumps(dict(list(memo.items())[-64:])).encode())
    digest = hashlib.sha256()
    for part in (FORMAT_VERSION.encode(), config, weights_digest.encode()):
        digest.update(part + b"\0")
    return digest.hexdigest()[:24]


def _sha256(path: Path) -> str:  # Python 3.10 has no hashlib.file_digest
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    """Best effort: the memo only saves time, so an unwritable cache is not an error here."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("could not record model digests in %s: %s", path, exc)


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
        self._session = session or _session_for(model_name, directory, cache_dir or default_cache_dir(), threads)
        # a call of several batches runs them side by side, one runtime thread each: on 2 cores that takes
        # ~15-20% less CPU per text than one batch at a time on two threads (no per-operator hand-off between
        # threads), the vectors are the same
        self.workers = 1 if session is not None else max(1, threads or os.cpu_count() or 1)
        self._bulk_args = (model_name, directory, cache_dir or default_cache_dir())
        self._bulk_session: Any = None
        self._pool: ThreadPoolExecutor | None = None
        self._bulk_lock = threading.Lock()
        self._threads = threads
        self._query_session: Any = None
        self._query_single: Any = None
        self.dim = int(self.embed(["dimension probe"]).shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        # texts of the same number of tokens share a batch, so almost nothing of a batch is padding (sorting by
        # characters left ~11% padding on chat pages); the vectors do not depend on the company a text keeps
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        # a call with texts for several workers is cut so each gets a part (the executor hands bulk work over in
        # short slices, one per worker, so that a query waits little); never below MIN_SIDE_BATCH texts a part
        size = min(self.batch_size, max(MIN_SIDE_BATCH, -(-len(order) // self.workers)))
        chunks = [order[start : start + size] for start in range(0, len(order), size)]
        if len(chunks) > 1 and self.workers > 1:
            session, pool = self._bulk()
            parts = list(pool.map(lambda chunk: self._run(session, [encodings[i] for i in chunk]), chunks))
        else:
            parts = [self._run(self._session, [encodings[i] for i in chunk]) for chunk in chunks]
        out = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        for chunk, vectors in zip(chunks, parts, strict=True):
            out[chunk] = vectors
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for the query side of a search, from the int8 graph (made on the first call). The graph gives a
        text the same vector alone and in any company (it quantises each token's row on its own, bert_onnx), yet
        each text runs alone: shared calls measured no gain in serving here, and 32 questions per call lost up to
        a third of the throughput at 32 clients (benchmarks/README, session 24, h-int8batch). Up to one text per
        worker run side by side (benchmarks/README, section 8, session 25)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        if len(encodings) == 1 or self.workers == 1 or len(encodings) > self.workers:
            session = self.query_session()
            return np.concatenate([self._run(session, [enc]) for enc in encodings])
        # a few questions (a retrieval's two forms of one): side by side, one runtime thread each, the caller
        # running the first. A one-row call spread over every core hands each of its ~100 operators between
        # threads; one thread per question has no hand-offs. More questions than workers (those of concurrent
        # requests, taken together by the executor) stay one after another on the spread session: side by side,
        # they cost more CPU per request at 32 clients on an idle machine (benchmarks/README, section 8, session 25)
        session, pool = self._query_side()
        shares = [encodings[k :: self.workers] for k in range(self.workers)]
        others = [pool.submit(self._run_each, session, share) for share in shares[1:] if share]
        parts = [self._run_each(session, shares[0]), *(job.result() for job in others)]
        out = np.empty((len(encodings), parts[0].shape[1]), dtype=np.float32)
        for k, vectors in enumerate(parts):
            out[k :: self.workers] = vectors
        return out

    def query_session(self) -> Any:
        """The int8 graph's ONNX Runtime session, made on the first call."""
        with self._bulk_lock:
            if self._query_session is None:
                self._query_session = _session_for(*self._bulk_args, threads=self._threads, int8=True)
            return self._query_session

    def _query_side(self) -> tuple[Any, ThreadPoolExecutor]:
        """The int8 graph on one runtime thread, and the workers that run questions beside the caller's."""
        _, pool = self._bulk()
        with self._bulk_lock:
            if self._query_single is None:
                self._query_single = _session_for(*self._bulk_args, threads=1, int8=True)
            return self._query_single, pool

    def _run_each(self, session: Any, encodings: Sequence[Any]) -> np.ndarray:
        return np.concatenate([self._run(session, [enc]) for enc in encodings])

    def _run(self, session: Any, encodings: Sequence[Any]) -> np.ndarray:
        feeds = self._feeds(encodings)
        return mean_pool(session.run(None, feeds)[0], feeds["attention_mask"])

    def _bulk(self) -> tuple[Any, ThreadPoolExecutor]:
        """The single-threaded session and the workers that run a long call's batches side by side (made on the
        first long call: a process that only embeds queries never pays for them)."""
        with self._bulk_lock:
            if self._pool is None:
                self._bulk_session = _session_for(*self._bulk_args, threads=1)
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="memoryos-embed")
            return self._bulk_session, self._pool

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text (after truncation): what a batch is padded by."""
        return [len(e.ids) for e in self._tokenizer.encode_batch(list(texts))]

    def feeds(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The graph's inputs for `texts`, padded to the longest."""
        return self._feeds(self._tokenizer.encode_batch(list(texts)))

    @staticmethod
    def _feeds(encodings: Sequence[Any]) -> dict[str, np.ndarray]:
        width = max(len(e.ids) for e in encodings)
        feeds = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in INPUTS}
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            feeds["input_ids"][row, :n] = enc.ids
            feeds["attention_mask"][row, :n] = enc.attention_mask
            feeds["token_type_ids"][row, :n] = enc.type_ids
        return feeds


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (pooled / norms).astype(np.float32)


def _session_for(
    model_name: str, model_dir: Path, cache_dir: Path, threads: int | None = None, int8: bool = False
) -> Any:
    """One ONNX Runtime session per model, precision and thread count per process (sessions are safe to run from
    several threads)."""
    import onnxruntime as ort

    try:
        tag = f".{INT8_TAG}" if int8 else ""
        graph = cache_dir / f"{_slug(model_name)}.{content_digest(model_dir, cache_dir)}{tag}.onnx"
    except OSError as exc:
        raise OnnxUnavailable(f"cannot read the model files: {exc}") from exc
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
            except Exception as exc:  # a truncated or foreign file: build it again
                log.warning("cached ONNX graph %s is unusable (%s); building it again", graph, exc)
        if session is None:
            session = build_cached_graph(model_name, model_dir, graph, options, int8)
        else:
            _touch(graph)
        _SESSIONS[key] = session
        log.info("embedding model runs on ONNX Runtime from %s", graph)
        return session


def build_cached_graph(model_name: str, model_dir: Path, target: Path, options: Any = None, int8: bool = False) -> Any:
    """Build the model's graph (`int8`: the query graph) into `target` (checked, written atomically), remove the
    graphs it replaces, and return the ONNX Runtime session (with `options`) that checked it."""
    import onnxruntime as ort

    try:  # an unwritable cache fails here, before the weights are read
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=target.name, suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OnnxUnavailable(f"cache directory {target.parent} is not writable: {exc}") from exc
    tmp = Path(tmp_name)
    started = time.monotonic()
    notice.info(
        "preparing the embedding model %s for ONNX Runtime: once per model version, a few seconds (cache: %s)",
        model_name,
        target.parent,
    )
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        tensors = read_safetensors(model_dir / "model.safetensors")
        with os.fdopen(fd, "wb") as fh:
            build_graph(config, tensors, int8=int8).write(fh)
        session = ort.InferenceSession(str(tmp), options, providers=["CPUExecutionProvider"])
        _verify(session, model_dir, config, tensors, _AGREEMENT[int8])
        tmp.chmod(0o644)  # a cache others on the machine may share; mkstemp made it private
        os.replace(tmp, target)  # atomic: a concurrent process sees the old file, none, or this one
    except OnnxUnavailable:
        raise
    except (UnsupportedModel, SafetensorsError) as exc:
        raise OnnxUnavailable(str(exc)) from exc
    except Exception as exc:
        raise OnnxUnavailable(f"building the model's ONNX graph failed: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    removed = remove_stale_graphs(target, _slug(model_name))
    notice.info(
        "embedding model %s ready in %.1f s%s",
        model_name,
        time.monotonic() - started,
        f"; removed {len(removed)} outdated cached graph{'s' if len(removed) != 1 else ''}" if removed else "",
    )
    return session


def remove_stale_graphs(current: Path, slug: str) -> list[Path]:
    """Graphs this one replaces: other versions of the same model, graphs named by the old path-and-mtime key
    (one per installation), and temporary files of builds that died. Other models' graphs stay, and so do the
    graphs of this version in the other precision (float32 and the int8 query graph)."""
    removed = []
    now = time.time()
    version = ".".join(current.name[len(slug) + 1 :].split(".")[:1])  # the content digest
    for path in current.parent.iterdir():
        if path == current:
            continue
        name = path.name
        stale = (
            (name.startswith(f"{slug}.") and name.endswith(".onnx") and not name.startswith(f"{slug}.{version}."))
            or _LEGACY_GRAPH.fullmatch(name) is not None
            or (name.endswith(".tmp") and _age(path, now) > _STALE_TMP_SECONDS)
        )
        if stale:
            try:
                path.unlink()
                removed.append(path)
            except OSError as exc:  # another user's file in a shared cache, say
                log.debug("could not remove outdated graph %s: %s", path, exc)
    if removed:
        log.info("removed outdated cached graphs: %s", ", ".join(p.name for p in removed))
    return removed


def _age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except OSError:
        return 0.0


def _touch(path: Path) -> None:
    """Mark a cached graph as used (its mtime), so that whoever cleans the cache by age keeps it."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _verify(
    session: Any, model_dir: Path, config: dict[str, Any], tensors: dict[str, np.ndarray], least: float
) -> None:
    """The graph as this ONNX Runtime optimises and runs it must compute what the network computes (to cosine
    `least`): checked on probe texts (padded to one batch) against numpy."""
    embedder = OnnxEmbedder("build check", str(model_dir), batch_size=8, session=session)
    feeds = embedder.feeds(_PROBES)
    expected = mean_pool(reference_hidden(config, tensors, feeds), feeds["attention_mask"])
    got = mean_pool(session.run(None, feeds)[0], feeds["attention_mask"])
    agreement = float((expected * got).sum(axis=1).min())
    if agreement < least:
        raise OnnxUnavailable(f"the built graph disagrees with the reference computation (cosine {agreement:.6f})")
