"""The `Store` protocol exercised directly, identically on every backend.

Tiers and the facade rely on these promises; each test names one. A backend that passes this file behaves as
the rest of memoryos expects, whatever SQL it speaks.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from memoryos.errors import ConfigError, InvalidInput, NotFound, StorageError
from memoryos.models import (
    ConsolidationPlan,
    Fact,
    Page,
    PageUpdate,
    ProfileVersion,
    PromotionPlan,
    Scope,
    Segment,
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


def consolidate(store: Store, scope: Scope, pages: list[Page], segment_id: str | None = None) -> str:
    """Move pages into one segment (new unless segment_id names an existing one); returns the segment id."""
    is_new = segment_id is None
    sid = segment_id or new_id()
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
    assert store.lexical_search(BOB, ["secret"], 10) == []
    assert store.lexical_search(ALICE, ["secret"], 10)
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
    store.forget_scope(ALICE)  # ids are unique per store: free them before restoring the same dump
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


def test_taken_ids_are_invalid_input_that_changes_nothing(store: Store) -> None:
    page = add(store, ALICE, "p")
    with pytest.raises(InvalidInput):
        store.add_page(BOB, Page(id=page.id, user_input="x", agent_response="y", timestamp=1_700_000_000.0))
    assert store.count_pages(BOB) == 0 and store.get_pages(BOB, [page.id]) == []
    fact = Fact(new_id(), "user", "f", [page.id], 1.0, "manual", vec(1))
    store.add_facts(ALICE, [fact], [])
    with pytest.raises(InvalidInput):
        store.add_facts(BOB, [Fact(new_id(), "user", "g", [], 1.0, "manual"), fact], [])
    assert store.list_facts(BOB) == []
    dump = store.export_scope(ALICE)
    with pytest.raises(InvalidInput) as caught:
        store.import_scope(BOB, dump, renew_taken_ids=False)  # migrate's way: no fresh ids
    assert page.id not in str(caught.value) and fact.id not in str(caught.value)
    assert store.count_pages(BOB) == 0 and store.list_facts(BOB) == []
    store.import_scope(BOB, dump)  # the default renews the taken ids instead
    assert [p.user_input for p in store.list_pages(BOB)] == ["p"]
    assert store.get_pages(BOB, [page.id]) == [] and store.get_page(ALICE, page.id).user_input == "p"


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
    assert {h[0] for h in store.lexical_search(ALICE, ["apple"], 10)} == {pages[0].id, pages[2].id}
    assert store.lexical_index_problems(ALICE) == []
    store.forget_scope(ALICE)
    assert store.dense_search(ALICE, vec(1), 10) == [] and store.lexical_search(ALICE, ["apple"], 10) == []
    assert store.lexical_index_problems(ALICE) == []


def test_imported_pages_are_searchable_and_the_lexical_index_agrees(store: Store) -> None:
    pages = [add(store, ALICE, f"banana {i}") for i in range(3)]
    consolidate(store, ALICE, pages[:2])
    dump = store.export_scope(ALICE)
    store.import_scope(BOB, dump)
    ids = [p.id for p in store.list_pages(BOB)]
    assert {h[0] for h in store.lexical_search(BOB, ["banana"], 10)} == set(ids)
    assert {h[0] for h in store.dense_search(BOB, vec(0), 10)} == set(ids[:2])  # short-term pages have no vector
    assert store.lexical_index_problems(BOB) == []
    store.rebuild_lexical_index(BOB)
    assert store.lexical_index_problems(BOB) == []


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
