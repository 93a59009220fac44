"""What a change replaces, read from the values two statements name rather than from their whole predicates.

The readers before this one compare predicates (habits.py) or read a slot by meaning (stale_slots.py), and both need
a grammar they know on each side: a habit in the present, a state of the speaker's thing, an attribute key. Many
changes are told with neither ("Pottery is User's thing these days" after "User plays darts in the pub league"; "Home
is a narrowboat on the canal these days" after "User rents a flat in Swindon"), and the words a statement shares
with another (days, verbs, "every week") outweigh its value in a whole-sentence comparison. Two rules, for the
extractive facts of one speaker:

- *A value said to be over, by its words* (`ENDED_WORDS`): a clause that says what it names is over ("no more
  running", "doesn't fish anymore", "the knitting needles are gathering dust", "Rafael is out of the picture",
  "sold my drum kit", "no longer at the call centre") ends the earlier current facts that name one of the words of
  that phrase (its modifiers too: "the Spain idea got dropped" is about Spain), by stem ("fish" / "fishing"). The
  endings are English's ways of saying something stopped, not words of any attribute.
- *A value of the same kind* (`VALUE_HEADS`): a statement marked as a change ("now", "these days", "switched",
  "instead", ...) ends the earlier current fact that holds a standing value (an attribute key, or a clause with no
  past tense: not an event) whose value words are the nearest to its own: each side's value words are the nouns
  of its noun phrases (after a determiner or a possessive, a copula's subject, a name, a habit's object); the words
  both name are the frame they share and are left out; the two sides' nearest pair of words by meaning (MiniLM
  cosine) must reach HEAD_FLOOR and beat every other held fact's by HEAD_MARGIN. One fact per statement.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..lexical import index_word as stem
from ..models import Fact
from ..providers.attribute_reader import NOUN_SLOTS
from ..providers.kin_words import PEOPLE_BY_TIE, alternation
from ..textutil import STOPWORDS, tokens
from ..timeexpr import MONTHS, WEEKDAYS
from .habits import predicate
from .named_endings import object_head
from .present_states import marked_now, tells_past

Embed = Callable[[list[str]], np.ndarray]

ENDED_WORDS = True  # a clause saying what it names is over ends the facts naming its words (off: ablations)
VALUE_HEADS = True  # a marked change ends the standing fact whose value words are nearest (off: ablations)
HEAD_FLOOR = 0.4  # the nearest pair of value words, one from each side, at least this near by meaning
HEAD_MARGIN = 0.1  # ... and nearer than any other held fact's pair by this much
# more of English's ways to say a thing is over (traded, replaced, scrapped, buried, "is off", "passed away",
# "X and I split up", "let my X lapse", ...), session 31 (off: ablations)
ENDINGS_MORE = True

# words of time and frequency: when a value holds, not what it is
_TIME = (
    frozenset(
        """
    day days week weeks weekend weekends month months year years night nights morning mornings evening evenings
    afternoon afternoons hour hours minute minutes today tonight yesterday tomorrow spring summer autumn fall winter
    daily weekly time times while
    """.split()  # noqa: SIM905
    )
    | frozenset(w.lower() for w in (*MONTHS, *WEEKDAYS))
    | frozenset(w.lower() + "s" for w in WEEKDAYS)
)
# the speakers and the words of change, which every statement of a change shares
_NOT_VALUES = frozenset(
    """
    user user's users others their them they themselves now nowadays instead switched swapped anymore longer since
    currently lately recently finally new old full fully kind sort
    """.split()  # noqa: SIM905
)
_DETERMINER = r"(?:(?i:a|an|the|my|our|their|his|her|its|your|some|this|that)|User['’]s|[A-Z][\w-]*['’]s)"
_NOUN_PHRASE = re.compile(rf"(?=\b{_DETERMINER}\s+((?:[\w'’-]+\s*){{1,4}}))")
# where a noun phrase ends: punctuation, a preposition or conjunction, a pronoun, a verb of being or having
_PHRASE_END = re.compile(
    r"[,.;:!?()\"]|\s(?:and|but|so|because|for|with|to|at|in|into|on|of|from|since|as|after|when|than|before|around"
    r"|across|along|near|by|every|each|twice|once|they|he|she|we|I|who|which|that|where|now|these|lately|again|is|are"
    r"|was|were|has|have|had|can|will|would|goes|gets|takes|called|named|only|just|still|also|never|always|really"
    r"|usually|often|even|already)\b",
    re.IGNORECASE,
)
# a copula's subject at the start of a clause: "Pottery is User's thing", "Home is a narrowboat"
_COPULA_SUBJECT = re.compile(
    r"(?:^|[;:]\s*|[.!?]\s+|,\s+(?:and\s+|so\s+)?)((?:[A-Za-z][\w'’-]*\s+){0,2}?[A-Za-z][\w'’-]*)\s+(?:is|are)\s+"
    r"(?:User['’]s|their|my|our|what|how|where|the|a|an)\b"
)
_NAME = re.compile(r"(?<![.!?;:]\s)(?<!^)\b[A-Z][\w'’-]+")
# a past tense (an event, not a value that holds): a word in -ed not after a form of be or have, or an irregular past
_BEFORE_PARTICIPLE = frozenset(
    {"is", "are", "am", "be", "been", "being", "has", "have", "gets", "get", "a", "an", "the"}
)

# ---- a value said to be over ----


# an ending said before what ended: "no more running", "quit German class", "sold my drum kit" (not "finished",
# which completes a thing made, nor "dropped", which may be a fall: "dropped my phone in the sink")
def _ends_before(more: bool) -> re.Pattern[str]:
    return re.compile(
        r"\b(?:no\s+more|no\s+longer(?:\s+(?:at|with|in|on|into|doing|playing|going\s+to))?|quit|quitting|stopped|"
        r"gave\s+up(?:\s+on)?|given\s+up(?:\s+on)?|giving\s+up(?:\s+on)?|ditched|sold|hung\s+up|"
        r"moved\s+on\s+from|split\s+(?:up\s+)?with|broke\s+up\s+with|redundant\s+from|last\s+day\s+at|used\s+to\s+\w+"
        + (
            # more of English's endings (ENDINGS_MORE): a thing traded or replaced, a place or firm one is taken away
            # from, a plan scrapped, a pet buried or rehomed, a pastime one burnt out on, a divorce, "ended my X days"
            r"|traded|swapped|switched\s+from|replaced|to\s+replace|away\s+from|scrapped|buried|rehomed|gave\s+away|"
            r"burn(?:ed|t)\s+out\s+on|divorce\s+from|said\s+goodbye\s+to|called\s+it\s+quits\s+with|"
            r"handed\s+in\s+(?:my|our|their|User['’]s)\s+notice\s+at|ended(?=\s+(?:my|our|their|User['’]s)\b)|"
            r"lost(?=\s+(?-i:[A-Z])[a-z]+\s+to\b)|left(?=\s+(?-i:[A-Z])[a-z]+\b)"
            if more
            else ""
        )
        + r")"
        # what one stopped doing is what the gerund does: "stopped going to chess club" ends the club, not "going"
        r"(?:\s+(?:going|doing|playing|attending|visiting|eating|drinking|taking|having|using|riding|driving|"
        r"working))?(?:\s+(?:to|at|on|with|in|into|for))?"
        r"\s+(?P<phrase>[^,.;:!?]+)",
        re.IGNORECASE,
    )


_ENDS_BEFORE = {more: _ends_before(more) for more in (False, True)}
# "let my Portuguese streak die", "let the membership lapse": what was let go
_LET_END = re.compile(
    r"\blet\s+(?P<phrase>(?:my|our|their|the|User['’]s)\s+[^,.;:!?]{1,40}?)\s+(?:die|lapse|go|slide|expire)\b",
    re.IGNORECASE,
)
# "Tomasz and I split up", "Marco and I called it quits": a partner's name as the subject of a parting
_PARTED = re.compile(
    r"\b(?P<phrase>(?-i:[A-Z])[a-z]+)\s+and\s+(?:I|we|User)\s+(?:have\s+|had\s+|finally\s+)?"
    r"(?:split\s+up|broke\s+up|called\s+it\s+quits|divorced|separated|parted\s+ways)\b",
    re.IGNORECASE,
)
# a negation with "any more" / "any longer" around what is no longer done: "doesn't fish anymore", "is not a member
# at PureGym anymore", "not into paella anymore"
_NOT_ANY_MORE = re.compile(
    r"(?:\bnot|n['’]t)\s+(?P<phrase>[^,.;:!?]{1,60}?)\s+any\s?(?:more|longer)\b",
    re.IGNORECASE,
)


# an ending said after what ended, its subject: "the post round is history", "Rafael is out of the picture", "the
# knitting needles are gathering dust", "the Spain idea got dropped", "the smoothie phase is over"
def _ends_after(more: bool) -> re.Pattern[str]:
    return re.compile(
        r"(?P<phrase>[^,.;:!?]+?)(?:\s+(?:is|are|was|were|got|has\s+been|have\s+been)|['’]s\s+been|['’]ve\s+been)\s+"
        r"(?:now\s+|finally\s+|officially\s+)?"
        r"(?:history|over|out\s+of\s+the\s+picture|a\s+thing\s+of\s+the\s+past|gathering\s+dust|dropped|scrapped|"
        r"ditched|sold(?!\s+out)|shelved|behind\s+(?:me|us|them|User)"
        + (
            r"|off(?!\s+(?:to|for|work|sick|duty))|on\s+(?:pause|hold|ice)|written\s+off|rehomed|given\s+away|"
            r"towed\s+away|taken\s+away|called\s+off|cancell?ed|stolen"
            if more
            else ""
        )
        + r")\b",
        re.IGNORECASE,
    )


_ENDS_AFTER = {more: _ends_after(more) for more in (False, True)}
# an ending told with what ended as the subject of a verb in the past: "Pepper passed away", "Barney went to live
# on the farm", "the cello went back to the shop"
_ENDED_SUBJECT = re.compile(
    r"(?P<phrase>[^,.;:!?]+?)\s+(?:sadly\s+|finally\s+)?(?:passed\s+away|died|went\s+back\s+to|"
    r"went\s+to\s+live\s+(?:with|on|at|in)|closed\s+down|folded)\b",
    re.IGNORECASE,
)
# what is wanted, planned, denied or only supposed is not over ("want to quit", "never gave up", "if I stopped")
_NOT_DONE = re.compile(
    r"(?:n['’]t|\b(?:not|never|want|wants|wanted|wanting|thinking|think|considering|consider|might|may|would|could|"
    r"should|plan|plans|planning|going|gonna|about|trying|try|if|hope|hoping|refuse|refused|cannot|almost|nearly|"
    r"before|until|whether))\W*(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
# the verbs a "not ... any more" phrase carries with what it denies ("doesn't do tennis anymore")
_LIGHT_VERBS = frozenset("do does doing have has having go goes going play plays playing get gets".split())  # noqa: SIM905


def _value_word(word: str) -> str | None:
    word = re.sub(r"['’]s$", "", word.lower().replace("’", "'"))
    if word in STOPWORDS or word in _NOT_VALUES or word in _TIME or len(word) <= 2 or any(c.isdigit() for c in word):
        return None
    return word


def _words(phrase: str) -> list[str]:
    return [w for w in dict.fromkeys(_value_word(t) for t in tokens(phrase)) if w]


# where an ended thing's phrase ends besides (ENDINGS_MORE): "buried Nibbles under the apple tree"
_ENDED_PHRASE_END = re.compile(
    r"\s(?:under|over|behind|beside|through|without|about|off|away|back|up|last|this|next)\b", re.IGNORECASE
)


def _cut(phrase: str, ended: bool = False) -> str:
    """A phrase up to where its noun phrase ends."""
    phrase = " " + phrase
    end = _PHRASE_END.search(phrase)
    phrase = phrase[: end.start()] if end else phrase
    more = _ENDED_PHRASE_END.search(phrase) if ended and ENDINGS_MORE else None
    return phrase[: more.start()] if more else phrase


def _possessed(subject: str) -> str:
    """What a subject names when it names a thing's part ("the scooter's battery died": the battery, not the
    scooter); the speaker's own things stay ("User's cello")."""
    if ENDINGS_MORE:
        return re.split(r"\b(?!User['’]s\b)[\w-]+['’]s\s+", subject)[-1]
    return subject


