"""A data directory of the original MemoryOS (BAI-LAB/MemoryOS: memoryos-pypi, its MCP server and playground write
the same files) read as memoryos export documents, one per user. This module only reads and checks;
`migrate.import_original` writes.

    users/<user_id>/short_term.json       [{user_input, agent_response, timestamp}, ...], oldest first
    users/<user_id>/mid_term.json         {"sessions": {id: {summary, summary_keywords, details: [page, ...],
                                            N_visit, L_interaction, timestamp, last_visit_time, ...}}, ...}
    users/<user_id>/long_term_user.json   {"user_profiles": {user_id: {data, last_updated}},
                                            "knowledge_base": [{knowledge, timestamp}], "assistant_knowledge": [...]}
    assistants/<id>/long_term_assistant.json   the same shape; its assistant_knowledge is that assistant's

A page is {page_id, user_input, agent_response, timestamp, analyzed, pre_page, next_page, meta_info, ...}. The
original writes times as local "YYYY-MM-DD HH:MM:SS" without a zone (read as UTC, like every naive time in
memoryos), may hold None as "None" and booleans as "False", and JSON inside strings; its stored embeddings are
ignored (the importing store embeds with its own model). A missing file is an empty one, as the original reads it.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import validate_identifier
from .errors import InvalidInput
from .export_format import EXPORT_FORMAT, EXPORT_VERSION
from .validation import check_record_id, check_text, parse_timestamp, shown

ORIGINAL_FORMAT = "memoryos-original"
PAGE_META = {"source": ORIGINAL_FORMAT}  # meta_data of every imported page: where it came from
_NO_LIMIT = 2**62  # lengths are checked against the importing store's max_input_chars by dict_to_dump
_UNSET = frozenset({"", "none", "null"})  # how the original writes "no value" inside strings
_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})
_NOTHING = frozenset({"none", "none."})  # knowledge lines the original itself never keeps
_BULLET = re.compile(r"^(?:[-*•]\s+)+")
# what the original's LLM client returns instead of raising; it may have been stored as a profile or chain summary
_LLM_ERROR = re.compile(r"^\s*Error: Could not get response from LLM", re.IGNORECASE)
_RECORD = re.compile(r"^(pages|segments|profile_versions|knowledge)\[(\d+)\]")


@dataclass
class OriginalUser:
    """One user of the original directory, as a memoryos-export document."""

    user_id: str
    document: dict[str, Any]
    origins: dict[str, str] = field(
        default_factory=dict
    )  # "pages[3]" -> "users/u/mid_term.json: sessions.s.details[2]"
    notes: list[str] = field(default_factory=list)  # what reading had to adjust, for the report

    def locate(self, message: str) -> str:
        """An export-level error message ("pages[3].user_input: ...") prefixed with where that record came from."""
        match = _RECORD.match(message)
        origin = self.origins.get(match.group(0)) if match else None
        return f"{origin}: {message}" if origin else f"users/{self.user_id}: {message}"


@dataclass
class OriginalDirectory:
    root: Path
    assistant_id: str
    assistant_file: str | None  # the assistant's knowledge file that was read, relative to root
    users: list[OriginalUser]
    notes: list[str] = field(default_factory=list)  # about the directory as a whole


def looks_like_original(path: str | os.PathLike[str]) -> bool:
    """A directory with `users/` (or `assistants/`) in it, as the original's data_storage_path is."""
    root = Path(path)
    return root.is_dir() and ((root / "users").is_dir() or (root / "assistants").is_dir())


