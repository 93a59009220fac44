"""Category sub-queries (issue 14): a question asking for a kind of thing finds the facts of that kind."""

from __future__ import annotations

from collections.abc import Callable

from memoryos import Memoryos
from memoryos.retrieval.categories import asked_category

FILLER = [
    "the weather forecast for the weekend",
    "the traffic on the ring road",
    "the new phone's battery life",
    "a podcast about ancient Rome",
    "the price of train tickets",
    "a birthday present for a cousin",
]
DONE = [
    "Ben: We went camping by the lake with the kids, the tent leaked a bit.",
    "Ben: I signed up for a pottery class yesterday, my first bowl is wonky.",
    "Ben: I hiked up the ridge trail on Saturday morning.",
]


def _talk(memo: Memoryos, n: int, start: int) -> None:
    for i in range(start, start + n):
        topic = FILLER[i % len(FILLER)]
        memo.add_memory(f"Ana: Did you hear about {topic}? ({i})", f"Ben: Yes, {topic} came up at work, note {i}.")


def test_the_head_noun_picks_the_category() -> None:
    assert asked_category("What activities does Melanie partake in?").name == "activity"  # type: ignore[union-attr]
    assert asked_category("What books has Jon read?").name == "book"  # type: ignore[union-attr]
    assert asked_category("Which cities has Jon visited?").name == "place"  # type: ignore[union-attr]
    assert asked_category("What events has she attended to help children?").name == "event"  # type: ignore[union-attr]
    assert asked_category("When did Ben move?") is None


def test_a_list_question_lifts_the_pages_of_facts_of_its_kind(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo(category_weight=1.0)
    _talk(memo, 10, 0)
    for i, said in enumerate(DONE):
        memo.add_memory(f"Ana: How have you been? ({i})", said)
        _talk(memo, 8, 10 + 8 * i)
    # pages that share the question's words but are not about Ben's pastimes
    memo.add_memory("Ana: The school posted its list of after-school activities.", "Ben: Does Ben's son need one?")
    memo.add_memory("Ana: Ben, the activities fair is on Monday.", "Ben: Ben will do the sign-up sheet, sure.")
    _talk(memo, 10, 40)
    memo.flush()
    while memo.promote():
        pass
    question = "What activities does Ben do?"

    def found(k: int) -> int:
        pages = memo.retrieve(question, update_heat=False, max_pages=k).pages
        return sum(any(said in p.page.agent_response for p in pages) for said in DONE)

    assert found(6) == len(DONE)
    memo.config.category_weight = 0.0
    assert found(6) < len(DONE), "without the category, the question's words find the wrong pages"
