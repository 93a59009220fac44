"""MemoryosSession with the real OpenAI Agents SDK: its Runner and chat-completions model against the local fake
OpenAI-compatible server (loopback only, tracing off), and the Session protocol called directly."""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
from agents import Agent, OpenAIChatCompletionsModel, RunConfig, Runner
from agents.memory import Session, SessionABC
from doubles import HashingEmbedder, temp_store
from fake_openai import FakeOpenAIServer, message_text
from openai import AsyncOpenAI

from memoryos.integrations.openai_agents import MemoryosSession, is_memory_item
from memoryos.storage import Store

T = TypeVar("T")
RUN = RunConfig(tracing_disabled=True)  # traces would go to OpenAI's servers


def run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return asyncio.run(asyncio.wait_for(main(), timeout=120))


@pytest.fixture
def store() -> Iterator[Store]:
    with temp_store() as opened:
        yield opened


def session(store: Store, **settings: Any) -> MemoryosSession:
    return MemoryosSession("tom", store=store, embedder=HashingEmbedder(), background_upkeep=False, **settings)


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def answer(text: str) -> dict[str, Any]:  # as the SDK stores a model's message
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def tool_call(call_id: str) -> list[dict[str, Any]]:
    return [
        {"type": "function_call", "call_id": call_id, "name": "weather", "arguments": '{"city": "Lisbon"}'},
        {"type": "function_call_output", "call_id": call_id, "output": "sunny, 24 C"},
    ]


def test_it_implements_the_sdk_session_protocol(store: Store) -> None:
    memory_session = session(store)
    assert isinstance(memory_session, Session)
    for name in ("get_items", "add_items", "pop_item", "clear_session"):
        ours, theirs = getattr(MemoryosSession, name), getattr(SessionABC, name)
        assert inspect.iscoroutinefunction(ours), name
        assert list(inspect.signature(ours).parameters) == list(inspect.signature(theirs).parameters), name
    assert memory_session.session_id == "tom" and memory_session.session_settings is not None
    run(memory_session.close)


def test_runner_turns_are_stored_as_pages_and_recalled_memory_reaches_the_model(store: Store) -> None:
    def responder(body: dict[str, Any]) -> str:
        return "You said: " + message_text(body["messages"][-1])

    async def main() -> list[dict[str, Any]]:
        with FakeOpenAIServer(responder) as server:
            client = AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0)
            agent = Agent(name="friend", instructions="Be brief.", model=OpenAIChatCompletionsModel("m", client))
            memory_session = session(store)
            await memory_session.memory.add_knowledge("Tom is allergic to peanuts.")
            first = await Runner.run(
                agent, "I am planning a dinner with peanuts.", session=memory_session, run_config=RUN
            )
            assert first.final_output == "You said: I am planning a dinner with peanuts."
            await Runner.run(agent, "What should I cook?", session=memory_session, run_config=RUN)
            pages = await memory_session.memory.list_pages("short")
            await memory_session.close()
            second_request = server.requests[1]["messages"]
        assert [(p["user_input"], p["agent_response"]) for p in pages] == [
            ("I am planning a dinner with peanuts.", "You said: I am planning a dinner with peanuts."),
            ("What should I cook?", "You said: What should I cook?"),
        ]
        assert all(p["meta_data"]["session_id"] == "tom" for p in pages)
        return second_request

    messages = run(main)
    # the agent's instructions, the recall item (keyed to the conversation so far), the history, the new input
    assert [m["role"] for m in messages] == ["system", "system", "user", "assistant", "user"]
    assert "Tom is allergic to peanuts." in messages[1]["content"] and "<<<MEMORY" in messages[1]["content"]
    assert [message_text(m) for m in messages[2:]] == [
        "I am planning a dinner with peanuts.",
        "You said: I am planning a dinner with peanuts.",
        "What should I cook?",
    ]


def test_input_with_recall_keys_the_recall_to_the_new_message(store: Store) -> None:
    async def main() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        with FakeOpenAIServer(lambda body: "Try roasted chickpeas.") as server:
            client = AsyncOpenAI(base_url=server.base_url, api_key="test", max_retries=0)
            agent = Agent(name="friend", model=OpenAIChatCompletionsModel("m", client))
            memory_session = session(store)
            config = RunConfig(session_input_callback=memory_session.input_with_recall, tracing_disabled=True)
            await memory_session.memory.add_knowledge("Tom is allergic to peanuts.")
            await Runner.run(agent, "Any snack ideas with peanuts?", session=memory_session, run_config=config)
            await Runner.run(agent, "Thanks!", session=memory_session, run_config=config)
            items = await memory_session.get_items()
            await memory_session.close()
            return server.requests[0]["messages"], items

    first_request, items = run(main)
    # the very first turn already gets the fact, keyed to its own message
    assert [m["role"] for m in first_request] == ["system", "user"]
    assert "Tom is allergic to peanuts." in first_request[0]["content"]
    # the recall item the callback added was never stored, and get_items leaves recall to the callback now
    assert [message_text(i) for i in items] == [
        "Any snack ideas with peanuts?",
        "Try roasted chickpeas.",
        "Thanks!",
        "Try roasted chickpeas.",
    ]


