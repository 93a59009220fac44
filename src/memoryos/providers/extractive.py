"""The no-LLM analyzer: statistical keywords, extractive summaries, embedding-based topics and continuity; facts
from what each side says about itself (fact_extraction.py) and a structured profile (profile_builder.py).
Everything it writes is marked `extractive`."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from ..config import MemoryosConfig
from ..models import Fact, Page
from ..textutil import clip, clip_tail, extract_keywords, sentences
from .attribute_reader import reader_for
from .embeddings import Embedder
from .fact_extraction import page_facts
from .profile_builder import build_profile
from .results import ConsolidationOut, PromotionOut, TopicOut

_CONTINUITY_MAX_GAP_SECONDS = 24 * 3600


def _topic_runs(vectors: np.ndarray, threshold: float, max_topics: int) -> list[list[int]]:
    """Topics of a batch as runs of consecutive pages (a conversation moves from topic to topic): start with one
    run per page and join the two neighbouring runs of highest mean cosine while that is at least `threshold`,
    and further while there are more runs than `max_topics`. Ties go to the smaller joined run, then the
    earlier one: deterministic, and forced joins stay balanced."""
    runs = [[i] for i in range(len(vectors))]
    sims = vectors @ vectors.T
    while len(runs) > 1:
        links = [float(sims[np.ix_(a, b)].mean()) for a, b in itertools.pairwise(runs)]
        k = max(range(len(links)), key=lambda i: (links[i], -len(runs[i]) - len(runs[i + 1]), -i))
        if links[k] < threshold and len(runs) <= max_topics:
            break
        runs[k : k + 2] = [runs[k] + runs[k + 1]]
    return runs


class ExtractiveAnalyzer:
    method = "extractive"

    def __init__(self, config: MemoryosConfig, embedder: Embedder | None = None) -> None:
        self.config = config
        self.embedder = embedder  # lets a change find the fact it replaces by meaning (fact_extraction.py)

    def analyze_batch(
        self, pages: list[Page], vectors: np.ndarray, previous: Page | None, previous_vector: np.ndarray | None
    ) -> ConsolidationOut:
        continues = bool(
            previous is not None
            and previous_vector is not None
            and abs(pages[0].timestamp - previous.timestamp) <= _CONTINUITY_MAX_GAP_SECONDS
            and float(vectors[0] @ previous_vector) >= self.config.continuity_threshold
        )
        groups = _topic_runs(vectors, self.config.topic_split_threshold, self.config.topics_allowed(len(pages)))
        topics = [self._topic(pages, vectors, group) for group in groups]
        chain: list[str] = []
        running = previous.chain_summary if continues and previous else ""
        for page in pages:
            running = thread_summary(running, page)
            chain.append(running)
        return ConsolidationOut(continues_previous=continues, chain_summaries=chain, topics=topics)

    def summarize(self, pages: list[Page], vectors: np.ndarray) -> TopicOut:
        """One topic of all these pages: what a segment's summary and keywords are, written without an LLM."""
        return self._topic(pages, vectors, list(range(len(pages))))

    def _topic(self, pages: list[Page], vectors: np.ndarray, group: list[int]) -> TopicOut:
        centroid = vectors[group].mean(axis=0)
        central = sorted(group, key=lambda i: -float(vectors[i] @ centroid))[:3]
        summary = " | ".join(_gist(pages[i]) for i in sorted(central))
        keywords = extract_keywords([pages[i].text for i in group], self.config.max_keywords)
        return TopicOut(page_indices=group, summary=clip(summary, self.config.max_summary_chars), keywords=keywords)

    def analyze_for_profile(
        self, current_profile: str, pages: list[Page], related: Sequence[Fact] = (), before: Sequence[Page] = ()
    ) -> PromotionOut:
        """Facts from what each side said about itself, each citing the page it was said on; the profile updated
        with the user's attributes. `related` (the current facts nearest these pages) turns a value said again
        into a confirmation and a named ending ("Miso passed away") into an invalidation."""
        found = page_facts(
            pages,
            related,
            embed=self.embedder.embed if self.embedder is not None else None,
            reader=reader_for(self.embedder) if self.embedder is not None else None,
            before=before,
        )
        attributes = []
        seen: set[tuple[str, str, float]] = set()
        for item in found:
            for attribute in item.attributes if item.kind == "user" else ():
                if (attribute.key, attribute.value, item.timestamp) not in seen:
                    seen.add((attribute.key, attribute.value, item.timestamp))
                    attributes.append((attribute, item.timestamp))
        return PromotionOut(
            profile=build_profile(current_profile, attributes),
            user_facts=[f.out for f in found if f.kind == "user"],
            assistant_facts=[f.out for f in found if f.kind == "assistant"],
        )


def thread_summary(previous: str, page: Page) -> str:
    """A page's chain summary without an LLM: the thread so far (the previous page's) and this page's gist."""
    return clip_tail(f"{previous} → {_gist(page)}" if previous else _gist(page), 600)


def _gist(page: Page) -> str:
    """The opening of what the user said (or of the reply when the user side is empty): whole sentences
    until there are enough words to carry a topic, so "Hi!" alone never stands for a page."""
    source = page.user_input.strip() or page.agent_response.strip()
    taken: list[str] = []
    for sentence in sentences(source):
        taken.append(sentence)
        if sum(len(s.split()) for s in taken) >= 6:
            break
    return clip(" ".join(taken) if taken else source, 160)
