"""A fact whose text carries a detail for the reader (a vague statement and a sentence of its own turn) is matched by
its statement as said (issues 12 and 14; no-LLM mode), through the public API on SQLite: the statement said
again confirms the fact instead of becoming a second one, whatever detail either saying had; the statement is kept
beside the text and survives export and import.
"""

from __future__ import annotations

from typing import Any

from fact_helpers import at, promoting, say, user_facts

from memoryos import Memoryos

QUILT = "I finally finished the quilt for my sister."
QUILT_DETAIL = "It has forty hexagon patches in ocean blues and sandy browns from her old summer dresses."


def quilt_facts(memo: Memoryos) -> list[dict[str, Any]]:
    return [f for f in user_facts(memo) if "quilt" in f["text"]]


def test_the_fact_keeps_its_statement_beside_the_detail(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, at("2024-03-02"), f"{QUILT} {QUILT_DETAIL}")
    facts = quilt_facts(memo)
    assert len(facts) == 1, facts
    assert "forty hexagon patches" in facts[0]["text"], facts  # the reader sees the detail
    assert facts[0]["statement"] == "User finally finished the quilt for their sister.", facts


def test_the_statement_said_again_confirms_its_fact_whatever_the_detail(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, at("2024-03-02"), f"{QUILT} {QUILT_DETAIL}")
    say(memo, at("2024-03-09"), f"Guess what. {QUILT}")
    facts = quilt_facts(memo)
    # one fact, stated on both days: the lengthened text no longer hides the statement from the one said again
    assert len(facts) == 1, [f["text"] for f in facts]
    assert len(facts[0]["source_page_ids"]) == 2, facts


def test_a_statement_without_detail_has_none_apart(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, at("2024-03-02"), "I finally finished the patchwork quilt for my sister's fortieth birthday party.")
    facts = quilt_facts(memo)
    assert facts and all(f["statement"] is None for f in facts), facts


def test_export_and_import_keep_the_statement(make_memo, tmp_path) -> None:
    memo = promoting(make_memo)
    say(memo, at("2024-03-02"), f"{QUILT} {QUILT_DETAIL}")
    data = memo.export()
    copy = promoting(make_memo, user_id="copy", data_storage_path=str(tmp_path / "copy"))
    copy.import_data(data)
    before, after = quilt_facts(memo), quilt_facts(copy)
    assert [(f["text"], f["statement"]) for f in after] == [(f["text"], f["statement"]) for f in before], after
    # the imported fact is matched by its statement as said: said again, it is confirmed, not repeated
    say(copy, at("2024-03-09"), f"Guess what. {QUILT}")
    assert len(quilt_facts(copy)) == 1, [f["text"] for f in quilt_facts(copy)]
