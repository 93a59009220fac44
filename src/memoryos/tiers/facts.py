"""The rules of long-term facts over time, Graphiti-style: a fact is never overwritten, it is closed.

An analysis proposes fact operations (add / update / invalidate / keep); `plan_operations` turns them into what
storage writes in one transaction: new facts, provenance merged into facts that were said again, intervals closed
on facts that stopped being true, and facts evicted to respect capacity. Pure functions over records: no store.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from ..lexical import index_word as stem
from ..models import Fact, FactInvalidation, KnowledgeKind
from ..textutil import STOPWORDS, tokens
from . import value_heads
from .frames import marks_now
from .frames import rivals as frame_rivals
from .habits import Embed, passing_mentions, replaced_habit
from .named_endings import ended_heads, names_any
from .value_heads import about_the_same_people, ended_facts, ended_words, marked_change, only_ending, same_kind

log = logging.getLogger(__name__)

NAMED_MENTIONS = True  # a closed fact's passing mentions, by the names it gives its value, close with it (ablations)
# session 31 (off: ablations): another person's ending ends nothing of the speaker's ("User's friend switched from
# the marathon to an ultra"); a name the closing statement says is over, or the closed fact's first word when a
# mention names it inside a sentence ("Theo and User have been dating" / "...; Theo and they shook their heads"),
# names the old value too
CLOSING_PEOPLE = True
# a statement that only says what is over and ends a held fact ("I stopped going to chess club") is that fact's end:
# history from when it was said, not a current fact next to the new value (session 31; off: ablations)
ENDING_IS_HISTORY = True

FactOp = Literal["add", "update", "invalidate", "keep"]

# ---- when two texts say the same thing ----

_UNITS = "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
_TEENS_TENS = "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety"
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_UNITS.split()) if w != "_"}  # "one" is rarely a count
_NUMBER_WORDS.update(
    {w: str(v) for w, v in zip(_TEENS_TENS.split(), [17, 18, 19, 20, 30, 40, 50, 60, 70, 80, 90], strict=True)}
)
_NUMBER_WORDS.update({"hundred": "100", "thousand": "1000", "million": "1000000", "twice": "2"})
_DIGITS_RE = re.compile(r"\d+(?:\.\d+)?")
_NAME_RE = re.compile(r"\b[A-Z][^\W\d_]+")
_NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot nowhere".split())  # noqa: SIM905
_ROLE_WORDS = frozenset({"user", "assistant", "users"})


def _numbers(text: str) -> set[str]:
    found = {m.group(0).lstrip("0") or "0" for m in _DIGITS_RE.finditer(text.replace(",", ""))}
    found |= {_NUMBER_WORDS[t] for t in tokens(text) if t in _NUMBER_WORDS}
    return found


def _names(text: str) -> set[str]:
    """Capitalised words that are not function words or the speakers' roles (lower-cased)."""
    return {w.lower() for w in _NAME_RE.findall(text) if w.lower() not in STOPWORDS and w.lower() not in _ROLE_WORDS}


def _negated(text: str) -> bool:
    return any(t in _NEGATIONS or t.endswith("n't") for t in tokens(text))


def may_be_same(a: str, b: str) -> bool:
    """False when the texts differ in a number, a name or negation: then they are never one fact, whatever
    their cosine ("is 34 years old" / "is 35 years old", "lives in Lisbon" / "lives in Berlin", "likes X" /
    "doesn't like X"). A capitalised word only counts as a differing name when the other text lacks the word
    altogether (so a sentence-initial "Loves hiking" is not a name against "The user loves hiking")."""
    if _numbers(a) != _numbers(b) or _negated(a) != _negated(b):
        return False
    words_a, words_b = set(tokens(a)), set(tokens(b))
    return all(n in words_b for n in _names(a)) and all(n in words_a for n in _names(b))


