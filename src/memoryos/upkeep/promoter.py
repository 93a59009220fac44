"""Mid → long promotion: a hot segment's unanalyzed pages become profile and knowledge; its heat resets."""

from __future__ import annotations

import logging

import numpy as np

from ..config import MemoryosConfig
from ..models import Fact, KnowledgeKind, Page, ProfileVersion, PromotionPlan, Segment
from ..providers.analysis import Analyzer
from ..providers.embeddings import Embedder
from ..providers.results import FactOut, PromotionOut
from ..tiers.facts import FactOperation
from ..tiers.long_term import LongTermMemory
from ..tiers.mid_term import MidTermMemory
from ..timeexpr import resolve_relative
from .fallback import AnalysisRouter

log = logging.getLogger(__name__)

RELATED_FACTS_SHOWN = 20  # current facts an analysis sees to update, retire or confirm (bounds the prompt)


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

    def before_archive(self, segment: Segment, now: float) -> None:
        """A segment leaving mid-term cold (evicted) is analysed first if it has pages never analysed: heat
        decides *when* a segment is learnt from, never *whether*, so a small topic that never got hot is not
        archived without its facts reaching long-term memory."""
        if self.mid.store.unanalyzed_pages(self.mid.scope, segment.id):
            log.info("segment %s is archived cold: its pages not analysed yet are promoted first", segment.id)
            self.promote(segment, now)

    def promote(self, segment: Segment, now: float) -> None:
        store, scope = self.mid.store, self.mid.scope
        pages = store.unanalyzed_pages(scope, segment.id)
        heat = self.mid.heat(segment, now)
        if not pages:
            store.apply_promotion(scope, PromotionPlan(segment.id, [], None, [], {}, now), [])
            log.info("segment %s reached heat %.2f with nothing new to analyse: counters reset", segment.id, heat)
            return
        page_ids = [p.id for p in pages]
        page_vectors = self._page_vectors(pages)
        related = self.long.related_facts(page_vectors, now, RELATED_FACTS_SHOWN)
        current = self.long.profile_text()
        before = self._continued(pages)
        analysis, analyzer = self.router.run(
            lambda a: a.analyze_for_profile(current, pages, related, before), now=now, backlog=0, kind="promotion"
        )
        method = analyzer.method
        profile = None
        if self.long.acceptable_profile(analysis.profile, current):
            profile = ProfileVersion(0, analysis.profile.strip(), page_ids, now, method)  # type: ignore[arg-type]
        elif analysis.profile.strip() and analysis.profile.strip() != current.strip():
            log.warning(
                "rejected a profile update of %d characters: empty, error-like or a collapse", len(analysis.profile)
            )
        operations = self.operations(analysis, pages, page_vectors, related)
        facts = self.long.plan_facts(operations, method, now, self.embedder.embed)
        plan = PromotionPlan(
            segment.id, page_ids, profile, facts.new, facts.merged, now, invalidations=facts.invalidations
        )
        if not store.apply_promotion(scope, plan, facts.evict):
            log.info("promotion of segment %s was done by another worker; skipped", segment.id)
            return
        log.info(
            "promoted segment %s (heat %.2f): %d pages → profile %s, %d new facts (%d user), %d closed, %d confirmed",
            segment.id,
            heat,
            len(pages),
            "updated" if profile else "unchanged",
            len(facts.new),
            sum(f.kind == "user" for f in facts.new),
            len(facts.invalidations),
            len(facts.merged),
        )

    def _continued(self, pages: list[Page]) -> list[Page]:
        """The pages these continue (by their chain link) that are not among them: what was said just before a
        batch's first page, where a statement's "it" or "this series" was named."""
        ids = {p.id for p in pages}
        wanted = list(dict.fromkeys(p.prev_page_id for p in pages if p.prev_page_id and p.prev_page_id not in ids))
        return self.mid.store.get_pages(self.mid.scope, wanted) if wanted else []

    def _page_vectors(self, pages: list[Page]) -> np.ndarray:
        """The pages' stored vectors (consolidation wrote them); any missing one is embedded now."""
        stored = {p.id: p.embedding for p in self.mid.store.get_pages(self.mid.scope, [p.id for p in pages], True)}
        missing = [p for p in pages if stored.get(p.id) is None]
        if missing:
            stored.update(zip([p.id for p in missing], self.embedder.embed([p.text for p in missing]), strict=True))
        return np.stack([np.asarray(stored[p.id], dtype=np.float32) for p in pages])

    def operations(
        self, analysis: PromotionOut, pages: list[Page], page_vectors: np.ndarray, related: list[Fact]
    ) -> list[FactOperation]:
        """The analysis' facts as operations on stored facts: each cites only the pages that stated it (its page
        indices; without valid ones, the page most like it), is dated by the newest of them, and has its relative
        time phrases made absolute against that date."""
        items: list[tuple[KnowledgeKind, FactOut]] = [("user", f) for f in analysis.user_facts]
        items += [("assistant", f) for f in analysis.assistant_facts]
        items = [(k, f) for k, f in items if f.text.strip() or (f.op != "add" and f.target)]
        texts = [f.text.strip() for _, f in items]
        # a fact is embedded by its statement as said; a detail its text adds is for the reader (Fact.statement)
        statements = [(f.statement or "").strip() or None for _, f in items]
        vectors = self._embed([s or t for s, t in zip(statements, texts, strict=True)])
        targets = {f.id: f.embedding for f in related}  # the facts the analysis was shown, so could name
        ops: list[FactOperation] = []
        for (kind, out), text, statement, vector in zip(items, texts, statements, vectors, strict=True):
            stating = sorted({i for i in out.page_indices if 0 <= i < len(pages)})
            if not stating:
                probe = vector if text else targets.get(out.target or "")
                stating = [int(np.argmax(page_vectors @ probe))] if probe is not None else [len(pages) - 1]
            cited = [pages[i] for i in stating]
            said = max(p.timestamp for p in cited)
            expiries = [p.expires_at for p in cited]
            ops.append(
                FactOperation(
                    kind=kind,
                    op=out.op,
                    text=resolve_relative(text, said) if text else "",
                    source_page_ids=[p.id for p in cited],
                    observed_at=said,
                    vector=vector if text else None,
                    target=out.target,
                    attribute=out.attribute,
                    # a fact said only on pages meant to be forgotten is forgotten with the last of them
                    expires_at=max(expiries) if expiries and None not in expiries else None,  # type: ignore[type-var]
                    statement=resolve_relative(statement, said) if text and statement else None,
                )
            )
        embedded = [s or t for s, t in zip(statements, texts, strict=True)]
        changed = [i for i, (op, was) in enumerate(zip(ops, embedded, strict=True)) if op.said != was]
        if changed:
            for i, vector in zip(changed, self.embedder.embed([ops[i].said for i in changed]), strict=True):
                ops[i].vector = vector
        return ops

    def _embed(self, texts: list[str]) -> list[np.ndarray]:
        wanted = [t for t in texts if t]
        vectors = iter(self.embedder.embed(wanted)) if wanted else iter(())
        return [next(vectors) if t else np.zeros(0, dtype=np.float32) for t in texts]
