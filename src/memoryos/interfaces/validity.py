"""How the interfaces describe a knowledge entry's validity: one rule for REST, MCP and the CLI."""

from __future__ import annotations

from typing import Any

from ..models import iso


def is_current(fact: dict[str, Any]) -> bool:
    """A fact (as to_dict gives it) holds while it is neither closed nor superseded; expired facts are never
    shown at all, so expiry does not enter here (models.Fact.is_current is the same rule on records)."""
    return fact.get("valid_until") is None and fact.get("superseded_by") is None


def with_validity(data: Any) -> Any:
    """A pydantic before-validator's body: a fact's dict with what retrieval adds to each fact when it is missing
    (`current`; `said` and `until` as ISO 8601, as retrieval.result.RetrievedFact.to_dict gives them)."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    data.setdefault("current", is_current(data))
    if "said" not in data:
        said = data.get("observed_at") if data.get("observed_at") is not None else data.get("created_at")
        data["said"] = iso(said) if isinstance(said, (int, float)) else None
    if "until" not in data:
        until = data.get("valid_until")
        data["until"] = iso(until) if isinstance(until, (int, float)) else None
    return data


def day(epoch: float | None) -> str:
    return iso(epoch)[:10] if epoch is not None else "?"


def validity(fact: dict[str, Any]) -> str:
    """How long it holds, e.g. 'current, said 2023-05-08', 'until 2023-06-01, replaced by <id>, said 2023-05-08',
    with '; forgotten after <time>' when it expires."""
    if is_current(fact):
        parts = ["current"]
    else:
        parts = [f"until {day(fact['valid_until'])}"] if fact.get("valid_until") is not None else []
        if fact.get("superseded_by"):
            parts.append(f"replaced by {fact['superseded_by']}")
    if fact.get("observed_at") is not None:
        parts.append(f"said {day(fact['observed_at'])}")
    text = ", ".join(parts)
    if fact.get("expires_at") is not None:
        text += f"; forgotten after {iso(fact['expires_at'])[:16].replace('T', ' ')} UTC"
    return text