def read_original(
    path: str | os.PathLike[str],
    *,
    now: float,
    users: Collection[str] | None = None,
    assistant_id: str | None = None,
    default_assistant: str = "default_assistant",
) -> OriginalDirectory:
    """Every user (or those named in `users`) read and checked; InvalidInput naming the file and field at the first
    malformed one, before anything is written. Assistant knowledge comes from `assistant_id`'s directory; without
    one, from the only assistant directory there is, else `default_assistant` is used and none is read. `now` dates
    knowledge entries that have no time of their own."""
    root = Path(path)
    if not root.is_dir():
        raise InvalidInput(f"{root} is not a directory (expected the original MemoryOS's data_storage_path)")
    listed = _subdirectories(root / "users")
    if not listed:
        raise InvalidInput(f"{root} has no users/<user_id>/ directories: not a data directory of the original MemoryOS")
    if users is not None:
        unknown = sorted(set(users) - set(listed))
        if unknown:
            raise InvalidInput(f"no user {', '.join(map(repr, unknown))} in {root / 'users'}")
        listed = {name: directory for name, directory in listed.items() if name in users}
    aid, assistant_dir = _choose_assistant(root, assistant_id, default_assistant)
    assistant_file = assistant_dir / "long_term_assistant.json" if assistant_dir else None
    assistant_facts: list[tuple[dict[str, Any], str]] = []
    assistant_notes: list[str] = []
    if assistant_file is not None:
        data = _load(assistant_file, root, dict) or {}
        where = _relative(assistant_file, root)
        entries = _container(data.get("assistant_knowledge"), list, f"{where}: assistant_knowledge")
        assistant_facts = _facts(
            entries, "assistant", "orig-assistant", f"{where}: assistant_knowledge", now, assistant_notes
        )
        if _container(data.get("knowledge_base"), list, f"{where}: knowledge_base"):
            assistant_notes.append(f"{where}: knowledge_base has entries of no user; not imported")
    read = [_read_user(root, name, directory, aid, assistant_facts, now) for name, directory in sorted(listed.items())]
    relative = _relative(assistant_file, root) if assistant_file else None
    return OriginalDirectory(root, aid, relative, read, assistant_notes)


# ---- files and directories ----


def _subdirectories(folder: Path) -> dict[str, Path]:
    """Directories by name (ids are taken from what is there, never joined from a caller's string)."""
    if not folder.is_dir():
        return {}
    found = {}
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.name.startswith("."):
            validate_identifier(entry.name, f"directory name {entry}")
            found[entry.name] = entry
    return found


def _choose_assistant(root: Path, explicit: str | None, default: str) -> tuple[str, Path | None]:
    listed = _subdirectories(root / "assistants")
    if explicit is not None:
        validate_identifier(explicit, "assistant_id")
        return explicit, listed.get(explicit)
    if len(listed) == 1:
        name, directory = next(iter(listed.items()))
        return name, directory
    if not listed:
        return default, None
    raise InvalidInput(
        f"{root / 'assistants'} holds {len(listed)} assistants ({', '.join(sorted(listed))}): choose the one these "
        "users talked to with assistant_id (--assistant)"
    )


def _relative(file: Path, root: Path) -> str:
    return file.relative_to(root).as_posix()


def _load(file: Path, root: Path, kind: type[list[Any]] | type[dict[str, Any]]) -> Any:
    """The file's JSON, which must be a list or an object as `kind` says; None when the file does not exist."""
    where = _relative(file, root)
    if not file.exists():
        return None
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{where}: cannot read it ({exc})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where}: not valid JSON ({exc})") from exc
    if not isinstance(data, kind):
        raise InvalidInput(f"{where}: expected a JSON {_KINDS[kind]}, got {_json_type(data)}")
    return data


_KINDS: dict[type, str] = {list: "list", dict: "object"}


