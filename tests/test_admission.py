"""Admission of library calls in a served process (interfaces/admission.py): at most max_concurrent_calls run at
once, the others wait in arrival order; retrieve and search wait first at a gate of their own
(max_concurrent_searches), adds do not; a REST client that disconnects while waiting gives its place up; MCP tools
wait at the same kind of gates; searches run concurrently give what they give one by one; bad limits are typed
errors."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from rest_helpers import ALICE, BOB, live_server, seed, settings
from typer.testing import CliRunner

from memoryos.cli import app as cli_app
from memoryos.config import build_config
from memoryos.errors import ConfigError
from memoryos.interfaces.admission import CallGate, default_limit, default_search_limit, model_cores
from memoryos.interfaces.mcp_server import MemoryServer
from memoryos.interfaces.rest import create_app
from memoryos.memoryos import Memoryos
from memoryos.testing import HashingEmbedder

WAIT_S = 60.0  # a bound for conditions that hold within milliseconds, so a broken gate fails instead of hanging


async def wait_until(condition: Callable[[], bool]) -> None:
    """`until` inside an event loop: the MCP tests' client and server share it."""
    with anyio.fail_after(WAIT_S):
        while not condition():
            await anyio.sleep(0.005)


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.005)


class Held:
    """Memoryos.retrieve held at its start until the test lets one call go: how many ran at once, in what order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.started: list[str] = []
        self.go = threading.Semaphore(0)
        retrieve = Memoryos.retrieve

        def held(memo: Memoryos, query: str, *args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.running += 1
                self.most = max(self.most, self.running)
                self.started.append(query)
            try:
                assert self.go.acquire(timeout=WAIT_S)
                return retrieve(memo, query, *args, **kwargs)
            finally:
                with self.lock:
                    self.running -= 1

        monkeypatch.setattr(Memoryos, "retrieve", held)

    def let_one_go(self) -> None:
        """Release one held call and wait until the call the gate admits next has started."""
        before = len(self.started)
        self.go.release()
        until(lambda: len(self.started) == before + 1)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[..., tuple[str, CallGate]]]:
    """A live server (uvicorn on loopback) for settings with a call limit: its URL and its gate."""
    stack: list[Any] = []

    def start(**extra: Any) -> tuple[str, CallGate]:
        app = create_app(settings(tmp_path, **extra), embedder=HashingEmbedder())
        server = live_server(app)
        stack.append(server)
        url = server.__enter__()
        with httpx.Client(base_url=url) as client:  # a page, and the user's memory open before any call is held
            page = {"user_input": "I keep bees in Lisbon.", "agent_response": "Lovely."}
            assert client.post("/v1/users/alice/memories", json=page).status_code == 201
        return url, app.state.call_gate

    yield start
    for server in reversed(stack):
        server.__exit__(None, None, None)


def retrieve(url: str, query: str) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=WAIT_S) as client:
        return client.post("/v1/users/alice/retrieve", json={"query": query})


def test_no_more_than_the_limit_run_at_once_and_they_start_in_arrival_order(
    served: Callable[..., tuple[str, CallGate]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, gate = served(max_concurrent_calls=2, max_concurrent_searches=64)
    assert gate.limit == 2
    held = Held(monkeypatch)
    queries = [f"question {i} about bees" for i in range(6)]
    with ThreadPoolExecutor(len(queries)) as clients:
        answers = []
        for i, query in enumerate(queries):  # one after another: each has arrived before the next is sent
            answers.append(clients.submit(retrieve, url, query))
            until(lambda i=i: gate.running + gate.waiting == i + 1)
        until(lambda: held.running == 2)
        assert gate.waiting == 4 and held.started == queries[:2]  # the other four wait on the event loop
        for _ in queries[2:]:
            held.let_one_go()
        held.go.release()
        held.go.release()
        responses = [answer.result() for answer in answers]
    assert [r.status_code for r in responses] == [200] * len(queries)
    assert [r.json()["query"] for r in responses] == queries
    assert held.most == 2 and held.started == queries  # first come, first served
    assert gate.running == 0 and gate.waiting == 0


def test_a_client_that_disconnects_while_waiting_gives_its_place_up(
    served: Callable[..., tuple[str, CallGate]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, gate = served(max_concurrent_calls=1, max_concurrent_searches=64)
    held = Held(monkeypatch)
    host, port = url.removeprefix("http://").split(":")
    with ThreadPoolExecutor(2) as clients:
        first = clients.submit(retrieve, url, "who keeps bees")
        until(lambda: held.running == 1)
        body = b'{"query": "a question nobody will read"}'
        request = (
            f"POST /v1/users/alice/retrieve HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        with socket.create_connection((host, int(port))) as gone:
            gone.sendall(request)
            until(lambda: gate.waiting == 1)
        until(lambda: gate.waiting == 0)  # the disconnect took it out of the queue
        last = clients.submit(retrieve, url, "where are the bees")
        until(lambda: gate.waiting == 1)
        held.let_one_go()  # the first call ends: the place goes to the last request, not the one that left
        held.go.release()
        assert first.result().status_code == 200 and last.result().status_code == 200
    assert held.started == ["who keeps bees", "where are the bees"]
    assert gate.running == 0 and gate.waiting == 0


def test_mcp_tools_wait_at_the_gate_in_arrival_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = MemoryServer(
        {
            "data_storage_path": str(tmp_path / "data"),
            "user_id": "alice",
            "max_concurrent_calls": 1,
            "max_concurrent_searches": 64,
        },
        embedder=HashingEmbedder(),
    )
    assert server.gate.limit == 1
    held = Held(monkeypatch)
    queries = ["bees", "honey", "hives"]
    answered: list[str] = []

    async def main() -> None:
        async with Client(server.mcp) as client:
            await client.call_tool("add_memory", {"user_input": "I keep bees.", "agent_response": "Nice."})

            async def ask(query: str) -> None:
                result = await client.call_tool("retrieve_memory", {"query": query})
                assert not result.is_error, result.content
                answered.append((result.structured_content or {})["query"])

            async with anyio.create_task_group() as group:
                for i, query in enumerate(queries):
                    group.start_soon(ask, query)
                    await wait_until(lambda i=i: server.gate.running + server.gate.waiting == i + 1)
                assert held.running == 1 or not held.started  # the first may not have reached the library yet
                await wait_until(lambda: held.running == 1)
                assert server.gate.waiting == 2 and held.started == queries[:1]
                for count in (2, 3):
                    held.go.release()
                    await wait_until(lambda count=count: len(held.started) == count)
                held.go.release()

    try:
        anyio.run(main)
    finally:
        server.pool.close()
    assert held.most == 1 and held.started == queries and answered == queries
    assert server.gate.running == 0 and server.gate.waiting == 0


def test_searches_wait_at_their_own_gate_in_arrival_order_and_adds_pass_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings(tmp_path, max_concurrent_searches=1), embedder=HashingEmbedder())
    searches, calls = app.state.search_gate, app.state.call_gate
    assert searches.limit == 1 and calls.limit == default_limit(None)
    with live_server(app) as url, httpx.Client(base_url=url, timeout=WAIT_S) as client:
        page = {"user_input": "I keep bees in Lisbon.", "agent_response": "Lovely."}
        assert client.post("/v1/users/alice/memories", json=page).status_code == 201
        held = Held(monkeypatch)
        queries = [f"question {i} about bees" for i in range(4)]
        with ThreadPoolExecutor(len(queries)) as clients:
            answers = []
            for i, query in enumerate(queries):
                answers.append(clients.submit(retrieve, url, query))
                until(lambda i=i: searches.running + searches.waiting == i + 1)
            until(lambda: held.running == 1)
            # the others wait at the search gate, holding no place at the call gate
            assert searches.waiting == 3 and calls.running == 1 and calls.waiting == 0
            # an add is not a search: it runs while the searches wait
            added = client.post("/v1/users/alice/memories", json={"user_input": "Honey", "agent_response": "Yum"})
            assert added.status_code == 201 and searches.waiting == 3
            for _ in queries[1:]:
                held.let_one_go()
            held.go.release()
            responses = [answer.result() for answer in answers]
        assert [r.status_code for r in responses] == [200] * len(queries)
        assert held.most == 1 and held.started == queries  # one at a time, first come, first served
        assert searches.running == searches.waiting == calls.running == calls.waiting == 0


def test_mcp_searches_wait_at_the_search_gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = MemoryServer(
        {"data_storage_path": str(tmp_path / "data"), "user_id": "alice", "max_concurrent_searches": 1},
        embedder=HashingEmbedder(),
    )
    assert server.search_gate.limit == 1 and server.gate.limit == default_limit(None)
    held = Held(monkeypatch)
    queries = ["bees", "honey", "hives"]

    async def main() -> None:
        async with Client(server.mcp) as client:
            await client.call_tool("add_memory", {"user_input": "I keep bees.", "agent_response": "Nice."})

            async def ask(query: str) -> None:
                result = await client.call_tool("retrieve_memory", {"query": query})
                assert not result.is_error, result.content

            async with anyio.create_task_group() as group:
                for i, query in enumerate(queries):
                    group.start_soon(ask, query)
                    await wait_until(lambda i=i: server.search_gate.running + server.search_gate.waiting == i + 1)
                await wait_until(lambda: held.running == 1)
                assert server.search_gate.waiting == 2 and server.gate.waiting == 0
                added = await client.call_tool("add_memory", {"user_input": "Honey.", "agent_response": "Yum."})
                assert not added.is_error  # adds do not wait behind the searches
                for count in (2, 3):
                    held.go.release()
                    await wait_until(lambda count=count: len(held.started) == count)
                held.go.release()

    try:
        anyio.run(main)
    finally:
        server.pool.close()
    assert held.most == 1 and held.started == queries


def test_searches_served_concurrently_give_what_they_give_one_by_one(tmp_path: Path) -> None:
    """Through the default gates, many clients at once get the bodies one client gets asking one by one."""
    app = create_app(settings(tmp_path), embedder=HashingEmbedder())
    queries = [user_input for user_input, _ in ALICE + BOB] * 3
    with live_server(app) as url:
        with httpx.Client(base_url=url, timeout=WAIT_S) as client:
            seed(client, "alice", ALICE + BOB)

        def ask(query: str) -> dict[str, Any]:
            with httpx.Client(base_url=url, timeout=WAIT_S) as client:
                response = client.post("/v1/users/alice/search", json={"query": query})
            assert response.status_code == 200, response.text
            body = response.json()
            # what differs from call to call whatever the order: times, the context's fence, a segment's heat
            # (its recency decays with the clock)
            del body["timings_ms"], body["context"]
            for segment in body["segments"]:
                del segment["heat"]
            return dict(body)

        serial = [ask(query) for query in queries]
        with ThreadPoolExecutor(len(queries)) as clients:
            together = list(clients.map(ask, queries))
    assert together == serial
    assert any(body["pages"] for body in serial)  # something was found to compare


def test_the_default_limits_are_eight_calls_and_one_search_per_core_of_the_model(tmp_path: Path) -> None:
    assert default_limit(1) == 8 and default_limit(3) == 24
    app = create_app(settings(tmp_path), embedder=HashingEmbedder())
    try:
        assert app.state.call_gate.limit == 8 * model_cores(None)
        assert app.state.search_gate.limit == model_cores(None) == default_search_limit(None)
        # the request the gated routes take to watch for a disconnect is not a documented parameter
        operation = app.openapi()["paths"]["/v1/users/{user_id}/retrieve"]["post"]
        assert [p["name"] for p in operation["parameters"]] == ["user_id"]
    finally:
        app.state.memoryos.pool.close()
    app = create_app(settings(tmp_path, embedding_threads=1), embedder=HashingEmbedder())  # a worker's share
    try:
        assert app.state.call_gate.limit == 8 and app.state.search_gate.limit == 1
    finally:
        app.state.memoryos.pool.close()


def test_the_limit_comes_from_the_environment_and_bad_limits_are_typed_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMORYOS_MAX_CONCURRENT_CALLS", "3")
    monkeypatch.setenv("MEMORYOS_MAX_CONCURRENT_SEARCHES", "2")
    app = create_app(settings(tmp_path), embedder=HashingEmbedder())
    try:
        assert app.state.call_gate.limit == 3 and app.state.search_gate.limit == 2
    finally:
        app.state.memoryos.pool.close()
    for bad in ("0", "-2", "many"):
        monkeypatch.setenv("MEMORYOS_MAX_CONCURRENT_CALLS", bad)
        with pytest.raises(ConfigError, match="max_concurrent_calls"):
            create_app(settings(tmp_path), embedder=HashingEmbedder())
    monkeypatch.delenv("MEMORYOS_MAX_CONCURRENT_CALLS")
    monkeypatch.setenv("MEMORYOS_MAX_CONCURRENT_SEARCHES", "0")
    with pytest.raises(ConfigError, match="max_concurrent_searches"):
        create_app(settings(tmp_path), embedder=HashingEmbedder())
    monkeypatch.delenv("MEMORYOS_MAX_CONCURRENT_SEARCHES")
    for value in (0, 1.5, "x"):
        with pytest.raises(ConfigError, match="max_concurrent_calls"):
            build_config({"max_concurrent_calls": value})
    for value in (0, True, 2.0):
        with pytest.raises(ConfigError, match="max_concurrent_calls"):
            CallGate(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", ["serve", "mcp"])
@pytest.mark.parametrize("option", ["--max-concurrent-calls", "--max-concurrent-searches"])
def test_a_bad_limit_on_the_command_line_ends_the_server_before_it_starts(
    tmp_path: Path, command: str, option: str
) -> None:
    result = CliRunner().invoke(cli_app, [command, option, "0", "--data", str(tmp_path / "data"), "--port", "1"])
    assert result.exit_code == 1, result.output
    assert option.removeprefix("--").replace("-", "_") in result.output
    assert not (tmp_path / "data").exists()  # nothing was opened
