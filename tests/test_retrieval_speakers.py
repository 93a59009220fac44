"""Speaker attribution (issue 14): a question naming one of two name-labelled speakers is about that side."""

from __future__ import annotations

from collections.abc import Callable

from memoryos import Memoryos
from memoryos.lexical import analyze
from memoryos.models import Page
from memoryos.retrieval.speakers import side_label, side_share, subject_side

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


def _talk(memo: Memoryos, n: int) -> None:
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        memo.add_memory(f"Ana: Did you hear about {topic}? ({i})", f"Ben: Yes, {topic} came up at work, note {i}.")


def test_side_labels_name_the_speaker_of_each_side() -> None:
    assert side_label("Melanie: I went camping") == "melanie"
    assert side_label("Mary Ann: hi") == "mary ann"
    assert side_label("Well, 10:30 works") is None
    labels = {"ana": (30, 0), "ben": (0, 29), "carl": (20, 20)}
    assert subject_side({"ana"}, labels, 30) == "user"
    assert subject_side({"ben"}, labels, 30) == "assistant"
    assert subject_side({"ana", "ben"}, labels, 30) is None  # a question about both speakers
    assert subject_side({"carl"}, labels, 30) is None  # names both sides: no attribution
    assert subject_side({"dora"}, labels, 30) is None


def test_a_question_put_to_the_named_speaker_counts_as_theirs() -> None:
    page = Page("p", "Ana: Which pottery class do you go to?", "Ben: The one downtown.", timestamp=0.0)
    terms = set(analyze("pottery class"))
    assert side_share(page, "assistant", terms) == 1.0
    told = Page("q", "Ana: My pottery class is fun.", "Ben: Mine too, pottery calms me.", timestamp=0.0)
    assert side_share(told, "assistant", terms) == 1 / 3


def test_the_fast_word_count_matches_the_index_tokens() -> None:
    own = "Ana: She says the days of paying for relational pottery classes are over; Amy's toys, hoping, used."
    other = "Ben: 私は陶芸が好き. Café days, potteries and says."
    for words in ("says days", "paying pottery", "relational hoping", "toys used", "陶芸 café", "amy"):
        terms = set(analyze(words))
        expected = sum(t in terms for t in analyze(own))
        expected_other = sum(t in terms for t in analyze(other))
        share = side_share(Page("p", own, other, timestamp=0.0), "user", terms)
        assert share == (expected / (expected + expected_other) if expected + expected_other else 0.5), words


def test_the_named_speakers_own_words_rank_their_page_first(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo(speaker_weight=1.0)
    _talk(memo, 12)
    # Ana talks about her pottery at length; Ben mentions his once
    memo.add_memory(
        "Ana: My pottery class was great, I glazed a pottery bowl and the pottery teacher loved it.",
        "Ben: Nice, that sounds relaxing.",
    )
    _talk(memo, 6)
    memo.add_memory("Ana: How was your weekend?", "Ben: Quiet. I finally finished a pottery vase for my mum.")
    _talk(memo, 12)
    memo.flush()
    question = "What pottery has Ben made?"

    attributed = memo.retrieve(question, update_heat=False).pages
    assert "vase" in attributed[0].page.agent_response

    memo.config.speaker_attribution = False
    plain = memo.retrieve(question, update_heat=False).pages
    assert "bowl" in plain[0].page.user_input, "without attribution, Ana's pottery talk matches best"


def test_only_the_named_speakers_facts_lift_pages(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo()
    _talk(memo, 12)
    memo.add_memory("Ana: I work as a paramedic at the county hospital.", "Ben: That must be a demanding job.")
    _talk(memo, 6)
    memo.add_memory("Ana: Busy week?", "Ben: Very. I work as a teacher at the primary school on Elm Street.")
    _talk(memo, 12)
    memo.flush()
    while memo.promote():
        pass
    kinds = {f["kind"] for f in memo.get_knowledge("user") + memo.get_knowledge("assistant") if "work" in f["text"]}
    assert kinds == {"user", "assistant"}, "each side's job is a fact of that side"
    question = "What does Ben do for a living?"

    lifted = {p.page.id for p in memo.retrieve(question, update_heat=False).pages if p.signals.get("fact")}
    texts = [p.page.text for p in memo.retrieve(question, update_heat=False).pages if p.page.id in lifted]
    assert texts and all("teacher" in t for t in texts)

    memo.config.speaker_attribution = False
    lifted = {p.page.id for p in memo.retrieve(question, update_heat=False).pages if p.signals.get("fact")}
    texts = [p.page.text for p in memo.retrieve(question, update_heat=False).pages if p.page.id in lifted]
    assert any("paramedic" in t for t in texts), "without attribution Ana's job lifts her page too"
