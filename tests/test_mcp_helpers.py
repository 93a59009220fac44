"""Shared bits of the MCP and CLI tests (no tests here): a scripted sampling client, polling, the entry point."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import mcp_types as types
from doubles import default_script

TOOLS = {
    "add_memory",
    "add_knowledge",
    "knowledge_history",
    "invalidate_knowledge",
    "retrieve_memory",
    "search_memory",
    "get_user_profile",
    "delete_memory",
    "forget_user",
    "memory_stats",
}
LOCOMO_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo" / "dev.json"

TOM = [
    ("Hi! I'm Tom, I work as a data scientist in San Francisco.", "Nice to meet you, Tom!"),
    ("I build models that predict hospital readmissions.", "That's impactful work."),
    ("On weekends I love hiking in Marin with my dog Biscuit.", "Marin has beautiful trails!"),
    ("My favorite food is ramen.", "Noted!"),
]
BOB = ("I'm Bob and I collect vintage synthesizers.", "What a great hobby, Bob!")


def memoryos_command() -> list[str]:
    """The installed console script next to this interpreter, else the same entry point through -c."""
    script = Path(sys.executable).with_name("memoryos")
    if script.exists():
        return [str(script)]
    found = shutil.which("memoryos")
    return [found] if found else [sys.executable, "-c", "from memoryos.cli import main; main()"]


def child_env(**extra: str) -> dict[str, str]:
    # the session's ONNX cache stays: children reuse the graph the tests exported
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MEMORYOS_")) or k == "MEMORYOS_CACHE"}
    env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", PYTHONUNBUFFERED="1", **extra)
    return env


def write_config(path: Path, **settings: Any) -> Path:
    path.write_text(json.dumps(settings), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: Any, log: Path, timeout: float = 60.0) -> None:
    """Until the server subprocess listens; fail early, with its log, if it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s:\n{log.read_text()}")


class ScriptedSampler:
    """A client-side sampling handler answering memoryos prompts with the test doubles' valid JSON."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, context: Any, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        system = params.system_prompt or ""
        messages = [{"role": "system", "content": system}]
        messages += [{"role": m.role, "content": m.content.text} for m in params.messages]  # type: ignore[union-attr]
        purpose = "consolidation" if '"topics"' in system else "profile_knowledge" if '"profile"' in system else "x"
        self.calls.append(purpose)
        text = default_script(messages, purpose)
        return types.CreateMessageResult(role="assistant", content=types.TextContent(type="text", text=text), model="t")


async def poll(check: Callable[[], Awaitable[Any]], timeout: float = 60.0, interval: float = 0.2) -> Any:
    """Await `check()` until it returns something truthy (background upkeep is asynchronous)."""
    import anyio

    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await anyio.sleep(interval)
