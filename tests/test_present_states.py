"""A present state marked as new, told with another subject or copular, is learnt and ends what it replaces (issue
12, point 3, session 28): "the number 4 bus gets me to the office now" ends "I cycle to the office", "my lunch is a
salad from home these days" ends "I buy a meal deal every lunchtime", and a change ends a state held by the
speaker's thing ("my gym is the Anytime Fitness on the high street"). Through the public API on SQLite;
wording and values are this file's own (none of the update suites' texts). Guards: someone else's new state, a
feeling, a state that goes on, and a taste close nothing."""

from __future__ import annotations

import pytest
from fact_helpers import at, first_answer, naming, promoting, say

from memoryos.tiers.habits import tells_change
from memoryos.tiers.present_states import held_predicate, state_predicate

MARCH, APRIL, JULY, AUGUST = at("2024-03-03"), at("2024-04-11"), at("2024-07-19"), at("2024-08-20")


def test_a_state_told_with_another_subject_closes_the_old_habit(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I cycle to the depot along the ring road every morning.")
    say(memo, APRIL, "Got a flat tyre on the ring road today.")
    say(memo, JULY, "The number 4 bus gets me to the depot these days.")
    assert naming(memo, "number 4 bus"), "the new state is learnt as a fact of the user's"
    old = naming(memo, "cycle")
    assert len(old) == 1 and old[0]["valid_until"] == JULY and old[0]["superseded_by"]
    assert "bus" in first_answer(memo, "How do I get to the depot now?")
    past = memo.retrieve("How did I get to the depot before?", update_heat=False).user_knowledge
    assert any("cycle" in f.fact.text.lower() for f in past)


def test_a_copular_state_marked_now_closes_the_old_habit(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I buy a meal deal at the petrol station every lunchtime.")
    say(memo, JULY, "Lunch is a salad from home now.")
    old = naming(memo, "meal deal")
    assert len(old) == 1 and old[0]["valid_until"] == JULY
    assert "salad" in first_answer(memo, "What do I have for lunch now?")


def test_a_state_held_by_the_speakers_thing_is_ended_by_a_change(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "My gym is the Anytime Fitness on the high street.")
    say(memo, JULY, "The gym at work is where I train these days.")
    old = naming(memo, "anytime fitness")
    assert len(old) == 1 and old[0]["valid_until"] == JULY and old[0]["superseded_by"]


def test_someone_elses_state_a_feeling_and_a_taste_close_nothing(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I cycle to the depot along the ring road every morning.")
    say(memo, APRIL, "Pasta carbonara is my favourite dinner.")
    say(memo, JULY, "My brother's new van gets him to the depot these days.")
    say(memo, AUGUST, "I'm so happy with how things are going now.")
    assert all(f["valid_until"] is None for f in naming(memo, "cycle"))
    assert all(f["valid_until"] is None for f in naming(memo, "carbonara"))


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("The number 4 bus gets User to the depot these days.", "the number 4 bus gets to the depot"),
        ("Lunch is a salad from home now.", "lunch is a salad from home"),
        ("User's commute is a scooter ride now.", "commute is a scooter ride"),
        ("Ruth retired, and the works minibus picks User up now.", "the works minibus picks up"),
        ("The hinge snapped, so User is on a Chromebook now.", "is on a chromebook"),
        ("User's sister is a nurse now.", None),  # someone else's
        ("User is so happy now.", None),  # a feeling
        ("It's raining now.", None),  # too little to be a value
        ("Lunch was a salad from home.", None),  # no mark of now, and a past
        ("Lunch won't be a salad from home anymore.", None),  # a denial: named endings read those
        ("User is ready to help others now.", None),  # the speaker as subject, no place or thing
        ("They help User relax these days.", None),  # "they" before the speaker is named: someone else
    ],
)
def test_what_counts_as_a_state_marked_now(text: str, state: str | None) -> None:
    assert state_predicate(text) == state


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("User's gym is the Anytime Fitness on the high street.", "gym is the anytime fitness on the high street"),
        ("User's salary goes into a Lloyds account.", "salary goes into a lloyds account"),
        ("User's writing is going well.", None),  # under way, not held
        ("Carbonara is User's favourite dinner.", None),  # a taste
        ("User's kids love the beach.", None),  # someone else's
    ],
)
def test_what_counts_as_a_state_held(text: str, held: str | None) -> None:
    assert held_predicate(text) == held


def test_a_change_is_news_a_feeling_is_not() -> None:
    assert tells_change("Breakfast is porridge with berries these days.")
    assert tells_change("User is teaching themselves the banjo now.")
    assert not tells_change("User is so happy now.")
    assert not tells_change("Breakfast is porridge with berries.")
