"""Speaker attribution: which side of the conversation a person named in the question speaks on.

A page holds two sides, the user's and the assistant's, and facts are kept per side ("User ...", "Assistant
..."). When the sides are labelled with their speakers' names, as imported transcripts and many chat logs are
("Caroline: I went to a support group"), a question about one named speaker ("What activities does Melanie do?")
is about one side: the facts the other side stated are noise to it, and a page where the question's words are
the named speaker's own is likelier about them than one where only the other speaker says them. Sides without
name labels give no attribution, and nothing changes.
"""

from __future__ import annotations

import functools
import re

from ..lexical import MAX_TOKEN_CHARS, analyze, index_word
from ..models import Fact, Page
from .fusion import Candidate

LABEL_SHARE = 0.3  # a name labels at least this share of one side's sampled pages ...
OTHER_SHARE = 0.05  # ... and at most this share of the other side's, to be that side's speaker
_LABEL_RE = re.compile(r"^\s*([^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*)?)\s*:")
_QUESTION_RE = re.compile(r"[^.!?\n]*\?")


def side_label(text: str) -> str | None:
    """The speaker label a side opens with ("Melanie: ..." → "melanie"), lower-cased, or None."""
    match = _LABEL_RE.match(text)
    return match.group(1).lower() if match else None


def subject_side(names: set[str], labels: dict[str, tuple[int, int]], pages: int) -> str | None:
    """'user' or 'assistant' when every name given labels that side (and not the other) in the sample; None when
    no name does, or the names are on both sides (a question about both speakers)."""
    if not names or pages <= 0:
        return None
    sides = set()
    for name in names:
        user, agent = labels.get(name, (0, 0))
        if user >= LABEL_SHARE * pages and agent <= OTHER_SHARE * pages:
            sides.add("user")
        elif agent >= LABEL_SHARE * pages and user <= OTHER_SHARE * pages:
            sides.add("assistant")
        else:
            return None
    return sides.pop() if len(sides) == 1 else None


def of_side(facts: list[Fact], side: str) -> list[Fact]:
    """The facts of one side: those the question's speaker stated."""
    return [f for f in facts if f.kind == side]


def side_share(page: Page, side: str, terms: set[str]) -> float:
    """Share of the page's occurrences of the query's index tokens that are on `side` (0.5 when none are)."""
    own, other = (page.user_input, page.agent_response) if side == "user" else (page.agent_response, page.user_input)
    # a question the other speaker puts to the named one is about the named one (its answer follows)
    asked = _QUESTION_RE.findall(other) if "?" in other else []
    if asked:
        own, other = own + " " + " ".join(asked), _QUESTION_RE.sub(" ", other)
    on_own, on_other = count_terms(own, frozenset(terms)), count_terms(other, frozenset(terms))
    total = on_own + on_other
    return on_own / total if total else 0.5


@functools.lru_cache(maxsize=256)
def _finder(terms: frozenset[str]) -> re.Pattern[str]:
    """ASCII words that may stem to one of the terms: a Porter stem without its last letter begins its word
    ("potteri" ← "pottery", "sai" ← "says"; checked on every word of LoCoMo); `index_word` then decides."""
    starts = sorted({t[:-1] if len(t) > 2 else t for t in terms if t.isascii()}, key=len, reverse=True)
    if not starts:
        return re.compile(r"(?!)")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, starts)) + r")[a-z0-9]*")


def count_terms(text: str, terms: frozenset[str]) -> int:
    """Occurrences of index tokens `terms` in the text. ASCII text (most of it, and the hot path: every lexical
    candidate's two sides) is scanned for the words that can be one of them before any is stemmed."""
    if text.isascii():
        found = _finder(terms).findall(text.lower())
        return sum(1 for w in found if len(w) <= MAX_TOKEN_CHARS and index_word(w) in terms)
    return sum(1 for t in analyze(text) if t in terms)


def attribute_lexical(
    candidates: dict[str, Candidate], side: str, terms: list[str], weight: float, cut: float = 0.0
) -> None:
    """A page whose match to the question's words lies mostly on the named speaker's side (their own words, or a
    question put to them) gets its BM25 raised: x (1 + weight x (2 x share - 1)), up to 1 + weight when all of
    the match is theirs. A match mostly on the other side is lowered only by `cut` (given for list questions):
    x (1 - cut x (1 - 2 x share)), down to 1 - cut when all of it is the other speaker's own statements. For most
    questions such a match is often the setup of the named speaker's answer in the next page, which chain context
    ranks from this page's score (lowering it cost single-hop); a list question asks for the named speaker's
    items, and the other speaker's mentions of the same topic (their own camping trip) take the places of those."""
    if (weight <= 0 and cut <= 0) or not terms:
        return
    wanted = set(terms)
    for c in candidates.values():
        if c.lexical:
            share = side_share(c.page, side, wanted)
            c.lexical *= 1.0 + weight * max(0.0, 2.0 * share - 1.0) - cut * max(0.0, 1.0 - 2.0 * share)


__all__ = ["attribute_lexical", "count_terms", "of_side", "side_label", "side_share", "subject_side"]
