"""Which slot a statement fills, read from its clause, with no list of attributes: "User plays the trombone in a
brass band now" fills the slot "User plays ___" that "User plays the viola" filled, with another value.

A key closes a fact only when both carry the same attribute, and the attribute readers know a fixed set of
attributes; a changed instrument, bank, phone or barber is said in words no list foresees. English says which slot
a value fills by the clause around it: the speaker as subject, a verb in the present (a habit or a state, not an
event), and the value as the verb's object ("drives a Golf" / "is driving a Defender these days"; "banks with
Barclays" / "banks with Monzo"), or a noun the speaker possesses with the value as its predicate or apposition
("User's phone is a Pixel" / "User's new phone, an iPhone"). Two statements with the same frame (verb stem and
preposition, or possessed noun) and values that share no content word are rivals. Precision first: only a
statement that marks its value as current or new ("now", "these days", "new", "switched to", "instead",
"any more", "from now on") closes its rival; a frame whose verb is a light verb (have, get, go, love, ...) says too
little about the slot, and a past tense, a modal, a negation or a plan never matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..textutil import STOPWORDS, says_now

_SUBJECT = r"(?:User(?:\s+and\s+others)?|[Tt]hey)"
_ADVERBS = (
    r"(?:\s+(?:now|still|also|mostly|usually|always|really|currently|only|just|finally|actually|fully|mainly|"
    r"normally|basically|happily|officially|exclusively|regularly|properly))*"
)
# present tense with its auxiliaries: "plays", "is playing", "'re driving", "has been playing"
_VERB_FRAME = re.compile(
    r"\b"
    + _SUBJECT
    + r"(?P<aux>\s+(?:is|are|has\s+been|have\s+been)|['’](?:s|re))?"
    + _ADVERBS
    + r"\s+(?P<verb>[a-z]+)(?:\s+(?P<prep>with|at|for|on|in|to|into|onto|from))?\s+(?P<obj>[^,.;:!?()]+)",
)
# "User's (new) N is X", "User's (new) N, X", "X is User's (new) N"
_MODIFIERS = r"(?P<mods>(?:(?:new|current|old|usual|regular|daily|nightly|weekly|main|go-to|trusty)\s+)*)"
_OWNED_IS = re.compile(
    r"\bUser['’]s\s+" + _MODIFIERS + r"(?P<noun>[a-z]+(?:\s+[a-z]+)?)(?:\s+(?:is|are|has\s+become)(?:\s+now)?|,)\s+"
    r"(?P<value>[^,.;:!?()]+)"
)
_IS_OWNED = re.compile(
    r"(?:^|[,;:.!?]\s*|\b(?:and|but|so)\s+)(?P<value>[A-Z][^,.;:!?()]*?)\s+(?:is|are)(?:\s+now)?\s+User['’]s\s+"
    + _MODIFIERS
    + r"(?P<noun>[a-z]+)\b"
)
# "User's (new) N Name": a name in apposition ("User's boyfriend Daniel", "User's new barber Rosa")
_OWNED_NAME = re.compile(
    r"\bUser['’]s\s+" + _MODIFIERS + r"(?P<noun>[a-z]+)\s+(?P<value>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
)
# verbs that say too little about which slot their object fills, or whose object is not a value held
_LIGHT_VERBS = frozenset(
    """
    be am is are was were been being have has had having get gets got getting do does did doing make makes made
    go goes went going come comes came see sees saw say says said tell tells told think thinks feel feels know knows
    want wants need needs love loves like likes enjoy enjoys hate hates try tries find finds give gives put puts let
    lets keep keeps look looks seem seems become becomes start starts begin begins stop stops help helps hope hopes
    wish wishes plan plans miss misses remember remembers visit visits buy buys bought call calls mean means
    spend spends take takes taking taken use uses can could will would should may might must
    """.split()  # noqa: SIM905
)
# irregular pasts, which after "they" look like a present: "they met at a climbing wall"
_IRREGULAR_PAST = frozenset(
    """
    met ran swam sang began drank ate sat left lost won sold took gave came went saw found kept bought brought
    thought felt held heard made paid said sent spent stood taught wrote rode drove broke chose fell flew forgot
    grew knew led lent put quit rang rose shut slept spoke split stuck threw woke wore built caught fought
    learnt burnt dreamt spelt leapt spoilt
    """.split()  # noqa: SIM905
)
IRREGULAR_PAST = _IRREGULAR_PAST
# where the object's noun phrase ends: a preposition, a conjunction, a time or a manner word
_OBJECT_END = re.compile(
    r"\s(?:and|but|so|because|for|with|to|at|in|on|of|since|as|after|when|than|from|every|each|twice|once|"
    r"now|these|nowadays|currently|again|already|anymore|instead|today|tonight|yesterday|lately|then)\b"
)
_DETERMINERS = frozenset(
    "a an the my our your his her their its this that these those some any every each User's User’s".lower().split()
)
_NOT_VALUES = frozenset(
    """
    it this that them him her something everything nothing anything someone everyone lot lots bit time times
    days weeks way ways thing things stuff home work out up off back too well more most less all
    """.split()  # noqa: SIM905
)
_NEW = re.compile(r"\bnew\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


@dataclass(frozen=True)
class Frame:
    """A slot ("play", "bank with", "User's phone") and the content words of the value that fills it."""

    slot: str
    value: frozenset[str]
    new: bool = False  # the value is said to be new ("User's new phone", "a new bank")
    named: bool = False  # the value is a name ("Dune", "Barclays"), not a common noun ("the news", "a bank")


def _stem(verb: str) -> str:
    """A crude lemma, enough to compare two forms of one verb: plays / playing / play, drives / driving, studies."""
    word = verb.lower()
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    else:
        for suffix in ("ing", "es", "ed", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # swimming → swimm → swim
    return word.rstrip("e")


def _present(aux: str | None, verb: str, subject_plural: bool) -> bool:
    """The verb states a habit or a state now: "plays", "they play", "is playing", "has been playing"."""
    if aux and aux.strip():
        return verb.endswith("ing")
    if verb.endswith(("ed", "ing")):
        return False  # a past event ("played"), or a participle with no auxiliary
    return (subject_plural and verb not in _IRREGULAR_PAST) or verb.endswith("s")


def _value(phrase: str) -> tuple[frozenset[str], bool, bool]:
    """The content words of an object's noun phrase (to where it ends), whether it is said to be new and whether
    it is a name."""
    phrase = " " + phrase
    if m := _OBJECT_END.search(phrase):
        phrase = phrase[: m.start()]
    raw = _WORD.findall(phrase)
    words = [w.lower().replace("’", "'") for w in raw]
    new = "new" in words
    content = frozenset(
        w
        for w in words
        if w not in _DETERMINERS and w not in STOPWORDS and w not in {"new", "old"} and not w.endswith("ly")
    )
    if not content or content & _NOT_VALUES or len(words) > 6:
        return frozenset(), new, False
    named = any(w[:1].isupper() and w.lower() not in _DETERMINERS for w in raw)
    return content, new, named


def frames(text: str) -> list[Frame]:
    """The slots a fact's text fills with the speaker as subject (or possessor), in the present."""
    found: list[Frame] = []
    for m in _VERB_FRAME.finditer(text):
        verb = m.group("verb")
        if verb in _LIGHT_VERBS or verb in STOPWORDS or len(verb) < 3 or verb.endswith("ly"):
            continue
        subject = m.group(0).split()[0]
        if not _present(m.group("aux"), verb, subject.lower() == "they" or "others" in m.group(0)[:20]):
            continue
        value, new, named = _value(m.group("obj"))
        if value:
            prep = m.group("prep")
            found.append(Frame(_stem(verb) + (f" {prep}" if prep else ""), value, new, named))
    for pattern in (_OWNED_IS, _IS_OWNED, _OWNED_NAME):
        for m in pattern.finditer(text):
            raw = m.group("value")
            if pattern is _OWNED_IS and not re.match(r"(?:a|an|the)\s|[A-Z0-9]", raw):
                continue  # "User's job is stressful": an adjective, no value
            value, new, named = _value(raw)
            if value:
                new = new or "new" in m.group("mods").split()
                found.append(Frame("User's " + m.group("noun").split()[-1], value, new, named))
    return found


def marks_now(text: str) -> bool:
    """The text says something holds now, in place of something else (textutil.says_now)."""
    return says_now(text)


def marks_current(text: str, frame: Frame) -> bool:
    """The statement says its value holds now, in place of another: "now", "these days", "switched", a new one."""
    return frame.new or marks_now(text) or (bool(_NEW.search(text)) and frame.slot.startswith("User's"))


def rivals(new_text: str, old_text: str) -> bool:
    """Whether `new_text` gives a slot that `old_text` filled another value, and marks it as the current one."""
    olds = frames(old_text)
    if not olds:
        return False
    for frame in frames(new_text):
        if not marks_current(new_text, frame):
            continue
        for old in olds:
            # the same slot, values with no word in common and of one kind (two names, or two common nouns: "reads
            # Dune" and "reads the news now" fill different slots)
            if old.slot == frame.slot and not (old.value & frame.value) and old.named == frame.named:
                return True
    return False


__all__ = ["Frame", "frames", "marks_current", "marks_now", "rivals"]