def test_consolidated_exchanges_leave_the_items_and_come_back_through_the_recall_item(store: Store) -> None:
    async def main() -> None:
        memory_session = session(store, short_term_capacity=2)
        turns = [
            ("My sister Ana lives in Porto and teaches chemistry.", "How nice!"),
            ("I bought a red bicycle yesterday.", "Enjoy the rides."),
            ("The bicycle has a basket for groceries.", "Practical."),
        ]
        for question, reply in turns:
            await memory_session.add_items([user(question), answer(reply)])
        assert await memory_session.memory.list_pages("mid")  # the oldest left short-term
        items = await memory_session.get_items()
        conversation = [i for i in items if not is_memory_item(i)]
        assert "Ana" not in str(conversation) and len(conversation) < 2 * len(turns)
        await memory_session.add_items([user("Does my sister Ana still teach chemistry in Porto?")])
        recall = (await memory_session.get_items())[0]
        assert is_memory_item(recall) and "Ana lives in Porto" in recall["content"]
        await memory_session.close()

    run(main)


def test_items_round_trip_and_pop_reopens_the_stored_exchange(store: Store) -> None:
    async def main() -> None:
        memory_session = session(store)
        exchange = [user("Weather in Lisbon?"), *tool_call("c1"), answer("Sunny, 24 C.")]
        await memory_session.add_items(exchange[:1])
        await memory_session.add_items(exchange[1:])
        assert await memory_session.get_items(limit=4) == exchange
        assert await memory_session.get_items(limit=1) == exchange[-1:]
        assert await memory_session.get_items(limit=0) == []
        (page,) = await memory_session.memory.list_pages("short")
        assert (page["user_input"], page["agent_response"]) == ("Weather in Lisbon?", "Sunny, 24 C.")

        assert await memory_session.pop_item() == exchange[-1]
        assert await memory_session.memory.list_pages("short") == []  # the page went; its other items wait
        assert await memory_session.get_items(limit=3) == exchange[:3]
        await memory_session.add_items([answer("Sunny and warm.")])
        (page,) = await memory_session.memory.list_pages("short")
        assert page["agent_response"] == "Sunny and warm."
        assert await memory_session.get_items(limit=4) == [*exchange[:3], answer("Sunny and warm.")]

        for expected in reversed([*exchange[:3], answer("Sunny and warm.")]):
            assert await memory_session.pop_item() == expected
        assert await memory_session.pop_item() is None
        assert await memory_session.get_items() == []
        await memory_session.close()

    run(main)


def test_an_unanswered_exchange_is_kept_when_the_next_one_starts(store: Store) -> None:
    async def main() -> None:
        memory_session = session(store)
        await memory_session.add_items([user("Book me a table."), *tool_call("c2")])  # the run failed here
        assert await memory_session.memory.list_pages("short") == []
        await memory_session.add_items([user("Never mind, what time is it?"), answer("Noon.")])
        pages = await memory_session.memory.list_pages("short")
        assert [(p["user_input"], p["agent_response"]) for p in pages] == [
            ("Book me a table.", ""),
            ("Never mind, what time is it?", "Noon."),
        ]
        await memory_session.close()

    run(main)


def test_the_recall_item_is_never_stored_and_large_exchanges_keep_their_text(store: Store) -> None:
    async def main() -> None:
        memory_session = session(store)
        await memory_session.memory.add_knowledge("Tom plays the cello.")
        await memory_session.add_items([user("I practised the cello today."), answer("Bravo!")])
        recall, *_ = await memory_session.get_items()
        assert is_memory_item(recall) and "Tom plays the cello." in recall["content"]
        await memory_session.add_items([recall, user("Which piece next?"), answer("Bach.")])  # echoed back
        assert [is_memory_item(i) for i in await memory_session.get_items(limit=4)] == [False] * 4

        huge = [user("Summarise this log."), *tool_call("c3"), answer("Done.")]
        huge[2]["output"] = "x" * 100_000  # beyond max_meta_data_bytes: stored as text alone
        await memory_session.add_items(huge)
        assert await memory_session.get_items(limit=2) == [
            {"role": "user", "content": "Summarise this log."},
            {"role": "assistant", "content": "Done."},
        ]
        await memory_session.close()

    run(main)


def test_clear_session_removes_the_items_not_what_memory_learnt(store: Store) -> None:
    async def main() -> None:
        memory_session = session(store, session_settings={"limit": 2})
        await memory_session.memory.add_knowledge("Tom is vegetarian.")
        await memory_session.add_items([user("Hi"), answer("Hello!"), user("Recipes for a vegetarian?")])
        assert len(await memory_session.get_items()) == 2  # the settings' limit: the latest two, no recall item
        await memory_session.clear_session()
        assert await memory_session.get_items(limit=10) == []  # nothing to key a recall to
        assert [f["text"] for f in await memory_session.memory.get_knowledge("user")] == ["Tom is vegetarian."]
        await memory_session.close()

    run(main)


def test_a_missing_sdk_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "agents.memory", None)
    with pytest.raises(ImportError, match=r"memoryos\[agents\]"):
        MemoryosSession("tom")
