"""Places kept for the best pages by meaning, and chain context by where the match sits (issue 14, session 25)."""

from __future__ import annotations

from collections.abc import Callable

from memoryos import Memoryos
from memoryos.lexical import analyze
from memoryos.models import Page
from memoryos.retrieval.fusion import Candidate
from memoryos.retrieval.interleave import meaning_places
from memoryos.retrieval.match_side import forward_shares

TOPICS = [
    "the weather forecast for the weekend",
    "a recipe for tomato soup with basil",
    "the football match on television",
    "repainting the kitchen cabinets",
    "a podcast about ancient Rome",
    "the traffic on the ring road",
    "a birthday present for a cousin",
    "the new phone's battery life",
]


def _talk(memo: Memoryos, n: int, offset: int = 0) -> None:
    for i in range(n):
        topic = TOPICS[(i + offset) % len(TOPICS)]
        memo.add_memory(f"Did you hear about {topic}? ({i})", f"Yes, {topic} came up at work, note {i}.")


def _committee_then_a_hike(memo: Memoryos) -> Memoryos:
    """Talk where "activities" is said only about a committee; the outdoor answer shares no word with it."""
    _talk(memo, 30)
    for i, what in enumerate(["the budget", "the minutes", "the new chair"]):
        memo.add_memory(
            f"The activities committee argued about {what} again.", f"Committee meetings are tedious ({i})."
        )
        _talk(memo, 6, i)
    memo.add_memory("Any plans for the weekend?", "I love hiking in the mountains and kayaking on the lake.")
    _talk(memo, 10)
    memo.flush()
    return memo


def _candidate(pid: str, user: str = "u", agent: str = "a", lexical: float | None = None) -> Candidate:
    return Candidate(Page(pid, user, agent, timestamp=0.0), dense=0.0, lexical=lexical)


def test_every_nth_place_goes_to_the_best_page_by_meaning_not_yet_placed() -> None:
    ranked = [_candidate(pid) for pid in "abcdefg"]
    meaning = {"g": 0.9, "b": 0.8, "f": 0.7, "a": 0.1}
    order = [c.page.id for c in meaning_places(ranked, 3, meaning)]
    assert order == ["a", "b", "g", "c", "d", "f", "e"]  # place 6: b is placed already, f is next by meaning
    assert [c.page.id for c in meaning_places(ranked, 0, meaning)] == list("abcdefg")  # off
    assert [c.page.id for c in meaning_places(ranked[:2], 3, meaning)] == ["a", "b"]  # fewer than every


def test_a_meaning_place_needs_a_page_that_stands_out_by_meaning() -> None:
    ranked = [_candidate(pid) for pid in "abcdef"]
    # scores by meaning: mean 0.5, standard deviation 0.2 (six candidates)
    meaning = {"a": 0.5, "b": 0.5, "c": 0.5, "d": 0.5, "e": 0.1, "f": 0.9}
    assert [c.page.id for c in meaning_places(ranked, 3, meaning, margin=1.5)][:3] == ["a", "b", "f"]  # 0.4 >= 0.3
    assert [c.page.id for c in meaning_places(ranked, 3, meaning, margin=2.5)][:3] == ["a", "b", "c"]  # 0.4 < 0.5
    # fusion's third page is about as close in meaning as the best one: no page stands out, fusion keeps the place
    close = {"a": 0.50, "b": 0.52, "c": 0.55, "d": 0.48, "e": 0.45, "f": 0.56}
    placed = meaning_places([_candidate(pid) for pid in "abcdef"], 3, close, margin=1.5)
    assert [c.page.id for c in placed] == list("abcdef") and not any("meaning" in c.extra for c in placed)


def test_a_page_passes_its_score_forward_by_the_share_of_the_match_in_its_second_turn() -> None:
    terms = analyze("pottery glaze")
    asked = _candidate("asked", "How was the studio?", "Which pottery glaze did you pick?", lexical=2.0)
    told = _candidate("told", "I read about pottery glaze chemistry.", "Tell me more.", lexical=2.0)
    both = _candidate("both", "My pottery glaze cracked.", "Which glaze was it?", lexical=2.0)
    meant = _candidate("meant", "Any news?", "The kiln is fixed.", lexical=None)  # found by meaning only
    candidates = {c.page.id: c for c in (asked, told, both, meant)}
    forward_shares(candidates, terms, floor=0.5)
    assert asked.passes == 1.0 and told.passes == 0.5 and meant.passes == 1.0
    assert both.passes == 0.5 + 0.5 * 1 / 3
    forward_shares({"x": (fresh := _candidate("x", "pottery", "hi", lexical=1.0))}, terms, floor=1.0)
    assert fresh.passes == 1.0  # floor 1: the setting is off


def test_a_place_goes_to_the_answer_that_shares_no_word_with_the_question(
    make_memo: Callable[..., Memoryos],
) -> None:
    memo = _committee_then_a_hike(make_memo())
    question = "What outdoor activities does the assistant enjoy?"

    memo.config.meaning_every = 0
    fused = [p.page.agent_response for p in memo.retrieve(question, update_heat=False).pages[:3]]
    assert not any("kayaking" in text for text in fused), "the committee pages share a word with the question"

    memo.config.meaning_every = 3  # the default
    placed = memo.retrieve(question, update_heat=False).pages[:3]
    assert "kayaking" in placed[2].page.agent_response
    assert "meaning" in placed[2].signals
    assert all("committee" in p.page.user_input for p in placed[:2]), "the other places keep fusion's order"


def test_chain_context_follows_a_match_in_the_second_turn_more_than_one_in_the_first(
    make_memo: Callable[..., Memoryos],
) -> None:
    memo = make_memo()
    _talk(memo, 20)
    memo.add_memory("I spent the afternoon at the studio.", "Nice! Which pottery glaze did you pick for the vase?")
    memo.add_memory("The celadon green, it came out beautifully.", "Lovely, I'd like to see it.")
    _talk(memo, 6)
    memo.add_memory("I read an article about pottery glaze chemistry.", "Interesting, tell me more.")
    memo.add_memory("It said lead was used long ago.", "That sounds dangerous.")
    _talk(memo, 20)
    memo.flush()
    question = "Which pottery glaze did they choose?"

    def chain_lifts() -> tuple[float, float]:
        pages = {p.page.user_input: p for p in memo.retrieve(question, max_results=30, update_heat=False).pages}
        answer, after_article = (
            pages["The celadon green, it came out beautifully."],
            pages["It said lead was used long ago."],
        )
        return answer.signals.get("chain", 0.0), after_article.signals.get("chain", 0.0)

    answer_full, article_full = chain_lifts()
    assert answer_full > 0 and article_full > 0, "both pages follow a match in their dialogue chain"
    memo.config.chain_answer_floor = 0.0
    answer_floor, article_floor = chain_lifts()
    assert answer_floor == answer_full, "the question asked in a second turn passes its full share on"
    assert article_floor < article_full, "a match in the first turn is answered in its own page"
