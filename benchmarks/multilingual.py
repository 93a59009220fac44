"""Multilingual retrieval: the mixed-language fixture through the public API on each storage backend.

    python -m benchmarks.multilingual [--storage sqlite --storage embedded-postgres] [--out DIR] [--quiet]

`tests/data/multilingual.json` holds five users' conversations in one store (Japanese, Chinese, Korean, English,
and one that code-switches between all four) and questions that paraphrase one page each. Every page goes in
through `add_memory` with its timestamp, in no-LLM mode with the real local embedding model; every question goes
through `search` of its user. hit@k: the evidence page is among the first k pages returned. The same runs with the
lexical signal off (`lexical_weight=0`) show what the lexical index contributes where the English-only MiniLM
model cannot read the language.

Alongside, the lexical index alone (BM25 over each user's pages, in an in-memory FTS5 table, top 3) with three
tokenizations: memoryos's analyzer; FTS5's `trigram` tokenizer over the raw text, queried with every 3-character
piece of the question's words; and `porter unicode61`, the index this analyzer replaced.
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._common import REPO_ROOT, RESULTS_DIR, machine, markdown_table, print_table, write_results
from ._storage import open_backend

FIXTURE = REPO_ROOT / "tests" / "data" / "multilingual.json"
KS = (1, 3)
LANGUAGES = ("ja", "zh", "ko", "en", "mixed", "all")


def load(path: Path = FIXTURE) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def ingest(fixture: dict[str, Any], make_memo: Callable[[str], Any]) -> dict[str, Any]:
    """Every user's pages through add_memory, in order; returns the open Memoryos per user."""
    memos: dict[str, Any] = {}
    for page in fixture["pages"]:
        memo = memos.get(page["user"]) or memos.setdefault(page["user"], make_memo(page["user"]))
        memo.add_memory(
            user_input=page["user_input"],
            agent_response=page["agent_response"],
            timestamp=page["timestamp"],
            meta_data={"fixture_id": page["id"]},
        )
    for memo in memos.values():
        memo.flush()
    return memos


def ranks(fixture: dict[str, Any], memos: dict[str, Any]) -> list[dict[str, Any]]:
    """Each question with the rank (1-based) of its evidence page among the pages `search` returns (None: not
    returned)."""
    rows = []
    for q in fixture["questions"]:
        result = memos[q["user"]].search(q["question"])
        found = [p.page.meta_data.get("fixture_id") for p in result.pages]
        rank = found.index(q["evidence"]) + 1 if q["evidence"] in found else None
        rows.append({**q, "rank": rank, "top": found[:3]})
    return rows


