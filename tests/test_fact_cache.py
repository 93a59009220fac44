"""Facts are kept per scope between reads (storage/fact_cache.py) and never served stale: a change by another
connection or process (here a second Memoryos with a store of its own) is seen by the next read."""

from __future__ import annotations

from memoryos import Memoryos


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
