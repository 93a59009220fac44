"""A list question naming one speaker: the other speaker's own mentions of the topic are not its items (issue 14)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from memoryos import Memoryos
from memoryos.models import Page
from memoryos.retrieval.fusion import Candidate
from memoryos.retrieval.speakers import attribute_lexical

FILLER = [
    "the weather forecast for the weekend",
    "a recipe for tomato soup with basil",
    "the football match on television",
    "repainting the kitchen cabinets",
    "a podcast about ancient Rome",
    "the traffic on the ring road",
]


def _hikers(make_memo: Callable[..., Memoryos], cut: float) -> Memoryos:
    """Ana (the user side) talks about her own hiking at length, twice; Ben (the other side) mentions his hike
    once. Only the full-text score ranks, so the test is about how the sides' matches count."""
    memo = make_memo(
        user_id=f"hikers-{cut}",
        list_side_cut=cut,
        dense_weight=0.0,
        meaning_every=0,
        fact_page_weight=0.0,
        segment_weight=0.0,
        chain_weight=0.0,
        spread_weight=0.0,
    )
    for i in range(40):  # the topic in under a tenth of the pages, so that its word is searched (terms.py)
        topic = FILLER[i % len(FILLER)]
        memo.add_memory(f"Ana: Did you hear about {topic}? ({i})", f"Ben: Yes, {topic} came up at work, note {i}.")
        if i == 5:
            memo.add_memory(
                "Ana: I went hiking up the ridge again, hiking clears my head.", "Ben: Sounds lovely, enjoy."
            )
        if i == 15:
            memo.add_memory("Ana: How was your weekend?", "Ben: Quiet. I did a long hike along the river trail.")
        if i == 25:
            memo.add_memory("Ana: My hiking group went hiking in the hills.", "Ben: That is a nice group.")
    memo.flush()
    return memo


def test_a_list_question_about_one_speaker_ranks_their_item_above_the_other_speakers_talk(
    make_memo: Callable[..., Memoryos],
) -> None:
    question = "What hikes has Ben done?"
    cut = _hikers(make_memo, 1.0).retrieve(question, max_results=3, update_heat=False).pages
    assert "river trail" in cut[0].page.agent_response, [p.page.text for p in cut]
    plain = _hikers(make_memo, 0.0).retrieve(question, max_results=3, update_heat=False).pages
    assert "river trail" not in plain[0].page.agent_response, "without the cut Ana's hiking talk matches best"


def test_the_cut_applies_to_list_questions_only(make_memo: Callable[..., Memoryos]) -> None:
    memo = _hikers(make_memo, 1.0)
    # not of the list form: Ana's matches keep their full-text score (they often set up the named speaker's answer)
    pages = memo.retrieve("Did Ben enjoy the hiking?", max_results=3, update_heat=False).pages
    assert any("ridge" in p.page.user_input or "hills" in p.page.user_input for p in pages[:2])


@pytest.mark.parametrize(("share_text", "expected"), [("other", 0.0), ("half", 1.0), ("own", 1.3)])
def test_the_cut_scales_a_match_by_the_share_on_the_named_side(share_text: str, expected: float) -> None:
    sides = {
        "other": ("Ana: I love hiking.", "Ben: Nice."),
        "half": ("Ana: I love hiking.", "Ben: Me too, hiking is great."),
        "own": ("Ana: Nice weather.", "Ben: I went hiking."),
    }[share_text]
    candidate = Candidate(Page("p", *sides, timestamp=0.0), dense=0.0, lexical=1.0)
    attribute_lexical({"p": candidate}, "assistant", ["hike"], weight=0.3, cut=1.0)
    assert candidate.lexical == pytest.approx(expected)
