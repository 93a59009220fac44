"""AsyncMemoryos: the Memoryos API as awaitables, for asyncio applications (agent frameworks, async servers).

Every call runs the blocking Memoryos method on a small executor owned by the instance, never on the event loop.
A dedicated executor, not asyncio's default one, because each of its threads keeps one SQLite connection for the
life of the instance (the store's connections are per thread): a bounded set of long-lived threads means a
bounded set of connections, all closed by `close()`, and a slow LLM call never starves the application's own
default executor. Consolidation and promotion stay on the instance's one background upkeep thread, as in
Memoryos; `flush()` waits for it without blocking the loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Concatenate, ParamSpec, TypeVar

from .memoryos import Memoryos

P = ParamSpec("P")
R = TypeVar("R")


def _twin(
    method: Callable[Concatenate[Memoryos, P], R],
) -> Callable[Concatenate[AsyncMemoryos, P], Coroutine[Any, Any, R]]:
    """The awaitable twin of a Memoryos method: same signature and docstring, run on the instance's executor."""

    async def call(self: AsyncMemoryos, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._run(method, *args, **kwargs)

    functools.update_wrapper(call, method)  # inspect.signature and help() show Memoryos's parameters and docs
    call.__qualname__ = f"AsyncMemoryos.{method.__name__}"
    return call


class AsyncMemoryos:
    """Memoryos for asyncio: the same constructor, and every public method as an awaitable.

    Construction returns at once; the memory opens on the executor (store, migrations, leftover upkeep).
    `await memo.open()` or `async with AsyncMemoryos(...) as memo:` waits for it and raises what opening raised;
    any other call waits for it too. A call whose awaiting task is cancelled still completes on its thread (an
    `add_memory` is stored or fails as a whole); `close()` waits for every call in flight.
    """

    max_threads = 4  # concurrent blocking calls (and SQLite connections) per instance; subclass to change
    __signature__ = inspect.signature(Memoryos)  # help() and IDEs show the constructor's real parameters

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._executor = ThreadPoolExecutor(self.max_threads, thread_name_prefix="memoryos-async")
        # the first job: every later call waits for it on its own thread, so it never blocks the loop
        self._opening: Future[Memoryos] = self._executor.submit(Memoryos, *args, **kwargs)
        self._closing: asyncio.Future[None] | None = None

    @property
    def sync(self) -> Memoryos:
        """The wrapped Memoryos (config, scope, usage...), once open; its calls block, so use them off the loop."""
        if not self._opening.done():
            raise RuntimeError("the memory is still opening: await open() first")
        return self._opening.result()

    async def open(self) -> AsyncMemoryos:
        """Wait until the memory is open; raises what opening raised (ConfigError, StorageError...)."""
        await asyncio.wrap_future(self._opening)
        return self

    async def run(self, work: Callable[[Memoryos], R], /) -> R:
        """`work(memoryos)` on the instance's executor: several calls in one hop, or what the twins do not cover
        (e.g. `await memo.run(lambda m: m.config.user_id)`)."""
        return await self._run(work)

    async def _run(self, method: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
        if self._closing is not None:
            raise RuntimeError(f"{self!r} is closed")
        context = contextvars.copy_context()  # the caller's context variables (tracing, logging) go along
        call = functools.partial(context.run, self._call, method, args, kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def _call(self, method: Callable[..., R], args: tuple[Any, ...], kwargs: dict[str, Any]) -> R:
        return method(self._opening.result(), *args, **kwargs)

    # ---- the twins: one line per public Memoryos method (tests/test_async_api.py fails on a missing one) ----

    add_memory = _twin(Memoryos.add_memory)
    retrieve = _twin(Memoryos.retrieve)
    search = _twin(Memoryos.search)
    get_response = _twin(Memoryos.get_response)
    get_user_profile = _twin(Memoryos.get_user_profile)
    profile_history = _twin(Memoryos.profile_history)
    get_knowledge = _twin(Memoryos.get_knowledge)
    fact_history = _twin(Memoryos.fact_history)
    invalidate_knowledge = _twin(Memoryos.invalidate_knowledge)
    add_knowledge = _twin(Memoryos.add_knowledge)
    delete_knowledge = _twin(Memoryos.delete_knowledge)
    get_page = _twin(Memoryos.get_page)
    list_pages = _twin(Memoryos.list_pages)
    list_segments = _twin(Memoryos.list_segments)
    get_segment = _twin(Memoryos.get_segment)
    delete_segment = _twin(Memoryos.delete_segment)
    delete_memory = _twin(Memoryos.delete_memory)
    forget_user = _twin(Memoryos.forget_user)
    stats = _twin(Memoryos.stats)
    check = _twin(Memoryos.check)
    repair = _twin(Memoryos.repair)
    export = _twin(Memoryos.export)
    import_data = _twin(Memoryos.import_data)
    flush = _twin(Memoryos.flush)
    promote = _twin(Memoryos.promote)
    # the original MemoryOS's names (compat.OriginalApi)
    get_user_profile_summary = _twin(Memoryos.get_user_profile_summary)
    get_assistant_knowledge_summary = _twin(Memoryos.get_assistant_knowledge_summary)
    force_mid_term_analysis = _twin(Memoryos.force_mid_term_analysis)
    get_memory_stats = _twin(Memoryos.get_memory_stats)

    async def close(self) -> None:
        """Refuse new calls, let those in flight finish, then close the memory (its upkeep thread stops after the
        step in progress) and the executor. Idempotent; concurrent calls all wait for the same closing."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(asyncio.to_thread(self._shut_down))
        await asyncio.shield(self._closing)

    def _shut_down(self) -> None:
        self._executor.shutdown(wait=True)  # queued and running calls complete first
        if self._opening.exception() is None:
            self._opening.result().close()

    async def __aenter__(self) -> AsyncMemoryos:
        try:
            return await self.open()
        except BaseException:
            await self.close()
            raise

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        if self._opening.done() and self._opening.exception() is None:
            return f"Async{self._opening.result()!r}"
        return "AsyncMemoryos(opening)" if not self._opening.done() else "AsyncMemoryos(failed to open)"


__all__ = ["AsyncMemoryos"]