# categories with one value per thing rather than one value in all: a new hobby does not replace the others, and the
# key names the value ("hobby:painting"), so the same key said again is the same value (a renewal, not a change)
MULTI_VALUED = frozenset({"hobby", "likes", "pet", "child", "language", "study", "plan", "goal", "friend", "sport"})
# how English says a thing one has or does is over: only such a statement ends a value of a multi-valued attribute
_ENDING = (
    r"quit|quitting|stopped|stop|stopping|gave up|give up|given up|giving up|sold|passed away|died|rehomed|"
    r"gave away|dropped out|broke up|retired from|switched|swapped|replaced|traded|ditched|moved on|done with|instead|"
    r"(?:is|was|are|were) gone|"
    # the change reader's endings too (providers/changes.py), so that what it reads as given up is not kept as
    # a value said again
    r"dropped|cut out|(?:gone|went) off|left behind"
)
_ENDING_RE = re.compile(
    rf"\b(?:{_ENDING})\b|\bno longer\b|\bany\s?more\b|\bused to\b|"
    r"\b(?:user|assistant|i|we|they)\s+(?:\w+\s+)?lost\b",  # "lost their job", not "folks who lost their jobs"
    re.IGNORECASE,
)
# how English puts a new value in the old one's place: for a single value a statement of change, not an ending
_CHANGE_RE = re.compile(r"\b(?:switched|swapped|replaced|traded|moved on|instead|rescheduled|changed)\b", re.IGNORECASE)
# an ending denied is going on: "won't quit on my dreams", "can't stop writing"
_DENIED_ENDING_RE = re.compile(
    r"\b(?:won't|can't|cannot|couldn't|never|not|don't|didn't|wouldn't|will not)\s+(?:\w+\s+)?"
    rf"(?:{_ENDING})\b",
    re.IGNORECASE,
)


_DATE_RE = re.compile(
    r"\b\d{1,2}\s+(?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"(?:\s+\d{4})?\b|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)


def said_again(new: str, held: str) -> bool:
    """The new text names only what the held one names (its names, its numbers), with no word of change: the
    same single value said again ("Leeds market had the best cheese stall" after "has a house in Leeds"), which
    renews the value rather than replacing it. The first word is no name (a sentence starts with a capital) unless the
    held text has it, and a date is no value."""
    if says_ended(new) or _CHANGE_RE.search(new) or marks_now(new):
        return False  # "engaged to Clara now" after "in a relationship with Clara": news about the value
    held_words = set(tokens(held))
    first = tokens(new)[:1]
    undated = _DATE_RE.sub(" ", new)
    names = {n for n in _names(undated) if [n] != first or n in held_words}
    numbers = _numbers(undated)
    if not names and not numbers:
        return False
    return names <= held_words and numbers <= _numbers(_DATE_RE.sub(" ", held))


def multi_valued(key: str | None) -> bool:
    return bool(key) and str(key).split(":")[0] in MULTI_VALUED


def says_ended(text: str) -> bool:
    """The text says a value is over: an ending ("quit", "sold", "no longer", "doesn't paint any more") or a
    negation ("doesn't like cilantro"); an ending denied ("can't stop writing", "won't quit") says it goes on."""
    if _DENIED_ENDING_RE.search(text):
        return False
    return bool(_ENDING_RE.search(text)) or _negated(text)


def _goes_on(fact: Fact, text: str) -> bool:
    """A statement that denies an ending of a multi-valued fact's value, or names that value without an ending."""
    if not multi_valued(fact.attribute) or says_ended(text) or (value_heads.ENDINGS_MORE and bool(ended_words(text))):
        return False  # "A torn calf ended my squash days": over, by its words (value_heads.py)
    if _DENIED_ENDING_RE.search(text):
        return True
    words = set(tokens(text))
    value = [w for w in re.split(r"[:_]", fact.attribute or "")[1:] if len(w) > 2]
    return bool(value) and all(w in words for w in value)


def attribute_key(attribute: str | None) -> str | None:
    """One spelling per attribute: lower case, no spaces around ':', inner spaces as '_'."""
    if not attribute or not attribute.strip():
        return None
    key = re.sub(r"\s*:\s*", ":", attribute.strip().lower())
    return re.sub(r"\s+", "_", key)[:100]


def _ending_clause(text: str, heads: set[str]) -> str:
    """The clause of `text` that names what it ends: whose ending it is ("User's friend switched from the marathon"
    is the friend's; "joined a climbing team and dropped rowing" is the speaker's)."""
    clauses = re.split(r"[,;:.!?]|\b(?:and|but|so|because|while)\b", text)
    return next((c for c in clauses if names_any(c, heads)), text)


