"""Integrity check and repair of one user's memory: the structure (tiers, segments, links, counts) and the
derived data (vectors match their texts, the lexical index matches the pages)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from .integrity import check_dump
from .models import Scope, ScopeDump
from .providers.embeddings import Embedder, normalize
from .storage.base import Store

log = logging.getLogger(__name__)

_VECTOR_AGREEMENT = 0.99  # cosine between a stored vector and its text embedded again


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    pages_checked: int = 0
    vectors_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _stale_vectors(dump: ScopeDump, embedder: Embedder, sample: int | None) -> tuple[list[str], int]:
    """Ids of pages whose stored vector is missing or does not match their text (all pages, or a sample)."""
    pages = [p for p in dump.pages if p.tier != "short"]
    if sample is not None and len(pages) > sample:
        step = len(pages) / sample
        pages = [pages[int(i * step)] for i in range(sample)]
    stale = [p.id for p in pages if p.embedding is None]
    have = [p for p in pages if p.embedding is not None]
    if have:
        fresh = embedder.embed([p.text for p in have])
        for page, vector in zip(have, fresh, strict=True):
            stored = page.embedding
            if stored is None or stored.shape != vector.shape or float(stored @ vector) < _VECTOR_AGREEMENT:
                stale.append(page.id)
    return stale, len(pages)


def check_memory(store: Store, scope: Scope, embedder: Embedder, sample: int | None = 200) -> CheckReport:
    dump = store.export_scope(scope)
    model = store.embedding_model()
    report = CheckReport(pages_checked=len(dump.pages))
    report.problems += check_dump(dump, expected_dim=model[1] if model else None)
    report.problems += store.lexical_index_problems(scope)
    stale, checked = _stale_vectors(dump, embedder, sample)
    report.vectors_checked = checked
    if stale:
        report.problems.append(f"{len(stale)} page vectors do not match their text")
    return report


def repair_memory(store: Store, scope: Scope, embedder: Embedder) -> dict[str, int]:
    """Rebuild derived data: page and segment vectors, the lexical index, segment page counts."""
    dump = store.export_scope(scope)
    stale, _ = _stale_vectors(dump, embedder, sample=None)
    by_id = {p.id: p for p in dump.pages}
    if stale:
        vectors = embedder.embed([by_id[i].text for i in stale])
        store.set_page_vectors(scope, dict(zip(stale, vectors, strict=True)))
    fixed_segments: dict[str, np.ndarray] = {}
    for segment in dump.segments:
        if segment.embedding is None or ((model := store.embedding_model()) and segment.embedding.shape != (model[1],)):
            members = [by_id[p.id].text for p in dump.pages if p.segment_id == segment.id]
            texts = members or [segment.summary]
            fixed_segments[segment.id] = normalize(embedder.embed(texts).mean(axis=0))[0]
    store.set_segment_vectors(scope, fixed_segments)
    recounted = store.recount_segments(scope)
    reindexed = store.rebuild_lexical_index(scope)
    result = {
        "page_vectors": len(stale),
        "segment_vectors": len(fixed_segments),
        "segment_counts": recounted,
        "lexical_rows": reindexed,
    }
    log.info("repaired memory of %s: %s", scope.user_id, result)
    return result
