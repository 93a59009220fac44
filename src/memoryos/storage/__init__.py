"""Storage backends behind the `Store` protocol, chosen by URL."""

from __future__ import annotations

from .base import Store


def open_store(url: str) -> Store:
    """`sqlite:///path/to/memoryos.db` (the embedded default) or `postgresql://user@host:port/db` (pgvector)."""
    from ..errors import ConfigError

    if url.startswith("sqlite:///"):
        from .sqlite import SqliteStore

        return SqliteStore(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore

        return PostgresStore(url)
    raise ConfigError(f"unknown storage URL {url!r}; expected sqlite:///path/to/memoryos.db or postgresql://...")


__all__ = ["Store", "open_store"]
