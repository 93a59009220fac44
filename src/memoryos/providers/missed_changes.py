"""LLM mode's safety net: the no-LLM change reader closes what a model's fact operations left open.

A promotion prompt shows the model the current facts most related to the pages, with ids, and asks for operations
(add / update id / invalidate id / keep id). Models miss some: "I just moved to Berlin" comes back as a plain `add`
and "User lives in Lisbon" stays current next to it. The deterministic reader (fact_extraction.py: attributes of
first-person statements, statements of change, named endings) reads the same pages against the same facts; where
it finds that a shown fact stopped being true and the model did not touch that fact (no update, invalidate or keep
naming it), the model's own statement on that page becomes the `update` of it, or, when the model stated nothing
there, the reader's statement does. The model's explicit judgements win: a fact it kept or updated is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from ..models import Fact, KnowledgeKind, Page
from ..textutil import content_tokens
from .contrast import Embed
from .fact_attribute import attribute_of
from .fact_extraction import Extracted, page_facts
from .results import FactOut, PromotionOut

log = logging.getLogger(__name__)

# how each side's facts name their subject, for reading a stored fact's attribute (fact_attribute.py)
_SUBJECT_NAMES: dict[KnowledgeKind, tuple[str, ...]] = {"user": (), "assistant": ("the assistant", "assistant")}


@dataclass(frozen=True)
class _Stale:
    kind: KnowledgeKind
    fact_id: str
    page: int  # the index of the page that said what replaces it
    text: str  # the reader's statement of the change (third person)
    attribute: str | None
    op: Literal["update", "invalidate"]  # another value of its key, or an ending (a value given up)


def _keyed(related: Sequence[Fact]) -> list[Fact]:
    """The related facts with the attribute the no-LLM reader gives their text (a model's key may be spelt
    otherwise, or missing); a text it reads no attribute from keeps the stored one."""
    return [replace(f, attribute=attribute_of(f.said, _SUBJECT_NAMES[f.kind]) or f.attribute) for f in related]


def _stale(found: Sequence[Extracted], keyed: Sequence[Fact]) -> list[_Stale]:
    """The related facts the reader ends: named by an `invalidate`, or holding another value of a key it adds
    (the planner keeps one value per key: a value said again is a `keep`, not an `add`)."""
    out: dict[str, _Stale] = {}
    for item in found:
        op = item.out
        page = op.page_indices[0] if op.page_indices else -1
        if op.op == "invalidate" and op.target:
            out.setdefault(op.target, _Stale(item.kind, op.target, page, op.text, None, "invalidate"))
        elif op.op == "add" and op.attribute:
            for fact in keyed:
                if fact.kind == item.kind and fact.attribute == op.attribute:
                    out.setdefault(fact.id, _Stale(item.kind, fact.id, page, op.text, op.attribute, "update"))
    return list(out.values())


_SAME_STATEMENT = 0.5  # cosine from which a model's statement and the reader's say the same thing


def _closest(candidates: list[FactOut], text: str, embed: Embed | None) -> FactOut | None:
    """The model's statement on the page that says what the reader's says: the most alike by embedding (cosine
    at least _SAME_STATEMENT), or without an embedder the one sharing most content words (at least one); None
    when the model stated something else there."""
    if embed is not None:
        vectors = np.asarray(embed([text, *(c.text for c in candidates)]), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        sims = vectors[1:] @ vectors[0]
        best = int(np.argmax(sims))
        return candidates[best] if float(sims[best]) >= _SAME_STATEMENT else None
    words = set(content_tokens(text))
    shared = [len(words & set(content_tokens(c.text))) for c in candidates]
    best = int(np.argmax(shared))
    return candidates[best] if shared[best] else None


def close_missed(
    out: PromotionOut, pages: Sequence[Page], related: Sequence[Fact], embed: Embed | None = None
) -> PromotionOut:
    """`out` (a model's answer, targets already stored ids) with the changes the no-LLM reader finds in `pages`
    against `related` that the model left open turned into `update` operations."""
    if not related:
        return out
    keyed = _keyed(related)
    stale = _stale(page_facts(pages, keyed, embed=embed), keyed)
    if not stale:
        return out
    lists: dict[KnowledgeKind, list[FactOut]] = {"user": list(out.user_facts), "assistant": list(out.assistant_facts)}
    handled = {f.target for facts in lists.values() for f in facts if f.op != "add" and f.target}
    for item in stale:
        if item.fact_id in handled:
            continue
        facts = lists[item.kind]
        said_there = [f for f in facts if f.op == "add" and not f.target and item.page in f.page_indices and f.text]
        chosen = _closest(said_there, item.text, embed) if said_there else None
        if chosen is not None:
            facts[facts.index(chosen)] = chosen.model_copy(
                update={"op": "update", "target": item.fact_id, "attribute": chosen.attribute or item.attribute}
            )
        else:  # the model did not state it: the reader's statement replaces the fact (or says why it ended)
            replacing = FactOut(text=item.text, page_indices=[item.page], attribute=item.attribute, op=item.op)
            facts.append(replacing.model_copy(update={"target": item.fact_id}))
        handled.add(item.fact_id)
        log.info("the model left %s fact %s open; the change reader closes it", item.kind, item.fact_id)
    return out.model_copy(update={"user_facts": lists["user"], "assistant_facts": lists["assistant"]})


__all__ = ["close_missed"]
