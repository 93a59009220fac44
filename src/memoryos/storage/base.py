"""The storage protocol. Tiers and policies talk to this, never to SQL.

Promises every method keeps, unless its own text says more:

- Atomic: a method is one transaction. It changes everything it says or, when it raises, nothing.
- Scoped: a method reaches only its scope's rows. Ids are unique per scope (every key and unique index starts
  with the scope), so the same id in two scopes names two records, and another scope's id is unknown here:
  NotFound where the method names one record, skipped where it takes a list, never changed.
- Errors: InvalidInput for what the caller passed (a time outside the timestamp rule, a non-empty import target,
  an id the scope already uses), NotFound as above, ConfigError for a store built with another embedding model,
  StorageError for the database itself (unreachable, locked, full, read-only, corrupt). Messages never show
  passwords or ids of other scopes.
- Times: every time written is checked against the timestamp rule first (validation.check_epoch); a stored time
  that breaks it (written by an older version) never makes a read fail (see rows.stored_time).
- Vectors are float32 numpy arrays, returned only where `with_vectors` (or the record type) asks for them; a
  page's unit vectors (Page.unit_vectors, memoryos.units) come and go with its vector, in its own row.

`SqlStore` (storage/sql.py) keeps these promises once for SQLite and PostgreSQL; tests/test_store_contract.py
holds any backend to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from ..models import (
    ConsolidationPlan,
    Fact,
    FactInvalidation,
    InvalidTime,
    KnowledgeKind,
    Page,
    ProfileVersion,
    PromotionPlan,
    Purged,
    RewritePlan,
    Scope,
    ScopeDump,
    Segment,
    Tier,
)


class Store(Protocol):
    read_only: bool
    """True when the store was opened for reading only: every write raises StorageError, so callers skip the
    writes a read implies (visits)."""

    def close(self) -> None:
        """Release connections; the store is not used afterwards."""
        ...

    def check_embedding_model(self, name: str, dim: int) -> None:
        """Record the embedding model on first use (exactly once, also with several processes starting at once);
        ConfigError if the store was built with another model or dimension."""
        ...

    def embedding_model(self) -> tuple[str, int] | None:
        """(name, dimension) of the model the stored vectors came from, once recorded."""
        ...

    # ---- pages ----

    def add_page(self, scope: Scope, page: Page) -> Page:
        """Append a short-term page (with its expires_at, if any); returns it with its seq (1, 2, ... per scope,
        in commit order: one user's concurrent adds are ordered) and tier set. InvalidInput for a bad time or an
        id the scope already uses."""
        ...

    def add_page_and_count(self, scope: Scope, page: Page) -> int:
        """add_page, and the number of the scope's short-term pages with it, counted in the same transaction (an
        add needs no second round trip to learn whether short-term memory is full)."""
        ...

    def get_page(self, scope: Scope, page_id: str) -> Page:
        """The page, without its vector; NotFound if the scope has no such page."""
        ...

    def get_pages(self, scope: Scope, page_ids: list[str], with_vectors: bool = False) -> list[Page]:
        """The scope's pages among these ids, in the order given; unknown ids are skipped."""
        ...

    def shared_pages(self, scope: Scope, page_ids: list[str]) -> list[Page]:
        """`get_pages` with vectors, for a reader that changes none of them (retrieval): the store may hand out the
        very objects it keeps, so the reader copies (`Page.copy`) what it gives away."""
        ...

    def list_pages(
        self,
        scope: Scope,
        tier: Tier | None = None,
        segment_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
    ) -> list[Page]:
        """The scope's pages (of a tier, of a segment) in seq order, paged; without vectors."""
        ...

    def count_pages(self, scope: Scope, tier: Tier | None = None) -> int: ...

    def last_consolidated_page(self, scope: Scope) -> Page | None:
        """The page with the highest seq outside short-term, with its vector (where the next chain continues)."""
        ...

    def unanalyzed_pages(self, scope: Scope, segment_id: str) -> list[Page]:
        """The segment's pages not yet promoted to long-term, in seq order."""
        ...

    def delete_page(self, scope: Scope, page_id: str) -> None:
        """Delete the page: its neighbours link to each other, its segment's page_count drops and a segment left
        empty goes too; NotFound if the scope has no such page."""
        ...

    def delete_segment(self, scope: Scope, segment_id: str) -> int:
        """Delete a segment with all its pages; returns the pages removed. NotFound if the scope has no such
        segment."""
        ...

    # ---- segments ----

    def list_segments(self, scope: Scope, status: str | None = "active") -> list[Segment]:
        """The scope's segments (of a status; None: all) by creation time, with vectors."""
        ...

    def segment_vectors(self, scope: Scope) -> tuple[list[str], list[tuple[str, ...]], np.ndarray]:
        """The active segments that have a vector, by creation time, as (ids, keywords, matrix with one vector a
        row): what scoring a query against every segment needs, without the rest of each record."""
        ...

    def get_segment(self, scope: Scope, segment_id: str) -> Segment:
        """The segment with its vector; NotFound if the scope has no such segment."""
        ...

    def get_segments(self, scope: Scope, segment_ids: list[str]) -> list[Segment]:
        """The scope's segments among these ids, in the order given; unknown ids are skipped."""
        ...

    def apply_consolidation(self, scope: Scope, plan: ConsolidationPlan) -> bool:
        """Move the plan's pages from short-term into their segments (new ones created, merged ones refreshed),
        chain them and, with plan.reanalyze, queue the segments for re-analysis. False, and no change at all,
        if the plan went stale: a page is no longer short-term (another worker took it) or a merged segment is
        gone. Concurrent calls for the same pages: exactly one succeeds."""
        ...

    def archive_segment(self, scope: Scope, segment_id: str) -> None:
        """Move an active segment and its pages to the archive; nothing for an unknown or archived one."""
        ...

    def record_visits(self, scope: Scope, segment_ids: list[str], now: float) -> list[Segment]:
        """Each occurrence of an id is one visit (n_visit + 1); last_access becomes `now` unless it is later
        already. Unknown ids are skipped. Safe against concurrent upkeep of the same user (no lost counts).
        Returns the visited segments as the write left them (no vectors): their heat after these visits."""
        ...

    # ---- long-term ----

    def current_profile(self, scope: Scope) -> ProfileVersion | None: ...

    def retrieval_reads(self, scope: Scope) -> tuple[list[Page], list[Fact]]:
        """What a retrieve reads first: `list_pages(scope, tier="short")` and `list_facts(scope, with_vectors=True,
        include_history=True)` (a backend may send both in one round trip)."""
        ...

    def context_reads(
        self, scope: Scope
    ) -> tuple[tuple[list[str], list[tuple[str, ...]], np.ndarray], ProfileVersion | None]:
        """What a retrieve reads beside the query embedding: `segment_vectors(scope)` and `current_profile(scope)`
        (a backend may send both in one round trip)."""
        ...

    def profile_history(self, scope: Scope) -> list[ProfileVersion]:
        """Every profile version, oldest first."""
        ...

    def list_facts(
        self,
        scope: Scope,
        kind: KnowledgeKind | None = None,
        with_vectors: bool = False,
        include_history: bool = False,
    ) -> list[Fact]:
        """The scope's knowledge (of a kind), oldest first: only current facts (valid_until and superseded_by
        unset) unless include_history. Expired facts are still listed: callers filter by expires_at with their
        own clock (Fact.is_current(now)) until purge_expired deletes them."""
        ...

    def fact_history(self, scope: Scope, fact_id: str) -> list[Fact]:
        """The supersession chain through this fact, oldest first (each fact after the ones it superseded; facts
        replaced together by created_at), without vectors; just [fact] when nothing replaced it or was replaced
        by it. NotFound if the scope has no such fact."""
        ...

    def add_facts(
        self,
        scope: Scope,
        facts: list[Fact],
        evict_ids: list[str],
        invalidations: Sequence[FactInvalidation] = (),
    ) -> None:
        """Add these facts, close facts as invalidate_facts does (a successor may be one of these facts), then
        delete the scope's facts named in evict_ids (unknown ids skipped). InvalidInput for a bad time or an id
        the scope already uses; NotFound as invalidate_facts."""
        ...

    def invalidate_facts(self, scope: Scope, invalidations: Sequence[FactInvalidation]) -> None:
        """Close current facts: set valid_until, invalidated_at and superseded_by. A fact closed already keeps
        what was recorded first (no change). NotFound if the scope has no such fact or successor; InvalidInput
        for a bad time or a successor that is itself closed (so a chain never loops) or the fact itself."""
        ...

    def delete_fact(self, scope: Scope, fact_id: str) -> None:
        """NotFound if the scope has no such fact. Facts it superseded keep naming it (their history ends there)."""
        ...

    def purge_expired(self, scope: Scope, now: float) -> Purged:
        """Delete the pages and facts whose expires_at <= now, pages as delete_page does (chains relinked, segment
        counts kept, an emptied segment deleted), and the learnt facts citing only pages that are gone, one of
        them now. A fact that goes hands its place in the chain of versions to the facts it closed (they hold
        again if it held). Returns what went (the pages as they were) and the thread successors left behind."""
        ...

    def apply_promotion(self, scope: Scope, plan: PromotionPlan, evict_fact_ids: list[str]) -> bool:
        """Write the plan's profile version (numbered after the latest) and facts, close plan.invalidations (as
        add_facts), evict, merge sources into existing facts, mark its pages analysed and reset the segment's heat.
        False, and no change at all, if the plan went stale: a page was analysed meanwhile (a segment is never
        promoted twice) or a fact it closes or names as successor was deleted meanwhile."""
        ...

    # ---- upkeep coordination between processes sharing one store ----

    def claim_upkeep(self, scope: Scope, holder: str, ttl_seconds: float) -> bool:
        """Take (or renew) the scope's upkeep lease; False while another live holder has it."""
        ...

    def release_upkeep(self, scope: Scope, holder: str) -> None:
        """Give the lease up; nothing if `holder` does not hold it."""
        ...

    # ---- search ----

    def dense_search(self, scope: Scope, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Up to k (page id, cosine similarity) of pages with vectors, best first."""
        ...

    def lexical_search(self, scope: Scope, terms: list[str], k: int) -> list[tuple[str, float]]:
        """Up to k (page id, score) of pages holding any of these index tokens (`lexical.analyze`'s output: the
        caller analyses its query), best first. The score is FTS5's BM25 (k1 1.2, b 0.75) over this store's pages
        on SQLite and over the scope's pages on PostgreSQL: the same number for a store of one scope."""
        ...

    def search(
        self, scope: Scope, query: np.ndarray, k_dense: int, terms: list[str], k_lexical: int
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """`dense_search` and `lexical_search` at once, as they would return (PostgreSQL sends both in one
        round trip)."""
        ...

    # ---- maintenance of derived data ----

    def lexical_index_problems(self, scope: Scope) -> list[str]:
        """How the lexical index disagrees with the pages, in words; [] when it agrees."""
        ...

    def rebuild_lexical_index(self, scope: Scope) -> int:
        """Index the scope's pages afresh; returns the entries written."""
        ...

    def set_page_vectors(
        self, scope: Scope, vectors: dict[str, np.ndarray], units: dict[str, np.ndarray | None] | None = None
    ) -> None:
        """Replace these pages' vectors and their unit vectors (`units`, memoryos.units: a page missing there
        is left without units); unknown ids are skipped."""
        ...

    def set_segment_vectors(self, scope: Scope, vectors: dict[str, np.ndarray]) -> None:
        """Replace these segments' vectors; unknown ids are skipped."""
        ...

    def segments_to_reanalyze(self, scope: Scope, limit: int = 10) -> list[str]:
        """Ids of segments queued by a `reanalyze` consolidation plan, oldest first."""
        ...

    def apply_reanalysis(
        self, scope: Scope, segment_id: str, summary: str, keywords: list[str], embedding: np.ndarray | None
    ) -> bool:
        """Dequeue the segment and, with an embedding, replace its summary, keywords and vector; False if the
        segment no longer exists (or no embedding was given)."""
        ...

    def apply_rewrite(self, scope: Scope, plan: RewritePlan) -> None:
        """In one transaction: replace segments' summary, keywords and vector (missing ids skipped; queued for
        re-analysis with plan.reanalyze), pages' chain summaries and past profile versions' texts, and add
        plan.profile as the next version."""
        ...

    def recount_segments(self, scope: Scope) -> int:
        """Recompute each segment's page_count from its pages; returns how many were wrong."""
        ...

    def fix_times(self, scope: Scope, fixes: list[tuple[InvalidTime, float]]) -> int:
        """Replace times that break the timestamp rule (found by export_scope) with valid ones; a page keeps its
        original value in meta_data (rows.INVALID_TIME_KEY). Returns the rows changed."""
        ...

    # ---- whole scopes ----

    def list_scopes(self, user_id: str | None = None) -> list[Scope]:
        """Every scope the store has seen (of a user), by user and assistant id."""
        ...

    def export_scope(self, scope: Scope) -> ScopeDump:
        """Every record of the scope, with vectors, from one consistent read where the backend offers one; times
        that break the timestamp rule are listed in invalid_times."""
        ...

    def import_scope(self, scope: Scope, dump: ScopeDump) -> None:
        """Restore into a scope without pages, ids kept; InvalidInput if the scope already holds pages, a time breaks
        the rule, or a knowledge id is one the scope already uses (said without naming it). Page numbering
        continues after the imported seqs. What other scopes hold never matters (ids are keyed by scope)."""
        ...

    def forget_scope(self, scope: Scope) -> int:
        """Delete every record of the scope (pages, segments, knowledge, profile, lease, queue); its numbering
        starts again at 1. Returns the pages removed."""
        ...

    def stats(self, scope: Scope) -> dict[str, Any]:
        """Counts by tier, segment status, knowledge kind (current facts in "knowledge", closed ones in
        "closed_knowledge") and profile versions, and "storage": the backend, where it is (a password never shown)
        and its size in bytes."""
        ...
