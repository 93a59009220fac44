"""What upkeep asks of a language model, behind one protocol: the LLM and the no-LLM extractor both serve it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..config import MemoryosConfig
from ..models import Fact, Page
from .contrast import Embed
from .llm import LLM, complete_structured
from .missed_changes import close_missed
from .prompts import consolidation_messages, promotion_messages
from .results import ConsolidationOut, PromotionOut, TopicOut


class Analyzer(Protocol):
    method: str  # "llm" or "extractive": recorded as provenance on what it produces

    def analyze_batch(
        self, pages: list[Page], vectors: np.ndarray, previous: Page | None, previous_vector: np.ndarray | None
    ) -> ConsolidationOut:
        """Continuity with `previous`, a chain summary per page, and 1..max topics covering every page once."""
        ...

    def analyze_for_profile(
        self, current_profile: str, pages: list[Page], related: list[Fact], before: Sequence[Page] = ()
    ) -> PromotionOut:
        """Profile and fact operations from the pages. `related`: the current facts most related to them, which
        the analysis may update, invalidate or keep (FactOut.target is one of their ids). `before`: the pages the
        batch's pages continue (their `prev_page_id`) that are not in it, read for what a statement refers to."""
        ...


def normalize_topics(out: ConsolidationOut, n_pages: int, max_topics: int) -> ConsolidationOut:
    """Make every page belong to exactly one topic, whatever the model answered."""
    seen: set[int] = set()
    topics: list[TopicOut] = []
    for topic in out.topics:
        indices = sorted({i for i in topic.page_indices if 0 <= i < n_pages and i not in seen})
        if not indices:
            continue
        seen.update(indices)
        topics.append(TopicOut(page_indices=indices, summary=topic.summary.strip(), keywords=topic.keywords))
    missing = [i for i in range(n_pages) if i not in seen]
    if missing:
        if topics:
            topics[-1].page_indices = sorted(topics[-1].page_indices + missing)
        else:
            raise ValueError("no topic covers any page")
    while len(topics) > max_topics:  # fold surplus topics into the last allowed one
        extra = topics.pop()
        last = topics[-1]
        last.page_indices = sorted(last.page_indices + extra.page_indices)
        last.summary = f"{last.summary} {extra.summary}".strip()
        last.keywords = list(dict.fromkeys(last.keywords + extra.keywords))
    summaries = list(out.chain_summaries[:n_pages])
    summaries += [""] * (n_pages - len(summaries))
    return ConsolidationOut(continues_previous=out.continues_previous, chain_summaries=summaries, topics=topics)


class LLMAnalyzer:
    method = "llm"

    def __init__(self, llm: LLM, config: MemoryosConfig, embed: Embed | None = None) -> None:
        self.llm = llm
        self.config = config
        self.embed = embed  # the memory's embedder, for the change reader's safety net (missed_changes.py)

    def analyze_batch(
        self, pages: list[Page], vectors: np.ndarray, previous: Page | None, previous_vector: np.ndarray | None
    ) -> ConsolidationOut:
        max_topics = self.config.topics_allowed(len(pages))
        messages = consolidation_messages(pages, previous.chain_summary if previous else "", max_topics)
        out = complete_structured(
            self.llm,
            messages,
            ConsolidationOut,
            purpose="consolidation",
            attempts=self.config.llm_output_attempts,
            max_chars=self.config.llm_max_output_chars,
        )
        try:
            return normalize_topics(out, len(pages), max_topics)
        except ValueError as exc:
            from ..errors import LLMError

            raise LLMError(f"consolidation answer assigned no page to a topic: {exc}") from exc

    def analyze_for_profile(
        self, current_profile: str, pages: list[Page], related: list[Fact], before: Sequence[Page] = ()
    ) -> PromotionOut:
        # a model reads references itself within the pages it is shown; `before` is not shown (it would cost
        # tokens on every promotion for the first page's references only)
        # the prompt shows facts by short ids (fewer tokens, and ids a model copies back without typos)
        known = {f"F{i}": fact for i, fact in enumerate(related, 1)}
        out = complete_structured(
            self.llm,
            promotion_messages(current_profile, pages, known),
            PromotionOut,
            purpose="profile_knowledge",
            attempts=self.config.llm_output_attempts,
            max_chars=self.config.llm_max_output_chars,
        )
        for fact in [*out.user_facts, *out.assistant_facts]:
            fact.target = _stored_id(fact.target, known)
        if self.config.llm_change_reader:  # what the model left open that the no-LLM reader sees ending
            out = close_missed(out, pages, related, self.embed)
        return out


def _stored_id(target: str | None, known: dict[str, Fact]) -> str | None:
    """The stored id a model's target names ("F3", "f3", "3"); anything else is kept as written (and ignored
    by the planner as an unknown fact)."""
    if target is None:
        return None
    key = target.strip().strip("[]()#").upper()
    key = f"F{key}" if key.isdigit() else key
    return known[key].id if key in known else target
