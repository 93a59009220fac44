"""The no-LLM analyzer: statistical keywords, extractive summaries, embedding-based topics and continuity; facts
from what each side says about itself (fact_extraction.py) and a structured profile (profile_builder.py).
Everything it writes is marked `extractive`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..config import MemoryosConfig
from ..models import Fact, Page
from ..textutil import clip, clip_tail, extract_keywords, sentences
from .embeddings import Embedder
from .fact_extraction import page_facts
from .profile_builder import build_profile
from .results import ConsolidationOut, PromotionOut, TopicOut

_CONTINUITY_MAX_GAP_SECONDS = 24 * 3600


def _two_means(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Split into two clusters when the two most distant pages anchor clusters that really differ."""
    n = len(vectors)
    if n < 2:
        return [list(range(n))]
    sims = vectors @ vectors.T
    i, j = np.unravel_index(np.argmin(sims), sims.shape)
    if sims[i, j] >= threshold:
        return [list(range(n))]
    centroids = vectors[[i, j]]
    labels = np.zeros(n, dtype=int)
    for _ in range(5):
        labels = np.argmax(vectors @ centroids.T, axis=1)
        if labels.min() == labels.max():
            return [list(range(n))]
        centroids = np.stack([vectors[labels == c].mean(axis=0) for c in (0, 1)])
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    if float(centroids[0] @ centroids[1]) >= threshold + 0.25:
        return [list(range(n))]
    groups = [sorted(np.flatnonzero(labels == c).tolist()) for c in (0, 1)]
    return sorted(groups, key=lambda g: g[0])


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
        groups = _two_means(vectors, self.config.topic_split_threshold)[: self.config.max_topics_per_batch]
        topics = [self._topic(pages, vectors, group) for group in groups]
        chain: list[str] = []
        running = previous.chain_summary if continues and previous else ""
        for page in pages:
            running = clip_tail(f"{running} → {_gist(page)}" if running else _gist(page), 600)
            chain.append(running)
        return ConsolidationOut(continues_previous=continues, chain_summaries=chain, topics=topics)

    def _topic(self, pages: list[Page], vectors: np.ndarray, group: list[int]) -> TopicOut:
        centroid = vectors[group].mean(axis=0)
        central = sorted(group, key=lambda i: -float(vectors[i] @ centroid))[:3]
        summary = " | ".join(_gist(pages[i]) for i in sorted(central))
        keywords = extract_keywords([pages[i].text for i in group], self.config.max_keywords)
        return TopicOut(page_indices=group, summary=clip(summary, self.config.max_summary_chars), keywords=keywords)

    def analyze_for_profile(
        self, current_profile: str, pages: list[Page], related: Sequence[Fact] = ()
    ) -> PromotionOut:
        """Facts from what each side said about itself, each citing the page it was said on; the profile updated
        with the user's attributes. `related` (the current facts nearest these pages) turns a value said again
        into a confirmation and a named ending ("Miso passed away") into an invalidation."""
        found = page_facts(pages, related, embed=self.embedder.embed if self.embedder is not None else None)
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
