"""The typed result of a retrieval, convertible to a dict and renderable as prompt context."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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
    current: bool = True  # False: it stopped being true (shown only for questions about the past)

    def to_dict(self) -> dict[str, Any]:
        data = self.fact.to_dict()
        said, until = said_at(self.fact), self.fact.valid_until
        data.update(
            score=round(self.score, 6),
            tier="long",
            current=self.current,
            said=iso(said) if said is not None else None,
            until=iso(until) if until is not None else None,
        )
        return data

    def line(self) -> str:
        """The fact as a prompt line, dated: "- Lives in Berlin (said 8 May 2023)"; one that stopped being true
        says until when: "- Lives in Lisbon (said 2 March 2023; until 8 May 2023, no longer true)"."""
        said = said_at(self.fact)
        when = [f"said {day(said)}"] if said is not None else []
        if not self.current:
            until = self.fact.valid_until
            when.append(f"until {day(until)}, no longer true" if until is not None else "no longer true")
        return f"- {self.fact.text}" + (f" ({'; '.join(when)})" if when else "")


def said_at(fact: Fact) -> float | None:
    """When a fact was said (conversation time); facts from before that was recorded: when it was stored."""
    return fact.observed_at if fact.observed_at is not None else fact.created_at


def day(ts: float) -> str:
    """A date as people write it: "8 May 2023" (UTC)."""
    moment = datetime.fromisoformat(iso(ts))
    return f"{moment.day} {moment:%B %Y}"


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
    about_past: bool = False  # the query asks about the past: facts that stopped being true are included

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "short_term": [{**p.to_dict(), "tier": "short"} for p in self.short_term],
            "pages": [p.to_dict() for p in self.pages],
            "segments": [s.to_dict() for s in self.segments],
            "user_knowledge": [f.to_dict() for f in self.user_knowledge],
            "assistant_knowledge": [f.to_dict() for f in self.assistant_knowledge],
            "profile": self.profile,
            "about_past": self.about_past,
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
            blocks.append(fence("facts about the user", "\n".join(f.line() for f in self.user_knowledge), fence_id))
        if self.assistant_knowledge:
            blocks.append(
                fence(
                    "what you (the assistant) know or promised",
                    "\n".join(f.line() for f in self.assistant_knowledge),
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
