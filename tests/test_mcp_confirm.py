"""MCP `forget_user`: only the JSON value true confirms; anything a lax parser would read as true is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from doubles import HashingEmbedder
from mcp import Client

from memoryos.interfaces.mcp_server import MemoryServer

TRUTHY_BUT_NOT_TRUE = ["yes", "true", "True", "1", "on", 1, 1.0, [True], {"confirm": True}]


@pytest.mark.parametrize("confirm", TRUTHY_BUT_NOT_TRUE, ids=repr)
def test_forget_user_deletes_only_with_a_json_true(tmp_path: Path, confirm: Any) -> None:
    server = MemoryServer({"data_storage_path": str(tmp_path), "user_id": "alice"}, embedder=HashingEmbedder())

    async def main() -> None:
        async with Client(server.mcp) as client:
            added = await client.call_tool("add_memory", {"user_input": "I live in Lisbon", "agent_response": "ok"})
            assert not added.is_error, added.content

            refused = await client.call_tool("forget_user", {"confirm": confirm})
            assert refused.is_error, f"confirm={confirm!r} deleted the user"
            message = refused.content[0].text  # type: ignore[union-attr]
            assert "confirm" in message and "boolean" in message
            stats = await client.call_tool("memory_stats", {})
            assert sum(stats.structured_content["pages"].values()) == 1  # type: ignore[index]

            # the server keeps serving, and a real JSON true still confirms
            forgot = await client.call_tool("forget_user", {"confirm": True})
            assert not forgot.is_error, forgot.content
            assert forgot.structured_content == {"user_id": "alice", "pages_deleted": 1}

    try:
        anyio.run(main)
    finally:
        server.pool.close()


def test_forget_user_schema_still_says_boolean(tmp_path: Path) -> None:
    server = MemoryServer({"data_storage_path": str(tmp_path), "user_id": "alice"}, embedder=HashingEmbedder())

    async def main() -> None:
        async with Client(server.mcp) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            schema = tools["forget_user"].input_schema
            assert schema["properties"]["confirm"]["type"] == "boolean"
            assert schema["required"] == ["confirm"]

    try:
        anyio.run(main)
    finally:
        server.pool.close()
