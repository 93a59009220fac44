"""The best candidates re-ordered by a cross-encoder (providers/reranker.py), when one is configured."""

from __future__ import annotations

from ..providers.reranker import Reranker
from .fusion import Candidate


def rerank(reranker: Reranker, query: str, ranked: list[Candidate], top: int) -> list[Candidate]:
    """The first `top` of `ranked` in the cross-encoder's order (its score kept as the `rerank` signal), the rest
    after them as they were: the reranker decides the order among good candidates, fusion which ones those are."""
    head, tail = ranked[:top], ranked[top:]
    scores = reranker.scores(query, [c.page.text for c in head])
    for candidate, score in zip(head, scores, strict=True):
        candidate.extra["rerank"] = score
    order = sorted(range(len(head)), key=lambda i: -scores[i])  # stable: ties keep the fused order
    return [head[i] for i in order] + tail


__all__ = ["rerank"]
