"""A page's units: the finer texts a page is embedded as besides the whole exchange (each side of it, each long
sentence of a long side). One vector for a whole page averages what its turns say; when the user talks about one
thing and the agent about another, or a long turn covers several, a question about one of them matches the page
weakly. A unit vector matches it as well as if it had been said alone (retrieval takes a page's best unit)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from .models import Page

MAX_UNITS = 8  # units per page at most: a very long page keeps its first sentences (the rest still count in its vector)
# shorter sentences ("Thanks!", "Wow, cool.") say too little to be matched alone (a CJK character counts twice)
MIN_SENTENCE_CHARS = 20

# sentence ends: Latin and CJK punctuation (CJK text has no space after its full stop)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _size(sentence: str) -> int:
    """Characters, a CJK one counting twice (it carries about what a short word does)."""
    return len(sentence) + sum(1 for ch in sentence if "\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")


def unit_texts(user_input: str, agent_response: str) -> list[str]:
    """The page's units, labelled as `models.page_text` labels its sides: each side of a two-sided page, each
    sentence of a side with several, leaving out the short ones; [] when the page is a single unit already (one
    side of one sentence), so a page adds no unit that repeats its own vector."""
    sides = [(label, text.strip()) for label, text in (("User", user_input), ("Assistant", agent_response))]
    sides = [(label, text) for label, text in sides if text]
    units: list[str] = [f"{label}: {text}" for label, text in sides if _size(text) >= MIN_SENTENCE_CHARS]
    units = units if len(sides) > 1 else []
    for label, text in sides:
        long = [s for s in sentences(text) if _size(s) >= MIN_SENTENCE_CHARS]
        if len(long) > 1:
            units += [f"{label}: {s}" for s in long]
    return list(dict.fromkeys(units))[:MAX_UNITS]


def unit_rows(pages: Sequence[Page]) -> tuple[list[str], list[int]]:
    """Every unit text of these pages, and the index of the page each one belongs to."""
    texts: list[str] = []
    owners: list[int] = []
    for index, page in enumerate(pages):
        units = unit_texts(page.user_input, page.agent_response)
        texts += units
        owners += [index] * len(units)
    return texts, owners


def group_units(vectors: Sequence[np.ndarray], owners: list[int], count: int) -> list[np.ndarray | None]:
    """The unit vectors of `unit_rows`' texts gathered per page: one matrix each, None for a page without."""
    rows: list[list[np.ndarray]] = [[] for _ in range(count)]
    for vector, index in zip(vectors, owners, strict=True):
        rows[index].append(np.asarray(vector, dtype=np.float32))
    return [np.stack(r) if r else None for r in rows]


def embed_pages(
    embed: Callable[[list[str]], np.ndarray], pages: Sequence[Page], with_units: bool
) -> tuple[np.ndarray, list[np.ndarray | None]]:
    """The pages' vectors and (`with_units`) each page's unit vectors, from one embedding call."""
    texts, owners = unit_rows(pages) if with_units else ([], [])
    vectors = np.asarray(embed([p.text for p in pages] + texts), dtype=np.float32)
    return vectors[: len(pages)], group_units(list(vectors[len(pages) :]), owners, len(pages))
