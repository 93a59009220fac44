"""The LLMs people actually run: reasoning blocks, prose, near-JSON and endpoints without JSON mode.

Each behaviour is one the local fake endpoint reproduces (tests/fake_openai.py `BEHAVIOURS`); memoryos must
consolidate every page through the real `openai` client anyway, and never store a model's reasoning.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from doubles import ManualClock, pages_in_prompt
from fake_openai import REASONING_TEXT, THINK_TEXT, FakeOpenAIServer
from llm_fakes import EXCHANGES, Brain

from memoryos import LLMError, Memoryos
from memoryos.providers.answers import parse_json_object, strip_reasoning
from memoryos.providers.llm import OpenAICompatibleLLM

REASONING_MARKERS = [THINK_TEXT, REASONING_TEXT, "<think>", "</think>", "Let me think"]


@pytest.fixture
def storage_url(tmp_path: Path) -> str:
    """The LLM path does not depend on the storage backend: SQLite only."""
    return f"sqlite:///{tmp_path / 'data' / 'memoryos.db'}"


@pytest.fixture
def llm_memo(llm_memo: Callable[..., Memoryos]) -> Callable[..., Memoryos]:
    """conftest's, with promotion on by default (heat threshold 3.5)."""
    return functools.partial(llm_memo, mid_term_heat_threshold=3.5)


def stored_text(memo: Memoryos) -> str:
    return json.dumps(memo.export(), ensure_ascii=False)


@pytest.mark.parametrize(
    "behaviours",
    [
        ("think",),
        ("reasoning_content",),
        ("prose",),
        ("trailing_commas",),
        ("no_json_mode",),
        ("think", "prose", "trailing_commas", "no_json_mode"),
    ],
    ids=lambda b: "+".join(b),
)
def test_every_page_is_consolidated_by_the_llm_whatever_the_endpoint_sends(
    behaviours: tuple[str, ...],
    llm_memo: Callable[..., Memoryos],
    server: FakeOpenAIServer,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.set_behaviours(*behaviours)
    memo = llm_memo()
    with caplog.at_level(logging.WARNING, logger="memoryos"):
        for user, assistant in EXCHANGES:
            clock.advance(60)
            memo.add_memory(user, assistant)
        assert memo.flush()
    stats = memo.stats()
    assert stats["upkeep"]["last_error"] is None
    assert stats["pages"]["short"] <= 4
    assert stats["pages"]["mid"] == len(EXCHANGES) - stats["pages"]["short"]
    segments = memo.list_segments()
    assert segments and all(s["summary"].startswith("Conversation about") for s in segments)  # the LLM's summary
    assert memo.get_user_profile()  # promotion went through the same parser
    text = stored_text(memo)
    for marker in [*REASONING_MARKERS, "Sure! Here is the JSON"]:
        assert marker not in text
    usage = stats["llm_usage"]
    assert usage["consolidation"]["failures"] == 0 and usage["profile_knowledge"]["failures"] == 0
    # every answer was read on the first try: one call per consolidated batch, no repair round trips
    answered = [b for b in server.requests if not ("no_json_mode" in behaviours and "response_format" in b)]
    assert usage["consolidation"]["calls"] == sum(1 for b in answered if "chain_summaries" in str(b))
    if "no_json_mode" in behaviours:
        # asked once with response_format, refused, then never again; said once in the log
        with_format = [body for body in server.requests if "response_format" in body]
        assert len(with_format) == 1
        assert sum("refused response_format" in r.getMessage() for r in caplog.records) == 1
    else:
        assert all(body.get("response_format") == {"type": "json_object"} for body in server.requests)


def test_get_response_never_returns_or_stores_reasoning(
    llm_memo: Callable[..., Memoryos], server: FakeOpenAIServer
) -> None:
    server.set_behaviours("think", "reasoning_content")
    memo = llm_memo()
    answer = memo.get_response("What do I do for work?")
    assert answer.startswith("From the fake model")
    for marker in REASONING_MARKERS:
        assert marker not in answer
        assert marker not in stored_text(memo)


def test_a_400_unrelated_to_json_mode_keeps_json_mode(
    server: FakeOpenAIServer,
) -> None:
    """A 400 that a retry without response_format does not cure says nothing about JSON mode."""
    llm = OpenAICompatibleLLM("fake-model", "test-key", server.base_url, timeout=5.0, max_retries=0)
    server.set_always_fault("400")
    with pytest.raises(LLMError, match="BadRequestError 400"):
        llm.complete([{"role": "user", "content": "JSON please"}], purpose="test", json_mode=True)
    assert llm.json_mode is True
    assert [("response_format" in body) for body in server.requests] == [True, False]
    server.set_always_fault(None)
    llm.complete([{"role": "user", "content": "JSON please"}], purpose="test", json_mode=True)
    assert "response_format" in server.requests[-1]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ('<think>I could answer {"x": 1}</think>\n{"a": 1}', {"a": 1}),
        ('<thinking>hmm</thinking>```json\n{"a": 1}\n```', {"a": 1}),
        ('reasoning with a lost opening tag</think>{"a": 2}', {"a": 2}),
        ('Sure! Here it is: {"a": [1, 2,],} Anything else?', {"a": [1, 2]}),
        ('{"a": "brace } and quote \\" inside"} trailing {junk', {"a": 'brace } and quote " inside'}),
        ('{"topics": [{"summary": "cut off mid', {"topics": [{"summary": "cut off mid"}]}),
        ('{"a": 1, "b":', {"a": 1}),
        ('{"a": 1, "b": [1, 2', {"a": 1, "b": [1, 2]}),
    ],
)
def test_answers_are_read_as_real_models_write_them(answer: str, expected: dict[str, Any]) -> None:
    assert parse_json_object(answer) == expected


