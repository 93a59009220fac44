"""The attribute a fact written by hand states ("The user lives in Berlin" → residence), read the way the no-LLM
extractor reads a first-person statement, so that a fact added through the API updates the one it replaces."""

from __future__ import annotations

import re

from .attributes import find_attributes

_IRREGULAR = {"is": "am", "has": "have", "does": "do", "was": "was", "'s": "am"}
_ES_ENDINGS = ("ches", "shes", "sses", "xes", "zes", "oes")


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


def attribute_of(text: str, names: tuple[str, ...] = ()) -> str | None:
    """The attribute key of a statement about the user: first person as it is, or third person about "the user",
    "User" or one of `names` (the user's id, say), turned into the first person first. None if it states none."""
    subjects = "|".join(["(?:the\\s+)?user", *map(re.escape, names)])
    statement = text.strip()
    possessive = re.match(rf"^(?:{subjects})['’]s\s+(.*)$", statement, re.IGNORECASE)
    if possessive:
        statement = f"My {possessive.group(1)}"
    else:
        subject = re.match(rf"^(?:{subjects})\s+(\w+)\b(.*)$", statement, re.IGNORECASE)
        if subject:
            statement = f"I {_first_person_verb(subject.group(1))}{subject.group(2)}"
    found = find_attributes(statement)
    return found[0].key if found else None


__all__ = ["attribute_of"]
