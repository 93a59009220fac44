"""memoryos in LangGraph / LangChain (extra `[langchain]`): a recall step before the model, a remember step after
it, and tools for the model to search and add memory.

    graph = StateGraph(State)                     # State: MessagesState plus `memory_context: str`
    graph.add_node("recall", recall_node(memo))   # retrieve() for the latest human message -> state["memory_context"]
    graph.add_node("model", call_model)           # puts state["memory_context"] in its system message
    graph.add_node("tools", ToolNode(memory_tools(memo)))
    graph.add_node("remember", remember_node(memo))  # add_memory(latest human message, final answer)

Each step and tool is a LangChain Runnable with a sync and an async path: `memo` is a `Memoryos` (its calls run
on a worker thread under `ainvoke`) or an `AsyncMemoryos` (awaited; `invoke` uses its open `sync` instance).
Not a key-value `BaseStore`: memory is exchanges, recalled by meaning and heat, not values under keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field

from ..async_api import AsyncMemoryos
from ..errors import MemoryosError
from ..memoryos import Memoryos
from . import require
from .context import recalled_context

R = TypeVar("R")
State = dict[str, Any]


class _Memory:
    """One memory reached from sync and async code alike."""

    def __init__(self, memory: Memoryos | AsyncMemoryos) -> None:
        if not isinstance(memory, Memoryos | AsyncMemoryos):
            raise TypeError(f"expected a Memoryos or an AsyncMemoryos, not {type(memory).__name__}")
        self.memory = memory

    def call(self, work: Callable[[Memoryos], R]) -> R:
        return work(self.memory.sync if isinstance(self.memory, AsyncMemoryos) else self.memory)

    async def acall(self, work: Callable[[Memoryos], R]) -> R:
        if isinstance(self.memory, AsyncMemoryos):
            return await self.memory.run(work)
        return await asyncio.to_thread(work, self.memory)


def _text(message: Any) -> str:
    text = getattr(message, "text", "")
    return text if isinstance(text, str) else ""


def _latest_exchange(messages: list[Any]) -> tuple[str, str] | None:
    """The last human message and the last AI answer after it (its text; tool calls carry none)."""
    for index in range(len(messages) - 1, -1, -1):
        if getattr(messages[index], "type", None) == "human":
            answers = [_text(m) for m in messages[index + 1 :] if getattr(m, "type", None) == "ai" and _text(m)]
            return (_text(messages[index]), answers[-1]) if answers else None
    return None


def _latest_human_text(messages: list[Any]) -> str:
    return next((_text(m) for m in reversed(messages) if getattr(m, "type", None) == "human" and _text(m)), "")


def recall_node(
    memory: Memoryos | AsyncMemoryos,
    *,
    key: str = "memory_context",
    messages_key: str = "messages",
    recent: bool = True,
    max_results: int | None = None,
    max_pages: int | None = None,
) -> Any:
    """A step before the model: `retrieve()` for the latest human message, its context as prompt text in
    `state[key]` ("" when memory holds nothing for it). It counts as a recall (heat), as `retrieve` does.
    `recent=False` leaves out the recent conversation, for graphs that keep the thread's messages themselves
    (a checkpointer). `max_results` bounds the retrieved pages (`max_pages`: its old name). Returns a Runnable: a
    LangGraph node, or a step of any LangChain chain."""
    runnables = require("langchain_core.runnables", "langchain")
    calls = _Memory(memory)

    def work(state: State) -> Callable[[Memoryos], State]:
        query = _latest_human_text(list(state.get(messages_key) or []))

        def recall(memo: Memoryos) -> State:
            if not query.strip():
                return {key: ""}
            result = memo.retrieve(query, max_results=max_results, max_pages=max_pages)
            return {key: recalled_context(result, recent=recent)}

        return recall

    async def arecall(state: State) -> State:
        return await calls.acall(work(state))

    return runnables.RunnableLambda(lambda state: calls.call(work(state)), afunc=arecall, name="memoryos_recall")


def remember_node(memory: Memoryos | AsyncMemoryos, *, messages_key: str = "messages") -> Any:
    """A step after the model: stores the latest exchange (the last human message and the final AI answer after
    it) with `add_memory`, so consolidation, profile and knowledge follow. Changes nothing in the state; a turn
    without an answer yet is not stored."""
    runnables = require("langchain_core.runnables", "langchain")
    calls = _Memory(memory)

    def work(state: State) -> Callable[[Memoryos], State]:
        exchange = _latest_exchange(list(state.get(messages_key) or []))

        def remember(memo: Memoryos) -> State:
            if exchange is not None:
                memo.add_memory(*exchange)
            return {}

        return remember

    async def aremember(state: State) -> State:
        return await calls.acall(work(state))

    return runnables.RunnableLambda(lambda state: calls.call(work(state)), afunc=aremember, name="memoryos_remember")


class _SearchArgs(BaseModel):
    query: str = Field(description="What to look for in the user's memory.")
    max_results: int | None = Field(default=None, ge=1, le=100, description="At most this many past exchanges.")


class _AddMemoryArgs(BaseModel):
    user_input: str = Field(description="What the user said in this exchange.")
    agent_response: str = Field(description="What you (the assistant) answered.")


class _AddKnowledgeArgs(BaseModel):
    text: str = Field(description="The fact, as a sentence (e.g. 'Tom is allergic to peanuts.').")
    kind: Literal["user", "assistant"] = Field(
        default="user", description="user: about the user; assistant: something you said or promised."
    )


def memory_tools(memory: Memoryos | AsyncMemoryos) -> list[Any]:
    """LangChain tools over one user's memory: `search_memory` (no heat side effects), `add_memory` (an
    exchange) and `add_knowledge` (a fact). Errors reach the model as the tool's answer ("not found: ...")."""
    tools = require("langchain_core.tools", "langchain")
    calls = _Memory(memory)

    def search(query: str, max_results: int | None = None) -> Callable[[Memoryos], str]:
        return lambda memo: recalled_context(memo.search(query, max_results=max_results)) or "Nothing found."

    def add(user_input: str, agent_response: str) -> Callable[[Memoryos], str]:
        return lambda memo: f"Stored as page {memo.add_memory(user_input, agent_response)}."

    def know(text: str, kind: Literal["user", "assistant"] = "user") -> Callable[[Memoryos], str]:
        return lambda memo: f"Stored as knowledge {memo.add_knowledge(text, kind)}."

    def make(
        name: str, description: str, schema: type[BaseModel], build: Callable[..., Callable[[Memoryos], str]]
    ) -> Any:
        def sync(**kwargs: Any) -> str:
            try:
                return calls.call(build(**kwargs))
            except MemoryosError as exc:
                raise tools.ToolException(f"{exc.label}: {exc}" if exc.label else str(exc)) from exc

        async def asynchronous(**kwargs: Any) -> str:
            try:
                return await calls.acall(build(**kwargs))
            except MemoryosError as exc:
                raise tools.ToolException(f"{exc.label}: {exc}" if exc.label else str(exc)) from exc

        return tools.StructuredTool.from_function(
            func=sync,
            coroutine=asynchronous,
            name=name,
            description=description,
            args_schema=schema,
            handle_tool_error=True,
        )

    return [
        make(
            "search_memory",
            "Search the user's long-term memory (past exchanges, facts, profile) for something you need to recall.",
            _SearchArgs,
            search,
        ),
        make(
            "add_memory",
            "Store one exchange (the user's message and your reply) in the user's memory.",
            _AddMemoryArgs,
            add,
        ),
        make(
            "add_knowledge",
            "Remember a lasting fact about the user (or something you promised) directly in long-term knowledge.",
            _AddKnowledgeArgs,
            know,
        ),
    ]


__all__ = ["memory_tools", "recall_node", "remember_node"]
