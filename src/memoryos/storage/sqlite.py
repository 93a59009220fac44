"""The embedded store: one SQLite file, WAL, one transaction per operation, FTS5 for lexical search and exact
numpy search over cached page vectors."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, InvalidInput, NotFound, StorageError
from ..models import (
    ConsolidationPlan,
    Fact,
    InvalidTime,
    KnowledgeKind,
    Page,
    ProfileVersion,
    PromotionPlan,
    Scope,
    ScopeDump,
    Segment,
    Tier,
    dumps,
)
from ..transfer import with_fresh_ids
from ..validation import check_epoch
from .migrations import SQLITE_MIGRATIONS
from .rows import (
    FACT_COLS,
    PAGE_COLS,
    PROFILE_COLS,
    SEG_COLS,
    check_dump_times,
    fact_from_row,
    fts_body,
    page_from_row,
    profile_from_row,
    segment_from_row,
    stats_dict,
    time_fix_note,
    time_fix_target,
)

log = logging.getLogger(__name__)


class _Stale(Exception):
    """A plan no longer matches the store: raised inside the transaction so that it rolls back."""


_CREATION_GRACE_SECONDS = 2.0  # how long a 0-byte database may take to get its header from a creating process


def _blob(vector: np.ndarray | None) -> bytes | None:
    return None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()


class _VectorCache:
    """Page vectors of one scope in one matrix; refreshed incrementally from the scope's vector counters."""

    def __init__(self) -> None:
        self.version = -1
        self.removals = -1
        self.ids: list[str] = []
        self.matrix = np.zeros((0, 0), dtype=np.float32)


