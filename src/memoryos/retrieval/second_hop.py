"""A second hop: the words that the best first hits share and the question lacks, searched again.

An answer spread over several exchanges is rarely phrased like the question: "What kind of art does Caroline
make?" matches one exchange about her art, and that exchange's own words (painting, canvas, an exhibition's
name) find the others. Only words that are rare in this memory are followed, and what they find is lifted by a
fraction of the first hop's scale, so the second hop adds candidates without overruling the first."""

from __future__ import annotations

import math
from collections.abc import Callable

from ..lexical import analyze
from ..models import Page
from .fusion import Candidate

SOURCES = 3  # best first hits whose words are followed
MAX_TERMS = 6  # words of the second query
MAX_SHARE = 0.05  # a word in more of the memory's pages than this is too common to follow


def expansion_terms(pages: list[Page], exclude: set[str], share: Callable[[str], float]) -> list[str]:
    """Index tokens found in the most of `pages` (then the rarest in the memory), not in `exclude`, rare."""
    seen: dict[str, int] = {}
    for page in pages:
        for token in set(analyze(page.user_input, page.agent_response)):
            if token not in exclude and (len(token) > 2 or not token.isascii()) and not token.isdigit():
                seen[token] = seen.get(token, 0) + 1
    shares = {t: share(t) for t in seen}
    weighted = {t: n * math.log(1.0 / max(shares[t], 0.005)) for t, n in seen.items() if shares[t] <= MAX_SHARE}
    return sorted(weighted, key=lambda t: (-weighted[t], t))[:MAX_TERMS]


def second_hop(
    candidates: dict[str, Candidate],
    first_terms: list[str],
    share: Callable[[str], float],
    search: Callable[[list[str]], list[tuple[str, float]]],
) -> dict[str, float]:
    """page id -> its BM25 for the words the best first hits share, relative to the best hit (0..1]."""
    best = sorted(candidates.values(), key=lambda c: -c.base)[:SOURCES]
    terms = expansion_terms([c.page for c in best], set(first_terms), share)
    hits = search(terms) if terms else []
    top = max((score for _, score in hits), default=0.0)
    return {pid: score / top for pid, score in hits} if top > 0 else {}


__all__ = ["expansion_terms", "second_hop"]
