"""Plain typed records passed between tiers, storage and the public API."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

import numpy as np

Tier = Literal["short", "mid", "archive"]
KnowledgeKind = Literal["user", "assistant"]


@dataclass(frozen=True)
class Scope:
    """Whose memory: one user talking to one assistant. All rows are keyed by it, never by paths."""

    user_id: str
    assistant_id: str

    @property
    def key(self) -> str:
        """A stable opaque token (hex) for indexes that need a single word, e.g. the FTS scope column."""
        digest = hashlib.sha256(f"{self.user_id}\x00{self.assistant_id}".encode()).hexdigest()
        return "s" + digest[:24]


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat()


@dataclass
class Page:
    """One exchange: a user input and the agent's response."""

    id: str
    user_input: str
    agent_response: str
    timestamp: float
    meta_data: dict[str, Any] = field(default_factory=dict)
    tier: Tier = "short"
    seq: int = 0
    segment_id: str | None = None
    prev_page_id: str | None = None
    next_page_id: str | None = None
    chain_summary: str = ""
    analyzed: bool = False
    embedding: np.ndarray | None = None

    @property
    def text(self) -> str:
        return page_text(self.user_input, self.agent_response)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("embedding")
        data["time"] = iso(self.timestamp)
        return data


def page_text(user_input: str, agent_response: str) -> str:
    parts = []
    if user_input.strip():
        parts.append(f"User: {user_input.strip()}")
    if agent_response.strip():
        parts.append(f"Assistant: {agent_response.strip()}")
    return "\n".join(parts)


@dataclass
class Segment:
    """A mid-term topic: pages about one subject, with a summary, keywords and heat counters."""

    id: str
    summary: str
    keywords: list[str]
    embedding: np.ndarray | None
    n_visit: int = 0
    l_interaction: int = 0
    last_access: float = 0.0
    created_at: float = 0.0
    status: Literal["active", "archived"] = "active"
    page_count: int = 0

    def heat(self, now: float, alpha: float, beta: float, gamma: float, mu: float) -> float:
        """H = α·N_visit + β·L_interaction + γ·exp(-Δt/μ), recency computed at read time."""
        recency = float(np.exp(-max(0.0, now - self.last_access) / mu))
        return alpha * self.n_visit + beta * self.l_interaction + gamma * recency

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("embedding")
        return data


@dataclass
class Fact:
    """A knowledge entry about the user or stated by the assistant, with provenance."""

    id: str
    kind: KnowledgeKind
    text: str
    source_page_ids: list[str]
    created_at: float
    method: Literal["llm", "extractive", "manual"] = "llm"
    embedding: np.ndarray | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("embedding")
        return data


@dataclass
class ProfileVersion:
    version: int
    text: str
    source_page_ids: list[str]
    created_at: float
    method: Literal["llm", "extractive", "manual"] = "llm"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---- upkeep plans: what the tiers decided, applied by storage in one transaction ----


@dataclass
class PageUpdate:
    page_id: str
    segment_id: str
    embedding: np.ndarray
    prev_page_id: str | None
    chain_summary: str


@dataclass
class SegmentWrite:
    """A new segment (is_new) or the refreshed state of an existing one after a merge."""

    id: str
    summary: str
    keywords: list[str]
    embedding: np.ndarray
    added_pages: int
    is_new: bool


@dataclass
class ConsolidationPlan:
    page_ids: list[str]
    pages: list[PageUpdate]
    segments: list[SegmentWrite]
    now: float


@dataclass
class PromotionPlan:
    segment_id: str
    page_ids: list[str]
    profile: ProfileVersion | None
    new_facts: list[Fact]
    merged_sources: dict[str, list[str]]  # existing fact id -> extra source page ids
    now: float


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass
class ScopeDump:
    """Everything of one scope, as records (vectors included where stored)."""

    pages: list[Page]
    segments: list[Segment]
    profile_versions: list[ProfileVersion]
    facts: list[Fact]
