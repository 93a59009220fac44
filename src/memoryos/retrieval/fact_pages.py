"""Facts as an index into the pages that stated them.

A fact is one sentence ("User went to Chicago"), a page a whole exchange: a question matches the fact far better
than the page, whose vector is blurred by everything else said in it. So the facts closest to the question lift
their source pages, which join the candidates if no other signal found them."""

from __future__ import annotations

import numpy as np

from ..models import Fact
from .fact_table import fact_table

TOP_FACTS = 10  # facts whose sources are lifted; beyond these the match is too loose to say much


def fact_page_lifts(facts: list[Fact], query_vector: np.ndarray, floor: float, weight: float) -> dict[str, float]:
    """page id -> `weight` x the best cosine of a fact it stated, for the facts closest to the query (at least
    `floor`)."""
    indexed = [f for f in facts if f.embedding is not None and f.source_page_ids]
    if not indexed:
        return {}
    closeness = fact_table(indexed).matrix @ query_vector  # the matrix is kept between retrieves (fact_table.py)
    order = np.argsort(-closeness, kind="stable")[:TOP_FACTS]
    scores: dict[str, float] = {}
    for i in order:
        value = float(closeness[i])
        if value < floor:
            break
        for page_id in indexed[i].source_page_ids:
            scores[page_id] = max(scores.get(page_id, 0.0), weight * value)
    return scores


__all__ = ["fact_page_lifts"]
