"""A "where" question lifts the pages that name a place, as a "when" question lifts those that date something
(issue 14, session 26)."""

from __future__ import annotations

from collections.abc import Callable

from memoryos import Memoryos
from memoryos.retrieval.query_analysis import analyze_query, mentions_place

NOW = 1_700_000_000.0


def test_where_questions_and_named_places() -> None:
    for asked in ("Where did Anna go on holiday?", "Which cities has John been to?", "引っ越し先はどこ？"):
        assert analyze_query(asked, NOW).asks_place, asked
    for other in ("When did Anna go on holiday?", "What did Anna cook?", "Which book did she like?"):
        assert not analyze_query(other, NOW).asks_place, other
    assert mentions_place("We flew to Lisbon for the holiday.")
    assert mentions_place("I visited Chicago last year") and mentions_place("a cafe in the Marais")
    assert not mentions_place("We went on holiday in May, it was lovely.")  # a month is not a place
    assert not mentions_place("The holiday was lovely, we rested.")


def _memory(make_memo: Callable[..., Memoryos], place_weight: float) -> Memoryos:
    # the full-text score alone, so that the test is about the boost: every page matches "holiday" once
    memo = make_memo(
        user_id=f"place-{place_weight}",
        place_weight=place_weight,
        dense_weight=0.0,
        meaning_every=0,
        fact_page_weight=0.0,
        segment_weight=0.0,
        chain_weight=0.0,
    )
    memo.add_memory("We went on holiday to Lisbon last spring, really lovely.", "Sounds great.")
    for i in range(12):
        memo.add_memory(f"We went on holiday, lovely ({i}).", f"Nice to hear ({i}).")
        memo.add_memory(f"The printer jammed again ({i}).", f"Try the other tray ({i}).")
    memo.flush()
    return memo


def test_a_where_question_ranks_the_page_that_names_the_place_first(make_memo: Callable[..., Memoryos]) -> None:
    question = "Where did we go on holiday?"
    boosted = _memory(make_memo, 0.2).retrieve(question, max_results=3, update_heat=False).pages
    assert "Lisbon" in boosted[0].page.text and boosted[0].signals.get("place", 0) > 0
    # without the boost the longer page with the place ranks below the short ones: the check can fail
    plain = _memory(make_memo, 0.0).retrieve(question, max_results=3, update_heat=False).pages
    assert "Lisbon" not in plain[0].page.text
