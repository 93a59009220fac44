"""The served data path (add, retrieve, search) goes to the thread pool once per request, and answers exactly what
FastAPI's own serialisation of the response model would (interfaces/rest_hop.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from rest_helpers import ALICE, seed, settings

from memoryos.interfaces import rest_models as m
from memoryos.interfaces.rest import create_app


@pytest.fixture
def client(tmp_path: Path, embedder: Any) -> Iterator[TestClient]:
    app = create_app(settings(tmp_path), embedder=embedder)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        seed(client, "alice", ALICE)
        yield client


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every callable the app hands to a pool thread (Starlette and FastAPI go through anyio)."""
    seen: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counting(func: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(func, "__name__", repr(func)))
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return seen


@pytest.mark.parametrize("operation", ["retrieve", "search"])
def test_a_retrieval_is_one_trip_to_the_pool_and_the_body_fastapi_would_send(
    client: TestClient, hops: list[str], operation: str
) -> None:
    client.post(f"/v1/users/alice/{operation}", json={"query": "warm"})  # the user's memory is open from here on
    hops.clear()
    response = client.post(f"/v1/users/alice/{operation}", json={"query": "Where does Alice work?", "max_results": 3})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert len(hops) == 1, hops  # FastAPI's own path: the endpoint, then the returned model validated again
    body = m.RetrievalOut.model_validate_json(response.content)
    assert TypeAdapter(m.RetrievalOut).dump_json(body, by_alias=True) == response.content
    assert body.user_id == "alice" and body.query == "Where does Alice work?" and len(body.pages) <= 3
    assert any("marine biologist" in p.user_input for p in body.pages + body.short_term)
    assert "marine biologist" in body.context


def test_an_add_is_one_trip_to_the_pool_and_answers_201(client: TestClient, hops: list[str]) -> None:
    hops.clear()
    response = client.post("/v1/users/alice/memories", json={"user_input": "I adopted a cat.", "agent_response": "!"})
    assert response.status_code == 201 and response.headers["content-type"] == "application/json"
    assert len(hops) == 1, hops
    created = m.PageCreated.model_validate_json(response.content)
    assert created.user_id == "alice"
    assert client.get(f"/v1/users/alice/pages/{created.page_id}").json()["user_input"] == "I adopted a cat."


def test_errors_of_the_data_path_keep_their_envelope(client: TestClient) -> None:
    bad = client.post("/v1/users/alice/retrieve", json={"query": "x", "max_results": -1})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
    bad = client.post("/v1/users/alice/memories", json={"user_input": "x", "agent_response": "y", "timestamp": "soon"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
    # an error the library raises on the pool thread is mapped like any other
    huge = client.post("/v1/users/alice/retrieve", json={"query": "word " * 250_000})
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "input_too_large"
