"""Serving under load: `memoryos serve` (REST) and `memoryos mcp --transport http` with concurrent clients.

    python -m benchmarks.serve [--storage sqlite --storage embedded-postgres] [--interface rest --interface mcp]
        [--workers 1 --workers 2] [--clients 1 8 32] [--seconds 6] [--seed-pages 1000] [--quick]

Each server runs as a subprocess on loopback over a fresh store (one user). First one client stores
`--seed-pages` exchanges one after the other (timed: "seed adds"), and the run waits until upkeep has
consolidated them; then 8 clients retrieve for `--warmup-seconds`, unmeasured (the first retrievals make the
seeded segments hot and upkeep promotes them: a one-time burst of learning), and the run waits (at most
`--settle-seconds`) until the server is idle, so that the promotions they started do not land on the first
cell. Then, for each mix (`retrieve`: retrieve only; `mix`: one add per four retrieves; `add`, on request: adds
only, concurrent writers) and each client count,
that many clients (asyncio tasks, one HTTP connection or MCP session each, all started together) loop for
`--seconds`: requests per second over the wall time, latency percentiles, errors, and the server's CPU time per
request. Queries are distinct user messages (no repeats, so no cache helps). After the server has stopped, the
store is opened and every acknowledged page must be there exactly once, with nothing else added. MCP runs one
worker (its streamable-HTTP sessions live in one process).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ._common import RESULTS_DIR, machine, markdown_table, percentiles_ms, print_table, quiet_environment, write_results
from ._http import JsonClient
from ._storage import Backend, open_backend
from ._synth import exchanges

USER = "bench"
REQUEST_TIMEOUT_S = 120.0
START_TIMEOUT_S = 180.0
DRAIN_TIMEOUT_S = 300.0
MIX_ADD_EVERY = 5  # one add, then four retrieves


# ---- servers ----


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _child_env() -> dict[str, str]:
    """The server runs the memoryos this benchmark imports, with no LLM and no settings from the environment."""
    import memoryos

    src = str(Path(memoryos.__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MEMORYOS_")) or k == "MEMORYOS_CACHE"}
    env.update(
        PYTHONPATH=os.pathsep.join([src, *filter(None, [os.environ.get("PYTHONPATH")])]),
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        PYTHONUNBUFFERED="1",
    )
    return env


class Server:
    """`memoryos serve` or `memoryos mcp --transport http` in a subprocess, stopped with Ctrl-C (SIGINT)."""

    def __init__(
        self,
        interface: str,
        workers: int,
        storage_url: str | None,
        folder: Path,
        http_client: str = "light",
        max_calls: int | None = None,
        max_searches: int | None = None,
    ) -> None:
        self.interface = interface
        self.http_client = http_client
        self.port = _free_port()
        config = folder / "config.json"
        config.write_text(json.dumps({"use_llm": False, "user_id": USER}), encoding="utf-8")
        common = ["--config", str(config), "--data", str(folder / "data"), "--log-level", "WARNING"]
        common += ["--storage", storage_url] if storage_url else []
        common += ["--max-concurrent-calls", str(max_calls)] if max_calls else []  # else the server's default
        common += ["--max-concurrent-searches", str(max_searches)] if max_searches else []
        if interface == "rest":
            command = ["serve", "--port", str(self.port), "--workers", str(workers), *common]
        else:
            command = ["mcp", "--transport", "http", "--port", str(self.port), *common]
        self.log = folder / f"{interface}-{workers}.log"
        self._log = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from memoryos.cli import main; main()", *command],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=_child_env(),
        )
        self.url = f"http://127.0.0.1:{self.port}" + ("/mcp" if interface == "mcp" else "")

    def wait_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log.read_text()}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the server did not listen within {START_TIMEOUT_S:.0f} s:\n{self.log.read_text()}")

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) the server's processes (workers included) have used so far: on a shared
        machine a steadier measure of the work per request than wall time."""
        try:
            import psutil
        except ImportError:  # pragma: no cover - psutil comes with the dev tools
            return None
        try:
            root = psutil.Process(self.process.pid)
            total = 0.0
            for proc in [root, *root.children(recursive=True)]:
                times = proc.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
            return total
        except psutil.Error:
            return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


