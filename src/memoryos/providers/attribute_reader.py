"""Common personal attributes read by meaning, for statements the pattern rules (attributes.py) do not cover.

The rules read the phrasings they were written for; people say "we're Denver people now" or "payday at Initech
can't come soon enough". This reader decides *what* a statement is about by its sentence embedding (the memory's
own embedder), compared with exemplars of how people talk about each attribute (attribute_exemplars.py) and with
exemplars of what is no attribute (episodes, passing mentions, other people): the mean of the best few
similarities per label, the best label kept when it clears a floor and beats "none" by a margin. It then reads
*which value* from the sentence itself, by type: a number for an age, a month and a place for a trip, a pet's kind
and name, a relationship's status (the label), else the phrase most like what the attribute's values are ("a
city", "a drink"), among the words that are not the attribute's usual frame (the exemplars' own words).

Against what memory holds (`related`, the current facts): a value a current fact of the attribute already names
is that fact said again (`confirms`); a statement naming an old value and a new one is a change, whose new value is
the one memory does not hold. For single-valued attributes the key closes the old fact (the fact planner keeps one
value per key); for pets and sports (a key per thing) the old one ends only when its clause says it is over ("we
lost Miso", "I don't do tennis anymore"), read against exemplars of endings and of things going on.

Cost: one embedding call per promotion for the statements the rules left unread, one for their candidate values;
the exemplars are embedded once per embedder.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..models import Fact
from ..textutil import STOPWORDS
from ..timeexpr import MONTHS, NUMBER_WORDS, TENS, WEEKDAYS
from . import attribute_exemplars as ex
from .attributes import PET_KINDS, Attribute, key_for, statement_for
from .kin_words import CIRCLE, FAMILY, GROUPS, alternation
from .slot_frames import LABEL_CATEGORIES, LABEL_MARGIN, Frame, SlotNouns, frames, pet_kind
from .statements import PAST_FORMS

Embed = Callable[[Sequence[str]], np.ndarray]

TOP = 3  # similarities averaged per label: one odd exemplar does not decide
FLOOR = 0.45  # below this a statement is about none of the attributes
MARGIN = 0.04  # the attribute must beat "none" (and the next attribute) by this much
WEAK_FLOOR = 0.3  # a weaker reading counts when it clearly beats "none" and a typical value is found
WEAK_MARGIN = 0.08
QUESTION_FLOOR = 0.5  # a question below this asks about none of the attributes
ENDED_MARGIN = 0.02  # a clause reads as an ending when it is nearer the endings than the ongoing by this
VALUE_FLOOR = 0.35  # a value is at least this like the exemplars' values (mean of the best three)
LONGER_SLACK = 0.03
FRAME_VALUE_FLOOR = 0.3  # a value in a frame that names its slot ("X is my comfort food") need only be a noun of it
_STEM = 5  # a word sharing its first five letters with a frame word is that word ("drinker", "drink")
SINGLE = {
    "residence": "residence",
    "employer": "employer",
    "age": "age",
    "relationship": "relationship",
    "favorite:food": "favorite:food",
    "favorite:drink": "favorite:drink",
    "occupation": "occupation",
    "car": "car",
}
# values a weak reading may take: a name, a number, a month and place, a pet's kind and name; tastes, jobs and
# sports are open-ended common nouns (any noun phrase looks a little like a food), so they need a strong reading
TYPED_VALUES = frozenset({"residence", "employer", "car", "age", "trip", "pet"})
OPEN_VALUES = frozenset({"favorite:food", "favorite:drink", "occupation", "sport"})
# slots any noun reads a little like ("I switched to a new dentist" reads as an occupation, a book as an employer;
# session 23): only a key says a statement fills them, so the rules that close by meaning leave them alone
NOUN_SLOTS = frozenset({"occupation", "employer"})
# categories with a key per thing: the stored key's prefix
MULTI = {"pet": "pet:", "trip": "plan:", "sport": "hobby:"}
_BRACKET = re.compile(r"\[([^\]]+)\]")
_WORD = re.compile(r"[A-Za-zÀ-ÿ][\w'’&-]*|\d+(?:st|nd|rd|th)?")
_TIME_WORDS = frozenset(
    """
    now today yesterday tomorrow lately recently currently finally already still week weekend month year morning
    evening night days ago last next new old these those officially honestly totally really actually just
    anymore
    """.split()  # noqa: SIM905
)
_VAGUE = frozenset({"stuff", "things", "thing", "kind", "kinds", "sort", "sorts", "lots", "bunch"})
_NOT_NAMES = frozenset({"I", "I'm", "I’m", "I've", "I’ve", "I'd", "I'll", "OK", "Ok", *WEEKDAYS})


@dataclass(frozen=True)
class Reading:
    """What a statement says about one attribute: the attribute (key, value, normalized statement), the current
    fact that already says it (a confirmation), and the facts it says are over."""

    attribute: Attribute
    confirms: Fact | None = None
    ends: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class _Bank:
    vectors: np.ndarray
    labels: list[str]
    frame: frozenset[str]  # every word the exemplars use around their values
    values: dict[str, np.ndarray]  # the exemplars' values per category: what a value of it looks like
    clauses: np.ndarray
    clause_ended: np.ndarray


def _plain(exemplar: str) -> str:
    return _BRACKET.sub(lambda m: m.group(1), exemplar)


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def _category(label: str) -> str:
    return "relationship" if label.startswith("relationship:") else label


def _scores(sims: np.ndarray, labels: list[str]) -> dict[str, float]:
    """Per label, the mean of its TOP best similarities."""
    by: dict[str, list[float]] = {}
    for sim, label in zip(sims.tolist(), labels, strict=True):
        by.setdefault(label, []).append(sim)
    # sum / count: the value np.mean gives for a handful of floats (summed in order either way), without an array
    # per label; a retrieval reads a few dozen labels
    return {label: _mean(sorted(values)[-TOP:]) for label, values in by.items()}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _words(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(text))


def _held_categories(fact: Fact, category: str) -> bool:
    key = fact.attribute or ""
    if category in MULTI:
        return key.startswith(MULTI[category])
    return key == SINGLE.get(category)


def _named(value: str, text: str) -> bool:
    words = [w for w in re.findall(r"[\w'-]+", value.lower()) if w not in STOPWORDS]
    low = text.lower()
    return bool(words) and all(re.search(r"\b" + re.escape(w) + r"\b", low) for w in words)


class AttributeReader:
    """Reads attributes of statements by meaning; one per embedder (`reader_for`)."""

    def __init__(self, embed: Embed) -> None:
        self.embed = embed
        self._bank: _Bank | None = None
        self._questions: tuple[np.ndarray, list[str]] | None = None
        self._nouns: SlotNouns | None = None
        self._lock = threading.Lock()

    # ---- exemplars ----

    def bank(self) -> _Bank:
        with self._lock:
            if self._bank is None:
                self._bank = self._build()
            return self._bank

    def _build(self) -> _Bank:
        labels: list[str] = []
        texts: list[str] = []
        frame: set[str] = set()
        examples: dict[str, list[str]] = {}
        for label, exemplars in ex.STATEMENTS.items():
            for exemplar in exemplars:
                labels.append(label)
                texts.append(_plain(exemplar))
                frame.update(w.lower() for w in re.findall(r"[\w'’-]+", _BRACKET.sub(" ", exemplar)))
                examples.setdefault(_category(label), []).extend(_BRACKET.findall(exemplar))
        labels += ["none"] * len(ex.NONE)
        texts += ex.NONE
        questions: list[str] = []
        value_labels = [(c, v) for c, vs in examples.items() for v in dict.fromkeys(vs)]
        clauses = [_plain(c) for c in ex.ENDED + ex.ONGOING]
        everything = texts + questions + [v for _, v in value_labels] + clauses
        vectors = _unit(self.embed(everything))
        n, m, k = len(texts), len(questions), len(value_labels)
        by_category: dict[str, list[np.ndarray]] = {}
        for (category, _), vector in zip(value_labels, vectors[n + m : n + m + k], strict=True):
            by_category.setdefault(category, []).append(vector)
        return _Bank(
            vectors=vectors[:n],
            labels=labels,
            frame=frozenset(frame),
            values={c: np.stack(vs) for c, vs in by_category.items()},
            clauses=vectors[n + m + k :],
            clause_ended=np.array([True] * len(ex.ENDED) + [False] * len(ex.ONGOING)),
        )

    # ---- statements ----

    def classify(self, vectors: np.ndarray) -> list[tuple[str, float, bool] | None]:
        """Per statement vector: the label it is most about, its score, and whether it stands out *strongly*
        (clears FLOOR and beats "none" and every other attribute by MARGIN) or only *weakly* (beats "none" by
        WEAK_MARGIN, the other attributes by MARGIN / 2; the caller then wants a typical value as well). None
        when it is about none of the attributes."""
        bank = self.bank()
        out: list[tuple[str, float, bool] | None] = []
        for row in _unit(vectors) @ bank.vectors.T:
            scores = _scores(row, bank.labels)
            none = scores.pop("none", 0.0)
            ranked = sorted(scores.items(), key=lambda kv: -kv[1])
            best, score = ranked[0]
            other = max((s for label, s in ranked[1:] if _category(label) != _category(best)), default=0.0)
            if score >= FLOOR and score - max(none, other) >= MARGIN:
                out.append((best, score, True))
            elif score >= WEAK_FLOOR and score - none >= WEAK_MARGIN and score - other >= MARGIN / 2:
                out.append((best, score, False))
            else:
                out.append(None)
        return out

    def categories(self, vectors: np.ndarray) -> list[tuple[str, float]]:
        """Per vector, the attribute category it is most about and that score (no floor, "none" left aside):
        what a fact already stored is about, when a slot it may hold changes."""
        bank = self.bank()
        out = []
        for row in _unit(vectors) @ bank.vectors.T:
            scores = _scores(row, bank.labels)
            scores.pop("none", None)
            best = max(scores.items(), key=lambda kv: kv[1])
            out.append((_category(best[0]), best[1]))
        return out

    def typical(self, category: str, phrases: Sequence[str], floor: float = 0.0) -> bool:
        """Some phrase is like the category's values (at least `floor`; VALUE_FLOOR by default, as a value read
        from a statement must be)."""
        values = self.bank().values.get(category)
        if values is None or not phrases:
            return False
        sims = _unit(self.embed(list(phrases))) @ values.T
        return any(float(np.mean(sorted(row)[-TOP:])) >= (floor or VALUE_FLOOR) for row in sims)

    def read(
        self, sentences: Sequence[str], related: Sequence[Fact] = (), subject: str = "User"
    ) -> list[Reading | None]:
        """The attribute each first-person statement states, read against the current facts `related`."""
        if not sentences:
            return []
        held_named = [self._held_named(sentence, related) for sentence in sentences]
        # a sentence without the speaker in it that names nothing memory holds reads as nothing, whatever its
        # label (see below): embedding only the others gives the same readings for about half the model's work
        live = [
            i
            for i, sentence in enumerate(sentences)
            if _says_self(sentence) or _implied_self(sentence) or held_named[i] is not None
        ]
        labels: list[tuple[str, float, bool] | None] = [None] * len(sentences)
        if live:
            for i, label in zip(live, self.classify(self.embed([sentences[i] for i in live])), strict=True):
                labels[i] = label
        wanted: list[tuple[int, str, bool, list[str]]] = []
        for i, (sentence, label) in enumerate(zip(sentences, labels, strict=True)):
            if label is None or not self._takes(sentence, label):
                held = held_named[i]
                if held is not None:  # names what memory holds for an attribute: about that attribute
                    wanted.append((i, held, False, self._candidates(sentence, held)))
            else:
                wanted.append((i, label[0], label[2], self._candidates(sentence, _category(label[0]))))
        phrases = sorted({p for *_, ps in wanted for p in ps})
        vectors = dict(zip(phrases, _unit(self.embed(phrases)), strict=True)) if phrases else {}
        out: list[Reading | None] = [None] * len(sentences)
        for i, name, _strong, candidates in wanted:
            out[i] = self._reading(sentences[i], name, candidates, vectors, related, subject)
        unread = [i for i, s in enumerate(sentences) if out[i] is None and _says_self(s) and not _about_someone_else(s)]
        for i, reading in zip(unread, self._framed([sentences[i] for i in unread], related, subject), strict=True):
            out[i] = reading
        return out

    def _framed(self, sentences: Sequence[str], related: Sequence[Fact], subject: str) -> list[Reading | None]:
        """Readings of the slot frames ("X is my comfort food", "I'm a chai person", slot_frames.py): the slot
        from the noun that names it, or from the value itself for a label."""
        found = [(i, f) for i, s in enumerate(sentences) for f in frames(s)]
        if not found:
            return [None] * len(sentences)
        nouns = sorted({f.noun for _, f in found if f.noun and pet_kind(f.noun) is None})
        by_noun: dict[str, str | None] = dict(zip(nouns, self._slot_nouns().categories(nouns), strict=True))
        by_noun.update({f.noun: "pet" for _, f in found if f.noun and pet_kind(f.noun)})  # "my tortoise": a pet
        labels = sorted({f.value.lower() for _, f in found if f.noun is None})
        by_label = dict(zip(labels, self._label_categories(labels), strict=True))
        out: list[Reading | None] = [None] * len(sentences)
        for i, frame in found:
            if out[i] is not None:
                continue
            category = by_noun.get(frame.noun) if frame.noun else by_label.get(frame.value.lower())
            if category is not None:
                out[i] = self._frame_reading(frame, category, related, subject)
        return out

    def _slot_nouns(self) -> SlotNouns:
        with self._lock:
            if self._nouns is None:
                self._nouns = SlotNouns(self.embed)
            return self._nouns

    def _label_categories(self, values: Sequence[str]) -> list[str | None]:
        """The taste or pastime a label's value is most typical of ("a chai person": a drink), if clearly."""
        if not values:
            return []
        bank = self.bank()
        vectors = _unit(self.embed(list(values)))
        out: list[str | None] = []
        for vector in vectors:
            typical = sorted(
                ((float(np.mean(sorted(bank.values[c] @ vector)[-TOP:])), c) for c in LABEL_CATEGORIES),
                reverse=True,
            )
            (score, best), (second, _) = typical[0], typical[1]
            out.append(best if score >= VALUE_FLOOR and score - second >= LABEL_MARGIN else None)
        return out

    def _frame_reading(self, frame: Frame, category: str, related: Sequence[Fact], subject: str) -> Reading | None:
        held = [f for f in related if _held_categories(f, category)]
        value = frame.value
        said = next((f for f in held if _named(value, f.said)), None)
        if category == "pet":
            kind = pet_kind(frame.noun)
            if kind is None or not value[:1].isupper():
                return None
            key = said.attribute if said is not None else f"pet:{kind}"
            if said is not None:
                return Reading(Attribute(key or f"pet:{kind}", "", ""), confirms=said)
            return Reading(Attribute(f"pet:{kind}", f"{kind} named {value}", f"{subject} has a {kind} named {value}"))
        if category in {"residence", "employer", "car"} and not value[:1].isupper():
            return None
        if frame.noun is not None and not self.typical(category, [value], FRAME_VALUE_FLOOR):
            return None  # "my job is stressful": the slot is named, the word is no value of it
        shown = value if category in {"residence", "employer", "car"} else value.lower()
        if category == "sport":
            key = key_for("hobby", shown)
            if said is not None or any(f.attribute == key for f in held):
                return Reading(Attribute(key, "", ""), confirms=said or next(f for f in held if f.attribute == key))
            return Reading(Attribute(key, shown, f"{subject} does {shown}"))
        key = SINGLE[category]
        if said is not None:
            return Reading(Attribute(key, "", ""), confirms=said)
        return Reading(Attribute(key, shown, statement_for(key, shown, subject) or ""))

    @staticmethod
    def _takes(sentence: str, label: tuple[str, float, bool]) -> bool:
        """Whether a sentence's reading is taken: the speaker in it (a relationship, a taste or a job needs a
        strong reading), or, for a typed value, a strong reading of a clause with no subject at all ("Officially
        hit 37 yesterday", "Kenya in June is the plan"), which a speaker says of their own life."""
        category, strong = _category(label[0]), label[2]
        if _says_self(sentence):
            return (
                (strong and category == "relationship")
                or (strong and category in OPEN_VALUES and not _about_someone_else(sentence))
                or (category in TYPED_VALUES and not _about_someone_else(sentence))
            )
        return strong and category in TYPED_VALUES and _implied_self(sentence)

    def _held_named(self, sentence: str, related: Sequence[Fact]) -> str | None:
        """The category of a current attributed fact whose value this sentence names (a place, a company, a
        car, a taste, a job, a trip's destination), if exactly one."""
        found = set()
        for fact in related:
            key = fact.attribute or ""
            category = next((c for c, k in SINGLE.items() if k == key), None)
            if category is None and key.startswith(MULTI["trip"]):
                category = "trip"
            if category in {None, "age", "relationship"}:
                continue
            value = _held_value(fact, category or "")
            if value and _named(value, sentence):
                found.add(category)
        return found.pop() if len(found) == 1 else None

    def _candidates(self, sentence: str, category: str) -> list[str]:
        """The phrases that may be the value: up to three consecutive words, none of them a function word, a
        time word or a word (or a word's stem) the exemplars use around values, not across punctuation."""
        frame = self.bank().frame
        stems = {w[:_STEM] for w in frame if len(w) >= _STEM}
        runs: list[list[str]] = [[]]
        previous_end = 0
        for m in _words(sentence):
            word = m.group(0)
            gap = sentence[previous_end : m.start()]
            previous_end = m.end()
            low = word.lower().strip("'’")
            if low in _VAGUE:  # "tech stuff", "all kinds of": what modifies a vague noun is no value
                runs[-1] = []
                runs.append([])
                continue
            if not gap.strip() and m.start() == len(sentence) - len(sentence.lstrip()) and _gerund(word, sentence):
                runs.append([])  # "Building relationships ...": capitalised because it opens the sentence
                continue
            skip = (
                low in STOPWORDS or low in _TIME_WORDS or low in frame or (len(low) >= _STEM and low[:_STEM] in stems)
            )
            if re.search(r"[^\s]", gap) or skip:
                runs.append([])
            if skip or word in _NOT_NAMES:
                continue
            runs[-1].append(re.sub(r"['’]s$", "", word))
        out: list[str] = []
        for run in runs:
            for size in (1, 2, 3):
                for start in range(len(run) - size + 1):
                    out.append(" ".join(run[start : start + size]))
        return list(dict.fromkeys(out))

    def _best_value(
        self, category: str, candidates: list[str], vectors: dict[str, np.ndarray], held: Sequence[Fact]
    ) -> tuple[str | None, Fact | None]:
        """The new value (the most typical candidate no current fact names) and the fact naming a candidate."""
        values = self.bank().values.get(category)
        if values is None or not candidates:
            return None, None
        typical = {c: float(np.mean(sorted(values @ vectors[c])[-TOP:])) for c in candidates}
        # of a phrase and a longer one holding it, the longer unless clearly less typical ("hot chocolate")
        for c in candidates:
            for longer in candidates:
                if c != longer and _named(c, longer) and typical[longer] >= typical[c] - LONGER_SLACK:
                    typical[c] = min(typical[c], typical[longer] - 1e-6)
        scored = sorted((c for c in candidates if typical[c] >= VALUE_FLOOR), key=lambda c: -typical[c])
        named = next((f for c in scored[:2] for f in held if _named(c, f.said)), None)
        fresh = [c for c in scored if not any(_named(c, f.said) for f in held)]
        return (fresh[0] if fresh else None), named

    def _reading(
        self,
        sentence: str,
        label: str,
        candidates: list[str],
        vectors: dict[str, np.ndarray],
        related: Sequence[Fact],
        subject: str,
    ) -> Reading | None:
        category = _category(label)
        held = [f for f in related if _held_categories(f, category)]
        if category == "age":
            return self._age(sentence, held, subject)
        if category == "relationship":
            return self._relationship(sentence, label, held, subject)
        if category == "trip":
            return self._trip(sentence, candidates, vectors, held, subject)
        if category == "pet":
            return self._pet(sentence, candidates, held, subject)
        names_only = category in {"residence", "employer", "car"}
        if names_only:
            candidates = [c for c in candidates if c[:1].isupper() or c[:1].isdigit()]
            # a capitalised first word may be a name ("Tucson has been home"): its typicality decides
        value, named = self._best_value(category, candidates, vectors, held)
        if category == "sport":
            if value is None:
                said = Attribute(key_for("hobby", _fact_value(named)), "", "") if named else None
                return Reading(said, confirms=named) if said else None
            key = key_for("hobby", value.lower())
            ends = tuple(f for f in held if f.attribute != key and self._ended(sentence, f, "golf"))
            return Reading(Attribute(key, value.lower(), f"{subject} does {value.lower()}"), ends=ends)
        if value is None:
            return Reading(Attribute(SINGLE[category], "", ""), confirms=named) if named else None
        key = SINGLE[category]
        shown = value if names_only else value.lower()
        return Reading(Attribute(key, shown, statement_for(key, shown, subject) or ""))

    def _age(self, sentence: str, held: Sequence[Fact], subject: str) -> Reading | None:
        numbers = _numbers(sentence)
        fresh = [n for n in numbers if not any(re.search(rf"\b{n}\b", f.said) for f in held)]
        if not fresh:
            confirm = next((f for f in held if any(re.search(rf"\b{n}\b", f.said) for n in numbers)), None)
            return Reading(Attribute("age", "", ""), confirms=confirm) if confirm else None
        return Reading(Attribute("age", fresh[-1], f"{subject} is {fresh[-1]} years old"))

    def _relationship(self, sentence: str, label: str, held: Sequence[Fact], subject: str) -> Reading | None:
        status = label.partition(":")[2]
        bank = self.bank()
        for fact in held:
            if fact.embedding is None:
                continue
            scores = _scores(bank.vectors @ _unit(fact.embedding), bank.labels)
            held_status = max((s, lab) for lab, s in scores.items() if lab.startswith("relationship:"))[1]
            if held_status == label:
                return Reading(Attribute("relationship", status, ""), confirms=fact)
        return Reading(Attribute("relationship", status, f"{subject} is {status}"))

    def _trip(
        self,
        sentence: str,
        candidates: list[str],
        vectors: dict[str, np.ndarray],
        held: Sequence[Fact],
        subject: str,
    ) -> Reading | None:
        months = [m for m in MONTHS if re.search(rf"\b{m}\b", sentence)]
        places = [c for c in candidates if c[:1].isupper() and c not in MONTHS and not any(m in c for m in MONTHS)]
        place, _named_fact = self._best_value("trip", places, vectors, ())
        if place is None or not months:
            return None
        key = key_for("plan", place)
        same = [f for f in held if f.attribute == key]
        fresh = [m for m in months if not any(re.search(rf"\b{m}\b", f.said) for f in same)]
        if not fresh:
            return Reading(Attribute(key, "", ""), confirms=same[0]) if same else None
        return Reading(Attribute(key, f"{place} {fresh[-1]}", f"{subject} plans a trip to {place} in {fresh[-1]}"))

    def _pet(self, sentence: str, candidates: list[str], held: Sequence[Fact], subject: str) -> Reading | None:
        low = sentence.lower()
        kinds = [k for k in sorted(PET_KINDS, key=len, reverse=True) if re.search(rf"\b{re.escape(k)}\b", low)]
        names = [c for c in candidates if c[:1].isupper() and " " not in c and c.lower() not in PET_KINDS]
        names = [n for n in names if not _opens(sentence, n) or _named_elsewhere(n, held)]
        fresh = [n for n in names if not any(_named(n, f.said) for f in held)]
        if not kinds or not fresh:
            said = next((f for f in held if any(_named(n, f.said) for n in names)), None)
            return Reading(Attribute(said.attribute or "pet", "", ""), confirms=said) if said else None
        kind = PET_KINDS[kinds[0]]
        name = fresh[0]
        ends = tuple(f for f in held if self._ended(sentence, f, "Milo"))
        return Reading(
            Attribute(f"pet:{kind}", f"{kind} named {name}", f"{subject} has a {kind} named {name}"), ends=ends
        )

    def _ended(self, sentence: str, fact: Fact, stand_in: str) -> bool:
        """The clause of `sentence` naming what `fact` holds says it is over (compared with the exemplars, the
        fact's value replaced by the exemplars' stand-in)."""
        value = _fact_value(fact)
        if not value:
            return False
        clauses = re.split(r"[,;:—–]|\b(?:and|but|so|since|after|because|then|while)\b", sentence)
        clause = next((c for c in clauses if _named(value, c)), None)
        if clause is None:
            return False
        text = re.sub(re.escape(value), stand_in, clause.strip(), flags=re.IGNORECASE)
        bank = self.bank()
        sims = bank.clauses @ _unit(self.embed([text]))[0]
        ended = float(np.mean(sorted(sims[bank.clause_ended])[-TOP:]))
        ongoing = float(np.mean(sorted(sims[~bank.clause_ended])[-TOP:]))
        return ended - ongoing >= ENDED_MARGIN

    # ---- questions ----

    def question_category(self, vector: np.ndarray) -> str | None:
        """The attribute a question asks about (its embedding against exemplar questions), or None. The
        exemplar questions (a few dozen) are embedded on first use, apart from the statements' exemplars."""
        made = self._questions  # made once; read without the lock, which every concurrent retrieval would queue on
        if made is None:
            with self._lock:
                if self._questions is None:
                    labels = [label for label, qs in ex.QUESTIONS.items() for _ in qs]
                    self._questions = (_unit(self.embed([q for qs in ex.QUESTIONS.values() for q in qs])), labels)
                made = self._questions
        questions, labels = made
        scores = _scores(questions @ _unit(vector), labels)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < QUESTION_FLOOR:
            return None
        return ranked[0][0]