# ---- planning ----


@dataclass
class FactOperation:
    """An analysis' fact operation, resolved by the caller: `target` is a stored fact id (or an unknown one,
    ignored), `source_page_ids` are the pages that stated it, `observed_at` the newest of their timestamps."""

    kind: KnowledgeKind
    op: FactOp
    text: str
    source_page_ids: list[str]
    observed_at: float
    vector: np.ndarray | None = None  # the embedding of what it says as said (add / update)
    target: str | None = None
    attribute: str | None = None
    expires_at: float | None = None
    statement: str | None = None  # the statement as said, when `text` adds a detail for the reader (Fact.statement)

    @property
    def said(self) -> str:
        """What the rules read: the statement as said, without the detail the text may add."""
        return self.statement or self.text


@dataclass
class FactPlan:
    new: list[Fact] = field(default_factory=list)
    merged: dict[str, list[str]] = field(default_factory=dict)  # stored fact id -> extra source page ids
    invalidations: list[FactInvalidation] = field(default_factory=list)
    evict: list[str] = field(default_factory=list)

    def add_sources(self, fact_id: str, page_ids: list[str]) -> None:
        merged = self.merged.setdefault(fact_id, [])
        merged.extend(p for p in page_ids if p not in merged)


def _start(fact: Fact) -> float:
    for value in (fact.valid_from, fact.observed_at, fact.created_at):
        if value is not None:
            return value
    return 0.0


