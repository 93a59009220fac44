"""Who said what about themselves: the self-statements of one side of a page, as third-person facts.

The no-LLM path learns from what a speaker says about their own life: "I adopted a puppy last week" said by the user
is a user fact, said by the assistant (a companion persona, or the second speaker of a recorded dialogue) an
assistant fact. Not facts: questions, greetings, thanks, filler and chit-chat, encouragement ("I'm always here for
you"), suggestions ("let's ..."), and anything about the other party ("you ...", or naming the other speaker).

A fact is written in the third person with the side as its subject ("User adopted a puppy in the week of 1 May
2023"): the kind already says whose fact it is, the text must read unambiguously wherever it is shown (a prompt, a
list of both kinds), and "User" stays true whatever the person is called. Relative time is resolved against the
page's timestamp (memoryos.timeexpr).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..textutil import STOPWORDS, content_tokens, sentences
from ..timeexpr import resolve_relative
from .reported_speech import balanced, own_words, verbatim

# "Caroline: I went ..." — a short capitalised label opening a side (benchmarks and transcripts write them)
_LABEL_RE = re.compile(r"^\s*(?P<name>[A-Z][\w.'’-]{0,30}(?:\s[A-Z][\w.'’-]{0,30}){0,2})\s?:\s+")
_NOT_LABELS = frozenset(
    "note update ps edit fyi question answer reminder todo warning important re fw subject summary p.s tl;dr".split()  # noqa: SIM905
)
# attachment notes a transcript appends ("[shares a photo: a dog on a beach]"): what was sent, not what was said
_ATTACHMENT_RE = re.compile(r"\s*\[(?:shares?|shared|sends?|sent|attach\w*|photo|image)\b[^\]]*\]", re.IGNORECASE)

_INTERJECTION_RE = re.compile(
    r"^(?:(?:oh+|ooh|wow+|woah|whoa|yeah|yes|yep|yup|yay|well|so|hey|ok|okay|haha|hah|lol|hmm+|ah+|aw+|omg|gosh|man|"
    r"dude|honestly|actually|anyway|anyways|btw|by the way|and|but|also|plus|sure|totally|definitely|absolutely|"
    r"nope|no|cool|great|nice|awesome|true|right|exactly|indeed|oof|ugh|phew|hehe|heh|um+|uh+|speaking of which|"
    r"guess what|fun fact|funny enough|as for me|for me|me too|same here|same|you know what|you know|"
    r"in fact|to be honest|tbh|lately|recently|guess what|believe it or not|"
    r"you(?:['’]ll| will)? (?:won['’]t|will never|never|wouldn['’]t) (?:believe|guess) (?:it|this|what(?: happened)?))"
    r"\b[\s,!.:;—–-]*)+",
    re.IGNORECASE,
)
# "you know" is filler, except as what one lets or makes the other know ("I wanted to let you know I ...")
_FILLER_RE = re.compile(r",?\s*\b(?:(?<!let )(?<!make )you know|you see|i mean|kinda|sorta|like,)\b,?", re.IGNORECASE)
# telling the other something frames the news; the news is what follows ("I just wanted to let you know I ran a
# marathon", "Haven't talked in a while, wanted to tell you we're moving")
_ADDRESS_RE = re.compile(
    r"^(?:[^,.!?]{1,40},\s*)?(?:I\s+)?(?:just\s+)?"
    r"(?:(?:(?:wanted|want|had|have|need|needed|got)\s+to\s+|gotta\s+|must\s+)?(?:let\s+you\s+know|tell\s+you)|"
    r"(?:wanted|want|had|have|need|needed|got)\s+to\s+(?:say|share|mention))"
    r"\s*(?:that\s+|[,:—–-]\s*)?(?=(?:I|we|my|our)\b)",
    re.IGNORECASE,
)
# catching up frames the news that follows ("A lot's happened since we last talked - I joined a hiking club",
# "Since we last spoke, I've moved"): the news is what follows, with its speaker as subject
_CATCH_UP_RE = re.compile(
    r"^(?:[\w'’]+\s+){0,5}?since\s+(?:we|I)\s+(?:last\s+)?(?:spoke|talked|chatted|caught\s+up|saw\s+each\s+other|"
    r"connected|messaged|texted)(?:\s+last)?\s*(?:[-–—:,]|\.\.\.)\s*(?=(?:I|we|my|our)\b)",
    re.IGNORECASE,
)
_SECOND_PERSON_RE = re.compile(r"\b(?:you|your|yours|yourself|yourselves|ya|y'all|u|ur)\b|\byou['’]", re.IGNORECASE)
# the speaker as the subject: at the start, or after a short opening ("Last week I ...", "When I was a kid, I ...");
# a first person only as an object ("Books guide me", "It made me think") is an opinion, not news about them
_SELF_SUBJECT_RE = re.compile(
    r"^(?:(?:[\w'’-]+\s+){0,5}?[\w'’-]+,\s+(?:(?:and|so|but)\s+)?(?:(?:now|then|also)\s+)?|"  # "Sadly, ... and now I"
    r"(?:yesterday|today|tonight|recently|lately|finally|now|then|also|these days|nowadays|right now|at the moment|"
    r"last\s+\w+|this\s+\w+|next\s+\w+|the other day|(?:a|one|two|three|a few|a couple of)\s+\w+\s+ago|"
    r"(?:on|in|at|after|since|during|over)\s+(?:the\s+)?\w+)\s+|"
    r"(?:after|when|since|once|now that|because|before|as soon as)\s+[^,.!?]{1,60}?,?\s+(?=(?:I|we)\b)|"  # After X, we
    r"[^,.!?]{1,50}?\s+(?:and|so)\s+(?:(?:now|then)\s+)?(?=(?:I|we)\b))?"  # "Sam proposed and we're engaged"
    r"(?:I|I['’](?:m|ve|d|ll)|we|we['’](?:re|ve|d|ll)|my|our|me and|my \w+ and I)\b",
    re.IGNORECASE,
)
# openers of time the rule above leaves out: "A few weeks later we ...", "From Monday I'm ...", "Ever since I bought
# the van, I've been ..." (TIME_OPENERS)
_TIME_OPENER_RE = re.compile(
    r"^(?:(?:a|one|two|three|a few|a couple of|some)\s+\w+\s+later|from\s+\w+(?:\s+on)?|since\s+then|"
    r"ever\s+since\s+[^,.!?]{1,60}?,)\s*,?\s+"
    r"(?:I|I['’](?:m|ve|d|ll)|we|we['’](?:re|ve|d|ll))\b",
    re.IGNORECASE,
)
# a short heading before the news ("Big news: I moved", "Change of plans: ..."): the news is what follows
_OPENER_RE = re.compile(r"^(?:[\w'’-]+\s+){0,3}[\w'’-]+:\s+(?=[A-Z])")
# agreeing with what the other said ("I love that show too"): theirs first, not news about the speaker
_ECHO_RE = re.compile(r"\b(?:too|as well|either)\s*[.!]*$", re.IGNORECASE)
_NOT_A_FACT_RE = re.compile(
    r"^(?:thanks|thank|thx|ty|congrats|congratulations|sorry|good luck|best of luck|bye|goodbye|see ya|see you|"
    r"take care|cheers|hi|hello|hey|welcome|happy|glad|nice to|great to|good to|good morning|good night|"
    r"sounds|looks|seems|that's|that is|that was|that sounds|that looks|what a|how|what|why|when|where|who|which|"
    r"let's|let us|shall we|we should|we could|we can|can't wait|cannot wait|hope|hopefully|i hope|i wish|"
    r"i bet|i agree|i totally agree|i know|i knew|i guess|i understand|i see|i can imagine|i can tell|"
    r"i appreciate|i'm glad|i am glad|i'm sorry|i am sorry|i'm so sorry|i'm happy for|i'm proud of|i'm here|"
    r"i am here|i'll be here|i'm always here|i'm rooting|i'm sure|i am sure|i'm excited to hear|i can't wait|"
    r"i cannot wait|i'm looking forward to hearing|i'd love to hear|i'd love to see|i would love to|"
    r"me too|same here|same|agreed|exactly|absolutely|definitely|totally|of course|no worries|no problem|"
    r"keep it up|keep going|go for it|you|your|yours)\b",
    re.IGNORECASE,
)
# encouragement and resolutions with nothing concrete in them ("I'll keep pushing", "I won't give up on my
# dreams"), advice to the other party ("I'd recommend ..."), and what is about both speakers ("we both", "each other")
_PEP_TALK_RE = re.compile(
    r"\b(?:keep|kept|keeps)\s+(?:on\s+)?(?:going|pushing|moving|trying|working|at it|chasing|plugging|fighting|"
    r"believing|it up|rocking|growing|learning|dreaming|smiling|that in mind)\b|"
    r"\b(?:give|giving|gave)\s+up\s+on\s+(?:my|our)\b|\bnot\s+(?:gonna|going to)\s+give\s+up\b|"
    r"\b(?:reach|achieve|follow|pursue|chase|chasing|make|making)\s+(?:my|our)\s+(?:\w+\s+)?(?:dreams?|goals?)\b|"
    r"\b(?:do|doing|try|trying)\s+(?:my|our)\s+best\b|\bgive\s+it\s+(?:my|our)\s+(?:best|all)\b|\bstay(?:ing)?\s+(?:positive|motivated|optimistic|strong|"
    r"focused|hopeful)\b|\bmake\s+it\s+happen\b|\bbelieving\s+in\s+(?:myself|ourselves)\b|"
    r"\b(?:I|we)(?:\s+would|['’]d)?\s+(?:highly\s+)?(?:recommend|reccomend|suggest|advise)\b|"
    r"\b(?:we|us)\s+both\b|\bboth\s+of\s+us\b|\beach\s+other\b|\bwe\s+all\b|\btogether\b|"
    # taking up what the other suggested, or offering them a hand: about their thing, not news of the speaker's
    r"\b(?:I['’]ll|I\s+will|I['’]d\s+love\s+to|I\s+would\s+love\s+to|I['’]d\s+be\s+happy\s+to|I['’]m\s+happy\s+to)\s+"
    r"(?:(?:definitely|totally|surely|gladly)\s+)?(?:check\s+(?:it|that|them|this|those)\s+out|"
    r"give\s+(?:it|that|them|this)\s+a\s+(?:try|go|shot|look)|look\s+into\s+(?:it|that|this)|"
    r"add\s+(?:it|that|this)\s+to\s+my\s+list|lend\s+(?:you\s+)?a\s+hand|help\s+you\b)|"
    # a generic "our" ("Our stories can inspire others"): people in general, not the speaker
    r"^(?:our|we)\s+\w+\s+(?:can|could|should|must)\b",
    re.IGNORECASE,
)
# a wish about something named only by a pronoun ("I'd love to explore them someday", "I want to help make their lives
# better"): what it is about was said elsewhere, so the fact says nothing on its own
_WISH_ABOUT_PRONOUN_RE = re.compile(
    r"^(?:I(?:['’]d|\s+would)\s+(?:really\s+)?(?:love|like)\s+to|I\s+(?:really\s+)?(?:want|hope|dream|wish)"
    r"(?:\s+to|\s+of)?)\s+(?:\w+\s+){0,2}(?:them|it|their|those|these)\b",
    re.IGNORECASE,
)
# a question without its question mark ("Wanna see my moves next Fri")
_QUESTION_START_RE = re.compile(
    r"^(?:do|does|did|are|is|was|were|have|has|had|can|could|would|will|should|shall|wanna|want to|got|any)\s+"
    r"(?:you|u|ya|we|they|he|she|it|there|anyone|any)\b",
    re.IGNORECASE,
)
# elliptical first person: "Lost my job as a banker yesterday", "Started hitting the gym last week"
_ELLIPTICAL_RE = re.compile(
    r"^(?:just\s+|finally\s+|recently\s+|also\s+|still\s+)?(?:been|got|had|went|made|took|saw|met|found|lost|"
    r"started|finished|tried|bought|visited|joined|adopted|moved|spent|painted|ran|signed|picked|booked|won|"
    r"\w+ed)\s",
    re.IGNORECASE,
)
# words that carry no information about the speaker's life (feelings in general, intensifiers, approval)
_EMPTY_WORDS = frozenset(
    """
    super totally pretty truly quite kind sort bit bunch stuff excited happy glad proud grateful thankful sad
    stoked thrilled pumped keen awesome amazing great cool nice fun fantastic wonderful incredible beautiful
    lovely sweet right sure true agree hope wish wait hear hearing share sharing appreciate support supportive
    always definitely absolutely honestly actually literally seriously especially probably pretty rooting
    cheer cheering proud means meant words mean kind kindness thank thanks congrats wow yeah yes okay
    feeling feels felt feel today lately recently soon moment moments day days
    """.split()  # noqa: SIM905
)
_MIN_WORDS, _MAX_WORDS = 2, 60  # "We're engaged!" says it all; longer small talk is caught by is_specific
HABITS_SPECIFIC = True  # a present habit with a thing as its object is news (off: the older gate)
_MIN_INFORMATIVE = 3  # fewer content words than this is small talk ("I'm so excited for it")


@dataclass(frozen=True)
class Side:
    """One side of a page: the speaker's name when the text was labelled, and what they said."""

    name: str | None
    text: str


