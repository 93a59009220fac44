"""Checks at the public boundary, so the inside can trust its data."""

from __future__ import annotations

import json
import math
import re
import time
from datetime import datetime, timezone
from typing import Any

from .errors import InputTooLarge, InvalidInput


def check_text(value: object, name: str, limit: int, *, allow_none: bool = True) -> str:
    if value is None and allow_none:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string, got {type(value).__name__}")
    if len(value) > limit:
        raise InputTooLarge(f"{name} is {len(value):,} characters long; the limit is {limit:,} (max_input_chars)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"{name} is not valid Unicode text (lone surrogate at position {exc.start})") from exc
    if "\x00" in value:
        # PostgreSQL text cannot hold NUL; refusing it everywhere keeps the backends interchangeable
        raise InvalidInput(f"{name} contains a NUL character (\\x00), which memoryos does not store")
    return value


def check_meta_data(value: object, limit: int | None = None) -> dict[str, Any]:
    """A JSON object with string keys; with `limit`, its JSON as stored may take at most that many UTF-8 bytes."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(f"meta_data must be a dict, got {type(value).__name__}")
    if any(not isinstance(k, str) for k in value):
        raise InvalidInput("meta_data keys must be strings")
    try:
        encoded = json.dumps(value, ensure_ascii=False, allow_nan=False)
        size = len(encoded.encode("utf-8"))
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise InvalidInput(f"meta_data must be JSON-serializable: {exc}") from exc
    except RecursionError as exc:
        raise InvalidInput("meta_data is nested too deeply") from exc
    if limit is not None and size > limit:
        raise InputTooLarge(f"meta_data is {size:,} bytes as JSON; the limit is {limit:,} (max_meta_data_bytes)")
    try:
        return json.loads(encoded)
    except RecursionError as exc:
        raise InvalidInput("meta_data is nested too deeply") from exc


_LOCOMO_RE = re.compile(r"^\d{1,2}:\d{2}\s*[ap]m on \d{1,2} \w+,? \d{4}$", re.IGNORECASE)
_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%I:%M %p on %d %B, %Y",
    "%I:%M %p on %d %B %Y",
    "%d %B %Y",
    "%B %d, %Y",
)


def parse_timestamp(value: object, now: float | None = None) -> float:
    """Accept None (now), epoch seconds, datetime, ISO 8601 and a few common human formats; naive = UTC."""
    if value is None:
        return time.time() if now is None else now
    if isinstance(value, bool):
        raise InvalidInput("timestamp must be a time, not a boolean")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or not (0 <= value < 32503680000):
            raise InvalidInput(f"timestamp {value!r} is not a plausible epoch time")
        return float(value)
    if isinstance(value, datetime):
        return _to_epoch(value)
    if not isinstance(value, str):
        raise InvalidInput(f"timestamp must be a string, number or datetime, got {type(value).__name__}")
    text = value.strip()
    if not text:
        return time.time() if now is None else now
    try:
        return _to_epoch(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return _to_epoch(datetime.strptime(text, fmt))
        except ValueError:
            continue
    hint = " (LoCoMo style)" if _LOCOMO_RE.match(text) else ""
    raise InvalidInput(f"timestamp {value!r}{hint} is not a recognised date/time; use ISO 8601")


def _to_epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()
