"""What a statement points at, said in full: a fact should read on its own, away from the turn it was cut from.

A speaker says "this series is one of my favourites", "I also use it to speak up", "I've been playing for four
months": the series, the "it" and what is played were named a sentence or a turn before. The fact written from the
statement alone says nothing a reader can place (and matches anyone's observation about series, or playing). This
module puts the noun phrase back, read from the statement's own turn and the turns just before, by three rules of
English reference, each needing a clear antecedent and otherwise leaving the sentence as it is:

- a demonstrative noun phrase ("this series", "those books") takes the nearest earlier noun phrase with the same
  head noun that says more ("the Wheel of Time series");
- an elliptical object ("playing for four months", a transitive verb followed by a duration or nothing) takes the
  object the same verb had where it was said before ("play the violin");
- an object pronoun ("use it", "took them") takes the nearest earlier noun phrase of its number.

The lexical rules (same head, same verb) look in the speaker's own words first (this turn, their turn before),
then the other side's turn just before; the pronoun, bound by no shared word, only at the speaker's sentences just
before it in this turn and at what the other side asked (an answer's "it" is what the question was about). An
antecedent in the other side's words is taken only when it is not theirs ("your X" becomes the speaker's "my X";
the other's "my X" is never taken), nor is the speaker's own "your X".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..textutil import STOPWORDS, sentences
from .kin_words import ANYONE, PEOPLE_BY_TIE
from .statements import PAST_FORMS

_DETERMINERS = frozenset("the a an my our your this that these those".split())  # noqa: SIM905
# words that end a noun phrase or cannot be its head: function words, prepositions, conjunctions
_PREPOSITIONS = frozenset(
    """
    of in on at to for from with by about as into onto over under after before since during through between
    against without within among around near like than via per across along behind beyond toward towards upon
    and or but nor so yet if because while when where how why what which who whom whose that than then
    """.split()  # noqa: SIM905
)
_NOT_NOUN = STOPWORDS | _PREPOSITIONS | {"kind", "sort", "lot", "bit", "couple", "bunch", "same", "other", "whole"}
_WORD = r"[A-Za-z][\w'’-]*"
# a determiner and the run of words after it, up to the first that cannot be in a noun phrase
_NP_RE = re.compile(r"\b(?P<det>" + "|".join(_DETERMINERS) + r")\s+(?P<words>" + _WORD + r"(?:\s+" + _WORD + r")*)",
                    re.IGNORECASE)  # fmt: skip
_MAX_NP_WORDS = 6  # room for a title's small words ("the Wheel of Time series")
# what follows a verb whose object was left out: a duration, a frequency, or the end of the clause
_AFTER_BARE_VERB = (
    r"(?=\s+(?:for|since|every|each|all|almost|nearly|about|now|lately|again|a lot|so much)\b|\s*[,.!;:]|\s*$)"
)
_GERUND_RE = re.compile(r"\b(?P<verb>[a-z]{2,}ing)" + _AFTER_BARE_VERB)
# verbs whose -ing form is mostly used without an object, or is a noun ("wedding", "morning")
_INTRANSITIVE = frozenset(
    """
    going coming living working sleeping waiting thinking feeling doing being getting trying looking running
    walking sitting standing staying talking hanging happening growing travelling traveling relaxing resting
    healing improving struggling smiling laughing crying dancing swimming hiking camping shopping moving
    morning evening wedding thing something nothing anything everything ceiling building
    """.split()  # noqa: SIM905
)
# an -ing word after these is an adjective ("it was amazing", "sounds so inspiring"), not a verb missing its object
_ADJECTIVE_SLOT_RE = re.compile(
    r"\b(?:is|was|are|were|it['’]s|that['’]s|sounds?|looks?|seems?|feels?|so|very|really|pretty|super|too|quite|"
    r"most|more|less)\s+$",
    re.IGNORECASE,
)
_OBJECT_PRONOUN_RE = re.compile(
    r"(?<=[a-z])\s+(?P<pron>it|them)(?=\s*[,.!;:]|\s*$|\s+(?:to|for|with|at|in|on|every|each|a lot|so much|"
    r"again|too|now|lately|more|most|all)\b)"
)
# verbs that take "it" as a dummy or in an idiom ("make it", "nailed it", "worth it", "loving it", "gets it"), and
# prepositions after which "it" is an event or a situation more often than a thing
_NOT_REFERRING = frozenset(
    """
    make made making get gets got getting do did doing done have had having keep kept let mean
    meant nail nailed nailing hit pull pulled fake wing winged call called rock rocked worth love loving loved
    enjoy enjoying enjoyed killing kill killed need needs needed hate hated appreciate appreciated mean means
    about of at from into through like after with for
    """.split()  # noqa: SIM905
)
# what "it" cannot stand for: people (any noun naming a person, by a tie or none) and amounts, whose head is the
# measure, not the thing measured ("a pinch of salt")
_PERSONS = PEOPLE_BY_TIE | ANYONE
_AMOUNTS = frozenset(
    """
    pinch piece cup bowl slice glass bottle handful couple bunch lot bit number amount part kind sort type share
    """.split()  # noqa: SIM905
)
_QUESTION_COPULA_RE = re.compile(r"\b(?:what|which|who|how|where)(?:\s+(?:is|was|are|were)|['’]s)\s*$", re.IGNORECASE)
# a noun phrase after a copula or "having" describes, it is not a thing spoken of ("it was a long process",
# "I'm a big fan", "having a blast")
_PREDICATIVE_RE = re.compile(
    r"(?:\b(?:is|was|are|were|be|been|being|am|having|become|became)|['’](?:m|s|re))\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class Context:
    """What was said before a statement: the speaker's own earlier sentences of this turn (nearest first), the
    other side's turn just before, and the speaker's own turn before that."""

    this_turn: tuple[str, ...] = ()
    other_turn: str = ""
    own_turn: str = ""

    def lexical(self) -> list[tuple[str, bool]]:
        """Sentences to search by a shared word, each with whether it is the other side's: own words first."""
        own = [*self.this_turn, *reversed(sentences(self.own_turn))]
        return [(s, False) for s in own] + [(s, True) for s in reversed(sentences(self.other_turn))]


