"""Mid-term memory: topic segments with heat, merge-or-create placement, and eviction to the archive."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from ..config import MemoryosConfig
from ..models import Scope, Segment
from ..providers.embeddings import normalize
from ..storage.base import Store
from ..textutil import jaccard
from .visits import PendingVisits

log = logging.getLogger(__name__)

# Heat is compared with τ to the precision it is shown with (three decimals): recency decays from the instant of a
# visit, so a segment visited to exactly τ is 4.99999998 a moment later, and would be shown as 5.000 yet never
# promoted. Within half a thousandth of τ counts as τ, for promotion and for every display alike.
HEAT_TOLERANCE = 5e-4
# what Store.segment_vectors returns: ids, keywords and summary vectors (one matrix) of the active segments
SegmentVectors = tuple[list[str], list[tuple[str, ...]], np.ndarray]


def reaches_threshold(heat: float, tau: float) -> bool:
    return heat >= tau - HEAT_TOLERANCE


def segment_vector(
    method: str, summary: str, members: np.ndarray | None, embed: Callable[[list[str]], np.ndarray]
) -> np.ndarray:
    """The one rule for a segment's vector, used by consolidation, import and repair: a summary the LLM wrote is
    embedded (it says what the segment is about); an extractive segment is the normalised mean of its pages'
    vectors (its summary is only a few of their sentences), or its summary's embedding when it has no pages."""
    if method == "llm" or members is None or not len(members):
        return embed([summary])[0]
    return normalize(np.asarray(members, dtype=np.float32).mean(axis=0))[0]


def running_mean_vector(old: np.ndarray, old_count: int, added: np.ndarray, added_count: int) -> np.ndarray:
    """`segment_vector`'s extractive rule kept up to date as pages join, without reading the older pages."""
    return normalize(old * max(1, old_count) + added * added_count)[0]


# What a segment is about now, for the no-LLM merge rule: the mean of its newest pages (two consolidation
# batches at the paper's cadence). A window, not the mean of every page ever merged: that mean drifts towards
# what all of a user's pages share and ends up matching anything.
RECENT_MEMBER_PAGES = 8


def common_keywords(segments: list[Segment]) -> set[str]:
    """Keywords of more than half of the segments (of at least four): the speakers' names, words of every
    exchange. They say nothing about what one segment is about, so the no-LLM merge rule ignores them."""
    if len(segments) < 4:
        return set()
    counts: dict[str, int] = {}
    for segment in segments:
        for keyword in {k.lower() for k in segment.keywords}:
            counts[keyword] = counts.get(keyword, 0) + 1
    return {k for k, n in counts.items() if 2 * n > len(segments)}


@functools.lru_cache(maxsize=8192)
def _lowered(words: tuple[str, ...]) -> frozenset[str]:
    """A segment's keywords as jaccard compares them, once per distinct keyword tuple (they rarely change)."""
    return frozenset(w.lower() for w in words)


