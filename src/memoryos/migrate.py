"""Moving memory in: `copy_memory` copies it between storage backends (e.g. SQLite → PostgreSQL), verified by
counts and export comparison; `import_original` brings a data directory of the original MemoryOS. (Schema
upgrades of one store are storage/schema.py's.)"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from .config import MemoryosConfig, build_config
from .dump_vectors import attach_vectors
from .errors import InvalidInput, StorageError
from .export_format import dict_to_dump, dump_to_dict
from .integrity import check_dump
from .memoryos import make_embedder
from .models import Scope, ScopeDump
from .original_format import OriginalUser, read_original
from .providers.embeddings import Embedder
from .storage import Store, open_store
from .validation import expiry_after

log = logging.getLogger(__name__)


@dataclass
class MigrationReport:
    scopes: list[dict[str, object]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return sum(int(s["pages"]) for s in self.scopes)  # type: ignore[call-overload]


def copy_memory(
    source_url: str,
    target_url: str,
    user_id: str | None = None,
    progress: Callable[[Scope], None] | None = None,
) -> MigrationReport:
    """Copy every scope (or those of `user_id`) into empty scopes of the target; vectors travel as they are."""
    if source_url == target_url:
        raise InvalidInput("source and target storage are the same")
    source, target = open_store(source_url), open_store(target_url)
    report = MigrationReport()
    try:
        model = source.embedding_model()
        if model is not None:
            target.check_embedding_model(*model)
        scopes = source.list_scopes(user_id)
        if user_id is not None and not scopes:
            raise InvalidInput(f"no memory of user {user_id!r} in the source store")
        for scope in scopes:
            dump = source.export_scope(scope)
            if not (dump.pages or dump.facts or dump.profile_versions):
                continue
            problems = check_dump(dump)
            if problems:
                log.warning(
                    "source memory of %s has %d integrity problems, copied as is: %s",
                    scope.user_id,
                    len(problems),
                    problems[:3],
                )
            target.import_scope(scope, dump)
            _verify(dump, target.export_scope(scope), scope)
            report.scopes.append(
                {
                    "user_id": scope.user_id,
                    "assistant_id": scope.assistant_id,
                    "pages": len(dump.pages),
                    "segments": len(dump.segments),
                    "knowledge": len(dump.facts),
                    "profile_versions": len(dump.profile_versions),
                }
            )
            log.info("copied memory of %s/%s: %d pages", scope.user_id, scope.assistant_id, len(dump.pages))
            if progress:
                progress(scope)
    finally:
        source.close()
        target.close()
    return report


def _verify(before: ScopeDump, after: ScopeDump, scope: Scope) -> None:
    if dump_to_dict(before, scope.user_id, scope.assistant_id) != dump_to_dict(
        after, scope.user_id, scope.assistant_id
    ):
        raise StorageError(f"verification failed: the copy of {scope.user_id!r} differs from its source")
    for a, b in zip(before.pages, after.pages, strict=True):
        if (a.embedding is None) != (b.embedding is None) or (
            a.embedding is not None and b.embedding is not None and not np.allclose(a.embedding, b.embedding, atol=1e-6)
        ):
            raise StorageError(f"verification failed: vector of page {a.id} changed in the copy")


# ---- the original MemoryOS ----


@dataclass
class UserImport:
    """What became of one user of the original directory."""

    user_id: str
    assistant_id: str
    status: Literal["imported", "already imported"]
    short_term_pages: int
    mid_term_pages: int
    segments: int
    profile_versions: int
    user_knowledge: int
    assistant_knowledge: int
    notes: list[str] = field(default_factory=list)


@dataclass
class OriginalImportReport:
    source: str
    assistant_id: str
    assistant_file: str | None  # where assistant knowledge was read, relative to source; None: there was none
    users: list[UserImport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_original(
    path: str | os.PathLike[str],
    *,
    users: Collection[str] | None = None,
    assistant_id: str | None = None,
    config: MemoryosConfig | None = None,
    store: Store | None = None,
    embedder: Embedder | None = None,
    batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
    **settings: Any,
) -> OriginalImportReport:
    """Import a data directory of the original MemoryOS (its data_storage_path): every user under users/ (or those
    in `users`) becomes that user's memory here, with the assistant `assistant_id` (default: the only directory
    under assistants/, else the config's assistant_id), whose knowledge is added to every user's.

    The store is the config's (`config`, or settings as Memoryos takes them: `storage=`, `data_storage_path=`...),
    or an open `store` (left open). Everything is read and checked before anything is written (InvalidInput names
    the file and field); each user is then one transaction, ids kept. A user whose memory here already holds the
    original's pages is skipped ("already imported"), so an interrupted import can be run again; one whose memory
    holds other things is refused before anything is written. Vectors are computed with this store's embedding
    model; `progress(done, total)` counts pages and knowledge entries embedded."""
    cfg = build_config(settings, config)
    now = time.time()
    source = read_original(
        path, now=now, users=users, assistant_id=assistant_id or None, default_assistant=cfg.assistant_id
    )
    checked = [(user, _checked_dump(user, cfg, now)) for user in source.users]
    report = OriginalImportReport(str(path), source.assistant_id, source.assistant_file, notes=source.notes)
    target = store if store is not None else open_store(cfg.storage_url())
    try:
        plan = [(user, dump, _state(target, Scope(user.user_id, source.assistant_id), dump)) for user, dump in checked]
        taken = [user.user_id for user, _, state in plan if state == "other memory"]
        if taken:
            raise InvalidInput(
                f"the memory of {', '.join(map(repr, taken))} (assistant {source.assistant_id!r}) already holds other "
                "pages; the original's memory is imported into empty users (forget-user first, pick the users, or "
                "another assistant id); nothing was written"
            )
        todo = [(user, dump) for user, dump, state in plan if state == "empty"]
        total = sum(len([p for p in d.pages if p.tier != "short"]) + len(d.facts) for _, d in todo)
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total)

        model = _checked_embedder(target, embedder, cfg) if todo else None
        for user, dump, state in plan:
            scope = Scope(user.user_id, source.assistant_id)
            if state == "empty":
                assert model is not None  # made when there is anything to import
                attach_vectors(dump, model.embed, "llm", batch_size, advance)  # the original's summaries are an LLM's
                target.import_scope(scope, dump)
                log.info("imported memory of %s from the original MemoryOS: %d pages", scope.user_id, len(dump.pages))
            for note in user.notes:
                log.info("%s: %s", scope.user_id, note)
            report.users.append(_user_report(user, dump, scope, "imported" if state == "empty" else "already imported"))
    finally:
        if store is None:
            target.close()
    return report


def _checked_dump(user: OriginalUser, cfg: MemoryosConfig, now: float) -> ScopeDump:
    """The export's own validation, errors located in the original's files; new pages get the configured ttl."""
    try:
        dump = dict_to_dump(user.document, cfg.max_input_chars, cfg.max_meta_data_bytes)
    except InvalidInput as exc:
        raise type(exc)(user.locate(str(exc))) from exc
    expires_at = expiry_after(cfg.memory_ttl_seconds, now)
    for page in dump.pages:
        page.expires_at = expires_at
    return dump


def _state(store: Store, scope: Scope, dump: ScopeDump) -> Literal["empty", "imported", "other memory"]:
    counts = store.stats(scope)
    held = sum(counts["pages"].values()) + sum(counts["knowledge"].values()) + counts["profile_versions"]
    if not held:
        return "empty"
    wanted = {p.id for p in dump.pages}
    if wanted:
        present = {p.id for p in store.list_pages(scope)}
    else:  # a user of whom the original kept only knowledge
        wanted = {f.id for f in dump.facts}
        present = {f.id for f in store.list_facts(scope, include_history=True)}
    return "imported" if wanted <= present else "other memory"


def _checked_embedder(store: Store, embedder: Embedder | None, cfg: MemoryosConfig) -> Embedder:
    model = embedder if embedder is not None else make_embedder(cfg)
    store.check_embedding_model(model.name, model.dim)
    return model


def _user_report(
    user: OriginalUser, dump: ScopeDump, scope: Scope, status: Literal["imported", "already imported"]
) -> UserImport:
    return UserImport(
        user_id=scope.user_id,
        assistant_id=scope.assistant_id,
        status=status,
        short_term_pages=sum(p.tier == "short" for p in dump.pages),
        mid_term_pages=sum(p.tier == "mid" for p in dump.pages),
        segments=len(dump.segments),
        profile_versions=len(dump.profile_versions),
        user_knowledge=sum(f.kind == "user" for f in dump.facts),
        assistant_knowledge=sum(f.kind == "assistant" for f in dump.facts),
        notes=list(user.notes),
    )
