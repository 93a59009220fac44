"""Forgetting on purpose: which items have expired, and the upkeep step that deletes them.

An item (page or fact) with `expires_at` leaves every read as soon as the reader's clock reaches that time; upkeep
then deletes it for good (Store.purge_expired), with the facts learnt only from expired pages, and rewrites the text
memory wrote from them (upkeep.rewriter). Reads filter with the same clock, so nothing expired is ever shown in the
window between expiry and the purge.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Protocol, TypeVar

from .models import Purged, Scope
from .storage.base import Store

log = logging.getLogger(__name__)


class Expiring(Protocol):
    @property
    def expires_at(self) -> float | None: ...


T = TypeVar("T", bound=Expiring)


def is_expired(expires_at: float | None, now: float) -> bool:
    """Expired from the moment the clock reaches expires_at (the purge deletes `expires_at <= now` too)."""
    return expires_at is not None and expires_at <= now


def unexpired(items: Iterable[T], now: float) -> list[T]:
    return [item for item in items if not is_expired(item.expires_at, now)]


class AfterPurge(Protocol):
    def after_purge(self, purged: Purged, now: float) -> None: ...


def purge_expired(store: Store, scope: Scope, now: float, rewriter: AfterPurge | None = None) -> bool:
    """One upkeep step: delete what has expired, and what was learnt only from it, then let `rewriter`
    (upkeep.rewriter) rewrite the text memory wrote from it. True if anything was deleted."""
    purged = store.purge_expired(scope, now)
    if purged:
        log.info(
            "forgot %d expired page(s) and %d fact(s) of %s", len(purged.pages), len(purged.fact_ids), scope.user_id
        )
        if rewriter is not None:
            rewriter.after_purge(purged, now)
    return bool(purged)
