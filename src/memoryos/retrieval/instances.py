"""Questions that ask for the instances of a kind without the list form.

`spread.asks_list` reads "What <plural> has / does X ...?"; the category lift (categories.py) applies to those. Many
questions ask for several things of a kind in other words, and English grammar says so in two places:

- the number of the question phrase's head noun: "What events is Maria planning ...?", "What areas of the U.S. has
  John been to?", "What musical artists/bands has Melanie seen?" ask for several (a plural head, whatever the verb);
  "Which book did she read?" for one;
- the aspect of a bare "what": the perfect gathers what was done over time ("What has John cooked?"), and the
  simple present of the verb "do" asks for a habit, which is a person's activities ("What does Melanie do to
  destress?", "What does John do to supplement his training?"); the simple past ("What did she do ...?") asks for one
  occasion.

The kind is read from the words that ask: the question phrase for a plural head ("What types of pottery have
Melanie and her kids made?" names no kind there, and "kids" is who made them, not what is asked for); the predicate
for the perfect ("cooked"); a habit of doing is an activity. A question that names a date asks about that occasion,
and a hedged one for an inference (query_analysis.asks_inference): neither is read here. English only.
"""

from __future__ import annotations

import re

from ..textutil import date_ranges
from .categories import CATEGORIES, Category, asked_category
from .query_analysis import asks_inference

_AUX = r"(?:is|are|was|were|has|have|had|does|do|did|will|can|could|would|might|should)"
# "What <up to six words> <auxiliary> <the rest>": the question phrase and what follows its auxiliary
_WH = re.compile(
    r"^\W*(?:what|which)\b(?P<phrase>(?:\s+[\w+'’/.&-]+){0,6}?)\s+(?P<aux>" + _AUX + r")\b(?P<rest>[^?]*)",
    re.IGNORECASE,
)
# "What does <a subject of up to three words> do ...": the main verb is "do" (not "want to do", "won't do")
_DOES_DO = re.compile(r"^\s+(?:[\w'’.-]+\s+){0,2}?[\w'’.-]+(?<!\bto)(?<!n't)(?<!n’t)\s+do\b", re.IGNORECASE)
_IRREGULAR = frozenset({"children", "people", "men", "women", "feet", "teeth"})
_ACTIVITY = next(c for c in CATEGORIES if c.name == "activity")


def _plural(word: str) -> bool:
    """An English plural noun by its form (regular "-s", not "-ss" / "-us" / "-is"; a few irregular ones)."""
    w = word.lower().strip(".'’")
    if w in _IRREGULAR:
        return True
    return len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is"))


def _head(phrase: str) -> list[str]:
    """The head of the question phrase: its last word before "of" ("types of pottery" → types), alternatives split
    ("artists/bands")."""
    words = phrase.split()
    if "of" in (w.lower() for w in words):
        words = words[: [w.lower() for w in words].index("of")]
    return words[-1].split("/") if words else []


def instances_asked(query: str) -> tuple[bool, Category | None]:
    """Whether a question asks for several instances of a kind by its grammar (module docstring), and the kind
    named by the words that ask, when one is."""
    match = _WH.match(query)
    if match is None:
        return False, None
    phrase, aux, rest = match.group("phrase"), match.group("aux").lower(), match.group("rest")
    if phrase.strip():
        asking: str | None = phrase if any(_plural(w) for w in _head(phrase)) else None
    elif aux in ("has", "have"):
        asking = rest
    elif aux in ("does", "do") and _DOES_DO.match(rest):
        asking = ""  # a habit of doing: activities
    else:
        asking = None
    if asking is None or asks_inference(query) or date_ranges(query):
        return False, None
    return True, asked_category(asking) if asking else _ACTIVITY


__all__ = ["instances_asked"]