# a person other than the speaker, named by their tie (anyone else, "a guy", is no sign the sentence is not theirs);
# not by a role: what a doctor, coach or teacher says is said of the speaker ("My doctor says my heart is great for
# fifty-two")
_OTHERS_WORDS = FAMILY | CIRCLE | GROUPS
_OTHERS = alternation(_OTHERS_WORDS)
_SOMEONE_ELSE_RE = re.compile(rf"^\s*(?:my|our|his|her|their)\s+(?:best\s+|older\s+|younger\s+|little\s+|big\s+)?"
                              rf"(?:{_OTHERS})\b(?!\s+and\s+I\b)", re.IGNORECASE)  # fmt: skip


_SELF_RE = re.compile(
    r"\b(?:I|I['’](?:m|ve|d|ll)|me|my|mine|myself|we|we['’](?:re|ve|d|ll)|us|our|ours)\b", re.IGNORECASE
)


_TEENS = {"thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
          "nineteen": 19}  # fmt: skip
_UNIT_WORDS = {w: n for w, n in NUMBER_WORDS.items() if n < 10}
_NUMBER_RE = re.compile(
    r"\b(?:(?P<d>\d{1,3})(?:st|nd|rd|th)?|(?P<t>" + "|".join(TENS) + r")(?:[- ](?P<u>" + "|".join(_UNIT_WORDS) + r"))?|"
    r"(?P<w>" + "|".join([*_TEENS, *NUMBER_WORDS]) + r"))\b",
    re.IGNORECASE,
)


