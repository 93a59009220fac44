"""What a statement says is over, by the words it names: "swapped my morning hot chocolate for chai" ends what was
said about hot chocolate, "dropped badminton" ends "pulled a muscle at badminton practice".

A key closes a fact only when both carry the same attribute; a fact the readers did not key (a passing mention, a
statement in an unfamiliar construction) stays current next to the change and can outrank it. English marks the
thing given up as the object of a small closed set of verbs (quit, stopped, gave up, dropped, swapped, replaced,
...): the head of that object (the last word of the noun phrase right after the verb) names what ended, whatever
the attribute. Only the head: "my morning espresso" ends espresso, not every fact about mornings. No attribute
vocabulary is involved, so it holds for any kind of thing; what it must not do is read a wish, a denial or a
phrasal verb ("stopped by the bakery", "dropped off the kids") as an ending.
"""

from __future__ import annotations

import re

from ..textutil import STOPWORDS, tokens

# verbs whose object is what is given up (not "switched to X" / "moved to X": their object is the new value)
_ENDING_VERB = re.compile(
    r"\b(?:quit|quitting|quits|stopped|stopping|stop|gave up|give up|given up|giving up|dropped|ditched|swapped"
    r"|swapping|replaced|replacing|paused|shelved|traded(?: in)?|cut out|(?:gone|went) off|hung up"
    r"|switched (?:away )?from"
    r"|moved on from|instead of|done with|over with|got rid of|get rid of|abandoned|retired from|resigned from"
    r"|stepped down from|walked away from|broke up with|split (?:up )?with|moved out of|moved away from)\s+",
    re.IGNORECASE,
)
# a particle or preposition right after the verb makes another verb: "stopped by", "dropped off", "gave up on"
_PHRASAL = frozenset("by off in out on at over into around for to with".split())  # noqa: SIM905
# what the speaker did not do, wants to do, or might do is not an ending ("want to quit", "never gave up")
_NOT_DONE = re.compile(
    r"(?:n't|\b(?:not|never|no|want|wants|wanted|wanting|thinking|think|considering|consider|might|may|would|could"
    r"|should|plan|plans|planning|going|gonna|about|trying|try|if|hope|hoping|refuse|refused|can't|cannot|won't"
    r"|almost|nearly|before|after|when|until)\b)\W*(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
_DETERMINERS = frozenset(
    "a an the my our your his her their its this that these those some all any every each one".split()  # noqa: SIM905
)
# the object's noun phrase ends at a clause boundary, a preposition or conjunction, or a manner adverb
# (or at a time: "broke up with Dana last spring", "quit smoking years ago")
_BOUNDARY = re.compile(
    r"[,.;:!?()\"]|\s(?:and|but|so|because|for|with|to|at|in|into|on|of|since|as|after|when|than)\s"
    r"|\s(?:last|this|next|yesterday|today|tonight|now|recently|again|already|ago|\d+|years?|months?|weeks?|days?)\b"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# where the object of a habit ends: as above, or at how often, or at a clause of its own ("a phone they bought")
_OBJECT_BOUNDARY = re.compile(
    r"[,.;:!?()\"]|\s(?:and|but|so|because|for|with|to|at|in|into|on|of|from|since|as|after|when|than|before|around"
    r"|across|along|near|by|every|each|twice|once|they|he|she|we|I|who|which|that|where|now|these|lately|again)\b"
)
# what is given up may be the subject of a passive: "the Fiesta was sold for parts", "the Samsung is retired"
_PASSIVE_ENDING = re.compile(
    r"\b(?:the|my|our|their|his|her|User['’]s)\s+(?P<np>(?:[\w'’-]+\s+){0,2}?[\w'’-]+)\s+"
    r"(?:is|was|are|were|got|has\s+been|have\s+been)\s+(?:now\s+|finally\s+|officially\s+)?"
    r"(?:sold|retired|swapped|replaced|traded\s+in|given\s+away|dropped|ditched|scrapped|rehomed)\b"
)
# a name one is no longer at, with or in ("no longer works at Orchid Games", "not at Orchid Games any longer"), or
# that is behind one ("Quarry Systems is behind me"): the place or firm named is over for the speaker
_NAME = r"(?P<name>[A-Z][\w'’&-]*(?:\s+(?:[A-Z][\w'’&-]*|&)){0,3})"
_NO_LONGER_AT = re.compile(
    r"\bno\s+longer\s+(?:\w+\s+)?(?:at|with|in|for|on)\s+(?:the\s+)?"
    + _NAME
    + r"|\b(?:not|n't)\s+(?:\w+\s+)?(?:at|with|in|for|on)\s+(?:the\s+)?"
    + _NAME.replace("name", "name2")
    + r"\s+any\s?(?:longer|more)\b"
    + r"|"
    + _NAME.replace("name", "name3")
    + r"\s+(?:is|are)\s+(?:now\s+|finally\s+)?behind\s+(?:me|us|them|User)\b"
)
_GIVE_UP = re.compile(r"\b(?:gave|give|given|giving)\s+up\s+$", re.IGNORECASE)


def ended_heads(text: str) -> set[str]:
    """The head words of what the text says was given up ("User swapped their morning hot chocolate for chai" →
    {"chocolate"}); empty for a wish, a denial or a phrasal verb."""
    heads: set[str] = set()
    for match in _ENDING_VERB.finditer(text):
        if _NOT_DONE.search(text[: match.start()]):
            continue
        rest = " " + text[match.end() :]
        if _GIVE_UP.search(match.group(0)) and rest.startswith(" on "):
            rest = rest[3:]  # "gave up on the Cubs" gives up the Cubs
        phrase = rest[: m.start()] if (m := _BOUNDARY.search(rest)) else rest
        if m and match.group(0).lower().startswith("dropped") and m.group(0).strip() in {"in", "on", "into"}:
            continue  # "dropped my phone in the sink": a fall, not a thing given up
        words = _WORD.findall(phrase)
        if not words or words[0].lower() in _PHRASAL:
            continue
        if head := _head(words):
            heads.add(head)
    for match in _NO_LONGER_AT.finditer(text):
        name = match.group("name") or match.group("name2") or match.group("name3")
        if name.lower() not in {"user", "assistant"}:
            heads.add(name.lower())
    for match in _PASSIVE_ENDING.finditer(text):
        if not _NOT_DONE.search(text[: match.start()]) and (head := _head(_WORD.findall(match.group("np")))):
            heads.add(head)
    return heads


def _head(words: list[str]) -> str | None:
    """The head of a noun phrase: its last word before any adverb ("hot chocolate completely" → chocolate), or a
    name in full ("Halcyon Bank", not every bank)."""
    content = [w for w in words if w.lower() not in _DETERMINERS and not w.lower().endswith("ly")]
    while content and content[-1].lower() in STOPWORDS:
        content.pop()
    if not content or len(content[-1]) < 3 or content[-1].lower() in {"user", "assistant"}:
        return None
    name: list[str] = []
    while content and content[-1][0].isupper() and content[-1].lower() not in {"user", "assistant"}:
        name.insert(0, content.pop())
    return " ".join(name).lower() if name else content[-1].lower()


def object_head(phrase: str) -> str | None:
    """The head of the noun phrase a phrase opens with ("the viola in a community orchestra" → "viola", "the number
    12 bus to work" → "bus"; a name in full); None when it opens with a preposition or says nothing."""
    rest = " " + phrase.strip()
    phrase = rest[: m.start()] if (m := _OBJECT_BOUNDARY.search(rest)) else rest
    words = _WORD.findall(phrase)
    if not words or words[0].lower() in _PHRASAL:
        return None
    return _head(words)


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def names_any(text: str, heads: set[str]) -> bool:
    """The text names one of the heads (a plural for a singular and back: "jobs" / "job"; a name in full)."""
    words = [_stem(t) for t in tokens(text)]
    for head in heads:
        parts = [_stem(p) for p in head.split()]
        if any(words[i : i + len(parts)] == parts for i in range(len(words) - len(parts) + 1)):
            return True
    return False


__all__ = ["ended_heads", "names_any", "object_head"]
