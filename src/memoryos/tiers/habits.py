"""A habit that changes verb along with value: "User plays squash at the leisure centre" is ended by "User swims
laps these days", though no key, no slot frame and no named ending ties the two.

The key rule closes only facts with the same attribute, the frame reader only the same verb with another object,
named endings only a value the new statement names. Most changes people tell do none of these: they change the
verb with the value ("bikes to work" → "takes the train to work now"). What ties the two statements is that their
predicates are about the same kind of thing: an exercise, a way to work, a morning drink. So: a new statement with
the speaker as subject, in the present, marked as holding now ("now", "these days", "switched", "instead",
"anymore", "since January", ...), closes the earlier current fact of the same speaker that is also a habit in the
present and whose predicate is the nearest by meaning to the new one (MiniLM cosine of the two predicates, the
subject and the words of change left out, at least HABIT_FLOOR), when the two share no word of their values. One
fact at most per statement: the nearest habit is the one replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from ..models import Fact
from ..textutil import STOPWORDS, tokens
from .frames import IRREGULAR_PAST
from .named_endings import names_any, object_head
from .present_states import held_predicate, marked_now, state_predicate

Embed = Callable[[list[str]], np.ndarray]

HABIT_FLOOR = 0.25  # predicates of one kind of thing (an exercise and another) sit above; unrelated ones below
HABIT_CHANGES = True  # off: the planner's rules alone (for ablations)
MENTIONS = True  # the ended habit's passing mentions end with it (off: for ablations)
CHANGES_ARE_NEWS = True  # a statement that tells a change is learnt however short (off: for ablations)

_ADVERBS = r"(?:\s+(?:now|still|also|mostly|usually|always|often|regularly|normally|currently|only|just|mainly))*"
# the speaker as subject, then a verb in the present: "User plays", "User is driving", "so User does", "These days
# User plays"; at the start of the text or of a clause
_CLAUSE_START = re.compile(r"^|[,;:]\s+|\b(?:so|and|but)\s+")
_HABIT = re.compile(
    r"(?:(?i:these\s+days|nowadays|now|since\s+\w+(?:\s+\w+)?),?\s+)?"
    r"(?P<subject>User|[Tt]hey)(?P<aux>\s+(?:is|are)|['’](?:s|re))?"
    + _ADVERBS
    + r"\s+(?P<verb>[a-z]{2,})\b(?P<rest>[^;:!?]*)"
)
# verbs of thinking, feeling, wanting, saying, and auxiliaries: not what one does
_NOT_HABITS = frozenset(
    """
    think thinks know knows feel feels hope hopes wish wishes want wants need needs love loves like likes enjoy
    enjoys hate hates mean means guess guesses agree agrees remember remembers wonder wonders appreciate appreciates
    believe believes promise promises recommend recommends suggest suggests understand understands see sees
    has have can could will would should may might must not never no also been being got gets get
    says tells asks hears misses plans tries keeps lets seems looks sounds finds care cares had was were did am
    """.split()  # noqa: SIM905
)
# an -ing form of intending, trying or preparing says what is under way, not what one does ("is aiming to turn it
# into a business", "is getting ready for a comp", "is considering going into policy")
_UNDER_WAY = frozenset(
    """
    aiming trying planning hoping going wanting looking preparing considering thinking wondering getting starting
    feeling waiting struggling dealing figuring working
    """.split()  # noqa: SIM905
)
# words that mark a change or a time: left out of the predicate, which is to say what is done
_CHANGE_WORDS = re.compile(
    r"\b(?:now|these\s+days|nowadays|currently|at\s+the\s+moment|at\s+present|any\s?more|no\s+longer|from\s+now\s+on|"
    r"instead(?:\s+of\s+[^,.;]*)?|switched(?:\s+to)?|swapped|replaced|moved\s+on(?:\s+to)?|since\s+\w+(?:\s+\d{4})?|"
    r"in\s+\w+\s+\d{4}|on\s+\d{1,2}\s+\w+\s+\d{4})\b",
    re.IGNORECASE,
)
_ENDED_OR_DENIED = re.compile(
    r"n['’]t\b|\b(?:not|no|never|quit|stopped|used\s+to|wants?\s+to|plans?\s+to|going\s+to|hopes?\s+to|will|would)\b",
    re.IGNORECASE,
)


def predicate(text: str, progressive: bool = True) -> str | None:
    """What the speaker does, from a fact's text with the speaker as subject in the present: the verb and what
    follows to the end of its clause, without the words that mark a change or a time. None for anything else (a
    past event, a feeling, a negation, a plan, something under way). `progressive`: whether "is playing" counts;
    a held habit is told in the simple present ("plays"), what is going on now may be told either way."""
    text = text.strip()
    for start in _CLAUSE_START.finditer(text):
        m = _HABIT.match(text, start.end())
        if m is None:
            continue
        if m.group("subject") != "User" and "User" not in text[: m.start()]:
            continue  # "They help User unwind": "they" is the speaker only once the speaker has been named
        verb = m.group("verb").lower()
        if (
            verb in ("is", "are")
            and not m.group("aux")
            and re.match(r"\s+(?:a|an)\s+(?!bit\b|little\b|lot\b)", m.group("rest"))
        ):
            pass  # "User is a lifelong Celtic supporter": what one is, as a noun
        elif m.group("aux"):
            if not verb.endswith("ing") or not progressive or verb in _UNDER_WAY:
                continue  # "User is happy": a state, no action; "is aiming to": under way
        elif verb.endswith(("ed", "ing")) or verb in IRREGULAR_PAST or verb in ("is", "are"):
            continue
        elif m.group("subject") == "User" and not verb.endswith("s"):
            continue  # "User read a few": a past (the present of one person ends in -s: "User reads")
        if verb in _NOT_HABITS or verb.endswith("ly"):
            continue
        clause = re.split(
            r",\s+(?:and|but|so|because|which|who)\b|\s+(?:because|but|so|and then)\s+|\.", verb + m.group("rest")
        )[0]
        if _ENDED_OR_DENIED.search(clause):
            continue
        words = _CHANGE_WORDS.sub(" ", clause).split()
        if len(words) >= 2:
            return " ".join(words)
    return None


def marked_change(text: str) -> bool:
    """The statement says its value holds now, in place of another (present_states.marked_now)."""
    return marked_now(text)


def tells_change(text: str) -> bool:
    """The statement tells what the speaker does or has now, in place of something else: a habit of theirs or a
    state of their things marked as holding now (what the change reader can compare with what was held)."""
    if not CHANGES_ARE_NEWS:
        return False
    return marked_change(text) and (predicate(text) is not None or state_predicate(text) is not None)


def _content(phrase: str) -> set[str]:
    return {t for t in tokens(phrase) if t not in STOPWORDS and len(t) > 2}


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def replaced_habit(new_text: str, held: Sequence[Fact], embed: Embed | None) -> Fact | None:
    """The fact among `held` (current, said before, of the new statement's speaker) that the habit `new_text`,
    marked as a change, replaces: a habit in the present whose predicate is the nearest to the new one, at least
    HABIT_FLOOR, with other words for its value."""
    if not HABIT_CHANGES or embed is None or not marked_change(new_text):
        return None
    # the speaker as subject ("User swims laps now"), or a state of theirs told with another subject ("the shuttle
    # bus picks User up now", present_states.py)
    habit_said = predicate(new_text)
    said = habit_said or state_predicate(new_text)
    if said is None:
        return None
    own = _content(said)
    pool = []
    for fact in held:
        habit = predicate(fact.said, progressive=False)
        held_said = habit or held_predicate(fact.said)  # "User's commute is a ferry ride": a state held
        if held_said is None or not own - _content(held_said) or not _content(held_said) - own:
            continue  # the same words: said again, not changed
        pool.append((fact, held_said, habit is not None))
    if not pool:
        return None
    # the whole predicate ("takes the bus to work") and, for a habit, the verb with its object alone ("plays rugby",
    # without "for the local club on Saturdays"): either may carry what kind of thing it is
    texts = [said, *(text for _, text, _ in pool)]
    shorts = [verb_object(said) if habit_said else said, *(verb_object(t) if h else t for _, t, h in pool)]
    vectors = _unit(np.asarray(embed(texts + shorts), dtype=np.float32))
    n = len(texts)
    sims = np.maximum(vectors[1:n] @ vectors[0], vectors[n + 1 :] @ vectors[n])
    best = int(np.argmax(sims))
    return pool[best][0] if float(sims[best]) >= HABIT_FLOOR else None


def verb_object(habit: str) -> str:
    """A predicate cut after its object's head: "plays rugby for the local club" → "plays rugby"."""
    verb, _, rest = habit.partition(" ")
    head = object_head(rest) if rest else None
    if head is None:
        return habit
    last = head.split()[-1]
    end = rest.lower().find(last)
    return habit if end < 0 else f"{verb} {rest[: end + len(last)]}"


def passing_mentions(ended: Fact, new_text: str, held: Sequence[Fact]) -> list[Fact]:
    """The facts among `held` that name what the ended habit did (the head of its object: "viola" for "plays the
    viola in a community orchestra") when the new habit does not ("rosined their viola bow"; "the viola lives in
    its case" beside "plays the trombone now" is about the old one)."""
    habit = predicate(ended.said)
    head = object_head(habit.split(" ", 1)[1]) if MENTIONS and habit and " " in habit else None
    if head is None or names_any(predicate(new_text) or new_text, {head}):
        return []  # the new habit still does it
    return [f for f in held if f.id != ended.id and names_any(f.said, {head})]


__all__ = [
    "CHANGES_ARE_NEWS",
    "HABIT_CHANGES",
    "HABIT_FLOOR",
    "MENTIONS",
    "marked_change",
    "passing_mentions",
    "predicate",
    "replaced_habit",
    "tells_change",
]
