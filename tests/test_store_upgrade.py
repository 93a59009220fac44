"""Upgrades never lose data: stores and exports written by released versions open, migrate and export the same.

`../shared/data/stores/v0.1-sqlite` holds what memoryos 0.1 wrote (its NOTICE.md says how). The SQLite store is
migrated as it is; the PostgreSQL one is rebuilt from the same rows on 0.1's own schema steps (migration steps never
change), then opened by this version. Both must export every field 0.1 exported unchanged, and agree with each
other and with an import of 0.1's export on the fields added since.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from conftest import database_url

from memoryos import Memoryos
from memoryos.export_format import dump_to_dict
from memoryos.lexical import analyze
from memoryos.models import Page, Scope
from memoryos.storage import open_store
from memoryos.storage.schema import POSTGRES_MIGRATIONS, Migration

V01 = Path(__file__).resolve().parents[2] / "shared" / "data" / "stores" / "v0.1-sqlite"
JON = Scope("jon", "default_assistant")
# fields exports gained after 0.1, by record list
ADDED = {
    "pages": ("expires_at",),
    "knowledge": (
        "observed_at",
        "valid_from",
        "valid_until",
        "invalidated_at",
        "superseded_by",
        "attribute",
        "statement",
        "expires_at",
    ),
}
V01_PG_STEPS = 2  # PostgreSQL schema steps memoryos 0.1 shipped ("initial", "segment_reanalysis")

pytestmark = pytest.mark.skipif(not (V01 / "memoryos.db").exists(), reason="the shared v0.1 store is not present")


def released() -> dict[str, Any]:
    return json.loads((V01 / "export-v0.1.json").read_text(encoding="utf-8"))


def as_released(export: dict[str, Any]) -> dict[str, Any]:
    """An export with only what 0.1 exported (its fields; the format version is compared separately)."""
    old = {key: value for key, value in export.items() if key != "version"}
    for key, fields in ADDED.items():
        old[key] = [{k: v for k, v in record.items() if k not in fields} for record in export[key]]
    return old


def observed_from_sources(export: dict[str, Any]) -> dict[str, float | None]:
    """What an upgrade gives a fact of 0.1: the newest timestamp among its source pages."""
    times = {p["id"]: p["timestamp"] for p in export["pages"]}
    found = {}
    for fact in export["knowledge"]:
        stamps = [times[i] for i in fact["source_page_ids"] if i in times]
        found[fact["id"]] = max(stamps) if stamps else None
    return found


def copied_v01(tmp_path: Path) -> Path:
    shutil.copy(V01 / "memoryos.db", tmp_path / "memoryos.db")
    return tmp_path / "memoryos.db"


def test_the_v01_export_has_what_this_test_expects() -> None:
    data = released()
    assert data["version"] == 1 and data["assistant_id"] == JON.assistant_id
    assert len(data["pages"]) == 196 and len(data["knowledge"]) >= 27
    assert not {f for fields in ADDED.values() for f in fields} & {k for p in data["pages"] for k in p}
    assert any(f["source_page_ids"] for f in data["knowledge"]) and any(
        not f["source_page_ids"] for f in data["knowledge"]
    )


def test_a_v01_sqlite_store_migrates_and_exports_the_same(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{copied_v01(tmp_path)}")
    try:
        export = dump_to_dict(store.export_scope(JON), JON.user_id, JON.assistant_id)
        assert store.lexical_index_problems(JON) == []
        facts = store.list_facts(JON)
    finally:
        store.close()
    data = released()
    assert as_released(export) == as_released(data)
    assert export["version"] == 2
    observed = {f["id"]: f["observed_at"] for f in export["knowledge"]}
    assert observed == observed_from_sources(data)
    assert sum(v is not None for v in observed.values()) == 26  # every extracted fact, not the manual one
    # nothing else is invented: every 0.1 fact is current, open-ended, of unknown start, never expiring
    assert len(facts) == len(data["knowledge"])
    assert all(f.is_current() and f.valid_from is None and f.attribute is None and f.expires_at is None for f in facts)
    assert all(p["expires_at"] is None for p in export["pages"])
    with sqlite3.connect(tmp_path / "memoryos.db") as conn:  # the upgrade is recorded once, and only once
        (version,) = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    reopened = open_store(f"sqlite:///{tmp_path / 'memoryos.db'}")
    try:
        assert dump_to_dict(reopened.export_scope(JON), JON.user_id, JON.assistant_id) == export
    finally:
        reopened.close()
    assert int(version) > 2


def test_a_v01_store_reads_the_same_through_the_library_and_has_no_time_problems(tmp_path: Path, embedder: Any) -> None:
    memo = Memoryos(
        user_id="jon", storage=f"sqlite:///{copied_v01(tmp_path)}", embedder=embedder, background_upkeep=False
    )
    try:
        assert as_released(memo.export()) == as_released(released())
        assert not [p for p in memo.check(sample=20) if "invalid" in p]
    finally:
        memo.close()


def test_an_export_of_a_released_version_passes_the_validators_and_restores_as_it_was(make_memo: Any) -> None:
    data = released()
    memo = make_memo(user_id=data["user_id"], assistant_id=data["assistant_id"])
    assert memo.import_data(data) == len(data["pages"]) == 196
    export = memo.export()
    assert as_released(export) == as_released(data)
    # a version-1 export's facts get what the store upgrade gives stored ones
    assert {f["id"]: f["observed_at"] for f in export["knowledge"]} == observed_from_sources(data)


class _V01Postgres:
    """PostgreSQL at 0.1's schema, filled with the rows of the 0.1 SQLite store."""

    TABLES: ClassVar[dict[str, tuple[str, ...]]] = {
        "scopes": ("scope_key", "user_id", "assistant_id", "next_seq"),
        "segments": (
            "id",
            "scope_key",
            "summary",
            "keywords",
            "embedding",
            "n_visit",
            "l_interaction",
            "last_access",
            "created_at",
            "status",
            "page_count",
        ),
        "pages": (
            "id",
            "scope_key",
            "seq",
            "user_input",
            "agent_response",
            "timestamp",
            "meta_data",
            "tier",
            "segment_id",
            "prev_page_id",
            "next_page_id",
            "chain_summary",
            "analyzed",
            "embedding",
        ),
        "knowledge": ("id", "scope_key", "kind", "text", "embedding", "source_page_ids", "created_at", "method"),
        "profiles": ("scope_key", "version", "text", "source_page_ids", "created_at", "method"),
    }

    @classmethod
    def build(cls, url: str) -> None:
        import psycopg

        from memoryos.storage.postgres import _PgTx
        from memoryos.storage.schema import migrate

        steps: list[Migration] = POSTGRES_MIGRATIONS[:V01_PG_STEPS]
        source = sqlite3.connect(f"file:{V01 / 'memoryos.db'}?mode=ro", uri=True)
        with psycopg.connect(url) as conn, conn.transaction():
            migrate(_PgTx(conn), steps, "the 0.1 test database")
            (model,) = source.execute("SELECT value FROM meta WHERE key='embedding_model'").fetchone()
            conn.execute("INSERT INTO meta(key, value) VALUES('embedding_model', %s)", (model,))
            for table, columns in cls.TABLES.items():
                rows = source.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()
                marks = ", ".join("%s::vector" if c == "embedding" else "%s" for c in columns)
                with conn.cursor() as cur:
                    cur.executemany(
                        f"INSERT INTO {table}({', '.join(columns)}) VALUES({marks})",
                        [tuple(cls._value(c, v) for c, v in zip(columns, row, strict=True)) for row in rows],
                    )
        source.close()

    @staticmethod
    def _value(column: str, value: Any) -> Any:
        if column == "embedding" and value is not None:
            return "[" + ",".join(map(str, np.frombuffer(value, dtype=np.float32).tolist())) + "]"
        if column == "analyzed":
            return bool(value)
        return value


