"""This instance's hold on a user's upkeep lease, the store-wide lock that keeps processes sharing a store from
running the same user's upkeep at once.

Each claim and release is a synced commit. A pass of upkeep is several steps (consolidate a batch, promote, then
the step that finds nothing left), so claiming per step cost two commits per step, contending with the adds it
follows. Here the steps of a pass share one claim: `keep()` marks a pass, `acquire()`/`release()` wrap a step (or
a promotion asked for by the caller), and the lease goes back when neither is left. A lease kept longer than a
third of its time is renewed by the next step, so another process takes over only from a holder that stopped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..models import Scope
from ..storage.base import Store

log = logging.getLogger(__name__)


class UpkeepLease:
    def __init__(
        self,
        store: Store,
        scope: Scope,
        holder: str,
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._scope = scope
        self._holder = holder
        self._seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._claimed_at: float | None = None  # None: not held in the store
        self._users = 0  # steps running under it
        self._passes = 0  # passes keeping it between their steps

    @property
    def held(self) -> bool:
        return self._claimed_at is not None

    def acquire(self) -> bool:
        """Take the lease for one step (claimed, or renewed when due); False while another process holds it."""
        with self._lock:
            now = self._clock()
            if self._claimed_at is None or now - self._claimed_at > self._seconds / 3:
                if not self._store.claim_upkeep(self._scope, self._holder, self._seconds):
                    self._claimed_at = None
                    return False
                self._claimed_at = now
            self._users += 1
            return True

    def release(self) -> None:
        """End a step; the lease goes back to the store unless a pass keeps it."""
        with self._lock:
            self._users -= 1
            self._give_back_if_unused()

    @contextmanager
    def keep(self) -> Iterator[None]:
        """Keep the lease between the steps run inside (a pass); never raises on its own account."""
        with self._lock:
            self._passes += 1
        try:
            yield
        finally:
            with self._lock:
                self._passes -= 1
                try:
                    self._give_back_if_unused()
                except Exception as exc:  # it expires on its own; the pass's outcome is what matters
                    name = type(exc).__name__
                    log.warning("upkeep lease not released (%s); it expires in %.0f s", name, self._seconds)

    def _give_back_if_unused(self) -> None:
        if self._users == 0 and self._passes == 0 and self._claimed_at is not None:
            self._claimed_at = None
            self._store.release_upkeep(self._scope, self._holder)
