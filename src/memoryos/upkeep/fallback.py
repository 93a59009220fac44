"""Degrade instead of stalling: when the LLM keeps failing, upkeep goes on with the no-LLM analyzer.

Memory must keep working when the endpoint does not: pages that never leave short-term are never searched and
flood every prompt. `LLMHealth` remembers what the LLM has been doing; `AnalysisRouter` asks the LLM first and
falls back to the extractive analyzer once failures are persistent (an auth or model error, repeated failures,
a long outage, or a short-term backlog past its bound). While degraded, the LLM is probed again at most every
`llm_probe_seconds`; the first success restores it, and what was analysed extractively is marked so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from ..config import MemoryosConfig
from ..errors import LLMError
from ..models import iso
from ..providers.analysis import Analyzer

log = logging.getLogger(__name__)

T = TypeVar("T")
State = Literal["working", "failing", "degraded"]
# the endpoint will not get better by itself: wrong key, no such model, no permission
PERMANENT_STATUSES = frozenset({401, 403, 404})


@dataclass
class _Health:
    state: State = "working"
    since: float | None = None  # when the current state began (None: working from the start)
    last_error: str | None = None
    consecutive_failures: int = 0
    failing_since: float | None = None
    next_probe: float = 0.0
    fallback_batches: int = 0
    fallback_promotions: int = 0


class LLMHealth:
    """What the LLM has been doing lately (thread-safe; one per Memoryos instance)."""

    def __init__(self, config: MemoryosConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._h = _Health()

    def succeeded(self, now: float) -> None:
        with self._lock:
            if self._h.state != "working":
                log.warning("the LLM works again (after %s): upkeep uses it again", self._h.last_error)
                self._h.state, self._h.since = "working", now
            self._h.consecutive_failures, self._h.failing_since = 0, None

    def failed(self, exc: BaseException, now: float) -> None:
        with self._lock:
            h = self._h
            h.last_error = f"{type(exc).__name__}: {exc}"
            h.consecutive_failures += 1
            if h.failing_since is None:
                h.failing_since = now
            if h.state == "working":
                h.state, h.since = "failing", now
            h.next_probe = now + self.config.llm_probe_seconds

    def should_try_llm(self, now: float) -> bool:
        """Degraded: only a probe now and then; otherwise always."""
        with self._lock:
            return self._h.state != "degraded" or now >= self._h.next_probe

    def should_fall_back(self, exc: BaseException, now: float, backlog: int) -> str | None:
        """Why upkeep should go on without the LLM now, or None to postpone and retry it later."""
        cfg = self.config
        with self._lock:
            h = self._h
            status = getattr(exc, "status", None)
            if h.state == "degraded":
                return "the LLM is still failing"
            if status in PERMANENT_STATUSES:
                return f"the endpoint answered HTTP {status}, which retrying will not fix"
            if h.consecutive_failures >= cfg.llm_fallback_after_failures:
                return f"{h.consecutive_failures} failed attempts in a row"
            if h.failing_since is not None and now - h.failing_since >= cfg.llm_fallback_after_seconds:
                return f"failing for {now - h.failing_since:.0f} s"
            if backlog >= cfg.llm_backlog_pages:
                return f"{backlog} pages wait beyond the short-term capacity"
            return None

    def degrade(self, now: float, reason: str, kind: str) -> None:
        with self._lock:
            h = self._h
            if h.state != "degraded":
                log.warning(
                    "the LLM keeps failing (%s; last error: %s): upkeep continues without it", reason, h.last_error
                )
                h.state, h.since = "degraded", now
            h.next_probe = max(h.next_probe, now + self.config.llm_probe_seconds)
            if kind == "batch":
                h.fallback_batches += 1
            else:
                h.fallback_promotions += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            h = self._h
            return {
                "state": h.state,
                "since": iso(h.since) if h.since is not None else None,
                "last_error": h.last_error,
                "consecutive_failures": h.consecutive_failures,
                "extractive_batches": h.fallback_batches,
                "extractive_promotions": h.fallback_promotions,
            }


class AnalysisRouter:
    """Runs one analysis on the LLM analyzer, or on the extractive one when the LLM is not usable now."""

    def __init__(self, primary: Analyzer, fallback: Analyzer | None, health: LLMHealth | None) -> None:
        self.primary = primary
        self.fallback = fallback
        self.health = health

    def run(self, call: Callable[[Analyzer], T], *, now: float, backlog: int, kind: str) -> tuple[T, Analyzer]:
        """The analysis and the analyzer that made it; raises (work stays pending) when neither should run."""
        if self.fallback is None or self.health is None:
            return call(self.primary), self.primary
        if not self.health.should_try_llm(now):
            self.health.degrade(now, "the LLM is still failing", kind)
            return call(self.fallback), self.fallback
        try:
            result = call(self.primary)
        except LLMError as exc:
            self.health.failed(exc, now)
            reason = self.health.should_fall_back(exc, now, backlog)
            if reason is None:
                raise
            self.health.degrade(now, reason, kind)
            return call(self.fallback), self.fallback
        self.health.succeeded(now)
        return result, self.primary
