"""AsyncMemoryos: every Memoryos method as an awaitable, run off the event loop, with one background upkeep."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from doubles import HashingEmbedder, ManualClock, ScriptedLLM

from memoryos import AsyncMemoryos, ConfigError, Memoryos, NotFound, side
from memoryos.providers.llm import Completion

T = TypeVar("T")

REQUEST: contextvars.ContextVar[str] = contextvars.ContextVar("request", default="none")


def run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return asyncio.run(asyncio.wait_for(main(), timeout=60))


class RecordingClock(ManualClock):
    """A clock that notes the thread and context it is read from: reads happen inside the library calls."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[str] = set()
        self.requests: set[str] = set()

    def __call__(self) -> float:
        self.threads.add(threading.current_thread().name)
        self.requests.add(REQUEST.get())
        return super().__call__()


def settings(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "user_id": "tom",
        "data_storage_path": str(tmp_path),
        "embedder": HashingEmbedder(),
        "llm": ScriptedLLM(),
        "clock": ManualClock(),
        "short_term_capacity": 3,
        **extra,
    }


def test_every_public_memoryos_method_has_an_awaitable_twin_with_its_parameters() -> None:
    public = [name for name, f in inspect.getmembers(Memoryos, inspect.isfunction) if not name.startswith("_")]
    assert {"add_memory", "retrieve", "close", "flush"} <= set(public)
    missing = [name for name in public if not inspect.iscoroutinefunction(getattr(AsyncMemoryos, name, None))]
    assert missing == [], f"add an awaitable twin to AsyncMemoryos (memoryos/async_api.py) for {missing}"
    for name in public:
        if name == "close":  # its own: it also shuts the executor down
            continue
        assert inspect.signature(getattr(AsyncMemoryos, name)) == inspect.signature(getattr(Memoryos, name)), name
    assert inspect.signature(AsyncMemoryos) == inspect.signature(Memoryos)


def test_calls_run_off_the_loop_in_the_callers_context_and_give_the_sync_results(tmp_path: Path) -> None:
    clock = RecordingClock()

    async def main() -> None:
        async with AsyncMemoryos(**settings(tmp_path, clock=clock, background_upkeep=False)) as memo:
            REQUEST.set("req-1")
            page_id = await memo.add_memory("I moved to Lisbon last spring.", "Lisbon is lovely!")
            await memo.add_memory("I work as a nurse.", "That is demanding work.")
            assert (await memo.get_page(page_id))["user_input"] == "I moved to Lisbon last spring."
            result = await memo.retrieve("Where do I live?")
            assert result.short_term[0].id == page_id
            assert (await memo.search("nurse")).short_term
            assert len(await memo.list_pages("short")) == 2
            fact_id = await memo.add_knowledge("Tom is allergic to peanuts.")
            assert [f["id"] for f in await memo.get_knowledge("user")] == [fact_id]
            assert (await memo.stats())["pages"]["short"] == 2
            assert await memo.check(sample=None) == []
            dump = await memo.export()
            await memo.delete_memory(page_id)
            with pytest.raises(NotFound):
                await memo.get_page(page_id)
            assert memo.sync.scope.user_id == "tom"
            assert await memo.run(lambda m: (m.scope.user_id, len(m.list_pages()))) == ("tom", 1)
        async with AsyncMemoryos(**settings(tmp_path, user_id="copy", background_upkeep=False)) as copy:
            assert await copy.import_data(dump) == 2

    run(main)
    assert threading.main_thread().name not in clock.threads  # the loop runs on the main thread
    assert clock.threads and all(name.startswith("memoryos-async") for name in clock.threads)
    assert "req-1" in clock.requests


