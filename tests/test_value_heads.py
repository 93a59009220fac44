"""A change closes the old value by the values the two statements name (issue 12, point 3, session 30): a clause
that says what it names is over ("I don't fish anymore") closes the earlier facts naming it, passing mentions
included; a statement marked as a change closes the standing fact whose value words are nearest by meaning
("drumming in a samba band takes my Saturdays now" after "I sing alto in a gospel choir"). Through the public API on
SQLite (no storage code changed); wording and values are this file's own. Guards: small talk marked "now", a new
pastime next to a taste, a childhood "used to" and a finished piece of work close nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fact_helpers import at, first_answer, naming, rule_memory, say, user_facts

from memoryos import Memoryos
from memoryos.tiers import value_heads
from memoryos.tiers.value_heads import ended_words, value_words

MARCH, APRIL, JULY = at("2024-03-03"), at("2024-04-11"), at("2024-07-19")


@pytest.fixture
def memo(tmp_path: Path, embedder) -> Iterator[Memoryos]:
    memory = rule_memory(str(tmp_path / "data"), embedder)
    yield memory
    memory.close()


def test_a_value_said_to_be_over_closes_the_facts_naming_it(memo: Memoryos) -> None:
    say(memo, MARCH, "I go fly fishing on the river most Sundays.")
    say(memo, APRIL, "Hooked a huge trout while fishing at the weir.")
    say(memo, JULY, "I don't fish anymore; pottery is what gets me out of the house now.")
    old = [f for f in user_facts(memo) if "fishing" in f["text"].lower()]
    assert len(old) == 2 and all(f["valid_until"] == JULY and f["superseded_by"] for f in old)
    assert "pottery" in first_answer(memo, "What gets me out of the house these days?")


def test_a_marked_change_closes_the_standing_fact_of_the_same_kind(memo: Memoryos) -> None:
    say(memo, MARCH, "I sing alto in a gospel choir.")
    say(memo, JULY, "Drumming in a samba band takes my Saturdays now.")
    old = naming(memo, "choir")
    assert len(old) == 1 and old[0]["valid_until"] == JULY and old[0]["superseded_by"]
    assert all(f["valid_until"] is None for f in naming(memo, "samba"))
    assert "samba" in first_answer(memo, "What music do I make now?")
    past = memo.retrieve("What did I sing in before?", update_heat=False).user_knowledge
    assert any("choir" in f.fact.text.lower() for f in past)


def test_a_school_changed_closes_the_old_one(memo: Memoryos) -> None:
    say(memo, MARCH, "My son goes to Brookfield Primary.")
    say(memo, JULY, "My son is at Kingsmead Secondary now, he's grown so tall.")
    assert [f["valid_until"] for f in naming(memo, "brookfield")] == [JULY]


def test_without_the_rules_both_values_stay_current(memo: Memoryos, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(value_heads, "ENDED_WORDS", False)
    monkeypatch.setattr(value_heads, "VALUE_HEADS", False)
    say(memo, MARCH, "I sing alto in a gospel choir.")
    say(memo, APRIL, "I go fly fishing on the river most Sundays.")
    say(memo, JULY, "Drumming in a samba band takes my Saturdays now.")
    say(memo, JULY + 3600, "I don't fish anymore; pottery is what gets me out of the house now.")
    assert all(f["valid_until"] is None for f in naming(memo, "choir") + naming(memo, "fishing"))


@pytest.mark.parametrize(
    ("held", "said"),
    [
        ("I'm a setter on a netball team.", "My headphones only work in one ear now."),  # small talk marked "now"
        ("I love playing the cello in the evenings.", "I'm learning how to play the banjo now."),  # a taste held
        ("I teach salsa classes at the community hall.", "I used to compete in dance shows as a kid."),
        ("I paint landscapes in watercolour.", "I just finished another painting of the harbour."),
    ],
)
def test_a_statement_that_is_no_change_keeps_both_facts(memo: Memoryos, held: str, said: str) -> None:
    say(memo, MARCH, held)
    say(memo, JULY, said)
    facts = user_facts(memo)
    assert len(facts) == 2 and all(f["valid_until"] is None for f in facts)


@pytest.mark.parametrize(
    ("sentence", "ended"),
    [
        ("I don't fish anymore; pottery is my thing now.", {"fish"}),
        ("No more running for me, my knees are done.", {"run"}),
        ("The karate gi is gathering dust these days.", {"karat"}),  # a modifier names the thing, not "gi"
        ("Marco is out of the picture.", {"marco"}),
        ("The Iceland idea got dropped.", {"iceland"}),  # not "idea": any fact may name that
        ("I sold my tuba and bought a harp.", {"tuba"}),
        ("I used to play squash, but now it's padel.", {"squash"}),
        ("I used to compete in dance shows as a kid.", set()),  # a past, no change now
        ("I just finished another painting.", set()),  # a thing made, not given up
        ("I want to quit smoking.", set()),  # a wish
        ("I don't want to run anymore.", set()),
        ("I'll never give up on my band.", set()),
    ],
)
def test_what_a_statement_says_is_over(sentence: str, ended: set[str]) -> None:
    assert ended_words(sentence) == ended


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("Pottery is my thing these days.", {"pottery"}),
        ("User plays darts in the pub league.", {"darts", "pub", "league"}),
        ("My headphones only work in one ear now.", {"headphones"}),  # an adverb ends the noun phrase
        ("User's son goes to St Mary's primary.", {"son", "mary", "primary"}),
    ],
)
def test_the_value_words_of_a_statement(sentence: str, words: set[str]) -> None:
    assert set(value_words(sentence)) == words