def read_side(text: str) -> Side:
    """Strip a leading "Name:" label (and the same label where turns were joined) and attachment notes."""
    text = _ATTACHMENT_RE.sub("", text or "").strip()
    m = _LABEL_RE.match(text)
    if not m or m.group("name").lower() in _NOT_LABELS:
        return Side(None, text)
    name = m.group("name")
    rest = text[m.end() :]
    rest = re.sub(r"(?:^|\s)" + re.escape(name) + r"\s?:\s+", " ", rest)  # further turns of the same speaker
    return Side(name, rest.strip())


def _name_pattern(names: list[str]) -> str:
    """A name or a short form of it ("Mel" for "Melanie"): a capitalised word of 3+ letters it starts with."""
    forms: set[str] = set()
    for name in names:
        for part in name.split():
            forms.update(part[:k] for k in range(3, len(part) + 1))
    return r"\b(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + r")\b" if forms else ""


def names_someone(sentence: str, names: list[str]) -> bool:
    pattern = _name_pattern(names)
    return bool(pattern and re.search(pattern, sentence))


def _strip_vocatives(sentence: str, names: list[str]) -> str:
    """ "Cool, Gina! ...", "Thanks, Jon" → the sentence without the address."""
    pattern = _name_pattern(names)
    if not pattern:
        return sentence
    sentence = re.sub(r"^\s*" + pattern + r"\s*[,!.]\s*", "", sentence)
    sentence = re.sub(r",\s*" + pattern + r"\s*(?=[,.!?]|$)", "", sentence)
    return sentence.strip()


