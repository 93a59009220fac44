"""A statement that fills the slot of an earlier fact with another value closes it, with no attribute list (issue
12, point 3, session 26): the same verb and preposition with the speaker as subject, or the same possessed noun,
and a value marked as current ("now", "these days", "new"). Through the public API on SQLite; wording and
values are this file's own (none of the update suites' texts). Guards: no marker, a past event, a name against a
common noun, or a light verb closes nothing; a single value said again renews, it does not close the first."""

from __future__ import annotations

import pytest
from fact_helpers import at, first_answer, naming, promoting, say

from memoryos.tiers.frames import rivals

MARCH, APRIL, JULY = at("2024-03-03"), at("2024-04-11"), at("2024-07-19")



def test_the_same_verb_with_another_object_now_closes_the_old_value(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I play the bassoon in a wind ensemble on Thursdays.")
    say(memo, JULY, "These days I play the mandolin with some friends.")
    old = naming(memo, "bassoon")
    assert len(old) == 1 and old[0]["valid_until"] == JULY and old[0]["superseded_by"]
    new = naming(memo, "mandolin")
    assert new and all(f["valid_until"] is None for f in new)
    assert "mandolin" in first_answer(memo, "Which instrument do I play now?")
    past = memo.retrieve("Which instrument did I play before?", update_heat=False).user_knowledge
    assert any("bassoon" in f.fact.text.lower() for f in past)


def test_the_same_verb_and_preposition_with_another_name(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I bank with Larkspur Savings, mostly for the mortgage.")
    say(memo, JULY, "I bank with Fennimore Trust now.")
    old = naming(memo, "larkspur")
    assert len(old) == 1 and old[0]["valid_until"] == JULY
    assert "fennimore" in first_answer(memo, "Who do I bank with now?")


def test_the_same_possessed_noun_with_a_new_value(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "My laptop is a Lenovo ThinkPad with a sticky trackpoint.")
    say(memo, JULY, "My new laptop is a Dell XPS.")
    old = naming(memo, "thinkpad")
    assert len(old) == 1 and old[0]["valid_until"] == JULY
    assert "dell" in first_answer(memo, "What laptop do I have now?")


def test_a_thing_sold_in_the_passive_ends_its_facts(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I ride my Vespa to the farmers market every Saturday.")
    say(memo, JULY, "My Vespa was sold to a collector, so I walk now.")
    old = [f for f in naming(memo, "vespa") if "sold" not in f["text"]]
    assert len(old) == 1 and old[0]["valid_until"] == JULY


def test_a_single_value_said_again_renews_and_closes_with_the_change(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I've lived in Tallinn since 2019, near the old port.")
    say(memo, APRIL, "Tallinn harbour was freezing this morning, I could barely feel my hands.")
    say(memo, JULY, "We live in Riga now, the move went smoothly.")
    old = [f for f in naming(memo, "tallinn") if "riga" not in f["text"].lower()]
    assert len(old) == 2 and all(f["valid_until"] == JULY for f in old)  # not the first at the second's date


def test_without_a_mark_of_now_both_values_stay(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I play the bassoon in a wind ensemble on Thursdays.")
    say(memo, JULY, "I play the piano at my aunt's place on Sundays.")
    assert naming(memo, "bassoon") and all(f["valid_until"] is None for f in naming(memo, "bassoon"))


def test_a_past_event_with_the_same_verb_closes_nothing(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I drive a Skoda Octavia, it never breaks down.")
    say(memo, JULY, "Now that the move is done, I drove a rental van back to the depot.")
    assert naming(memo, "skoda") and all(f["valid_until"] is None for f in naming(memo, "skoda"))


def test_a_name_and_a_common_noun_fill_different_slots(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I'm reading Middle England by Jonathan Coe, slowly.")
    say(memo, JULY, "I read the news headlines on my phone now, while the kettle boils.")
    assert naming(memo, "coe") and all(f["valid_until"] is None for f in naming(memo, "coe"))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("User plays the bassoon in a wind ensemble.", "User plays the mandolin now.", True),
        ("User drives a Skoda Octavia.", "They're driving a Kia Niro these days.", True),
        ("User banks with Larkspur Savings.", "User banks with Fennimore Trust now.", True),
        ("User's laptop is a Lenovo ThinkPad.", "User's new laptop is a Dell XPS.", True),
        ("User's barber Kofi is great.", "Ines is User's barber now.", True),
        # no mark of now, a past event, a light verb, the same value, a name against a common noun
        ("User plays the bassoon.", "User plays the piano at their aunt's place.", False),
        ("User drives a Skoda Octavia.", "Now User drove a rental van to the depot.", False),
        ("User has a Labrador named Pepper.", "User has a cat named Jinx now.", False),
        ("User plays the bassoon.", "User plays the bassoon in a new ensemble now.", False),
        ("User is reading Middle England.", "User reads the local newspaper now.", False),
        ("User's job is stressful.", "User's new job is exciting.", False),
        ("User wants to learn Welsh.", "User wants to learn Basque now.", False),
        # "now" after a duration: the state goes on
        ("User is looking into pottery classes.", "User has been looking into night courses for a while now.", False),
    ],
)
def test_which_statements_fill_the_same_slot(old: str, new: str, expected: bool) -> None:
    assert rivals(new, old) is expected
