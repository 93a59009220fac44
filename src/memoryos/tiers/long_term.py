"""Long-term personal memory: the profile (versioned), user knowledge and assistant knowledge."""

from __future__ import annotations

import logging
import re
import uuid

import numpy as np

from ..config import MemoryosConfig
from ..models import Fact, KnowledgeKind, ProfileVersion, Scope
from ..storage.base import Store

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

    def facts(self, kind: KnowledgeKind | None = None, with_vectors: bool = False) -> list[Fact]:
        return self.store.list_facts(self.scope, kind, with_vectors=with_vectors)

    def add_manual_fact(
        self, kind: KnowledgeKind, text: str, vector: np.ndarray, now: float, expires_at: float | None = None
    ) -> str:
        """Store a fact given by hand (provenance: manual); a near-duplicate is not repeated: its id is returned.
        `expires_at`: when the new fact is forgotten (add_knowledge's valid_until)."""
        new, _merged, evict = self.plan_facts(kind, [text], vector[None, :], [], "manual", now)
        for fact in new:
            fact.expires_at = expires_at
        self.store.add_facts(self.scope, new, evict)
        if new:
            return new[0].id
        return max(self.facts(kind, with_vectors=True), key=lambda f: float(f.embedding @ vector)).id

    def plan_facts(
        self,
        kind: KnowledgeKind,
        texts: list[str],
        vectors: np.ndarray,
        source_page_ids: list[str],
        method: str,
        now: float,
    ) -> tuple[list[Fact], dict[str, list[str]], list[str]]:
        """New facts, provenance merges into near-duplicates, and ids to evict to respect capacity."""
        existing = self.facts(kind, with_vectors=True)
        known = [f for f in existing if f.embedding is not None]
        vectors_known = [f.embedding for f in known if f.embedding is not None]
        matrix = np.stack(vectors_known) if vectors_known else np.zeros((0, vectors.shape[1]), np.float32)
        new: list[Fact] = []
        merged: dict[str, list[str]] = {}
        for text, vector in zip(texts, vectors, strict=True):
            text = text.strip()
            if not text:
                continue
            if len(matrix):
                sims = matrix @ vector
                best = int(np.argmax(sims))
                if sims[best] >= self.config.knowledge_dedup_threshold:
                    if best < len(known):  # a stored fact: it gains this provenance; a new twin is just dropped
                        merged.setdefault(known[best].id, []).extend(source_page_ids)
                    continue
            fact = Fact(
                id=uuid.uuid4().hex,
                kind=kind,
                text=text,
                source_page_ids=list(source_page_ids),
                created_at=now,
                method=method,  # type: ignore[arg-type]
                embedding=vector,
            )
            new.append(fact)
            matrix = np.vstack([matrix, vector[None, :]])
        surplus = len(existing) + len(new) - self.config.long_term_knowledge_capacity
        evict = [f.id for f in existing[: max(0, surplus)]]  # oldest first, as a bounded queue
        if evict:
            log.info("%s knowledge over capacity: evicting %d oldest entries", kind, len(evict))
        overflow = surplus - len(existing)
        if overflow > 0:
            new = new[overflow:]
        return new, merged, evict
