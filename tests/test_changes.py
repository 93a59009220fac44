"""Statements of change without an LLM: what changed (memoryos.providers.changes), which stored fact it is about
(memoryos.providers.contrast), and what the extractor and the public API make of it.

The sentences here are written for these tests, apart from the knowledge-update suite's templates (dev and
held-out), so that they check the mechanism rather than the benchmark's wording.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from memoryos import Memoryos
from memoryos.models import Fact, Page
from memoryos.providers.changes import Change, find_change
from memoryos.providers.embeddings import Embedder
from memoryos.providers.fact_attribute import first_person_text, value_of
from memoryos.providers.fact_extraction import page_facts

JAN, JUN = (datetime(2023, m, 3, 10, tzinfo=timezone.utc).timestamp() for m in (1, 6))


@pytest.mark.parametrize(
    ("sentence", "change"),
    [
        ("Lately I've switched to oat lattes before work.", Change("oat lattes", None, None, True)),
        ("We went from Lisbon to Porto last year.", Change("Porto", "Lisbon", None, False)),
        ("I replaced my old Fiat with a Kia.", Change("Kia", "Fiat", None, False)),
        ("Honestly now it's kombucha with lunch.", Change("kombucha", None, None, True)),
        ("Nowadays I do kickboxing instead.", Change("kickboxing", None, None, True)),
        ("I drink rooibos instead of coffee.", Change("rooibos", "coffee", None, True)),
        ("I quit drinking cola.", Change(None, "cola", None, False, ended=True)),
        ("I'm not doing pottery anymore.", Change(None, "pottery", None, False, ended=True)),
        ("I joined a chess club and dropped the old hobby.", Change(None, None, "hobby", False, ended=True)),
        ("My new favourite snack is popcorn.", Change(None, None, "snack", False)),
        ("I switched to a new dentist.", Change("new dentist", None, None, False)),  # one thing, not a kind
    ],
)
def test_what_a_statement_says_has_changed(sentence: str, change: Change) -> None:
    assert find_change(sentence) == change


@pytest.mark.parametrize(
    "sentence",
    [
        "I had pasta instead.",  # a choice made once: an episode, not a new value
        "I'll take the bus instead.",  # a plan
        "We went to the park with the kids.",  # travel, not a change of state
        "I switched seats with my sister.",
        "Now it's time to relax.",
        "I love my garden.",
        "I revised one of my old recipes.",  # the past, not a change: "my old N" counts only with one
    ],
)
def test_episodes_plans_and_plain_statements_state_no_change(sentence: str) -> None:
    change = find_change(sentence)
    assert change is None or (change.new is None and change.old is None and change.category is None)


def test_a_stored_fact_is_read_back_for_its_value() -> None:
    assert first_person_text("User takes their Volvo to work.") == "I take my Volvo to work."
    assert value_of("User drinks espresso every morning.", "favorite:drink") == "espresso"
    assert value_of("User switched to oat lattes before work.", "favorite:drink") == "oat lattes"
    assert value_of("User enjoys it a lot.", "hobby:rock_climbing") == "rock climbing"
    assert value_of("User is happy.", "residence") is None


# ---- which fact a change is about, through the extractor (real MiniLM embeddings) ----

MEMORY = [
    ("User drinks espresso every morning.", "favorite:drink"),
    ("User plays tennis every weekend.", "hobby:tennis"),
    ("User's favourite food is risotto.", "favorite:food"),
    ("User works as a nurse.", "occupation"),
    ("User lives in Lisbon.", "residence"),
    ("User drives a Honda Civic.", "car"),
]


def _memory(embedder: Embedder) -> list[Fact]:
    vectors = embedder.embed([text for text, _key in MEMORY])
    return [
        Fact(id=key, kind="user", text=text, source_page_ids=["old"], created_at=JAN, embedding=vector, attribute=key)
        for (text, key), vector in zip(MEMORY, vectors, strict=True)
    ]


def _read(sentence: str, memory: list[Fact], embedder: Embedder) -> tuple[str | None, set[str]]:
    """(the attribute of the fact the statement makes, the ids of the facts it closes)."""
    found = [e.out for e in page_facts([Page("p", sentence, "I see.", JUN)], memory, embed=embedder.embed)]
    made = [o for o in found if o.op == "add"]
    return (made[0].attribute if made else None), {o.target or "" for o in found if o.op == "invalidate"}


@pytest.mark.parametrize(
    ("sentence", "attribute", "closes"),
    [
        # named: the value given up is one memory holds; the ending takes its key, so it closes it
        ("I quit espresso for good.", "favorite:drink", set()),
        ("I stopped playing tennis after my injury.", "hobby:tennis", set()),
        # by category: "the old sport" is the sport memory holds
        ("I joined a chess club and dropped the old sport.", "hobby:chess", {"hobby:tennis"}),
        # alike: a taste or a pastime said as a bare noun, which two of three readings agree on
        ("Lately I've switched to oat lattes before work.", "favorite:drink", set()),
        ("Nowadays I do kickboxing instead.", "hobby:kickboxing", {"hobby:tennis"}),
        ("It's all about pasta carbonara these days.", "favorite:food", set()),
    ],
)
def test_a_change_takes_the_attribute_of_the_fact_it_replaces(
    sentence: str, attribute: str | None, closes: set[str], embedder: Embedder
) -> None:
    made, closed = _read(sentence, _memory(embedder), embedder)
    assert (made, closed) == (attribute, closes)


@pytest.mark.parametrize(
    "sentence",
    [
        "I switched to a new dentist.",  # one thing, not a kind: memory holds no dentist
        "I've switched to a standing desk at work.",
        "I changed to the night shift.",  # about work, which alike never infers
        "I had ramen instead.",
        "I quit my pottery class.",  # what was given up is nothing memory holds
        "We went from a flat to a house.",
        "That cake might be my new favourite snack!",  # a new favourite with nothing said to end
    ],
)
def test_a_change_of_something_memory_does_not_hold_closes_nothing(sentence: str, embedder: Embedder) -> None:
    made, closed = _read(sentence, _memory(embedder), embedder)
    assert closed == set() and made in {None, "hobby:pottery"}


def test_without_an_embedder_only_named_and_categorised_changes_are_read(embedder: Embedder) -> None:
    memory = _memory(embedder)
    found = page_facts([Page("p", "Lately I've switched to oat lattes before work.", "Ok.", JUN)], memory)
    assert [(o.out.attribute, o.out.op) for o in found if o.kind == "user"] == [(None, "add")]
    found = page_facts([Page("p", "I quit espresso for good.", "Ok.", JUN)], memory)
    assert [(o.out.attribute, o.out.op) for o in found if o.kind == "user"] == [("favorite:drink", "add")]


# ---- through the public API ----


def _promoting(make_memo: Callable[..., Memoryos], **kwargs: Any) -> Memoryos:
    return make_memo(
        short_term_capacity=2, short_term_retain=0, mid_term_heat_threshold=1.0, mid_term_similarity_threshold=5.0,
        llm=None, **kwargs,
    )  # fmt: skip


def _session(memo: Memoryos, when: float, *exchanges: tuple[str, str]) -> None:
    for i, (user, reply) in enumerate(exchanges):
        memo.add_memory(user, reply, timestamp=when + 60 * i)
    memo.flush()


def test_without_an_llm_a_switch_closes_the_taste_it_replaces_and_retrieval_puts_it_first(make_memo) -> None:
    memo = _promoting(make_memo)
    _session(memo, JAN, ("I drink espresso every morning.", "Strong start!"), ("The weather is grey.", "It is."))
    _session(memo, JAN + 86400, ("I play tennis every weekend.", "Fun!"), ("Any podcast tips?", "Try history."))
    _session(memo, JUN, ("Lately I've switched to oat lattes before work.", "Nice."), ("Nowadays I do kickboxing "
             "instead.", "Intense!"))  # fmt: skip

    history = memo.get_knowledge("user", include_history=True)
    [espresso] = [f for f in history if "espresso" in f["text"]]
    [lattes] = [f for f in history if "oat lattes" in f["text"]]
    assert lattes["attribute"] == espresso["attribute"] == "favorite:drink"
    assert (espresso["valid_until"], espresso["superseded_by"]) == (JUN, lattes["id"])
    [tennis] = [f for f in history if "tennis" in f["text"]]
    [kickboxing] = [f for f in history if "kickboxing" in f["text"]]
    assert kickboxing["attribute"] == "hobby:kickboxing" and kickboxing["valid_until"] is None
    assert tennis["valid_until"] == JUN + 60  # closed when the change was said
    current = {f["text"] for f in memo.get_knowledge("user")}
    assert not any("espresso" in t or "tennis" in t for t in current)
    assert "oat lattes" in memo.retrieve("What do I drink in the morning?").user_knowledge[0].fact.text
    before = memo.retrieve("What did I use to drink in the morning?")
    assert any("espresso" in f.fact.text and not f.current for f in before.user_knowledge)


def test_without_an_llm_a_change_of_something_unknown_leaves_what_is_true(make_memo) -> None:
    memo = _promoting(make_memo)
    _session(memo, JAN, ("I work as a nurse.", "Rewarding!"), ("I drink espresso every morning.", "Strong!"))
    _session(memo, JUN, ("I switched to a new dentist.", "Good."), ("I had ramen instead.", "Yum."))
    current = {f["attribute"] for f in memo.get_knowledge("user")}
    assert {"occupation", "favorite:drink"} <= current
    assert all(f["valid_until"] is None for f in memo.get_knowledge("user", include_history=True))


def test_readings_of_a_change_by_meaning_calibrated(embedder: Embedder) -> None:
    """How often *alike* picks the right attribute, and how often it picks one where it should pick none, on a
    small labelled set written for this (the numbers the contrast module's doc cites): a measurement kept honest,
    not a promise of perfection."""
    painting = "User enjoys painting."
    vector = embedder.embed([painting])[0]
    memory = [*_memory(embedder), Fact("hobby:painting", "user", painting, ["old"], JAN, embedding=vector,
                                       attribute="hobby:painting")]  # fmt: skip
    right = [
        ("I've moved on to decaf.", "favorite:drink"),
        ("These days I play squash instead.", "hobby"),
        ("I switched to pilates.", "hobby"),
        ("I switched to cold brew.", "favorite:drink"),
        ("Now it's green tea with breakfast.", "favorite:drink"),
        ("Now it's kombucha for me.", "favorite:drink"),
        ("I switched to ramen for lunch.", "favorite:food"),
        ("It's all about pasta carbonara these days.", "favorite:food"),
        ("Nowadays I do kickboxing instead.", "hobby"),
        ("These days I do bouldering instead.", "hobby"),
    ]
    wrong_if_any = [
        "I switched to a new therapist.",
        "I changed to a smaller bag.",
        "I switched to the express lane.",
        "I switched to a paper planner.",
        "I changed to a cheaper gym.",
        "I switched to a different phone plan.",
    ]
    hits = sum((_read(s, memory, embedder)[0] or "").startswith(want) for s, want in right)
    false = sum(_read(s, memory, embedder)[0] is not None for s in wrong_if_any)
    assert hits >= 8 and false == 0, (hits, false)
