"""What memory wrote from pages that have since expired is rewritten from the pages that remain.

Forgetting a page on purpose forgets what was derived from it alone:
- facts said only on expired pages go with them, and the facts they had closed take their place
  (Store.purge_expired);
- a segment that lost pages gets its summary, keywords and vector recomputed without an LLM from the pages it
  keeps; with an LLM it is also queued, so that the LLM writes them again (upkeep.reanalyzer);
- the thread summaries of the pages after an expired one are rebuilt from the thread before it (extractive gists);
- a structured profile line (profile_builder) said on the day of an expired page stays only if the remaining
  pages of that day still state it; a key whose line goes takes the line of the current fact that holds it, read
  again from that fact's own pages, or goes;
- a profile a model wrote in its own words cannot be traced to pages: once a model has seen an expired page while
  writing a profile, the profile is rebuilt from what still traces to pages (its structured lines that remain,
  and the lines the no-LLM reader finds on the pages the current facts cite), and the versions from the first
  that page could reach keep only their traceable lines. The model writes over the rebuilt profile at its
  next promotion (README, "Forgetting on purpose").
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from ..config import MemoryosConfig
from ..models import Fact, Page, ProfileVersion, Purged, RewritePlan, SegmentRewrite
from ..providers.embeddings import Embedder
from ..providers.extractive import ExtractiveAnalyzer, thread_summary
from ..providers.profile_builder import ProfileLine, day_of, parse_profile, render_profile
from ..tiers.long_term import LongTermMemory
from ..tiers.mid_term import MidTermMemory, segment_vector

log = logging.getLogger(__name__)

# the pages of the newest current facts a rebuilt profile is read from: the profile's own size bound
# (MAX_PROFILE_CHARS) fills long before this many pages are exhausted
_MAX_PAGES_READ_AGAIN = 500


class Rewriter:
    def __init__(
        self,
        mid: MidTermMemory,
        long: LongTermMemory,
        extractive: ExtractiveAnalyzer,
        embedder: Embedder,
        config: MemoryosConfig,
        llm_mode: bool,
    ) -> None:
        self.mid = mid
        self.long = long
        self.extractive = extractive
        self.embedder = embedder
        self.config = config
        self.llm_mode = llm_mode

    def after_purge(self, purged: Purged, now: float) -> None:
        """Rewrite what the purged pages leave stale, in one transaction."""
        if not purged.pages:
            return  # facts alone went (a valid_until reached): nothing was written from them
        exposed = self._model_exposed_versions(purged.pages)
        if exposed:
            profile, past_profiles = self._profile_without_model_text(purged.pages, exposed, now)
        else:
            profile, forgotten = self._profile(purged.pages, now)
            past_profiles = self._past_profiles(forgotten)
        plan = RewritePlan(
            self._segments(purged.pages),
            self._threads(purged.successors),
            profile,
            now,
            reanalyze=self.llm_mode,
            past_profiles=past_profiles,
        )
        if plan.segments or plan.chain_summaries or plan.profile is not None:
            self.mid.store.apply_rewrite(self.mid.scope, plan)
            log.info(
                "rewrote what expired pages left: %d segment(s), %d thread summaries, profile %s",
                len(plan.segments),
                len(plan.chain_summaries),
                "rewritten" if plan.profile is not None else "unchanged",
            )

    def _vectors(self, pages: list[Page]) -> np.ndarray:
        store, scope = self.mid.store, self.mid.scope
        stored = {p.id: p.embedding for p in store.get_pages(scope, [p.id for p in pages], with_vectors=True)}
        missing = [p for p in pages if stored.get(p.id) is None]
        if missing:
            stored.update(zip([p.id for p in missing], self.embedder.embed([p.text for p in missing]), strict=True))
        return np.stack([np.asarray(stored[p.id], dtype=np.float32) for p in pages])

    def _segments(self, gone: list[Page]) -> list[SegmentRewrite]:
        store, scope = self.mid.store, self.mid.scope
        touched = list(dict.fromkeys(p.segment_id for p in gone if p.segment_id))
        rewrites = []
        for segment in store.get_segments(scope, touched):  # an emptied segment is gone already
            pages = store.list_pages(scope, segment_id=segment.id)[-self.config.max_segment_pages :]
            if not pages:
                continue
            vectors = self._vectors(pages)
            topic = self.extractive.summarize(pages, vectors)
            embedding = segment_vector("extractive", topic.summary, vectors, self.embedder.embed)
            rewrites.append(SegmentRewrite(segment.id, topic.summary, topic.keywords, embedding))
        return rewrites

    def _threads(self, successors: Sequence[str]) -> dict[str, str]:
        """Each successor and the pages after it, summarised again from the thread before the gap."""
        store, scope = self.mid.store, self.mid.scope
        rewritten: dict[str, str] = {}
        for first in successors:
            found = store.get_pages(scope, [first])
            if not found or found[0].tier == "short":
                continue
            page: Page | None = found[0]
            before = store.get_pages(scope, [page.prev_page_id]) if page and page.prev_page_id else []
            running = rewritten.get(before[0].id, before[0].chain_summary) if before else ""
            while page is not None and page.id not in rewritten:
                running = thread_summary(running, page)
                rewritten[page.id] = running
                following = store.get_pages(scope, [page.next_page_id]) if page.next_page_id else []
                page = following[0] if following else None
        return rewritten

    def _profile(self, gone: list[Page], now: float) -> tuple[ProfileVersion | None, list[ProfileLine]]:
        """The next profile version without the lines said only on `gone` pages (None: no change), and those
        lines."""
        current = self.long.profile()
        if current is None:
            return None, []
        lines, other = parse_profile(current.text)
        days = {day_of(p.timestamp) for p in gone}
        suspect = [line for line in lines if line.said is not None and day_of(line.said) in days]
        if not suspect:
            return None, []
        store, scope = self.mid.store, self.mid.scope
        related = [f for f in self.long.facts(with_vectors=True) if f.is_current(now)]
        same_days = [
            p for p in store.list_pages(scope) if p.analyzed and p.tier != "short" and day_of(p.timestamp) in days
        ]
        still_said = {(line.key, line.text) for line in self._lines(same_days, related)}
        kept = [line for line in lines if line not in suspect or (line.key, line.text) in still_said]
        forgotten = [line for line in lines if line not in kept]
        if not forgotten:
            return None, []
        held = {line.key for line in kept}
        read_again: list[str] = []
        for key in dict.fromkeys(line.key for line in suspect if line.key not in held):
            replacement = self._line_from_fact(key, related, read_again)
            if replacement is not None:
                kept.append(replacement)
        version = ProfileVersion(
            0, render_profile(kept, other), [p.id for p in same_days] + read_again, now, "extractive"
        )
        return version, forgotten

    def _model_exposed_versions(self, gone: list[Page]) -> list[ProfileVersion]:
        """The profile versions an expired page may live on in: from the first a model wrote having been shown
        one of `gone`, every later version (each was written from the one before). Manual versions are the
        user's own words and stay. Empty when no model saw these pages."""
        gone_ids = {p.id for p in gone}
        history = self.long.store.profile_history(self.long.scope)
        first = next(
            (i for i, v in enumerate(history) if v.method == "llm" and gone_ids.intersection(v.source_page_ids)),
            None,
        )
        return [] if first is None else [v for v in history[first:] if v.method != "manual"]

    def _profile_without_model_text(
        self, gone: list[Page], exposed: list[ProfileVersion], now: float
    ) -> tuple[ProfileVersion | None, dict[int, str]]:
        """A model's words cannot be traced to the pages they came from, so what it wrote after seeing an expired
        page goes: the current profile becomes its traceable lines (less those said only on `gone` pages) plus the
        lines the no-LLM reader finds on the pages current facts cite (newest first); each exposed earlier
        version keeps only its traceable lines that were not forgotten."""
        current = self.long.profile()
        trimmed, forgotten = self._profile(gone, now)
        base = trimmed if trimmed is not None else current
        kept = parse_profile(base.text)[0] if base is not None and base.method != "manual" else []
        related = [f for f in self.long.facts("user", with_vectors=True) if f.is_current(now)]
        held = {line.key for line in kept}
        newest_first = sorted(related, key=lambda f: -(f.observed_at or f.created_at))
        cited = list(dict.fromkeys(pid for f in newest_first for pid in f.source_page_ids))[:_MAX_PAGES_READ_AGAIN]
        pages = self.mid.store.get_pages(self.mid.scope, cited) if cited else []
        found = [line for line in self._lines(pages, related) if line.key not in held]
        kept += found
        read_again = (list(trimmed.source_page_ids) if trimmed is not None else []) + (
            [p.id for p in pages] if found else []
        )
        past = {v.version: _traceable([ln for ln in parse_profile(v.text)[0] if ln not in forgotten]) for v in exposed}
        if current is not None and current.method == "manual":
            return None, past  # the user's own text is theirs to change
        rebuilt = ProfileVersion(0, _traceable(kept), list(dict.fromkeys(read_again)), now, "extractive")
        return rebuilt, past

    def _past_profiles(self, forgotten: list[ProfileLine]) -> dict[int, str]:
        """Earlier versions of the profile without the forgotten lines: the history keeps no more of them."""
        if not forgotten:
            return {}
        texts = {}
        for version in self.long.store.profile_history(self.long.scope):
            lines, other = parse_profile(version.text)
            kept = [line for line in lines if line not in forgotten]
            if len(kept) < len(lines):
                texts[version.version] = render_profile(kept, other)
        return texts

    def _lines(self, pages: list[Page], related: list[Fact]) -> list[ProfileLine]:
        if not pages:
            return []
        return parse_profile(self.extractive.analyze_for_profile("", pages, related).profile)[0]

    def _line_from_fact(self, key: str, related: list[Fact], read_again: list[str]) -> ProfileLine | None:
        """The line of the newest current fact about `key`, from the pages that stated it."""
        holding = sorted(
            (f for f in related if f.attribute == key and f.source_page_ids), key=lambda f: -(f.observed_at or 0.0)
        )
        for fact in holding:
            pages = self.mid.store.get_pages(self.mid.scope, fact.source_page_ids)
            found = [line for line in self._lines(pages, related) if line.key == key]
            if found:
                read_again.extend(p.id for p in pages)
                return found[-1]
        return None


def _traceable(lines: list[ProfileLine]) -> str:
    """A profile of these structured lines only; empty (no profile) when none is left."""
    return render_profile(lines, []) if lines else ""