def _clean(sentence: str) -> str:
    sentence = sentence.strip().strip("\"'“”‘’*_ ")
    previous = None
    while previous != sentence:
        previous = sentence
        sentence = _ADDRESS_RE.sub("", _OPENER_RE.sub("", _INTERJECTION_RE.sub("", sentence).strip()))
        sentence = _CATCH_UP_RE.sub("", sentence) if CATCH_UP_OPENER else sentence
    sentence = _FILLER_RE.sub("", sentence)
    return re.sub(r"\s{2,}", " ", sentence).strip(" ,;:-—–")


def informative_words(sentence: str) -> list[str]:
    """Content words that say something about a life (not feelings in general, intensifiers or approval)."""
    return [w for w in content_tokens(sentence) if w not in _EMPTY_WORDS]


_NARRATIVE_RE = re.compile(
    r"\b(?:I|we)\s+(?:(?:just|finally|recently|also|actually|even|already)\s+)?(?:went|got|had|made|took|saw|met|"
    r"found|began|bought|won|lost|ran|spent|gave|wrote|drew|sang|swam|flew|left|sold|built|\w{3,}ed)\b|"
    r"\b(?:I|we)['’]ve\s+(?:\w+\s+)?\w+|\b(?:I|we)\s+have\s+been\b",
    re.IGNORECASE,
)
_NAME_INSIDE_RE = re.compile(r"(?<!^)(?<![.!?]\s)\b(?!I\b|I['’])[A-Z][\w'’-]+")
_SPECIFIC_WORDS = 5


