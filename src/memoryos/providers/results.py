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


def _facts(values: Any) -> Any:
    """Plain strings (older answers, simple models) are `add` operations without page indices."""
    if isinstance(values, list):
        return [{"text": v} if isinstance(v, str) else v for v in values]
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