@pytest.mark.parametrize("answer", ['<think>only reasoning {"a": 1}', "no json here", "[1, 2]", ""])
def test_answers_without_an_object_are_refused(answer: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        parse_json_object(answer)


def test_strip_reasoning_keeps_the_answer_only() -> None:
    assert strip_reasoning("<think>\nplan\n</think>\n\nHello Tom!") == "Hello Tom!"
    assert strip_reasoning("<THINK>a</THINK>b<think>c</think>d") == "bd"
    assert strip_reasoning("I think <b>bold</b> is fine") == "I think <b>bold</b> is fine"


# ---- degrade instead of stalling ----


def short_count(memo: Memoryos) -> int:
    return int(memo.stats()["pages"].get("short", 0))


def add_all(memo: Memoryos, clock: ManualClock, exchanges: list[tuple[str, str]], seen: list[int]) -> None:
    for user, assistant in exchanges:
        clock.advance(60)
        memo.add_memory(user, assistant)
        seen.append(short_count(memo))


def assert_everything_consolidated(memo: Memoryos, capacity: int = 4) -> None:
    stats = memo.stats()
    assert stats["pages"]["short"] <= capacity
    assert stats["pages"]["mid"] == sum(stats["pages"].values()) - stats["pages"]["short"]
    found = memo.search("Which Python libraries do I use at work?").pages
    assert found and found[0].tier == "mid" and "pandas" in found[0].page.user_input


@pytest.mark.parametrize("fault", ["401", "404"])
def test_auth_and_model_errors_degrade_at_once(
    fault: str, llm_memo: Callable[..., Memoryos], server: FakeOpenAIServer, clock: ManualClock
) -> None:
    server.set_always_fault(fault)
    memo = llm_memo(llm_probe_seconds=3600)
    seen: list[int] = []
    add_all(memo, clock, EXCHANGES, seen)
    assert memo.flush()
    assert max(seen) <= 4  # never a backlog: the first failure is known to be permanent
    assert_everything_consolidated(memo)
    llm = memo.stats()["llm"]
    assert llm["state"] == "degraded" and fault in llm["last_error"] and llm["extractive_batches"] >= 2
    assert server.calls == 1  # one refused call; no probe within the hour, no re-ask storm


@pytest.mark.parametrize("fault", ["500", "timeout", "truncated", "malformed"])
def test_persistent_failures_degrade_after_a_bounded_number_of_attempts(
    fault: str, llm_memo: Callable[..., Memoryos], server: FakeOpenAIServer, clock: ManualClock
) -> None:
    server.timeout_seconds = 1.0
    server.set_always_fault(fault)
    memo = llm_memo(llm_timeout_seconds=0.5, upkeep_retry_seconds=0)
    seen: list[int] = []
    add_all(memo, clock, EXCHANGES * 2, seen)
    assert memo.flush()
    cfg = memo.config
    assert max(seen) <= cfg.short_term_capacity + cfg.llm_backlog_pages
    assert_everything_consolidated(memo)
    llm = memo.stats()["llm"]
    assert llm["state"] == "degraded" and llm["consecutive_failures"] >= cfg.llm_fallback_after_failures
    assert all(s["summary"] and not s["summary"].startswith("Conversation about") for s in memo.list_segments())
    text = stored_text(memo)
    for garbage in ("{not json", '{"topics": [{"summ'):
        assert garbage not in text


def test_an_outage_of_some_minutes_degrades_then_the_llm_takes_over_again(
    llm_memo: Callable[..., Memoryos], server: FakeOpenAIServer, clock: ManualClock, brain: Brain
) -> None:
    """Down for the first minutes (by the memory's clock): upkeep waits, then goes on without the LLM once the
    outage lasts llm_fallback_after_seconds, and uses the LLM again at the first probe after it recovers."""
    memo = llm_memo(
        llm_fallback_after_failures=1000,
        llm_backlog_pages=1000,
        llm_fallback_after_seconds=240,
        llm_probe_seconds=120,
        mid_term_heat_threshold=1000.0,
    )
    server.set_always_fault("500")
    seen: list[int] = []
    add_all(memo, clock, EXCHANGES[:5], seen)  # 5 minutes of failures
    assert memo.stats()["llm"]["state"] == "failing"
    add_all(memo, clock, EXCHANGES[5:], seen)
    assert memo.stats()["llm"]["state"] == "degraded"
    assert_everything_consolidated(memo)
    degraded = {s["id"]: s["summary"] for s in memo.list_segments()}
    assert degraded and not any(t.startswith("Conversation about") for t in degraded.values())
    assert memo.stats()["upkeep"]["segments_to_reanalyze"] == len(degraded)
    server.set_always_fault(None)
    clock.advance(600)
    assert memo.flush()  # the first pass after the probe interval asks the LLM again, and it answers
    assert memo.stats()["llm"]["state"] == "working"
    assert memo.stats()["upkeep"]["segments_to_reanalyze"] == 0
    # every segment written during the outage now carries the LLM's summary: the outage left no lasting mark
    for segment in memo.list_segments():
        assert segment["summary"].startswith("Conversation about"), segment["summary"]
    add_all(memo, clock, EXCHANGES[:4], seen)
    assert memo.flush() and memo.stats()["llm"]["state"] == "working"


def test_short_term_context_never_exceeds_capacity_and_waiting_pages_are_searched(
    llm_memo: Callable[..., Memoryos], server: FakeOpenAIServer, clock: ManualClock
) -> None:
    memo = llm_memo(llm_fallback_after_failures=1000, llm_backlog_pages=1000, llm_fallback_after_seconds=10**9)
    server.set_always_fault("500")
    seen: list[int] = []
    add_all(memo, clock, EXCHANGES, seen)
    assert short_count(memo) == len(EXCHANGES)  # everything waits for the LLM (as configured here)
    result = memo.retrieve("Which tools do I use for data science?")
    assert [p.id for p in result.short_term] == [p["id"] for p in memo.list_pages("short")][-4:]
    assert any("pandas" in p.page.user_input for p in result.pages)  # a waiting page, found by search
    assert memo.stats()["upkeep"]["waiting_pages"] == len(EXCHANGES) - 4


def test_rest_stats_show_the_llm_state(tmp_path: Path, server: FakeOpenAIServer, embedder: Any) -> None:
    from fastapi.testclient import TestClient
    from rest_helpers import ALICE, seed, settings

    from memoryos.interfaces.rest import create_app

    server.set_always_fault("401")
    llm_settings = settings(
        tmp_path,
        openai_base_url=server.base_url,
        openai_api_key="test-key",
        llm_model="fake-model",
        llm_max_retries=0,
    )
    with TestClient(create_app(llm_settings, embedder=embedder), base_url="http://127.0.0.1") as client:
        seed(client, "alice", ALICE)
        stats = client.get("/v1/users/alice/stats").json()
    assert stats["llm"]["state"] == "degraded" and "401" in stats["llm"]["last_error"]
    assert stats["pages"]["short"] <= 3 and stats["upkeep"]["waiting_pages"] == 0


def test_a_re_analysis_shows_the_llm_at_most_a_segments_worth_of_pages(
    llm_memo: Callable[..., Memoryos], server: FakeOpenAIServer, clock: ManualClock
) -> None:
    """The pages one re-analysis shows are bounded by max_segment_pages, the same bound as a segment: a store
    written with larger segments, reopened with a smaller cap, shows the LLM only the newest `cap` pages."""
    outage = {"llm_fallback_after_failures": 1, "llm_probe_seconds": 120, "mid_term_heat_threshold": 1000.0}
    memo = llm_memo(short_term_capacity=8, short_term_retain=1, **outage)
    server.set_always_fault("500")
    add_all(memo, clock, EXCHANGES * 2, [])
    assert memo.flush() and memo.stats()["llm"]["state"] == "degraded"
    sizes = [s["page_count"] for s in memo.list_segments()]
    assert memo.stats()["upkeep"]["segments_to_reanalyze"] == len(sizes) and max(sizes) > 2
    memo.close()
    server.set_always_fault(None)
    clock.advance(600)
    before = len(server.requests)
    reopened = llm_memo(short_term_capacity=8, short_term_retain=1, max_segment_pages=2, **outage)
    assert reopened.flush() and reopened.stats()["upkeep"]["segments_to_reanalyze"] == 0
    shown = [len(pages_in_prompt(b["messages"])) for b in server.requests[before:]]
    assert len(shown) == len(sizes) and max(shown) == 2
