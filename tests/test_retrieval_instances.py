"""Questions that ask for several things of a kind without the list form (issue 14): "What does Ben do to unwind?",
"What has Ben cooked?", "What events is Ben planning?" are list questions by their grammar."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pastime_helpers import DONE, pastimes_found, tell_pastimes

from memoryos import Memoryos
from memoryos.retrieval.instances import instances_asked


@pytest.mark.parametrize(
    ("question", "several", "kind"),
    [
        ("What does Melanie do to destress?", True, "activity"),  # a habit of doing: activities
        ("What has John cooked?", True, "food"),  # the perfect gathers over time; the kind from the predicate
        ("What events is Maria planning for the fundraiser?", True, "event"),  # a plural head, any verb
        ("What musical artists/bands has Melanie seen?", True, "music"),
        ("What areas of the U.S. has John been to?", True, "place"),  # the head before "of"
        ("What types of pottery have Melanie and her kids made?", True, None),  # "kids" is not what is asked for
        ("Which book did Melanie read?", False, None),  # a singular head: one thing
        ("What did Melanie do after the road trip?", False, None),  # the simple past: one occasion
        ("What does John want to do after his career?", False, None),  # "do" is not the main verb
        ("What has Tim cooked in May 2023?", False, None),  # a date: that occasion
        ("Which US states might Tim be in during his trip?", False, None),  # hedged: an inference
        ("When did Melanie go camping?", False, None),
    ],
)
def test_the_grammar_says_when_a_question_asks_for_several(question: str, several: bool, kind: str | None) -> None:
    asked, category = instances_asked(question)
    assert asked is several
    assert (category.name if category else None) == kind


def test_a_habit_question_lifts_the_pages_of_the_activities_told(make_memo: Callable[..., Memoryos]) -> None:
    """"What does Ben do to unwind?" names no kind and is not of the list form; its grammar (a habit of doing) asks
    for Ben's activities, and his facts of that kind lift their pages as for "What activities does Ben do?"."""
    memo = make_memo(category_weight=1.0)
    # pages that share the question's words but say nothing of what Ben does
    distractors = [
        ("Ana: The spa sells an unwind package now.", "Ben: Ben heard it is pricey, that unwind package."),
        ("Ana: Ben, unwind a little, the deadline moved.", "Ben: Ben is glad to unwind, thanks for saying."),
    ]
    tell_pastimes(memo, distractors)
    question = "What does Ben do to unwind?"
    assert pastimes_found(memo, question, 6) == len(DONE)
    memo.config.instance_questions = False
    assert pastimes_found(memo, question, 6) < len(DONE), "without the reading, the words find other pages"
