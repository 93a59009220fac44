"""PostgreSQL + pgvector store: one database shared by many processes and users.

psycopg 3 with a connection pool; every operation is one transaction (the SQL itself is `SqlStore`'s). Per-user
ordering comes from the row lock on the user's `scopes` row; consolidation and promotion re-check their pages
under row locks (claimed, not raced); migrations run under an advisory lock so simultaneous starts are safe."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError, InvalidInput, NotFound, StorageError
from ..models import Fact, Page, ProfileVersion, Scope
from ..redact import redact_text
from . import pg_lexical
from .page_cache import RowVersionCache
from .rows import PAGE_COLS, UNITS_COLUMN, page_from_row, profile_from_row
from .schema import POSTGRES_MIGRATIONS, Migration
from .sql import CONFLICT, FACT_VERSION_SQL, LATEST_PROFILE_SQL, SqlStore, Tx

log = logging.getLogger(__name__)

_MIGRATION_LOCK = 7_273_001  # advisory lock key for schema changes
_ANALYZE_AFTER_ROWS = 1000  # imports at least this large refresh the planner's statistics
# pages wanted (4th parameter), each with its row version, whole unless this process keeps it at that version
# (1st and 2nd: the kept ids and their versions); the last two columns: the row version, and whether it is kept
_CACHED_PAGES = (
    "SELECT p.id, "
    + ", ".join(f"CASE WHEN k.v IS NULL THEN p.{c} END" for c in PAGE_COLS.split(", ")[1:])
    + ", CASE WHEN k.v IS NULL THEN vector_send(p.embedding) END"
    + f", CASE WHEN k.v IS NULL THEN p.{UNITS_COLUMN} END"
    + ", p.row_version, k.v IS NOT NULL FROM pages p "
    "LEFT JOIN unnest(%s::text[], %s::bigint[]) AS k(id, v) ON k.id = p.id AND k.v = p.row_version "
    "WHERE p.scope_key = %s AND p.id = ANY(%s)"
)


@functools.lru_cache(maxsize=1024)
def _marks(sql: str) -> str:
    return sql.replace("?", "%s")


class _PgTx(Tx):
    __slots__ = ()

    def sql(self, text: str) -> str:
        return _marks(text)

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(self.sql(sql), rows)


class PostgresStore(SqlStore):
    MIGRATIONS: ClassVar[list[Migration]] = POSTGRES_MIGRATIONS
    VECTOR = "?::vector"
    # vectors travel in pgvector's binary form (vector_send: int16 dim, int16 unused, big-endian float4s): read as
    # real[] text they cost ~0.14 ms each to parse, which made reading 100 vectors slower than the search itself
    VECTOR_READ = "vector_send(embedding)"
    FOR_UPDATE = " FOR UPDATE"

    def __init__(self, url: str, min_connections: int = 1, max_connections: int = 8) -> None:
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError as exc:
            raise ConfigError("PostgreSQL storage needs psycopg 3: pip install 'memoryos[postgres]'") from exc
        self._psycopg = psycopg
        self.url = url
        self._dim: int | None = None
        try:
            self._pool = ConnectionPool(
                url,
                min_size=min_connections,
                max_size=max_connections,
                configure=self._configure,
                open=True,
                timeout=30.0,
            )
            self._pool.wait(timeout=30.0)
        except Exception as exc:
            raise StorageError(f"cannot connect to PostgreSQL: {redact_text(str(exc))}") from exc
        self._migrate()
        self._fact_cache = self._kept_facts()
        self._page_cache = RowVersionCache()
        model = self.embedding_model()
        self._dim = model[1] if model else None

    @staticmethod
    def _configure(conn: Any) -> None:
        conn.autocommit = True
        # filtered HNSW scans keep going until enough rows of this user are found (pgvector ≥ 0.8)
        for setting in ("SET hnsw.iterative_scan = relaxed_order", "SET hnsw.ef_search = 100"):
            try:
                conn.execute(setting)
            except Exception:  # older pgvector: plain HNSW still works
                log.debug("PostgreSQL setting not available: %s", setting)

    # ---- the dialect ----

    def _ids(self, column: str, ids: Sequence[str]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(?)", [list(ids)]

    def _encode(self, vector: np.ndarray | None) -> str | None:
        if vector is None:
            return None
        return "[" + ",".join(map(str, np.asarray(vector, dtype=np.float32).tolist())) + "]"

    def _decode(self, raw: bytes | None) -> np.ndarray | None:
        return None if raw is None else np.frombuffer(raw, dtype=">f4", offset=4).astype(np.float32)

    def _decode_rows(self, raws: list[Any]) -> np.ndarray:
        if not raws:
            return np.zeros((0, 0), dtype=np.float32)
        body = b"".join(bytes(raw)[4:] for raw in raws)  # each without its 4-byte header
        return np.frombuffer(body, dtype=">f4").astype(np.float32).reshape(len(raws), -1)

    def _database_name(self) -> str:
        return redact_text(self.url)

    # ---- connections and transactions ----

    @contextmanager
    def _write(self, conflict: str = CONFLICT) -> Iterator[Tx]:
        with self._errors(conflict), self._pool.connection() as conn, conn.transaction():
            yield _PgTx(conn)

    @contextmanager
    def _read(self) -> Iterator[Tx]:
        """Reads run in autocommit: one statement is its own snapshot, so BEGIN and COMMIT would only add two
        round trips (a retrieve makes a dozen such reads)."""
        with self._errors(), self._pool.connection() as conn:
            yield _PgTx(conn)

    @contextmanager
    def _errors(self, conflict: str = CONFLICT) -> Iterator[None]:
        """psycopg's and the pool's failures as our typed errors, never showing a password; ours pass through."""
        psycopg = self._psycopg
        try:
            yield
        except (InvalidInput, NotFound, ConfigError):
            raise
        except psycopg.errors.UniqueViolation as exc:
            log.info("write conflicted: %s", exc.diag.message_primary)
            raise InvalidInput(conflict) from exc
        except psycopg.Error as exc:
            raise StorageError(f"PostgreSQL error: {redact_text(str(exc))}") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg_pool"):
                raise StorageError(f"PostgreSQL pool error: {redact_text(str(exc))}") from exc
            raise

    def close(self) -> None:
        if self._fact_cache is not None:
            self._fact_cache.clear()
        self._page_cache.clear()
        self._pool.close()

    # ---- hooks ----

    def _lock_schema(self, tx: Tx) -> None:
        tx.run("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))

    def _model_recorded(self, tx: Tx, dim: int) -> None:
        # HNSW needs a fixed dimension: index an expression cast, which queries repeat verbatim
        for table in ("pages", "segments", "knowledge"):
            tx.run(
                f"CREATE INDEX IF NOT EXISTS {table}_hnsw ON {table} "
                f"USING hnsw ((embedding::vector({int(dim)})) vector_cosine_ops) WHERE embedding IS NOT NULL"
            )

    def check_embedding_model(self, name: str, dim: int) -> None:
        super().check_embedding_model(name, dim)
        self._dim = dim

    def _retryable(self, exc: StorageError) -> bool:
        errors = self._psycopg.errors
        return isinstance(exc.__cause__, (errors.DeadlockDetected, errors.SerializationFailure))

    def _imported(self, pages: int) -> None:
        """Fresh planner statistics after a bulk load: until autovacuum gets to it, the planner guesses the
        tables are small and scans them instead of using the HNSW and user indexes."""
        if pages < _ANALYZE_AFTER_ROWS:
            return
        try:
            with self._pool.connection() as conn:  # autocommit: ANALYZE sees the committed rows
                for table in ("pages", "segments", "knowledge"):
                    conn.execute(f"ANALYZE {table}")
        except self._psycopg.Error as exc:  # statistics are an optimisation; the import itself succeeded
            log.warning("ANALYZE after a bulk import failed: %s", redact_text(str(exc)))

    # the lexical index: tokens in the page's row, the scope's counts in lexical_stats (storage/pg_lexical.py)

    def _page_lexical(self, page: Page) -> dict[str, Any]:
        return pg_lexical.page_columns(page.user_input, page.agent_response, page.timestamp)

    def _page_added(self, tx: Tx, scope: Scope, page: Page) -> None:
        tx.run(
            "INSERT INTO lexical_stats AS s(scope_key, docs, tokens) SELECT scope_key, 1, lex_len FROM pages "
            "WHERE scope_key=? AND id=? "
            "ON CONFLICT (scope_key) DO UPDATE SET docs = s.docs + 1, tokens = s.tokens + excluded.tokens",
            (scope.key, page.id),
        )

    def _pages_imported(self, tx: Tx, scope: Scope) -> None:
        pg_lexical.recount(tx, scope.key)

    def _delete_page(self, tx: Tx, scope: Scope, page_id: str) -> bool:
        row = tx.one("SELECT lex_len FROM pages WHERE scope_key=? AND id=?", (scope.key, page_id))
        deleted = super()._delete_page(tx, scope, page_id)
        if deleted and row:
            tx.run(
                "UPDATE lexical_stats SET docs = docs - 1, tokens = tokens - ? WHERE scope_key=?", (row[0], scope.key)
            )
        return deleted

    def _forgetting(self, tx: Tx, scope: Scope) -> None:
        tx.run("DELETE FROM lexical_stats WHERE scope_key=?", (scope.key,))

    def _storage_stats(self, tx: Tx) -> dict[str, Any]:
        (size,) = tx.one("SELECT pg_database_size(current_database())")
        return {"backend": "postgresql", "url": redact_text(self.url), "bytes": int(size)}

    # ---- what a retrieve reads: each pair of statements sent together (one round trip, not two) ----

    def _together(self, *statements: tuple[str, Sequence[Any]]) -> list[list[Any]]:
        """Read statements in one pipeline, each its own snapshot in autocommit, in the order given."""
        with self._errors(), self._pool.connection() as conn:
            with conn.pipeline():
                cursors = [conn.execute(_marks(sql), params) for sql, params in statements]
            return [cursor.fetchall() for cursor in cursors]

    def retrieval_reads(self, scope: Scope) -> tuple[list[Page], list[Fact]]:
        """The short-term pages and the scope's fact version together; the facts from the fact cache while that
        version stands (the version is read before any fact, as `list_facts` does)."""
        if self._fact_cache is None:
            return super().retrieval_reads(scope)
        pages_sql, params = self._pages_statement(scope, tier="short")
        page_rows, version_rows = self._together((pages_sql, params), (FACT_VERSION_SQL, (scope.key,)))
        version = int(version_rows[0][0]) if version_rows else 0
        read = (None, True, True)
        facts = self._fact_cache.get(scope.key, version, read)
        if facts is None:
            with self._read() as tx:
                facts = self._facts_at(tx, scope, version, read)
        return [page_from_row(row) for row in page_rows], facts

    def context_reads(
        self, scope: Scope
    ) -> tuple[tuple[list[str], list[tuple[str, ...]], np.ndarray], ProfileVersion | None]:
        segment_rows, profile_rows = self._together(
            (self._segment_vectors_sql(), (scope.key,)), (LATEST_PROFILE_SQL, (scope.key,))
        )
        return self._segment_vectors(segment_rows), profile_from_row(profile_rows[0]) if profile_rows else None

    # ---- pages read for retrieval, kept (storage/page_cache.py, RowVersionCache) ----

    def get_pages(self, scope: Scope, page_ids: list[str], with_vectors: bool = False) -> list[Page]:
        """Pages read with their vectors (retrieval's reads) come from the page cache while their rows are
        unchanged: one small read of the rows' versions, then the changed and unknown pages in full."""
        if not with_vectors or not page_ids:
            return super().get_pages(scope, page_ids, with_vectors)
        return self._cached_pages(scope, page_ids, copy=True)

    def shared_pages(self, scope: Scope, page_ids: list[str]) -> list[Page]:
        """The cached pages themselves, not copies (a retrieve reads ~150 and returns ~10)."""
        if not page_ids:
            return []
        return self._cached_pages(scope, page_ids, copy=False)

    def _cached_pages(self, scope: Scope, page_ids: list[str], copy: bool) -> list[Page]:
        """One statement: every wanted page's row version, and the whole row of those not kept at that version."""
        cache = self._page_cache
        wanted = list(dict.fromkeys(page_ids))
        kept_versions = cache.versions(scope.key, wanted)
        found: dict[str, Page] = {}
        fresh: list[tuple[int, Page]] = []
        with self._read() as tx:
            rows = tx.all(_CACHED_PAGES, (list(kept_versions), list(kept_versions.values()), scope.key, wanted))
            unchanged = {row[0]: int(row[-2]) for row in rows if row[-1]}
            found = cache.get(scope.key, unchanged, copy=copy)
            fresh = [(int(row[-2]), self._page(row)) for row in rows if not row[-1]]
            lost = [page_id for page_id in unchanged if page_id not in found]  # dropped by another thread since
            if lost:
                where, params = self._among(scope, lost)
                columns = f"{PAGE_COLS}, {self.VECTOR_READ}, {UNITS_COLUMN}, row_version"
                fresh += [
                    (int(row[-1]), self._page(row))
                    for row in tx.all(f"SELECT {columns} FROM pages WHERE {where}", params)
                ]
        # each page is kept with the version its own row had when it was read
        cache.put(scope.key, fresh, copy=copy)
        found.update((page.id, page) for _, page in fresh)
        return [found[i] for i in page_ids if i in found]

    # ---- search ----

    def dense_search(self, scope: Scope, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        return self.search(scope, query, k, [], 0)[0]

    def lexical_search(self, scope: Scope, terms: list[str], k: int) -> list[tuple[str, float]]:
        return self.search(scope, np.zeros(0, dtype=np.float32), 0, terms, k)[1]

    def search(
        self, scope: Scope, query: np.ndarray, k_dense: int, terms: list[str], k_lexical: int
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Both searches in one pipeline: sent together, answered together (one round trip, not two)."""
        statements = [self._dense_statement(scope, query, k_dense), self._lexical_statement(scope, terms, k_lexical)]
        wanted = [s for s in statements if s is not None]
        results: list[list[Any]] = []
        if wanted:
            with self._errors(), self._pool.connection() as conn:
                if len(wanted) == 1:
                    results = [conn.execute(*wanted[0]).fetchall()]
                else:
                    with conn.pipeline():
                        cursors = [conn.execute(*statement) for statement in wanted]
                    results = [cursor.fetchall() for cursor in cursors]
        found = iter(results)
        dense = [(r[0], float(r[1])) for r in next(found)] if statements[0] else []
        dense.sort(key=lambda h: -h[1])  # relaxed-order HNSW scans may return near-sorted rows
        lexical = [(r[0], float(r[1])) for r in next(found)] if statements[1] else []
        return dense, lexical

    def _dense_statement(self, scope: Scope, query: np.ndarray, k: int) -> tuple[str, tuple[Any, ...]] | None:
        if self._dim is None or k <= 0:
            return None
        cast = f"vector({self._dim})"
        vector = self._encode(query)
        sql = (
            f"SELECT id, 1 - (embedding::{cast} <=> ?::{cast}) AS score FROM pages "
            f"WHERE scope_key=? AND embedding IS NOT NULL ORDER BY embedding::{cast} <=> ?::{cast} LIMIT ?"
        )
        return _marks(sql), (vector, scope.key, vector, k)

    def _lexical_statement(self, scope: Scope, terms: list[str], k: int) -> tuple[str, tuple[Any, ...]] | None:
        # analyze() makes tokens of at most 64 characters; a longer one could not be a tsquery lexeme anyway
        tokens = list(dict.fromkeys(t for t in terms if t and len(t.encode()) <= pg_lexical.MAX_LEXEME_BYTES))
        if not tokens or k <= 0:
            return None
        params = (scope.key, tokens, scope.key, pg_lexical.tsquery_literal(tokens), k)
        return _marks(pg_lexical.BM25_SQL), params

    # ---- the lexical index ----

    def lexical_index_problems(self, scope: Scope) -> list[str]:
        with self._read() as tx:
            return pg_lexical.problems(tx, scope.key)

    def rebuild_lexical_index(self, scope: Scope) -> int:
        with self._write() as tx:
            self._lock_scope(tx, scope)
            return pg_lexical.reindex(tx, scope.key)