def _jaccard_lowered(a: frozenset[str], b: frozenset[str]) -> float:
    """textutil.jaccard of sets already lowered (the same number)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / len(a | b) if shared else 0.0


class MidTermMemory:
    def __init__(self, store: Store, scope: Scope, config: MemoryosConfig) -> None:
        self.store = store
        self.scope = scope
        self.config = config
        self._recent: dict[str, tuple[int, np.ndarray]] = {}  # segment id -> (page_count when read, vectors)
        self.pending_visits = PendingVisits()  # retrieval visits not written yet (tiers/visits.py)

    def heat(self, segment: Segment, now: float) -> float:
        c = self.config
        return segment.heat(now, c.heat_alpha, c.heat_beta, c.heat_gamma, c.recency_mu_seconds)

    def shown_heat(self, segment: Segment, now: float) -> float:
        """Heat with this process's visits not written yet counted (what a retrieve shows)."""
        return self.heat(self.pending_visits.overlay(segment), now)

    def is_hot(self, segment: Segment, now: float) -> bool:
        """Active, at or above τ, and with something to promote (new pages or counters to reset)."""
        return (
            segment.status == "active"
            and bool(segment.n_visit or segment.l_interaction)
            and reaches_threshold(self.heat(segment, now), self.config.mid_term_heat_threshold)
        )

    def segments(self, status: str | None = "active") -> list[Segment]:
        return self.store.list_segments(self.scope, status=status)

    @staticmethod
    def fit(segment: Segment, vector: np.ndarray, keywords: list[str]) -> float:
        """The paper's F = cos(summary embeddings) + Jaccard(keywords)."""
        if segment.embedding is None:
            return 0.0
        return float(segment.embedding @ vector) + jaccard(segment.keywords, keywords)

    def fits(self, vector: np.ndarray, keywords: list[str], read: SegmentVectors | None = None) -> dict[str, float]:
        """`fit` of every active segment that has a vector, by id: one matrix product over the summary vectors,
        without reading the rest of each segment. `read`: `store.segment_vectors` already read by the caller."""
        ids, segment_keywords, matrix = read if read is not None else self.store.segment_vectors(self.scope)
        if not ids:
            return {}
        cosines = (matrix @ np.asarray(vector, dtype=np.float32)).tolist()
        asked = frozenset(k.lower() for k in keywords)
        return {
            sid: cosine + _jaccard_lowered(_lowered(words), asked)
            for sid, words, cosine in zip(ids, segment_keywords, cosines, strict=True)
        }

    def has_room(self, segment: Segment, pages: int) -> bool:
        """A segment takes new pages only up to max_segment_pages; past it a topic starts a new segment."""
        return segment.page_count + pages <= self.config.max_segment_pages

    def best_match(
        self, candidates: list[Segment], vector: np.ndarray, keywords: list[str], pages: int = 1
    ) -> tuple[Segment | None, float]:
        """The paper's placement (LLM summaries): the segment of highest F at or above θ, among those with room."""
        return self._pick((s, self.fit(s, vector, keywords)) for s in candidates if self.has_room(s, pages))

    def best_member_match(
        self,
        candidates: list[Segment],
        page_vectors: np.ndarray,
        keywords: list[str],
        pending: Mapping[str, np.ndarray] | None = None,
    ) -> tuple[Segment | None, float]:
        """No-LLM placement, among segments with room: F = cos(mean of the topic's pages, mean of the segment's
        newest pages) + Jaccard of keywords, ignoring keywords most segments share; the best at or above θ.
        `pending`: vectors of pages joining a segment in the plan being built (newer than what is stored)."""
        pending = pending or {}
        topic = normalize(page_vectors.mean(axis=0))[0]
        common = common_keywords(candidates)
        topic_terms = [k for k in keywords if k.lower() not in common]
        scored = []
        for segment in candidates:
            if not self.has_room(segment, len(page_vectors)):
                continue
            joining = pending.get(segment.id)
            stored_count = segment.page_count - (len(joining) if joining is not None else 0)
            members = self.recent_vectors(segment.id, stored_count, page_vectors.shape[1])
            if joining is not None:
                members = np.concatenate([members, joining])[-RECENT_MEMBER_PAGES:]
            about = normalize(members.mean(axis=0))[0] if len(members) else segment.embedding
            if about is None:
                continue
            terms = [k for k in segment.keywords if k.lower() not in common]
            scored.append((segment, float(topic @ about) + jaccard(terms, topic_terms)))
        return self._pick(scored)

    def _pick(self, scored: Iterable[tuple[Segment, float]]) -> tuple[Segment | None, float]:
        best, best_score = None, float("-inf")
        for segment, score in scored:
            if score > best_score:
                best, best_score = segment, score
        if best is not None and best_score >= self.config.mid_term_similarity_threshold:
            return best, best_score
        return None, best_score

    def recent_vectors(self, segment_id: str, page_count: int, dim: int) -> np.ndarray:
        """Vectors of a stored segment's newest pages, oldest first (at most RECENT_MEMBER_PAGES). Kept between
        consolidations while the segment's stored page count is unchanged: its pages change only when it does."""
        cached = self._recent.get(segment_id)
        if cached is not None and cached[0] == page_count:
            return cached[1]
        found = np.zeros((0, dim), dtype=np.float32)
        if page_count > 0:
            newest = self.store.list_pages(
                self.scope, segment_id=segment_id, limit=RECENT_MEMBER_PAGES, newest_first=True
            )
            pages = self.store.get_pages(self.scope, [p.id for p in reversed(newest)], with_vectors=True)
            vectors = [p.embedding for p in pages if p.embedding is not None]
            if vectors:
                found = np.stack(vectors).astype(np.float32)
        if len(self._recent) > 4 * self.config.mid_term_capacity:
            self._recent.clear()  # archived and deleted segments leave entries behind
        self._recent[segment_id] = (page_count, found)
        return found

    def visited(self, matches: Iterable[tuple[str | None, str, Mapping[str, float]]]) -> list[str]:
        """Segments a retrieval visited (heat's N_visit), from its pages as (segment_id, tier, signals): a
        segment is visited when one of its mid-term pages really matched the query (dense similarity of at least
        visit_min_similarity, or a lexical match), not when a page merely filled a slot."""
        floor = self.config.visit_min_similarity
        return list(
            dict.fromkeys(
                segment_id
                for segment_id, tier, signals in matches
                if segment_id and tier == "mid" and (signals.get("dense", -1.0) >= floor or "lexical" in signals)
            )
        )

    def hot_segments(self, now: float) -> list[Segment]:
        """Segments at or above τ that have something to promote (new pages or counters to reset)."""
        hot = [s for s in self.segments() if self.is_hot(s, now)]
        return sorted(hot, key=lambda s: -self.heat(s, now))

    def evict_over_capacity(self, now: float, before_archive: Callable[[Segment], None] | None = None) -> list[str]:
        """Archive the coldest segments (lowest heat, or lowest N_visit under LFU) until within capacity.
        `before_archive(segment)` runs first for each (upkeep analyses what a cold segment never got analysed)."""
        active = self.segments()
        surplus = len(active) - self.config.mid_term_capacity
        if surplus <= 0:
            return []
        if self.config.eviction_policy == "lfu":
            order = sorted(active, key=lambda s: (s.n_visit, s.last_access))
        else:
            order = sorted(active, key=lambda s: (self.heat(s, now), s.last_access))
        evicted = []
        for segment in order[:surplus]:
            if before_archive is not None:
                before_archive(segment)
            self.store.archive_segment(self.scope, segment.id)
            log.info(
                "archived segment %s (heat %.3f, %d pages): mid-term over capacity %d",
                segment.id,
                self.heat(segment, now),
                segment.page_count,
                self.config.mid_term_capacity,
            )
            evicted.append(segment.id)
        return evicted

    def record_visits(self, segment_ids: list[str], now: float) -> list[Segment]:
        """Write visits now; returns the visited segments as written."""
        return self.store.record_visits(self.scope, segment_ids, now)

    def note_visits(self, segment_ids: list[str], now: float) -> None:
        """Keep visits to be written later by `write_visits`."""
        self.pending_visits.add(segment_ids, now)

    def write_visits(self) -> list[Segment]:
        """Write the visits noted so far (waiting for a write in flight); returns the segments written."""
        return self.pending_visits.write(self.record_visits)