def _numbers(sentence: str) -> list[str]:
    """The numbers of a sentence that may be an age (1-120), in figures or in words ("thirty-five"); figures win
    over words ("every one of my 27 years"), and "one" alone is a pronoun, no age."""
    figures: list[str] = []
    words: list[str] = []
    for m in _NUMBER_RE.finditer(sentence):
        if m.group("d"):
            figures.append(str(int(m.group("d"))))
            continue
        if m.group("t"):
            number = TENS[m.group("t").lower()] + (_UNIT_WORDS[m.group("u").lower()] if m.group("u") else 0)
        elif m.group("w").lower() == "one":
            continue
        else:
            word = m.group("w").lower()
            number = _TEENS.get(word) or NUMBER_WORDS[word]
        words.append(str(number))
    return [n for n in (figures or words) if 1 <= int(n) <= 120]


_THIRD_PERSON_RE = re.compile(r"\b(?:he|she|they|him|her|his|hers|them|their|theirs|it|its|it['’]s)\b", re.IGNORECASE)
# anywhere in a subjectless sentence "baby" is as often the speaker's own news ("Baby on the way, so the Mini got
# swapped for a Volvo") or a thing ("baby steps", "baby spinach") as another person: the rest of the list marks one
_OTHERS_RE = re.compile(rf"\b(?:{alternation(_OTHERS_WORDS - {'baby', 'babies'})})\b", re.IGNORECASE)


