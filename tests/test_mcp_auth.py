"""Bearer tokens on the streamable HTTP MCP transport: 401 without a valid token, per-token user ids, and no
unauthenticated server on a non-loopback address."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from test_mcp_helpers import free_port

from memoryos import ConfigError
from memoryos.interfaces.auth import TokenPolicy
from memoryos.interfaces.mcp_server import MemoryServer

ALICE_TOKEN = "alice-token-0123456789"
ADMIN_TOKEN = "admin-token-0123456789"


@pytest.fixture
def server_url(tmp_path: Path, embedder) -> Any:
    policy = TokenPolicy({ALICE_TOKEN: ["alice"], ADMIN_TOKEN: "*"})
    server = MemoryServer({"user_id": "alice", "data_storage_path": str(tmp_path / "data")}, sampling=False,
                          tokens=policy, embedder=embedder)
    port = free_port()
    config = uvicorn.Config(server.http_app("127.0.0.1"), host="127.0.0.1", port=port, log_config=None)
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not runner.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/mcp"
    runner.should_exit = True
    thread.join(timeout=10)
    server.pool.close()


def _client(url: str, token: str) -> Client:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    return Client(streamable_http_client(url, http_client=http))


def test_requests_without_a_valid_token_are_refused(server_url: str) -> None:
    probe = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    for headers in ({}, {"Authorization": "Bearer wrong-token-000000"}, {"Authorization": "Basic abc"}):
        response = httpx.post(server_url, json=probe, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert ALICE_TOKEN not in response.text and ADMIN_TOKEN not in response.text


def test_each_token_reaches_only_its_users(server_url: str) -> None:
    async def main() -> None:
        async with _client(server_url, ALICE_TOKEN) as alice:
            ok = await alice.call_tool("add_memory", {"user_input": "I sail a dinghy.", "agent_response": "Fun!"})
            assert not ok.is_error, ok.content
            denied = await alice.call_tool("search_memory", {"query": "dinghy", "user_id": "bob"})
            assert denied.is_error and "forbidden" in denied.content[0].text  # type: ignore[union-attr]
            with pytest.raises(Exception, match="forbidden"):
                await alice.read_resource("memoryos://users/bob/profile")
        async with _client(server_url, ADMIN_TOKEN) as admin:
            for user in ("alice", "bob"):
                result = await admin.call_tool("memory_stats", {"user_id": user})
                assert not result.is_error, result.content

    anyio.run(main)


def test_no_open_server_beyond_loopback(tmp_path: Path, embedder) -> None:
    server = MemoryServer({"user_id": "x", "data_storage_path": str(tmp_path / "d")}, sampling=False, embedder=embedder)
    try:
        with pytest.raises(ConfigError, match="without a token"):
            server.http_app("0.0.0.0")
        assert server.http_app("127.0.0.1") is not None
    finally:
        server.pool.close()
