"""PostgreSQL + pgvector store: one database shared by many processes and users.

psycopg 3 with a connection pool; every operation is one transaction. Per-user ordering comes from the row
lock on the user's `scopes` row; consolidation and promotion re-check their pages under row locks (claimed,
not raced); migrations run under an advisory lock so simultaneous starts are safe."""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
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
from ..redact import redact_text
from ..transfer import with_fresh_ids
from ..validation import check_epoch
from .migrations import POSTGRES_MIGRATIONS
from .rows import (
    FACT_COLS,
    PAGE_COLS,
    PROFILE_COLS,
    check_dump_times,
    fact_from_row,
    page_from_row,
    profile_from_row,
    segment_from_row,
    stats_dict,
    time_fix_note,
    time_fix_target,
)

log = logging.getLogger(__name__)

_MIGRATION_LOCK = 7_273_001  # advisory lock key for schema changes
# vectors travel in pgvector's binary form (vector_send: int16 dim, int16 unused, big-endian float4s): read as
# real[] text they cost ~0.14 ms each to parse, which made reading 100 vectors slower than the search itself
_VEC = "vector_send(embedding)"
_SEG_COLS_PG = (
    f"id, summary, keywords, {_VEC}, n_visit, l_interaction, last_access, created_at, status, page_count"
)
_DEADLOCK_ATTEMPTS = 4
_ANALYZE_AFTER_ROWS = 1000  # imports at least this large refresh the planner's statistics
_TSQUERY_UNSAFE = re.compile(r"[^\w]", re.UNICODE)


def _from_send(value: bytes | None) -> np.ndarray | None:
    if value is None:
        return None
    return np.frombuffer(value, dtype=">f4", offset=4).astype(np.float32)


def _segment(row: Any, faults: list[InvalidTime] | None = None) -> Segment:
    return segment_from_row((*row[:3], _from_send(row[3]), *row[4:]), faults)


def _vector_text(vector: np.ndarray | None) -> str | None:
    if vector is None:
        return None
    return "[" + ",".join(map(str, np.asarray(vector, dtype=np.float32).tolist())) + "]"


