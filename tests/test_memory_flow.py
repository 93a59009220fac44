"""Page flow short → mid → long with a scripted LLM, heat, promotion, eviction, merge threshold."""

from __future__ import annotations

import json
import math

import pytest
from doubles import ManualClock, ScriptedLLM, VocabularyEmbedder, pages_in_prompt

from memoryos import Memoryos


def add_many(memo: Memoryos, exchanges: list[tuple[str, str]]) -> list[str]:
    return [memo.add_memory(u, a) for u, a in exchanges]


def test_full_short_term_moves_oldest_pages_as_one_batch(make_memo, scripted_llm: ScriptedLLM) -> None:
    memo = make_memo(llm=scripted_llm, short_term_capacity=4, short_term_retain=1)
    ids = add_many(memo, [(f"I collect stamp number {i}.", f"Stamp {i} noted.") for i in range(3)])
    assert scripted_llm.calls == []  # not full yet: nothing moves
    ids.append(memo.add_memory("", "An assistant-only page (the user side is empty)."))
    # full at 4: the 3 oldest leave together in ONE consolidation call; the newest stays
    assert scripted_llm.purposes() == ["consolidation"]
    assert len(pages_in_prompt(scripted_llm.calls[0][1])) == 3
    assert [p["id"] for p in memo.list_pages("short")] == ids[3:]
    assert [p["id"] for p in memo.list_pages("mid")] == ids[:3]
    # no page is ever dropped, including one with an empty side
    ids += add_many(memo, [("", "reply only"), ("question only", ""), ("more", "pages")])
    assert sorted(p["id"] for p in memo.list_pages()) == sorted(ids)
    assert memo.stats()["pages"]["short"] + memo.stats()["pages"]["mid"] == len(ids)


def test_batch_pages_chain_and_keep_their_own_chain_summary(make_memo, scripted_llm: ScriptedLLM) -> None:
    memo = make_memo(llm=scripted_llm, short_term_capacity=3, short_term_retain=0)
    ids = add_many(
        memo,
        [
            ("I adopted a cat named Miso.", "Lovely!"),
            ("Miso likes tuna.", "Cute."),
            ("Miso is two years old.", "Nice."),
        ],
    )
    pages = {p["id"]: p for p in memo.list_pages("mid")}
    assert pages[ids[0]]["prev_page_id"] is None and pages[ids[0]]["next_page_id"] == ids[1]
    assert pages[ids[1]]["prev_page_id"] == ids[0] and pages[ids[1]]["next_page_id"] == ids[2]
    assert pages[ids[2]]["next_page_id"] is None
    # each page keeps the running chain summary as of its own time
    assert pages[ids[0]]["chain_summary"] == "thread up to: I adopted a cat named Miso."
    assert pages[ids[2]]["chain_summary"] == "thread up to: Miso is two years old."


def test_heat_formula_uses_visits_length_and_recency_at_read_time(make_memo, clock: ManualClock) -> None:
    llm = ScriptedLLM()
    memo = make_memo(
        llm=llm,
        short_term_capacity=3,
        short_term_retain=0,
        mid_term_heat_threshold=100,
        heat_alpha=2.0,
        heat_beta=0.5,
        heat_gamma=3.0,
        recency_mu_seconds=1000.0,
    )
    add_many(
        memo,
        [
            ("My sister Ana lives in Lisbon.", "Nice city."),
            ("Ana is a nurse.", "Great job."),
            ("Ana visits me in May.", "Fun!"),
        ],
    )
    [segment] = memo.list_segments()
    assert segment["l_interaction"] == 3 and segment["n_visit"] == 0
    assert segment["heat"] == pytest.approx(2.0 * 0 + 0.5 * 3 + 3.0 * 1.0)
    memo.retrieve("Where does my sister live?")
    memo.retrieve("What does Ana do?")
    clock.advance(500.0)
    [segment] = memo.list_segments()
    assert segment["n_visit"] == 2
    # recency is computed when read, from the last access (the second retrieval), never stored stale
    assert segment["heat"] == pytest.approx(2.0 * 2 + 0.5 * 3 + 3.0 * math.exp(-500.0 / 1000.0))


