"""Integrity checks over one user's memory, backend-independent (they read the same records export does)."""

from __future__ import annotations

from collections import Counter

from .models import ScopeDump
from .validation import TIMESTAMP_RANGE

TIERS = ("short", "mid", "archive")


def check_dump(dump: ScopeDump, expected_dim: int | None = None) -> list[str]:
    """Every problem found, as readable lines; an empty list means the memory is consistent."""
    problems: list[str] = []
    pages = {p.id: p for p in dump.pages}
    segments = {s.id: s for s in dump.segments}
    if len(pages) != len(dump.pages):
        dupes = [pid for pid, n in Counter(p.id for p in dump.pages).items() if n > 1]
        problems.append(f"page ids repeated: {dupes[:5]}")
    seqs = Counter(p.seq for p in dump.pages)
    if any(n > 1 for n in seqs.values()):
        problems.append("two pages share a sequence number")
    members: Counter[str] = Counter()
    for page in dump.pages:
        if page.tier not in TIERS:
            problems.append(f"page {page.id} has unknown tier {page.tier!r}")
        if page.tier == "short":
            if page.segment_id is not None:
                problems.append(f"short-term page {page.id} belongs to segment {page.segment_id}")
            continue
        segment = segments.get(page.segment_id or "")
        if segment is None:
            problems.append(f"{page.tier} page {page.id} points at missing segment {page.segment_id}")
            continue
        members[segment.id] += 1
        expected_tier = "mid" if segment.status == "active" else "archive"
        if page.tier != expected_tier:
            problems.append(f"page {page.id} is {page.tier} but its segment is {segment.status}")
        if page.embedding is None:
            problems.append(f"{page.tier} page {page.id} has no vector")
        elif expected_dim is not None and page.embedding.shape != (expected_dim,):
            problems.append(f"page {page.id} vector has shape {page.embedding.shape}, expected ({expected_dim},)")
        for link, back in ((page.prev_page_id, "next_page_id"), (page.next_page_id, "prev_page_id")):
            if link is None:
                continue
            other = pages.get(link)
            if other is None:
                problems.append(f"page {page.id} links to missing page {link}")
            elif getattr(other, back) != page.id:
                problems.append(f"chain link {page.id} ↔ {link} is one-sided")
    for segment in dump.segments:
        if segment.page_count != members[segment.id]:
            problems.append(
                f"segment {segment.id} counts {segment.page_count} pages but {members[segment.id]} point at it"
            )
        if segment.embedding is None:
            problems.append(f"segment {segment.id} has no vector")
        if segment.n_visit < 0 or segment.l_interaction < 0:
            problems.append(f"segment {segment.id} has negative heat counters")
    versions = [v.version for v in dump.profile_versions]
    if versions != list(range(1, len(versions) + 1)):
        problems.append(f"profile versions are not 1..n: {versions}")
    for fact in dump.facts:
        if fact.embedding is None:
            problems.append(f"knowledge entry {fact.id} has no vector")
    for fault in dump.invalid_times:
        problems.append(f"{fault.describe()}: a stored time must lie within {TIMESTAMP_RANGE}")
    return problems
