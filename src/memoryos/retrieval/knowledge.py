"""Which facts a retrieval returns, and in what order.

Facts that hold come first, each group by relevance: the cosine to the query plus a small share for the query's
words found in the fact or named by its attribute, and (among facts that hold) a smaller one for having been said
later. Short facts all start alike ("User has…", "User is…"), so the
cosine of one to a question is often a near tie ("What is the user's job?" is as close to "User is 35 years
old" as to "User works as a paramedic"); the words break such ties without overturning a clear semantic match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..models import Fact
from ..textutil import STOPWORDS, says_now, tokens
from .fact_table import fact_table
from .result import RetrievedFact

WORD_SHARE = 0.15  # weight of the query words a fact carries, next to a cosine in [0, 1]
ATTRIBUTE_SHARE = 0.1  # for holding the attribute the question asks about (attribute_reader.question_category)
RECENCY_SHARE = 0.05  # at most this much for being the latest said of the facts that hold
LATEST_HOLDER_SHARE = 0.1  # for being the latest said of several facts holding the attribute asked about
NOW_SHARE = 0.1  # for a statement that says its value holds now ("... these days"), when the question asks about now
_STEM = 5  # a shared 5-letter prefix stands in for a shared stem ("works" / "working")
# facts whose words are kept indexed between retrievals (every retrieval scores every fact of its user against
# the query's words): a few users' worth of facts, a few hundred bytes each
FACT_WORDS_CACHE = 8192

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
    "hobby": "hobby hobbies enjoy fun sport sports play plays practise practice",  # a sport's key is hobby:X
    "likes": "like likes love favourite favorite prefer",
    "favorite": "favourite favorite like likes love prefer",
    "plan": "plan plans planning going future",
    "language": "language languages speak speaks",
    "goal": "goal goals dream dreams want wants plan plans",
    "car": "car drive drives vehicle",
}


_PERSON = {
    "i": "the user",
    "me": "the user",
    "my": "the user's",
    "mine": "the user's",
    "myself": "the user",
    "i'm": "the user is",
    "im": "the user is",
    "i've": "the user has",
    "i'd": "the user would",
    "i'll": "the user will",
    "you": "the assistant",
    "your": "the assistant's",
    "yours": "the assistant's",
    "yourself": "the assistant",
    "you're": "the assistant is",
    "you've": "the assistant has",
    "you'll": "the assistant will",
}
_PRONOUNS = "|".join(sorted((w.replace("'", "['’]") for w in _PERSON), key=len, reverse=True))
_PERSON_RE = re.compile(rf"(?<![\w'’])({_PRONOUNS})(?![\w'’])", re.IGNORECASE)


def about_the_user(query: str) -> str:
    """The question as facts are written: "Which city do I live in?" → "Which city do the user live in?" (the
    cosine of a first-person question to "User lives in Dublin" is a third of the third-person one's)."""
    return _PERSON_RE.sub(lambda m: _PERSON[m.group(1).lower().replace("’", "'")], query)


def query_terms(query: str) -> list[str]:
    """The words of a query that can tell one fact from another: no function words, no possessive, no roles."""
    out = []
    for token in tokens(query):
        word = token[:-2] if token.endswith("'s") else token
        if word not in STOPWORDS and (len(word) > 2 or word.isdigit()):
            out.append(word)
    return list(dict.fromkeys(out))


class _FactWords(NamedTuple):
    """A fact's words, and their 4- and 5-letter prefixes: what `_matches` asks of them, as set lookups."""

    words: frozenset[str]
    prefix4: frozenset[str]  # of the words of 4+ letters: a 4-letter term matches the words it begins
    prefix5: frozenset[str]  # of the words of 5+ letters: a longer term matches by its stem (_STEM letters)


@lru_cache(maxsize=FACT_WORDS_CACHE)
def _fact_words(text: str, attribute: str | None) -> _FactWords:
    words = set(tokens(text))
    if attribute:
        words.update(attribute.replace(":", " ").replace("_", " ").split())
        words.update(_ATTRIBUTE_WORDS.get(attribute.split(":")[0], "").split())
    return _FactWords(
        frozenset(words),
        frozenset(w[:4] for w in words if len(w) >= 4),
        frozenset(w[:_STEM] for w in words if len(w) >= _STEM),
    )


def _matches(term: str, index: _FactWords) -> bool:
    """The term is one of the words, or (4+ letters) begins one, or (5+ letters) shares its stem with one. A term
    of 5+ letters that begins a word shares that word's stem, so two lookups decide every case."""
    if term in index.words:
        return True
    if len(term) < 4:
        return False
    if len(term) == 4:
        return term in index.prefix4
    return term[:_STEM] in index.prefix5


def word_share(terms: list[str], fact: Fact) -> float:
    """Share of the query's terms the fact carries (in its statement as said or named by its attribute)."""
    if not terms:
        return 0.0
    index = _fact_words(fact.said, fact.attribute)
    return sum(_matches(t, index) for t in terms) / len(terms)


def rank_facts(
    facts: list[Fact],
    query: str,
    query_vector: np.ndarray,
    now: float,
    top_k: int,
    min_similarity: float,
    asked: Callable[[str | None], bool] | None = None,
) -> list[RetrievedFact]:
    """The best facts that hold, then the best that stopped being true (the caller passes those only for
    questions about the past); each group bounded by top_k, facts scoring below min_similarity left out.
    `asked(key)`: whether an attribute key is what the question asks about (such facts gain ATTRIBUTE_SHARE)."""
    terms = query_terms(query)
    current = [f for f in facts if f.is_current(now)]
    closed = [f for f in facts if not f.is_current(now)]
    about_now = says_now(query)
    return _best(current, terms, query_vector, top_k, min_similarity, True, asked, about_now) + _best(
        closed, terms, query_vector, top_k, min_similarity, False, asked
    )


def _best(
    facts: list[Fact],
    terms: list[str],
    query_vector: np.ndarray,
    top_k: int,
    min_similarity: float,
    current: bool,
    asked: Callable[[str | None], bool] | None = None,
    about_now: bool = False,
) -> list[RetrievedFact]:
    # every fact at once, from what is kept of these facts between retrieves (fact_table.py); each score is the
    # same sum, in the same order, as fact by fact: cosine + WORD_SHARE x word share [+ ATTRIBUTE_SHARE] [+ NOW_SHARE]
    table = fact_table([f for f in facts if f.embedding is not None])
    if not len(table):
        return []
    scores = table.cosines(query_vector)
    if terms:
        scores = scores + WORD_SHARE * (table.word_counts(terms, _fact_words_of) / len(terms))
    else:
        scores = scores + WORD_SHARE * 0.0
    if asked is not None:
        held = {key: asked(key) for key in dict.fromkeys(f.attribute for f in table.facts)}
        holds = np.fromiter((held[f.attribute] for f in table.facts), dtype=bool, count=len(table))
        scores = np.where(holds, scores + ATTRIBUTE_SHARE, scores)
    if current and about_now:
        # "Which team do I support now?": a statement that says it holds now ("cheers for Rangers now") over
        # one that never said so, when the change itself was not read
        scores = np.where(table.says_now, scores + NOW_SHARE, scores)
    scored = [
        RetrievedFact(table.facts[i], score, current)
        for i, score in enumerate(scores.tolist())
        if score >= min_similarity
    ]
    if current and len(scored) > 1:
        # of two facts that hold and answer alike, the one said later is likelier to be what is true now
        by_time = sorted(scored, key=lambda f: _said(f.fact))
        for rank, item in enumerate(by_time):
            item.score += RECENCY_SHARE * rank / (len(by_time) - 1)
        holders = [item for item in by_time if asked is not None and asked(item.fact.attribute)]
        if len(holders) > 1:
            # several facts hold the attribute asked about (a sport and the one taken up since, a value whose old
            # fact was never closed): what is true now is the one said last
            holders[-1].score += LATEST_HOLDER_SHARE
    scored.sort(key=lambda f: -f.score)
    # what is returned is the caller's: facts may be the store's own kept ones (storage/fact_cache.py)
    return [RetrievedFact(item.fact.copy(), item.score, item.current) for item in scored[:top_k]]


def _fact_words_of(fact: Fact) -> _FactWords:
    return _fact_words(fact.said, fact.attribute)


def _said(fact: Fact) -> float:
    return fact.observed_at if fact.observed_at is not None else fact.created_at


__all__ = ["about_the_user", "query_terms", "rank_facts", "word_share"]