_FINITE = frozenset(
    "is are was were be been am has have had do does did will would can could shall should".split()  # noqa: SIM905
)


def _implied_self(sentence: str) -> bool:
    """The sentence has no subject at all, so it is the speaker's: a clause opening with its verb (after adverbs:
    "Officially hit 37 yesterday", "Currently employed by Globex") or one with no verb ("Another year older: 28",
    "The big 30!"). A sentence with a subject of its own ("Lisbon is lovely!") is about that subject; one naming a
    person (he, they, my sister) is about them."""
    if _says_self(sentence) or _THIRD_PERSON_RE.search(sentence) or _OTHERS_RE.search(sentence):
        return False
    words = [w.lower() for w in re.findall(r"[A-Za-z'’]+", sentence)]
    while words and words[0].endswith("ly"):
        words.pop(0)
    if words and (words[0] in PAST_FORMS or words[0].endswith("ed")):
        return True
    clause = [w.lower().strip(".!?\"'") for w in re.split(r"[,;:—–]", sentence)[0].split()]
    # a verb after the first word has a subject before it ("Lisbon is lovely", "The airline cancelled", "Chicago
    # sounds great": a present -s form right after the subject)
    verb = any(w in _FINITE or w.endswith("'s") or w.endswith("ed") or w in PAST_FORMS for w in clause[1:]) or any(
        w.endswith("s") and not w.endswith(("ss", "us", "is")) for w in clause[1:3]
    )
    return not verb and not (clause and clause[0] in _FINITE)


