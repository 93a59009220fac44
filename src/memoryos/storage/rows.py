"""Rows and records, both ways, for every SQL dialect: what a row holds is written down here once."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InvalidInput
from ..models import Fact, FactInvalidation, InvalidTime, Page, ProfileVersion, ScopeDump, Segment, dumps
from ..validation import TIMESTAMP_MAX, TIMESTAMP_MIN, check_epoch, displayable_timestamp, timestamp_problem

log = logging.getLogger(__name__)
_WARNED: set[tuple[str, str, str]] = set()  # invalid times already logged by this process
_WARN_LIMIT = 10_000

# columns read into records; the vector, when wanted, is read as one more column after these
PAGE_COLS = (
    "id, seq, user_input, agent_response, timestamp, meta_data, tier, segment_id, prev_page_id, "
    "next_page_id, chain_summary, analyzed, expires_at"
)
SEG_COLS = "id, summary, keywords, n_visit, l_interaction, last_access, created_at, status, page_count"
FACT_COLS = (
    "id, kind, text, source_page_ids, created_at, method, observed_at, valid_from, valid_until, invalidated_at, "
    "superseded_by, attribute, expires_at, statement"
)
PROFILE_COLS = "version, text, source_page_ids, created_at, method"
VECTOR_COLUMN = "embedding"  # the one column a dialect writes and reads in its own vector form
# where that vector column sits when read after these columns
PAGE_VECTOR, SEG_VECTOR, FACT_VECTOR = (cols.count(",") + 1 for cols in (PAGE_COLS, SEG_COLS, FACT_COLS))
# a page's unit vectors (memoryos.units): float32 bytes of every backend alike, read after the page vector
UNITS_COLUMN = "unit_embeddings"
PAGE_UNITS = PAGE_VECTOR + 1
# the fact columns (and their fact fields) that hold times; None while unknown or open
FACT_TIMES = ("observed_at", "valid_from", "valid_until", "invalidated_at", "expires_at")
# a fact that still holds: neither closed nor superseded (expiry is the caller's, against its own clock)
CURRENT_FACT = "valid_until IS NULL AND superseded_by IS NULL"


def stored_time(raw: Any, kind: str, ident: str, name: str, faults: list[InvalidTime] | None = None) -> float:
    """A time read from a row. One that breaks the timestamp rule (rows of older versions: year 0 or 10000,
    1e20, inf, NaN, text) never makes a read fail: it is shown as validation.displayable_timestamp, logged once
    per process, and collected in `faults` (export_scope) for `memoryos check` and `--repair`."""
    if type(raw) is float and TIMESTAMP_MIN <= raw <= TIMESTAMP_MAX:  # nearly every row: skip the full check
        return raw
    if timestamp_problem(raw) is None:
        return float(raw)
    if faults is not None:
        faults.append(InvalidTime(kind, ident, name, raw))  # type: ignore[arg-type]
    key = (kind, ident, name)
    if key not in _WARNED and len(_WARNED) < _WARN_LIMIT:
        _WARNED.add(key)
        log.warning(
            "%s; run `memoryos check --repair` to fix it",
            InvalidTime(kind, ident, name, raw).describe(),  # type: ignore[arg-type]
        )
    return displayable_timestamp(raw)


def optional_time(raw: Any, kind: str, ident: str, name: str) -> float | None:
    """A time that may be unknown (NULL). Writes check it like every time; one broken in the database itself reads
    as stored_time shows it (the repair policy covers only the times every row has)."""
    return None if raw is None else stored_time(raw, kind, ident, name)


# ---- rows -> records (`embedding` is already decoded by the dialect) ----


@functools.lru_cache(maxsize=8192)
def keyword_tuple(raw: str) -> tuple[str, ...]:
    """A segment's keywords (JSON text) decoded once per distinct text: every retrieve scores every active
    segment, and their keywords rarely change."""
    return tuple(json.loads(raw))


def units_blob(units: np.ndarray | None) -> bytes | None:
    """A page's unit vectors as stored: one float32 matrix, a unit a row (None: no units)."""
    return None if units is None or not len(units) else np.ascontiguousarray(units, dtype=np.float32).tobytes()


def units_from_blob(raw: Any, embedding: np.ndarray | None) -> np.ndarray | None:
    """The matrix back, a row as long as the page vector; None without a page vector or with a blob that does not
    fit it (written with another model: the page vector alone is then used, as for a page without units)."""
    if raw is None or embedding is None:
        return None
    flat = np.frombuffer(bytes(raw), dtype=np.float32)
    dim = embedding.shape[0]
    return flat.reshape(-1, dim) if dim and flat.size and flat.size % dim == 0 else None