# ---- clients ----


class RestClient:
    """`light`: benchmarks/_http.py's one keep-alive connection (~0.1 ms of client CPU per request); `httpx`: an
    httpx.AsyncClient (~1.7 ms), the cost of a typical Python client, charged to the same 2 cores."""

    def __init__(self, base: str, http_client: str = "light") -> None:
        self._user = f"/v1/users/{USER}"
        if http_client == "httpx":
            import httpx

            self._http: Any = httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S)
        else:
            host, _, port = base.removeprefix("http://").partition(":")
            self._http = JsonClient(host, int(port), REQUEST_TIMEOUT_S)

    async def __aenter__(self) -> RestClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    async def retrieve(self, query: str) -> None:
        response = await self._http.post(f"{self._user}/retrieve", json={"query": query})
        if response.status_code != 200:
            raise RuntimeError(f"retrieve: HTTP {response.status_code} {response.text[:200]}")
        response.json()  # a client reads what it asked for

    async def add(self, user_input: str, agent_response: str) -> str:
        body = {"user_input": user_input, "agent_response": agent_response}
        response = await self._http.post(f"{self._user}/memories", json=body)
        if response.status_code != 201:
            raise RuntimeError(f"add: HTTP {response.status_code} {response.text[:200]}")
        return str(response.json()["page_id"])

    async def stats(self) -> dict[str, Any]:
        response = await self._http.get(f"{self._user}/stats")
        if response.status_code != 200:
            raise RuntimeError(f"stats: HTTP {response.status_code} {response.text[:200]}")
        return dict(response.json())


class McpClient:
    def __init__(self, url: str) -> None:
        from mcp import Client

        self._client = Client(url, read_timeout_seconds=REQUEST_TIMEOUT_S)

    async def __aenter__(self) -> McpClient:
        await self._client.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.__aexit__(None, None, None)

    async def _call(self, tool: str, **arguments: Any) -> dict[str, Any]:
        result = await self._client.call_tool(tool, arguments)
        if result.is_error:
            raise RuntimeError(f"{tool}: {str(result.content)[:200]}")
        return dict(result.structured_content or {})

    async def retrieve(self, query: str) -> None:
        await self._call("retrieve_memory", query=query, user_id=USER)

    async def add(self, user_input: str, agent_response: str) -> str:
        return str((await self._call("add_memory", user_input=user_input, agent_response=agent_response))["page_id"])

    async def stats(self) -> dict[str, Any]:
        return await self._call("memory_stats", user_id=USER)


def client_for(server: Server) -> RestClient | McpClient:
    return RestClient(server.url, server.http_client) if server.interface == "rest" else McpClient(server.url)


class Workload:
    """Distinct queries and exchanges, handed out in order to whichever client asks next."""

    def __init__(self, seed: int = 7) -> None:
        said = exchanges(60_000, seed=seed)
        self.queries = list(dict.fromkeys(u for u, _ in said))
        self.exchanges = said
        self._q = self._e = 0

    def query(self) -> str:
        self._q += 1
        return self.queries[self._q % len(self.queries)]

    def exchange(self) -> tuple[str, str]:
        self._e += 1
        return self.exchanges[self._e % len(self.exchanges)]


