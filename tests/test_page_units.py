"""Page units (memoryos.units): each side of a page and each long sentence embedded apart, kept in the page's row on
both backends, written at consolidation, import and repair, gone with the page, and used by retrieval."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memoryos import Memoryos
from memoryos.units import MAX_UNITS, unit_texts

RENOVATION = (
    "We spent the whole weekend repainting the kitchen cabinets. We sanded every single door by hand. Then we "
    "chose a deep green colour after testing six samples. Finally we replaced the old brass handles with matte "
    "black ones from the hardware store."
)
VIOLIN = "Sounds exhausting! Oh, and my daughter began violin lessons on Tuesday."
OTHERS = [
    ("We went to a string quartet concert downtown last night.", "Live music is the best."),
    ("My niece keeps asking which instrument she should learn.", "Maybe she could try a few before choosing."),
    ("The piano in my grandmother's house is out of tune.", "You could call a piano tuner."),
    ("My son joined the school orchestra as a drummer.", "Great, music is good for kids."),
]
QUESTION = "Whose daughter is taking violin lessons?"


def test_units_are_the_sides_and_the_long_sentences() -> None:
    assert unit_texts("I moved to Lisbon.", "") == []  # one side of one sentence: the page itself
    assert unit_texts("I moved to Lisbon with my sister.", "Nice!") == ["User: I moved to Lisbon with my sister."]
    assert unit_texts("ok", "ok") == []
    units = unit_texts(RENOVATION, VIOLIN)
    assert units[:2] == [f"User: {RENOVATION}", f"Assistant: {VIOLIN}"]
    assert "User: We sanded every single door by hand." in units
    assert "Assistant: Sounds exhausting!" not in units  # too short to be matched alone
    assert len(unit_texts(" ".join(["This sentence is long enough to count."] * 3 + RENOVATION.split(". ")), "")) <= (
        MAX_UNITS
    )
    assert unit_texts("我搬到了里斯本，那里的海很美。我的女儿开始学小提琴了，她很喜欢。", "") == [
        "User: 我搬到了里斯本，那里的海很美。",
        "User: 我的女儿开始学小提琴了，她很喜欢。",
    ]


def _memory(make_memo: Callable[..., Memoryos], **settings: Any) -> Memoryos:
    settings.setdefault("unit_weight", 0.5)  # units are off by default
    memo = make_memo(short_term_capacity=1, **settings)
    for i, (user, agent) in enumerate([(RENOVATION, VIOLIN), *OTHERS, ("ok", "ok")]):
        memo.add_memory(user, agent, timestamp=1_700_000_000 + 60 * i)
    memo.flush()
    return memo


def _violin_rank(memo: Memoryos) -> int:
    pages = memo.retrieve(QUESTION, update_heat=False).pages
    return next(i for i, r in enumerate(pages) if r.page.agent_response == VIOLIN)


def test_an_answer_in_the_second_turn_of_a_page_about_something_else_is_found(
    make_memo: Callable[..., Memoryos],
) -> None:
    # the question's meaning alone (no lexical signal): the page vector is mostly about the kitchen
    memo = _memory(make_memo, lexical_weight=0.0, unit_weight=1.0)
    assert _violin_rank(memo) == 0
    memo.config.unit_weight = 0.0  # the page vector alone: the niece's question about instruments wins
    assert _violin_rank(memo) > 0


def _units(memo: Memoryos) -> dict[str, np.ndarray | None]:
    store = memo.store
    ids = [p.id for p in store.list_pages(memo.scope) if p.tier != "short"]
    return {p.id: p.unit_vectors for p in store.get_pages(memo.scope, ids, with_vectors=True)}


def test_units_are_written_with_the_page_vector_and_go_with_the_page(make_memo: Callable[..., Memoryos]) -> None:
    assert all(u is None for u in _units(_memory(make_memo, user_id="off", unit_weight=0.0)).values())
    memo = _memory(make_memo)
    units = _units(memo)
    assert len(units) == 6 and sum(u is not None for u in units.values()) == 5  # "ok" / "ok" has none
    violin = next(p for p in memo.store.list_pages(memo.scope) if p.agent_response == VIOLIN)
    stored = units[violin.id]
    assert stored is not None and stored.shape == (len(unit_texts(RENOVATION, VIOLIN)), memo.embedder.dim)
    assert np.allclose(stored[1], memo.embedder.embed([f"Assistant: {VIOLIN}"])[0], atol=1e-5)
    memo.delete_memory(violin.id)
    assert violin.id not in _units(memo)
    assert memo.check(sample=None) == []


def test_units_survive_export_and_import(make_memo: Callable[..., Memoryos], new_storage: Callable[[], str]) -> None:
    memo = _memory(make_memo)
    data = memo.export()
    assert "unit_vectors" not in data["pages"][0]  # vectors are never exported: an import computes them
    copy = make_memo(storage=new_storage(), user_id="copy", unit_weight=0.5)
    copy.import_data(data)
    before, after = _units(memo), _units(copy)
    assert before.keys() == after.keys()
    assert sum(u is not None for u in after.values()) == 5
    for pid, units in before.items():
        copied = after[pid]
        assert (units is None) == (copied is None)
        assert units is None or copied is None or np.allclose(units, copied, atol=1e-5)
    assert _violin_rank(copy) == 0


def test_pages_written_without_units_get_them_from_repair(make_memo: Callable[..., Memoryos]) -> None:
    memo = _memory(make_memo, unit_weight=0.0)  # as a store written before units existed
    assert all(u is None for u in _units(memo).values())
    memo.config.unit_weight = 0.5
    assert "5 pages have no unit vectors (written before units were on)" in memo.check()
    assert memo.repair()["page_vectors"] == 5
    assert memo.check() == []
    assert sum(u is not None for u in _units(memo).values()) == 5
    assert memo.repair()["page_vectors"] == 0  # nothing left to do


V01 = Path(__file__).resolve().parents[2] / "shared" / "data" / "stores" / "v0.1-sqlite"


@pytest.mark.skipif(not (V01 / "memoryos.db").exists(), reason="the shared v0.1 store is not present")
def test_an_old_store_opens_without_units_and_repair_adds_them(tmp_path: Path, embedder: Any) -> None:
    shutil.copy(V01 / "memoryos.db", tmp_path / "memoryos.db")
    memo = Memoryos(
        user_id="jon",
        storage=f"sqlite:///{tmp_path / 'memoryos.db'}",
        embedder=embedder,
        background_upkeep=False,
        unit_weight=0.5,
    )
    try:
        assert all(u is None for u in _units(memo).values())
        assert memo.retrieve("What does Jon like?", update_heat=False).pages  # the page vectors alone
        memo.repair()
        units = _units(memo)
        assert sum(u is not None for u in units.values()) > len(units) // 2
    finally:
        memo.close()
