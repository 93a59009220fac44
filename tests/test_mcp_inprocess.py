"""The MCP server in-process (the SDK's own client, the session's real embedder): tools, errors, users, sampling."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from doubles import ManualClock
from mcp import Client
from test_mcp_helpers import BOB, TOM, TOOLS, ScriptedSampler, poll

from memoryos.errors import StorageError
from memoryos.interfaces.mcp_server import MemoryServer
from memoryos.models import Fact, FactInvalidation

SETTINGS = {"user_id": "alice", "short_term_capacity": 3, "mid_term_heat_threshold": 1.0}


@pytest.fixture
def make_server(tmp_path: Path, embedder: Any) -> Iterator[Any]:
    servers: list[MemoryServer] = []

    def factory(**settings: Any) -> MemoryServer:
        server = MemoryServer({"data_storage_path": str(tmp_path / "data"), **SETTINGS, **settings}, embedder=embedder)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.pool.close()


def run(main: Any) -> Any:
    return anyio.run(main)


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    return result.structured_content or {}


async def error(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result.structured_content
    return result.content[0].text  # type: ignore[union-attr]


def remembered(context: dict[str, Any]) -> str:
    """Every remembered text of a retrieval result (not the echoed query)."""
    pages = context["short_term_memory"] + context["retrieved_pages"]
    facts = context["user_knowledge"] + context["assistant_knowledge"]
    return json.dumps([pages, facts, context["user_profile"]])


def test_tools_are_typed_and_described(make_server: Any) -> None:
    async def main() -> None:
        async with Client(make_server().mcp) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert set(tools) == TOOLS
            for tool in tools.values():
                assert tool.description and len(tool.description) > 40
                assert "user_id" in tool.input_schema["properties"], tool.name
                assert tool.output_schema is not None, tool.name
            retrieve = tools["retrieve_memory"]
            assert {"query", "relationship_with_user", "style_hint", "max_results"} <= set(
                retrieve.input_schema["properties"]
            )
            assert retrieve.input_schema["required"] == ["query"]
            assert {"retrieved_pages", "short_term_memory", "user_profile"} <= set(
                retrieve.output_schema["properties"]  # type: ignore[index]
            )
            assert tools["forget_user"].annotations.destructive_hint  # type: ignore[union-attr]

    run(main)


def test_add_retrieve_search_delete(make_server: Any) -> None:
    async def main() -> None:
        async with Client(make_server().mcp) as client:
            ids = [(await call(client, "add_memory", user_input=u, agent_response=a))["page_id"] for u, a in TOM]
            context = await call(client, "retrieve_memory", query="What is my job?", relationship_with_user="coach")
            assert context["user_id"] == "alice" and context["relationship_with_user"] == "coach"
            every = context["short_term_memory"] + context["retrieved_pages"]
            assert any("data scientist" in p["user_input"] for p in every)
            assert all(p["time"] and p["id"] for p in every)
            assert all(p["score"] is not None for p in context["retrieved_pages"])
            assert "data scientist" in context["context"]

            found = await call(client, "search_memory", query="hiking dog Biscuit", max_results=2)
            assert len(found["retrieved_pages"]) <= 2

            await call(client, "delete_memory", page_id=ids[0])
            assert "not found" in await error(client, "delete_memory", page_id=ids[0])
            stats = await call(client, "memory_stats")
            assert sum(stats["pages"].values()) == len(TOM) - 1
            assert stats["mode"] == "no-llm"

    run(main)


def test_bad_arguments_become_tool_errors(make_server: Any) -> None:
    async def main() -> None:
        async with Client(make_server().mcp) as client:
            assert "user_input" in await error(client, "add_memory", agent_response="only half")
            assert "invalid argument" in await error(client, "add_memory", user_input="", agent_response=" ")
            late = await error(client, "add_memory", user_input="x", agent_response="y", timestamp="soon")
            assert "timestamp" in late
            assert "max_results" in await error(client, "retrieve_memory", query="x", max_results=0)
            assert "user_id" in await error(client, "memory_stats", user_id="bad\nid")
            assert "confirm" in await error(client, "forget_user", confirm=False)
            assert "not found" in await error(client, "delete_memory", page_id="no-such-page")
            # the server keeps serving after every one of them
            assert (await call(client, "memory_stats"))["user_id"] == "alice"

    run(main)


def test_two_users_never_see_each_other(make_server: Any) -> None:
    async def main() -> None:
        async with Client(make_server().mcp) as client:
            for user_input, agent_response in TOM:
                await call(client, "add_memory", user_input=user_input, agent_response=agent_response)
            await call(client, "add_memory", user_input=BOB[0], agent_response=BOB[1], user_id="bob")
            for query in ("synthesizers", "data scientist", "What do you know about me?"):
                bob = remembered(await call(client, "search_memory", query=query, user_id="bob"))
                assert "Tom" not in bob and "synthesizers" in bob
                alice = remembered(await call(client, "retrieve_memory", query=query))
                assert "synthesizer" not in alice and "Tom" in alice
            forgot = await call(client, "forget_user", confirm=True, user_id="bob")
            assert forgot == {"user_id": "bob", "pages_deleted": 1}
            assert sum((await call(client, "memory_stats"))["pages"].values()) == len(TOM)

    run(main)


def test_resources_show_profile_and_knowledge(make_server: Any) -> None:
    async def main() -> None:
        async with Client(make_server().mcp) as client:
            uris = {str(r.uri) for r in (await client.list_resources()).resources}
            assert {"memoryos://profile", "memoryos://knowledge"} <= uris
            templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
            assert {"memoryos://users/{user_id}/profile", "memoryos://users/{user_id}/knowledge"} <= templates
            await call(client, "add_memory", user_input=BOB[0], agent_response=BOB[1], user_id="bob")
            knowledge = await client.read_resource("memoryos://users/bob/knowledge")
            assert json.loads(knowledge.contents[0].text) == {"user": [], "assistant": []}  # type: ignore[union-attr]
            profile = await client.read_resource("memoryos://profile")
            assert profile.contents[0].text == ""  # type: ignore[union-attr]

    run(main)


def test_sampling_gives_consolidation_the_clients_model(make_server: Any) -> None:
    sampler = ScriptedSampler()
    server = make_server()
    assert server.bridge is not None and "MCP sampling" in server.llm_mode()

    async def main() -> None:
        async with Client(server.mcp, mode="legacy", sampling_callback=sampler) as client:
            await client.read_resource("memoryos://profile")  # opens the user's memory before any tool call
            for user_input, agent_response in TOM:
                await call(client, "add_memory", user_input=user_input, agent_response=agent_response)

            async def promoted() -> Any:
                return (await call(client, "get_user_profile"))["profile"]

            profile = await poll(promoted, timeout=30)
            assert profile.startswith("The user said:")  # the scripted client model wrote it
            stats = await call(client, "memory_stats")
            assert stats["mode"] == "llm" and stats["llm_usage"]["consolidation"]["calls"] >= 1

    run(main)
    assert "consolidation" in sampler.calls and "profile_knowledge" in sampler.calls


def test_no_sampling_without_a_back_channel(make_server: Any) -> None:
    """2026-07-28 connections cannot carry a server-initiated request: the server stays in no-LLM mode."""
    sampler = ScriptedSampler()

    async def main() -> None:
        async with Client(make_server().mcp, sampling_callback=sampler) as client:
            for user_input, agent_response in TOM:
                await call(client, "add_memory", user_input=user_input, agent_response=agent_response)
            assert (await call(client, "memory_stats"))["mode"] == "no-llm"

    run(main)
    assert sampler.calls == []


def test_storage_failure_is_a_tool_error(make_server: Any) -> None:
    server = make_server()

    def broken() -> None:
        raise StorageError("database or disk is full")

    async def main() -> None:
        async with Client(server.mcp) as client:
            await call(client, "memory_stats")
            with server.pool.use("alice") as memo:
                memo.stats = broken  # type: ignore[method-assign]
            message = await error(client, "memory_stats")
            assert "storage failure: database or disk is full" in message

    run(main)


def test_configured_endpoint_wins_over_sampling(make_server: Any) -> None:
    server = make_server(openai_base_url="http://127.0.0.1:9/v1", llm_model="m")
    assert server.bridge is None
    assert server.llm_mode() == "OpenAI-compatible endpoint http://127.0.0.1:9/v1, model m"
    plain = MemoryServer(dict(SETTINGS, data_storage_path=server.config.data_storage_path), sampling=False)
    assert plain.bridge is None and plain.llm_mode() == "none (no-LLM extractive mode)"


def test_knowledge_tools_show_time_and_forget_on_purpose(tmp_path: Path, embedder: Any) -> None:
    day = 86_400.0
    clock = ManualClock()
    server = MemoryServer({"data_storage_path": str(tmp_path / "data"), **SETTINGS}, embedder=embedder, clock=clock)

    async def main() -> None:
        async with Client(server.mcp) as client:
            brief = await call(
                client, "add_memory", user_input="My locker code is tulip.", agent_response="Noted.", ttl_seconds=3600
            )
            assert "tulip" in remembered(await call(client, "search_memory", query="locker code"))
            trip = await call(
                client, "add_knowledge", text="Tom is in Rome for a conference.", valid_until=clock.now + day
            )
            home = await call(client, "add_knowledge", text="Tom lives in Lisbon.")
            profile = await call(client, "get_user_profile")
            entries = {e["id"]: e for e in profile["user_knowledge"]}
            assert entries[trip["id"]]["expires_at"] == clock.now + day and entries[trip["id"]]["current"] is True
            assert entries[home["id"]]["expires_at"] is None and entries[home["id"]]["valid_until"] is None

            # a move written as the storage contract records it: Lisbon closed, superseded by Berlin
            with server.pool.use("alice") as memo:
                vector = memo.embedder.embed(["Tom lives in Berlin."])[0]
                berlin = Fact(
                    "berlin-fact",
                    "user",
                    "Tom lives in Berlin.",
                    [],
                    clock.now,
                    "manual",
                    vector,
                    observed_at=clock.now,
                    valid_from=clock.now,
                    attribute="residence",
                )
                closing = FactInvalidation(home["id"], clock.now, clock.now, berlin.id)
                memo.store.add_facts(memo.scope, [berlin], [], [closing])
            history = await call(client, "knowledge_history", fact_id=home["id"])
            assert [(e["id"], e["current"]) for e in history["history"]] == [(home["id"], False), ("berlin-fact", True)]
            assert history["history"][0]["superseded_by"] == "berlin-fact"
            current = await call(client, "get_user_profile")
            assert home["id"] not in str(current["user_knowledge"])
            everything = await call(client, "get_user_profile", include_history=True)
            assert any(e["id"] == home["id"] and e["current"] is False for e in everything["user_knowledge"])

            closed = await call(client, "invalidate_knowledge", fact_id="berlin-fact")
            assert closed["id"] == "berlin-fact" and closed["current"] is False and closed["valid_until"] == clock.now

            clock.advance(day)  # the trip and the locker code are forgotten at once
            profile = await call(client, "get_user_profile", include_history=True)
            assert "Rome" not in str(profile) and "tulip" not in remembered(
                await call(client, "search_memory", query="locker code")
            )
            found = await call(client, "search_memory", query="locker code", max_results=100)
            assert brief["page_id"] not in str(found)

            assert "ttl_seconds" in await error(client, "add_memory", user_input="x", agent_response="y", ttl_seconds=0)
            late = await error(client, "add_knowledge", text="Tom was in Paris.", valid_until=clock.now - 1)
            assert "invalid argument: valid_until" in late and "future" in late
            assert "not found" in await error(client, "knowledge_history", fact_id="no-such-fact")
            assert "not found" in await error(client, "invalidate_knowledge", fact_id="no-such-fact")
            assert "invalid argument" in await error(
                client, "invalidate_knowledge", fact_id=trip["id"], valid_until="whenever"
            )

    try:
        run(main)
    finally:
        server.pool.close()