def test_hot_segment_is_promoted_into_profile_and_knowledge_then_heat_resets(make_memo) -> None:
    llm = ScriptedLLM()
    memo = make_memo(llm=llm, short_term_capacity=3, short_term_retain=0, mid_term_heat_threshold=5)
    add_many(
        memo,
        [
            ("I work as a pilot for KLM.", "Exciting!"),
            ("I fly to Tokyo often.", "Long flights."),
            ("I will remember your schedule.", "I will remind you about your Tokyo flights."),
        ],
    )
    [segment] = memo.list_segments()
    assert segment["heat"] < 5  # 3 pages + recency 1 = 4: not yet
    assert memo.get_user_profile() == ""
    memo.retrieve("What is my job?")  # a visit: heat 5 reaches τ → promotion
    assert llm.purposes().count("profile_knowledge") == 1
    profile = memo.get_user_profile()
    assert "pilot for KLM" in profile
    user_facts = [f["text"] for f in memo.get_knowledge("user")]
    assert "I work as a pilot for KLM." in user_facts
    assistant_facts = memo.get_knowledge("assistant")
    assert assistant_facts and "Tokyo" in assistant_facts[0]["text"]
    # provenance: facts and the profile version point at the source pages
    page_ids = {p["id"] for p in memo.list_pages("mid")}
    assert set(memo.profile_history()[-1]["source_page_ids"]) == page_ids
    assert set(user_facts and memo.get_knowledge("user")[0]["source_page_ids"]) <= page_ids
    # analysed pages are marked, counters reset: heat back to recency only
    [segment] = memo.list_segments()
    assert segment["n_visit"] == 0 and segment["l_interaction"] == 0
    assert segment["heat"] == pytest.approx(1.0)
    assert all(p["analyzed"] for p in memo.list_pages("mid"))


class TickingClock:
    """A clock that moves on by `step` seconds every time it is read, like a real one between two statements."""

    def __init__(self, start: float = 1_700_000_000.0, step: float = 0.05) -> None:
        self.now, self.step = start, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_heat_that_reaches_tau_to_the_shown_precision_is_promoted(make_memo) -> None:
    """Recency decays from the instant of a visit, so a visit that brings a segment to τ leaves it a hair below
    τ by the time upkeep looks (4.99999998 for τ = 5), shown as 5.000: that counts as τ, and it is promoted."""
    from memoryos.tiers.mid_term import reaches_threshold

    assert reaches_threshold(5 - 2e-8, 5) and reaches_threshold(4.9996, 5) and not reaches_threshold(4.9994, 5)
    llm, clock = ScriptedLLM(), TickingClock()
    memo = make_memo(llm=llm, clock=clock, short_term_capacity=3, short_term_retain=0, mid_term_heat_threshold=5)
    add_many(
        memo,
        [
            ("I work as a pilot for KLM.", "Exciting!"),
            ("I fly to Tokyo often.", "Long flights."),
            ("I will remember your schedule.", "I will remind you about your Tokyo flights."),
        ],
    )
    [segment] = memo.list_segments()
    assert 3.999 < segment["heat"] < 4  # 3 pages + a recency a moment old
    memo.retrieve("What is my job?")  # a visit: N_visit 1, so heat 5 at the visit and a hair less after it
    assert llm.purposes().count("profile_knowledge") == 1
    assert "pilot for KLM" in memo.get_user_profile()


def test_profile_is_never_replaced_by_empty_error_or_collapsed_text(make_memo) -> None:
    llm = ScriptedLLM()
    memo = make_memo(llm=llm, short_term_capacity=3, short_term_retain=0, mid_term_heat_threshold=4)
    add_many(
        memo,
        [
            ("I am a vegetarian who loves Thai food.", "Noted."),
            ("I live in Berlin.", "Cool."),
            ("I play the cello.", "Beautiful."),
        ],
    )  # heat 3 + 1 = 4 → promoted at once
    first = memo.get_user_profile()
    assert "vegetarian" in first
    for bad in ("", "   ", "Error: rate limit exceeded", "I'm sorry, I cannot help with that.", "ok"):
        llm.queue_for("profile_knowledge", json.dumps({"profile": bad, "user_facts": [], "assistant_facts": []}))
        add_many(memo, [(f"I also like topic {bad!r} number {i}.", "Sure.") for i in range(3)])
        memo.flush()
        assert memo.get_user_profile() == first
    assert len(memo.profile_history()) == 1


