"""The command line shows time: `memoryos knowledge` with validity and source pages, --history, one fact's
history, add-knowledge --valid-until, invalidate, add --ttl; stored text printed literally, errors clean."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from doubles import ManualClock
from test_cli_output import assert_clean, assert_no_crash, invoke

from memoryos import Memoryos
from memoryos.models import Fact, FactInvalidation

DAY = 86_400.0


def epoch(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp()


MARKUP_FACT = "Tom's motto is [bold]carpe diem[/bold] \x1b[2J"
SHOWN_FACT = "Tom's motto is [bold]carpe diem[/bold] \\x1b[2J"


@pytest.fixture(autouse=True)
def _keep_test_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("memoryos.interfaces.logs.configure_logging", lambda *a, **k: None)


@pytest.fixture
def store(tmp_path: Path, embedder: Any) -> dict[str, Any]:
    """Tom moved from Lisbon to Berlin (a closed fact and its successor, with source pages), has a motto with
    markup and control characters, and a page and a fact that expired yesterday (written with a clock in the
    past, so that the CLI's wall clock finds them expired)."""
    storage = f"sqlite:///{tmp_path / 'memoryos.db'}"
    clock = ManualClock(time.time() - 10 * DAY)
    memo = Memoryos(user_id="tom", storage=storage, embedder=embedder, clock=clock, background_upkeep=False)
    lisbon_page = memo.add_memory("I live in Lisbon.", "Nice city.", timestamp=clock.now)
    berlin_page = memo.add_memory("I moved to Berlin last week.", "Exciting!", timestamp=clock.now + DAY)
    memo.add_memory("My locker code is tulip.", "Noted.", ttl=8 * DAY)
    vectors = embedder.embed(["Tom lives in Lisbon.", "Tom lives in Berlin."])
    lisbon = Fact(
        "lisbon-fact",
        "user",
        "Tom lives in Lisbon.",
        [lisbon_page],
        clock.now,
        "extractive",
        vectors[0],
        observed_at=clock.now,
        valid_from=clock.now,
        attribute="residence",
    )
    berlin = Fact(
        "berlin-fact",
        "user",
        "Tom lives in Berlin.",
        [berlin_page],
        clock.now + DAY,
        "extractive",
        vectors[1],
        observed_at=clock.now + DAY,
        valid_from=clock.now + DAY,
        attribute="residence",
    )
    memo.store.add_facts(memo.scope, [lisbon], [])
    memo.store.add_facts(
        memo.scope, [berlin], [], [FactInvalidation(lisbon.id, berlin.valid_from or 0, clock.now + DAY, berlin.id)]
    )
    motto = memo.add_knowledge(MARKUP_FACT)
    memo.add_knowledge("Tom is in Rome for a conference.", valid_until=clock.now + 8 * DAY)
    memo.close()
    return {"args": ["--storage", storage, "--user", "tom"], "motto": motto, "moved": clock.now + DAY}


def test_knowledge_shows_validity_sources_and_history(store: dict[str, Any]) -> None:
    args = store["args"]
    day = time.strftime("%Y-%m-%d", time.gmtime(store["moved"]))
    current = invoke("knowledge", *args)
    assert_no_crash(current)
    assert current.exit_code == 0, current.output
    assert_clean(current.stdout)
    assert "Tom lives in Berlin." in current.stdout and f"current, said {day}" in current.stdout
    assert "Lisbon" not in current.stdout and "Rome" not in current.stdout  # closed; expired
    assert SHOWN_FACT in current.stdout  # markup kept as text, the control sequence shown as an escape
    lines = current.stdout.splitlines()
    below_berlin = lines[next(i for i, line in enumerate(lines) if "Tom lives in Berlin." in line) + 1]
    assert "source pages:" in below_berlin and "extractive" in below_berlin

    everything = invoke("knowledge", "--history", *args)
    assert everything.exit_code == 0, everything.output
    assert f"until {day}, replaced by berlin-fact" in everything.stdout and "Tom lives in Lisbon." in everything.stdout

    history = invoke("knowledge", "lisbon-fact", *args)
    assert history.exit_code == 0, history.output
    lines = history.stdout.splitlines()
    assert lines[0] == "history of lisbon-fact, oldest first:"
    assert "* Tom lives in Lisbon." in lines[1] and "- Tom lives in Berlin." in lines[3]

    as_json = invoke("knowledge", "--history", "--kind", "user", "--json", *args)
    data = json.loads(as_json.stdout)
    closed = next(f for f in data["knowledge"] if f["id"] == "lisbon-fact")
    assert closed["superseded_by"] == "berlin-fact" and closed["valid_until"] == store["moved"]
    assert {f["text"] for f in data["knowledge"]} == {"Tom lives in Lisbon.", "Tom lives in Berlin.", MARKUP_FACT}
    assert json.loads(invoke("knowledge", "berlin-fact", "--json", *args).stdout)["history"][0]["id"] == "lisbon-fact"
    found = invoke("search", "Where does Tom live?", *args)
    assert found.exit_code == 0, found.output
    assert f"Tom lives in Berlin.  (current, said {day})" in found.stdout


def test_add_knowledge_invalidate_and_ttl(store: dict[str, Any]) -> None:
    args = store["args"]
    before = time.time()
    added = invoke("add-knowledge", "Tom is on holiday in Crete.", "--valid-until", "2099-01-01T00:00:00Z", *args)
    assert added.exit_code == 0, added.output
    fact_id = added.stdout.strip()
    listed = invoke("knowledge", "--json", *args)
    entry = next(f for f in json.loads(listed.stdout)["knowledge"] if f["id"] == fact_id)
    assert entry["expires_at"] == epoch("2099-01-01")
    assert "forgotten after 2099-01-01 00:00 UTC" in invoke("knowledge", *args).stdout

    closed = invoke("invalidate", "berlin-fact", *args)
    assert closed.exit_code == 0, closed.output
    assert "Tom lives in Berlin." in closed.stdout and "until " in closed.stdout
    assert "Berlin" not in invoke("knowledge", *args).stdout
    dated = json.loads(invoke("invalidate", fact_id, "--valid-until", "2098-06-01", "--json", *args).stdout)
    assert dated["valid_until"] == epoch("2098-06-01") and dated["invalidated_at"] >= before

    page = json.loads(invoke("add", "Parking spot B12 today.", "--ttl", "12h", "--json", *args).stdout)["page_id"]
    stored = json.loads(invoke("export", *args).stdout)
    expires = next(p for p in stored["pages"] if p["id"] == page)["expires_at"]
    assert before + 12 * 3600 <= expires <= time.time() + 12 * 3600
    assert "tulip" not in json.dumps(stored)  # expired yesterday: purged, never exported


def test_bad_input_gives_clean_errors(store: dict[str, Any]) -> None:
    args = store["args"]
    for command, status, words in (
        (["add", "x", "--ttl", "soon"], 2, "--ttl"),
        (["add", "x", "--ttl", "0"], 1, "ttl must be positive"),
        (["add", "x", "--ttl=-3d"], 1, "ttl must be positive"),
        (["add-knowledge", "Tom was in Paris.", "--valid-until", "2001-01-01"], 1, "not in the future"),
        (["add-knowledge", "x", "--kind", "robot"], 1, "kind must be"),
        (["invalidate", "[/no-such]"], 1, "'[/no-such]'"),
        (["invalidate", "berlin-fact", "--valid-until", "whenever"], 1, "valid_until"),
        (["knowledge", "[red]nope"], 1, "'[red]nope'"),
        (["knowledge", "--kind", "robot"], 2, "--kind"),
    ):
        result = invoke(*command, *args)
        assert_no_crash(result)
        assert result.exit_code == status, (command, result.output, result.stderr)
        assert words in result.stderr or words in result.output, (command, result.stderr)
        assert_clean(result.stderr)
