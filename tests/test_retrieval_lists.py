"""List questions spread their first places over days; inference questions take their places by meaning
(issue 14, session 27)."""

from __future__ import annotations

from collections.abc import Callable

from test_retrieval_places import _committee_then_a_hike

from memoryos import Memoryos
from memoryos.models import Page
from memoryos.retrieval.fusion import Candidate
from memoryos.retrieval.query_analysis import asks_inference
from memoryos.retrieval.spread import asks_list, spread
from memoryos.testing import ManualClock

DAY = 86400.0
FILLER = [
    "the printer jammed again",
    "the train was late this morning",
    "a recipe for lentil soup",
    "the neighbour's new fence",
    "a podcast about ancient Rome",
    "the phone's battery life",
]


def test_list_and_inference_questions() -> None:
    for listing in (
        "What activities does Melanie partake in?",
        "Which cities has Jon visited?",
        "What LGBTQ+ events has Caroline participated in?",
        "How many hikes has Joanna been on?",
        "What are Melanie's pets' names?",
    ):
        assert asks_list(listing), listing
    for single in ("What did Caroline research?", "When did Melanie paint a sunrise?", "Where has Melanie camped?"):
        assert not asks_list(single), single
    for hedged in ("Would Caroline likely have Dr. Seuss books?", "What might John's degree be in?"):
        assert asks_inference(hedged), hedged
    assert not asks_inference("What did John study?")


def _candidate(pid: str, score: float, day: int) -> Candidate:
    c = Candidate(Page(pid, "u", "a", timestamp=day * DAY + 3600.0), dense=0.0, lexical=None)
    c.score = score
    return c


def test_spread_costs_a_page_the_pages_already_placed_from_its_day() -> None:
    ranked = [_candidate("a", 1.0, 1), _candidate("b", 0.98, 1), _candidate("c", 0.97, 1), _candidate("d", 0.95, 2)]
    assert [c.page.id for c in spread(ranked, 0.05)] == ["a", "d", "b", "c"]  # b: 0.98 - 0.05 < 0.95
    assert [c.page.id for c in spread(ranked, 0.0)] == ["a", "b", "c", "d"]  # off
    # a small weight never puts a weak page of another day above a strong match
    far = [_candidate("a", 1.0, 1), _candidate("b", 0.9, 1), _candidate("d", 0.5, 2)]
    assert [c.page.id for c in spread(far, 0.05)] == ["a", "b", "d"]


def _sports(make_memo: Callable[..., Memoryos], clock: ManualClock, spread_weight: float) -> Memoryos:
    # the full-text score alone, so that the test is about the order of near-equal matches
    memo = make_memo(
        user_id=f"sports-{spread_weight}",
        spread_weight=spread_weight,
        dense_weight=0.0,
        meaning_every=0,
        fact_page_weight=0.0,
        segment_weight=0.0,
        chain_weight=0.0,
    )
    for i in range(4):  # one day's talk about one sport ...
        memo.add_memory(f"I played tennis, sports ({i}).", f"Nice ({i}).")
        memo.add_memory(f"Also, {FILLER[i]}.", f"I see ({i}).")
    clock.advance(3 * DAY)  # ... and another sport, told days later
    memo.add_memory("I played squash at the club, sports.", "Great.")
    for i, filler in enumerate(FILLER):
        memo.add_memory(f"By the way, {filler}.", f"Noted ({i}).")
    memo.flush()
    return memo


def test_a_list_question_reaches_the_item_told_on_another_day(
    make_memo: Callable[..., Memoryos], clock: ManualClock
) -> None:
    question = "What sports has the user played?"
    spread_out = [
        p.page.user_input
        for p in _sports(make_memo, clock, 0.05).retrieve(question, max_results=3, update_heat=False).pages
    ]
    assert any("squash" in text for text in spread_out[:3]), spread_out
    plain = [
        p.page.user_input
        for p in _sports(make_memo, clock, 0.0).retrieve(question, max_results=3, update_heat=False).pages
    ]
    assert not any("squash" in text for text in plain[:3]), "without spreading one day's matches fill the places"


def test_an_inference_question_puts_the_answer_by_meaning_first(make_memo: Callable[..., Memoryos]) -> None:
    memo = _committee_then_a_hike(make_memo())
    question = "What outdoor activities might the assistant enjoy?"

    memo.config.inference_meaning_every = 0  # as any question: a place by meaning every third
    plain = memo.retrieve(question, update_heat=False).pages[:3]
    assert "kayaking" not in plain[0].page.agent_response, "the committee pages share a word with the question"

    memo.config.inference_meaning_every = 1  # the default
    placed = memo.retrieve(question, update_heat=False).pages[:3]
    assert "kayaking" in placed[0].page.agent_response and "meaning" in placed[0].signals
    # the other places: fusion's, unless a page stands out by meaning as much
    assert all("committee" in p.page.user_input for p in placed[1:])
