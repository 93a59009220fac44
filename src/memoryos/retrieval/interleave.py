"""Places in the results kept for the best pages by meaning alone.

Score fusion adds the full-text score, normalised by the best full-text match, to the cosine. A page far ahead on
the question's words stays far ahead, which is what most questions need; but when the answer shares no word with
the question ("Would Melanie rather visit a national park or a theme park?", answered by "our family camping
trip"), every page that shares one rare word with it ranks above the answer, however much closer the answer is in
meaning. So every `every`-th place of the results may go to the best page by meaning that no earlier place holds:
its score from every signal but the full-text one (cosine, the facts it stated, chain and segment context, dates),
computed by the same scoring. The other places are fusion's, in fusion's order.

The place goes to that page only when it stands out: its score by meaning must exceed that of the page fusion
would put there by `margin` standard deviations of the candidates' scores by meaning. When fusion's page is about
as close in meaning anyway, or the embedder sets no page apart (an English model on Korean text scores every page
about alike), fusion keeps the place: the full-text match is then the better evidence.
"""

from __future__ import annotations

from .fusion import Candidate


def meaning_places(
    ranked: list[Candidate], every: int, meaning: dict[str, float], margin: float = 0.0
) -> list[Candidate]:
    """`ranked` (fusion's order, best first) with places every, 2 x every, ... (counted from 1) given to the best
    pages by `meaning` (page id -> score) not already placed, when one beats fusion's page for that place by
    `margin` standard deviations of the scores; unchanged when `every` is 0 or there are fewer candidates."""
    if every <= 0 or len(ranked) < every or not meaning:
        return ranked
    score = {c.page.id: meaning.get(c.page.id, 0.0) for c in ranked}
    mean = sum(score.values()) / len(score)
    gap = margin * (sum((v - mean) ** 2 for v in score.values()) / len(score)) ** 0.5
    by_meaning = sorted(ranked, key=lambda c: (-score[c.page.id], -c.page.seq))
    placed: set[str] = set()
    out: list[Candidate] = []
    fused = meant = 0  # positions in each order of the first page not yet placed (earlier ones all are)
    while len(out) < len(ranked):
        while ranked[fused].page.id in placed:
            fused += 1
        while by_meaning[meant].page.id in placed:
            meant += 1
        pick = ranked[fused]
        if (len(out) + 1) % every == 0:
            best = by_meaning[meant]
            if score[best.page.id] - score[pick.page.id] >= gap and best is not pick:
                pick = best
                best.extra["meaning"] = score[best.page.id]
        placed.add(pick.page.id)
        out.append(pick)
    return out


__all__ = ["meaning_places"]
