"""Checks at the public boundary, so the inside can trust its data."""

from __future__ import annotations

import json
import math
import re
import time
from datetime import datetime, timedelta, timezone
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


# ---- timestamps: one rule for every time memoryos stores ----
#
# A stored time is epoch seconds (UTC) as a finite float between TIMESTAMP_MIN and TIMESTAMP_MAX inclusive:
# 0001-01-02T00:00:00Z .. 9999-12-30T23:59:59Z. A day's margin inside datetime's own range means every accepted
# time renders as ISO 8601 in UTC and in any time zone (offsets reach ±24 h), and floats always sort. The same
# rule guards add_memory (every shell), every import path and both storage backends.

TIMESTAMP_MIN = -62135510400.0  # 0001-01-02T00:00:00Z
TIMESTAMP_MAX = 253402214399.0  # 9999-12-30T23:59:59Z
TIMESTAMP_RANGE = "0001-01-02T00:00:00Z to 9999-12-30T23:59:59Z (epoch seconds -62135510400 to 253402214399)"


def shown(value: object, limit: int = 60) -> str:
    """A value for an error message: repr, shortened; never fails (ints too long for str() included)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of {value.bit_length()} bits"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def timestamp_problem(value: object) -> str | None:
    """Why `value` is not a storable time (epoch seconds), or None if it is one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"is not a number of epoch seconds ({type(value).__name__})"
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        return f"{shown(value)} is outside the allowed range {TIMESTAMP_RANGE}"
    if not math.isfinite(number):
        return f"{shown(value)} is not a finite time"
    if not TIMESTAMP_MIN <= number <= TIMESTAMP_MAX:
        return f"{shown(value)} is outside the allowed range {TIMESTAMP_RANGE}"
    return None


def check_epoch(value: object, name: str = "timestamp") -> float:
    """A stored time as it travels in exports: epoch seconds, strictly a number (no strings, no booleans)."""
    problem = timestamp_problem(value)
    if problem is not None:
        raise InvalidInput(f"{name} {problem}")
    return float(value)  # type: ignore[arg-type]


def displayable_timestamp(value: object) -> float:
    """The time to show for a stored value that may break the rule (rows written by older versions): the value
    itself when valid, clamped into the range when it is a number (±inf included), else TIMESTAMP_MIN."""
    if timestamp_problem(value) is None:
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value):
        return TIMESTAMP_MIN if value < 0 else TIMESTAMP_MAX
    return TIMESTAMP_MIN


def parse_timestamp(value: object, now: float | None = None) -> float:
    """Accept None (now), epoch seconds, datetime, ISO 8601 and a few common human formats; naive = UTC.

    Whatever the form, the result obeys the one rule above (InvalidInput naming the range otherwise)."""
    if value is None:
        return check_epoch(time.time() if now is None else now, "the current time")
    if isinstance(value, bool):
        raise InvalidInput("timestamp must be a time, not a boolean")
    if isinstance(value, (int, float)):
        return check_epoch(value)
    if isinstance(value, datetime):
        return _checked_moment(value, value)
    if not isinstance(value, str):
        raise InvalidInput(f"timestamp must be a string, number or datetime, got {type(value).__name__}")
    text = value.strip()
    if not text:
        return check_epoch(time.time() if now is None else now, "the current time")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        pass
    else:
        return _checked_moment(moment, value)
    for fmt in _FORMATS:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return _checked_moment(moment, value)
    hint = " (LoCoMo style)" if _LOCOMO_RE.match(text) else ""
    raise InvalidInput(
        f"timestamp {shown(value)}{hint} is not a recognised date/time; use ISO 8601 within {TIMESTAMP_RANGE}"
    )


def _checked_moment(moment: datetime, original: object) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        epoch = moment.timestamp()
    except (OverflowError, ValueError, OSError) as exc:
        raise InvalidInput(f"timestamp {shown(original)} is outside the allowed range {TIMESTAMP_RANGE}") from exc
    if timestamp_problem(epoch) is not None:
        raise InvalidInput(f"timestamp {shown(original)} is outside the allowed range {TIMESTAMP_RANGE}")
    return epoch


