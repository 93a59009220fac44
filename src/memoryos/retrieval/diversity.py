"""Diversified top-k (maximal marginal relevance): a question whose answer is spread over several exchanges
("Which cities has John been to?") needs pages about each, not near-copies of the best-matching one.

Off by default: on LoCoMo it cost as much as it gained (benchmarks/README.md §1), because the pages a multi-hop
question misses are rarely near the top to be promoted, while a match's neighbour in its dialogue chain, which
answers it, looks redundant and is pushed down."""

from __future__ import annotations

import numpy as np

from .fusion import Candidate

POOL_FACTOR = 3  # candidates considered per page returned


def diversify(ranked: list[Candidate], limit: int, weight: float) -> list[Candidate]:
    """Greedy selection of `limit` pages from `ranked` (best first): each next page maximises its score relative
    to the best one minus `weight` x its highest cosine to a page already selected."""
    if weight <= 0 or len(ranked) <= 1:
        return ranked[:limit]
    pool = ranked[: max(limit * POOL_FACTOR, limit + 10)]
    top = pool[0].score or 1.0
    likeness = np.zeros(len(pool))
    left = list(range(len(pool)))
    chosen: list[int] = []
    while left and len(chosen) < limit:
        pick = max(left, key=lambda i: pool[i].score / top - weight * likeness[i])
        left.remove(pick)
        chosen.append(pick)
        vector = pool[pick].page.embedding
        if vector is None:
            continue
        for i in left:
            other = pool[i].page.embedding
            if other is not None:
                likeness[i] = max(likeness[i], float(other @ vector))
    return [pool[i] for i in chosen]


__all__ = ["diversify"]
