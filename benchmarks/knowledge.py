"""What memoryos learns: segments, facts and profile against LoCoMo's annotations, a knowledge-update suite, and
the LLM path's structure and cost.

    python -m benchmarks.knowledge [--data PATH] [--limit N] [--suite N]
                                   [--suite-phrasings dev|heldout|fresh|unseen|unseen2|unseen3|unseen4|unseen5|
                                                     unseen6|unseen7|all]
                                   [--llm-conversations N] [--with-locomo]

1. LoCoMo (no-LLM mode), each conversation ingested at two paces through the public API: `burst` (the whole
   conversation in one `import_data`, then `flush`: upkeep meets it all at once) and `paced` (`add_memory`, then
   `flush`, for every page). Measured on what default settings produce (`default`), then again after every
   segment with unanalysed pages was promoted (`all`: `Memoryos.promote()` until none is left), so that what is
   learnt from the whole conversation is scored, not only what got hot. Segments,
   facts (`benchmarks._fact_metrics` has the definition) and the profile.
2. The knowledge-update suite (`benchmarks._update_suite`): dialogues in which an attribute changes, questions
   about the current and the past value. Promotion is eager here (threshold ~0 from the start), so each
   session is learnt as it happens and the update logic is what is measured. `--suite-phrasings heldout` words
   every statement differently (wording the extractor was not developed on).
3. LLM mode against the local fake endpoint (`benchmarks._fake_llm`), both paces: pages per consolidation call
   (bounded by the short-term capacity), fact operations served and applied, LLM calls per 100 turns; and the
   update suite against it, answered as a competent model (`reader`) and as one that only adds (`add_only`),
   each with and without `llm_change_reader` (LLM_SUITE_RUNS).
4. `--with-locomo` also runs `benchmarks.locomo` (evidence recall@10) and records its overall figure.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from memoryos import Memoryos
from memoryos.models import page_text

from . import _update_suite as suite
from ._common import DEFAULT_DATA, RESULTS_DIR, machine, markdown_table, print_table, progress, write_results
from ._fact_metrics import Observation, load_observations, pooled, score_facts, score_profile, score_segments
from ._fake_llm import FakeLLMServer
from ._locomo_data import Conversation, load, page_sides, pages

PACES = ("burst", "paced")
VARIANTS = ("default", "all")
EAGER_HEAT = 1e-9  # a promotion threshold every segment with new pages reaches
ASSISTANT_ID = "knowledge"

# (key, label, target, "max" = at most / "min" = at least)
TARGETS: list[tuple[str, str, float, str]] = [
    ("largest_segment_share", "largest segment share of mid-term pages", 0.15, "max"),
    ("user_precision", "user facts: precision", 0.6, "min"),
    ("user_recall", "user facts: recall", 0.35, "min"),
    ("user_wrong_person", "user facts: wrong person", 0.05, "max"),
    ("assistant_recall", "assistant facts: recall", 0.25, "min"),
    ("profile_chars", "profile characters (largest)", 1500, "max"),
    ("profile_supported", "profile lines supported", 0.8, "min"),
]
SUITE_TARGETS: list[tuple[str, str, float, str]] = [
    ("current_first", "update suite: current value ranks first", 0.95, "min"),
    ("stale_invalidated", "update suite: stale fact closed at the change", 1.0, "min"),
    ("past_retrieved", "update suite: past question retrieves the old fact", 1.0, "min"),
]
# the update suite in LLM mode: (results key, how the fake answers promotions, llm_change_reader)
LLM_SUITE_RUNS: list[tuple[str, str, bool]] = [
    ("update_suite", "reader", True),
    ("update_suite_add_only", "add_only", True),
    ("update_suite_add_only_no_reader", "add_only", False),
    ("update_suite_reader_no_reader", "reader", False),
]
LLM_TARGETS: list[tuple[str, str, float, str]] = [
    ("calls_per_100_turns", "LLM mode: calls per 100 turns", 40, "max"),
    ("max_consolidation_pages", "LLM mode: most pages in one consolidation call", 7, "max"),
]


def suite_keys(results: dict[str, Any]) -> list[tuple[str, str]]:
    """(results key, label) of each update suite run: the dev phrasings, the held-out ones and the fresh ones."""
    names = {
        "update_suite": "update suite",
        "update_suite_heldout": "held-out suite",
        "update_suite_fresh": "fresh suite",
        "update_suite_unseen": "unseen suite",
        "update_suite_unseen2": "unseen2 suite",
        "update_suite_unseen3": "unseen3 suite",
        "update_suite_unseen4": "unseen4 suite",
        "update_suite_unseen5": "unseen5 suite",
        "update_suite_unseen6": "unseen6 suite",
        "update_suite_unseen7": "unseen7 suite",
    }
    return [(key, label) for key, label in names.items() if results.get(key, {}).get("summary")]


class CachingEmbedder:
    """The real model, each distinct text embedded once per run: both paces, the variants, the metrics and the
    suite share vectors (the same vectors, computed once)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            self._cache.update(zip(missing, np.asarray(self.inner.embed(missing), dtype=np.float32), strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


# ---- LoCoMo ----


def page_records(conv: Conversation) -> list[tuple[str, str, float, dict[str, Any]]]:
    """(user_input, agent_response, timestamp, meta_data) per page, exactly as benchmarks.locomo ingests them."""
    out = []
    for page in pages(conv):
        user, agent = page_sides(conv, page)
        meta = {"dia_ids": [t.dia_id for t in page], "session": page[0].session, "conversation": conv.sample_id}
        out.append((user, agent, page[0].timestamp, meta))
    return out


def ingest_paced(memo: Memoryos, records: list[tuple[str, str, float, dict[str, Any]]]) -> None:
    for user, agent, timestamp, meta in records:
        memo.add_memory(user, agent, timestamp=timestamp, meta_data=meta)
        memo.flush()


def ingest_burst(memo: Memoryos, records: list[tuple[str, str, float, dict[str, Any]]]) -> None:
    """The whole conversation as one import of short-term pages (what `memoryos import` of an export of an
    unconsolidated memory does), then one flush: upkeep meets every page at once."""
    export = memo.export()
    export["pages"] = [
        {
            "id": uuid.uuid4().hex,
            "user_input": user,
            "agent_response": agent,
            "timestamp": timestamp,
            "meta_data": meta,
            "tier": "short",
            "seq": seq,
        }
        for seq, (user, agent, timestamp, meta) in enumerate(records, start=1)
    ]
    memo.import_data(export)
    memo.flush()


def knowledge(memo: Memoryos, kind: str | None = None) -> list[dict[str, Any]]:
    """Every fact learnt, closed ones included where the library keeps a history."""
    try:
        return list(memo.get_knowledge(kind, include_history=True))  # type: ignore[call-arg, arg-type]
    except TypeError:  # a memoryos without fact history: its facts are all current
        return list(memo.get_knowledge(kind))  # type: ignore[arg-type]


def measure(memo: Memoryos, conv: Conversation, observations: list[Observation], embed: CachingEmbedder) -> dict:
    names = [conv.speaker_a, conv.speaker_b]
    page_turns = {p["id"]: [str(t) for t in p["meta_data"].get("dia_ids", [])] for p in memo.list_pages()}
    facts = knowledge(memo)
    current = [f for f in facts if f.get("valid_until") is None and f.get("superseded_by") is None]
    return {
        "segments": score_segments(memo.list_segments(include_archived=True)),
        "facts": score_facts(facts, observations, page_turns, names, embed.embed, embed.dim),
        "current_facts": {k: sum(1 for f in current if f.get("kind") == k) for k in ("user", "assistant")},
        "profile": score_profile(memo.get_user_profile(), observations, names, embed.embed, embed.dim),
    }


@contextmanager
def throwaway_memory(conv: Conversation, embed: Any, prefix: str) -> Iterator[Memoryos]:
    """A memory of `conv`'s speaker in a temporary directory, upkeep run inline (deterministic), removed after."""
    with (
        tempfile.TemporaryDirectory(prefix=prefix) as tmp,
        Memoryos(
            user_id=conv.sample_id,
            assistant_id=ASSISTANT_ID,
            data_storage_path=tmp,
            embedder=embed,
            background_upkeep=False,
        ) as memo,
    ):
        yield memo


def run_conversation(
    conv: Conversation, observations: list[Observation], pace: str, embed: CachingEmbedder
) -> dict[str, Any]:
    records = page_records(conv)
    embed.embed([page_text(u, a) for u, a, _, _ in records])  # one large batch up front
    out: dict[str, Any] = {"pages": len(records), "turns": len(conv.turns)}
    with throwaway_memory(conv, embed, "memoryos-knowledge-") as memo:
        started = time.perf_counter()
        (ingest_burst if pace == "burst" else ingest_paced)(memo, records)
        out["ingest_s"] = round(time.perf_counter() - started, 2)
        out["default"] = measure(memo, conv, observations, embed)
        out["forced_promotions"] = promote_all(memo)
        out["all"] = measure(memo, conv, observations, embed)
    return out


def promote_all(memo: Memoryos, limit: int = 10_000) -> int:
    """Promote every segment that still has unanalysed pages, whatever its heat (`Memoryos.promote`)."""
    done = 0
    while done < limit and memo.promote():
        done += 1
    return done


def learned(
    conv: Conversation, pace: str, embed: Any, prefix: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What a throwaway memory of `conv` holds after ingestion at `pace` and every segment promoted: its pages
    and its facts (for the benchmarks that read the learned facts against the conversation: closures,
    who_said_it)."""
    with throwaway_memory(conv, embed, prefix) as memo:
        (ingest_burst if pace == "burst" else ingest_paced)(memo, page_records(conv))
        promote_all(memo)
        return memo.list_pages(), knowledge(memo)


def run_locomo(
    conversations: list[Conversation],
    observations: dict[str, list[Observation]],
    embed: CachingEmbedder,
    show_progress: bool,
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for pace in PACES:
        per_conv = {
            conv.sample_id: run_conversation(conv, observations.get(conv.sample_id, []), pace, embed)
            for conv in progress(conversations, desc=f"LoCoMo {pace}", enabled=show_progress)
        }
        results[pace] = {
            "per_conversation": per_conv,
            **{variant: pooled([row[variant] for row in per_conv.values()]) for variant in VARIANTS},
        }
    return results


# ---- the update suite ----


def run_suite(
    n: int,
    seed: int,
    embed: CachingEmbedder,
    show_progress: bool,
    llm_base_url: str | None = None,
    phrasings: str = "dev",
    **settings: Any,
) -> dict[str, Any]:
    """The suite in no-LLM mode, or against an OpenAI-compatible endpoint (the fake one: `llm_base_url`);
    `settings` are passed to every Memoryos."""
    from memoryos.providers.llm import OpenAICompatibleLLM

    dialogues = suite.build_suite(n, seed, phrasings=phrasings)
    rows = []
    started = time.perf_counter()
    llm = (
        OpenAICompatibleLLM("fake-model", "fake-key", llm_base_url, timeout=30, max_retries=0) if llm_base_url else None
    )
    with tempfile.TemporaryDirectory(prefix="memoryos-updates-") as tmp:
        for dialogue in progress(dialogues, desc="update suite", enabled=show_progress):
            with Memoryos(
                user_id=dialogue.id,
                assistant_id=ASSISTANT_ID,
                data_storage_path=tmp,
                embedder=embed,
                llm=llm,
                background_upkeep=False,
                mid_term_heat_threshold=EAGER_HEAT,
                **settings,
            ) as memo:
                for user, agent, timestamp in dialogue.pages():
                    memo.add_memory(user, agent, timestamp=timestamp)
                    memo.flush()
                rows.append(suite.score_dialogue(memo, dialogue))
    return {
        "seed": seed,
        "phrasings": phrasings,
        "summary": suite.summarize(rows),
        "dialogues": rows,
        "seconds": round(time.perf_counter() - started, 1),
    }


# ---- LLM mode ----


def run_llm(conv: Conversation, pace: str, embed: CachingEmbedder) -> dict[str, Any]:
    from memoryos.providers.llm import OpenAICompatibleLLM

    records = page_records(conv)
    with FakeLLMServer() as server, tempfile.TemporaryDirectory(prefix="memoryos-knowledge-llm-") as tmp:
        llm = OpenAICompatibleLLM("fake-model", "fake-key", server.base_url, timeout=30, max_retries=0)
        with Memoryos(
            user_id=conv.sample_id,
            assistant_id=ASSISTANT_ID,
            data_storage_path=tmp,
            embedder=embed,
            llm=llm,
            background_upkeep=False,
        ) as memo:
            (ingest_burst if pace == "burst" else ingest_paced)(memo, records)
            capacity = memo.config.short_term_capacity
            facts = knowledge(memo)
            segments = score_segments(memo.list_segments(include_archived=True))
            stats = memo.stats()
        usage = server.snapshot()
        per_call = {k: list(v) for k, v in server.pages_per_call.items()}
        operations = dict(server.operations)
    calls = sum(int(usage.get(p, {}).get("calls", 0)) for p in ("consolidation", "profile_knowledge"))
    closed = [f for f in facts if f.get("valid_until") is not None or f.get("superseded_by") is not None]
    cited = [len(f.get("source_page_ids") or []) for f in facts]
    return {
        "turns": len(conv.turns),
        "pages": len(records),
        "short_term_capacity": capacity,
        "calls": {p: int(usage.get(p, {}).get("calls", 0)) for p in ("consolidation", "profile_knowledge")},
        "calls_per_100_turns": round(calls * 100 / max(1, len(conv.turns)), 1),
        "max_consolidation_pages": max(per_call.get("consolidation", [0]), default=0),
        "max_promotion_pages": max(per_call.get("profile_knowledge", [0]), default=0),
        "consolidation_pages_per_call": per_call.get("consolidation", []),
        "operations_served": operations,
        "facts": len(facts),
        "facts_closed": len(closed),
        "facts_citing_at_most_3_pages": round(sum(1 for c in cited if c <= 3) / len(cited), 4) if cited else None,
        "segments": segments,
        "waiting_pages": stats["upkeep"]["waiting_pages"],
    }


# ---- report ----


def headline(results: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """column ('burst/default', ...) -> target key -> value."""
    out: dict[str, dict[str, float | None]] = {}
    for pace in PACES:
        for variant in VARIANTS:
            pool = results.get("locomo", {}).get(pace, {}).get(variant)
            if not pool:
                continue
            out[f"{pace}/{variant}"] = {
                "largest_segment_share": pool["segments"]["largest_share"],
                "user_precision": pool["user"]["precision"],
                "user_recall": pool["user"]["recall"],
                "user_wrong_person": pool["user"]["wrong_person"],
                "assistant_recall": pool["assistant"]["recall"],
                "profile_chars": pool["profile"]["chars_max"],
                "profile_supported": pool["profile"]["supported_share"],
            }
    return out


def met(value: float | None, target: float, sense: str) -> bool | None:
    if value is None:
        return None
    return value <= target if sense == "max" else value >= target


Table = tuple[list[str], list[list[object]]]


def _cell(value: float | None, target: float, sense: str) -> str:
    ok = met(value, target, sense)
    text = "–" if value is None else (f"{value:,.0f}" if abs(value) >= 10 else f"{value:.3f}")
    return text if ok is None else f"{text} {'✓' if ok else '✗'}"


def _bound(target: float, sense: str) -> str:
    return f"{'≤' if sense == 'max' else '≥'} {target:g}"


def target_tables(results: dict[str, Any]) -> tuple[Table, Table, list[dict[str, Any]]]:
    """The LoCoMo targets (one column per pace and variant), the suite's and LLM mode's, and every check."""
    heads = headline(results)
    columns = list(heads)
    locomo_rows: list[list[object]] = []
    other_rows: list[list[object]] = []
    checks: list[dict[str, Any]] = []

    def check(key: str, where: str, value: float | None, target: float, sense: str) -> None:
        checks.append(
            {
                "metric": key,
                "where": where,
                "value": value,
                "target": target,
                "sense": sense,
                "met": met(value, target, sense),
            }
        )

    for key, label, target, sense in TARGETS:
        values = [heads[c].get(key) for c in columns]
        locomo_rows.append([label, *[_cell(v, target, sense) for v in values], _bound(target, sense)])
        for column, value in zip(columns, values, strict=True):
            check(key, column, value, target, sense)
    for suite_key, suite_label in suite_keys(results):
        summary = results[suite_key]["summary"]
        for key, label, target, sense in SUITE_TARGETS:
            label = label.replace("update suite", suite_label)
            value = summary[key]
            other_rows.append(
                [label, f"{summary['dialogues']} dialogues", _cell(value, target, sense), _bound(target, sense)]
            )
            check(key, suite_key, value, target, sense)
    llm = results.get("llm") or {}
    for key, label, target, sense in LLM_TARGETS if llm else ():
        for pace in PACES:
            value = llm.get(pace, {}).get(key)
            other_rows.append([label, pace, _cell(value, target, sense), _bound(target, sense)])
            check(key, f"llm/{pace}", value, target, sense)
    recall = results.get("locomo_recall_at_10")
    if recall is not None:
        other_rows.append(["LoCoMo evidence recall@10", "benchmarks.locomo", _cell(recall, 0.74, "min"), "≥ 0.74"])
        check("locomo_recall_at_10", "locomo", recall, 0.74, "min")
    return (["metric", *columns, "target"], locomo_rows), (["metric", "where", "value", "target"], other_rows), checks


def plot(results: dict[str, Any], baseline: dict[str, Any] | None, path: Path) -> None:
    """One panel per metric: bars per pace and variant, the target as a dashed line, the baseline as dots."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    heads, before = headline(results), headline(baseline) if baseline else {}
    panels: list[tuple[str, list[str], list[float | None], list[float | None], float]] = []
    for key, label, target, _sense in TARGETS:
        columns = list(heads)
        panels.append(
            (label, columns, [heads[c][key] for c in columns], [before.get(c, {}).get(key) for c in columns], target)
        )
    for suite_key, suite_label in suite_keys(results):
        summary = results[suite_key]["summary"]
        old_summary = (baseline or {}).get(suite_key, {}).get("summary") or {}
        for key, label, target, _sense in SUITE_TARGETS:
            panels.append(
                (label.replace("update suite", suite_label), ["suite"], [summary[key]], [old_summary.get(key)], target)
            )
    llm, old_llm = results.get("llm") or {}, (baseline or {}).get("llm") or {}
    for key, label, target, _sense in LLM_TARGETS if llm else ():
        panels.append(
            (
                label,
                list(PACES),
                [llm.get(p, {}).get(key) for p in PACES],
                [old_llm.get(p, {}).get(key) for p in PACES],
                target,
            )
        )
    if results.get("locomo_recall_at_10") is not None:
        old_recall = (baseline or {}).get("locomo_recall_at_10")
        panels.append(("LoCoMo evidence recall@10", ["locomo"], [results["locomo_recall_at_10"]], [old_recall], 0.74))
    cols = 4
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.7 * rows), dpi=110, squeeze=False)
    for ax, (label, names, values, old, target) in zip(axes.flat, panels, strict=False):
        xs = np.arange(len(names))
        ax.bar(xs, [v or 0 for v in values], color="#4c72b0", width=0.6)
        if any(v is not None for v in old):
            ax.scatter(xs, [np.nan if v is None else v for v in old], color="black", marker="o", s=14, zorder=3)
        ax.axhline(target, color="#c44e52", linestyle="--", linewidth=1)
        ax.set_xticks(xs, names, rotation=30, ha="right", fontsize=6)
        ax.set_title(label, fontsize=7)
        ax.tick_params(axis="y", labelsize=6)
        ax.grid(axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    fig.suptitle("What memoryos learns: measured (bars), target (dashed), before (dots)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.knowledge", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="LoCoMo-format JSON file (with observations)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N conversations")
    parser.add_argument("--suite", type=int, default=44, help="dialogues in the knowledge-update suite (0: skip)")
    parser.add_argument("--seed", type=int, default=12, help="seed of the update suite")
    parser.add_argument(
        "--suite-phrasings",
        choices=(*suite.PHRASINGS, "all", "both"),
        default="all",
        help="the suite's templates: dev (developed on), heldout or fresh (other wordings, never tuned to), unseen "
        "(hand-written dialogues of their own, scored only at the end of session 24's work), unseen2 (a fifth "
        "hand-written set, session 25's transfer check), unseen3 (a sixth, session 26's), unseen4 (a seventh, "
        "session 27's), unseen5 (an eighth, session 28's), unseen6 (a ninth, session 29's), unseen7 (a tenth, "
        "session 30's) or all "
        "('both' is kept as an alias of all)",
    )
    parser.add_argument("--llm-conversations", type=int, default=1, help="conversations run in LLM mode (0: skip)")
    parser.add_argument("--with-locomo", action="store_true", help="also run benchmarks.locomo (recall@10)")
    parser.add_argument("--baseline", type=Path, default=None, help="an earlier knowledge.json drawn as 'before'")
    parser.add_argument("--name", default="knowledge", help="results file name (without .json)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results directory")
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG plot")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    from ._common import local_model, quiet_environment

    quiet_environment()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    started = time.perf_counter()
    conversations = load(args.data, args.limit)
    observations = load_observations(args.data)
    embed = CachingEmbedder(local_model())
    timing: dict[str, float] = {}
    results: dict[str, Any] = {
        "benchmark": "knowledge",
        "data": args.data.name,
        "conversations": [c.sample_id for c in conversations],
        "observations": {c.sample_id: len(observations.get(c.sample_id, [])) for c in conversations},
    }
    step = time.perf_counter()
    results["locomo"] = run_locomo(conversations, observations, embed, not args.quiet)
    timing["locomo_s"] = round(time.perf_counter() - step, 1)
    phrasings = list(suite.PHRASINGS) if args.suite_phrasings in ("all", "both") else [args.suite_phrasings]
    if args.suite > 0:
        step = time.perf_counter()
        for phrasing in phrasings:
            key = "update_suite" if phrasing == "dev" else f"update_suite_{phrasing}"
            results[key] = run_suite(args.suite, args.seed, embed, not args.quiet, phrasings=phrasing)
        timing["suite_s"] = round(time.perf_counter() - step, 1)
    if args.llm_conversations > 0:
        step = time.perf_counter()
        llm_convs = conversations[: args.llm_conversations]
        runs = {pace: [run_llm(conv, pace, embed) for conv in llm_convs] for pace in PACES}
        results["llm"] = {pace: _pool_llm(rows) for pace, rows in runs.items()}
        results["llm"]["conversations"] = [c.sample_id for c in llm_convs]
        if args.suite > 0:  # fact operations end to end, from a competent model and from one that only adds
            for name, facts_mode, change_reader in LLM_SUITE_RUNS:
                with FakeLLMServer(facts=facts_mode) as server:
                    llm_suite = run_suite(
                        args.suite, args.seed, embed, not args.quiet, server.base_url, phrasings[0],
                        llm_change_reader=change_reader,
                    )  # fmt: skip
                    operations = dict(server.operations)
                results["llm"][name] = {
                    "phrasings": phrasings[0],
                    "fake_facts": facts_mode,
                    "llm_change_reader": change_reader,
                    "summary": llm_suite["summary"],
                    "operations_served": operations,
                    "stale_closed": sum(r["stale_closed"] for r in llm_suite["dialogues"]),
                    "facts_closed": sum(r["facts_closed"] for r in llm_suite["dialogues"]),
                    "seconds": llm_suite["seconds"],
                }
        timing["llm_s"] = round(time.perf_counter() - step, 1)
    if args.with_locomo:
        from . import locomo

        step = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="memoryos-knowledge-locomo-") as tmp:  # locomo.json stays locomo's
            limit = ["--limit", str(args.limit)] if args.limit else []
            recall = locomo.main(["--data", str(args.data), "--out", tmp, "--no-plot", "--quiet", *limit])
        results["locomo_recall_at_10"] = recall["summary"]["memoryos"]["overall"]["recall@10"]
        timing["locomo_recall_s"] = round(time.perf_counter() - step, 1)
    (header, rows), (other_header, other_rows), checks = target_tables(results)
    results["checks"] = checks
    print_table(
        f"What memoryos learns from LoCoMo ({args.data.name}, {len(conversations)} conversations)", header, rows
    )
    if other_rows:
        print_table("Updates and LLM mode", other_header, other_rows)
    _print_details(results)
    timing["total_s"] = round(time.perf_counter() - started, 1)
    results["timing"] = timing
    results["machine"] = machine()
    results["markdown"] = markdown_table(header, rows) + "\n\n" + markdown_table(other_header, other_rows)
    path = write_results(args.name, results, args.out)
    if not args.no_plot:
        baseline = args.baseline or (args.out / "knowledge_before.json")
        import json

        old = json.loads(baseline.read_text()) if baseline.exists() and baseline != path else None
        plot(results, old, args.out / f"{args.name}.png")
    print(f"results: {path}")
    return results


def _pool_llm(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-conversation LLM runs pooled: calls per 100 turns over all turns, the largest batch seen anywhere."""
    turns = sum(r["turns"] for r in rows)
    calls = sum(sum(r["calls"].values()) for r in rows)
    operations: dict[str, int] = {}
    for r in rows:
        for op, n in r["operations_served"].items():
            operations[op] = operations.get(op, 0) + n
    return {
        "turns": turns,
        "calls_per_100_turns": round(calls * 100 / max(1, turns), 1),
        "max_consolidation_pages": max(r["max_consolidation_pages"] for r in rows),
        "max_promotion_pages": max(r["max_promotion_pages"] for r in rows),
        "short_term_capacity": rows[0]["short_term_capacity"],
        "operations_served": operations,
        "facts_closed": sum(r["facts_closed"] for r in rows),
        "largest_segment_share": max((r["segments"]["largest_share"] or 0) for r in rows),
        "per_conversation": rows,
    }


def _print_details(results: dict[str, Any]) -> None:
    header = [
        "conversation",
        "pace",
        "segments",
        "largest share",
        "user P",
        "user R",
        "wrong person",
        "asst R",
        "profile chars",
        "profile supported",
    ]
    rows: list[list[object]] = []
    for pace in PACES:
        for conv, row in results["locomo"][pace]["per_conversation"].items():
            r = row["all"]
            rows.append(
                [
                    conv,
                    pace,
                    r["segments"]["segments"],
                    r["segments"]["largest_share"],
                    r["facts"]["user"]["precision"],
                    r["facts"]["user"]["recall"],
                    r["facts"]["user"]["wrong_person"],
                    r["facts"]["assistant"]["recall"],
                    r["profile"]["chars"],
                    r["profile"]["supported_share"],
                ]
            )
    print_table("Per conversation (after promoting every segment)", header, rows)
    for suite_key, suite_label in suite_keys(results):
        s = results[suite_key]["summary"]
        table = [
            [a, v["current_first"], v["stale_invalidated"], v["past_retrieved"]] for a, v in s["by_attribute"].items()
        ]
        print_table(
            f"{suite_label[0].upper()}{suite_label[1:]} by attribute ({s['dialogues']} dialogues)",
            ["attribute", "current first", "stale closed", "past retrieved"],
            table,
        )
    if "llm" in results:
        table = [
            [
                p,
                results["llm"][p]["calls_per_100_turns"],
                results["llm"][p]["max_consolidation_pages"],
                results["llm"][p]["max_promotion_pages"],
                str(results["llm"][p]["operations_served"]),
                results["llm"][p]["facts_closed"],
                results["llm"][p]["largest_segment_share"],
            ]
            for p in PACES
        ]
        print_table(
            "LLM mode (fake endpoint)",
            [
                "pace",
                "calls / 100 turns",
                "max pages / consolidation",
                "max pages / promotion",
                "operations served",
                "facts closed",
                "largest segment",
            ],
            table,
        )
    runs = [(key, results.get("llm", {}).get(key)) for key, _f, _r in LLM_SUITE_RUNS]
    rows = [
        [
            f"{run['fake_facts']}, change reader {'on' if run['llm_change_reader'] else 'off'}",
            str(run["operations_served"]),
            run["facts_closed"],
            f"{run['stale_closed']} / {run['summary']['dialogues']}",
            run["summary"]["current_first"],
            run["summary"]["stale_invalidated"],
            run["summary"]["past_retrieved"],
        ]
        for _key, run in runs
        if run
    ]
    if rows:
        print_table(
            "LLM mode (fake endpoint): the update suite",
            ["fake answers", "operations served", "facts closed", "stale closed", "current first",
             "stale closed at the change", "past retrieved"],
            rows,
        )  # fmt: skip


if __name__ == "__main__":
    main()
