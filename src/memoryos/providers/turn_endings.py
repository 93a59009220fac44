"""Endings told in a sentence the turn keeps no fact of: "We sold the Panda to a student. A camper van sits on our
drive now." keeps the camper van (a turn keeps its most informative statement, fact_extraction.py), and the sale,
which says the held car is gone, was lost with the rest of the turn; so was "Pepper passed away in April." before
the new pet, or "My last day at Pinewood Clinic was in March." on its own.

Whether or not a sentence becomes a fact, what it says is over is over: every sentence of a side's turn is read for
an ending by its words (tiers/value_heads.ended_facts: "sold the Panda", "the cello went back to the shop", "Tomasz
and I split up"), against the current facts of that side said before the page, and each fact it ends gets an
`invalidate` operation on that page. Questions and sentences addressed to the other party ("Did you quit?") end
nothing of the speaker's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Fact, KnowledgeKind, Page
from ..textutil import sentences
from ..tiers.value_heads import ended_facts
from .reported_speech import own_words
from .results import FactOut
from .statements import fact_text, read_side

TURN_ENDINGS = True  # every sentence of a turn is read for what it says is over (off: only the facts kept)

_ADDRESSED = re.compile(r"\b(?:you|your|yours|you['’]\w+)\b", re.IGNORECASE)
_SUBJECTS: dict[KnowledgeKind, str] = {"user": "User", "assistant": "Assistant"}


def _start(fact: Fact) -> float:
    for value in (fact.valid_from, fact.observed_at, fact.created_at):
        if value is not None:
            return value
    return 0.0


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")))


def turn_endings(
    pages: Sequence[Page], related: Sequence[Fact], taken: set[str], kept: Sequence[tuple[KnowledgeKind, str]] = ()
) -> list[tuple[KnowledgeKind, FactOut, str, float]]:
    """`invalidate` operations for the current facts (among `related`, none in `taken`) that a sentence of a turn
    of these pages says are over: (kind, operation, sentence, page timestamp), in page order. `kept`: the
    statements the turn made facts of (their speaker and sentence), which the planner reads itself."""
    if not TURN_ENDINGS or not related:
        return []
    closed = set(taken)
    made = {(kind, _plain(sentence)) for kind, sentence in kept}
    found: list[tuple[KnowledgeKind, FactOut, str, float]] = []
    for index, page in enumerate(pages):
        for kind in _SUBJECTS:
            side = read_side(page.user_input if kind == "user" else page.agent_response)
            for sentence in sentences(side.text):
                plain = _plain(sentence)
                if "?" in sentence or _ADDRESSED.search(sentence):
                    continue
                if any(k == kind and m and (m in plain or plain in m) for k, m in made):
                    continue  # a statement made a fact of its own: the planner reads what it ends
                held = [f for f in related if f.kind == kind and f.id not in closed and _start(f) < page.timestamp]
                if not held:
                    break
                ended = ended_facts(own_words(sentence), held)
                if not ended:
                    continue
                text = fact_text(sentence, _SUBJECTS[kind], page.timestamp)
                for fact in ended:
                    closed.add(fact.id)
                    found.append(
                        (kind, FactOut(text=text, page_indices=[index], op="invalidate", target=fact.id), sentence,
                         page.timestamp)
                    )  # fmt: skip
    return found


__all__ = ["TURN_ENDINGS", "turn_endings"]
