"""memoryos in a real LangGraph graph with LangChain's fake chat model: recall before the model, remember after it,
memory tools through LangGraph's ToolNode; sync (Memoryos) and async (AsyncMemoryos) paths."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from doubles import HashingEmbedder, temp_store
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from pydantic import Field

from memoryos import AsyncMemoryos, Memoryos
from memoryos.integrations.langchain import memory_tools, recall_node, remember_node
from memoryos.storage import Store


class State(MessagesState):
    memory_context: str


class RecordingModel(FakeMessagesListChatModel):
    """LangChain's fake chat model, noting the messages each call received."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)


def build(memory: Memoryos | AsyncMemoryos, model: RecordingModel, **recall: Any) -> Any:
    def call_model(state: State) -> dict[str, Any]:
        system = SystemMessage(f"You are a friend who remembers.\n\n{state.get('memory_context', '')}")
        return {"messages": [model.invoke([system, *state["messages"]])]}

    graph = StateGraph(State)
    graph.add_node("recall", recall_node(memory, **recall))
    graph.add_node("model", call_model)
    graph.add_node("tools", ToolNode(memory_tools(memory)))
    graph.add_node("remember", remember_node(memory))
    graph.add_edge(START, "recall")
    graph.add_edge("recall", "model")
    graph.add_conditional_edges("model", tools_condition, {"tools": "tools", END: "remember"})
    graph.add_edge("tools", "model")
    graph.add_edge("remember", END)
    return graph.compile()


def tool_call(name: str, call_id: str, **args: Any) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": call_id}])


@pytest.fixture
def store() -> Iterator[Store]:
    with temp_store() as opened:
        yield opened


def memoryos(store: Store) -> Memoryos:
    return Memoryos(user_id="tom", store=store, embedder=HashingEmbedder(), background_upkeep=False)


def test_sync_graph_recalls_before_the_model_searches_with_a_tool_and_remembers_the_turn(store: Store) -> None:
    memo = memoryos(store)
    memo.add_knowledge("Tom is allergic to peanuts.")
    model = RecordingModel(
        responses=[tool_call("search_memory", "c1", query="allergic to peanuts"), AIMessage("No peanuts, then!")]
    )
    out = build(memo, model).invoke({"messages": [HumanMessage("Snack ideas with peanuts?")]})

    assert "Tom is allergic to peanuts." in out["memory_context"] and "<<<MEMORY" in out["memory_context"]
    system = model.seen[0][0]
    assert isinstance(system, SystemMessage) and out["memory_context"] in system.text  # the model got it
    tool_answer = next(m for m in out["messages"] if isinstance(m, ToolMessage))
    assert "Tom is allergic to peanuts." in tool_answer.text
    assert [(p["user_input"], p["agent_response"]) for p in memo.list_pages("short")] == [
        ("Snack ideas with peanuts?", "No peanuts, then!")
    ]
    memo.close()


def test_async_graph_with_async_memory_adds_knowledge_and_reports_tool_errors(store: Store) -> None:
    model = RecordingModel(
        responses=[
            tool_call("add_knowledge", "c1", text="Tom's sister Ana lives in Porto."),
            tool_call("add_knowledge", "c2", text="   "),
            AIMessage("I will remember Ana."),
        ]
    )

    async def main() -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        async with AsyncMemoryos(
            user_id="tom", store=store, embedder=HashingEmbedder(), background_upkeep=False
        ) as memo:
            out = await build(memo, model).ainvoke({"messages": [HumanMessage("My sister Ana lives in Porto.")]})
            return out, await memo.get_knowledge("user"), await memo.list_pages("short")

    out, knowledge, pages = asyncio.run(main())
    added, refused = [m for m in out["messages"] if isinstance(m, ToolMessage)]
    assert added.text.startswith("Stored as knowledge ") and added.status == "success"
    assert refused.status == "error" and refused.text.startswith("invalid argument: ")
    assert [f["text"] for f in knowledge] == ["Tom's sister Ana lives in Porto."]
    assert [(p["user_input"], p["agent_response"]) for p in pages] == [
        ("My sister Ana lives in Porto.", "I will remember Ana.")
    ]
    assert out["memory_context"] == ""  # nothing in memory yet when the turn began


def test_recall_leaves_out_the_recent_conversation_when_the_graph_keeps_it(store: Store) -> None:
    memo = memoryos(store)
    memo.add_memory("I bought a red bicycle.", "Enjoy it!")
    question = {"messages": [HumanMessage("What colour is my bicycle?")]}
    with_recent = recall_node(memo).invoke(question)["memory_context"]
    assert "I bought a red bicycle." in with_recent
    assert recall_node(memo, recent=False, key="ctx").invoke(question) == {"ctx": ""}
    assert recall_node(memo).invoke({"messages": []}) == {"memory_context": ""}
    memo.close()


def test_remember_stores_only_a_finished_turn_and_the_add_memory_tool_stores_an_exchange(store: Store) -> None:
    memo = memoryos(store)
    remember = remember_node(memo)
    assert remember.invoke({"messages": [HumanMessage("Hello?")]}) == {}
    assert remember.invoke({"messages": [HumanMessage("Hello?"), tool_call("search_memory", "c", query="x")]}) == {}
    assert memo.list_pages("short") == []
    add = next(t for t in memory_tools(memo) if t.name == "add_memory")
    assert add.invoke({"user_input": "I like tea.", "agent_response": "Noted."}).startswith("Stored as page ")
    assert [p["user_input"] for p in memo.list_pages("short")] == ["I like tea."]
    memo.close()


def test_wrong_memory_type_and_missing_framework_are_clear_errors(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(TypeError, match="Memoryos"):
        recall_node(object())  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "langchain_core.tools", None)
    memo = memoryos(store)
    with pytest.raises(ImportError, match=r"memoryos\[langchain\]"):
        memory_tools(memo)
    memo.close()
