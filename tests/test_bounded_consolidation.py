"""Bounded consolidation: a burst is analysed in bounded batches, oldest first; topics per batch scale with the
batch; no segment grows past max_segment_pages; the no-LLM merge rule does not drift towards everything."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from doubles import ScriptedLLM, VocabularyEmbedder, pages_in_prompt

from memoryos import Memoryos


@contextmanager
def upkeep_elsewhere(memo: Memoryos) -> Iterator[None]:
    """Another process holds this user's upkeep lease: adds pile up in short-term (a burst faster than upkeep)."""
    assert memo.store.claim_upkeep(memo.scope, "another-process", 600)
    try:
        yield
    finally:
        memo.store.release_upkeep(memo.scope, "another-process")


def consolidation_batches(llm: ScriptedLLM) -> list[list[dict[str, object]]]:
    return [pages_in_prompt(messages) for purpose, messages in llm.calls if purpose == "consolidation"]


def test_a_burst_reaches_the_llm_in_bounded_batches_oldest_first(make_memo, scripted_llm: ScriptedLLM) -> None:
    memo = make_memo(llm=scripted_llm, max_segment_pages=8)  # the paper's cadence: 7 pages, 3 retained
    texts = [f"I collect stamp number {i}." for i in range(30)]
    with upkeep_elsewhere(memo):
        for text in texts:
            memo.add_memory(text, "Noted.")
        assert scripted_llm.calls == []  # upkeep is behind: everything waits in short-term
    assert memo.flush()
    batches = consolidation_batches(scripted_llm)
    assert all(1 <= len(batch) <= 4 for batch in batches)  # never more than capacity - retain pages in one call
    assert len(batches) >= (30 - 7) // 4 + 1
    assert [p["user"] for batch in batches for p in batch] == texts[: sum(map(len, batches))]  # in order
    assert len(memo.list_pages("short")) < 7  # upkeep went on until short-term was under capacity again
    # every topic here is about stamps and merges, but no segment grows past the cap, so no promotion sees more
    sizes = [s["page_count"] for s in memo.list_segments()]
    assert max(sizes) <= 8 and sum(sizes) == len(memo.list_pages("mid")) and len(sizes) >= 3
    promotions = [pages_in_prompt(m) for purpose, m in scripted_llm.calls if purpose == "profile_knowledge"]
    assert all(len(p) <= 8 for p in promotions)


def test_a_configured_batch_size_bounds_each_call(make_memo, scripted_llm: ScriptedLLM) -> None:
    memo = make_memo(llm=scripted_llm, short_term_capacity=10, short_term_retain=2, consolidation_batch_pages=3)
    with upkeep_elsewhere(memo):
        for i in range(20):
            memo.add_memory(f"Page {i} about kites.", "Ok.")
    memo.flush()
    assert {len(batch) for batch in consolidation_batches(scripted_llm)} == {3}


@pytest.mark.parametrize("pace", ["burst", "paced"])
def test_no_segment_grows_past_the_cap(make_memo, pace: str) -> None:
    words = ["tennis", "racket", "serve", "match"]
    memo = make_memo(embedder=VocabularyEmbedder(words), max_segment_pages=10, mid_term_heat_threshold=1000)
    exchanges = [("tennis racket serve match", "tennis match")] * 60  # one topic: without a cap, one segment

    def add_all() -> None:
        for user, agent in exchanges:
            memo.add_memory(user, agent)
            if pace == "paced":
                memo.flush()

    if pace == "burst":
        with upkeep_elsewhere(memo):
            add_all()
        memo.flush()
    else:
        add_all()
    sizes = [s["page_count"] for s in memo.list_segments(include_archived=True)]
    mid = len(memo.list_pages("mid"))
    assert max(sizes) <= 10 and sum(sizes) == mid
    assert len(sizes) >= mid / 10
    # merges still happen below the cap: a full segment refuses, the topic goes on in a new one
    assert sorted(sizes)[-2] > 4


