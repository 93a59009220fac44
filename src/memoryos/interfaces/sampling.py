"""MCP sampling as an LLM: where no endpoint is configured, consolidation asks the client's own model.

The library calls its LLM synchronously from upkeep threads; sampling is an async request on the server's event
loop to a connected client. The bridge keeps the latest client session that can answer one and hands calls over
to the loop. Only handshake-era connections (protocol before 2026-07-28) have the standalone back-channel that a
request made outside any tool call needs; on newer connections the server stays in no-LLM mode.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import warnings
from typing import Any

from ..errors import LLMError
from ..providers.llm import Completion, Message
from ..textutil import estimate_tokens

log = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 4000
JSON_REMINDER = "Reply with one JSON object and nothing else."


def can_sample(session: Any) -> bool:
    """True if this client declared sampling and its connection can carry a server-initiated request."""
    from mcp_types.version import MODERN_PROTOCOL_VERSIONS

    capabilities = getattr(session, "client_capabilities", None)
    if capabilities is None or capabilities.sampling is None:
        return False
    return getattr(session, "protocol_version", None) not in MODERN_PROTOCOL_VERSIONS


class SamplingBridge:
    def __init__(self, timeout: float = 120.0) -> None:
        # deprecated only for 2026-07-28 connections, which never reach it (see can_sample)
        warnings.filterwarnings("ignore", message=".*sampling capability is deprecated.*")
        self.timeout = timeout
        self._lock = threading.Lock()
        self._session: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def available(self) -> bool:
        with self._lock:
            return self._session is not None

    def offer(self, session: Any) -> bool:
        """Called from a request handler on the event loop: remember the session if it can sample."""
        if not can_sample(session):
            return False
        with self._lock:
            first = self._session is None
            self._session, self._loop = session, asyncio.get_running_loop()
        if first:
            params = getattr(session, "client_params", None)
            name = params.client_info.name if params is not None and params.client_info else "the client"
            log.info("LLM for consolidation: MCP sampling through %s's model", name)
        return True

    def complete(self, messages: list[Message], *, purpose: str, json_mode: bool, max_tokens: int | None) -> str:
        import mcp_types as types

        with self._lock:
            session, loop = self._session, self._loop
        if session is None or loop is None:
            raise LLMError("no connected MCP client that supports sampling")
        system = [m["content"] for m in messages if m["role"] == "system"]
        if json_mode:
            system.append(JSON_REMINDER)
        conversation = [
            types.SamplingMessage(
                role="user" if m["role"] == "user" else "assistant",
                content=types.TextContent(type="text", text=m["content"]),
            )
            for m in messages
            if m["role"] in ("user", "assistant")
        ]
        request = session.create_message(
            conversation,
            max_tokens=max_tokens or DEFAULT_MAX_TOKENS,
            system_prompt="\n\n".join(system) or None,
            temperature=0.3,
        )
        try:
            future = asyncio.run_coroutine_threadsafe(request, loop)
        except RuntimeError as exc:  # the loop is gone: the server is shutting down
            request.close()
            raise LLMError(f"MCP sampling for {purpose} is unavailable: {exc}") from exc
        try:
            result = future.result(self.timeout)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise LLMError(f"MCP sampling for {purpose} timed out after {self.timeout:.0f} s") from exc
        except Exception as exc:
            raise LLMError(f"MCP sampling for {purpose} failed: {type(exc).__name__}: {exc}") from exc
        content = result.content
        if not isinstance(content, types.TextContent):
            raise LLMError(f"MCP sampling for {purpose} returned {type(content).__name__}, not text")
        return content.text


class SamplingLLM:
    """The library's LLM protocol over a SamplingBridge."""

    def __init__(self, bridge: SamplingBridge) -> None:
        self.bridge = bridge

    def complete(
        self, messages: list[Message], *, purpose: str, json_mode: bool = False, max_tokens: int | None = None
    ) -> Completion:
        text = self.bridge.complete(messages, purpose=purpose, json_mode=json_mode, max_tokens=max_tokens)
        # the client reports no token counts; estimates keep stats comparable across modes
        prompt = sum(estimate_tokens(m["content"]) for m in messages)
        return Completion(text=text, prompt_tokens=prompt, completion_tokens=estimate_tokens(text))
