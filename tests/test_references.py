"""Facts that read on their own (issue 12, no-LLM mode), through the public API on SQLite: what a statement
points at ("this trilogy", "I've been practising for a year", "I take it everywhere") is said in full in the fact,
read from the turn and the turns just before; with nothing to point at, or already specific, the fact is as said.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fact_helpers import learnt, promoting

from memoryos import Memoryos

MAR_3 = datetime(2024, 3, 3, 9, tzinfo=timezone.utc).timestamp()


def user_facts(memo: Memoryos, *exchanges: tuple[str, str]) -> list[str]:
    """User fact texts after the exchanges, every segment promoted."""
    return [f["text"] for f in learnt(memo, MAR_3, exchanges, 90, ("Anyway, what's for lunch?", "Soup, I think."))]


def test_an_elliptical_object_takes_what_the_same_verb_had(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("These days I mostly practise the cello after dinner, scales first.", "Lovely instrument."),
        ("I've been practising for about a year now and my teacher is pleased.", "A year already!"),
    )
    assert any("practising the cello for about a year" in t for t in facts), facts


def test_a_demonstrative_takes_the_phrase_with_its_head(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("Have you picked a new book?", "Yes, I started the Broken Earth trilogy on the train."),
        ("I finished this trilogy twice in college and I still cry at the ending.", "No spoilers please!"),
    )
    assert any("the Broken Earth trilogy twice" in t for t in facts), facts


def test_an_object_pronoun_takes_the_thing_said_just_before(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("What should I pack for the ridge walk?", "Great views. Did you keep your grandfather's brass compass?"),
        ("Yes! I take it on every trip, rain or shine.", "Good habit."),
    )
    assert any("takes their grandfather's brass compass on every trip" in t for t in facts), facts


def test_the_others_things_are_not_taken_as_the_speakers(make_memo) -> None:
    # the assistant's "my kayak": what the user borrowed is not the user's own kayak
    facts = user_facts(
        promoting(make_memo),
        ("Any weekend plans?", "I'm repainting my old kayak in bright orange."),
        ("I borrowed it for a lake trip in August and loved paddling around.", "Glad it held up!"),
    )
    assert not any("their old kayak" in t or "User's old kayak" in t for t in facts), facts


def test_with_nothing_to_point_at_the_fact_is_as_said(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("I finally repaired it on Saturday with a soldering iron from the hardware shop.", "Handy!"),
    )
    assert any("repaired it on Saturday" in t for t in facts), facts


def test_a_specific_phrase_stays_as_said() -> None:
    from memoryos.providers.references import Context, resolve

    context = Context(("I bought a cake yesterday.",), "Was it good?", "")
    said = "I love this dairy-free lemon cake from the corner bakery."
    assert resolve(said, context) == said  # its own modifiers say more than the one before


def test_idioms_and_people_are_not_antecedents() -> None:
    from memoryos.providers.references import Context, resolve

    context = Context(("My sister drove up from Leeds.",), "How was the weekend?", "")
    assert resolve("I loved it and it was worth it.", context) == "I loved it and it was worth it."
    sister = Context(("My sister drove up from Leeds.",))
    assert resolve("I hugged it for ages.", sister) == "I hugged it for ages."  # "it" is never my sister
    assert resolve("I hugged them for ages.", Context(("My parents drove up.",))) == "I hugged my parents for ages."
    assert resolve("I couldn't have done it without help.", Context(("That takes guts.",))) == (
        "I couldn't have done it without help."  # "that takes guts": a pronoun and its verb, no phrase
    )
    assert resolve("I hold it for a minute.", Context((), "It was a long process.")) == "I hold it for a minute."
    assert resolve("It was amazing.", Context(("The band amazed the crowd.",))) == "It was amazing."  # an adjective
    assert resolve("I hold it for a minute.", Context((), "What is this pose?")) == "I hold the pose for a minute."


def test_what_a_batch_continues_is_read_for_its_first_page(make_memo) -> None:
    # the trilogy is named on a page already learnt from; the next page, consolidated and promoted on its own (one
    # page a batch), still points at it: the promotion reads the page its batch continues
    memo = make_memo(
        short_term_capacity=1, short_term_retain=0, mid_term_heat_threshold=1.0, mid_term_similarity_threshold=5.0
    )
    memo.add_memory("Have you picked a new book?", "Yes, I started the Broken Earth trilogy on the train.",
                    timestamp=MAR_3)  # fmt: skip
    memo.flush()
    while memo.promote():
        pass
    facts = user_facts(memo, ("I finished this trilogy twice in college and I still cry at the ending.", "Wow!"))
    assert any("the Broken Earth trilogy twice" in t for t in facts), facts
