"""A statement marked as a change ends the old value's facts the key rule cannot reach (issue 12, point 3, session
29): a keyed change closes an unkeyed fact read by meaning as the same single-valued slot ("I repair bicycles" once
"physiotherapist ... is my job these days"), an unkeyed marked change read by meaning closes the keyed fact of its
slot (a trip), and a closed fact's passing mentions, by the names it gives its value, close with it. Through the
public API on SQLite; wording and values are this file's own (none of the update suites' texts). Guards: a
statement of what goes on ("currently reading") closes nothing, and a mention of a name the new statement names
again stays."""

from __future__ import annotations

import pytest
from fact_helpers import at, first_answer, naming, promoting, say

from memoryos.providers.stale_slots import marks_change

MARCH, APRIL, JULY = at("2024-03-03"), at("2024-04-11"), at("2024-07-19")


def test_a_keyed_change_closes_the_unkeyed_fact_of_its_slot(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I repair bicycles in a little workshop behind the market.")
    say(memo, JULY, "Physiotherapist at the county hospital is my job these days.")
    old = naming(memo, "bicycles")
    assert len(old) == 1 and old[0]["valid_until"] == JULY
    assert "physiotherapist" in first_answer(memo, "What is my job now?")
    past = memo.retrieve("What did I do for work before?", update_heat=False).user_knowledge
    assert any("bicycles" in f.fact.text.lower() for f in past)


def test_an_unkeyed_marked_change_closes_the_keyed_fact_of_its_slot(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "We're going to Crete for our anniversary in May.")
    say(memo, JULY, "Lisbon is where we're heading for the anniversary now.")
    old = naming(memo, "crete")
    assert len(old) == 1 and old[0]["valid_until"] == JULY
    assert all(f["valid_until"] is None for f in naming(memo, "lisbon"))


def test_passing_mentions_close_with_the_fact_whose_names_they_give(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I'm a lifelong Stockport County fan.")
    say(memo, APRIL, "Watched Stockport win away on a dodgy stream.")
    say(memo, JULY, "I switched sides and I cheer for Wrexham now.")
    mentions = [f for f in naming(memo, "stockport") if "stream" in f["text"].lower()]
    assert len(mentions) == 1 and mentions[0]["valid_until"] == JULY and mentions[0]["superseded_by"]
    assert "wrexham" in first_answer(memo, "Which team do I support now?")


def test_a_mention_with_a_possessive_closes_too_but_not_one_of_a_name_said_again(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I've got a Nokia Lumia with a cracked screen.")
    say(memo, APRIL, "My Lumia's battery dies before lunch.")
    say(memo, JULY, "My new Fairphone arrived and the Nokia is retired.")
    assert [f["valid_until"] for f in naming(memo, "lumia")] == [JULY, JULY]
    assert all(f["valid_until"] is None for f in naming(memo, "fairphone"))


def test_what_goes_on_closes_nothing(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I lost my job at the bakery.")
    say(memo, JULY, "I'm currently reading a book about bread, hoping for tips for my business.")
    assert all(f["valid_until"] is None for f in naming(memo, "bakery"))


@pytest.mark.parametrize(
    ("sentence", "marked"),
    [
        ("Physiotherapist is my job these days.", True),
        ("Lisbon is where we're heading now.", True),
        ("Tom and I split up in the spring.", True),
        ("I'm not at the call centre any more.", True),
        ("I'm currently reading a book about bread.", False),  # what goes on, not what replaced something
        ("At the moment I'm busy with work.", False),
        ("I repair bicycles in a workshop.", False),
    ],
)
def test_what_marks_a_change(sentence: str, marked: bool) -> None:
    assert marks_change(sentence) is marked
