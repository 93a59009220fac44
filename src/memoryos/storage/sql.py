"""The SQL store, written once: every `Store` method over a small dialect seam.

`SqlStore` holds all the SQL the backends share, written with `?` parameter marks. A backend subclass supplies
only what differs (see `SqliteStore` and `PostgresStore`):

- the dialect: the class constants below and `_ids` (an id list), `_encode`/`_decode` (vectors);
- connections: `_write()` (one transaction) and `_read()`, context managers that yield a `Tx` and map every
  driver error to StorageError (a unique-key clash to InvalidInput) at that one boundary;
- search: `dense_search` and `lexical_search`, and the lexical index's `lexical_index_problems` and
  `rebuild_lexical_index`;
- hooks on derived data, called inside the same transaction as the write they follow (`_page_added`,
  `_pages_imported`, `_page_removed`, `_vectors_written`, `_forgetting`; `_page_lexical` adds columns to a new
  page) and around schema and imports (`MIGRATIONS`,
  `_lock_schema`, `_model_recorded`, `_imported`).

Atomicity is the transaction's: a plan that turns out stale raises `Stale` inside it, so it rolls back.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError, InvalidInput, NotFound, StorageError
from ..models import (
    ConsolidationPlan,
    Fact,
    FactInvalidation,
    InvalidTime,
    KnowledgeKind,
    Page,
    ProfileVersion,
    PromotionPlan,
    Purged,
    RewritePlan,
    Scope,
    ScopeDump,
    Segment,
    Tier,
    dumps,
)
from ..validation import check_epoch
from .fact_cache import FactCache
from .rows import (
    CURRENT_FACT,
    FACT_COLS,
    FACT_VECTOR,
    PAGE_COLS,
    PAGE_UNITS,
    PAGE_VECTOR,
    PROFILE_COLS,
    SEG_COLS,
    SEG_VECTOR,
    UNITS_COLUMN,
    VECTOR_COLUMN,
    check_dump_times,
    check_fact_times,
    check_invalidation,
    fact_from_row,
    fact_row,
    keyword_tuple,
    page_from_row,
    page_row,
    profile_from_row,
    profile_row,
    segment_from_row,
    segment_row,
    stats_dict,
    time_fix_note,
    time_fix_target,
    units_blob,
    units_from_blob,
)
from .schema import Migration, migrate

log = logging.getLogger(__name__)

CONFLICT = "conflicts with existing data (an id is already used)"  # a unique key clash, said without the key
_IMPORT_CONFLICT = "the import conflicts with existing data (an id is already used); nothing was imported"
_DEADLOCK_ATTEMPTS = 4
_SCOPE_TABLES = ("pages", "segments", "knowledge", "profiles", "upkeep_leases", "segment_reanalysis")


# Order of a segment's pages. `+seq` (the same order on both databases) keeps SQLite's planner from walking the whole
# scope in the pages_seq index to avoid a sort; the segment's few rows are found in pages_segment and sorted. Without
# it a promotion's read of one segment scanned every page of the user (~30 ms of CPU at 10k pages, beside retrieval).
_BY_SEQ = "+seq"

class Stale(Exception):
    """A plan no longer matches the store: raised inside the transaction so that it rolls back."""


def supersession_chain(links: dict[str, str], fact_id: str) -> dict[str, int]:
    """The chain through `fact_id`: each id with its place, negative for what it replaced (-1 directly, -2 before
    that...), 0 for itself, positive for what replaced it. `links` maps a superseded fact to its successor; a
    cycle (never written by the store, which supersedes only with current facts) ends the walk."""
    replaced: dict[str, list[str]] = {}
    for old, new in links.items():
        replaced.setdefault(new, []).append(old)
    place = {fact_id: 0}
    frontier = [fact_id]
    while frontier:
        frontier = [old for ident in frontier for old in replaced.get(ident, []) if old not in place]
        for old in frontier:
            place[old] = place[links[old]] - 1
    ident, step = fact_id, 0
    while links.get(ident) is not None and links[ident] not in place:
        ident, step = links[ident], step + 1
        place[ident] = step
    return place


class Tx:
    """A connection inside one transaction (or one read), speaking the shared SQL: `?` marks."""

    __slots__ = ("conn",)

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def sql(self, text: str) -> str:
        """The statement in the driver's parameter syntax."""
        return text

    def run(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """Execute; returns the driver's cursor (iterate it, or read rowcount)."""
        if params is None:
            return self.conn.execute(self.sql(sql))
        return self.conn.execute(self.sql(sql), params)

    def one(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        return self.run(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] | None = None) -> list[Any]:
        return self.run(sql, params).fetchall()

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.conn.executemany(self.sql(sql), rows)


def check_page_times(page: Page) -> None:
    check_epoch(page.timestamp, "page timestamp")
    if page.expires_at is not None:
        check_epoch(page.expires_at, "page expires_at")


def page_conflict(page: Page) -> str:
    """The error of adding a page whose id is taken."""
    return f"page id {page.id!r} already exists"


FACT_VERSION_SQL = "SELECT version FROM knowledge_versions WHERE scope_key=?"
LATEST_PROFILE_SQL = f"SELECT {PROFILE_COLS} FROM profiles WHERE scope_key=? ORDER BY version DESC LIMIT 1"


class SqlStore:
    """Every method of the `Store` protocol (storage/base.py, where the contracts are written), once."""

    # ---- the dialect ----
    MIGRATIONS: ClassVar[list[Migration]]
    VECTOR: ClassVar[str] = "?"  # a vector parameter
    VECTOR_READ: ClassVar[str] = VECTOR_COLUMN  # a vector column as read (then `_decode`d)
    FOR_UPDATE: ClassVar[str] = ""  # row locks on a read that decides a write ("" where writers are serialised)
    GREATEST: ClassVar[str] = "greatest"  # the larger of two values
    NO_LIMIT: ClassVar[Any] = None  # the LIMIT of "every row"
    ID_BATCH: ClassVar[int | None] = None  # most ids one statement may list (None: any number)

    read_only: bool = False
    _fact_cache: FactCache | None = None  # set by a store once its schema is migrated (`_kept_facts`)

    def _ids(self, column: str, ids: Sequence[str]) -> tuple[str, list[Any]]:
        """SQL testing that `column` is one of `ids`, and its parameters."""
        raise NotImplementedError

    def _encode(self, vector: np.ndarray | None) -> Any:
        raise NotImplementedError

    def _decode(self, raw: Any) -> np.ndarray | None:
        raise NotImplementedError

    # ---- connections (driver errors are mapped inside these, nowhere else) ----

    def _write(self, conflict: str = CONFLICT) -> AbstractContextManager[Tx]:
        """One write transaction; a unique key clash becomes InvalidInput(conflict), any other driver error
        StorageError; any exception rolls back."""
        raise NotImplementedError

    def _read(self) -> AbstractContextManager[Tx]:
        raise NotImplementedError

    def _database_name(self) -> str:
        """The database, as messages name it."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # ---- hooks (defaults: nothing to do) ----

    def _lock_schema(self, tx: Tx) -> None:
        """Keep other processes from migrating or recording the model at the same time."""

    def _model_recorded(self, tx: Tx, dim: int) -> None:
        """The embedding model was just recorded (its dimension is known from now on)."""

    def _retryable(self, exc: StorageError) -> bool:
        """Whether a failed write may simply be tried again (a deadlock between row locks)."""
        return False

    def _page_lexical(self, page: Page) -> dict[str, Any]:
        """More columns to write with a new page: the backend's lexical index, where it lives in the row."""
        return {}

    def _page_added(self, tx: Tx, scope: Scope, page: Page) -> None:
        """The page was just inserted (the last insert of this transaction)."""

    def _pages_imported(self, tx: Tx, scope: Scope) -> None:
        """The scope's pages were just inserted by an import (the scope held none before)."""

    def _page_removed(self, tx: Tx, scope: Scope, pk: int, had_vector: bool) -> None:
        """The page with this pk was just deleted."""

    def _vectors_written(self, tx: Tx, scope: Scope, replaced: bool) -> dict[str, Any]:
        """Page vectors are about to be written (`replaced`: existing ones overwritten); returns more columns to
        write with each of them."""
        return {}

    def _forgetting(self, tx: Tx, scope: Scope) -> None:
        """Every row of the scope is about to be deleted."""

    def _imported(self, pages: int) -> None:
        """An import of this many pages was committed."""

    def _storage_stats(self, tx: Tx) -> dict[str, Any]:
        raise NotImplementedError

    # ---- shared pieces ----

    def _migrate(self) -> None:
        if self.read_only:
            return  # a read-only store is used as it is; writes fail with StorageError
        with self._write() as tx:
            self._lock_schema(tx)
            migrate(tx, self.MIGRATIONS, self._database_name())

    def _batches(self, ids: Sequence[str]) -> Iterator[Sequence[str]]:
        step = self.ID_BATCH or max(len(ids), 1)
        for start in range(0, len(ids), step):
            yield ids[start : start + step]

    def _insert(self, tx: Tx, table: str, rows: list[dict[str, Any]]) -> None:
        """Insert rows built by rows.py (column -> value; all rows with the same columns)."""
        if not rows:
            return
        columns = list(rows[0])
        marks = ", ".join(self.VECTOR if c == VECTOR_COLUMN else "?" for c in columns)
        sql = f"INSERT INTO {table}({', '.join(columns)}) VALUES({marks})"
        values = [tuple(self._encode(v) if c == VECTOR_COLUMN else v for c, v in row.items()) for row in rows]
        if len(values) == 1:
            tx.run(sql, values[0])
        else:
            tx.many(sql, values)

    def _among(self, scope: Scope, ids: Sequence[str]) -> tuple[str, list[Any]]:
        """A WHERE clause for the scope's rows among these ids, found through the (scope_key, id) key."""
        where, params = self._ids("id", ids)
        return f"scope_key=? AND {where}", [scope.key, *params]

    @staticmethod
    def _matching(scope: Scope, **equal: str | None) -> tuple[str, list[Any]]:
        """A WHERE clause for the scope's rows whose columns equal these values (None or "": not tested)."""
        tested = {column: value for column, value in equal.items() if value}
        return " AND ".join(["scope_key=?", *(f"{c}=?" for c in tested)]), [scope.key, *tested.values()]

    @staticmethod
    def _ensure_scope(tx: Tx, scope: Scope) -> None:
        tx.run(
            "INSERT INTO scopes(scope_key, user_id, assistant_id) VALUES(?, ?, ?) ON CONFLICT DO NOTHING",
            (scope.key, scope.user_id, scope.assistant_id),
        )

    def _lock_scope(self, tx: Tx, scope: Scope) -> None:
        """Serialise this transaction with the scope's other writers (SQLite's writers already are)."""
        if self.FOR_UPDATE:
            tx.run(f"SELECT 1 FROM scopes WHERE scope_key=?{self.FOR_UPDATE}", (scope.key,))

    # ---- the embedding model ----

    def check_embedding_model(self, name: str, dim: int) -> None:
        recorded = self.embedding_model()
        if recorded is None:
            with self._write() as tx:
                self._lock_schema(tx)
                if tx.one("SELECT 1 FROM meta WHERE key='embedding_model'") is None:
                    tx.run(
                        "INSERT INTO meta(key, value) VALUES('embedding_model', ?)",
                        (json.dumps({"name": name, "dim": dim}),),
                    )
                    self._model_recorded(tx, dim)
            recorded = self.embedding_model()
        if recorded != (name, dim):
            stored_name, stored_dim = recorded if recorded else (None, None)
            raise ConfigError(
                f"this store was built with the embedding model {stored_name!r} ({stored_dim} dimensions); it "
                f"cannot be searched with {name!r} ({dim}). Use the same embedding_model_name."
            )

    def embedding_model(self) -> tuple[str, int] | None:
        with self._read() as tx:
            row = tx.one("SELECT value FROM meta WHERE key='embedding_model'")
        if row is None:
            return None
        stored = json.loads(row[0])
        return str(stored["name"]), int(stored["dim"])

    # ---- pages ----

    def add_page(self, scope: Scope, page: Page) -> Page:
        self._add_page(scope, page, count=False)
        return page

    def add_page_and_count(self, scope: Scope, page: Page) -> int:
        return self._add_page(scope, page, count=True)

    def _add_page(self, scope: Scope, page: Page, count: bool) -> int:
        check_page_times(page)
        with self._write(conflict=page_conflict(page)) as tx:
            short = self._insert_page(tx, scope, page, count)
        page.tier = "short"
        return short

    def _insert_page(self, tx: Tx, scope: Scope, page: Page, count: bool) -> int:
        """The statements of one add inside a write transaction; the scope's short-term count with it (-1: not
        asked)."""
        # the row lock of this UPDATE orders one user's adds (PostgreSQL); SQLite's writers are serialised. The
        # scope's row exists after its first add: only then is the insert needed
        bump = "UPDATE scopes SET next_seq = next_seq + 1 WHERE scope_key=? RETURNING next_seq"
        row = tx.one(bump, (scope.key,))
        if row is None:
            self._ensure_scope(tx, scope)
            row = tx.one(bump, (scope.key,))
        page.seq = int(row[0])
        self._insert(tx, "pages", [page_row(scope.key, page, new=True) | self._page_lexical(page)])
        self._page_added(tx, scope, page)
        if not count:
            return -1
        (short,) = tx.one("SELECT count(*) FROM pages WHERE scope_key=? AND tier='short'", (scope.key,))
        return int(short)

    def get_page(self, scope: Scope, page_id: str) -> Page:
        pages = self.get_pages(scope, [page_id])
        if not pages:
            raise NotFound(f"no page {page_id!r} in the memory of user {scope.user_id!r}")
        return pages[0]

    def get_pages(self, scope: Scope, page_ids: list[str], with_vectors: bool = False) -> list[Page]:
        if not page_ids:
            return []
        with self._read() as tx:
            found = self._read_pages(tx, scope, page_ids, with_vectors)
        return [found[i] for i in page_ids if i in found]

    def shared_pages(self, scope: Scope, page_ids: list[str]) -> list[Page]:
        return self.get_pages(scope, page_ids, with_vectors=True)

    def _read_pages(self, tx: Tx, scope: Scope, page_ids: Sequence[str], with_vectors: bool) -> dict[str, Page]:
        """The scope's pages among these ids, by id (missing ones left out)."""
        vectors = f"{self.VECTOR_READ}, {UNITS_COLUMN}" if with_vectors else "NULL, NULL"
        found: dict[str, Page] = {}
        for chunk in self._batches(page_ids):
            where, params = self._among(scope, chunk)
            for row in tx.run(f"SELECT {PAGE_COLS}, {vectors} FROM pages WHERE {where}", params):
                found[row[0]] = self._page(row)
        return found

    def _page(self, row: Sequence[Any], faults: list[InvalidTime] | None = None) -> Page:
        """A page read with its vector and units (PAGE_COLS, vector, units)."""
        embedding = self._decode(row[PAGE_VECTOR])
        return page_from_row(row, embedding, faults, units_from_blob(row[PAGE_UNITS], embedding))

    def list_pages(
        self,
        scope: Scope,
        tier: Tier | None = None,
        segment_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
    ) -> list[Page]:
        sql, params = self._pages_statement(scope, tier, segment_id, limit, offset, newest_first)
        with self._read() as tx:
            rows = tx.all(sql, params)
        return [page_from_row(row) for row in rows]

    def _pages_statement(
        self,
        scope: Scope,
        tier: Tier | None = None,
        segment_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
    ) -> tuple[str, list[Any]]:
        where, params = self._matching(scope, tier=tier, segment_id=segment_id)
        order = "DESC" if newest_first else "ASC"
        by = _BY_SEQ if segment_id else "seq"
        sql = f"SELECT {PAGE_COLS} FROM pages WHERE {where} ORDER BY {by} {order} LIMIT ? OFFSET ?"
        return sql, [*params, self.NO_LIMIT if limit is None else limit, offset]

    def count_pages(self, scope: Scope, tier: Tier | None = None) -> int:
        where, params = self._matching(scope, tier=tier)
        with self._read() as tx:
            (count,) = tx.one(f"SELECT count(*) FROM pages WHERE {where}", params)
        return int(count)

    def last_consolidated_page(self, scope: Scope) -> Page | None:
        with self._read() as tx:
            row = tx.one(
                f"SELECT {PAGE_COLS}, {self.VECTOR_READ} FROM pages WHERE scope_key=? AND tier != 'short' "
                "ORDER BY seq DESC LIMIT 1",
                (scope.key,),
            )
        return page_from_row(row, self._decode(row[PAGE_VECTOR])) if row else None

    def unanalyzed_pages(self, scope: Scope, segment_id: str) -> list[Page]:
        with self._read() as tx:
            rows = tx.all(
                f"SELECT {PAGE_COLS} FROM pages WHERE scope_key=? AND segment_id=? AND analyzed=FALSE "
                f"ORDER BY {_BY_SEQ}",
                (scope.key, segment_id),
            )
        return [page_from_row(row) for row in rows]

    def delete_page(self, scope: Scope, page_id: str) -> None:
        with self._write() as tx:
            if not self._delete_page(tx, scope, page_id):
                raise NotFound(f"no page {page_id!r} in the memory of user {scope.user_id!r}")

    def delete_segment(self, scope: Scope, segment_id: str) -> int:
        with self._write() as tx:
            if not tx.one(
                f"SELECT 1 FROM segments WHERE scope_key=? AND id=?{self.FOR_UPDATE}", (scope.key, segment_id)
            ):
                raise NotFound(f"no segment {segment_id!r} in the memory of user {scope.user_id!r}")
            ids = [
                r[0] for r in tx.all("SELECT id FROM pages WHERE scope_key=? AND segment_id=?", (scope.key, segment_id))
            ]
            for page_id in ids:
                self._delete_page(tx, scope, page_id)
            tx.run("DELETE FROM segments WHERE scope_key=? AND id=?", (scope.key, segment_id))
        return len(ids)

    def _delete_page(self, tx: Tx, scope: Scope, page_id: str) -> bool:
        row = tx.one(
            "SELECT pk, segment_id, prev_page_id, next_page_id, embedding IS NOT NULL FROM pages "
            f"WHERE scope_key=? AND id=?{self.FOR_UPDATE}",
            (scope.key, page_id),
        )
        if row is None:
            return False
        pk, segment_id, prev_id, next_id, had_vector = row
        # keep the chain whole: the neighbours link to each other
        if prev_id:
            tx.run("UPDATE pages SET next_page_id=? WHERE scope_key=? AND id=?", (next_id, scope.key, prev_id))
        if next_id:
            tx.run("UPDATE pages SET prev_page_id=? WHERE scope_key=? AND id=?", (prev_id, scope.key, next_id))
        tx.run("DELETE FROM pages WHERE scope_key=? AND id=?", (scope.key, page_id))
        self._page_removed(tx, scope, pk, bool(had_vector))
        if segment_id:
            tx.run(
                "UPDATE segments SET page_count = page_count - 1 WHERE scope_key=? AND id=?", (scope.key, segment_id)
            )
            tx.run("DELETE FROM segments WHERE scope_key=? AND id=? AND page_count <= 0", (scope.key, segment_id))
        return True

    # ---- segments ----

    def list_segments(self, scope: Scope, status: str | None = "active") -> list[Segment]:
        where, params = self._matching(scope, status=status)
        with self._read() as tx:
            rows = tx.all(
                f"SELECT {SEG_COLS}, {self.VECTOR_READ} FROM segments WHERE {where} ORDER BY created_at, id", params
            )
        return [segment_from_row(row, self._decode(row[SEG_VECTOR])) for row in rows]

    def segment_vectors(self, scope: Scope) -> tuple[list[str], list[tuple[str, ...]], np.ndarray]:
        with self._read() as tx:
            rows = tx.all(self._segment_vectors_sql(), (scope.key,))
        return self._segment_vectors(rows)

    def _segment_vectors_sql(self) -> str:
        return (
            f"SELECT id, keywords, {self.VECTOR_READ} FROM segments WHERE scope_key=? AND status='active' "
            "AND embedding IS NOT NULL ORDER BY created_at, id"
        )

    def _segment_vectors(self, rows: list[Any]) -> tuple[list[str], list[tuple[str, ...]], np.ndarray]:
        return [r[0] for r in rows], [keyword_tuple(r[1]) for r in rows], self._decode_rows([r[2] for r in rows])

    def _decode_rows(self, raws: list[Any]) -> np.ndarray:
        """Many vectors as one float32 matrix (a row each); backends override this with one decode."""
        if not raws:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([np.asarray(self._decode(raw), dtype=np.float32) for raw in raws])

    def get_segment(self, scope: Scope, segment_id: str) -> Segment:
        found = self.get_segments(scope, [segment_id])
        if not found:
            raise NotFound(f"no segment {segment_id!r} in the memory of user {scope.user_id!r}")
        return found[0]

    def get_segments(self, scope: Scope, segment_ids: list[str]) -> list[Segment]:
        if not segment_ids:
            return []
        where, params = self._among(scope, segment_ids)
        with self._read() as tx:
            rows = tx.all(f"SELECT {SEG_COLS}, {self.VECTOR_READ} FROM segments WHERE {where}", params)
        found = {row[0]: segment_from_row(row, self._decode(row[SEG_VECTOR])) for row in rows}
        return [found[i] for i in segment_ids if i in found]

    def apply_consolidation(self, scope: Scope, plan: ConsolidationPlan) -> bool:
        check_epoch(plan.now, "consolidation time")
        try:
            with self._write() as tx:
                self._consolidate(tx, scope, plan)
        except Stale:
            return False  # rolled back: a stale plan changes nothing
        return True

    def _consolidate(self, tx: Tx, scope: Scope, plan: ConsolidationPlan) -> None:
        where, params = self._among(scope, plan.page_ids)
        claimed = tx.all(f"SELECT id FROM pages WHERE {where} AND tier='short'{self.FOR_UPDATE}", params)
        if len(claimed) != len(plan.page_ids):
            raise Stale  # another worker moved them first: consolidation is claimed, not raced
        now = plan.now
        new = [
            Segment(s.id, s.summary, s.keywords, s.embedding, 0, s.added_pages, now, now, "active", s.added_pages)
            for s in plan.segments
            if s.is_new
        ]
        self._insert(tx, "segments", [segment_row(scope.key, s) for s in new])
        merge = (
            f"UPDATE segments SET summary=?, keywords=?, embedding={self.VECTOR}, l_interaction = l_interaction + ?, "
            "page_count = page_count + ?, last_access=? WHERE scope_key=? AND id=?"
        )
        for s in plan.segments:
            if s.is_new:
                continue
            values = (s.summary, dumps(s.keywords), self._encode(s.embedding), s.added_pages, s.added_pages, now)
            if tx.run(merge, (*values, scope.key, s.id)).rowcount != 1:
                raise Stale  # the segment was deleted meanwhile; retry later with a fresh plan
        if plan.reanalyze:
            tx.many(
                "INSERT INTO segment_reanalysis(scope_key, segment_id, queued_at) VALUES(?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [(scope.key, seg.id, now) for seg in plan.segments],
            )
        stamp = self._vectors_written(tx, scope, replaced=False)
        tx.many(
            f"UPDATE pages SET tier='mid', segment_id=?, embedding={self.VECTOR}, {UNITS_COLUMN}=?, prev_page_id=?, "
            f"chain_summary=?{''.join(f', {c}=?' for c in stamp)} WHERE scope_key=? AND id=?",
            [
                (
                    u.segment_id,
                    self._encode(u.embedding),
                    units_blob(u.unit_vectors),
                    u.prev_page_id,
                    u.chain_summary,
                    *stamp.values(),
                    scope.key,
                    u.page_id,
                )
                for u in plan.pages
            ],
        )
        tx.many(
            "UPDATE pages SET next_page_id=? WHERE scope_key=? AND id=?",
            [(u.page_id, scope.key, u.prev_page_id) for u in plan.pages if u.prev_page_id],
        )

    def archive_segment(self, scope: Scope, segment_id: str) -> None:
        with self._write() as tx:
            if tx.run(
                "UPDATE segments SET status='archived' WHERE scope_key=? AND id=? AND status='active'",
                (scope.key, segment_id),
            ).rowcount:
                tx.run("UPDATE pages SET tier='archive' WHERE scope_key=? AND segment_id=?", (scope.key, segment_id))

    def record_visits(self, scope: Scope, segment_ids: list[str], now: float) -> list[Segment]:
        if not segment_ids:
            return []
        check_epoch(now, "visit time")
        by_count: dict[int, list[str]] = {}  # each occurrence of an id is one visit
        for segment_id, n in Counter(segment_ids).items():
            by_count.setdefault(n, []).append(segment_id)
        for attempt in range(_DEADLOCK_ATTEMPTS):
            try:
                with self._write() as tx:
                    if self.FOR_UPDATE:
                        # lock in id order first: concurrent writers of one user then queue instead of deadlocking
                        where, params = self._among(scope, sorted(set(segment_ids)))
                        tx.run(f"SELECT id FROM segments WHERE {where} ORDER BY id{self.FOR_UPDATE}", params)
                    rows: list[Any] = []
                    for n, ids in by_count.items():
                        where, params = self._among(scope, ids)
                        rows += tx.all(
                            f"UPDATE segments SET n_visit = n_visit + ?, last_access = {self.GREATEST}(last_access, ?) "
                            f"WHERE {where} RETURNING {SEG_COLS}",
                            [n, now, *params],
                        )
                return [segment_from_row(row) for row in rows]
            except StorageError as exc:
                # an upkeep transaction of another process may hold these rows in another order; the database then
                # aborts one side, and the visit counts are simply written again
                if not self._retryable(exc) or attempt == _DEADLOCK_ATTEMPTS - 1:
                    raise
                log.info("heat write met a deadlock; retrying (%d)", attempt + 1)
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise AssertionError("unreachable: the last attempt returns or raises")

    # ---- long-term ----

    def current_profile(self, scope: Scope) -> ProfileVersion | None:
        with self._read() as tx:
            latest = self._profiles(tx, scope, latest_only=True)
        return latest[0] if latest else None

    def profile_history(self, scope: Scope) -> list[ProfileVersion]:
        with self._read() as tx:
            return self._profiles(tx, scope)

    @staticmethod
    def _profiles(
        tx: Tx, scope: Scope, latest_only: bool = False, faults: list[InvalidTime] | None = None
    ) -> list[ProfileVersion]:
        order = "DESC LIMIT 1" if latest_only else "ASC"
        rows = tx.all(f"SELECT {PROFILE_COLS} FROM profiles WHERE scope_key=? ORDER BY version {order}", (scope.key,))
        return [profile_from_row(r, faults) for r in rows]

    def list_facts(
        self,
        scope: Scope,
        kind: KnowledgeKind | None = None,
        with_vectors: bool = False,
        include_history: bool = False,
    ) -> list[Fact]:
        """Served from the fact cache (storage/fact_cache.py) while the scope's fact version stands still."""
        read = (kind, with_vectors, include_history)
        with self._read() as tx:
            if self._fact_cache is None:
                return self._read_facts(tx, scope, *read)
            row = tx.one(FACT_VERSION_SQL, (scope.key,))
            return self._facts_at(tx, scope, int(row[0]) if row else 0, read)

    def _facts_at(
        self, tx: Tx, scope: Scope, version: int, read: tuple[KnowledgeKind | None, bool, bool]
    ) -> list[Fact]:
        """The facts of this read at the scope's fact version `version`, read before (kept, or read now)."""
        cache = self._fact_cache
        if cache is None:
            return self._read_facts(tx, scope, *read)
        kept = cache.get(scope.key, version, read)
        if kept is not None:
            return kept
        facts = self._read_facts(tx, scope, *read)
        for fact in facts:  # shared from now on: nobody may change a vector in place
            if fact.embedding is not None:
                fact.embedding.flags.writeable = False
        cache.put(scope.key, version, read, facts)
        return list(facts)

    # ---- what a retrieve reads (backends may send each pair of statements together) ----

    def retrieval_reads(self, scope: Scope) -> tuple[list[Page], list[Fact]]:
        return self.list_pages(scope, tier="short"), self.list_facts(scope, with_vectors=True, include_history=True)

    def context_reads(
        self, scope: Scope
    ) -> tuple[tuple[list[str], list[tuple[str, ...]], np.ndarray], ProfileVersion | None]:
        return self.segment_vectors(scope), self.current_profile(scope)

    def _read_facts(
        self, tx: Tx, scope: Scope, kind: KnowledgeKind | None, with_vectors: bool, include_history: bool
    ) -> list[Fact]:
        vector = self.VECTOR_READ if with_vectors else "NULL"
        where, params = self._matching(scope, kind=kind)
        if not include_history:
            where += f" AND {CURRENT_FACT}"
        rows = tx.all(f"SELECT {FACT_COLS}, {vector} FROM knowledge WHERE {where} ORDER BY created_at, pk", params)
        return [fact_from_row(row, self._decode(row[FACT_VECTOR])) for row in rows]

    def _kept_facts(self) -> FactCache | None:
        """A fact cache, for a database whose schema counts fact changes (not a read-only old one)."""
        with self._read() as tx:
            row = tx.one("SELECT value FROM meta WHERE key='schema_version'")
        applied = int(row[0]) if row else 0
        counted = applied > [m.name for m in self.MIGRATIONS].index("knowledge_change_counter")
        return FactCache() if counted else None

    def fact_history(self, scope: Scope, fact_id: str) -> list[Fact]:
        key = (scope.key,)
        with self._read() as tx:
            if tx.one("SELECT 1 FROM knowledge WHERE scope_key=? AND id=?", (*key, fact_id)) is None:
                raise NotFound(f"no knowledge entry {fact_id!r} in the memory of user {scope.user_id!r}")
            links = dict(
                tx.all("SELECT id, superseded_by FROM knowledge WHERE scope_key=? AND superseded_by IS NOT NULL", key)
            )
            place = supersession_chain(links, fact_id)
            found: list[Fact] = []
            for chunk in self._batches(list(place)):
                where, params = self._among(scope, chunk)
                found += [fact_from_row(r) for r in tx.run(f"SELECT {FACT_COLS} FROM knowledge WHERE {where}", params)]
        # facts replaced together (the same place) oldest first
        return sorted(found, key=lambda fact: (place[fact.id], fact.created_at, fact.id))

    def _insert_facts(
        self,
        tx: Tx,
        scope: Scope,
        facts: list[Fact],
        evict_ids: list[str],
        invalidations: Sequence[FactInvalidation] = (),
    ) -> None:
        """Add facts, then close facts (successors may be among those just added), then evict."""
        self._insert(tx, "knowledge", [fact_row(scope.key, fact) for fact in facts])
        self._close_facts(tx, scope, invalidations)
        if evict_ids:
            where, params = self._among(scope, evict_ids)
            tx.run(f"DELETE FROM knowledge WHERE {where}", params)

    def _close_facts(self, tx: Tx, scope: Scope, invalidations: Sequence[FactInvalidation]) -> None:
        """NotFound for a fact (or successor) the scope lacks; InvalidInput for a successor that is not current.
        A fact closed already keeps its interval and successor."""
        current = f"SELECT {CURRENT_FACT} FROM knowledge WHERE scope_key=? AND id=?{self.FOR_UPDATE}"
        for closing in invalidations:
            row = tx.one(current, (scope.key, closing.fact_id))
            if row is None:
                raise NotFound(f"no knowledge entry {closing.fact_id!r} in the memory of user {scope.user_id!r}")
            if closing.superseded_by is not None:
                successor = tx.one(current, (scope.key, closing.superseded_by))
                if successor is None:
                    raise NotFound(
                        f"no knowledge entry {closing.superseded_by!r} in the memory of user {scope.user_id!r}"
                    )
                if not successor[0]:
                    raise InvalidInput(f"knowledge {closing.superseded_by} is no longer current: it supersedes nothing")
            if not row[0]:
                continue  # closed already: its interval stays as first recorded
            tx.run(
                "UPDATE knowledge SET valid_until=?, invalidated_at=?, superseded_by=? WHERE scope_key=? AND id=?",
                (closing.valid_until, closing.invalidated_at, closing.superseded_by, scope.key, closing.fact_id),
            )

    def add_facts(
        self,
        scope: Scope,
        facts: list[Fact],
        evict_ids: list[str],
        invalidations: Sequence[FactInvalidation] = (),
    ) -> None:
        for fact in facts:
            check_fact_times(fact)
        for closing in invalidations:
            check_invalidation(closing)
        with self._write() as tx:
            self._ensure_scope(tx, scope)
            self._insert_facts(tx, scope, facts, evict_ids, invalidations)

    def invalidate_facts(self, scope: Scope, invalidations: Sequence[FactInvalidation]) -> None:
        for closing in invalidations:
            check_invalidation(closing)
        if invalidations:
            with self._write() as tx:
                self._close_facts(tx, scope, invalidations)

    def delete_fact(self, scope: Scope, fact_id: str) -> None:
        with self._write() as tx:
            deleted = tx.run("DELETE FROM knowledge WHERE scope_key=? AND id=?", (scope.key, fact_id)).rowcount
        if not deleted:
            raise NotFound(f"no knowledge entry {fact_id!r} in the memory of user {scope.user_id!r}")

    def purge_expired(self, scope: Scope, now: float) -> Purged:
        check_epoch(now, "purge time")
        with self._write() as tx:
            rows = tx.all(
                f"SELECT {PAGE_COLS}, NULL FROM pages WHERE scope_key=? AND expires_at <= ? ORDER BY seq"
                f"{self.FOR_UPDATE}",
                (scope.key, now),
            )
            pages = [page_from_row(row, None) for row in rows]
            for page in pages:
                self._delete_page(tx, scope, page.id)
            gone = {p.id: p for p in pages}
            successors: list[str] = []
            for page in pages:
                after = page.next_page_id
                while after in gone:  # the thread ran on through other expired pages
                    after = gone[after].next_page_id
                if after and after not in successors:
                    successors.append(after)
            expired = [
                r[0] for r in tx.all("SELECT id FROM knowledge WHERE scope_key=? AND expires_at <= ?", (scope.key, now))
            ]
            doomed = list(dict.fromkeys(expired + self._orphaned_facts(tx, scope, set(gone))))
            for fact_id in doomed:
                self._unlink_fact(tx, scope, fact_id)
            for chunk in self._batches(doomed):
                where, params = self._among(scope, chunk)
                tx.run(f"DELETE FROM knowledge WHERE {where}", params)
            alive = self._existing_pages(tx, scope, successors)
        return Purged(pages, [i for i in successors if i in alive], doomed)

    def _existing_pages(self, tx: Tx, scope: Scope, page_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in self._batches(list(page_ids)):
            where, params = self._among(scope, chunk)
            found.update(r[0] for r in tx.all(f"SELECT id FROM pages WHERE {where}", params))
        return found

    def _orphaned_facts(self, tx: Tx, scope: Scope, gone: set[str]) -> list[str]:
        """Learnt facts citing one of the `gone` pages and no page that still exists: said only on pages that
        were forgotten, they are forgotten with them (a fact also stated on a kept page stays)."""
        if not gone:
            return []
        cited = {
            fact_id: json.loads(sources)
            for fact_id, sources in tx.all(
                "SELECT id, source_page_ids FROM knowledge WHERE scope_key=? AND source_page_ids != '[]'", (scope.key,)
            )
        }
        cited = {fact_id: sources for fact_id, sources in cited.items() if gone.intersection(sources)}
        if not cited:
            return []
        alive = self._existing_pages(tx, scope, sorted({p for sources in cited.values() for p in sources}))
        return [fact_id for fact_id, sources in cited.items() if not alive.intersection(sources)]

    def _unlink_fact(self, tx: Tx, scope: Scope, fact_id: str) -> None:
        """Before a fact is forgotten, the facts it closed take its place in the chain of versions: they hold
        again if it still held, else they end where and as it ended (its successor becomes theirs)."""
        row = tx.one(
            "SELECT valid_until, invalidated_at, superseded_by FROM knowledge "
            f"WHERE scope_key=? AND id=?{self.FOR_UPDATE}",
            (scope.key, fact_id),
        )
        if row is not None:
            tx.run(
                "UPDATE knowledge SET valid_until=?, invalidated_at=?, superseded_by=? "
                "WHERE scope_key=? AND superseded_by=?",
                (*row, scope.key, fact_id),
            )

    def apply_promotion(self, scope: Scope, plan: PromotionPlan, evict_fact_ids: list[str]) -> bool:
        if plan.profile is not None:
            check_epoch(plan.profile.created_at, "profile created_at")
        for fact in plan.new_facts:
            check_fact_times(fact)
        for closing in plan.invalidations:
            check_invalidation(closing)
        try:
            with self._write() as tx:
                self._promote(tx, scope, plan, evict_fact_ids)
        except Stale:
            return False  # rolled back
        return True

    def _promote(self, tx: Tx, scope: Scope, plan: PromotionPlan, evict_fact_ids: list[str]) -> None:
        self._ensure_scope(tx, scope)
        pages, pages_params = self._among(scope, plan.page_ids)
        if plan.page_ids:
            fresh = tx.all(f"SELECT id FROM pages WHERE {pages} AND analyzed=FALSE{self.FOR_UPDATE}", pages_params)
            if len(fresh) != len(plan.page_ids):
                raise Stale  # analysed by another worker: never promote twice
        if plan.profile is not None:
            self._lock_scope(tx, scope)  # serialises the scope's version numbers
            (latest,) = tx.one("SELECT coalesce(max(version), 0) FROM profiles WHERE scope_key=?", (scope.key,))
            self._insert(tx, "profiles", [profile_row(scope.key, replace(plan.profile, version=int(latest) + 1))])
        try:
            self._insert_facts(tx, scope, plan.new_facts, evict_fact_ids, plan.invalidations)
        except NotFound as exc:
            log.info("promotion plan went stale: %s", exc)
            raise Stale from exc  # a fact it closes was deleted meanwhile
        for fact_id, sources in plan.merged_sources.items():
            row = tx.one(
                "SELECT source_page_ids, expires_at, method FROM knowledge "
                f"WHERE scope_key=? AND id=?{self.FOR_UPDATE}",
                (scope.key, fact_id),
            )
            if row:
                merged = list(dict.fromkeys(json.loads(row[0]) + sources))
                expires_at = row[1]
                if expires_at is not None and row[2] != "manual" and sources:
                    # a learnt fact lives as long as the longest-lived page that says it (a valid_until given
                    # by hand stays as given)
                    where, params = self._among(scope, sources)
                    lives = [r[0] for r in tx.all(f"SELECT expires_at FROM pages WHERE {where}", params)]
                    expires_at = None if None in lives else max([expires_at, *lives])
                tx.run(
                    "UPDATE knowledge SET source_page_ids=?, expires_at=? WHERE scope_key=? AND id=?",
                    (dumps(merged), expires_at, scope.key, fact_id),
                )
        if plan.page_ids:
            tx.run(f"UPDATE pages SET analyzed=TRUE WHERE {pages}", pages_params)
        tx.run(
            "UPDATE segments SET n_visit=0, l_interaction=0 WHERE scope_key=? AND id=?", (scope.key, plan.segment_id)
        )

    # ---- upkeep leases ----

    def claim_upkeep(self, scope: Scope, holder: str, ttl_seconds: float) -> bool:
        now = time.time()
        with self._write() as tx:
            row = tx.one(
                "INSERT INTO upkeep_leases(scope_key, holder, expires_at) VALUES(?, ?, ?) "
                "ON CONFLICT(scope_key) DO UPDATE SET holder=excluded.holder, expires_at=excluded.expires_at "
                "WHERE upkeep_leases.holder = excluded.holder OR upkeep_leases.expires_at < ? RETURNING holder",
                (scope.key, holder, now + ttl_seconds, now),
            )
        return row is not None

    def release_upkeep(self, scope: Scope, holder: str) -> None:
        with self._write() as tx:
            tx.run("DELETE FROM upkeep_leases WHERE scope_key=? AND holder=?", (scope.key, holder))

    # ---- search (the backend's own) ----

    def dense_search(self, scope: Scope, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        raise NotImplementedError

    def lexical_search(self, scope: Scope, terms: list[str], k: int) -> list[tuple[str, float]]:
        raise NotImplementedError

    def search(
        self, scope: Scope, query: np.ndarray, k_dense: int, terms: list[str], k_lexical: int
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        return self.dense_search(scope, query, k_dense), self.lexical_search(scope, terms, k_lexical)

    # ---- maintenance of derived data ----

    def lexical_index_problems(self, scope: Scope) -> list[str]:
        raise NotImplementedError

    def rebuild_lexical_index(self, scope: Scope) -> int:
        raise NotImplementedError

    def set_page_vectors(
        self, scope: Scope, vectors: dict[str, np.ndarray], units: dict[str, np.ndarray | None] | None = None
    ) -> None:
        if not vectors:
            return
        units = units or {}
        with self._write() as tx:
            stamp = self._vectors_written(tx, scope, replaced=True)
            tx.many(
                f"UPDATE pages SET embedding={self.VECTOR}, {UNITS_COLUMN}=?{''.join(f', {c}=?' for c in stamp)} "
                "WHERE scope_key=? AND id=?",
                [
                    (self._encode(v), units_blob(units.get(pid)), *stamp.values(), scope.key, pid)
                    for pid, v in vectors.items()
                ],
            )

    def set_segment_vectors(self, scope: Scope, vectors: dict[str, np.ndarray]) -> None:
        with self._write() as tx:
            tx.many(
                f"UPDATE segments SET embedding={self.VECTOR} WHERE scope_key=? AND id=?",
                [(self._encode(v), scope.key, sid) for sid, v in vectors.items()],
            )

    def segments_to_reanalyze(self, scope: Scope, limit: int = 10) -> list[str]:
        with self._read() as tx:
            rows = tx.all(
                "SELECT segment_id FROM segment_reanalysis WHERE scope_key=? ORDER BY queued_at, segment_id LIMIT ?",
                (scope.key, limit),
            )
        return [r[0] for r in rows]

    def apply_reanalysis(
        self, scope: Scope, segment_id: str, summary: str, keywords: list[str], embedding: np.ndarray | None
    ) -> bool:
        with self._write() as tx:
            tx.run("DELETE FROM segment_reanalysis WHERE scope_key=? AND segment_id=?", (scope.key, segment_id))
            if embedding is None:  # the segment is gone (or cannot be analysed): only dequeue it
                return False
            return (
                tx.run(
                    f"UPDATE segments SET summary=?, keywords=?, embedding={self.VECTOR} WHERE scope_key=? AND id=?",
                    (summary, dumps(keywords), self._encode(embedding), scope.key, segment_id),
                ).rowcount
                == 1
            )

    def apply_rewrite(self, scope: Scope, plan: RewritePlan) -> None:
        if plan.profile is not None:
            check_epoch(plan.profile.created_at, "profile created_at")
        with self._write() as tx:
            written = []
            for seg in plan.segments:
                if tx.run(
                    f"UPDATE segments SET summary=?, keywords=?, embedding={self.VECTOR} WHERE scope_key=? AND id=?",
                    (seg.summary, dumps(seg.keywords), self._encode(seg.embedding), scope.key, seg.id),
                ).rowcount:
                    written.append(seg.id)
            if plan.reanalyze and written:
                tx.many(
                    "INSERT INTO segment_reanalysis(scope_key, segment_id, queued_at) VALUES(?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    [(scope.key, sid, plan.now) for sid in written],
                )
            tx.many(
                "UPDATE pages SET chain_summary=? WHERE scope_key=? AND id=?",
                [(text, scope.key, page_id) for page_id, text in plan.chain_summaries.items()],
            )
            tx.many(
                "UPDATE profiles SET text=? WHERE scope_key=? AND version=?",
                [(text, scope.key, version) for version, text in plan.past_profiles.items()],
            )
            if plan.profile is not None:
                self._lock_scope(tx, scope)
                (latest,) = tx.one("SELECT coalesce(max(version), 0) FROM profiles WHERE scope_key=?", (scope.key,))
                self._insert(tx, "profiles", [profile_row(scope.key, replace(plan.profile, version=int(latest) + 1))])

    def recount_segments(self, scope: Scope) -> int:
        members = "(SELECT count(*) FROM pages p WHERE p.scope_key = ? AND p.segment_id = segments.id)"
        with self._write() as tx:
            return int(
                tx.run(
                    f"UPDATE segments SET page_count = {members} WHERE scope_key=? AND page_count != {members}",
                    (scope.key, scope.key, scope.key),
                ).rowcount
            )

    def fix_times(self, scope: Scope, fixes: list[tuple[InvalidTime, float]]) -> int:
        for fault, value in fixes:
            check_epoch(value, f"new {fault.field} of {fault.kind} {fault.id}")
        changed = 0
        with self._write() as tx:
            for fault, value in fixes:
                table, column, key, ident = time_fix_target(fault)
                if table == "pages":
                    row = tx.one(
                        f"SELECT meta_data FROM pages WHERE scope_key=? AND id=?{self.FOR_UPDATE}", (scope.key, ident)
                    )
                    if row is None:
                        continue
                    tx.run(
                        "UPDATE pages SET meta_data=? WHERE scope_key=? AND id=?",
                        (time_fix_note(row[0], fault.raw), scope.key, ident),
                    )
                changed += tx.run(
                    f"UPDATE {table} SET {column}=? WHERE scope_key=? AND {key}=?", (value, scope.key, ident)
                ).rowcount
        return changed

    # ---- whole scopes ----

    def list_scopes(self, user_id: str | None = None) -> list[Scope]:
        sql, params = "SELECT user_id, assistant_id FROM scopes", []
        if user_id is not None:
            sql, params = sql + " WHERE user_id=?", [user_id]
        with self._read() as tx:
            rows = tx.all(sql + " ORDER BY user_id, assistant_id", params)
        return [Scope(r[0], r[1]) for r in rows]

    def export_scope(self, scope: Scope) -> ScopeDump:
        faults: list[InvalidTime] = []
        vector, key = self.VECTOR_READ, (scope.key,)
        with self._read() as tx:
            pages = [
                self._page(row, faults)
                for row in tx.run(
                    f"SELECT {PAGE_COLS}, {vector}, {UNITS_COLUMN} FROM pages WHERE scope_key=? ORDER BY seq", key
                )
            ]
            segments = [
                segment_from_row(row, self._decode(row[SEG_VECTOR]), faults)
                for row in tx.run(
                    f"SELECT {SEG_COLS}, {vector} FROM segments WHERE scope_key=? ORDER BY created_at, id", key
                )
            ]
            facts = [
                fact_from_row(row, self._decode(row[FACT_VECTOR]), faults)
                for row in tx.run(
                    f"SELECT {FACT_COLS}, {vector} FROM knowledge WHERE scope_key=? ORDER BY created_at, pk", key
                )
            ]
            profiles = self._profiles(tx, scope, faults=faults)
        return ScopeDump(pages=pages, segments=segments, profile_versions=profiles, facts=facts, invalid_times=faults)

    def import_scope(self, scope: Scope, dump: ScopeDump) -> None:
        check_dump_times(dump)
        # the import is validated (unique ids and seqs) and ids are keyed by scope, so a clash is with the scope's
        # own knowledge or a concurrent writer; the database's message would name the id, the conflict text does not
        with self._write(conflict=_IMPORT_CONFLICT) as tx:
            self._ensure_scope(tx, scope)
            self._lock_scope(tx, scope)
            if tx.one("SELECT 1 FROM pages WHERE scope_key=? LIMIT 1", (scope.key,)):
                raise InvalidInput(f"the memory of user {scope.user_id!r} is not empty; import needs an empty one")
            self._insert(tx, "segments", [segment_row(scope.key, s) for s in dump.segments])
            stamp = self._vectors_written(tx, scope, replaced=False)
            self._insert(tx, "pages", [page_row(scope.key, p) | stamp | self._page_lexical(p) for p in dump.pages])
            self._pages_imported(tx, scope)
            self._insert(tx, "profiles", [profile_row(scope.key, v) for v in dump.profile_versions])
            max_seq = max((p.seq for p in dump.pages), default=0)
            tx.run(f"UPDATE scopes SET next_seq = {self.GREATEST}(next_seq, ?) WHERE scope_key=?", (max_seq, scope.key))
            self._insert(tx, "knowledge", [fact_row(scope.key, fact) for fact in dump.facts])
        self._imported(len(dump.pages))

    def forget_scope(self, scope: Scope) -> int:
        with self._write() as tx:
            self._lock_scope(tx, scope)
            (pages,) = tx.one("SELECT count(*) FROM pages WHERE scope_key=?", (scope.key,))
            self._forgetting(tx, scope)
            for table in _SCOPE_TABLES:
                tx.run(f"DELETE FROM {table} WHERE scope_key=?", (scope.key,))
            tx.run("UPDATE scopes SET next_seq = 0 WHERE scope_key=?", (scope.key,))
        return int(pages)

    def stats(self, scope: Scope) -> dict[str, Any]:
        key = (scope.key,)
        with self._read() as tx:
            tiers = dict(tx.all("SELECT tier, count(*) FROM pages WHERE scope_key=? GROUP BY tier", key))
            segments = dict(tx.all("SELECT status, count(*) FROM segments WHERE scope_key=? GROUP BY status", key))
            knowledge = {
                (kind, bool(current)): count
                for kind, current, count in tx.all(
                    f"SELECT kind, {CURRENT_FACT}, count(*) FROM knowledge WHERE scope_key=? GROUP BY kind, 2", key
                )
            }
            (profiles,) = tx.one("SELECT count(*) FROM profiles WHERE scope_key=?", key)
            storage = self._storage_stats(tx)
        data = stats_dict(tiers, segments, knowledge, profiles)
        data["storage"] = storage
        return data