def _says_self(sentence: str) -> bool:
    """The speaker is in the sentence: an attribute of theirs is said with them in it ("That plate is
    awesome!" is about a plate, "Lasagna has become my number one dish" about the speaker)."""
    return bool(_SELF_RE.search(sentence))


def _about_someone_else(sentence: str) -> bool:
    """The sentence's subject is another person ("My sister moved to Chicago"), not the speaker."""
    return bool(_SOMEONE_ELSE_RE.match(sentence))


def _held_value(fact: Fact, category: str) -> str:
    """The value a current fact of a category holds, as far as its text shows: the capitalised run after its
    first word for names, the key's thing for trips (the place), else the words after the verb."""
    if category == "trip":
        return (fact.attribute or "").partition(":")[2].replace("_", " ")
    text = re.sub(r"^(?:the\s+)?user(?:['’]s)?\s+", "", fact.said, flags=re.IGNORECASE)
    if category in {"residence", "employer", "car"}:
        names = re.findall(r"\b[A-Z][\w'’&-]*(?:\s+(?:[A-Z][\w'’&-]*|\d+))*", text)
        names = [n for n in names if n not in _NOT_NAMES and n.lower() not in STOPWORDS and n != "User"]
        return names[0] if len(names) == 1 else ""
    return ""


def _gerund(word: str, sentence: str) -> bool:
    """The sentence's first word is a verb's -ing form opening a clause ("Building relationships is ..."), not a
    name: followed by a lower-case word."""
    rest = sentence.lstrip()[len(word) :].split()
    return word.lower().endswith("ing") and bool(rest) and rest[0][:1].islower()


