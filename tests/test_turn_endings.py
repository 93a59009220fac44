"""Closing the stale fact (issue 12, point 3, session 31): an ending told in a sentence the turn keeps no fact of
("We sold the Fabia to a student. A cargo bike lives in the shed now."), more of English's ways to say a thing is
over ("passed away", "X and I split up", "scrapped", "is off"), an ending said alone kept as history, and another
person's ending closing nothing of the user's. Through the public API on SQLite; wording and values are this file's
own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fact_helpers import at, first_answer, naming, rule_memory, say, user_facts

from memoryos import Memoryos
from memoryos.providers import turn_endings
from memoryos.tiers import facts as fact_rules
from memoryos.tiers import value_heads
from memoryos.tiers.value_heads import ended_words, only_ending

FEB, MAY, SEPT = at("2024-02-06"), at("2024-05-14"), at("2024-09-23")


@pytest.fixture
def memo(tmp_path: Path, embedder) -> Iterator[Memoryos]:
    memory = rule_memory(str(tmp_path / "data"), embedder)
    yield memory
    memory.close()


def _closed(facts: list[dict], when: float) -> bool:
    return bool(facts) and all(f["valid_until"] == when for f in facts)


def test_an_ending_in_a_sentence_the_turn_keeps_no_fact_of_closes_the_held_fact(memo: Memoryos) -> None:
    say(memo, FEB, "I drive a little red Skoda Fabia.")
    say(memo, SEPT, "We sold the Fabia to a student down the road. My sister lends me her van at weekends now.")
    assert _closed(naming(memo, "fabia"), SEPT)
    assert "fabia" not in first_answer(memo, "What car do I drive now?")


def test_a_pet_that_passed_away_before_the_new_one_is_closed(memo: Memoryos) -> None:
    say(memo, FEB, "My old beagle Crumpet snores under my desk.")
    say(memo, SEPT, "Crumpet passed away in the spring. Two guinea pigs called Salt and Vinegar rule the hutch now.")
    assert _closed(naming(memo, "crumpet"), SEPT)


def test_a_partner_named_as_parted_closes_every_fact_naming_them(memo: Memoryos) -> None:
    say(memo, FEB, "My girlfriend Odile teaches chemistry at the sixth form college.")
    say(memo, MAY, "Odile and I hiked up Cadair Idris at dawn.")
    say(memo, SEPT, "Odile and I split up over the summer. I'm going out with Perpetua these days.")
    assert _closed(naming(memo, "odile"), SEPT)
    assert all(f["valid_until"] is None for f in naming(memo, "perpetua"))


def test_an_ending_said_alone_is_history_from_when_it_was_said(memo: Memoryos) -> None:
    say(memo, FEB, "I'm a dental nurse at Brindle Dental.")
    say(memo, SEPT, "My last day at Brindle Dental was on Friday.")
    old = naming(memo, "brindle")
    assert len(old) == 2 and _closed(old, SEPT)  # the job at the practice and the ending itself
    assert not any(f["superseded_by"] for f in old)  # nothing current supersedes what simply ended
    past = memo.retrieve("Where did I work before?", update_heat=False).user_knowledge
    assert any("brindle" in f.fact.text.lower() for f in past)


def test_without_the_rules_the_old_value_stays_current(memo: Memoryos, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(turn_endings, "TURN_ENDINGS", False)
    monkeypatch.setattr(value_heads, "ENDINGS_MORE", False)
    monkeypatch.setattr(fact_rules, "ENDING_IS_HISTORY", False)
    say(memo, FEB, "I drive a little red Skoda Fabia.")
    say(memo, SEPT, "We sold the Fabia to a student down the road. My sister lends me her van at weekends now.")
    say(memo, SEPT + 3600, "My old beagle Crumpet snores under my desk.")
    say(
        memo,
        SEPT + 7200,
        "Crumpet passed away in the spring. Two guinea pigs called Salt and Vinegar rule the hutch now.",
    )
    assert all(f["valid_until"] is None for f in naming(memo, "fabia") + naming(memo, "crumpet"))


@pytest.mark.parametrize(
    ("held", "said"),
    [
        ("I play the oboe in a wind band.", "My neighbour sold her oboe on eBay last week."),  # another person's
        ("I play the oboe in a wind band.", "Did you ever quit the oboe?"),  # a question
        ("I run half marathons most springs.", "My cousin quit the marathon club after a row."),
        ("I code on a ThinkPad laptop.", "The laptop's battery died halfway through the meeting."),  # a part of it
        ("I go to the climbing gym on Mondays.", "I'm off to the climbing gym after work."),
    ],
)
def test_an_ending_that_is_not_the_users_closes_nothing(memo: Memoryos, held: str, said: str) -> None:
    say(memo, FEB, held)
    say(memo, SEPT, said)
    assert all(f["valid_until"] is None for f in user_facts(memo))


@pytest.mark.parametrize(
    ("sentence", "ended"),
    [
        ("We sold the Fabia to a student.", {"fabia"}),
        ("Crumpet passed away in the spring.", {"crumpet"}),
        ("Odile and I split up over the summer.", {"odil"}),
        ("The hamster went to live with my nephew.", {"hamster"}),
        ("The ukulele went back to the shop.", {"ukulel"}),
        ("We buried Nugget under the plum tree.", {"nugget"}),
        ("A bad knee ended my hockey days.", {"hockei"}),
        ("I let my gym membership lapse.", {"gym"}),
        ("The Lisbon trip is off.", {"lisbon"}),
        ("The van got towed away.", {"van"}),
        ("I traded the Clio for a moped.", {"clio"}),
        ("I stopped going to pottery club.", {"potteri"}),  # the club, not "going"
        ("She made me an offer I couldn't refuse, so I traded the Clio for a moped.", {"clio"}),
        ("The scooter's battery died.", {"batteri"}),  # the battery, not the scooter
        ("My car battery died this morning.", {"batteri"}),  # the battery, not the car
        ("I'm off to bed.", set()),
        ("I might scrap the trip.", set()),
    ],
)
def test_what_a_statement_says_is_over(sentence: str, ended: set[str]) -> None:
    assert ended_words(sentence) == ended


@pytest.mark.parametrize(
    ("sentence", "alone"),
    [
        ("I scrapped the triathlon.", True),
        ("My last day at Brindle Dental was in May.", True),
        ("I gave up squash and took up padel.", False),
        ("I've been drinking rooibos since I gave up coffee.", False),
        ("I quit rugby after the injury.", False),
    ],
)
def test_an_ending_said_alone(sentence: str, alone: bool) -> None:
    assert only_ending(sentence) is alone
