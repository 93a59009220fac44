"""What an analysis of pages produces, whoever made it (the LLM or the no-LLM extractor).

The LLM's structured answers are validated against these models; the extractive analyzer builds them directly;
upkeep consumes them. They live apart from the prompts so that upkeep and the extractor need no prompt text.
"""

from __future__ import annotations

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


class PromotionOut(BaseModel):
    profile: str
    user_facts: list[str] = Field(default_factory=list)
    assistant_facts: list[str] = Field(default_factory=list)


__all__ = ["ConsolidationOut", "PromotionOut", "TopicOut"]
