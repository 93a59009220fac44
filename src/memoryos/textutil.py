"""Language helpers for the no-LLM path: tokens, stopwords, keywords, sentences."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .lexical import has_cjk
from .timeexpr import MONTHS

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been before being below
    between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
    few for from further get got had hadn't has hasn't have haven't having he he'd he'll he's her here here's
    hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's
    like me more most mustn't my myself no nor not now of off on once only or other ought our ours ourselves out
    over own really same shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this those through to
    too under until up us very was wasn't we we'd we'll we're we've were weren't what what's when when's where
    where's which while who who's whom why why's will with won't would wouldn't yes yet you you'd you'll you're
    you've your yours yourself yourselves user assistant oh wow yeah hey hi hello thanks thank okay ok sure
    great good nice cool well lot lots much many one two thing things something anything everything really
    pretty gonna wanna know think feel make made way ways time times going go goes went come came see saw say
    said tell told want wanted need needs still even back always never ever maybe though through sounds sound
    awesome amazing totally definitely absolutely glad love loved
    """.split()  # noqa: SIM905
)

_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_SENTENCE_RE = re.compile(r"(?<=[.!?。！？])\s+|\n+")


# what marks a statement's value as the one holding now, in place of another
_NOW = re.compile(
    r"\b(?:now|these\s+days|nowadays|currently|at\s+the\s+moment|at\s+present|any\s?more|no\s+longer|from\s+now\s+on"
    r"|instead|switched|swapped|replaced|moved\s+on)\b",
    re.IGNORECASE,
)
# "now" after a duration says a state goes on, not that it changed: "for a while now", "for two years now"
_GOING_ON = re.compile(
    r"\b(?:for|since)\s+(?:a\s+while|ages|some\s+time|a\s+long\s+time|(?:\w+\s+){0,2}(?:years?|months?|weeks?|days?))"
    r"\s+now\b",
    re.IGNORECASE,
)


def says_now(text: str) -> bool:
    """The text says something holds now, in place of something else ("now", "these days", "switched to",
    "instead", "any more"); "for a while now" says a state goes on."""
    return bool(_NOW.search(_GOING_ON.sub(" ", text)))


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (Unicode aware)."""
    return [t.lower().replace("’", "'") for t in _TOKEN_RE.findall(text)]


def content_tokens(text: str) -> list[str]:
    """Tokens without English stop-words and short words; in Chinese, Japanese and Korean, where a word of one or
    two characters is common (猫, 名前, 이름), a token of any length stays."""
    return [t for t in tokens(text) if t not in STOPWORDS and (len(t) > 2 or t.isdigit() or has_cjk(t))]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.split(text) if s and s.strip()]


def extract_keywords(texts: Iterable[str], limit: int) -> list[str]:
    """Statistical keywords: content-word frequency, boosted for capitalised (name-like) words."""
    counts: dict[str, float] = {}
    for text in texts:
        seen_in_text: set[str] = set()
        for raw in _TOKEN_RE.findall(text):
            word = raw.lower().replace("’", "'")
            if word in STOPWORDS or (len(word) <= 2 and not word.isdigit()):
                continue
            weight = 1.0 if word in seen_in_text else 1.5  # document frequency counts more than repetition
            if raw[:1].isupper():
                weight += 0.5
            counts[word] = counts.get(word, 0.0) + weight
            seen_in_text.add(word)
    # most weight first; ties keep first-seen order (what Counter.most_common did)
    return sorted(counts, key=lambda w: -counts[w])[:limit]


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    set_a, set_b = {x.lower() for x in a}, {x.lower() for x in b}
    if not set_a or not set_b:
        return 0.0
    return len(set_a & set_b) / len(set_a | set_b)


def clip(text: str, limit: int) -> str:
    """Shorten to at most `limit` characters at a word boundary, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)].rsplit(" ", 1)[0]
    return cut + "…"


def clip_tail(text: str, limit: int) -> str:
    """Keep the newest end of a running text."""
    if len(text) <= limit:
        return text
    tail = text[-(limit - 1) :]
    return "…" + tail.split(" ", 1)[-1] if " " in tail else "…" + tail