def _clause_before(text: str, at: int) -> str:
    """The words of `text` before `at` in the same clause: a wish or a denial in another clause ("an offer I
    couldn't refuse, so I traded X") is not this ending's."""
    return re.split(r"[,.;:!?]|\b(?:so|and|but|because)\b", text[:at])[-1]


_Ended = tuple[list[str], str, tuple[int, int]]


def _ended_phrases(text: str) -> list[_Ended]:
    """The value words of each phrase `text` says is over, in order, each with the part of `text` that tells its
    ending (up to the end of the phrase: who ended what, not to whom it went) and the span of the ending."""
    if not ENDED_WORDS:
        return []
    found: list[_Ended] = []
    for m in _ENDS_BEFORE[ENDINGS_MORE].finditer(text):
        if _NOT_DONE.search(_clause_before(text, m.start())):
            continue
        phrase = m.group("phrase")
        if m.group(0).lower().startswith("used"):
            if not marked_now(text):
                continue  # "used to compete in dance shows as a kid": a past, not a value replaced now
            phrase = re.sub(r"^\s*\w+\s+", " ", phrase)  # "used to play piano, but now ...": what was played
        cut = _cut(phrase, ended=True)
        end = m.start("phrase") + len(cut) - 1
        found.append((_words(cut), text[:end], (m.start(), end)))
    for m in _NOT_ANY_MORE.finditer(text):
        if re.search(r"\b(?:want|wants|need|needs|can|could|will|would)\b", m.group(0), re.IGNORECASE):
            continue
        found.append(([w for w in _words(m.group("phrase")) if w not in _LIGHT_VERBS], text[: m.end()], m.span()))
    for m in _ENDS_AFTER[ENDINGS_MORE].finditer(text):
        raw = re.split(r"\b(?:and|but|so|because)\b", m.group("phrase"))[-1]
        found.append((_words(_possessed(raw)), text[: m.end()], (m.end("phrase") - len(raw), m.end())))
    if ENDINGS_MORE:
        for m in _ENDED_SUBJECT.finditer(text):
            raw = re.split(r"\b(?:and|but|so|because|when|after|since)\b", m.group("phrase"))[-1]
            if not _NOT_DONE.search(_clause_before(text, m.end("phrase"))):
                # the subject's head and names: "the car battery died" ends the battery, not the car
                words = _words(_possessed(raw))
                names = {w.lower() for w in re.findall(r"\b[A-Z][\w'’-]+", raw)}
                words = list(dict.fromkeys(words[-1:] + [w for w in words if w in names]))
                found.append((words, text[: m.end("phrase")], (m.end("phrase") - len(raw), m.end())))
        for pattern in (_LET_END, _PARTED):
            for m in pattern.finditer(text):
                if not _NOT_DONE.search(_clause_before(text, m.start())):
                    found.append((_words(m.group("phrase")), text[: m.end("phrase")], m.span()))
    return [item for item in found if item[0]]