class PostgresStore:
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
            raise StorageError(f"cannot connect to PostgreSQL: {_redact(str(exc))}") from exc
        self._migrate()
        self._dim = self._recorded_dim()

    @staticmethod
    def _configure(conn: Any) -> None:
        conn.autocommit = True
        # filtered HNSW scans keep going until enough rows of this user are found (pgvector ≥ 0.8)
        for setting in ("SET hnsw.iterative_scan = relaxed_order", "SET hnsw.ef_search = 100"):
            try:
                conn.execute(setting)
            except Exception:  # older pgvector: plain HNSW still works
                log.debug("PostgreSQL setting not available: %s", setting)

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self._errors(), self._pool.connection() as conn, conn.transaction():
            yield conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """psycopg's and the pool's failures as our typed errors; ours pass through."""
        psycopg = self._psycopg
        try:
            yield
        except (InvalidInput, NotFound, ConfigError):
            raise
        except psycopg.errors.UniqueViolation as exc:
            raise InvalidInput(f"conflicts with existing data: {exc.diag.message_primary}") from exc
        except psycopg.Error as exc:
            raise StorageError(f"PostgreSQL error: {_redact(str(exc))}") from exc
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg_pool"):
                raise StorageError(f"PostgreSQL pool error: {_redact(str(exc))}") from exc
            raise

    @contextmanager
    def _read(self) -> Iterator[Any]:
        """One read-only statement: in autocommit it is its own snapshot, so BEGIN and COMMIT would only add two
        round trips (a retrieve makes a dozen such reads)."""
        with self._errors(), self._pool.connection() as conn:
            yield conn

    def close(self) -> None:
        self._pool.close()

    def _migrate(self) -> None:
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            current = int(row[0]) if row else 0
            if current > len(POSTGRES_MIGRATIONS):
                raise StorageError(f"database schema version {current} is newer than this memoryos; upgrade it")
            for version, script in enumerate(POSTGRES_MIGRATIONS[current:], start=current + 1):
                for statement in script:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES('schema_version', %s) "
                    "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                    (str(version),),
                )
                log.info("applied PostgreSQL schema migration %d", version)

    def _recorded_dim(self) -> int | None:
        with self._tx() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key='embedding_model'").fetchone()
        return int(json.loads(row[0])["dim"]) if row else None

    def check_embedding_model(self, name: str, dim: int) -> None:
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            row = conn.execute("SELECT value FROM meta WHERE key='embedding_model'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES('embedding_model', %s)",
                    (json.dumps({"name": name, "dim": dim}),),
                )
                # HNSW needs a fixed dimension: index an expression cast, which queries repeat verbatim
                for table in ("pages", "segments", "knowledge"):
                    conn.execute(
                        f"CREATE INDEX IF NOT EXISTS {table}_hnsw ON {table} "
                        f"USING hnsw ((embedding::vector({int(dim)})) vector_cosine_ops) WHERE embedding IS NOT NULL"
                    )
                stored = {"name": name, "dim": dim}
            else:
                stored = json.loads(row[0])
        if stored.get("dim") != dim or stored.get("name") != name:
            raise ConfigError(
                f"this store was built with the embedding model {stored.get('name')!r} ({stored.get('dim')} "
                f"dimensions); it cannot be searched with {name!r} ({dim}). Use the same embedding_model_name."
            )
        self._dim = dim

    # ---- scopes ----

    @staticmethod
    def _ensure_scope(conn: Any, scope: Scope) -> None:
        conn.execute(
            "INSERT INTO scopes(scope_key, user_id, assistant_id) VALUES(%s, %s, %s) ON CONFLICT DO NOTHING",
            (scope.key, scope.user_id, scope.assistant_id),
        )

    # ---- pages ----

    def add_page(self, scope: Scope, page: Page) -> Page:
        check_epoch(page.timestamp, "page timestamp")
        with self._tx() as conn:
            self._ensure_scope(conn, scope)
            (seq,) = conn.execute(
                "UPDATE scopes SET next_seq = next_seq + 1 WHERE scope_key=%s RETURNING next_seq", (scope.key,)
            ).fetchone()
            page.seq = int(seq)
            conn.execute(
                "INSERT INTO pages(id, scope_key, seq, user_input, agent_response, timestamp, meta_data, tier) "
                "VALUES(%s, %s, %s, %s, %s, %s, %s, 'short')",
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
        vector = _VEC if with_vectors else "NULL"
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {PAGE_COLS}, {vector} FROM pages WHERE scope_key=%s AND id = ANY(%s)",
                (scope.key, list(page_ids)),
            ).fetchall()
        found = {row[0]: page_from_row(row, _from_send(row[12])) for row in rows}
        return [found[i] for i in page_ids if i in found]

    def list_pages(
        self,
        scope: Scope,
        tier: Tier | None = None,
        segment_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
    ) -> list[Page]:
        clauses, params = ["scope_key=%s"], [scope.key]
        if tier:
            clauses.append("tier=%s")
            params.append(tier)
        if segment_id:
            clauses.append("segment_id=%s")
            params.append(segment_id)
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT {PAGE_COLS} FROM pages WHERE {' AND '.join(clauses)} ORDER BY seq {order}"
        sql += " LIMIT %s OFFSET %s"
        with self._read() as conn:
            rows = conn.execute(sql, (*params, limit, offset)).fetchall()
        return [page_from_row(row) for row in rows]

    def count_pages(self, scope: Scope, tier: Tier | None = None) -> int:
        with self._tx() as conn:
            if tier:
                row = conn.execute(
                    "SELECT count(*) FROM pages WHERE scope_key=%s AND tier=%s", (scope.key, tier)
                ).fetchone()
            else:
                row = conn.execute("SELECT count(*) FROM pages WHERE scope_key=%s", (scope.key,)).fetchone()
        return int(row[0])

    def last_consolidated_page(self, scope: Scope) -> Page | None:
        with self._tx() as conn:
            row = conn.execute(
                f"SELECT {PAGE_COLS}, {_VEC} FROM pages WHERE scope_key=%s AND tier != 'short' "
                "ORDER BY seq DESC LIMIT 1",
                (scope.key,),
            ).fetchone()
        return page_from_row(row, _from_send(row[12])) if row else None

    def unanalyzed_pages(self, scope: Scope, segment_id: str) -> list[Page]:
        with self._tx() as conn:
            rows = conn.execute(
                f"SELECT {PAGE_COLS} FROM pages WHERE scope_key=%s AND segment_id=%s AND NOT analyzed ORDER BY seq",
                (scope.key, segment_id),
            ).fetchall()
        return [page_from_row(row) for row in rows]

    def delete_page(self, scope: Scope, page_id: str) -> None:
        with self._tx() as conn:
            if not self._delete_page(conn, scope, page_id):
                raise NotFound(f"no page {page_id!r} in the memory of user {scope.user_id!r}")

    def delete_segment(self, scope: Scope, segment_id: str) -> int:
        with self._tx() as conn:
            if not conn.execute(
                "SELECT 1 FROM segments WHERE scope_key=%s AND id=%s FOR UPDATE", (scope.key, segment_id)
            ).fetchone():
                raise NotFound(f"no segment {segment_id!r} in the memory of user {scope.user_id!r}")
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM pages WHERE scope_key=%s AND segment_id=%s", (scope.key, segment_id)
                ).fetchall()
            ]
            for page_id in ids:
                self._delete_page(conn, scope, page_id)
            conn.execute("DELETE FROM segments WHERE scope_key=%s AND id=%s", (scope.key, segment_id))
            return len(ids)

    @staticmethod
    def _delete_page(conn: Any, scope: Scope, page_id: str) -> bool:
        row = conn.execute(
            "SELECT segment_id, prev_page_id, next_page_id FROM pages WHERE scope_key=%s AND id=%s FOR UPDATE",
            (scope.key, page_id),
        ).fetchone()
        if row is None:
            return False
        segment_id, prev_id, next_id = row
        if prev_id:
            conn.execute("UPDATE pages SET next_page_id=%s WHERE scope_key=%s AND id=%s", (next_id, scope.key, prev_id))
        if next_id:
            conn.execute("UPDATE pages SET prev_page_id=%s WHERE scope_key=%s AND id=%s", (prev_id, scope.key, next_id))
        conn.execute("DELETE FROM pages WHERE scope_key=%s AND id=%s", (scope.key, page_id))
        if segment_id:
            conn.execute(
                "UPDATE segments SET page_count = page_count - 1 WHERE scope_key=%s AND id=%s", (scope.key, segment_id)
            )
            conn.execute(
                "DELETE FROM segments WHERE scope_key=%s AND id=%s AND page_count <= 0", (scope.key, segment_id)
            )
        return True

    # ---- segments ----

    def list_segments(self, scope: Scope, status: str | None = "active") -> list[Segment]:
        sql = f"SELECT {_SEG_COLS_PG} FROM segments WHERE scope_key=%s"
        params: list[Any] = [scope.key]
        if status:
            sql += " AND status=%s"
            params.append(status)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY created_at, id", params).fetchall()
        return [_segment(row) for row in rows]

    def get_segment(self, scope: Scope, segment_id: str) -> Segment:
        found = self.get_segments(scope, [segment_id])
        if not found:
            raise NotFound(f"no segment {segment_id!r} in the memory of user {scope.user_id!r}")
        return found[0]

    def get_segments(self, scope: Scope, segment_ids: list[str]) -> list[Segment]:
        if not segment_ids:
            return []
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_SEG_COLS_PG} FROM segments WHERE scope_key=%s AND id = ANY(%s)", (scope.key, segment_ids)
            ).fetchall()
        found = {row[0]: _segment(row) for row in rows}
        return [found[i] for i in segment_ids if i in found]

    def apply_consolidation(self, scope: Scope, plan: ConsolidationPlan) -> bool:
        try:
            return self._apply_consolidation(scope, plan)
        except _Abort:
            return False

    def _apply_consolidation(self, scope: Scope, plan: ConsolidationPlan) -> bool:
        check_epoch(plan.now, "consolidation time")
        with self._tx() as conn:
            claimed = conn.execute(
                "SELECT id FROM pages WHERE scope_key=%s AND tier='short' AND id = ANY(%s) FOR UPDATE",
                (scope.key, plan.page_ids),
            ).fetchall()
            if len(claimed) != len(plan.page_ids):
                return False  # another worker moved them first: consolidation is claimed, not raced
            for seg in plan.segments:
                if seg.is_new:
                    conn.execute(
                        "INSERT INTO segments(id, scope_key, summary, keywords, embedding, n_visit, l_interaction, "
                        "last_access, created_at, status, page_count) "
                        "VALUES(%s, %s, %s, %s, %s::vector, 0, %s, %s, %s, 'active', %s)",
                        (
                            seg.id,
                            scope.key,
                            seg.summary,
                            dumps(seg.keywords),
                            _vector_text(seg.embedding),
                            seg.added_pages,
                            plan.now,
                            plan.now,
                            seg.added_pages,
                        ),
                    )
                else:
                    updated = conn.execute(
                        "UPDATE segments SET summary=%s, keywords=%s, embedding=%s::vector, "
                        "l_interaction = l_interaction + %s, page_count = page_count + %s, last_access=%s "
                        "WHERE scope_key=%s AND id=%s",
                        (
                            seg.summary,
                            dumps(seg.keywords),
                            _vector_text(seg.embedding),
                            seg.added_pages,
                            seg.added_pages,
                            plan.now,
                            scope.key,
                            seg.id,
                        ),
                    ).rowcount
                    if updated != 1:
                        raise _Abort  # segment deleted meanwhile: roll back, retry later with a fresh plan
            if plan.reanalyze:
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO segment_reanalysis(scope_key, segment_id, queued_at) VALUES(%s, %s, %s) "
                        "ON CONFLICT DO NOTHING",
                        [(scope.key, seg.id, plan.now) for seg in plan.segments],
                    )
            for update in plan.pages:
                conn.execute(
                    "UPDATE pages SET tier='mid', segment_id=%s, embedding=%s::vector, prev_page_id=%s, "
                    "chain_summary=%s WHERE scope_key=%s AND id=%s",
                    (
                        update.segment_id,
                        _vector_text(update.embedding),
                        update.prev_page_id,
                        update.chain_summary,
                        scope.key,
                        update.page_id,
                    ),
                )
                if update.prev_page_id:
                    conn.execute(
                        "UPDATE pages SET next_page_id=%s WHERE scope_key=%s AND id=%s",
                        (update.page_id, scope.key, update.prev_page_id),
                    )
        return True

    def archive_segment(self, scope: Scope, segment_id: str) -> None:
        with self._tx() as conn:
            changed = conn.execute(
                "UPDATE segments SET status='archived' WHERE scope_key=%s AND id=%s AND status='active'",
                (scope.key, segment_id),
            ).rowcount
            if changed:
                conn.execute(
                    "UPDATE pages SET tier='archive' WHERE scope_key=%s AND segment_id=%s", (scope.key, segment_id)
                )

    def record_visits(self, scope: Scope, segment_ids: list[str], now: float) -> None:
        """Each occurrence of an id is one visit."""
        if not segment_ids:
            return
        check_epoch(now, "visit time")
        by_count: dict[int, list[str]] = {}
        for segment_id, n in Counter(segment_ids).items():
            by_count.setdefault(n, []).append(segment_id)
        for attempt in range(_DEADLOCK_ATTEMPTS):
            try:
                with self._tx() as conn:
                    # lock in id order first: concurrent writers of one user then queue instead of deadlocking
                    conn.execute(
                        "SELECT id FROM segments WHERE scope_key=%s AND id = ANY(%s) ORDER BY id FOR UPDATE",
                        (scope.key, sorted(set(segment_ids))),
                    )
                    for n, ids in by_count.items():
                        conn.execute(
                            "UPDATE segments SET n_visit = n_visit + %s, last_access = greatest(last_access, %s) "
                            "WHERE scope_key=%s AND id = ANY(%s)",
                            (n, now, scope.key, ids),
                        )
                return
            except StorageError as exc:
                # an upkeep transaction of another process may hold these rows in another order; PostgreSQL then
                # aborts one side, and the visit counts are simply written again
                if not self._is_deadlock(exc) or attempt == _DEADLOCK_ATTEMPTS - 1:
                    raise
                log.info("heat write met a deadlock; retrying (%d)", attempt + 1)
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))

    def _is_deadlock(self, exc: BaseException) -> bool:
        errors = self._psycopg.errors
        return isinstance(exc.__cause__, (errors.DeadlockDetected, errors.SerializationFailure))

    # ---- long-term ----

    def current_profile(self, scope: Scope) -> ProfileVersion | None:
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {PROFILE_COLS} FROM profiles WHERE scope_key=%s ORDER BY version DESC LIMIT 1", (scope.key,)
            ).fetchone()
        return profile_from_row(row) if row else None

    def profile_history(self, scope: Scope, faults: list[InvalidTime] | None = None) -> list[ProfileVersion]:
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {PROFILE_COLS} FROM profiles WHERE scope_key=%s ORDER BY version", (scope.key,)
            ).fetchall()
        return [profile_from_row(r, faults) for r in rows]

    def list_facts(self, scope: Scope, kind: KnowledgeKind | None = None, with_vectors: bool = False) -> list[Fact]:
        vector = _VEC if with_vectors else "NULL"
        sql = f"SELECT {FACT_COLS}, {vector} FROM knowledge WHERE scope_key=%s"
        params: list[Any] = [scope.key]
        if kind:
            sql += " AND kind=%s"
            params.append(kind)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY created_at, pk", params).fetchall()
        return [fact_from_row(row, _from_send(row[6])) for row in rows]

    @staticmethod
    def _insert_facts(conn: Any, scope: Scope, facts: list[Fact], evict_ids: list[str]) -> None:
        if evict_ids:
            conn.execute("DELETE FROM knowledge WHERE scope_key=%s AND id = ANY(%s)", (scope.key, evict_ids))
        for fact in facts:
            check_epoch(fact.created_at, "knowledge created_at")
            conn.execute(
                "INSERT INTO knowledge(id, scope_key, kind, text, embedding, source_page_ids, created_at, method) "
                "VALUES(%s, %s, %s, %s, %s::vector, %s, %s, %s)",
                (
                    fact.id,
                    scope.key,
                    fact.kind,
                    fact.text,
                    _vector_text(fact.embedding),
                    dumps(fact.source_page_ids),
                    fact.created_at,
                    fact.method,
                ),
            )

    def add_facts(self, scope: Scope, facts: list[Fact], evict_ids: list[str]) -> None:
        with self._tx() as conn:
            self._ensure_scope(conn, scope)
            self._insert_facts(conn, scope, facts, evict_ids)

    def delete_fact(self, scope: Scope, fact_id: str) -> None:
        with self._tx() as conn:
            deleted = conn.execute("DELETE FROM knowledge WHERE scope_key=%s AND id=%s", (scope.key, fact_id)).rowcount
        if not deleted:
            raise NotFound(f"no knowledge entry {fact_id!r} in the memory of user {scope.user_id!r}")

    def apply_promotion(self, scope: Scope, plan: PromotionPlan, evict_fact_ids: list[str]) -> bool:
        if plan.profile is not None:
            check_epoch(plan.profile.created_at, "profile created_at")
        with self._tx() as conn:
            self._ensure_scope(conn, scope)
            if plan.page_ids:
                fresh = conn.execute(
                    "SELECT id FROM pages WHERE scope_key=%s AND NOT analyzed AND id = ANY(%s) FOR UPDATE",
                    (scope.key, plan.page_ids),
                ).fetchall()
                if len(fresh) != len(plan.page_ids):
                    return False  # analysed by another worker: never promote twice
            if plan.profile is not None:
                # the scopes row lock serialises version numbers per user
                conn.execute("SELECT 1 FROM scopes WHERE scope_key=%s FOR UPDATE", (scope.key,))
                (latest,) = conn.execute(
                    "SELECT coalesce(max(version), 0) FROM profiles WHERE scope_key=%s", (scope.key,)
                ).fetchone()
                conn.execute(
                    "INSERT INTO profiles(scope_key, version, text, source_page_ids, created_at, method) "
                    "VALUES(%s, %s, %s, %s, %s, %s)",
                    (
                        scope.key,
                        int(latest) + 1,
                        plan.profile.text,
                        dumps(plan.profile.source_page_ids),
                        plan.profile.created_at,
                        plan.profile.method,
                    ),
                )
            self._insert_facts(conn, scope, plan.new_facts, evict_fact_ids)
            for fact_id, sources in plan.merged_sources.items():
                row = conn.execute(
                    "SELECT source_page_ids FROM knowledge WHERE scope_key=%s AND id=%s FOR UPDATE",
                    (scope.key, fact_id),
                ).fetchone()
                if row:
                    merged = list(dict.fromkeys(json.loads(row[0]) + sources))
                    conn.execute(
                        "UPDATE knowledge SET source_page_ids=%s WHERE scope_key=%s AND id=%s",
                        (dumps(merged), scope.key, fact_id),
                    )
            if plan.page_ids:
                conn.execute(
                    "UPDATE pages SET analyzed=TRUE WHERE scope_key=%s AND id = ANY(%s)", (scope.key, plan.page_ids)
                )
            conn.execute(
                "UPDATE segments SET n_visit=0, l_interaction=0 WHERE scope_key=%s AND id=%s",
                (scope.key, plan.segment_id),
            )
        return True

    def claim_upkeep(self, scope: Scope, holder: str, ttl_seconds: float) -> bool:
        now = time.time()
        with self._tx() as conn:
            row = conn.execute(
                "INSERT INTO upkeep_leases(scope_key, holder, expires_at) VALUES(%s, %s, %s) "
                "ON CONFLICT(scope_key) DO UPDATE SET holder=excluded.holder, expires_at=excluded.expires_at "
                "WHERE upkeep_leases.holder = excluded.holder OR upkeep_leases.expires_at < %s RETURNING holder",
                (scope.key, holder, now + ttl_seconds, now),
            ).fetchone()
        return row is not None

    def release_upkeep(self, scope: Scope, holder: str) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM upkeep_leases WHERE scope_key=%s AND holder=%s", (scope.key, holder))

    # ---- search ----

    def dense_search(self, scope: Scope, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        if self._dim is None or k <= 0:
            return []
        cast = f"vector({self._dim})"
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT id, 1 - (embedding::{cast} <=> %s::{cast}) AS score FROM pages "
                f"WHERE scope_key=%s AND embedding IS NOT NULL ORDER BY embedding::{cast} <=> %s::{cast} LIMIT %s",
                (_vector_text(query), scope.key, _vector_text(query), k),
            ).fetchall()
        hits = [(r[0], float(r[1])) for r in rows]
        hits.sort(key=lambda h: -h[1])  # relaxed-order HNSW scans may return near-sorted rows
        return hits

    def lexical_search(self, scope: Scope, terms: list[str], k: int) -> list[tuple[str, float]]:
        words = [w for w in (_TSQUERY_UNSAFE.sub("", t) for t in terms) if w]
        if not words or k <= 0:
            return []
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, ts_rank_cd(tsv, q) AS score FROM pages, to_tsquery('english', %s) q "
                "WHERE scope_key=%s AND tsv @@ q ORDER BY score DESC, seq LIMIT %s",
                (" | ".join(words), scope.key, k),
            ).fetchall()
        return [(r[0], float(r[1])) for r in rows]

    # ---- maintenance of derived data ----

    def lexical_index_problems(self, scope: Scope) -> list[str]:
        return []  # the tsvector is a generated column: PostgreSQL keeps it in step with the text

    def rebuild_lexical_index(self, scope: Scope) -> int:
        return 0

    def set_page_vectors(self, scope: Scope, vectors: dict[str, np.ndarray]) -> None:
        with self._tx() as conn, conn.cursor() as cur:
            cur.executemany(
                "UPDATE pages SET embedding=%s::vector WHERE scope_key=%s AND id=%s",
                [(_vector_text(v), scope.key, pid) for pid, v in vectors.items()],
            )

    def set_segment_vectors(self, scope: Scope, vectors: dict[str, np.ndarray]) -> None:
        with self._tx() as conn, conn.cursor() as cur:
            cur.executemany(
                "UPDATE segments SET embedding=%s::vector WHERE scope_key=%s AND id=%s",
                [(_vector_text(v), scope.key, sid) for sid, v in vectors.items()],
            )

    def segments_to_reanalyze(self, scope: Scope, limit: int = 10) -> list[str]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT segment_id FROM segment_reanalysis WHERE scope_key=%s ORDER BY queued_at, segment_id LIMIT %s",
                (scope.key, limit),
            ).fetchall()
        return [r[0] for r in rows]

    def apply_reanalysis(
        self, scope: Scope, segment_id: str, summary: str, keywords: list[str], embedding: np.ndarray | None
    ) -> bool:
        with self._tx() as conn:
            conn.execute("DELETE FROM segment_reanalysis WHERE scope_key=%s AND segment_id=%s", (scope.key, segment_id))
            if embedding is None:  # the segment is gone (or cannot be analysed): only dequeue it
                return False
            return (
                conn.execute(
                    "UPDATE segments SET summary=%s, keywords=%s, embedding=%s::vector WHERE scope_key=%s AND id=%s",
                    (summary, dumps(keywords), _vector_text(embedding), scope.key, segment_id),
                ).rowcount
                == 1
            )

    def recount_segments(self, scope: Scope) -> int:
        with self._tx() as conn:
            return conn.execute(
                "UPDATE segments s SET page_count = c.n FROM (SELECT s2.id, count(p.id) AS n FROM segments s2 "
                "LEFT JOIN pages p ON p.scope_key = s2.scope_key AND p.segment_id = s2.id WHERE s2.scope_key=%s "
                "GROUP BY s2.id) c WHERE s.id = c.id AND s.page_count != c.n",
                (scope.key,),
            ).rowcount

    def fix_times(self, scope: Scope, fixes: list[tuple[InvalidTime, float]]) -> int:
        for fault, value in fixes:
            check_epoch(value, f"new {fault.field} of {fault.kind} {fault.id}")
        changed = 0
        with self._tx() as conn:
            for fault, value in fixes:
                table, column, key, ident = time_fix_target(fault)
                if table == "pages":
                    row = conn.execute(
                        "SELECT meta_data FROM pages WHERE scope_key=%s AND id=%s FOR UPDATE", (scope.key, ident)
                    ).fetchone()
                    if row is None:
                        continue
                    conn.execute(
                        "UPDATE pages SET meta_data=%s WHERE scope_key=%s AND id=%s",
                        (time_fix_note(row[0], fault.raw), scope.key, ident),
                    )
                changed += conn.execute(
                    f"UPDATE {table} SET {column}=%s WHERE scope_key=%s AND {key}=%s", (value, scope.key, ident)
                ).rowcount
        return changed

    # ---- whole scopes ----

    def list_scopes(self, user_id: str | None = None) -> list[Scope]:
        sql, params = "SELECT user_id, assistant_id FROM scopes", ()
        if user_id is not None:
            sql, params = sql + " WHERE user_id=%s", (user_id,)
        with self._tx() as conn:
            rows = conn.execute(sql + " ORDER BY user_id, assistant_id", params).fetchall()
        return [Scope(r[0], r[1]) for r in rows]

    def embedding_model(self) -> tuple[str, int] | None:
        with self._tx() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key='embedding_model'").fetchone()
        if row is None:
            return None
        stored = json.loads(row[0])
        return str(stored["name"]), int(stored["dim"])

    def export_scope(self, scope: Scope) -> ScopeDump:
        faults: list[InvalidTime] = []
        with self._tx() as conn:
            pages = [
                page_from_row(row, _from_send(row[12]), faults)
                for row in conn.execute(
                    f"SELECT {PAGE_COLS}, {_VEC} FROM pages WHERE scope_key=%s ORDER BY seq", (scope.key,)
                )
            ]
            segments = [
                _segment(row, faults)
                for row in conn.execute(
                    f"SELECT {_SEG_COLS_PG} FROM segments WHERE scope_key=%s ORDER BY created_at, id", (scope.key,)
                )
            ]
            facts = [
                fact_from_row(row, _from_send(row[6]), faults)
                for row in conn.execute(
                    f"SELECT {FACT_COLS}, {_VEC} FROM knowledge WHERE scope_key=%s ORDER BY created_at, pk",
                    (scope.key,),
                )
            ]
        profiles = self.profile_history(scope, faults)
        return ScopeDump(pages=pages, segments=segments, profile_versions=profiles, facts=facts, invalid_times=faults)

    @staticmethod
    def _taken_ids(conn: Any, dump: ScopeDump) -> tuple[set[str], set[str], set[str]]:
        """Ids of the dump already used anywhere in this store (ids are unique per store, not per scope)."""

        def taken(table: str, ids: list[str]) -> set[str]:
            if not ids:
                return set()
            return {r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE id = ANY(%s)", (ids,)).fetchall()}

        return (
            taken("pages", [p.id for p in dump.pages]),
            taken("segments", [s.id for s in dump.segments]),
            taken("knowledge", [f.id for f in dump.facts]),
        )

    def import_scope(self, scope: Scope, dump: ScopeDump, *, renew_taken_ids: bool = True) -> None:
        check_dump_times(dump)
        with self._tx() as conn:
            self._ensure_scope(conn, scope)
            conn.execute("SELECT 1 FROM scopes WHERE scope_key=%s FOR UPDATE", (scope.key,))
            if conn.execute("SELECT 1 FROM pages WHERE scope_key=%s LIMIT 1", (scope.key,)).fetchone():
                raise InvalidInput(f"the memory of user {scope.user_id!r} is not empty; import needs an empty one")
            if renew_taken_ids:
                pages_taken, segments_taken, facts_taken = self._taken_ids(conn, dump)
                if pages_taken or segments_taken or facts_taken:
                    # never tell the importer that an id exists elsewhere: the copy simply gets fresh ones
                    dump = with_fresh_ids(dump, pages_taken, segments_taken, facts_taken)
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO segments(id, scope_key, summary, keywords, embedding, n_visit, l_interaction, "
                    "last_access, created_at, status, page_count) VALUES(%s, %s, %s, %s, %s::vector, %s, %s, %s, %s, "
                    "%s, %s)",
                    [
                        (
                            s.id,
                            scope.key,
                            s.summary,
                            dumps(s.keywords),
                            _vector_text(s.embedding),
                            s.n_visit,
                            s.l_interaction,
                            s.last_access,
                            s.created_at,
                            s.status,
                            s.page_count,
                        )
                        for s in dump.segments
                    ],
                )
                cur.executemany(
                    "INSERT INTO pages(id, scope_key, seq, user_input, agent_response, timestamp, meta_data, tier, "
                    "segment_id, prev_page_id, next_page_id, chain_summary, analyzed, embedding) "
                    "VALUES(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::vector)",
                    [
                        (
                            p.id,
                            scope.key,
                            p.seq,
                            p.user_input,
                            p.agent_response,
                            p.timestamp,
                            dumps(p.meta_data),
                            p.tier,
                            p.segment_id,
                            p.prev_page_id,
                            p.next_page_id,
                            p.chain_summary,
                            bool(p.analyzed),
                            _vector_text(p.embedding),
                        )
                        for p in dump.pages
                    ],
                )
                cur.executemany(
                    "INSERT INTO profiles(scope_key, version, text, source_page_ids, created_at, method) "
                    "VALUES(%s, %s, %s, %s, %s, %s)",
                    [
                        (scope.key, v.version, v.text, dumps(v.source_page_ids), v.created_at, v.method)
                        for v in dump.profile_versions
                    ],
                )
            max_seq = max((p.seq for p in dump.pages), default=0)
            conn.execute("UPDATE scopes SET next_seq = greatest(next_seq, %s) WHERE scope_key=%s", (max_seq, scope.key))
            self._insert_facts(conn, scope, dump.facts, [])
        if len(dump.pages) >= _ANALYZE_AFTER_ROWS:
            self._analyze()

    def _analyze(self) -> None:
        """Fresh planner statistics after a bulk load: until autovacuum gets to it, the planner guesses the
        tables are small and scans them instead of using the HNSW and user indexes."""
        try:
            with self._pool.connection() as conn:  # autocommit: ANALYZE sees the committed rows
                for table in ("pages", "segments", "knowledge"):
                    conn.execute(f"ANALYZE {table}")
        except self._psycopg.Error as exc:  # statistics are an optimisation; the import itself succeeded
            log.warning("ANALYZE after a bulk import failed: %s", _redact(str(exc)))

    @staticmethod
    def _forget(conn: Any, scope_key: str) -> int:
        (pages,) = conn.execute("SELECT count(*) FROM pages WHERE scope_key=%s", (scope_key,)).fetchone()
        for table in ("pages", "segments", "knowledge", "profiles", "upkeep_leases", "segment_reanalysis"):
            conn.execute(f"DELETE FROM {table} WHERE scope_key=%s", (scope_key,))
        conn.execute("UPDATE scopes SET next_seq = 0 WHERE scope_key=%s", (scope_key,))
        return int(pages)

    def forget_scope(self, scope: Scope) -> int:
        with self._tx() as conn:
            conn.execute("SELECT 1 FROM scopes WHERE scope_key=%s FOR UPDATE", (scope.key,))
            return self._forget(conn, scope.key)

    def forget_user(self, user_id: str) -> int:
        with self._tx() as conn:
            keys = [r[0] for r in conn.execute("SELECT scope_key FROM scopes WHERE user_id=%s FOR UPDATE", (user_id,))]
            return sum(self._forget(conn, key) for key in keys)

    def stats(self, scope: Scope) -> dict[str, Any]:
        with self._tx() as conn:
            tiers = dict(
                conn.execute(
                    "SELECT tier, count(*) FROM pages WHERE scope_key=%s GROUP BY tier", (scope.key,)
                ).fetchall()
            )
            segments = dict(
                conn.execute(
                    "SELECT status, count(*) FROM segments WHERE scope_key=%s GROUP BY status", (scope.key,)
                ).fetchall()
            )
            knowledge = dict(
                conn.execute(
                    "SELECT kind, count(*) FROM knowledge WHERE scope_key=%s GROUP BY kind", (scope.key,)
                ).fetchall()
            )
            (profiles,) = conn.execute("SELECT count(*) FROM profiles WHERE scope_key=%s", (scope.key,)).fetchone()
            (size,) = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        data = stats_dict(tiers, segments, knowledge, profiles)
        data["storage"] = {"backend": "postgresql", "url": _redact(self.url), "bytes": int(size)}
        return data


class _Abort(Exception):
    """Rolls back a transaction whose plan went stale."""


def _redact(text: str) -> str:
    """Never show a password from a connection URL or string."""
    return redact_text(text)
