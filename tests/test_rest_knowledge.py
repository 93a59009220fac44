"""The REST API shows time: knowledge with validity and provenance, a fact's history, invalidation, and
forgetting on purpose (ttl, valid_until), all through HTTP with the facade's clock (a ManualClock)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from doubles import ManualClock
from fastapi.testclient import TestClient
from rest_helpers import ALICE, START, seed, settings

from memoryos import Memoryos
from memoryos.interfaces.rest import create_app
from memoryos.models import Fact, FactInvalidation, iso

BASE = "/v1/users/alice"
DAY = 86_400.0
FACT_FIELDS = {
    "observed_at",
    "valid_from",
    "valid_until",
    "invalidated_at",
    "superseded_by",
    "attribute",
    "expires_at",
    "source_page_ids",
    "current",
    "said",
    "until",
}


@pytest.fixture
def client(tmp_path: Path, embedder: Any, clock: ManualClock) -> Iterator[TestClient]:
    app = create_app(settings(tmp_path), embedder=embedder, clock=clock)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def library(tmp_path: Path, embedder: Any, clock: ManualClock) -> Iterator[Memoryos]:
    """The same user's memory through the library, on the same store (to write a fact's history directly)."""
    memo = Memoryos(**settings(tmp_path), embedder=embedder, clock=clock)
    yield memo
    memo.close()


def error_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["code"])


def moved(memo: Memoryos, old_text: str, new_text: str, page_ids: list[str], said: float) -> tuple[str, str]:
    """An old fact replaced by a new one said at `said` (the storage contract's add_facts with an invalidation)."""
    vectors = memo.embedder.embed([old_text, new_text])
    common: dict[str, Any] = {"kind": "user", "method": "extractive", "attribute": "residence"}
    old = Fact(
        uuid.uuid4().hex,
        text=old_text,
        source_page_ids=page_ids[:1],
        created_at=said - DAY,
        embedding=vectors[0],
        observed_at=START,
        valid_from=START,
        **common,
    )
    memo.store.add_facts(memo.scope, [old], [])
    new = Fact(
        uuid.uuid4().hex,
        text=new_text,
        source_page_ids=page_ids[1:2],
        created_at=said,
        embedding=vectors[1],
        observed_at=said,
        valid_from=said,
        **common,
    )
    memo.store.add_facts(memo.scope, [new], [], [FactInvalidation(old.id, said, said, new.id)])
    return old.id, new.id


def test_knowledge_shows_validity_provenance_and_history(
    client: TestClient, library: Memoryos, clock: ManualClock
) -> None:
    ids = seed(client, "alice", ALICE)
    said = START + 10 * DAY
    old, new = moved(library, "Alice lives in Lisbon.", "Alice lives in Berlin.", ids, said)

    current = client.get(f"{BASE}/knowledge").json()["items"]
    assert set(current[0]) >= FACT_FIELDS
    by_id = {f["id"]: f for f in current}
    assert old not in by_id and by_id[new]["current"] is True and by_id[new]["valid_until"] is None
    assert by_id[new]["observed_at"] == said and by_id[new]["attribute"] == "residence"
    for fact in current:  # provenance: every source page of a fact can be opened
        for page_id in fact["source_page_ids"]:
            assert client.get(f"{BASE}/pages/{page_id}").status_code == 200

    everything = client.get(f"{BASE}/knowledge", params={"include_history": "true", "kind": "user"}).json()["items"]
    closed = next(f for f in everything if f["id"] == old)
    assert closed["current"] is False and closed["valid_until"] == said and closed["superseded_by"] == new
    assert closed["invalidated_at"] == said and closed["source_page_ids"] == ids[:1]
    assert closed["until"] == iso(said) and closed["said"] == iso(START) and by_id[new]["until"] is None

    for fact_id in (old, new):
        history = client.get(f"{BASE}/knowledge/{fact_id}/history").json()
        assert history["fact_id"] == fact_id and [f["id"] for f in history["items"]] == [old, new]
        assert [f["current"] for f in history["items"]] == [False, True]

    # invalidating: the fact leaves what is current, keeps its end in its history
    end = said + 5 * DAY
    shut = client.post(f"{BASE}/knowledge/{new}/invalidate", json={"valid_until": end})
    assert shut.status_code == 200, shut.text
    assert shut.json()["id"] == new and shut.json()["current"] is False and shut.json()["valid_until"] == end
    assert new not in {f["id"] for f in client.get(f"{BASE}/knowledge").json()["items"]}
    assert client.get(f"{BASE}/knowledge/{new}/history").json()["items"][-1]["valid_until"] == end
    stats = client.get(f"{BASE}/stats").json()
    holding = client.get(f"{BASE}/knowledge", params={"kind": "user"}).json()["items"]
    assert stats["knowledge"]["user"] == len(holding) and stats["closed_knowledge"]["user"] == 2  # moved, then shut
    retrieved = client.post(f"{BASE}/search", json={"query": "Where does Alice live now?"}).json()
    assert "Berlin" not in str(retrieved["user_knowledge"])

    # without a body: it stopped being true now (the server's clock)
    bees = client.post(f"{BASE}/knowledge", json={"text": "Alice keeps bees on her roof."}).json()["id"]
    now = client.post(f"{BASE}/knowledge/{bees}/invalidate").json()
    assert now["valid_until"] == clock.now and now["invalidated_at"] == clock.now


def test_knowledge_errors_are_typed(client: TestClient, library: Memoryos) -> None:
    ids = seed(client, "alice", ALICE[:2])
    _old, new = moved(library, "Alice lives in Lisbon.", "Alice lives in Berlin.", ids, START + DAY)
    assert error_code(client.get(f"{BASE}/knowledge/no-such-fact/history"), 404) == "not_found"
    assert error_code(client.post(f"{BASE}/knowledge/no-such-fact/invalidate", json={}), 404) == "not_found"
    assert error_code(client.get("/v1/users/bob/knowledge/" + new + "/history"), 404) == "not_found"  # other user
    bad_time = client.post(f"{BASE}/knowledge/{new}/invalidate", json={"valid_until": "whenever"})
    assert error_code(bad_time, 422) == "invalid_input"
    assert error_code(client.post(f"{BASE}/knowledge/{new}/invalidate", json={"valid_until": True}), 422)
    assert error_code(client.post(f"{BASE}/knowledge/{new}/invalidate", json={"until": 1.0}), 422)
    assert error_code(client.get(f"{BASE}/knowledge", params={"include_history": "maybe"}), 422)
    assert error_code(client.get(f"{BASE}/knowledge", params={"history": "true"}), 422) == "invalid_input"
    # writes from another web origin are refused, and every request must name this server
    foreign = client.post(f"{BASE}/knowledge/{new}/invalidate", json={}, headers={"Origin": "http://evil.example"})
    assert error_code(foreign, 403) == "forbidden_origin"
    rebound = client.get(f"{BASE}/knowledge/{new}/history", headers={"Host": "evil.example"})
    assert error_code(rebound, 421) == "misdirected_request"
    assert client.get(f"{BASE}/knowledge").json()["items"][-1]["current"] is True  # nothing changed


def test_add_memory_with_a_ttl_is_forgotten_when_it_expires(client: TestClient, clock: ManualClock) -> None:
    seed(client, "alice", ALICE)
    added = client.post(f"{BASE}/memories", json={"user_input": "My locker code is tulip.", "ttl": 3600})
    assert added.status_code == 201, added.text
    page_id = added.json()["page_id"]
    assert client.get(f"{BASE}/pages/{page_id}").json()["expires_at"] == clock.now + 3600
    assert "tulip" in str(client.post(f"{BASE}/search", json={"query": "locker code"}).json())

    clock.advance(3600)
    assert error_code(client.get(f"{BASE}/pages/{page_id}"), 404) == "not_found"
    assert "tulip" not in str(client.post(f"{BASE}/search", json={"query": "locker code"}).json())
    assert "tulip" not in str(client.get(f"{BASE}/pages", params={"limit": 500}).json()["items"])
    assert "tulip" not in str(client.get(f"{BASE}/export").json())  # the export purges first
    assert sum(client.get(f"{BASE}/stats").json()["pages"].values()) == len(ALICE)

    for bad in (0, -5, "1h", True, 1e12):
        assert error_code(client.post(f"{BASE}/memories", json={"user_input": "x", "ttl": bad}), 422), bad
    for raw in (b'{"user_input": "x", "ttl": NaN}', b'{"user_input": "x", "ttl": Infinity}'):
        refused = client.post(f"{BASE}/memories", content=raw, headers={"Content-Type": "application/json"})
        assert refused.status_code in (400, 422) and refused.json()["error"]["code"] == "invalid_input"
    assert sum(client.get(f"{BASE}/stats").json()["pages"].values()) == len(ALICE)


def test_add_knowledge_with_valid_until(client: TestClient, clock: ManualClock) -> None:
    until = clock.now + 2 * DAY
    created = client.post(
        f"{BASE}/knowledge", json={"text": "Alice is in Rome for a conference.", "valid_until": until}
    )
    assert created.status_code == 201, created.text
    fact = client.get(f"{BASE}/knowledge").json()["items"][0]
    assert fact["id"] == created.json()["id"] and fact["expires_at"] == until and fact["current"] is True
    iso = client.post(f"{BASE}/knowledge", json={"text": "Alice's visa ends soon.", "valid_until": "2099-01-01T00:00Z"})
    assert iso.status_code == 201

    clock.advance(2 * DAY)
    assert [f["text"] for f in client.get(f"{BASE}/knowledge").json()["items"]] == ["Alice's visa ends soon."]
    past = client.post(f"{BASE}/knowledge", json={"text": "Alice was in Paris.", "valid_until": clock.now - 1})
    assert error_code(past, 422) == "invalid_input" and "future" in past.json()["error"]["message"]
    assert error_code(client.post(f"{BASE}/knowledge", json={"text": "x", "valid_until": "soon"}), 422)


def test_openapi_documents_time_fields(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    fact = schema["components"]["schemas"]["FactOut"]["properties"]
    assert set(fact) >= FACT_FIELDS
    assert "ttl" in schema["components"]["schemas"]["AddMemoryRequest"]["properties"]
    assert "valid_until" in schema["components"]["schemas"]["AddKnowledgeRequest"]["properties"]
    paths = schema["paths"]
    assert "/v1/users/{user_id}/knowledge/{fact_id}/history" in paths
    assert "post" in paths["/v1/users/{user_id}/knowledge/{fact_id}/invalidate"]
    names = {p["name"] for p in paths["/v1/users/{user_id}/knowledge"]["get"]["parameters"]}
    assert {"kind", "include_history"} <= names