# a habit in the plain present: the speaker, a verb that does something (not one of thinking, feeling, wanting or an
# auxiliary), and a thing as its object ("I play the bassoon in a wind ensemble", "I knit scarves for my family")
_HABIT_RE = re.compile(
    r"\b(?:I|we)\s+(?:(?:still|usually|often|mostly|regularly|normally|also)\s+)?(?P<verb>[a-z]{3,})\s+"
    r"(?:(?:a|an|the|my|our|some)\s+)?(?P<object>[a-z][a-z'’-]{2,})\b"
)
_NOT_HABITS = frozenset(
    """
    think know feel hope wish want need love like enjoy hate mean guess bet agree remember wonder appreciate believe
    promise recommend suggest understand see get have can could will would should may might must shall did does
    am was were had got said told thought felt knew saw made went came found kept left lost ran won took gave met
    totally really just never always even too gotta wanna gonna try keep let say tell ask hear miss admire last first
    then now
    """.split()  # noqa: SIM905
)
_NOT_OBJECTS = frozenset(
    """
    it this that them him her you something everything nothing anything someone everyone lot lots bit time times
    way ways thing things stuff out up off back too well more most less all what how why when where who whether
    """.split()  # noqa: SIM905
)


def habit(sentence: str) -> bool:
    """A habit told in the plain present with a thing as the verb's object: what the speaker does, which a later
    change ends ("I play the oboe in a chamber group"). Not a feeling, a wish or an opinion ("I love all kinds of
    art", "I think that's great"), not a past event (the narrative rule reads those)."""
    for m in _HABIT_RE.finditer(sentence):
        verb, thing = m.group("verb"), m.group("object").lower()
        if verb in _NOT_HABITS or verb.endswith(("ed", "ing", "ly")) or thing in _NOT_OBJECTS:
            continue
        if thing in STOPWORDS or thing in _EMPTY_WORDS or thing.endswith(("ly", "ed")):
            continue
        return True
    return False