def _json_type(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


# ---- values as the original writes them ----


def _unset(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _UNSET)


def _container(value: object, kind: type[list[Any]] | type[dict[str, Any]], at: str) -> Any:
    """A list or object, also when written as JSON inside a string; "None" and null are empty."""
    if _unset(value):
        return kind()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise InvalidInput(f"{at} must be a {_KINDS[kind]}, got a string that is not JSON") from None
    if not isinstance(value, kind):
        raise InvalidInput(f"{at} must be a {_KINDS[kind]}, got {_json_type(value)}")
    return value


def _text(value: object, at: str, *, none_words: bool) -> str:
    """Text; null is empty, and so is "None" where the original writes it for "nothing" (`none_words`)."""
    if value is None or (none_words and _unset(value)):
        return ""
    return check_text(value, at, _NO_LIMIT, allow_none=False)


def _words(value: object, at: str) -> list[str]:
    """Keywords: a list of strings, a JSON list inside a string, or comma-separated words."""
    if isinstance(value, str) and not _unset(value) and not value.lstrip().startswith("["):
        return [word.strip() for word in value.split(",") if word.strip()]
    items = _container(value, list, at)
    return [_text(item, f"{at}[{i}]", none_words=False) for i, item in enumerate(items)]


def _flag(value: object, at: str) -> bool:
    if isinstance(value, bool):
        return value
    if _unset(value):
        return False
    word = str(value).strip().lower() if isinstance(value, (str, int)) else None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise InvalidInput(f"{at} must be true or false, got {shown(value)}")


def _count(value: object, at: str) -> int:
    if _unset(value):
        return 0
    number: object = value
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise InvalidInput(f"{at} must be a count (a whole number, 0 or more), got {shown(value)}")
    return number


def _time(value: object, at: str) -> float | None:
    if _unset(value):
        return None
    try:
        return parse_timestamp(value)
    except InvalidInput as exc:
        raise InvalidInput(f"{at}: {exc}") from None


def _required_time(value: object, at: str) -> float:
    moment = _time(value, at)
    if moment is None:
        raise InvalidInput(f"{at} is missing")
    return moment


def _ref(value: object, at: str) -> str | None:
    return None if _unset(value) else check_record_id(value, at)


# ---- one user ----


def _read_user(
    root: Path,
    user_id: str,
    directory: Path,
    assistant_id: str,
    assistant_facts: list[tuple[dict[str, Any], str]],
    now: float,
) -> OriginalUser:
    user = OriginalUser(user_id, {})
    mid_file, short_file, long_file = (
        directory / name for name in ("mid_term.json", "short_term.json", "long_term_user.json")
    )
    segments, mid_pages = _mid_term(_load(mid_file, root, dict) or {}, _relative(mid_file, root), user.notes)
    _link_chains(mid_pages, user.notes)
    ordered = _chronological(mid_pages)
    short_pages = _short_term(_load(short_file, root, list) or [], _relative(short_file, root), user_id, user.notes)
    pages = ordered + short_pages
    for seq, (page, _) in enumerate(pages, start=1):
        page["seq"] = seq
    for segment, _ in segments:
        members = [p for p, _ in mid_pages if p["segment_id"] == segment["id"]]
        segment["page_count"] = len(members)
        if segment["created_at"] is None:
            segment["created_at"] = min((p["timestamp"] for p in members), default=now)
        if segment["last_access"] is None:
            segment["last_access"] = segment["created_at"]
    kept = [(s, at) for s, at in segments if s["page_count"]]
    for segment, at in segments:
        if not segment["page_count"]:
            user.notes.append(f"{at}: a session without pages; not imported")
    long_where = _relative(long_file, root)
    long = _load(long_file, root, dict) or {}
    profiles = _profile(long, user_id, long_where, now, user.notes)
    facts = _facts(
        _container(long.get("knowledge_base"), list, f"{long_where}: knowledge_base"),
        "user",
        "orig-kb",
        f"{long_where}: knowledge_base",
        now,
        user.notes,
    )
    facts += _facts(
        _container(long.get("assistant_knowledge"), list, f"{long_where}: assistant_knowledge"),
        "assistant",
        "orig-ak",
        f"{long_where}: assistant_knowledge",
        now,
        user.notes,
    )
    facts += assistant_facts
    user.document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "user_id": user_id,
        "assistant_id": assistant_id,
        "pages": [p for p, _ in pages],
        "segments": [s for s, _ in kept],
        "profile_versions": [v for v, _ in profiles],
        "knowledge": [f for f, _ in facts],
    }
    for key, records in (("pages", pages), ("segments", kept), ("profile_versions", profiles), ("knowledge", facts)):
        user.origins.update({f"{key}[{i}]": at for i, (_, at) in enumerate(records)})
    return user