def test_a_no_llm_burst_is_analysed_batch_by_batch(make_memo) -> None:
    """Sixty unrelated pages and θ out of reach: each batch of 4 yields at most 2 topics, each its own segment,
    so the segment count shows how many batches there were (one unbounded batch would give 2 segments)."""
    vocabulary = [f"topic{i:02d}" for i in range(60)]
    memo = make_memo(embedder=VocabularyEmbedder(vocabulary), mid_term_similarity_threshold=5.0)
    with upkeep_elsewhere(memo):
        for word in vocabulary:
            memo.add_memory(f"{word} {word}", "")
    memo.flush()
    consolidated = len(memo.list_pages("mid"))
    assert consolidated >= 60 - 6
    assert len(memo.list_segments()) == 2 * (consolidated // 4)


def _llm_topics(n_topics: int) -> ScriptedLLM:
    """Answers every consolidation with n_topics topics splitting the batch's pages evenly."""

    def script(messages: list[dict[str, str]], purpose: str) -> str:
        pages = pages_in_prompt(messages)
        if purpose != "consolidation":
            return json.dumps({"profile": "", "user_facts": [], "assistant_facts": []})
        per = max(1, len(pages) // n_topics)
        topics = [
            {"page_indices": list(range(start, min(len(pages), start + per))), "summary": f"topic {start}"}
            for start in range(0, len(pages), per)
        ]
        return json.dumps({"chain_summaries": ["" for _ in pages], "topics": topics})

    return ScriptedLLM(script)


@pytest.mark.parametrize(("capacity", "allowed"), [(5, 2), (13, 6)])  # batches of 4 and 12 pages
def test_llm_topics_per_batch_scale_with_the_batch(make_memo, capacity: int, allowed: int) -> None:
    llm = _llm_topics(12)  # asks for more topics than allowed: the surplus folds into the last allowed one
    memo = make_memo(
        llm=llm, short_term_capacity=capacity, short_term_retain=1, mid_term_similarity_threshold=5.0
    )  # θ out of reach: every topic becomes its own segment
    for i in range(capacity):
        memo.add_memory(f"Page {i}.", "Ok.")
    [(_, messages)] = [call for call in llm.calls if call[0] == "consolidation"]
    assert f"1 to {allowed} topics" in messages[0]["content"]
    assert len(memo.list_segments()) == allowed


@pytest.mark.parametrize(("pages_per_topic", "expected"), [(2, 4), (4, 2)])
def test_no_llm_splits_a_batch_into_as_many_topics_as_its_pages_differ(
    make_memo, pages_per_topic: int, expected: int
) -> None:
    groups = [["violin", "opera"], ["garden", "tulips"], ["bitcoin", "wallet"], ["marathon", "running"]]
    memo = make_memo(
        embedder=VocabularyEmbedder([w for g in groups for w in g]),
        short_term_capacity=8,
        short_term_retain=0,
        pages_per_topic=pages_per_topic,
        mid_term_similarity_threshold=5.0,
    )
    for a, b in groups:  # two consecutive pages per subject (cosine 1/9 with the others: the 'User:' label)
        memo.add_memory(f"{a} {b} {a} {b}", "")
        memo.add_memory(f"{b} {a} {b} {a}", "")
    segments = memo.list_segments()
    assert len(segments) == expected
    assert all(s["page_count"] == 8 // expected for s in segments)


def test_no_llm_merge_does_not_absorb_an_unrelated_topic_after_many_merges(make_memo) -> None:
    """A segment grown by thirty merges of a slowly moving conversation: the mean of all its pages keeps little
    but what every page shares (here the 'User:' label), which an unrelated topic shares too. Compared with the
    segment's newest pages, the unrelated topic is a new segment."""
    plants = [f"plant{i:02d}" for i in range(64)]
    memo = make_memo(
        embedder=VocabularyEmbedder(["user", "opera", "violin", "concerto", *plants]),
        short_term_capacity=2,
        short_term_retain=0,
        max_segment_pages=100,
        mid_term_similarity_threshold=0.42,
        mid_term_heat_threshold=1000,
    )
    for i in range(60):
        memo.add_memory(" ".join(plants[i : i + 3]), "")
    [garden] = memo.list_segments()
    assert garden["page_count"] == 60  # thirty batches, each merged
    memo.add_memory("opera violin concerto", "")
    memo.add_memory("violin concerto opera", "")
    segments = {s["id"]: s for s in memo.list_segments()}
    assert len(segments) == 2 and segments[garden["id"]]["page_count"] == 60
    [music] = [s for s in segments.values() if s["id"] != garden["id"]]
    assert music["page_count"] == 2 and "opera" in music["keywords"]


def test_a_cold_segment_is_analysed_before_eviction_archives_it(make_memo, clock) -> None:
    """Heat decides when a segment is learnt from, not whether: a small topic that never reaches τ (no visits,
    too few pages) is promoted when eviction archives it, so its facts reach long-term memory."""
    memo = make_memo(
        short_term_capacity=2,
        short_term_retain=0,
        max_topics_per_batch=1,
        mid_term_capacity=1,
        mid_term_heat_threshold=1000.0,  # nothing ever gets hot
        mid_term_similarity_threshold=5.0,  # every batch is a segment of its own
    )
    memo.add_memory("I live in Lisbon with my partner.", "Lovely city.")
    memo.add_memory("I work as a nurse at the city hospital.", "Busy job!")
    memo.flush()
    assert memo.get_knowledge("user") == []  # cold: not analysed while it stays in mid-term
    clock.advance(3600)  # the first segment is the colder one
    memo.add_memory("The tram was late again today.", "Annoying.")
    memo.add_memory("I read a novel in the evening.", "Which one?")
    memo.flush()
    archived = [s for s in memo.list_segments(include_archived=True) if s["status"] == "archived"]
    assert len(archived) == 1 and len(memo.list_segments()) == 1
    assert all(p["analyzed"] for p in memo.list_pages(tier="archive"))
    learnt = " ".join(f["text"] for f in memo.get_knowledge("user"))
    assert "Lisbon" in learnt and "nurse" in learnt
    assert "novel" not in learnt  # the segment still in mid-term waits for its heat
