"""A BERT encoder's ONNX graph, built from its config.json and weights: no torch, no exporter.

The graph maps (input_ids, attention_mask, token_type_ids) to the last hidden states, exactly the computation of
a Hugging Face `BertModel` in eval mode: embeddings (word + absolute position + token type) and LayerNorm, then
per layer self-attention with the padding mask, a residual LayerNorm, a GELU (erf) feed-forward and another
residual LayerNorm. `reference_hidden` computes the same in numpy, so a built graph can be checked before use.

`build_graph(..., int8=True)` builds a lower-precision variant for query embeddings only: each of the encoder's
weight matrices in int8 (per output column, symmetric, 7 bits so that the u8 x s8 kernels of CPUs without VNNI
never saturate their 16-bit sums), its input quantised per token row (uint8 around 128, scale = the row's peak
|x| / 127) into MatMulInteger. A row's integers, and so a text's vector, do not depend on the other texts of the
batch or on padding (one scale per call did: cosine down to 0.94 between a text alone and in a batch), and the
error is smaller (cosine to float32 on LoCoMo's questions min 0.9949 / mean 0.9968, against 0.9887 / 0.9940).
Attention products, LayerNorm and GELU stay float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .onnx_writer import FLOAT, INT64, Graph, Message

ACTIVATION_LEVELS = 127  # activations: -127..127 around the zero point 128 of uint8
INT8_LEVELS = 63  # 7-bit weights: |w| * 255 * 2 stays below 2^15 in the 16-bit pair sums of u8 x s8 kernels

OPSET = 17  # LayerNormalization is a standard op from 17 on
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_MASKED = float(np.finfo(np.float32).min)  # what transformers adds to the scores of padding tokens


class UnsupportedModel(ValueError):
    """The config or weights are not those of the BERT layout built here (the message says what differs)."""


@dataclass(frozen=True)
class BertShape:
    hidden: int
    heads: int
    layers: int
    eps: float

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> BertShape:
        if config.get("model_type") != "bert":
            raise UnsupportedModel(f"unsupported architecture {config.get('model_type')!r}")
        if config.get("hidden_act", "gelu") != "gelu":
            raise UnsupportedModel(f"unsupported activation {config.get('hidden_act')!r}")
        if config.get("position_embedding_type", "absolute") != "absolute":
            raise UnsupportedModel(f"unsupported position embeddings {config.get('position_embedding_type')!r}")
        shape = cls(
            int(config["hidden_size"]),
            int(config["num_attention_heads"]),
            int(config["num_hidden_layers"]),
            float(config.get("layer_norm_eps", 1e-12)),
        )
        if shape.hidden % shape.heads:
            raise UnsupportedModel(f"hidden size {shape.hidden} is not a multiple of {shape.heads} heads")
        return shape


class _Weights:
    """Tensors by their name inside the encoder, whatever prefix ("bert.", "model.") the checkpoint used."""

    def __init__(self, tensors: dict[str, np.ndarray]) -> None:
        anchor = "embeddings.word_embeddings.weight"
        found = [name for name in tensors if name.endswith(anchor)]
        if len(found) != 1:
            raise UnsupportedModel("the weights hold no single BERT word-embedding table")
        self._prefix = found[0][: -len(anchor)]
        self._tensors = tensors

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return np.asarray(self._tensors[self._prefix + name], dtype=np.float32)
        except KeyError:
            raise UnsupportedModel(f"the weights have no tensor {self._prefix + name}") from None

    def linear(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(weight transposed to inputs x outputs, bias): torch stores a Linear's weight as outputs x inputs."""
        return np.ascontiguousarray(self[f"{name}.weight"].T), self[f"{name}.bias"]


def _layer_names(i: int) -> dict[str, str]:
    base = f"encoder.layer.{i}."
    return {
        "query": base + "attention.self.query",
        "key": base + "attention.self.key",
        "value": base + "attention.self.value",
        "attn_out": base + "attention.output.dense",
        "attn_norm": base + "attention.output.LayerNorm",
        "inter": base + "intermediate.dense",
        "out": base + "output.dense",
        "out_norm": base + "output.LayerNorm",
    }