def _mid_term(
    data: dict[str, Any], where: str, notes: list[str]
) -> tuple[list[tuple[dict[str, Any], str]], list[tuple[dict[str, Any], str]]]:
    """Sessions become segments, their details mid-term pages. A page the original copied into several sessions
    (its updater inserts a batch into every topic's session) is kept once, in the first."""
    sessions = _container(data.get("sessions"), dict, f"{where}: sessions")
    segments: list[tuple[dict[str, Any], str]] = []
    pages: list[tuple[dict[str, Any], str]] = []
    seen: dict[str, str] = {}
    for session_id, raw in sessions.items():
        at = f"{where}: sessions.{session_id}"
        session = _container(raw, dict, at)
        segment_id = check_record_id(session_id, f"{at} (the session id)")
        summary = _text(session.get("summary"), f"{at}.summary", none_words=True)
        segments.append(
            (
                {
                    "id": segment_id,
                    "summary": "" if _LLM_ERROR.match(summary) else summary,
                    "keywords": _words(session.get("summary_keywords"), f"{at}.summary_keywords"),
                    "n_visit": _count(session.get("N_visit"), f"{at}.N_visit"),
                    "l_interaction": _count(session.get("L_interaction"), f"{at}.L_interaction"),
                    "created_at": _time(session.get("timestamp"), f"{at}.timestamp"),
                    "last_access": _time(session.get("last_visit_time"), f"{at}.last_visit_time"),
                    "status": "active",
                },
                at,
            )
        )
        for i, item in enumerate(_container(session.get("details"), list, f"{at}.details")):
            page = _mid_page(item, f"{at}.details[{i}]", segment_id, notes)
            if page is None:
                continue
            if page["id"] in seen:
                notes.append(f"page {page['id']} is in sessions {seen[page['id']]} and {session_id}; kept in the first")
                continue
            seen[page["id"]] = session_id
            pages.append((page, f"{at}.details[{i}]"))
    return segments, pages


def _mid_page(item: object, at: str, segment_id: str, notes: list[str]) -> dict[str, Any] | None:
    page = _container(item, dict, at)
    page_id = _ref(page.get("page_id"), f"{at}.page_id")
    if page_id is None:
        raise InvalidInput(f"{at}.page_id is missing")
    user_input = _text(page.get("user_input"), f"{at}.user_input", none_words=False)
    agent_response = _text(page.get("agent_response"), f"{at}.agent_response", none_words=False)
    if not user_input.strip() and not agent_response.strip():
        notes.append(f"{at}: page {page_id} has no text; not imported")
        return None
    chain_summary = _text(page.get("meta_info"), f"{at}.meta_info", none_words=True)
    keywords = _words(page.get("page_keywords"), f"{at}.page_keywords")
    return {
        "id": page_id,
        "user_input": user_input,
        "agent_response": agent_response,
        "timestamp": _required_time(page.get("timestamp"), f"{at}.timestamp"),
        "meta_data": {**PAGE_META, **({"keywords": keywords} if keywords else {})},
        "tier": "mid",
        "segment_id": segment_id,
        "prev_page_id": _ref(page.get("pre_page"), f"{at}.pre_page"),
        "next_page_id": _ref(page.get("next_page"), f"{at}.next_page"),
        "chain_summary": "" if _LLM_ERROR.match(chain_summary) else chain_summary,
        "analyzed": _flag(page.get("analyzed"), f"{at}.analyzed"),
    }


def _link_chains(pages: list[tuple[dict[str, Any], str]], notes: list[str]) -> None:
    """Chain links made two-sided. The original sets `pre_page` first and `next_page` only when it finds the
    earlier page: a link named by one side is completed when the other side is free, one that names a page not
    there (its session was evicted) or contradicts another link is dropped."""
    by_id = {p["id"]: p for p, _ in pages}
    claims: list[tuple[str, str]] = []
    for page, _ in pages:
        if page["next_page_id"]:
            claims.append((page["id"], page["next_page_id"]))
        if page["prev_page_id"]:
            claims.append((page["prev_page_id"], page["id"]))
    agreed = {
        (a, b)
        for a, b in claims
        if a != b and by_id.get(a, {}).get("next_page_id") == b and by_id.get(b, {}).get("prev_page_id") == a
    }
    following: dict[str, str] = {}
    preceding: dict[str, str] = {}
    completed = dropped = 0
    for a, b in dict.fromkeys([c for c in claims if c in agreed] + claims):
        if a == b or a not in by_id or b not in by_id or a in following or b in preceding:
            dropped += 1
            continue
        following[a], preceding[b] = b, a
        completed += (a, b) not in agreed
    for page_id, page in by_id.items():
        page["prev_page_id"], page["next_page_id"] = preceding.get(page_id), following.get(page_id)
    if completed:
        notes.append(f"{completed} one-sided chain links completed")
    if dropped:
        notes.append(f"{dropped} chain links to missing pages, or contradicting others, dropped")