class BlockingLLM(ScriptedLLM):
    """Answers a generation only when the test lets it: proves the loop keeps running during the call."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def complete(self, messages: list[dict[str, str]], *, purpose: str, **kwargs: Any) -> Completion:
        if purpose == "generation":
            self.entered.set()
            assert self.release.wait(30), "the test never released the LLM"
        return super().complete(messages, purpose=purpose, **kwargs)


def test_a_slow_call_does_not_block_the_event_loop(tmp_path: Path) -> None:
    llm = BlockingLLM()

    async def main() -> None:
        async with AsyncMemoryos(**settings(tmp_path, llm=llm)) as memo:
            answer = asyncio.ensure_future(memo.get_response("What do you remember?"))
            ticks = 0
            while not llm.entered.is_set():  # the loop runs while the call waits in its thread
                await asyncio.sleep(0.01)
                ticks += 1
            other = await memo.add_memory("Meanwhile: I like tea.", "Noted.")  # another call goes through too
            assert not answer.done()
            llm.release.set()
            assert await answer
            pages = await memo.list_pages("short")
            assert other in [p["id"] for p in pages] and len(pages) == 2

    run(main)


def test_one_background_upkeep_consolidates_and_flush_awaits_it(tmp_path: Path) -> None:
    def upkeep_threads() -> int:
        return sum(t.name == "memoryos-upkeep" for t in threading.enumerate())

    before = upkeep_threads()

    async def main() -> None:
        async with AsyncMemoryos(**settings(tmp_path)) as memo:
            assert upkeep_threads() == before + 1
            await asyncio.gather(*(memo.add_memory(f"Note {i} about gardening.", "Nice.") for i in range(6)))
            assert await memo.flush(timeout=30)
            assert await memo.list_pages("mid")  # consolidated by the one upkeep thread
            assert upkeep_threads() == before + 1
        assert upkeep_threads() == before

    run(main)


def test_concurrent_calls_share_a_bounded_set_of_connections(tmp_path: Path) -> None:
    async def main() -> None:
        async with AsyncMemoryos(**settings(tmp_path, background_upkeep=False)) as memo:
            await memo.add_memory("I play the cello.", "Lovely.")
            results = await asyncio.gather(*(memo.search("cello") for _ in range(40)))
            assert all(r.short_term for r in results)
            connections = memo.sync.store._connections  # type: ignore[attr-defined]
            # its own threads' connections, and those of the process's side pool (a retrieve's reads beside the
            # query embedding): bounded, whatever the number of concurrent calls
            assert 1 <= len(connections) <= AsyncMemoryos.max_threads + side.workers()

    run(main)


def test_opening_errors_surface_on_open_and_closing_is_clean(tmp_path: Path) -> None:
    async def main() -> None:
        memo = AsyncMemoryos(user_id="tom", storage="nosuchdb://x", embedder=HashingEmbedder())
        with pytest.raises(ConfigError):
            await memo.open()
        with pytest.raises(ConfigError):
            await memo.stats()
        await memo.close()
        await memo.close()  # idempotent
        with pytest.raises(ConfigError):
            async with AsyncMemoryos(user_id="tom", storage="nosuchdb://x", embedder=HashingEmbedder()):
                pass

    run(main)


def test_close_waits_for_calls_in_flight_and_refuses_new_ones(tmp_path: Path) -> None:
    llm = BlockingLLM()

    async def main() -> None:
        memo = AsyncMemoryos(**settings(tmp_path, llm=llm, background_upkeep=False))
        answer = asyncio.ensure_future(memo.get_response("Hello?"))
        while not llm.entered.is_set():
            await asyncio.sleep(0.01)
        closing = asyncio.ensure_future(asyncio.gather(memo.close(), memo.close()))
        await asyncio.sleep(0.05)
        assert not closing.done()  # the answer is still being written
        with pytest.raises(RuntimeError, match="closed"):
            await memo.stats()
        llm.release.set()
        assert await answer
        await closing
        assert memo.sync._closed  # type: ignore[attr-defined]

    run(main)
    with Memoryos(**settings(tmp_path, background_upkeep=False)) as memo:  # the answered exchange was stored
        assert [p["user_input"] for p in memo.list_pages("short")] == ["Hello?"]
