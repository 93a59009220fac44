"""The new value of a change is learnt when the change is told as an event (issue 12, point 3, session 30): an ending
then what holds now in the next sentence ("... died in the spring. Now there's a corn snake ..."), a later clause
with the speaker as subject after a clause about a thing memory holds as theirs, an irregular past told without its
subject, a time opener before the speaker. Guard: someone else's change, told after the speaker's own things, is
no fact of the user's and closes nothing. Through the public API (`add_memory` → `get_knowledge` / `retrieve`) on
SQLite (nothing here is storage); wording and values are this file's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fact_helpers import PROMOTE_EVERY_PAGE, at, first_answer, naming, say

from memoryos import Memoryos
from memoryos.providers.embeddings import Embedder

MARCH, JULY = at("2024-03-03"), at("2024-07-19")


@pytest.fixture
def memo(tmp_path: Path, embedder: Embedder) -> Iterator[Memoryos]:
    settings: dict[str, Any] = dict(PROMOTE_EVERY_PAGE)
    with Memoryos(
        user_id="walker",
        assistant_id="guide",
        data_storage_path=str(tmp_path),
        embedder=embedder,
        background_upkeep=False,
        **settings,
    ) as made:
        yield made


def _current(memo: Memoryos, word: str) -> list[dict[str, Any]]:
    return [f for f in naming(memo, word) if f["valid_until"] is None]


def test_an_ending_then_what_is_there_now_learns_the_new_pet(memo: Memoryos) -> None:
    say(memo, MARCH, "I have a rabbit called Clover who lives in a hutch by the shed.")
    say(memo, JULY, "Clover died in the spring. Now there's a corn snake called Noodle in the spare room.")
    assert _current(memo, "noodle")


def test_a_breakup_then_who_now_learns_the_new_partner(memo: Memoryos) -> None:
    say(memo, MARCH, "My boyfriend Anton is a carpenter.")
    say(memo, JULY, "Anton and I broke up in March. I'm with Joaquim now.")
    assert _current(memo, "joaquim")
    assert "joaquim" in first_answer(memo, "Who am I seeing now?")


def test_a_later_clause_after_a_held_thing_is_the_speakers(memo: Memoryos) -> None:
    say(memo, MARCH, "I rent an allotment by the railway and grow leeks there.")
    say(memo, JULY, "The allotment went back to the council, so I grow tomatoes on the balcony.")
    assert _current(memo, "tomatoes")


def test_an_irregular_past_without_its_subject_is_the_speakers(memo: Memoryos) -> None:
    say(memo, MARCH, "I paddle a canoe on the lake at weekends.")
    say(memo, JULY, "Sold the canoe and bought a paddleboard instead.")
    assert _current(memo, "paddleboard")


def test_a_time_opener_before_the_speaker_keeps_the_statement_theirs(memo: Memoryos) -> None:
    say(memo, MARCH, "I sing alto in the village choir.")
    say(memo, JULY, "The choir disbanded in May. A couple of weeks later we formed a ukulele group at the hall.")
    assert _current(memo, "ukulele")
    say(memo, at("2024-09-09"), "The ukulele group lost its hall. From October I'm helping out at the food bank.")
    assert _current(memo, "food bank")


def test_someone_elses_change_beside_the_speakers_things_is_not_theirs(memo: Memoryos) -> None:
    say(memo, MARCH, "My spaniel Rolo loves the beach.")
    say(memo, JULY, "Rolo met my cousin's new puppy at the beach. My cousin has a beagle now.")
    assert not naming(memo, "beagle")
    assert _current(memo, "rolo")
