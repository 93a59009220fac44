"""The no-LLM analyzer: statistical keywords, extractive summaries, embedding-based topics and continuity,
and conservative extraction of first-person statements. Everything it writes is marked `extractive`."""

from __future__ import annotations

import itertools
import re

import numpy as np

from ..config import MemoryosConfig
from ..models import Page
from ..textutil import clip, clip_tail, extract_keywords, sentences
from .results import ConsolidationOut, PromotionOut, TopicOut

PROFILE_HEADER = "User profile (extracted without an LLM from the user's own first-person statements):"
_MAX_PROFILE_LINES = 40
_CONTINUITY_MAX_GAP_SECONDS = 24 * 3600

_USER_FACT_RE = re.compile(
    r"^(?:(?:well|so|actually|oh|yeah|yes|and|but|also|btw|by the way)[,!]?\s+)?"
    r"(?:i am|i'm|im|i work|i worked|i live|i lived|i have|i've|i had|i was born|i grew up|i like|i love|i enjoy|"
    r"i hate|i dislike|i prefer|i studied|i study|i graduated|i moved|i own|i play|i speak|i started|i joined|"
    r"i got|i adopted|i volunteer|i'm planning|i plan|i want to|i've been|my name is|my (?:\w+ ){0,2}(?:is|are|was|"
    r"were|has|have|lives|works|loves|likes))\b",
    re.IGNORECASE,
)
_ASSISTANT_FACT_RE = re.compile(
    r"^(?:my name is|i am an?|i'm an?|i will|i'll remind|i'll remember|i promise|i can help you|i recommend)\b",
    re.IGNORECASE,
)
_CHITCHAT_RE = re.compile(
    r"^(?:i'm|i am) (?:so |really |very )?(?:glad|sorry|happy|excited|thrilled|sure|here|not sure|curious)\b",
    re.IGNORECASE,
)


def _statements(text: str, pattern: re.Pattern[str]) -> list[str]:
    found = []
    for sentence in sentences(text):
        sentence = sentence.strip(" \"'")
        words = sentence.split()
        if sentence.endswith("?") or not 3 <= len(words) <= 60:
            continue
        if pattern.match(sentence) and not _CHITCHAT_RE.match(sentence):
            found.append(clip(sentence, 300))
    return found


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

    def __init__(self, config: MemoryosConfig) -> None:
        self.config = config

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
            running = clip_tail(f"{running} → {_gist(page)}" if running else _gist(page), 600)
            chain.append(running)
        return ConsolidationOut(continues_previous=continues, chain_summaries=chain, topics=topics)

    def _topic(self, pages: list[Page], vectors: np.ndarray, group: list[int]) -> TopicOut:
        centroid = vectors[group].mean(axis=0)
        central = sorted(group, key=lambda i: -float(vectors[i] @ centroid))[:3]
        summary = " | ".join(_gist(pages[i]) for i in sorted(central))
        keywords = extract_keywords([pages[i].text for i in group], self.config.max_keywords)
        return TopicOut(page_indices=group, summary=clip(summary, self.config.max_summary_chars), keywords=keywords)

    def analyze_for_profile(self, current_profile: str, pages: list[Page]) -> PromotionOut:
        user_facts: list[str] = []
        assistant_facts: list[str] = []
        for page in pages:
            user_facts += _statements(page.user_input, _USER_FACT_RE)
            assistant_facts += _statements(page.agent_response, _ASSISTANT_FACT_RE)
        lines = [line[2:] for line in current_profile.splitlines() if line.startswith("- ")]
        for fact in user_facts:
            if fact not in lines:
                lines.append(fact)
        lines = lines[-_MAX_PROFILE_LINES:]
        profile = PROFILE_HEADER + "\n" + "\n".join(f"- {line}" for line in lines) if lines else current_profile
        return PromotionOut.model_validate(
            {"profile": profile, "user_facts": user_facts, "assistant_facts": assistant_facts}
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