class _Planner:
    def __init__(
        self, existing: list[Fact], method: str, now: float, dedup_threshold: float, embed: Embed | None = None
    ) -> None:
        self.embed = embed  # the memory's embedder: which held habit a change replaces, by meaning (habits.py)
        self.by_id = {f.id: f for f in existing}
        # the facts that hold now, stored or planned; closed and expired ones never absorb a new statement
        self.current = [f for f in existing if f.is_current(now)]
        self.method = method
        self.now = now
        self.threshold = dedup_threshold
        self.plan = FactPlan()
        self.closed: set[str] = set()  # ids this plan closes (stored or planned)
        self.planned: dict[str, Fact] = {}

    def duplicate_of(self, op: FactOperation, among: list[Fact]) -> Fact | None:
        if op.vector is None:
            return None
        key = attribute_key(op.attribute)
        best: Fact | None = None
        best_sim = self.threshold
        for fact in among:
            if fact.kind != op.kind or fact.embedding is None or fact.id in self.closed:
                continue
            if key and fact.attribute and attribute_key(fact.attribute) != key:
                continue  # about different things, however alike the words
            sim = float(fact.embedding @ op.vector)
            if sim >= best_sim and may_be_same(op.said, fact.said):
                best, best_sim = fact, sim
        return best

    def confirm(self, fact: Fact, op: FactOperation) -> None:
        """Said again: the fact gains the stating pages, nothing new is written."""
        if fact.id in self.planned:
            fact.source_page_ids += [p for p in op.source_page_ids if p not in fact.source_page_ids]
            fact.observed_at = max(fact.observed_at or op.observed_at, op.observed_at)
        else:
            self.plan.add_sources(fact.id, op.source_page_ids)

    def close(self, fact: Fact, until: float, by: str | None) -> None:
        """Closed by an invalidation even when planned here: storage inserts the new facts, then closes them in
        order, so that each successor is still current when it is named (Lisbon → Porto → Berlin in one batch)."""
        until = max(until, _start(fact))  # an interval never ends before it began
        self.plan.invalidations.append(FactInvalidation(fact.id, until, self.now, by))
        self.closed.add(fact.id)
        self.current = [f for f in self.current if f.id != fact.id]

    @staticmethod
    def supersedes(op: FactOperation, fact: Fact) -> bool:
        """Whether a statement with `fact`'s key ends it. A multi-valued key names its value ("hobby:painting"):
        the same key again is that value said again (it renews, both stay current) unless one of the two says it
        is over ("I quit painting" ends "paints"; "took painting up again" ends "quit painting"). A single-valued
        key ("residence", "age") holds one value: it is replaced by a new statement (a true duplicate was already
        merged), but not by an ending said again, and an ending closes only the value it names or, naming none
        ("lost my job"), the held one. A plan's key
        names the trip ("plan:norway"): a new date replaces it."""
        if multi_valued(fact.attribute) and not str(fact.attribute).startswith("plan:"):  # a plan's key is the trip
            return says_ended(op.said) != says_ended(fact.said)
        if fact.attribute != "relationship" and said_again(op.said, fact.said):
            # the value said again: both hold (a relationship's value is its status: the partner's name is said
            # again when it changes, "Mateo proposed and we're engaged")
            return False
        if says_ended(fact.said) and says_ended(op.said) and not _CHANGE_RE.search(op.said):
            return False  # an ending said again ("lost my job at X", later "lost my job"): no new value
        if says_ended(op.said) and _negated(op.said):
            # "no longer lives in Ohio" ends the held residence only when it is Ohio; "lost my job" names none
            named = _names(op.said) | _numbers(op.said)
            return not named or bool(named & (_names(fact.said) | _numbers(fact.said)))
        return True

    def named_ended(self, op: FactOperation, taken: set[str]) -> list[Fact]:
        """Facts said before that name what this statement gives up ("dropped badminton" ends "pulled a muscle at
        badminton practice"), whatever their key (named_endings.py). Extractive facts only: a model's operations
        say themselves what they end."""
        if self.method != "extractive":
            return []
        heads = ended_heads(op.said)
        if not heads:
            return []
        return [
            f
            for f in self.current
            if f.kind == op.kind
            and f.id not in taken
            and _start(f) < op.observed_at
            and names_any(f.said, heads)
            and not (ended_heads(f.said) & heads)  # an ending said again ends nothing new
            and (not CLOSING_PEOPLE or about_the_same_people(_ending_clause(op.said, heads), f))
        ]

    def same_slot(self, op: FactOperation, taken: set[str]) -> list[Fact]:
        """Facts said before that fill the slot this statement gives another value, marked as the current one
        ("User plays the trombone now" ends "User plays the viola"), whatever their key (frames.py). Extractive
        facts only, like named endings."""
        if self.method != "extractive":
            return []
        return [
            f
            for f in self.current
            if f.kind == op.kind and f.id not in taken and _start(f) < op.observed_at and frame_rivals(op.said, f.said)
        ]

    def changed_habit(self, op: FactOperation, taken: set[str], slot_rivals: list[Fact]) -> list[Fact]:
        """The habit said before that a new one marked as a change replaces, by the meaning of the two predicates
        ("User swims laps now" ends "User plays rugby on Saturdays", habits.py), and the facts that mention what
        it, or a slot rival (same_slot), did. Extractive facts only, like named endings."""
        if self.method != "extractive":
            return []
        held = [f for f in self.current if f.kind == op.kind and f.id not in taken and _start(f) < op.observed_at]
        habit = replaced_habit(op.said, held, self.embed)
        found = [habit] if habit is not None else []
        for fact in [*found, *slot_rivals]:
            found += [m for m in passing_mentions(fact, op.said, held) if m not in found]
        return found

    def by_value_words(self, op: FactOperation, taken: set[str], found_any: bool) -> list[Fact]:
        """The facts said before whose value this statement says is over, by the words it names ("no more running",
        "the knitting needles are gathering dust"), and, when no other rule found what a change marked as such
        replaces, the standing fact whose value words are nearest to its own (value_heads.py), with the facts that
        mention what it did. Extractive facts only, like the other readers."""
        if self.method != "extractive":
            return []
        held = [f for f in self.current if f.kind == op.kind and f.id not in taken and _start(f) < op.observed_at]
        found = ended_facts(op.said, held)
        if found or found_any or not marked_change(op.said):
            return found
        nearest = same_kind(op.said, held, self.embed)
        if nearest is None:
            return []
        return [nearest, *(m for m in passing_mentions(nearest, op.said, held) if m.id != nearest.id)]

    def named_mentions(self, ended: Fact, op: FactOperation) -> list[Fact]:
        """The current facts said before `op` that name a name `ended` gives (not its first word: a sentence
        starts with a capital) which the statement that ends it does not name: passing mentions of the old value
        ("User's Galaxy's battery barely lasts till lunch" once "User's phone is a Samsung Galaxy" is closed by a
        new phone). Extractive facts only, like the other readers."""
        if not NAMED_MENTIONS or self.method != "extractive":
            return []
        said = set(tokens(op.said))
        over = ended_words(op.said) if CLOSING_PEOPLE else set()
        first = tokens(ended.said)[:1]
        names = {
            n for n in _names(_DATE_RE.sub(" ", ended.said)) if [n] != first and (n not in said or stem(n) in over)
        }
        lead = first[0] if CLOSING_PEOPLE and first and _names(ended.said.split(" ", 1)[0]) else None
        found = []
        for f in self.current:
            if f.kind != ended.kind or f.id == ended.id or _start(f) >= op.observed_at:
                continue
            named = {re.sub(r"'s$", "", t) for t in tokens(f.said)}  # "User's Lumia's battery"
            inner = _names(re.sub(r"^\W*\S+", " ", f.said))  # its capitalised words after the first
            if names & named or (lead is not None and lead in inner and (lead not in said or stem(lead) in over)):
                found.append(f)
        return found

    def close_with_mentions(self, ended: Fact, op: FactOperation, by: str | None) -> None:
        mentions = self.named_mentions(ended, op)
        self.close(ended, op.observed_at, by)
        for mention in mentions:
            if mention.id not in self.closed:
                self.close(mention, op.observed_at, by)

    def add(self, op: FactOperation, replaces: Fact | None = None) -> None:
        twin = self.duplicate_of(op, self.current)
        if twin is not None:
            self.confirm(twin, op)
            if replaces is not None and twin.id != replaces.id:
                self.close(replaces, op.observed_at, twin.id)
            return
        key = attribute_key(op.attribute) or (attribute_key(replaces.attribute) if replaces else None)
        fact = Fact(
            id=uuid.uuid4().hex,
            kind=op.kind,
            text=op.text,
            source_page_ids=list(dict.fromkeys(op.source_page_ids)),
            created_at=self.now,
            method=self.method,  # type: ignore[arg-type]
            embedding=op.vector,
            observed_at=op.observed_at,
            valid_from=op.observed_at,
            attribute=key,
            expires_at=op.expires_at,
            statement=op.statement if op.statement and op.statement != op.text else None,
        )
        rivals = [replaces] if replaces is not None and replaces.id not in self.closed else []
        if key:  # one value per attribute at a time: the same key with another value is an update
            taken = {f.id for f in rivals}
            same_key = [f for f in self.current if f.kind == op.kind and f.attribute == key and f.id not in taken]
            rivals += [f for f in same_key if self.supersedes(op, f)]
        rivals += self.named_ended(op, {f.id for f in rivals})
        slot = self.same_slot(op, {f.id for f in rivals})
        rivals += slot
        rivals += self.changed_habit(op, {f.id for f in rivals}, slot)
        rivals += self.by_value_words(op, {f.id for f in rivals}, bool(rivals))
        newer = [f for f in rivals if _start(f) > op.observed_at]
        if newer and replaces is None:
            # said before what memory already holds (a late analysis): history, closed by the newer statement
            first = min(newer, key=_start)
            fact.valid_until, fact.invalidated_at, fact.superseded_by = _start(first), self.now, first.id
        else:
            # "I scrapped the MBA idea": the end of what it closes, history from when it was said (what it closes
            # simply ended: nothing current supersedes it)
            history = ENDING_IS_HISTORY and bool(rivals) and self.method == "extractive" and only_ending(op.said)
            history = history and (op.text == op.said or only_ending(op.text))  # its detail may say what came next
            for rival in rivals:
                if rival.id not in self.closed:
                    self.close_with_mentions(rival, op, None if history else fact.id)
            if history:
                fact.valid_until, fact.invalidated_at = op.observed_at, self.now
            else:
                self.current.append(fact)
        self.planned[fact.id] = fact
        self.plan.new.append(fact)

    def apply(self, op: FactOperation) -> None:
        if op.op == "add":
            if op.text.strip():
                self.add(op)
            return
        target = self.by_id.get(op.target or "")
        if target is None or (op.op != "keep" and (target.id in self.closed or not target.is_current(self.now))):
            why = "an unknown fact" if target is None else "a fact that no longer holds"
            log.info("fact operation %s names %s (%r): ignored", op.op, why, op.target)
            if op.op == "update" and op.text.strip():  # the new statement itself still stands
                self.add(replace(op, op="add", target=None))
            return
        if op.op == "keep":
            self.confirm(target, op)
        elif op.op == "update" and op.text.strip():
            self.add(op, replaces=target)
        elif op.op == "invalidate" and self.method == "extractive" and _goes_on(target, op.text):
            # "I love camping trips" or "I can't stop writing" read as a reason to close: the value goes on (an
            # LLM's operation stands)
            log.info("invalidation of %s by a statement that ends nothing: kept", target.attribute)
            self.confirm(target, op)
        else:  # invalidate (or an update with nothing to put in its place)
            self.close_with_mentions(target, op, None)


