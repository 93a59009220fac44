"""Words a speaker reports from someone else: the first person inside them is that other person, not the speaker.

"My brother called and said, "I got the job at Google!"" tells that the *brother* got a job; ""I'm moving to Denver
next month," my sister told me" that the sister is moving; "My daughter wrote in her diary: I want to be a pilot"
what the daughter wants. Read as the speaker's own first person, each becomes a fact about the wrong person ("User
is moving to Denver"). English marks reported speech by quotation marks, or by a colon after a verb of saying,
with the reporter as the verb's subject; when that subject is the speaker ("I told him "I quit"", "I was like
"no way"") the words are the speaker's own.

A quoted span is speech (not a title: "Little Women", "I Am Legend") when a verb of saying frames it, or when it
is a sentence of its own that speaks in a person (ends in punctuation inside the marks and has a personal pronoun).
Only double quotation marks are read: a single one is an apostrophe as often as not.
"""

from __future__ import annotations

import re

_VERBS = (
    r"(?:say|says|said|saying|tell|tells|told|telling|ask|asks|asked|asking|text|texts|texted|texting|"
    r"write|writes|wrote|writing|written|yell|yells|yelled|yelling|shout|shouts|shouted|shouting|scream|screams|"
    r"screamed|reply|replies|replied|whisper|whispers|whispered|exclaim|exclaims|exclaimed|add|adds|added|"
    r"message|messages|messaged|announce|announces|announced|insist|insists|insisted|explain|explains|explained|"
    r"promise|promises|promised|admit|admits|admitted|goes|was like|is like|were like|are like|"
    r"words were|words are|words:)"
)
# the verb of saying just before the quote, with at most a short object ("told me the other day,")
_BEFORE_RE = re.compile(r"\b" + _VERBS + r"(?:\s+[\w'’]+){0,3}\s*[,:]?\s*$", re.IGNORECASE)
# a quote that names a work or a thing ("a song called "Home"", "the motto "We rise"") is no speech
_NAMING_RE = re.compile(r"\b(?:called|named|titled|entitled|dubbed|the|a|an|my|our|his|her|their)\s*$", re.IGNORECASE)
# the frame just after the quote ("," my sister told me", ", said Mom", ", she asked")
_AFTER_RE = re.compile(r"^\s*[,!?.]?\s*(?:" + _VERBS + r"\b|(?:[\w'’]+\s+){1,3}" + _VERBS + r"\b)", re.IGNORECASE)
# the speaker reports themselves: "I said", "we told them", "I was like", "I've always said"
_OWN_BEFORE_RE = re.compile(
    r"\b(?:I|we)(?:['’](?:ve|d|ll))?\s+(?:[\w'’]+\s+){0,2}?" + _VERBS + r"(?:\s+[\w'’]+){0,3}\s*[,:]?\s*$",
    re.IGNORECASE,
)
_OWN_AFTER_RE = re.compile(r"^\s*[,!?.]?\s*(?:I|we)\s+(?:[\w'’]+\s+){0,1}?" + _VERBS + r"\b", re.IGNORECASE)
# "My daughter wrote in her diary: I want to be a pilot" — a verb of saying, then a colon, then the words said
_COLON_RE = re.compile(
    r"^(?P<frame>[^:\"“”]{0,80}?\b" + _VERBS + r"\b[^:\"“”]{0,40}):\s+(?P<speech>\S.*)$", re.IGNORECASE
)
_OWN_FRAME_RE = re.compile(r"^(?:[^,]{0,40},\s*)?(?:I|we|me and \w+|my \w+ and I)\b", re.IGNORECASE)
_PERSON_RE = re.compile(r"\b(?:I|I['’]\w+|me|my|mine|we|we['’]\w+|us|our|you|you['’]\w+|your)\b", re.IGNORECASE)
_PAIRED_RE = re.compile(r"\"[^\"]+\"|“[^”]+”")
PLACEHOLDER = '"…"'


_INCHES_RE = re.compile(r'(?<=\d)"')


def _marks(text: str) -> str:
    """The text with measures in feet and inches (5'11", 27") blanked out when a mark is left over: those marks
    quote nothing (a title that ends in a number, "Cyberpunk 2077", pairs its marks)."""
    if text.count('"') % 2 == 0:
        return text
    return _INCHES_RE.sub(lambda m: " " * len(m.group(0)), text)


