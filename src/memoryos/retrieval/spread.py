"""List questions spread their results over the conversation's sessions.

"What activities does Melanie partake in?" or "Which cities has Jon visited?" is answered by one mention of each
item, and the items were mostly told on different days: pottery in one session, camping in another. Fusion ranks
each page on its own, so the best-matching session (the segment boost lifts all of its pages together) can fill
the first places with one item's talk. For a question of the list form ("What <plural> has / does / did X ...?",
"How many <plural> / times ...?"), the first places are re-chosen greedily: each next page is the best by
score / best score - `weight` x the number of pages already chosen from its day (UTC). A question that names a date
is left alone (its answer is on that date), and so is every other question: for them a second page of the same
session is usually the answer following the match (MMR and per-session caps for every question cost single-hop,
benchmarks/README.md chapter 1). The weight is small: it reorders pages whose scores are within a few percent of
each other, never a strong match below a weak one. It runs on fusion's order, before a reranker and the places kept
by meaning reorder it by their own measures.
"""

from __future__ import annotations

import re
from collections import Counter

from .fusion import Candidate

DAY = 86400.0
DEPTH = 30  # candidates re-chosen: the places a list's items compete for

# "What activities does X ...", "Which cities has X ...", "What LGBTQ+ events has X ...", "How many hikes / times ...",
# "What are X's pets' names?"; English only
_LIST = re.compile(
    r"^\W*(?:what|which)\s+(?:[\w+'’-]+\s+){0,3}?[\w-]+s\s+(?:has|have|does|do|did)\b"
    r"|^\W*how\s+many\s+(?:times|[\w-]+s)\b"
    r"|^\W*what\s+(?:are|were)\s+(?:some\s+(?:of\s+)?)?[\w'’ ]*?s\s*\?",
    re.IGNORECASE,
)


def asks_list(query: str) -> bool:
    """Whether the question asks for the items of a list (several things, each told once)."""
    return _LIST.search(query) is not None


def spread(ranked: list[Candidate], weight: float) -> list[Candidate]:
    """`ranked` (best first) with its first DEPTH places re-chosen so that pages from days already placed cost
    `weight` x (pages of that day placed) in units of the best score; unchanged when weight is 0."""
    if weight <= 0 or len(ranked) <= 1:
        return ranked
    pool, rest = ranked[:DEPTH], ranked[DEPTH:]
    top = pool[0].score or 1.0
    placed: Counter[int] = Counter()
    out: list[Candidate] = []
    while pool:  # ties keep fusion's order: max returns the first best
        pick = max(pool, key=lambda c: c.score / top - weight * placed[_day(c)])
        pool.remove(pick)
        out.append(pick)
        placed[_day(pick)] += 1
    return out + rest


def _day(c: Candidate) -> int:
    return int(c.page.timestamp // DAY)


__all__ = ["asks_list", "spread"]