def is_specific(sentence: str) -> bool:
    """News rather than small talk or a general remark: enough content words, and an event told in the past ("I
    went ...", "I've started ..."), a habit in the present with a thing as its object, a name, a date, or more
    content still. "I'm so excited for it" says nothing; "I love all kinds of art" matches anyone's life."""
    from ..timeexpr import mentioned_dates

    if len(set(informative_words(sentence))) < _MIN_INFORMATIVE:
        return False
    if _NARRATIVE_RE.search(sentence) or _NAME_INSIDE_RE.search(sentence) or re.search(r"\d", sentence):
        return True
    if HABITS_SPECIFIC and habit(sentence):
        return True
    if mentioned_dates(sentence, 0.0):
        return True
    return len(set(informative_words(sentence))) >= _SPECIFIC_WORDS


# "together" in a phrasal verb is organising, not both speakers ("I'm putting together an art show")
_PHRASAL_TOGETHER_RE = re.compile(
    r"\b(?:put|puts|putting|get|gets|getting|got|pull|pulls|pulling|pulled|threw|throw|throwing)\s+"
    r"(?:\w+\s+){0,2}?together\b",
    re.IGNORECASE,
)
# where a clause ends and the next begins ("I got a no for the job, but I'm staying positive")
_CLAUSE_END_RE = re.compile(r"(?:,|;|\s[-–—]|\b(?:but|and|so|yet)\b)(?=(?:\s+[\w'’]+){0,3}\s*$)", re.IGNORECASE)
CATCH_UP_OPENER = True  # off: "Much has happened since we last spoke - we went ..." is read as a whole
PHRASAL_TOGETHER = True  # off: "together" anywhere is about both speakers (the older test)
NEWS_BEFORE_PEP_TALK = True  # off: a pep talk anywhere drops the sentence (the older test)


def pep_talk(sentence: str) -> bool:
    """Encouragement, advice or what is about both speakers, with nothing of the speaker's own news before it.
    A clause of news ahead of the pep talk keeps the sentence ("I got a no for a summer job I wanted, but I'm
    staying positive"): the news is the speaker's, the resolution only follows it."""
    probe = _PHRASAL_TOGETHER_RE.sub(" ", sentence) if PHRASAL_TOGETHER else sentence
    m = _PEP_TALK_RE.search(probe)
    if m is None:
        return False
    if not NEWS_BEFORE_PEP_TALK:
        return True
    head = probe[: m.start()]
    # the last boundary: the pep talk's own clause starts there
    clause = next(reversed(list(_CLAUSE_END_RE.finditer(head))), None)
    if clause is None:
        return True
    news = head[: clause.start()].strip(" ,;-—–")
    return not (len(news.split()) >= 4 and speaker_is_subject(news) and is_specific(news))


def is_self_statement(sentence: str, other_names: list[str]) -> bool:
    """A sentence (already cleaned) in which the speaker tells something about themselves, as its subject."""
    return may_be_about_self(sentence, other_names) and speaker_is_subject(sentence)


# the speaker as the subject of a later clause ("This week has been swamped with exams for me, but I'm plowing
# through"): the clause boundary, then I / we
_LATER_SELF_RE = re.compile(
    r"(?:,|;|\s[-–—])\s+(?:(?:but|and|so|yet)\s+)?(?:(?:now|then|also|still)\s+)?(?=(?:I|we)\b)|"
    r"\s(?:but|so)\s+(?=(?:I|we)\b)",
    re.IGNORECASE,
)
_OWN_MENTION_RE = re.compile(r"\b(?:my|our|me|us)\b", re.IGNORECASE)
SPEAKER_IN_LATER_CLAUSE = True  # off: only a sentence that opens with the speaker as subject is theirs
TIME_OPENERS = True  # off: "A few weeks later we ...", "From Monday I'm ..." do not have the speaker as subject
PAST_ELLIPSIS = True  # off: "Gave up the violin ..." (an irregular past without its subject) is nobody's


