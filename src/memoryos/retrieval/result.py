"""The typed result of a retrieval, convertible to a dict and renderable as prompt context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..models import Fact, Page, iso
from ..providers.prompts import fence, new_fence_id
from ..textutil import estimate_tokens


@dataclass
class RetrievedPage:
    page: Page
    score: float
    tier: str
    segment_id: str | None
    segment_summary: str = ""
    signals: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.page.to_dict()
        data.update(
            score=round(self.score, 6),
            tier=self.tier,
            segment_id=self.segment_id,
            segment_summary=self.segment_summary,
            signals={k: round(v, 6) for k, v in self.signals.items()},
        )
        return data


@dataclass
class RetrievedFact:
    fact: Fact
    score: float

    def to_dict(self) -> dict[str, Any]:
        data = self.fact.to_dict()
        data.update(score=round(self.score, 6), tier="long")
        return data


@dataclass
class RetrievedSegment:
    segment_id: str
    summary: str
    keywords: list[str]
    score: float
    heat: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "segment_id": self.segment_id,
            "summary": self.summary,
            "keywords": self.keywords,
            "score": round(self.score, 6),
            "heat": round(self.heat, 6),
        }


@dataclass
class RetrievalResult:
    query: str
    short_term: list[Page]
    pages: list[RetrievedPage]
    segments: list[RetrievedSegment]
    user_knowledge: list[RetrievedFact]
    assistant_knowledge: list[RetrievedFact]
    profile: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    visited_segment_ids: list[str] = field(default_factory=list)  # segments whose N_visit this retrieval raised

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "short_term": [{**p.to_dict(), "tier": "short"} for p in self.short_term],
            "pages": [p.to_dict() for p in self.pages],
            "segments": [s.to_dict() for s in self.segments],
            "user_knowledge": [f.to_dict() for f in self.user_knowledge],
            "assistant_knowledge": [f.to_dict() for f in self.assistant_knowledge],
            "profile": self.profile,
            "timings_ms": {k: round(v, 3) for k, v in self.timings_ms.items()},
        }

    def to_prompt(self, fence_id: str | None = None) -> str:
        """Context for an LLM: every memory inside a fence that marks it as data, never instructions. The fences
        carry `fence_id` (a fresh random one by default), which the system prompt names as the only way to close
        one: stored text cannot know it, and fence-like lines inside memory are defused."""
        fence_id = fence_id or new_fence_id()
        blocks = []
        if self.profile:
            blocks.append(fence("user profile", self.profile, fence_id))
        if self.user_knowledge:
            blocks.append(
                fence("facts about the user", "\n".join(f"- {f.fact.text}" for f in self.user_knowledge), fence_id)
            )
        if self.assistant_knowledge:
            blocks.append(
                fence(
                    "what you (the assistant) know or promised",
                    "\n".join(f"- {f.fact.text}" for f in self.assistant_knowledge),
                    fence_id,
                )
            )
        if self.pages:
            lines = []
            for item in sorted(self.pages, key=lambda r: r.page.timestamp):
                lines.append(f"[{iso(item.page.timestamp)}] {item.page.text}")
                if item.page.chain_summary:
                    lines.append(f"  (conversation thread so far: {item.page.chain_summary})")
            blocks.append(fence("relevant past conversations", "\n".join(lines), fence_id))
        if self.short_term:
            recent = "\n".join(f"[{iso(p.timestamp)}] {p.text}" for p in self.short_term)
            blocks.append(fence("the recent conversation", recent, fence_id))
        return "\n\n".join(blocks) if blocks else "(no memories yet)"

    def context_tokens(self) -> int:
        return estimate_tokens(self.to_prompt())
