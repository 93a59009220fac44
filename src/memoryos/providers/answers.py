"""Reading what real chat models send back: reasoning blocks, prose around JSON, and near-JSON.

Reasoning models (DeepSeek-R1, Qwen3, QwQ) write a `<think>…</think>` block before their answer; small local
models wrap JSON in prose or a code fence, leave trailing commas, or stop mid-object when they hit a token limit.
Each of these is repaired here, without another paid call, before an answer counts as unusable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

# <think>, <thinking>, <reasoning> blocks; an unclosed one (cut off by a token limit) runs to the end
_REASONING_RE = re.compile(r"<(think|thinking|reasoning)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)
# some servers strip the opening tag and send only "...reasoning...</think>answer"
_ORPHAN_CLOSE_RE = re.compile(r"^.*?</(?:think|thinking|reasoning)\s*>", re.IGNORECASE | re.DOTALL)
_CODE_FENCE_RE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_TRAILING_COMMA_RE = re.compile(r",(\s*[}\]])")


def strip_reasoning(text: str) -> str:
    """The answer without the model's reasoning blocks (which must never be stored or parsed as the answer)."""
    cleaned = _REASONING_RE.sub("", text)
    cleaned = _ORPHAN_CLOSE_RE.sub("", cleaned, count=1)
    return cleaned.strip()


def parse_json_object(text: str) -> Any:
    """The JSON object in an answer: tolerates reasoning blocks, code fences, prose around the object, trailing
    commas and a truncated tail. Raises json.JSONDecodeError when no object can be recovered."""
    cleaned = strip_reasoning(text)
    candidates = [cleaned]
    candidates += [m.group(1).strip() for m in _CODE_FENCE_RE.finditer(cleaned)]
    start = cleaned.find("{")
    if start >= 0:
        candidates.append(_balanced_object(cleaned, start))
    first_error: json.JSONDecodeError | None = None
    for candidate in candidates:
        if not candidate:
            continue
        for attempt in (candidate, _repair(candidate)):
            try:
                value = json.loads(attempt)
            except json.JSONDecodeError as exc:
                first_error = first_error or exc
                continue
            if isinstance(value, dict):
                return value
    raise first_error or json.JSONDecodeError("no JSON object in the answer", cleaned, 0)


def _structure(text: str) -> Iterator[tuple[int, str, bool]]:
    """Walk JSON-ish text: (index, char, inside a string) for each structural character (`{[]}`) outside
    strings, and a final (len, "", in_string) so callers learn whether the text ends inside a string."""
    in_string, escaped = False, False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[]}":
            yield index, char, False
    yield len(text), "", in_string


def _balanced_object(text: str, start: int) -> str:
    """From the first `{`, the text up to its matching `}` (strings respected), or to the end if it never closes."""
    depth = 0
    for index, char, _ in _structure(text[start:]):
        if char in ("{", "["):
            depth += 1
        elif char in ("}", "]"):
            depth -= 1
            if depth == 0:
                return text[start : start + index + 1]
    return text[start:]


def _repair(candidate: str) -> str:
    """Near-JSON made valid: trailing commas dropped; a truncated tail closed (an open string ended, a dangling
    key or comma removed, open brackets closed in order)."""
    text = _TRAILING_COMMA_RE.sub(r"\1", candidate.strip())
    stack: list[str] = []
    in_string = False
    for _, char, ends_in_string in _structure(text):
        in_string = ends_in_string  # only the final item can say True
        if char in ("{", "["):
            stack.append("}" if char == "{" else "]")
        elif char in ("}", "]") and stack:
            stack.pop()
    if not stack and not in_string:
        return text
    if in_string:
        text += '"'
    text = re.sub(r'(?:,\s*"[^"]*"\s*:?\s*|,\s*|:\s*)$', "", text)  # a key without a value, a dangling comma
    if text.endswith(":"):
        text = text[:-1]
    return _TRAILING_COMMA_RE.sub(r"\1", text + "".join(reversed(stack)))