def speaker_is_subject(sentence: str) -> bool:
    """The speaker is the sentence's subject: first ("I adopted ...", "Last week I ..."), by ellipsis ("Lost my job
    yesterday"), or in a later clause when the clause before is about something of theirs ("Losing my job was a
    bummer, but I found ...": their own news told from its topic). A later "I" after a clause about anything else
    ("Books are great, and I ...") is an opinion of a topic both may share, not their news."""
    if _SELF_SUBJECT_RE.match(sentence) or _ELLIPTICAL_RE.match(sentence):
        return True
    if TIME_OPENERS and _TIME_OPENER_RE.match(sentence):
        return True
    if PAST_ELLIPSIS and _past_ellipsis(sentence):
        return True
    if not SPEAKER_IN_LATER_CLAUSE:
        return False
    m = _LATER_SELF_RE.search(sentence)
    return bool(m and _OWN_MENTION_RE.search(sentence[: m.start()]) and _SELF_SUBJECT_RE.match(sentence[m.end() :]))


def later_clause_head(sentence: str) -> str | None:
    """The clause before a later clause whose subject is the speaker ("The aquarium is gone; I keep hens now" →
    "The aquarium is gone"), or None; whether that head is about something of the speaker's is the caller's to
    decide (their own words, or a thing memory holds as theirs)."""
    m = _LATER_SELF_RE.search(sentence)
    if m is None or not _SELF_SUBJECT_RE.match(sentence[m.end() :]):
        return None
    return sentence[: m.start()]


# irregular pasts that open no news told without its subject: "Was great", "Did you ...", "Let me know", "Put it
# there", "Said so", "Read it twice" (a present or an imperative as often as a past)
_NOT_ELLIPTICAL = frozenset("was were did let put set read said meant thought knew felt cut hit".split())  # noqa: SIM905


def _past_ellipsis(sentence: str) -> bool:
    """Elliptical first person with an irregular past ("Gave up the violin ...", "Sold the car last week"), which
    _ELLIPTICAL_RE reads only for a few verbs and those in -ed."""
    m = re.match(r"(?:(?:just|finally|recently|also)\s+)?([A-Za-z]+)\s+\w", sentence)
    word = m.group(1).lower() if m else ""
    return word in _PAST and word not in _NOT_ELLIPTICAL


def may_be_about_self(sentence: str, other_names: list[str]) -> bool:
    """Not a question, greeting, pep talk, echo, or about the other party."""
    words = sentence.split()
    if not _MIN_WORDS <= len(words) <= _MAX_WORDS or sentence.rstrip().endswith("?"):
        return False
    if _NOT_A_FACT_RE.match(sentence) or _QUESTION_START_RE.match(sentence) or pep_talk(sentence):
        return False
    if _WISH_ABOUT_PRONOUN_RE.match(sentence):
        return False
    if _SECOND_PERSON_RE.search(sentence):
        return False
    if names_someone(sentence, other_names):
        return False
    if _ECHO_RE.search(sentence):
        return False
    return bool(informative_words(sentence))


def clean_sentence(raw: str, names: list[str]) -> str:
    """A sentence of a turn without its interjections, fillers, openers and the address of either speaker."""
    return _clean(_strip_vocatives(_clean(raw), names))


def candidate_statements(text: str, own_names: list[str], other_names: list[str]) -> list[tuple[str, bool]]:
    """The cleaned sentences of one side's text that may tell something about its speaker, each with whether
    the speaker is their subject ("I adopted a puppy": yes; "Home for me is Lisbon": no, yet it may state an
    attribute of theirs)."""
    found = []
    for raw in sentences(text):
        sentence = clean_sentence(raw, [*other_names, *own_names])
        said = own_words(sentence)  # someone else's words reported ("my sister told me: I'm moving") are theirs
        if sentence and may_be_about_self(said, other_names):
            found.append((sentence[0].upper() + sentence[1:], speaker_is_subject(said)))
    return found


def self_statements(text: str, own_names: list[str], other_names: list[str]) -> list[str]:
    """The sentences of one side's text in which its speaker says something about themselves, cleaned."""
    return [sentence for sentence, subject in candidate_statements(text, own_names, other_names) if subject]


# ---- first person → third person ----

