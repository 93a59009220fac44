"""Long-term personal memory: the profile (versioned), user knowledge and assistant knowledge."""

from __future__ import annotations

import logging
import re

import numpy as np

from ..config import MemoryosConfig
from ..models import Fact, KnowledgeKind, ProfileVersion, Scope
from ..storage.base import Store
from .facts import FactOperation, FactPlan, plan_operations
from .habits import Embed

log = logging.getLogger(__name__)

_MIN_PROFILE_CHARS = 20
_ERROR_LIKE = re.compile(
    r"^\s*(?:error|exception|traceback|i['’]?m sorry|sorry, i|as an ai|i cannot|i can['’]?t help|i apologi[sz]e"
    r"|an? (?:unexpected |internal )?error (?:has )?occurred|internal server error|none|null|n/?a)\b",
    re.IGNORECASE,
)


class LongTermMemory:
    def __init__(self, store: Store, scope: Scope, config: MemoryosConfig) -> None:
        self.store = store
        self.scope = scope
        self.config = config

    def profile(self) -> ProfileVersion | None:
        return self.store.current_profile(self.scope)

    def profile_text(self) -> str:
        current = self.profile()
        return current.text if current else ""

    def acceptable_profile(self, candidate: str, current: str) -> bool:
        """A new profile must be real text: not empty, not an error, not a collapse of what we had."""
        text = candidate.strip()
        if len(text) < _MIN_PROFILE_CHARS or _ERROR_LIKE.match(text):
            return False
        if len(text) > self.config.llm_max_output_chars:
            return False
        if current and len(text) < 0.3 * len(current.strip()):
            return False
        return text != current.strip()

    def facts(
        self, kind: KnowledgeKind | None = None, with_vectors: bool = False, include_history: bool = False
    ) -> list[Fact]:
        """Facts that hold (closed ones too with include_history); expiry is the caller's to filter, by its now."""
        return self.store.list_facts(self.scope, kind, with_vectors=with_vectors, include_history=include_history)

    def related_facts(self, page_vectors: np.ndarray, now: float, limit: int) -> list[Fact]:
        """The current facts closest to any of these pages (most related first): what an analysis of the pages
        is shown, so that it can update, retire or confirm them."""
        facts = [f for f in self.facts(with_vectors=True) if f.is_current(now) and f.embedding is not None]
        if not facts or not len(page_vectors) or limit <= 0:
            return []
        matrix = np.stack([f.embedding for f in facts if f.embedding is not None])
        closeness = (matrix @ page_vectors.T).max(axis=1)
        order = np.argsort(-closeness, kind="stable")[:limit]
        return [facts[i] for i in order]

    def add_manual_fact(
        self,
        kind: KnowledgeKind,
        text: str,
        vector: np.ndarray,
        now: float,
        attribute: str | None = None,
        expires_at: float | None = None,
    ) -> str:
        """Store a fact given by hand (provenance: manual, said now). A duplicate of a current fact is not
        repeated: its id is returned. A new value of an attribute closes the fact holding the old one.
        `expires_at`: when the new fact is forgotten (add_knowledge's valid_until)."""
        op = FactOperation(kind, "add", text, [], now, vector, attribute=attribute, expires_at=expires_at)
        plan = self.plan_facts([op], "manual", now)
        self.store.add_facts(self.scope, plan.new, plan.evict, plan.invalidations)
        if plan.new:
            return plan.new[0].id
        return next(iter(plan.merged))

    def plan_facts(
        self, operations: list[FactOperation], method: str, now: float, embed: Embed | None = None
    ) -> FactPlan:
        """New facts, provenance merged into facts said again, intervals closed, and ids to evict for capacity
        (see tiers.facts.plan_operations for the rules); `embed` reads which habit a change replaces."""
        return plan_operations(
            self.facts(with_vectors=True, include_history=True),
            operations,
            method=method,
            now=now,
            dedup_threshold=self.config.knowledge_dedup_threshold,
            capacity=self.config.long_term_knowledge_capacity,
            embed=embed,
        )
