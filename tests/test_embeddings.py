"""The local embedding model's two backends: ONNX Runtime (the default, built from the model's files without
torch) and torch give the same vectors. Tests that compare with torch need the `[torch]` extra and skip without it;
CI installs it."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memoryos import Memoryos
from memoryos.config import build_config
from memoryos.errors import ConfigError
from memoryos.providers.embeddings import SentenceTransformerEmbedder, _resolve_model_path, local_embedder
from memoryos.providers.onnx_embedder import OnnxEmbedder, OnnxUnavailable, check_layout

TEXTS = [
    "What do you remember about my job?",
    "I'm Tom, a data scientist in San Francisco; I love hiking with my dog Biscuit.",
    "ok",
    "",
    "   ",
    "Émile a écrit «bonjour» — مرحبا — 你好 🐶🎉",
    "word " * 600,  # past the model's 256-token limit: truncated the same way by both
]
FACTS = [
    "I adopted a puppy named Biscuit",
    "My sister lives in Lisbon",
    "I play chess on Tuesdays",
    "My favourite food is ramen",
    "I work night shifts at the hospital",
    "I am learning to play the cello",
    "I am saving up for a trip to Japan",
]
MODEL_DIR = Path(_resolve_model_path("all-MiniLM-L6-v2"))
_NOTICE = "memoryos.notice"


def _torch_model() -> SentenceTransformerEmbedder:
    pytest.importorskip("sentence_transformers", reason="comparing with torch needs the [torch] extra")
    model = local_embedder("all-MiniLM-L6-v2", backend="torch")
    assert isinstance(model, SentenceTransformerEmbedder)
    return model


def test_the_default_backend_is_onnx_and_agrees_with_torch(embedder: Any) -> None:
    assert isinstance(embedder, OnnxEmbedder) and embedder.name == "all-MiniLM-L6-v2" and embedder.dim == 384
    torch_model = _torch_model()
    fast, reference = embedder.embed(TEXTS), torch_model.embed(TEXTS)
    assert fast.dtype == np.float32 and fast.shape == reference.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert float((fast * reference).sum(axis=1).min()) > 0.9999
    # batching and order do not change a text's vector
    single = np.vstack([embedder.embed([t]) for t in reversed(TEXTS)])[::-1]
    assert float((single * fast).sum(axis=1).min()) > 0.9999
    assert embedder.embed([]).shape == (0, 384)


def test_a_store_written_with_one_backend_is_read_with_the_other(tmp_path: Path, embedder: Any) -> None:
    """Both backends record the same model name, so switching backends is no model change."""
    pytest.importorskip("sentence_transformers", reason="comparing with torch needs the [torch] extra")
    kwargs: dict[str, Any] = dict(user_id="u", data_storage_path=str(tmp_path), short_term_capacity=3)
    with Memoryos(**kwargs, embedder=embedder) as memo:
        for i, text in enumerate(FACTS):
            memo.add_memory(text, f"Nice! ({i})")
        memo.flush()
        assert memo.stats()["pages"]["mid"] >= 4
    torch_model = _torch_model()
    with Memoryos(**kwargs, embedder=torch_model) as memo:
        top = memo.retrieve("what is my dog called?", update_heat=False).pages[0]
        assert "Biscuit" in top.page.user_input
        assert memo.check() == []


def _cls_model(tmp_path: Path) -> Path:
    """A copy of the model that claims CLS pooling: not the layout the ONNX path implements."""
    other = tmp_path / "cls-model"
    shutil.copytree(MODEL_DIR, other)
    pooling = json.loads((other / "1_Pooling" / "config.json").read_text())
    pooling.update(pooling_mode_cls_token=True, pooling_mode_mean_tokens=False)
    (other / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    return other


def test_backend_choice_is_validated_and_unsupported_layouts_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="embedding_backend"):
        local_embedder("all-MiniLM-L6-v2", backend="gpu")
    monkeypatch.setenv("MEMORYOS_EMBEDDING_BACKEND", "tensorflow")
    with pytest.raises(ConfigError, match="embedding_backend"):
        build_config({})
    monkeypatch.setenv("MEMORYOS_EMBEDDING_BACKEND", "torch")
    assert build_config({}).embedding_backend == "torch"

    other = _cls_model(tmp_path)
    with pytest.raises(OnnxUnavailable, match="mean pooling"):
        check_layout(other)
    with pytest.raises(ConfigError, match="'onnx' is unavailable"):
        local_embedder(str(other), backend="onnx", cache_dir=tmp_path / "cache")
    config = json.loads((MODEL_DIR / "config.json").read_text())
    for change, reason in (({"model_type": "roberta"}, "architecture"), ({"hidden_act": "relu"}, "activation")):
        odd = tmp_path / f"odd-{reason}"
        shutil.copytree(MODEL_DIR, odd)
        (odd / "config.json").write_text(json.dumps({**config, **change}))
        with pytest.raises(OnnxUnavailable, match=reason):
            check_layout(odd)
    assert not (tmp_path / "cache").exists()  # nothing built for a model it cannot serve


def test_unsupported_models_fall_back_to_torch(tmp_path: Path, caplog: Any) -> None:
    pytest.importorskip("sentence_transformers", reason="the torch fallback needs the [torch] extra")
    other = _cls_model(tmp_path)
    with caplog.at_level(logging.INFO, logger="memoryos.providers.embeddings"):
        fallback = local_embedder(str(other), cache_dir=tmp_path / "cache")
    assert isinstance(fallback, SentenceTransformerEmbedder) and "runs on torch" in caplog.text
    assert not (tmp_path / "cache").exists()

    # a cache that cannot be written (here: below a file, which stops root too): torch serves, with the reason
    (tmp_path / "a-file").write_text("not a directory")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="memoryos.providers.embeddings"):
        unwritable = local_embedder("all-MiniLM-L6-v2", cache_dir=tmp_path / "a-file" / "cache")
    assert isinstance(unwritable, SentenceTransformerEmbedder) and "not writable" in caplog.text


def test_without_torch_an_unsupported_model_says_what_to_install(tmp_path: Path) -> None:
    """The default install has no torch: a model only torch can run fails with the reason and the remedy."""
    script = (
        "import sys\n"
        "for name in ('torch', 'sentence_transformers', 'transformers'):\n"
        "    sys.modules[name] = None  # as if not installed\n"
        "from memoryos.errors import ConfigError\n"
        "from memoryos.providers.embeddings import local_embedder\n"
        "try:\n"
        f"    local_embedder({str(_cls_model(tmp_path))!r}, cache_dir={str(tmp_path / 'cache')!r})\n"
        "except ConfigError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert "memoryos[torch]" in out.stdout and "mean pooling" in out.stdout, out.stdout + out.stderr[-2000:]


def test_a_damaged_cached_graph_is_built_again(tmp_path: Path, embedder: Any, caplog: Any) -> None:
    cache = tmp_path / "cache"
    first = OnnxEmbedder("all-MiniLM-L6-v2", str(MODEL_DIR), cache_dir=cache)  # builds into the new cache
    graphs = list(cache.glob("*.onnx"))
    assert len(graphs) == 1 and not list(cache.glob("*.tmp"))
    assert graphs[0].name.startswith("all-MiniLM-L6-v2.")
    assert float((first.embed(TEXTS[:2]) * embedder.embed(TEXTS[:2])).sum(axis=1).min()) > 0.9999

    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / graphs[0].name).write_bytes(graphs[0].read_bytes()[:5000])  # a crash mid-copy, say
    with caplog.at_level(logging.WARNING, logger="memoryos.providers.onnx_embedder"):
        again = OnnxEmbedder("all-MiniLM-L6-v2", str(MODEL_DIR), cache_dir=damaged)
    assert "unusable" in caplog.text
    assert (damaged / graphs[0].name).stat().st_size == graphs[0].stat().st_size
    assert float((again.embed(TEXTS) * embedder.embed(TEXTS)).sum(axis=1).min()) > 0.9999


_BUILD_SCRIPT = """
import json, logging, sys
from pathlib import Path
for name in ("torch", "sentence_transformers", "transformers", "onnx"):
    sys.modules[name] = None  # as in the default install: none of them
