"""What closes a fact in no-LLM mode (issue 12, precision of changes), through the public API on SQLite.

A wrong change closes a true fact silently: a hobby said again, a second hobby, a plan to move or a memory of the
past must leave the current facts alone; an explicit ending or a present statement of a new value closes one.
Every segment is promoted as soon as it is written (τ = 1, two pages per batch), as in test_fact_updates.py.
"""

from __future__ import annotations

from typing import Any

from fact_helpers import at, promoting

from memoryos import Memoryos
from memoryos.providers.current_state import states_current
from memoryos.tiers.facts import says_ended

MARCH, MAY, JULY = at("2023-03-02"), at("2023-05-08"), at("2023-07-10")


def session(memo: Memoryos, when: float, *exchanges: tuple[str, str]) -> None:
    for i, (user, reply) in enumerate(exchanges):
        memo.add_memory(user, reply, timestamp=when + 60 * i)
    memo.flush()


def user_facts(memo: Memoryos) -> tuple[list[str], list[str]]:
    """(current, closed) user fact texts."""
    facts: list[dict[str, Any]] = memo.get_knowledge("user", include_history=True)
    current = [f["text"] for f in facts if f.get("valid_until") is None and f.get("superseded_by") is None]
    return current, [f["text"] for f in facts if f["text"] not in current]


