"""The facade: wires configuration, storage, providers and tiers; the public library API."""

from __future__ import annotations

import atexit
import logging
import math
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from . import foreground
from .compat import OriginalApi
from .config import MemoryosConfig, build_config, validate_identifier
from .dump_vectors import attach_vectors
from .errors import ConfigError, InvalidInput, LLMError, LLMNotConfigured, NotFound
from .expiry import Expiring, is_expired, purge_expired, unexpired
from .export_format import dict_to_dump, dump_to_dict, with_fresh_ids
from .maintenance import check_memory, repair_memory
from .models import Fact, FactInvalidation, KnowledgeKind, Page, Scope, Segment, iso
from .providers.analysis import Analyzer, LLMAnalyzer
from .providers.answers import strip_reasoning
from .providers.batching import BatchingEmbedder
from .providers.embeddings import Embedder, OpenAIEmbedder, embed_queries, local_embedder
from .providers.extractive import ExtractiveAnalyzer
from .providers.fact_attribute import attribute_of
from .providers.llm import LLM, MeteredLLM, OpenAICompatibleLLM, UsageMeter
from .providers.prompts import generation_messages, new_fence_id
from .redact import redact_url
from .retrieval.result import RetrievalResult
from .retrieval.retriever import Retriever
from .storage import Store, open_store
from .telemetry import traced_add, traced_retrieve, traced_upkeep
from .tiers.long_term import LongTermMemory
from .tiers.mid_term import MidTermMemory
from .tiers.short_term import ShortTermMemory
from .upkeep.fallback import AnalysisRouter, LLMHealth
from .upkeep.lease import UpkeepLease
from .upkeep.promoter import Promoter
from .upkeep.reanalyzer import Reanalyzer
from .upkeep.rewriter import Rewriter
from .upkeep.updater import Updater
from .upkeep.worker import UpkeepWorker, run_until_idle
from .validation import check_meta_data, check_text, check_ttl, check_valid_until, expiry_after, parse_timestamp

log = logging.getLogger("memoryos")
T = TypeVar("T", bound=Expiring)

# instances not yet closed; closed at interpreter exit so that pending heat writes are kept and no upkeep thread is
# inside the embedding runtime's native code when the process tears down (ONNX Runtime aborts it then)
_OPEN: weakref.WeakSet[Memoryos] = weakref.WeakSet()
VISIT_WRITE_DELAY_SECONDS = 0.5  # how long retrieval visits may wait to be written together (background upkeep)
# A pass woken only by visits writes them and goes on to a full upkeep pass (the lease, expiry, consolidation,
# promotion: ~10 ms of CPU at 10k pages) only when a visited segment reached τ, when something else asked for
# upkeep, or when no full pass ran for this long (expired items are then deleted at this pace while only
# retrievals come; no read returns them meanwhile)
FULL_UPKEEP_SECONDS = 10.0
# adds closer together than this are a burst (a client importing or replaying a conversation through a server); a
# full short-term memory then asks upkeep for a pass within ADD_BURST_UPKEEP_DELAY_SECONDS, not at once, so that
# consolidation runs in full batches between the adds instead of a pass competing with every add for the CPU and
# the write lock. What upkeep does is unchanged; the backlog is bounded by the adds of one delay
ADD_BURST_SECONDS = 0.25
ADD_BURST_UPKEEP_DELAY_SECONDS = 1.0


@atexit.register
def _close_open_memories() -> None:
    for memo in list(_OPEN):
        try:
            memo.close()
        except Exception as exc:  # exiting anyway; what was acknowledged is already stored
            log.warning("closing %r at exit failed: %s", memo, exc)


