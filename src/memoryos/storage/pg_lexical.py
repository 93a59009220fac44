"""PostgreSQL's lexical index and its BM25: the tokens `lexical.analyze` makes, scored as SQLite's FTS5 scores them.

Each page keeps its tokens as a tsvector written from Python (`lex`: each token with its positions, so term
frequencies are exact and no text-search configuration or locale re-tokenizes them) and its token count
(`lex_len`); `lexical_stats` keeps each scope's page and token counts. A search reads every page of the scope
that holds a query token and scores it with FTS5's bm25():

    idf(t) = ln((N - n(t) + 0.5) / (n(t) + 0.5)), at least 1e-6
    score  = sum over query tokens of idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg len))

with k1 = 1.2, b = 0.75, N pages, n(t) pages holding t; a row's length counts the one token of FTS5's scope
column too. FTS5 counts N and n(t) over the whole table, this over the user's own pages: the same numbers for a
store of one user, and no user's ranking depends on another's memory here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..lexical import page_tokens

if TYPE_CHECKING:
    from .sql import Tx

K1, B = 1.2, 0.75  # FTS5's bm25() constants
ROW_EXTRA_TOKENS = 1  # FTS5's scope column: one token in every row's length
MAX_LEXEME_BYTES = 2046  # PostgreSQL's limit on one lexeme
_REINDEX_BATCH = 500


def tsvector_literal(tokens: Sequence[str]) -> str:
    """The tokens as a tsvector literal: each distinct token once, with its 1-based positions (analyze keeps them
    within PostgreSQL's 16383 positions and 256 per token)."""
    positions: dict[str, list[str]] = {}
    for i, token in enumerate(tokens, start=1):
        positions.setdefault(token, []).append(str(i))
    return " ".join(f"{_quoted(token)}:{','.join(places)}" for token, places in positions.items())


def tsquery_literal(tokens: Iterable[str]) -> str:
    """Any of the tokens, as a tsquery literal."""
    return " | ".join(_quoted(t) for t in tokens)


def _quoted(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def page_columns(user_input: str, agent_response: str, timestamp: object) -> dict[str, Any]:
    tokens = page_tokens(user_input, agent_response, timestamp)
    return {"lex": tsvector_literal(tokens), "lex_len": len(tokens)}


# One statement: the scope's counts, each matching page's term frequencies (setweight + ts_filter keep only the
# query's tokens: unnesting whole tsvectors cost twice as much), n(t) counted over those pages. About twice the
# cost of ts_rank_cd, which is not BM25.
BM25_SQL = f"""
WITH stats AS (
    SELECT docs::float8 AS n_docs, (tokens + {ROW_EXTRA_TOKENS} * docs)::float8 / greatest(docs, 1) AS avg_len
    FROM lexical_stats WHERE scope_key = ?
), hits AS (
    SELECT p.id, p.seq, (p.lex_len + {ROW_EXTRA_TOKENS})::float8 AS len, u.lexeme, cardinality(u.positions) AS tf
    FROM pages p CROSS JOIN LATERAL unnest(ts_filter(setweight(p.lex, 'A', ?::text[]), '{{a}}')) AS u
    WHERE p.scope_key = ? AND p.lex @@ ?::tsquery
), idf AS (
    SELECT h.lexeme, greatest(ln((s.n_docs - count(*) + 0.5) / (count(*) + 0.5)), 1e-6) AS w
    FROM hits h CROSS JOIN stats s GROUP BY h.lexeme, s.n_docs
)
SELECT h.id, sum(idf.w * h.tf * {K1 + 1} / (h.tf + {K1} * ({1 - B} + {B} * h.len / s.avg_len))) AS score
FROM hits h JOIN idf ON idf.lexeme = h.lexeme CROSS JOIN stats s
GROUP BY h.id, h.seq ORDER BY score DESC, h.seq LIMIT ?
"""


def reindex(tx: Tx, scope_key: str | None = None) -> int:
    """Write `lex` and `lex_len` of every page (of one scope, or of all) afresh, then recount `lexical_stats`;
    returns the pages written. The migration to this index and `memoryos check --repair` run it."""
    where, params = ("WHERE scope_key = ?", [scope_key]) if scope_key else ("", [])
    written, last_key, last_id = 0, "", ""
    while True:  # in (scope_key, id) order, a batch at a time: memory stays flat on a large store
        rows = tx.all(
            f"SELECT scope_key, id, user_input, agent_response, timestamp FROM pages {where}"
            f"{' AND' if where else ' WHERE'} (scope_key, id) > (?, ?) ORDER BY scope_key, id LIMIT ?",
            [*params, last_key, last_id, _REINDEX_BATCH],
        )
        if not rows:
            break
        columns = [page_columns(r[2], r[3], r[4]) for r in rows]
        tx.run(
            "UPDATE pages p SET lex = x.lex::tsvector, lex_len = x.len "
            "FROM unnest(?::text[], ?::text[], ?::text[], ?::int[]) AS x(scope_key, id, lex, len) "
            "WHERE p.scope_key = x.scope_key AND p.id = x.id",
            (
                [r[0] for r in rows],
                [r[1] for r in rows],
                [c["lex"] for c in columns],
                [c["lex_len"] for c in columns],
            ),
        )
        written += len(rows)
        last_key, last_id = rows[-1][0], rows[-1][1]
    recount(tx, scope_key)
    return written


def recount(tx: Tx, scope_key: str | None = None) -> None:
    """`lexical_stats` counted afresh from the pages (of one scope, or of all)."""
    where, params = ("WHERE scope_key = ?", [scope_key]) if scope_key else ("", [])
    tx.run(f"DELETE FROM lexical_stats {where}", params)
    tx.run(
        "INSERT INTO lexical_stats(scope_key, docs, tokens) "
        f"SELECT scope_key, count(*), coalesce(sum(lex_len), 0) FROM pages {where} GROUP BY scope_key",
        params,
    )


def problems(tx: Tx, scope_key: str) -> list[str]:
    """How the scope's lexical index disagrees with its pages' text, in words."""
    rows = tx.all("SELECT id, user_input, agent_response, timestamp FROM pages WHERE scope_key = ?", (scope_key,))
    columns = [page_columns(r[1], r[2], r[3]) for r in rows]
    (stale,) = tx.one(
        "SELECT count(*) FROM unnest(?::text[], ?::text[], ?::int[]) AS x(id, lex, len) "
        "JOIN pages p ON p.scope_key = ? AND p.id = x.id WHERE p.lex <> x.lex::tsvector OR p.lex_len <> x.len",
        ([r[0] for r in rows], [c["lex"] for c in columns], [c["lex_len"] for c in columns], scope_key),
    )
    counted = tx.one("SELECT docs, tokens FROM lexical_stats WHERE scope_key = ?", (scope_key,))
    stored = tx.one("SELECT count(*), coalesce(sum(lex_len), 0) FROM pages WHERE scope_key = ?", (scope_key,))
    found: list[str] = []
    if stale:
        found.append(f"{stale} stale entries in the lexical index")
    if tuple(map(int, counted or (0, 0))) != tuple(map(int, stored)):
        found.append("the lexical index's page and token counts are out of step")
    return found
