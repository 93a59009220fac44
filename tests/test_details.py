"""A vague statement carries the detail of its own turn (issue 12, who said it; no-LLM mode), through the public API
on SQLite: a short statement ("I got a new tattoo last week", "I've been riding the hill loop with them for two
years") takes the neighbouring sentence of the same turn that says what and which; the other side's words,
questions, remarks to the other and a statement that says enough on its own are left out.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fact_helpers import learnt, promoting

from memoryos import Memoryos

JUN_9 = datetime(2024, 6, 9, 9, tzinfo=timezone.utc).timestamp()


def user_facts(memo: Memoryos, *exchanges: tuple[str, str]) -> list[str]:
    """User fact texts after the exchanges, every segment promoted."""
    return [f["text"] for f in learnt(memo, JUN_9, exchanges)]


def test_a_vague_statement_takes_the_detail_said_after_it(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("Hey! I got a new tattoo last week. It's a tiny lighthouse from Peggy's Cove on my left wrist.", "Cool!"),
    )
    assert any("got a new tattoo" in t and "a tiny lighthouse from Peggy's Cove" in t for t in facts), facts


def test_a_vague_statement_takes_the_detail_said_before_it(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        (
            "The Riverside Cycling Club meets every Sunday at the old mill. "
            "I've been riding the hill loop with them for two years.",
            "Nice!",
        ),
    )
    assert any(t.startswith("The Riverside Cycling Club meets") and "the hill loop" in t for t in facts), facts


def test_the_other_sides_words_are_never_a_detail(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("Guess where I ride on Sundays!", "The Harbourside Cycling Club at the old mill, I bet. I was a member once."),
        ("Right. I've been riding the hill loop every weekend for two years.", "Ha, knew it."),
    )
    assert any("the hill loop every weekend" in t for t in facts), facts
    assert not any("Harbourside" in t or "member" in t for t in facts), facts


def test_questions_and_remarks_to_the_other_are_not_details(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("I love creating art! Have you ever tried watercolour portraits of your dog?", "Not yet!"),
        ("I started knitting scarves. Your grandmother's pattern book helped a lot.", "She'd be glad."),
    )
    assert "User loves creating art!" in facts, facts
    assert not any("watercolour" in t or "grandmother" in t for t in facts), facts


def test_a_keyed_statement_takes_its_detail_and_keeps_its_statement(make_memo) -> None:
    # the detail is for the reader; the statement its key was read from is what a value said again is matched by
    memo = promoting(make_memo)
    said = "I just love watching figure skating."
    detail = "There was this free skate at the 2018 Olympics in Pyeongchang that made me cry."
    facts = user_facts(memo, (f"{said} {detail}", "Wow."))
    assert facts == [f"User just loves watching figure skating. {detail.replace('me cry', 'them cry')}"], facts
    stored = memo.get_knowledge("user")
    assert stored[0]["statement"] == "User just loves watching figure skating." and stored[0]["attribute"], stored


def test_a_keyed_statement_said_again_confirms_its_fact(make_memo) -> None:
    # found by its statement, the lengthened fact is the value said again: confirmed, not replaced by itself
    memo = promoting(make_memo)
    facts = user_facts(
        memo,
        (
            "I just love watching figure skating. There was this free skate at the 2018 Olympics in Pyeongchang "
            "that made me cry.",
            "Wow.",
        ),
        ("Honestly, I just love watching figure skating.", "I know!"),
    )
    skating = [f for f in memo.get_knowledge("user", include_history=True) if "figure skating" in f["text"]]
    assert len(skating) == 1 and skating[0]["valid_until"] is None, facts
    assert len(skating[0]["source_page_ids"]) == 2, skating


def test_a_statement_that_says_enough_stays_as_said(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        (
            "I spent the whole summer restoring a 1968 Triumph Bonneville with my uncle in Leeds. "
            "The engine started on the first kick in August, which made my uncle cheer.",
            "What a project!",
        ),
    )
    assert "User spent the whole summer restoring a 1968 Triumph Bonneville with their uncle in Leeds." in facts, facts


# session 29: which neighbour is a detail (details.OWN_THING_DETAIL, NO_RESOLUTION_DETAIL, GENERIC_YOU_DETAIL)


def test_a_short_statement_of_the_speakers_own_thing_is_a_detail(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("Thanks! I love tinkering with old radios. Soldering and rewiring are my weekend escape.", "Neat hobby."),
    )
    learnt = [t for t in facts if "tinkering with old radios" in t]
    assert learnt and "Soldering and rewiring are their weekend escape" in learnt[0], facts


def test_a_resolution_is_not_a_detail(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        (
            "I just want to open a small bakery someday, but it feels like I'm going nowhere. "
            "I need to find a better way to organise my savings and my weekends.",
            "One step at a time.",
        ),
    )
    assert any("open a small bakery someday" in t for t in facts), facts
    assert not any("find a better way" in t for t in facts), facts


def test_a_thing_described_with_a_generic_your_is_a_detail(make_memo) -> None:
    said = (
        "I just finished \"The Left Hand of Darkness\" and it was wonderful! "
        "It's a quiet story about duty and following your heart."
    )
    facts = user_facts(promoting(make_memo), (said, "Adding it to my list."))
    assert any("\"The Left Hand of Darkness\"" in t and "a quiet story about duty" in t for t in facts), facts


def test_a_remark_to_the_other_is_still_not_a_detail(make_memo) -> None:
    # a guard: only a generic "your" before what anyone has is read as no address; "your garden" is the other's
    facts = user_facts(
        promoting(make_memo),
        ("I just planted tulips by the shed! It's a lot like your garden from last spring.", "Ha, copycat."),
    )
    assert any("planted tulips" in t for t in facts), facts
    assert not any("your garden" in t or "their garden" in t for t in facts), facts
