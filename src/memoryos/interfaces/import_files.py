"""Bulk import of conversations: JSON or JSONL records, LoCoMo conversations, and memoryos exports.

Every imported page carries an `import_key` in its meta_data (a hash of where it came from and what it says),
so re-running an import skips what is already stored: an interrupted import resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..config import validate_identifier
from ..errors import InvalidInput
from ..export_format import EXPORT_FORMAT
from ..memoryos import Memoryos
from ..models import page_text
from ..providers.embeddings import Embedder
from ..validation import check_meta_data, check_text, check_ttl, parse_timestamp

Format = Literal["auto", "json", "jsonl", "locomo", "export", "memoryos-original"]
# memoryos-original (a directory) is read by original_format and written by migrate.import_original
FORMATS: tuple[str, ...] = ("auto", "json", "jsonl", "locomo", "export", "memoryos-original")
RECORD_FIELDS = frozenset({"user_input", "agent_response", "timestamp", "meta_data", "ttl"})
IMPORT_KEY = "import_key"


@dataclass
class Record:
    """One exchange to import."""

    user_input: str
    agent_response: str
    timestamp: str | float | None
    meta_data: dict[str, Any]
    key: str
    user_id: str | None = None  # set for LoCoMo conversations imported one user each
    where: str = ""  # where it came from, for error messages: "record 3", "line 7", "conv-30 session 2 D2:5"
    ttl: float | None = None  # seconds from when it is imported (add_memory's ttl); None: the config's default

    @property
    def text(self) -> str:
        return page_text(self.user_input, self.agent_response)


@dataclass
class Source:
    format: str
    records: list[Record] = field(default_factory=list)
    export: dict[str, Any] | None = None


@dataclass
class Report:
    user_id: str
    format: str
    total: int = 0
    imported: int = 0
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "format": self.format,
            "total": self.total,
            "imported": self.imported,
            "skipped": self.skipped,
        }


def import_key(*parts: object) -> str:
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


# ---- reading ----


def read_source(path: str | Path, fmt: Format = "auto", conversations: Sequence[int] | None = None) -> Source:
    """Parse and check a whole file before anything is written, so a bad record never leaves half an import."""
    file = Path(path)
    if fmt == "memoryos-original":
        raise InvalidInput(f"{file}: a data directory of the original MemoryOS is imported by migrate.import_original")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {file}: {exc}") from exc
    if fmt == "auto":
        fmt = detect_format(file, text)
    if fmt == "jsonl":
        return Source("jsonl", records_from_items(_jsonl_items(text)))
    data = _json(text, file)
    if fmt == "export":
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise InvalidInput(f"{file} is not a memoryos export")
        return Source("export", export=data)
    if fmt == "locomo":
        return Source("locomo", locomo_records(data, conversations))
    if not isinstance(data, list):
        raise InvalidInput(
            f"{file}: expected a JSON list of {{user_input, agent_response, timestamp?, meta_data?, ttl?}}"
        )
    return Source("json", records_from_items((f"record {i}", item) for i, item in enumerate(data)))


def detect_format(file: Path, text: str) -> Format:
    if file.suffix.lower() in (".jsonl", ".ndjson"):
        return "jsonl"
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return "jsonl"  # several JSON values, one a line
    if isinstance(data, dict):
        if data.get("format") == EXPORT_FORMAT:
            return "export"
        if "conversation" in data:
            return "locomo"
    if isinstance(data, list) and data and isinstance(data[0], dict) and "conversation" in data[0]:
        return "locomo"
    return "json"


def _json(text: str, file: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{file} is not valid JSON: {exc}") from exc


def _jsonl_items(text: str) -> Iterable[tuple[str, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"line {number} is not valid JSON: {exc}") from exc


@contextmanager
def _at(where: str) -> Iterator[None]:
    """Checks inside name the record they are about in their InvalidInput (or InputTooLarge)."""
    try:
        yield
    except InvalidInput as exc:
        raise type(exc)(f"{where}: {exc}") from exc


_NO_LIMIT = 2**62  # lengths are checked against the user's max_input_chars once it is known (check_records)


def records_from_items(items: Iterable[tuple[str, Any]]) -> list[Record]:
    """Records checked with add_memory's rules, strictly: texts are strings (null or absent = empty) without NUL
    or lone surrogates, meta_data a JSON object (or null), timestamps by the timestamp rule, ttl as add_memory's."""
    records = []
    for index, (where, item) in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidInput(f"{where}: expected an object with user_input and agent_response")
        unknown = sorted(set(item) - RECORD_FIELDS)
        if unknown:
            raise InvalidInput(f"{where}: unknown field(s) {', '.join(unknown)}; expected {sorted(RECORD_FIELDS)}")
        with _at(where):
            for name in ("user_input", "agent_response"):
                if not isinstance(item.get(name), (str, type(None))):
                    raise InvalidInput(f"user_input and agent_response must be strings; {name} is not")
            user_input = check_text(item.get("user_input"), "user_input", _NO_LIMIT)
            agent_response = check_text(item.get("agent_response"), "agent_response", _NO_LIMIT)
            if not (user_input.strip() or agent_response.strip()):
                raise InvalidInput("user_input and agent_response are both empty")
            timestamp = item.get("timestamp")
            if timestamp is not None:
                if not isinstance(timestamp, (str, int, float)) or isinstance(timestamp, bool):
                    raise InvalidInput("timestamp must be a string or epoch seconds")
                parse_timestamp(timestamp)
            meta = check_meta_data(item.get("meta_data"))
            ttl = check_ttl(item.get("ttl"))
        key = import_key(index, user_input, agent_response, timestamp)
        records.append(Record(user_input, agent_response, timestamp, meta, key, where=where, ttl=ttl))
    return records