def _naming(words: list[str], text: str) -> set[str]:
    """The stems that name what a phrase ends: its one word, its names, its modifiers, not its last common noun
    alone."""
    names = {w.lower() for w in re.findall(r"\b[A-Z][\w'’-]+", text)}
    naming = words if len(words) == 1 else [w for w in words[:-1]] + [w for w in words[-1:] if w in names]
    return {stem(w) for w in naming}


def ended_words(text: str) -> set[str]:
    """The stems of the words that name what `text` says is over ("User doesn't fish anymore" → {"fish"}; "The
    Spain idea got dropped" → {"spain"}): a phrase's one word, its names, its modifiers, but not the last common
    noun of a longer phrase alone ("idea", "class", "kit": any fact may name those); empty for a wish, a plan, a
    denial of an ending or a statement of none."""
    found: set[str] = set()
    for words, _told, _span in _ended_phrases(text):
        found |= _naming(words, text)
    return found


def _stems(text: str) -> set[str]:
    return {stem(w) for w in _words(text)}


_PEOPLE = re.compile(rf"\b(?:he|she|his|her|him|hers|{alternation(PEOPLE_BY_TIE)})\b", re.IGNORECASE)


def _others(text: str) -> set[str]:
    """The other people a text names: by their tie to the speaker ("User's sister"), or "they" for a pronoun."""
    pronouns = ("he", "she", "his", "her", "him", "hers")
    return {"they" if w.lower() in pronouns else w.lower() for w in _PEOPLE.findall(text)}


