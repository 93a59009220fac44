"""One list of people by their tie to the speaker (providers/kin_words.py, session 29), through the public API on
both backends: a statement about the speaker's boyfriend, partner or teammate is not an attribute of the speaker's
(the attribute reader's list of others lacked them), while the speaker's own statement still is.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fact_helpers import learnt, promoting

from memoryos import Memoryos
from memoryos.providers import kin_words

APR_2 = datetime(2024, 4, 2, 18, tzinfo=timezone.utc).timestamp()


def user_knowledge(memo: Memoryos, *exchanges: tuple[str, str]) -> list[dict[str, Any]]:
    return learnt(memo, APR_2, exchanges)


def test_someone_elses_move_or_age_is_not_the_speakers_attribute(make_memo) -> None:
    facts = user_knowledge(
        promoting(make_memo),
        ("My boyfriend moved to Chicago last year.", "Long distance?"),
        ("My partner is 41.", "Nice."),
        ("My teammate moved to Denver last month.", "Oh."),
    )
    keys = [str(f.get("attribute") or "") for f in facts]
    assert not any(k.startswith(("residence", "age")) for k in keys), facts


def test_the_speakers_own_move_is_still_their_attribute(make_memo) -> None:
    said = "Packed the truck and drove north, I'm a Portland resident now."
    facts = user_knowledge(promoting(make_memo), (said, "Wow."))
    assert any(str(f.get("attribute") or "").startswith("residence") for f in facts), facts


def test_each_group_has_singular_and_plural_forms() -> None:
    assert {"friend", "friends", "child", "children", "wife", "wives", "boss", "bosses"} <= kin_words.PEOPLE_BY_TIE
    assert not kin_words.ANYONE & kin_words.PEOPLE_BY_TIE
    assert "friends" in kin_words.alternation(["friend", "friends"]).split("|")[0]  # the longer form first
