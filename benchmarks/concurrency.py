"""Throughput of concurrent clients on one store: processes running a chat loop (retrieve, then add_memory).

    python -m benchmarks.concurrency [--storage sqlite --storage embedded-postgres] [--clients 8] [--turns 40]

Each client is a process (multiprocessing, spawn) with its own Memoryos in the default configuration (no LLM,
upkeep in a background thread) and the real MiniLM model. Per storage three scenarios run in turn: one client
(the reference), N clients of the same user, and N clients of N different users; every user starts with a
memory of `--prefill` consolidated pages (real vectors). All clients start together at a barrier; throughput is
every operation of every client over the wall time from the first start to the last finish. Afterwards every
acknowledged page must be present exactly once and `Memoryos.check()` must find nothing.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import os
import queue
import random
import tempfile
import threading
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from memoryos import Memoryos, StorageError
from memoryos.models import ScopeDump

from ._common import (
    RESULTS_DIR,
    machine,
    markdown_table,
    percentiles_ms,
    print_table,
    quiet_environment,
    write_results,
)
from ._storage import PostgresBackend, open_backend
from ._synth import exchanges, questions, scale_dump

ASSISTANT = "bench"
RESULT_TIMEOUT_S = 900.0
FLUSH_ATTEMPTS = 5


class PostponedUpkeep(logging.Handler):
    """Counts upkeep steps the library postponed after an error (it logs each one and retries later)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.postponed = 0
        self.deadlocks = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.postponed += 1
        self.deadlocks += "deadlock detected" in record.getMessage()


class HashEmbedder:
    """Feature hashing of words (no model): isolates what storage and locking cost from embedding cost."""

    def __init__(self, dim: int = 384) -> None:
        self.name = f"hashing-bench-{dim}"
        self.dim = dim

    def embed(self, texts: list[str]) -> np.ndarray:
        import zlib

        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split() or ["<empty>"]:
                matrix[row, zlib.crc32(word.encode()) % self.dim] += 1.0
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def make_embedder(kind: str, threads: int | None = None) -> Any:
    if kind == "hashing":
        return HashEmbedder()
    from ._common import local_model

    return local_model(threads or None)


def prefill_dump(n_pages: int, embedder: Any) -> ScopeDump:
    """A consolidated memory whose vectors match its texts (so check() verifies them like any other)."""
    dump = scale_dump(n_pages, embedder.dim, seed=42, active_segments=10**6)
    vectors = embedder.embed([p.text for p in dump.pages])
    for page, vector in zip(dump.pages, vectors, strict=True):
        page.embedding = vector
    for segment in dump.segments:
        members = np.stack([p.embedding for p in dump.pages if p.segment_id == segment.id])
        centroid = members.mean(axis=0)
        segment.embedding = (centroid / np.linalg.norm(centroid)).astype(np.float32)
    return dump


def _client(
    index: int,
    scenarios: list[dict[str, Any]],
    args: argparse.Namespace,
    barrier: Any,
    results: Any,
) -> None:
    """One client process: for every scenario it takes part in, `turns` × (retrieve, add_memory). Clients
    that sit a scenario out wait at its end, so they never compete with it."""
    quiet_environment()
    logging.basicConfig(level=logging.WARNING)
    turns = args.turns
    postponed = PostponedUpkeep()
    logging.getLogger("memoryos.upkeep.worker").addHandler(postponed)
    try:
        embedder = make_embedder(args.embedder, args.embedding_threads)
        for number, scenario in enumerate(scenarios):
            active = index < scenario["clients"]
            memo = None
            if active:
                memo = Memoryos(
                    user_id=scenario["users"][index],
                    assistant_id=ASSISTANT,
                    data_storage_path=scenario["folder"],
                    storage=scenario["url"],
                    embedder=embedder,
                    use_llm=False,
                )
                memo.retrieve("warm up: what did I do last weekend?")
            barrier.wait()
            if memo is None:
                barrier.wait()
                continue
            seed = 1000 * number + index
            asked = questions(turns, seed=seed)
            said = exchanges(turns, seed=seed)
            retrieve_s, add_s, ids = [], [], []
            start = time.monotonic()
            for query, (user, agent) in zip(asked, said, strict=True):
                t0 = time.perf_counter()
                memo.retrieve(query)
                t1 = time.perf_counter()
                ids.append(memo.add_memory(user, agent))
                t2 = time.perf_counter()
                retrieve_s.append(t1 - t0)
                add_s.append(t2 - t1)
            end = time.monotonic()
            # flush() retries a pass that failed (postponed); close() writes what is still pending and raises
            # if it cannot: counted, not fatal, so that the run still checks what was stored
            drained = False
            for attempt in range(FLUSH_ATTEMPTS):
                if memo.flush():
                    drained = True
                    break
                time.sleep(random.Random(seed + attempt).uniform(0.05, 0.3))
            flush_s = time.monotonic() - end
            close_error = None
            try:
                memo.close()
            except StorageError as exc:
                close_error = str(exc).splitlines()[0]
            results.put(
                {
                    "scenario": number,
                    "client": index,
                    "ids": ids,
                    "retrieve_s": retrieve_s,
                    "add_s": add_s,
                    "start": start,
                    "end": end,
                    "flush_s": flush_s,
                    "flushed": drained,
                    "upkeep_postponed": postponed.postponed,
                    "deadlocks": postponed.deadlocks,
                    "close_error": close_error,
                }
            )
            postponed.postponed = postponed.deadlocks = 0
            barrier.wait()
    except threading.BrokenBarrierError:
        results.put({"error": f"client {index}: stopped, another client failed", "secondary": True})
    except BaseException:
        results.put({"error": f"client {index}: {traceback.format_exc()}"})
        barrier.abort()  # the others stop waiting
        raise