def about_the_same_people(new_text: str, fact: Fact) -> bool:
    """Every other person the new statement names is named by the held fact too (a pronoun, by anyone): "User's
    sister teaches violin now" is her change, not one of User's piano lessons; "User's son is at Kingsmead now, he's
    grown" may replace the son's school."""
    new, held = _others(new_text), _others(fact.said)
    return new - {"they"} <= held and ("they" not in new or bool(held))


def only_ending(text: str) -> bool:
    """The statement says what is over and names no other value ("I scrapped the MBA idea", "User's last day at
    Pinewood Clinic was in March"; not "I gave up keto for a Mediterranean diet")."""
    phrases = _ended_phrases(text)
    if not phrases:
        return False
    rest = list(text)
    for _, _, (start, end) in phrases:
        rest[start:end] = [" "] * (end - start)
    # nothing said besides the ending ("I gave up badminton and took up cycling" says what came next)
    return not _words(re.sub(r"\b(?:User|Assistant)['’]s\b", " ", "".join(rest)))


def ended_facts(new_text: str, held: Sequence[Fact]) -> list[Fact]:
    """The facts among `held` (current, of the new statement's speaker, said before it) that name a word of what
    `new_text` says is over and none of the value words it says outside that (the new value), and no other person
    than the fact names in the part that tells the ending ("User's uncle sold his golf clubs" is the uncle's; "the
    hamster went to live with User's niece" is the speaker's hamster)."""
    phrases = _ended_phrases(new_text)
    if not phrases:
        return []
    over = {stem(w) for words, _, _ in phrases for w in words}
    new_value = {stem(w) for w in value_words(new_text)} - over
    found: list[Fact] = []
    for f in held:
        named = _stems(f.said)
        if named & new_value:
            continue
        if any(named & _naming(words, new_text) and about_the_same_people(told, f) for words, told, _ in phrases):
            found.append(f)
    return found