_PAST = frozenset(
    """
    was were had did went got made took saw met found gave came ran began bought brought thought felt left told won
    wrote knew lost kept spent built sent taught caught fell grew drove flew swam sang ate drank became chose held
    heard paid said sat slept spoke stood understood woke wore forgot hung fed led meant broke hid rode shook threw
    put set let cut hit quit read sold stuck struck swore tore won wound dealt dug fought fled lit overcame rose shot
    shut slid spun split spread stole sprang sank stung strove swept swung taught tossed withdrew
    """.split()  # noqa: SIM905
)
PAST_FORMS = _PAST  # irregular past tenses, for readers of subjectless clauses ("hit 37 yesterday")
_E_ED_BASES = frozenset({"feed", "need", "seed", "heed", "weed", "reed", "deed", "shed", "bled"})
_MODALS = frozenset("can could will would should might must may shall".split())  # noqa: SIM905
_ADVERBS = frozenset(
    """
    really also just still usually always never even finally recently actually totally definitely sometimes often first
    mostly kinda only now already truly absolutely genuinely currently basically literally seriously certainly
    probably honestly personally generally normally typically constantly regularly rarely barely hardly again
    """.split()  # noqa: SIM905
)
# "no longer" leads the verb like an adverb: "I no longer live in Tucson" → "User no longer lives in Tucson"
_VERB_RE = re.compile(r"(?P<lead>(?:\s+(?:no\s+longer|" + "|".join(sorted(_ADVERBS)) + r"))*)\s+(?P<verb>[A-Za-z'’-]+)")


def _is_past(word: str) -> bool:
    """Regular past forms ("adopted", "agreed"), not base forms that end alike ("need", "feed", "shed"), and
    irregular ones with a prefix ("retook", "rewrote", "outgrew")."""
    prefixed = re.match(r"(?:re|out|over|under|mis|un|with)(\w{3,})$", word)
    if word in _PAST or (prefixed is not None and prefixed.group(1) in _PAST):
        return True
    if len(word) == 4 and re.fullmatch(r"[^aeiou]?[aeiouy][a-z]ed|[aeiou][a-z]ed", word) and word not in _E_ED_BASES:
        return True  # "used", "owed", "aged", "dyed": a stem in -e takes only -d
    if len(word) <= 4 or not word.endswith("ed"):
        return False
    return not word.endswith("eed") or word in {"agreed", "freed", "guaranteed", "refereed", "decreed"}


def _third_singular(verb: str) -> str:
    low = verb.lower().replace("’", "'")
    irregular = {
        "am": "is",
        "have": "has",
        "do": "does",
        "go": "goes",
        "don't": "doesn't",
        "haven't": "hasn't",
        "'m": "is",
        "wanna": "wants to",
        "gotta": "has to",
    }
    if low in irregular:
        return irregular[low]
    if low in _PAST or low in _MODALS or _is_past(low) or low.endswith("n't") or "'" in low or "’" in low:
        return verb
    if low in {"is", "was", "has", "does"}:
        return verb
    if re.search(r"(?:s|sh|ch|x|z|o)$", low):
        return verb + "es"
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ies"
    return verb + "s"


_PRONOUN_TOKEN_RE = re.compile(
    r"\b(?P<word>(?:I|we)['’](?:m|ve|d|ll|re)|I|me|my|mine|myself|we|our|ours|ourselves|us)\b(?!\.\w)",
    re.IGNORECASE,
)
# first self-reference → (the subject's form, does the verb after it agree with a singular subject)
_FIRST = {
    "i": ("{s}", True),
    "i'm": ("{s} is", False),
    "i've": ("{s} has", False),
    "i'll": ("{s} will", False),
    "me": ("{s}", False),
    "my": ("{s}'s", False),
    "mine": ("{s}'s", False),
    "myself": ("themselves", False),
    "we": ("{s} and others", False),
    "we're": ("{s} and others are", False),
    "we've": ("{s} and others have", False),
    "we'd": ("{s} and others would", False),
    "we'll": ("{s} and others will", False),
    "our": ("{s}'s", False),
    "ours": ("{s}'s", False),
    "ourselves": ("themselves", False),
    "us": ("{s} and others", False),
}
_LATER = {
    "i": "they",
    "i'm": "they're",
    "i've": "they've",
    "i'd": "they'd",
    "i'll": "they'll",
    "me": "them",
    "my": "their",
    "mine": "theirs",
    "myself": "themselves",
    "we": "they",
    "we're": "they're",
    "we've": "they've",
    "we'd": "they'd",
    "we'll": "they'll",
    "our": "their",
    "ours": "theirs",
    "ourselves": "themselves",
    "us": "them",
}
_PLURAL = {"am": "are", "was": "were", "'m": "'re"}


def _plural(verb: str) -> str:
    """The verb after a later "I", now "they": "was" → "were"."""
    return _PLURAL.get(verb.lower(), verb)