def check_records(records: Sequence[Record], max_chars: int, max_meta_bytes: int | None = None) -> None:
    """What depends on the importing user's settings: text lengths (max_input_chars) and the size of meta_data
    (max_meta_data_bytes), both InputTooLarge, exactly as add_memory applies them."""
    for record in records:
        with _at(record.where or "record"):
            check_text(record.user_input, "user_input", max_chars)
            check_text(record.agent_response, "agent_response", max_chars)
            check_meta_data(record.meta_data, max_meta_bytes)


# ---- LoCoMo ----

_SESSION_RE = re.compile(r"session_(\d+)")


def locomo_records(data: Any, conversations: Sequence[int] | None = None) -> list[Record]:
    """LoCoMo samples → pages: speaker_a is the user; each of their turns pairs with speaker_b's reply.

    Each conversation goes to its own user, named by its sample_id, unless the caller picks one user for all.
    Turns of one session share the session's date; pages are spaced a second apart to keep their order.
    """
    samples = data if isinstance(data, list) else [data]
    chosen = range(len(samples)) if conversations is None else conversations
    records: list[Record] = []
    for index in chosen:
        if not 0 <= index < len(samples):
            raise InvalidInput(f"there is no conversation {index}; the file holds {len(samples)} (0-based)")
        sample = samples[index]
        conversation = sample.get("conversation") if isinstance(sample, dict) else None
        if not isinstance(conversation, dict) or "speaker_a" not in conversation:
            raise InvalidInput(f"conversation {index} is not in LoCoMo format (no conversation.speaker_a)")
        sample_id = sample.get("sample_id") or f"conversation-{index}"
        with _at(f"conversation {index}"):
            validate_identifier(sample_id, "sample_id")  # it names the user the conversation goes to
        records.extend(_locomo_conversation(sample_id, conversation))
    return records


def _locomo_conversation(sample_id: str, conv: dict[str, Any]) -> list[Record]:
    user = conv["speaker_a"]
    sessions = sorted(int(m.group(1)) for key in conv if (m := _SESSION_RE.fullmatch(key)))
    records = []
    for number in sessions:
        where = f"{sample_id} session {number}"
        turns = conv[f"session_{number}"]
        if not isinstance(turns, list) or not all(isinstance(t, dict) for t in turns):
            raise InvalidInput(f"{where}: expected a list of turns (objects)")
        date = conv.get(f"session_{number}_date_time")
        with _at(where):
            start = parse_timestamp(date) if date else None
        for position, (user_turns, agent_turns) in enumerate(_pair_turns(turns, user)):
            dia_ids = [t.get("dia_id") for t in user_turns + agent_turns]
            at = f"{where} {'/'.join(map(str, dia_ids))}"
            meta = {"source": "locomo", "sample_id": sample_id, "session": number, "dia_ids": dia_ids}
            if date:
                meta["session_date_time"] = date
            with _at(at):
                user_input = check_text(" ".join(_turn_text(t) for t in user_turns), "user_input", _NO_LIMIT)
                agent_response = check_text(
                    " ".join(_turn_text(t) for t in agent_turns), "agent_response", _NO_LIMIT
                )
                records.append(
                    Record(
                        user_input=user_input,
                        agent_response=agent_response,
                        timestamp=None if start is None else parse_timestamp(start + position),
                        meta_data=check_meta_data(meta),
                        key=import_key("locomo", sample_id, dia_ids),
                        user_id=sample_id,
                        where=at,
                    )
                )
    return records


