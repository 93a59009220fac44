"""Segments written extractively while the LLM was failing are analysed again by the LLM once it works.

Consolidation that had to go on without the LLM queues the segments it wrote (`ConsolidationPlan.reanalyze`).
When the LLM answers again, each queued segment gets an LLM summary, keywords and vector from its newest pages,
so an outage leaves no lasting mark on what memory knows. Pages, chains and heat are left as they are.
"""

from __future__ import annotations

import logging

from ..config import MemoryosConfig
from ..errors import LLMError
from ..providers.analysis import Analyzer
from ..providers.embeddings import Embedder
from ..textutil import clip, extract_keywords
from ..tiers.mid_term import MidTermMemory
from .fallback import LLMHealth

log = logging.getLogger(__name__)


class Reanalyzer:
    def __init__(
        self, mid: MidTermMemory, analyzer: Analyzer, embedder: Embedder, health: LLMHealth, config: MemoryosConfig
    ) -> None:
        self.mid = mid
        self.analyzer = analyzer
        self.embedder = embedder
        self.health = health
        self.config = config

    def reanalyze_one(self, now: float) -> bool:
        """Analyse one queued segment with the LLM. False when none is queued or the LLM should not be asked now
        (it failed recently: the segment stays queued for a later pass)."""
        store, scope = self.mid.store, self.mid.scope
        if not self.health.should_try_llm(now):
            return False
        queued = store.segments_to_reanalyze(scope, 1)
        if not queued:
            return False
        segment_id = queued[0]
        # a segment never holds more than max_segment_pages, what one promotion prompt shows: the same bound here
        pages = store.list_pages(scope, segment_id=segment_id)[-self.config.max_segment_pages :]
        if not pages:
            store.apply_reanalysis(scope, segment_id, "", [], None)  # deleted meanwhile: just dequeue
            return True
        vectors = self.embedder.embed([p.text for p in pages])
        try:
            analysis = self.analyzer.analyze_batch(pages, vectors, None, None)
        except LLMError as exc:
            self.health.failed(exc, now)
            log.info("re-analysis of segment %s postponed: %s", segment_id, exc)
            return False
        self.health.succeeded(now)
        summary = clip(
            " ".join(t.summary.strip() for t in analysis.topics if t.summary.strip()), self.config.max_summary_chars
        )
        keywords = list(dict.fromkeys(k for t in analysis.topics for k in t.keywords))[: self.config.max_keywords]
        keywords = keywords or extract_keywords([p.text for p in pages], self.config.max_keywords)
        embedding = self.embedder.embed([summary])[0]
        if store.apply_reanalysis(scope, segment_id, summary, keywords, embedding):
            log.info("segment %s analysed again by the LLM (%d pages)", segment_id, len(pages))
        return True
