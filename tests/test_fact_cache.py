"""Facts are kept per scope between reads (storage/fact_cache.py) and never served stale: a change by another
connection or process (here a second Memoryos with a store of its own) is seen by the next read."""

from __future__ import annotations

import numpy as np

from memoryos import Memoryos
from memoryos.retrieval import fact_table as fact_table_module


def _facts(memo: Memoryos) -> list[str]:
    return sorted(f["text"] for f in memo.get_knowledge(include_history=True))


def _retrieved(memo: Memoryos, question: str) -> list[str]:
    result = memo.retrieve(question, update_heat=False)
    return [f.fact.text for f in result.user_knowledge if f.current]


def test_facts_changed_by_another_instance_are_seen_at_once(make_memo) -> None:
    reader, writer = make_memo(), make_memo()
    reader.add_memory("I like hiking.", "Nice.")
    assert _facts(reader) == [] and _retrieved(reader, "Where do I live?") == []  # now kept, empty
    berlin = writer.add_knowledge("The user lives in Berlin.")
    assert _facts(reader) == ["The user lives in Berlin."]
    assert "The user lives in Berlin." in _retrieved(reader, "Where do I live?")
    lisbon = writer.add_knowledge("The user lives in Lisbon.")  # closes Berlin: an update of a kept fact
    current = [f["text"] for f in reader.get_knowledge()]
    assert current == ["The user lives in Lisbon."]
    history = {f["id"]: f for f in reader.get_knowledge(include_history=True)}
    assert history[berlin]["superseded_by"] == lisbon and history[berlin]["valid_until"] is not None
    writer.delete_knowledge(lisbon)
    assert [f["text"] for f in reader.get_knowledge()] == []
    assert _retrieved(reader, "Where do I live?") == []  # Berlin is closed: no current answer
    writer.forget_user()
    assert _facts(reader) == []
    reader.add_knowledge("The user plays the cello.")
    assert _facts(writer) == ["The user plays the cello."]


def test_facts_of_another_user_never_leak_through_the_cache(make_memo) -> None:
    alice, bob = make_memo(user_id="alice"), make_memo(user_id="bob")
    alice.add_knowledge("The user keeps bees.")
    assert _facts(bob) == []
    bob.add_knowledge("The user collects stamps.")
    assert _facts(alice) == ["The user keeps bees."] and _facts(bob) == ["The user collects stamps."]


def test_unchanged_facts_are_read_once_and_what_a_retrieve_returns_is_the_callers(make_memo, monkeypatch) -> None:
    memo = make_memo()
    memo.add_knowledge("The user lives in Berlin.")
    reads: list[object] = []
    original = memo.store._read_facts
    monkeypatch.setattr(memo.store, "_read_facts", lambda *a: reads.append(a) or original(*a))
    first = memo.retrieve("Where do I live?", update_heat=False).user_knowledge
    memo.retrieve("Where do I live?", update_heat=False)
    assert len(reads) == 1  # the second retrieve found them kept
    first[0].fact.text = "changed by the caller"
    first[0].fact.source_page_ids.append("p")
    again = memo.retrieve("Where do I live?", update_heat=False).user_knowledge
    assert again[0].fact.text == "The user lives in Berlin." and again[0].fact.source_page_ids == []
    memo.add_knowledge("The user plays the cello.")
    before = len(reads)
    memo.retrieve("Which instrument do I play?", update_heat=False)
    assert len(reads) == before + 1  # changed since: read again


def test_a_fact_changed_by_another_process_is_ranked_anew_by_the_next_retrieve(make_memo, storage_url) -> None:
    """The scoring table kept for the facts (retrieval/fact_table.py) follows the facts: a statement rewritten by
    another process is matched by its new words at the next retrieve."""
    import subprocess
    import sys
    import textwrap

    memo = make_memo()
    memo.add_knowledge("The user keeps bees in the garden.")
    gardener = memo.add_knowledge("The user works as a gardener.")
    question = "What is the user's job as a paramedic?"
    first = memo.retrieve(question, update_heat=False).user_knowledge
    assert first[0].fact.id == gardener
    tables = fact_table_module._TABLES._kept.copy()
    memo.retrieve(question, update_heat=False)
    assert fact_table_module._TABLES._kept.keys() == tables.keys()  # the same facts: the same tables, kept
    url = storage_url
    script = textwrap.dedent(
        f"""
        from memoryos.models import Scope
        from memoryos.storage import open_store
        store = open_store({url!r})
        with store._write() as tx:  # a statement corrected in place, as an older or other tool might
            new = "The user works as a paramedic."
            tx.run("UPDATE knowledge SET text=?, statement=NULL WHERE id=?", (new, {gardener!r}))
        store.close()
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    again = memo.retrieve(question, update_heat=False).user_knowledge
    by_id = {f.fact.id: f for f in again}
    assert by_id[gardener].fact.text == "The user works as a paramedic."
    before = {f.fact.id: f.score for f in first}
    assert by_id[gardener].score > before[gardener]  # "paramedic" is one of its words now


def test_facts_are_scored_as_one_by_one(embedder) -> None:
    """rank_facts scores a table of facts at once; every score is the one the fact-by-fact sum gives, bit for
    bit: cosine (the float32 dot of the two vectors), word share, attribute share, "now" share, recency."""
    from memoryos.models import Fact
    from memoryos.retrieval.knowledge import (
        ATTRIBUTE_SHARE,
        LATEST_HOLDER_SHARE,
        NOW_SHARE,
        RECENCY_SHARE,
        WORD_SHARE,
        query_terms,
        rank_facts,
        word_share,
    )
    from memoryos.textutil import says_now

    rng = np.random.default_rng(3)
    words = ["works", "lives", "climbing", "tea", "dog", "Berlin", "paramedic", "company", "running", "now", "instead"]
    facts = []
    for i in range(400):
        vector = rng.standard_normal(16).astype(np.float32)
        vector /= np.linalg.norm(vector)
        vector.flags.writeable = False
        text = "User " + " ".join(rng.choice(words, 4))
        attribute = ["occupation", "residence", None, "hobby:climbing"][i % 4]
        facts.append(
            Fact(
                f"f{i}",
                "user",
                text,
                [],
                float(i),
                embedding=vector,
                observed_at=float(rng.integers(0, 50)),
                attribute=attribute,
            )
        )
    query = "Where does the user work now, as a paramedic?"
    query_vector = rng.standard_normal(16).astype(np.float32)
    query_vector /= np.linalg.norm(query_vector)
    asked = lambda key: key == "occupation"  # noqa: E731
    for _ in range(2):  # built, then kept
        got = rank_facts(facts, query, query_vector, 100.0, 400, -10.0, asked)
        terms = query_terms(query)
        expected = {}
        for fact in facts:
            score = float(fact.embedding @ query_vector) + WORD_SHARE * word_share(terms, fact)
            score += ATTRIBUTE_SHARE if asked(fact.attribute) else 0.0
            score += NOW_SHARE if says_now(fact.said) else 0.0
            expected[fact.id] = score
        by_time = sorted(facts, key=lambda f: f.observed_at)
        for rank, fact in enumerate(by_time):
            expected[fact.id] += RECENCY_SHARE * rank / (len(by_time) - 1)
        holders = [f for f in by_time if asked(f.attribute)]
        expected[holders[-1].id] += LATEST_HOLDER_SHARE
        assert {item.fact.id: item.score for item in got} == expected