def _opens(sentence: str, phrase: str) -> bool:
    """The phrase is the sentence's first word(s): capitalised because it opens the sentence, maybe."""
    return sentence.lstrip(" \"'“").startswith(phrase)


def _named_elsewhere(phrase: str, held: Sequence[Fact]) -> bool:
    return any(_named(phrase, f.said) for f in held)


def _fact_value(fact: Fact) -> str:
    """What a fact of a multi-valued key holds: a pet's name (the capitalised word not opening it), else the
    key's thing ("hobby:tennis" → "tennis")."""
    key = fact.attribute or ""
    if key.startswith("pet:"):
        words = re.findall(r"\b[A-Z][a-z]+\b", fact.said)
        names = [w for w in words[1:] if w not in _NOT_NAMES and w.lower() not in PET_KINDS and w != "User"]
        return names[0] if names else ""
    return key.partition(":")[2].replace("_", " ")


def holds_category(key: str | None, category: str) -> bool:
    """A fact's attribute key is one of the reader category's keys ("pet:dog" is a "pet", "hobby:rowing" a
    "sport")."""
    if not key:
        return False
    return key.startswith(MULTI[category]) if category in MULTI else key == SINGLE.get(category, category)


_READERS: weakref.WeakKeyDictionary[object, AttributeReader] = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()


def reader_for(embedder: Any) -> AttributeReader:
    """The reader of an embedder (its exemplars embedded once, however many memories share it; a lazily loaded
    embedder is read through to the model it loads)."""
    inner = embedder.get() if callable(getattr(embedder, "get", None)) else embedder
    reader = _READERS.get(inner)  # every retrieval asks: only the first for an embedder takes the lock
    if reader is not None:
        return reader
    with _READERS_LOCK:
        reader = _READERS.get(inner)
        if reader is None:
            reader = AttributeReader(inner.embed)
            _READERS[inner] = reader
        return reader


__all__ = ["AttributeReader", "Reading", "holds_category", "reader_for"]