def plan_operations(
    existing: list[Fact],
    operations: list[FactOperation],
    *,
    method: str,
    now: float,
    dedup_threshold: float,
    capacity: int,
    embed: Embed | None = None,
) -> FactPlan:
    """What a batch of fact operations changes, given every stored fact of the scope (history included).

    Operations apply in the order things were said (observed_at), so a later statement supersedes an earlier
    one of the same batch. Rules: a text that duplicates a current fact (cosine ≥ threshold, same numbers, names
    and negation, no other attribute) only adds its pages to that fact; a new value of an attribute closes the
    fact holding the old one (valid_until = when the new one was said, superseded_by = the new fact); `update`
    closes its target the same way, `invalidate` closes it with nothing in its place, `keep` adds pages to it;
    operations naming an unknown fact are logged and ignored (an `update`'s text is still added). `embed` (the
    memory's embedder) lets an extractive habit marked as a change end the held habit it replaces (habits.py)."""
    planner = _Planner(existing, method, now, dedup_threshold, embed)
    for op in sorted(operations, key=lambda o: o.observed_at):
        planner.apply(op)
    plan = planner.plan
    kinds: tuple[KnowledgeKind, ...] = ("user", "assistant")
    for kind in kinds:
        _evict(plan, kind, [f for f in existing if f.kind == kind], planner.closed, capacity, now)
    return plan


