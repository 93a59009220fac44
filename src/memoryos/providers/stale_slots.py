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

A statement marked as a change ("now", "these days", "switched", "instead", "split up", "no longer") is stronger
evidence (`MARKED_SLOTS`): then any single-valued slot's unkeyed facts read as that slot (at least MARKED_FLOOR)
are its old value, when they name neither the new value nor a name of the new statement ("User teaches year four
at a primary school" once "staff nurse on a children's ward is my job these days" is read as the occupation). And a
marked statement the rules left without a key is read by meaning too (`marked_operations`): when its best reading
is a single-valued slot (or a trip), the facts keyed with that slot that it does not name are the old value ("Home
is a narrowboat on the canal these days" closes "User rents a flat in Swindon", keyed as the residence).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..models import Fact, KnowledgeKind
from ..tiers.facts import says_ended
from ..tiers.present_states import marked_now
from ..timeexpr import MONTHS
from .attribute_reader import (
    MULTI,
    NOUN_SLOTS,
    SINGLE,
    AttributeReader,
    _fact_value,
    _named,
    _numbers,
    _unit,
    holds_category,
)
from .results import FactOut

SLOT_FLOOR = 0.3  # the slot's attribute must be the fact's best reading, at least this strong
MARKED_SLOTS = True  # a statement marked as a change closes the unkeyed facts read as its slot (off: ablations)
MARKED_FLOOR = 0.25  # a marked change's slot need only be the fact's best reading, at least this strong
# how English says a value was replaced or ended, besides the marks of now (present_states.marked_now)
_CHANGE_RE = re.compile(
    r"\b(?:switched|swapped|replaced|traded|moved\s+on|instead|changed|quit|split\s+up|broke\s+up|no\s+longer|"
    r"any\s?more|used\s+to|gave\s+up|given\s+up)\b",
    re.IGNORECASE,
)
_NAME_RE = re.compile(r"(?<!^)(?<![.!?:;]\s)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
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


_ONGOING_RE = re.compile(r"\b(?:currently|at\s+the\s+moment|at\s+present)\b", re.IGNORECASE)


def marks_change(sentence: str) -> bool:
    """The statement says its value is new or that the old one ended; "currently" and "at the moment" alone say
    what is going on, not that it replaced something ("I'm currently reading The Lean Startup")."""
    sentence = _ONGOING_RE.sub(" ", sentence)
    return marked_now(sentence) or bool(_CHANGE_RE.search(sentence))


def _names(text: str) -> set[str]:
    return {n.lower() for n in _NAME_RE.findall(text) if n not in ("User", "I")}


def _other_thing(fact: Fact, new_value: str, statement: str, slot: str) -> bool:
    """The held fact names neither the new value nor (but for a relationship, whose value is its status: the
    partner is named again) a name the new statement says."""
    if new_value and _named(new_value, fact.said):
        return False
    return slot == "relationship" or not (_names(statement) & {w.lower() for w in re.findall(r"\w+", fact.said)})


def stale_facts(
    kind: KnowledgeKind,
    key: str,
    new_text: str,
    ended: Sequence[Fact],
    related: Sequence[Fact],
    reader: AttributeReader,
    taken: set[str],
    marked: str = "",
) -> list[Fact]:
    """The related current facts of `kind` without a key that state the old value of the slot `key` now holds
    (said as `new_text`), or name a value of `ended` (facts this statement closes). `marked`: the statement as
    said, when it is marked as a change (`marks_change`): then any single-valued slot reads its old facts."""
    slot = slot_of(key)
    if slot is None:
        return []
    # what a pet or a sport that ended was (its name, the sport): its passing mentions end with it
    ended_values = [v for v in (_fact_value(f) for f in ended if slot_of(f.attribute) in _ENDED_SLOTS) if v]
    typed = slot in _TYPED_SLOTS
    single = bool(marked) and MARKED_SLOTS and slot in SINGLE and not typed
    if not typed and not ended_values and not single:
        return []
    pool = [f for f in related if f.kind == kind and not f.attribute and f.id not in taken and f.embedding is not None]
    if not pool:
        return []
    readings = reader.categories(np.stack([_unit(f.embedding) for f in pool if f.embedding is not None]))
    found = []
    for fact, (category, score) in zip(pool, readings, strict=True):
        if category != slot or score < (MARKED_FLOOR if single else SLOT_FLOOR):
            continue
        if single:  # a single-valued slot, not typed: read by a marked change only
            if _other_thing(fact, new_text, marked, slot):
                found.append(fact)
            continue
        if any(_named(v, fact.said) for v in ended_values) or (typed and _other_value(slot, key, fact, new_text)):
            found.append(fact)
    return found


def marked_targets(
    kind: KnowledgeKind, text: str, sentence: str, related: Sequence[Fact], reader: AttributeReader, taken: set[str]
) -> list[Fact]:
    """The keyed current facts a statement marked as a change, left without a key by the rules, gives a new value:
    its best reading by meaning is a single-valued slot or a trip (at least SLOT_FLOOR) other than a job or an
    employer (any noun reads a little like those), the facts are keyed with that slot and it names none of their
    names."""
    if not MARKED_SLOTS or not marks_change(sentence):
        return []
    pool = [f for f in related if f.kind == kind and f.attribute and f.id not in taken]
    if not pool:
        return []
    category, score = reader.categories(np.asarray(reader.embed([text]), dtype=np.float32))[0]
    if score < SLOT_FLOOR or category in NOUN_SLOTS or (category not in SINGLE and category != "trip"):
        return []
    return [
        f
        for f in pool
        if holds_category(f.attribute, category)
        and not says_ended(f.said)  # "User can't have dairy": an ending or a denial, no value a new one replaces
        and _other_thing(f, "", sentence, category)
    ]


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
    sentence: str = "",
) -> list[FactOut]:
    """`invalidate` operations (on the new statement's pages) for the facts `stale_facts` finds; `sentence`, the
    statement as said, lets a marked change read any single-valued slot (`stale_facts`' `marked`)."""
    if not out.attribute:
        return []
    marked = sentence if sentence and marks_change(sentence) else ""
    stale = stale_facts(kind, out.attribute, new_text, ended, related, reader, taken, marked)
    taken.update(f.id for f in stale)
    return [FactOut(text=out.text, page_indices=list(out.page_indices), op="invalidate", target=f.id) for f in stale]


def marked_operations(
    kind: KnowledgeKind, out: FactOut, sentence: str, related: Sequence[Fact], reader: AttributeReader, taken: set[str]
) -> list[FactOut]:
    """`invalidate` operations (on the statement's pages) for the facts `marked_targets` finds."""
    if out.attribute or out.op != "add":
        return []
    stale = marked_targets(kind, out.statement or out.text, sentence, related, reader, taken)
    taken.update(f.id for f in stale)
    return [FactOut(text=out.text, page_indices=list(out.page_indices), op="invalidate", target=f.id) for f in stale]


__all__ = [
    "MARKED_FLOOR",
    "MARKED_SLOTS",
    "SLOT_FLOOR",
    "marked_operations",
    "marked_targets",
    "marks_change",
    "slot_of",
    "stale_facts",
    "stale_operations",
]
