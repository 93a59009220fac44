"""Category sub-queries: a question asking for a kind of thing ("What activities does Melanie do?", "What books has
she read?", "Which cities has Jon visited?") is answered by many turns that share neither words nor meaning with
the question: "we went camping in the forest", "I signed up for a pottery class". What they share is the kind
of thing they name. So the question's head noun picks a category, the category is embedded as the centroid of a
few general statements of its kind, and facts are scored against that centroid (and their attribute key) rather
than against the literal question: the facts of the kind lift the pages they were stated in, many of them, as a
list question wants. The vocabulary below is everyday English, not drawn from any benchmark's wording.

The retriever applies it to list questions only (`category_lists_only`, spread.asks_list): a question that names a
kind but asks for one thing of it ("Which book did Anna recommend?") is found by its words and meaning, and lifting
every fact of the kind would push its answer down (benchmarks/README.md chapter 1, session 29).
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..models import Fact
from .fact_table import fact_table

TOP_FACTS = 20  # a list question wants many items; beyond these the kind is too loosely matched
FLOOR = 0.3  # a fact less like the category's centroid than this is not of that kind
FAMILY_SHARE = 0.2  # a fact whose attribute key is of the category's family (hobby:, pet:) counts this much more


@dataclass(frozen=True)
class Category:
    name: str
    cue: re.Pattern[str]  # words of a question asking for things of this kind
    keys: tuple[str, ...]  # attribute key prefixes of the kind ("hobby:" holds "hobby:climbing")
    exemplars: tuple[str, ...]  # statements of the kind, for its centroid


def _cue(words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words.split()) + r")\b", re.IGNORECASE)


CATEGORIES: tuple[Category, ...] = (
    Category(
        "activity",
        _cue("activities activity hobbies hobby pastimes interests sports exercises workouts fun destress relax"),
        ("hobby:", "sport", "likes:"),
        (
            "They enjoy hiking in the mountains.",
            "They went camping with the family at the lake.",
            "They took up painting last year.",
            "They play tennis every weekend.",
            "They signed up for a pottery class.",
            "They go running to clear their head.",
            "They do yoga to relax.",
            "They went swimming at the beach.",
        ),
    ),
    Category(
        "book",
        _cue("books book novels novel authors reading read"),
        ("likes:",),
        (
            "They loved reading the novel by that author.",
            "They are reading a book about history.",
            "Their favourite book is a classic.",
            "They just finished reading a memoir.",
            "They recommended a fantasy series to a friend.",
        ),
    ),
    Category(
        "place",
        _cue(
            "places place cities city countries country states areas travelled traveled travel visited trips vacations"
        ),
        ("plan:", "residence", "trip"),
        (
            "They went on a trip to Paris.",
            "They visited Spain last summer.",
            "They travelled around Japan for two weeks.",
            "They are planning a vacation in Italy.",
            "They took a road trip along the coast.",
            "They spent a weekend in the city.",
        ),
    ),
    Category(
        "pet",
        _cue("pets pet animals animal dogs cats"),
        ("pet:",),
        (
            "They have a dog named Max.",
            "They adopted a cat from the shelter.",
            "Their pet turtle loves the garden.",
            "They take their puppy for walks.",
        ),
    ),
    Category(
        "family",
        _cue("children kids family sons daughters siblings"),
        ("child", "partner", "relationship"),
        (
            "They have two kids.",
            "They celebrated their daughter's birthday.",
            "They spent the day with their family.",
            "Their son started school.",
            "They took the kids to the park.",
        ),
    ),
    Category(
        "food",
        _cue("foods food dishes dish desserts meals recipes cooked baked"),
        ("favorite:food", "likes:"),
        (
            "They baked a chocolate cake.",
            "They cooked pasta for dinner.",
            "Their favourite dish is curry.",
            "They tried a new recipe for soup.",
            "They love to eat sushi.",
        ),
    ),
    Category(
        "music",
        _cue("instruments instrument music songs bands artists concerts musicians"),
        ("hobby:", "likes:"),
        (
            "They play the guitar.",
            "They have played the violin since childhood.",
            "They went to a concert of their favourite band.",
            "They listen to classical music.",
            "They love that singer's new album.",
        ),
    ),
    Category(
        "event",
        _cue("events event conferences festivals parades competitions participated attended"),
        ("plan:",),
        (
            "They went to a conference.",
            "They attended a parade in the city.",
            "They took part in a charity race.",
            "They volunteered at a fundraiser.",
            "They joined a workshop on the weekend.",
            "They competed in a tournament.",
        ),
    ),
    Category(
        "media",
        _cue("games movies films shows series"),
        ("likes:", "hobby:"),
        (
            "They play video games.",
            "They watched a great movie.",
            "Their favourite show is a comedy series.",
            "They played a new board game with friends.",
        ),
    ),
)


def asked_category(query: str) -> Category | None:
    """The category a question asks for by its head words, or None. The earliest in the question wins when
    several match ("What events has she attended to help children?" asks for events)."""
    found = [(m.start(), i) for i, c in enumerate(CATEGORIES) if (m := c.cue.search(query))]
    return CATEGORIES[min(found)[1]] if found else None


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


class _Centroids:
    """Each category's centroid for one embedder, embedded on first use."""

    def __init__(self, embed: Any) -> None:
        self.embed = embed
        self.lock = threading.Lock()
        self.vectors: dict[str, np.ndarray] = {}

    def of(self, category: Category) -> np.ndarray:
        with self.lock:
            if category.name not in self.vectors:
                vectors = _unit(np.asarray(self.embed(list(category.exemplars)), dtype=np.float32))
                self.vectors[category.name] = _unit(vectors.mean(axis=0))
            return self.vectors[category.name]


_CENTROIDS: weakref.WeakKeyDictionary[object, _Centroids] = weakref.WeakKeyDictionary()
_CENTROIDS_LOCK = threading.Lock()


def centroid(embedder: Any, category: Category) -> np.ndarray:
    """The category's centroid under this embedder (a lazily loaded embedder is read through to its model)."""
    with _CENTROIDS_LOCK:
        inner = embedder.get() if callable(getattr(embedder, "get", None)) else embedder
        held = _CENTROIDS.get(inner)
        if held is None:
            held = _Centroids(inner.embed)
            _CENTROIDS[inner] = held
    return held.of(category)


def category_lifts(facts: list[Fact], category: Category, vector: np.ndarray, weight: float) -> dict[str, float]:
    """page id -> `weight` x the best kind-score of a fact it stated. A fact's kind-score is its cosine to the
    category's centroid, plus FAMILY_SHARE when its attribute key is of the category's family (hobby:, pet:):
    every fact of the family counts (a list question wants them all), and of the others the TOP_FACTS most of the
    kind, down to FLOOR."""
    indexed = [f for f in facts if f.embedding is not None and f.source_page_ids]
    if not indexed or weight <= 0:
        return {}
    scores = fact_table(indexed).matrix @ vector  # the matrix is kept between retrieves (fact_table.py)
    family = [bool(f.attribute and f.attribute.startswith(category.keys)) for f in indexed]
    lifts: dict[str, float] = {}
    others = 0
    for i in np.argsort(-scores, kind="stable"):
        value = float(scores[i]) + (FAMILY_SHARE if family[i] else 0.0)
        if not family[i]:
            if value < FLOOR or others >= TOP_FACTS:
                continue
            others += 1
        for page_id in indexed[i].source_page_ids:
            lifts[page_id] = max(lifts.get(page_id, 0.0), weight * max(value, 0.0))
    return lifts


__all__ = ["CATEGORIES", "Category", "asked_category", "category_lifts", "centroid"]
