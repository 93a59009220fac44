"""Serialise a small ONNX model (nodes, float/int64 initialisers, typed inputs and outputs) as protobuf bytes.

ONNX Runtime reads the bytes; writing them needs neither torch nor the `onnx` package (31 MB with its own
dependencies) for the handful of message types an inference graph uses. Field numbers are those of onnx.proto.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

import numpy as np

IR_VERSION = 8  # the IR version of opset 17, which every ONNX Runtime since 1.13 reads
FLOAT, UINT8, INT8, INT64 = 1, 2, 3, 7  # TensorProto.DataType
_ATTR_FLOAT, _ATTR_INT, _ATTR_INTS = 1, 2, 7  # AttributeProto.AttributeType
_TYPES = {np.dtype(np.float32): FLOAT, np.dtype(np.int64): INT64, np.dtype(np.int8): INT8, np.dtype(np.uint8): UINT8}


class Message:
    """A protobuf message as a list of byte chunks and nested messages, with its size known as it grows.

    Nothing is concatenated: the weights (~90 MB) would otherwise be copied once per level of nesting, and
    copying into fresh memory is slow on some sandboxes. `write` streams the chunks out once."""

    def __init__(self) -> None:
        self.parts: list[bytes | memoryview | Message] = []
        self.size = 0

    def raw(self, chunk: bytes | memoryview) -> Message:
        self.parts.append(chunk)
        self.size += len(chunk) if isinstance(chunk, bytes) else chunk.nbytes
        return self

    def num(self, number: int, value: int) -> Message:
        return self.raw(_key(number, 0) + _varint(value))

    def f32(self, number: int, value: float) -> Message:
        return self.raw(_key(number, 5) + np.float32(value).tobytes())

    def blob(self, number: int, value: bytes | memoryview) -> Message:
        length = len(value) if isinstance(value, bytes) else value.nbytes
        return self.raw(_key(number, 2) + _varint(length)).raw(value)

    def text(self, number: int, value: str) -> Message:
        return self.blob(number, value.encode())

    def sub(self, number: int, value: Message) -> Message:
        self.raw(_key(number, 2) + _varint(value.size))
        self.parts.append(value)
        self.size += value.size
        return self

    def write(self, out: BinaryIO) -> None:
        for part in self.parts:
            if isinstance(part, Message):
                part.write(out)
            else:
                out.write(part)


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64s are ten-byte two's complement varints
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


def tensor(name: str, array: np.ndarray) -> Message:
    """A TensorProto holding `array` (float32, int64, int8 or uint8) as raw little-endian data, not copied."""
    kind = _TYPES.get(array.dtype)
    if kind is None:
        raise TypeError(f"initialiser {name}: dtype {array.dtype} is not supported")
    data = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    message = Message()
    for d in data.shape:
        message.num(1, d)
    return message.num(2, kind).text(8, name).blob(9, data.data.cast("B"))


def _attribute(name: str, value: int | float | Sequence[int]) -> Message:
    if isinstance(value, bool):
        raise TypeError(f"attribute {name}: booleans are ints in ONNX; pass 0 or 1")
    message = Message().text(1, name)
    if isinstance(value, int):
        return message.num(3, value).num(20, _ATTR_INT)
    if isinstance(value, float):
        return message.f32(2, value).num(20, _ATTR_FLOAT)
    for v in value:
        message.num(8, v)
    return message.num(20, _ATTR_INTS)


def _value_info(name: str, elem_type: int, shape: Sequence[int | str]) -> Message:
    dims = Message()
    for d in shape:
        dims.sub(1, Message().num(1, d) if isinstance(d, int) else Message().text(2, d))
    tensor_type = Message().num(1, elem_type).sub(2, dims)
    return Message().text(1, name).sub(2, Message().sub(1, tensor_type))


class Graph:
    """Nodes appended in topological order; values are named edges between them."""

    def __init__(self, name: str) -> None:
        self._graph = Message()
        self._name = name
        self._initialisers: list[Message] = []
        self._inputs: list[Message] = []
        self._outputs: list[Message] = []
        self._count = 0

    def input(self, name: str, elem_type: int, shape: Sequence[int | str]) -> str:
        self._inputs.append(_value_info(name, elem_type, shape))
        return name

    def output(self, name: str, elem_type: int, shape: Sequence[int | str]) -> None:
        self._outputs.append(_value_info(name, elem_type, shape))

    def constant(self, name: str, array: np.ndarray) -> str:
        self._initialisers.append(tensor(name, array))
        return name

    def node(self, op_type: str, inputs: Iterable[str], output: str | None = None, **attributes: Any) -> str:
        """Append one node with a single output (named after the op unless given) and return that name."""
        return self.nodes(op_type, inputs, 1, [output] if output else None, **attributes)[0]

    def nodes(
        self, op_type: str, inputs: Iterable[str], count: int, outputs: list[str] | None = None, **attributes: Any
    ) -> list[str]:
        """Append one node with `count` outputs (DynamicQuantizeLinear has three) and return their names."""
        self._count += 1
        outs = outputs or [f"{op_type.lower()}_{self._count}" + (f"_{i}" if i else "") for i in range(count)]
        node = Message()
        for name in inputs:
            node.text(1, name)
        for out in outs:
            node.text(2, out)
        node.text(3, f"n{self._count}").text(4, op_type)
        for key, value in attributes.items():
            node.sub(5, _attribute(key, value))
        self._graph.sub(1, node)
        return outs

    def model(self, opset: int, producer: str = "memoryos") -> Message:
        """The ModelProto; call once, after the last node."""
        graph = self._graph.text(2, self._name)
        for field_number, messages in ((5, self._initialisers), (11, self._inputs), (12, self._outputs)):
            for message in messages:
                graph.sub(field_number, message)
        model = Message().num(1, IR_VERSION).text(2, producer).sub(7, graph)
        return model.sub(8, Message().text(1, "").num(2, opset))
