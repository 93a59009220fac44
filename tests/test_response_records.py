"""What a retrieve hands out is unchanged by the cuts that made it cheaper (issue 17, session 28): records become
the dicts `dataclasses.asdict` made, a scope keeps its stored key, the time and place cues read as before."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any

from memoryos import Memoryos
from memoryos.models import Fact, Page, Scope, iso
from memoryos.retrieval.query_analysis import _PLACE_CUE, _TIME_CUE, KEPT_TEXT_CHARS, mentions_place, mentions_time


def _as_before(record: Any, *vectors: str) -> dict[str, Any]:
    data = dataclasses.asdict(record)
    for name in vectors:
        data.pop(name)
    return data


def test_retrieved_records_are_the_dicts_asdict_made(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo(user_id="records", short_term_capacity=2)
    meta = {"source": "chat", "tags": ["travel", {"nested": [1, 2.5, None, True]}]}
    for i in range(8):
        memo.add_memory(f"We planned the trip to Lisbon, day {i}.", f"Pack light for day {i}.", meta_data=meta)
    fact_id = memo.add_knowledge("User likes trips to Lisbon")
    memo.flush()
    result = memo.retrieve("When is the trip to Lisbon?")
    assert result.pages and result.short_term and result.user_knowledge
    out = result.to_dict()
    for got, retrieved in zip(out["pages"], result.pages, strict=True):
        page = retrieved.page
        assert page.embedding is not None  # a vector the dict must leave out
        expected = {**_as_before(page, "embedding", "unit_vectors"), "time": iso(page.timestamp)}
        expected.update(score=round(retrieved.score, 6), tier=retrieved.tier, segment_id=retrieved.segment_id)
        expected.update(segment_summary=retrieved.segment_summary)
        expected["signals"] = {k: round(v, 6) for k, v in retrieved.signals.items()}
        assert got == expected and list(got) == list(expected)  # the same keys in the same order (the JSON's)
        got["meta_data"]["tags"][1]["nested"].append("changed")  # a copy: the page itself is not changed
        assert page.meta_data == meta
    for got, page in zip(out["short_term"], result.short_term, strict=True):
        assert got == {**_as_before(page, "embedding", "unit_vectors"), "time": iso(page.timestamp), "tier": "short"}
    fact = next(f.fact for f in result.user_knowledge if f.fact.id == fact_id)
    assert fact.embedding is not None
    assert Fact.to_dict(fact) == _as_before(fact, "embedding")
    assert list(fact.to_dict()) == list(_as_before(fact, "embedding"))
    for segment in memo.mid.store.list_segments(memo.scope):
        assert segment.to_dict() == _as_before(segment, "embedding")


def test_page_dict_without_vectors_or_meta_data() -> None:
    page = Page("p1", "hi", "hello", 1_700_000_000.0)
    assert page.to_dict() == {**_as_before(page, "embedding", "unit_vectors"), "time": iso(page.timestamp)}


def test_a_scope_keeps_its_stored_key() -> None:
    # stores written by every earlier version hold this key in their rows and full-text index: it must not move
    for user, assistant in (("tester", "test_assistant"), ("Zoë", "助手"), ("a\x00b", "")):
        digest = hashlib.sha256(f"{user}\x00{assistant}".encode()).hexdigest()
        assert Scope(user, assistant).key == "s" + digest[:24]
        assert Scope(user, assistant).key == "s" + digest[:24]  # asked again: the same, from the kept value
    assert Scope("u1", "a").key != Scope("u2", "a").key


def test_time_and_place_cues_read_as_the_patterns_do() -> None:
    texts = [
        "User: We flew to Lisbon last May.\nAssistant: Lovely!",
        "User: It took three weeks to finish.",
        "User: I visited Chicago in 2019.",
        "User: Nothing to see here.",
        "User: a cafe in the Marais, yesterday",
    ]
    for _ in range(2):  # the second time from what the first kept
        for text in texts:
            assert mentions_time(text) == (_TIME_CUE.search(text) is not None), text
            assert mentions_place(text) == (_PLACE_CUE.search(text) is not None), text
    assert mentions_place(texts[0]) and not mentions_place(texts[3]) and not mentions_time(texts[3])
    padding = " filler" * (KEPT_TEXT_CHARS // 7)  # texts too long to keep are searched every time, alike
    for text in (texts[0] + padding, padding + texts[1], padding + texts[3]):
        assert len(text) > KEPT_TEXT_CHARS
        for _ in range(2):
            assert mentions_time(text) == (_TIME_CUE.search(text) is not None), text[:40]
            assert mentions_place(text) == (_PLACE_CUE.search(text) is not None), text[:40]
