"""Plain typed records passed between tiers, storage and the public API."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import numpy as np

from .validation import displayable_timestamp

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
        return _scope_key(self.user_id, self.assistant_id)


@functools.lru_cache(maxsize=4096)
def _scope_key(user_id: str, assistant_id: str) -> str:
    # every store call asks for its scope's key (~15 per retrieve): hashed once per scope, not per call
    digest = hashlib.sha256(f"{user_id}\x00{assistant_id}".encode()).hexdigest()
    return "s" + digest[:24]


_ATOMIC = (str, int, float, bool, type(None))


def plain_fields(record: Any, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """`dataclasses.asdict(record)` without the fields in `leave_out`, for records of plain JSON-like values: the
    same dict, but the vectors left out are never deep-copied first (asdict copies every field, then they were
    dropped; ~half of a served retrieve's response building)."""
    return {
        f.name: value if isinstance(value, _ATOMIC) else copy.deepcopy(value)
        for f in fields(record)
        if f.name not in leave_out
        for value in (getattr(record, f.name),)
    }


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


# a served retrieve writes each page's time twice (its record and the prompt), and the same pages come back in the
# next retrieves: each timestamp is formatted once
@functools.lru_cache(maxsize=8192)
def iso(ts: float) -> str:
    """ISO 8601 in UTC. Never raises: a value outside the timestamp rule (a row written by an older version)
    renders as the nearest valid time (see validation.displayable_timestamp); `memoryos check` reports it."""
    value = displayable_timestamp(ts)
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc).isoformat()
    except (OverflowError, ValueError, OSError):  # platforms whose gmtime stops at 1970 or 2038
        return (_EPOCH + timedelta(seconds=value)).isoformat()


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
    expires_at: float | None = None  # add_memory(ttl=...): leaves retrieval after this time, upkeep deletes it
    # one row per unit (memoryos.units: each side, each long sentence), written with the page vector; None: none
    unit_vectors: np.ndarray | None = None

    @property
    def text(self) -> str:
        return page_text(self.user_input, self.agent_response)

    def copy(self) -> Page:
        """A shallow copy with its own meta_data; the vectors (read-only arrays where a store keeps them) are
        shared."""
        clone = Page.__new__(Page)
        clone.__dict__.update(self.__dict__)  # several times cheaper than copy.copy for a dataclass
        clone.meta_data = copy.deepcopy(self.meta_data) if self.meta_data else {}
        return clone

    def to_dict(self) -> dict[str, Any]:
        data = plain_fields(self, ("embedding", "unit_vectors"))
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
        return plain_fields(self, ("embedding",))


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
    # Time, in conversation time (page timestamps), Graphiti-style: a fact is never overwritten, it is closed.
    observed_at: float | None = None  # when it was said: the newest timestamp among its source pages
    valid_from: float | None = None  # when it became true (defaults to observed_at)
    valid_until: float | None = None  # when it stopped being true; None while it holds
    invalidated_at: float | None = None  # when memoryos learnt that it stopped being true (upkeep's clock)
    superseded_by: str | None = None  # the fact that replaced it, if one did
    attribute: str | None = None  # what it is about ("residence", "age", "employer", "pet:dog"...): updates match on it
    expires_at: float | None = None  # forgetting on purpose: leaves retrieval after this time, upkeep deletes it
    # the statement as said when `text` also carries a detail for the reader (providers/details.py): what the fact
    # is embedded by, found by and compared with; None when the text is the statement
    statement: str | None = None

    def copy(self) -> Fact:
        """A shallow copy with its own list of source pages; the vector (read-only where a store keeps it) is
        shared."""
        clone = Fact.__new__(Fact)
        clone.__dict__.update(self.__dict__)
        clone.source_page_ids = list(self.source_page_ids)
        return clone

    @property
    def said(self) -> str:
        """What the fact is matched by: its statement as said (without the detail its text may add)."""
        return self.statement or self.text

    def is_current(self, now: float | None = None) -> bool:
        """Still true (not closed, not superseded) and, when `now` is given, not expired."""
        if self.valid_until is not None or self.superseded_by is not None:
            return False
        return now is None or self.expires_at is None or self.expires_at > now

    def to_dict(self) -> dict[str, Any]:
        return plain_fields(self, ("embedding",))


@dataclass
class FactInvalidation:
    """Close a current fact: it stopped being true at `valid_until` (conversation time), learnt at
    `invalidated_at`; `superseded_by` names the fact that replaced it, if any."""

    fact_id: str
    valid_until: float
    invalidated_at: float
    superseded_by: str | None = None


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
    unit_vectors: np.ndarray | None = None  # memoryos.units


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
    reanalyze: bool = False  # written extractively while the LLM failed: queue its segments for the LLM


@dataclass
class PromotionPlan:
    segment_id: str
    page_ids: list[str]
    profile: ProfileVersion | None
    new_facts: list[Fact]
    merged_sources: dict[str, list[str]]  # existing fact id -> extra source page ids
    now: float
    invalidations: list[FactInvalidation] = field(default_factory=list)  # current facts this promotion closes


@dataclass
class Purged:
    """What Store.purge_expired deleted: the expired pages as they were (segment, chain links, timestamp), the
    chain successors they leave behind, and the ids of the facts that went with them."""

    pages: list[Page] = field(default_factory=list)
    successors: list[str] = field(default_factory=list)  # pages whose thread ran through an expired page
    fact_ids: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.pages or self.fact_ids)


@dataclass
class SegmentRewrite:
    id: str
    summary: str
    keywords: list[str]
    embedding: np.ndarray


@dataclass
class RewritePlan:
    """Text memory wrote from pages since forgotten, rewritten from what remains (upkeep.rewriter)."""

    segments: list[SegmentRewrite]
    chain_summaries: dict[str, str]  # page id -> its thread summary without the forgotten pages
    profile: ProfileVersion | None  # the next version, without what was said only on forgotten pages
    now: float
    reanalyze: bool = False  # LLM mode: queue the rewritten segments for the LLM (upkeep.reanalyzer)
    past_profiles: dict[int, str] = field(default_factory=dict)  # version -> its text without those lines


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass
class InvalidTime:
    """A stored time that breaks the timestamp rule (written by an older version), found when it was read.

    Reads show such a time as validation.displayable_timestamp(raw); `memoryos check` reports it and
    `--repair` replaces it."""

    kind: Literal["page", "segment", "knowledge", "profile"]
    id: str  # the page, segment or knowledge id; for a profile, its version number
    field: str  # timestamp, created_at or last_access
    raw: Any

    def describe(self) -> str:
        raw = repr(self.raw)
        raw = raw if len(raw) <= 60 else raw[:57] + "..."
        return f"{self.kind} {self.id} has an invalid {self.field} {raw} (shown as {iso(self.raw)})"


@dataclass
class ScopeDump:
    """Everything of one scope, as records (vectors included where stored)."""

    pages: list[Page]
    segments: list[Segment]
    profile_versions: list[ProfileVersion]
    facts: list[Fact]
    invalid_times: list[InvalidTime] = field(default_factory=list)  # filled by Store.export_scope
