"""Retrieval visits waiting to be written (write-behind of heat's N_visit and recency).

A retrieve that uses a segment counts a visit. Writing it is a transaction (a synced commit on PostgreSQL), so with a
background worker the visits of a process are kept here, coalesced per segment, and written together by the
worker within a bounded delay, on close, and before anything reads stored heat. The write adds counts
(`n_visit = n_visit + k`), never overwrites them, so processes sharing a store lose nothing to each other.

What a crash can lose: the visits noted since the last write (at most the worker's delay, plus a write in flight).
Pages, segments and facts are never at stake: a visit only raises a segment's heat.

Heat shown before the write (a retrieve's segments) has the visits not yet written added (`overlay`), so a caller
sees its own visits at once; reads that show stored heat (segments, stats, export) write them first (`write`),
waiting for a write already in flight rather than reading around it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace

from ..models import Segment

Writer = Callable[[list[str], float], list[Segment]]


class PendingVisits:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the counters; held only for dict work, never across a write
        self._write_lock = threading.Lock()  # one write at a time; readers of stored heat wait for it
        self._pending: Counter[str] = Counter()
        self._pending_time = 0.0
        self._inflight: Counter[str] = Counter()  # taken by the write in progress, not committed yet
        self._inflight_time = 0.0

    def add(self, segment_ids: Iterable[str], now: float) -> None:
        """Each occurrence of an id is one visit."""
        with self._lock:
            self._pending.update(segment_ids)
            self._pending_time = max(self._pending_time, now)

    def __len__(self) -> int:
        """Visits noted and not written yet (a write in flight included)."""
        with self._lock:
            return self._pending.total() + self._inflight.total()

    def overlay(self, segment: Segment) -> Segment:
        """The segment as it will be once its visits noted here are written (the same object if it has none)."""
        with self._lock:
            visits = self._pending.get(segment.id, 0) + self._inflight.get(segment.id, 0)
            if not visits:
                return segment
            # a write stamps every id it takes with the latest time among them, as this reads it
            last = max(
                self._pending_time if segment.id in self._pending else 0.0,
                self._inflight_time if segment.id in self._inflight else 0.0,
            )
        return replace(segment, n_visit=segment.n_visit + visits, last_access=max(segment.last_access, last))

    def write(self, writer: Writer) -> list[Segment]:
        """Write every visit noted so far with `writer(ids, now)`; returns what it returns ([] if none were
        pending). On failure the visits are kept for the next write and the error propagates."""
        with self._write_lock:
            with self._lock:
                if not self._pending:
                    return []
                taken, now = self._pending, self._pending_time
                self._pending, self._pending_time = Counter(), 0.0
                self._inflight, self._inflight_time = taken, now
            try:
                written = writer(list(taken.elements()), now)
            except BaseException:
                with self._lock:
                    self._pending.update(taken)  # kept for the next attempt
                    self._pending_time = max(self._pending_time, now)
                    self._inflight = Counter()
                raise
            with self._lock:
                self._inflight = Counter()
            return written


__all__ = ["PendingVisits"]