# ---- a value of the same kind ----

_ONGOING = re.compile(r"\b(?:currently|at\s+the\s+moment|at\s+present)\b", re.IGNORECASE)
_CHANGED = re.compile(r"\b(?:switched|swapped|replaced|traded|moved\s+on|instead|changed)\b", re.IGNORECASE)


def marked_change(text: str) -> bool:
    """The statement says its value is new ("now", "these days", "switched", "instead") or that one is over;
    "currently" and "at the moment" alone say what goes on (stale_slots.marks_change)."""
    bare = _ONGOING.sub(" ", text)
    return marked_now(bare) or bool(_CHANGED.search(bare)) or bool(ended_words(text))


def _is_event(text: str) -> bool:
    """A past tense in the text: an event told, not a value that holds."""
    return tells_past(text, _BEFORE_PARTICIPLE)


def value_words(text: str) -> list[str]:
    """The words that say what a statement's values are: the nouns of its noun phrases (after a determiner or a
    possessive), a copula's subject, its names and a habit's object; not its verbs, times or the speaker."""
    found: list[str] = []
    for m in _NOUN_PHRASE.finditer(text):
        found += _words(_cut(m.group(1)))
    for m in _COPULA_SUBJECT.finditer(text):
        found += _words(m.group(1))
    found += _words(" ".join(_NAME.findall(text)))
    habit = predicate(text)
    if habit and " " in habit and (head := object_head(habit.split(" ", 1)[1])):
        found += _words(head)
    return list(dict.fromkeys(found))


