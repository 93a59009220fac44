"""The LLMs people actually run: reasoning blocks, prose, near-JSON and endpoints without JSON mode.

Each behaviour is one the local fake endpoint reproduces (tests/fake_openai.py `BEHAVIOURS`); memoryos must
consolidate every page through the real `openai` client anyway, and never store a model's reasoning.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from doubles import ManualClock
from fake_openai import REASONING_TEXT, THINK_TEXT, FakeOpenAIServer
from test_llm_endpoint import EXCHANGES, Brain

from memoryos import LLMError, Memoryos
from memoryos.providers.answers import parse_json_object, strip_reasoning
from memoryos.providers.llm import OpenAICompatibleLLM

REASONING_MARKERS = [THINK_TEXT, REASONING_TEXT, "<think>", "</think>", "Let me think"]


@pytest.fixture
def storage_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'memoryos.db'}"


@pytest.fixture
def brain() -> Brain:
    return Brain()


@pytest.fixture
def server(brain: Brain) -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(brain) as srv:
        yield srv


@pytest.fixture
def llm_memo(make_memo: Callable[..., Memoryos], server: FakeOpenAIServer) -> Callable[..., Memoryos]:
    def factory(**kwargs: Any) -> Memoryos:
        kwargs.setdefault("openai_base_url", server.base_url)
        kwargs.setdefault("openai_api_key", "test-key")
        kwargs.setdefault("llm_model", "fake-model")
        kwargs.setdefault("llm_timeout_seconds", 5.0)
        kwargs.setdefault("llm_max_retries", 0)
        kwargs.setdefault("short_term_capacity", 4)
        kwargs.setdefault("short_term_retain", 1)
        kwargs.setdefault("mid_term_heat_threshold", 3.5)  # promotion runs too
        return make_memo(**kwargs)

    return factory


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
