"""The export format: one user's memory as a JSON document (`memoryos-export`) and back as a ScopeDump, read
with the live API's validators. Used by `Memoryos.export`/`import_data`, `memoryos import` and REST."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from .errors import InvalidInput
from .models import Fact, Page, ProfileVersion, ScopeDump, Segment
from .validation import (
    check_bool,
    check_choice,
    check_epoch,
    check_id_list,
    check_int,
    check_meta_data,
    check_optional_id,
    check_record_id,
    check_text,
)

EXPORT_FORMAT = "memoryos-export"
# 2: facts carry observed_at, valid_from, valid_until, invalidated_at, superseded_by, attribute and expires_at, pages
# expires_at. A version-1 export (no such fields) still imports; older versions refuse a version-2 one rather than
# take closed facts for current ones. A fact may carry `statement` (its statement as said, when its text adds a
# detail): older versions ignore it and match the fact by its whole text.
EXPORT_VERSION = 2
READABLE_VERSIONS = (1, 2)


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


def dict_to_dump(data: object, max_chars: int, max_meta_bytes: int | None = None) -> ScopeDump:
    """An export read back with the live API's rules and no coercion: texts as add_memory checks them (strings,
    `max_chars`, no NUL or lone surrogates), meta_data as JSON objects, times by the timestamp rule, ids of
    RECORD_ID_RULE, bounded integers, strict booleans and enumerations. InvalidInput (InputTooLarge for a long
    text) names the record and field, e.g. `pages[12].user_input`; nothing is written before all is checked."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise InvalidInput(f"not a memoryos export (expected format {EXPORT_FORMAT!r})")
    version = data.get("version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise InvalidInput(f"unsupported export version {version!r:.40}")
    pages = [_page(item, f"pages[{i}]", max_chars, max_meta_bytes) for i, item in enumerate(_records(data, "pages"))]
    segments = [_segment(item, f"segments[{i}]", max_chars) for i, item in enumerate(_records(data, "segments"))]
    profiles = [
        _profile(item, f"profile_versions[{i}]", max_chars) for i, item in enumerate(_records(data, "profile_versions"))
    ]
    facts = [_fact(item, f"knowledge[{i}]", max_chars) for i, item in enumerate(_records(data, "knowledge"))]
    _unique("pages", "id", [p.id for p in pages])
    _unique("pages", "seq", [p.seq for p in pages])
    _unique("segments", "id", [s.id for s in segments])
    _unique("profile_versions", "version", [v.version for v in profiles])
    _unique("knowledge", "id", [f.id for f in facts])
    _successors_known(facts)
    if version == 1:
        _observed_from_sources(facts, pages)
    return ScopeDump(pages=pages, segments=segments, profile_versions=profiles, facts=facts)


def _successors_known(facts: list[Fact]) -> None:
    ids = {f.id for f in facts}
    for i, fact in enumerate(facts):
        if fact.superseded_by is not None and (fact.superseded_by == fact.id or fact.superseded_by not in ids):
            raise InvalidInput(f"knowledge[{i}].superseded_by must name another knowledge entry of the export")


def _observed_from_sources(facts: list[Fact], pages: list[Page]) -> None:
    """A version-1 fact gets what the store's upgrade gives a stored one (migration fact_validity_and_expiry):
    observed_at = the newest timestamp among its source pages, when any is in the export."""
    times = {p.id: p.timestamp for p in pages}
    for fact in facts:
        observed = [times[i] for i in fact.source_page_ids if i in times]
        if fact.observed_at is None and observed:
            fact.observed_at = max(observed)


_MAX_PROFILE_VERSION = 2**31 - 1  # an INTEGER column in PostgreSQL
_METHODS = ("llm", "extractive", "manual")


def _records(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key)
    if not isinstance(items, list):
        raise InvalidInput(f"malformed memoryos export: {key} must be a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidInput(f"{key}[{i}] must be an object, got {type(item).__name__}")
    return items


def _required(item: dict[str, Any], where: str, key: str) -> Any:
    if key not in item:
        raise InvalidInput(f"{where}.{key} is missing")
    return item[key]


def _unique(key: str, name: str, values: list[Any]) -> None:
    seen: set[Any] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise InvalidInput(f"{key}[{i}].{name} {value!r} is repeated; each must be unique")
        seen.add(value)


def _meta(value: object, where: str, max_bytes: int | None) -> dict[str, Any]:
    try:
        return check_meta_data(value, max_bytes)
    except InvalidInput as exc:
        raise type(exc)(f"{where}.meta_data: {exc}") from exc


def _page(item: dict[str, Any], at: str, max_chars: int, max_meta_bytes: int | None) -> Page:
    user_input = check_text(_required(item, at, "user_input"), f"{at}.user_input", max_chars, allow_none=False)
    agent_response = check_text(
        _required(item, at, "agent_response"), f"{at}.agent_response", max_chars, allow_none=False
    )
    if not user_input.strip() and not agent_response.strip():
        raise InvalidInput(f"{at}: a page needs a non-empty user_input or agent_response")
    return Page(
        id=check_record_id(_required(item, at, "id"), f"{at}.id"),
        user_input=user_input,
        agent_response=agent_response,
        timestamp=check_epoch(_required(item, at, "timestamp"), f"{at}.timestamp"),
        meta_data=_meta(item.get("meta_data"), at, max_meta_bytes),
        tier=check_choice(_required(item, at, "tier"), f"{at}.tier", ("short", "mid", "archive")),  # type: ignore[arg-type]
        seq=check_int(_required(item, at, "seq"), f"{at}.seq"),
        segment_id=check_optional_id(item.get("segment_id"), f"{at}.segment_id"),
        prev_page_id=check_optional_id(item.get("prev_page_id"), f"{at}.prev_page_id"),
        next_page_id=check_optional_id(item.get("next_page_id"), f"{at}.next_page_id"),
        chain_summary=check_text(item.get("chain_summary"), f"{at}.chain_summary", max_chars),
        analyzed=check_bool(item.get("analyzed", False), f"{at}.analyzed"),
        expires_at=_optional_epoch(item, at, "expires_at"),
    )


def _segment(item: dict[str, Any], at: str, max_chars: int) -> Segment:
    keywords = _required(item, at, "keywords")
    if not isinstance(keywords, list):
        raise InvalidInput(f"{at}.keywords must be a list of strings, got {type(keywords).__name__}")
    return Segment(
        id=check_record_id(_required(item, at, "id"), f"{at}.id"),
        summary=check_text(_required(item, at, "summary"), f"{at}.summary", max_chars, allow_none=False),
        keywords=[check_text(k, f"{at}.keywords[{i}]", max_chars, allow_none=False) for i, k in enumerate(keywords)],
        embedding=None,
        n_visit=check_int(_required(item, at, "n_visit"), f"{at}.n_visit"),
        l_interaction=check_int(_required(item, at, "l_interaction"), f"{at}.l_interaction"),
        last_access=check_epoch(_required(item, at, "last_access"), f"{at}.last_access"),
        created_at=check_epoch(_required(item, at, "created_at"), f"{at}.created_at"),
        status=check_choice(_required(item, at, "status"), f"{at}.status", ("active", "archived")),  # type: ignore[arg-type]
        page_count=check_int(_required(item, at, "page_count"), f"{at}.page_count"),
    )


def _profile(item: dict[str, Any], at: str, max_chars: int) -> ProfileVersion:
    return ProfileVersion(
        version=check_int(_required(item, at, "version"), f"{at}.version", 1, _MAX_PROFILE_VERSION),
        text=check_text(_required(item, at, "text"), f"{at}.text", max_chars, allow_none=False),
        source_page_ids=check_id_list(_required(item, at, "source_page_ids"), f"{at}.source_page_ids"),
        created_at=check_epoch(_required(item, at, "created_at"), f"{at}.created_at"),
        method=check_choice(_required(item, at, "method"), f"{at}.method", _METHODS),  # type: ignore[arg-type]
    )


def _fact(item: dict[str, Any], at: str, max_chars: int) -> Fact:
    text = check_text(_required(item, at, "text"), f"{at}.text", max_chars, allow_none=False)
    if not text.strip():
        raise InvalidInput(f"{at}.text must not be empty")
    return Fact(
        id=check_record_id(_required(item, at, "id"), f"{at}.id"),
        kind=check_choice(_required(item, at, "kind"), f"{at}.kind", ("user", "assistant")),  # type: ignore[arg-type]
        text=text,
        source_page_ids=check_id_list(_required(item, at, "source_page_ids"), f"{at}.source_page_ids"),
        created_at=check_epoch(_required(item, at, "created_at"), f"{at}.created_at"),
        method=check_choice(_required(item, at, "method"), f"{at}.method", _METHODS),  # type: ignore[arg-type]
        observed_at=_optional_epoch(item, at, "observed_at"),
        valid_from=_optional_epoch(item, at, "valid_from"),
        valid_until=_optional_epoch(item, at, "valid_until"),
        invalidated_at=_optional_epoch(item, at, "invalidated_at"),
        superseded_by=check_optional_id(item.get("superseded_by"), f"{at}.superseded_by"),
        attribute=_attribute(item.get("attribute"), f"{at}.attribute", max_chars),
        expires_at=_optional_epoch(item, at, "expires_at"),
        statement=_statement(item.get("statement"), f"{at}.statement", max_chars),
    )


def _optional_epoch(item: dict[str, Any], at: str, key: str) -> float | None:
    value = item.get(key)
    return None if value is None else check_epoch(value, f"{at}.{key}")


def _statement(value: object, where: str, max_chars: int) -> str | None:
    """A fact's statement as said (when its text adds a detail); blank or absent: the text is the statement."""
    if value is None:
        return None
    text = check_text(value, where, max_chars, allow_none=False)
    return text if text.strip() else None


def _attribute(value: object, where: str, max_chars: int) -> str | None:
    if value is None:
        return None
    text = check_text(value, where, max_chars, allow_none=False)
    if not text.strip():
        raise InvalidInput(f"{where} must not be empty (leave it out or null)")
    return text


def with_fresh_ids(
    dump: ScopeDump,
    pages: Collection[str] | None = None,
    segments: Collection[str] | None = None,
    facts: Collection[str] | None = None,
) -> ScopeDump:
    """The same memory under new page, segment and knowledge ids, every reference between them kept
    (`Memoryos.import_data(new_ids=True)`). `pages`, `segments`, `facts`: renew only these ids; None renews every
    id of that kind."""
    page_ids = {p.id: uuid.uuid4().hex for p in dump.pages if pages is None or p.id in pages}
    segment_ids = {s.id: uuid.uuid4().hex for s in dump.segments if segments is None or s.id in segments}
    fact_ids = {f.id: uuid.uuid4().hex for f in dump.facts if facts is None or f.id in facts}

    def page_ref(page_id: str | None) -> str | None:
        return page_ids.get(page_id, page_id) if page_id else page_id

    return ScopeDump(
        pages=[
            replace(
                p,
                id=page_ids.get(p.id, p.id),
                segment_id=segment_ids.get(p.segment_id, p.segment_id) if p.segment_id else p.segment_id,
                prev_page_id=page_ref(p.prev_page_id),
                next_page_id=page_ref(p.next_page_id),
            )
            for p in dump.pages
        ],
        segments=[replace(s, id=segment_ids.get(s.id, s.id)) for s in dump.segments],
        profile_versions=[
            replace(v, source_page_ids=[page_ids.get(i, i) for i in v.source_page_ids]) for v in dump.profile_versions
        ],
        facts=[
            replace(
                f,
                id=fact_ids.get(f.id, f.id),
                source_page_ids=[page_ids.get(i, i) for i in f.source_page_ids],
                superseded_by=fact_ids.get(f.superseded_by, f.superseded_by) if f.superseded_by else None,
            )
            for f in dump.facts
        ],
    )
