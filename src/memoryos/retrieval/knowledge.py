"""Which facts a retrieval returns, and in what order.

Facts that hold come first, each group by relevance: the cosine to the query plus a small share for the query's
words found in the fact or named by its attribute. Short facts all start alike ("User has…", "User is…"), so the
cosine of one to a question is often a near tie ("What is the user's job?" is as close to "User is 35 years
old" as to "User works as a paramedic"); the words break such ties without overturning a clear semantic match.
"""

from __future__ import annotations

import numpy as np

from ..models import Fact
from ..textutil import STOPWORDS, tokens
from .result import RetrievedFact

WORD_SHARE = 0.15  # weight of the query words a fact carries, next to a cosine in [0, 1]
_STEM = 5  # a shared 5-letter prefix stands in for a shared stem ("works" / "working")

# words a question uses for the common personal attributes (the part of the key before ':'), general English
_ATTRIBUTE_WORDS = {
    "residence": "live lives living lived home city country town address reside based moved",
    "origin": "from born grew hometown origin",
    "occupation": "job jobs work works working career profession living",
    "employer": "work works working company employer job",
    "study": "study studies studying degree major university college",
    "school": "school university college",
    "age": "old age birthday born",
    "relationship": "single married relationship dating divorced engaged partner husband wife boyfriend girlfriend",
    "partner": "partner husband wife boyfriend girlfriend spouse married",
    "child": "kid kids child children son daughter",
    "children": "kid kids child children son daughter",
    "pet": "pet pets animal animals",
    "hobby": "hobby hobbies enjoy fun",
    "likes": "like likes love favourite favorite prefer",
    "favorite": "favourite favorite like likes love prefer",
    "plan": "plan plans planning going future",
    "language": "language languages speak speaks",
    "goal": "goal goals dream dreams want wants plan plans",
    "car": "car drive drives vehicle",
}


def query_terms(query: str) -> list[str]:
    """The words of a query that can tell one fact from another: no function words, no possessive, no roles."""
    out = []
    for token in tokens(query):
        word = token[:-2] if token.endswith("'s") else token
        if word not in STOPWORDS and (len(word) > 2 or word.isdigit()):
            out.append(word)
    return list(dict.fromkeys(out))


def _fact_words(fact: Fact) -> set[str]:
    words = set(tokens(fact.text))
    if fact.attribute:
        parts = fact.attribute.replace(":", " ").replace("_", " ").split()
        words.update(parts)
        words.update(_ATTRIBUTE_WORDS.get(fact.attribute.split(":")[0], "").split())
    return words


def _matches(term: str, words: set[str]) -> bool:
    if term in words:
        return True
    if len(term) < 4:
        return False
    return any(w.startswith(term) or (len(w) >= _STEM and w[:_STEM] == term[:_STEM]) for w in words)


def word_share(terms: list[str], fact: Fact) -> float:
    """Share of the query's terms the fact carries (in its text or named by its attribute)."""
    if not terms:
        return 0.0
    words = _fact_words(fact)
    return sum(_matches(t, words) for t in terms) / len(terms)


def rank_facts(
    facts: list[Fact],
    query: str,
    query_vector: np.ndarray,
    now: float,
    top_k: int,
    min_similarity: float,
) -> list[RetrievedFact]:
    """The best facts that hold, then the best that stopped being true (the caller passes those only for
    questions about the past); each group bounded by top_k, facts below min_similarity (cosine) left out."""
    terms = query_terms(query)
    current = [f for f in facts if f.is_current(now)]
    closed = [f for f in facts if not f.is_current(now)]
    return _best(current, terms, query_vector, top_k, min_similarity, True) + _best(
        closed, terms, query_vector, top_k, min_similarity, False
    )


def _best(
    facts: list[Fact], terms: list[str], query_vector: np.ndarray, top_k: int, min_similarity: float, current: bool
) -> list[RetrievedFact]:
    scored = []
    for fact in facts:
        if fact.embedding is None:
            continue
        cosine = float(fact.embedding @ query_vector)
        if cosine >= min_similarity:
            scored.append(RetrievedFact(fact, cosine + WORD_SHARE * word_share(terms, fact), current))
    scored.sort(key=lambda f: -f.score)
    return scored[:top_k]


__all__ = ["query_terms", "rank_facts", "word_share"]