@pytest.fixture
def v01_postgres(postgres_base_url: str) -> Iterator[str]:
    import psycopg

    name = f"memoryos_v01_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_base_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = database_url(postgres_base_url, name)
    _V01Postgres.build(url)
    yield url
    with psycopg.connect(postgres_base_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_v01_postgres_store_migrates_and_exports_like_the_sqlite_one(v01_postgres: str, tmp_path: Path) -> None:
    store = open_store(v01_postgres)
    try:
        from_postgres = dump_to_dict(store.export_scope(JON), JON.user_id, JON.assistant_id)
        assert store.list_scopes() == [JON]
    finally:
        store.close()
    sqlite_store = open_store(f"sqlite:///{copied_v01(tmp_path)}")
    try:
        from_sqlite = dump_to_dict(sqlite_store.export_scope(JON), JON.user_id, JON.assistant_id)
    finally:
        sqlite_store.close()
    assert as_released(from_postgres) == as_released(released())
    assert from_postgres == from_sqlite


# ---- every key and unique index includes scope_key (issue 11), fresh and upgraded ----

SCOPED_TABLES = ("pages", "segments", "knowledge", "profiles", "upkeep_leases", "segment_reanalysis", "scopes")


def sqlite_unique_keys(path: Path) -> dict[str, list[list[str]]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        keys: dict[str, list[list[str]]] = {}
        for table in SCOPED_TABLES:
            for _, name, unique, *_ in conn.execute(f"PRAGMA index_list({table})"):
                if unique:
                    keys.setdefault(table, []).append([r[2] for r in conn.execute(f"PRAGMA index_info({name})")])
        return keys
    finally:
        conn.close()


def postgres_unique_keys(url: str) -> dict[str, list[list[str]]]:
    import psycopg

    keys: dict[str, list[list[str]]] = {}
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT t.relname, array_agg(a.attname::text ORDER BY a.attnum) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indisunique AND t.relname = ANY(%s) GROUP BY t.relname, x.relname",
            (list(SCOPED_TABLES),),
        ).fetchall()
    for table, columns in rows:
        keys.setdefault(table, []).append(list(columns))
    return keys


def assert_scoped(keys: dict[str, list[list[str]]]) -> None:
    assert set(keys) == set(SCOPED_TABLES), keys
    for table, indexes in keys.items():
        for columns in indexes:
            assert "scope_key" in columns, (table, columns)
    for table in ("pages", "segments", "knowledge"):
        assert {"scope_key", "id"} in [set(columns) for columns in keys[table]], (table, keys[table])


def test_every_unique_key_of_a_fresh_or_upgraded_sqlite_store_includes_scope_key(tmp_path: Path) -> None:
    open_store(f"sqlite:///{tmp_path / 'fresh.db'}").close()
    assert_scoped(sqlite_unique_keys(tmp_path / "fresh.db"))
    open_store(f"sqlite:///{copied_v01(tmp_path)}").close()
    assert_scoped(sqlite_unique_keys(tmp_path / "memoryos.db"))


def test_every_unique_key_of_an_upgraded_postgres_store_includes_scope_key(v01_postgres: str) -> None:
    open_store(v01_postgres).close()
    assert_scoped(postgres_unique_keys(v01_postgres))


def test_the_sqlite_upgrade_keeps_pks_and_the_lexical_index(tmp_path: Path) -> None:
    path = copied_v01(tmp_path)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as before:
        pks = before.execute("SELECT pk, id FROM pages ORDER BY pk").fetchall()
        (counter,) = before.execute("SELECT seq FROM sqlite_sequence WHERE name='pages'").fetchone()
    store = open_store(f"sqlite:///{path}")
    try:
        assert store.lexical_index_problems(JON) == []
        hits = store.lexical_search(JON, analyze("banker"), 5)
        assert hits and all("banker" in store.get_page(JON, h[0]).text.lower() for h in hits)
        page = store.add_page(
            JON, Page(id=uuid.uuid4().hex, user_input="after the upgrade", agent_response="", timestamp=1_800_000_000.0)
        )
    finally:
        store.close()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as after:
        assert after.execute(f"SELECT pk, id FROM pages WHERE pk <= {pks[-1][0]} ORDER BY pk").fetchall() == pks
        (new_pk,) = after.execute("SELECT pk FROM pages WHERE id=?", (page.id,)).fetchone()
    assert new_pk == counter + 1  # the AUTOINCREMENT counter carried over: no pk is ever reused


def test_both_upgraded_stores_rebuild_the_lexical_index_and_rank_alike(v01_postgres: str, tmp_path: Path) -> None:
    """The multilingual_lexical_index step re-tokenizes every page of an existing store (issue 14), and both
    backends then score a query alike (the 0.1 store holds one user, whose counts are the store's)."""
    terms = analyze("banker job painting family")
    found = []
    for url in (f"sqlite:///{copied_v01(tmp_path)}", v01_postgres):
        store = open_store(url)
        try:
            assert store.lexical_index_problems(JON) == []
            found.append(store.lexical_search(JON, terms, 20))
        finally:
            store.close()
    sqlite_hits, postgres_hits = found
    assert sqlite_hits and [h[0] for h in sqlite_hits] == [h[0] for h in postgres_hits]
    assert [h[1] for h in postgres_hits] == pytest.approx([h[1] for h in sqlite_hits], rel=1e-9)
