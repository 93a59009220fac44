"""Input limits and malformed requests on the HTTP shells (issue 10, items 4 and 7): meta_data and request
bodies have a size limit answered with 413 input_too_large, over-long texts get 413 (not pydantic's 422), a body
that is not JSON gets 400 with a readable message, and undecodable percent-escapes never merge two user ids."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from mcp import Client
from rest_helpers import settings

from memoryos import InputTooLarge, InvalidInput, Memoryos
from memoryos.config import MemoryosConfig
from memoryos.interfaces.http_guard import default_max_body_bytes, percent_decodes
from memoryos.interfaces.mcp_server import MemoryServer
from memoryos.interfaces.rest import DEFAULT_MAX_IMPORT_BYTES, create_app

JSON = {"Content-Type": "application/json"}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def error(response: Any, status: int) -> dict[str, str]:
    assert response.status_code == status, (response.status_code, response.text[:500])
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return body["error"]


@pytest.fixture
def rest(tmp_path: Path, embedder: Any) -> Iterator[Any]:
    opened: list[TestClient] = []

    def make(**options: Any) -> TestClient:
        extra = options.pop("settings", {})
        app = create_app(settings(tmp_path / f"app{len(opened)}", **extra), embedder=embedder, **options)
        client = TestClient(app, base_url="http://127.0.0.1:8000")
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


# ---- item 4: meta_data and body limits ----


def test_library_limits_serialized_meta_data(tmp_path: Path, embedder: Any) -> None:
    assert MemoryosConfig().max_meta_data_bytes == 65_536
    memo = Memoryos(
        user_id="u",
        data_storage_path=str(tmp_path),
        embedder=embedder,
        background_upkeep=False,
        max_meta_data_bytes=100,
    )
    try:
        at_limit = {"k": "x" * (100 - len('{"k": ""}'))}
        assert len(json.dumps(at_limit).encode()) == 100
        memo.add_memory("hello", "hi", meta_data=at_limit)
        with pytest.raises(InputTooLarge, match="max_meta_data_bytes"):
            memo.add_memory("hello", "hi", meta_data={"k": "x" * 92})
        with pytest.raises(InputTooLarge):  # UTF-8 bytes, not characters: 50 'é' take 100 bytes
            memo.add_memory("hello", "hi", meta_data={"k": "é" * 50})
        deep: dict[str, Any] = {}
        for _ in range(100_000):
            deep = {"k": deep}
        with pytest.raises(InvalidInput, match="nested too deeply"):
            memo.add_memory("hello", "hi", meta_data=deep)
        assert len(memo.list_pages()) == 1
    finally:
        memo.close()


def test_rest_over_limit_text_and_meta_data_get_413(rest: Any) -> None:
    """With the default max_input_chars (1,000,000), one character more is the library's 413, not a 422."""
    client = rest()
    base = "/v1/users/alice"
    too_long = "x" * 1_000_001
    for path, body in (
        ("/memories", {"user_input": too_long}),
        ("/memories", {"user_input": "hi", "agent_response": too_long}),
        ("/retrieve", {"query": too_long}),
        ("/search", {"query": too_long}),
        ("/knowledge", {"text": too_long}),
    ):
        refused = error(client.post(base + path, json=body), 413)
        assert refused["code"] == "input_too_large" and "max_input_chars" in refused["message"], path
    big_meta = {"user_input": "hi", "meta_data": {"blob": "y" * 70_000}}
    refused = error(client.post(base + "/memories", json=big_meta), 413)
    assert refused["code"] == "input_too_large" and "max_meta_data_bytes" in refused["message"]
    assert client.get(base + "/stats").json()["pages"]["short"] == 0
    fits = client.post(base + "/memories", json={"user_input": "hi", "meta_data": {"b": "y" * 60_000}})
    assert fits.status_code == 201, fits.text
    # the OpenAPI document states no text length the server does not enforce with the same answer
    schema = json.dumps(client.get("/openapi.json").json()["components"]["schemas"]["AddMemoryRequest"])
    assert "maxLength" not in schema and "max_input_chars" in schema and "max_meta_data_bytes" in schema


