"""Retrieval visits are written behind the caller (tiers/visits.py): what a caller sees of heat stays exact, a
pass woken by visits alone runs no upkeep unless a visit made a segment hot, and no count is lost."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from doubles import ScriptedLLM

import memoryos.memoryos as memoryos_module
from memoryos import Memoryos

HIKES = [(f"I went hiking at trail number {i} with my dog", "Sounds lovely!") for i in range(9)]


def _wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _filled(memo: Memoryos) -> Memoryos:
    for user, agent in HIKES:
        memo.add_memory(user, agent)
    assert memo.flush(timeout=60)
    return memo


def test_a_retrieve_shows_the_visits_not_written_yet(make_memo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memoryos_module, "VISIT_WRITE_DELAY_SECONDS", 3600.0)  # nothing written by the worker
    memo = _filled(make_memo(background_upkeep=True, short_term_capacity=3, mid_term_heat_threshold=1e9))
    question = "where did I go hiking with my dog?"
    first = memo.retrieve(question)
    assert first.visited_segment_ids
    second = memo.retrieve(question)
    shown = {s.segment_id: s.heat for s in second.segments}
    assert set(first.visited_segment_ids) & set(shown)
    # stored heat after both retrieves (the read writes them first), less the second's own visits: what the
    # second retrieve saw (the clock stands still, α = 1)
    stored = {s["id"]: s["heat"] for s in memo.list_segments()}
    own = Counter(second.visited_segment_ids)
    for segment_id, heat in shown.items():
        assert heat == pytest.approx(stored[segment_id] - own[segment_id])


def test_visits_alone_run_no_upkeep_pass(make_memo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memoryos_module, "VISIT_WRITE_DELAY_SECONDS", 0.01)
    monkeypatch.setattr(memoryos_module, "FULL_UPKEEP_SECONDS", 3600.0)
    memo = _filled(make_memo(background_upkeep=True, short_term_capacity=3, mid_term_heat_threshold=1e9))
    claims: list[Any] = []
    original = memo.store.claim_upkeep
    monkeypatch.setattr(memo.store, "claim_upkeep", lambda *a, **k: claims.append(a) or original(*a, **k))
    visits = sum(len(memo.retrieve("hiking trail with my dog").visited_segment_ids) for _ in range(4))
    assert visits >= 4
    _wait_until(lambda: len(memo.mid.pending_visits) == 0)  # written by the worker
    assert claims == []  # no lease taken, so no upkeep step ran
    assert sum(s["n_visit"] for s in memo.list_segments()) == visits
    memo.add_memory("I also went swimming in the lake.", "Nice.")  # anything else still runs a full pass
    assert memo.flush(timeout=60) and claims


def test_a_visit_that_makes_a_segment_hot_is_promoted_by_the_worker(
    make_memo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memoryos_module, "VISIT_WRITE_DELAY_SECONDS", 0.01)
    monkeypatch.setattr(memoryos_module, "FULL_UPKEEP_SECONDS", 3600.0)
    llm = ScriptedLLM()
    memo = make_memo(
        llm=llm, background_upkeep=True, short_term_capacity=3, short_term_retain=0, mid_term_heat_threshold=5
    )
    for user, agent in [
        ("I work as a pilot for KLM.", "Exciting!"),
        ("I fly to Tokyo often.", "Long flights."),
        ("I will remember your schedule.", "I will remind you about your Tokyo flights."),
    ]:
        memo.add_memory(user, agent)
    assert memo.flush(timeout=60)
    assert memo.get_user_profile() == ""  # heat 4 < τ 5
    assert memo.retrieve("What is my job?").visited_segment_ids  # heat 5: the worker's pass promotes it
    _wait_until(lambda: llm.purposes().count("profile_knowledge") == 1)
    _wait_until(lambda: "pilot for KLM" in memo.get_user_profile())


def test_two_instances_on_one_store_lose_no_visits(make_memo) -> None:
    """Two processes serving one user (here two Memoryos with stores of their own) add their counts up."""
    first = _filled(make_memo(background_upkeep=True, short_term_capacity=3, mid_term_heat_threshold=1e9))
    second = make_memo(background_upkeep=True, short_term_capacity=3, mid_term_heat_threshold=1e9)
    visits: Counter[str] = Counter()
    for i in range(6):
        for memo in (first, second):
            visits.update(memo.retrieve(f"hiking trail {i} with my dog").visited_segment_ids)
    assert sum(visits.values()) >= 12
    first.close()
    second.close()  # each writes what it holds on close
    reopened = make_memo(mid_term_heat_threshold=1e9)
    assert {s["id"]: s["n_visit"] for s in reopened.list_segments() if s["n_visit"]} == dict(visits)
