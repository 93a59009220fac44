"""LLM cost of memoryos: calls and tokens per 100 turns, by purpose, against a local fake endpoint.

    python -m benchmarks.llmcost [--data PATH] [--turns 200] [--responses 20]
    python -m benchmarks.llmcost --behaviours   # the same ingestion against endpoints that behave like real ones

The first --turns turns of the first conversation go through `add_memory` (one page per pair of turns), then
--responses questions go through `get_response`. A local OpenAI-compatible server answers every request
validly and counts calls and tokens; memoryos talks to it through its real OpenAI client. The original MemoryOS
design spends about 2 calls per page moved to mid-term (continuity check + chain meta-summary) plus 1 per batch
(topic summary); that arithmetic is computed from the pages and batches of this very run.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from memoryos import Memoryos
from memoryos.providers.llm import LLM, Completion, OpenAICompatibleLLM

from ._common import (
    DEFAULT_DATA,
    RESULTS_DIR,
    machine,
    markdown_table,
    percentiles_ms,
    print_table,
    progress,
    quiet_environment,
    write_results,
)
from ._fake_llm import BEHAVIOURS, FakeLLMServer
from ._locomo_data import Conversation, load, page_sides, pages, retrieval_questions

PURPOSES = ("consolidation", "profile_knowledge", "generation")


class TimedLLM:
    """Wraps an LLM and records how long each call waited on the endpoint."""

    def __init__(self, inner: LLM) -> None:
        self.inner = inner
        self.waits: list[float] = []

    def complete(
        self, messages: list[dict[str, str]], *, purpose: str, json_mode: bool = False, max_tokens: int | None = None
    ) -> Completion:
        started = time.perf_counter()
        try:
            return self.inner.complete(messages, purpose=purpose, json_mode=json_mode, max_tokens=max_tokens)
        finally:
            self.waits.append(time.perf_counter() - started)


def truncated(conv: Conversation, n_turns: int) -> Conversation:
    return Conversation(conv.sample_id, conv.speaker_a, conv.speaker_b, conv.turns[:n_turns], conv.session_dates)


def phase_usage(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    out = {}
    for purpose in PURPOSES:
        a, b = after.get(purpose, {}), before.get(purpose, {})
        out[purpose] = {k: a.get(k, 0) - b.get(k, 0) for k in ("calls", "prompt_tokens", "completion_tokens")}
    return out


def per_100(usage: dict[str, dict[str, float]], turns: int) -> dict[str, dict[str, float]]:
    scale = 100 / turns
    return {p: {k: round(v * scale, 1) for k, v in row.items()} for p, row in usage.items()}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.llmcost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="LoCoMo-format JSON file")
    parser.add_argument("--turns", type=int, default=200, help="turns ingested through add_memory")
    parser.add_argument("--responses", type=int, default=20, help="get_response calls after ingestion")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="artificial delay of the fake endpoint")
    parser.add_argument(
        "--behaviours",
        action="store_true",
        help=f"ingest once per endpoint behaviour ({', '.join(BEHAVIOURS)}) and compare calls per 100 turns",
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--quiet", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    quiet_environment()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from ._common import local_model

    conv = truncated(load(args.data, 1)[0], args.turns)
    questions = [q.question for q in retrieval_questions(load(args.data, 1)[0])][: args.responses]
    embedder = local_model()
    if args.behaviours:
        return compare_behaviours(args, conv, embedder)
    started = time.perf_counter()
    with FakeLLMServer(latency_s=args.latency_ms / 1000) as server, tempfile.TemporaryDirectory() as tmp:
        llm = TimedLLM(OpenAICompatibleLLM("fake-model", "fake-key", server.base_url, timeout=30, max_retries=0))
        memo = Memoryos(
            user_id=conv.sample_id,
            assistant_id="locomo",
            data_storage_path=tmp,
            embedder=embedder,
            llm=llm,
            background_upkeep=False,
        )
        page_list = pages(conv)
        for page in progress(page_list, desc="add_memory", enabled=not args.quiet):
            user, agent = page_sides(conv, page)
            memo.add_memory(user, agent, timestamp=page[0].timestamp, meta_data={"dia_ids": [t.dia_id for t in page]})
        memo.flush()
        after_ingest = server.snapshot()
        stats_ingest = memo.stats()
        for question in progress(questions, desc="get_response", enabled=not args.quiet):
            memo.get_response(question)
        memo.flush()
        after_all = server.snapshot()
        stats_all = memo.stats()
        library_meter = memo.usage.snapshot()
        memo.close()
    elapsed = time.perf_counter() - started

    ingest = phase_usage({}, after_ingest)
    responses = phase_usage(after_ingest, after_all)
    moved = stats_ingest["pages"]["mid"] + stats_ingest["pages"]["archive"]
    batches = int(ingest["consolidation"]["calls"])
    original_consolidation = 2 * moved + batches
    results: dict[str, Any] = {
        "benchmark": "llmcost",
        "conversation": conv.sample_id,
        "turns": len(conv.turns),
        "pages": len(page_list),
        "responses": len(questions),
        "ingest": {
            "usage": ingest,
            "per_100_turns": per_100(ingest, len(conv.turns)),
            "pages_moved_to_mid": moved,
            "consolidation_batches": batches,
            "segments": stats_ingest["segments"],
            "profile_versions": stats_ingest.get("profile_versions"),
        },
        "original_design": {
            "consolidation_calls": original_consolidation,
            "per_100_turns": round(original_consolidation * 100 / len(conv.turns), 1),
            "formula": f"2 x {moved} pages moved + {batches} batches",
        },
        "get_response": {
            "usage": responses,
            "per_call": {
                p: {k: round(v / max(1, len(questions)), 1) for k, v in row.items()} for p, row in responses.items()
            },
        },
        "library_meter": library_meter,
        "llm_wait": {**percentiles_ms(llm.waits), "total_s": round(sum(llm.waits), 3)},
        "server_seconds": round(sum(row["seconds"] for row in after_all.values()), 3),
        "total_s": round(elapsed, 1),
        "final_stats": {k: stats_all[k] for k in ("pages", "segments", "knowledge", "profile_versions")},
        "machine": machine(),
    }
    header = ["purpose", "calls / 100 turns", "prompt tokens / 100 turns", "completion tokens / 100 turns"]
    rows: list[list[object]] = [
        [p, r["calls"], r["prompt_tokens"], r["completion_tokens"]]
        for p, r in results["ingest"]["per_100_turns"].items()
    ]
    keys = ("calls", "prompt_tokens", "completion_tokens")
    total = {k: sum(r[k] for r in results["ingest"]["per_100_turns"].values()) for k in keys}
    rows.append(
        [
            "total (memoryos)",
            round(total["calls"], 1),
            round(total["prompt_tokens"], 1),
            round(total["completion_tokens"], 1),
        ]
    )
    rows.append(
        ["original design: consolidation (2/page + 1/batch)", results["original_design"]["per_100_turns"], None, None]
    )
    title = f"LLM cost of ingesting {len(conv.turns)} turns ({len(page_list)} pages), per 100 turns"
    print_table(title, header, rows)
    resp_header = ["purpose", "calls / get_response", "prompt tokens", "completion tokens"]
    resp_rows = [
        [p, r["calls"], r["prompt_tokens"], r["completion_tokens"]]
        for p, r in results["get_response"]["per_call"].items()
    ]
    print_table(f"{len(questions)} get_response calls, per call", resp_header, resp_rows)
    results["markdown"] = markdown_table(header, rows) + "\n\n" + markdown_table(resp_header, resp_rows)
    path = write_results("llmcost", results, args.out)
    print(f"results: {path}")
    return results


def compare_behaviours(args: argparse.Namespace, conv: Conversation, embedder: Any) -> dict[str, Any]:
    """Ingest the same turns once per endpoint behaviour: what each costs and whether memory kept working."""
    rows: dict[str, dict[str, Any]] = {}
    for behaviour in BEHAVIOURS:
        with FakeLLMServer(behaviour=behaviour) as server, tempfile.TemporaryDirectory() as tmp:
            llm = OpenAICompatibleLLM("fake-model", "fake-key", server.base_url, timeout=30, max_retries=0)
            memo = Memoryos(
                user_id=conv.sample_id,
                assistant_id="locomo",
                data_storage_path=tmp,
                embedder=embedder,
                llm=llm,
                background_upkeep=False,
            )
            max_short = 0
            for page in progress(pages(conv), desc=behaviour, enabled=not args.quiet):
                user, agent = page_sides(conv, page)
                memo.add_memory(user, agent, timestamp=page[0].timestamp)
                max_short = max(max_short, memo.stats()["pages"].get("short", 0))
            memo.flush()
            stats = memo.stats()
            usage = per_100(phase_usage({}, server.snapshot()), len(conv.turns))
            rows[behaviour] = {
                "consolidation_calls_per_100_turns": usage["consolidation"]["calls"],
                "profile_calls_per_100_turns": usage["profile_knowledge"]["calls"],
                "refused_requests_per_100_turns": round(server.refused * 100 / len(conv.turns), 1),
                "llm_state": stats["llm"]["state"],
                "extractive_batches": stats["llm"].get("extractive_batches", 0),
                "max_short_term_pages": max_short,
                "final_short_term_pages": stats["pages"].get("short", 0),
                "pages_in_mid_or_archive": stats["pages"].get("mid", 0) + stats["pages"].get("archive", 0),
            }
            memo.close()
    header = [
        "behaviour",
        "consolidation calls",
        "profile calls",
        "refused",
        "LLM state",
        "extractive batches",
        "max short-term",
    ]
    table = [
        [
            b,
            r["consolidation_calls_per_100_turns"],
            r["profile_calls_per_100_turns"],
            r["refused_requests_per_100_turns"],
            r["llm_state"],
            r["extractive_batches"],
            r["max_short_term_pages"],
        ]
        for b, r in rows.items()
    ]
    print_table(f"LLM cost per 100 turns by endpoint behaviour ({len(conv.turns)} turns)", header, table)
    results = {
        "benchmark": "llmcost_behaviours",
        "conversation": conv.sample_id,
        "turns": len(conv.turns),
        "behaviours": rows,
        "markdown": markdown_table(header, table),
        "machine": machine(),
    }
    path = write_results("llmcost_behaviours", results, args.out)
    print(f"results: {path}")
    return results


if __name__ == "__main__":
    main()