async def seed(server: Server, work: Workload, pages: int) -> dict[str, Any]:
    """`pages` adds from one client, timed; then wait until upkeep has consolidated them."""
    ids: list[str] = []
    latencies: list[float] = []
    async with client_for(server) as client:
        for _ in range(3):  # the first call of a process may wait for the model to load: not an add's cost
            await client.retrieve(work.query())
        cpu_before = server.cpu_seconds()
        client_before = time.process_time()
        started = time.perf_counter()
        for _ in range(pages):
            t0 = time.perf_counter()
            ids.append(await client.add(*work.exchange()))
            latencies.append(time.perf_counter() - t0)
        seconds = time.perf_counter() - started
        cpu_adds = server.cpu_seconds()
        client_cpu = time.process_time() - client_before
        drained = time.perf_counter()
        waiting = -1
        while time.perf_counter() - drained < DRAIN_TIMEOUT_S:
            waiting = int((await client.stats())["upkeep"]["waiting_pages"])
            if waiting == 0:
                break
            await asyncio.sleep(0.5)
        cpu_drained = server.cpu_seconds()

    def per_add(cpu: float | None) -> float | None:  # server CPU (all processes) per add, in ms
        return round(1000 * (cpu - cpu_before) / pages, 2) if cpu is not None and cpu_before is not None else None

    return {
        "pages": pages,
        "server_cpu_ms_per_add": per_add(cpu_adds),  # while the adds ran
        "server_cpu_ms_per_add_consolidated": per_add(cpu_drained),  # and until upkeep had consolidated them
        "client_cpu_ms_per_add": round(1000 * client_cpu / pages, 2),  # the load generator, on the same cores
        "load_average": round(os.getloadavg()[0], 1),
        "seconds": round(seconds, 2),
        "adds_per_s": round(pages / seconds, 1) if seconds else None,
        "add": percentiles_ms(latencies),
        "consolidation_wait_s": round(time.perf_counter() - drained, 1),
        "waiting_after": waiting,
        "ids": ids,
    }


MIX_TITLES = {"retrieve": "retrieve", "mix": "1 add : 4 retrieves", "add": "adds only"}


def _op(cell: dict[str, Any]) -> str:
    """The operation whose latency a cell reports: adds in the adds-only mix, retrieves otherwise."""
    return "add" if cell["mix"] == "add" else "retrieve"


def _measured(cell: dict[str, Any]) -> dict[str, Any]:
    return dict(cell[_op(cell)])


async def run_cell(server: Server, work: Workload, clients: int, mix: str, seconds: float) -> dict[str, Any]:
    """`clients` clients looping for `seconds`, all started together once every session is open."""
    latency: dict[str, list[float]] = {"retrieve": [], "add": []}
    errors: list[str] = []
    ids: list[str] = []
    go = asyncio.Event()
    ready = 0

    async def one(index: int) -> None:
        nonlocal ready
        async with client_for(server) as client:
            await client.retrieve(work.query())  # opens the connection or session before the clock starts
            ready += 1
            await go.wait()
            k = index  # clients start at different points of the add/retrieve cycle
            while time.perf_counter() < stop:
                adding = mix == "add" or (mix == "mix" and k % MIX_ADD_EVERY == 0)
                k += 1
                t0 = time.perf_counter()
                try:
                    if adding:
                        ids.append(await client.add(*work.exchange()))
                    else:
                        await client.retrieve(work.query())
                except Exception as exc:  # counted, and the client goes on, as a real one would retry
                    errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
                    continue
                latency["add" if adding else "retrieve"].append(time.perf_counter() - t0)

    stop = float("inf")
    tasks = [asyncio.create_task(one(i)) for i in range(clients)]
    while ready < clients:
        if any(t.done() for t in tasks):
            await asyncio.gather(*tasks)  # a client failed to connect: raise its error
        await asyncio.sleep(0.01)
    cpu_before = server.cpu_seconds()
    client_before = time.process_time()
    started = time.perf_counter()
    stop = started + seconds
    go.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    cpu_after = server.cpu_seconds()
    client_cpu = time.process_time() - client_before
    done = len(latency["retrieve"]) + len(latency["add"])
    every = latency["retrieve"] + latency["add"]
    return {
        "clients": clients,
        "mix": mix,
        "wall_s": round(wall, 2),
        "requests": done,
        "req_per_s": round(done / wall, 1),
        "retrieve_per_s": round(len(latency["retrieve"]) / wall, 1),
        "all": percentiles_ms(every),
        "retrieve": percentiles_ms(latency["retrieve"]),
        "add": percentiles_ms(latency["add"]),
        # the server's CPU time per completed request (background upkeep included)
        "server_cpu_ms_per_request": round(1000 * (cpu_after - cpu_before) / done, 1)
        if cpu_before is not None and cpu_after is not None and done
        else None,
        "client_cpu_ms_per_request": round(1000 * client_cpu / done, 2) if done else None,
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "ids": ids,
    }


