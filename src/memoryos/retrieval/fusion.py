"""Rank fusion of dense, lexical and segment signals."""

from __future__ import annotations

from collections import defaultdict

RRF_K = 60.0


def reciprocal_rank_fusion(rankings: dict[str, tuple[list[str], float]]) -> dict[str, float]:
    """Σ weight / (k + rank) over every ranking a document appears in. Robust to incomparable score scales."""
    scores: dict[str, float] = defaultdict(float)
    for ranked_ids, weight in rankings.values():
        if weight <= 0:
            continue
        for rank, doc_id in enumerate(ranked_ids):
            scores[doc_id] += weight / (RRF_K + rank + 1)
    return dict(scores)