def test_painting_said_again_keeps_the_hobby_current(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I love painting.", "Lovely!"), ("The weather is nice.", "Indeed."))
    session(memo, MAY, ("I love painting landscapes with watercolors by the lake.", "Beautiful!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert not closed
    assert sum("paint" in t for t in current) >= 1 and any("loves painting" in t for t in current)


def test_two_hobbies_both_stay_current(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I love painting.", "Lovely!"), ("The weather is nice.", "Indeed."))
    session(memo, MAY, ("I love hiking.", "Great!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert not closed
    assert any("painting" in t for t in current) and any("hiking" in t for t in current)


def test_quitting_painting_closes_it(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I love painting.", "Lovely!"), ("The weather is nice.", "Indeed."))
    session(memo, MAY, ("I quit painting.", "Oh no!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert any("loves painting" in t for t in closed)
    assert not any("loves painting" in t for t in current)


def test_a_memory_of_being_17_does_not_close_the_current_age(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I am 34 years old.", "Nice."), ("The weather is nice.", "Indeed."))
    session(memo, MAY, ("When I was 17 years old I lived in Ohio.", "Cool."), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert any("34 years old" in t for t in current) and not closed
    session(memo, JULY, ("I am 35 years old now.", "Happy birthday!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert any("35" in t for t in current) and any("34 years old" in t for t in closed)  # a real change still closes


def test_a_plan_to_move_does_not_close_the_residence(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I live in Lisbon.", "Lovely city!"), ("The weather is nice.", "Indeed."))
    session(memo, MAY, ("I'm planning to move to Berlin next year.", "Exciting!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert any("Lisbon" in t for t in current) and not closed
    session(memo, JULY, ("I moved to Berlin.", "Wow!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert any("Lisbon" in t for t in closed) and not any("Lisbon" in t for t in current)


def test_what_asserts_a_current_state() -> None:
    now = at("2023-05-08")
    assert states_current("I moved to Berlin in May.", now)
    assert states_current("I'm 35 now.", now)
    assert not states_current("Would you ever move to Berlin?", now)
    assert not states_current("I want to move to Berlin someday.", now)
    assert not states_current("If I lived in Berlin I would cycle.", now)
    assert not states_current("Since I was 17 or so I have loved it.", now)
    assert not states_current("A friend made it for my 18th birthday in 2013.", now)
    assert not states_current("I will be 36 in June.", now)


def test_what_says_a_value_is_over() -> None:
    assert says_ended("User quit painting.") and says_ended("User gave up tennis.")
    assert says_ended("User doesn't paint anymore.") and says_ended("Assistant lost their job at Door Dash.")
    assert not says_ended("User won't quit on their dreams.")  # an ending denied: it goes on
    assert not says_ended("User just can't stop writing.")
    assert not says_ended("User helps at a food drive for folks who lost their jobs.")  # someone else's loss
    assert not says_ended("User loves camping trips with their family.")


def test_a_denied_ending_keeps_the_hobby(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I love writing.", "Lovely!"), ("The weather is nice.", "Indeed."))
    session(memo, MAY, ("I just can't stop writing these days.", "Great!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert not closed and any("loves writing" in t for t in current)


# ---- session 23: what the precision rules had cost real changes, and the wrong closures left on LoCoMo ----


def test_a_time_ahead_belongs_to_its_own_clause() -> None:
    now = at("2023-05-08")
    # the offer clause states what holds; "next week" is the start's time, not a plan for the employer
    assert states_current("I accepted the offer from Initech, I start next week.", now, "Initech", "employer")
    assert not states_current("I'll start at Initech next week.", now, "Initech", "employer")
    assert not states_current("If I get the offer from Initech, I start next week.", now, "Initech", "employer")
    assert not states_current("I might join Initech, I hear it's good.", now, "Initech", "employer")


def test_a_taste_said_with_a_hypothetical_modal_is_a_disposition() -> None:
    now = at("2023-05-08")
    assert states_current("I could eat lasagna every single day.", now, "lasagna", "favorite:food")
    assert states_current("If I had to pick one dish forever it would be pho.", now, "pho", "favorite:food")
    assert not states_current("I would move to Berlin in a heartbeat.", now, "Berlin", "residence")
    assert not states_current("If I lived in Berlin I would cycle.", now, "Berlin", "residence")
    assert not states_current("I'd love to try ramen someday.", now, "ramen", "favorite:food")  # a wish


def test_accepting_an_offer_closes_the_old_employer(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I work at Soylent Labs.", "Nice!"), ("The weather is nice.", "Indeed."))
    session(memo, MAY, ("I accepted the offer from Initech, I start next week.", "Congrats!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert any("Soylent Labs" in t for t in closed) and not any("Soylent Labs" in t for t in current)
    assert any("Initech" in t for t in current)
    now = memo.retrieve("Where does the user work now?").user_knowledge
    assert now and "Initech" in now[0].fact.text


def test_a_favourite_said_as_a_disposition_is_replaced_by_a_new_one(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("If I had to pick one dish forever it would be pho.", "Yum!"), ("Okay.", "Ok."))
    session(memo, MAY, ("My new favourite dish is lasagna.", "Nice!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert any("pho" in t for t in closed) and not any("pho" in t for t in current)
    assert any("lasagna" in t for t in current)


def test_a_rescheduled_trip_closes_the_old_date_whatever_the_old_statement_denied(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("In September I'm going to Japan, can't wait.", "Fun!"), ("Okay.", "Ok."))
    session(memo, MAY, ("Change of plans: I'm going to Japan in December instead.", "Oh!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert any("September" in t for t in closed) and not any("September" in t for t in current)
    assert any("December" in t for t in current)


def test_what_is_over_or_was_competed_in_does_not_end_a_hobby(make_memo) -> None:
    # LoCoMo's wrong closures: "it's over now" (a dummy it, an adjective) and "used to compete in dance
    # competitions" (dance modifies what ended) closed a hobby said before
    memo = promoting(make_memo)
    session(memo, MARCH, ("I love camping trips with my family.", "Lovely!"), ("I'm passionate about dance.", "Cool."))
    session(memo, MAY, ("Thankfully it's over now.", "Phew."), ("I used to compete in dance competitions.", "Wow."))
    current, closed = user_facts(memo)
    assert not closed
    assert any("camping" in t for t in current) and any("dance" in t for t in current)


def test_no_employer_or_job_read_from_an_opening_gerund_or_vague_stuff(make_memo) -> None:
    memo = promoting(make_memo)
    session(
        memo,
        MARCH,
        ("Building relationships and creating a strong brand image for my store is something I'm always working on.",
         "Smart."),
        ("I faced all kinds of hurdles - tech stuff, workplace stuff...", "Tough."),
    )  # fmt: skip
    keys = {f.get("attribute") for f in memo.get_knowledge("user", include_history=True)}
    assert not keys & {"employer", "occupation"}


def test_how_english_names_an_employer_closes_the_old_one(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I'm employed by Hooli.", "Nice!"), ("The weather is nice.", "Indeed."))
    session(memo, MAY, ("Northwind hired me as a data analyst!", "Congrats!"), ("Okay.", "Ok."))
    session(memo, JULY, ("My last day at Northwind was today; I start at Wayne Foods soon.", "Wow."), ("Ok.", "Ok."))
    current, closed = user_facts(memo)
    assert any("Hooli" in t for t in closed) and any("Northwind hired" in t for t in closed)
    assert [t for t in current if "Wayne Foods" in t] and not any("Hooli" in t or "hired" in t for t in current)


def test_a_person_who_hired_me_is_no_employer(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I work at Hooli.", "Nice!"), ("Dad hired me to paint the fence.", "Ha."))
    current, closed = user_facts(memo)
    assert not closed and any("Hooli" in t for t in current)


def test_an_age_said_again_with_one_in_words_renews_it(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I'm 27 years old.", "Nice."), ("The weather is nice.", "Indeed."))
    session(memo, MAY, ("Feeling every one of my 27 years today.", "Rest!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert not closed and any("27 years old" in t for t in current)
    assert not any(f.get("attribute") == "age" and "27" not in f["text"] for f in memo.get_knowledge("user"))


def test_a_question_about_the_sport_now_finds_the_new_sport_first(make_memo) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I've been doing rowing for years.", "Nice."), ("The weather is nice.", "Indeed."))
    session(memo, MAY, ("I switched to yoga, I love it.", "Great!"), ("I watched the football final.", "Ok"))
    first = memo.retrieve("Which sport do I do now?").user_knowledge[0].fact.text
    assert "yoga" in first


def test_a_job_held_since_a_past_year_is_held_now(make_memo) -> None:
    assert states_current("I've worked for Soylent Labs since 2019.", MAY, "Soylent Labs", "employer")
    assert not states_current("I worked at Soylent Labs in 2019.", MAY, "Soylent Labs", "employer")
    memo = promoting(make_memo)
    session(memo, MARCH, ("I've worked for Soylent Labs since 2019.", "Nice!"), ("The weather is nice.", "Indeed."))
    session(memo, MAY, ("I work at Initech now.", "Oh!"), ("Okay.", "Ok."))
    current, closed = user_facts(memo)
    assert any("Soylent Labs" in t for t in closed) and any("Initech" in t for t in current)
