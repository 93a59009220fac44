"""The database schema as migration steps: named, applied once each, in order, by one runner (`migrate`) inside
one transaction. (Copying memory between stores is memoryos.migrate's.)

The stored version (meta.schema_version) is the number of steps applied, so stores written by earlier versions
migrate unchanged. A new step goes at the end of its backend's list; a released step never changes (SQLite keeps
each CREATE statement's text as written).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

from ..errors import StorageError
from ..validation import TIMESTAMP_MAX, TIMESTAMP_MIN
from . import pg_lexical

if TYPE_CHECKING:
    from .sql import Tx

log = logging.getLogger(__name__)


# a statement, or a function of the transaction for a step SQL alone cannot take (text analysed in Python)
Statement: TypeAlias = "str | Callable[[Tx], object]"


class Migration(NamedTuple):  # not a dataclass: cheaper to define when a process first opens a store
    name: str
    statements: tuple[Statement, ...]


_VALID_TIMES = f"{TIMESTAMP_MIN!r} AND {TIMESTAMP_MAX!r}"  # the timestamp rule's range, for SQL
# the knowledge_change_counter steps' triggers: name, event, and the row (or transition table) it counts
_KNOWLEDGE_EVENTS = (("added", "INSERT", "NEW"), ("changed", "UPDATE", "NEW"), ("removed", "DELETE", "OLD"))
# a JSON list of ids as models.dumps writes it (no "?": statements go through the "?" -> "%s" of the PostgreSQL Tx)
_ID_LIST = r'^\[("[A-Za-z0-9_.:-]+"(, "[A-Za-z0-9_.:-]+")*){0,1}\]$'


def step(name: str, *statements: Statement) -> Migration:
    return Migration(name, statements)


def migrate(tx: Tx, steps: list[Migration], where: str) -> None:
    """Apply the steps `tx`'s database lacks, recording each one's number; StorageError if the database is newer
    than these steps. The caller holds the transaction (and whatever lock keeps two runners apart)."""
    tx.run("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    row = tx.one("SELECT value FROM meta WHERE key='schema_version'")
    current = int(row[0]) if row else 0
    if current > len(steps):
        raise StorageError(
            f"the database {where} has schema version {current}, newer than this memoryos ({len(steps)}); "
            "upgrade memoryos"
        )
    for version, migration in enumerate(steps[current:], start=current + 1):
        for statement in migration.statements:
            if isinstance(statement, str):
                tx.run(statement)
            else:
                statement(tx)
        tx.run(
            "INSERT INTO meta(key, value) VALUES('schema_version', ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (str(version),),
        )
        log.info("applied schema migration %d (%s) to %s", version, migration.name, where)


def _rebuilt(table: str, create: str, columns: str, *indexes: str) -> tuple[str, ...]:
    """SQLite's way to change a table's keys: a new table (`create`, named <table>_rebuilt) takes every row, keeping
    its rowid pk and the AUTOINCREMENT counter (so a deleted pk is never reused), then replaces the old one, whose
    indexes go with it and are created again. Released steps use it: its output must never change."""
    return (
        create,
        f"INSERT INTO {table}_rebuilt({columns}) SELECT {columns} FROM {table}",
        # the old table's counter (never below any pk it held) becomes the new one's
        f"DELETE FROM sqlite_sequence WHERE name = '{table}_rebuilt' AND EXISTS "
        f"(SELECT 1 FROM sqlite_sequence WHERE name = '{table}')",
        f"UPDATE sqlite_sequence SET name = '{table}_rebuilt' WHERE name = '{table}'",
        f"DROP TABLE {table}",
        f"ALTER TABLE {table}_rebuilt RENAME TO {table}",
        *indexes,
    )


SQLITE_MIGRATIONS: list[Migration] = [
    step(
        "initial",
        """CREATE TABLE scopes (
            scope_key TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            assistant_id TEXT NOT NULL,
            next_seq INTEGER NOT NULL DEFAULT 0,
            vector_version INTEGER NOT NULL DEFAULT 0,
            vector_removals INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX scopes_user ON scopes(user_id)",
        """CREATE TABLE pages (
            pk INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            seq INTEGER NOT NULL,
            user_input TEXT NOT NULL,
            agent_response TEXT NOT NULL,
            timestamp REAL NOT NULL,
            meta_data TEXT NOT NULL DEFAULT '{}',
            tier TEXT NOT NULL CHECK (tier IN ('short', 'mid', 'archive')),
            segment_id TEXT,
            prev_page_id TEXT,
            next_page_id TEXT,
            chain_summary TEXT NOT NULL DEFAULT '',
            analyzed INTEGER NOT NULL DEFAULT 0,
            embedding BLOB,
            vec_seq INTEGER
        )""",
        "CREATE INDEX pages_tier ON pages(scope_key, tier, seq)",
        "CREATE INDEX pages_segment ON pages(scope_key, segment_id, analyzed)",
        "CREATE INDEX pages_vec ON pages(scope_key, vec_seq)",
        "CREATE UNIQUE INDEX pages_seq ON pages(scope_key, seq)",
        """CREATE TABLE segments (
            id TEXT PRIMARY KEY,
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            summary TEXT NOT NULL,
            keywords TEXT NOT NULL,
            embedding BLOB,
            n_visit INTEGER NOT NULL DEFAULT 0,
            l_interaction INTEGER NOT NULL DEFAULT 0,
            last_access REAL NOT NULL,
            created_at REAL NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
            page_count INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX segments_scope ON segments(scope_key, status)",
        """CREATE TABLE knowledge (
            pk INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            kind TEXT NOT NULL CHECK (kind IN ('user', 'assistant')),
            text TEXT NOT NULL,
            embedding BLOB,
            source_page_ids TEXT NOT NULL DEFAULT '[]',
            created_at REAL NOT NULL,
            method TEXT NOT NULL
        )""",
        "CREATE INDEX knowledge_scope ON knowledge(scope_key, kind)",
        """CREATE TABLE profiles (
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            version INTEGER NOT NULL,
            text TEXT NOT NULL,
            source_page_ids TEXT NOT NULL DEFAULT '[]',
            created_at REAL NOT NULL,
            method TEXT NOT NULL,
            PRIMARY KEY (scope_key, version)
        )""",
        "CREATE VIRTUAL TABLE pages_fts USING fts5(scope, body, tokenize='porter unicode61')",
    ),
    step(
        "upkeep_leases",
        """CREATE TABLE upkeep_leases (
            scope_key TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at REAL NOT NULL
        )""",
    ),
    # segments written extractively while an LLM was configured but failing: analysed again once it works
    step(
        "segment_reanalysis",
        """CREATE TABLE segment_reanalysis (
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            segment_id TEXT NOT NULL,
            queued_at REAL NOT NULL,
            PRIMARY KEY (scope_key, segment_id)
        )""",
    ),
    # facts carry time and validity (issue 12); pages and facts may expire. A fact written before this step gets
    # observed_at = the newest valid timestamp among its source pages (what the field means: it cannot have been
    # said later); valid_from stays unknown (NULL) and every such fact is current.
    step(
        "fact_validity_and_expiry",
        "ALTER TABLE knowledge ADD COLUMN observed_at REAL",
        "ALTER TABLE knowledge ADD COLUMN valid_from REAL",
        "ALTER TABLE knowledge ADD COLUMN valid_until REAL",
        "ALTER TABLE knowledge ADD COLUMN invalidated_at REAL",
        "ALTER TABLE knowledge ADD COLUMN superseded_by TEXT",
        "ALTER TABLE knowledge ADD COLUMN attribute TEXT",
        "ALTER TABLE knowledge ADD COLUMN expires_at REAL",
        "ALTER TABLE pages ADD COLUMN expires_at REAL",
        f"""UPDATE knowledge SET observed_at = (
            SELECT max(p.timestamp) FROM json_each(knowledge.source_page_ids) j
            JOIN pages p ON p.id = j.value AND p.scope_key = knowledge.scope_key
            WHERE typeof(p.timestamp) IN ('integer', 'real') AND p.timestamp BETWEEN {_VALID_TIMES}
        ) WHERE json_valid(source_page_ids) AND json_type(source_page_ids) = 'array'""",
        "CREATE INDEX pages_expiry ON pages(scope_key, expires_at) WHERE expires_at IS NOT NULL",
        "CREATE INDEX knowledge_expiry ON knowledge(scope_key, expires_at) WHERE expires_at IS NOT NULL",
        "CREATE INDEX knowledge_successor ON knowledge(scope_key, superseded_by) WHERE superseded_by IS NOT NULL",
    ),
    # Every key includes scope_key (issue 11): ids are unique per user, not per store, so tables can be
    # partitioned by user and an id says nothing about other users. SQLite cannot change a table's keys in place:
    # each table is rebuilt with the same rows and pk values (pages_fts rows are keyed by pages.pk).
    step(
        "scoped_keys",
        *_rebuilt(
            "pages",
            """CREATE TABLE pages_rebuilt (
            pk INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL,
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            seq INTEGER NOT NULL,
            user_input TEXT NOT NULL,
            agent_response TEXT NOT NULL,
            timestamp REAL NOT NULL,
            meta_data TEXT NOT NULL DEFAULT '{}',
            tier TEXT NOT NULL CHECK (tier IN ('short', 'mid', 'archive')),
            segment_id TEXT,
            prev_page_id TEXT,
            next_page_id TEXT,
            chain_summary TEXT NOT NULL DEFAULT '',
            analyzed INTEGER NOT NULL DEFAULT 0,
            embedding BLOB,
            vec_seq INTEGER,
            expires_at REAL,
            UNIQUE (scope_key, id)
        )""",
            "pk, id, scope_key, seq, user_input, agent_response, timestamp, meta_data, tier, segment_id, "
            "prev_page_id, next_page_id, chain_summary, analyzed, embedding, vec_seq, expires_at",
            "CREATE INDEX pages_tier ON pages(scope_key, tier, seq)",
            "CREATE INDEX pages_segment ON pages(scope_key, segment_id, analyzed)",
            "CREATE INDEX pages_vec ON pages(scope_key, vec_seq)",
            "CREATE UNIQUE INDEX pages_seq ON pages(scope_key, seq)",
            "CREATE INDEX pages_expiry ON pages(scope_key, expires_at) WHERE expires_at IS NOT NULL",
        ),
        *_rebuilt(
            "segments",
            """CREATE TABLE segments_rebuilt (
            id TEXT NOT NULL,
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            summary TEXT NOT NULL,
            keywords TEXT NOT NULL,
            embedding BLOB,
            n_visit INTEGER NOT NULL DEFAULT 0,
            l_interaction INTEGER NOT NULL DEFAULT 0,
            last_access REAL NOT NULL,
            created_at REAL NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
            page_count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (scope_key, id)
        )""",
            "id, scope_key, summary, keywords, embedding, n_visit, l_interaction, last_access, created_at, status, "
            "page_count",
            "CREATE INDEX segments_scope ON segments(scope_key, status)",
        ),
        *_rebuilt(
            "knowledge",
            """CREATE TABLE knowledge_rebuilt (
            pk INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL,
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            kind TEXT NOT NULL CHECK (kind IN ('user', 'assistant')),
            text TEXT NOT NULL,
            embedding BLOB,
            source_page_ids TEXT NOT NULL DEFAULT '[]',
            created_at REAL NOT NULL,
            method TEXT NOT NULL,
            observed_at REAL,
            valid_from REAL,
            valid_until REAL,
            invalidated_at REAL,
            superseded_by TEXT,
            attribute TEXT,
            expires_at REAL,
            UNIQUE (scope_key, id)
        )""",
            "pk, id, scope_key, kind, text, embedding, source_page_ids, created_at, method, observed_at, valid_from, "
            "valid_until, invalidated_at, superseded_by, attribute, expires_at",
            "CREATE INDEX knowledge_scope ON knowledge(scope_key, kind)",
            "CREATE INDEX knowledge_expiry ON knowledge(scope_key, expires_at) WHERE expires_at IS NOT NULL",
            "CREATE INDEX knowledge_successor ON knowledge(scope_key, superseded_by) WHERE superseded_by IS NOT NULL",
        ),
    ),
    # Every language (issue 14): the index holds memoryos.lexical's tokens (CJK bigrams, Porter stems), made in
    # Python by the memoryos_lexical() function each connection registers, and FTS5 splits them on spaces only.
    step(
        "multilingual_lexical_index",
        "DROP TABLE pages_fts",
        "CREATE VIRTUAL TABLE pages_fts USING fts5(scope, body, tokenize='ascii')",
        "INSERT INTO pages_fts(rowid, scope, body) "
        "SELECT pk, scope_key, memoryos_lexical(user_input, agent_response) FROM pages",
    ),
    # Event time (issue 14): the index also holds the dates a page mentions, relative ones ("yesterday") resolved
    # against the page's timestamp (memoryos.datetokens), so every page is indexed afresh.
    step(
        "event_date_tokens",
        "DELETE FROM pages_fts",
        "INSERT INTO pages_fts(rowid, scope, body) "
        "SELECT pk, scope_key, memoryos_lexical(user_input, agent_response, timestamp) FROM pages",
    ),
    # Page units (issue 14): each side of a page and each long sentence embedded apart (memoryos.units), as one
    # float32 matrix in the page's own row, so they share its key, and go with it when it is deleted or expires.
    # Pages written before stay without units (retrieval then uses their page vector alone) until
    # `memoryos check --fix` embeds them.
    step("page_units", "ALTER TABLE pages ADD COLUMN unit_embeddings BLOB"),
    # the date phrases read since (a week or part of a month, "last Fri"): every page indexed afresh
    step(
        "month_part_date_tokens",
        "DELETE FROM pages_fts",
        "INSERT INTO pages_fts(rowid, scope, body) "
        "SELECT pk, scope_key, memoryos_lexical(user_input, agent_response, timestamp) FROM pages",
    ),
    # Page cache (issue 17): a process keeps pages it read for retrieval and must learn which ones any connection
    # of any process changed since. Every update of a page counts in its scope's page_version and stamps the row
    # with it; a deletion counts in page_removals (a reader then drops its whole cache). An insert needs neither:
    # no cache can hold a page before it exists. SQLite only (the PostgreSQL store keeps no page cache). A later
    # step that rebuilds `pages` (_rebuilt) drops these triggers with the old table and must create them again.
    step(
        "page_change_counters",
        "ALTER TABLE scopes ADD COLUMN page_version INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE scopes ADD COLUMN page_removals INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE pages ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX pages_row_version ON pages(scope_key, row_version)",
        """CREATE TRIGGER pages_changed AFTER UPDATE ON pages WHEN NEW.row_version IS OLD.row_version
        BEGIN
            UPDATE scopes SET page_version = page_version + 1 WHERE scope_key = NEW.scope_key;
            UPDATE pages SET row_version = (SELECT page_version FROM scopes WHERE scope_key = NEW.scope_key)
            WHERE pk = NEW.pk;
        END""",
        """CREATE TRIGGER pages_removed AFTER DELETE ON pages
        BEGIN
            UPDATE scopes SET page_removals = page_removals + 1 WHERE scope_key = OLD.scope_key;
        END""",
    ),
    # a fact whose text adds a detail for the reader keeps its statement as said (Fact.statement): what it is
    # embedded and compared by. Facts written before have none: their text is their statement.
    step("fact_statement", "ALTER TABLE knowledge ADD COLUMN statement TEXT"),
    # Fact cache (issue 17): a retrieve reads every fact of its scope with its vector; a process keeps them and
    # must learn when any connection of any process changed one. Every insert, update and delete of a fact counts
    # in its scope's row here (kept when the scope is forgotten, so a version is never seen twice). A table of
    # its own, not a column of `scopes`: on PostgreSQL a fact write would otherwise hold the row every add of the
    # scope updates. A later step that rebuilds `knowledge` drops these triggers and must create them again. (No
    # OR IGNORE in the triggers: an outer statement's conflict clause would override it.)
    step(
        "knowledge_change_counter",
        "CREATE TABLE knowledge_versions (scope_key TEXT PRIMARY KEY, version INTEGER NOT NULL)",
        *(
            f"""CREATE TRIGGER knowledge_{name} AFTER {event} ON knowledge
            BEGIN
                INSERT INTO knowledge_versions(scope_key, version) SELECT {row}.scope_key, 0
                WHERE NOT EXISTS (SELECT 1 FROM knowledge_versions WHERE scope_key = {row}.scope_key);
                UPDATE knowledge_versions SET version = version + 1 WHERE scope_key = {row}.scope_key;
            END"""
            for name, event, row in _KNOWLEDGE_EVENTS
        ),
    ),
]


# PostgreSQL: the same tables in spirit; vectors are pgvector columns (HNSW indexes are created once the
# embedding dimension is known), and the lexical side is a generated tsvector with a GIN index.
POSTGRES_MIGRATIONS: list[Migration] = [
    step(
        "initial",
        "CREATE EXTENSION IF NOT EXISTS vector",
        """CREATE TABLE scopes (
            scope_key TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            assistant_id TEXT NOT NULL,
            next_seq BIGINT NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX scopes_user ON scopes(user_id)",
        """CREATE TABLE pages (
            pk BIGSERIAL PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            seq BIGINT NOT NULL,
            user_input TEXT NOT NULL,
            agent_response TEXT NOT NULL,
            timestamp DOUBLE PRECISION NOT NULL,
            meta_data TEXT NOT NULL DEFAULT '{}',
            tier TEXT NOT NULL CHECK (tier IN ('short', 'mid', 'archive')),
            segment_id TEXT,
            prev_page_id TEXT,
            next_page_id TEXT,
            chain_summary TEXT NOT NULL DEFAULT '',
            analyzed BOOLEAN NOT NULL DEFAULT FALSE,
            embedding vector,
            tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', user_input || ' ' || agent_response)) STORED
        )""",
        "CREATE INDEX pages_tier ON pages(scope_key, tier, seq)",
        "CREATE INDEX pages_segment ON pages(scope_key, segment_id, analyzed)",
        "CREATE UNIQUE INDEX pages_seq ON pages(scope_key, seq)",
        "CREATE INDEX pages_tsv ON pages USING gin(tsv)",
        """CREATE TABLE segments (
            id TEXT PRIMARY KEY,
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            summary TEXT NOT NULL,
            keywords TEXT NOT NULL,
            embedding vector,
            n_visit BIGINT NOT NULL DEFAULT 0,
            l_interaction BIGINT NOT NULL DEFAULT 0,
            last_access DOUBLE PRECISION NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
            page_count BIGINT NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX segments_scope ON segments(scope_key, status)",
        """CREATE TABLE knowledge (
            pk BIGSERIAL PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            kind TEXT NOT NULL CHECK (kind IN ('user', 'assistant')),
            text TEXT NOT NULL,
            embedding vector,
            source_page_ids TEXT NOT NULL DEFAULT '[]',
            created_at DOUBLE PRECISION NOT NULL,
            method TEXT NOT NULL
        )""",
        "CREATE INDEX knowledge_scope ON knowledge(scope_key, kind)",
        """CREATE TABLE profiles (
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            version INTEGER NOT NULL,
            text TEXT NOT NULL,
            source_page_ids TEXT NOT NULL DEFAULT '[]',
            created_at DOUBLE PRECISION NOT NULL,
            method TEXT NOT NULL,
            PRIMARY KEY (scope_key, version)
        )""",
        """CREATE TABLE upkeep_leases (
            scope_key TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL
        )""",
    ),
    step(
        "segment_reanalysis",
        """CREATE TABLE segment_reanalysis (
            scope_key TEXT NOT NULL REFERENCES scopes(scope_key),
            segment_id TEXT NOT NULL,
            queued_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (scope_key, segment_id)
        )""",
    ),
    step(  # see the SQLite step of the same name
        "fact_validity_and_expiry",
        """ALTER TABLE knowledge ADD COLUMN observed_at DOUBLE PRECISION,
            ADD COLUMN valid_from DOUBLE PRECISION,
            ADD COLUMN valid_until DOUBLE PRECISION,
            ADD COLUMN invalidated_at DOUBLE PRECISION,
            ADD COLUMN superseded_by TEXT,
            ADD COLUMN attribute TEXT,
            ADD COLUMN expires_at DOUBLE PRECISION""",
        "ALTER TABLE pages ADD COLUMN expires_at DOUBLE PRECISION",
        # only lists of ids as memoryos writes them are read: a cast of anything else would fail the whole step
        f"""UPDATE knowledge k SET observed_at = (
            SELECT max(p.timestamp) FROM pages p
            WHERE p.scope_key = k.scope_key AND p.timestamp BETWEEN {_VALID_TIMES}
            AND p.id IN (SELECT jsonb_array_elements_text(k.source_page_ids::jsonb))
        ) WHERE k.source_page_ids ~ '{_ID_LIST}' AND k.source_page_ids <> '[]'""",
        "CREATE INDEX pages_expiry ON pages(scope_key, expires_at) WHERE expires_at IS NOT NULL",
        "CREATE INDEX knowledge_expiry ON knowledge(scope_key, expires_at) WHERE expires_at IS NOT NULL",
        "CREATE INDEX knowledge_successor ON knowledge(scope_key, superseded_by) WHERE superseded_by IS NOT NULL",
    ),
    # See the SQLite step of the same name. The surrogate pk columns stop being keys: nothing finds a row by its pk
    # here (pages by (scope_key, id); knowledge's pk only orders facts written in the same instant), so they stay
    # as plain insertion numbers, and every unique index holds scope_key.
    step(
        "scoped_keys",
        "ALTER TABLE pages DROP CONSTRAINT pages_pkey, DROP CONSTRAINT pages_id_key, ADD PRIMARY KEY (scope_key, id)",
        "ALTER TABLE segments DROP CONSTRAINT segments_pkey, ADD PRIMARY KEY (scope_key, id)",
        "ALTER TABLE knowledge DROP CONSTRAINT knowledge_pkey, DROP CONSTRAINT knowledge_id_key, "
        "ADD PRIMARY KEY (scope_key, id)",
    ),
    # See the SQLite step of the same name: each page's tokens as a tsvector written from Python (`lex`, no text
    # search configuration), its token count, and each scope's counts, which BM25 needs (storage/pg_lexical.py).
    step(
        "multilingual_lexical_index",
        "ALTER TABLE pages DROP COLUMN tsv",  # its GIN index goes with it
        "ALTER TABLE pages ADD COLUMN lex tsvector NOT NULL DEFAULT '', ADD COLUMN lex_len INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE lexical_stats (
            scope_key TEXT PRIMARY KEY REFERENCES scopes(scope_key),
            docs BIGINT NOT NULL,
            tokens BIGINT NOT NULL
        )""",
        pg_lexical.reindex,
        # every page is written with its tokens from now on
        "ALTER TABLE pages ALTER COLUMN lex DROP DEFAULT, ALTER COLUMN lex_len DROP DEFAULT",
        "CREATE INDEX pages_lex ON pages USING gin(lex)",
    ),
    step("event_date_tokens", pg_lexical.reindex),  # see the SQLite step of the same name
    step("page_units", "ALTER TABLE pages ADD COLUMN unit_embeddings bytea"),  # see the SQLite step of the same name
    step("month_part_date_tokens", pg_lexical.reindex),  # see the SQLite step of the same name
    step("fact_statement", "ALTER TABLE knowledge ADD COLUMN statement TEXT"),  # see the SQLite step of the same name
    # see the SQLite step of the same name; one count per statement and scope (statement-level triggers)
    step(
        "knowledge_change_counter",
        "CREATE TABLE knowledge_versions (scope_key TEXT PRIMARY KEY, version BIGINT NOT NULL)",
        """CREATE FUNCTION memoryos_knowledge_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            INSERT INTO knowledge_versions AS v(scope_key, version)
            SELECT DISTINCT scope_key, 1 FROM changed_rows
            ON CONFLICT (scope_key) DO UPDATE SET version = v.version + 1;
            RETURN NULL;
        END
        $body$""",
        *(
            f"CREATE TRIGGER knowledge_{name} AFTER {event} ON knowledge REFERENCING {table} TABLE AS changed_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION memoryos_knowledge_changed()"
            for name, event, table in _KNOWLEDGE_EVENTS
        ),
    ),
    # Page cache (issue 17; storage/page_cache.py, `RowVersionCache`): every page row carries a number no other
    # state of any page ever had, drawn from a sequence when the row is inserted and again whenever it is updated,
    # so a process that kept a page knows it is unchanged while its number is. A sequence takes no lock: writers
    # of one scope never wait for each other here (a per-scope counter row, SQLite's design, would be a lock taken
    # after the pages' own, which writers that do not lock the scope first could deadlock on). Rows written before
    # this step all have 0: each is still the only state its page had since.
    step(
        "page_row_versions",
        "CREATE SEQUENCE page_row_versions",
        "ALTER TABLE pages ADD COLUMN row_version BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE pages ALTER COLUMN row_version SET DEFAULT nextval('page_row_versions')",
        """CREATE FUNCTION memoryos_page_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            NEW.row_version := nextval('page_row_versions');
            RETURN NEW;
        END
        $body$""",
        "CREATE TRIGGER pages_changed BEFORE UPDATE ON pages FOR EACH ROW EXECUTE FUNCTION memoryos_page_changed()",
    ),
]