@dataclass(frozen=True)
class Phrase:
    """A noun phrase: its determiner and its words after it (modifiers, then the head)."""

    det: str
    words: tuple[str, ...]

    @property
    def head(self) -> str:
        return self.words[-1]

    def text(self, det: str) -> str:
        return " ".join((det, *self.words))


def _phrases(sentence: str) -> list[Phrase]:
    return [p for p, _ in _placed_phrases(sentence)]


def _placed_phrases(sentence: str) -> list[tuple[Phrase, int]]:
    """The noun phrases led by a determiner, in order, with where each starts: the determiner and the words up to
    the first word that cannot be in one ("the violin now" → the violin); a head that is a function word is no
    phrase ("a lot")."""
    found = []
    for m in _NP_RE.finditer(sentence):
        words: list[str] = []
        run = m.group("words").split()
        for n, word in enumerate(run):
            bare = word.strip("'’")
            low = bare.lower()
            # a title keeps its small words between capitalised ones ("the Wheel of Time series")
            title = words and words[-1][:1].isupper() and n + 1 < len(run) and run[n + 1][:1].isupper()
            if title and low in ("of", "the", "and", "in", "on"):
                words.append(bare)
                continue
            name = bare[:1].isupper() and low != "i"  # a name's words may be common ones ("Time", "Way")
            # a past form after the first word is the verb of the clause ("my sister drove up", "the cake tasted")
            verb = bool(words) and (low in PAST_FORMS or (low.endswith("ed") and len(low) > 4))
            if len(words) >= _MAX_NP_WORDS or (
                not name and (verb or low in _NOT_NOUN or low in _DETERMINERS or low.endswith("ly"))
            ):
                break
            words.append(bare)
        while words and (words[-1].lower().endswith(("ing", "ed")) and not words[-1][0].isupper()):
            words.pop()  # a trailing -ing or -ed word is a verb after the phrase ("the kids playing"), not its head
        if words and words[-1].lower() not in _NOT_NOUN:
            found.append((Phrase(m.group("det").lower(), tuple(words)), m.start()))
    return found


