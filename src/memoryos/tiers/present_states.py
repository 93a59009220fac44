"""A present state marked as new, told with something other than the speaker as its subject: "the company shuttle
bus picks me up at the corner now", "Breakfast is a smoothie these days", "A veg box gets delivered instead", "my
commute is an e-scooter ride now", "Thursdays are for the board game café now".

The habit reader (habits.py) takes a change only when the speaker is the subject ("User swims laps now"). People as
often tell what their days are made of now with the thing as the subject, or copular. Such a clause says what holds
for the speaker now when it is (1) marked as holding now ("now", "these days", "instead", "since January"), (2) in
the present (no past tense, no plan, wish or denial), (3) about the speaker: it names them ("me", "my", "for me") or
its subject is a thing, not another person ("my sister is a nurse now" is hers), and (4) has enough content to be a
value. The speaker as subject is the habit reader's, except where they are somewhere or something ("User is on
Android now"). Its predicate is the clause without the words of change and time; the habit reader compares it by
meaning with the habits held, as it does a habit's, and with the states held by the speaker's things ("User's
commute is a ferry ride", "Planet Fitness is User's gym"; not one under way, not a taste).
"""

from __future__ import annotations

import re

from ..providers.kin_words import PEOPLE_BY_TIE, alternation
from ..textutil import STOPWORDS, says_now, tokens
from .frames import IRREGULAR_PAST

PRESENT_STATES = True  # off: only the speaker as subject reads a change (for ablations)
HELD_STATES = True  # off: a change ends only a habit, not a state held by the speaker's thing (for ablations)

# clauses of a statement: after a semicolon, a sentence end, or a comma / conjunction that starts a new clause
_CLAUSE_SPLIT = re.compile(
    r"[;:]\s*|[.!?]\s+|,?\s+(?:but|so|because|while)\s+|,\s+(?:and\s+)?|"
    r"\s+and\s+(?=(?:the|a|an|my|our|I|we|it|that|there|User|they|these|this)\b)"
)
# "since" with a time: a change dated from then ("since January", "since the summer", "since the move"); not "since
# the Kobe days", which says a state goes on
_SINCE = re.compile(
    r"\b[Ss]ince\s+(?:(?:the|last|this)\s+(?:spring|summer|autumn|fall|winter|move|new\s+year|wedding|start)|"
    r"(?:last|this)\s+(?:week|month|year|spring|summer|autumn|fall|winter)|January|February|March|April|May|June|"
    r"July|August|September|October|November|December|spring|summer|autumn|winter|then)\b"
)
_CHANGE_WORDS = re.compile(
    r"\b(?:now|these\s+days|nowadays|currently|at\s+the\s+moment|at\s+present|from\s+now\s+on|instead|"
    r"since\s+(?:the\s+|last\s+|this\s+)?\w+)\b",
    re.IGNORECASE,
)
# a plan, a wish, a denial or an ending: not a value that holds now (endings are named_endings' to read)
_NOT_A_STATE = re.compile(
    r"n['’]t\b|\b(?:not|no|never|nothing|quit|stopped|used\s+to|wants?|wish|hope|plan|plans|planning|going\s+to|"
    r"gonna|will|would|could|should|might|if|anymore|any\s+more|longer)\b|['’]ll\b|\?",
    re.IGNORECASE,
)
_PAST_AUX = frozenset({"was", "were", "had", "did", "got", "went", "came"})
# what a present passive or perfect leans on ("gets delivered", "is made", "has been moved"): not a past tense
_PARTICIPLE_AUX = frozenset({"is", "are", "am", "gets", "get", "be", "been", "being", "'s", "'re", "'m"})
# the speaker is somewhere or something: "User is on Android now", "they're with Triodos", "User is the head barista"
_SPEAKER_IS = re.compile(
    r"\b(?:User|I|we|they)(?:\s+(?:is|are|am)|['’](?:re|m))\s+(?:now\s+)?(?:on|with|at|in|into)?\s*"
    r"(?:a|an|the|(?-i:[A-Z]\w+))\b",
    re.IGNORECASE,
)
_PROGRESSIVE = re.compile(r"\b(?:is|are|am|['’]re|['’]m|['’]s)\s+(?:\w+\s+)?\w{3,}ing\b", re.IGNORECASE)
_TASTE = re.compile(r"\b(?:favou?rite|best|worst|least|most)\b", re.IGNORECASE)
_DETERMINERS = frozenset({"a", "an", "the", "my", "our", "their", "your", "this", "that", "some"})  # "a shared desk"
# the speaker, in either person: the statement as said ("my", "me") or as a fact ("User's", "them")
_SPEAKER = re.compile(r"\b(?:I|me|my|mine|myself|we|us|our|User|User's|them|their|they)\b|\bI['’]", re.IGNORECASE)
# a subject that is another person: a pronoun of a third person, a relative or someone one knows, or a name (the
# closed classes of English that name people by their tie to the speaker)
_OTHER_PERSON = re.compile(rf"\b(?:he|she|his|her|him|hers)\b|\b(?:{alternation(PEOPLE_BY_TIE)})\b", re.IGNORECASE)
_LEADING = re.compile(
    r"^(?:(?:it|that|this|there)(?:\s+is|['’]s)|(?:these|those)\s+are|(?:so|and|but|then|well|also)\b,?|"
    r"['’](?:re|s|m)\b)\s*",
    re.IGNORECASE,
)
# the first verb-like word: a form of be, a word in -s, or a contraction of "is" after a pronoun ("there's")
_FIRST_VERB = re.compile(r"\b(?:is|are|am|[a-z]{3,}s)\b|\b(?i:it|he|she|that|there|what|who|here)['’]s\b|['’]re\b")
_MIN_CONTENT = 2  # "the tram" alone is too little to say what holds