def _first_failure(first: dict[str, Any], results: Any) -> str:
    """The error of the client that failed, not of those the broken barrier stopped."""
    errors = [first]
    deadline = time.monotonic() + 10
    while first.get("secondary") and time.monotonic() < deadline:
        try:
            out = results.get(timeout=1)
        except queue.Empty:
            continue
        if "error" in out:
            errors.append(out)
            if not out.get("secondary"):
                break
    return next((e["error"] for e in errors if not e.get("secondary")), first["error"])


def verify(scenario: dict[str, Any], outputs: list[dict[str, Any]], prefill: int, embedder: Any) -> dict[str, Any]:
    """Every acknowledged page present exactly once, nothing else added, and check() finds nothing."""
    acknowledged: dict[str, list[str]] = {}
    for out in outputs:
        acknowledged.setdefault(scenario["users"][out["client"]], []).extend(out["ids"])
    lost = duplicated = extra = 0
    problems: list[str] = []
    for user, ids in acknowledged.items():
        memo = Memoryos(
            user_id=user,
            assistant_id=ASSISTANT,
            data_storage_path=scenario["folder"],
            storage=scenario["url"],
            embedder=embedder,
            use_llm=False,
            background_upkeep=False,
        )
        try:
            memo.flush()
            stored = Counter(p["id"] for p in memo.list_pages())
            lost += sum(1 for i in ids if stored[i] == 0)
            duplicated += sum(1 for i in ids if stored[i] > 1)
            extra += sum(stored.values()) - prefill - len(ids)
            problems += [f"{user}: {p}" for p in memo.check()]
        finally:
            memo.close()
    return {
        "acknowledged": sum(len(v) for v in acknowledged.values()),
        "lost": lost,
        "duplicated": duplicated,
        "unexpected_pages": extra,
        "check_problems": problems,
        "ok": lost == duplicated == extra == 0 and not problems,
    }


def summarize(outputs: list[dict[str, Any]], turns: int) -> dict[str, Any]:
    wall = max(o["end"] for o in outputs) - min(o["start"] for o in outputs)
    ops = 2 * turns * len(outputs)
    return {
        "clients": len(outputs),
        "operations": ops,
        "wall_s": round(wall, 2),
        "ops_per_s": round(ops / wall, 1),
        "retrieve": percentiles_ms([s for o in outputs for s in o["retrieve_s"]]),
        "add_memory": percentiles_ms([s for o in outputs for s in o["add_s"]]),
        "upkeep_drain_s": round(max(o["flush_s"] for o in outputs), 2),
        # upkeep steps (consolidation, promotion, heat writes) that failed and were retried, and how many of
        # those failures were PostgreSQL deadlocks
        "upkeep_postponed": sum(o["upkeep_postponed"] for o in outputs),
        "deadlocks": sum(o["deadlocks"] for o in outputs),
        "close_errors": [o["close_error"] for o in outputs if o["close_error"]],
    }


def _retried(scenario: dict[str, Any]) -> str:
    notes = [f"{scenario['deadlocks']} deadlocks"] if scenario["deadlocks"] else []
    notes += [f"{len(scenario['close_errors'])} close() errors"] if scenario["close_errors"] else []
    return f"{scenario['upkeep_postponed']}" + (f" ({', '.join(notes)})" if notes else "")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.concurrency", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--storage",
        action="append",
        help="sqlite, embedded-postgres or postgresql://... (repeatable; default: sqlite and embedded-postgres)",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--turns", type=int, default=40, help="retrieve + add_memory pairs per client")
    parser.add_argument("--prefill", type=int, default=500, help="pages in each user's memory before the run")
    parser.add_argument(
        "--embedder", choices=("minilm", "hashing"), default="minilm", help="hashing: no model, storage cost only"
    )
    parser.add_argument(
        "--embedding-threads",
        "--torch-threads",
        type=int,
        default=1,
        help="embedding threads per client process (0: the runtime's default, one per core; N processes on few "
        "cores then fight over them)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--quiet", action="store_true")
    return parser.parse_args(argv)