def test_rest_request_bodies_have_a_limit(rest: Any) -> None:
    assert default_max_body_bytes(1_000_000, 65_536) == 12_458_752
    client = rest(max_body_bytes=5_000, max_import_bytes=50_000)
    base = "/v1/users/alice"
    body = json.dumps({"user_input": "z" * 6_000}).encode()
    # by Content-Length, before the application reads anything
    assert error(client.post(base + "/memories", content=body, headers=JSON), 413)["code"] == "input_too_large"
    # a chunked body (no Content-Length) is counted as it streams in
    chunks = iter([body[:3_000], body[3_000:]])
    assert error(client.post(base + "/memories", content=chunks, headers=JSON), 413)["code"] == "input_too_large"
    assert client.post(base + "/memories", content=iter([b'{"user_input": ', b'"fits"}']), headers=JSON).is_success
    # an import takes a whole export: it has its own, larger limit
    export = {"format": "memoryos-export", "version": 1, "user_id": "alice", "pages": [], "padding": "p" * 20_000}
    answered = client.post("/v1/users/carol/import", json=export)
    assert answered.status_code != 413, answered.text  # the library's answer, whatever it thinks of the export
    huge = {**export, "padding": "p" * 60_000}
    assert error(client.post("/v1/users/carol/import", json=huge), 413)["code"] == "input_too_large"
    assert client.get(base + "/stats").json()["pages"]["short"] == 1
    bad_length = client.post(base + "/memories", content=b"{}", headers={**JSON, "Content-Length": "x"})
    assert error(bad_length, 400)["code"] == "bad_request"
    # defaults: from max_input_chars and max_meta_data_bytes; imports get at least 64 MiB
    small = rest(settings={"max_input_chars": 1_000})
    assert error(small.post(base + "/memories", content=b" " * 500_000, headers=JSON), 413)["code"] == "input_too_large"
    assert DEFAULT_MAX_IMPORT_BYTES == 64 * 1024 * 1024


def test_mcp_http_request_bodies_have_a_limit(tmp_path: Path, embedder: Any) -> None:
    server = MemoryServer({"user_id": "alice", "data_storage_path": str(tmp_path)}, sampling=False, embedder=embedder)
    try:
        accept = {"Accept": "application/json, text/event-stream", **JSON}
        with TestClient(server.http_app("127.0.0.1", max_body_bytes=4_000), base_url="http://127.0.0.1") as client:
            assert client.post("/mcp", json=INIT, headers=accept).status_code == 200
            padded = json.dumps({**INIT, "padding": "p" * 5_000}).encode()
            assert error(client.post("/mcp", content=padded, headers=accept), 413)["code"] == "input_too_large"
            chunked = iter([padded[:2_500], padded[2_500:]])
            assert error(client.post("/mcp", content=chunked, headers=accept), 413)["code"] == "input_too_large"

        async def main() -> None:
            async with Client(server.mcp) as mcp:
                result = await mcp.call_tool(
                    "add_memory", {"user_input": "hi", "agent_response": "ok", "meta_data": {"b": "y" * 70_000}}
                )
                assert result.is_error and "max_meta_data_bytes" in result.content[0].text  # type: ignore[union-attr]

        anyio.run(main)
    finally:
        server.pool.close()


# ---- item 7: a body that is not JSON ----


def test_rest_body_that_is_not_json_gets_400_with_a_readable_message(rest: Any) -> None:
    client = rest()
    for body, message in (
        (b'{"user_input": "a" "x"}', "request body is not valid JSON: Expecting ',' delimiter at line 1, column 20"),
        (b"{not json", "request body is not valid JSON: Expecting property name enclosed in double quotes at line 1"),
        (b'{\n  "user_input": "a",\n  "agent_response": }', "Expecting value at line 3, column 21"),
        (b"hello", "request body is not valid JSON: Expecting value at line 1, column 1"),
        (b'{"user_input": "\xff"}', "request body is not valid JSON: not UTF-8 text"),
    ):
        refused = error(client.post("/v1/users/alice/memories", content=body, headers=JSON), 400)
        assert refused["code"] == "invalid_input" and message in refused["message"], refused
    # valid JSON of the wrong shape is still a 422
    assert error(client.post("/v1/users/alice/memories", json=[1, 2]), 422)["code"] == "invalid_input"
    assert client.get("/v1/users/alice/stats").json()["pages"]["short"] == 0


