"""Tests of the fake OpenAI server helper, driven through the real `openai` client."""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from fake_openai import HUGE_CONTENT_CHARS, FakeOpenAIServer

MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "You are terse."},  # 3 words
    {"role": "user", "content": "say hello please"},  # 3 words -> 6 words -> 8 prompt tokens
]


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


def make_client(server: FakeOpenAIServer, **kwargs: Any) -> openai.OpenAI:
    kwargs.setdefault("max_retries", 0)
    return openai.OpenAI(base_url=server.base_url, api_key="test", **kwargs)


def chat(client: openai.OpenAI, **kwargs: Any) -> Any:
    kwargs.setdefault("messages", MESSAGES)
    return client.chat.completions.create(model="gpt-test", **kwargs)


def test_normal_completion_and_usage(server: FakeOpenAIServer) -> None:
    client = make_client(server)
    resp = chat(client)
    assert resp.object == "chat.completion"
    assert resp.model == "gpt-test"
    assert resp.choices[0].message.role == "assistant"
    assert resp.choices[0].message.content == "OK"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage is not None
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (8, 1, 9)

    chat(client)
    assert server.calls == 2
    assert (server.prompt_tokens, server.completion_tokens) == (16, 2)
    assert server.requests[0]["messages"] == MESSAGES
    assert server.requests[0]["model"] == "gpt-test"
    assert server.errors == []


def test_default_responder_json_detection(server: FakeOpenAIServer) -> None:
    client = make_client(server)
    resp = chat(client, response_format={"type": "json_object"})
    assert resp.choices[0].message.content == "{}"
    resp = chat(client, messages=[{"role": "user", "content": "Answer in JSON."}])
    assert resp.choices[0].message.content == "{}"


def test_custom_responder() -> None:
    def responder(body: dict[str, Any]) -> str:
        return json.dumps({"echo": body["messages"][-1]["content"]})

    with FakeOpenAIServer(responder) as srv:
        resp = chat(make_client(srv))
    assert json.loads(resp.choices[0].message.content or "") == {"echo": "say hello please"}


def test_http_error_faults(server: FakeOpenAIServer) -> None:
    client = make_client(server)
    server.queue_faults("500", "429")
    with pytest.raises(openai.InternalServerError) as exc500:
        chat(client)
    assert exc500.value.status_code == 500
    with pytest.raises(openai.RateLimitError) as exc429:
        chat(client)
    assert exc429.value.response.headers["retry-after"] == "0"
    assert exc429.value.code == "rate_limit_exceeded"
    # Queue exhausted: back to normal answers.
    assert chat(client).choices[0].message.content == "OK"
    assert server.calls == 3


def test_timeout_fault(server: FakeOpenAIServer) -> None:
    server.timeout_seconds = 2
    server.queue_faults("timeout")
    client = make_client(server, timeout=0.5)
    start = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        chat(client)
    assert time.monotonic() - start < 1.5
    assert server.calls == 1


def test_single_500_is_retried(server: FakeOpenAIServer) -> None:
    server.queue_faults("500")
    resp = chat(make_client(server, max_retries=2))
    assert resp.choices[0].message.content == "OK"
    assert server.calls == 2
    assert server.pending_faults == []


@pytest.mark.parametrize(
    ("fault", "content", "finish_reason"),
    [
        ("malformed", "Sure! here is {not json", "stop"),
        ("truncated", '{"topics": [{"summ', "length"),
        ("wrong_fields", '{"unexpected": 1}', "stop"),
    ],
)
def test_content_faults(server: FakeOpenAIServer, fault: str, content: str, finish_reason: str) -> None:
    server.queue_faults(fault)
    resp = chat(make_client(server))
    assert resp.choices[0].message.content == content
    assert resp.choices[0].finish_reason == finish_reason


def test_huge_fault(server: FakeOpenAIServer) -> None:
    server.queue_faults("huge")
    content = chat(make_client(server)).choices[0].message.content or ""
    assert len(content) == HUGE_CONTENT_CHARS
    assert set(content) == {"a"}


def test_garbage_body_fault(server: FakeOpenAIServer) -> None:
    client = make_client(server)
    # Declared as JSON: the client's json.loads fails with a plain ValueError (not an openai.APIError).
    server.queue_faults("garbage_body")
    with pytest.raises(ValueError):
        chat(client)
    # Declared as HTML: the client silently returns the raw text instead of a ChatCompletion.
    server.garbage_content_type = "text/html"
    server.queue_faults("garbage_body")
    assert isinstance(chat(client), str)


def test_always_fault_and_fifo_order(server: FakeOpenAIServer) -> None:
    client = make_client(server)
    server.set_always_fault("wrong_fields")
    server.queue_faults("malformed")
    for _ in range(2):
        assert chat(client).choices[0].message.content == '{"unexpected": 1}'
    server.set_always_fault(None)
    assert chat(client).choices[0].message.content == "Sure! here is {not json"
    assert chat(client).choices[0].message.content == "OK"
    with pytest.raises(ValueError):
        server.queue_faults("nope")


def test_streaming_rejected(server: FakeOpenAIServer) -> None:
    with pytest.raises(openai.BadRequestError):
        chat(make_client(server), stream=True)


def test_embeddings(server: FakeOpenAIServer) -> None:
    client = make_client(server)
    texts = ["The cat sat on the mat", "the cat sat on a mat", "Quarterly revenue grew strongly"]
    resp = client.embeddings.create(model="embed-test", input=texts)
    vecs = [d.embedding for d in resp.data]
    assert [d.index for d in resp.data] == [0, 1, 2]
    assert all(len(v) == 16 for v in vecs)
    assert all(math.isclose(math.fsum(x * x for x in v), 1.0, rel_tol=1e-5) for v in vecs)

    def cos(a: list[float], b: list[float]) -> float:
        return math.fsum(x * y for x, y in zip(a, b, strict=True))

    assert cos(vecs[0], vecs[1]) > cos(vecs[0], vecs[2])
    # Deterministic, case-insensitive, and the same with a single string / explicit float format.
    again = client.embeddings.create(model="e", input="THE CAT SAT ON THE MAT", encoding_format="float")
    assert again.data[0].embedding == pytest.approx(vecs[0], abs=1e-6)
    assert resp.usage.prompt_tokens > 0
    assert server.embedding_calls == 2
    assert server.calls == 0


def test_models_404_and_stop(server: FakeOpenAIServer) -> None:
    client = make_client(server)
    assert [m.id for m in client.models.list()] == ["fake-model"]
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(server.base_url + "/nope", timeout=2)
    assert exc.value.code == 404
    assert "error" in json.loads(exc.value.read())
    # After stop, even a client holding a kept-alive connection can no longer reach it.
    server.stop()
    with pytest.raises(openai.APIConnectionError):
        client.models.list()
