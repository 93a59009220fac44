"""The REST API through HTTP (FastAPI's TestClient): every endpoint, auth, errors, isolation, the OpenAPI schema."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from doubles import ManualClock, ScriptedLLM
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_helpers import ALICE, BOB, seed, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from memoryos.errors import ConfigError, LLMError
from memoryos.interfaces.auth import Authenticator, Forbidden, TokenPolicy, Unauthorized, is_loopback
from memoryos.interfaces.rest import create_app

ALICE_TOKEN = "alice-and-bob-token-0001"
ADMIN_TOKEN = "admin-token-every-user-02"
MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(tmp_path: Path, embedder: Any, clock: Any) -> Iterator[MakeClient]:
    """TestClients over apps on a temp store; the session's embedding model is shared, lifespans are run."""
    opened: list[TestClient] = []

    def make(
        storage: str | None = None,
        *,
        tokens: TokenPolicy | None = None,
        host: str = "127.0.0.1",
        raise_server_exceptions: bool = True,
        objects: dict[str, Any] | None = None,
        **extra: Any,
    ) -> TestClient:
        app = create_app(
            settings(tmp_path, storage, **extra),
            tokens=tokens,
            host=host,
            embedder=embedder,
            clock=clock,
            **(objects or {}),
        )
        # a loopback Host: the app refuses TestClient's default 'testserver' (DNS rebinding guard)
        client = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def error_of(response: Any, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return body["error"]


# ---- service ----


def test_health_info_openapi_and_inspector_files(make_client: MakeClient) -> None:
    client = make_client()
    assert client.get("/health").json() == {"status": "ok", "version": "0.1.0"}
    info = client.get("/v1/info").json()
    assert info["default_user"] == "alice" and info["mode"] == "no-llm" and info["auth_required"] is False
    assert info["heat"]["threshold"] == 2.0 and info["capacities"]["short_term"] == 3
    assert info["storage_backend"] == "sqlite"

    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/health",
        "/v1/users/{user_id}/memories",
        "/v1/users/{user_id}/retrieve",
        "/v1/users/{user_id}/search",
        "/v1/users/{user_id}/profile",
        "/v1/users/{user_id}/knowledge/{fact_id}",
        "/v1/users/{user_id}/pages/{page_id}",
        "/v1/users/{user_id}/segments/{segment_id}",
        "/v1/users/{user_id}/stats",
        "/v1/users/{user_id}/export",
        "/v1/users/{user_id}",
    ):
        assert path in paths, path
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    add = schema["components"]["schemas"]["AddMemoryRequest"]
    assert add["examples"][0]["user_input"].startswith("Hi! I'm Tom")
    assert "404" in paths["/v1/users/{user_id}/pages/{page_id}"]["get"]["responses"]

    page = client.get("/")
    assert page.status_code == 200 and "memoryos inspector" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"] == "no-referrer"
    for response in (page, client.get("/health"), client.get("/v1/info")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"  # memory changes under the inspector
        assert len(response.headers.get_list("cache-control")) == 1
    assert "content-security-policy" not in client.get("/v1/info").headers  # the API's answers are not pages
    for name in ("inspector.js", "inspector.css"):
        assert client.get(f"/static/{name}").status_code == 200
    web = Path(__import__("memoryos.interfaces.rest", fromlist=["x"]).__file__).parent / "web"
    for file in web.iterdir():
        # works offline: nothing but the SVG namespace names another host
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.\w+", file.read_text())) - {"http://www.w3.org"}
        assert not urls, (file.name, urls)
    assert client.get("/docs").status_code == 404  # the interactive docs would load scripts from a CDN
    icon = client.get("/favicon.ico")  # browsers ask for it: an icon, not a 404 in every log
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg") and 'rel="icon"' in page.text


# ---- the memory, endpoint by endpoint, on every backend ----


def test_every_memory_endpoint(make_client: MakeClient, storage_url: str) -> None:
    client = make_client(storage_url)
    ids = seed(client, "alice", ALICE)
    base = "/v1/users/alice"

    stats = client.get(f"{base}/stats").json()
    assert stats["user_id"] == "alice" and stats["pages"]["short"] + stats["pages"]["mid"] == len(ALICE)
    assert stats["pages"]["short"] <= 3 and stats["segments"]["active"] >= 2

    # pages: tiers, paging, one page
    short = client.get(f"{base}/pages", params={"tier": "short"}).json()
    assert [p["tier"] for p in short["items"]] == ["short"] * short["total"] and short["items"][-1]["id"] == ids[-1]
    first = client.get(f"{base}/pages", params={"limit": 2}).json()
    second = client.get(f"{base}/pages", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] == len(ALICE)
    assert [p["id"] for p in first["items"] + second["items"]] == ids[:4]  # arrival order
    page = client.get(f"{base}/pages/{ids[0]}").json()
    assert page["user_input"] == ALICE[0][0] and page["time"].startswith("2025-06-15")

    # segments: heat parts add up, hottest first, one segment with its pages in order
    segments = client.get(f"{base}/segments").json()
    assert segments["heat_threshold"] == 2.0 and segments["total"] == stats["segments"]["active"]
    heats = [s["heat"] for s in segments["items"]]
    assert heats == sorted(heats, reverse=True)
    for s in segments["items"]:
        assert sum(s["heat_components"].values()) == pytest.approx(s["heat"])
        assert s["hot"] == (s["heat"] >= 2.0)
    octopus = next(s for s in segments["items"] if "octopus" in s["keywords"])
    detail = client.get(f"{base}/segments/{octopus['id']}").json()
    assert [p["id"] for p in detail["pages"]] == [ids[1], ids[2]] and detail["summary"] == octopus["summary"]
    in_segment = client.get(f"{base}/pages", params={"segment_id": octopus["id"]}).json()
    assert in_segment["total"] == 2 and {p["segment_id"] for p in in_segment["items"]} == {octopus["id"]}
    by_age = client.get(f"{base}/segments", params={"sort": "created", "limit": 1, "offset": 1}).json()
    assert len(by_age["items"]) == 1 and by_age["total"] == segments["total"]
    assert client.get(f"{base}/segments", params={"min_heat": 1e9}).json()["items"] == []
    assert client.get(f"{base}/segments", params={"status": "archived"}).json()["total"] == 0

    # search and retrieve (heat itself: test_retrieve_counts_a_visit_and_search_does_not)
    found = client.post(f"{base}/search", json={"query": "octopus underwater cameras"}).json()
    assert found["pages"][0]["id"] in (ids[1], ids[2]) and found["visited_segment_ids"] == []
    assert found["pages"][0]["tier"] == "mid" and found["pages"][0]["score"] > 0 and found["context"]
    recalled = client.post(f"{base}/retrieve", json={"query": "octopus underwater cameras", "max_pages": 2}).json()
    assert len(recalled["pages"]) <= 2 and recalled["visited_segment_ids"] == [octopus["id"]]
    # max_results is the limit's one name (CLI --max-results, MCP, library); max_pages, its old name, still works
    one = client.post(f"{base}/search", json={"query": "octopus underwater cameras", "max_results": 1}).json()
    assert [p["id"] for p in one["pages"]] == [found["pages"][0]["id"]]
    none = client.post(f"{base}/search", json={"query": "octopus underwater cameras", "max_results": 0}).json()
    assert none["pages"] == []
    assert [p["tier"] for p in recalled["short_term"]] == ["short"] * len(recalled["short_term"])

    # long-term: profile versions, knowledge list / add / delete
    profile = client.get(f"{base}/profile").json()
    assert profile["user_id"] == "alice" and "octopus" in profile["profile"]
    assert profile["versions"][-1]["text"] == profile["profile"] and profile["versions"][-1]["method"] == "extractive"
    added = client.post(f"{base}/knowledge", json={"text": "Alice is allergic to peanuts.", "kind": "user"})
    assert added.status_code == 201
    fact_id = added.json()["id"]
    again = client.post(f"{base}/knowledge", json={"text": "Alice is allergic to peanuts."}).json()
    assert again["id"] == fact_id  # a duplicate merges
    client.post(f"{base}/knowledge", json={"text": "I promised to send Alice a tide table.", "kind": "assistant"})
    users = client.get(f"{base}/knowledge", params={"kind": "user"}).json()["items"]
    assert any(f["id"] == fact_id and f["method"] == "manual" for f in users)
    assert {f["kind"] for f in client.get(f"{base}/knowledge").json()["items"]} == {"user", "assistant"}
    assert client.delete(f"{base}/knowledge/{fact_id}").json() == {
        "user_id": "alice",
        "deleted": fact_id,
        "pages_deleted": 0,
    }
    assert fact_id not in json.dumps(client.get(f"{base}/knowledge").json())

    # export, forget, import: the user is back (ids are kept, so an export is restored, not copied)
    dump = client.get(f"{base}/export").json()
    assert dump["format"] == "memoryos-export" and len(dump["pages"]) == len(ALICE)
    assert client.delete(base, params={"confirm": True}).json() == {"user_id": "alice", "pages_deleted": len(ALICE)}
    assert client.get(f"{base}/pages").json()["total"] == 0 and client.get(f"{base}/knowledge").json()["items"] == []
    imported = client.post(f"{base}/import", json=dump)
    assert imported.json() == {"user_id": "alice", "pages_imported": len(ALICE)}
    assert client.get(f"{base}/pages").json()["total"] == len(ALICE)
    assert client.get(f"{base}/segments/{octopus['id']}").json()["page_count"] == 2
    assert error_of(client.post(f"{base}/import", json=dump), 422)["code"] == "invalid_input"  # not empty
    seed(client, "bob", BOB)
    assert client.get("/v1/users").json()["users"] == ["alice", "bob"]

    # deleting: a page, a whole segment
    assert client.delete(f"{base}/pages/{ids[0]}").json()["deleted"] == ids[0]
    assert error_of(client.get(f"{base}/pages/{ids[0]}"), 404)["code"] == "not_found"
    gone = client.delete(f"{base}/segments/{octopus['id']}").json()
    assert gone == {"user_id": "alice", "deleted": octopus["id"], "pages_deleted": 2}
    assert error_of(client.get(f"{base}/segments/{octopus['id']}"), 404)["code"] == "not_found"
    assert client.get(f"{base}/pages/{ids[1]}").status_code == 404
    assert client.get(f"{base}/pages").json()["total"] == len(ALICE) - 3
    assert client.get("/v1/users/bob/pages").json()["total"] == len(BOB)  # other users untouched


def test_retrieve_counts_a_visit_and_search_does_not(make_client: MakeClient) -> None:
    client = make_client(mid_term_heat_threshold=50.0)  # nothing gets hot enough to be promoted (and reset)
    seed(client, "alice", ALICE)
    segments = client.get("/v1/users/alice/segments").json()["items"]
    octopus = next(s for s in segments if "octopus" in s["keywords"])
    url = f"/v1/users/alice/segments/{octopus['id']}"
    query = {"query": "octopus underwater cameras"}
    assert client.post("/v1/users/alice/search", json=query).json()["visited_segment_ids"] == []
    assert client.get(url).json()["n_visit"] == octopus["n_visit"]
    assert client.post("/v1/users/alice/retrieve", json=query).json()["visited_segment_ids"] == [octopus["id"]]
    after = client.get(url).json()
    assert after["n_visit"] == octopus["n_visit"] + 1 and after["heat_components"]["visits"] == after["n_visit"]
    assert not after["hot"]


def test_two_users_are_isolated(make_client: MakeClient) -> None:
    client = make_client()
    alice_ids = seed(client, "alice", ALICE)
    bob_ids = seed(client, "bob", BOB)
    fact = client.post("/v1/users/alice/knowledge", json={"text": "Alice keeps bees on her roof."}).json()["id"]
    segment = client.get("/v1/users/alice/segments").json()["items"][0]["id"]

    # bob's paths never reach alice's rows, even with her ids
    assert client.get(f"/v1/users/bob/pages/{alice_ids[0]}").status_code == 404
    assert client.delete(f"/v1/users/bob/pages/{alice_ids[0]}").status_code == 404
    assert client.get(f"/v1/users/bob/segments/{segment}").status_code == 404
    assert client.delete(f"/v1/users/bob/segments/{segment}").status_code == 404
    assert client.delete(f"/v1/users/bob/knowledge/{fact}").status_code == 404
    recalled = client.post("/v1/users/bob/retrieve", json={"query": "octopus bees Lisbon"}).json()
    bob_search = json.dumps({k: v for k, v in recalled.items() if k != "query"})
    assert "Alice" not in bob_search and "octopus" not in bob_search and "synthesizer" in bob_search
    bob_export = client.get("/v1/users/bob/export").json()
    assert sorted(p["id"] for p in bob_export["pages"]) == sorted(bob_ids) and bob_export["knowledge"] == []
    assert client.get("/v1/users/bob/pages").json()["total"] == len(BOB)
    client.delete("/v1/users/bob", params={"confirm": "true"})
    assert client.get("/v1/users/alice/pages").json()["total"] == len(ALICE)
    assert client.get("/v1/users/alice/knowledge").json()["items"][-1]["id"] == fact


# ---- errors ----


def test_errors_have_stable_codes(make_client: MakeClient, tmp_path: Path) -> None:
    client = make_client(max_input_chars=1000)
    seed(client, "alice", ALICE[:1])
    base = "/v1/users/alice"
    for path in ("/pages/nope", "/segments/nope"):
        assert error_of(client.get(base + path), 404)["code"] == "not_found"
    assert error_of(client.delete(f"{base}/knowledge/nope"), 404)["code"] == "not_found"
    assert error_of(client.get("/v1/no-such-thing"), 404)["code"] == "not_found"
    assert error_of(client.put("/health"), 405)["code"] == "method_not_allowed"

    invalid = [
        client.post(f"{base}/memories", json={"user_input": ["not", "text"], "agent_response": "x"}),
        client.post(f"{base}/memories", json={"user_input": "", "agent_response": "  "}),  # the library's check
        client.post(f"{base}/memories", json={"user_input": "x", "timestamp": "not a time"}),
        client.post(f"{base}/memories", json={"user_input": "x", "surprise": 1}),
        client.post(f"{base}/retrieve", json={}),
        client.post(f"{base}/search", json={"query": "x", "max_pages": -1}),
        client.post(f"{base}/search", json={"query": "x", "max_results": 1001}),
        client.post(f"{base}/search", json={"query": "x", "max_results": 1, "max_pages": 2}),  # which one?
        client.post(f"{base}/knowledge", json={"text": "x", "kind": "robot"}),
        client.post(f"{base}/knowledge", json={"text": "   "}),
        client.get(f"{base}/pages", params={"tier": "long"}),
        client.get(f"{base}/pages", params={"limit": 0}),
        client.get(f"{base}/segments", params={"status": "lost"}),
        client.get(f"{base}/segments?min_heat=1&min_heat=2"),  # which one was meant? refused, not guessed
        client.get(f"{base}/pages", params={"limt": 5}),  # a misspelt parameter is not silently ignored
        client.get("/v1/users/al%01ice/pages"),  # a control character in the user id
        client.post("/v1/users/carol/import", json={"format": "something else"}),
        client.delete(base),  # forgetting needs confirm=true
    ]
    for response in invalid:
        error = error_of(response, 422)
        assert error["code"] == "invalid_input" and error["message"]
    assert "user_input" in invalid[0].json()["error"]["message"]
    assert "confirm=true" in invalid[-1].json()["error"]["message"]
    not_json = client.post(f"{base}/memories", content=b"{not json", headers={"Content-Type": "application/json"})
    assert error_of(not_json, 400)["message"].startswith("request body is not valid JSON: Expecting property name")
    too_long = client.post(f"{base}/memories", json={"user_input": "x" * 1001, "agent_response": "ok"})
    assert error_of(too_long, 413)["code"] == "input_too_large"

    no_llm = error_of(client.post(f"{base}/respond", json={"query": "What should I cook?"}), 409)
    assert no_llm["code"] == "llm_not_configured" and "OpenAI-compatible" in no_llm["message"]

    # a read-only store: writes fail in storage
    db = tmp_path / "data" / "memoryos.db"
    read_only = make_client(f"sqlite:///{db}?mode=ro")
    assert read_only.get(f"{base}/pages").json()["total"] == 1
    assert error_of(read_only.post(f"{base}/memories", json={"user_input": "x"}), 503)["code"] == "storage_unavailable"


def test_respond_with_an_llm_and_llm_failures(make_client: MakeClient) -> None:
    llm = ScriptedLLM()
    client = make_client(objects={"llm": llm})
    answer = client.post("/v1/users/alice/respond", json={"query": "Hello there", "style_hint": "brief"})
    assert answer.json() == {"user_id": "alice", "answer": "scripted answer"}
    assert client.get("/v1/users/alice/pages").json()["items"][0]["user_input"] == "Hello there"
    assert client.get("/v1/info").json()["mode"] == "no-llm"  # the configured mode; the injected LLM is a test's
    llm.queue_for("generation", LLMError("the endpoint is down"))
    assert error_of(client.post("/v1/users/alice/respond", json={"query": "Again?"}), 502)["code"] == "llm_error"


def test_unexpected_errors_are_500_without_details(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(raise_server_exceptions=False)
    from memoryos import Memoryos

    def broken(self: Memoryos) -> dict[str, Any]:
        raise RuntimeError("secret internals at /srv/private/path")

    monkeypatch.setattr(Memoryos, "stats", broken)
    error = error_of(client.get("/v1/users/alice/stats"), 500)
    assert error["code"] == "internal_error" and "/srv/private" not in error["message"]


# ---- auth ----


def test_bearer_tokens_and_allowed_users(make_client: MakeClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    policy = TokenPolicy.from_mapping({"tokens": {ALICE_TOKEN: ["alice", "bob"], ADMIN_TOKEN: "*"}})
    client = make_client(tokens=policy)
    alice = {"Authorization": f"Bearer {ALICE_TOKEN}"}
    admin = {"Authorization": f"bearer {ADMIN_TOKEN}"}  # the scheme is case-insensitive
    seed(client, "alice", ALICE[:2], **alice)
    seed(client, "carol", BOB[:1], **admin)

    assert client.get("/health").status_code == 200  # liveness needs no token
    assert client.get("/").status_code == 200  # nor does the inspector's page: its API calls do
    missing = client.get("/v1/users/alice/pages")
    assert error_of(missing, 401)["code"] == "unauthorized" and missing.headers["www-authenticate"].startswith("Bearer")
    for header in (f"Bearer {ALICE_TOKEN}x", f"Basic {ALICE_TOKEN}", "Bearer", ALICE_TOKEN):
        assert error_of(client.get("/v1/users/alice/pages", headers={"Authorization": header}), 401)
    assert error_of(client.get("/v1/info"), 401)["code"] == "unauthorized"

    assert client.get("/v1/users/alice/pages", headers=alice).json()["total"] == 2
    assert client.get("/v1/users/bob/pages", headers=alice).json()["total"] == 0
    denied = client.get("/v1/users/carol/pages", headers=alice)
    assert error_of(denied, 403)["code"] == "forbidden"
    for response in (
        client.post("/v1/users/carol/search", json={"query": "synthesizer"}, headers=alice),
        client.delete("/v1/users/carol", params={"confirm": True}, headers=alice),
        client.get("/v1/users/carol/export", headers=alice),
    ):
        assert error_of(response, 403)["code"] == "forbidden"
    assert client.get("/v1/users/carol/pages", headers=admin).json()["total"] == 1
    assert client.get("/v1/users", headers=alice).json()["users"] == ["alice"]  # carol is hidden from this token
    assert client.get("/v1/users", headers=admin).json()["users"] == ["alice", "carol"]
    assert client.get("/v1/info", headers=alice).json()["auth_required"] is True

    everything = caplog.text + json.dumps([missing.json(), denied.json()])
    assert ALICE_TOKEN not in everything and ADMIN_TOKEN not in everything
    assert ALICE_TOKEN not in repr(policy)


def test_the_auth_rule() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.8.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.10") and not is_loopback("example.org")
    assert Authenticator(None, "127.0.0.1").authenticate(None).allows("anyone")  # loopback, no token: open
    with pytest.raises(ConfigError, match="without a token"):
        Authenticator(None, "0.0.0.0")
    off_loopback = Authenticator(TokenPolicy.from_tokens([ADMIN_TOKEN]), "0.0.0.0")
    assert off_loopback.required and off_loopback.authorize(f"Bearer {ADMIN_TOKEN}", "zoe").allows("zoe")
    with pytest.raises(Unauthorized):
        off_loopback.authenticate(None)
    limited = Authenticator(TokenPolicy({ALICE_TOKEN: ["alice"]}))
    with pytest.raises(Forbidden):
        limited.authorize(f"Bearer {ALICE_TOKEN}", "bob")
    # worker processes get digests only, and they authenticate the same
    copied = Authenticator(TokenPolicy.from_digests(TokenPolicy({ALICE_TOKEN: ["alice"]}).digests()))
    assert copied.authorize(f"Bearer {ALICE_TOKEN}", "alice").allows("alice")
    assert ALICE_TOKEN not in json.dumps(TokenPolicy({ALICE_TOKEN: "*"}).digests())
    for bad in ({"short": "*"}, {ALICE_TOKEN: []}, {ALICE_TOKEN: "alice"}, {f" {ALICE_TOKEN}": "*"}):
        with pytest.raises(ConfigError) as caught:
            TokenPolicy(bad)
        assert ALICE_TOKEN not in str(caught.value) and "short" not in str(caught.value)


def test_token_files(tmp_path: Path) -> None:
    good = tmp_path / "tokens.json"
    good.write_text(json.dumps({"tokens": {ALICE_TOKEN: ["alice", "bob"], ADMIN_TOKEN: "*"}}))
    policy = TokenPolicy.from_file(good)
    assert len(policy) == 2 and policy.match(ALICE_TOKEN).allows("bob") and not policy.match(ALICE_TOKEN).allows("x")
    broken = tmp_path / "broken.json"
    broken.write_text('{"tokens": {"' + ALICE_TOKEN + '": ')
    with pytest.raises(ConfigError) as caught:
        TokenPolicy.from_file(broken)
    assert ALICE_TOKEN not in str(caught.value)
    with pytest.raises(ConfigError, match="does not exist"):
        TokenPolicy.from_file(tmp_path / "missing.json")
    with pytest.raises(ConfigError):
        TokenPolicy.from_mapping(["not", "an", "object"])


# ---- property-based: the OpenAPI schema, fuzzed ----


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[Any]:
    """One seeded app for every fuzzed operation (module scope: seeding per operation would dominate the run)."""
    # with a token, so that schemathesis's auth checks (missing or ignored credentials) apply too
    tokens = TokenPolicy({ADMIN_TOKEN: "*"})
    app = create_app(
        settings(tmp_path_factory.mktemp("fuzz"), max_input_chars=5000),
        tokens=tokens,
        allowed_hosts=["testserver"],  # the Host schemathesis sends
        embedder=embedder,
        clock=ManualClock(),
    )
    with TestClient(app) as client:
        seed(client, "alice", ALICE, Authorization=f"Bearer {ADMIN_TOKEN}")
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


fuzzed = schemathesis.pytest.from_fixture("api_schema")


@fuzzed.parametrize()
@hypothesis_settings(
    max_examples=15, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_schema_fuzzing_finds_no_server_errors(case: Any) -> None:
    """Generated requests (valid and invalid) get documented answers that match the schema, and never a 500.

    Every check runs but one: the library validates meaning the schema cannot state (an exchange needs a
    non-empty side, an export must be coherent, forgetting needs confirm=true) and answers such schema-valid
    requests with 422 invalid_input by design, which `positive_data_acceptance` would call a failure."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, excluded_checks=[positive_data_acceptance]
    )