_CACHES: weakref.WeakKeyDictionary[Any, dict[str, np.ndarray]] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()
_CACHE_SIZE = 20_000


def _vectors(words: list[str], embed: Embed) -> dict[str, np.ndarray]:
    """Unit vectors of single words, kept per embedder (the same words recur in every batch)."""
    owner = getattr(embed, "__self__", embed)
    with _CACHES_LOCK:
        try:
            cache = _CACHES.setdefault(owner, {})
        except TypeError:  # an owner that cannot be weakly referenced: no cache
            cache = {}
    missing = [w for w in dict.fromkeys(words) if w not in cache]
    if missing:
        vectors = np.asarray(embed(missing), dtype=np.float32)
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        with _CACHES_LOCK:
            if len(cache) > _CACHE_SIZE:
                cache.clear()
            cache.update(zip(missing, vectors, strict=True))
    return {w: cache[w] for w in words}


# a feeling or a taste ("User loves playing the piano", "contemporary is their top pick"): another value told as
# what one does now ("is learning the violin now") does not replace it
_FEELING = re.compile(
    r"\b(?:loves?|likes?|enjoys?|adores?|hates?|prefers?|wants?|wish|wishes|hopes?|dreams?|misses|feels?|feeling|"
    r"favou?rite|top\s+pick|fan\s+of|passion(?:ate)?)\b",
    re.IGNORECASE,
)


_CLAUSES = re.compile(r"[;:]|,\s*(?:and\s+|but\s+|so\s+)?|\s+(?:and|but|so|because)\s+")
_CHANGE_VERBS = re.compile(r"\b(?:switched|swapped|replaced|traded|changed|moved)\b", re.IGNORECASE)


def standing(fact: Fact) -> bool:
    """A value that holds (an attribute key, or a statement with no past tense), not an event, an ending, a feeling
    or a taste."""
    from .facts import says_ended  # facts imports this module

    said = fact.said
    return (bool(fact.attribute) or not _is_event(said)) and not says_ended(said) and not _FEELING.search(said)


def same_kind(new_text: str, held: Sequence[Fact], embed: Embed | None) -> Fact | None:
    """The standing fact among `held` (current, of the new statement's speaker, said before it) whose value words
    are nearest by meaning to those of `new_text`, a statement marked as a change, with the margin over the rest."""
    if not VALUE_HEADS or embed is None or _FEELING.search(new_text):
        return None  # "now User's relationships feel more genuine": a feeling, not a value in another's place
    if not any(not _is_event(_CHANGE_VERBS.sub(" ", c)) and marked_now(c) for c in _CLAUSES.split(new_text)):
        return None  # "I had ramen instead": an event, not a value that holds now
    own = value_words(new_text)
    if not own:
        return None
    own_stems = {stem(w) for w in own}
    pool = [
        (f, value_words(f.said))
        for f in held
        if standing(f) and f.attribute not in NOUN_SLOTS and about_the_same_people(new_text, f)
    ]
    pool = [(f, words) for f, words in pool if words]
    if not pool:
        return None
    vectors = _vectors(own + [w for _, words in pool for w in words], embed)
    scores = []
    for _, words in pool:
        shared = own_stems & {stem(w) for w in words}
        mine = [w for w in own if stem(w) not in shared]
        theirs = [w for w in words if stem(w) not in shared]
        if not mine or not theirs:
            scores.append(0.0)  # nothing but the frame both share: said again, or nothing to compare
            continue
        sims = np.stack([vectors[w] for w in mine]) @ np.stack([vectors[w] for w in theirs]).T
        scores.append(float(sims.max()))
    order = np.argsort(scores)[::-1]
    best = scores[order[0]]
    second = scores[order[1]] if len(order) > 1 else 0.0
    return pool[order[0]][0] if best >= HEAD_FLOOR and best - second >= HEAD_MARGIN else None


__all__ = [
    "ENDED_WORDS",
    "HEAD_FLOOR",
    "HEAD_MARGIN",
    "VALUE_HEADS",
    "about_the_same_people",
    "ended_facts",
    "ended_words",
    "marked_change",
    "only_ending",
    "same_kind",
    "standing",
    "value_words",
]