def _pair_turns(turns: list[dict[str, Any]], user: str) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """A page is the user's turn and the reply that follows; a reply without a user turn stands alone."""
    pages: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = []
    for turn in turns:
        if turn.get("speaker") == user:
            pages.append(([turn], []))
        elif pages and pages[-1][0] and not pages[-1][1]:
            pages[-1][1].append(turn)
        else:
            pages.append(([], [turn]))
    return pages


def _turn_text(turn: dict[str, Any]) -> str:
    text, caption = turn.get("text"), turn.get("blip_caption")
    for name, value in (("text", text), ("blip_caption", caption)):
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{name} must be a string, got {type(value).__name__}")
    text = (text or "").strip()
    return f"{text} [shares a photo: {caption.strip()}]".strip() if caption else text


# ---- writing ----


class PrefetchEmbedder:
    """Embeds the texts of an import in large batches ahead of time; consolidation then finds them ready.

    Without it, consolidation would embed a few pages per call (one short-term batch at a time).
    """

    def __init__(self, factory: Callable[[], Embedder]) -> None:
        self._factory = factory
        self._inner: Embedder | None = None
        self._ready: dict[str, np.ndarray] = {}

    @property
    def inner(self) -> Embedder:
        if self._inner is None:
            self._inner = self._factory()
        return self._inner

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def prefetch(self, texts: Sequence[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self._ready]
        if missing:
            self._ready.update(zip(missing, self.inner.embed(missing), strict=True))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return self.inner.embed([])
        missing = [t for t in dict.fromkeys(texts) if t not in self._ready]
        found = dict(zip(missing, self.inner.embed(missing), strict=True)) if missing else {}
        vectors = [found[t] if t in found else self._ready[t] for t in texts]
        for text in texts:  # each page is consolidated once: keep the cache small
            self._ready.pop(text, None)
        return np.stack(vectors).astype(np.float32)


def existing_keys(memo: Memoryos) -> set[str]:
    return {str(p["meta_data"].get(IMPORT_KEY)) for p in memo.list_pages() if p["meta_data"].get(IMPORT_KEY)}


def import_records(
    memo: Memoryos,
    records: Sequence[Record],
    prefetcher: PrefetchEmbedder | None = None,
    batch_size: int = 64,
    advance: Callable[[int], None] = lambda n: None,
) -> Report:
    """Add the records not imported yet, in order; `advance(n)` reports progress (skipped ones count too)."""
    report = Report(memo.scope.user_id, "records", total=len(records))
    # all of them before anything is written
    check_records(records, memo.config.max_input_chars, memo.config.max_meta_data_bytes)
    done = existing_keys(memo)
    todo = [r for r in records if r.key not in done]
    report.skipped = len(records) - len(todo)
    advance(report.skipped)
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        if prefetcher is not None:
            prefetcher.prefetch([r.text for r in chunk])
        for record in chunk:
            meta = {**record.meta_data, IMPORT_KEY: record.key}
            memo.add_memory(
                record.user_input, record.agent_response, timestamp=record.timestamp, meta_data=meta, ttl=record.ttl
            )
            report.imported += 1
            advance(1)
    return report


def import_export(memo: Memoryos, data: dict[str, Any]) -> Report:
    """Restore an export into an empty user; re-running it over the same export is a no-op."""
    pages = data.get("pages")
    if not isinstance(pages, list):
        raise InvalidInput("malformed memoryos export: no list of pages")
    report = Report(memo.scope.user_id, "export", total=len(pages))
    wanted = {str(p.get("id")) for p in pages if isinstance(p, dict)}
    present = {p["id"] for p in memo.list_pages()}
    if present and wanted <= present:
        report.skipped = len(pages)
        return report
    if present:
        raise InvalidInput(
            f"user {memo.scope.user_id!r} already holds {len(present)} pages; an export is imported into an "
            "empty user (pick another with --user, or forget-user first)"
        )
    report.imported = memo.import_data(data)
    return report
