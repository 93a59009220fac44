"""Retriever variants on fixed LoCoMo stores: recall per category and per conversation, and a leave-one-out check.

    python -m benchmarks.locomo --stores DIR            # builds DIR/<sample_id> once (and scores the defaults)
    python -m benchmarks.locomo_variants --stores DIR --variant base --variant cat0.3:category_weight=0.3 ...

Every variant reads the same memory (`update_heat=False`), so differences are the retriever's alone. A variant is
`name:key=value,key=value` over `MemoryosConfig` fields (no overrides = the library's defaults). With several
variants, the leave-one-conversation-out check picks, for each conversation, the variant with the best R@10 on the
other conversations and scores it on the one left out: the recall a choice among these variants would transfer.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from ._common import DEFAULT_DATA, local_model, quiet_environment
from ._locomo_data import CATEGORIES, load, retrieval_questions
from .locomo import KS, open_kept, parse_settings, rank_memoryos, score


def parse_variant(text: str) -> tuple[str, dict[str, Any]]:
    name, _, spec = text.partition(":")
    return name, parse_settings([item for item in spec.split(",") if item])


def recall(rows: list[dict[str, Any]], k: int) -> float:
    return round(sum(score(r["evidence"], r["turns"], k)[0] for r in rows) / len(rows), 4) if rows else 0.0


def table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """R@5/10/20 overall, R@10 per category and per conversation."""
    out: dict[str, Any] = {f"R@{k}": recall(rows, k) for k in KS}
    for cat in sorted({r["category"] for r in rows}):
        out[CATEGORIES[cat]] = recall([r for r in rows if r["category"] == cat], 10)
    for conv in sorted({r["conversation"] for r in rows}):
        out[conv] = recall([r for r in rows if r["conversation"] == conv], 10)
    return out


def leave_one_out(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """For each conversation: the variant best on the others (R@10), scored on it."""
    convs = sorted({r["conversation"] for rs in rows.values() for r in rs})
    held: list[dict[str, Any]] = []
    picks: dict[str, str] = {}
    for conv in convs:
        best = max(rows, key=lambda v: (recall([r for r in rows[v] if r["conversation"] != conv], 10), v == "base"))
        picks[conv] = best
        held += [r for r in rows[best] if r["conversation"] == conv]
    return {"picks": picks, **table(held)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stores", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--variant", action="append", default=[], help="name:key=value,... (repeatable)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="JSON file for the results")
    args = parser.parse_args(argv)
    quiet_environment()
    logging.basicConfig(level=logging.WARNING)
    variants = dict(parse_variant(v) for v in args.variant or ["base"])
    embedder = local_model()
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    cpu: dict[str, float] = defaultdict(float)
    for conv in load(args.data, args.limit):
        memo = open_kept(args.stores, conv.sample_id, embedder)
        defaults = {key: getattr(memo.config, key) for o in variants.values() for key in o}
        try:
            for q in retrieval_questions(conv):
                for name, overrides in variants.items():
                    for key, value in {**defaults, **overrides}.items():
                        setattr(memo.config, key, value)
                    started = time.process_time()
                    ranked = rank_memoryos(memo, q.question, update_heat=False)
                    cpu[name] += time.process_time() - started
                    rows[name].append(
                        {
                            "conversation": conv.sample_id,
                            "category": q.category,
                            "question": q.question,
                            "evidence": q.evidence,
                            "turns": ranked.turns,
                        }
                    )
        finally:
            memo.close()
    results: dict[str, Any] = {
        "variants": {name: {"overrides": variants[name], **table(rows[name])} for name in variants},
        "cpu_s": {name: round(cpu[name], 2) for name in variants},
    }
    if len(variants) > 1:
        results["leave_one_out"] = leave_one_out(rows)
    for name, row in results["variants"].items():
        print(name, json.dumps({k: v for k, v in row.items() if k != "overrides"}))
    if "leave_one_out" in results:
        print("leave-one-out", json.dumps(results["leave_one_out"]))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        results["rows"] = {name: [{**r, "turns": r["turns"]} for r in rs] for name, rs in rows.items()}
        args.out.write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()
