"""Where in a page the question's words sit, for chain context.

A page is a first turn and the reply to it. When the question's words are in the first turn, the reply that
answers them is in the same page; when they are in the second turn, the reply to that turn is the first turn of
the next page. So a page passes its score forward along the dialogue chain in proportion to how much of its match
lies in its second turn: floor + (1 - floor) x that share. A page without a full-text match (found by meaning
only) or with one side only passes its full share, as before.
"""

from __future__ import annotations

from .fusion import Candidate
from .speakers import count_terms


def forward_shares(candidates: dict[str, Candidate], terms: list[str], floor: float) -> None:
    """Set each full-text candidate's `passes` (the share of its score its successor may inherit)."""
    if floor >= 1.0 or not terms:
        return
    wanted = frozenset(terms)
    for c in candidates.values():
        first, second = c.page.user_input, c.page.agent_response
        if not c.lexical or not first or not second:
            continue
        on_first, on_second = count_terms(first, wanted), count_terms(second, wanted)
        total = on_first + on_second
        if total:
            c.passes = floor + (1.0 - floor) * on_second / total


__all__ = ["forward_shares"]
