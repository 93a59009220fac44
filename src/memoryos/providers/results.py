"""What an analysis of pages produces, whoever made it (the LLM or the no-LLM extractor).

The LLM's structured answers are validated against these models; the extractive analyzer builds them directly;
upkeep consumes them. They live apart from the prompts so that upkeep and the extractor need no prompt text.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator


class TopicOut(BaseModel):
    page_indices: list[int] = Field(min_length=1)
    summary: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)


class ConsolidationOut(BaseModel):
    continues_previous: bool = False
    chain_summaries: list[str]
    topics: list[TopicOut] = Field(min_length=1)

    @field_validator("chain_summaries")
    @classmethod
    def _strip(cls, values: list[str]) -> list[str]:
        return [v.strip() for v in values]


class FactOut(BaseModel):
    """One fact operation from an analysis.

    `add`: a new fact. `update`: `target` (an existing fact's id, as the analysis was shown it) stops being true
    and this text replaces it. `invalidate`: `target` stops being true, nothing replaces it (text may say why).
    `keep`: `target` is confirmed by these pages (they join its sources). `page_indices` are 0-based indices
    into the pages the analysis saw: the pages the fact was stated in.
    """

    text: str = ""
    page_indices: list[int] = Field(default_factory=list)
    attribute: str | None = None
    op: Literal["add", "update", "invalidate", "keep"] = "add"
    target: str | None = None
    # the statement as said when `text` adds a detail for the reader: the fact is embedded and compared by it
    statement: str | None = None


_OP_ALIASES = {
    "new": "add",
    "create": "add",
    "replace": "update",
    "delete": "invalidate",
    "remove": "invalidate",
    "retire": "invalidate",
    "confirm": "keep",
    "same": "keep",
    "none": "keep",
    "noop": "keep",
}


def _fact(value: Any) -> Any:
    """One fact as models write it: a plain string (older answers, simple models) is an `add` without page
    indices; "pages" is the prompt's name for page_indices; op in any case; a target id given as a number."""
    if isinstance(value, str):
        return {"text": value}
    if not isinstance(value, dict):
        return value
    fact = dict(value)
    if "pages" in fact and "page_indices" not in fact:
        fact["page_indices"] = fact.pop("pages")
    if isinstance(fact.get("page_indices"), int) and not isinstance(fact["page_indices"], bool):
        fact["page_indices"] = [fact["page_indices"]]
    for key in ("text", "attribute"):
        if fact.get(key) is None:
            fact.pop(key, None)
    if isinstance(fact.get("op"), str):
        op = fact["op"].strip().lower()
        fact["op"] = _OP_ALIASES.get(op, op)
    elif fact.get("op") is None:
        fact.pop("op", None)
    if isinstance(fact.get("target"), int) and not isinstance(fact["target"], bool):
        fact["target"] = str(fact["target"])
    return fact


def _facts(values: Any) -> Any:
    if isinstance(values, list):
        return [_fact(v) for v in values]
    return values


class PromotionOut(BaseModel):
    profile: str
    user_facts: list[FactOut] = Field(default_factory=list)
    assistant_facts: list[FactOut] = Field(default_factory=list)

    @field_validator("user_facts", "assistant_facts", mode="before")
    @classmethod
    def _accept_strings(cls, values: Any) -> Any:
        return _facts(values)


__all__ = ["ConsolidationOut", "FactOut", "PromotionOut", "TopicOut"]