def marked_now(text: str) -> bool:
    """The statement says its value holds now, in place of another ("now", "these days", "switched", "instead",
    "anymore", "since January")."""
    return says_now(text) or bool(_SINCE.search(text))


def _content(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOPWORDS and len(t) > 2 and t.lower() != "user"]


def tells_past(text: str, not_after: frozenset[str]) -> bool:
    """A past tense in the text: an auxiliary or irregular past, or a word in -ed that is not a participle (one after
    a word of `not_after`, or after "'s" / "'re", is one: "is retired", "a shared desk")."""
    words = [w.lower().replace("’", "'") for w in re.findall(r"[A-Za-z'’]+", text)]
    for i, word in enumerate(words):
        if word in _PAST_AUX or word in IRREGULAR_PAST:
            return True
        if word.endswith("ed") and len(word) > 4:
            before = words[i - 1] if i else ""
            if before not in not_after and not before.endswith(("'s", "'re")):
                return True  # "retired", "moved": an event told in the past
    return False


def _is_present(clause: str) -> bool:
    return not tells_past(clause, _PARTICIPLE_AUX | _DETERMINERS)


def _subject(clause: str) -> str:
    """The words before the clause's first verb-like word (a form of be, or a word in -s after a noun)."""
    for m in _FIRST_VERB.finditer(clause):
        if not re.search(r"(?:\b(?:User['’]s|my|our|their|the|a|an|his|her)|['’]s)\s+$", clause[: m.start()]):
            return clause[: m.start()]  # not the noun a possessive or an article opens ("my kids", "the bus")
    return clause


