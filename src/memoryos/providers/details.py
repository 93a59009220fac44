"""A vague statement with the detail its own turn gives it: "My aim was to show warmth, love and self-acceptance" and,
from the same turn, "The woman in the painting stands for the journey of acceptance".

A fact is one sentence of a turn, yet a speaker often says *what* and *which* in the sentence just before or after
("I got a new tattoo last week. It's a tiny lighthouse from Peggy's Cove on my left wrist."). A short
statement on its own matches anyone's remark on the same topic, the other speaker's included; with its detail it
says the speaker's own situation. So a statement with few content words takes one neighbouring sentence of the same
turn (the speaker's own words, never the other side's) when that sentence is news about the speaker in its own
right: not a question, greeting, pep talk, "you"-remark or echo, specific (an event, a name, a number, or enough
content words), short, and adding content the statement lacks. The neighbour that adds the most is taken; the
fact keeps its page and time, and the statement as said beside its text (Fact.statement): the fact is embedded,
found and compared by the statement, so a keyed statement takes its detail too (a value said again still finds its
fact by meaning, and retrieval lifts pages for what was said, not for the detail).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..textutil import sentences
from .reported_speech import own_words
from .statements import clean_sentence, informative_words, is_specific, may_be_about_self

VAGUE_MAX_WORDS = 7  # a statement with more content words than this says enough on its own
_MIN_NEW_WORDS = 2  # a detail must add content the statement lacks
_MAX_DETAIL_WORDS = 25  # facts go in prompts: a long sentence is a statement of its own, not a detail
# a sentence that opens by pointing back ("It really conveys unity", "That kind of heart") is about something said
# before it, often the other side's turn it reacts to: it cannot open a fact
_POINTS_BACK_RE = re.compile(r"^(?:it|its|it['’]s|that|that['’]s|this|these|those|he|she|they|his|her|their|such)\b",
                             re.IGNORECASE)  # fmt: skip
# catching up ("Since we last spoke, some big things have happened"): about the conversation, not the news
_CATCH_UP_RE = re.compile(
    r"\bsince\s+(?:we|our|my|the)\s+(?:last\s+)?(?:spoke|talked|chatted|chat|talk|caught up)\b|"
    r"\b(?:we|I)\s+last\s+(?:spoke|talked|chatted)\b",
    re.IGNORECASE,
)
OWN_THING_DETAIL = True  # off: "Cooking and baking are my creative outlets" is too short to be a detail
NO_RESOLUTION_DETAIL = True  # off: "I need to find a better way to ..." may be a statement's detail
GENERIC_YOU_DETAIL = True  # off: a thing described with a generic "your" ("reaching for your dreams") is no detail
# what the speaker's own thing is, told with a copula ("Dance is my stress relief", "These are my grandma's"): the
# speaker's situation in few words, specific though short
_OWN_THING_RE = re.compile(r"^(?:[\w'’-]+\s+){1,4}(?:is|are|was|were)\s+(?:\w+\s+)?(?:my|our)\s+\w+", re.IGNORECASE)
# what the speaker must do next: a resolution, not what the statement was about ("I need to find a better way to
# focus my energy"; a past purpose, "I wanted to capture their unity", says what was done and stays a detail)
_RESOLUTION_RE = re.compile(
    r"^(?:I|we)\s+(?:really\s+|just\s+|still\s+)?(?:(?:need|have)\s+to|must|gotta)\b|"
    r"^(?:I|we)['’](?:ve|ll)\s+(?:got|have)\s+to\b",
    re.IGNORECASE,
)
# a thing described ("It's a story about ...") whose second person is anyone's: "your" before what anyone has
_GENERIC_YOUR_RE = re.compile(
    r"\byour(?=\s+(?:own\s+)?(?:dreams?|goals?|life|lives|heart|mind|soul|fears?|passions?|feelings?|body|"
    r"identity|true\s+self)\b)|\b(?<=being\s)yourself\b",
    re.IGNORECASE,
)
_DESCRIBES_THING_RE = re.compile(r"^(?:it|it['’]s|this|that['’]s)\b", re.IGNORECASE)


def _generic_you(words: str) -> str:
    """A sentence describing a thing ("It's a great story about ... reaching for your dreams") with its generic
    second person taken out, so that the "you"-remark test reads only an address to the other side."""
    if not GENERIC_YOU_DETAIL or not _DESCRIBES_THING_RE.match(words):
        return words
    return _GENERIC_YOUR_RE.sub(lambda m: "oneself" if m.group(0).lower() == "yourself" else "one's", words)


def _specific(words: str) -> bool:
    return is_specific(words) or bool(OWN_THING_DETAIL and _OWN_THING_RE.match(words))


def _position(said: Sequence[str], sentence: str, names: list[str]) -> int | None:
    """Where the statement (a cleaned sentence) is in its turn's sentences."""
    probe = sentence[1:].strip(" .!?")[:40]
    if not probe:
        return None
    return next((i for i, s in enumerate(said) if probe in clean_sentence(s, names)), None)


def detail(sentence: str, turn: str, own_names: list[str], other_names: list[str],
           taken: Sequence[str] = ()) -> tuple[str, bool] | None:  # fmt: skip
    """The sentence of `turn` (the speaker's whole turn) that completes the vague statement `sentence`, cleaned,
    with whether it comes before the statement; None when the statement says enough or no neighbour qualifies.
    `taken`: the turn's statements that are facts of their own (never repeated as a detail)."""
    have = set(informative_words(own_words(sentence)))
    if len(have) > VAGUE_MAX_WORDS:
        return None
    said = sentences(turn)
    names = [*other_names, *own_names]
    at = _position(said, sentence, names)
    if at is None:
        return None
    best: tuple[int, str, bool] | None = None
    for index in (at + 1, at - 1):
        if not 0 <= index < len(said):
            continue
        neighbour = clean_sentence(said[index], names)
        neighbour = neighbour[:1].upper() + neighbour[1:]  # as the turn's statements are written
        if not neighbour or neighbour in taken or len(neighbour.split()) > _MAX_DETAIL_WORDS:
            continue
        if (index < at and _POINTS_BACK_RE.match(neighbour)) or _CATCH_UP_RE.search(neighbour):
            continue
        words = _generic_you(own_words(neighbour))  # others' words the speaker reports are not the speaker's detail
        if not may_be_about_self(words, other_names) or not _specific(words):
            continue
        if NO_RESOLUTION_DETAIL and _RESOLUTION_RE.match(words):
            continue
        new = len(set(informative_words(words)) - have)
        if new >= _MIN_NEW_WORDS and (best is None or new > best[0]):
            best = (new, neighbour, index < at)
    return (best[1], best[2]) if best is not None else None


def with_detail(statement: str, found: tuple[str, bool] | None) -> str:
    """The statement and its detail as one text, in the order they were said."""
    if found is None:
        return statement
    text, before = found
    first, second = (text, statement) if before else (statement, text)
    first = first.rstrip()
    return f"{first}{'' if first.endswith(('.', '!', '?')) else '.'} {second}"
