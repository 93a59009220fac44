"""Integrity check and repair of one user's memory: the structure (tiers, segments, links, counts) and the
derived data (vectors match their texts, the lexical index matches the pages)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .integrity import check_dump
from .models import InvalidTime, Scope, ScopeDump
from .providers.embeddings import Embedder
from .storage.base import Store
from .tiers.mid_term import segment_vector
from .units import embed_pages, unit_texts

log = logging.getLogger(__name__)

_VECTOR_AGREEMENT = 0.99  # cosine between a stored vector and its text embedded again
Progress = Callable[[int, int], None]  # (pages embedded so far, pages to embed)


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)


def _stale_vectors(
    dump: ScopeDump, embedder: Embedder, sample: int | None, progress: Progress | None = None
) -> tuple[list[str], int]:
    """Ids of pages whose stored vector is missing or does not match their text (all pages, or a sample).
    Embedding them again is the slow part of a check: `progress(done, total)` follows it, batch by batch."""
    pages = [p for p in dump.pages if p.tier != "short"]
    if sample is not None and len(pages) > sample:
        step = len(pages) / sample
        pages = [pages[int(i * step)] for i in range(sample)]
    stale = [p.id for p in pages if p.embedding is None]
    have = [p for p in pages if p.embedding is not None]
    if have:
        fresh = np.concatenate([_embed_batch(embedder, have, start, progress) for start in range(0, len(have), 32)])
        for page, vector in zip(have, fresh, strict=True):
            stored = page.embedding
            if stored is None or stored.shape != vector.shape or float(stored @ vector) < _VECTOR_AGREEMENT:
                stale.append(page.id)
    return stale, len(pages)


def _embed_batch(embedder: Embedder, pages: Sequence[Any], start: int, progress: Progress | None) -> np.ndarray:
    vectors = embedder.embed([p.text for p in pages[start : start + 32]])
    if progress is not None:
        progress(min(start + 32, len(pages)), len(pages))
    return vectors


def check_memory(
    store: Store,
    scope: Scope,
    embedder: Embedder,
    sample: int | None = 200,
    progress: Progress | None = None,
    with_units: bool = False,
) -> CheckReport:
    dump = store.export_scope(scope)
    model = store.embedding_model()
    report = CheckReport()
    report.problems += check_dump(dump, expected_dim=model[1] if model else None)
    report.problems += store.lexical_index_problems(scope)
    stale, _checked = _stale_vectors(dump, embedder, sample, progress)
    if stale:
        report.problems.append(f"{len(stale)} page vectors do not match their text")
    missing = len(_without_units(dump, set())) if with_units else 0
    if missing:
        report.problems.append(f"{missing} pages have no unit vectors (written before units were on)")
    return report


def _without_units(dump: ScopeDump, known: set[str]) -> list[str]:
    """Ids of consolidated pages that should have unit vectors and have none (nor are in `known`)."""
    return [
        p.id
        for p in dump.pages
        if p.tier != "short"
        and p.id not in known
        and p.unit_vectors is None
        and unit_texts(p.user_input, p.agent_response)
    ]


def _nearest_valid(valid: Sequence[bool], index: int) -> int | None:
    """The nearest valid position: looking back first (an earlier time is a lower bound), then ahead."""
    for j in (*range(index - 1, -1, -1), *range(index + 1, len(valid))):
        if valid[j]:
            return j
    return None


def time_fixes(dump: ScopeDump, now: float) -> list[tuple[InvalidTime, float]]:
    """The repair policy for times that break the timestamp rule (rows written by older versions):

    - a page takes the time of its nearest valid neighbour in insertion order (the previous page first, so the
      order of times is kept; else the next one), else the repair time; the original value stays in its
      meta_data under `memoryos_invalid_timestamp`;
    - a profile version and a knowledge entry likewise take their nearest valid neighbour's time (version order,
      export order), else the repair time;
    - a segment's created_at or last_access takes the segment's other time when that is valid, else the repair
      time."""
    bad: dict[tuple[str, str, str], InvalidTime] = {(f.kind, f.id, f.field): f for f in dump.invalid_times}
    fixes: list[tuple[InvalidTime, float]] = []
    ordered = (
        ("page", "timestamp", [(p.id, p.timestamp) for p in dump.pages]),
        ("profile", "created_at", [(str(v.version), v.created_at) for v in dump.profile_versions]),
        ("knowledge", "created_at", [(f.id, f.created_at) for f in dump.facts]),
    )
    for kind, name, rows in ordered:
        valid = [(kind, ident, name) not in bad for ident, _ in rows]
        for i, (ident, _) in enumerate(rows):
            fault = bad.get((kind, ident, name))
            if fault is not None:
                j = _nearest_valid(valid, i)
                fixes.append((fault, rows[j][1] if j is not None else now))
    for segment in dump.segments:
        for name, other in (("created_at", "last_access"), ("last_access", "created_at")):
            fault = bad.get(("segment", segment.id, name))
            if fault is not None:
                sibling_ok = ("segment", segment.id, other) not in bad
                fixes.append((fault, getattr(segment, other) if sibling_ok else now))
    return fixes


def repair_memory(
    store: Store,
    scope: Scope,
    embedder: Embedder,
    now: float | None = None,
    method: str = "extractive",
    progress: Progress | None = None,
    with_units: bool = True,
) -> dict[str, int]:
    """Replace times that break the timestamp rule (see time_fixes), then rebuild derived data: page and segment
    vectors (segments by `segment_vector`'s rule for the memory's analysis `method`), the lexical index, segment
    page counts."""
    dump = store.export_scope(scope)
    fixes = time_fixes(dump, time.time() if now is None else now)
    if fixes:
        store.fix_times(scope, fixes)
        for fault, value in fixes:
            log.warning("repaired %s: now %s", fault.describe(), value)
    stale, _ = _stale_vectors(dump, embedder, sample=None, progress=progress)
    by_id = {p.id: p for p in dump.pages}
    if with_units:  # pages written before the unit index (or with it off) get their units
        stale += _without_units(dump, set(stale))
    if stale:
        vectors, units = embed_pages(embedder.embed, [by_id[i] for i in stale], with_units)
        store.set_page_vectors(scope, dict(zip(stale, vectors, strict=True)), dict(zip(stale, units, strict=True)))
    fresh = dict(zip(stale, vectors, strict=True)) if stale else {}
    fixed_segments: dict[str, np.ndarray] = {}
    model = store.embedding_model()
    for segment in dump.segments:
        if segment.embedding is None or (model and segment.embedding.shape != (model[1],)):
            members = [
                fresh.get(p.id, p.embedding) for p in dump.pages if p.segment_id == segment.id and p.tier != "short"
            ]
            known = [v for v in members if v is not None]
            fixed_segments[segment.id] = segment_vector(
                method, segment.summary, np.stack(known) if known else None, embedder.embed
            )
    store.set_segment_vectors(scope, fixed_segments)
    recounted = store.recount_segments(scope)
    reindexed = store.rebuild_lexical_index(scope)
    result = {
        "timestamps": len(fixes),
        "page_vectors": len(stale),
        "segment_vectors": len(fixed_segments),
        "segment_counts": recounted,
        "lexical_rows": reindexed,
    }
    log.info("repaired memory of %s: %s", scope.user_id, result)
    return result
