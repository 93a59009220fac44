"""Typed requests and responses of the REST API; their JSON schemas (with examples) make up the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from ..validation import MAX_TTL_SECONDS
from .validity import with_validity

PAGE_ID = "3f2b8c1d9e4a4b6f8a7c5d2e1f0a9b8c"
FACT_ID = "44e1f9094b7947d6b5dbae0c35b60037"
# Texts have no maxLength here: the library checks them against the server's configured max_input_chars, so that
# an over-long text gets 413 input_too_large (a schema limit would answer 422 first, and with a fixed number).
TEXT_LIMIT = " At most max_input_chars characters (a server setting, default 1,000,000); longer gets 413."


class _In(BaseModel):
    # strict: JSON true is not a page count, 1 is not a text
    model_config = ConfigDict(extra="forbid", strict=True)


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


# ---- errors and service ----


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code.", examples=["not_found"])
    message: str = Field(description="What went wrong, for people.", examples=["no page 'abc' in the memory of user"])


class ErrorBody(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class HeatSettings(BaseModel):
    alpha: float = Field(description="Weight of N_visit (retrievals that used the segment).")
    beta: float = Field(description="Weight of L_interaction (pages in the segment).")
    gamma: float = Field(description="Weight of recency exp(-Δt/μ).")
    mu_seconds: float
    threshold: float = Field(description="τ: segments at or above this heat are promoted into long-term memory.")


class ServerInfo(BaseModel):
    version: str
    default_user: str = Field(description="The configured user_id (the inspector opens it first).")
    assistant_id: str
    mode: Literal["llm", "no-llm"]
    storage_backend: str
    auth_required: bool
    heat: HeatSettings
    capacities: dict[str, int]


class UserList(BaseModel):
    users: list[str] = Field(description="Users with stored memory that this token may access.")


# ---- memory records ----


class PageOut(_Out):
    """One stored exchange."""

    id: str
    user_input: str
    agent_response: str
    timestamp: float = Field(description="Epoch seconds.")
    time: str = Field(description="The same time, ISO 8601 UTC.")
    meta_data: dict[str, Any] = Field(default_factory=dict)
    tier: Literal["short", "mid", "archive"]
    seq: int = Field(description="Order of arrival within the user's memory.")
    segment_id: str | None = None
    prev_page_id: str | None = Field(default=None, description="Previous page of the same dialogue chain.")
    next_page_id: str | None = None
    chain_summary: str = ""
    analyzed: bool = False
    expires_at: float | None = Field(
        default=None, description="When the page is forgotten (add_memory's ttl), epoch seconds; null = kept."
    )


class FactOut(_Out):
    """A knowledge entry about the user (kind=user) or said/promised by the assistant (kind=assistant), with
    where it came from (source pages) and when it held (validity: current, or until valid_until)."""

    id: str
    kind: Literal["user", "assistant"]
    text: str
    source_page_ids: list[str] = Field(
        default_factory=list, description="The pages it was stated in (GET .../pages/{page_id}); may be deleted since."
    )
    created_at: float = Field(description="When memoryos stored it, epoch seconds.")
    method: str = Field(description="llm, extractive or manual.")
    attribute: str | None = Field(
        default=None,
        description="What it is about (residence, age, employer, pet:dog...): a newer fact about the same attribute "
        "replaces it.",
    )
    observed_at: float | None = Field(
        default=None, description="When it was said: conversation time (its source pages' timestamps), epoch seconds."
    )
    valid_from: float | None = Field(default=None, description="Since when it holds (conversation time).")
    valid_until: float | None = Field(
        default=None, description="When it stopped being true (conversation time); null while it holds."
    )
    invalidated_at: float | None = Field(default=None, description="When memoryos learnt that it stopped being true.")
    superseded_by: str | None = Field(default=None, description="The entry that replaced it, if one did.")
    expires_at: float | None = Field(
        default=None,
        description="When it is forgotten on purpose (add_knowledge's valid_until): it leaves every read then, and "
        "upkeep deletes it.",
    )
    current: bool = Field(description="True while it holds: neither closed (valid_until) nor superseded.")
    said: str | None = Field(default=None, description="observed_at (else created_at) as ISO 8601 UTC.")
    until: str | None = Field(default=None, description="valid_until as ISO 8601 UTC; null while it holds.")

    @model_validator(mode="before")
    @classmethod
    def _current(cls, data: Any) -> Any:
        return with_validity(data)


class HeatComponents(BaseModel):
    visits: float = Field(description="α·N_visit")
    interaction: float = Field(description="β·L_interaction")
    recency: float = Field(description="γ·exp(-Δt/μ)")


class SegmentOut(_Out):
    """A mid-term topic segment with its heat H = α·N_visit + β·L_interaction + γ·exp(-Δt/μ)."""

    id: str
    summary: str
    keywords: list[str]
    n_visit: int
    l_interaction: int
    last_access: float
    created_at: float
    status: Literal["active", "archived"]
    page_count: int
    heat: float
    heat_components: HeatComponents
    hot: bool = Field(description="heat ≥ τ: due for promotion into long-term memory.")


class SegmentDetail(SegmentOut):
    pages: list[PageOut] = Field(description="The segment's pages in the order they were stored.")


class ProfileVersionOut(_Out):
    version: int
    text: str
    source_page_ids: list[str] = Field(default_factory=list)
    created_at: float
    method: str


# ---- requests ----


class AddMemoryRequest(_In):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {
                    "user_input": "Hi! I'm Tom, I work as a data scientist in San Francisco.",
                    "agent_response": "Nice to meet you, Tom! What kind of data do you work with?",
                    "timestamp": "2025-06-01T14:30:00Z",
                    "meta_data": {"source": "chat"},
                }
            ]
        },
    )

    user_input: str = Field(default="", description="What the user said." + TEXT_LIMIT)
    agent_response: str = Field(default="", description="What the agent answered." + TEXT_LIMIT)
    timestamp: str | float | None = Field(default=None, description="ISO 8601 or epoch seconds; default now.")
    meta_data: dict[str, Any] | None = Field(
        default=None,
        description="Any JSON object stored with the page; at most max_meta_data_bytes (default 65,536) as JSON, "
        "or 413.",
    )
    ttl: float | None = Field(
        default=None,
        gt=0,
        le=MAX_TTL_SECONDS,
        description="Forget the page this many seconds after it is stored (not after its timestamp): from then on "
        "no read returns it and upkeep deletes it. Default: the server's memory_ttl_seconds (none: kept).",
        examples=[2_592_000],
    )


class QueryRequest(_In):
    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"examples": [{"query": "What do you remember about my job?"}]}
    )

    query: str = Field(description="The query." + TEXT_LIMIT)
    max_results: int | None = Field(
        default=None,
        ge=0,
        le=1000,
        # max_pages: the name before max_results was the one name everywhere (CLI --max-results, MCP, library)
        validation_alias=AliasChoices("max_results", "max_pages"),
        description="At most this many retrieved pages (default: retrieval_queue_capacity). `max_pages`, its old "
        "name, is accepted too.",
    )


class RespondRequest(_In):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"query": "What should I cook tonight?", "relationship_with_user": "friend"}]},
    )

    query: str = Field(description="The query." + TEXT_LIMIT)
    relationship_with_user: str = Field(default="friend", max_length=200)
    style_hint: str = Field(default="", max_length=2000)


class AddKnowledgeRequest(_In):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"text": "Tom is allergic to peanuts.", "kind": "user"}]},
    )

    text: str = Field(description="The fact." + TEXT_LIMIT)
    kind: Literal["user", "assistant"] = "user"
    valid_until: str | float | None = Field(
        default=None,
        description="ISO 8601 or epoch seconds, in the future: the fact holds until then and is then forgotten "
        "(stored as its expires_at). Default: it holds until changed or deleted.",
    )


class InvalidateRequest(_In):
    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"examples": [{"valid_until": "2025-06-01T00:00:00Z"}]}
    )

    valid_until: str | float | None = Field(
        default=None,
        description="When it stopped being true: ISO 8601 or epoch seconds (conversation time); default now.",
    )


# ---- responses ----


class PageCreated(BaseModel):
    user_id: str
    page_id: str = Field(examples=[PAGE_ID])


class KnowledgeCreated(BaseModel):
    user_id: str
    id: str = Field(description="The new entry, or the existing one it duplicated.", examples=[FACT_ID])


class RetrievedPageOut(PageOut):
    score: float
    segment_summary: str = ""
    signals: dict[str, float] = Field(
        default_factory=dict, description="Ranking signals: dense, lexical, segment, chain, date."
    )


class RetrievedFactOut(FactOut):
    score: float
    tier: Literal["long"] = "long"


class RetrievedSegmentOut(_Out):
    segment_id: str
    summary: str
    keywords: list[str]
    score: float
    heat: float


class RetrievalOut(_Out):
    """What every tier contributes for a query, scored."""

    user_id: str
    query: str
    short_term: list[PageOut] = Field(description="The recent conversation (short-term tier), oldest first.")
    pages: list[RetrievedPageOut] = Field(description="Relevant mid-term/archived pages, best first.")
    segments: list[RetrievedSegmentOut]
    user_knowledge: list[RetrievedFactOut]
    assistant_knowledge: list[RetrievedFactOut]
    profile: str
    timings_ms: dict[str, float] = Field(default_factory=dict)
    visited_segment_ids: list[str] = Field(
        default_factory=list, description="Segments whose N_visit this call raised (always empty for search)."
    )
    context: str = Field(description="The same memories rendered as fenced prompt context.")


class ResponseOut(BaseModel):
    user_id: str
    answer: str


class ProfileOut(BaseModel):
    user_id: str
    profile: str = Field(description="The current long-term profile (empty until something was promoted).")
    versions: list[ProfileVersionOut] = Field(description="Every stored version, oldest first.")


class KnowledgeList(BaseModel):
    user_id: str
    items: list[FactOut] = Field(description="Current entries; with include_history, closed ones too.")


class FactHistory(BaseModel):
    user_id: str
    fact_id: str
    items: list[FactOut] = Field(description="The entries that replaced one another through this one, oldest first.")


class PageList(BaseModel):
    user_id: str
    items: list[PageOut]
    total: int = Field(description="Pages matching the filters, before paging.")
    limit: int
    offset: int


class SegmentList(BaseModel):
    user_id: str
    items: list[SegmentOut]
    total: int
    limit: int
    offset: int
    heat_threshold: float = Field(description="τ")


class Deleted(BaseModel):
    user_id: str
    deleted: str = Field(description="The id that was deleted.")
    pages_deleted: int = Field(default=1, description="Pages removed by this call.")


class Forgotten(BaseModel):
    user_id: str
    pages_deleted: int


class Imported(BaseModel):
    user_id: str
    pages_imported: int


class StatsOut(_Out):
    model_config = ConfigDict(extra="allow")

    user_id: str
    assistant_id: str
    mode: str
    pages: dict[str, int]
    segments: dict[str, int]
    knowledge: dict[str, int] = Field(description="Facts that hold now, per kind (user, assistant).")
    closed_knowledge: dict[str, int] = Field(
        default_factory=dict,
        description="Facts kept only in the history (invalidated or superseded), per kind.",
    )
    profile_versions: int
    llm_usage: dict[str, Any]
    upkeep: dict[str, Any] = Field(description="Background upkeep: failures, last error, pages waiting past capacity.")
    llm: dict[str, Any] = Field(
        default_factory=dict,
        description="The LLM's state: working, failing (upkeep postponed) or degraded (upkeep goes on without it, "
        "marked extractive), since when, the last error, extractive batches.",
    )


class ExportOut(_Out):
    """The library's export format: re-importable with POST .../import."""

    model_config = ConfigDict(extra="allow")

    format: str
    version: int
    user_id: str
    assistant_id: str
    pages: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    profile_versions: list[dict[str, Any]]
    knowledge: list[dict[str, Any]]
