"""Vectors for memory about to be imported (an export, another system's memory): computed here with this store's
embedding model, never taken from the source, which may have used another model."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .models import ScopeDump
from .tiers.mid_term import segment_vector
from .units import group_units, unit_rows

Embed = Callable[[list[str]], np.ndarray]


def attach_vectors(
    dump: ScopeDump,
    embed: Embed,
    segment_method: str,
    batch_size: int = 64,
    advance: Callable[[int], None] = lambda n: None,
    with_units: bool = True,
) -> None:
    """Give mid-term and archived pages, knowledge entries and segments their vectors (short-term pages get
    theirs at consolidation). Segments follow `segment_vector`'s rule for how their summaries were written
    (`segment_method`: "llm" or "extractive"). `advance(n)` reports pages and entries embedded."""
    pages = [p for p in dump.pages if p.tier != "short"]
    for page, vector in zip(pages, _batched(embed, [p.text for p in pages], batch_size, advance), strict=True):
        page.embedding = vector
    if with_units:  # each page's units (memoryos.units)
        texts, owners = unit_rows(pages)
        units = group_units(_batched(embed, texts, batch_size, lambda n: None), owners, len(pages))
        for page, page_units in zip(pages, units, strict=True):
            page.unit_vectors = page_units
    facts = dump.facts
    for fact, vector in zip(facts, _batched(embed, [f.said for f in facts], batch_size, advance), strict=True):
        fact.embedding = vector
    for segment in dump.segments:
        members = [p.embedding for p in pages if p.segment_id == segment.id and p.embedding is not None]
        # a blank summary says nothing of the topic, whoever wrote it: its pages do
        method = segment_method if segment.summary.strip() else "extractive"
        segment.embedding = segment_vector(method, segment.summary, np.stack(members) if members else None, embed)


def _batched(embed: Embed, texts: Sequence[str], size: int, advance: Callable[[int], None]) -> list[np.ndarray]:
    """Vectors of `texts` in their order, embedded `size` at a time, shortest texts first: a model pads each
    batch to its longest text, so batches of similar lengths waste little (an embedder that sorts by tokens
    inside a call then finds its calls already grouped)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors: list[np.ndarray | None] = [None] * len(texts)
    for start in range(0, len(order), size):
        rows = order[start : start + size]
        for row, vector in zip(rows, embed([texts[i] for i in rows]), strict=True):
            vectors[row] = vector
        advance(len(rows))
    assert all(v is not None for v in vectors)
    return vectors  # type: ignore[return-value]  # every row was set above
