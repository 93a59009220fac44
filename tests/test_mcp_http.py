"""`memoryos mcp --transport http` as a subprocess on loopback, driven by the SDK's streamable-HTTP client."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from test_mcp_helpers import BOB, TOM, TOOLS, child_env, free_port, memoryos_command, poll, wait_for_port, write_config


def remembered(context: dict[str, Any]) -> str:
    return json.dumps([context["short_term_memory"], context["retrieved_pages"], context["user_knowledge"]])


def test_http_server_with_the_sdk_client(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.json", user_id="alice", short_term_capacity=3, mid_term_heat_threshold=1)
    port = free_port()
    out, err = (tmp_path / "stdout.txt").open("w"), (tmp_path / "stderr.txt").open("w")
    server = subprocess.Popen(
        [
            *memoryos_command(),
            "mcp",
            "--transport",
            "http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--config",
            str(config),
            "--data",
            str(tmp_path / "data"),
        ],
        stdout=out,
        stderr=err,
        env=child_env(),
    )

    async def main() -> None:
        async with Client(f"http://127.0.0.1:{port}/mcp", read_timeout_seconds=120) as client:

            async def call(tool: str, **arguments: Any) -> dict[str, Any]:
                result = await client.call_tool(tool, arguments)
                assert not result.is_error, result.content
                return result.structured_content or {}

            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            ids = [(await call("add_memory", user_input=u, agent_response=a))["page_id"] for u, a in TOM]
            await call("add_memory", user_input=BOB[0], agent_response=BOB[1], user_id="bob")

            alice = await call("retrieve_memory", query="What is my job?")
            assert "data scientist" in remembered(alice) and "synthesizer" not in remembered(alice)
            bob = await call("search_memory", query="data scientist", user_id="bob")
            assert "Tom" not in remembered(bob) and "synthesizer" in remembered(bob)

            async def profile() -> Any:
                return (await call("get_user_profile"))["profile"]

            text = await poll(profile, timeout=90)  # no sampling on this connection: the extractive profile
            assert "data scientist" in text
            knowledge = await client.read_resource("memoryos://users/alice/knowledge")
            assert json.loads(knowledge.contents[0].text)["user"]  # type: ignore[union-attr]

            await call("delete_memory", page_id=ids[2])
            assert ids[2] not in json.dumps(await call("search_memory", query="hiking in Marin with Biscuit"))
            bad = await client.call_tool("add_memory", {"user_input": ["not", "text"], "agent_response": "x"})
            assert bad.is_error and "user_input" in bad.content[0].text  # type: ignore[union-attr]
            stats = await call("memory_stats")
            assert stats["mode"] == "no-llm" and stats["pages"]["short"] + stats["pages"]["mid"] == len(TOM) - 1

    try:
        wait_for_port(port, server, tmp_path / "stderr.txt", timeout=60)
        anyio.run(main)
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C: a clean shutdown
        try:
            server.wait(timeout=30)
        finally:
            if server.poll() is None:
                server.kill()
            out.close()
            err.close()
    log = (tmp_path / "stderr.txt").read_text()
    assert server.returncode == 0, log
    assert f"MCP server on http://127.0.0.1:{port}/mcp" in log and "LLM for consolidation:" in log
    assert (tmp_path / "stdout.txt").read_text() == ""  # logs never go to stdout