def page_from_row(
    row: Sequence[Any],
    embedding: np.ndarray | None = None,
    faults: list[InvalidTime] | None = None,
    units: np.ndarray | None = None,
) -> Page:
    return Page(
        id=row[0],
        seq=int(row[1]),
        user_input=row[2],
        agent_response=row[3],
        timestamp=stored_time(row[4], "page", row[0], "timestamp", faults),
        meta_data=_meta(row[5]),
        tier=row[6],
        segment_id=row[7],
        prev_page_id=row[8],
        next_page_id=row[9],
        chain_summary=row[10],
        analyzed=bool(row[11]),
        embedding=embedding,
        expires_at=optional_time(row[12], "page", row[0], "expires_at"),
        unit_vectors=units,
    )


def _meta(raw: str) -> dict[str, Any]:
    return {} if raw == "{}" else json.loads(raw)  # most pages carry no meta_data


def segment_from_row(
    row: Sequence[Any], embedding: np.ndarray | None = None, faults: list[InvalidTime] | None = None
) -> Segment:
    return Segment(
        id=row[0],
        summary=row[1],
        keywords=list(keyword_tuple(row[2])),
        embedding=embedding,
        n_visit=int(row[3]),
        l_interaction=int(row[4]),
        last_access=stored_time(row[5], "segment", row[0], "last_access", faults),
        created_at=stored_time(row[6], "segment", row[0], "created_at", faults),
        status=row[7],
        page_count=int(row[8]),
    )


def fact_from_row(
    row: Sequence[Any], embedding: np.ndarray | None = None, faults: list[InvalidTime] | None = None
) -> Fact:
    return Fact(
        id=row[0],
        kind=row[1],
        text=row[2],
        source_page_ids=json.loads(row[3]),
        created_at=stored_time(row[4], "knowledge", row[0], "created_at", faults),
        method=row[5],
        embedding=embedding,
        observed_at=optional_time(row[6], "knowledge", row[0], "observed_at"),
        valid_from=optional_time(row[7], "knowledge", row[0], "valid_from"),
        valid_until=optional_time(row[8], "knowledge", row[0], "valid_until"),
        invalidated_at=optional_time(row[9], "knowledge", row[0], "invalidated_at"),
        superseded_by=row[10],
        attribute=row[11],
        expires_at=optional_time(row[12], "knowledge", row[0], "expires_at"),
        statement=row[13],
    )


def profile_from_row(row: Sequence[Any], faults: list[InvalidTime] | None = None) -> ProfileVersion:
    created_at = stored_time(row[3], "profile", str(row[0]), "created_at", faults)
    return ProfileVersion(int(row[0]), row[1], json.loads(row[2]), created_at, row[4])


# ---- records -> rows: column name -> value, vectors still numpy (the dialect encodes VECTOR_COLUMN) ----

_NEW_PAGE = ("id", "scope_key", "seq", "user_input", "agent_response", "timestamp", "meta_data", "tier", "expires_at")


def page_row(scope_key: str, page: Page, new: bool = False) -> dict[str, Any]:
    """Every column of a page; `new`: only those add_page writes (a short-term page, the rest at defaults)."""
    row = {
        "id": page.id,
        "scope_key": scope_key,
        "seq": page.seq,
        "user_input": page.user_input,
        "agent_response": page.agent_response,
        "timestamp": page.timestamp,
        "meta_data": dumps(page.meta_data),
        "tier": "short" if new else page.tier,
        "segment_id": page.segment_id,
        "prev_page_id": page.prev_page_id,
        "next_page_id": page.next_page_id,
        "chain_summary": page.chain_summary,
        "analyzed": bool(page.analyzed),
        "expires_at": page.expires_at,
        VECTOR_COLUMN: page.embedding,
        UNITS_COLUMN: units_blob(page.unit_vectors),
    }
    return {key: row[key] for key in _NEW_PAGE} if new else row


def segment_row(scope_key: str, segment: Segment) -> dict[str, Any]:
    return {
        "id": segment.id,
        "scope_key": scope_key,
        "summary": segment.summary,
        "keywords": dumps(segment.keywords),
        VECTOR_COLUMN: segment.embedding,
        "n_visit": segment.n_visit,
        "l_interaction": segment.l_interaction,
        "last_access": segment.last_access,
        "created_at": segment.created_at,
        "status": segment.status,
        "page_count": segment.page_count,
    }


