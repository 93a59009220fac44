"""LLM mode's safety net (providers/missed_changes.py), through the public API: when a model's fact operations
leave a fact open that the pages show has stopped being true, the no-LLM change reader closes it; a model's own
update or keep is never overridden, and a value said again closes nothing. Both backends (make_memo)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from doubles import ScriptedLLM, default_script, known_facts_in_prompt, pages_in_prompt

from memoryos import Memoryos

MARCH = datetime(2023, 3, 2, 10, tzinfo=timezone.utc).timestamp()
MAY = datetime(2023, 5, 8, 10, tzinfo=timezone.utc).timestamp()
# what the scripted model writes for a user sentence (anything else: the sentence itself)
MODEL_TEXT = {
    "I live in Lisbon.": "The user lives in Lisbon.",
    "I just moved to Berlin!": "The user moved to Berlin.",
    "I drink espresso every morning.": "The user drinks espresso every morning.",
}


def adding_script(keep_words: tuple[str, ...] = (), silent: tuple[str, ...] = ()) -> Callable[..., str]:
    """A model that never updates or retires anything: every user sentence is an `add` without attribute; a known
    fact containing one of `keep_words` is kept instead; sentences containing one of `silent` give no fact."""

    def script(messages: list[dict[str, str]], purpose: str) -> str:
        if purpose != "profile_knowledge":
            return default_script(messages, purpose)
        facts: list[dict[str, Any]] = []
        for i, page in enumerate(pages_in_prompt(messages)):
            said = str(page["user"])
            if any(w in said for w in silent):
                continue
            facts.append({"text": MODEL_TEXT.get(said, said), "pages": [i], "op": "add", "attribute": None})
        for known in known_facts_in_prompt(messages):
            if any(w in str(known["text"]) for w in keep_words):
                facts.append({"pages": [0], "op": "keep", "target": known["id"]})
        return json.dumps({"profile": "A user.", "user_facts": facts, "assistant_facts": []})

    return script


def memory(make_memo: Callable[..., Memoryos], llm: ScriptedLLM, **settings: Any) -> Memoryos:
    """Every pair of exchanges is one promotion (τ = 1, two pages per batch, no merging)."""
    return make_memo(
        llm=llm, short_term_capacity=2, short_term_retain=0, mid_term_heat_threshold=1.0,
        mid_term_similarity_threshold=5.0, **settings,
    )  # fmt: skip


def session(memo: Memoryos, when: float, *exchanges: tuple[str, str]) -> list[str]:
    ids = [memo.add_memory(user, reply, timestamp=when + 60 * i) for i, (user, reply) in enumerate(exchanges)]
    memo.flush()
    return ids


def by_text(memo: Memoryos) -> dict[str, dict[str, Any]]:
    return {f["text"]: f for f in memo.get_knowledge("user", include_history=True)}


def test_a_move_the_model_only_added_closes_the_old_residence(make_memo) -> None:
    memo = memory(make_memo, ScriptedLLM(adding_script()))
    session(memo, MARCH, ("I live in Lisbon.", "Lovely city!"), ("The weather is grey.", "Hope it clears."))
    berlin_page, _ = session(memo, MAY, ("I just moved to Berlin!", "Wow!"), ("Traffic was bad.", "Oh no."))
    facts = by_text(memo)
    lisbon, berlin = facts["The user lives in Lisbon."], facts["The user moved to Berlin."]
    # the model's own statement became the update: Lisbon held until the Berlin page and names its successor
    assert (lisbon["valid_until"], lisbon["superseded_by"]) == (MAY, berlin["id"])
    assert berlin["valid_until"] is None and berlin["source_page_ids"] == [berlin_page]
    assert berlin["attribute"] == "residence"  # the reader's key, since the model gave none
    assert memo.retrieve("Where do I live?").user_knowledge[0].fact.text == "The user moved to Berlin."


def test_without_the_change_reader_the_model_alone_decides(make_memo) -> None:
    memo = memory(make_memo, ScriptedLLM(adding_script()), llm_change_reader=False)
    session(memo, MARCH, ("I live in Lisbon.", "Lovely city!"), ("The weather is grey.", "Hope it clears."))
    session(memo, MAY, ("I just moved to Berlin!", "Wow!"), ("Traffic was bad.", "Oh no."))
    facts = by_text(memo)
    assert facts["The user lives in Lisbon."]["valid_until"] is None
    assert facts["The user moved to Berlin."]["valid_until"] is None


def test_when_the_model_states_nothing_the_readers_statement_replaces_the_fact(make_memo) -> None:
    memo = memory(make_memo, ScriptedLLM(adding_script(silent=("matcha",))))
    session(memo, MARCH, ("I drink espresso every morning.", "Strong!"), ("The museum was fun.", "Nice."))
    session(memo, MAY, ("I switched to matcha in the mornings.", "Green!"), ("My phone is slow.", "Annoying."))
    facts = by_text(memo)
    espresso = facts["The user drinks espresso every morning."]
    [matcha] = [f for f in facts.values() if "matcha" in f["text"]]
    assert matcha["text"].startswith("User switched to matcha")  # the reader's third-person statement
    assert (espresso["valid_until"], espresso["superseded_by"]) == (MAY, matcha["id"])
    assert matcha["valid_until"] is None


def test_a_models_keep_wins_and_a_value_said_again_closes_nothing(make_memo) -> None:
    kept = memory(make_memo, ScriptedLLM(adding_script(keep_words=("Lisbon",))), user_id="kept")
    session(kept, MARCH, ("I live in Lisbon.", "Lovely city!"), ("The weather is grey.", "Hope it clears."))
    session(kept, MAY, ("I just moved to Berlin!", "Wow!"), ("Traffic was bad.", "Oh no."))
    assert by_text(kept)["The user lives in Lisbon."]["valid_until"] is None  # the model judged it still true

    again = memory(make_memo, ScriptedLLM(adding_script()), user_id="again")
    session(again, MARCH, ("I live in Lisbon.", "Lovely city!"), ("The weather is grey.", "Hope it clears."))
    session(again, MAY, ("I still live in Lisbon, near the river.", "Nice."), ("Traffic was bad.", "Oh no."))
    assert all(f["valid_until"] is None for f in again.get_knowledge("user", include_history=True))
