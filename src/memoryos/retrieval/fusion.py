"""Score fusion of dense, lexical, chain, segment, date and time signals over candidate pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..models import Page

CHAIN_CAP = 0.99  # a page lifted by chain context stays just below the page it inherits from
SEGMENT_SCALE = 0.1  # a top segment adds at most segment_weight x 10% of the best page score
NEXT_SHARE = 0.5  # a page passes half as much of its score back to its predecessor as forward to its successor


@dataclass
class Candidate:
    page: Page
    dense: float  # cosine to the query
    lexical: float | None  # BM25 (higher is better); None outside the lexical pool
    lift: float = 0.0  # from signals that point at the page rather than match it: facts it stated, a second hop
    base: float = 0.0  # fused dense + lexical + lift
    score: float = 0.0  # base plus context boosts
    passes: float = 1.0  # share of its base its successor in the dialogue chain may inherit (match_side.py)
    extra: dict[str, float] = field(default_factory=dict)


def fuse(candidates: dict[str, Candidate], lexical_weight: float, dense_weight: float) -> None:
    """base = lexical_weight · BM25 / best BM25 + dense_weight · cosine. Scores, not ranks: a page far ahead
    on the words of the query stays far ahead."""
    best_lexical = max((c.lexical for c in candidates.values() if c.lexical), default=0.0)
    for c in candidates.values():
        lexical = (c.lexical or 0.0) / best_lexical if best_lexical > 0 else 0.0
        c.base = lexical_weight * lexical + dense_weight * c.dense + c.lift
        c.score = c.base


def chain_context(candidates: dict[str, Candidate], weight: float) -> None:
    """A page inherits `weight` x the base score of the page before it in its dialogue chain, and half that
    of the page after it: a question and its answer usually sit in consecutive pages."""
    if weight <= 0:
        return
    for c in candidates.values():
        prev = candidates.get(c.page.prev_page_id or "")
        nxt = candidates.get(c.page.next_page_id or "")
        boost = weight * (prev.base * prev.passes if prev else 0.0) + weight * NEXT_SHARE * (nxt.base if nxt else 0.0)
        # context ranks a page next to the page that matched, never above it
        source = max(prev.base if prev else 0.0, nxt.base if nxt else 0.0)
        boost = min(boost, max(0.0, CHAIN_CAP * source - c.base))
        if boost > 0:
            c.score += boost
            c.extra["chain"] = boost


def segment_boost(candidates: dict[str, Candidate], segment_rank: dict[str, int], weight: float) -> None:
    """Pages of the best-matching segments get a small boost, decreasing with the segment's rank."""
    if weight <= 0 or not segment_rank or not candidates:
        return
    top = max(c.score for c in candidates.values())
    for c in candidates.values():
        rank = segment_rank.get(c.page.segment_id or "")
        if rank is not None:
            c.score += weight * SEGMENT_SCALE * top / (rank + 1)


def date_boost(candidates: dict[str, Candidate], spans: list[tuple[float, float]], weight: float) -> None:
    """When the query names a date, month or year, pages from that time get weight x the best score."""
    if weight <= 0 or not spans or not candidates:
        return
    inside = [c for c in candidates.values() if any(a <= c.page.timestamp < b for a, b in spans)]
    if not inside or len(inside) == len(candidates):
        return
    top = max(c.score for c in candidates.values())
    for c in inside:
        c.score += weight * top
        c.extra["date"] = weight * top


def time_boost(
    candidates: dict[str, Candidate],
    mentions_time: Callable[[str], bool],
    weight: float,
    limit: int,
    signal: str = "time",
) -> None:
    """For a question about when (or how long): pages whose words place something in time get weight x the best
    score; a page about the right event that also dates it is the likelier answer. The same for where and pages
    that name a place (`signal` "place"). The last boost: only pages that the boost could still lift into the top
    `limit` are read (the text check is the costly part)."""
    if weight <= 0 or not candidates or limit <= 0:
        return
    scores = sorted((c.score for c in candidates.values()), reverse=True)
    boost = weight * scores[0]
    if boost <= 0:
        return
    floor = scores[limit - 1] - boost if len(scores) > limit else float("-inf")
    for c in candidates.values():
        if c.score >= floor and mentions_time(c.page.text):
            c.score += boost
            c.extra[signal] = boost
