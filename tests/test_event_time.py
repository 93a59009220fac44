"""Event time and query analysis (issue 14): pages are indexed by the dates their words mention, relative ones
resolved against when they were said; questions are read for their type and the dates they name."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from memoryos import Memoryos
from memoryos.datetokens import event_tokens, query_tokens, span_tokens
from memoryos.lexical import analyze, page_tokens
from memoryos.models import Page
from memoryos.retrieval.fusion import Candidate, time_boost
from memoryos.retrieval.query_analysis import analyze_query, mentions_time, question_kind


def _at(year: int, month: int, day: int) -> float:
    return datetime(year, month, day, 12, tzinfo=timezone.utc).timestamp()


FILLER = [
    ("I made pasta with tomatoes for dinner.", "Sounds tasty."),
    ("My cat knocked a glass off the table.", "Cats will be cats."),
    ("I am reading a novel about sailors.", "Enjoy the voyage."),
    ("The printer at work jammed again.", "Printers are the worst."),
    ("I repainted the fence in the garden.", "It must look fresh."),
    ("We watched a documentary about bees.", "Bees are fascinating."),
]


def _memory(make_memo: Callable[..., Memoryos], pages: list[tuple[str, str, float]], **config: Any) -> Memoryos:
    memo = make_memo(short_term_capacity=2, **config)
    for user, agent, ts in pages:
        memo.add_memory(user, agent, timestamp=ts)
    memo.flush()
    return memo


def test_date_tokens_index_every_granularity_and_query_their_own() -> None:
    said = _at(2023, 5, 8)
    assert event_tokens("I went to a support group yesterday", said) == ["zd20230507", "zm202305", "zy2023"]
    assert event_tokens("We went camping two weekends ago", _at(2023, 7, 17)) == [
        "zd20230708",
        "zd20230709",
        "zm202307",
        "zy2023",
    ]
    assert event_tokens("Last year was hard", said) == ["zy2022"]
    assert event_tokens("I painted it a few years ago", said) == []  # too vague a span to index
    assert event_tokens("nothing dated here", said) == []
    assert event_tokens("yesterday", float("nan")) == []  # an old row's broken time resolves nothing
    may = (_at(2023, 5, 1) - 12 * 3600, _at(2023, 6, 1) - 12 * 3600)
    assert query_tokens(*may) == ["zm202305"] and span_tokens(*may) == ["zm202305", "zy2023"]
    # the words come first and stay as they were: the dates are appended
    assert page_tokens("Yesterday I ran", "", said)[:3] == analyze("Yesterday I ran")
    assert page_tokens("Yesterday I ran", "", said)[-3:] == ["zd20230507", "zm202305", "zy2023"]


def test_question_types_in_several_languages() -> None:
    assert question_kind("When did Caroline go to the support group?") == "when"
    assert question_kind("In which year did she move?") == "when"
    assert question_kind("How long has she known them?") == "how_long"
    assert question_kind("How many times did he go to the beach?") == "how_many"
    assert question_kind("Who did Maria have dinner with?") == "who"
    assert question_kind("Where did they travel?") == "where"
    assert question_kind("Why did he quit?") == "why"
    assert question_kind("What is her cat called?") == "other"
    assert question_kind("いつ引っ越しましたか？") == "when"
    assert question_kind("你什么时候搬家的？") == "when"
    assert question_kind("언제 이사했어요?") == "when"
    assert question_kind("猫はどこにいますか") == "where"


def test_dates_named_by_the_query_relative_ones_against_the_memorys_present() -> None:
    present = _at(2023, 10, 20)
    assert analyze_query("What did she do last year?", present).date_tokens == ("zy2022",)
    assert analyze_query("What race did he run in May 2023?", present).date_tokens == ("zm202305",)
    june = analyze_query("When did Melanie go camping in June?", present)
    assert june.kind == "when" and "zm202306" in june.date_tokens and "zm202206" in june.date_tokens
    assert "zm202406" not in june.date_tokens  # not after the present
    assert analyze_query("What may happen next?", present).date_tokens == ()  # "may" the verb is no month
    assert mentions_time("We met up last Friday") and mentions_time("I have known them for 4 years")
    assert not mentions_time("I love painting landscapes")


def test_a_week_or_part_of_a_month_narrows_the_span() -> None:
    present = _at(2023, 10, 20)
    day = 86400.0

    def midnight(year: int, month: int, day_of_month: int) -> float:
        return datetime(year, month, day_of_month, tzinfo=timezone.utc).timestamp()

    (week,) = analyze_query("Where was Tim in the second week of November 2022?", present).spans
    assert (week[0], week[1]) == (midnight(2022, 11, 8), midnight(2022, 11, 8) + 7 * day)
    (early,) = analyze_query("What did she do at the beginning of November 2022?", present).spans
    assert (early[0], early[1]) == (midnight(2022, 11, 1), midnight(2022, 11, 11))
    # without a year: that week of each past year's November, never the whole month
    spans = analyze_query("Which country was Tim visiting in the second week of November?", present).spans
    assert (midnight(2022, 11, 8), midnight(2022, 11, 15)) in spans
    assert all(end - start == 7 * day for start, end in spans)


def test_a_dated_question_finds_the_page_that_dates_the_event_only_relatively(
    make_memo: Callable[..., Memoryos],
) -> None:
    pages = [(u, a, _at(2023, 6, 3 + i)) for i, (u, a) in enumerate(FILLER)]
    # said on 2 June: the marathon was in May, yet no word of the page says "May" or "2023"
    pages.insert(3, ("Last month I ran a marathon along the river.", "Congratulations!", _at(2023, 6, 2)))
    memo = _memory(make_memo, pages)
    result = memo.retrieve("What did I do in May 2023?", update_heat=False)
    assert "marathon" in result.pages[0].page.user_input
    assert "lexical" in result.pages[0].signals  # found by its date tokens
    memo.config.event_dates = False
    result = memo.retrieve("What did I do in May 2023?", update_heat=False)
    marathon = [r for r in result.pages if "marathon" in r.page.user_input]
    assert not marathon or "lexical" not in marathon[0].signals


def test_a_when_question_prefers_the_page_that_places_the_event_in_time(make_memo: Callable[..., Memoryos]) -> None:
    pages = [(u, a, _at(2023, 3, 1 + i)) for i, (u, a) in enumerate(FILLER)]
    pages.insert(2, ("My pottery class is so much fun.", "Pottery is relaxing.", _at(2023, 3, 10)))
    pages.insert(4, ("My pottery class started last Tuesday.", "Have fun with it!", _at(2023, 3, 20)))
    memo = _memory(make_memo, pages)
    result = memo.retrieve("When did my pottery class start?", update_heat=False)
    assert "last Tuesday" in result.pages[0].page.user_input
    assert "time" in result.pages[0].signals
    assert all("time" not in r.signals for r in result.pages if "so much fun" in r.page.user_input)
    # a question that does not ask when gets no time boost
    result = memo.retrieve("What do I think of my pottery class?", update_heat=False)
    assert all("time" not in r.signals for r in result.pages)


def _ranked_after_time_boost(seed: int, limit: int) -> tuple[list[str], int]:
    """Top-10 page ids after the time boost over 200 random candidates, and how many page texts it read."""
    rng = random.Random(seed)
    words = ["yesterday we met", "a quiet day", "last week", "nothing", "in 2021", "more tea"]
    candidates = {}
    for i in range(200):
        page = Page(id=f"p{i}", user_input=rng.choice(words), agent_response="", timestamp=0.0, seq=i)
        candidates[page.id] = Candidate(page, dense=0.0, lexical=None, score=rng.random())
    read: list[str] = []

    def counted(text: str) -> bool:
        read.append(text)
        return mentions_time(text)

    time_boost(candidates, counted, 0.1, limit)
    ranked = sorted(candidates.values(), key=lambda c: (-c.score, -c.page.seq))
    return [c.page.id for c in ranked[:10]], len(read)


def test_the_time_boost_reads_only_pages_it_could_lift_into_the_results() -> None:
    for seed in range(20):
        everything, read_all = _ranked_after_time_boost(seed, limit=200)
        bounded, read_few = _ranked_after_time_boost(seed, limit=10)
        assert bounded == everything
        assert read_all == 200 and read_few < 100