def estimate_tokens(text: str) -> int:
    """A model-free token estimate (≈ 4/3 tokens per word) for reporting context size."""
    return max(1, round(len(text.split()) * 4 / 3)) if text.strip() else 0


# ---- query analysis for retrieval ----

_NAME_RE = re.compile(r"\b([A-Z][^\W\d_]+)(?:['’]s)?\b")


def name_candidates(text: str) -> list[str]:
    """Capitalised words of a query (lower-cased, possessive dropped), the words that may name people."""
    found = [m.group(1).lower() for m in _NAME_RE.finditer(text)]
    return list(dict.fromkeys(w for w in found if w not in STOPWORDS and len(w) > 1))


def remove_words(text: str, words: Iterable[str]) -> str:
    """The text without the given words (and their possessives), whitespace tidied."""
    targets = [re.escape(w) for w in words]
    if not targets:
        return text
    pattern = re.compile(r"\b(?:" + "|".join(targets) + r")(?:['’]s)?\b", re.IGNORECASE)
    return re.sub(r"\s{2,}", " ", pattern.sub("", text)).strip()


# Words that frame an English question rather than say what it is about: "what kind of art" asks about art, and what
# a question says was "mentioned" or "described" is rarely said in those words. Left in the full-text query they can
# be rarer than the topic ("kind" in "your kind words"), and a page sharing only the frame outranks the topic's pages.
# "say" and "tell" are already stop-words; these are the frame words that are content words elsewhere.
_FRAME_RE = re.compile(
    r"\b(?:kind|kinds|type|types|sort|sorts)\s+of\b"
    r"|\b(?:mention|mentions|mentioned|mentioning|describe|describes|described|discuss|discusses|discussed)\b",
    re.IGNORECASE,
)


def without_frame_words(question: str) -> str:
    """The question without the words that frame it ("what kind of X", "what did she mention about X")."""
    return re.sub(r"\s{2,}", " ", _FRAME_RE.sub(" ", question)).strip()


_MONTHS = [m.lower() for m in MONTHS]
_MONTH = "|".join(_MONTHS)
_DAY_FIRST_RE = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH}),?\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_FIRST_RE = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_YEAR_RE = re.compile(rf"\b({_MONTH}),?\s+(\d{{4}})\b", re.IGNORECASE)
_ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_YEAR_RE = re.compile(r"\b(?:in|during|of|since|throughout)\s+((?:19|20)\d{2})\b", re.IGNORECASE)
_DAY = 86400.0


def date_ranges(text: str) -> list[tuple[float, float]]:
    """Time spans (epoch seconds, UTC, [start, end)) a query names: a day (with a day of slack either side,
    since a conversation on a date often reports the day before), else a month, else a year."""
    from calendar import monthrange
    from datetime import datetime, timezone

    def epoch(year: int, month: int, day: int) -> float | None:
        try:
            return datetime(year, month, day, tzinfo=timezone.utc).timestamp()
        except ValueError:
            return None

    days: list[float | None] = []
    for m in _DAY_FIRST_RE.finditer(text):
        days.append(epoch(int(m[3]), _MONTHS.index(m[2].lower()) + 1, int(m[1])))
    for m in _MONTH_FIRST_RE.finditer(text):
        days.append(epoch(int(m[3]), _MONTHS.index(m[1].lower()) + 1, int(m[2])))
    for m in _ISO_DATE_RE.finditer(text):
        days.append(epoch(int(m[1]), int(m[2]), int(m[3])))
    spans = [(t - _DAY, t + 2 * _DAY) for t in days if t is not None]
    if spans:
        return spans
    for m in _MONTH_YEAR_RE.finditer(text):
        year, month = int(m[2]), _MONTHS.index(m[1].lower()) + 1
        start = epoch(year, month, 1)
        if start is not None:
            spans.append((start, start + monthrange(year, month)[1] * _DAY))
    if spans:
        return spans
    for m in _YEAR_RE.finditer(text):
        start, end = epoch(int(m[1]), 1, 1), epoch(int(m[1]) + 1, 1, 1)
        if start is not None and end is not None:
            spans.append((start, end))
    return spans
