"""The original MemoryOS's method names (BAI-LAB's memoryos-pypi), as aliases of memoryos's own calls that return
what the original returns, so code written for it runs unchanged. Mixed into `Memoryos`."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Protocol

from .models import Scope

ORIGINAL_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # how the original writes every time (it uses local time; here UTC)


class _Memory(Protocol):
    """What the aliases use of Memoryos."""

    scope: Scope

    def get_user_profile(self) -> str: ...

    def get_knowledge(self, kind: Any = None, include_history: bool = False) -> list[dict[str, Any]]: ...

    def list_pages(
        self, tier: str | None = None, limit: int | None = None, offset: int = 0, segment_id: str | None = None
    ) -> list[dict[str, Any]]: ...

    def list_segments(self, include_archived: bool = False) -> list[dict[str, Any]]: ...

    def flush(self, timeout: float | None = None) -> bool: ...

    def promote(self, segment_id: str | None = None) -> bool: ...


def original_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime(ORIGINAL_TIME_FORMAT)


class OriginalApi:
    """`get_user_profile_summary`, `get_assistant_knowledge_summary`, `force_mid_term_analysis`,
    `get_memory_stats`, and the `user_id` / `assistant_id` attributes: the original's names for what memoryos
    calls otherwise."""

    @property
    def user_id(self: _Memory) -> str:
        return self.scope.user_id

    @property
    def assistant_id(self: _Memory) -> str:
        return self.scope.assistant_id

    def get_user_profile_summary(self: _Memory) -> str:
        """Alias of `get_user_profile()`; like the original, the string "None" while there is no profile."""
        return self.get_user_profile() or "None"

    def get_assistant_knowledge_summary(self: _Memory) -> list[dict[str, Any]]:
        """Alias of `get_knowledge("assistant")` in the original's shape: `{"knowledge", "timestamp"}` per entry,
        the time as the original writes it ("2025-01-31 14:05:00", UTC here), plus memoryos's `id`. The original's
        `knowledge_embedding` is left out: vectors stay inside the store."""
        return [
            {"knowledge": f["text"], "timestamp": original_time(f["created_at"]), "id": f["id"]}
            for f in self.get_knowledge("assistant")
        ]

    def force_mid_term_analysis(self: _Memory) -> None:
        """Alias of `flush()` then `promote()`: the hottest mid-term segment with pages not analysed yet becomes
        profile and knowledge now, whatever its heat (the original analyses only its hottest segment, and
        nothing when that one has no new pages)."""
        self.flush()
        self.promote()

    def get_memory_stats(self: _Memory) -> dict[str, Any]:
        """The original's counts, from `list_pages("short")`, `list_segments()`, `get_user_profile()` and
        `get_knowledge("assistant")` (`stats()` has memoryos's own, fuller picture)."""
        return {
            "user_id": self.scope.user_id,
            "short_term_count": len(self.list_pages("short")),
            "mid_term_sessions_count": len(self.list_segments()),
            "has_user_profile": bool(self.get_user_profile().strip()),
            "assistant_knowledge_count": len(self.get_knowledge("assistant")),
        }
