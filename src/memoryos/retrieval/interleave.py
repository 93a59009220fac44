"""Places in the results kept for the best pages by meaning alone.

Score fusion adds the full-text score, normalised by the best full-text match, to the cosine. A page far ahead on
the question's words stays far ahead, which is what most questions need; but when the answer shares no word with
the question ("Would Melanie rather visit a national park or a theme park?", answered by "our family camping
trip"), every page that shares one rare word with it ranks above the answer, however much closer the answer is in
meaning. So every `every`-th place of the results goes to the best page by meaning that no earlier place holds:
its score from every signal but the full-text one (cosine, the facts it stated, chain and segment context, dates),
computed by the same scoring. The other places are fusion's, in fusion's order.
"""

from __future__ import annotations

from .fusion import Candidate


def meaning_places(ranked: list[Candidate], every: int, meaning: dict[str, float]) -> list[Candidate]:
    """`ranked` (fusion's order, best first) with places every, 2 x every, ... (counted from 1) taken by the best
    pages by `meaning` (page id -> score) not already placed; unchanged when `every` is 0 or there are fewer
    candidates than that."""
    if every <= 0 or len(ranked) < every or not meaning:
        return ranked
    by_meaning = sorted(ranked, key=lambda c: (-meaning.get(c.page.id, 0.0), -c.page.seq))
    placed: set[str] = set()
    out: list[Candidate] = []
    fused, meant = iter(ranked), iter(by_meaning)
    while len(out) < len(ranked):
        source = meant if (len(out) + 1) % every == 0 else fused
        for c in source:
            if c.page.id not in placed:
                placed.add(c.page.id)
                out.append(c)
                if source is meant:
                    c.extra["meaning"] = meaning.get(c.page.id, 0.0)
                break
    return out


__all__ = ["meaning_places"]
