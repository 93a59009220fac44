"""What a question asks for, read before searching: its type (when, how long, who, where, how many, why...) and the
dates it names, so that retrieval can weigh its signals for it.

- Dates: written out ("on 3 May 2023", "in May 2023", "summer 2021", "in 2022") or relative ("last year", "last
  month"), resolved by `timeexpr.mentioned_dates` against the memory's present (its newest page: a conversation
  imported from last year is asked about in its own time); a month or season named without a year ("in June",
  "during the summer") is any June of the memory's last years. They give the spans of the session-date boost and
  the date tokens of the lexical query (`datetokens`), which find pages whose own words date an event there
  ("I went camping two weekends ago", said on 17 July 2023).
- Type: a "when" or "how long" question is answered by a page that places something in time, so pages that
  mention a time get a boost (`time_boost` in fusion.py); a "where" (or "which city / country / state") question
  likewise lifts pages that name a place (`place_weight`); the other types change no weight (measured: see
  benchmarks/README.md §1).

English, and the question words of Chinese, Japanese and Korean.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..datetokens import query_tokens
from ..textutil import date_ranges
from ..timeexpr import MONTH_PART, WEEK_ORDINAL, mentioned_dates, part_of_month, week_of_month

_DAYS_WITH_SLACK = 3 * 86400  # a written-out day in date_ranges: the day and one either side
_MONTH = 28 * 86400  # spans shorter than any month: a week or a part of one
BARE_YEARS_BACK = 10  # "in June" without a year: Junes from this many years before the memory's present
_MONTHS = (
    "january february march april may june july august september october november december".split()  # noqa: SIM905
)
_SEASON_MONTHS = {"spring": (3, 4, 5), "summer": (6, 7, 8), "autumn": (9, 10, 11), "fall": (9, 10, 11)}

_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "when",
        re.compile(
            r"^\W*(?:when|since when|how long ago|(?:in|on|during|by)\s+(?:what|which)\s+(?:year|month|day|date|week)"
            r"|what\s+(?:year|month|day|date|week|time of year)|which\s+(?:year|month|day|date|week))\b"
            r"|\bwhen\s+(?:did|was|were|is|are|will|does|do|had|has|have)\b|いつ|何年|何月|何日|什么时候|哪年|几月|几号|언제|몇\s*년|며칠",
            re.IGNORECASE,
        ),
    ),
    ("how_long", re.compile(r"\bhow\s+long\b|どのくらい|多久|多长时间|얼마나\s*오래", re.IGNORECASE)),
    ("how_many", re.compile(r"\bhow\s+(?:many|much|often)\b|\bnumber of\b|何回|何人|几次|多少|몇", re.IGNORECASE)),
    ("who", re.compile(r"^\W*(?:who|whom|whose)\b|\bwho\s+(?:did|was|is|were)\b|誰|だれ|谁|누구|누가", re.IGNORECASE)),
    (
        "where",
        re.compile(
            r"^\W*where\b|\bwhere\s+(?:did|does|do|is|was|were|will|has|have)\b|どこ|哪里|哪儿|어디"
            r"|^\W*(?:which|what)\s+(?:city|cities|country|countries|state|states|town|towns)\b",
            re.I,
        ),
    ),
    ("why", re.compile(r"^\W*why\b|なぜ|どうして|为什么|왜", re.IGNORECASE)),
)
TIME_KINDS = frozenset({"when", "how_long"})
PLACE_KINDS = frozenset({"where"})

# a month or season named without a year ("in June", "during the summer"): "May" only capitalised (a modal verb)
_BARE_MONTH = re.compile(
    r"\b(?:in|during|of|since|until|by|from|before|after|around|early|late|mid|[Ii]n\s+early|[Ii]n\s+late)[\s-]+"
    r"(?:the\s+month\s+of\s+)?"
    r"(?P<month>(?i:january|february|march|april|june|july|august|september|october|november|december)|May)\b"
    r"(?!\.?,?\s*(?:of\s+)?(?:\d|the\b))",
)
# a week or part of a month named without a year ("the second week of November", "early June"): that part of it
_BARE_MONTH_PART = re.compile(
    r"\b(?:" + WEEK_ORDINAL + "|" + MONTH_PART + r")"
    r"(?P<month>(?i:january|february|march|april|june|july|august|september|october|november|december)|May)\b"
    r"(?!\.?,?\s*(?:of\s+)?(?:\d|the\b))",
    re.IGNORECASE,
)
_BARE_SEASON = re.compile(
    r"\b(?:in|during|over|through|throughout)\s+(?:the\s+)?(?P<season>spring|summer|autumn|fall)\b"
    r"(?!\s*(?:of\s+)?(?:19|20)\d\d)",
    re.IGNORECASE,
)

# words that place something in time: a page with one of them can answer "when"; cheap enough for every candidate
_TIME_CUE = re.compile(
    r"\b(?:yesterday|today|tonight|tomorrow|ago|weekends?|recently|lately|since|anniversary|birthday"
    r"|(?:last|this|next|past)\s+(?:night|week|month|year|time|morning|afternoon|evening|spring|summer|autumn|fall"
    r"|winter|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)"
    r"|(?:on|last|this|next)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|january|february|march|april|june|july|august|september|october|november|december"
    r"|(?:19|20)\d\d|\d+\s*(?:days?|weeks?|months?|years?)|(?:a|one|two|three|four|five|few|couple of)\s+"
    r"(?:days?|weeks?|months?|years?))\b|\bMay\b"
    r"|昨日|今日|明日|先週|来週|先月|来月|去年|昨年|来年|今年|昨天|今天|明天|上周|下周|上个月|下个月|明年|前天"
    r"|어제|오늘|내일|지난주|다음\s*주|지난달|작년|올해|내년",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QueryAnalysis:
    kind: str  # "when", "how_long", "how_many", "who", "where", "why", or "other"
    spans: tuple[tuple[float, float], ...] = ()  # times the query names, [start, end) epoch seconds (UTC)
    date_tokens: tuple[str, ...] = field(default=())  # the lexical index's date tokens for those times

    @property
    def asks_time(self) -> bool:
        return self.kind in TIME_KINDS

    @property
    def asks_place(self) -> bool:
        return self.kind in PLACE_KINDS


# hedges of a question that asks for an inference about a person rather than for something said: "Would Anna
# likely enjoy ...?", "What might John's degree be?", "Would she be considered ...?"; English only
_HEDGE = re.compile(r"\b(?:would|might|could|likely|probably|considered)\b", re.IGNORECASE)


def asks_inference(query: str) -> bool:
    """Whether the question asks for an inference (its answer is what the person is like, in other words)."""
    return _HEDGE.search(query) is not None


def question_kind(query: str) -> str:
    for kind, pattern in _KINDS:
        if pattern.search(query):
            return kind
    return "other"


def analyze_query(query: str, present: float) -> QueryAnalysis:
    """The question's type and the times it names; relative ones against `present` (epoch seconds)."""
    spans = _named_spans(query, present)
    tokens = [t for start, end in spans for t in query_tokens(start, end)]
    # the session-date boost keeps its day of slack either side for written-out days (textutil.date_ranges); a
    # week or part of a month is narrower than the month date_ranges would see in it
    written = date_ranges(query)
    days = [s for s in written if s[1] - s[0] <= _DAYS_WITH_SLACK]
    session_spans = days or (spans if any(e - s < _MONTH for s, e in spans) else written or spans)
    return QueryAnalysis(question_kind(query), tuple(session_spans), tuple(dict.fromkeys(tokens)))