def _chronological(pages: list[tuple[dict[str, Any], str]]) -> list[tuple[dict[str, Any], str]]:
    """Pages in the order they were said: by time, a chain's pages in chain order, else in file order."""
    position = {p["id"]: i for i, (p, _) in enumerate(pages)}
    heap = [(p["timestamp"], position[p["id"]]) for p, _ in pages if p["prev_page_id"] is None]
    heapq.heapify(heap)
    ordered = []
    while heap:
        _, index = heapq.heappop(heap)
        page, at = pages[index]
        ordered.append((page, at))
        following = page["next_page_id"]
        if following is not None:
            heapq.heappush(heap, (pages[position[following]][0]["timestamp"], position[following]))
    if len(ordered) < len(pages):
        done = {p["id"] for p, _ in ordered}
        at = next(at for p, at in pages if p["id"] not in done)
        raise InvalidInput(f"{at}: its chain links (pre_page/next_page) form a cycle")
    return ordered


def _short_term(items: list[Any], where: str, user_id: str, notes: list[str]) -> list[tuple[dict[str, Any], str]]:
    """Short-term pages stay short-term, oldest first. The original gives them no ids: theirs are derived from
    what they say, so that importing again finds them."""
    pages = []
    for i, item in enumerate(items):
        at = f"{where}: [{i}]"
        record = _container(item, dict, at)
        user_input = _text(record.get("user_input"), f"{at}.user_input", none_words=False)
        agent_response = _text(record.get("agent_response"), f"{at}.agent_response", none_words=False)
        if not user_input.strip() and not agent_response.strip():
            notes.append(f"{at}: an exchange without text; not imported")
            continue
        timestamp = _required_time(record.get("timestamp"), f"{at}.timestamp")
        digest = hashlib.sha256(json.dumps([user_id, i, user_input, agent_response, timestamp]).encode()).hexdigest()
        page = {
            "id": f"short_{digest[:24]}",
            "user_input": user_input,
            "agent_response": agent_response,
            "timestamp": timestamp,
            "meta_data": dict(PAGE_META),
            "tier": "short",
        }
        pages.append((page, at))
    return pages


def _profile(
    data: dict[str, Any], user_id: str, where: str, now: float, notes: list[str]
) -> list[tuple[dict[str, Any], str]]:
    """The user's profile, one version. The file holds it under the user's id (the only entry, in practice)."""
    profiles = _container(data.get("user_profiles"), dict, f"{where}: user_profiles")
    key = user_id if user_id in profiles else next(iter(profiles)) if len(profiles) == 1 else None
    if key is None:
        if profiles:
            notes.append(f"{where}: user_profiles has no profile of {user_id!r}; none imported")
        return []
    at = f"{where}: user_profiles.{key}"
    entry = profiles[key]
    if isinstance(entry, str) and not entry.lstrip().startswith("{"):
        entry = {"data": entry}
    entry = _container(entry, dict, at)
    text = _text(entry.get("data"), f"{at}.data", none_words=True).strip()
    if not text or _LLM_ERROR.match(text):
        if text:
            notes.append(f"{at}.data is an error message of the original's LLM client; not imported")
        return []
    created = _time(entry.get("last_updated"), f"{at}.last_updated")
    version = {
        "version": 1,
        "text": text,
        "source_page_ids": [],
        "created_at": now if created is None else created,
        "method": "llm",
    }
    return [(version, at)]


def _facts(
    entries: list[Any], kind: str, prefix: str, where: str, now: float, notes: list[str]
) -> list[tuple[dict[str, Any], str]]:
    """Knowledge entries: their text without the list marker the original keeps ("- The user ..."), dated by their
    timestamp, which is when the original learnt them (observed_at, and created_at)."""
    facts = []
    skipped = 0
    for i, item in enumerate(entries):
        at = f"{where}[{i}]"
        if isinstance(item, str) and not item.lstrip().startswith("{"):
            item = {"knowledge": item}
        entry = _container(item, dict, at)
        text = _BULLET.sub("", _text(entry.get("knowledge"), f"{at}.knowledge", none_words=True).strip())
        if not text or text.lower() in _NOTHING or _LLM_ERROR.match(text):
            skipped += 1
            continue
        said = _time(entry.get("timestamp"), f"{at}.timestamp")
        fact = {
            "id": f"{prefix}-{i}",
            "kind": kind,
            "text": text,
            "source_page_ids": [],
            "created_at": now if said is None else said,
            "method": "llm",
            "observed_at": said,
        }
        facts.append((fact, at))
    if skipped:
        notes.append(f"{where}: {skipped} empty entries not imported")
    return facts