def _speakers_clauses(text: str) -> list[str]:
    """The clauses of `text` that tell a present state of the speaker's (none of another person's, no past, plan,
    wish or denial), each with enough content to be a value."""
    found = []
    for clause in _CLAUSE_SPLIT.split(text.strip()):
        clause = clause.strip(" ,.!")
        if not clause or _NOT_A_STATE.search(clause) or not _is_present(clause):
            continue
        subject = _subject(_CHANGE_WORDS.sub(" ", clause).strip())
        bare = _CHANGE_WORDS.sub(" ", clause)
        speaker = re.fullmatch(r"\s*(?:User|I|we|they|User and others)\s*", subject, re.IGNORECASE) or re.match(
            r"\s*(?:I|we|they)['’]|\s*(?:User|I|we|they)\s+(?!and\b)[a-z]", bare, re.IGNORECASE
        )
        if speaker and not _SPEAKER_IS.search(clause):
            continue  # the speaker doing something is the habit reader's (habits.predicate); "User is ready" no value
        if _OTHER_PERSON.search(subject) or re.search(r"\b(?:he|she|his|her)\b", clause, re.IGNORECASE):
            continue  # another person's state ("User's niece has the oboe now")
        names = [w for w in re.findall(r"\b[A-Z][a-z]+\b", subject) if w not in ("User", "I")]
        if names and not _SPEAKER.search(clause) and subject.split()[:1] != names[:1]:
            continue  # "... Ruth drives": a name as the subject, and not a value of the speaker's
        content = len(_content(_CHANGE_WORDS.sub(" ", clause)))
        if speaker and re.search(r"(?<!^)\b(?!User\b|I\b)[A-Z]\w+", clause):
            content += 1  # a name says what the speaker is on or with ("User is on a MacBook now")
        if content >= (_MIN_CONTENT if _SPEAKER.search(clause) else _MIN_CONTENT + 1):
            found.append(clause)  # with no word of the speaker's, a clause needs more to be about their life
    return found


def state_clause(text: str) -> str | None:
    """The clauses of `text` that tell a state of the speaker's marked as holding now, or None. The mark holds for
    the sentence's clauses joined to the marked one ("There's a rowing machine in the spare room now and that's my
    morning workout"), not for one cut off by a past ("Ruth retired, and the shuttle bus picks me up now")."""
    if not PRESENT_STATES or not marked_now(text):
        return None
    clauses = _speakers_clauses(text)
    if not any(marked_now(c) for c in clauses) and not marked_now(_CLAUSE_SPLIT.split(text.strip())[0]):
        return None  # the mark is on a clause that is not the speaker's state
    return "; ".join(clauses) or None


def held_state(text: str) -> str | None:
    """A state held by the speaker's thing, told with it as the subject or copular ("User's commute is a ferry ride
    across the harbour", "Planet Fitness is User's gym"): the clause naming the speaker's thing, or None."""
    if not PRESENT_STATES or not HELD_STATES:
        return None
    for clause in _speakers_clauses(text):
        if _PROGRESSIVE.search(clause) or _TASTE.search(clause):
            continue  # "User's writing is going well": under way; "X is User's favourite book": a taste, which
            # only another taste replaces (the key rule's), not what one does now
        if re.search(r"^\s*User['’]s\s+\w+|\bis\s+User['’]s\b", clause) and not marked_now(clause):
            return clause
    return None


def _as_predicate(clause: str | None) -> str | None:
    """A state's clause without the words of change and time, the speaker and an empty opening ("it's")."""
    if clause is None:
        return None
    clause = _CHANGE_WORDS.sub(" ", clause)
    clause = re.sub(r"\b(?:User['’]s|User|(?:for\s+)?them|(?:for\s+)?me|their|they|my|I)\b", " ", clause)
    clause = _LEADING.sub("", re.sub(r"\s{2,}", " ", clause).strip())
    return " ".join(clause.split()).lower() if _content(clause) else None


def state_predicate(text: str) -> str | None:
    """What holds now, from a fact's text that tells a state of the speaker's marked as new (`state_clause`)."""
    return _as_predicate(state_clause(text))


def held_predicate(text: str) -> str | None:
    """What the speaker's thing is or does, from a held fact's text (`held_state`)."""
    return _as_predicate(held_state(text))


__all__ = [
    "HELD_STATES",
    "PRESENT_STATES",
    "held_predicate",
    "held_state",
    "marked_now",
    "state_clause",
    "state_predicate",
]
