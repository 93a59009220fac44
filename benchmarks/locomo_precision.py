"""How often a page at each place of the ranking is evidence, against the pages a stronger lift would promote.

    python -m benchmarks.locomo --stores DIR              # builds DIR/<sample_id> once
    python -m benchmarks.locomo_precision --stores DIR [--out FILE]

Raising a signal moves the pages it points at above others; that gains recall only when those pages are evidence
more often than the pages they displace. For every question this reads the deep ranking (`max_results` 100, the
ranking `benchmarks.locomo_misses` reads) and reports, per category and overall:

- `place`: the share of pages at each place 1-20 that hold an evidence turn (what a promotion displaces: the pages
  at places 4-6 when the first 10 turns count);
- `fact_beyond`: for the pages a fact among the 10 the fact lift reads cites (by that fact's rank), the share that
  hold evidence, of those the ranking puts below place `BEYOND` (what a stronger fact lift would promote);
- `neighbour_beyond`: the same for the dialogue-chain neighbours (one or two pages before or after) of the first
  three pages, placed below `BEYOND` (what a stronger chain context would promote).
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from memoryos.retrieval.fact_pages import TOP_FACTS

from ._common import DEFAULT_DATA, local_model, quiet_environment
from ._locomo_data import CATEGORIES, load, retrieval_questions
from .locomo import open_kept, page_turns
from .locomo_misses import fact_ranks

DEEP = 100
PLACES = 20
BEYOND = 6  # places 1-6 hold the first 10 turns or nearly (a page holds one or two turns)


def _share(counts: list[int]) -> dict[str, float | int]:
    return {"evidence": counts[0], "pages": counts[1], "share": round(counts[0] / counts[1], 3) if counts[1] else 0.0}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stores", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    quiet_environment()
    logging.basicConfig(level=logging.WARNING)
    embedder = local_model()
    counts: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for conv in load(args.data, args.limit):
        memo = open_kept(args.stores, conv.sample_id, embedder)
        try:
            for q in retrieval_questions(conv):
                pages = memo.retrieve(q.question, max_results=DEEP, update_heat=False).pages
                evidence = set(q.evidence)
                place = {r.page.id: i for i, r in enumerate(pages, 1)}
                holds = {r.page.id: bool(evidence & set(page_turns(r.page.meta_data))) for r in pages}
                for group in ("overall", CATEGORIES[q.category]):
                    for i, r in enumerate(pages[:PLACES], 1):
                        counts[(group, "place", i)][0] += holds[r.page.id]
                        counts[(group, "place", i)][1] += 1
                    for pid, rank in fact_ranks(memo, q.question).items():
                        if rank <= TOP_FACTS and place.get(pid, DEEP + 1) > BEYOND and pid in holds:
                            counts[(group, "fact_beyond", rank)][0] += holds[pid]
                            counts[(group, "fact_beyond", rank)][1] += 1
                    by_id = {r.page.id: r.page for r in pages}
                    for top in pages[:3]:
                        near = _neighbours(top.page.id, by_id)
                        for step, pid in near:
                            if place[pid] > BEYOND:
                                counts[(group, "neighbour_beyond", step)][0] += holds[pid]
                                counts[(group, "neighbour_beyond", step)][1] += 1
        finally:
            memo.close()
    results: dict[str, Any] = defaultdict(lambda: defaultdict(dict))
    for (group, kind, key), value in sorted(counts.items()):
        results[group][kind][str(key)] = _share(value)
    for group, kinds in results.items():
        print(group, json.dumps({k: {key: v["share"] for key, v in rows.items()} for k, rows in kinds.items()}))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1))
    return results


def _neighbours(page_id: str, by_id: dict[str, Any]) -> list[tuple[int, str]]:
    """(step, page id) of the pages one and two steps before (-1, -2) and after (1, 2) in the dialogue chain that
    the deep ranking holds."""
    out: list[tuple[int, str]] = []
    for sign, attr in ((-1, "prev_page_id"), (1, "next_page_id")):
        current = by_id.get(page_id)
        for step in (1, 2):
            nxt = getattr(current, attr, None) if current is not None else None
            if not nxt or nxt not in by_id:
                break
            out.append((sign * step, nxt))
            current = by_id[nxt]
    return out


if __name__ == "__main__":
    main()
