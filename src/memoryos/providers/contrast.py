"""Which fact a change contrasts with: "I switched to matcha" is about whatever memory holds that matcha replaces.

A change (changes.py) names a new value, an old one, or only what the old one was ("my old favourite"). The fact
it contrasts with is one of the current facts related to the pages, with an attribute, of the same side:

1. *named*: the old value is the value a fact holds ("I quit espresso" → the fact holding espresso). A change
   whose old value memory does not hold is about something memory never learnt: no contrast.
2. *category*: the old value's category is the fact's ("my old favourite" → a favorite:* fact; "the old sport" →
   the fact whose value is most like "sport"; "my new favourite dish" → the favorite:food fact, else the taste
   the new value is most like, read as in 3).
3. *alike*: neither named nor categorised ("I switched to matcha in the mornings"). Three readings vote: the
   statement as a whole most like the fact (sentence embeddings, as facts are compared everywhere else), the new
   value most like the fact's value, and the new value most like the fact's category ("a drink" for
   favorite:drink). Two must agree. On statements written to check this (tests/test_changes.py), each reading
   alone is wrong too often with MiniLM: single words like "matcha" or "padel" land nearer "tennis" or "Globex"
   than "espresso"; and any reading happily maps a change of something memory never held ("I switched to a new
   dentist") onto whatever it does hold. Hence two gates, both linguistic: *alike* only infers a taste or a
   pastime (favourite, hobby, likes), attributes whose values are open-ended common nouns no rule can list and
   where a wrong guess replaces a preference, not where someone lives or works (those need the old value named,
   or their own rules); and the new value must be said as a bare noun phrase ("switched to oat lattes"), the way
   English names a kind of thing, not one thing ("switched to a new dentist", "to the night shift"). Values must
   also be of one type (both names, both numbers, or neither).

The new value then takes the contrasted fact's attribute, or, for a multi-valued one (hobbies, likes), a key of
its own in the same category while the contrasted fact is closed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..models import Fact, KnowledgeKind
from ..textutil import STOPWORDS
from ..tiers.facts import MULTI_VALUED, multi_valued
from .attributes import CATEGORY_WORDS
from .changes import Change
from .fact_attribute import value_of

Embed = Callable[[Sequence[str]], np.ndarray]
SENTENCE_FLOOR = 0.2  # below this the statement is about something else than any fact memory holds
VALUE_FLOOR = 0.3  # values embedded in a carrier sentence: unrelated ones sit around 0.2-0.3
VALUE_CARRIER = "I like {}."  # a bare word embeds poorly; every value gets the same frame
LABEL_FLOOR = 0.15
MARGIN = 0.05  # the best fact must stand out: a change is about one thing
CATEGORY_FLOOR = 0.35  # "sport" ~ "tennis" 0.66, "sport" ~ "rowing" 0.46 (MiniLM); unrelated words stay under 0.3
# tastes and pastimes: the only attributes *alike* may infer (see above)
OPEN_ENDED = frozenset({"favorite", "hobby", "likes", "habit"})
_SPELLINGS = {"favourite": "favorite", "fave": "favorite", "fav": "favorite", "job": "occupation", "home": "residence"}


@dataclass(frozen=True)
class Contrast:
    fact: Fact
    value: str | None  # the value the fact holds, when it could be read
    how: Literal["named", "category", "alike"]
    closes: bool = True  # False: the category is known, not which of its values the new one replaces


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[\w'-]+", text.lower()) if w not in STOPWORDS}


def _same_value(a: str, b: str) -> bool:
    """One names the other: every content word of the shorter is in the longer ("Mazda" / "Mazda 3")."""
    wa, wb = _words(a), _words(b)
    return bool(wa and wb) and (wa <= wb or wb <= wa)


def _not_modifier(value: str, phrase: str) -> bool:
    """The phrase names the value as its head, not as a modifier of another noun: "used to compete in dance
    competitions" ended competing, not dance; "my old Mazda 3" is the Mazda."""
    words = re.findall(r"[\w'-]+", phrase)
    low = [w.lower() for w in words]
    last = max((i for i, w in enumerate(low) if w in _words(value)), default=None)
    if last is None or last + 1 >= len(words):
        return True
    after = words[last + 1]
    return not (after.islower() and after.isalpha() and after not in STOPWORDS)


def _kind_of_value(value: str, sentence: str) -> tuple[bool, bool]:
    """(a number, a name): capitalised not only because it opens the sentence."""
    number = bool(re.search(r"\d", value))
    at_start = sentence.lstrip().lower().startswith(value.lower())
    name = any(w[:1].isupper() for w in value.split()[1 if at_start else 0 :])
    return number, name


def _compatible(new: str | None, sentence: str, known: str | None, known_text: str) -> bool:
    if not new or not known:
        return True
    return _kind_of_value(new, sentence) == _kind_of_value(known, known_text)


def _category_matches(category: str, fact: Fact) -> bool:
    wanted = _SPELLINGS.get(category, CATEGORY_WORDS.get(category, category))
    key = (fact.attribute or "").lower()
    return (
        key.split(":")[0] == wanted
        or wanted in key.split(":")
        or bool(re.search(r"\b" + re.escape(category) + r"\b", fact.said, re.IGNORECASE))
    )


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def _best(scores: list[tuple[float, Fact]], floor: float) -> Fact | None:
    """The top-scoring fact when it reaches `floor` and stands out from the next by MARGIN."""
    ranked = sorted(scores, key=lambda s: -s[0])
    if not ranked or ranked[0][0] < floor:
        return None
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < MARGIN:
        return None
    return ranked[0][1]


