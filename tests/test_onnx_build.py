"""The pieces of the torch-free ONNX path: the safetensors reader, the ONNX writer and the BERT graph, on small
models made here (a tiny random BERT), checked by ONNX Runtime and, where installed, by transformers itself."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memoryos.providers.bert_onnx import INPUTS, UnsupportedModel, build_graph, reference_hidden
from memoryos.providers.onnx_writer import FLOAT, Graph, Message
from memoryos.providers.safetensors_np import SafetensorsError, read_safetensors

ort = pytest.importorskip("onnxruntime")

TINY = {
    "model_type": "bert",
    "hidden_size": 8,
    "num_attention_heads": 2,
    "num_hidden_layers": 2,
    "intermediate_size": 16,
    "vocab_size": 30,
    "max_position_embeddings": 12,
    "type_vocab_size": 2,
    "layer_norm_eps": 1e-12,
    "hidden_act": "gelu",
}


def _write_safetensors(path: Path, tensors: dict[str, tuple[str, list[int], bytes]]) -> None:
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    body = b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(body), len(body) + len(raw)]}
        body += raw
    encoded = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + body)


def _session(model: Message, path: Path) -> Any:
    with path.open("wb") as fh:
        model.write(fh)
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def test_safetensors_are_read_in_every_float_width_and_damage_is_named(tmp_path: Path) -> None:
    values = np.array([[1.5, -2.25, 0.0], [3.0, 256.0, -0.125]], dtype=np.float32)
    bf16 = (values.view(np.uint32) >> 16).astype("<u2").tobytes()  # these values are exact in bfloat16
    path = tmp_path / "w.safetensors"
    _write_safetensors(
        path,
        {
            "f32": ("F32", [2, 3], values.astype("<f4").tobytes()),
            "f16": ("F16", [2, 3], values.astype("<f2").tobytes()),
            "bf16": ("BF16", [2, 3], bf16),
            "ids": ("I64", [1, 3], np.array([[0, 1, 2]], dtype="<i8").tobytes()),
        },
    )
    tensors = read_safetensors(path)
    assert set(tensors) == {"f32", "f16", "bf16", "ids"}
    for name in ("f32", "f16", "bf16"):
        assert tensors[name].dtype == np.float32 and tensors[name].shape == (2, 3)
        np.testing.assert_array_equal(tensors[name], values)
    assert tensors["ids"].dtype == np.int64 and tensors["ids"].tolist() == [[0, 1, 2]]

    cases = {
        "short": b"\x01\x02",
        "header": struct.pack("<Q", 1 << 40) + b"{}",
        "json": struct.pack("<Q", 5) + b"{nope",
        "range": struct.pack("<Q", 60) + json.dumps({"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})
        .encode()
        .ljust(60),
        "dtype": struct.pack("<Q", 60) + json.dumps({"t": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}})
        .encode()
        .ljust(60)
        + bytes(8),
        "shape": struct.pack("<Q", 60) + json.dumps({"t": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})
        .encode()
        .ljust(60)
        + bytes(8),
    }
    for label, data in cases.items():
        bad = tmp_path / f"{label}.safetensors"
        bad.write_bytes(data)
        with pytest.raises(SafetensorsError):
            read_safetensors(bad)


def test_the_writer_encodes_what_onnx_runtime_reads(tmp_path: Path) -> None:
    """Negative ints, float and int-list attributes, int64 and float initialisers, symbolic and fixed dims."""
    g = Graph("writer_check")
    x = g.input("x", FLOAT, ["batch", 3, 4])
    scale = g.constant("scale", np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32))
    shape = g.constant("shape", np.array([0, -1], dtype=np.int64))
    y = g.node("Transpose", [g.node("Mul", [x, scale])], perm=[0, 2, 1])
    y = g.node("Reshape", [g.node("Softmax", [y], axis=-1), shape])
    g.node("LeakyRelu", [g.node("Sub", [y, g.constant("half", np.array(0.5, dtype=np.float32))])], "out", alpha=0.25)
    g.output("out", FLOAT, ["batch", 12])
    session = _session(g.model(17), tmp_path / "w.onnx")

    data = np.random.default_rng(0).normal(size=(2, 3, 4)).astype(np.float32)
    z = (data * [1, 2, 3, 4]).transpose(0, 2, 1)
    z = np.exp(z - z.max(-1, keepdims=True))
    z = (z / z.sum(-1, keepdims=True)).reshape(2, 12) - 0.5
    expected = np.where(z > 0, z, 0.25 * z)
    np.testing.assert_allclose(session.run(None, {"x": data})[0], expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError):
        g.constant("bad", np.array([1], dtype=np.int32))


def _tiny_bert(seed: int, prefix: str = "") -> dict[str, np.ndarray]:
    """Random weights in the layout of a Hugging Face BertModel checkpoint (plus a pooler the graph ignores)."""
    rng = np.random.default_rng(seed)
    h, inner = TINY["hidden_size"], TINY["intermediate_size"]

    def r(*shape: int) -> np.ndarray:
        return rng.normal(scale=0.5, size=shape).astype(np.float32)

    w = {
        "embeddings.word_embeddings.weight": r(TINY["vocab_size"], h),
        "embeddings.position_embeddings.weight": r(TINY["max_position_embeddings"], h),
        "embeddings.token_type_embeddings.weight": r(2, h),
        "embeddings.LayerNorm.weight": 1 + r(h),
        "embeddings.LayerNorm.bias": r(h),
        "pooler.dense.weight": r(h, h),
        "pooler.dense.bias": r(h),
    }
    for i in range(TINY["num_hidden_layers"]):
        base = f"encoder.layer.{i}."
        for name, (out_dim, in_dim) in {
            "attention.self.query": (h, h),
            "attention.self.key": (h, h),
            "attention.self.value": (h, h),
            "attention.output.dense": (h, h),
            "intermediate.dense": (inner, h),
            "output.dense": (h, inner),
        }.items():
            w[base + name + ".weight"], w[base + name + ".bias"] = r(out_dim, in_dim), r(out_dim)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[base + norm + ".weight"], w[base + norm + ".bias"] = 1 + r(h), r(h)
    return {prefix + k: v for k, v in w.items()}


def _feeds() -> dict[str, np.ndarray]:
    """Two texts of different lengths padded into one batch, the second with token types 1 (a sentence pair)."""
    ids = np.array([[2, 7, 9, 4, 11, 3], [2, 5, 3, 0, 0, 0]], dtype=np.int64)
    mask = (ids > 0).astype(np.int64)
    types = np.array([[0, 0, 0, 0, 0, 0], [0, 1, 1, 0, 0, 0]], dtype=np.int64)
    return dict(zip(INPUTS, (ids, mask, types), strict=True))


@pytest.mark.parametrize("prefix", ["", "bert."])
def test_the_graph_computes_the_reference_network(tmp_path: Path, prefix: str) -> None:
    weights = _tiny_bert(1, prefix)
    session = _session(build_graph(TINY, weights), tmp_path / "tiny.onnx")
    feeds = _feeds()
    hidden = session.run(None, feeds)[0]
    assert hidden.shape == (2, 6, TINY["hidden_size"]) and hidden.dtype == np.float32
    np.testing.assert_allclose(hidden, reference_hidden(TINY, weights, feeds), rtol=1e-4, atol=1e-4)
    # padding changes nothing for the real tokens: the short text alone gives the same states
    alone = {k: v[1:, :3] for k, v in feeds.items()}
    np.testing.assert_allclose(session.run(None, alone)[0][0], hidden[1, :3], rtol=1e-4, atol=1e-4)


def test_the_int8_graph_gives_a_text_the_same_states_alone_and_padded_in_a_batch(tmp_path: Path) -> None:
    """Each token row of a product's input has its own scale: the short text's states do not depend on the long
    one beside it or on its padding (with one scale per call they did: the batch's largest value set it)."""
    weights = _tiny_bert(3)
    session = _session(build_graph(TINY, weights, int8=True), tmp_path / "tiny8.onnx")
    feeds = _feeds()
    feeds["input_ids"][0, 1] = 29  # the long text gets other values than the short one's
    hidden = session.run(None, feeds)[0]
    alone = {k: v[1:, :3] for k, v in feeds.items()}
    np.testing.assert_allclose(session.run(None, alone)[0][0], hidden[1, :3], rtol=0, atol=1e-6)
    # and it is still the network: every real token's state points where the float32 reference's does
    reference = reference_hidden(TINY, weights, feeds)
    real = feeds["attention_mask"].astype(bool)
    got, want = hidden[real], reference[real]
    cosines = (got * want).sum(-1) / np.linalg.norm(got, axis=-1) / np.linalg.norm(want, axis=-1)
    assert float(cosines.min()) > 0.99


def test_the_graph_matches_transformers_bert_model(tmp_path: Path) -> None:
    """The independent check: transformers' own BertModel with the same weights gives the same hidden states."""
    torch = pytest.importorskip("torch", reason="comparing with transformers needs the [torch] extra")
    transformers = pytest.importorskip("transformers")
    weights = _tiny_bert(2)
    model = transformers.BertModel(transformers.BertConfig(**TINY), add_pooling_layer=True).eval()
    state = {k: torch.from_numpy(v.copy()) for k, v in weights.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all("position_ids" in k for k in missing)
    feeds = _feeds()
    with torch.no_grad():
        expected = model(**{k: torch.from_numpy(v) for k, v in feeds.items()}).last_hidden_state.numpy()
    got = _session(build_graph(TINY, weights), tmp_path / "tiny.onnx").run(None, feeds)[0]
    real = feeds["attention_mask"].astype(bool)  # transformers' states at padded positions are not used
    np.testing.assert_allclose(got[real], expected[real], rtol=1e-4, atol=1e-4)


def test_layouts_the_graph_does_not_implement_are_refused() -> None:
    weights = _tiny_bert(3)
    for change in ({"model_type": "roberta"}, {"hidden_act": "gelu_new"}, {"position_embedding_type": "relative_key"}):
        with pytest.raises(UnsupportedModel):
            build_graph({**TINY, **change}, weights)
    with pytest.raises(UnsupportedModel, match="word-embedding"):
        build_graph(TINY, {k: v for k, v in weights.items() if "word_embeddings" not in k})
    with pytest.raises(UnsupportedModel, match=r"encoder\.layer\.1\.output\.dense\.weight"):
        build_graph(TINY, {k: v for k, v in weights.items() if k != "encoder.layer.1.output.dense.weight"})