# ---- forgetting on purpose: times to live and ends of validity ----
#
# An expiry is an absolute stored time (expires_at, epoch seconds, the timestamp rule). A time to live counts
# from the moment the item is stored (the caller's clock), never from a page's own timestamp: an exchange from
# last year imported today with ttl=30 days is kept for 30 days from today.

MAX_TTL_SECONDS = 10_000_000_000.0  # about 317 years: any expiry it makes stays within TIMESTAMP_MAX


def check_ttl(value: object, name: str = "ttl") -> float | None:
    """A time to live: None (keep until deleted), a positive finite number of seconds or a positive timedelta,
    at most MAX_TTL_SECONDS."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"{name} must be a number of seconds or a timedelta, got {type(value).__name__}")
    else:
        try:
            seconds = float(value)
        except OverflowError:
            raise InvalidInput(f"{name} {shown(value)} is longer than {MAX_TTL_SECONDS:,.0f} seconds") from None
    if not math.isfinite(seconds):
        raise InvalidInput(f"{name} {shown(value)} is not a finite number of seconds")
    if seconds <= 0:
        raise InvalidInput(f"{name} must be positive, got {shown(value)}")
    if seconds > MAX_TTL_SECONDS:
        raise InvalidInput(f"{name} {shown(value)} is longer than {MAX_TTL_SECONDS:,.0f} seconds (about 317 years)")
    return seconds


def expiry_after(ttl: float | None, now: float) -> float | None:
    """The expires_at of an item stored at `now` with a time to live already checked by check_ttl."""
    return None if ttl is None else check_epoch(now + ttl, "the expiry time (now + ttl)")


def check_valid_until(value: object, now: float, name: str = "valid_until") -> float | None:
    """An end of validity given by a caller: None (no end), or a time add_memory's timestamp rules accept (epoch
    seconds, datetime, ISO 8601...) that lies after `now`: a fact that has already stopped holding is not added."""
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        raise InvalidInput(f"{name} must be a time, got an empty string")
    try:
        moment = parse_timestamp(value)
    except InvalidInput as exc:
        raise InvalidInput(f"{name}: {exc}") from None
    if moment <= now:
        raise InvalidInput(f"{name} {shown(value)} is not in the future; such a fact would never be current")
    return moment


# ---- strict checks for imported records (the live API's rules, no coercion) ----

RECORD_ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
RECORD_ID_RULE = "1 to 128 characters from A-Z a-z 0-9 _ . : -"
MAX_COUNT = 2**53 - 1  # sequence numbers and counters: exact in a float, JSON and every client


def check_record_id(value: object, name: str) -> str:
    """A page, segment or knowledge id in an import. The store makes 32-character hex ids; imports may carry
    any id of RECORD_ID_RULE (no quotes, markup, spaces or control characters)."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string id, got {type(value).__name__}")
    if not RECORD_ID_PATTERN.fullmatch(value):
        raise InvalidInput(f"{name} is not a valid id: ids are {RECORD_ID_RULE}")
    return value


def check_optional_id(value: object, name: str) -> str | None:
    return None if value is None else check_record_id(value, name)


def check_id_list(value: object, name: str) -> list[str]:
    if not isinstance(value, list):
        raise InvalidInput(f"{name} must be a list of ids, got {type(value).__name__}")
    return [check_record_id(item, f"{name}[{i}]") for i, item in enumerate(value)]


def check_int(value: object, name: str, low: int = 0, high: int = MAX_COUNT) -> int:
    """An integer (not a bool, not a float, not a numeric string) within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be between {low} and {high:,}, got {shown(value)}")
    return value


def check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false, got {type(value).__name__}")
    return value


def check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise InvalidInput(f"{name} must be one of {', '.join(map(repr, choices))}, got {shown(value)}")
    return value