def _topic_memo(make_memo, threshold: float) -> tuple[Memoryos, ScriptedLLM]:
    """One topic per batch with given keywords; vectors from a transparent vocabulary embedder."""
    vocabulary = ["tennis", "match", "racket", "serve", "cooking", "pasta", "sauce", "garlic"]

    def script(messages, purpose):
        pages = pages_in_prompt(messages)
        words = sorted({w for p in pages for w in str(p["user"]).lower().split() if w in vocabulary})
        return json.dumps(
            {
                "continues_previous": False,
                "chain_summaries": ["" for _ in pages],
                "topics": [{"page_indices": list(range(len(pages))), "summary": " ".join(words), "keywords": words}],
            }
        )

    llm = ScriptedLLM(script)
    memo = make_memo(
        llm=llm,
        embedder=VocabularyEmbedder(vocabulary),
        short_term_capacity=2,
        short_term_retain=0,
        mid_term_similarity_threshold=threshold,
        mid_term_heat_threshold=1000,
    )
    return memo, llm


@pytest.mark.parametrize(("threshold", "expect_merge"), [(1.30, True), (1.40, False)])
def test_fit_score_decides_merge_exactly(make_memo, threshold: float, expect_merge: bool) -> None:
    memo, _ = _topic_memo(make_memo, threshold)
    add_many(memo, [("tennis match", "ok"), ("racket serve", "ok")])
    [first] = memo.list_segments()
    add_many(memo, [("tennis match racket", "ok"), ("cooking", "ok")])
    segments = memo.list_segments()
    if expect_merge:
        [merged] = segments
        assert merged["id"] == first["id"]
        assert merged["page_count"] == 4 and merged["l_interaction"] == 4
        # a merge refreshes summary and keywords
        assert merged["summary"] != first["summary"] and "cooking" in merged["summary"]
        assert "cooking" in merged["keywords"]
    else:
        assert len(segments) == 2
        assert {s["page_count"] for s in segments} == {2}


def test_coldest_segment_is_archived_and_stays_searchable(make_memo, clock: ManualClock) -> None:
    memo = make_memo(
        short_term_capacity=2,
        short_term_retain=0,
        mid_term_capacity=2,
        mid_term_heat_threshold=1000,
        mid_term_similarity_threshold=5.0,
    )  # θ unreachable: every batch opens a new segment
    add_many(
        memo, [("My grandmother grew tomatoes in Sicily.", "Lovely."), ("She made sauce every August.", "Delicious.")]
    )
    clock.advance(1e7)  # the first segment grows cold
    add_many(memo, [("I run marathons.", "Impressive."), ("My best time is 3:05.", "Fast!")])
    memo.retrieve("marathon time")  # a visit warms the second
    add_many(memo, [("I'm learning Rust.", "Nice."), ("Borrow checker is hard.", "It is.")])
    segments = memo.list_segments(include_archived=True)
    archived = [s for s in segments if s["status"] == "archived"]
    assert len(archived) == 1 and "tomatoes" in archived[0]["summary"].lower()
    assert len(memo.list_segments()) == 2
    assert {p["tier"] for p in memo.list_pages() if "Sicily" in p["user_input"]} == {"archive"}
    result = memo.retrieve("What did my grandmother grow?")
    top = result.pages[0]
    assert "tomatoes" in top.page.user_input and top.tier == "archive"
    # an archived segment is not in mid-term's list, but its summary still comes with its pages
    assert top.segment_id == archived[0]["id"] and top.segment_summary == archived[0]["summary"]
    exported = memo.export()
    assert any(p["tier"] == "archive" for p in exported["pages"])


def test_lfu_eviction_option(make_memo, clock: ManualClock) -> None:
    memo = make_memo(
        short_term_capacity=2,
        short_term_retain=0,
        mid_term_capacity=1,
        mid_term_heat_threshold=1000,
        mid_term_similarity_threshold=5.0,
        eviction_policy="lfu",
    )
    add_many(memo, [("I collect vinyl records.", "Cool."), ("Mostly jazz from the 60s.", "Classic.")])
    memo.retrieve("vinyl jazz records")
    add_many(memo, [("I bake sourdough.", "Yum."), ("My starter is named Bob.", "Ha!")])
    [active] = memo.list_segments()
    assert "vinyl" in active["summary"].lower()  # the never-visited newer segment was evicted under LFU
