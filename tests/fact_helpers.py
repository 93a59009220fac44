"""Shared by the tests of what memoryos learns: conversation dates, and a memory that promotes every page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from memoryos import Memoryos

# every page leaves short-term at once and every segment is promoted on the next upkeep, each page its own segment
PROMOTE_EVERY_PAGE: dict[str, Any] = {
    "short_term_capacity": 2,
    "short_term_retain": 0,
    "mid_term_heat_threshold": 1.0,
    "mid_term_similarity_threshold": 5.0,
}


def at(day: str) -> float:
    """10:00 UTC on an ISO date, as a page timestamp."""
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=timezone.utc).timestamp()


def promoting(make_memo: Callable[..., Memoryos], **settings: Any) -> Memoryos:
    return make_memo(**PROMOTE_EVERY_PAGE, **settings)


def rule_memory(data_dir: str, embedder: Any) -> Memoryos:
    """The user's memory the text-rule tests use: upkeep run by the test, every page promoted as it goes mid-term."""
    return Memoryos(
        user_id="tester",
        assistant_id="test_assistant",
        data_storage_path=data_dir,
        embedder=embedder,
        background_upkeep=False,
        **PROMOTE_EVERY_PAGE,
    )


def user_facts(memo: Memoryos) -> list[dict[str, Any]]:
    """Every user fact, current and closed."""
    return memo.get_knowledge("user", include_history=True)


def learnt(
    memo: Memoryos,
    start: float,
    exchanges: tuple[tuple[str, str], ...],
    spacing: float = 120,
    small_talk: tuple[str, str] = ("Anyway, what's for dinner?", "Pasta, probably."),
) -> list[dict[str, Any]]:
    """Every user fact, current and closed, after `exchanges` said `spacing` seconds apart from `start`, then small
    talk an hour after `start`, upkeep and every segment promoted."""
    for i, (user, reply) in enumerate(exchanges):
        memo.add_memory(user, reply, timestamp=start + spacing * i)
    memo.add_memory(*small_talk, timestamp=start + 3600)
    memo.flush()
    while memo.promote():
        pass
    return user_facts(memo)


def say(memo: Memoryos, when: float, text: str) -> None:
    """The user says `text` on `when`, small talk follows a minute later, upkeep runs."""
    memo.add_memory(text, "Right.", timestamp=when)
    memo.add_memory("Is it going to rain?", "Probably not.", timestamp=when + 60)
    memo.flush()


def naming(memo: Memoryos, word: str) -> list[dict[str, Any]]:
    """The user's facts, current and closed, whose text names `word` (lower case)."""
    return [f for f in user_facts(memo) if word in f["text"].lower()]


def first_answer(memo: Memoryos, question: str) -> str:
    """The text (lower case) of the user fact a retrieve ranks first for `question`, or "" when none."""
    answer = memo.retrieve(question, update_heat=False).user_knowledge
    return answer[0].fact.text.lower() if answer else ""
