"""Category sub-queries (issue 14): a question asking for a kind of thing finds the facts of that kind."""

from __future__ import annotations

from collections.abc import Callable

from pastime_helpers import DONE, pastimes_found, tell_pastimes

from memoryos import Memoryos
from memoryos.retrieval.categories import asked_category
from memoryos.retrieval.result import RetrievedPage


def test_the_head_noun_picks_the_category() -> None:
    assert asked_category("What activities does Melanie partake in?").name == "activity"  # type: ignore[union-attr]
    assert asked_category("What books has Jon read?").name == "book"  # type: ignore[union-attr]
    assert asked_category("Which cities has Jon visited?").name == "place"  # type: ignore[union-attr]
    assert asked_category("What events has she attended to help children?").name == "event"  # type: ignore[union-attr]
    assert asked_category("When did Ben move?") is None


def test_a_list_question_lifts_the_pages_of_facts_of_its_kind(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo(category_weight=1.0)
    # pages that share the question's words but are not about Ben's pastimes
    distractors = [
        ("Ana: The school posted its list of after-school activities.", "Ben: Does Ben's son need one?"),
        ("Ana: Ben, the activities fair is on Monday.", "Ben: Ben will do the sign-up sheet, sure."),
    ]
    tell_pastimes(memo, distractors)
    question = "What activities does Ben do?"
    assert pastimes_found(memo, question, 6) == len(DONE)
    memo.config.category_weight = 0.0
    assert pastimes_found(memo, question, 6) < len(DONE), "without the category, the words find other pages"


def test_the_category_lifts_for_list_questions_only(make_memo: Callable[..., Memoryos]) -> None:
    """A question that names a kind but asks for one thing of it ("Which activity did Ben sign up for at the
    library?") is answered by its words and meaning: the facts most of the kind (his camping trip) are not lifted
    into its first places, as they are for a list question ("What activities does Ben do?", the test above)."""

    def top(lists_only: bool) -> list[RetrievedPage]:
        memo = make_memo(user_id=f"kinds-{lists_only}", category_weight=1.0, category_lists_only=lists_only)
        library = ("Ana: Anything new at the library?", "Ben: I put my name down for the chess evenings there.")
        tell_pastimes(memo, [library])
        return memo.retrieve("Which activity did Ben sign up for at the library?", update_heat=False, max_pages=3).pages

    kept = top(True)
    assert "chess" in kept[0].page.agent_response
    assert not any("camping" in p.page.agent_response or "category" in p.signals for p in kept)
    lifted = top(False)
    assert any("camping" in p.page.agent_response for p in lifted), "lifted for every question naming a kind"
