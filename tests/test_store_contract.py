"""The `Store` protocol exercised directly, identically on every backend.

Tiers and the facade rely on these promises; each test names one. A backend that passes this file behaves as
the rest of memoryos expects, whatever SQL it speaks.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from memoryos.errors import ConfigError, InvalidInput, NotFound, StorageError
from memoryos.lexical import analyze
from memoryos.models import (
    ConsolidationPlan,
    Fact,
    FactInvalidation,
    Page,
    PageUpdate,
    ProfileVersion,
    PromotionPlan,
    Purged,
    RewritePlan,
    Scope,
    Segment,
    SegmentRewrite,
    SegmentWrite,
)
from memoryos.storage import Store, open_store

DIM = 8
ALICE = Scope("alice", "assistant")
BOB = Scope("bob", "assistant")


@pytest.fixture
def store(new_storage: Callable[[], str]) -> Iterator[Store]:
    opened = open_store(new_storage())
    opened.check_embedding_model("contract-model", DIM)
    yield opened
    opened.close()


def vec(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def new_id() -> str:
    return uuid.uuid4().hex


def add(store: Store, scope: Scope, text: str, ts: float = 1_700_000_000.0) -> Page:
    return store.add_page(scope, Page(id=new_id(), user_input=text, agent_response=f"re: {text}", timestamp=ts))


def consolidate(
    store: Store, scope: Scope, pages: list[Page], segment_id: str | None = None, new_segment: str | None = None
) -> str:
    """Move pages into one segment (new, with id new_segment if given, unless segment_id names an existing one);
    returns the segment id."""
    is_new = segment_id is None
    sid = segment_id or new_segment or new_id()
    plan = ConsolidationPlan(
        page_ids=[p.id for p in pages],
        pages=[
            PageUpdate(p.id, sid, vec(i), pages[i - 1].id if i else None, f"chain {i}") for i, p in enumerate(pages)
        ],
        segments=[SegmentWrite(sid, "summary", ["kw"], vec(99), len(pages), is_new=is_new)],
        now=1_700_000_100.0,
    )
    assert store.apply_consolidation(scope, plan)
    return sid


def snapshot(store: Store, scope: Scope) -> tuple[object, ...]:
    """Everything observable of a scope, for "no change at all" assertions."""
    dump = store.export_scope(scope)
    pages = [
        (p.id, p.tier, p.segment_id, p.prev_page_id, p.next_page_id, p.chain_summary, p.analyzed) for p in dump.pages
    ]
    segments = [(s.id, s.summary, s.n_visit, s.l_interaction, s.page_count, s.status) for s in dump.segments]
    profiles = [(v.version, v.text) for v in dump.profile_versions]
    facts = sorted((f.id, f.text, tuple(f.source_page_ids)) for f in dump.facts)
    return pages, segments, profiles, facts, store.stats(scope)["pages"]


# ---- consolidation plans that went stale: False, and nothing changes ----


def test_stale_plan_with_new_segment_then_deleted_segment_changes_nothing(store: Store) -> None:
    first = [add(store, ALICE, f"old {i}") for i in range(2)]
    old_segment = consolidate(store, ALICE, first)
    fresh = [add(store, ALICE, f"new {i}") for i in range(2)]
    store.delete_segment(ALICE, old_segment)  # deleted after the plan below was made
    before = snapshot(store, ALICE)
    new_segment = new_id()
    plan = ConsolidationPlan(
        page_ids=[p.id for p in fresh],
        pages=[
            PageUpdate(fresh[0].id, new_segment, vec(1), None, "c0"),
            PageUpdate(fresh[1].id, old_segment, vec(2), None, "c1"),
        ],
        segments=[
            SegmentWrite(new_segment, "new topic", ["n"], vec(3), 1, is_new=True),
            SegmentWrite(old_segment, "merged", ["o"], vec(4), 1, is_new=False),
        ],
        now=1_700_000_200.0,
    )
    assert store.apply_consolidation(ALICE, plan) is False
    assert snapshot(store, ALICE) == before
    assert store.get_segments(ALICE, [new_segment]) == []
    assert [p.tier for p in store.list_pages(ALICE)] == ["short", "short"]


def test_stale_plan_whose_pages_left_short_term_changes_nothing(store: Store) -> None:
    pages = [add(store, ALICE, f"p{i}") for i in range(3)]
    consolidate(store, ALICE, pages[:1])  # another worker took page 0 first
    before = snapshot(store, ALICE)
    sid = new_id()
    plan = ConsolidationPlan(
        page_ids=[p.id for p in pages],
        pages=[PageUpdate(p.id, sid, vec(i), None, "") for i, p in enumerate(pages)],
        segments=[SegmentWrite(sid, "s", [], vec(7), 3, is_new=True)],
        now=1_700_000_300.0,
    )
    assert store.apply_consolidation(ALICE, plan) is False
    assert snapshot(store, ALICE) == before


def test_stale_plan_with_deleted_page_changes_nothing(store: Store) -> None:
    pages = [add(store, ALICE, f"p{i}") for i in range(2)]
    store.delete_page(ALICE, pages[1].id)
    before = snapshot(store, ALICE)
    sid = new_id()
    plan = ConsolidationPlan(
        page_ids=[p.id for p in pages],
        pages=[PageUpdate(p.id, sid, vec(i), None, "") for i, p in enumerate(pages)],
        segments=[SegmentWrite(sid, "s", [], vec(7), 2, is_new=True)],
        now=1_700_000_300.0,
    )
    assert store.apply_consolidation(ALICE, plan) is False
    assert snapshot(store, ALICE) == before


def test_consolidation_links_chain_and_counts(store: Store) -> None:
    pages = [add(store, ALICE, f"p{i}") for i in range(3)]
    sid = consolidate(store, ALICE, pages)
    moved = store.list_pages(ALICE, segment_id=sid)
    assert [p.id for p in moved] == [p.id for p in pages]
    assert [p.prev_page_id for p in moved] == [None, pages[0].id, pages[1].id]
    assert [p.next_page_id for p in moved] == [pages[1].id, pages[2].id, None]
    segment = store.get_segment(ALICE, sid)
    assert (segment.page_count, segment.l_interaction, segment.n_visit) == (3, 3, 0)
    assert store.last_consolidated_page(ALICE).id == pages[2].id  # type: ignore[union-attr]
    more = [add(store, ALICE, "p3")]
    consolidate(store, ALICE, more, segment_id=sid)
    merged = store.get_segment(ALICE, sid)
    assert (merged.page_count, merged.l_interaction) == (4, 4)


# ---- promotion plans that went stale ----


def test_stale_promotion_changes_nothing(store: Store) -> None:
    pages = [add(store, ALICE, f"p{i}") for i in range(2)]
    sid = consolidate(store, ALICE, pages)
    store.record_visits(ALICE, [sid], 1_700_000_500.0)
    first = PromotionPlan(sid, [pages[0].id], ProfileVersion(0, "likes tea", [pages[0].id], 1.0), [], {}, 2.0)
    assert store.apply_promotion(ALICE, first, [])
    before = snapshot(store, ALICE)
    fact = Fact(new_id(), "user", "drinks tea", [pages[0].id], 3.0, "llm", vec(5))
    stale = PromotionPlan(
        sid, [p.id for p in pages], ProfileVersion(0, "likes coffee", [pages[1].id], 3.0), [fact], {}, 3.0
    )
    assert store.apply_promotion(ALICE, stale, []) is False
    assert snapshot(store, ALICE) == before
    assert store.current_profile(ALICE).text == "likes tea"  # type: ignore[union-attr]


def test_promotion_writes_profile_facts_and_resets_heat(store: Store) -> None:
    pages = [add(store, ALICE, f"p{i}") for i in range(2)]
    sid = consolidate(store, ALICE, pages)
    store.record_visits(ALICE, [sid], 1_700_000_500.0)
    existing = Fact(new_id(), "user", "has a dog", [pages[0].id], 1.0, "llm", vec(6))
    store.add_facts(ALICE, [existing], [])
    fact = Fact(new_id(), "assistant", "recommended a book", [pages[1].id], 2.0, "llm", vec(7))
    plan = PromotionPlan(
        sid,
        [p.id for p in pages],
        ProfileVersion(0, "v1", [pages[0].id], 2.0),
        [fact],
        {existing.id: [pages[1].id]},
        2.0,
    )
    assert store.apply_promotion(ALICE, plan, [])
    assert [v.version for v in store.profile_history(ALICE)] == [1]
    assert store.unanalyzed_pages(ALICE, sid) == []
    segment = store.get_segment(ALICE, sid)
    assert (segment.n_visit, segment.l_interaction) == (0, 0)
    facts = {f.id: f for f in store.list_facts(ALICE)}
    assert facts[existing.id].source_page_ids == [pages[0].id, pages[1].id]
    assert [f.id for f in store.list_facts(ALICE, "assistant")] == [fact.id]


# ---- heat ----


def test_repeated_visits_count_each_time_and_keep_the_latest_access(store: Store) -> None:
    sid = consolidate(store, ALICE, [add(store, ALICE, "p")])
    store.record_visits(ALICE, [sid], 1_700_001_000.0)
    store.record_visits(ALICE, [sid, sid], 1_700_000_900.0)  # an older clock must not move recency back
    segment = store.get_segment(ALICE, sid)
    assert segment.n_visit == 3
    assert segment.last_access == 1_700_001_000.0
    store.record_visits(BOB, [sid], 1_700_002_000.0)  # another scope's visit reaches nothing
    assert store.get_segment(ALICE, sid).n_visit == 3


# ---- scoping ----


def test_other_scopes_get_not_found_and_see_nothing(store: Store) -> None:
    page = add(store, ALICE, "secret")
    sid = consolidate(store, ALICE, [page])
    fact = Fact(new_id(), "user", "secret fact", [page.id], 1.0, "manual", vec(8))
    store.add_facts(ALICE, [fact], [])
    for call in (
        lambda: store.get_page(BOB, page.id),
        lambda: store.delete_page(BOB, page.id),
        lambda: store.get_segment(BOB, sid),
        lambda: store.delete_segment(BOB, sid),
        lambda: store.delete_fact(BOB, fact.id),
    ):
        with pytest.raises(NotFound):
            call()
    assert store.get_pages(BOB, [page.id]) == []
    assert store.get_segments(BOB, [sid]) == []
    assert store.list_pages(BOB) == [] and store.list_segments(BOB) == [] and store.list_facts(BOB) == []
    assert store.count_pages(BOB) == 0
    assert store.dense_search(BOB, vec(0), 10) == []
    assert store.lexical_search(BOB, analyze("secret"), 10) == []
    assert store.lexical_search(ALICE, analyze("secret"), 10)
    assert store.get_page(ALICE, page.id).user_input == "secret"  # untouched by BOB's attempts


# ---- ordering and counts ----


def test_pages_keep_insertion_order_with_paging_and_counts(store: Store) -> None:
    pages = [add(store, ALICE, f"p{i}", ts=1_700_000_000.0 - i) for i in range(5)]  # timestamps run backwards
    assert [p.seq for p in pages] == [1, 2, 3, 4, 5]
    assert [p.id for p in store.list_pages(ALICE)] == [p.id for p in pages]
    assert [p.id for p in store.list_pages(ALICE, newest_first=True, limit=2)] == [pages[4].id, pages[3].id]
    assert [p.id for p in store.list_pages(ALICE, limit=2, offset=2)] == [pages[2].id, pages[3].id]
    assert [p.id for p in store.get_pages(ALICE, [pages[3].id, "missing", pages[0].id])] == [pages[3].id, pages[0].id]
    consolidate(store, ALICE, pages[:2])
    assert store.count_pages(ALICE) == 5
    assert (store.count_pages(ALICE, "short"), store.count_pages(ALICE, "mid")) == (3, 2)
    assert store.stats(ALICE)["pages"]["short"] == 3


def test_deleting_a_page_keeps_the_chain_whole_and_an_emptied_segment_goes(store: Store) -> None:
    pages = [add(store, ALICE, f"p{i}") for i in range(3)]
    sid = consolidate(store, ALICE, pages)
    store.delete_page(ALICE, pages[1].id)
    first, last = store.get_pages(ALICE, [pages[0].id, pages[2].id])
    assert (first.next_page_id, last.prev_page_id) == (pages[2].id, pages[0].id)
    assert store.get_segment(ALICE, sid).page_count == 2
    assert store.delete_segment(ALICE, sid) == 2
    assert store.count_pages(ALICE) == 0
    with pytest.raises(NotFound):
        store.get_segment(ALICE, sid)


def test_archive_moves_the_segment_and_its_pages(store: Store) -> None:
    sid = consolidate(store, ALICE, [add(store, ALICE, "p")])
    store.archive_segment(ALICE, sid)
    assert store.list_segments(ALICE) == []
    assert [s.id for s in store.list_segments(ALICE, status="archived")] == [sid]
    assert [p.tier for p in store.list_pages(ALICE)] == ["archive"]


def test_segment_vectors_are_the_active_segments_with_vectors_of_the_scope(store: Store) -> None:
    first = consolidate(store, ALICE, [add(store, ALICE, "a")])
    second = consolidate(store, ALICE, [add(store, ALICE, "b")])
    consolidate(store, BOB, [add(store, BOB, "c")])
    ids, keywords, matrix = store.segment_vectors(ALICE)
    active = store.list_segments(ALICE)
    assert ids == [s.id for s in active] and set(ids) == {first, second}
    assert keywords == [tuple(s.keywords) for s in active]
    assert matrix.dtype == np.float32 and matrix.shape == (2, DIM)
    for row, segment in zip(matrix, active, strict=True):
        assert segment.embedding is not None and np.array_equal(row, segment.embedding)
    store.archive_segment(ALICE, first)
    assert store.segment_vectors(ALICE)[0] == [second]
    store.delete_segment(ALICE, second)
    ids, keywords, matrix = store.segment_vectors(ALICE)
    assert (ids, keywords, matrix.size) == ([], [], 0)


# ---- upkeep leases ----


def test_upkeep_lease_excludes_other_holders_until_released_or_expired(store: Store) -> None:
    assert store.claim_upkeep(ALICE, "a", 60)
    assert not store.claim_upkeep(ALICE, "b", 60)
    assert store.claim_upkeep(ALICE, "a", 60)  # renewal
    assert store.claim_upkeep(BOB, "b", 60)  # leases are per scope
    store.release_upkeep(ALICE, "b")  # not the holder: nothing happens
    assert not store.claim_upkeep(ALICE, "b", 60)
    store.release_upkeep(ALICE, "a")
    assert store.claim_upkeep(ALICE, "b", 0.05)
    time.sleep(0.1)
    assert store.claim_upkeep(ALICE, "a", 60)  # b's lease expired


# ---- whole scopes ----


def test_export_import_round_trip_into_an_empty_scope_only(store: Store) -> None:
    pages = [add(store, ALICE, f"p{i}") for i in range(3)]
    consolidate(store, ALICE, pages[:2])
    store.add_facts(ALICE, [Fact(new_id(), "user", "f", [pages[0].id], 1.0, "manual", vec(9))], [])
    dump = store.export_scope(ALICE)
    target = Scope("carol", "assistant")
    with pytest.raises(InvalidInput):
        store.import_scope(ALICE, dump)  # not empty
    store.import_scope(target, dump)
    again = store.export_scope(target)
    assert [(p.id, p.seq, p.tier, p.segment_id, p.user_input) for p in again.pages] == [
        (p.id, p.seq, p.tier, p.segment_id, p.user_input) for p in dump.pages
    ]
    assert [(s.id, s.page_count) for s in again.segments] == [(s.id, s.page_count) for s in dump.segments]
    assert [f.text for f in again.facts] == ["f"]
    np.testing.assert_allclose(again.pages[0].embedding, dump.pages[0].embedding, rtol=1e-6)  # type: ignore[arg-type]
    assert add(store, target, "next").seq == 4  # numbering continues after the imported pages
    assert {s.user_id for s in store.list_scopes()} >= {"carol"}


def test_forget_scope_removes_everything_of_that_scope_only(store: Store) -> None:
    add(store, ALICE, "a")
    kept = add(store, BOB, "b")
    assert store.forget_scope(ALICE) == 1
    assert store.count_pages(ALICE) == 0 and store.list_facts(ALICE) == []
    assert store.get_page(BOB, kept.id).user_input == "b"
    assert add(store, ALICE, "again").seq == 1


def test_a_scope_never_written_can_be_read_forgotten_and_maintained(store: Store) -> None:
    stranger = Scope("nobody", "assistant")
    assert store.forget_scope(stranger) == 0
    assert store.export_scope(stranger).pages == [] and store.stats(stranger)["pages"]["short"] == 0
    store.set_page_vectors(stranger, {"no-such-page": vec(1)})
    store.set_segment_vectors(stranger, {"no-such-segment": vec(2)})
    store.record_visits(stranger, ["no-such-segment"], 1_700_000_000.0)
    assert store.recount_segments(stranger) == 0 and store.rebuild_lexical_index(stranger) == 0
    assert store.lexical_index_problems(stranger) == [] and store.dense_search(stranger, vec(1), 5) == []
    assert store.segments_to_reanalyze(stranger) == [] and store.current_profile(stranger) is None


def test_vectors_can_be_replaced_and_searched(store: Store) -> None:
    pages = [add(store, ALICE, f"p{i}") for i in range(3)]
    consolidate(store, ALICE, pages)
    store.set_page_vectors(ALICE, {pages[2].id: vec(42)})
    hits = store.dense_search(ALICE, vec(42), 1)
    assert hits[0][0] == pages[2].id and hits[0][1] == pytest.approx(1.0, abs=1e-4)
    segment: Segment = store.list_segments(ALICE)[0]
    store.set_segment_vectors(ALICE, {segment.id: vec(43)})
    np.testing.assert_allclose(store.get_segment(ALICE, segment.id).embedding, vec(43), rtol=1e-5)  # type: ignore[arg-type]
    assert store.recount_segments(ALICE) == 0


# ---- re-analysis queue ----


def test_reanalysis_queue_is_scoped_transactional_and_cleared(store: Store) -> None:
    pages = [add(store, ALICE, f"p{i}") for i in range(2)]
    sid = new_id()
    plan = ConsolidationPlan(
        page_ids=[p.id for p in pages],
        pages=[PageUpdate(p.id, sid, vec(i), None, "") for i, p in enumerate(pages)],
        segments=[SegmentWrite(sid, "extractive summary", ["x"], vec(5), 2, is_new=True)],
        now=1_700_000_300.0,
        reanalyze=True,
    )
    assert store.apply_consolidation(ALICE, plan)
    assert store.segments_to_reanalyze(ALICE) == [sid]
    assert store.segments_to_reanalyze(BOB) == []
    assert store.apply_reanalysis(BOB, sid, "bob's", ["b"], vec(6)) is False  # another scope reaches nothing
    assert store.get_segment(ALICE, sid).summary == "extractive summary"
    assert store.apply_reanalysis(ALICE, sid, "llm summary", ["y"], vec(7))
    segment = store.get_segment(ALICE, sid)
    assert (segment.summary, segment.keywords) == ("llm summary", ["y"])
    np.testing.assert_allclose(segment.embedding, vec(7), rtol=1e-5)  # type: ignore[arg-type]
    assert store.segments_to_reanalyze(ALICE) == []
    # a queued segment deleted meanwhile is dequeued without effect; forgetting the scope empties the queue
    more = [add(store, ALICE, "p2")]
    other = new_id()
    stale = ConsolidationPlan(
        [more[0].id],
        [PageUpdate(more[0].id, other, vec(8), None, "")],
        [SegmentWrite(other, "s", [], vec(9), 1, is_new=True)],
        1_700_000_400.0,
        reanalyze=True,
    )
    assert store.apply_consolidation(ALICE, stale)
    store.delete_segment(ALICE, other)
    assert store.apply_reanalysis(ALICE, other, "late", [], vec(1)) is False
    assert store.segments_to_reanalyze(ALICE) == []
    third = [add(store, ALICE, "p3")]
    consolidate_reanalyze = ConsolidationPlan(
        [third[0].id], [PageUpdate(third[0].id, new_id(), vec(2), None, "")], [], 1_700_000_500.0, reanalyze=True
    )
    consolidate_reanalyze.segments = [SegmentWrite(consolidate_reanalyze.pages[0].segment_id, "s", [], vec(3), 1, True)]
    assert store.apply_consolidation(ALICE, consolidate_reanalyze)
    assert len(store.segments_to_reanalyze(ALICE)) == 1
    store.forget_scope(ALICE)
    assert store.segments_to_reanalyze(ALICE) == []


# ---- the protocol's common promises (storage/base.py) ----


def test_ids_are_unique_per_scope_and_the_same_id_in_two_scopes_names_two_records(store: Store) -> None:
    page = add(store, ALICE, "alice's page")
    with pytest.raises(InvalidInput):  # the scope's own id
        store.add_page(ALICE, Page(id=page.id, user_input="x", agent_response="y", timestamp=1_700_000_000.0))
    assert store.count_pages(ALICE) == 1
    twin = store.add_page(BOB, Page(id=page.id, user_input="bob's page", agent_response="", timestamp=1.0))
    sid = new_id()
    consolidate(store, ALICE, [page], new_segment=sid)
    consolidate(store, BOB, [twin], new_segment=sid)
    fact = Fact(new_id(), "user", "alice's fact", [page.id], 1.0, "manual", vec(1))
    store.add_facts(ALICE, [fact], [])
    with pytest.raises(InvalidInput):  # all or nothing: the new fact beside the taken one is not added either
        store.add_facts(ALICE, [Fact(new_id(), "user", "g", [], 1.0, "manual"), fact], [])
    assert [f.text for f in store.list_facts(ALICE)] == ["alice's fact"]
    store.add_facts(BOB, [Fact(fact.id, "user", "bob's fact", [page.id], 1.0, "manual", vec(2))], [])
    # each scope reaches its own record under the shared ids
    assert store.get_page(BOB, page.id).user_input == "bob's page"
    assert [h[0] for h in store.lexical_search(BOB, analyze("alice"), 10)] == []
    store.delete_page(ALICE, page.id)  # alice's page (and her segment, now empty) go; bob's stay
    with pytest.raises(NotFound):
        store.get_segment(ALICE, sid)
    assert store.get_segment(BOB, sid).page_count == 1
    assert [h[0] for h in store.dense_search(BOB, vec(0), 5)] == [page.id]
    store.delete_fact(ALICE, fact.id)
    assert [f.text for f in store.list_facts(BOB)] == ["bob's fact"]
    # an import keeps its ids whoever else holds them; a clash with the scope's own ids is refused unnamed
    dump = store.export_scope(BOB)
    carol = Scope("carol", "assistant")
    store.import_scope(carol, dump)
    assert [(p.id, p.user_input) for p in store.list_pages(carol)] == [(page.id, "bob's page")]
    dave = Scope("dave", "assistant")
    store.add_facts(dave, [Fact(fact.id, "user", "dave's fact", [], 1.0, "manual")], [])
    with pytest.raises(InvalidInput) as caught:
        store.import_scope(dave, dump)
    assert fact.id not in str(caught.value) and page.id not in str(caught.value)
    assert store.count_pages(dave) == 0 and [f.text for f in store.list_facts(dave)] == ["dave's fact"]


def test_lookups_by_id_use_the_scope_and_id_key(store: Store) -> None:
    if not hasattr(store, "path"):
        pytest.skip("query plans are checked on SQLite")
    import sqlite3

    conn = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True)  # type: ignore[attr-defined]
    try:
        for table in ("pages", "segments", "knowledge"):
            plan = " ".join(
                row[3]
                for row in conn.execute(
                    f"EXPLAIN QUERY PLAN SELECT * FROM {table} WHERE scope_key=? AND id IN (?, ?)", ("s", "a", "b")
                )
            )
            assert "(scope_key=? AND id=?)" in plan, (table, plan)
    finally:
        conn.close()


def test_vectors_come_back_only_when_asked_and_deleted_pages_leave_the_search(store: Store) -> None:
    pages = [add(store, ALICE, f"apple {i}") for i in range(3)]
    consolidate(store, ALICE, pages)
    assert store.get_page(ALICE, pages[0].id).embedding is None
    assert all(p.embedding is None for p in store.list_pages(ALICE))
    (with_vector,) = store.get_pages(ALICE, [pages[0].id], with_vectors=True)
    np.testing.assert_allclose(with_vector.embedding, vec(0), rtol=1e-5)  # type: ignore[arg-type]
    assert {h[0] for h in store.dense_search(ALICE, vec(1), 10)} == {p.id for p in pages}
    store.delete_page(ALICE, pages[1].id)
    assert {h[0] for h in store.dense_search(ALICE, vec(1), 10)} == {pages[0].id, pages[2].id}
    assert {h[0] for h in store.lexical_search(ALICE, analyze("apple"), 10)} == {pages[0].id, pages[2].id}
    assert store.lexical_index_problems(ALICE) == []
    store.forget_scope(ALICE)
    assert store.dense_search(ALICE, vec(1), 10) == [] and store.lexical_search(ALICE, analyze("apple"), 10) == []
    assert store.lexical_index_problems(ALICE) == []


def test_imported_pages_are_searchable_and_the_lexical_index_agrees(store: Store) -> None:
    pages = [add(store, ALICE, f"banana {i}") for i in range(3)]
    consolidate(store, ALICE, pages[:2])
    dump = store.export_scope(ALICE)
    store.import_scope(BOB, dump)
    ids = [p.id for p in store.list_pages(BOB)]
    assert {h[0] for h in store.lexical_search(BOB, analyze("banana"), 10)} == set(ids)
    assert {h[0] for h in store.dense_search(BOB, vec(0), 10)} == set(ids[:2])  # short-term pages have no vector
    assert store.lexical_index_problems(BOB) == []
    store.rebuild_lexical_index(BOB)
    assert store.lexical_index_problems(BOB) == []


def test_search_returns_what_both_searches_return_alone(store: Store) -> None:
    pages = [add(store, ALICE, text) for text in ("cherry pie", "cherry tree", "plum jam")]
    consolidate(store, ALICE, pages)
    add(store, BOB, "cherry of another user")
    terms = analyze("cherry jam")
    both = store.search(ALICE, vec(1), 2, terms, 10)
    assert both == (store.dense_search(ALICE, vec(1), 2), store.lexical_search(ALICE, terms, 10))
    assert len(both[0]) == 2 and {h[0] for h in both[1]} == {p.id for p in pages}
    assert store.search(ALICE, vec(1), 0, terms, 10) == ([], both[1])
    assert store.search(ALICE, vec(1), 3, [], 10) == (store.dense_search(ALICE, vec(1), 3), [])
    assert store.search(BOB, vec(1), 3, terms, 10)[0] == []  # BOB's page has no vector yet


def test_embedding_model_is_recorded_once_and_read_only_is_known(store: Store) -> None:
    assert store.embedding_model() == ("contract-model", DIM)
    store.check_embedding_model("contract-model", DIM)
    with pytest.raises(ConfigError):
        store.check_embedding_model("another-model", DIM)
    with pytest.raises(ConfigError):
        store.check_embedding_model("contract-model", DIM + 1)
    assert store.read_only is False
    storage = store.stats(ALICE)["storage"]
    assert storage["backend"] in ("sqlite", "postgresql") and storage["bytes"] > 0


def test_a_read_only_sqlite_store_reads_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "memoryos.db"
    writer = open_store(f"sqlite:///{path}")
    page = add(writer, ALICE, "kept")
    writer.close()
    reader = open_store(f"sqlite:///{path}?mode=ro")
    try:
        assert reader.read_only is True
        assert reader.get_page(ALICE, page.id).user_input == "kept"
        with pytest.raises(StorageError):
            add(reader, ALICE, "refused")
        assert reader.count_pages(ALICE) == 1
    finally:
        reader.close()


def test_forgetting_a_scope_that_was_never_written_is_a_no_op(store: Store) -> None:
    """Found by schemathesis through DELETE /v1/users/{u}: a user with no rows at all."""
    assert store.forget_scope(Scope("nobody", "assistant")) == 0
    assert store.count_pages(Scope("nobody", "assistant")) == 0


# ---- facts over time: validity, supersession, history, expiry (issue 12) ----

T0 = 1_700_000_000.0


def fact(text: str, kind: str = "user", **fields: object) -> Fact:
    sources = list(fields.pop("source_page_ids", []))  # type: ignore[call-overload]
    return Fact(new_id(), kind, text, sources, T0, "llm", **fields)  # type: ignore[arg-type]


def test_facts_keep_every_new_field_through_add_list_and_export(store: Store) -> None:
    page = add(store, ALICE, "I moved to Berlin", ts=T0 + 5)
    full = Fact(
        new_id(),
        "user",
        "lives in Berlin",
        [page.id],
        T0 + 9,
        "extractive",
        vec(1),
        observed_at=T0 + 5,
        valid_from=T0 + 4,
        attribute="residence",
        expires_at=T0 + 10_000,
    )
    store.add_facts(ALICE, [full], [])
    (listed,) = store.list_facts(ALICE, with_vectors=True)
    assert (listed.observed_at, listed.valid_from, listed.valid_until, listed.invalidated_at) == (
        T0 + 5,
        T0 + 4,
        None,
        None,
    )
    assert (listed.superseded_by, listed.attribute, listed.expires_at) == (None, "residence", T0 + 10_000)
    np.testing.assert_allclose(listed.embedding, vec(1), rtol=1e-6)  # type: ignore[arg-type]
    (exported,) = store.export_scope(ALICE).facts
    assert exported.to_dict() == listed.to_dict()


def test_invalidation_closes_a_fact_keeps_it_in_history_and_out_of_the_current_list(store: Store) -> None:
    lisbon = fact("lives in Lisbon", attribute="residence", observed_at=T0)
    store.add_facts(ALICE, [lisbon], [])
    berlin = fact("lives in Berlin", attribute="residence", observed_at=T0 + 100)
    store.add_facts(ALICE, [berlin], [], [FactInvalidation(lisbon.id, T0 + 100, T0 + 500, berlin.id)])
    assert [f.id for f in store.list_facts(ALICE)] == [berlin.id]
    history = store.list_facts(ALICE, include_history=True)
    closed = next(f for f in history if f.id == lisbon.id)
    assert (closed.valid_until, closed.invalidated_at, closed.superseded_by) == (T0 + 100, T0 + 500, berlin.id)
    assert not closed.is_current() and next(f for f in history if f.id == berlin.id).is_current()
    # closing it again changes nothing: the first recorded interval stays
    other = fact("lives in Paris")
    store.add_facts(ALICE, [other], [])
    store.invalidate_facts(ALICE, [FactInvalidation(lisbon.id, T0 + 999, T0 + 999, other.id)])
    again = next(f for f in store.list_facts(ALICE, include_history=True) if f.id == lisbon.id)
    assert (again.valid_until, again.superseded_by) == (T0 + 100, berlin.id)
    # a plain invalidation (no successor) closes a fact without naming one
    store.invalidate_facts(ALICE, [FactInvalidation(other.id, T0 + 200, T0 + 600)])
    assert [f.id for f in store.list_facts(ALICE)] == [berlin.id]
    assert store.list_facts(ALICE, "assistant", include_history=True) == []


def test_fact_history_follows_the_chain_both_ways_oldest_first(store: Store) -> None:
    ages = [fact(f"is {33 + i} years old", attribute="age", observed_at=T0 + i) for i in range(4)]
    unrelated = fact("has a cat")
    store.add_facts(ALICE, [ages[0], unrelated], [])
    for older, newer in itertools.pairwise(ages):
        store.add_facts(ALICE, [newer], [], [FactInvalidation(older.id, newer.observed_at, T0 + 50, newer.id)])  # type: ignore[arg-type]
    chain = [f.id for f in ages]
    assert [f.id for f in store.fact_history(ALICE, ages[0].id)] == chain
    assert [f.id for f in store.fact_history(ALICE, ages[2].id)] == chain
    assert [f.id for f in store.fact_history(ALICE, ages[3].id)] == chain
    assert [f.id for f in store.fact_history(ALICE, unrelated.id)] == [unrelated.id]
    assert [f.id for f in store.list_facts(ALICE)] == [unrelated.id, ages[3].id]
    # two facts replaced by one: both come before it, oldest first
    a, b = fact("works at Acme"), fact("works at Initech")
    b.created_at = T0 + 1
    store.add_facts(ALICE, [a, b], [])
    merged = fact("works at Globex")
    store.add_facts(
        ALICE, [merged], [], [FactInvalidation(b.id, T0, T0, merged.id), FactInvalidation(a.id, T0, T0, merged.id)]
    )
    assert [f.id for f in store.fact_history(ALICE, merged.id)] == [a.id, b.id, merged.id]
    with pytest.raises(NotFound):
        store.fact_history(ALICE, "no-such-fact")
    with pytest.raises(NotFound):
        store.fact_history(BOB, ages[1].id)


def test_invalidations_of_unknown_or_foreign_facts_are_not_found_and_change_nothing(store: Store) -> None:
    mine = fact("likes tea")
    store.add_facts(ALICE, [mine], [])
    theirs = fact("likes coffee")
    store.add_facts(BOB, [theirs], [])
    before = snapshot(store, ALICE), snapshot(store, BOB)
    for closing in (
        FactInvalidation("no-such-fact", T0, T0),
        FactInvalidation(theirs.id, T0, T0),  # another scope's fact is unknown here
        FactInvalidation(mine.id, T0, T0, theirs.id),  # ... and so is another scope's successor
    ):
        with pytest.raises(NotFound):
            store.invalidate_facts(ALICE, [closing])
    with pytest.raises(NotFound):  # all or nothing: the first, valid invalidation is rolled back too
        store.invalidate_facts(ALICE, [FactInvalidation(mine.id, T0, T0), FactInvalidation("no-such-fact", T0, T0)])
    late = fact("likes water")
    with pytest.raises(NotFound):
        store.add_facts(ALICE, [late], [], [FactInvalidation("no-such-fact", T0, T0, late.id)])
    with pytest.raises(InvalidInput):
        store.invalidate_facts(ALICE, [FactInvalidation(mine.id, T0, T0, mine.id)])  # never its own successor
    assert (snapshot(store, ALICE), snapshot(store, BOB)) == before
    assert store.list_facts(ALICE, include_history=True)[0].valid_until is None


def test_a_closed_fact_supersedes_nothing_so_chains_never_loop(store: Store) -> None:
    old, new = fact("old"), fact("new")
    store.add_facts(ALICE, [old, new], [], [FactInvalidation(old.id, T0, T0, new.id)])
    with pytest.raises(InvalidInput):
        store.invalidate_facts(ALICE, [FactInvalidation(new.id, T0, T0, old.id)])
    assert [f.id for f in store.list_facts(ALICE)] == [new.id]


@pytest.mark.parametrize("field", ["observed_at", "valid_from", "valid_until", "invalidated_at", "expires_at"])
def test_every_fact_time_follows_the_timestamp_rule(store: Store, field: str) -> None:
    for bad in (1e20, float("nan"), float("inf"), "2024-01-01", True):
        with pytest.raises(InvalidInput):
            store.add_facts(ALICE, [fact("f", **{field: bad})], [])
    assert store.list_facts(ALICE, include_history=True) == []
    mine = fact("f")
    store.add_facts(ALICE, [mine], [])
    for closing in (FactInvalidation(mine.id, 1e20, T0), FactInvalidation(mine.id, T0, float("nan"))):
        with pytest.raises(InvalidInput):
            store.invalidate_facts(ALICE, [closing])
    with pytest.raises(InvalidInput):
        store.add_page(ALICE, Page(id=new_id(), user_input="u", agent_response="a", timestamp=T0, expires_at=1e20))
    with pytest.raises(InvalidInput):
        store.purge_expired(ALICE, float("inf"))
    assert store.count_pages(ALICE) == 0 and store.list_facts(ALICE)[0].is_current()


def test_promotion_closes_facts_in_its_own_transaction(store: Store) -> None:
    pages = [add(store, ALICE, f"p{i}") for i in range(2)]
    sid = consolidate(store, ALICE, pages)
    old = fact("lives in Lisbon", attribute="residence")
    store.add_facts(ALICE, [old], [])
    new = Fact(
        new_id(),
        "user",
        "lives in Berlin",
        [pages[1].id],
        T0 + 10,
        "llm",
        vec(3),
        observed_at=T0,
        attribute="residence",
    )
    plan = PromotionPlan(sid, [pages[0].id], None, [new], {}, T0 + 10, [FactInvalidation(old.id, T0, T0 + 10, new.id)])
    assert store.apply_promotion(ALICE, plan, [])
    assert [f.id for f in store.list_facts(ALICE)] == [new.id]
    assert [f.id for f in store.fact_history(ALICE, new.id)] == [old.id, new.id]
    # a plan closing a fact deleted meanwhile is stale: False, and no change at all
    doomed = fact("has a dog")
    store.add_facts(ALICE, [doomed], [])
    store.delete_fact(ALICE, doomed.id)
    before = snapshot(store, ALICE)
    stale = PromotionPlan(
        sid,
        [pages[1].id],
        ProfileVersion(0, "v", [], T0),
        [fact("has a cat")],
        {},
        T0,
        [FactInvalidation(doomed.id, T0, T0)],
    )
    assert store.apply_promotion(ALICE, stale, []) is False
    assert snapshot(store, ALICE) == before and store.unanalyzed_pages(ALICE, sid)[0].id == pages[1].id


def purged(result: Purged) -> tuple[int, int]:
    return len(result.pages), len(result.fact_ids)


def test_purge_expired_deletes_expired_pages_and_facts_like_delete_page(store: Store) -> None:
    def page(text: str, expires_at: float | None) -> Page:
        made = Page(id=new_id(), user_input=f"kiwi {text}", agent_response="ok", timestamp=T0, expires_at=expires_at)
        return store.add_page(ALICE, made)

    pages = [page("a", None), page("b", T0 + 10), page("c", None), page("d", T0 + 20)]
    assert store.get_page(ALICE, pages[1].id).expires_at == T0 + 10
    sid = consolidate(store, ALICE, pages[:3])
    short_lived = fact("is in Rome this week", expires_at=T0 + 10)
    lasting = fact("lives in Rome")
    store.add_facts(ALICE, [short_lived, lasting], [])
    bob_page = store.add_page(BOB, Page(id=new_id(), user_input="kiwi", agent_response="", timestamp=T0, expires_at=T0))
    assert purged(store.purge_expired(ALICE, T0 + 9)) == (0, 0)
    assert purged(store.purge_expired(ALICE, T0 + 10)) == (1, 1)
    first, third = store.get_pages(ALICE, [pages[0].id, pages[2].id])
    assert (first.next_page_id, third.prev_page_id) == (pages[2].id, pages[0].id)
    assert store.get_segment(ALICE, sid).page_count == 2 and store.recount_segments(ALICE) == 0
    assert {h[0] for h in store.lexical_search(ALICE, analyze("kiwi"), 10)} == {pages[0].id, pages[2].id, pages[3].id}
    assert {h[0] for h in store.dense_search(ALICE, vec(1), 10)} == {pages[0].id, pages[2].id}
    assert store.lexical_index_problems(ALICE) == []
    assert [f.id for f in store.list_facts(ALICE)] == [lasting.id]
    assert purged(store.purge_expired(ALICE, T0 + 30)) == (1, 0)  # a short-term page expires too
    assert [p.id for p in store.list_pages(ALICE)] == [pages[0].id, pages[2].id]
    assert store.get_page(BOB, bob_page.id).expires_at == T0  # another scope's expired page waits for its own purge
    alone = consolidate(store, ALICE, [page("e", T0 + 40)])
    assert purged(store.purge_expired(ALICE, T0 + 40)) == (1, 0)
    with pytest.raises(NotFound):  # a segment left empty goes, as with delete_page
        store.get_segment(ALICE, alone)
    assert store.get_segment(ALICE, sid).page_count == 2


def test_purge_forgets_facts_said_only_on_expired_pages_and_mends_their_chains(store: Store) -> None:
    def page(text: str, expires_at: float | None) -> Page:
        return store.add_page(
            ALICE, Page(id=new_id(), user_input=text, agent_response="", timestamp=T0, expires_at=expires_at)
        )

    kept, brief, other = page("kept", None), page("brief", T0 + 10), page("other brief", T0 + 50)
    sid = consolidate(store, ALICE, [kept, brief, other])
    lisbon = fact("lives in Lisbon", attribute="residence", source_page_ids=[kept.id])
    berlin = fact("lives in Berlin", attribute="residence", source_page_ids=[brief.id], expires_at=T0 + 10)
    both = fact("has a dog", source_page_ids=[brief.id, kept.id], expires_at=T0 + 10)
    orphan = fact("plays chess", source_page_ids=[brief.id, other.id])  # no expiry of its own
    store.add_facts(ALICE, [lisbon, berlin, both, orphan], [], [FactInvalidation(lisbon.id, T0 + 1, T0 + 1, berlin.id)])
    assert {f.id for f in store.list_facts(ALICE)} == {berlin.id, both.id, orphan.id}

    result = store.purge_expired(ALICE, T0 + 10)
    assert [p.id for p in result.pages] == [brief.id] and result.successors == [other.id]
    assert set(result.fact_ids) == {berlin.id, both.id}  # expired; the dog's expiry is its own (see promotion)
    # Lisbon was closed only by the forgotten move: it holds again
    assert {f.id for f in store.list_facts(ALICE)} == {lisbon.id, orphan.id}
    reopened = store.fact_history(ALICE, lisbon.id)[-1]
    assert reopened.valid_until is None and reopened.superseded_by is None and reopened.invalidated_at is None

    result = store.purge_expired(ALICE, T0 + 50)  # chess was said on brief and other, both gone now
    assert [p.id for p in result.pages] == [other.id] and result.fact_ids == [orphan.id] and result.successors == []
    assert [f.id for f in store.list_facts(ALICE)] == [lisbon.id]

    store.apply_rewrite(
        ALICE,
        RewritePlan([SegmentRewrite(sid, "only kept", ["kept"], vec(5))], {kept.id: "kept alone"}, None, T0, True),
    )
    segment = store.get_segment(ALICE, sid)
    assert (segment.summary, segment.keywords) == ("only kept", ["kept"])
    assert store.get_page(ALICE, kept.id).chain_summary == "kept alone"
    assert store.segments_to_reanalyze(ALICE) == [sid] and store.segments_to_reanalyze(BOB) == []


def test_export_import_keeps_validity_history_and_expiry(store: Store) -> None:
    page = store.add_page(ALICE, Page(id=new_id(), user_input="u", agent_response="a", timestamp=T0, expires_at=T0 + 5))
    old = fact("lives in Lisbon", attribute="residence", observed_at=T0, valid_from=T0 - 50, expires_at=T0 + 9)
    new = fact("lives in Berlin", attribute="residence", observed_at=T0 + 1)
    store.add_facts(ALICE, [old, new], [], [FactInvalidation(old.id, T0 + 1, T0 + 2, new.id)])
    dump = store.export_scope(ALICE)
    store.import_scope(BOB, dump)
    again = store.export_scope(BOB)
    assert [f.to_dict() for f in again.facts] == [f.to_dict() for f in dump.facts]
    assert [(p.id, p.expires_at) for p in again.pages] == [(page.id, T0 + 5)]
    assert [f.id for f in store.fact_history(BOB, new.id)] == [old.id, new.id]
