"""A habit that changes its verb along with its value closes the old one (issue 12, point 3, session 27): a new
statement with the speaker as subject in the present, marked as holding now, ends the held habit whose predicate is
nearest by meaning (tiers/habits.py), and the facts that mention what the ended habit did go with it; a present
habit with a thing as its object is news (statements.is_specific). Through the public API on SQLite; wording
and values are this file's own (none of the update suites' texts). Guards: someone else's change, an unrelated
change, a habit said again, and the same text without a mark of now close nothing."""

from __future__ import annotations

import pytest
from fact_helpers import at, first_answer, naming, promoting, say

from memoryos.providers.statements import is_specific
from memoryos.tiers.habits import marked_change, predicate

MARCH, APRIL, JULY, AUGUST = at("2024-03-03"), at("2024-04-11"), at("2024-07-19"), at("2024-08-20")


def test_a_habit_told_with_another_verb_now_closes_the_old_one(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I cycle to the office along the canal every day.")
    say(memo, JULY, "I take the tram to the office now.")
    old = naming(memo, "cycle")
    assert len(old) == 1 and old[0]["valid_until"] == JULY and old[0]["superseded_by"]
    assert "tram" in first_answer(memo, "How do I get to the office now?")
    past = memo.retrieve("How did I get to the office before?", update_heat=False).user_knowledge
    assert any("cycle" in f.fact.text.lower() for f in past)


def test_what_the_ended_habit_did_is_closed_where_it_is_mentioned(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I play the clarinet in a swing band.")
    say(memo, APRIL, "My clarinet reed split during the concert last night.")
    say(memo, JULY, "These days I play the ukulele at open mic nights.")
    old = naming(memo, "clarinet")
    assert len(old) == 2 and all(f["valid_until"] == JULY for f in old)
    assert all(f["valid_until"] is None for f in naming(memo, "ukulele"))


def test_a_present_habit_with_a_thing_as_its_object_is_learnt(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I restore old clocks in my shed.")
    assert naming(memo, "clocks")


def test_someone_elses_change_and_an_unrelated_one_close_nothing(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I teach piano to kids on Saturdays.")
    say(memo, APRIL, "My sister teaches violin to kids now instead.")
    say(memo, JULY, "I brew green tea every afternoon these days.")
    piano = naming(memo, "piano")
    assert len(piano) == 1 and piano[0]["valid_until"] is None


def test_without_a_mark_of_now_two_habits_stay(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I cycle to the office along the canal every day.")
    say(memo, AUGUST, "I take the tram to the office when it rains.")
    assert all(f["valid_until"] is None for f in naming(memo, "cycle"))


@pytest.mark.parametrize(
    ("text", "habit"),
    [
        ("User plays the clarinet in a swing band.", "plays the clarinet in a swing band"),
        ("User's knee hurts, so they do water aerobics these days.", "do water aerobics"),
        ("These days User takes the tram to the office.", "takes the tram to the office"),
        ("User is a keen birdwatcher.", "is a keen birdwatcher"),
        ("User played the clarinet.", None),  # a past event
        ("User loves the clarinet now.", None),  # a feeling
        ("User doesn't play the clarinet anymore.", None),  # an ending: named endings read it
        ("User is happy now.", None),  # a state, no action
        ("User is a bit tired.", None),
        ("User's sister plays the clarinet now.", None),  # someone else's
        ("User wants to play the clarinet.", None),
    ],
)
def test_what_counts_as_a_habit(text: str, habit: str | None) -> None:
    assert predicate(text) == habit


def test_what_marks_a_change() -> None:
    assert marked_change("Since January User works at a bakery.")
    assert marked_change("User takes the tram now.")
    assert not marked_change("User has worked there since 2019.")
    assert not marked_change("User has been cycling for a while now.")


def test_a_present_habit_is_specific_a_feeling_is_not() -> None:
    assert is_specific("I restore old clocks in my shed.")
    assert not is_specific("I love all kinds of art.")
    assert not is_specific("I really appreciate your support.")