notices = []
handler = logging.Handler()
handler.emit = lambda record: notices.append(record.getMessage())
logging.getLogger("memoryos.notice").addHandler(handler)
logging.getLogger("memoryos.notice").setLevel(logging.INFO)
from memoryos.providers.onnx_embedder import OnnxEmbedder
model = OnnxEmbedder("all-MiniLM-L6-v2", sys.argv[1], cache_dir=Path(sys.argv[2]))
print(json.dumps({"notices": notices, "vectors": model.embed(json.loads(sys.argv[3])).tolist()}))
"""


def _build_in_a_fresh_process(model_dir: Path, cache: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _BUILD_SCRIPT, str(model_dir), str(cache), json.dumps(TEXTS)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def test_the_graph_is_built_without_torch_once_per_model_content(tmp_path: Path, embedder: Any) -> None:
    """A first start builds the graph from model.safetensors with torch absent, says so once with how long it
    took, and removes the graphs it replaces; a copy of the same model files elsewhere (a new virtual
    environment, a reinstall) finds that graph instead of building another."""
    cache = tmp_path / "cache"
    cache.mkdir()
    legacy = cache / "model-0123456789abcdef0123.onnx"  # keyed by path and mtime, one per installation
    older = cache / "all-MiniLM-L6-v2.00000000000000000000beef.onnx"  # another version of this model
    dead_build = cache / "all-MiniLM-L6-v2.1234.onnxk3j2h1.tmp"
    live_build = cache / "all-MiniLM-L6-v2.5678.onnx9x8y7z.tmp"  # a concurrent build, still going
    unrelated = cache / "other-model.00000000000000000000cafe.onnx"
    for path in (legacy, older, dead_build, live_build, unrelated):
        path.write_bytes(b"x")
    os.utime(dead_build, (time.time() - 7200, time.time() - 7200))

    first = _build_in_a_fresh_process(MODEL_DIR, cache)
    assert len(first["notices"]) == 2, first["notices"]
    assert first["notices"][0].startswith("preparing the embedding model all-MiniLM-L6-v2 for ONNX Runtime")
    assert re.fullmatch(r"embedding model all-MiniLM-L6-v2 ready in \d+\.\d s; removed 3 outdated cached graphs",
                        first["notices"][1]), first["notices"][1]
    graphs = sorted(p.name for p in cache.glob("all-MiniLM-L6-v2.*.onnx"))
    assert len(graphs) == 1 and graphs[0] != older.name
    assert not legacy.exists() and not older.exists() and not dead_build.exists()
    assert live_build.exists() and unrelated.exists()
    vectors = np.asarray(first["vectors"], dtype=np.float32)
    assert float((vectors * embedder.embed(TEXTS)).sum(axis=1).min()) > 0.9999

    copy = tmp_path / "venv2" / "model"
    shutil.copytree(MODEL_DIR, copy, copy_function=shutil.copyfile)  # new path, new mtimes, same content
    again = _build_in_a_fresh_process(copy, cache)
    assert again["notices"] == []
    assert sorted(p.name for p in cache.glob("all-MiniLM-L6-v2.*.onnx")) == graphs
    assert np.allclose(np.asarray(again["vectors"], dtype=np.float32), vectors, atol=1e-6)

    # changed weights are another model: a new graph, and the old one goes
    changed = tmp_path / "changed"
    shutil.copytree(MODEL_DIR, changed, copy_function=shutil.copyfile)
    tensors = bytearray((changed / "model.safetensors").read_bytes())
    tensors[-4:] = np.float32(0.5).tobytes()  # the last value of the last tensor
    (changed / "model.safetensors").write_bytes(bytes(tensors))
    third = _build_in_a_fresh_process(changed, cache)
    assert third["notices"][1].endswith("removed 1 outdated cached graph")
    assert len(list(cache.glob("all-MiniLM-L6-v2.*.onnx"))) == 1 and not (cache / graphs[0]).exists()


def test_a_process_with_a_warm_cache_never_imports_torch(tmp_path: Path, embedder: Any) -> None:
    """The cold-start win: the query path needs neither torch nor sentence-transformers."""
    script = (
        "import sys\n"
        "from memoryos import Memoryos\n"
        f"memo = Memoryos(user_id='u', data_storage_path={str(tmp_path)!r})\n"
        "memo.add_memory('I live in Lisbon', 'Lovely city!')\n"
        "print(len(memo.retrieve('where do I live?').short_term), 'torch' in sys.modules)\n"
        "memo.close()\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["1", "False"], out.stderr[-2000:]


def test_a_process_that_never_closes_its_memory_exits_cleanly_and_keeps_its_visits(tmp_path: Path) -> None:
    """At exit, open instances are closed: pending heat writes land and no upkeep thread is inside the model
    runtime when the process tears down (which once made ONNX Runtime abort the process)."""
    script = (
        "from memoryos import Memoryos\n"
        f"memo = Memoryos(user_id='u', data_storage_path={str(tmp_path)!r}, short_term_capacity=3)\n"
        "for i in range(24):\n"
        "    memo.add_memory(f'I like hobby number {i} because of reason {i * 7}', f'Cool, hobby {i}!')\n"
        "memo.flush()\n"
        "for i in range(6):\n"
        "    memo.add_memory(f'Later I mentioned my hobby number {i} again', 'Noted!')\n"
        "print(len(memo.retrieve('hobby number 3 and its reason').visited_segment_ids))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0 and "terminate" not in out.stderr, out.stderr[-2000:]
    visited = int(out.stdout.split()[-1])
    assert visited >= 1
    with Memoryos(user_id="u", data_storage_path=str(tmp_path)) as memo:
        assert sum(s["n_visit"] for s in memo.list_segments()) >= visited


def test_embedding_threads_bound_the_runtime(embedder: Any) -> None:
    """Several processes on few cores each take one thread instead of fighting over all of them."""
    single = local_embedder("all-MiniLM-L6-v2", threads=1)
    assert isinstance(single, OnnxEmbedder)
    assert single._session.get_session_options().intra_op_num_threads == 1
    assert embedder._session.get_session_options().intra_op_num_threads == 0  # the runtime's default
    assert float((single.embed(TEXTS) * embedder.embed(TEXTS)).sum(axis=1).min()) > 0.9999
    assert build_config({"embedding_threads": 2}).embedding_threads == 2
    with pytest.raises(ConfigError):
        build_config({"embedding_threads": 0})
