"""Storage backends behind the `Store` protocol, chosen by URL."""

from __future__ import annotations

from urllib.parse import parse_qsl

from .base import Store


def open_store(url: str) -> Store:
    """`sqlite:///path/to/memoryos.db` (the embedded default; options `?synchronous=normal&timeout=5&mode=ro`)
    or `postgresql://user@host:port/db` (pgvector)."""
    from ..errors import ConfigError

    if url.startswith("sqlite:///"):
        from .sqlite import SqliteStore

        path, _, query = url.removeprefix("sqlite:///").partition("?")
        options = dict(parse_qsl(query))
        unknown = set(options) - {"synchronous", "timeout", "mode"}
        if unknown:
            raise ConfigError(f"unknown sqlite URL options {sorted(unknown)}; known: synchronous, timeout, mode=ro")
        try:
            timeout = float(options.get("timeout", 30.0))
        except ValueError as exc:
            raise ConfigError("sqlite URL option timeout must be a number of seconds") from exc
        synchronous = options.get("synchronous", "FULL").upper()
        if synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ConfigError("sqlite URL option synchronous must be off, normal, full or extra")
        return SqliteStore(path, synchronous=synchronous, timeout=timeout, read_only=options.get("mode") == "ro")
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore

        return PostgresStore(url)
    from ..redact import redact_url

    raise ConfigError(
        f"unknown storage URL {redact_url(url)!r}; expected sqlite:///path/to/memoryos.db or postgresql://..."
    )


__all__ = ["Store", "open_store"]
