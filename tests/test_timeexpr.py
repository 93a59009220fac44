"""Relative time phrases made absolute against when they were said (memoryos.timeexpr)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from memoryos.timeexpr import mentioned_dates, resolve_relative


def _at(y: int, m: int, d: int, hour: int = 13) -> float:
    return datetime(y, m, d, hour, 56, tzinfo=timezone.utc).timestamp()


MON_8_MAY_2023 = _at(2023, 5, 8)  # LoCoMo's first session: 1:56 pm on 8 May, 2023 (a Monday)


def _day(ts: float) -> date:
    return datetime.fromtimestamp(ts, tz=timezone.utc).date()


def _span(text: str, at: float = MON_8_MAY_2023) -> tuple[date, date]:
    (mention,) = mentioned_dates(text, at)
    return _day(mention.start), _day(mention.end)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm going to a conference this month", "I'm going to a conference in May 2023"),
        ("I went to a support group yesterday.", "I went to a support group on 7 May 2023."),
        ("Yesterday I went running", "On 7 May 2023 I went running"),
        ("I'm seeing her today", "I'm seeing her on 8 May 2023"),
        ("I'm seeing her tomorrow", "I'm seeing her on 9 May 2023"),
        ("We had a party last night", "We had a party on the night of 7 May 2023"),
        ("I ran this morning", "I ran on the morning of 8 May 2023"),
        ("I'm going out tonight", "I'm going out on the night of 8 May 2023"),
        ("I called him yesterday evening", "I called him on the evening of 7 May 2023"),
        ("I met her the day before yesterday", "I met her on 6 May 2023"),
        ("I went hiking last week", "I went hiking in the week of 1 May 2023"),
        ("I'm busy this week", "I'm busy in the week of 8 May 2023"),
        ("My exam is next week", "My exam is in the week of 15 May 2023"),
        ("We went camping last weekend", "We went camping on the weekend of 6 May 2023"),
        ("We went camping this past weekend", "We went camping on the weekend of 6 May 2023"),
        ("We went camping two weekends ago", "We went camping on the weekend of 29 April 2023"),
        ("I painted it last month", "I painted it in April 2023"),
        ("I'm moving next month", "I'm moving in June 2023"),
        ("I painted that lake sunrise last year", "I painted that lake sunrise in 2022"),
        ("I want to finish it this year", "I want to finish it in 2023"),
        ("I'll retire next year", "I'll retire in 2024"),
        ("I moved here 3 years ago", "I moved here in 2020"),
        ("I adopted him about two years ago", "I adopted him around 2021"),
        ("I started 2 months ago", "I started in March 2023"),
        ("I started three weeks ago", "I started in the week of 17 April 2023"),
        ("I saw it 3 days ago", "I saw it on 5 May 2023"),
        ("I saw it a couple of days ago", "I saw it on 6 May 2023"),
        ("I met her a few days ago", "I met her a few days before 8 May 2023"),
        ("I quit several months ago", "I quit several months before 8 May 2023"),
        ("I ran a race last Saturday", "I ran a race on Saturday 6 May 2023"),
        ("I have an interview next Tuesday", "I have an interview on Tuesday 16 May 2023"),
        ("The party is this Friday", "The party is on Friday 12 May 2023"),
        ("We went out last Friday night", "We went out on the night of Friday 5 May 2023"),
        ("I'm moving in two weeks", "I'm moving in the week of 22 May 2023"),
        ("I will start in 3 days", "I will start on 11 May 2023"),
        ("We're going to Spain this summer", "We're going to Spain in summer 2023"),
        ("We went to Spain last summer", "We went to Spain in summer 2022"),
        ("Last winter was cold", "Last winter was cold".replace("Last winter", "Winter 2022–2023")),
        ("We got married last May", "We got married in May 2022"),
        ("This time last year I was in Paris", "Around May 2022 I was in Paris"),
        ("I have been busy since last month", "I have been busy since April 2023"),
        ("I want it done by next year", "I want it done by 2024"),
        ("at the end of this month", "at the end of May 2023"),
        ("I was sick earlier this week", "I was sick earlier in the week of 8 May 2023"),
        ("Last week was busy", "The week of 1 May 2023 was busy"),
    ],
)
def test_resolves_relative_phrases(text: str, expected: str) -> None:
    assert resolve_relative(text, MON_8_MAY_2023) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I've been feeling better recently",
        "I saw her the other day",
        "I haven't run in two weeks",  # a duration, not a date: no future cue
        "I went to a concert on Friday",  # which Friday is not said
        "For the last year I worked hard",  # a stretch of time, not the calendar year
        "The next week was calm",
        "Last year's trip was the best",  # possessive: left alone rather than mangled
        "the last week of June",
        "I run every week",
        "It has been over three years",
        "soon, lately, these days, some time ago",
        "",
    ],
)
def test_leaves_what_it_does_not_understand(text: str) -> None:
    assert resolve_relative(text, MON_8_MAY_2023) == text
    assert [m for m in mentioned_dates(text, MON_8_MAY_2023) if m.phrase.lower() != "last year"] == []


def test_calendar_boundaries() -> None:
    new_year = _at(2024, 1, 2)  # a Tuesday
    assert resolve_relative("I moved last month", new_year) == "I moved in December 2023"
    assert resolve_relative("I moved last week", new_year) == "I moved in the week of 25 December 2023"
    assert resolve_relative("I moved yesterday", new_year) == "I moved on 1 January 2024"
    assert resolve_relative("It snowed last winter", new_year) == "It snowed in winter 2022–2023"
    assert resolve_relative("It snows this winter", new_year) == "It snows in winter 2023–2024"
    assert resolve_relative("I left 13 months ago", new_year) == "I left in December 2022"
    leap = _at(2024, 3, 1)
    assert resolve_relative("I left yesterday", leap) == "I left on 29 February 2024"
    assert resolve_relative("We met last December", _at(2023, 12, 20)) == "We met in December 2022"
    assert resolve_relative("We meet next March", _at(2023, 2, 20)) == "We meet in March 2023"


def test_weekends_and_weekdays_depend_on_the_day_said() -> None:
    saturday, sunday, wednesday = _at(2023, 5, 13), _at(2023, 5, 14), _at(2023, 5, 10)
    assert _span("last weekend", saturday) == (date(2023, 5, 6), date(2023, 5, 8))
    assert _span("last weekend", sunday) == (date(2023, 5, 6), date(2023, 5, 8))
    assert _span("this weekend", wednesday) == (date(2023, 5, 13), date(2023, 5, 15))
    assert _span("this weekend", sunday) == (date(2023, 5, 13), date(2023, 5, 15))
    assert _span("last Wednesday", wednesday) == (date(2023, 5, 3), date(2023, 5, 4))
    assert _span("last Tuesday", wednesday) == (date(2023, 5, 9), date(2023, 5, 10))
    assert _span("next Monday", sunday) == (date(2023, 5, 15), date(2023, 5, 16))


def test_time_of_day_and_timezone_use_utc() -> None:
    just_after_midnight = _at(2023, 5, 8, hour=0)
    assert resolve_relative("I left yesterday", just_after_midnight) == "I left on 7 May 2023"
    aware = datetime(2023, 5, 8, 1, 0, tzinfo=timezone.utc)
    assert resolve_relative("I left yesterday", aware) == "I left on 7 May 2023"
    naive = datetime(2023, 5, 8, 1, 0)  # read as UTC
    assert resolve_relative("I left yesterday", naive) == "I left on 7 May 2023"


def test_spans_are_half_open_utc_ranges() -> None:
    assert _span("yesterday") == (date(2023, 5, 7), date(2023, 5, 8))
    assert _span("last week") == (date(2023, 5, 1), date(2023, 5, 8))
    assert _span("last month") == (date(2023, 4, 1), date(2023, 5, 1))
    assert _span("last year") == (date(2022, 1, 1), date(2023, 1, 1))
    assert _span("this summer") == (date(2023, 6, 1), date(2023, 9, 1))
    assert _span("a few days ago") == (date(2023, 5, 3), date(2023, 5, 7))
    (mention,) = mentioned_dates("Oh, yesterday was fun", MON_8_MAY_2023)
    assert (mention.phrase, mention.offset, mention.label) == ("yesterday", 4, "7 May 2023")
    assert mention.start == datetime(2023, 5, 7, tzinfo=timezone.utc).timestamp()


def test_absolute_dates_are_mentioned_but_never_rewritten() -> None:
    text = "Married on 5 June 2019, moved in March 2020, back since 2021, on May 3rd, 2022 and 2023-04-01."
    assert resolve_relative(text, MON_8_MAY_2023) == text
    found = [(m.phrase, _day(m.start), _day(m.end)) for m in mentioned_dates(text, MON_8_MAY_2023)]
    assert found == [
        ("5 June 2019", date(2019, 6, 5), date(2019, 6, 6)),
        ("March 2020", date(2020, 3, 1), date(2020, 4, 1)),
        ("2021", date(2021, 1, 1), date(2022, 1, 1)),
        ("May 3rd, 2022", date(2022, 5, 3), date(2022, 5, 4)),
        ("2023-04-01", date(2023, 4, 1), date(2023, 4, 2)),
    ]
    assert mentioned_dates("I have 2021 coins", MON_8_MAY_2023) == []  # a bare number is not a year
    (invalid,) = mentioned_dates("31 February 2023 is no day", MON_8_MAY_2023)
    assert invalid.label == "February 2023"  # no such day: only the month is read


@pytest.mark.parametrize(
    "phrase",
    [
        "yesterday",
        "last night",
        "tomorrow morning",
        "last week",
        "next week",
        "last weekend",
        "two weekends ago",
        "last month",
        "next year",
        "3 years ago",
        "last Friday",
        "next Tuesday",
        "last summer",
        "last winter",
        "the day after tomorrow",
    ],
)
def test_a_resolved_text_mentions_the_same_span(phrase: str) -> None:
    """What resolve_relative writes is read back by mentioned_dates as the same span: indexing a stored fact
    finds the date the original words meant."""
    text = f"I did it {phrase}"
    (before,) = mentioned_dates(text, MON_8_MAY_2023)
    (after,) = mentioned_dates(resolve_relative(text, MON_8_MAY_2023), _at(2031, 1, 1))
    assert (after.start, after.end) == (before.start, before.end)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("in the second week of November 2022", date(2022, 11, 8), date(2022, 11, 14)),
        ("the first week of May, 2023", date(2023, 5, 1), date(2023, 5, 7)),
        ("the last week of February 2024", date(2024, 2, 23), date(2024, 2, 29)),
        ("at the beginning of November 2022", date(2022, 11, 1), date(2022, 11, 10)),
        ("in early June 2023", date(2023, 6, 1), date(2023, 6, 10)),
        ("mid-June 2023", date(2023, 6, 11), date(2023, 6, 20)),
        ("by the end of March, 2023", date(2023, 3, 21), date(2023, 3, 31)),
    ],
)
def test_weeks_and_parts_of_a_month(text: str, first: date, last: date) -> None:
    start, end = _span(text)
    assert (start, end) == (first, last + timedelta(days=1))


def test_capitalised_weekday_abbreviations() -> None:
    assert _span("I went there last Fri") == (date(2023, 5, 5), date(2023, 5, 6))
    assert resolve_relative("see you next Tues.", MON_8_MAY_2023) == "see you on Tuesday 16 May 2023."
    # lower case they are words: "sat", "sun", "wed"
    assert mentioned_dates("I sat last wed and the last sun of summer", MON_8_MAY_2023) == []
