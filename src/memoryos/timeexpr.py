"""Relative time in what people say, made absolute against when they said it.

"I'm going to a conference this month", said on 8 May 2023, becomes "... in May 2023": a fact stored for years must
not keep "this month". `resolve_relative` rewrites the phrases it understands; `mentioned_dates` gives the
absolute span (UTC, [start, end) in epoch seconds) of every date a text mentions, relative or written out, so that
dates can be indexed. Conservative by design: a phrase it does not understand ("recently", "the other day",
"on Friday" without last/this/next, "in a year" without a future cue) is left as written and has no span.

Conventions, so that every phrase has one reading: weeks run Monday to Sunday; "next Tuesday" is the Tuesday of
next week and "this Tuesday" the one of the current week; "last Tuesday" is the latest Tuesday before the day it
was said; "last weekend" is the latest Saturday–Sunday that ended before that day; seasons are meteorological
(northern hemisphere: spring is March–May, summer June–August, autumn September–November, winter December–February).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import NamedTuple

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NUMBER = (
    {m.lower(): i + 1 for i, m in enumerate(MONTHS)}
    | {m.lower()[:3]: i + 1 for i, m in enumerate(MONTHS)}
    | {"sept": 9}
)
_WEEKDAY_NUMBER = {d.lower(): i for i, d in enumerate(WEEKDAYS)} | {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
# the first, second... week of a month: days 1-7, 8-14, 15-21, 22-28 ("last": its last seven days)
_WEEK_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": 0}
# a part of a month: its first, middle or last ten days (the last part runs to the month's end)
_MONTH_PARTS = {
    "beginning": 0,
    "start": 0,
    "early": 0,
    "middle": 1,
    "mid": 1,
    "end": 2,
    "late": 2,
}
# the number words memoryos reads (time phrases, ages, counts): one table for every module
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBERS = {"a": 1, "an": 1, **NUMBER_WORDS, "a couple of": 2, "a couple": 2, "couple of": 2}
_VAGUE = {"a few": (2, 5), "few": (2, 5), "several": (3, 7)}  # (fewest, most) units for a vague count
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}  # first month
_PARTS = {"morning", "afternoon", "evening", "night"}


class DateMention(NamedTuple):
    """A date mentioned in a text: the words as written, their absolute span, and how it reads absolutely."""

    phrase: str
    start: float  # epoch seconds (UTC), inclusive
    end: float  # epoch seconds (UTC), exclusive
    label: str  # "7 May 2023", "the week of 1 May 2023", "May 2023", "summer 2022"...
    offset: int  # where the phrase starts in the text


@dataclass(frozen=True)
class _Resolved:
    start: datetime
    end: datetime
    label: str
    lead: str  # the preposition the label needs in running text ("on 7 May 2023", "in May 2023"); "" for none


_Handler = Callable[[re.Match[str], datetime], "_Resolved | None"]


# ---- calendar arithmetic (all in UTC, whole days) ----


def _day(d: date) -> datetime:
    return datetime.combine(d, time(), tzinfo=timezone.utc)


def _day_label(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _on_day(d: date, part: str | None = None) -> _Resolved:
    label = _day_label(d) if not part else f"the {part.lower()} of {_day_label(d)}"
    return _Resolved(_day(d), _day(d + timedelta(days=1)), label, "on")


def _week_of(d: date) -> _Resolved:
    monday = d - timedelta(days=d.weekday())
    return _Resolved(_day(monday), _day(monday + timedelta(days=7)), f"the week of {_day_label(monday)}", "in")


def _weekend_of(saturday: date) -> _Resolved:
    return _Resolved(_day(saturday), _day(saturday + timedelta(days=2)), f"the weekend of {_day_label(saturday)}", "on")


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _month(year: int, month: int) -> _Resolved:
    ny, nm = _add_months(year, month, 1)
    return _Resolved(_day(date(year, month, 1)), _day(date(ny, nm, 1)), f"{MONTHS[month - 1]} {year}", "in")


def week_of_month(year: int, month: int, ordinal: str) -> tuple[datetime, datetime]:
    """[start, end) of "the first/second/third/fourth/last week of" a month (see _WEEK_ORDINALS)."""
    number = _WEEK_ORDINALS[ordinal.lower()]
    ny, nm = _add_months(year, month, 1)
    month_end = date(ny, nm, 1)
    first = month_end - timedelta(days=7) if number == 0 else date(year, month, 1) + timedelta(days=7 * (number - 1))
    return _day(first), _day(first + timedelta(days=7))


def part_of_month(year: int, month: int, part: str) -> tuple[datetime, datetime]:
    """[start, end) of "the beginning / middle / end of" a month or "early / mid / late" in it (ten days each,
    the end part to the month's last day)."""
    index = _MONTH_PARTS[part.lower()]
    ny, nm = _add_months(year, month, 1)
    first = date(year, month, 1) + timedelta(days=10 * index)
    return _day(first), _day(date(ny, nm, 1) if index == 2 else first + timedelta(days=10))


def _year(year: int) -> _Resolved:
    return _Resolved(_day(date(year, 1, 1)), _day(date(year + 1, 1, 1)), str(year), "in")


def _season(name: str, year: int) -> _Resolved:
    """`year` is the year the season starts in (winter 2022 is December 2022 – February 2023)."""
    first = _SEASONS[name]
    ey, em = _add_months(year, first, 3)
    label = f"winter {year}–{year + 1}" if name == "winter" else f"{name} {year}"
    return _Resolved(_day(date(year, first, 1)), _day(date(ey, em, 1)), label, "in")


def _season_occurrences(name: str, around: int) -> list[_Resolved]:
    return [_season(name, y) for y in range(around - 2, around + 3)]


def _last_weekend(today: date) -> date:
    """The Saturday of the latest weekend that ended before `today` (on a weekend day: the one before)."""
    days_back = (today.weekday() - 5) % 7
    if today.weekday() >= 5:
        days_back += 7
    return today - timedelta(days=days_back)


def _count(word: str) -> int | None:
    word = " ".join(word.lower().split())
    if word.isdigit():
        return int(word) if 0 < int(word) < 1000 else None
    return _NUMBERS.get(word)


# ---- the phrases ----

_NUM = r"(?P<num>\d{1,3}|an?|" + "|".join(NUMBER_WORDS) + r"|(?:a\s+)?couple(?:\s+of)?)"
_UNIT = r"(?P<unit>day|week|weekend|month|year)s?"
# abbreviations only capitalised ("last Fri", "next Tues"): "sat", "sun" and "wed" are words too
_WEEKDAY = (
    r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|(?-i:Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun))"
)
_PART = r"(?:\s+(?P<part>morning|afternoon|evening|night))?"
_MONTH_NAME = (
    r"(?P<month>january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_FUTURE_CUE = re.compile(
    r"\b(?:will|shall|going to|gonna|plan(?:s|ning)?|scheduled|due|about to|hope to|hoping to|expect(?:ing)?|"
    r"(?:'m|am|are|is|'re|'s)\s+\w+ing)\b|'ll\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"\b(?:not|never|no|haven't|hasn't|hadn't|didn't|don't|won't|can't)\b|n't\b", re.IGNORECASE)


def _h_day(m: re.Match[str], now: datetime) -> _Resolved | None:
    word = m.group("word").lower()
    offset = {"yesterday": -1, "today": 0, "tomorrow": 1, "tonight": 0}[word]
    part = m.group("part") or ("night" if word == "tonight" else None)
    if word == "today" and part:
        return None  # "today morning" is not English; leave it
    return _on_day(now.date() + timedelta(days=offset), part)


def _h_two_days(m: re.Match[str], now: datetime) -> _Resolved:
    offset = -2 if m.group("which").lower() == "before yesterday" else 2
    return _on_day(now.date() + timedelta(days=offset))


def _h_this_part(m: re.Match[str], now: datetime) -> _Resolved:
    return _on_day(now.date(), m.group("part"))


def _h_last_night(_m: re.Match[str], now: datetime) -> _Resolved:
    return _on_day(now.date() - timedelta(days=1), "night")


def _h_relative_unit(m: re.Match[str], now: datetime) -> _Resolved | None:
    """last/this/next week, weekend, month, year (and "this past ...")."""
    which = " ".join(m.group("which").lower().split())
    unit = m.group("unit").lower()
    step = {"last": -1, "this past": -1, "past": -1, "this": 0, "next": 1}[which]
    today = now.date()
    if unit == "week":
        return _week_of(today + timedelta(weeks=step))
    if unit == "weekend":
        if step < 0:
            return _weekend_of(_last_weekend(today))
        saturday = today - timedelta(days=today.weekday()) + timedelta(days=5)  # this week's Saturday
        return _weekend_of(saturday + timedelta(weeks=step))
    if unit == "month":
        return _month(*_add_months(now.year, now.month, step))
    if unit == "year":
        return _year(now.year + step)
    return None


def _h_weekday(m: re.Match[str], now: datetime) -> _Resolved:
    which = m.group("which").lower()
    target = _WEEKDAY_NUMBER[m.group("weekday").lower()]
    today = now.date()
    if which == "last":
        back = (today.weekday() - target) % 7 or 7
        day = today - timedelta(days=back)
    else:
        monday = today - timedelta(days=today.weekday())
        day = monday + timedelta(days=target + (7 if which == "next" else 0))
    resolved = _on_day(day, m.group("part"))
    name = WEEKDAYS[target]
    label = (
        f"the {m.group('part').lower()} of {name} {_day_label(day)}" if m.group("part") else f"{name} {_day_label(day)}"
    )
    return _Resolved(resolved.start, resolved.end, label, "on")


def _h_ago(m: re.Match[str], now: datetime) -> _Resolved | None:
    unit = m.group("unit").lower()
    today = now.date()
    vague = m.group("vague")
    approx = bool(m.group("approx"))
    if vague:
        low, high = _VAGUE[" ".join(vague.lower().split())]
        words = " ".join(vague.lower().split())
        if unit == "weekend":
            return None
        span_end = _shift(today, unit, -low) + timedelta(days=1)
        span_start = _shift(today, unit, -high)
        label = f"{'a few' if words != 'several' else 'several'} {unit}s before {_day_label(today)}"
        return _Resolved(_day(span_start), _day(span_end), label, "")
    n = _count(m.group("num"))
    if n is None:
        return None
    if unit == "day":
        resolved = _on_day(today - timedelta(days=n))
    elif unit == "week":
        resolved = _week_of(today - timedelta(weeks=n))
    elif unit == "weekend":
        resolved = _weekend_of(_last_weekend(today) - timedelta(weeks=n - 1))
    elif unit == "month":
        resolved = _month(*_add_months(now.year, now.month, -n))
    else:
        resolved = _year(now.year - n)
    if approx:
        return _Resolved(resolved.start, resolved.end, f"around {resolved.label}", "")
    return resolved


def _shift(d: date, unit: str, n: int) -> date:
    if unit == "day":
        return d + timedelta(days=n)
    if unit == "week":
        return d + timedelta(weeks=n)
    months = n * (12 if unit == "year" else 1)
    y, mo = _add_months(d.year, d.month, months)
    return date(y, mo, min(d.day, 28))


def _h_in_future(m: re.Match[str], now: datetime) -> _Resolved | None:
    """In N units ("in two weeks"): only with a future cue before it and no negation ("I haven't run in two weeks")."""
    text, begin = m.string, m.start()
    sentence_start = max(text.rfind(c, 0, begin) for c in ".!?\n") + 1
    before = text[sentence_start:begin]
    if not _FUTURE_CUE.search(before) or _NEGATION.search(before):
        return None
    n = _count(m.group("num"))
    unit = m.group("unit").lower()
    if n is None or unit == "weekend":
        return None
    today = now.date()
    if unit == "day":
        return _on_day(today + timedelta(days=n))
    if unit == "week":
        return _week_of(today + timedelta(weeks=n))
    if unit == "month":
        return _month(*_add_months(now.year, now.month, n))
    return _year(now.year + n)


def _h_month_name(m: re.Match[str], now: datetime) -> _Resolved | None:
    which = m.group("which").lower()
    month = _MONTH_NUMBER[m.group("month").lower()]
    if which == "last":
        year = now.year if month < now.month else now.year - 1
    elif which == "next":
        year = now.year if month > now.month else now.year + 1
    else:
        return None
    return _month(year, month)


def _h_season(m: re.Match[str], now: datetime) -> _Resolved | None:
    which = " ".join(m.group("which").lower().split())
    name = m.group("season").lower()
    name = "autumn" if name == "fall" else name
    occurrences = _season_occurrences(name, now.year)
    # "this summer": the occurrence nearest to now, whether it is under way, coming or just over
    this = min(occurrences, key=lambda s: max(0.0, (s.start - now).total_seconds(), (now - s.end).total_seconds()))
    if which == "this":
        chosen = this
    elif which == "next":
        chosen = occurrences[occurrences.index(this) + 1]
    else:  # last / this past: the latest that ended before now
        chosen = [s for s in occurrences if s.end <= now][-1]
    return chosen


def _h_this_time_last_year(_m: re.Match[str], now: datetime) -> _Resolved:
    month = _month(now.year - 1, now.month)
    return _Resolved(month.start, month.end, f"around {month.label}", "")


# ---- absolute dates (never rewritten; listed by mentioned_dates) ----


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _h_abs_dmy(m: re.Match[str], _now: datetime) -> _Resolved | None:
    d = _safe_date(int(m.group("year")), _MONTH_NUMBER[m.group("month").lower()], int(m.group("day")))
    return _on_day(d) if d else None


def _h_abs_iso(m: re.Match[str], _now: datetime) -> _Resolved | None:
    d = _safe_date(int(m.group("year")), int(m.group("mon")), int(m.group("day")))
    return _on_day(d) if d else None


def _h_abs_week(m: re.Match[str], now: datetime) -> _Resolved | None:
    d = _safe_date(int(m.group("year")), _MONTH_NUMBER[m.group("month").lower()], int(m.group("day")))
    if d is None:
        return None
    return _weekend_of(d) if m.group("kind").lower() == "weekend" else _week_of(d)


def _h_abs_week_of_month(m: re.Match[str], _now: datetime) -> _Resolved:
    year, month = int(m.group("year")), _MONTH_NUMBER[m.group("month").lower()]
    start, end = week_of_month(year, month, m.group("ord"))
    return _Resolved(start, end, f"the {m.group('ord').lower()} week of {MONTHS[month - 1]} {year}", "in")


def _h_abs_part_of_month(m: re.Match[str], _now: datetime) -> _Resolved:
    year, month = int(m.group("year")), _MONTH_NUMBER[m.group("month").lower()]
    part = (m.group("part") or m.group("part2")).lower()
    start, end = part_of_month(year, month, part)
    name = MONTHS[month - 1]
    words = {"early": f"early {name}", "mid": f"mid-{name}", "late": f"late {name}"}.get(part, f"the {part} of {name}")
    return _Resolved(start, end, f"{words} {year}", "in")


def _h_abs_my(m: re.Match[str], _now: datetime) -> _Resolved:
    return _month(int(m.group("year")), _MONTH_NUMBER[m.group("month").lower()])


def _h_abs_season(m: re.Match[str], _now: datetime) -> _Resolved:
    name = m.group("season").lower()
    return _season("autumn" if name == "fall" else name, int(m.group("year")))


def _h_abs_year(m: re.Match[str], _now: datetime) -> _Resolved:
    return _year(int(m.group("year")))


_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAYNUM = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_SEASON = r"(?P<season>spring|summer|autumn|fall|winter)"

_RELATIVE: list[tuple[re.Pattern[str], _Handler]] = [
    (re.compile(r"\bthis time last year\b", re.I), _h_this_time_last_year),
    (re.compile(r"\bthe day (?P<which>before yesterday|after tomorrow)\b", re.I), _h_two_days),
    (re.compile(r"\b(?P<word>yesterday|today|tomorrow|tonight)" + _PART + r"\b(?!['’]s)", re.I), _h_day),
    (re.compile(r"\bthis\s+(?P<part>morning|afternoon|evening)\b(?!['’]s)", re.I), _h_this_part),
    (re.compile(r"\blast night\b(?!['’]s)", re.I), _h_last_night),
    (
        re.compile(r"\b(?P<which>last|this|next)\s+" + _WEEKDAY + _PART + r"\b(?!['’]s)", re.I),
        _h_weekday,
    ),
    (
        re.compile(
            r"\b(?P<which>this\s+past|last|this|next)\s+(?P<unit>week|weekend|month|year)\b(?!['’]s)(?!\s+of\b)",
            re.I,
        ),
        _h_relative_unit,
    ),
    (
        re.compile(
            r"\b(?:(?P<approx>about|around|almost|nearly|roughly|approximately|some)\s+)?"
            r"(?:(?P<vague>a\s+few|few|several)|" + _NUM + r")\s+" + _UNIT + r"\s+ago\b",
            re.I,
        ),
        _h_ago,
    ),
    (re.compile(r"\bin\s+" + _NUM + r"\s+" + _UNIT + r"(?:['’]?\s+time)?\b", re.I), _h_in_future),
    (re.compile(r"\b(?P<which>last|this|next)\s+" + _MONTH_NAME + r"\b(?!['’]s)", re.I), _h_month_name),
    (re.compile(r"\b(?P<which>this\s+past|last|this|next)\s+" + _SEASON + r"\b(?!['’]s)", re.I), _h_season),
]

WEEK_ORDINAL = r"(?P<ord>first|second|third|fourth|last|1st|2nd|3rd|4th)\s+week\s+of\s+"
MONTH_PART = r"(?:(?:the\s+)?(?P<part>beginning|start|middle|end)\s+of\s+|(?P<part2>early|mid|late)[\s-]+)"

_ABSOLUTE: list[tuple[re.Pattern[str], _Handler]] = [
    (
        re.compile(r"\b(?:the\s+)?" + WEEK_ORDINAL + _MONTH_NAME + r"\.?,?\s+(?:of\s+)?" + _YEAR + r"\b", re.I),
        _h_abs_week_of_month,
    ),
    (
        re.compile(r"\b" + MONTH_PART + _MONTH_NAME + r"\.?,?\s+(?:of\s+)?" + _YEAR + r"\b", re.I),
        _h_abs_part_of_month,
    ),
    (
        re.compile(
            r"\bthe\s+(?P<kind>week|weekend)\s+of\s+" + _DAYNUM + r"\s+" + _MONTH_NAME + r",?\s+" + _YEAR + r"\b", re.I
        ),
        _h_abs_week,
    ),
    (re.compile(r"\b" + _DAYNUM + r"\s+(?:of\s+)?" + _MONTH_NAME + r"\.?,?\s+" + _YEAR + r"\b", re.I), _h_abs_dmy),
    (re.compile(r"\b" + _MONTH_NAME + r"\.?\s+" + _DAYNUM + r",?\s+" + _YEAR + r"\b", re.I), _h_abs_dmy),
    (re.compile(r"\b" + _YEAR + r"-(?P<mon>[01]\d)-(?P<day>[0-3]\d)\b"), _h_abs_iso),
    (
        re.compile(r"\b" + _SEASON + r"\s+(?:of\s+)?" + _YEAR + r"(?:\s*[–-]\s*(?:(?:19|20)\d\d|\d\d))?\b", re.I),
        _h_abs_season,
    ),
    (re.compile(r"\b" + _MONTH_NAME + r"\.?,?\s+(?:of\s+)?" + _YEAR + r"\b", re.I), _h_abs_my),
    # a bare year only after a preposition ("in 2021", "since 2019"): a number alone may be anything
    (
        re.compile(
            r"\b(?:in|since|of|during|until|by|from|before|after|around)\s+(?P<core>" + _YEAR + r")\b(?![\d/:-])", re.I
        ),
        _h_abs_year,
    ),
]

# a preposition right before a phrase: the rewrite then brings none of its own ("since last week" → "since the
# week of 1 May 2023", not "since in the week of ...")
_PREPOSITION_BEFORE = re.compile(
    r"\b(?:in|on|at|since|until|till|by|before|after|from|during|over|for|of|through|throughout|around|within|to|"
    r"between|as)\s+$",
    re.IGNORECASE,
)
# the phrase is the subject ("Last week was busy"): it takes no preposition
_VERB_AFTER = re.compile(r"^\s+(?:was|is|were|will|has|had|would|should|seems?|seemed|went|felt)\b", re.IGNORECASE)
# "the last week", "the next year": a stretch of time, not a calendar unit
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|that|every|each|per)\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class _Match:
    begin: int
    end: int
    resolved: _Resolved
    relative: bool


def _as_datetime(at: float | datetime) -> datetime:
    if isinstance(at, datetime):
        return at.astimezone(timezone.utc) if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(float(at), tz=timezone.utc)


def _find(text: str, now: datetime, relative_only: bool) -> list[_Match]:
    found: list[_Match] = []
    rules = [(p, h, True) for p, h in _RELATIVE]
    if not relative_only:
        rules += [(p, h, False) for p, h in _ABSOLUTE]
    for pattern, handler, relative in rules:
        for m in pattern.finditer(text):
            if relative and _DETERMINER_BEFORE.search(text[: m.start()]):
                continue
            resolved = handler(m, now)
            if resolved is None:
                continue
            begin, end = m.span("core") if "core" in pattern.groupindex else m.span()
            found.append(_Match(begin, end, resolved, relative))
    # earliest first, longest first at the same place; no overlaps
    found.sort(key=lambda x: (x.begin, -(x.end - x.begin)))
    chosen: list[_Match] = []
    for match in found:
        if chosen and match.begin < chosen[-1].end:
            continue
        chosen.append(match)
    return chosen


def mentioned_dates(text: str, at: float | datetime) -> list[DateMention]:
    """Every date `text` mentions, relative ones resolved against `at` (epoch seconds or a datetime; UTC),
    in order of appearance: the phrase, its absolute span [start, end) in epoch seconds, a label, its offset."""
    now = _as_datetime(at)
    return [
        DateMention(
            text[m.begin : m.end], m.resolved.start.timestamp(), m.resolved.end.timestamp(), m.resolved.label, m.begin
        )
        for m in _find(text, now, relative_only=False)
    ]


def resolve_relative(text: str, at: float | datetime) -> str:
    """`text` with the relative time phrases it understands made absolute against `at` (epoch seconds or a
    datetime; UTC): "I'm going to a conference this month" at 8 May 2023 → "I'm going to a conference in May 2023".
    Anything else is left exactly as written."""
    now = _as_datetime(at)
    out: list[str] = []
    last = 0
    for m in _find(text, now, relative_only=True):
        phrase = text[m.begin : m.end]
        bare = _PREPOSITION_BEFORE.search(text[: m.begin]) or _VERB_AFTER.match(text[m.end :])
        lead = "" if bare else m.resolved.lead
        replacement = f"{lead} {m.resolved.label}" if lead else m.resolved.label
        if phrase[:1].isupper() and replacement[:1].islower():
            replacement = replacement[0].upper() + replacement[1:]
        out.append(text[last : m.begin])
        out.append(replacement)
        last = m.end
    out.append(text[last:])
    return "".join(out)


__all__ = [
    "MONTHS",
    "MONTH_PART",
    "NUMBER_WORDS",
    "TENS",
    "WEEKDAYS",
    "WEEK_ORDINAL",
    "DateMention",
    "mentioned_dates",
    "part_of_month",
    "resolve_relative",
    "week_of_month",
]
