"""The embedded store: one SQLite file, WAL, one transaction per operation (`BEGIN IMMEDIATE` for writes), FTS5
for lexical search and exact numpy search over cached page vectors. The SQL itself is `SqlStore`'s.

The FTS5 index holds each page as `lexical.analyze` tokenizes it (CJK bigrams, stems), joined by spaces, under
FTS5's `ascii` tokenizer, which splits on those spaces only: the index holds the very tokens the PostgreSQL store
holds, and FTS5's bm25() is the score that store reproduces."""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .. import side
from ..errors import ConfigError, InvalidInput, StorageError
from ..lexical import page_index_text
from ..models import Page, Scope
from .filelock import FileWriteLock
from .group_commit import AddQueue, PendingAdd
from .page_cache import PageCache
from .schema import SQLITE_MIGRATIONS, Migration
from .sql import CONFLICT, SqlStore, Tx, check_page_times, page_conflict

log = logging.getLogger(__name__)

PARALLEL_SCAN_ROWS = 25_000  # page vectors per piece of a scan run side by side (below: one piece, no hand-off)
_CREATION_GRACE_SECONDS = 2.0  # how long a 0-byte database may take to get its header from a creating process
_INDEX_PAGES = (  # the FTS5 row of each page: the same text lexical_index_problems compares with
    "INSERT INTO pages_fts(rowid, scope, body) SELECT pk, scope_key, "
    "memoryos_lexical(user_input, agent_response, timestamp) FROM pages WHERE scope_key=?"
)

# Lexical search, ranked inside the FTS index and then joined with the pages of only the top k. The scope column has
# weight 0 in bm25(): a row's score is the same with or without the scope phrase in the MATCH (that phrase adds
# 0.0, first; the row's length and the body phrases' IDF are the whole table's either way), and the rows come in
# the same rowid order, so when every page is this scope's both queries return the same list. The filter is not
# free at scale: FTS5 computes an IDF for every phrase, the scope's by visiting each of its rows.
_LEXICAL_SCOPED = (
    "SELECT p.id, f.score FROM (SELECT rowid, -bm25(pages_fts, 0.0, 1.0) AS score FROM pages_fts "
    "WHERE pages_fts MATCH ? ORDER BY bm25(pages_fts, 0.0, 1.0) LIMIT ?) f "
    "JOIN pages p ON p.pk = f.rowid WHERE p.scope_key=? ORDER BY f.score DESC"
)
_LEXICAL_ONLY_SCOPE = (
    "SELECT p.id, f.score, p.scope_key FROM (SELECT rowid, -bm25(pages_fts, 0.0, 1.0) AS score FROM pages_fts "
    "WHERE pages_fts MATCH ? ORDER BY bm25(pages_fts, 0.0, 1.0) LIMIT ?) f "
    "LEFT JOIN pages p ON p.pk = f.rowid ORDER BY f.score DESC"
)
# a page of another scope, found in pages_seq (scope_key, seq) by two range probes
_OTHER_SCOPES = (
    "SELECT 1 WHERE EXISTS (SELECT 1 FROM pages WHERE scope_key < ?) "
    "OR EXISTS (SELECT 1 FROM pages WHERE scope_key > ?)"
)


def _lexical_body(user_input: object, agent_response: object, timestamp: object = None) -> str:
    """memoryos_lexical(user_input, agent_response[, timestamp]): with the time, the page's dates are indexed too
    (a released migration step calls it with two arguments)."""
    return page_index_text(str(user_input or ""), str(agent_response or ""), timestamp)


class _VectorCache:
    """Page vectors of one scope in one matrix; refreshed incrementally from the scope's vector counters."""

    def __init__(self) -> None:
        self.version = -1
        self.removals = -1
        self.ids: list[str] = []
        self.matrix = np.zeros((0, 0), dtype=np.float32)