def count_pages(storage_url: str | None, folder: Path, acknowledged: list[str]) -> dict[str, Any]:
    """Every acknowledged page stored exactly once, nothing else. Read from the store itself: a `Memoryos` would
    first finish the upkeep the server left pending (thousands of pages after the adds-only cells)."""
    from memoryos.config import MemoryosConfig
    from memoryos.models import Scope
    from memoryos.storage import open_store

    config = MemoryosConfig(user_id=USER, data_storage_path=str(folder / "data"), storage=storage_url)
    store = open_store(config.storage_url())
    try:
        stored = Counter(p.id for p in store.list_pages(Scope(USER, config.assistant_id)))
    finally:
        store.close()
    said = set(acknowledged)
    lost = sum(1 for i in said if stored[i] == 0)
    duplicated = sum(1 for n in stored.values() if n > 1)
    unexpected = sum(1 for i in stored if i not in said)
    return {
        "acknowledged": len(acknowledged),
        "stored": sum(stored.values()),
        "lost": lost,
        "duplicated": duplicated + len(acknowledged) - len(set(acknowledged)),
        "unexpected": unexpected,
        "ok": lost == duplicated == unexpected == 0 and len(acknowledged) == len(set(acknowledged)),
    }


def settle(server: Server, limit: float) -> float | None:
    """Wait until the server is idle (under 5% of a core for a second), at most `limit` seconds: the promotions
    that the warm-up's retrievals started are learning from the seeded pages, once, not the cost of the requests
    measured next. Returns the seconds waited (None: still busy at the limit, or no CPU figures)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        before = server.cpu_seconds()
        time.sleep(1.0)
        after = server.cpu_seconds()
        if before is None or after is None:
            return None
        if after - before < 0.05:
            return round(time.perf_counter() - started, 1)
    return None


def run_server(
    backend: Backend, interface: str, workers: int, args: argparse.Namespace, tmp: Path, work: Workload
) -> dict[str, Any]:
    label = f"{interface}-{workers}w"
    folder = tmp / f"{backend.name}-{label}"
    folder.mkdir(parents=True)
    url = backend.store_url(label, folder)
    server = Server(
        interface, workers, url, folder, args.http_client, args.max_concurrent_calls, args.max_concurrent_searches
    )
    report: dict[str, Any] = {"interface": interface, "workers": workers, "storage": backend.name, "cells": []}
    acknowledged: list[str] = []
    try:
        server.wait_listening()
        seeded = asyncio.run(seed(server, work, args.seed_pages))
        acknowledged += seeded.pop("ids")
        report["seed"] = seeded
        _say(
            args,
            f"{backend.name} {label}: {args.seed_pages} adds in {seeded['seconds']} s, server CPU "
            f"{seeded['server_cpu_ms_per_add']} ms/add ({seeded['server_cpu_ms_per_add_consolidated']} with "
            f"consolidation), load {seeded['load_average']}",
        )
        if args.warmup_seconds > 0:
            # the first retrievals make the seeded segments hot, and upkeep promotes them (learning from the
            # conversation, once): a burst of work that would otherwise land on whichever cell comes first
            warm = asyncio.run(run_cell(server, work, 8, "retrieve", args.warmup_seconds))
            acknowledged += warm.pop("ids")
            report["warmup"] = {k: warm[k] for k in ("clients", "requests", "wall_s", "errors")}
            time.sleep(2.0)
            report["warmup"]["settle_s"] = settle(server, args.settle_seconds)
        for mix in args.mixes:
            for clients in args.clients:
                load = os.getloadavg()[0]
                cell = asyncio.run(run_cell(server, work, clients, mix, args.seconds))
                acknowledged += cell.pop("ids")
                cell["load_average"] = round(load, 2)
                report["cells"].append(cell)
                r = _measured(cell)
                _say(
                    args,
                    f"  {mix:8} {clients:3} clients: {cell['req_per_s']:7.1f} req/s, {_op(cell)} p50 "
                    f"{r.get('p50_ms')} p95 {r.get('p95_ms')} ms, "
                    f"server CPU {cell['server_cpu_ms_per_request']} ms/req, "
                    f"{cell['errors']} errors (load {load:.1f})",
                )
    except Exception:
        print(f"server log ({server.log}):\n{server.log.read_text()[-4000:]}", file=sys.stderr)
        raise
    finally:
        server.stop()
    report["pages"] = count_pages(url, folder, acknowledged)
    return report


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(text, flush=True)


# ---- the report ----


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mixes = list(dict.fromkeys(c["mix"] for run in results["runs"] for c in run["cells"]))
    fig, axes = plt.subplots(2, len(mixes), figsize=(5.5 * len(mixes), 7.5), squeeze=False)
    for col, mix in enumerate(mixes):
        for run in results["runs"]:
            cells = [c for c in run["cells"] if c["mix"] == mix]
            if not cells:
                continue
            name = f"{run['interface'].upper()} {run['workers']}w {run['storage']}"
            style = "-" if run["storage"] == "sqlite" else "--"
            xs = [c["clients"] for c in cells]
            axes[0][col].plot(xs, [c["req_per_s"] for c in cells], style, marker="o", label=name)
            axes[1][col].plot(xs, [_measured(c).get("p95_ms") for c in cells], style, marker="o", label=name)
        axes[0][col].set_title(f"{MIX_TITLES[mix]}: throughput")
        axes[0][col].set_ylabel("requests / s")
        axes[1][col].set_title("add p95" if mix == "add" else "retrieve p95")
        axes[1][col].set_ylabel("ms")
        axes[1][col].set_yscale("log")
        for row in (0, 1):
            axes[row][col].set_xscale("log", base=2)
            axes[row][col].set_xlabel("concurrent clients")
            axes[row][col].grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    load = results["machine"]["load_average_at_start"]
    fig.suptitle(f"memoryos served on loopback, {results['machine']['cores']} cores (load average {load} at start)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--storage", action="append", help="sqlite, embedded-postgres or postgresql://... (repeatable)")
    parser.add_argument("--interface", action="append", choices=("rest", "mcp"), help="repeatable; default both")
    parser.add_argument("--workers", action="append", type=int, help="REST worker processes (repeatable; 1 and 2)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument(
        "--mixes",
        nargs="+",
        choices=tuple(MIX_TITLES),
        default=["retrieve", "mix"],
        help="retrieve: retrieve only; mix: one add per four retrieves; add: adds only (concurrent writers)",
    )
    parser.add_argument("--seconds", type=float, default=6.0, help="measured time per cell")
    parser.add_argument("--seed-pages", type=int, default=1000, help="pages one client adds before the cells")
    parser.add_argument(
        "--warmup-seconds", type=float, default=5.0, help="8 clients retrieving before the cells (not measured)"
    )
    parser.add_argument(
        "--settle-seconds",
        type=float,
        default=120.0,
        help="after the warm-up, wait at most this long for upkeep to finish the promotions it started",
    )
    parser.add_argument(
        "--quick", action="store_true", help="SQLite, REST with 1 and 2 workers, 1 and 8 clients, 3 s, 200 pages"
    )
    parser.add_argument(
        "--http-client",
        choices=("light", "httpx"),
        default="light",
        help="REST load generator: a minimal keep-alive HTTP/1.1 client (default) or httpx (~1.7 ms more client CPU "
        "per request on the same cores)",
    )
    parser.add_argument(
        "--max-concurrent-calls",
        type=int,
        help="the server's --max-concurrent-calls (default: the server's own default)",
    )
    parser.add_argument(
        "--max-concurrent-searches",
        type=int,
        help="the server's --max-concurrent-searches (default: the server's own default)",
    )
    parser.add_argument("--name", default="serve", help="results file name (without .json)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.storage = args.storage or ["sqlite"]
        args.interface = args.interface or ["rest"]
        args.clients, args.seconds, args.seed_pages = [1, 8], min(args.seconds, 3.0), min(args.seed_pages, 200)
        args.warmup_seconds = min(args.warmup_seconds, 2.0)
        args.settle_seconds = min(args.settle_seconds, 20.0)
    args.storage = args.storage or ["sqlite", "embedded-postgres"]
    args.interface = args.interface or ["rest", "mcp"]
    args.workers = args.workers or [1, 2]
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    quiet_environment()
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    work = Workload()
    results: dict[str, Any] = {
        "benchmark": "serve",
        "mode": "no-llm",
        "user": USER,
        "seconds_per_cell": args.seconds,
        "seed_pages": args.seed_pages,
        "mix_add_every": MIX_ADD_EVERY,
        "http_client": args.http_client,
        "max_concurrent_calls": args.max_concurrent_calls,
        "max_concurrent_searches": args.max_concurrent_searches,
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="memoryos-serve-") as tmp:
        for spec in args.storage:
            with open_backend(spec) as backend:
                for interface in args.interface:
                    for workers in args.workers if interface == "rest" else [1]:
                        results["runs"].append(run_server(backend, interface, workers, args, Path(tmp), work))
    results["total_s"] = round(time.perf_counter() - started, 1)
    results["machine"] = {
        **machine(),
        "load_average_at_start": round(load_before, 2),
        "load_average_at_end": round(os.getloadavg()[0], 2),
    }
    header = ["interface", "workers", "storage", "mix", "clients", "req/s", "p50 ms", "p95 ms", "p99 ms"]
    header += ["CPU ms/req", "errors", "load"]
    rows: list[list[object]] = []
    for run in results["runs"]:
        for c in run["cells"]:
            r = _measured(c)
            rows.append([run["interface"], run["workers"], run["storage"], c["mix"], c["clients"], c["req_per_s"]])
            rows[-1] += [r.get("p50_ms"), r.get("p95_ms"), r.get("p99_ms"), c["server_cpu_ms_per_request"]]
            rows[-1] += [c["errors"], c["load_average"]]
    seeds: list[list[object]] = []
    for run in results["runs"]:
        seeded, pages = run["seed"], run["pages"]
        seeds.append([run["interface"], run["workers"], run["storage"], seeded["seconds"], seeded["add"].get("p50_ms")])
        seeds[-1] += [pages["stored"], pages["lost"], pages["duplicated"], pages["unexpected"]]
    seed_header = ["interface", "workers", "storage", f"{args.seed_pages} adds s", "add p50 ms", "pages stored"]
    seed_header += ["lost", "duplicated", "unexpected"]
    print_table("memoryos served: requests/s and retrieve latency", header, rows)
    print_table("seeding and pages after the run", seed_header, seeds)
    results["markdown"] = markdown_table(header, rows) + "\n\n" + markdown_table(seed_header, seeds)
    path = write_results(args.name, results, args.out)
    plot(results, args.out / f"{args.name}.png")
    print(f"results: {path}")
    return results


if __name__ == "__main__":
    main()
