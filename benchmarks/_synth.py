"""Deterministic synthetic conversations for speed and scale runs (no data set needed).

Pages mix a few hundred topic words with a Zipf-like skew, so the full-text index sees common and rare terms
as it would in real chat; vectors for scale stores are random unit vectors (search cost does not depend on them).
"""

from __future__ import annotations

import random
import uuid

import numpy as np

from memoryos.config import MemoryosConfig
from memoryos.models import Page, ScopeDump, Segment
from memoryos.units import unit_texts


def _split(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


_PEOPLE = _split(
    "Ava Ben Chloe Diego Emma Farid Grace Hiro Isla Jonas Kira Liam Maya Noah Omar Priya Quinn Rosa Sam Tara"
)
_PLACES = _split(
    "Lisbon|Kyoto|Denver|Oslo|Nairobi|Austin|Prague|Seoul|Lima|Dublin|Marin|Yosemite|Boston|Berlin|Porto|Quebec|"
    "the lake|the beach|the mountains|the museum|the library|the gym|the park|the market|the studio|the office",
    "|",
)
_THINGS = _split(
    "pottery painting guitar violin piano sourdough ramen marathon yoga chess kayak camping hiking surfing novel "
    "screenplay podcast garden tomatoes puppy kitten bicycle camera telescope robot startup promotion interview "
    "exam thesis recital tournament concert festival wedding birthday picnic workshop conference volunteer "
    "fundraiser adoption shelter recipe lasagna curry dumplings bakery coffee tea journal sketch mural poem "
    "basketball soccer tennis climbing skiing swimming drumming dance salsa ballet knitting woodworking"
)
_FEELINGS = _split("excited nervous proud tired grateful curious relieved thrilled calm inspired")
_TIMES = _split("yesterday|last week|last weekend|this morning|two days ago|last month|on Friday|recently", "|")
_USER = [
    "I went to {place} with {person} {time} and we tried {thing}.",
    "{time} I started learning {thing}; I feel {feeling} about it.",
    "My friend {person} recommended {thing}, so I spent the afternoon at {place}.",
    "I'm planning a trip to {place} next month to do some {thing}.",
    "Do you remember what I told you about {thing} and {person}?",
    "I finally finished my {thing} project {time}, and {person} loved it.",
]
_AGENT = [
    "That sounds wonderful! How did {person} like {thing}?",
    "I remember you mentioned {thing} before. Was {place} crowded?",
    "You must be {feeling}. What got you into {thing}?",
    "Great plan. {place} is lovely this time of year for {thing}.",
    "Noted: {thing} with {person}. Tell me how it goes!",
]
_QUESTIONS = [
    "When did I go to {place} with {person}?",
    "What did {person} recommend?",
    "What do you remember about my {thing}?",
    "Where am I planning to travel for {thing}?",
    "How do I feel about learning {thing}?",
]


def _zipf(rng: random.Random, items: list[str]) -> str:
    # rank r drawn with probability ~ 1/r: a few words are everywhere, most are rare
    return items[min(len(items) - 1, int(len(items) ** rng.random()) - 1)]


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        person=_zipf(rng, _PEOPLE),
        place=_zipf(rng, _PLACES),
        thing=_zipf(rng, _THINGS),
        feeling=rng.choice(_FEELINGS),
        time=rng.choice(_TIMES),
    )


def exchanges(n: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [(_fill(rng, rng.choice(_USER)), _fill(rng, rng.choice(_AGENT))) for _ in range(n)]


def questions(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [_fill(rng, rng.choice(_QUESTIONS)) for _ in range(n)]


def _random_units(rng: np.random.Generator, count: int, dim: int) -> np.ndarray | None:
    if not count:
        return None
    units = rng.standard_normal((count, dim)).astype(np.float32)
    return units / np.linalg.norm(units, axis=1, keepdims=True)


def scale_dump(
    n_pages: int,
    dim: int,
    seed: int = 0,
    pages_per_segment: int = 20,
    active_segments: int = 200,
    with_units: bool | None = None,
) -> ScopeDump:
    """A consolidated memory of n pages (mid-term and archive), chained, in segments, with unit vectors; each page
    with as many unit vectors (memoryos.units) as its text gives, when `with_units` (None: when the default
    settings write them)."""
    if with_units is None:
        with_units = MemoryosConfig.model_fields["unit_weight"].default > 0
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((n_pages, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = exchanges(n_pages, seed)
    start = 1_600_000_000.0
    n_segments = max(1, (n_pages + pages_per_segment - 1) // pages_per_segment)
    segments = []
    for s in range(n_segments):
        members = vectors[s * pages_per_segment : (s + 1) * pages_per_segment]
        centroid = members.mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        segments.append(
            Segment(
                id=uuid.UUID(int=(seed << 64) + s).hex,
                summary=texts[s * pages_per_segment][0][:160],
                keywords=[],
                embedding=centroid.astype(np.float32),
                last_access=start,
                created_at=start + s,
                status="active" if s >= n_segments - active_segments else "archived",
                page_count=len(members),
            )
        )
    ids = [uuid.UUID(int=(seed << 96) + i + 1).hex for i in range(n_pages)]
    pages = []
    for i, (user, agent) in enumerate(texts):
        segment = segments[i // pages_per_segment]
        pages.append(
            Page(
                id=ids[i],
                user_input=user,
                agent_response=agent,
                timestamp=start + 600 * i,
                tier="mid" if segment.status == "active" else "archive",
                seq=i + 1,
                segment_id=segment.id,
                prev_page_id=ids[i - 1] if i % pages_per_segment else None,
                next_page_id=ids[i + 1] if (i + 1) % pages_per_segment and i + 1 < n_pages else None,
                chain_summary="",
                analyzed=True,
                embedding=vectors[i],
                unit_vectors=_random_units(rng, len(unit_texts(user, agent)), dim) if with_units else None,
            )
        )
    return ScopeDump(pages=pages, segments=segments, profile_versions=[], facts=[])
