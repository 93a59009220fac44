"""Short → mid consolidation: one batch, one analysis, one transaction."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import numpy as np

from ..config import MemoryosConfig
from ..models import ConsolidationPlan, Page, PageUpdate, Segment, SegmentWrite
from ..providers.analysis import Analyzer
from ..providers.embeddings import Embedder, normalize
from ..providers.results import ConsolidationOut, TopicOut
from ..textutil import clip_tail, extract_keywords
from ..tiers.mid_term import MidTermMemory, running_mean_vector
from ..tiers.short_term import ShortTermMemory
from ..units import embed_pages
from .fallback import AnalysisRouter

log = logging.getLogger(__name__)


class Updater:
    def __init__(
        self,
        short: ShortTermMemory,
        mid: MidTermMemory,
        analyzer: Analyzer | AnalysisRouter,
        embedder: Embedder,
        config: MemoryosConfig,
        before_archive: Callable[[Segment, float], None] | None = None,
    ) -> None:
        """`before_archive(segment, now)`: run on each segment eviction is about to archive (the promoter
        analyses its pages not analysed yet)."""
        self.before_archive = before_archive
        self.short = short
        self.mid = mid
        self.router = analyzer if isinstance(analyzer, AnalysisRouter) else AnalysisRouter(analyzer, None, None)
        self.embedder = embedder
        self.config = config

    def consolidate(self, now: float) -> bool:
        """Move one overflow batch (at most the short-term batch size) to mid-term. False when there is nothing
        to move; upkeep calls it again until short-term is back under capacity, so a backlog is consolidated
        batch by batch, oldest first, each in its own transaction. Pages stay in short-term if anything fails
        (the analysis raises before the single write transaction)."""
        batch = self.short.overflow_batch()
        if not batch:
            return False
        waiting = self.short.count()
        vectors, units = embed_pages(self.embedder.embed, batch, self.config.unit_weight > 0)
        previous = self.mid.store.last_consolidated_page(self.mid.scope)
        previous_vector = previous.embedding if previous is not None else None
        analysis, analyzer = self.router.run(
            lambda a: a.analyze_batch(batch, vectors, previous, previous_vector),
            now=now,
            backlog=waiting - self.short.capacity,
            kind="batch",
        )
        plan = self._plan(batch, vectors, previous, analysis, now, analyzer.method)
        for update, page_units in zip(plan.pages, units, strict=True):
            update.unit_vectors = page_units
        plan.reanalyze = analyzer is not self.router.primary  # the LLM failed: it analyses these segments later
        if not self.mid.store.apply_consolidation(self.mid.scope, plan):
            log.info("consolidation of %d pages was claimed by another worker; skipped", len(batch))
            return True
        log.info(
            "consolidated %d pages into %d segment(s) (%s)",
            len(batch),
            len(plan.segments),
            ", ".join(("new " if s.is_new else "merged ") + s.id[:8] for s in plan.segments),
        )
        hook = self.before_archive
        self.mid.evict_over_capacity(now, (lambda segment: hook(segment, now)) if hook is not None else None)
        return True

    def _plan(
        self,
        batch: list[Page],
        vectors: np.ndarray,
        previous: Page | None,
        analysis: ConsolidationOut,
        now: float,
        method: str,
    ) -> ConsolidationPlan:
        by_id: dict[str, Segment] = {s.id: s for s in self.mid.segments()}
        writes: dict[str, SegmentWrite] = {}
        joined: dict[str, list[int]] = {}  # batch pages joining each segment in this plan
        topic_of: dict[int, str] = {}
        use_llm_text = method == "llm"
        topics = self._within_cap(analysis)
        summary_vectors = self.embedder.embed([t.summary for t in topics]) if use_llm_text else None
        for t_index, topic in enumerate(topics):
            indices = topic.page_indices
            keywords = topic.keywords[: self.config.max_keywords] or extract_keywords(
                [batch[i].text for i in indices], self.config.max_keywords
            )
            centroid = normalize(vectors[indices].mean(axis=0))[0]
            if summary_vectors is not None:
                topic_vector = summary_vectors[t_index]
                target, _score = self.mid.best_match(list(by_id.values()), topic_vector, keywords, len(indices))
            else:
                topic_vector = centroid
                pending = {sid: vectors[rows] for sid, rows in joined.items()}
                target, _score = self.mid.best_member_match(list(by_id.values()), vectors[indices], keywords, pending)
            if target is None:
                segment_id = uuid.uuid4().hex
                write = SegmentWrite(segment_id, topic.summary, keywords, topic_vector, len(indices), True)
                by_id[segment_id] = Segment(segment_id, topic.summary, keywords, topic_vector, page_count=len(indices))
            else:
                write = self._merge(
                    target,
                    writes.get(target.id),
                    topic.summary,
                    keywords,
                    topic_vector,
                    centroid,
                    indices,
                    use_llm_text,
                )
                by_id[target.id] = Segment(
                    target.id,
                    write.summary,
                    write.keywords,
                    write.embedding,
                    page_count=target.page_count + len(indices),
                )
            writes[write.id] = write
            joined.setdefault(write.id, []).extend(indices)
            for i in indices:
                topic_of[i] = write.id
        updates = []
        for i, page in enumerate(batch):
            if i == 0:
                prev = previous.id if previous is not None and analysis.continues_previous else None
            else:
                prev = batch[i - 1].id if topic_of[i] == topic_of[i - 1] else None
            updates.append(PageUpdate(page.id, topic_of[i], vectors[i], prev, analysis.chain_summaries[i] or ""))
        return ConsolidationPlan([p.id for p in batch], updates, list(writes.values()), now)

    def _within_cap(self, analysis: ConsolidationOut) -> list[TopicOut]:
        """Topics no larger than a segment may be (only a batch larger than max_segment_pages has such a
        topic): a larger one is cut into consecutive parts."""
        cap = self.config.max_segment_pages
        topics: list[TopicOut] = []
        for topic in analysis.topics:
            indices = topic.page_indices
            for start in range(0, len(indices), cap):
                topics.append(topic.model_copy(update={"page_indices": indices[start : start + cap]}))
        return topics

    def _merge(
        self,
        target: Segment,
        pending: SegmentWrite | None,
        summary: str,
        keywords: list[str],
        topic_vector: np.ndarray,
        centroid: np.ndarray,
        indices: list[int],
        use_llm_text: bool,
    ) -> SegmentWrite:
        """A merge refreshes the summary, keywords and embedding of the segment."""
        current = target.embedding if target.embedding is not None else centroid
        base = pending or SegmentWrite(target.id, target.summary, target.keywords, current, 0, False)
        merged_summary = clip_tail(
            f"{base.summary} | {summary}" if base.summary else summary, self.config.max_summary_chars
        )
        common = [k for k in base.keywords if k in keywords]
        rest = [k for pair in zip(base.keywords, keywords, strict=False) for k in pair]
        merged_keywords = list(dict.fromkeys(common + rest + base.keywords + keywords))[: self.config.max_keywords]
        if use_llm_text:
            embedding = self.embedder.embed([merged_summary])[0]
        else:
            # extractive mode: the mean of the segment's page vectors, kept up to date (segment_vector's rule)
            old = base.embedding if base.embedding is not None else centroid
            embedding = running_mean_vector(old, target.page_count + base.added_pages, centroid, len(indices))
        return SegmentWrite(
            target.id, merged_summary, merged_keywords, embedding, base.added_pages + len(indices), base.is_new
        )
