"""Facts about a slot whose value just changed: an older statement of the same attribute that the readers did not
key ("Northwind pays my bills", "Took a week off in September for Japan"), or a passing mention of the value that
ended ("Pulled a muscle at badminton practice" once badminton is given up).

A fact with no attribute key is never closed by the key rule (one value per key), so such a fact stays current next
to the new value and outranks it, or is the only trace of the old value. When a statement gives a slot a new value,
each related current fact without a key is read by meaning (`AttributeReader.categories`, the sentence embedding
against the attribute exemplars): if the slot's attribute is the one it is most about (at least SLOT_FLOOR), and it
names a value of the slot's type that the new statement does not (another number for an age, another month for
the same trip), or names the value that was just ended (a pet, a sport), it is the old value's fact and is closed
when the new one is said. Names (cities, companies, cars) and tastes are left to the keys: any capitalised phrase
may look like a company, any noun a little like a food.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..models import Fact, KnowledgeKind
from ..timeexpr import MONTHS
from .attribute_reader import MULTI, SINGLE, AttributeReader, _fact_value, _named, _numbers, _unit
from .results import FactOut

SLOT_FLOOR = 0.3  # the slot's attribute must be the fact's best reading, at least this strong
_ENDED_SLOTS = frozenset({"pet", "sport"})
# slots whose old value a fact shows by its type: a number (an age), a month for the same trip. Names (a city, a
# company, a car) are not among them: a fact naming a book ("reading The Lean Startup for tips for the biz") reads
# as much as an employer's (0.35) as one naming the employer (0.37), and closing it is a wrong change
_TYPED_SLOTS = frozenset({"age", "trip"})


def slot_of(key: str | None) -> str | None:
    """The reader's category of an attribute key ("pet:dog" → "pet", "employer" → "employer"), if it reads it."""
    if not key:
        return None
    for category, prefix in MULTI.items():
        if key.startswith(prefix):
            return category
    return next((c for c, k in SINGLE.items() if k == key), None)


def stale_facts(
    kind: KnowledgeKind,
    key: str,
    new_text: str,
    ended: Sequence[Fact],
    related: Sequence[Fact],
    reader: AttributeReader,
    taken: set[str],
) -> list[Fact]:
    """The related current facts of `kind` without a key that state the old value of the slot `key` now holds
    (said as `new_text`), or name a value of `ended` (facts this statement closes)."""
    slot = slot_of(key)
    if slot is None:
        return []
    # what a pet or a sport that ended was (its name, the sport): its passing mentions end with it
    ended_values = [v for v in (_fact_value(f) for f in ended if slot_of(f.attribute) in _ENDED_SLOTS) if v]
    typed = slot in _TYPED_SLOTS
    if not typed and not ended_values:
        return []
    pool = [f for f in related if f.kind == kind and not f.attribute and f.id not in taken and f.embedding is not None]
    if not pool:
        return []
    readings = reader.categories(np.stack([_unit(f.embedding) for f in pool if f.embedding is not None]))
    found = []
    for fact, (category, score) in zip(pool, readings, strict=True):
        if category != slot or score < SLOT_FLOOR:
            continue
        if any(_named(v, fact.said) for v in ended_values) or (typed and _other_value(slot, key, fact, new_text)):
            found.append(fact)
    return found


def _other_value(slot: str, key: str, fact: Fact, new_text: str) -> bool:
    """The fact names a value of the slot's type that the new statement does not."""
    if slot == "age":  # the fact names an age, and not the one now said
        held = set(_numbers(fact.said))
        return bool(held) and any(n not in held for n in _numbers(new_text))
    if slot == "trip":  # the same trip, said with a month but not the month it has now
        place = key.partition(":")[2].replace("_", " ")
        held = {m for m in MONTHS if re.search(rf"\b{m}\b", fact.said)}
        said = {m for m in MONTHS if re.search(rf"\b{m}\b", new_text)}
        return _named(place, fact.said) and bool(held) and bool(said - held)
    return False


def stale_operations(
    kind: KnowledgeKind,
    out: FactOut,
    new_text: str,
    ended: Sequence[Fact],
    related: Sequence[Fact],
    reader: AttributeReader,
    taken: set[str],
) -> list[FactOut]:
    """`invalidate` operations (on the new statement's pages) for the facts `stale_facts` finds."""
    if not out.attribute:
        return []
    stale = stale_facts(kind, out.attribute, new_text, ended, related, reader, taken)
    taken.update(f.id for f in stale)
    return [FactOut(text=out.text, page_indices=list(out.page_indices), op="invalidate", target=f.id) for f in stale]


__all__ = ["SLOT_FLOOR", "slot_of", "stale_facts", "stale_operations"]
