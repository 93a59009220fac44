"""`memoryos migrate`: copy memory between storage backends (e.g. SQLite → PostgreSQL), verified by counts and
export comparison. (Schema upgrades of one store are storage/schema.py's.)"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .errors import InvalidInput, StorageError
from .export_format import dump_to_dict
from .integrity import check_dump
from .models import Scope, ScopeDump
from .storage import open_store

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
