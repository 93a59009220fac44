"""How conversations become segments: the largest segment's share of mid-term pages, segment count, mean size.

    python -m benchmarks._segments [--data PATH] [--limit N]   (no-LLM mode, both paces)

Two paces of ingestion through `add_memory`:
- `paced`: upkeep keeps up (it runs inline whenever short-term fills, and `flush()` follows every add);
- `burst`: upkeep is behind for the whole conversation (another holder has the user's upkeep lease, as when a
  background worker or another process cannot keep up), then one `flush()` consolidates the backlog.

`segment_stats` and `ingest_paced`/`ingest_burst` are what other benchmarks reuse.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from memoryos import Memoryos
from memoryos.models import page_text

from ._common import DEFAULT_DATA, print_table
from ._locomo_data import Conversation, load, page_sides, pages

PACES = ("burst", "paced")


@contextmanager
def upkeep_held(memo: Memoryos, holder: str = "benchmark-burst") -> Iterator[None]:
    """Keep this user's upkeep lease under another holder's name: adds pile up in short-term meanwhile."""
    if not memo.store.claim_upkeep(memo.scope, holder, 3600.0):
        raise RuntimeError("the upkeep lease is held by someone else")
    try:
        yield
    finally:
        memo.store.release_upkeep(memo.scope, holder)


def _add_pages(memo: Memoryos, conv: Conversation, flush_each: bool) -> int:
    count = 0
    for page in pages(conv):
        user, agent = page_sides(conv, page)
        meta = {"dia_ids": [t.dia_id for t in page], "session": page[0].session, "conversation": conv.sample_id}
        memo.add_memory(user, agent, timestamp=page[0].timestamp, meta_data=meta)
        if flush_each:
            memo.flush()
        count += 1
    return count


def ingest_paced(memo: Memoryos, conv: Conversation) -> int:
    """Every page through `add_memory`, upkeep after each. Returns the number of pages."""
    return _add_pages(memo, conv, flush_each=True)


def ingest_burst(memo: Memoryos, conv: Conversation) -> int:
    """Every page through `add_memory` while upkeep is behind, then one `flush()`. Returns the number of pages."""
    with upkeep_held(memo):
        count = _add_pages(memo, conv, flush_each=False)
    memo.flush()
    return count


def ingest(memo: Memoryos, conv: Conversation, pace: str) -> int:
    if pace not in PACES:
        raise ValueError(f"pace must be one of {PACES}")
    return ingest_burst(memo, conv) if pace == "burst" else ingest_paced(memo, conv)


def segment_stats(memo: Memoryos) -> dict[str, Any]:
    """Segments (active and archived) of one user: count, sizes, the largest one's share of mid-term pages, and
    the share of mid-term pages promoted to long-term (analysed for profile and knowledge)."""
    pages = [p for tier in ("mid", "archive") for p in memo.list_pages(tier=tier)]
    sizes = sorted((int(s["page_count"]) for s in memo.list_segments(include_archived=True)), reverse=True)
    total = sum(sizes)
    return {
        "segments": len(sizes),
        "mid_pages": total,
        "largest": sizes[0] if sizes else 0,
        "largest_share": round(sizes[0] / total, 4) if total else 0.0,
        "mean_size": round(total / len(sizes), 2) if sizes else 0.0,
        "analyzed_share": round(sum(p["analyzed"] for p in pages) / len(pages), 4) if pages else 0.0,
        "sizes": sizes,
    }


def prefetched(conv: Conversation, embedder: Any) -> Any:
    """An embedder with the conversation's page vectors computed up front (same vectors, fewer calls)."""
    from .locomo import PrefetchEmbedder

    prefetcher = PrefetchEmbedder(embedder)
    prefetcher.prefetch([page_text(*page_sides(conv, page)) for page in pages(conv)])
    return prefetcher


def measure(
    conversations: list[Conversation], embedder: Any, paces: tuple[str, ...] = PACES, **config: Any
) -> dict[str, dict[str, dict[str, Any]]]:
    """pace -> conversation id -> segment_stats, no-LLM mode, one fresh store per conversation and pace."""
    results: dict[str, dict[str, dict[str, Any]]] = {pace: {} for pace in paces}
    for conv in conversations:
        for pace in paces:
            with tempfile.TemporaryDirectory(prefix="memoryos-segments-") as tmp:
                memo = Memoryos(
                    user_id=conv.sample_id,
                    assistant_id="locomo",
                    data_storage_path=str(Path(tmp)),
                    embedder=prefetched(conv, embedder),
                    background_upkeep=False,
                    use_llm=False,
                    **config,
                )
                try:
                    ingest(memo, conv, pace)
                    results[pace][conv.sample_id] = segment_stats(memo)
                finally:
                    memo.close()
    return results


def main(argv: list[str] | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    from ._common import local_model, quiet_environment

    quiet_environment()
    logging.basicConfig(level=logging.WARNING)
    results = measure(load(args.data, args.limit), local_model())
    rows = []
    for pace, by_conv in results.items():
        for conv_id, s in by_conv.items():
            rows.append(
                [
                    pace,
                    conv_id,
                    s["mid_pages"],
                    s["segments"],
                    s["largest"],
                    s["largest_share"],
                    s["mean_size"],
                    s["analyzed_share"],
                ]
            )
    header = ["pace", "conversation", "mid pages", "segments", "largest", "largest share", "mean size", "analysed"]
    print_table("Segments (no-LLM)", header, rows)
    return results


if __name__ == "__main__":
    main()
