"""Export and import of one user's memory as a JSON-serializable document."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from .errors import InvalidInput
from .models import Fact, Page, ProfileVersion, ScopeDump, Segment

EXPORT_FORMAT = "memoryos-export"
EXPORT_VERSION = 1


def dump_to_dict(dump: ScopeDump, user_id: str, assistant_id: str) -> dict[str, Any]:
    """Vectors are derived data and are left out; import recomputes them with the configured model."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "user_id": user_id,
        "assistant_id": assistant_id,
        "pages": [p.to_dict() for p in dump.pages],
        "segments": [s.to_dict() for s in dump.segments],
        "profile_versions": [v.to_dict() for v in dump.profile_versions],
        "knowledge": [f.to_dict() for f in dump.facts],
    }


def dict_to_dump(data: object) -> ScopeDump:
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise InvalidInput(f"not a memoryos export (expected format {EXPORT_FORMAT!r})")
    if data.get("version") != EXPORT_VERSION:
        raise InvalidInput(f"unsupported export version {data.get('version')!r}")
    try:
        pages = [
            Page(
                id=str(p["id"]),
                user_input=str(p["user_input"]),
                agent_response=str(p["agent_response"]),
                timestamp=float(p["timestamp"]),
                meta_data=dict(p.get("meta_data") or {}),
                tier=p["tier"],
                seq=int(p["seq"]),
                segment_id=p.get("segment_id"),
                prev_page_id=p.get("prev_page_id"),
                next_page_id=p.get("next_page_id"),
                chain_summary=str(p.get("chain_summary") or ""),
                analyzed=bool(p.get("analyzed")),
            )
            for p in data["pages"]
        ]
        segments = [
            Segment(
                id=str(s["id"]),
                summary=str(s["summary"]),
                keywords=[str(k) for k in s["keywords"]],
                embedding=None,
                n_visit=int(s["n_visit"]),
                l_interaction=int(s["l_interaction"]),
                last_access=float(s["last_access"]),
                created_at=float(s["created_at"]),
                status=s["status"],
                page_count=int(s["page_count"]),
            )
            for s in data["segments"]
        ]
        profiles = [
            ProfileVersion(
                int(v["version"]), str(v["text"]), list(v["source_page_ids"]), float(v["created_at"]), v["method"]
            )
            for v in data["profile_versions"]
        ]
        facts = [
            Fact(
                str(f["id"]), f["kind"], str(f["text"]), list(f["source_page_ids"]), float(f["created_at"]), f["method"]
            )
            for f in data["knowledge"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"malformed memoryos export: {type(exc).__name__}: {exc}") from exc
    for page in pages:
        if page.tier not in ("short", "mid", "archive"):
            raise InvalidInput(f"page {page.id} has unknown tier {page.tier!r}")
    return ScopeDump(pages=pages, segments=segments, profile_versions=profiles, facts=facts)


def with_fresh_ids(dump: ScopeDump) -> ScopeDump:
    """The same memory under new page, segment and knowledge ids, every reference between them kept.

    Ids are unique across a store, so a copy of one user's memory given to another user in the same store (or
    imported twice under different users) needs its own."""
    pages = {p.id: uuid.uuid4().hex for p in dump.pages}
    segments = {s.id: uuid.uuid4().hex for s in dump.segments}

    def page_ref(page_id: str | None) -> str | None:
        return pages.get(page_id, page_id) if page_id else page_id

    return ScopeDump(
        pages=[
            replace(
                p,
                id=pages[p.id],
                segment_id=segments.get(p.segment_id, p.segment_id) if p.segment_id else p.segment_id,
                prev_page_id=page_ref(p.prev_page_id),
                next_page_id=page_ref(p.next_page_id),
            )
            for p in dump.pages
        ],
        segments=[replace(s, id=segments[s.id]) for s in dump.segments],
        profile_versions=[
            replace(v, source_page_ids=[pages.get(i, i) for i in v.source_page_ids]) for v in dump.profile_versions
        ],
        facts=[
            replace(f, id=uuid.uuid4().hex, source_page_ids=[pages.get(i, i) for i in f.source_page_ids])
            for f in dump.facts
        ],
    )
