"""Retrieval over every tier. Works without an LLM: page-level dense + lexical fusion, segments as context."""

from __future__ import annotations

import time

import numpy as np

from ..config import MemoryosConfig
from ..models import Fact, Segment
from ..providers.embeddings import Embedder
from ..textutil import content_tokens, jaccard
from ..tiers.long_term import LongTermMemory
from ..tiers.mid_term import MidTermMemory
from ..tiers.short_term import ShortTermMemory
from .fusion import reciprocal_rank_fusion
from .result import RetrievalResult, RetrievedFact, RetrievedPage, RetrievedSegment


class Retriever:
    def __init__(
        self,
        short: ShortTermMemory,
        mid: MidTermMemory,
        long: LongTermMemory,
        embedder: Embedder,
        config: MemoryosConfig,
    ) -> None:
        self.short = short
        self.mid = mid
        self.long = long
        self.embedder = embedder
        self.config = config

    def retrieve(self, query: str, now: float, max_pages: int | None = None) -> RetrievalResult:
        cfg, store, scope = self.config, self.mid.store, self.mid.scope
        timings: dict[str, float] = {}
        started = time.perf_counter()
        query_vector = self.embedder.embed([query])[0]
        timings["embed"] = (time.perf_counter() - started) * 1000

        mark = time.perf_counter()
        short_pages = self.short.pages()
        short_ids = {p.id for p in short_pages}
        limit = max_pages if max_pages is not None else cfg.retrieval_queue_capacity
        pool = max(50, 5 * limit)
        terms = list(dict.fromkeys(content_tokens(query)))
        dense = store.dense_search(scope, query_vector, pool)
        lexical = [hit for hit in store.lexical_search(scope, terms, pool + len(short_ids)) if hit[0] not in short_ids]
        timings["search"] = (time.perf_counter() - mark) * 1000

        mark = time.perf_counter()
        segments = self.mid.segments(status=None)
        seg_scores = self._segment_scores(segments, query_vector, terms)
        top_segments = sorted(seg_scores.items(), key=lambda kv: -kv[1])[: cfg.top_m_segments]
        rankings = {
            "dense": ([pid for pid, _ in dense], cfg.dense_weight),
            "lexical": ([pid for pid, _ in lexical[:pool]], cfg.lexical_weight),
        }
        fused = reciprocal_rank_fusion(rankings)
        dense_score = dict(dense)
        lexical_score = dict(lexical)
        candidates = store.get_pages(scope, list(fused)) if fused else []
        seg_rank = {sid: rank for rank, (sid, _) in enumerate(top_segments)}
        by_id = {s.id: s for s in segments}
        scored = []
        for page in candidates:
            score = fused[page.id]
            if page.segment_id in seg_rank:
                score += cfg.segment_weight / (60.0 + seg_rank[page.segment_id] + 1)
            scored.append((score, page))
        scored.sort(key=lambda item: -item[0])
        pages = []
        for score, page in scored[:limit]:
            segment = by_id.get(page.segment_id or "")
            pages.append(
                RetrievedPage(
                    page=page,
                    score=score,
                    tier=page.tier,
                    segment_id=page.segment_id,
                    segment_summary=segment.summary if segment else "",
                    signals={
                        k: v
                        for k, v in (
                            ("dense", dense_score.get(page.id)),
                            ("lexical", lexical_score.get(page.id)),
                            ("segment", seg_scores.get(page.segment_id or "")),
                        )
                        if v is not None
                    },
                )
            )
        timings["rank"] = (time.perf_counter() - mark) * 1000

        mark = time.perf_counter()
        facts = self.long.facts(with_vectors=True)
        user_facts = self._top_facts([f for f in facts if f.kind == "user"], query_vector)
        assistant_facts = self._top_facts([f for f in facts if f.kind == "assistant"], query_vector)
        profile = self.long.profile_text()
        timings["long_term"] = (time.perf_counter() - mark) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000

        retrieved_segments = [
            RetrievedSegment(sid, by_id[sid].summary, by_id[sid].keywords, score, self.mid.heat(by_id[sid], now))
            for sid, score in top_segments
        ]
        return RetrievalResult(
            query=query,
            short_term=short_pages,
            pages=pages,
            segments=retrieved_segments,
            user_knowledge=user_facts,
            assistant_knowledge=assistant_facts,
            profile=profile,
            timings_ms=timings,
        )

    @staticmethod
    def _segment_scores(segments: list[Segment], query_vector: np.ndarray, terms: list[str]) -> dict[str, float]:
        return {
            s.id: float(s.embedding @ query_vector) + jaccard(s.keywords, terms)
            for s in segments
            if s.embedding is not None
        }

    def _top_facts(self, facts: list[Fact], query_vector: np.ndarray) -> list[RetrievedFact]:
        scored = [RetrievedFact(f, float(f.embedding @ query_vector)) for f in facts if f.embedding is not None]
        scored = [f for f in scored if f.score >= self.config.knowledge_min_similarity]
        scored.sort(key=lambda f: -f.score)
        return scored[: self.config.knowledge_top_k]