def _quotes(sentence: str) -> list[tuple[int, int]]:
    """Spans of quoted text, marks included. A mark left alone (a sentence cut, or its wrapping mark stripped)
    opens a quote to the end of the sentence, unless a frame of saying follows it: then it closes one opened
    before the sentence starts."""
    marked = _marks(sentence)
    spans = [(m.start(), m.end()) for m in _PAIRED_RE.finditer(marked)]
    rest = _PAIRED_RE.sub(lambda m: " " * len(m.group(0)), marked)
    lone = [i for i, ch in enumerate(rest) if ch in '"“”']
    if len(lone) == 1:
        i = lone[0]
        if i > 0 and _AFTER_RE.match(sentence[i + 1 :]):
            spans.append((0, i + 1))
        elif i < len(sentence) - 1:
            spans.append((i, len(sentence)))
    return sorted(spans)


def _is_speech(sentence: str, start: int, end: int) -> bool:
    inner = sentence[start:end].strip('"“” ')
    before, after = sentence[:start], sentence[end:]
    if _BEFORE_RE.search(before) and not _NAMING_RE.search(before):
        return True
    if _AFTER_RE.match(after):
        return True
    return bool(re.search(r"[,.!?]\s*$", inner) and _PERSON_RE.search(inner))


def _own(sentence: str, start: int, end: int) -> bool:
    """The speaker is the one quoted: the verb of saying framing the quote has them as its subject."""
    return bool(_OWN_BEFORE_RE.search(sentence[:start]) or _OWN_AFTER_RE.match(sentence[end:]))


# a verb of saying used as a noun ("My writing is going well: ...", "the message was clear: ...")
_AS_NOUN_RE = re.compile(r"\b(?:my|our|your|his|her|their|its|the|a|an|this|that)\s+$", re.IGNORECASE)
# before a colon, only a finite verb of saying reports ("My mom always says:", "Sam keeps telling me:"); a bare one
# is a heading or a plan ("Quick add:", "One more thing to add:")
_FINITE_SAYING = (
    r"(?:says|said|tells|told|asks|asked|texts|texted|writes|wrote|yells|yelled|shouts|shouted|screams|screamed|"
    r"replies|replied|whispers|whispered|exclaims|exclaimed|adds|added|messages|messaged|announces|announced|"
    r"insists|insisted|explains|explained|promises|promised|admits|admitted|goes|was like|is like|were like|"
    r"are like|words were|words are|(?:keeps?|kept)\s+(?:on\s+)?(?:saying|telling|asking|writing|texting))"
)
_VERB_IN_FRAME_RE = re.compile(r"\b" + _FINITE_SAYING + r"\b", re.IGNORECASE)


def _says(frame: str) -> bool:
    """The frame before a colon has a verb of saying as a verb, not as a noun."""
    return any(
        not _AS_NOUN_RE.search(frame[: m.start()])
        and not re.match(r"\s+(?:is|was|are|were|has|had)\b", frame[m.end() :])
        for m in _VERB_IN_FRAME_RE.finditer(frame)
    )


def others_speech(sentence: str) -> list[tuple[int, int]]:
    """Spans of `sentence` (sorted, not overlapping) that are someone else's words reported by the speaker."""
    found = [(s, e) for s, e in _quotes(sentence) if _is_speech(sentence, s, e) and not _own(sentence, s, e)]
    if not found:
        m = _COLON_RE.match(sentence)
        if m and not _OWN_FRAME_RE.match(m.group("frame").strip()) and _says(m.group("frame")):
            found.append((m.start("speech"), len(sentence)))
    return found


def verbatim(sentence: str) -> list[tuple[int, int]]:
    """Spans whose words are kept as said when the sentence is retold in the third person: every quotation (a
    title's "I" and the speaker's own quoted "I" alike: "told their boss "I quit"") and others' words after a
    colon of saying."""
    spans = set(_quotes(sentence)) | set(others_speech(sentence))
    return sorted(spans)


def own_words(sentence: str) -> str:
    """The sentence with others' reported words left out (a placeholder in their place): what the speaker says
    in their own person, for the rules that read who did what."""
    out, last = [], 0
    for start, end in others_speech(sentence):
        out.append(sentence[last:start])
        out.append(PLACEHOLDER)
        last = end
    out.append(sentence[last:])
    return "".join(out).strip()


def balanced(text: str) -> str:
    """A text with a lone double quotation mark (its pair cut off with the sentence's edge) put back."""
    rest = _PAIRED_RE.sub(lambda m: " " * len(m.group(0)), _marks(text))
    lone = [i for i, ch in enumerate(rest) if ch in '"“”']
    if len(lone) != 1:
        return text
    if lone[0] > 0 and _AFTER_RE.match(text[lone[0] + 1 :]):
        return '"' + text
    stripped = text.rstrip(".")
    return stripped + '"' + text[len(stripped) :]