class _LazyEmbedder:
    """Loads the embedding model on first use, so adding memories never waits for it."""

    def __init__(self, factory: Callable[[], Embedder], on_load: Callable[[Embedder], None]) -> None:
        self._factory = factory
        self._on_load = on_load
        self._inner: Embedder | None = None
        self._lock = threading.Lock()

    def get(self) -> Embedder:
        if self._inner is None:
            with self._lock:
                if self._inner is None:
                    inner = self._factory()
                    self._on_load(inner)
                    self._inner = inner
        return self._inner

    @property
    def name(self) -> str:
        return self.get().name

    @property
    def dim(self) -> int:
        return self.get().dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.get().embed(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return embed_queries(self.get(), texts)


_LOCAL_MODELS: dict[tuple[object, ...], Embedder] = {}
_LOCAL_MODELS_LOCK = threading.Lock()


def make_embedder(cfg: MemoryosConfig) -> Embedder:
    """The embedder a config names (used by Memoryos; public so tools can wrap it, e.g. to batch imports).

    A local model is loaded once per process and settings, behind one executor (providers.batching) that every
    Memoryos of the process shares: a server's concurrent requests then share model calls instead of running
    one each on the same cores."""
    if cfg.embedding_base_url:
        key = cfg.openai_api_key.get_secret_value() if cfg.openai_api_key else None
        return OpenAIEmbedder(
            cfg.embedding_model_name, cfg.embedding_base_url, key, cfg.llm_timeout_seconds, cfg.embedding_batch_size
        )
    cache = Path(cfg.embedding_cache_dir) if cfg.embedding_cache_dir else None
    settings = (cfg.embedding_model_name, cfg.embedding_batch_size, cfg.embedding_backend, cache, cfg.embedding_threads)
    with _LOCAL_MODELS_LOCK:
        shared = _LOCAL_MODELS.get(settings)
        if shared is None:
            shared = _LOCAL_MODELS[settings] = BatchingEmbedder(local_embedder(*settings))
        return shared


class Memoryos(OriginalApi):
    """Three-tier memory for one user talking to one assistant.

    Parameter names follow the established MemoryOS API; everything else is in `config` (a MemoryosConfig). The
    original's method names are aliases (compat.OriginalApi).
    """

    def __init__(
        self,
        user_id: str | None = None,
        openai_api_key: str | None = None,
        data_storage_path: str | None = None,
        openai_base_url: str | None = None,
        assistant_id: str | None = None,
        short_term_capacity: int | None = None,
        mid_term_capacity: int | None = None,
        long_term_knowledge_capacity: int | None = None,
        retrieval_queue_capacity: int | None = None,
        mid_term_heat_threshold: float | None = None,
        mid_term_similarity_threshold: float | None = None,
        llm_model: str | None = None,
        embedding_model_name: str | None = None,
        *,
        storage: str | None = None,
        store: Store | None = None,
        config: MemoryosConfig | None = None,
        llm: LLM | None = None,
        embedder: Embedder | None = None,
        clock: Callable[[], float] = time.time,
        **settings: Any,
    ) -> None:
        # an empty string is "not set" for every argument (build_config), as the original's examples use it
        if user_id not in (None, ""):
            validate_identifier(user_id, "user_id")
        if assistant_id not in (None, ""):
            validate_identifier(assistant_id, "assistant_id")
        explicit: dict[str, Any] = {
            "user_id": user_id,
            "openai_api_key": openai_api_key,
            "data_storage_path": data_storage_path,
            "openai_base_url": openai_base_url,
            "assistant_id": assistant_id,
            "short_term_capacity": short_term_capacity,
            "mid_term_capacity": mid_term_capacity,
            "long_term_knowledge_capacity": long_term_knowledge_capacity,
            "retrieval_queue_capacity": retrieval_queue_capacity,
            "mid_term_heat_threshold": mid_term_heat_threshold,
            "mid_term_similarity_threshold": mid_term_similarity_threshold,
            "llm_model": llm_model,
            "embedding_model_name": embedding_model_name,
            "storage": storage,
            **settings,
        }
        self.config = cfg = build_config(explicit, config)
        self.scope = Scope(cfg.user_id, cfg.assistant_id)
        self._clock = clock
        self.usage = UsageMeter()
        self._closed = False

        if store is not None and storage not in (None, ""):
            raise ConfigError("give storage (a URL) or store (an open Store), not both")
        # like an HTTP client given a transport: a store handed in is used as it is and stays the caller's to
        # close (one store can serve many users' Memoryos instances); a store opened from the URL is ours
        self._owns_store = store is None
        self.store: Store = store if store is not None else open_store(cfg.storage_url())
        self._llm: MeteredLLM | None = None
        if llm is not None:
            self._llm = MeteredLLM(llm, self.usage)
        elif cfg.llm_enabled:
            self._llm = MeteredLLM(
                OpenAICompatibleLLM(
                    cfg.llm_model,
                    cfg.openai_api_key.get_secret_value() if cfg.openai_api_key else None,
                    cfg.openai_base_url,
                    timeout=cfg.llm_timeout_seconds,
                    max_retries=cfg.llm_max_retries,
                    json_mode=cfg.llm_json_mode,
                ),
                self.usage,
            )
        self.embedder = _LazyEmbedder(
            (lambda: embedder) if embedder is not None else self._make_embedder,
            lambda e: self.store.check_embedding_model(e.name, e.dim),
        )
        extractive = ExtractiveAnalyzer(cfg, self.embedder)
        self.analyzer: Analyzer = LLMAnalyzer(self._llm, cfg, self.embedder.embed) if self._llm else extractive
        # with an LLM, upkeep falls back to the extractive analyzer while the LLM keeps failing
        self.llm_health: LLMHealth | None = LLMHealth(cfg) if self._llm else None
        router = AnalysisRouter(self.analyzer, extractive if self._llm else None, self.llm_health)

        self.short = ShortTermMemory(
            self.store, self.scope, cfg.short_term_capacity, cfg.short_term_retain, cfg.consolidation_batch_pages
        )
        self.mid = MidTermMemory(self.store, self.scope, cfg)
        self.long = LongTermMemory(self.store, self.scope, cfg)
        self.promoter = Promoter(self.mid, self.long, router, self.embedder, cfg)
        self.updater = Updater(self.short, self.mid, router, self.embedder, cfg, self.promoter.before_archive)
        self.reanalyzer = (
            Reanalyzer(self.mid, self.analyzer, self.embedder, self.llm_health, cfg) if self.llm_health else None
        )
        self.rewriter = Rewriter(self.mid, self.long, extractive, self.embedder, cfg, llm_mode=self._llm is not None)
        self.retriever = Retriever(self.short, self.mid, self.long, self.embedder, cfg)
        self._upkeep_lock = threading.Lock()
        self._wanted_lock = threading.Lock()
        # upkeep asked for by anything but visits (adds, expiry, flush, start), and how much of it a full pass
        # has done: a pass woken by visits alone only writes them (see FULL_UPKEEP_SECONDS)
        self._full_wanted = 0
        self._full_done = 0
        self._full_at = -math.inf  # monotonic time the last full pass found nothing left
        self._last_add_at = -math.inf  # monotonic time of this instance's latest add (bursts, see add_memory)
        self._holder = uuid.uuid4().hex  # this instance's name on upkeep leases
        self._lease = UpkeepLease(self.store, self.scope, self._holder, cfg.upkeep_lease_seconds)
        self._worker = (
            UpkeepWorker(self._upkeep_step, cfg.upkeep_retry_seconds, around=self._lease.keep)
            if cfg.background_upkeep
            else None
        )
        _OPEN.add(self)
        log.info(
            "memoryos ready: user=%s assistant=%s storage=%s mode=%s",
            cfg.user_id,
            cfg.assistant_id,
            redact_url(cfg.storage_url()) if self._owns_store else f"a given {type(self.store).__name__}",
            (f"llm:{cfg.llm_model}" + (f" at {redact_url(cfg.openai_base_url)}" if cfg.openai_base_url else ""))
            if self._llm
            else "no-llm (extractive)",
        )
        # every setting (~50) only on request: a server opens one instance per user and would repeat them all
        log.debug("settings of %s/%s: %s", cfg.user_id, cfg.assistant_id, cfg.public_dict())
        self._schedule_upkeep()  # finish what a previous process left pending

    def _make_embedder(self) -> Embedder:
        return make_embedder(self.config)

    # ---- writing ----

    @traced_add
    @foreground.call()
    def add_memory(
        self,
        user_input: str | None,
        agent_response: str | None,
        timestamp: object = None,
        meta_data: dict[str, Any] | None = None,
        *,
        ttl: float | timedelta | None = None,
    ) -> str:
        """Store one exchange as a page in short-term memory. Returns the page id once it is durable.

        `ttl` (seconds or a timedelta; default: the config's memory_ttl_seconds, None = keep): the page is
        forgotten that long after it is stored, whatever its own timestamp says. From then on no read returns it
        and upkeep deletes it."""
        limit = self.config.max_input_chars
        user_text = check_text(user_input, "user_input", limit)
        agent_text = check_text(agent_response, "agent_response", limit)
        if not user_text.strip() and not agent_text.strip():
            raise InvalidInput("a page needs a non-empty user_input or agent_response")
        lifetime = check_ttl(ttl)
        now = self._clock()
        page = Page(
            id=uuid.uuid4().hex,
            user_input=user_text,
            agent_response=agent_text,
            timestamp=parse_timestamp(timestamp, now),
            meta_data=check_meta_data(meta_data, self.config.max_meta_data_bytes),
            expires_at=expiry_after(lifetime if lifetime is not None else self.config.memory_ttl_seconds, now),
        )
        full = self.short.add_and_check(page)
        burst = self._add_burst()
        if full:
            self._schedule_upkeep(burst=burst)
        return page.id

    def _add_burst(self) -> bool:
        """Whether this add follows the previous one closely (see ADD_BURST_SECONDS)."""
        now, previous = time.monotonic(), self._last_add_at
        self._last_add_at = now
        return now - previous < ADD_BURST_SECONDS

    # ---- reading ----

    @traced_retrieve
    @foreground.call()
    def retrieve(
        self,
        query: str,
        *,
        max_results: int | None = None,
        update_heat: bool = True,
        max_pages: int | None = None,
    ) -> RetrievalResult:
        """Context from every tier for a query. A retrieval that uses a segment counts as a visit (heat).
        `max_results` bounds the retrieved pages (default: retrieval_queue_capacity); `max_pages` is its old name."""
        text = check_text(query, "query", self.config.max_input_chars, allow_none=False)
        limit = _result_limit(max_results, max_pages)
        now = self._clock()
        result = self.retriever.retrieve(text, now, max_pages=limit)
        if update_heat and not self.store.read_only:
            visited = self.mid.visited((p.segment_id, p.tier, p.signals) for p in result.pages)
            if visited:
                result.visited_segment_ids = visited
                self._note_visits(visited, now)
        return result

    def _note_visits(self, segment_ids: list[str], now: float) -> None:
        """With a background worker, heat writes leave the caller's path (tiers/visits.py): they are written by
        the worker's next step, or by any read that shows stored heat (segments, stats, export, check), whichever
        comes first; a retrieve's own segments show them at once."""
        if self._worker is None:
            self.mid.record_visits(segment_ids, now)
            self._schedule_upkeep()
            return
        self.mid.note_visits(segment_ids, now)
        # the worker writes the visits of a burst of retrievals together, in one transaction
        self._worker.notify(delay=VISIT_WRITE_DELAY_SECONDS)

    def _write_visits(self) -> list[Segment]:
        return self.mid.write_visits()

    def _want_full_upkeep(self) -> None:
        with self._wanted_lock:
            self._full_wanted += 1

    def _visits_only(self, written: list[Segment]) -> bool:
        """Whether this step can stop at writing visits: no visited segment reached τ, nothing else asked for
        upkeep since the last full pass, and that pass is recent. A hot one makes the rest of the pass full."""
        now = self._clock()
        if any(self.mid.is_hot(s, now) for s in written) or time.monotonic() - self._full_at > FULL_UPKEEP_SECONDS:
            self._want_full_upkeep()
        with self._wanted_lock:
            return self._full_done >= self._full_wanted

    def search(self, query: str, max_results: int | None = None) -> RetrievalResult:
        """Like retrieve, without side effects on heat."""
        return self.retrieve(query, max_results=max_results, update_heat=False)

    def get_response(
        self,
        query: str,
        relationship_with_user: str = "friend",
        style_hint: str = "",
        user_conversation_meta_data: dict[str, Any] | None = None,
    ) -> str:
        """Answer as an assistant who remembers, then store the exchange. Needs an LLM."""
        if self._llm is None:
            raise LLMNotConfigured("get_response")
        text = check_text(query, "query", self.config.max_input_chars, allow_none=False)
        if not text.strip():
            raise InvalidInput("query must not be empty")
        meta = check_meta_data(user_conversation_meta_data, self.config.max_meta_data_bytes)
        context = self.retrieve(text)
        fence_id = new_fence_id()
        messages = generation_messages(
            text,
            context.to_prompt(fence_id),
            self.config.assistant_id,
            relationship_with_user,
            style_hint,
            meta,
            fence_id,
        )
        # a reasoning model's <think> block is never part of the answer, whatever client produced it
        answer = strip_reasoning(self._llm.complete(messages, purpose="generation").text)
        if not answer or len(answer) > self.config.llm_max_output_chars:
            raise LLMError(f"the LLM's answer was unusable ({len(answer):,} characters); nothing was stored")
        self.add_memory(text, answer, meta_data=meta or None)
        return answer

    def get_user_profile(self) -> str:
        return self.long.profile_text()

    def profile_history(self) -> list[dict[str, Any]]:
        return [v.to_dict() for v in self.store.profile_history(self.scope)]

    def get_knowledge(self, kind: KnowledgeKind | None = None, include_history: bool = False) -> list[dict[str, Any]]:
        """Facts that hold now, as dicts (time, validity, attribute and provenance included); with
        include_history, also those that stopped being true (`valid_until` set). Expired facts are never listed."""
        if kind not in (None, "user", "assistant"):
            raise InvalidInput("kind must be 'user', 'assistant' or None")
        if not isinstance(include_history, bool):
            raise InvalidInput("include_history must be true or false")
        now = self._clock()
        facts = self.long.facts(kind, include_history=include_history)
        return [f.to_dict() for f in facts if f.expires_at is None or f.expires_at > now]

    def fact_history(self, fact_id: str) -> list[dict[str, Any]]:
        """The versions of one fact, oldest first: the facts it superseded and those that superseded it, each
        with its validity interval (NotFound for ids of other users, and for a fact that has expired: it is
        forgotten, and so are expired versions in the chain)."""
        fid = check_text(fact_id, "fact_id", 200, allow_none=False)
        chain = self.store.fact_history(self.scope, fid)
        kept = self._live(chain)
        if fid not in {f.id for f in kept}:
            raise NotFound(f"no knowledge entry {fid!r} in the memory of user {self.scope.user_id!r}")
        return [f.to_dict() for f in kept]

    def invalidate_knowledge(self, fact_id: str, valid_until: object = None) -> dict[str, Any]:
        """Mark a fact as no longer true from `valid_until` (a time in any form add_memory accepts; default now).
        It is kept, with its interval, in the history; a fact already closed is left as it was. Returns the fact."""
        fact_id = check_text(fact_id, "fact_id", 200, allow_none=False)
        now = self._clock()
        try:
            until = parse_timestamp(valid_until, now)
        except InvalidInput as exc:  # name the argument: "valid_until: timestamp 'soon' is not ..."
            raise InvalidInput(f"valid_until: {exc}") from None
        with self._upkeep_lock:
            fact = next(f for f in self.store.fact_history(self.scope, fact_id) if f.id == fact_id)
            if is_expired(fact.expires_at, now):  # forgotten: as if deleted
                raise NotFound(f"no knowledge entry {fact_id!r} in the memory of user {self.scope.user_id!r}")
            began = fact.valid_from if fact.valid_from is not None else fact.observed_at
            if began is not None and until < began:
                raise InvalidInput(f"valid_until {iso(until)} is before the fact became true ({iso(began)})")
            self.store.invalidate_facts(self.scope, [FactInvalidation(fact_id, until, now)])
            return next(f.to_dict() for f in self.store.fact_history(self.scope, fact_id) if f.id == fact_id)

    def add_knowledge(self, text: str, kind: KnowledgeKind = "user", *, valid_until: object = None) -> str:
        """Add a fact by hand (provenance: manual, said now). Near-duplicates are merged, not repeated; a user fact
        that states an attribute ("The user lives in Berlin") closes the current fact holding its old value.

        `valid_until` (a time after now: epoch seconds, datetime or ISO 8601): the fact holds until then, and
        is then forgotten like an expired page (stored as the fact's expires_at: it leaves every read at that
        time and upkeep deletes it). A near-duplicate of a current fact returns that fact's id, its own expiry
        (none, or another) unchanged."""
        fact_text = check_text(text, "text", self.config.max_input_chars, allow_none=False).strip()
        if not fact_text:
            raise InvalidInput("knowledge text must not be empty")
        if kind not in ("user", "assistant"):
            raise InvalidInput("kind must be 'user' or 'assistant'")
        now = self._clock()
        expires_at = check_valid_until(valid_until, now)
        vector = self.embedder.embed([fact_text])[0]
        # "The user lives in Berlin" states where the user lives: it closes the fact that said Lisbon
        attribute = attribute_of(fact_text, (self.scope.user_id,)) if kind == "user" else None
        return self.long.add_manual_fact(kind, fact_text, vector, now, attribute=attribute, expires_at=expires_at)

    def delete_knowledge(self, fact_id: str) -> None:
        self.store.delete_fact(self.scope, check_text(fact_id, "fact_id", 200, allow_none=False))

    def get_page(self, page_id: str) -> dict[str, Any]:
        """One page (NotFound for ids of other users, and for an expired page: it is forgotten)."""
        pid = check_text(page_id, "page_id", 200, allow_none=False)
        page = self.store.get_page(self.scope, pid)
        if is_expired(page.expires_at, self._clock()):
            self._purge_soon()
            raise NotFound(f"no page {pid!r} in the memory of user {self.scope.user_id!r}")
        return page.to_dict()

    def list_pages(
        self, tier: str | None = None, limit: int | None = None, offset: int = 0, segment_id: str | None = None
    ) -> list[dict[str, Any]]:
        if tier not in (None, "short", "mid", "archive"):
            raise InvalidInput("tier must be 'short', 'mid', 'archive' or None")
        if (
            (limit is not None and (not isinstance(limit, int) or limit < 0))
            or not isinstance(offset, int)
            or offset < 0
        ):
            raise InvalidInput("limit and offset must be non-negative integers")
        pages = self.store.list_pages(self.scope, tier=tier, segment_id=segment_id, limit=limit, offset=offset)  # type: ignore[arg-type]
        return [p.to_dict() for p in self._live(pages)]

    def list_segments(self, include_archived: bool = False) -> list[dict[str, Any]]:
        self._write_visits()
        now = self._clock()
        return [
            {**s.to_dict(), "heat": self.mid.heat(s, now)}
            for s in self.mid.segments(status=None if include_archived else "active")
        ]

    def get_segment(self, segment_id: str) -> dict[str, Any]:
        """One segment with its current heat (NotFound for ids of other users)."""
        self._write_visits()
        segment = self.store.get_segment(self.scope, check_text(segment_id, "segment_id", 200, allow_none=False))
        return {**segment.to_dict(), "heat": self.mid.heat(segment, self._clock())}

    def delete_segment(self, segment_id: str) -> int:
        """Delete a segment and its pages in one transaction. Returns the number of pages removed."""
        with self._upkeep_lock:
            return self.store.delete_segment(self.scope, check_text(segment_id, "segment_id", 200, allow_none=False))

    def delete_memory(self, page_id: str) -> None:
        """Delete one page of this user (NotFound for ids of other users)."""
        with self._upkeep_lock:
            self.store.delete_page(self.scope, check_text(page_id, "page_id", 200, allow_none=False))

    def forget_user(self) -> int:
        """Delete everything of this user with this assistant. Returns the number of pages removed."""
        with self._upkeep_lock:
            return self.store.forget_scope(self.scope)

    def stats(self) -> dict[str, Any]:
        self._write_visits()
        data = self.store.stats(self.scope)
        data.update(
            user_id=self.scope.user_id,
            assistant_id=self.scope.assistant_id,
            mode="llm" if self._llm else "no-llm",
            llm_usage=self.usage.snapshot(),
            upkeep={
                "background": self._worker is not None,
                "failures": self._worker.failures if self._worker else 0,
                "last_error": self._worker.last_error if self._worker else None,
                # pages past the short-term capacity, waiting for consolidation (searched meanwhile)
                "waiting_pages": max(0, data["pages"].get("short", 0) - self.config.short_term_capacity),
                # segments written extractively during an LLM outage, to be analysed again by the LLM
                "segments_to_reanalyze": len(self.store.segments_to_reanalyze(self.scope, 10_000)),
            },
            llm=self.llm_health.snapshot() if self.llm_health else {"state": "not configured"},
        )
        return data

    def check(self, sample: int | None = 200, progress: Callable[[int, int], None] | None = None) -> list[str]:
        """Integrity problems of this user's memory: tiers, segments, chain links, counts, the lexical index,
        and whether stored vectors match their texts (a sample of `sample` pages; None = all). [] if none.
        `progress(done, total)` follows the slow part, embedding the pages again."""
        self._write_visits()
        with_units = self.config.unit_weight > 0
        return check_memory(self.store, self.scope, self.embedder, sample, progress, with_units).problems

    def repair(self, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
        """Replace stored times that break the timestamp rule (maintenance.time_fixes says with what), then rebuild
        derived data (vectors, unit vectors, lexical index, segment counts) from the pages, which are the truth;
        pages written before the unit index existed get their unit vectors here."""
        with self._upkeep_lock:
            return repair_memory(
                self.store,
                self.scope,
                self.embedder,
                self._clock(),
                self.analyzer.method,
                progress=progress,
                with_units=self.config.unit_weight > 0,
            )

    # ---- export / import ----

    def export(self) -> dict[str, Any]:
        """Everything of this user, re-importable. What has expired is deleted first and so never exported
        (a read-only store cannot delete: its expired items are exported with their expires_at, and an import
        forgets them again)."""
        self._write_visits()
        if not self.store.read_only:
            with self._upkeep_lock:
                purge_expired(self.store, self.scope, self._clock(), self.rewriter)
        return dump_to_dict(self.store.export_scope(self.scope), self.scope.user_id, self.scope.assistant_id)

    def import_data(self, data: dict[str, Any], *, new_ids: bool = False) -> int:
        """Restore an export into this (empty) user's memory; vectors are recomputed. Returns pages imported.

        Every record is checked with add_memory's rules first (export_format.dict_to_dump): a bad one is an
        InvalidInput naming it, and nothing is written. Ids are kept (they are unique per user, so whatever other
        users hold never matters); `new_ids`: give pages, segments and knowledge new ids, references kept."""
        dump = dict_to_dump(data, self.config.max_input_chars, self.config.max_meta_data_bytes)
        if new_ids:
            dump = with_fresh_ids(dump)
        attach_vectors(
            dump,
            self._embed,
            self.analyzer.method,
            self.config.embedding_batch_size,
            with_units=self.config.unit_weight > 0,
        )
        with self._upkeep_lock:
            self.store.import_scope(self.scope, dump)
        return len(dump.pages)

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)

    # ---- upkeep ----

    @traced_upkeep
    def _upkeep_step(self) -> bool:
        """One unit of upkeep under this user's lease, so processes sharing a store never race on it."""
        written = self._write_visits()
        if self._worker is not None and self._visits_only(written):
            return False
        with self._wanted_lock:
            wanted = self._full_wanted
        with self._upkeep_lock:
            if not self._lease.acquire():
                log.debug("upkeep for %s is held by another process", self.scope.user_id)
                return False
            try:
                now = self._clock()
                worked = (
                    purge_expired(self.store, self.scope, now, self.rewriter)
                    or self.updater.consolidate(now)
                    or self.promoter.promote_hot(now)
                    or (self.reanalyzer is not None and self.reanalyzer.reanalyze_one(now))
                )
            finally:
                self._lease.release()
        if not worked:  # everything asked for up to `wanted` is done
            with self._wanted_lock:
                self._full_done = max(self._full_done, wanted)
            self._full_at = time.monotonic()
        return worked

    def _live(self, items: list[T]) -> list[T]:
        """`items` without what has expired by now; finding some asks the background upkeep to delete them."""
        kept = unexpired(items, self._clock())
        if len(kept) < len(items):
            self._purge_soon()
        return kept

    def _purge_soon(self) -> None:
        # only a background worker: a read never runs upkeep inline (without one, the next write or start purges)
        if self._worker is not None and not self.store.read_only:
            self._want_full_upkeep()
            self._worker.notify()

    def _schedule_upkeep(self, burst: bool = False) -> None:
        self._want_full_upkeep()
        if self._worker is not None:
            self._worker.notify(delay=ADD_BURST_UPKEEP_DELAY_SECONDS if burst else 0.0)
        else:
            with self._lease.keep():
                run_until_idle(self._upkeep_step)  # failures are logged there and stay pending

    def promote(self, segment_id: str | None = None) -> bool:
        """Promote one mid-term segment now, whatever its heat: its pages not analysed yet become profile and
        knowledge, and its heat counters reset. Default: the hottest segment that has such pages. False when there
        is none, or another process holds this user's upkeep; NotFound for a segment id of no segment here."""
        self._write_visits()
        with self._upkeep_lock:
            if not self._lease.acquire():
                log.info("promotion of %s skipped: another process holds its upkeep", self.scope.user_id)
                return False
            try:
                now = self._clock()
                if segment_id is not None:
                    chosen = [self.store.get_segment(self.scope, check_text(segment_id, "segment_id", 200))]
                else:
                    chosen = sorted(self.mid.segments(), key=lambda s: -self.mid.heat(s, now))
                for segment in chosen:
                    if self.store.unanalyzed_pages(self.scope, segment.id):
                        self.promoter.promote(segment, now)
                        return True
                return False
            finally:
                self._lease.release()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until pending consolidation and promotion are done. True if everything pending succeeded."""
        self._want_full_upkeep()
        if self._worker is not None:
            return self._worker.flush(timeout)
        with self._lease.keep():
            return run_until_idle(self._upkeep_step) is None

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        _OPEN.discard(self)
        if self._worker is not None:
            self._worker.close()
        try:
            self._write_visits()
        finally:
            if self._owns_store:
                self.store.close()

    def __enter__(self) -> Memoryos:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Memoryos(user_id={self.scope.user_id!r}, assistant_id={self.scope.assistant_id!r})"


__all__ = ["Fact", "Memoryos", "make_embedder"]


def _result_limit(max_results: int | None, max_pages: int | None) -> int | None:
    """One limit from the name and its old spelling; both given must agree."""
    if max_pages is not None and max_results is not None and max_pages != max_results:
        raise InvalidInput("max_results and max_pages (its old name) disagree: give one")
    limit = max_results if max_results is not None else max_pages
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise InvalidInput("max_results must be a non-negative integer")
    return limit