def _top(scores: list[tuple[float, Fact]], floor: float) -> Fact | None:
    ranked = sorted(scores, key=lambda s: -s[0])
    return ranked[0][1] if ranked and ranked[0][0] >= floor else None


def contrasted(
    kind: KnowledgeKind,
    change: Change,
    sentence: str,
    related: Sequence[Fact],
    vector: np.ndarray | None = None,
    embed: Embed | None = None,
) -> Contrast | None:
    """The current fact this change is about, or None. `sentence` is the statement (first person), `vector` its
    third-person fact's embedding (for *alike*), `embed` embeds a category word (for *category*)."""
    candidates: list[tuple[Fact, str | None]] = []
    for fact in related:
        if fact.kind != kind or not fact.attribute:
            continue
        value = value_of(fact.said, fact.attribute)
        if change.new and value and _same_value(value, change.new):
            continue  # the value said again, not a contrast
        candidates.append((fact, value))
    if not candidates:
        return None
    if change.old:
        named = [(f, v) for f, v in candidates if v and _same_value(v, change.old) and _not_modifier(v, change.old)]
        if named:
            fact, value = max(named, key=lambda fv: len(_words(fv[1] or "") & _words(change.old or "")))
            return Contrast(fact, value, "named")
        if not change.category:
            return None  # what was given up is something memory does not hold
    if change.category:
        of_category = [(f, v) for f, v in candidates if _category_matches(change.category, f)]
        if len(of_category) == 1:
            return Contrast(*of_category[0], "category")
        pool = of_category or candidates
        valued = [(f, v) for f, v in pool if v]
        if embed is not None and valued:
            vectors = _unit(np.asarray(embed([change.category] + [v or "" for _, v in valued]), dtype=np.float32))
            scores = [(float(vectors[0] @ vectors[i + 1]), f) for i, (f, _v) in enumerate(valued)]
            best = _best(scores, CATEGORY_FLOOR if not of_category else -1.0)
            if best is not None:
                return Contrast(best, dict((f.id, v) for f, v in valued)[best.id], "category")
        if change.new and vector is not None and embed is not None:  # the taste the new value is most like
            voted = _alike(change.new, sentence, pool, vector, embed)
            if voted is not None:
                return Contrast(voted.fact, voted.value, "category", voted.closes)
        return None
    if not change.new or not change.generic or vector is None or embed is None:
        return None
    return _alike(change.new, sentence, candidates, vector, embed)


def _label(key: str) -> str | None:
    """What a value of this key is ("favorite:drink" → "a drink", "hobby:..." → "a hobby"); None when the key
    does not say (likes:X names the thing, not its kind)."""
    category, _, thing = key.partition(":")
    if category == "favorite" and thing:
        return f"a {thing.replace('_', ' ')}"
    return "a hobby" if category == "hobby" else None


def _alike(
    new: str, sentence: str, candidates: list[tuple[Fact, str | None]], vector: np.ndarray, embed: Embed
) -> Contrast | None:
    """The taste or pastime two of three readings pick (see the module's doc). A multi-valued category picked
    by two readings that name different facts of it (two hobbies) says what the new value is, not which one it
    replaces: the sentence's pick stands for the category and is not closed."""
    typed = [
        (f, v)
        for f, v in candidates
        if v
        and f.embedding is not None
        and (f.attribute or "").split(":")[0] in OPEN_ENDED
        and _compatible(new, sentence, v, f.said)
    ]
    if not typed:
        return None
    labels = [_label(f.attribute or "") for f, _v in typed]
    texts = [VALUE_CARRIER.format(x) for x in [new] + [v or "" for _, v in typed]]
    texts += [new] + [label or "" for label in labels]
    vectors = _unit(np.asarray(embed(texts), dtype=np.float32))
    n = len(typed)
    readings = [
        [(float(np.asarray(f.embedding, dtype=np.float32) @ vector), f) for f, _v in typed],
        [(float(vectors[0] @ vectors[i + 1]), f) for i, (f, _v) in enumerate(typed)],
        [(float(vectors[n + 1] @ vectors[n + 2 + i]), f) for i, (f, _v) in enumerate(typed) if labels[i]],
    ]
    picks = [
        _top(scores, floor) for scores, floor in zip(readings, (SENTENCE_FLOOR, VALUE_FLOOR, LABEL_FLOOR), strict=True)
    ]
    values = {f.id: v for f, v in typed}
    for fact in picks:
        if fact is None:
            continue
        same_fact = sum(p is not None and p.id == fact.id for p in picks)
        same_kind = sum(p is not None and _kind(p) == _kind(fact) for p in picks)
        if same_fact >= 2:
            return Contrast(fact, values[fact.id], "alike")
        if same_kind >= 2 and multi_valued(fact.attribute or ""):
            return Contrast(fact, values[fact.id], "alike", closes=False)
    return None


def _kind(fact: Fact) -> str:
    """A multi-valued fact's category ("hobby"), else its whole key ("favorite:drink")."""
    key = fact.attribute or ""
    return key.split(":")[0] if multi_valued(key) else key


__all__ = ["MULTI_VALUED", "Contrast", "contrasted", "multi_valued"]