def fact_row(scope_key: str, fact: Fact) -> dict[str, Any]:
    return {
        "id": fact.id,
        "scope_key": scope_key,
        "kind": fact.kind,
        "text": fact.text,
        VECTOR_COLUMN: fact.embedding,
        "source_page_ids": dumps(fact.source_page_ids),
        "created_at": fact.created_at,
        "method": fact.method,
        **{name: getattr(fact, name) for name in FACT_TIMES},
        "superseded_by": fact.superseded_by,
        "attribute": fact.attribute,
        "statement": fact.statement,
    }


def profile_row(scope_key: str, version: ProfileVersion) -> dict[str, Any]:
    return {
        "scope_key": scope_key,
        "version": version.version,
        "text": version.text,
        "source_page_ids": dumps(version.source_page_ids),
        "created_at": version.created_at,
        "method": version.method,
    }


def stats_dict(
    tiers: dict[str, int], segments: dict[str, int], knowledge: dict[tuple[str, bool], int], profiles: int
) -> dict[str, Any]:
    """`knowledge`: counts by (kind, current). "knowledge" counts the facts that hold; "closed_knowledge" those
    kept only in the history (invalidated or superseded): what memory knows now is the first."""
    kinds = ("user", "assistant")
    return {
        "pages": {tier: int(tiers.get(tier, 0)) for tier in ("short", "mid", "archive")},
        "segments": {status: int(segments.get(status, 0)) for status in ("active", "archived")},
        "knowledge": {kind: int(knowledge.get((kind, True), 0)) for kind in kinds},
        "closed_knowledge": {kind: int(knowledge.get((kind, False), 0)) for kind in kinds},
        "profile_versions": int(profiles),
    }


# ---- times that break the rule ----

INVALID_TIME_KEY = "memoryos_invalid_timestamp"  # meta_data key where repair keeps a page's original bad time
TIME_COLUMNS = {  # (kind, field) -> (table, column, key column): what Store.fix_times may update
    ("page", "timestamp"): ("pages", "timestamp", "id"),
    ("segment", "created_at"): ("segments", "created_at", "id"),
    ("segment", "last_access"): ("segments", "last_access", "id"),
    ("knowledge", "created_at"): ("knowledge", "created_at", "id"),
    ("profile", "created_at"): ("profiles", "created_at", "version"),
}


def check_page_times(page: Page) -> None:
    check_epoch(page.timestamp, f"page {page.id} timestamp")
    if page.expires_at is not None:
        check_epoch(page.expires_at, f"page {page.id} expires_at")


def check_fact_times(fact: Fact) -> None:
    """The store boundary's check of a fact's times, for every path that writes one (add, promotion, import)."""
    check_epoch(fact.created_at, f"knowledge {fact.id} created_at")
    for name in FACT_TIMES:
        value = getattr(fact, name)
        if value is not None:
            check_epoch(value, f"knowledge {fact.id} {name}")


def check_invalidation(closing: FactInvalidation) -> None:
    check_epoch(closing.valid_until, f"knowledge {closing.fact_id} valid_until")
    check_epoch(closing.invalidated_at, f"knowledge {closing.fact_id} invalidated_at")
    if closing.superseded_by == closing.fact_id:
        raise InvalidInput(f"knowledge {closing.fact_id} cannot supersede itself")


def check_dump_times(dump: ScopeDump) -> None:
    """The store boundary's check of every time an import writes: the same rule as add_memory's."""
    for page in dump.pages:
        check_page_times(page)
    for segment in dump.segments:
        check_epoch(segment.created_at, f"segment {segment.id} created_at")
        check_epoch(segment.last_access, f"segment {segment.id} last_access")
    for version in dump.profile_versions:
        check_epoch(version.created_at, f"profile version {version.version} created_at")
    for fact in dump.facts:
        check_fact_times(fact)


def time_fix_target(fault: InvalidTime) -> tuple[str, str, str, Any]:
    """(table, column, key column, key value) of a bad time; ValueError for anything else."""
    table, column, key = TIME_COLUMNS[(fault.kind, fault.field)]
    return table, column, key, int(fault.id) if key == "version" else fault.id


def time_fix_note(meta_data: str, raw: Any) -> str:
    """A page's meta_data (JSON text) with its original, replaced time kept under INVALID_TIME_KEY."""
    meta = json.loads(meta_data)
    if INVALID_TIME_KEY not in meta:
        text = raw if isinstance(raw, str) else repr(raw)
        meta[INVALID_TIME_KEY] = text[:200]
    return dumps(meta)