def _evict(
    plan: FactPlan, kind: KnowledgeKind, stored: list[Fact], closing: set[str], capacity: int, now: float
) -> None:
    """Over capacity, the expired go first, then history (closed facts, longest closed first), then the
    oldest current facts; past that, new facts that arrive already closed, then the oldest new ones."""
    new = [f for f in plan.new if f.kind == kind]
    surplus = len(stored) + len(new) - capacity
    if surplus <= 0:
        return

    def order(fact: Fact) -> tuple[int, float]:
        if fact.expires_at is not None and fact.expires_at <= now:
            return (0, fact.expires_at)
        if fact.id in closing or not fact.is_current():
            return (1, fact.valid_until if fact.valid_until is not None else _start(fact))
        return (2, fact.created_at)

    evicted = {f.id for f in sorted(stored, key=order)[:surplus]}
    if evicted:
        log.info("%s knowledge over capacity: evicting %d entries (history first)", kind, len(evicted))
    plan.evict += [f.id for f in stored if f.id in evicted]
    for fact_id in evicted & set(plan.merged):
        del plan.merged[fact_id]
    overflow = surplus - len(stored)
    if overflow > 0:
        arrival = sorted(new, key=lambda f: (f.id not in closing and f.is_current(), f.observed_at or 0.0))
        dropped = {f.id for f in arrival[:overflow]}
        plan.new = [f for f in plan.new if f.id not in dropped]
        evicted |= dropped
    plan.invalidations = [i for i in plan.invalidations if i.fact_id not in evicted]
    for ended in plan.invalidations:
        if ended.superseded_by in evicted:  # its successor is not kept: it simply ended
            ended.superseded_by = None
    for fact in plan.new:
        if fact.superseded_by in evicted:
            fact.superseded_by = None


__all__ = [
    "MULTI_VALUED",
    "FactOperation",
    "FactPlan",
    "attribute_key",
    "may_be_same",
    "multi_valued",
    "plan_operations",
    "says_ended",
]