# ---- item 7: undecodable user ids ----


def test_rest_undecodable_percent_escapes_are_refused_not_merged(rest: Any) -> None:
    client = rest()
    for escape in ("%FF", "%FE", "%C3", "%ED%A0%80"):  # not UTF-8; a truncated sequence; an encoded surrogate
        added = client.post(f"/v1/users/{escape}/memories", json={"user_input": f"I am {escape}"})
        assert error(added, 400)["code"] == "invalid_input", escape
        assert error(client.get(f"/v1/users/{escape}/export"), 400)["code"] == "invalid_input"
    assert error(client.get("/v1/users/alice/pages?segment_id=%FF"), 400)["code"] == "invalid_input"
    assert client.get("/v1/users").json()["users"] == []
    # UTF-8 escapes are ids like any other, U+FFFD itself included, and stay distinct
    for escape, user in (("%C3%A9", "é"), ("%EF%BF%BD", "\ufffd")):
        created = client.post(f"/v1/users/{escape}/memories", json={"user_input": f"I am {user}"})
        assert created.status_code == 201 and created.json()["user_id"] == user
    assert sorted(client.get("/v1/users").json()["users"]) == ["é", "\ufffd"]


def test_mcp_undecodable_resource_uris_are_refused(tmp_path: Path, embedder: Any) -> None:
    """Tool arguments are JSON text (no percent-decoding; ids that are not Unicode are refused by the library),
    but resource URIs are percent-decoded by the SDK: %FF and %FE must not both read the user U+FFFD."""
    assert not percent_decodes("memoryos://users/\udcff/profile") and percent_decodes("memoryos://users/é/profile")
    server = MemoryServer({"user_id": "alice", "data_storage_path": str(tmp_path)}, sampling=False, embedder=embedder)

    async def main() -> None:
        async with Client(server.mcp) as mcp:
            figs = {"user_input": "I love figs.", "agent_response": "ok", "user_id": "\ufffd"}
            added = await mcp.call_tool("add_memory", figs)
            assert not added.is_error, added.content
            for uri in ("memoryos://users/%FF/knowledge", "memoryos://users/%FE/profile"):
                with pytest.raises(Exception, match="not UTF-8"):
                    await mcp.read_resource(uri)
            knowledge = await mcp.read_resource("memoryos://users/%EF%BF%BD/knowledge")
            assert json.loads(knowledge.contents[0].text) == {"user": [], "assistant": []}  # type: ignore[union-attr]
            bad_id = await mcp.call_tool("memory_stats", {"user_id": "\udcff"})
            assert bad_id.is_error

    try:
        anyio.run(main)
    finally:
        server.pool.close()


def test_imports_apply_the_same_meta_data_limit(tmp_path: Path, embedder: Any) -> None:
    """Import paths (export restore and JSON records) refuse over-limit meta_data as add_memory does."""
    from memoryos.interfaces import import_files

    memo = Memoryos(
        user_id="u",
        data_storage_path=str(tmp_path),
        embedder=embedder,
        background_upkeep=False,
        max_meta_data_bytes=100,
    )
    try:
        memo.add_memory("hello", "hi", meta_data={"k": "small"})
        dump = memo.export()
        dump["pages"][0]["meta_data"] = {"k": "x" * 200}
        with pytest.raises(InputTooLarge, match=r"pages\[0\]\.meta_data"):
            memo.import_data(dump)  # checked before anything else, the non-empty store included
        records = import_files.records_from_items([("record 1", {"user_input": "a", "meta_data": {"k": "x" * 200}})])
        with pytest.raises(InputTooLarge, match="max_meta_data_bytes"):
            import_files.import_records(memo, records)
        assert len(memo.list_pages()) == 1
    finally:
        memo.close()
