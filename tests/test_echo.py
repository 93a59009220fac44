"""Who said it, when the user repeats the other's news back (issue 12, no-LLM mode), through the public API on both
backends: a statement with no subject of its own ("Adopted a cat named Miso! So cute.") whose words are what the
assistant just said is an echo, not news of the user's; with its own subject, or with news of its own, it stays.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fact_helpers import promoting

from memoryos import Memoryos
from memoryos.providers.echo import echoes

MAY_8 = datetime(2023, 5, 8, 10, tzinfo=timezone.utc).timestamp()


def facts_of(memo: Memoryos, *exchanges: tuple[str, str]) -> tuple[list[str], list[str]]:
    """(user, assistant) fact texts after the exchanges, every segment promoted."""
    for i, (user, reply) in enumerate(exchanges):
        memo.add_memory(user, reply, timestamp=MAY_8 + 60 * i)
    memo.add_memory("Anyway, how is the weather over there?", "Sunny and warm today.", timestamp=MAY_8 + 3600)
    memo.flush()
    while memo.promote():
        pass
    return (
        [f["text"] for f in memo.get_knowledge("user", include_history=True)],
        [f["text"] for f in memo.get_knowledge("assistant", include_history=True)],
    )


def test_the_others_news_repeated_back_is_not_the_users(make_memo) -> None:
    user, assistant = facts_of(
        promoting(make_memo),
        ("How was your weekend?", "Great! I adopted a cat named Miso on Saturday."),
        ("Adopted a cat named Miso! So cute. Send pics.", "Will do!"),
    )
    assert not [t for t in user if "Miso" in t], user
    assert any("Miso" in t for t in assistant), assistant


def test_an_echo_by_the_assistant_is_not_the_assistants(make_memo) -> None:
    user, assistant = facts_of(
        promoting(make_memo),
        ("I finally ran the Boston marathon last weekend!", "Ran the Boston marathon, wow! Proud of you."),
    )
    assert any("Boston marathon" in t for t in user), user
    assert not [t for t in assistant if "marathon" in t], assistant


def test_news_of_ones_own_after_the_others_stays(make_memo) -> None:
    user, _ = facts_of(
        promoting(make_memo),
        ("How was your weekend?", "Great! I adopted a cat named Miso on Saturday."),
        ("Adopted a rescue greyhound named Biscuit last spring, she changed my life.", "Aww, Biscuit!"),
        ("I adopted a cat named Pepper too, back in 2019.", "Twins!"),
    )
    assert any("Biscuit" in t for t in user), user


def test_what_is_an_echo() -> None:
    said = "Great! I adopted a cat named Miso on Saturday."
    assert echoes("Adopted a cat named Miso!", said)
    assert not echoes("Adopted a rescue greyhound named Biscuit last spring.", said)
    assert not echoes("Adopted one!", said)  # too little said to tell
    assert not echoes("Adopted a cat named Miso!", "")