class SqliteStore:
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
        self._caches: dict[str, _VectorCache] = {}
        self._cache_lock = threading.Lock()
        self._migrate()

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
            except sqlite3.Error as exc:
                raise StorageError(f"cannot open the database {self.path}: {exc}") from exc
            self._local.conn = conn
            with self._conn_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StorageError(f"database unavailable for writing: {exc}") from exc
        try:
            yield conn
        except BaseException:
            self._rollback(conn)
            raise
        else:
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback(conn)
                raise StorageError(f"commit failed: {exc}") from exc

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        # SQLite already rolled back on some errors (SQLITE_FULL, I/O errors): a second ROLLBACK would fail and
        # hide the original error
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN")
            yield conn
        except sqlite3.Error as exc:
            raise StorageError(f"database read failed: {exc}") from exc
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def _guard(self, exc: sqlite3.Error) -> StorageError:
        return StorageError(f"database error: {exc}")

    def close(self) -> None:
        with self._conn_lock:
            for conn in self._connections:
                with suppress(sqlite3.Error):
                    conn.close()
            self._connections.clear()
        self._local = threading.local()

    def _migrate(self) -> None:
        if self.read_only:
            return  # a read-only store is used as it is; writes fail with StorageError
        try:
            with self._write() as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                current = int(row[0]) if row else 0
                if current > len(SQLITE_MIGRATIONS):
                    raise StorageError(
                        f"the database {self.path} has schema version {current}, newer than this memoryos "
                        f"({len(SQLITE_MIGRATIONS)}); upgrade memoryos"
                    )
                for version, script in enumerate(SQLITE_MIGRATIONS[current:], start=current + 1):
                    for statement in script:
                        conn.execute(statement)
                    conn.execute(
                        "INSERT INTO meta(key, value) VALUES('schema_version', ?) "
                        "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                        (str(version),),
                    )
                    log.info("applied schema migration %d to %s", version, self.path)
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def check_embedding_model(self, name: str, dim: int) -> None:
        recorded = self.embedding_model()
        if recorded is None:
            try:
                with self._write() as conn:
                    conn.execute(
                        "INSERT OR IGNORE INTO meta(key, value) VALUES('embedding_model', ?)",
                        (json.dumps({"name": name, "dim": dim}),),
                    )
            except sqlite3.Error as exc:
                raise self._guard(exc) from exc
            recorded = self.embedding_model()
        if recorded != (name, dim):
            stored_name, stored_dim = recorded if recorded else (None, None)
            raise ConfigError(
                f"this store was built with the embedding model {stored_name!r} ({stored_dim} dimensions); it "
                f"cannot be searched with {name!r} ({dim}). Use the same embedding_model_name."
            )

    # ---- scopes ----

    def _ensure_scope(self, conn: sqlite3.Connection, scope: Scope) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO scopes(scope_key, user_id, assistant_id) VALUES(?, ?, ?)",
            (scope.key, scope.user_id, scope.assistant_id),
        )

    def _bump_vectors(self, conn: sqlite3.Connection, scope: Scope, removed: bool = False) -> int:
        column = "vector_removals" if removed else "vector_version"
        row = conn.execute(
            f"UPDATE scopes SET {column} = {column} + 1 WHERE scope_key=? RETURNING vector_version",
            (scope.key,),
        ).fetchone()
        return int(row[0])

    # ---- pages ----

    def add_page(self, scope: Scope, page: Page) -> Page:
        check_epoch(page.timestamp, "page timestamp")
        try:
            with self._write() as conn:
                self._ensure_scope(conn, scope)
                seq = conn.execute(
                    "UPDATE scopes SET next_seq = next_seq + 1 WHERE scope_key=? RETURNING next_seq", (scope.key,)
                ).fetchone()[0]
                page.seq = int(seq)
                cursor = conn.execute(
                    "INSERT INTO pages(id, scope_key, seq, user_input, agent_response, timestamp, meta_data, tier)"
                    " VALUES(?, ?, ?, ?, ?, ?, ?, 'short')",
                    (
                        page.id,
                        scope.key,
                        page.seq,
                        page.user_input,
                        page.agent_response,
                        page.timestamp,
                        dumps(page.meta_data),
                    ),
                )
                conn.execute(
                    "INSERT INTO pages_fts(rowid, scope, body) VALUES(?, ?, ?)",
                    (cursor.lastrowid, scope.key, fts_body(page)),
                )
        except sqlite3.IntegrityError as exc:
            raise InvalidInput(f"page id {page.id!r} already exists") from exc
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        page.tier = "short"
        return page

    def get_page(self, scope: Scope, page_id: str) -> Page:
        pages = self.get_pages(scope, [page_id])
        if not pages:
            raise NotFound(f"no page {page_id!r} in the memory of user {scope.user_id!r}")
        return pages[0]

    def get_pages(self, scope: Scope, page_ids: list[str], with_vectors: bool = False) -> list[Page]:
        if not page_ids:
            return []
        result: dict[str, Page] = {}
        try:
            with self._read() as conn:
                for start in range(0, len(page_ids), 500):
                    chunk = page_ids[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = conn.execute(
                        # "+scope_key": look rows up by the unique id index, not by scanning the scope's rows
                        f"SELECT {PAGE_COLS}, {'embedding' if with_vectors else 'NULL'} FROM pages "
                        f"WHERE +scope_key=? AND id IN ({marks})",
                        (scope.key, *chunk),
                    ).fetchall()
                    for row in rows:
                        result[row[0]] = page_from_row(row, row[12])
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        return [result[i] for i in page_ids if i in result]

    def list_pages(
        self,
        scope: Scope,
        tier: Tier | None = None,
        segment_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
    ) -> list[Page]:
        clauses, params = ["scope_key=?"], [scope.key]
        if tier:
            clauses.append("tier=?")
            params.append(tier)
        if segment_id:
            clauses.append("segment_id=?")
            params.append(segment_id)
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT {PAGE_COLS} FROM pages WHERE {' AND '.join(clauses)} ORDER BY seq {order}"
        sql += " LIMIT ? OFFSET ?"
        params += [limit if limit is not None else -1, offset]
        try:
            with self._read() as conn:
                return [page_from_row(row) for row in conn.execute(sql, params)]
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def count_pages(self, scope: Scope, tier: Tier | None = None) -> int:
        try:
            with self._read() as conn:
                if tier:
                    sql, params = "SELECT count(*) FROM pages WHERE scope_key=? AND tier=?", (scope.key, tier)
                else:
                    sql, params = "SELECT count(*) FROM pages WHERE scope_key=?", (scope.key,)
                return int(conn.execute(sql, params).fetchone()[0])
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def last_consolidated_page(self, scope: Scope) -> Page | None:
        try:
            with self._read() as conn:
                row = conn.execute(
                    f"SELECT {PAGE_COLS}, embedding FROM pages WHERE scope_key=? AND tier != 'short' "
                    "ORDER BY seq DESC LIMIT 1",
                    (scope.key,),
                ).fetchone()
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        return page_from_row(row, row[12]) if row else None

    def unanalyzed_pages(self, scope: Scope, segment_id: str) -> list[Page]:
        try:
            with self._read() as conn:
                rows = conn.execute(
                    f"SELECT {PAGE_COLS} FROM pages WHERE scope_key=? AND segment_id=? AND analyzed=0 ORDER BY seq",
                    (scope.key, segment_id),
                ).fetchall()
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        return [page_from_row(row) for row in rows]

    def delete_page(self, scope: Scope, page_id: str) -> None:
        try:
            with self._write() as conn:
                if not self._delete_page(conn, scope, page_id):
                    raise NotFound(f"no page {page_id!r} in the memory of user {scope.user_id!r}")
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def delete_segment(self, scope: Scope, segment_id: str) -> int:
        try:
            with self._write() as conn:
                if not conn.execute(
                    "SELECT 1 FROM segments WHERE scope_key=? AND id=?", (scope.key, segment_id)
                ).fetchone():
                    raise NotFound(f"no segment {segment_id!r} in the memory of user {scope.user_id!r}")
                ids = [
                    r[0]
                    for r in conn.execute(
                        "SELECT id FROM pages WHERE scope_key=? AND segment_id=?", (scope.key, segment_id)
                    )
                ]
                for page_id in ids:
                    self._delete_page(conn, scope, page_id)
                conn.execute("DELETE FROM segments WHERE scope_key=? AND id=?", (scope.key, segment_id))
                return len(ids)
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def _delete_page(self, conn: sqlite3.Connection, scope: Scope, page_id: str) -> bool:
        row = conn.execute(
            "SELECT pk, segment_id, prev_page_id, next_page_id, embedding IS NOT NULL FROM pages "
            "WHERE scope_key=? AND id=?",
            (scope.key, page_id),
        ).fetchone()
        if row is None:
            return False
        pk, segment_id, prev_id, next_id, had_vector = row
        # keep the chain whole: the neighbours link to each other
        if prev_id:
            conn.execute("UPDATE pages SET next_page_id=? WHERE scope_key=? AND id=?", (next_id, scope.key, prev_id))
        if next_id:
            conn.execute("UPDATE pages SET prev_page_id=? WHERE scope_key=? AND id=?", (prev_id, scope.key, next_id))
        conn.execute("DELETE FROM pages WHERE pk=?", (pk,))
        conn.execute("DELETE FROM pages_fts WHERE rowid=?", (pk,))
        if segment_id:
            conn.execute(
                "UPDATE segments SET page_count = page_count - 1 WHERE scope_key=? AND id=?", (scope.key, segment_id)
            )
            conn.execute("DELETE FROM segments WHERE scope_key=? AND id=? AND page_count <= 0", (scope.key, segment_id))
        if had_vector:
            self._bump_vectors(conn, scope, removed=True)
        return True

    # ---- segments ----

    def list_segments(self, scope: Scope, status: str | None = "active") -> list[Segment]:
        sql = f"SELECT {SEG_COLS} FROM segments WHERE scope_key=?"
        params: list[Any] = [scope.key]
        if status:
            sql += " AND status=?"
            params.append(status)
        try:
            with self._read() as conn:
                return [segment_from_row(row) for row in conn.execute(sql + " ORDER BY created_at, id", params)]
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def get_segment(self, scope: Scope, segment_id: str) -> Segment:
        found = self.get_segments(scope, [segment_id])
        if not found:
            raise NotFound(f"no segment {segment_id!r} in the memory of user {scope.user_id!r}")
        return found[0]

    def get_segments(self, scope: Scope, segment_ids: list[str]) -> list[Segment]:
        if not segment_ids:
            return []
        marks = ",".join("?" * len(segment_ids))
        try:
            with self._read() as conn:
                rows = conn.execute(
                    f"SELECT {SEG_COLS} FROM segments WHERE scope_key=? AND id IN ({marks})",
                    (scope.key, *segment_ids),
                ).fetchall()
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        found = {row[0]: segment_from_row(row) for row in rows}
        return [found[i] for i in segment_ids if i in found]

    def apply_consolidation(self, scope: Scope, plan: ConsolidationPlan) -> bool:
        try:
            return self._apply_consolidation(scope, plan)
        except _Stale:
            return False  # rolled back: a stale plan changes nothing

    def _apply_consolidation(self, scope: Scope, plan: ConsolidationPlan) -> bool:
        check_epoch(plan.now, "consolidation time")
        try:
            with self._write() as conn:
                marks = ",".join("?" * len(plan.page_ids))
                still_short = conn.execute(
                    f"SELECT count(*) FROM pages WHERE scope_key=? AND tier='short' AND id IN ({marks})",
                    (scope.key, *plan.page_ids),
                ).fetchone()[0]
                if still_short != len(plan.page_ids):
                    raise _Stale  # another worker moved them first: consolidation is claimed, not raced
                for seg in plan.segments:
                    if seg.is_new:
                        conn.execute(
                            "INSERT INTO segments(id, scope_key, summary, keywords, embedding, n_visit, "
                            "l_interaction, last_access, created_at, status, page_count) "
                            "VALUES(?, ?, ?, ?, ?, 0, ?, ?, ?, 'active', ?)",
                            (
                                seg.id,
                                scope.key,
                                seg.summary,
                                dumps(seg.keywords),
                                _blob(seg.embedding),
                                seg.added_pages,
                                plan.now,
                                plan.now,
                                seg.added_pages,
                            ),
                        )
                    else:
                        updated = conn.execute(
                            "UPDATE segments SET summary=?, keywords=?, embedding=?, "
                            "l_interaction = l_interaction + ?, page_count = page_count + ?, last_access=? "
                            "WHERE scope_key=? AND id=?",
                            (
                                seg.summary,
                                dumps(seg.keywords),
                                _blob(seg.embedding),
                                seg.added_pages,
                                seg.added_pages,
                                plan.now,
                                scope.key,
                                seg.id,
                            ),
                        ).rowcount
                        if updated != 1:
                            raise _Stale  # the segment was deleted meanwhile; retry later with a fresh plan
                if plan.reanalyze:
                    conn.executemany(
                        "INSERT OR IGNORE INTO segment_reanalysis(scope_key, segment_id, queued_at) VALUES(?, ?, ?)",
                        [(scope.key, seg.id, plan.now) for seg in plan.segments],
                    )
                version = self._bump_vectors(conn, scope)
                for update in plan.pages:
                    conn.execute(
                        "UPDATE pages SET tier='mid', segment_id=?, embedding=?, vec_seq=?, prev_page_id=?, "
                        "chain_summary=? WHERE scope_key=? AND id=?",
                        (
                            update.segment_id,
                            _blob(update.embedding),
                            version,
                            update.prev_page_id,
                            update.chain_summary,
                            scope.key,
                            update.page_id,
                        ),
                    )
                    if update.prev_page_id:
                        conn.execute(
                            "UPDATE pages SET next_page_id=? WHERE scope_key=? AND id=?",
                            (update.page_id, scope.key, update.prev_page_id),
                        )
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        return True

    def archive_segment(self, scope: Scope, segment_id: str) -> None:
        try:
            with self._write() as conn:
                changed = conn.execute(
                    "UPDATE segments SET status='archived' WHERE scope_key=? AND id=? AND status='active'",
                    (scope.key, segment_id),
                ).rowcount
                if changed:
                    conn.execute(
                        "UPDATE pages SET tier='archive' WHERE scope_key=? AND segment_id=?", (scope.key, segment_id)
                    )
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def record_visits(self, scope: Scope, segment_ids: list[str], now: float) -> None:
        if not segment_ids:
            return
        check_epoch(now, "visit time")
        try:
            with self._write() as conn:
                conn.executemany(
                    "UPDATE segments SET n_visit = n_visit + 1, last_access = max(last_access, ?) "
                    "WHERE scope_key=? AND id=?",
                    [(now, scope.key, sid) for sid in segment_ids],
                )
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    # ---- long-term ----

    def current_profile(self, scope: Scope) -> ProfileVersion | None:
        history = self._profiles(scope, latest_only=True)
        return history[0] if history else None

    def profile_history(self, scope: Scope) -> list[ProfileVersion]:
        return self._profiles(scope, latest_only=False)

    def _profiles(
        self, scope: Scope, latest_only: bool, faults: list[InvalidTime] | None = None
    ) -> list[ProfileVersion]:
        sql = f"SELECT {PROFILE_COLS} FROM profiles WHERE scope_key=? ORDER BY version " + (
            "DESC LIMIT 1" if latest_only else "ASC"
        )
        try:
            with self._read() as conn:
                rows = conn.execute(sql, (scope.key,)).fetchall()
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        return [profile_from_row(r, faults) for r in rows]

    def list_facts(self, scope: Scope, kind: KnowledgeKind | None = None, with_vectors: bool = False) -> list[Fact]:
        sql = f"SELECT {FACT_COLS}, {'embedding' if with_vectors else 'NULL'} FROM knowledge WHERE scope_key=?"
        params: list[Any] = [scope.key]
        if kind:
            sql += " AND kind=?"
            params.append(kind)
        try:
            with self._read() as conn:
                return [fact_from_row(row, row[6]) for row in conn.execute(sql + " ORDER BY created_at, pk", params)]
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def _insert_facts(self, conn: sqlite3.Connection, scope: Scope, facts: list[Fact], evict_ids: list[str]) -> None:
        for fact_id in evict_ids:
            conn.execute("DELETE FROM knowledge WHERE scope_key=? AND id=?", (scope.key, fact_id))
        for fact in facts:
            check_epoch(fact.created_at, "knowledge created_at")
            conn.execute(
                "INSERT INTO knowledge(id, scope_key, kind, text, embedding, source_page_ids, created_at, method) "
                "VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    fact.id,
                    scope.key,
                    fact.kind,
                    fact.text,
                    _blob(fact.embedding),
                    dumps(fact.source_page_ids),
                    fact.created_at,
                    fact.method,
                ),
            )

    def add_facts(self, scope: Scope, facts: list[Fact], evict_ids: list[str]) -> None:
        try:
            with self._write() as conn:
                self._ensure_scope(conn, scope)
                self._insert_facts(conn, scope, facts, evict_ids)
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def delete_fact(self, scope: Scope, fact_id: str) -> None:
        try:
            with self._write() as conn:
                deleted = conn.execute(
                    "DELETE FROM knowledge WHERE scope_key=? AND id=?", (scope.key, fact_id)
                ).rowcount
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        if not deleted:
            raise NotFound(f"no knowledge entry {fact_id!r} in the memory of user {scope.user_id!r}")

    def apply_promotion(self, scope: Scope, plan: PromotionPlan, evict_fact_ids: list[str]) -> bool:
        try:
            return self._apply_promotion(scope, plan, evict_fact_ids)
        except _Stale:
            return False

    def _apply_promotion(self, scope: Scope, plan: PromotionPlan, evict_fact_ids: list[str]) -> bool:
        if plan.profile is not None:
            check_epoch(plan.profile.created_at, "profile created_at")
        try:
            with self._write() as conn:
                self._ensure_scope(conn, scope)
                if plan.page_ids:
                    marks = ",".join("?" * len(plan.page_ids))
                    fresh = conn.execute(
                        f"SELECT count(*) FROM pages WHERE scope_key=? AND analyzed=0 AND id IN ({marks})",
                        (scope.key, *plan.page_ids),
                    ).fetchone()[0]
                    if fresh != len(plan.page_ids):
                        raise _Stale  # analysed by another worker: never promote twice
                if plan.profile is not None:
                    row = conn.execute(
                        "SELECT coalesce(max(version), 0) FROM profiles WHERE scope_key=?", (scope.key,)
                    ).fetchone()
                    conn.execute(
                        "INSERT INTO profiles(scope_key, version, text, source_page_ids, created_at, method) "
                        "VALUES(?, ?, ?, ?, ?, ?)",
                        (
                            scope.key,
                            int(row[0]) + 1,
                            plan.profile.text,
                            dumps(plan.profile.source_page_ids),
                            plan.profile.created_at,
                            plan.profile.method,
                        ),
                    )
                self._insert_facts(conn, scope, plan.new_facts, evict_fact_ids)
                for fact_id, sources in plan.merged_sources.items():
                    row = conn.execute(
                        "SELECT source_page_ids FROM knowledge WHERE scope_key=? AND id=?", (scope.key, fact_id)
                    ).fetchone()
                    if row:
                        merged = list(dict.fromkeys(json.loads(row[0]) + sources))
                        conn.execute(
                            "UPDATE knowledge SET source_page_ids=? WHERE scope_key=? AND id=?",
                            (dumps(merged), scope.key, fact_id),
                        )
                conn.executemany(
                    "UPDATE pages SET analyzed=1 WHERE scope_key=? AND id=?",
                    [(scope.key, pid) for pid in plan.page_ids],
                )
                conn.execute(
                    "UPDATE segments SET n_visit=0, l_interaction=0 WHERE scope_key=? AND id=?",
                    (scope.key, plan.segment_id),
                )
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        return True

    def claim_upkeep(self, scope: Scope, holder: str, ttl_seconds: float) -> bool:
        now = time.time()
        try:
            with self._write() as conn:
                row = conn.execute(
                    "INSERT INTO upkeep_leases(scope_key, holder, expires_at) VALUES(?, ?, ?) "
                    "ON CONFLICT(scope_key) DO UPDATE SET holder=excluded.holder, expires_at=excluded.expires_at "
                    "WHERE upkeep_leases.holder = excluded.holder OR upkeep_leases.expires_at < ? "
                    "RETURNING holder",
                    (scope.key, holder, now + ttl_seconds, now),
                ).fetchone()
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        return row is not None

    def release_upkeep(self, scope: Scope, holder: str) -> None:
        try:
            with self._write() as conn:
                conn.execute("DELETE FROM upkeep_leases WHERE scope_key=? AND holder=?", (scope.key, holder))
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    # ---- search ----

    def _vectors(self, scope: Scope) -> _VectorCache:
        with self._cache_lock:
            cache = self._caches.setdefault(scope.key, _VectorCache())
        try:
            with self._read() as conn:
                row = conn.execute(
                    "SELECT vector_version, vector_removals FROM scopes WHERE scope_key=?", (scope.key,)
                ).fetchone()
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
                    rows = conn.execute(
                        "SELECT id, embedding FROM pages WHERE scope_key=? AND vec_seq > ? AND embedding IS NOT NULL "
                        "ORDER BY vec_seq, seq",
                        (scope.key, since),
                    ).fetchall()
                    if rows:
                        ids += [r[0] for r in rows]
                        blocks.append(
                            np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
                        )
                    blocks = [b for b in blocks if b.size]
                    fresh = _VectorCache()
                    fresh.version, fresh.removals, fresh.ids = version, removals, ids
                    fresh.matrix = np.concatenate(blocks) if blocks else np.zeros((0, 0), dtype=np.float32)
                    self._caches[scope.key] = fresh
                    return fresh
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def dense_search(self, scope: Scope, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        cache = self._vectors(scope)
        if not cache.ids or k <= 0:
            return []
        # einsum: numpy's own SIMD loop, several times faster here than OpenBLAS gemv on one query vector
        scores = np.einsum("ij,j->i", cache.matrix, np.asarray(query, dtype=np.float32))
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(cache.ids[i], float(scores[i])) for i in top]

    def lexical_search(self, scope: Scope, terms: list[str], k: int) -> list[tuple[str, float]]:
        if not terms or k <= 0:
            return []
        body = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        expression = f'scope : "{scope.key}" AND body : ({body})'
        try:
            with self._read() as conn:
                # rank inside the FTS index first, then join only the top k (half the cost at 10k+ pages)
                rows = conn.execute(
                    "SELECT p.id, f.score FROM (SELECT rowid, -bm25(pages_fts, 0.0, 1.0) AS score FROM pages_fts "
                    "WHERE pages_fts MATCH ? ORDER BY bm25(pages_fts, 0.0, 1.0) LIMIT ?) f "
                    "JOIN pages p ON p.pk = f.rowid ORDER BY f.score DESC",
                    (expression, k),
                ).fetchall()
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        return [(r[0], float(r[1])) for r in rows]

    # ---- maintenance of derived data ----

    def lexical_index_problems(self, scope: Scope) -> list[str]:
        try:
            with self._read() as conn:
                missing = conn.execute(
                    "SELECT count(*) FROM pages p WHERE p.scope_key=? AND NOT EXISTS "
                    "(SELECT 1 FROM pages_fts f WHERE f.rowid = p.pk)",
                    (scope.key,),
                ).fetchone()[0]
                stale = conn.execute(
                    "SELECT count(*) FROM pages p JOIN pages_fts f ON f.rowid = p.pk WHERE p.scope_key=? "
                    "AND (f.body != p.user_input || char(10) || p.agent_response OR f.scope != p.scope_key)",
                    (scope.key,),
                ).fetchone()[0]
                orphans = conn.execute(
                    "SELECT count(*) FROM pages_fts f WHERE f.scope = ? AND NOT EXISTS "
                    "(SELECT 1 FROM pages p WHERE p.pk = f.rowid)",
                    (scope.key,),
                ).fetchone()[0]
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        labels = (("pages missing from", missing), ("stale entries in", stale), ("orphan entries in", orphans))
        return [f"{n} {label} the lexical index" for label, n in labels if n]

    def rebuild_lexical_index(self, scope: Scope) -> int:
        try:
            with self._write() as conn:
                conn.execute("DELETE FROM pages_fts WHERE scope = ?", (scope.key,))
                conn.execute(
                    "DELETE FROM pages_fts WHERE rowid IN (SELECT pk FROM pages WHERE scope_key=?)", (scope.key,)
                )
                return conn.execute(
                    "INSERT INTO pages_fts(rowid, scope, body) SELECT pk, scope_key, user_input || char(10) || "
                    "agent_response FROM pages WHERE scope_key=?",
                    (scope.key,),
                ).rowcount
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def set_page_vectors(self, scope: Scope, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        try:
            with self._write() as conn:
                version = self._bump_vectors(conn, scope, removed=True)  # replaced rows: reload caches fully
                conn.executemany(
                    "UPDATE pages SET embedding=?, vec_seq=? WHERE scope_key=? AND id=?",
                    [(_blob(v), version, scope.key, pid) for pid, v in vectors.items()],
                )
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def set_segment_vectors(self, scope: Scope, vectors: dict[str, np.ndarray]) -> None:
        try:
            with self._write() as conn:
                conn.executemany(
                    "UPDATE segments SET embedding=? WHERE scope_key=? AND id=?",
                    [(_blob(v), scope.key, sid) for sid, v in vectors.items()],
                )
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def segments_to_reanalyze(self, scope: Scope, limit: int = 10) -> list[str]:
        try:
            with self._read() as conn:
                rows = conn.execute(
                    "SELECT segment_id FROM segment_reanalysis WHERE scope_key=? ORDER BY queued_at, segment_id "
                    "LIMIT ?",
                    (scope.key, limit),
                ).fetchall()
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        return [r[0] for r in rows]

    def apply_reanalysis(
        self, scope: Scope, segment_id: str, summary: str, keywords: list[str], embedding: np.ndarray | None
    ) -> bool:
        try:
            with self._write() as conn:
                conn.execute(
                    "DELETE FROM segment_reanalysis WHERE scope_key=? AND segment_id=?", (scope.key, segment_id)
                )
                if embedding is None:  # the segment is gone (or cannot be analysed): only dequeue it
                    return False
                return (
                    conn.execute(
                        "UPDATE segments SET summary=?, keywords=?, embedding=? WHERE scope_key=? AND id=?",
                        (summary, dumps(keywords), _blob(embedding), scope.key, segment_id),
                    ).rowcount
                    == 1
                )
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def recount_segments(self, scope: Scope) -> int:
        try:
            with self._write() as conn:
                members = "(SELECT count(*) FROM pages p WHERE p.scope_key = ? AND p.segment_id = segments.id)"
                return conn.execute(
                    f"UPDATE segments SET page_count = {members} WHERE scope_key=? AND page_count != {members}",
                    (scope.key, scope.key, scope.key),
                ).rowcount
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def fix_times(self, scope: Scope, fixes: list[tuple[InvalidTime, float]]) -> int:
        for fault, value in fixes:
            check_epoch(value, f"new {fault.field} of {fault.kind} {fault.id}")
        changed = 0
        try:
            with self._write() as conn:
                for fault, value in fixes:
                    table, column, key, ident = time_fix_target(fault)
                    if table == "pages":
                        row = conn.execute(
                            "SELECT meta_data FROM pages WHERE scope_key=? AND id=?", (scope.key, ident)
                        ).fetchone()
                        if row is None:
                            continue
                        conn.execute(
                            "UPDATE pages SET meta_data=? WHERE scope_key=? AND id=?",
                            (time_fix_note(row[0], fault.raw), scope.key, ident),
                        )
                    changed += conn.execute(
                        f"UPDATE {table} SET {column}=? WHERE scope_key=? AND {key}=?", (value, scope.key, ident)
                    ).rowcount
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        return changed

    # ---- whole scopes ----

    def list_scopes(self, user_id: str | None = None) -> list[Scope]:
        sql, params = "SELECT user_id, assistant_id FROM scopes", ()
        if user_id is not None:
            sql, params = sql + " WHERE user_id=?", (user_id,)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY user_id, assistant_id", params).fetchall()
        return [Scope(r[0], r[1]) for r in rows]

    def embedding_model(self) -> tuple[str, int] | None:
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key='embedding_model'").fetchone()
        if row is None:
            return None
        stored = json.loads(row[0])
        return str(stored["name"]), int(stored["dim"])

    def export_scope(self, scope: Scope) -> ScopeDump:
        faults: list[InvalidTime] = []
        try:
            with self._read() as conn:
                pages = [
                    page_from_row(row, row[12], faults)
                    for row in conn.execute(
                        f"SELECT {PAGE_COLS}, embedding FROM pages WHERE scope_key=? ORDER BY seq", (scope.key,)
                    )
                ]
                segments = [
                    segment_from_row(row, faults)
                    for row in conn.execute(
                        f"SELECT {SEG_COLS} FROM segments WHERE scope_key=? ORDER BY created_at, id", (scope.key,)
                    )
                ]
                facts = [
                    fact_from_row(row, row[6], faults)
                    for row in conn.execute(
                        f"SELECT {FACT_COLS}, embedding FROM knowledge WHERE scope_key=? ORDER BY created_at, pk",
                        (scope.key,),
                    )
                ]
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        profiles = self._profiles(scope, False, faults)
        return ScopeDump(pages=pages, segments=segments, profile_versions=profiles, facts=facts, invalid_times=faults)

    def _taken_ids(self, conn: sqlite3.Connection, dump: ScopeDump) -> tuple[set[str], set[str], set[str]]:
        """Ids of the dump already used anywhere in this store (ids are unique per store, not per scope)."""

        def taken(table: str, ids: list[str]) -> set[str]:
            found: set[str] = set()
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk))
            return found

        return (
            taken("pages", [p.id for p in dump.pages]),
            taken("segments", [s.id for s in dump.segments]),
            taken("knowledge", [f.id for f in dump.facts]),
        )

    def import_scope(self, scope: Scope, dump: ScopeDump, *, renew_taken_ids: bool = True) -> None:
        check_dump_times(dump)
        try:
            with self._write() as conn:
                self._ensure_scope(conn, scope)
                if conn.execute("SELECT 1 FROM pages WHERE scope_key=? LIMIT 1", (scope.key,)).fetchone():
                    raise InvalidInput(f"the memory of user {scope.user_id!r} is not empty; import needs an empty one")
                if renew_taken_ids:
                    pages_taken, segments_taken, facts_taken = self._taken_ids(conn, dump)
                    if pages_taken or segments_taken or facts_taken:
                        # never tell the importer that an id exists elsewhere: the copy simply gets fresh ones
                        dump = with_fresh_ids(dump, pages_taken, segments_taken, facts_taken)
                for seg in dump.segments:
                    conn.execute(
                        "INSERT INTO segments(id, scope_key, summary, keywords, embedding, n_visit, l_interaction, "
                        "last_access, created_at, status, page_count) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            seg.id,
                            scope.key,
                            seg.summary,
                            dumps(seg.keywords),
                            _blob(seg.embedding),
                            seg.n_visit,
                            seg.l_interaction,
                            seg.last_access,
                            seg.created_at,
                            seg.status,
                            seg.page_count,
                        ),
                    )
                version = self._bump_vectors(conn, scope)
                max_seq = 0
                for page in dump.pages:
                    max_seq = max(max_seq, page.seq)
                    cursor = conn.execute(
                        "INSERT INTO pages(id, scope_key, seq, user_input, agent_response, timestamp, meta_data, "
                        "tier, segment_id, prev_page_id, next_page_id, chain_summary, analyzed, embedding, vec_seq) "
                        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            page.id,
                            scope.key,
                            page.seq,
                            page.user_input,
                            page.agent_response,
                            page.timestamp,
                            dumps(page.meta_data),
                            page.tier,
                            page.segment_id,
                            page.prev_page_id,
                            page.next_page_id,
                            page.chain_summary,
                            int(page.analyzed),
                            _blob(page.embedding),
                            version if page.embedding is not None else None,
                        ),
                    )
                    conn.execute(
                        "INSERT INTO pages_fts(rowid, scope, body) VALUES(?, ?, ?)",
                        (cursor.lastrowid, scope.key, fts_body(page)),
                    )
                conn.execute("UPDATE scopes SET next_seq = max(next_seq, ?) WHERE scope_key=?", (max_seq, scope.key))
                for profile in dump.profile_versions:
                    conn.execute(
                        "INSERT INTO profiles(scope_key, version, text, source_page_ids, created_at, method) "
                        "VALUES(?, ?, ?, ?, ?, ?)",
                        (
                            scope.key,
                            profile.version,
                            profile.text,
                            dumps(profile.source_page_ids),
                            profile.created_at,
                            profile.method,
                        ),
                    )
                self._insert_facts(conn, scope, dump.facts, [])
        except sqlite3.IntegrityError as exc:
            # the import is validated (unique ids and seqs) and taken ids are renewed: this is a concurrent writer
            # or migrate's renew_taken_ids=False; the database's message would name the clashing id, so say less
            log.info("import into %s conflicted: %s", scope.user_id, exc)
            raise InvalidInput(
                "the import conflicts with existing data (an id is already used); nothing was imported"
            ) from exc
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def _forget(self, conn: sqlite3.Connection, scope_key: str) -> int:
        pages = conn.execute("SELECT count(*) FROM pages WHERE scope_key=?", (scope_key,)).fetchone()[0]
        conn.execute("DELETE FROM pages_fts WHERE rowid IN (SELECT pk FROM pages WHERE scope_key=?)", (scope_key,))
        for table in ("pages", "segments", "knowledge", "profiles", "upkeep_leases", "segment_reanalysis"):
            conn.execute(f"DELETE FROM {table} WHERE scope_key=?", (scope_key,))
        conn.execute(
            "UPDATE scopes SET vector_removals = vector_removals + 1, next_seq = 0 WHERE scope_key=?", (scope_key,)
        )
        return int(pages)

    def forget_scope(self, scope: Scope) -> int:
        try:
            with self._write() as conn:
                return self._forget(conn, scope.key)
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def forget_user(self, user_id: str) -> int:
        try:
            with self._write() as conn:
                keys = [r[0] for r in conn.execute("SELECT scope_key FROM scopes WHERE user_id=?", (user_id,))]
                return sum(self._forget(conn, key) for key in keys)
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc

    def stats(self, scope: Scope) -> dict[str, Any]:
        try:
            with self._read() as conn:
                tiers = dict(
                    conn.execute(
                        "SELECT tier, count(*) FROM pages WHERE scope_key=? GROUP BY tier", (scope.key,)
                    ).fetchall()
                )
                segments = dict(
                    conn.execute(
                        "SELECT status, count(*) FROM segments WHERE scope_key=? GROUP BY status", (scope.key,)
                    ).fetchall()
                )
                knowledge = dict(
                    conn.execute(
                        "SELECT kind, count(*) FROM knowledge WHERE scope_key=? GROUP BY kind", (scope.key,)
                    ).fetchall()
                )
                profiles = conn.execute("SELECT count(*) FROM profiles WHERE scope_key=?", (scope.key,)).fetchone()[0]
        except sqlite3.Error as exc:
            raise self._guard(exc) from exc
        data = stats_dict(tiers, segments, knowledge, profiles)
        data["storage"] = {"backend": "sqlite", "path": str(self.path), "bytes": _file_size(self.path)}
        return data


def _file_size(path: Path) -> int:
    total = 0
    for suffix in ("", "-wal"):
        candidate = Path(str(path) + suffix)
        if candidate.exists():
            total += candidate.stat().st_size
    return total
