"""Typed settings. Defaults are the MemoryOS paper's (arXiv 2506.06326), not the original code's."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from .errors import ConfigError
from .redact import redact_settings, redact_text, redact_url
from .validation import check_ttl

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


class MemoryosConfig(BaseModel):
    """Every knob of memoryos. Construct it directly, or let `Memoryos(...)` build it from keyword arguments."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # identity and storage
    user_id: str = "default_user"
    assistant_id: str = "default_assistant"
    data_storage_path: str = Field(default="./memoryos_data", description="Directory of the embedded store.")
    storage: str | None = Field(default=None, description="Storage URL; default sqlite:///<data>/memoryos.db")

    # LLM (any OpenAI-compatible chat endpoint)
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, description="HTTP-level retries with back-off (429/5xx/timeouts).")
    llm_output_attempts: int = Field(default=2, ge=1, description="Attempts at getting valid structured output.")
    llm_json_mode: bool = Field(default=True, description="Ask the endpoint for response_format=json_object.")
    llm_max_output_chars: int = Field(default=20_000, gt=0, description="Longer answers are rejected as garbage.")
    use_llm: bool | None = Field(default=None, description="None = use an LLM when one is configured.")

    # embeddings
    embedding_model_name: str = DEFAULT_EMBEDDING_MODEL
    embedding_base_url: str | None = Field(default=None, description="OpenAI-compatible embeddings endpoint.")
    embedding_batch_size: int = Field(default=64, gt=0)
    embedding_backend: Literal["auto", "onnx", "torch"] = Field(
        default="auto",
        description="How a local model runs: auto = ONNX Runtime where the model allows it (same vectors, ~3x "
        "faster per query), else torch.",
    )
    embedding_threads: int | None = Field(
        default=None,
        ge=1,
        description="CPU threads one embedding call may use (default: the runtime's, one per core). Set 1 when "
        "several processes share few cores.",
    )
    max_concurrent_calls: int | None = Field(
        default=None,
        ge=1,
        description="Served (REST, MCP): library calls one server process runs at once; the others wait their "
        "turn in arrival order. Default: eight per core the query model may use (embedding_threads, else the "
        "process's cores).",
    )
    max_concurrent_searches: int | None = Field(
        default=None,
        ge=1,
        description="Served (REST, MCP): retrieve and search calls one server process runs at once (within "
        "max_concurrent_calls); the others wait their turn in arrival order. They are CPU-bound: more than one "
        "per core only makes them wait on each other. Default: one per core the query model may use.",
    )
    query_embedding_precision: Literal["float32", "int8"] = Field(
        default="int8",
        description="Queries of a local ONNX model run on an int8 copy of it (about a third of the CPU per query; "
        "stored vectors always float32). float32: the same graph as stored texts.",
    )
    embedding_cache_dir: str | None = Field(
        default=None, description="Where built ONNX graphs are kept (default: $MEMORYOS_CACHE or ~/.cache/memoryos)."
    )

    # short-term memory
    short_term_capacity: int = Field(default=7, ge=1)
    short_term_retain: int = Field(
        default=3, ge=0, description="Newest pages kept in short-term when a full queue is consolidated."
    )

    # mid-term memory
    mid_term_capacity: int = Field(default=200, ge=1)
    mid_term_similarity_threshold: float = Field(default=0.6, description="Merge threshold θ on F = cos + Jaccard.")
    mid_term_heat_threshold: float = Field(default=5.0, gt=0, description="Promotion threshold τ.")
    heat_alpha: float = 1.0
    heat_beta: float = 1.0
    heat_gamma: float = 1.0
    recency_mu_seconds: float = Field(default=1e7, gt=0)
    eviction_policy: Literal["heat", "lfu"] = "heat"
    consolidation_batch_pages: int | None = Field(
        default=None,
        ge=1,
        description="Most pages one consolidation analyses (None: the paper's cadence, short_term_capacity - "
        "short_term_retain). A backlog is consolidated oldest first in batches of this size, one transaction each.",
    )
    pages_per_topic: int = Field(
        default=2, ge=1, description="A batch may hold one topic per this many pages (rounded up)."
    )
    max_topics_per_batch: int = Field(default=8, ge=1, description="Ceiling on topics per batch, whatever its size.")
    max_segment_pages: int = Field(
        default=24,
        ge=1,
        description="Largest segment: a topic that would grow a segment past it starts a new one. A segment is what "
        "one promotion analyses, one visit heats and one eviction archives.",
    )
    topic_split_threshold: float = Field(
        default=0.25,
        description="No-LLM mode: neighbouring runs of pages in a batch stay separate topics when their mean cosine "
        "is below this.",
    )
    continuity_threshold: float = Field(
        default=0.45, description="No-LLM mode: cosine above which consecutive pages continue one chain."
    )
    max_summary_chars: int = Field(default=1200, gt=50)
    max_keywords: int = Field(default=12, gt=0)

    # long-term memory
    long_term_knowledge_capacity: int = Field(default=100, ge=1)
    knowledge_dedup_threshold: float = Field(default=0.92, description="Cosine above which two facts are one.")

    # retrieval
    top_m_segments: int = Field(default=5, ge=1)
    retrieval_queue_capacity: int = Field(default=7, ge=1, description="Pages returned from mid-term.")
    top_k_candidates: int = Field(default=10, ge=1, description="Paper's top-k pages considered per segment.")
    visit_min_similarity: float = Field(
        default=0.3,
        description="A retrieved page counts as a visit to its segment from this cosine (or a lexical hit).",
    )
    knowledge_top_k: int = Field(default=5, ge=0)
    knowledge_min_similarity: float = 0.2
    lexical_weight: float = Field(default=1.0, ge=0)
    dense_weight: float = Field(default=1.0, ge=0)
    segment_weight: float = Field(default=0.5, ge=0)
    chain_weight: float = Field(
        default=0.4, ge=0, description="Share of the previous page's score a page inherits in its dialogue chain."
    )
    chain_answer_floor: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="Chain context by where the match sits: a page passes its score forward in proportion to the "
        "share of the question's words in its second turn, never below this floor; 1 passes the full share.",
    )
    meaning_every: int = Field(
        default=3,
        ge=0,
        description="Every this-many-th place of the results may go to the best page by meaning alone (every signal "
        "but the full-text score) not already placed; 0 leaves fusion's order.",
    )
    inference_meaning_every: int = Field(
        default=1,
        ge=0,
        description="meaning_every for questions that ask for an inference about a person ('Would X likely ...?', "
        "'What might X ...?'; English hedges): their answer rarely shares the question's words. 0: as other questions.",
    )
    spread_weight: float = Field(
        default=0.05,
        ge=0,
        description="List questions ('What activities has X done?'): how much each page already placed from the same "
        "day costs a page in the first places (in units of the best score), spreading them over sessions.",
    )
    meaning_margin: float = Field(
        default=1.5,
        ge=0,
        description="A meaning place goes to that page only when its score by meaning exceeds that of fusion's next "
        "page by this many standard deviations of the candidates' scores by meaning; 0: always.",
    )
    date_weight: float = Field(default=0.3, ge=0, description="Boost for pages from a date the query names.")
    query_analysis: bool = Field(
        default=True,
        description="Read the question's type and the dates it names (relative ones, months without a year).",
    )
    frame_words: bool = Field(
        default=True,
        description="Leave the words that frame an English question ('what kind of', 'mention', 'describe') out of "
        "its full-text terms.",
    )
    event_dates: bool = Field(
        default=True, description="Dated questions also match pages by the dates their words mention (event time)."
    )
    time_weight: float = Field(
        default=0.2, ge=0, description="Boost for pages that mention a time, for 'when' and 'how long' questions."
    )
    place_weight: float = Field(
        default=0.2, ge=0, description="Boost for pages that name a place, for 'where' (and 'which city') questions."
    )
    fact_page_weight: float = Field(
        default=0.3, ge=0, description="Lift for the pages that stated the facts closest to the query."
    )
    category_weight: float = Field(
        default=0.2,
        ge=0,
        description="A question asking for a kind of thing (activities, books, places, pets...): lift for the pages "
        "that stated the facts most of that kind (scored against the kind, not the question's words).",
    )
    category_lists_only: bool = Field(
        default=True,
        description="category_weight applies to list questions only ('What activities has Anna done?'), not to "
        "every question that names a kind ('What book did Anna recommend?').",
    )
    instance_questions: bool = Field(
        default=True,
        description="A question whose grammar asks for several things of a kind without the list form ('What events "
        "is Anna planning?', 'What has Anna cooked?', 'What does Anna do to relax?'; English) is a list question: "
        "spread_weight, list_side_cut and the category lift (by the kind its asking words name) apply to it.",
    )
    speaker_attribution: bool = Field(
        default=True,
        description="A question naming one speaker of name-labelled sides ('Anna: ...') is asked of that side: "
        "only that side's facts lift pages, and speaker_weight applies.",
    )
    speaker_weight: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="A question naming one speaker of name-labelled sides: how much a page's full-text score follows "
        "the share of its matching words said by that speaker.",
    )
    list_side_cut: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="A list question naming one speaker ('What activities has Anna done?'): how much of a page's "
        "full-text score is taken away when its match lies on the other speaker's side, the other speaker's own "
        "statements: x (1 - cut x (1 - 2 x share)) below half the match; 0 leaves it (only speaker_weight raises).",
    )
    unit_weight: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Page units: how far a page's best unit (one side, one long sentence) raises its dense score "
        "towards that unit's cosine; 0 writes and reads no unit vectors.",
    )
    hop_weight: float = Field(
        default=0.0, ge=0, description="Second hop: lift for pages found by the words the best first hits share."
    )
    diversity_weight: float = Field(
        default=0.0, ge=0, description="Maximal marginal relevance: how much likeness to a page ranked above costs."
    )
    reranker_model: str | None = Field(
        default=None,
        description="Directory of a local sentence-transformers cross-encoder that re-orders the best candidates "
        "(needs memoryos[torch]); None: no reranking.",
    )
    reranker_candidates: int = Field(default=20, ge=1, description="Best candidates the reranker re-orders.")

    # upkeep
    background_upkeep: bool = Field(default=True, description="Run consolidation/promotion off the caller's path.")
    upkeep_lease_seconds: float = Field(
        default=300.0, gt=0, description="How long one process may hold a user's upkeep before others take over."
    )
    upkeep_retry_seconds: float = Field(default=30.0, ge=0, description="Back-off after a failed upkeep step.")
    llm_fallback_after_failures: int = Field(
        default=3, ge=1, description="Failed LLM attempts in a row after which upkeep goes on without the LLM."
    )
    llm_fallback_after_seconds: float = Field(
        default=600.0, ge=0, description="How long the LLM may fail before upkeep goes on without it."
    )
    llm_backlog_pages: int = Field(
        default=8, ge=1, description="Pages waiting beyond the short-term capacity before upkeep goes on without "
        "the LLM: short-term never grows past capacity + this.",
    )
    llm_probe_seconds: float = Field(
        default=60.0, ge=0, description="While degraded, how often the LLM is tried again."
    )
    llm_change_reader: bool = Field(
        default=True,
        description="LLM mode: the no-LLM change reader also reads each promoted batch against the facts shown to "
        "the model and closes a fact that stopped being true when the model's operations left it open.",
    )

    # forgetting on purpose
    memory_ttl_seconds: float | None = Field(
        default=None,
        description="Default time to live of a new page, in seconds from when it is stored (add_memory's ttl "
        "overrides it); None keeps pages until deleted. Expired pages leave retrieval at once; upkeep deletes them.",
    )

    # input limits
    max_input_chars: int = Field(default=1_000_000, gt=0)
    max_meta_data_bytes: int = Field(
        default=65_536, gt=0, description="Largest meta_data of one page: its JSON, as stored, in UTF-8 bytes."
    )

    @field_validator("user_id", "assistant_id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        return validate_identifier(value)

    @field_validator("memory_ttl_seconds", mode="before")
    @classmethod
    def _check_ttl(cls, value: object) -> float | None:
        if isinstance(value, str):  # from the environment or a config file: a number, or empty for none
            text = value.strip()
            if not text or text.lower() == "none":
                return None
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"must be a number of seconds, got {value!r}") from None
        return check_ttl(value, "memory_ttl_seconds")

    @field_validator("reranker_model", mode="before")
    @classmethod
    def _check_reranker(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValueError(f"must be the path of a model directory, got {type(value).__name__}")
        from .providers.reranker import check_reranker_path

        return check_reranker_path(value)

    @model_validator(mode="after")
    def _check_consistency(self) -> MemoryosConfig:
        if self.short_term_retain >= self.short_term_capacity:
            # keep at least one page per batch, or consolidation could never make room
            object.__setattr__(self, "short_term_retain", max(0, self.short_term_capacity - 1))
        return self

    def topics_allowed(self, n_pages: int) -> int:
        """Topics a batch of n pages may hold: one per pages_per_topic pages, within max_topics_per_batch."""
        return max(1, min(self.max_topics_per_batch, -(-n_pages // self.pages_per_topic)))

    @property
    def llm_enabled(self) -> bool:
        configured = bool(self.openai_base_url or (self.openai_api_key and self.openai_api_key.get_secret_value()))
        return configured if self.use_llm is None else (self.use_llm and configured)

    def storage_url(self) -> str:
        if self.storage:
            return self.storage
        return f"sqlite:///{Path(self.data_storage_path) / 'memoryos.db'}"

    def public_dict(self) -> dict[str, object]:
        """Settings for logs and stats: secrets masked, credentials inside URLs redacted."""
        return redact_settings(self.model_dump())

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, redact_url(value) if name in URL_FIELDS and isinstance(value, str) else value


URL_FIELDS = ("storage", "openai_base_url", "embedding_base_url")  # may carry credentials: shown redacted
MAX_ID_LENGTH = 256


def validate_identifier(value: object, what: str = "id") -> str:
    """User and assistant ids are keys, never paths; still, reject what no sane id contains."""
    from .errors import InvalidInput

    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidInput(f"{what} must not be empty")
    if len(value) > MAX_ID_LENGTH:
        raise InvalidInput(f"{what} is {len(value)} characters long; the limit is {MAX_ID_LENGTH}")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidInput(f"{what} must not contain control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"{what} is not valid Unicode text") from exc
    return value


ENV_OVERRIDES = {
    "OPENAI_API_KEY": "openai_api_key",
    "OPENAI_BASE_URL": "openai_base_url",
    "MEMORYOS_LLM_MODEL": "llm_model",
    "MEMORYOS_DATA": "data_storage_path",
    "MEMORYOS_STORAGE": "storage",
    "MEMORYOS_EMBEDDING_MODEL": "embedding_model_name",
    "MEMORYOS_EMBEDDING_BACKEND": "embedding_backend",
    "MEMORYOS_RERANKER_MODEL": "reranker_model",
    "MEMORYOS_MEMORY_TTL_SECONDS": "memory_ttl_seconds",
    "MEMORYOS_MAX_CONCURRENT_CALLS": "max_concurrent_calls",
    "MEMORYOS_MAX_CONCURRENT_SEARCHES": "max_concurrent_searches",
}


def unset_empty(values: dict[str, Any]) -> dict[str, Any]:
    """Empty strings mean "not set" (the environment or the default applies), for constructor arguments as for
    config files: the original MemoryOS's examples pass `embedding_model_name=""`, `openai_api_key=""`."""
    return {k: None if isinstance(v, str) and v == "" else v for k, v in values.items()}


def build_config(explicit: dict[str, object], base: MemoryosConfig | None = None) -> MemoryosConfig:
    """Merge: base config < environment (only where the caller passed None or "") < explicit arguments that are
    set (not None, not "")."""
    explicit = unset_empty(explicit)
    data: dict[str, object] = base.model_dump() if base else {}
    if base and base.openai_api_key:
        data["openai_api_key"] = base.openai_api_key.get_secret_value()
    for env_name, field in ENV_OVERRIDES.items():
        env_value = os.environ.get(env_name)
        if env_value and explicit.get(field) is None and (base is None or field not in base.model_fields_set):
            data[field] = env_value
    data.update({k: v for k, v in explicit.items() if v is not None})
    try:
        return MemoryosConfig.model_validate(data)
    except Exception as exc:  # pydantic's ValidationError, re-raised as our typed error
        from pydantic import ValidationError

        if isinstance(exc, ValidationError):
            raise ConfigError(f"invalid memoryos configuration: {_describe(exc)}") from None
        raise


def _describe(exc: Any) -> str:
    """A pydantic ValidationError without the secrets it would echo: the values of secret-looking or unknown
    fields are left out, URLs are redacted."""
    lines = []
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"]) or "settings"
        line = f"{field}: {error['msg']}"
        value = error.get("input")
        shown = redact_settings({field: value}).get(field) if isinstance(value, str | int | float | bool) else None
        if shown is not None and shown != "***" and error["type"] != "extra_forbidden":
            line += f" (got {redact_text(repr(shown))[:200]})"
        lines.append(line)
    return f"{len(lines)} problem(s): " + "; ".join(lines)
