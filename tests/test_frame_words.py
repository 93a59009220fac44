"""Words that frame a question ("what kind of", "mention", "describe") are not searched for (issue 14)."""

from __future__ import annotations

from collections.abc import Callable

from memoryos import Memoryos
from memoryos.textutil import without_frame_words

FILLER = [
    "the weather forecast for the weekend",
    "a recipe for tomato soup with basil",
    "the football match on television",
    "the traffic on the ring road",
]


def test_the_frame_of_a_question_is_left_out() -> None:
    assert without_frame_words("What kind of art does Caroline make?") == "What art does Caroline make?"
    assert without_frame_words("Which types of yoga has Maria practiced?") == "Which yoga has Maria practiced?"
    assert without_frame_words("What games has John mentioned winning?") == "What games has John winning?"
    assert without_frame_words("How did Gina describe the studio?") == "How did Gina the studio?"
    # the same words as the topic, not the frame, stay
    assert without_frame_words("Is she kind to her neighbours?") == "Is she kind to her neighbours?"
    assert without_frame_words("猫の名前は何ですか？") == "猫の名前は何ですか？"


def _memory(make_memo: Callable[..., Memoryos], frame_words: bool) -> Memoryos:
    # lexical ranking alone, so that the test is about the full-text terms
    memo = make_memo(
        user_id=f"frame-{frame_words}", frame_words=frame_words, dense_weight=0.0, meaning_every=0, fact_page_weight=0.0
    )
    for i in range(24):
        topic = FILLER[i % len(FILLER)]
        memo.add_memory(f"Did you hear about {topic}? ({i})", f"Yes, {topic} came up at work, note {i}.")
        if i % 6 == 0:  # the topic is in four pages; the frame word "kind" in one, so it is the rarer word
            memo.add_memory(f"I finished a clay sculpture this week ({i}).", "The sculpture looks lovely.")
        if i == 12:
            memo.add_memory("Thanks, that was kind of you to say.", "You're welcome, I meant it.")
    memo.flush()
    return memo


def test_a_page_sharing_only_the_frame_word_does_not_outrank_the_topic(make_memo: Callable[..., Memoryos]) -> None:
    question = "What kind of sculpture does she make?"
    framed = _memory(make_memo, frame_words=True).retrieve(question, max_results=3, update_heat=False).pages
    assert framed and all("sculpture" in r.page.text for r in framed)
    # with the frame words searched for, the page that only says "kind" ranks first: the check can fail
    kept = _memory(make_memo, frame_words=False).retrieve(question, max_results=3, update_heat=False).pages
    assert "kind of you" in kept[0].page.text
