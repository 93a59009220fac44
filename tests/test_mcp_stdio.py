"""`memoryos mcp` as a subprocess over stdio, driven by the SDK's own client (the way desktop clients run it)."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from test_mcp_helpers import BOB, TOM, TOOLS, ScriptedSampler, child_env, memoryos_command, poll, write_config


def remembered(context: dict[str, Any]) -> str:
    return json.dumps([context["short_term_memory"], context["retrieved_pages"], context["user_knowledge"]])


def test_stdio_server_with_the_sdk_client(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.json", user_id="alice", short_term_capacity=3, mid_term_heat_threshold=1)
    command = memoryos_command()
    params = StdioServerParameters(
        command=command[0],
        args=[*command[1:], "mcp", "--config", str(config), "--data", str(tmp_path / "data")],
        env=child_env(),
    )
    sampler = ScriptedSampler()  # the client's "model": consolidation goes through MCP sampling

    async def main() -> None:
        async with Client(params, mode="legacy", sampling_callback=sampler, read_timeout_seconds=120) as client:

            async def call(tool: str, **arguments: Any) -> dict[str, Any]:
                result = await client.call_tool(tool, arguments)
                assert not result.is_error, result.content
                return result.structured_content or {}

            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            ids = [(await call("add_memory", user_input=u, agent_response=a))["page_id"] for u, a in TOM]
            await call("add_memory", user_input=BOB[0], agent_response=BOB[1], user_id="bob")

            alice = await call("retrieve_memory", query="What is my job?", max_results=5)
            assert "data scientist" in remembered(alice) and "synthesizer" not in remembered(alice)
            bob = await call("retrieve_memory", query="What is my hobby?", user_id="bob")
            assert "synthesizer" in remembered(bob) and "Tom" not in remembered(bob)

            async def profile() -> Any:
                return (await call("get_user_profile"))["profile"]

            async def settled_profile() -> Any:
                # upkeep runs in the background and may promote a second segment between two reads: wait until
                # the tool and the resource agree on one written profile
                text = await profile()
                resource = await client.read_resource("memoryos://profile")
                agreed = text.startswith("The user said:") and resource.contents[0].text == text  # type: ignore[union-attr]
                return text if agreed else None

            text = await poll(settled_profile, timeout=90)
            assert text and text.startswith("The user said:")  # written by the client's model through sampling

            await call("delete_memory", page_id=ids[1])
            found = await call("search_memory", query="hospital readmissions models")
            assert ids[1] not in json.dumps(found["retrieved_pages"] + found["short_term_memory"])

            bad = await client.call_tool("retrieve_memory", {"query": "x", "max_results": "many"})
            assert bad.is_error and "max_results" in bad.content[0].text  # type: ignore[union-attr]
            gone = await client.call_tool("delete_memory", {"page_id": ids[1]})
            assert gone.is_error and "not found" in gone.content[0].text  # type: ignore[union-attr]
            stats = await call("memory_stats")
            assert stats["mode"] == "llm" and stats["user_id"] == "alice"

    anyio.run(main)
    assert "consolidation" in sampler.calls


def test_stdout_carries_only_protocol_messages(tmp_path: Path) -> None:
    """Raw JSON-RPC over the pipes: every stdout line is a protocol message; the startup log is on stderr."""
    process = subprocess.Popen(
        [*memoryos_command(), "mcp", "--data", str(tmp_path / "data")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert process.stdin and process.stdout and process.stderr
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()

    def request(message: dict[str, Any]) -> dict[str, Any] | None:
        process.stdin.write(json.dumps(message) + "\n")  # type: ignore[union-attr]
        process.stdin.flush()  # type: ignore[union-attr]
        return json.loads(lines.get(timeout=60)) if "id" in message else None

    try:
        hello = request(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "raw", "version": "0"},
                },
            }
        )
        assert hello and hello["result"]["serverInfo"]["name"] == "memoryos"
        request({"jsonrpc": "2.0", "method": "notifications/initialized"})
        listed = request({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        assert listed and {t["name"] for t in listed["result"]["tools"]} == TOOLS
        added = request(
            {
                "jsonrpc": "2.0",
                "id": 3,
                "method": "tools/call",
                "params": {"name": "add_memory", "arguments": {"user_input": "hello", "agent_response": "hi"}},
            }
        )
        assert added and added["result"]["isError"] is False
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    stray = []
    while not lines.empty():
        stray.append(lines.get())
    assert all(json.loads(line).get("jsonrpc") == "2.0" for line in stray), stray
    log = process.stderr.read()
    assert "MCP server on stdio" in log and "LLM for consolidation:" in log
    assert process.returncode == 0, log