# a named place: a capitalised word after a preposition of place or a verb of going ("in Paris", "to the Louvre",
# "visited Chicago"), not a month or weekday; English only (other languages' pages are never lifted by it)
_PLACE_CUE = re.compile(
    r"\b(?i:in|at|to|from|near|around|visited|visiting|visit)\s+(?i:the\s+)?"
    r"(?!(?:January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday"
    r"|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][a-z]+"
)


# a retrieve asks about the same candidate texts in its two scoring passes, and the next retrieves about many of
# them again: a text of ordinary length is searched once (longer ones every time, so the kept texts stay a few MB)
KEPT_TEXT_CHARS = 2000
_KEPT_TEXTS = 2048


def mentions_place(text: str) -> bool:
    """Whether a page's text names a place ("we drove to Chicago", "a cafe in Paris")."""
    return _place_kept(text) if len(text) <= KEPT_TEXT_CHARS else _names_place(text)


def mentions_time(text: str) -> bool:
    """Whether a page's text places something in time (a date, a relative time, a duration)."""
    return _time_kept(text) if len(text) <= KEPT_TEXT_CHARS else _dates_something(text)


def _names_place(text: str) -> bool:
    return _PLACE_CUE.search(text) is not None


def _dates_something(text: str) -> bool:
    return _TIME_CUE.search(text) is not None


_place_kept = functools.lru_cache(maxsize=_KEPT_TEXTS)(_names_place)
_time_kept = functools.lru_cache(maxsize=_KEPT_TEXTS)(_dates_something)


def _named_spans(query: str, present: float) -> list[tuple[float, float]]:
    spans = [(m.start, m.end) for m in mentioned_dates(query, present)]
    year = datetime.fromtimestamp(present, tz=timezone.utc).year
    parts = list(_BARE_MONTH_PART.finditer(query))
    for m in parts:
        month = _MONTHS.index(m.group("month").lower()) + 1
        for y in range(year - BARE_YEARS_BACK, year + 1):
            if m.group("ord"):
                start, end = week_of_month(y, month, m.group("ord"))
            else:
                start, end = part_of_month(y, month, m.group("part") or m.group("part2"))
            if start.timestamp() <= present:
                spans.append((start.timestamp(), end.timestamp()))
    within = [range(*m.span()) for m in parts]
    months = [
        _MONTHS.index(m.group("month").lower()) + 1
        for m in _BARE_MONTH.finditer(query)
        if not any(m.start("month") in r for r in within)
    ]
    for m in _BARE_SEASON.finditer(query):
        months += _SEASON_MONTHS[m.group("season").lower()]
    for month in dict.fromkeys(months):
        for y in range(year - BARE_YEARS_BACK, year + 1):
            start = datetime(y, month, 1, tzinfo=timezone.utc)
            end = datetime(y + month // 12, month % 12 + 1, 1, tzinfo=timezone.utc)
            if start.timestamp() <= present:
                spans.append((start.timestamp(), end.timestamp()))
    return spans


__all__ = ["QueryAnalysis", "analyze_query", "mentions_place", "mentions_time", "question_kind"]