class SqliteStore(SqlStore):
    MIGRATIONS: ClassVar[list[Migration]] = SQLITE_MIGRATIONS
    GREATEST = "max"
    NO_LIMIT = -1
    ID_BATCH = 500

    def __init__(self, path: str, synchronous: str = "FULL", timeout: float = 30.0, read_only: bool = False) -> None:
        if not path:
            raise ConfigError("sqlite storage needs a file path")
        self.path = Path(path)
        self.read_only = read_only
        existed = self.path.exists()
        if read_only and not existed:
            raise StorageError(f"no database at {self.path} to open read-only")
        if existed:
            self._refuse_empty_file()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the data directory {self.path.parent}: {exc}") from exc
        self._synchronous = synchronous
        self._timeout = timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._conn_lock = threading.Lock()
        # writers of this process queue here, then writers of every process on the sidecar file lock, rather than
        # in SQLite's busy handler, which polls the database's lock with sleeps of 1-100 ms (always in this order)
        self._write_lock = threading.RLock()
        self._file_lock = None if read_only else FileWriteLock(self.path)
        self._adds = AddQueue()  # adds waiting for the write lock: committed together (storage/group_commit.py)
        self._caches: dict[str, _VectorCache] = {}
        self._cache_lock = threading.Lock()
        self._migrate()
        # a read-only store of an older schema has no page change counters: its pages are read every time
        self._page_cache = PageCache() if self._has_page_counters() else None
        self._fact_cache = self._kept_facts()

    def _refuse_empty_file(self) -> None:
        """A file that exists but holds 0 bytes is not a store, whatever SQLite would make of it (a new, empty
        one): it is most likely a truncated database. Only a store this process creates starts empty.

        Another process creating the store right now leaves it at 0 bytes only between its connect and its first
        PRAGMA (journal_mode=WAL writes the header), so a short wait tells the two cases apart."""
        deadline = time.monotonic() + _CREATION_GRACE_SECONDS
        while True:
            try:
                size = self.path.stat().st_size
            except FileNotFoundError:
                return  # removed meanwhile: a new store is created below
            except OSError as exc:
                raise StorageError(f"cannot read the database file {self.path}: {exc}") from exc
            if size > 0:
                return
            if time.monotonic() >= deadline:
                raise StorageError(
                    f"the database file {self.path} is empty (0 bytes): it may have been truncated (a failed copy, a "
                    "full disk, another program). memoryos does not start a new store over an existing file. If it "
                    f"held memory, restore it from a backup (keep any {self.path.name}-wal file beside it); to start "
                    "afresh, delete the file and run again."
                )
            time.sleep(0.05)

    # ---- the dialect ----

    def _ids(self, column: str, ids: Sequence[str]) -> tuple[str, list[Any]]:
        return f"{column} IN ({','.join('?' * len(ids))})", list(ids)

    def _encode(self, vector: np.ndarray | None) -> bytes | None:
        return None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()

    def _decode(self, raw: bytes | None) -> np.ndarray | None:
        return None if raw is None else np.frombuffer(raw, dtype=np.float32)

    def _decode_rows(self, raws: list[Any]) -> np.ndarray:
        if not raws:
            return np.zeros((0, 0), dtype=np.float32)
        return np.frombuffer(b"".join(raws), dtype=np.float32).reshape(len(raws), -1)

    def _database_name(self) -> str:
        return str(self.path)

    # ---- connections and transactions ----

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                target = f"file:{self.path}?mode=ro" if self.read_only else str(self.path)
                conn = sqlite3.connect(
                    target, isolation_level=None, check_same_thread=False, timeout=self._timeout, uri=self.read_only
                )
                if not self.read_only:
                    conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(f"PRAGMA synchronous={self._synchronous}")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute(f"PRAGMA busy_timeout={int(self._timeout * 1000)}")
                # the analyzer, for SQL that indexes or checks many pages (imports, the migration, check)
                conn.create_function("memoryos_lexical", 2, _lexical_body, deterministic=True)
                conn.create_function("memoryos_lexical", 3, _lexical_body, deterministic=True)
            except sqlite3.Error as exc:
                raise StorageError(f"cannot open the database {self.path}: {exc}") from exc
            self._local.conn = conn
            with self._conn_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self, conflict: str = CONFLICT) -> Iterator[Tx]:
        with self._write_lock, self._across_processes(), self._transaction(conflict) as tx:
            yield tx

    @contextmanager
    def _across_processes(self) -> Iterator[None]:
        if self._file_lock is None:
            yield
            return
        try:
            self._file_lock.acquire(self._timeout)
        except OSError as exc:  # TimeoutError included
            raise StorageError(f"database unavailable for writing: cannot lock {self._file_lock.path}: {exc}") from exc
        try:
            yield
        finally:
            self._file_lock.release()

    @contextmanager
    def _transaction(self, conflict: str) -> Iterator[Tx]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StorageError(f"database unavailable for writing: {exc}") from exc
        try:
            yield Tx(conn)
        except BaseException as exc:
            self._rollback(conn)
            if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE constraint failed" in str(exc):
                log.info("write conflicted: %s", exc)
                raise InvalidInput(conflict) from exc
            if isinstance(exc, sqlite3.Error):
                raise StorageError(f"database error: {exc}") from exc
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback(conn)
            raise StorageError(f"commit failed: {exc}") from exc

    # ---- adds: those that wait for the write lock are committed together (storage/group_commit.py) ----

    def _add_page(self, scope: Scope, page: Page, count: bool) -> int:
        check_page_times(page)
        item = PendingAdd(scope, page, count)
        self._adds.join(item)
        with self._write_lock:
            if not item.settled:  # no writer took it while this one waited: write it, and whatever queued since
                self._write_adds(self._adds.take(), item)
        if item.error is not None:
            raise item.error
        page.tier = "short"
        return item.short

    def _write_adds(self, batch: list[PendingAdd], writer: PendingAdd) -> None:
        """One transaction and one commit for every add of `batch` (`writer`'s among them); each add's outcome is
        set before any of them returns."""
        try:
            with self._across_processes(), self._transaction(page_conflict(writer.page)) as tx:
                if len(batch) == 1:  # a lone add: the same statements as ever, no savepoint
                    writer.short = self._insert_page(tx, writer.scope, writer.page, writer.count)
                else:
                    for item in batch:
                        self._insert_alone(tx, item)
        except BaseException as exc:  # nothing of the batch was committed: the writer raises the error itself,
            for item in batch:  # every other add a StorageError of its own
                if item is writer:
                    item.error = exc
                elif item.error is None:
                    item.error = StorageError(f"the write of this page failed: {exc}")
                    item.error.__cause__ = exc
        finally:
            for item in batch:
                item.settled = True

    def _insert_alone(self, tx: Tx, item: PendingAdd) -> None:
        """One add of a group, in a savepoint: if it fails (its page id is taken), only it is undone."""
        tx.run("SAVEPOINT memoryos_add")
        try:
            item.short = self._insert_page(tx, item.scope, item.page, item.count)
        except Exception as exc:
            tx.run("ROLLBACK TO memoryos_add")  # if SQLite already undid the transaction, this fails the batch
            tx.run("RELEASE memoryos_add")
            if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE constraint failed" in str(exc):
                item.error = InvalidInput(page_conflict(item.page))
            elif isinstance(exc, sqlite3.Error):
                item.error = StorageError(f"database error: {exc}")
            else:
                item.error = exc
            if item.error is not exc:
                item.error.__cause__ = exc
            return
        tx.run("RELEASE memoryos_add")

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        # SQLite already rolled back on some errors (SQLITE_FULL, I/O errors): a second ROLLBACK would fail and
        # hide the original error
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")

    @contextmanager
    def _read(self) -> Iterator[Tx]:
        conn = self._conn()
        try:
            conn.execute("BEGIN")  # one snapshot for every statement of the read
            yield Tx(conn)
        except sqlite3.Error as exc:
            raise StorageError(f"database read failed: {exc}") from exc
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def close(self) -> None:
        cache = getattr(self, "_page_cache", None)
        if cache is not None:
            cache.clear()
        if self._fact_cache is not None:
            self._fact_cache.clear()
        with self._conn_lock:
            for conn in self._connections:
                with suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()
        if self._file_lock is not None:
            with self._write_lock:
                self._file_lock.close()

    # ---- hooks: the FTS5 index and the vector counters follow every write ----

    def _page_added(self, tx: Tx, scope: Scope, page: Page) -> None:
        # VALUES, not _INDEX_PAGES: an INSERT ... SELECT into FTS5 costs several times more per row
        tx.run(
            "INSERT INTO pages_fts(rowid, scope, body) VALUES(last_insert_rowid(), ?, ?)",
            (scope.key, page_index_text(page.user_input, page.agent_response, page.timestamp)),
        )

    def _pages_imported(self, tx: Tx, scope: Scope) -> None:
        tx.run(_INDEX_PAGES, (scope.key,))

    def _page_removed(self, tx: Tx, scope: Scope, pk: int, had_vector: bool) -> None:
        tx.run("DELETE FROM pages_fts WHERE rowid=?", (pk,))
        if had_vector:
            self._bump_vectors(tx, scope, removed=True)

    def _vectors_written(self, tx: Tx, scope: Scope, replaced: bool) -> dict[str, Any]:
        # replaced rows make caches reload fully; new ones are read after the cache's version
        return {"vec_seq": self._bump_vectors(tx, scope, removed=replaced)}

    @staticmethod
    def _bump_vectors(tx: Tx, scope: Scope, removed: bool) -> int:
        """Count a change of the scope's page vectors; returns its vector version (0: a scope never seen)."""
        column = "vector_removals" if removed else "vector_version"
        row = tx.one(
            f"UPDATE scopes SET {column} = {column} + 1 WHERE scope_key=? RETURNING vector_version", (scope.key,)
        )
        return int(row[0]) if row else 0

    def _forgetting(self, tx: Tx, scope: Scope) -> None:
        tx.run("DELETE FROM pages_fts WHERE rowid IN (SELECT pk FROM pages WHERE scope_key=?)", (scope.key,))
        self._bump_vectors(tx, scope, removed=True)

    def _storage_stats(self, tx: Tx) -> dict[str, Any]:
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return {"backend": "sqlite", "path": str(self.path), "bytes": size}

    # ---- pages read for retrieval, kept (storage/page_cache.py) ----

    def _has_page_counters(self) -> bool:
        with self._read() as tx:
            return any(row[1] == "page_version" for row in tx.all("PRAGMA table_info(scopes)"))

    def get_pages(self, scope: Scope, page_ids: list[str], with_vectors: bool = False) -> list[Page]:
        """Pages read with their vectors (retrieval's reads) come from the page cache when no write changed them
        since; the cache is checked against the scope's change counters in the snapshot the rest is read in."""
        if not with_vectors or not page_ids or self._page_cache is None:
            return super().get_pages(scope, page_ids, with_vectors)
        return self._cached_pages(scope, page_ids, self._page_cache, copy=True)

    def shared_pages(self, scope: Scope, page_ids: list[str]) -> list[Page]:
        """The cached pages themselves, not copies (a retrieve reads ~150 and returns ~10)."""
        if not page_ids or self._page_cache is None:
            return super().get_pages(scope, page_ids, with_vectors=True)
        return self._cached_pages(scope, page_ids, self._page_cache, copy=False)

    def _cached_pages(self, scope: Scope, page_ids: list[str], cache: PageCache, copy: bool) -> list[Page]:
        with self._read() as tx:
            row = tx.one("SELECT page_version, page_removals FROM scopes WHERE scope_key=?", (scope.key,))
            if row is None:
                return []
            state = (int(row[0]), int(row[1]))
            cache.sync(
                scope.key,
                state,
                lambda since: [
                    r[0]
                    for r in tx.all("SELECT id FROM pages WHERE scope_key=? AND row_version > ?", (scope.key, since))
                ],
            )
            found = cache.get(scope.key, page_ids, copy=copy)
            missing = [i for i in dict.fromkeys(page_ids) if i not in found]
            fresh = self._read_pages(tx, scope, missing, with_vectors=True) if missing else {}
        # kept as they are when the caller shares them (it changes none); copies otherwise
        cache.put(scope.key, state, fresh.values(), copy=copy)
        found.update(fresh)
        return [found[i] for i in page_ids if i in found]

    # ---- search ----

    def _vectors(self, scope: Scope) -> _VectorCache:
        with self._cache_lock:
            cache = self._caches.setdefault(scope.key, _VectorCache())
        with self._read() as tx:
            row = tx.one("SELECT vector_version, vector_removals FROM scopes WHERE scope_key=?", (scope.key,))
            if row is None:
                return _VectorCache()
            version, removals = int(row[0]), int(row[1])
            if version == cache.version and removals == cache.removals:
                return cache
            with self._cache_lock:
                if removals != cache.removals:
                    since, ids, blocks = -1, [], []
                else:
                    since, ids, blocks = cache.version, list(cache.ids), [cache.matrix]
                rows = tx.all(
                    "SELECT id, embedding FROM pages WHERE scope_key=? AND vec_seq > ? AND embedding IS NOT NULL "
                    "ORDER BY vec_seq, seq",
                    (scope.key, since),
                )
                if rows:
                    ids += [r[0] for r in rows]
                    blocks.append(np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1))
                blocks = [b for b in blocks if b.size]
                fresh = _VectorCache()
                fresh.version, fresh.removals, fresh.ids = version, removals, ids
                fresh.matrix = np.concatenate(blocks) if blocks else np.zeros((0, 0), dtype=np.float32)
                self._caches[scope.key] = fresh
                return fresh

    def dense_search(self, scope: Scope, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        cache = self._vectors(scope)
        if not cache.ids or k <= 0:
            return []
        # einsum: numpy's own SIMD loop, several times faster here than OpenBLAS gemv on one query vector; a
        # large matrix is scanned in pieces side by side (the scan reads memory, and einsum releases the GIL)
        vector = np.asarray(query, dtype=np.float32)
        pieces = min(side.workers(), len(cache.ids) // PARALLEL_SCAN_ROWS)
        if pieces > 1:
            bounds = np.linspace(0, len(cache.ids), pieces + 1).astype(int)
            blocks = [cache.matrix[a:b] for a, b in itertools.pairwise(bounds)]
            scores = np.concatenate(side.side_map(lambda block: _scan(block, vector), blocks))
        else:
            scores = _scan(cache.matrix, vector)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(cache.ids[i], float(scores[i])) for i in top]

    def lexical_search(self, scope: Scope, terms: list[str], k: int) -> list[tuple[str, float]]:
        """BM25 top k of the scope's pages for any of the terms. A store whose pages are all this scope's is
        searched without the scope filter in the MATCH (see `_LEXICAL_ONLY_SCOPE`): the same rows, scores and order,
        without FTS5 counting every row of the scope for the filter's own IDF."""
        if not terms or k <= 0:
            return []
        body = "body : (" + " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(terms)) + ")"
        with self._read() as tx:
            if tx.one(_OTHER_SCOPES, (scope.key, scope.key)) is None:
                rows = tx.all(_LEXICAL_ONLY_SCOPE, (body, k))
                if all(r[2] == scope.key for r in rows):
                    return [(r[0], float(r[1])) for r in rows]
                # an index row of no page of this scope (an orphan of a broken index): the filtered query instead
            # rank inside the FTS index first, then join only the top k (half the cost at 10k+ pages)
            rows = tx.all(_LEXICAL_SCOPED, (f'scope : "{scope.key}" AND {body}', k, scope.key))
        return [(r[0], float(r[1])) for r in rows]

    # ---- the lexical index ----

    def lexical_index_problems(self, scope: Scope) -> list[str]:
        key = (scope.key,)
        with self._read() as tx:
            (missing,) = tx.one(
                "SELECT count(*) FROM pages p WHERE p.scope_key=? AND NOT EXISTS "
                "(SELECT 1 FROM pages_fts f WHERE f.rowid = p.pk)",
                key,
            )
            (stale,) = tx.one(
                "SELECT count(*) FROM pages p JOIN pages_fts f ON f.rowid = p.pk WHERE p.scope_key=? "
                "AND (f.body != memoryos_lexical(p.user_input, p.agent_response, p.timestamp) "
                "OR f.scope != p.scope_key)",
                key,
            )
            (orphans,) = tx.one(
                "SELECT count(*) FROM pages_fts f WHERE f.scope = ? AND NOT EXISTS "
                "(SELECT 1 FROM pages p WHERE p.pk = f.rowid)",
                key,
            )
        labels = (("pages missing from", missing), ("stale entries in", stale), ("orphan entries in", orphans))
        return [f"{n} {label} the lexical index" for label, n in labels if n]

    def rebuild_lexical_index(self, scope: Scope) -> int:
        with self._write() as tx:
            tx.run("DELETE FROM pages_fts WHERE scope = ?", (scope.key,))
            tx.run("DELETE FROM pages_fts WHERE rowid IN (SELECT pk FROM pages WHERE scope_key=?)", (scope.key,))
            return int(tx.run(_INDEX_PAGES, (scope.key,)).rowcount)


def _scan(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.einsum("ij,j->i", matrix, vector)
    return result
