"""Retrieval over every tier. Works without an LLM: page-level dense + lexical fusion, facts lifting the pages
that stated them, chain and segment context, session dates, an optional reranker, then knowledge and profile."""

from __future__ import annotations

import time

import numpy as np

from ..config import MemoryosConfig
from ..models import Fact, Page, Segment
from ..providers.attribute_reader import holds_category, reader_for
from ..providers.embeddings import Embedder, embed_queries
from ..providers.reranker import CrossEncoderReranker, Reranker
from ..side import side_call
from ..textutil import content_tokens, date_ranges, remove_words, without_frame_words
from ..tiers.long_term import LongTermMemory
from ..tiers.mid_term import MidTermMemory, SegmentVectors
from ..tiers.short_term import ShortTermMemory
from .categories import asked_category, category_lifts, centroid
from .diversity import diversify
from .fact_pages import fact_page_lifts
from .fusion import Candidate, chain_context, date_boost, fuse, segment_boost, time_boost
from .instances import instances_asked
from .interleave import meaning_places
from .knowledge import about_the_user, rank_facts
from .match_side import forward_shares
from .past import asks_about_past
from .query_analysis import analyze_query, asks_inference, mentions_place, mentions_time
from .rerank import rerank
from .result import RetrievalResult, RetrievedFact, RetrievedPage, RetrievedSegment
from .second_hop import second_hop
from .speakers import attribute_lexical, of_side
from .spread import asks_list, spread
from .terms import TermSample

