"""Storage backends behind the `Store` protocol, chosen by URL."""

from __future__ import annotations

from .base import Store


def open_store(url: str) -> Store:
    """`sqlite:///path/to/memoryos.db` (the embedded default). PostgreSQL arrives behind the same protocol."""
    from ..errors import ConfigError

    if url.startswith("sqlite:///"):
        from .sqlite import SqliteStore

        return SqliteStore(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        raise ConfigError("PostgreSQL storage is not available in this version; use sqlite:///path")
    raise ConfigError(f"unknown storage URL {url!r}; expected sqlite:///path/to/memoryos.db")


__all__ = ["Store", "open_store"]
