"""Dates as index tokens: when a page says "I went there yesterday" on 8 May 2023, its lexical index also holds
tokens for 7 May 2023, May 2023 and 2023, and a question that names one of those finds it.

A page is indexed at every granularity its dates are fine enough for (a day: day, month and year tokens; a week
or a season: its months and year; a year: the year); a query asks at the granularity it names (a day: that day's
token; a month: the month's; a year: the year's). Tokens are letters and digits only ("zd20230507",
"zm202305", "zy2023"), so both backends' indexes split them like any word, and no English word looks like them.
Relative phrases are resolved by `timeexpr.mentioned_dates` against the time the page was said.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .validation import timestamp_problem

_DAY = 86400.0
DAY_SPAN = 3 * _DAY  # up to a long weekend: each day gets a token
MONTH_SPAN = 92 * _DAY  # up to a season: each month gets a token
YEAR_SPAN = 366 * _DAY  # up to a year: the year gets a token (longer spans, "a few years ago", get none)
MAX_MENTIONS = 32  # dates indexed per page: a page that lists hundreds says little about any one of them
_YEARS = range(1900, 2101)


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=timezone.utc)


def _days(start: float, end: float) -> list[str]:
    first, last = _utc(start).date(), _utc(end - 1).date()
    return [f"zd{(first + timedelta(days=i)):%Y%m%d}" for i in range((last - first).days + 1)]


def _months(start: float, end: float) -> list[str]:
    a, b = _utc(start), _utc(end - 1)
    return [f"zm{i // 12:04d}{i % 12 + 1:02d}" for i in range(a.year * 12 + a.month - 1, b.year * 12 + b.month)]


def _years(start: float, end: float) -> list[str]:
    return [f"zy{y}" for y in range(_utc(start).year, _utc(end - 1).year + 1)]


def _in_range(start: float, end: float) -> bool:
    try:
        return end > start and _utc(start).year in _YEARS and _utc(end - 1).year in _YEARS
    except (OverflowError, OSError, ValueError):
        return False


def span_tokens(start: float, end: float) -> list[str]:
    """Index tokens of one dated span ([start, end) epoch seconds, UTC), at every granularity it is fine enough for."""
    if not _in_range(start, end) or end - start > YEAR_SPAN:
        return []
    out = _days(start, end) if end - start <= DAY_SPAN else []
    if end - start <= MONTH_SPAN:
        out += _months(start, end)
    return out + _years(start, end)


def query_tokens(start: float, end: float) -> list[str]:
    """The tokens a query naming this span asks for: at the span's own granularity only."""
    if not _in_range(start, end) or end - start > YEAR_SPAN:
        return []
    if end - start <= DAY_SPAN:
        return _days(start, end)
    if end - start <= MONTH_SPAN:
        return _months(start, end)
    return _years(start, end)


# every phrase timeexpr understands has one of these words (or a year, or an ISO date): most pages have none,
# and one pass over the words is far cheaper than its twenty patterns (this runs for every page written)
_TRIGGERS = frozenset(
    "yesterday today tomorrow tonight night morning afternoon evening day days week weeks weekend weekends "  # noqa: SIM905
    "month months year years monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec "
    "spring summer autumn fall winter".split()
)
_WORDS = re.compile(r"[a-z]+|(?:19|20)\d\d")


def event_tokens(text: str, at: float) -> list[str]:
    """Index tokens of the dates `text` mentions, relative ones resolved against `at` (when it was said)."""
    if timestamp_problem(at) is not None or not _in_range(at, at + 1):
        return []  # an old row's broken time resolves nothing
    words = set(_WORDS.findall(text.lower()))
    if _TRIGGERS.isdisjoint(words) and not any(w[0].isdigit() for w in words):
        return []
    from .timeexpr import mentioned_dates  # its patterns compile on first use

    out: list[str] = []
    for mention in mentioned_dates(text, at)[:MAX_MENTIONS]:
        out += span_tokens(mention.start, mention.end)
    return out


__all__ = ["event_tokens", "query_tokens", "span_tokens"]