MAX_WAITING_SEARCHED = 64  # newest waiting pages embedded per query; older ones are still found lexically


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
        self.terms = TermSample(mid.store, mid.scope)
        self.reranker: Reranker | None = CrossEncoderReranker(config.reranker_model) if config.reranker_model else None

    def retrieve(self, query: str, now: float, max_pages: int | None = None) -> RetrievalResult:
        cfg, store, scope = self.config, self.mid.store, self.mid.scope
        timings: dict[str, float] = {}
        started = time.perf_counter()
        queued = [p for p in self.short.pages() if _alive(p.expires_at, now)]
        # short-term context is the newest `capacity` pages; older ones still waiting for consolidation (an LLM
        # outage, a burst faster than upkeep) are searched like any other page instead of flooding the prompt
        keep = cfg.short_term_capacity
        short_pages, waiting = queued[-keep:], queued[:-keep][-MAX_WAITING_SEARCHED:]
        short_ids = {p.id for p in short_pages}
        # names that occur in most pages (the people talking) say nothing about which page is meant
        newest_seq = max((p.seq for p in short_pages), default=0)
        ubiquitous = self.terms.participants(query, newest_seq)
        focused = remove_words(query, ubiquitous) if ubiquitous else query
        # a question about one of two name-labelled speakers: that side's words and facts count (speakers.py)
        side = self.terms.subject_side(ubiquitous, newest_seq) if cfg.speaker_attribution and ubiquitous else None
        # the question's type and dates, relative ones against the memory's present: its newest page
        present = max((p.timestamp for p in short_pages), default=now)
        analysis = analyze_query(query, present) if cfg.query_analysis else None
        # every fact, closed ones too: as an index into pages a fact that stopped being true still points well
        facts = [f for f in self.long.facts(with_vectors=True, include_history=True) if _alive(f.expires_at, now)]
        limit = max_pages if max_pages is not None else cfg.retrieval_queue_capacity
        pool = max(50, 5 * limit)
        # the words of the question's frame say nothing about its topic; the query embedding keeps them (measured)
        worded = without_frame_words(query) if cfg.frame_words else query
        terms = [t for t in dict.fromkeys(content_tokens(worded)) if t not in ubiquitous]
        lexical_terms = self.terms.rare_first(terms, newest_seq)
        if analysis is not None and cfg.event_dates:
            lexical_terms += analysis.date_tokens
        timings["query"] = (time.perf_counter() - started) * 1000
        # the full-text search needs no vector: it runs beside the query embedding (both release the GIL)
        lexical_k = pool + len(short_ids)
        lexical_job = side_call(store.lexical_search, scope, lexical_terms, lexical_k) if limit else None
        # so do the reads no part of the query decides: the segment vectors and the profile (on PostgreSQL the
        # profile's round trip leaves the caller's path)
        beside_job = side_call(self._read_beside)
        mark = time.perf_counter()
        # facts are written in the third person ("User lives in Berlin"): a question in the first or second
        # person is asked of them in the third, embedded in the same call as the page query
        about = about_the_user(focused or query)
        # the third-person form only matters to facts: a memory without any is spared a second text to embed
        asked = [focused or query] + ([about] if facts and about != (focused or query) else [])
        vectors = embed_queries(self.embedder, asked, cfg.query_embedding_precision)
        query_vector, fact_vector = vectors[0], vectors[-1]
        timings["embed"] = (time.perf_counter() - mark) * 1000

        mark = time.perf_counter()
        dense = store.dense_search(scope, query_vector, pool) if limit else []
        lexical = lexical_job.result() if lexical_job is not None else []
        lexical = [hit for hit in lexical if hit[0] not in short_ids][:pool]
        timings["search"] = (time.perf_counter() - mark) * 1000

        mark = time.perf_counter()
        # active segments only: archived ones are out of mid-term (their pages stay); whole records are read
        # below only for the segments shown
        segment_vectors, profile = beside_job.result()
        seg_scores = self.mid.fits(query_vector, terms, segment_vectors)
        top_segments = sorted(seg_scores.items(), key=lambda kv: -kv[1])[: cfg.top_m_segments]
        by_id: dict[str, Segment] = {}
        candidates = self._candidates(dense, lexical, query_vector, now)
        if waiting and limit:
            self._add_waiting(candidates, waiting, dict(lexical), query_vector)
        if cfg.fact_page_weight > 0 and limit:
            indexed = of_side(facts, side) if side else facts
            lifts = fact_page_lifts(indexed, fact_vector, cfg.knowledge_min_similarity, cfg.fact_page_weight)
            self._lift(candidates, lifts, "fact", short_ids, query_vector, now)
        listed = asks_list(query)  # a list question: the items of one kind, each told once (spread.py)
        several, kind = False, None
        if not listed and cfg.instance_questions:  # the same asked in other words: "What has Anna cooked?"
            several, kind = instances_asked(query)
        # a question naming a kind but not of the list form asks for one thing of it: its words and meaning find it
        kinds = cfg.category_weight > 0 and facts and limit
        category = None
        if kinds and (listed or not cfg.category_lists_only):
            category = asked_category(query)
        elif kinds and several:  # the kind the asking words name (instances.py)
            category = kind
        listed = listed or several
        if category is not None:  # a list question: the facts of the kind asked for (categories.py)
            indexed = of_side(facts, side) if side else facts
            lifts = category_lifts(indexed, category, centroid(self.embedder, category), cfg.category_weight)
            self._lift(candidates, lifts, "category", short_ids, query_vector, now)
        if side:
            cut = cfg.list_side_cut if listed else 0.0  # the other speaker's mentions of the topic are not its items
            attribute_lexical(candidates, side, lexical_terms, cfg.speaker_weight, cut)
        fuse(candidates, cfg.lexical_weight, cfg.dense_weight)
        if cfg.hop_weight > 0 and candidates:
            share = lambda t: self.terms.share(t, newest_seq, token=True)  # noqa: E731
            hops = second_hop(candidates, lexical_terms, share, lambda t: store.lexical_search(scope, t, pool))
            lifts = {pid: cfg.hop_weight * value for pid, value in hops.items()}
            self._lift(candidates, lifts, "hop", short_ids, query_vector, now)
            fuse(candidates, cfg.lexical_weight, cfg.dense_weight)
        if cfg.chain_weight > 0 and candidates:
            self._add_chain_neighbours(candidates, query_vector, 2 * limit + 10, now)
        forward_shares(candidates, lexical_terms, cfg.chain_answer_floor)
        spans = list(analysis.spans) if analysis is not None else date_ranges(query)
        asks_time = analysis is not None and analysis.asks_time
        asks_place = analysis is not None and analysis.asks_place
        every = cfg.meaning_every
        if every > 0 and cfg.inference_meaning_every > 0 and asks_inference(query):
            # an inference question's answer shares few of its words: more places by meaning (interleave.py)
            every = cfg.inference_meaning_every
        meaning: dict[str, float] = {}
        if every > 0:
            # the same scoring without the full-text part: the pages' order by meaning (interleave.py)
            self._boost(candidates, 0.0, top_segments, spans, asks_time, limit, asks_place)
            meaning = {pid: c.score for pid, c in candidates.items()}
        self._boost(candidates, cfg.lexical_weight, top_segments, spans, asks_time, limit, asks_place)
        ranked = sorted(candidates.values(), key=lambda c: (-c.score, -c.page.seq))
        # on fusion's scores, before a reranker or the places by meaning reorder by other measures (spread.py)
        if cfg.spread_weight > 0 and not spans and listed:  # a list's items over its sessions
            ranked = spread(ranked, cfg.spread_weight)
        if self.reranker is not None and limit:
            rerank_started = time.perf_counter()
            ranked = rerank(self.reranker, query, ranked, max(limit, cfg.reranker_candidates))
            timings["rerank"] = (time.perf_counter() - rerank_started) * 1000
        ranked = meaning_places(ranked, every, meaning, cfg.meaning_margin)
        ranked = diversify(ranked, limit, cfg.diversity_weight)
        shown: list[str | None] = [sid for sid, _ in top_segments]
        self._load_segments(by_id, shown + [c.page.segment_id for c in ranked])
        pages = [self._retrieved(c, by_id, seg_scores) for c in ranked]
        timings["rank"] = (time.perf_counter() - mark) * 1000

        mark = time.perf_counter()
        # facts that hold come first; facts that stopped being true only for questions about the past
        past = asks_about_past(query, now)
        facts = [f for f in facts if past or f.is_current()]
        # the attribute the question asks about, read once for both kinds of facts (a few dozen exemplars)
        reading = _AskedCategory(self.embedder, fact_vector)
        user_facts = self._knowledge([f for f in facts if f.kind == "user"], about, fact_vector, now, reading)
        assistant_facts = self._knowledge([f for f in facts if f.kind == "assistant"], about, fact_vector, now, reading)
        timings["long_term"] = (time.perf_counter() - mark) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000

        retrieved_segments = [
            RetrievedSegment(sid, by_id[sid].summary, by_id[sid].keywords, score, self.mid.shown_heat(by_id[sid], now))
            for sid, score in top_segments
            if sid in by_id  # not deleted between the two reads
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
            about_past=past,
        )

    def _boost(
        self,
        candidates: dict[str, Candidate],
        lexical_weight: float,
        top_segments: list[tuple[str, float]],
        spans: list[tuple[float, float]],
        asks_time: bool,
        limit: int,
        asks_place: bool = False,
    ) -> None:
        """Fusion and the context boosts (chain, segment, session date, time or place), from scratch: run twice when
        the order by meaning is wanted too."""
        cfg = self.config
        for c in candidates.values():
            for key in ("chain", "date", "time", "place"):
                c.extra.pop(key, None)
        fuse(candidates, lexical_weight, cfg.dense_weight)
        chain_context(candidates, cfg.chain_weight)
        segment_boost(candidates, {sid: rank for rank, (sid, _) in enumerate(top_segments)}, cfg.segment_weight)
        date_boost(candidates, spans, cfg.date_weight)
        if asks_time:
            time_boost(candidates, mentions_time, cfg.time_weight, limit)
        if asks_place:  # the same boost for the answer type "a place"
            time_boost(candidates, mentions_place, cfg.place_weight, limit, "place")

    def _read_beside(self) -> tuple[SegmentVectors, str]:
        """What a retrieve reads while the query is embedded: the active segments' vectors and the profile."""
        return self.mid.store.segment_vectors(self.mid.scope), self.long.profile_text()

    def _candidates(
        self,
        dense: list[tuple[str, float]],
        lexical: list[tuple[str, float]],
        query_vector: np.ndarray,
        now: float,
    ) -> dict[str, Candidate]:
        """Union of both pools, each page with its exact cosine and its BM25 score (None outside that pool)."""
        lexical_score = dict(lexical)
        ids = list(dict.fromkeys([pid for pid, _ in dense] + [pid for pid, _ in lexical]))
        pages = self.mid.store.shared_pages(self.mid.scope, ids)
        return {
            p.id: Candidate(p, _cosine(p, query_vector, self.config.unit_weight), lexical_score.get(p.id))
            for p in pages
            if _alive(p.expires_at, now)
        }

    def _add_waiting(
        self,
        candidates: dict[str, Candidate],
        waiting: list[Page],
        lexical_score: dict[str, float],
        query_vector: np.ndarray,
    ) -> None:
        """Pages waiting in short-term have no stored vector yet: embed them now (a bounded few)."""
        vectors = self.embedder.embed([p.text for p in waiting])
        for page, vector in zip(waiting, vectors, strict=True):
            dense = float(vector @ query_vector)
            if page.id in candidates:
                candidates[page.id].dense = dense
            else:
                candidates[page.id] = Candidate(page, dense, lexical_score.get(page.id))

    def _add_chain_neighbours(
        self, candidates: dict[str, Candidate], query_vector: np.ndarray, top: int, now: float
    ) -> None:
        """Pages linked in a dialogue chain to the best candidates join the pool: an answer often sits in the
        page after the one that matched the question's words."""
        best = sorted(candidates.values(), key=lambda c: -c.base)[:top]
        wanted = [
            pid for c in best for pid in (c.page.prev_page_id, c.page.next_page_id) if pid and pid not in candidates
        ]
        if not wanted:
            return
        for page in self.mid.store.shared_pages(self.mid.scope, list(dict.fromkeys(wanted))):
            if page.tier == "short" or not _alive(page.expires_at, now):
                continue
            candidate = Candidate(page, _cosine(page, query_vector, self.config.unit_weight), None)
            candidates[page.id] = candidate
        fuse(candidates, self.config.lexical_weight, self.config.dense_weight)

    def _lift(
        self,
        candidates: dict[str, Candidate],
        lifts: dict[str, float],
        signal: str,
        short_ids: set[str],
        query_vector: np.ndarray,
        now: float,
    ) -> None:
        """Pages that another signal points at (facts they stated, a second hop) get its lift and join the pool."""
        missing = [pid for pid in lifts if pid not in candidates and pid not in short_ids]
        for page in self.mid.store.shared_pages(self.mid.scope, missing) if missing else []:
            if page.tier != "short" and _alive(page.expires_at, now):
                candidates[page.id] = Candidate(page, _cosine(page, query_vector, self.config.unit_weight), None)
        for pid, lift in lifts.items():
            if pid in candidates and lift > 0:
                candidates[pid].lift += lift
                candidates[pid].extra[signal] = lift

    def _load_segments(self, by_id: dict[str, Segment], wanted: list[str | None]) -> None:
        """The segments shown (the top ones and those of returned pages), in one read."""
        missing = list(dict.fromkeys(w for w in wanted if w and w not in by_id))
        for segment in self.mid.store.get_segments(self.mid.scope, missing) if missing else []:
            by_id[segment.id] = segment

    @staticmethod
    def _retrieved(c: Candidate, by_id: dict[str, Segment], seg_scores: dict[str, float]) -> RetrievedPage:
        segment = by_id.get(c.page.segment_id or "")
        signals = {"dense": c.dense}
        if c.lexical is not None:
            signals["lexical"] = c.lexical
        if c.page.segment_id in seg_scores:
            signals["segment"] = seg_scores[c.page.segment_id or ""]
        signals.update({k: v for k, v in c.extra.items() if v})
        return RetrievedPage(
            page=c.page.copy(),  # candidates may be the store's own kept pages (Store.shared_pages)
            score=c.score,
            tier=c.page.tier,
            segment_id=c.page.segment_id,
            segment_summary=segment.summary if segment else "",
            signals=signals,
        )

    def _knowledge(
        self, facts: list[Fact], query: str, query_vector: np.ndarray, now: float, category: _AskedCategory
    ) -> list[RetrievedFact]:
        cfg = self.config
        asked = None
        if any(f.attribute for f in facts):  # the attribute the question asks about, read like statements are
            category_name = category.get()
            asked = (lambda key: holds_category(key, category_name)) if category_name else None
        return rank_facts(facts, query, query_vector, now, cfg.knowledge_top_k, cfg.knowledge_min_similarity, asked)


class _AskedCategory:
    """The attribute a question asks about, read on first use (only facts with attributes need it), then kept."""

    def __init__(self, embedder: Embedder, query_vector: np.ndarray) -> None:
        self._embedder, self._vector = embedder, query_vector
        self._read = False
        self._category: str | None = None

    def get(self) -> str | None:
        if not self._read:
            self._category = reader_for(self._embedder).question_category(self._vector)
            self._read = True
        return self._category


def _alive(expires_at: float | None, now: float) -> bool:
    """Not forgotten on purpose: no expiry, or one still ahead."""
    return expires_at is None or expires_at > now


def _cosine(page: Page, query_vector: np.ndarray, unit_weight: float) -> float:
    """The page's dense score: its cosine, raised `unit_weight` of the way towards its best unit's (a side or a
    long sentence that matches better alone than inside the whole page; memoryos.units)."""
    cosine = float(page.embedding @ query_vector) if page.embedding is not None else 0.0
    if unit_weight > 0 and page.unit_vectors is not None and len(page.unit_vectors):
        best = float(np.max(page.unit_vectors @ query_vector))
        cosine += unit_weight * max(0.0, best - cosine)
    return cosine
