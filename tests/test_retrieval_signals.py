"""The retrieval signals beyond dense + lexical: participant names, dialogue-chain context, session dates."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any

from memoryos.models import Page, Scope
from memoryos.retrieval.fusion import Candidate, chain_context, date_boost, fuse
from memoryos.retrieval.terms import TermSample
from memoryos.textutil import date_ranges, name_candidates, remove_words


def _day(text: str) -> str:
    return datetime.fromtimestamp(date_ranges(text)[0][0], tz=timezone.utc).date().isoformat()


def test_date_ranges_day_month_year() -> None:
    assert _day("What did Tim read on 8th December, 2023?") == "2023-12-07"  # a day of slack before
    assert _day("What happened on May 25, 2022?") == "2022-05-24"
    start, end = date_ranges("Where did Joanna travel in July 2022?")[0]
    assert (end - start) / 86400 == 31 and _day("in July 2022") == "2022-07-01"
    start, end = date_ranges("What did John achieve in 2023?")[0]
    assert (end - start) / 86400 == 365
    assert date_ranges("When did Caroline go to the support group?") == []
    assert _day("on 31 February, 2023") == "2023-02-01"  # no such day: the month is still named


def test_names_are_found_and_removed() -> None:
    query = "When did Caroline go to Melanie's LGBTQ support group?"
    assert name_candidates(query)[:2] == ["caroline", "melanie"]
    assert remove_words(query, ["caroline", "melanie"]) == "When did go to LGBTQ support group?"


class _SampleStore:
    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages

    def list_pages(self, scope: Scope, **kwargs: object) -> list[Page]:
        return self.pages


def _page(i: int, user: str, agent: str = "", **kwargs: object) -> Page:
    return Page(id=f"p{i}", user_input=user, agent_response=agent, timestamp=float(i), seq=i, **kwargs)  # type: ignore[arg-type]


def test_participant_names_and_common_words_come_from_the_memory_itself() -> None:
    pages = [_page(i, f"Ann: I baked bread number {i}", f"Bo: nice loaf {i}") for i in range(40)]
    pages.append(_page(40, "Ann: my friend Zoe visited", "Bo: say hi to Zoe"))
    sample = TermSample(_SampleStore(pages), Scope("u", "a"))  # type: ignore[arg-type]
    assert sample.participants("What did Ann bake for Zoe?", newest_seq=41) == {"ann"}
    # 'bread' is in nearly every page: left out of the full-text query while a rarer term remains
    assert sample.rare_first(["bread", "zoe"], newest_seq=41) == ["zoe"]
    assert sample.rare_first(["bread", "loaf"], newest_seq=41) in (["bread"], ["loaf"])  # one term always stays


def test_a_fresh_sample_is_read_while_another_thread_refreshes_and_a_stale_one_is_refreshed_once() -> None:
    """Concurrent retrievals of one memory read the sample several times each: a fresh one without waiting for the
    lock a refresh holds; a stale one after that refresh, which reads the store once."""
    pages = [_page(i, f"Ann: I baked bread number {i}", f"Bo: nice loaf {i}") for i in range(40)]
    store = _SampleStore(pages)
    reads = 0
    list_pages = store.list_pages

    def counting(scope: Scope, **kwargs: object) -> list[Page]:
        nonlocal reads
        reads += 1
        return list_pages(scope, **kwargs)

    store.list_pages = counting  # type: ignore[method-assign]
    sample = TermSample(store, Scope("u", "a"))  # type: ignore[arg-type]
    assert sample.share("bread", newest_seq=40) == 1.0 and reads == 1
    answers: list[float] = []
    with sample._lock:  # a refresh in progress on another thread
        reader = threading.Thread(target=lambda: answers.append(sample.share("ann", newest_seq=41, token=True)))
        reader.start()
        reader.join(timeout=5)
        assert answers == [1.0], "a fresh sample waited for the refresh lock"
    stale = [threading.Thread(target=lambda: answers.append(sample.share("zoe", newest_seq=400))) for _ in range(4)]
    for thread in stale:
        thread.start()
    for thread in stale:
        thread.join(timeout=5)
    assert answers[1:] == [0.0] * 4 and reads == 2  # four stale readers, one refresh


def _candidates(scores: dict[str, float]) -> dict[str, Candidate]:
    chain = list(scores)
    out = {}
    for i, pid in enumerate(chain):
        page = _page(
            i,
            pid,
            prev_page_id=chain[i - 1] if i else None,
            next_page_id=chain[i + 1] if i + 1 < len(chain) else None,
        )
        page.id = pid
        out[pid] = Candidate(page, dense=scores[pid], lexical=None)
    return out


def test_chain_context_lifts_the_answer_next_to_its_question_never_above_it() -> None:
    candidates = _candidates({"question": 0.9, "answer": 0.2, "unrelated": 0.5})
    fuse(candidates, lexical_weight=1.0, dense_weight=1.0)
    chain_context(candidates, weight=0.4)
    ranked = sorted(candidates, key=lambda pid: -candidates[pid].score)
    assert ranked == ["question", "answer", "unrelated"]
    assert candidates["answer"].score < candidates["question"].score
    assert "chain" in candidates["answer"].extra
    chain_context(_candidates({"a": 1.0, "b": 0.1}), weight=0.0)  # off: no change, no error


def test_date_boost_prefers_pages_from_the_named_day() -> None:
    candidates = _candidates({"old": 0.6, "dated": 0.5})
    day = datetime(2023, 5, 8, 13, 56, tzinfo=timezone.utc).timestamp()
    candidates["dated"].page.timestamp = day
    candidates["old"].page.timestamp = day - 90 * 86400
    fuse(candidates, 1.0, 1.0)
    date_boost(candidates, date_ranges("What did I do on 8 May, 2023?"), weight=0.3)
    assert candidates["dated"].score > candidates["old"].score


def test_retrieval_uses_session_dates_and_chain_context(make_memo) -> None:
    memo = make_memo(short_term_capacity=3, short_term_retain=1)
    base = datetime(2024, 3, 3, 10, 0, tzinfo=timezone.utc).timestamp()
    rows = [
        ("I cooked a mushroom risotto tonight.", "Sounds delicious!", base - 40 * 86400),
        ("I cooked a spicy curry tonight.", "Yum, how spicy?", base),
        ("We hiked up the hill behind the village.", "Great views?", base + 30 * 86400),
        ("I watched a documentary about whales.", "Fascinating animals.", base + 60 * 86400),
        ("Then I read a book about volcanoes.", "Which one?", base + 61 * 86400),
    ]
    ids = [memo.add_memory(u, a, timestamp=t) for u, a, t in rows]
    memo.flush()
    result = memo.search("What did I cook on 3 March, 2024?")
    assert result.pages[0].page.id == ids[1]
    assert "date" in result.pages[0].signals


class _Recording:
    """The suite's embedder, remembering how many texts each call embedded."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.calls: list[int] = []

    def embed(self, texts: list[str]) -> Any:
        self.calls.append(len(texts))
        return self.inner.embed(texts)


def test_the_question_is_asked_of_facts_only_when_there_are_facts(make_memo, embedder) -> None:
    recording = _Recording(embedder)
    memo = make_memo(embedder=recording, short_term_capacity=2, short_term_retain=0)
    memo.add_memory("I live in Berlin with my partner.", "Berlin is a great city!")
    memo.add_memory("I work as a nurse at the city hospital.", "That sounds demanding.")
    memo.add_memory("Lovely weather today.", "Enjoy it!")
    memo.flush()
    recording.calls.clear()
    memo.search("Where do I live?")
    assert recording.calls == [1]  # no fact yet: the third-person form would have nothing to match

    assert memo.promote()
    assert any("Berlin" in f["text"] for f in memo.get_knowledge("user"))
    memo.search("Where do I work?")  # the attribute reader embeds its exemplar questions once, on first use
    recording.calls.clear()
    result = memo.search("Where do I live?")
    assert recording.calls == [2]  # the question and "Where does the user live?" in one call
    assert any("Berlin" in f.fact.text for f in result.user_knowledge)
