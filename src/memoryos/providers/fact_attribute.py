"""The attribute a fact written in the third person states ("The user lives in Berlin" → residence), read the way
the no-LLM extractor reads a first-person statement: so that a fact added through the API updates the one it
replaces, and so that a later change ("I switched to matcha") can be compared with the value a stored fact holds."""

from __future__ import annotations

import re

from .attributes import Attribute, find_attributes
from .changes import find_change

_IRREGULAR = {"is": "am", "has": "have", "does": "do", "was": "was", "'s": "am"}
_ES_ENDINGS = ("ches", "shes", "sses", "xes", "zes", "oes")
_THEIR = re.compile(r"\b(?:their|them|themselves|they['’]re|they)\b", re.IGNORECASE)
_THEIR_FIRST = {"their": "my", "them": "me", "themselves": "myself", "they're": "I'm", "they’re": "I'm", "they": "I"}


def _first_person_verb(verb: str) -> str:
    """'lives' → 'live', 'studies' → 'study', 'watches' → 'watch', 'is' → 'am'; a past tense stays as it is."""
    low = verb.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith(_ES_ENDINGS):
        return low[:-2]
    if low.endswith("s") and not low.endswith("ss"):
        return low[:-1]
    return low


def first_person_text(text: str, names: tuple[str, ...] = ()) -> str:
    """A statement about "the user", "User" or one of `names`, in the first person ("User's dog is Rex" → "My dog
    is Rex", "User drinks tea" → "I drink tea"); later they/their become I/my. Other texts unchanged."""
    subjects = "|".join(["(?:the\\s+)?user", *map(re.escape, names)])
    statement = text.strip()
    possessive = re.match(rf"^(?:{subjects})['’]s\s+(.*)$", statement, re.IGNORECASE)
    if possessive:
        statement = f"My {possessive.group(1)}"
    else:
        subject = re.match(rf"^(?:{subjects})\s+(\w+)\b(.*)$", statement, re.IGNORECASE)
        if not subject:
            return statement
        statement = f"I {_first_person_verb(subject.group(1))}{subject.group(2)}"
    return _THEIR.sub(lambda m: _THEIR_FIRST[m.group(0).lower()], statement)


def stated_attributes(text: str, names: tuple[str, ...] = ()) -> list[Attribute]:
    """The attributes a statement about the user states, most telling first."""
    return find_attributes(first_person_text(text, names))


def attribute_of(text: str, names: tuple[str, ...] = ()) -> str | None:
    """The attribute key of a statement about the user: first person as it is, or third person about "the user",
    "User" or one of `names` (the user's id, say), turned into the first person first. None if it states none."""
    found = stated_attributes(text, names)
    return found[0].key if found else None


def value_of(text: str, key: str, names: tuple[str, ...] = ()) -> str | None:
    """The value a fact with attribute `key` holds ("User drinks espresso every morning", favorite:drink →
    "espresso"): what the extractor reads from it for that key, else the new value of the change it states
    ("User switched to matcha" → "matcha"), else what a multi-valued key names (hobby:rock_climbing →
    "rock climbing")."""
    for attribute in stated_attributes(text, names):
        if attribute.key == key and not attribute.negated:
            return attribute.value
    change = find_change(first_person_text(text, names))
    if change is not None and change.new:
        return change.new
    _category, _, thing = key.partition(":")
    return thing.split(":")[0].replace("_", " ") or None if thing else None


__all__ = ["attribute_of", "first_person_text", "stated_attributes", "value_of"]