def third_person(sentence: str, subject: str) -> str:
    """Rewrite a first-person sentence with `subject` ("User", "Assistant") for its first self-reference and
    they/them/their after it: "I love my dog" → "User loves their dog"; an elliptical sentence ("Lost my job
    yesterday") gets the subject in front."""
    text = sentence
    named = False
    if _ELLIPTICAL_RE.match(text) and not re.match(r"^(?:I|we|my|our|me)\b", text, re.IGNORECASE):
        # "Been busy with a project", "Been practicing": the auxiliary left out with the subject comes back with it
        # ("Been a long week" leaves out "it has", not the speaker: as it was)
        text = text[0].lower() + text[1:]
        text = re.sub(r"^((?:just|finally|recently|also|still)\s+)?been(?=\s+(?:(?:real|really|so|super|pretty)\s+)?"
                      r"(?:busy|\w+ing)\b)", r"has \1been", text)  # fmt: skip
        text = f"{subject} {text}"
        named = True
    out: list[str] = []
    last = 0
    reported = verbatim(text)  # a quotation keeps its own person ("I Am Legend", "told them "I quit"")
    for m in _PRONOUN_TOKEN_RE.finditer(text):
        if any(start <= m.start() < end for start, end in reported):
            continue
        word = m.group("word")
        low = word.lower().replace("’", "'")
        out.append(text[last : m.start()])
        last = m.end()
        agree: Callable[[str], str] | None = None
        if not named:
            if low == "i'd":
                nxt = _VERB_RE.match(text, last)
                had = bool(nxt and (_is_past(nxt.group("verb").lower()) or nxt.group("verb").lower().endswith("en")))
                replacement = f"{subject} {'had' if had else 'would'}"
            else:
                form, singular = _FIRST[low]
                replacement = form.format(s=subject)
                agree = _third_singular if singular else None
            named = True
        else:
            replacement = _LATER[low]
            agree = _plural if low == "i" else None
        if m.start() == 0 or text[: m.start()].rstrip().endswith((".", "!", "?")):
            replacement = replacement[0].upper() + replacement[1:]
        out.append(replacement)
        if agree is not None:
            verb = _VERB_RE.match(text, last)
            if verb:
                out.append(verb.group("lead") + " " + agree(verb.group("verb")))
                last = verb.end()
    out.append(text[last:])
    return re.sub(r"\s{2,}", " ", "".join(out)).strip()


# what an assistant undertakes to do for the user: the one statement about the other party that is its own fact
_PROMISE_RE = re.compile(
    r"^I(?:['’]ll| will| promise to| am going to|['’]m going to)\s+(?:make sure to\s+|be sure to\s+)?"
    r"(?:remind|remember|keep in mind|note|make a note|check|follow up|send|look into|book|schedule|set up|add|"
    r"update|call|email|text|ping)\b",
    re.IGNORECASE,
)
_SECOND_TO_USER = {"you": "User", "your": "User's", "yours": "User's", "yourself": "User", "you're": "User is",
                   "you've": "User has", "you'll": "User will", "you'd": "User would"}  # fmt: skip


def promises(text: str) -> list[str]:
    """The sentences of an assistant's reply in which it undertakes something ("I'll remind you on Friday")."""
    found = []
    for raw in sentences(text):
        sentence = _clean(raw)
        if _PROMISE_RE.match(sentence) and not sentence.endswith("?") and len(sentence.split()) >= 4:
            found.append(sentence)
    return found


def promise_text(sentence: str, at: float) -> str:
    """ "I'll remind you to call your mom tomorrow" → "Assistant will remind User to call User's mom on ..."."""
    text = third_person(sentence, "Assistant")
    text = re.sub(
        r"\b(?:you['’](?:re|ve|ll|d)|you|your|yours|yourself)\b",
        lambda m: _SECOND_TO_USER[m.group(0).lower().replace("’", "'")],
        text,
        flags=re.IGNORECASE,
    )
    text = resolve_relative(text, at)
    return text if text.endswith((".", "!")) else text + "."


def implied_speaker(sentence: str) -> bool:
    """An elliptical statement: the speaker is its subject only by implication ("Lost my job yesterday")."""
    return bool(_ELLIPTICAL_RE.match(sentence) and not re.match(r"^(?:I|we|my|our|me)\b", sentence, re.IGNORECASE))


def first_person(sentence: str) -> str:
    """An elliptical statement with its subject back ("Got a new car" → "I got a new car"), for rules that
    look for one; other sentences unchanged."""
    if implied_speaker(sentence):
        return f"I {sentence[0].lower()}{sentence[1:]}"
    return sentence


def fact_text(sentence: str, subject: str, at: float) -> str:
    """The fact a self-statement makes: third person, relative time made absolute against `at`."""
    text = resolve_relative(third_person(sentence, subject), at)
    return balanced(text if text.endswith((".", "!")) else text + ".")
