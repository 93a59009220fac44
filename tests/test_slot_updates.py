"""Updates, not duplicates, in no-LLM mode (issue 12, session 24): attributes said by naming their slot, said with
no subject, ended with the change reader's verbs, and the unkeyed facts that held the old value, through the public
API on SQLite. Wording and values are this file's own (none of the update suites' texts)."""

from __future__ import annotations

from typing import Any

from fact_helpers import at, promoting
from fact_helpers import user_facts as facts

from memoryos import Memoryos

APRIL, MAY, JUNE = at("2023-04-02"), at("2023-04-20"), at("2023-06-08")


def say(memo: Memoryos, when: float, text: str) -> None:
    memo.add_memory(text, "I see.", timestamp=when)
    memo.add_memory("The weather is nice.", "Indeed.", timestamp=when + 60)
    memo.flush()




def closed(fact: dict[str, Any]) -> bool:
    return fact.get("valid_until") is not None


def test_a_value_named_by_its_slot_noun_is_that_attribute_and_a_new_value_closes_it(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, APRIL, "Goulash is my comfort food.")
    old = [f for f in facts(memo) if "Goulash" in f["text"]]
    assert [f["attribute"] for f in old] == ["favorite:food"]
    say(memo, JUNE, "My favourite food is bibimbap now.")
    by_text = {f["text"]: f for f in facts(memo)}
    goulash = next(f for t, f in by_text.items() if "Goulash" in t)
    assert closed(goulash) and goulash["valid_until"] == JUNE
    assert any("bibimbap" in t and not closed(f) for t, f in by_text.items())


def test_a_pet_named_by_its_kind_is_a_pet(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, APRIL, "Marble is my tortoise and she loves strawberries.")
    assert [f["attribute"] for f in facts(memo) if "Marble" in f["text"]] == ["pet:tortoise"]


def test_a_slot_noun_with_no_value_of_it_states_nothing(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, APRIL, "My job is stressful.")
    assert not any(f["attribute"] == "occupation" for f in facts(memo))


def test_an_age_said_with_no_subject_and_in_words_replaces_the_old_one(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, APRIL, "I'm 49.")
    say(memo, JUNE, "Another birthday: fifty as of today.")
    by_text = {f["text"]: f for f in facts(memo)}
    assert closed(by_text["User is 49."]) and by_text["User is 49."]["valid_until"] == JUNE
    assert any("fifty" in t and f["attribute"] == "age" and not closed(f) for t, f in by_text.items())


def test_dropping_a_pastime_ends_it_and_its_passing_mentions(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, APRIL, "I'm really into fencing.")
    say(memo, MAY, "Bruised my arm badly at fencing club.")
    say(memo, JUNE, "I dropped fencing last month.")
    fencing = [f for f in facts(memo) if "fencing" in f["text"] and "dropped" not in f["text"]]
    assert len(fencing) == 2 and all(closed(f) for f in fencing)


def test_a_name_in_an_unrelated_fact_is_not_an_old_employer(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, APRIL, "I'm currently reading The Lean Startup for tips.")
    say(memo, JUNE, "I started a new job at Copperleaf Studios on Monday.")
    book = next(f for f in facts(memo) if "Lean Startup" in f["text"])
    assert not closed(book)
    assert any(f["attribute"] == "employer" and "Copperleaf" in f["text"] for f in facts(memo))


def test_of_two_holders_of_the_asked_attribute_the_latest_ranks_first(make_memo) -> None:
    """Neither was closed (a second pastime closes nothing): the question about now gets the one said last."""
    memo = promoting(make_memo)
    say(memo, APRIL, "I play squash competitively.")
    say(memo, JUNE, "I go kayaking every weekend.")
    keys = {f["attribute"] for f in facts(memo) if not closed(f)}
    assert {"hobby:squash", "hobby:kayaking"} <= keys
    first = memo.retrieve("Which sport do I do these days?", update_heat=False).user_knowledge[0].fact
    assert "kayaking" in first.text