def run_storage(spec: str, args: argparse.Namespace, embedder: Any, base: ScopeDump, tmp: Path) -> dict[str, Any]:
    """All scenarios on one storage: stores prepared here, one pool of client processes for all of them."""
    n = args.clients
    plans = [
        ("one client", 1, ["solo"]),
        ("same user", n, ["shared"] * n),
        (f"{n} users", n, [f"user-{i}" for i in range(n)]),
    ]
    with open_backend(spec) as backend:
        scenarios = []
        for label, clients, users in plans:
            folder = tmp / f"{backend.name}-{len(scenarios)}"
            folder.mkdir(parents=True)
            url = backend.store_url(label, folder) or f"sqlite:///{folder / 'memoryos.db'}"
            for user in dict.fromkeys(users):
                memo = Memoryos(
                    user_id=user,
                    assistant_id=ASSISTANT,
                    storage=url,
                    embedder=embedder,
                    use_llm=False,
                    background_upkeep=False,
                )
                memo.store.import_scope(memo.scope, base)  # the same ids for every user: ids are unique per user
                memo.store.check_embedding_model(embedder.name, embedder.dim)  # PostgreSQL: HNSW built here
                memo.close()
            if isinstance(backend, PostgresBackend):
                backend.settle(url)  # statistics and visibility now, not by autovacuum during the run
            scenarios.append({"name": label, "clients": clients, "users": users, "url": url, "folder": str(folder)})
        if not args.quiet:
            print(f"{backend.name}: {n} client processes, {len(scenarios)} scenarios...", flush=True)
        ctx = mp.get_context("spawn")
        barrier = ctx.Barrier(n, timeout=RESULT_TIMEOUT_S)
        results = ctx.Queue()
        procs = [
            ctx.Process(target=_client, args=(i, scenarios, args, barrier, results), daemon=True) for i in range(n)
        ]
        for proc in procs:
            proc.start()
        outputs: list[dict[str, Any]] = []
        try:
            for _ in range(sum(s["clients"] for s in scenarios)):
                out = results.get(timeout=RESULT_TIMEOUT_S)
                if "error" in out:
                    raise RuntimeError(_first_failure(out, results))
                outputs.append(out)
            for proc in procs:
                proc.join(timeout=60)
        except (queue.Empty, RuntimeError):
            for proc in procs:
                if proc.is_alive():
                    proc.terminate()
            raise
        report: dict[str, Any] = {"storage": backend.describe(), "scenarios": []}
        for number, scenario in enumerate(scenarios):
            mine = [o for o in outputs if o["scenario"] == number]
            report["scenarios"].append(
                {
                    "name": scenario["name"],
                    "users": len(set(scenario["users"])),
                    **summarize(mine, args.turns),
                    "integrity": verify(scenario, mine, args.prefill, embedder),
                }
            )
    return report


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    quiet_environment()
    logging.basicConfig(level=logging.WARNING)
    storages = args.storage or ["sqlite", "embedded-postgres"]
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    embedder = make_embedder(args.embedder)
    base = prefill_dump(args.prefill, embedder)
    results: dict[str, Any] = {
        "benchmark": "concurrency",
        "mode": "no-llm",
        "embedder": embedder.name,
        "clients": args.clients,
        "turns_per_client": args.turns,
        "prefill_pages_per_user": args.prefill,
        "embedding_threads_per_client": args.embedding_threads or "default",
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="memoryos-concurrency-") as tmp:
        for spec in storages:
            results["runs"].append(run_storage(spec, args, embedder, base, Path(tmp)))
    header = ["storage", "scenario", "clients", "ops", "ops/s", "retrieve p50", "p95", "add p50", "p95"]
    header += ["upkeep retried", "intact"]
    rows: list[list[object]] = []
    for run in results["runs"]:
        for s in run["scenarios"]:
            r, a = s["retrieve"], s["add_memory"]
            intact = "yes" if s["integrity"]["ok"] else f"NO {s['integrity']}"
            rows.append(
                [
                    run["storage"]["backend"],
                    s["name"],
                    s["clients"],
                    s["operations"],
                    s["ops_per_s"],
                    r["p50_ms"],
                    r["p95_ms"],
                    a["p50_ms"],
                    a["p95_ms"],
                    _retried(s),
                    intact,
                ]
            )
    results["total_s"] = round(time.perf_counter() - started, 1)
    results["machine"] = {**machine(), "load_average_at_start": round(load_before, 2)}
    print_table(f"memoryos concurrent clients ({embedder.name}; latencies in ms)", header, rows)
    results["markdown"] = markdown_table(header, rows)
    name = "concurrency" if args.embedder == "minilm" else f"concurrency_{args.embedder}"
    path = write_results(name, results, args.out)
    print(f"results: {path}")
    return results


if __name__ == "__main__":
    main()
