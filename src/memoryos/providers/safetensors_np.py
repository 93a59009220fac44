"""Read a `.safetensors` file into numpy arrays, without torch or the safetensors package.

The format is an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
range, then the raw little-endian data. Only the dtypes a text encoder's weights use are read.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1"}
_MAX_HEADER = 100 * 1024 * 1024  # the format's own limit; a larger length means a damaged or foreign file


class SafetensorsError(ValueError):
    """The file is not a readable safetensors file (the message says why)."""


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor in the file; floating-point weights come back as float32 (bf16 and f16 widened)."""
    data = path.read_bytes()
    if len(data) < 8:
        raise SafetensorsError(f"{path.name} is too short to be a safetensors file")
    (length,) = struct.unpack("<Q", data[:8])
    if length > min(_MAX_HEADER, len(data) - 8):
        raise SafetensorsError(f"{path.name} has a header length of {length} bytes: damaged or not safetensors")
    try:
        header = json.loads(data[8 : 8 + length])
    except ValueError as exc:
        raise SafetensorsError(f"{path.name} has an unreadable header: {exc}") from exc
    body = memoryview(data)[8 + length :]
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = (int(x) for x in info["data_offsets"])
        shape = tuple(int(d) for d in info["shape"])
        if not 0 <= start <= end <= len(body):
            raise SafetensorsError(f"{path.name}: tensor {name} lies outside the file")
        raw = body[start:end]
        dtype = info["dtype"]
        if dtype == "BF16":  # the upper half of a float32: shift the bits into place
            array = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif dtype in _DTYPES:
            array = np.frombuffer(raw, dtype=_DTYPES[dtype])
        else:
            raise SafetensorsError(f"{path.name}: tensor {name} has unsupported dtype {dtype}")
        if array.size != int(np.prod(shape, dtype=np.int64)):
            raise SafetensorsError(f"{path.name}: tensor {name} has {array.size} values for shape {shape}")
        array = array.reshape(shape)
        tensors[name] = array.astype(np.float32, copy=False) if array.dtype.kind == "f" else array
    return tensors
