"""What a statement says has changed: the value now held, the value given up, or what the old one was.

"I switched to matcha in the mornings" names a new value and no attribute; "I quit espresso" a value given up;
"I'm over my old favourite, now it's all about curry" a new value and only a category for the old one. English marks
such changes with a small, closed set of devices, which is what this module reads (no vocabulary of values):

- verbs of change with their new value after "to" or "for" ("switched to X", "moved on to X", "went from A to X",
  "replaced A with X", "traded A for X", "left A for X");
- a dummy "it" with a time of now ("now it's X", "it's all about X these days");
- "instead" (the clause's object is the new value) and "instead of / rather than A" (A is the old one);
- verbs of ending with the value given up ("quit A", "gave up A", "stopped A", "no more A", "I'm over A",
  "used to <verb> A", "<verb> A anymore");
- "my old / former / previous N": N is what the given-up value was (a category: "favourite", "sport", "car").

Which attribute the change is about is not decided here: the caller compares these phrases with the values of the
facts memory holds (contrast.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..textutil import STOPWORDS
from .attributes import phrase

_DETERMINERS = frozenset("a an the my our some his her their this that these those".split())  # noqa: SIM905
_NOT_VALUES = frozenset(
    """
    it that this them me you him her us something anything everything nothing one ones stuff things thing there
    here now be do get go have make work working doing going getting having time day way point turn
    raining snowing pouring
    over done fine okay ok good great better worse bad hard tough easy nice busy crazy different fun gone back
    ready late early true real official settled
    """.split()  # noqa: SIM905
)  # function words, and the predicate adjectives of a dummy "it" ("it's over now"): no value of anything
_W = r"[\w'’&-]+"
# verbs whose complement after "to" is the new state: "switched to X", "changed over to X", "went from A to X"
_CHANGE_TO_RE = re.compile(
    r"\b(?:(?:switch(?:ed|ing)?|chang(?:ed|ing|e)|mov(?:ed|ing|e)\s+(?:on|over)|convert(?:ed|ing)?|"
    r"transition(?:ed|ing)?|upgrad(?:ed|ing|e)|downgrad(?:ed|ing|e)|(?:went|gone|go|going)\s+(?:over|back))"
    rf"(?:\s+from\s+(?P<old>(?:{_W}\s+){{0,4}}?{_W}))?|"
    rf"(?:went|gone|moved|going)\s+from\s+(?P<old2>(?:{_W}\s+){{0,4}}?{_W}))"  # bare "went to" is travel
    r"\s+to\s+(?!be\b|do\b|get\b|go\b|have\b|make\b|the point\b)",
    re.IGNORECASE,
)
# "replaced A with X", "swapped A for X", "traded (in) A for X", "left A for X"
_REPLACE_RE = re.compile(
    r"\b(?:replac(?:ed|ing|e)|swap(?:ped|ping)?|substitut(?:ed|ing|e)|exchang(?:ed|ing|e)|trad(?:ed|ing|e)"
    rf"(?:\s+in)?|left|ditched|dropped)\s+(?P<old>(?:{_W}\s+){{0,4}}?{_W})\s+(?:with|for)\s+",
    re.IGNORECASE,
)
# a dummy "it" in the present: "now it's X", "it's all about X these days"
_NOW_IT_RE = re.compile(
    r"\b(?:now|these days|nowadays|lately|from now on)\s*,?\s+it['’]s\s+(?:all about\s+|only\s+|just\s+|mostly\s+)?",
    re.IGNORECASE,
)
_IT_NOW_RE = re.compile(
    rf"\bit['’]s\s+(?:all about\s+|only\s+|just\s+|mostly\s+)?(?P<new>(?:{_W}\s+){{0,3}}?{_W})\s+"
    r"(?:for me\s+|every\s+\w+\s+)?(?:now|these days|nowadays)\b",
    re.IGNORECASE,
)
_INSTEAD_OF_RE = re.compile(r"\b(?:instead of|rather than)\s+", re.IGNORECASE)
_INSTEAD_RE = re.compile(r"\binstead\b(?!\s+of)", re.IGNORECASE)
# the value given up follows: "quit espresso", "gave up (playing) tennis", "no more soda", "I'm over sushi"
_ENDED_RE = re.compile(
    r"\b(?:quit|quitting|stopped|stop|gave up|given up|give up|dropped|ditched|cut out|kicked|"
    r"(?:am|'m|’m|got|am totally|'m totally|’m totally|am so|'m so|’m so)\s+over|(?:gone|went)\s+off|"
    r"(?:am|'m|’m)\s+done with|got tired of|no more|moved away from|left behind)\s+"
    r"(?:(?:drinking|eating|playing|doing|having|going to|using|driving|with|on)\s+)?",
    re.IGNORECASE,
)
_USED_TO_RE = re.compile(r"\bused to\s+(?:\w+ly\s+)?(?P<verb>[a-z]+)\s+(?:(?:in|at|for|with)\s+)?", re.IGNORECASE)
_ANYMORE_RE = re.compile(
    r"\b(?:don't|do not|doesn't|does not|didn't|no longer|am not|'m not|’m not|never)\s+(?:\w+ly\s+)?"
    r"(?P<verb>[a-z]+)\s+(?:(?:in|at|for|with|to)\s+)?(?=.*\bany\s?more\b)",
    re.IGNORECASE,
)
# "my old favourite", "the old sport", "my former employer": the given-up value, named by what it was
_OLD_CATEGORY_RE = re.compile(
    r"\b(?:my|the|our)\s+(?:old|former|previous|usual|last)\s+(?P<cat>[a-z]+)(?:\s+(?P<cat2>[a-z]+))?", re.IGNORECASE
)
_QUANTIFIERS = frozenset({"another", "one", "each", "every", "any", "no"})
_OLD_WORDS = frozenset({"in", "old", "former", "previous", "usual"})
# a new favourite implies an old one of the same kind: "my new favourite dish is X", "X is my favourite food now"
_NEW_FAVOURITE_RE = re.compile(
    r"\bmy\s+new\s+(?:favou?rite|fave|go-to)\s+(?P<cat>[a-z]+)\b|"
    r"\b(?:these days|nowadays|now),?\s+my\s+(?:favou?rite|fave|go-to)\s+(?P<cat2>[a-z]+)\b|"
    r"\bmy\s+(?:favou?rite|fave|go-to)\s+(?P<cat3>[a-z]+)\b.*\b(?:now|these days|nowadays)\b",
    re.IGNORECASE,
)
_AUXILIARIES = frozenset(
    "am 'm ’m is are 're ’re was were will 'll ’ll would 'd ’d can could should might must".split()  # noqa: SIM905
)
_FUTURE = frozenset({"will", "would", "'ll", "’ll", "'d", "’d", "shall"})
_PAST_AUXILIARIES = frozenset({"was", "were", "did"})
# simple pasts of common verbs: an episode told, not a habit ("I had pasta instead")
_PAST = frozenset(
    "had went ate drank made took got watched read stayed did saw bought tried chose picked ordered grabbed".split()  # noqa: SIM905
)
_SUBJECT_RE = re.compile(r"\b(?:I|we)(?=\s|['’])", re.IGNORECASE)


@dataclass(frozen=True)
class Change:
    """What changed: `new` the value now held, `old` the value given up, `category` what the old value was
    ("favourite", "sport") when it is not named. Any may be None; a Change always has one of them. `generic`: the
    new value was said as a bare noun phrase ("switched to matcha", "to oat lattes"), the way English names a
    kind of thing (a taste, a pastime) rather than one thing ("switched to a new dentist", "to the night shift").
    `ended`: a verb of ending says the old value is over ("quit", "gave up", "anymore", "used to")."""

    new: str | None
    old: str | None
    category: str | None
    generic: bool = False
    ended: bool = False


def _value(text: str, start: int) -> str | None:
    """The noun phrase at `start`, without leading determiners; None when it is a pronoun or a function word."""
    value = phrase(text, start, max_words=4)
    words = value.split()
    while words and words[0].lower() in _DETERMINERS:
        words.pop(0)
    if not words or words[0].lower() in _NOT_VALUES or words[0].lower() in {"old", "former", "previous"}:
        return None
    return " ".join(words)


def _clean_old(text: str | None) -> str | None:
    if not text:
        return None
    words = [w for w in text.split() if w.lower() not in _DETERMINERS and w.lower() not in _OLD_WORDS]
    return _value(" ".join(words), 0) if words else None


def _object_before(sentence: str, end: int) -> tuple[str | None, bool]:
    """The object of the clause ending at `end` ("These days I do rock climbing | instead" → "rock climbing"): what
    follows the subject's verb (auxiliaries skipped), or the clause itself when it has no subject. None for an
    episode or a plan ("I had pasta instead", "I'll take the bus instead"): a choice made once is no new value.
    With it, whether the object is a bare noun phrase."""
    clause = re.split(r"[,;:—–]|\b(?:and|but|so)\b", sentence[:end])[-1]
    subjects = list(_SUBJECT_RE.finditer(clause))
    if subjects:
        words = clause[subjects[-1].end() :].split()
        if words and words[0].startswith(("'", "’")):  # "I'm", "we'll"
            if words[0].lower().lstrip("'’") in {"ll", "d"}:
                return None, False
            words = words[1:]
        while words and (words[0].lower() in _AUXILIARIES or words[0].lower().endswith("ly")):
            if words[0].lower() in _FUTURE or words[0].lower() in _PAST_AUXILIARIES:
                return None, False
            words.pop(0)
        if not words or words[0].lower() in _PAST or (words[0].lower().endswith("ed") and len(words[0]) > 4):
            return None, False
        rest = " ".join(words[1:])  # past the verb
    else:
        rest = clause
    rest = re.sub(r"^(?:these days|nowadays|now|lately)\s+", "", rest.strip(), flags=re.IGNORECASE)
    return (_value(rest, 0), _bare(rest, 0)) if rest else (None, False)


def _bare(text: str, start: int) -> bool:
    """The phrase at `start` opens with no determiner, possessive or quantifier."""
    first = re.match(r"\s*([\w'’-]+)", text[start:])
    if first is None or (first.group(1)[:1].isupper() and text[:start].strip()):
        return False  # a name ("switched to Initech") is one thing, not a kind
    return first.group(1).lower() not in _DETERMINERS | _QUANTIFIERS


def find_change(sentence: str) -> Change | None:
    """The change a first-person statement states, or None when it states none."""
    generic = False
    new: str | None = None
    old: str | None = None
    category: str | None = None
    m = _CHANGE_TO_RE.search(sentence) or _REPLACE_RE.search(sentence)
    if m:
        new = _value(sentence, m.end())
        old = _clean_old(m.groupdict().get("old") or m.groupdict().get("old2"))
        generic = _bare(sentence, m.end())
    if new is None:
        now_it = _NOW_IT_RE.search(sentence)
        if now_it:
            new = _value(sentence, now_it.end())
            generic = _bare(sentence, now_it.end())
        elif it_now := _IT_NOW_RE.search(sentence):
            new = _value(it_now.group("new"), 0)
            generic = _bare(it_now.group("new"), 0)
    instead_of = _INSTEAD_OF_RE.search(sentence)
    if instead_of:
        old = old or _value(sentence, instead_of.end())
        if new is None:
            new, generic = _object_before(sentence, instead_of.start())
    elif new is None and (instead := _INSTEAD_RE.search(sentence)):
        new, generic = _object_before(sentence, instead.start())
    ended = any(p.search(sentence) for p in (_ENDED_RE, _USED_TO_RE, _ANYMORE_RE))
    if old is None and ended:
        for pattern in (_ENDED_RE, _USED_TO_RE, _ANYMORE_RE):
            found = pattern.search(sentence)
            old = _value(sentence, found.end()) if found else None
            if old:
                break
    cat = _OLD_CATEGORY_RE.search(sentence)
    if cat and cat.group("cat")[:1].isupper():  # "my old Volvo": the old value itself, by name
        old = old or _value(sentence, cat.start("cat"))
    elif cat and (ended or new) and cat.group("cat").lower() not in STOPWORDS:
        # "my old N" says what was given up only in a change ("stopped the old sport", "over my old favourite");
        # elsewhere it is just the past ("I revised one of my old recipes")
        category = cat.group("cat").lower()
        if old and old.lower().startswith(category):  # "my old favourite" read as the old value: it is a category
            old = None
    favourite = _NEW_FAVOURITE_RE.search(sentence)
    if favourite and category is None:
        category = next(c for c in favourite.groups() if c).lower()
    if new and old and new.lower() == old.lower():
        old = None
    if not (new or old or category):
        return None
    return Change(new, old, category, generic and new is not None, ended)


__all__ = ["Change", "find_change"]
