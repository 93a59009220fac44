"""Mid → long promotion: a hot segment's unanalyzed pages become profile and knowledge; its heat resets."""

from __future__ import annotations

import logging

from ..config import MemoryosConfig
from ..models import ProfileVersion, PromotionPlan, Segment
from ..providers.analysis import Analyzer
from ..providers.embeddings import Embedder
from ..tiers.long_term import LongTermMemory
from ..tiers.mid_term import MidTermMemory
from .fallback import AnalysisRouter

log = logging.getLogger(__name__)


class Promoter:
    def __init__(
        self,
        mid: MidTermMemory,
        long: LongTermMemory,
        analyzer: Analyzer | AnalysisRouter,
        embedder: Embedder,
        config: MemoryosConfig,
    ) -> None:
        self.mid = mid
        self.long = long
        self.router = analyzer if isinstance(analyzer, AnalysisRouter) else AnalysisRouter(analyzer, None, None)
        self.embedder = embedder
        self.config = config

    def promote_hot(self, now: float) -> bool:
        """Promote the hottest segment over τ. False when none is."""
        hot = self.mid.hot_segments(now)
        if not hot:
            return False
        self.promote(hot[0], now)
        return True

    def promote(self, segment: Segment, now: float) -> None:
        store, scope = self.mid.store, self.mid.scope
        pages = store.unanalyzed_pages(scope, segment.id)
        heat = self.mid.heat(segment, now)
        if not pages:
            store.apply_promotion(scope, PromotionPlan(segment.id, [], None, [], {}, now), [])
            log.info("segment %s reached heat %.2f with nothing new to analyse: counters reset", segment.id, heat)
            return
        page_ids = [p.id for p in pages]
        current = self.long.profile_text()
        analysis, analyzer = self.router.run(
            lambda a: a.analyze_for_profile(current, pages), now=now, backlog=0, kind="promotion"
        )
        method = analyzer.method
        profile = None
        if self.long.acceptable_profile(analysis.profile, current):
            profile = ProfileVersion(0, analysis.profile.strip(), page_ids, now, method)  # type: ignore[arg-type]
        elif analysis.profile.strip() and analysis.profile.strip() != current.strip():
            log.warning(
                "rejected a profile update of %d characters: empty, error-like or a collapse", len(analysis.profile)
            )
        user_texts = [f.text for f in analysis.user_facts if f.op == "add" and f.text.strip()]
        assistant_texts = [f.text for f in analysis.assistant_facts if f.op == "add" and f.text.strip()]
        vectors = self.embedder.embed(user_texts + assistant_texts)
        new_user, merged_user, evict_user = self.long.plan_facts(
            "user", user_texts, vectors[: len(user_texts)], page_ids, method, now
        )
        new_asst, merged_asst, evict_asst = self.long.plan_facts(
            "assistant", assistant_texts, vectors[len(user_texts) :], page_ids, method, now
        )
        plan = PromotionPlan(segment.id, page_ids, profile, new_user + new_asst, {**merged_user, **merged_asst}, now)
        if not store.apply_promotion(scope, plan, evict_user + evict_asst):
            log.info("promotion of segment %s was done by another worker; skipped", segment.id)
            return
        log.info(
            "promoted segment %s (heat %.2f): %d pages → profile %s, %d user facts, %d assistant facts",
            segment.id,
            heat,
            len(pages),
            "updated" if profile else "unchanged",
            len(new_user),
            len(new_asst),
        )
