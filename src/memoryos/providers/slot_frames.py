"""Attributes said by naming the slot: "X is my <noun>", "my <noun> is X", "I'm a X <person/fan/addict>".

English often states an attribute by a copula between the value and a noun that names the slot ("Risotto is my
comfort food", "My daily ride is a Volvo", "Rex is my hamster") or by a label the speaker gives themselves ("I'm a
chai person", "a total sushi addict"). The sentence as a whole may read as nothing in particular (its embedding is
dominated by the rest: "... and the boss of the house"), while its parts are unambiguous. This reads the frame
syntactically and decides the slot by meaning: the slot noun's embedding against a few category nouns
(`SLOT_NOUNS`), or, for a label, the value's typicality across the tastes (food, drink: the reader's exemplar
values), each with a margin over the runner-up. A pronoun, a person's role or a vague word is no
value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..textutil import STOPWORDS
from .attributes import PET_KINDS

Embed = Callable[[Sequence[str]], np.ndarray]

# the nouns that name each slot (general English, no values)
SLOT_NOUNS: dict[str, str] = {
    "residence": "home city, hometown, the town where I live",
    "employer": "employer, the company I work for, workplace",
    "occupation": "job, profession, occupation, career",
    "favorite:food": "food, dish, meal",
    "favorite:drink": "drink, beverage",
    "car": "car, vehicle, ride",
    "sport": "sport, athletic activity",
    "pet": "pet, animal",
}
NOUN_FLOOR = 0.45  # the slot noun is at least this like its category's nouns
NOUN_MARGIN = 0.05  # and beats the next category by this much
LABEL_MARGIN = 0.03  # a label's value is more typical of its category than of the next by this much
LABEL_CATEGORIES = ("favorite:food", "favorite:drink")  # a fan of a sport (or of movies) need not do it
_ARTICLE = r"(?:(?:a|an|the)\s+)?"
_MODS = (
    r"(?:(?:new|current|daily|usual|regular|go-to|trusty|little|old|main|favou?rite|top|number one|total|big|huge|"
    r"real|true|complete|absolute|proper|massive)\s+)*"
)
# "X is / has become / is now my N"
_VALUE_IS_MY = re.compile(
    r"^(?P<x>[\w'’&-]+(?:\s+[\w'’&-]+){0,2}?)\s+(?:is|has\s+become|became|'s|is\s+now|has\s+been)\s+(?:now\s+)?"
    r"(?:officially\s+)?my\s+" + _MODS + r"(?P<n>[\w-]+(?:\s+[\w-]+)?)\b",
    re.IGNORECASE,
)
# "my N is X" (to the end of the clause)
_MY_IS_VALUE = re.compile(
    r"\bmy\s+"
    + _MODS
    + r"(?P<n>[\w-]+(?:\s+[\w-]+)?)\s+(?:is|has\s+become|is\s+now)\s+(?:now\s+)?"
    + _ARTICLE
    + r"(?P<x>[\w'’&-]+(?:\s+[\w'’&-]+){0,2}?)\s*(?=[,.!;:]|\s+(?:now|these\s+days|nowadays|and|but|since|so)\b|$)",
    re.IGNORECASE,
)
# "I'm a (total) X person / fan / addict"
_LABEL = re.compile(
    r"\bI(?:['’]m|\s+am)\s+(?:now\s+|basically\s+|such\s+)?(?:a|an)\s+"
    + _MODS
    + r"(?P<x>[\w'’-]+(?:\s+[\w'’-]+)?)\s+(?:person|addict|drinker|fan|lover|fiend|nut|junkie|enthusiast)\b",
    re.IGNORECASE,
)
_TIME_WORDS = frozenset("now today these days lately nowadays anymore again".split())  # noqa: SIM905
_NOT_VALUES = frozenset(
    """
    it this that these those he she they him her them who what which there here one something everything nothing
    anything someone everyone life day days week time thing things stuff mine yours
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Frame:
    """A value and what names its slot: a noun ("comfort food") or, for a label, None (the value decides)."""

    value: str
    noun: str | None


def frames(sentence: str) -> list[Frame]:
    """The slot frames of a first-person sentence, most explicit first."""
    found: list[Frame] = []
    for pattern in (_VALUE_IS_MY, _MY_IS_VALUE):
        for m in pattern.finditer(sentence):
            value = m.group("x").strip()
            noun = _noun(m.group("n"))
            if _is_value(value) and noun:
                found.append(Frame(value, noun))
    for m in _LABEL.finditer(sentence):
        if _is_value(m.group("x")):
            found.append(Frame(m.group("x").strip(), None))
    return found


def _noun(phrase: str) -> str:
    """The slot noun without the function or time words a two-word match may end with ("hamster and")."""
    words = phrase.lower().split()
    while words and (words[-1] in STOPWORDS or words[-1] in _TIME_WORDS):
        words.pop()
    return " ".join(words)


def _is_value(value: str) -> bool:
    words = value.lower().split()
    return bool(words) and not any(w in _NOT_VALUES for w in words) and not words[0].isdigit()


def pet_kind(noun: str | None) -> str | None:
    if noun is None:
        return None
    return next((PET_KINDS[w] for w in reversed(noun.split()) if w in PET_KINDS), None)


class SlotNouns:
    """The category nouns, embedded once; `categories(nouns)` the slot each noun names, or None."""

    def __init__(self, embed: Embed) -> None:
        self.embed = embed
        self._rows: tuple[np.ndarray, list[str]] | None = None

    def _bank(self) -> tuple[np.ndarray, list[str]]:
        if self._rows is None:
            texts = [t.strip() for nouns in SLOT_NOUNS.values() for t in nouns.split(",")]
            owners = [label for label, nouns in SLOT_NOUNS.items() for _ in nouns.split(",")]
            self._rows = (_unit(self.embed(texts)), owners)
        return self._rows

    def categories(self, nouns: Sequence[str]) -> list[str | None]:
        """Per noun, the category whose nouns it is most like (its best one), if clearly."""
        if not nouns:
            return []
        vectors, owners = self._bank()
        out: list[str | None] = []
        for row in _unit(self.embed(list(nouns))) @ vectors.T:
            best: dict[str, float] = {}
            for sim, owner in zip(row.tolist(), owners, strict=True):
                best[owner] = max(best.get(owner, -1.0), sim)
            ranked = sorted(best.items(), key=lambda kv: -kv[1])
            top, score = ranked[0]
            out.append(top if score >= NOUN_FLOOR and score - ranked[1][1] >= NOUN_MARGIN else None)
        return out


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


__all__ = ["LABEL_CATEGORIES", "LABEL_MARGIN", "Frame", "SlotNouns", "frames", "pet_kind"]