def summarize(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    summary: dict[str, dict[str, Any]] = {}
    for language in LANGUAGES:
        group = [r for r in rows if language in ("all", r["language"])]
        if group:
            summary[language] = {"n": len(group)} | {
                f"hit@{k}": round(sum(1 for r in group if r["rank"] and r["rank"] <= k) / len(group), 3) for k in KS
            }
    return summary


TOKENIZERS = {"analyzer": "ascii", "trigram": "trigram", "porter unicode61": "porter unicode61"}


def lexical_alone(fixture: dict[str, Any], tokenizer: str) -> dict[str, float]:
    """hit@3 of BM25 alone with one tokenization (see the module's docstring)."""
    from memoryos.lexical import analyze, index_text, without_question_words
    from memoryos.textutil import content_tokens

    hits: dict[str, list[bool]] = {}
    for user in sorted({p["user"] for p in fixture["pages"]}):
        con = sqlite3.connect(":memory:")
        con.execute(f"CREATE VIRTUAL TABLE f USING fts5(pid UNINDEXED, body, tokenize='{TOKENIZERS[tokenizer]}')")
        for p in (p for p in fixture["pages"] if p["user"] == user):
            text = (p["user_input"], p["agent_response"])
            body = index_text(*text) if tokenizer == "analyzer" else "\n".join(text)
            con.execute("INSERT INTO f(pid, body) VALUES (?, ?)", (p["id"], body))
        for q in (q for q in fixture["questions"] if q["user"] == user):
            words = [without_question_words(w) for w in content_tokens(q["question"])]
            if tokenizer == "analyzer":
                terms = analyze(*words)
            elif tokenizer == "trigram":
                terms = [part[i : i + 3] for w in words for part in w.split() for i in range(len(part) - 2)]
            else:
                terms = words
            expression = " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(terms))
            top = (
                [r[0] for r in con.execute("SELECT pid FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT 3", (expression,))]
                if expression
                else []
            )
            hits.setdefault(q["language"], []).append(q["evidence"] in top)
        con.close()
    every = [h for group in hits.values() for h in group]
    return {lang: round(sum(v) / len(v), 3) for lang, v in hits.items()} | {"all": round(sum(every) / len(every), 3)}


def run(fixture: dict[str, Any], memos: dict[str, Any], **overrides: float) -> dict[str, Any]:
    """The questions, with config fields overridden for this run only."""
    saved = {user: {k: getattr(memo.config, k) for k in overrides} for user, memo in memos.items()}
    try:
        for memo in memos.values():
            for key, value in overrides.items():
                setattr(memo.config, key, value)
        rows = ranks(fixture, memos)
    finally:
        for user, memo in memos.items():
            for key, value in saved[user].items():
                setattr(memo.config, key, value)
    return {"summary": summarize(rows), "questions": rows}


def run_storage(spec: str, fixture: dict[str, Any], embedder: Any, quiet: bool) -> dict[str, Any]:
    from memoryos import Memoryos

    report: dict[str, Any] = {"runs": {}}
    with open_backend(spec) as backend, tempfile.TemporaryDirectory() as tmp:
        report["storage"] = backend.describe()
        url = backend.store_url("multilingual", Path(tmp))
        started = time.perf_counter()

        def make_memo(user: str) -> Any:
            return Memoryos(
                user_id=user,
                assistant_id="multilingual",
                data_storage_path=tmp,
                storage=url,
                embedder=embedder,
                background_upkeep=False,
                use_llm=False,
            )

        memos = ingest(fixture, make_memo)
        report["ingest_s"] = round(time.perf_counter() - started, 2)
        try:
            report["runs"]["memoryos"] = run(fixture, memos)
            report["runs"]["lexical off"] = run(fixture, memos, lexical_weight=0.0)
            if not quiet:
                print(f"{spec}: ingest {report['ingest_s']} s", flush=True)
        finally:
            for memo in memos.values():
                memo.close()
    return report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.multilingual", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--storage", action="append", help="sqlite and/or embedded-postgres or postgresql://... (default: both)"
    )
    parser.add_argument("--data", type=Path, default=FIXTURE, help="fixture JSON")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results directory")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    from ._common import local_model, quiet_environment

    quiet_environment()
    logging.basicConfig(level=logging.WARNING)
    fixture = load(args.data)
    embedder = local_model()
    started = time.perf_counter()
    reports = {
        spec: run_storage(spec, fixture, embedder, args.quiet)
        for spec in args.storage or ["sqlite", "embedded-postgres"]
    }
    header = ["storage", "method", *(f"{lang} hit@{k}" for lang in LANGUAGES for k in KS)]
    table = []
    for report in reports.values():
        for label, outcome in report["runs"].items():
            summary = outcome["summary"]
            table.append(
                [report["storage"]["backend"], label]
                + [summary.get(lang, {}).get(f"hit@{k}", "") for lang in LANGUAGES for k in KS]
            )
    counts = {lang: sum(1 for q in fixture["questions"] if lang in ("all", q["language"])) for lang in LANGUAGES}
    tokenizers = {name: lexical_alone(fixture, name) for name in TOKENIZERS}
    print_table(
        f"Multilingual fixture ({len(fixture['pages'])} pages, {len(fixture['questions'])} questions: "
        + ", ".join(f"{lang} {n}" for lang, n in counts.items() if lang != "all")
        + ")",
        header,
        table,
    )
    print_table(
        "The lexical index alone: BM25 hit@3 per tokenization",
        ["tokenization", *LANGUAGES],
        [[name, *(hit.get(lang, "") for lang in LANGUAGES)] for name, hit in tokenizers.items()],
    )
    results = {
        "benchmark": "multilingual",
        "data": str(args.data.name),
        "pages": len(fixture["pages"]),
        "questions": counts,
        "mode": "no-llm",
        "embedding_model": getattr(embedder, "name", "?"),
        "storages": reports,
        "lexical_alone_hit@3": tokenizers,
        "total_s": round(time.perf_counter() - started, 1),
        "machine": machine(),
        "markdown": markdown_table(header, table),
    }
    path = write_results("multilingual", results, args.out)
    print(f"results: {path}")
    return results


if __name__ == "__main__":
    main()
