"""The embedding attribute reader: attributes said in words the pattern rules do not know, their changes, and the
questions about them (no LLM; the real embedding model)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from memoryos import Memoryos
from memoryos.providers.attribute_reader import AttributeReader, reader_for
from memoryos.providers.attributes import find_attributes
from memoryos.providers.changes import find_change

JAN = 1_672_531_200.0  # 2023-01-01
JUN = JAN + 151 * 86400.0
HOME = "Tucson has been my home base for years, I rent a little place there."
MOVED = "Packed the truck and drove north, I'm a Portland resident now."


def test_the_rules_do_not_read_these_statements() -> None:
    # what the tests below show is the reader's, not the pattern rules'
    for sentence in (HOME, MOVED):
        assert find_attributes(sentence) == [] and find_change(sentence) is None


def test_reads_the_attribute_and_its_value_by_meaning(embedder) -> None:
    reader = AttributeReader(embedder.embed)
    home, moved = reader.read([HOME, MOVED])
    assert home is not None and (home.attribute.key, home.attribute.value) == ("residence", "Tucson")
    assert moved is not None and (moved.attribute.key, moved.attribute.value) == ("residence", "Portland")


def test_episodes_visits_and_other_people_are_no_attribute(embedder) -> None:
    reader = reader_for(embedder)
    readings = reader.read(
        ["I visited Rome last week with my cousin.", "My brother moved to Chicago last year.", "My sister is a nurse."]
    )
    assert readings == [None, None, None]


def _promoting(make_memo: Callable[..., Memoryos], **kwargs: Any) -> Memoryos:
    return make_memo(
        short_term_capacity=2, short_term_retain=0, mid_term_heat_threshold=1.0, mid_term_similarity_threshold=5.0,
        llm=None, **kwargs,
    )  # fmt: skip


def _session(memo: Memoryos, when: float, *exchanges: tuple[str, str]) -> None:
    for i, (user, reply) in enumerate(exchanges):
        memo.add_memory(user, reply, timestamp=when + 60 * i)
    memo.flush()


def test_without_an_llm_a_move_said_in_other_words_closes_the_old_home(make_memo) -> None:
    memo = _promoting(make_memo)
    _session(memo, JAN, (HOME, "Sounds cosy."), ("Any podcast tips?", "Try history."))
    _session(memo, JUN, (MOVED, "Big change!"), ("The weather is grey.", "It is."))
    _session(memo, JUN + 86400, ("I baked bread today.", "Yum."), ("Thanks for the chat.", "Any time."))

    history = memo.get_knowledge("user", include_history=True)
    [old] = [f for f in history if "Tucson" in f["text"]]
    [new] = [f for f in history if "Portland" in f["text"]]
    assert old["attribute"] == new["attribute"] == "residence"
    assert (old["valid_until"], old["superseded_by"]) == (JUN, new["id"])  # closed when the move was said
    assert new["valid_until"] is None
    assert "Portland" in memo.retrieve("Where do I live these days?").user_knowledge[0].fact.text
    before = memo.retrieve("Where did I live before?")
    assert any("Tucson" in f.fact.text and not f.current for f in before.user_knowledge)


def test_without_an_llm_a_passing_mention_of_the_home_changes_nothing(make_memo) -> None:
    memo = _promoting(make_memo)
    _session(memo, JAN, (HOME, "Sounds cosy."), ("Any podcast tips?", "Try history."))
    _session(memo, JUN, ("Drove past my old school in Tucson, so many memories.", "Nice."), ("Ok.", "Ok."))
    history = memo.get_knowledge("user", include_history=True)
    assert all(f["valid_until"] is None for f in history)
    assert [f["attribute"] for f in memo.get_knowledge("user") if f["attribute"]] == ["residence"]


def test_statements_that_cannot_be_read_are_not_embedded_and_the_readings_stay(embedder) -> None:
    """A sentence with a subject other than the speaker (a pronoun, a person's role, a place) that names nothing
    memory holds reads as nothing whatever the model says of it: the reader does not embed it. A sentence with no
    subject at all may be the speaker's own ("Officially hit 37") and is read: as nothing here."""
    seen: list[str] = []

    def counting(texts: list[str]) -> Any:
        seen.extend(texts)
        return embedder.embed(texts)

    reader = AttributeReader(counting)
    reader.bank()  # the exemplars, once
    seen.clear()
    other = ["She says that plate looks awesome!", "That plate looks awesome!", "Portland has great coffee shops."]
    personless = ["Finally finished that thousand-piece puzzle."]
    readings = reader.read([HOME, *other, *personless, MOVED])
    assert [r is not None for r in readings] == [True, False, False, False, False, True]
    assert readings[5] is not None and readings[5].attribute.value == "Portland"
    assert not set(other) & set(seen)  # neither was embedded (nor any phrase of them)
    assert {HOME, MOVED, *personless} <= set(seen)


def test_questions_are_read_while_another_thread_holds_the_readers_lock(embedder: Any) -> None:
    """Every retrieval asks which attribute its question is about: once the exemplar questions are embedded, the
    answer needs no lock (concurrent retrievals queued on it), and it is the same answer."""
    reader = reader_for(embedder)
    vector = embedder.embed_queries(["Where does the user live?"])[0]
    first = reader.question_category(vector)
    answers: list[str | None] = []
    with reader._lock:  # another thread building the statement exemplars, say
        asking = threading.Thread(target=lambda: answers.append(reader_for(embedder).question_category(vector)))
        asking.start()
        asking.join(timeout=10)
    assert answers == [first] and first == "residence"
