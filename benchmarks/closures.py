"""Every fact a no-LLM memory closes on LoCoMo conversations, with the fact that closed it (issue 12 precision).

A wrong change closes a true fact: the worst silent error a memory can make. This lists each closed fact with its
attribute, its closer, their pages (the turns said) and dates, for both paces of `benchmarks.knowledge`, after
every segment is promoted. `--labels` (a JSON of "closed text || closer text" -> "real" / "wrong", read by hand)
adds the count of wrong closures; unlabelled pairs are reported as such.

    python -m benchmarks.closures [--limit N] [--labels FILE] [--name knowledge_closures]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from ._common import DEFAULT_DATA, RESULTS_DIR, local_model, machine, progress, quiet_environment, write_results
from ._locomo_data import Conversation, load
from .knowledge import PACES, CachingEmbedder, learned


def _day(ts: float | None) -> str | None:
    return None if ts is None else dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d")


def closures(conv: Conversation, pace: str, embed: CachingEmbedder) -> list[dict[str, Any]]:
    pages, facts = learned(conv, pace, embed, "memoryos-closures-")
    turns = {p["id"]: p["meta_data"].get("dia_ids", []) for p in pages}
    by_id = {f["id"]: f for f in facts}
    out = []
    for fact in facts:
        if fact.get("valid_until") is None and fact.get("superseded_by") is None:
            continue
        closer = by_id.get(fact.get("superseded_by") or "")
        out.append(
            {
                "conversation": conv.sample_id,
                "pace": pace,
                "kind": fact.get("kind"),
                "attribute": fact.get("attribute"),
                "closed": fact["text"],
                "closed_turns": [t for p in fact.get("source_page_ids", []) for t in turns.get(p, [])],
                "closed_said": _day(fact.get("observed_at")),
                "closer": closer["text"] if closer else None,
                "closer_attribute": closer.get("attribute") if closer else None,
                "closer_turns": [t for p in (closer or {}).get("source_page_ids", []) for t in turns.get(p, [])],
                "until": _day(fact.get("valid_until")),
            }
        )
    return out


def label_key(row: dict[str, Any]) -> str:
    return f"{row['closed']} || {row['closer']}"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="benchmarks.closures", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--labels", type=Path, default=None, help="hand labels: closed || closer -> real / wrong")
    parser.add_argument("--name", default="knowledge_closures")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    quiet_environment()
    conversations = load(args.data, args.limit)
    embed = CachingEmbedder(local_model())
    labels: dict[str, str] = json.loads(args.labels.read_text()) if args.labels else {}
    rows: list[dict[str, Any]] = []
    for pace in PACES:
        for conv in progress(conversations, desc=f"closures {pace}"):
            rows += closures(conv, pace, embed)
    for row in rows:
        row["label"] = labels.get(label_key(row))
        print(
            f"[{row['pace']}/{row['conversation']}/{row['kind']}] {row['attribute']}: {row['closed']!r} "
            f"{row['closed_turns']} ({row['closed_said']}) <- {row['closer']!r} {row['closer_turns']} "
            f"({row['until']}) {row['label'] or ''}"
        )
    summary = {
        pace: {
            "closed": sum(1 for r in rows if r["pace"] == pace),
            "wrong": sum(1 for r in rows if r["pace"] == pace and r["label"] == "wrong"),
            "real": sum(1 for r in rows if r["pace"] == pace and r["label"] == "real"),
            "unlabelled": sum(1 for r in rows if r["pace"] == pace and r["label"] is None),
        }
        for pace in PACES
    }
    print(json.dumps(summary))
    results = {"machine": machine(), "summary": summary, "closures": rows}
    write_results(args.name, results, args.out)
    return results


if __name__ == "__main__":
    main()
