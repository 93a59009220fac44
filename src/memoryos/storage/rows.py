"""Row ↔ record mapping shared by the SQL backends (same column order in every dialect)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..models import Fact, Page, ProfileVersion, Segment

PAGE_COLS = (
    "id, seq, user_input, agent_response, timestamp, meta_data, tier, segment_id, prev_page_id, "
    "next_page_id, chain_summary, analyzed"
)
SEG_COLS = "id, summary, keywords, embedding, n_visit, l_interaction, last_access, created_at, status, page_count"
FACT_COLS = "id, kind, text, source_page_ids, created_at, method"
PROFILE_COLS = "version, text, source_page_ids, created_at, method"


def to_vector(value: bytes | Sequence[float] | np.ndarray | None) -> np.ndarray | None:
    """float32 blobs (SQLite) and float arrays (PostgreSQL real[]) both become numpy vectors."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return np.frombuffer(bytes(value), dtype=np.float32)
    return np.asarray(value, dtype=np.float32)


def page_from_row(row: Sequence[Any], embedding: Any = None) -> Page:
    return Page(
        id=row[0],
        seq=int(row[1]),
        user_input=row[2],
        agent_response=row[3],
        timestamp=float(row[4]),
        meta_data=json.loads(row[5]),
        tier=row[6],
        segment_id=row[7],
        prev_page_id=row[8],
        next_page_id=row[9],
        chain_summary=row[10],
        analyzed=bool(row[11]),
        embedding=to_vector(embedding),
    )


def segment_from_row(row: Sequence[Any]) -> Segment:
    return Segment(
        id=row[0],
        summary=row[1],
        keywords=json.loads(row[2]),
        embedding=to_vector(row[3]),
        n_visit=int(row[4]),
        l_interaction=int(row[5]),
        last_access=float(row[6]),
        created_at=float(row[7]),
        status=row[8],
        page_count=int(row[9]),
    )


def fact_from_row(row: Sequence[Any], embedding: Any = None) -> Fact:
    return Fact(
        id=row[0],
        kind=row[1],
        text=row[2],
        source_page_ids=json.loads(row[3]),
        created_at=float(row[4]),
        method=row[5],
        embedding=to_vector(embedding),
    )


def profile_from_row(row: Sequence[Any]) -> ProfileVersion:
    return ProfileVersion(int(row[0]), row[1], json.loads(row[2]), float(row[3]), row[4])


def stats_dict(
    tiers: dict[str, int], segments: dict[str, int], knowledge: dict[str, int], profiles: int
) -> dict[str, Any]:
    return {
        "pages": {tier: int(tiers.get(tier, 0)) for tier in ("short", "mid", "archive")},
        "segments": {status: int(segments.get(status, 0)) for status in ("active", "archived")},
        "knowledge": {kind: int(knowledge.get(kind, 0)) for kind in ("user", "assistant")},
        "profile_versions": int(profiles),
    }


def fts_body(page: Page) -> str:
    return f"{page.user_input}\n{page.agent_response}"