def _noun_stem(word: str) -> str:
    low = word.lower()
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if (low.endswith("es") and low[-3:-2] in ("s", "x", "z")) or low.endswith(("ches", "shes")):
        return low[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us", "is")):
        return low[:-1]
    return low


def _plural(word: str) -> bool:
    return _noun_stem(word) != word.lower()


def _verb_stem(word: str) -> str:
    """A crude stem shared by a verb's forms: play/plays/played/playing → play; dance/dancing → danc."""
    low = word.lower()
    for suffix in ("ing", "ed", "es", "s", "e"):
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            low = low[: -len(suffix)]
            break
    if len(low) >= 4 and low[-1] == low[-2] and low[-1] not in "aeiouls":
        low = low[:-1]  # "running" → runn → run, "shopped" → shopp → shop
    return low.rstrip("e")


def _own_determiner(phrase: Phrase, theirs: bool) -> str | None:
    """The determiner the speaker would use for a phrase found in context, or None when it is not theirs to use:
    the other side's "your X" is the speaker's "my X", their "my X" is the other's own, as is the speaker's own
    "your X"; "a X" said before is "the X" now."""
    det = phrase.det
    if theirs:
        if det in ("my", "our"):
            return None
        if det == "your":
            return "my"
    elif det == "your":
        return None  # the speaker's "your X" is the other's
    return {"a": "the", "an": "the", "this": "the", "that": "the", "these": "the", "those": "the"}.get(det, det)


def _demonstratives(sentence: str, context: Context) -> str:
    """ "this series" → the nearest earlier phrase with the head "series" that names more of it. Without a tagger
    the demonstrative's phrase may run on past its head ("this trilogy twice"): its head is its first word that an
    earlier phrase has as head, and the words before it must be among that phrase's modifiers."""
    for found in _phrases(sentence):
        if found.det not in ("this", "that", "these", "those"):
            continue
        for said, theirs in context.lexical():
            match = None
            for cut in range(1, len(found.words) + 1):
                phrase = Phrase(found.det, found.words[:cut])
                match = next(
                    (
                        p
                        for p in _phrases(said)
                        if _noun_stem(p.head) == _noun_stem(phrase.head)
                        and len(p.words) > len(phrase.words)
                        and {w.lower() for w in phrase.words[:-1]} <= {w.lower() for w in p.words[:-1]}
                        and p.det not in ("this", "that", "these", "those")
                    ),
                    None,
                )
                if match is not None:
                    break
            if match is None:
                continue
            det = _own_determiner(match, theirs)
            if det is None:
                break
            words = (*match.words[:-1], phrase.head)  # the statement's own number ("those books")
            old = re.compile(r"\b" + re.escape(phrase.text(phrase.det)) + r"\b", re.IGNORECASE)
            sentence = old.sub(" ".join((det, *words)), sentence, count=1)
            break
    return sentence


def _object_of(verb: str, said: str) -> Phrase | None:
    """The noun phrase that directly follows a form of `verb` in `said` ("play the violin", "playing my guitar")."""
    stem = _verb_stem(verb)
    for m in re.finditer(r"\b(" + _WORD + r")\s+(?=(?:" + "|".join(_DETERMINERS) + r")\b)", said, re.IGNORECASE):
        if _verb_stem(m.group(1)) != stem or m.group(1).lower() in _NOT_NOUN:
            continue
        phrases = [p for p in _phrases(said[m.end() :]) if said[m.end() :].lower().startswith(p.det)]
        if phrases:
            return phrases[0]
    return None


def _elliptical_objects(sentence: str, context: Context) -> str:
    """ "I've been playing for four months" → "... playing the violin for four months", when the same verb had
    that object before."""
    for m in reversed(list(_GERUND_RE.finditer(sentence))):
        verb = m.group("verb")
        if verb.lower() in _INTRANSITIVE or _ADJECTIVE_SLOT_RE.search(sentence[: m.start()]):
            continue
        for said, theirs in context.lexical():
            found = _object_of(verb, said)
            if found is None:
                continue
            det = _own_determiner(found, theirs)
            if det is not None:
                sentence = sentence[: m.end()] + " " + found.text(det) + sentence[m.end() :]
            break
    return sentence


def _predicative(before: str) -> bool:
    """A phrase after a copula describes ("it was a long process"), except in a question about it ("what is this
    pose?", where it is the subject)."""
    return bool(_PREDICATIVE_RE.search(before)) and not _QUESTION_COPULA_RE.search(before)


def _pronouns(sentence: str, context: Context) -> str:
    """ "I also use it to speak up" → "... use my art ...": the nearest phrase of the pronoun's number in the
    sentences just before (this turn, then the other side's questions): not a person for "it", not an amount, not a
    description ("a long process"). A pronoun in an idiom ("worth it", "loving it") or after a preposition stays."""
    m = _OBJECT_PRONOUN_RE.search(sentence)
    if m is None:
        return sentence
    before = sentence[: m.start()].split()
    if not before or before[-1].lower() in _NOT_REFERRING or before[-1].lower() in _DETERMINERS:
        return sentence
    plural = m.group("pron") == "them"
    # the speaker's own words just before, then what the other side asked: an answer's "it" is what the question
    # was about ("What is this pose?" → "I hold it for a minute"); the rest of their turn is not the topic
    asked = [s for s in reversed(sentences(context.other_turn)) if s.rstrip().endswith("?")]
    nearby = [(s, False) for s in context.this_turn] + [(s, True) for s in asked]
    for said, theirs in nearby:
        phrases = [
            p
            for p, start in _placed_phrases(said)
            if _plural(p.head) == plural
            # "this"/"that" before a plural is a pronoun and its verb ("that takes guts"), not a phrase
            and not (p.det in ("this", "that") and _plural(p.head))
            and not p.head[0].isupper()
            and p.head.lower() not in _AMOUNTS
            and (plural or p.head.lower() not in _PERSONS)
            and not _predicative(said[:start])
        ]
        if not phrases:
            continue
        found = phrases[-1]  # the nearest: the last of the nearest sentence
        det = _own_determiner(found, theirs)
        if det is None:
            return sentence  # the other's own thing: what the speaker did with it is not read as theirs
        return sentence[: m.start()] + " " + found.text(det) + sentence[m.end() :]
    return sentence


def resolve(sentence: str, context: Context) -> str:
    """The statement with what it points at said in full, where the context names it; otherwise unchanged."""
    if not (context.this_turn or context.other_turn or context.own_turn):
        return sentence
    return _pronouns(_elliptical_objects(_demonstratives(sentence, context), context), context)
