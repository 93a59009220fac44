"""Forgetting on purpose: add_memory(ttl=...), add_knowledge(valid_until=...) and memory_ttl_seconds.

An expired page or fact leaves every read the moment the facade's clock reaches its expiry (before any purge),
and upkeep deletes it; exports never carry it. Every backend (the make_memo fixture runs on each)."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from doubles import ManualClock, ScriptedLLM

from memoryos import ConfigError, InvalidInput, Memoryos, NotFound
from memoryos.interfaces.import_files import import_records, records_from_items
from memoryos.validation import MAX_TTL_SECONDS, check_ttl, check_valid_until, expiry_after

DAY = 86_400.0
LAST_YEAR = 1_700_000_000.0  # a page's own timestamp, long before the clock's "now"


def remembered(memo: Memoryos, query: str) -> str:
    """Everything a search shows: short-term, retrieved pages, knowledge."""
    result = memo.search(query, max_results=50)
    pages = [p.text for p in result.short_term] + [r.page.text for r in result.pages]
    facts = [f.fact.text for f in result.user_knowledge + result.assistant_knowledge]
    return "\n".join(pages + facts + [result.to_prompt()])


def test_ttl_counts_from_when_the_page_is_stored_not_from_its_timestamp(make_memo: Any, clock: ManualClock) -> None:
    memo = make_memo()
    kept = memo.add_memory("I collect antique maps.", "Lovely hobby.", timestamp=LAST_YEAR)
    brief = memo.add_memory("My gate code is zebra this week.", "Noted.", timestamp=LAST_YEAR, ttl=7 * DAY)
    as_delta = memo.add_memory("The plumber comes on Tuesday.", "OK.", ttl=timedelta(hours=12))
    assert memo.get_page(kept)["expires_at"] is None
    assert memo.get_page(brief)["expires_at"] == clock.now + 7 * DAY  # a year-old timestamp does not expire it
    assert memo.get_page(as_delta)["expires_at"] == clock.now + 12 * 3600


def test_an_expired_page_leaves_every_read_at_once_and_upkeep_deletes_it(make_memo: Any, clock: ManualClock) -> None:
    memo = make_memo(short_term_capacity=3)
    secret = memo.add_memory("My gate code is zebra this week.", "Noted, gate code zebra.", ttl=DAY)
    others = [memo.add_memory(f"Day {i}: I walked the dog by the river.", "Sounds nice.") for i in range(5)]
    memo.flush()  # the secret page is consolidated into mid-term like any other
    assert memo.get_page(secret)["tier"] == "mid"
    assert "zebra" in remembered(memo, "What is my gate code?")

    clock.advance(DAY - 1)
    assert "zebra" in remembered(memo, "What is my gate code?")
    clock.advance(1)  # expires_at <= now: forgotten
    assert "zebra" not in remembered(memo, "What is my gate code?")
    recalled = memo.retrieve("gate code number").to_dict()
    assert "zebra" not in str([recalled["short_term"], recalled["pages"], recalled["user_knowledge"]])
    with pytest.raises(NotFound):
        memo.get_page(secret)
    assert secret not in {p["id"] for p in memo.list_pages()}
    assert memo.stats()["pages"]["mid"] + memo.stats()["pages"]["short"] == len(others) + 1  # not deleted yet

    memo.flush()  # upkeep purges
    assert sum(memo.stats()["pages"].values()) == len(others)
    assert memo.check() == []  # chains and counts stay whole
    assert all(memo.get_page(pid)["id"] == pid for pid in others)


def test_a_short_term_page_expires_too(make_memo: Any, clock: ManualClock) -> None:
    memo = make_memo(short_term_capacity=10)
    page = memo.add_memory("Remind me: dentist at 3pm today.", "Will do.", ttl=3600)
    assert "dentist" in remembered(memo, "dentist")
    clock.advance(3600)
    assert "dentist" not in remembered(memo, "dentist")
    assert memo.list_pages(tier="short") == []
    memo.flush()
    assert memo.stats()["pages"]["short"] == 0
    with pytest.raises(NotFound):
        memo.delete_memory(page)


def test_config_default_ttl_and_its_override(make_memo: Any, clock: ManualClock) -> None:
    memo = make_memo(memory_ttl_seconds=30 * DAY)
    default = memo.add_memory("I am trying a new recipe tonight.", "Good luck!")
    shorter = memo.add_memory("Today's parking spot is B12.", "Got it.", ttl=DAY)
    assert memo.get_page(default)["expires_at"] == clock.now + 30 * DAY
    assert memo.get_page(shorter)["expires_at"] == clock.now + DAY
    clock.advance(DAY)
    assert [p["id"] for p in memo.list_pages()] == [default]


def test_config_default_from_the_environment(monkeypatch: pytest.MonkeyPatch, make_memo: Any) -> None:
    monkeypatch.setenv("MEMORYOS_MEMORY_TTL_SECONDS", "3600")
    assert make_memo().config.memory_ttl_seconds == 3600.0
    monkeypatch.setenv("MEMORYOS_MEMORY_TTL_SECONDS", "-5")
    with pytest.raises(ConfigError, match="memory_ttl_seconds must be positive"):
        make_memo()


@pytest.mark.parametrize(
    ("ttl", "message"),
    [
        (0, "must be positive"),
        (-1.5, "must be positive"),
        (timedelta(seconds=-1), "must be positive"),
        (math.inf, "not a finite"),
        (math.nan, "not a finite"),
        (True, "got bool"),
        ("30d", "got str"),
        (10**400, "longer than"),
        (MAX_TTL_SECONDS * 2, "longer than"),
    ],
)
def test_bad_ttls_are_typed_errors_and_store_nothing(make_memo: Any, ttl: object, message: str) -> None:
    memo = make_memo()
    with pytest.raises(InvalidInput, match=message):
        memo.add_memory("hello", "hi", ttl=ttl)
    with pytest.raises(ConfigError):
        make_memo(memory_ttl_seconds=ttl)
    assert memo.list_pages() == []


def test_ttl_validation_rules() -> None:
    assert check_ttl(None) is None
    assert check_ttl(5) == 5.0 and check_ttl(timedelta(days=1)) == DAY
    assert check_ttl(MAX_TTL_SECONDS) == MAX_TTL_SECONDS
    assert expiry_after(None, 1.0) is None and expiry_after(10.0, 1.0) == 11.0
    with pytest.raises(InvalidInput, match="expiry time"):
        expiry_after(MAX_TTL_SECONDS, 253_000_000_000.0)  # beyond year 9999
    now = 1_750_000_000.0
    assert check_valid_until(None, now) is None
    assert check_valid_until(now + 1, now) == now + 1
    assert check_valid_until("2030-01-01", now) == datetime(2030, 1, 1, tzinfo=timezone.utc).timestamp()
    for past in (now, now - 1, "2020-01-01T00:00:00Z"):
        with pytest.raises(InvalidInput, match="not in the future"):
            check_valid_until(past, now)
    for bad in ("", "next week", True, [1]):
        with pytest.raises(InvalidInput, match="valid_until"):
            check_valid_until(bad, now)


def test_a_fact_with_valid_until_holds_until_then(make_memo: Any, clock: ManualClock) -> None:
    memo = make_memo()
    until = clock.now + 5 * DAY
    trip = memo.add_knowledge("Tom is staying in Rome for the conference.", valid_until=until)
    lasting = memo.add_knowledge("Tom is allergic to peanuts.")
    facts = {f["id"]: f for f in memo.get_knowledge()}
    assert facts[trip]["expires_at"] == until and facts[trip]["valid_until"] is None  # current until then
    assert facts[lasting]["expires_at"] is None
    assert "Rome" in remembered(memo, "Where is Tom staying?")

    clock.advance(5 * DAY)
    assert [f["id"] for f in memo.get_knowledge()] == [lasting]
    assert [f["id"] for f in memo.get_knowledge(include_history=True)] == [lasting]  # forgotten, not history
    assert "Rome" not in remembered(memo, "Where is Tom staying?")
    assert memo.stats()["knowledge"]["user"] == 2  # still stored until upkeep runs
    memo.flush()
    assert memo.stats()["knowledge"]["user"] == 1
    with pytest.raises(NotFound):
        memo.fact_history(trip)


def test_valid_until_accepts_the_timestamp_forms_and_refuses_the_past(make_memo: Any, clock: ManualClock) -> None:
    memo = make_memo()
    moment = datetime.fromtimestamp(clock.now + DAY, tz=timezone.utc)
    texts = ["Tom is in Rome.", "Tom's car is at the garage.", "Tom's sister is visiting."]
    for text, form in zip(texts, (moment, moment.isoformat(), clock.now + DAY), strict=True):
        fact = memo.add_knowledge(text, valid_until=form)
        assert next(f for f in memo.get_knowledge() if f["id"] == fact)["expires_at"] == clock.now + DAY
    with pytest.raises(InvalidInput, match="not in the future"):
        memo.add_knowledge("Tom lived in Paris.", valid_until=clock.now - DAY)
    with pytest.raises(InvalidInput, match="valid_until"):
        memo.add_knowledge("Tom lives in Paris.", valid_until="someday")
    assert len(memo.get_knowledge()) == 3


def test_an_expired_twin_does_not_swallow_a_new_fact(make_memo: Any, clock: ManualClock) -> None:
    memo = make_memo()
    memo.add_knowledge("Tom is staying in Rome.", valid_until=clock.now + DAY)
    clock.advance(2 * DAY)
    again = memo.add_knowledge("Tom is staying in Rome.")  # before any upkeep ran
    assert [f["id"] for f in memo.get_knowledge()] == [again]


def test_exports_leave_out_what_has_expired(make_memo: Any, clock: ManualClock) -> None:
    memo = make_memo(short_term_capacity=3)
    for i in range(4):
        memo.add_memory(f"Note {i}: I like tea.", "OK.")
    brief = memo.add_memory("My locker code is tulip.", "Noted.", ttl=DAY)
    memo.add_memory("One more page after it.", "OK.")
    fact = memo.add_knowledge("Tom's locker code is tulip.", valid_until=clock.now + DAY)
    kept = memo.export()
    assert brief in {p["id"] for p in kept["pages"]} and fact in {f["id"] for f in kept["knowledge"]}
    assert next(p for p in kept["pages"] if p["id"] == brief)["expires_at"] == clock.now + DAY
    copy = make_memo(user_id="copy")
    copy.import_data(kept)  # a restore keeps the expiries
    assert next(p for p in copy.list_pages() if "tulip" in p["user_input"])["expires_at"] == clock.now + DAY
    assert "tulip" in remembered(copy, "locker code")

    clock.advance(DAY)
    dump = memo.export()
    assert "tulip" not in str(dump)
    assert len(dump["pages"]) == 5 and fact not in {f["id"] for f in dump["knowledge"]}  # learnt facts may stay
    assert "tulip" not in remembered(copy, "locker code")
    assert "tulip" not in str(copy.export())


def test_imported_records_take_a_ttl_checked_like_add_memory(make_memo: Any, clock: ManualClock) -> None:
    memo = make_memo(memory_ttl_seconds=30 * DAY)
    records = records_from_items(
        [
            ("line 1", {"user_input": "Old chat about maps.", "timestamp": LAST_YEAR, "ttl": DAY}),
            ("line 2", {"user_input": "Another old chat.", "timestamp": LAST_YEAR}),
        ]
    )
    import_records(memo, records)
    assert [p["expires_at"] for p in memo.list_pages()] == [clock.now + DAY, clock.now + 30 * DAY]
    for bad, message in ((0, "line 3: ttl must be positive"), ("1d", "line 3: ttl must be a number")):
        with pytest.raises(InvalidInput, match=message):
            records_from_items([("line 3", {"user_input": "x", "ttl": bad})])


def _said(day: str) -> float:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=timezone.utc).timestamp()


def _derived_text(memo: Memoryos) -> str:
    """Everything memory wrote from pages: knowledge (closed too), the profile and its history, segment summaries
    and keywords, thread summaries."""
    parts = [f["text"] for f in memo.get_knowledge("user", include_history=True)]
    parts += [memo.get_user_profile()] + [v["text"] for v in memo.profile_history()]
    parts += [s["summary"] + " " + " ".join(s["keywords"]) for s in memo.list_segments(include_archived=True)]
    parts += [p["chain_summary"] for p in memo.list_pages()]
    return "\n".join(parts)


def test_what_was_learnt_only_from_expired_pages_is_forgotten_with_them(make_memo: Any, clock: ManualClock) -> None:
    """No LLM: the facts, profile lines, segment summary and keywords and thread summaries that only the expired
    pages gave go with them; what the other pages of the same segment, thread and day said stays, and the fact
    the forgotten move had closed holds again."""
    memo = make_memo(  # batches of 3 pages, one topic each, each its own segment, each promoted
        short_term_capacity=3,
        short_term_retain=0,
        max_topics_per_batch=1,
        mid_term_heat_threshold=1.0,
        mid_term_similarity_threshold=5.0,
    )
    march, may = _said("2023-03-02"), _said("2023-05-08")
    memo.add_memory("I live in Lisbon with my partner.", "Lovely city.", timestamp=march)
    memo.add_memory("I work as a nurse at the city hospital.", "Busy job!", timestamp=march + 60)
    memo.add_memory("The tram to work was late again.", "Annoying.", timestamp=march + 120)
    memo.flush()
    memo.add_memory("I just moved to Berlin last week!", "Exciting, how is Berlin?", timestamp=may, ttl=DAY)
    memo.add_memory("My gate code here is zebra 4711.", "Noted, zebra.", timestamp=may + 60, ttl=DAY)
    memo.add_memory("I adopted a dog named Pepper.", "Pepper is a great name.", timestamp=may + 120)
    memo.add_memory("Pepper loves the park near my place.", "Dogs love parks.", timestamp=may + 180)
    memo.add_memory("The weather was rainy all day.", "Hope it clears up.", timestamp=may + 240)
    memo.add_memory("I read a novel in the evening.", "Which one?", timestamp=may + 300)
    memo.flush()
    while memo.promote():
        pass
    learnt = _derived_text(memo)
    assert "Berlin" in memo.get_user_profile() and "zebra" in learnt and "Berlin" in learnt
    mixed = [s for s in memo.list_segments() if "zebra" in s["keywords"] and s["page_count"] > 2]
    assert mixed, memo.list_segments()  # the expired pages share a segment and a thread with kept ones
    kept_pages = [p for p in memo.list_pages() if p["expires_at"] is None]
    assert any("zebra" in p["chain_summary"] for p in kept_pages)
    lisbon = next(f for f in memo.get_knowledge("user", include_history=True) if "Lisbon" in f["text"])
    assert lisbon["valid_until"] is not None  # the move closed it

    clock.advance(DAY)
    memo.flush()
    left = _derived_text(memo)
    assert "zebra" not in left and "Berlin" not in left and "4711" not in left
    assert "zebra" not in json.dumps(memo.export())
    lisbon = next(f for f in memo.get_knowledge("user") if "Lisbon" in f["text"])
    assert lisbon["valid_until"] is None and lisbon["superseded_by"] is None  # holds again
    profile = memo.get_user_profile()
    assert "lives in Lisbon" in profile and "Pepper" in profile and "nurse" in profile  # same day, other pages
    segment = next(s for s in memo.list_segments() if s["id"] == mixed[0]["id"])
    assert "pepper" in segment["keywords"] and segment["page_count"] == mixed[0]["page_count"] - 2
    threads = {p["id"]: p["chain_summary"] for p in memo.list_pages()}
    assert all(threads[p["id"]] for p in kept_pages) and any("Pepper" in t for t in threads.values())
    assert memo.check() == []


def test_with_an_llm_a_segment_that_lost_pages_is_analysed_again(make_memo: Any, clock: ManualClock) -> None:
    """LLM mode: the segment's summary is rewritten without the expired page at once, then queued, and the LLM
    writes it again from the pages it keeps."""
    llm = ScriptedLLM()
    memo = make_memo(llm=llm, short_term_capacity=3, short_term_retain=0, max_topics_per_batch=1)
    memo.add_memory("I repaint old bicycles on weekends.", "Fun hobby.")
    memo.add_memory("My gate code is zebra 4711.", "Noted.", ttl=DAY)
    memo.add_memory("The blue frame took me three weekends.", "Worth it.")
    memo.flush()
    [segment] = memo.list_segments()
    assert "zebra" in segment["summary"] and segment["summary"].startswith("Conversation about")

    clock.advance(DAY)
    asked = len(llm.calls)
    memo.flush()
    [segment] = memo.list_segments()
    assert "zebra" not in segment["summary"] and "zebra" not in segment["keywords"]
    assert segment["summary"].startswith("Conversation about") and "bicycles" in segment["summary"]
    assert [purpose for purpose, _ in llm.calls[asked:]] == ["consolidation"]  # the re-analysis
    assert memo.stats()["upkeep"]["segments_to_reanalyze"] == 0
    assert all("zebra" not in p["chain_summary"] for p in memo.list_pages())


def test_a_fact_said_again_on_a_lasting_page_outlives_the_expired_one(make_memo: Any, clock: ManualClock) -> None:
    memo = make_memo(short_term_capacity=2, short_term_retain=0, max_topics_per_batch=1, mid_term_heat_threshold=1.0)
    memo.add_memory("I have a cat named Miso.", "Cute name!", timestamp=_said("2023-03-02"), ttl=DAY)
    memo.add_memory("The weather is lovely today.", "Enjoy it.", timestamp=_said("2023-03-02") + 60)
    memo.flush()
    while memo.promote():
        pass
    [cat] = [f for f in memo.get_knowledge("user") if "Miso" in f["text"]]
    assert cat["expires_at"] == clock.now + DAY  # said only on a page meant to be forgotten
    memo.add_memory("My cat Miso is asleep on my desk again.", "Classic cat.", timestamp=_said("2023-04-02"))
    memo.add_memory("I should get back to work.", "Good luck.", timestamp=_said("2023-04-02") + 60)
    memo.flush()
    while memo.promote():
        pass
    [cat] = [f for f in memo.get_knowledge("user") if "Miso" in f["text"] and f["id"] == cat["id"]]
    assert len(cat["source_page_ids"]) == 2 and cat["expires_at"] is None  # a lasting page says it too
    clock.advance(DAY)
    memo.flush()
    assert cat["id"] in {f["id"] for f in memo.get_knowledge("user")}


def test_a_profile_a_model_wrote_after_seeing_an_expired_page_is_rebuilt_from_what_traces(
    make_memo: Any, clock: ManualClock
) -> None:
    """LLM mode: a model's profile cannot be traced line by line to pages, so once an expired page was shown to the
    model writing it, the profile becomes the lines that trace to current facts' own pages, every version written
    since keeps only traceable lines, and the model writes over the rebuilt profile at its next promotion."""
    llm = ScriptedLLM()
    memo = make_memo(llm=llm, short_term_capacity=3, short_term_retain=0, max_topics_per_batch=1)
    memo.add_memory("I live in Lisbon with my partner.", "Lovely city.", timestamp=_said("2023-03-02"))
    memo.add_memory("My gate code is zebra 4711.", "Noted.", timestamp=_said("2023-03-02") + 60, ttl=DAY)
    memo.add_memory("I work as a nurse at the city hospital.", "Busy job!", timestamp=_said("2023-03-02") + 120)
    memo.flush()
    while memo.promote():
        pass
    assert "zebra" in memo.get_user_profile() and memo.profile_history()[-1]["method"] == "llm"

    clock.advance(DAY)
    memo.flush()
    assert "zebra" not in _derived_text(memo) and "4711" not in json.dumps(memo.export())
    rebuilt = memo.profile_history()[-1]
    assert rebuilt["method"] == "extractive" and rebuilt["text"] == memo.get_user_profile()
    assert "Lisbon" in rebuilt["text"] and "nurse" in rebuilt["text"]  # current facts, read again from their pages
    assert all("zebra" not in v["text"] for v in memo.profile_history())

    memo.add_memory("I adopted a dog named Pepper.", "Great name.", timestamp=_said("2023-04-02"))
    memo.add_memory("Pepper loves the park.", "Dogs love parks.", timestamp=_said("2023-04-02") + 60)
    memo.add_memory("I read a novel tonight.", "Which one?", timestamp=_said("2023-04-02") + 120)
    memo.flush()
    while memo.promote():
        pass
    latest = memo.profile_history()[-1]
    assert latest["method"] == "llm" and "Pepper" in latest["text"] and "zebra" not in latest["text"]
    prompt = [m for purpose, m in llm.calls if purpose == "profile_knowledge"][-1]
    assert "Lisbon" in prompt[-1]["content"] and "zebra" not in prompt[-1]["content"]