def quantize_columns(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 weight, float32 scale per output column) with weight ≈ int8 * scale, symmetric (zero point 0)."""
    peak = np.abs(weight).max(axis=0)
    scale = np.where(peak > 0, peak / INT8_LEVELS, 1.0).astype(np.float32)
    return np.clip(np.rint(weight / scale), -INT8_LEVELS, INT8_LEVELS).astype(np.int8), scale


def build_graph(config: dict[str, Any], tensors: dict[str, np.ndarray], int8: bool = False) -> Message:
    """The ONNX model (`.write(file)` serialises it): int64 inputs [batch, tokens], float32 output `hidden`
    [batch, tokens, hidden size]. `int8`: the query variant described above."""
    shape = BertShape.from_config(config)
    w = _Weights(tensors)
    g = Graph("bert_encoder")
    ids, mask, types = (g.input(name, INT64, ["batch", "tokens"]) for name in INPUTS)
    head_dim = shape.hidden // shape.heads

    def const(name: str, value: Any, dtype: Any = np.float32) -> str:
        return g.constant(name, np.asarray(value, dtype=dtype))

    rows: dict[str, tuple[str, str]] = {}  # input -> (quantised, row peak), made once per input
    if int8:  # constants of every quantised product, stored once
        tiny, per_level = const("tiny", 1e-30), const("per_level", 1 / ACTIVATION_LEVELS)
        zero_point = const("u8_128", 128, np.uint8)

    def quantize_rows(x: str) -> tuple[str, str]:
        """x ≈ (xq - 128) * peak / 127 with the peak |x| of each token row, so a row's integers depend on that
        row alone, never on the batch or its padding. The 1/127 goes into the column scales (one node less)."""
        if x not in rows:
            peak = g.node("Max", [g.node("ReduceMax", [g.node("Abs", [x])], axes=[-1], keepdims=1), tiny])
            # QuantizeLinear takes one scale for the tensor (or an axis) in this opset, so the row's peak is
            # divided out first; it then rounds (half to even), shifts by 128, saturates and casts in one node
            rows[x] = g.node("QuantizeLinear", [g.node("Div", [x, peak]), per_level, zero_point]), peak
        return rows[x]

    def linear(x: str, *names: str) -> list[str]:
        """x times each named Linear. int8: one product for all of them (Q, K and V share their input), split
        after, since the nodes around each integer product cost more than it on short texts; float32 keeps one
        MatMul each, as stored vectors have always been computed."""
        parts = [w.linear(name) for name in names]
        if not int8:
            return [
                g.node("Add", [g.node("MatMul", [x, const(n + ".w", wt)]), const(n + ".b", b)])
                for n, (wt, b) in zip(names, parts, strict=True)
            ]
        weight, bias = np.concatenate([p[0] for p in parts], axis=1), np.concatenate([p[1] for p in parts])
        name = names[0]
        # x ≈ (xq - 128) * peak / 127, w ≈ wq * column_scale: u8 x s8 integer products, exact in int32
        quantized, column_scale = quantize_columns(weight)
        xq, row_peak = quantize_rows(x)
        zeros = const(name + ".wz", np.zeros(weight.shape[1], dtype=np.int8), np.int8)
        product = g.node("MatMulInteger", [xq, const(name + ".wq", quantized, np.int8), zero_point, zeros])
        # not Mul(product, Mul(row_peak, column_scale)): ORT fuses that layout into MatMulIntegerToFloat, which
        # takes the row scales for one scale per column (measured: cosine 0.37 to float32)
        real = g.node("Mul", [g.node("Cast", [product], to=FLOAT), row_peak])
        real = g.node("Mul", [real, const(name + ".ws", column_scale / ACTIVATION_LEVELS)])
        out = g.node("Add", [real, const(name + ".b", bias)])
        if len(names) == 1:
            return [out]
        sizes = const(name + ".split", [p[0].shape[1] for p in parts], np.int64)
        return g.nodes("Split", [out, sizes], len(names), axis=-1)

    def layer_norm(x: str, name: str) -> str:
        gamma, beta = const(name + ".g", w[name + ".weight"]), const(name + ".beta", w[name + ".bias"])
        return g.node("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=shape.eps)

    # embeddings: the position of each token is its index, as transformers counts it for unpadded inputs
    tokens = g.node("Shape", [ids], start=1, end=2)  # [tokens], as a 1-D bound for Slice
    position = g.node(
        "Slice",
        [const("position", w["embeddings.position_embeddings.weight"]), const("zero", [0], np.int64), tokens],
    )
    word = g.node("Gather", [const("word", w["embeddings.word_embeddings.weight"]), ids], axis=0)
    token_type = g.node("Gather", [const("type", w["embeddings.token_type_embeddings.weight"]), types], axis=0)
    summed = g.node("Add", [g.node("Add", [word, token_type]), position])
    x = layer_norm(summed, "embeddings.LayerNorm")

    # padding: a large negative score for each masked key, broadcast over heads and queries
    keep = g.node("Unsqueeze", [g.node("Cast", [mask], to=FLOAT), const("axes12", [1, 2], np.int64)])
    bias = g.node("Mul", [g.node("Sub", [const("f_one", 1.0), keep]), const("masked", _MASKED)])

    split = const("split_heads", [0, 0, shape.heads, head_dim], np.int64)
    merge = const("merge_heads", [0, 0, shape.hidden], np.int64)
    scale = const("scale", 1.0 / math.sqrt(head_dim))
    for i in range(shape.layers):
        n = _layer_names(i)

        def heads(part: str, perm: list[int]) -> str:
            return g.node("Transpose", [g.node("Reshape", [part, split])], perm=perm)

        q_all, k_all, v_all = linear(x, n["query"], n["key"], n["value"])
        q = heads(q_all, [0, 2, 1, 3])
        k = heads(k_all, [0, 2, 3, 1])  # transposed for Q·Kᵀ
        v = heads(v_all, [0, 2, 1, 3])
        scores = g.node("Add", [g.node("Mul", [g.node("MatMul", [q, k]), scale]), bias])
        context = g.node("MatMul", [g.node("Softmax", [scores], axis=-1), v])
        context = g.node("Reshape", [g.node("Transpose", [context], perm=[0, 2, 1, 3]), merge])
        x = layer_norm(g.node("Add", [linear(context, n["attn_out"])[0], x]), n["attn_norm"])
        inner = linear(x, n["inter"])[0]
        erf = g.node("Erf", [g.node("Div", [inner, const(f"sqrt2_{i}", math.sqrt(2.0))])])
        gelu = g.node("Mul", [inner, g.node("Add", [erf, const(f"one_{i}", 1.0)])])
        gelu = g.node("Mul", [gelu, const(f"half_{i}", 0.5)])
        x = layer_norm(g.node("Add", [linear(gelu, n["out"])[0], x]), n["out_norm"])
    g.node("Identity", [x], output="hidden")
    g.output("hidden", FLOAT, ["batch", "tokens", shape.hidden])
    return g.model(OPSET)


def reference_hidden(
    config: dict[str, Any], tensors: dict[str, np.ndarray], feeds: dict[str, np.ndarray]
) -> np.ndarray:
    """The same computation in numpy (float64), to check a built graph against: slow, exact, independent."""
    shape = BertShape.from_config(config)
    w = _Weights(tensors)
    ids, mask, types = (feeds[name] for name in INPUTS)

    def norm(x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + shape.eps) * w[name + ".weight"] + w[name + ".bias"]

    def linear(x: np.ndarray, name: str) -> np.ndarray:
        weight, bias = w.linear(name)
        flat = x.reshape(-1, x.shape[-1]) @ weight.astype(np.float64)  # one 2-D product: far faster than 3-D
        return flat.reshape(*x.shape[:-1], weight.shape[1]) + bias

    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.token_type_embeddings.weight"][types]
        + w["embeddings.position_embeddings.weight"][: ids.shape[1]]
    ).astype(np.float64)
    x = norm(x, "embeddings.LayerNorm")
    batch, tokens = ids.shape
    head_dim = shape.hidden // shape.heads
    bias = np.where(mask[:, None, None, :] > 0, 0.0, _MASKED)
    for i in range(shape.layers):
        n = _layer_names(i)

        q, k, v = (
            linear(x, n[part]).reshape(batch, tokens, shape.heads, head_dim).transpose(0, 2, 1, 3)
            for part in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head_dim) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ v
        context = context.transpose(0, 2, 1, 3).reshape(batch, tokens, shape.hidden)
        x = norm(linear(context, n["attn_out"]) + x, n["attn_norm"])
        inner = linear(x, n["inter"])
        gelu = 0.5 * inner * (1.0 + _erf(inner / math.sqrt(2.0)))
        x = norm(linear(gelu, n["out"]) + x, n["out_norm"])
    return x.astype(np.float32)


def _erf(x: np.ndarray) -> np.ndarray:
    return np.vectorize(math.erf, otypes=[np.float64])(x)
