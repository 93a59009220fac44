"""Why evidence is missed: for each missed question of the chosen categories, where its evidence pages rank and
which signals reached them, and what ranked above.

    python -m benchmarks.locomo --stores DIR              # builds DIR/<sample_id> once
    python -m benchmarks.locomo_misses --stores DIR [--category multi-hop --category open-domain] [--out FILE]
        [--set KEY=VALUE ...] [--verbose]

A question is missed when some evidence turn is outside the first 10 turns of the ranking `benchmarks.locomo`
scores (`max_results` 20). Each evidence page is then looked up in a deep ranking (`max_results` 100, whose pool
is larger, so the order can differ a little below the top) with its signals: its cosine's rank and its BM25's
rank among the candidates, the lift of the facts it stated, chain context, segment boost, a meaning place. Every
missed evidence turn is given one cause, the first that applies:

- `near`: its page is in the deep ranking's first 10 pages (a place or two short);
- `no-signal`: no search found it, no fact or chain reached it (not in the deep ranking at all);
- `meaning-far`: no full-text score, and its cosine ranks below 20: found only as the tail of the dense pool or a
  chain neighbour; nothing about it resembles the question;
- `outranked-by-words`: no full-text score, its cosine ranks in the first 20, and pages that hold the question's
  words take the places above it;
- `weak-words`: it has a full-text score but ranks below 20 on it (it shares a common word with the question);
- `other`: everything else (a full-text match in the first 20 that fusion still ranks low).

Per missed question it also reports `answer_in_top`: the share of the gold answer's content words (index stems)
found in the text of the first 10 turns, against `answer_in_evidence`, the same share in the evidence turns. A
question is *answered elsewhere* when the first 10 turns hold at least as many of the answer's words as its
evidence does (and it holds some): a list's item mentioned in another session than the one the annotators marked, a fact
repeated. Such a miss costs recall but not the answer; the count says how much of recall@10's gap is that.

Per missed evidence turn it also reports `fact_rank`: whether a fact cites the turn's page and, if so, the rank of
the closest such fact among the facts the retriever's fact lift reads for the question (the named speaker's side
only, by cosine to the question as facts are asked). The fact lift reads the first 10 (`fact_pages.TOP_FACTS`); the
summary's `fact_reach` counts the missed turns whose page a fact in those 10 cites, one ranked below them, or none.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from memoryos import Memoryos
from memoryos.lexical import analyze
from memoryos.providers.embeddings import embed_queries
from memoryos.retrieval.fact_pages import TOP_FACTS
from memoryos.retrieval.knowledge import about_the_user
from memoryos.retrieval.speakers import of_side
from memoryos.textutil import remove_words

from ._common import DEFAULT_DATA, local_model, quiet_environment
from ._locomo_data import CATEGORIES, load, retrieval_questions
from .locomo import open_kept, page_turns, parse_settings, rank_memoryos

DEEP = 100  # pages of the deep ranking the evidence is looked up in
TOP = 10  # turns that count (R@10)
SHOWN_ABOVE = 3  # pages above the evidence shown per miss


def _ranks(values: dict[str, float]) -> dict[str, int]:
    """page id -> 1-based rank by value, best first."""
    ordered = sorted(values, key=lambda pid: -values[pid])
    return {pid: i + 1 for i, pid in enumerate(ordered)}


def _cause(page_rank: int | None, lexical_rank: int | None, dense_rank: int | None) -> str:
    if page_rank is None:
        return "no-signal"
    if page_rank <= 10:
        return "near"
    if lexical_rank is None:
        return "outranked-by-words" if dense_rank is not None and dense_rank <= 20 else "meaning-far"
    if lexical_rank > 20:
        return "weak-words"
    return "other"


def _signals(signals: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in signals.items()}


def answer_share(answer: str, texts: list[str]) -> float:
    """Share of the answer's index stems (numbers included) that occur in the texts."""
    wanted = set(analyze(answer))
    found = set(analyze(*texts)) if texts else set()
    return round(len(wanted & found) / len(wanted), 3) if wanted else 0.0


def fact_ranks(memo: Memoryos, question: str) -> dict[str, int]:
    """page id -> 1-based rank of the closest fact citing it, among the facts the fact lift reads for `question`
    (the named speaker's side when the question names one), ranked as the retriever ranks them."""
    retriever = memo.retriever
    newest = 1 << 62  # the sample of page words as it stands; the kept stores take no more pages
    names = retriever.terms.participants(question, newest)
    focused = (remove_words(question, names) if names else question) or question
    side = retriever.terms.subject_side(names, newest) if memo.config.speaker_attribution and names else None
    facts = memo.long.facts(with_vectors=True, include_history=True)
    facts = [f for f in (of_side(facts, side) if side else facts) if f.embedding is not None and f.source_page_ids]
    if not facts:
        return {}
    vector = embed_queries(memo.embedder, [about_the_user(focused)], memo.config.query_embedding_precision)[0]
    closeness = [float(f.embedding @ vector) for f in facts if f.embedding is not None]
    ranks: dict[str, int] = {}
    for rank, i in enumerate(sorted(range(len(facts)), key=lambda i: -closeness[i]), 1):
        for page_id in facts[i].source_page_ids:
            ranks.setdefault(page_id, rank)
    return ranks


def _reach(rank: int | None) -> str:
    if rank is None:
        return "no fact"
    return f"top {TOP_FACTS}" if rank <= TOP_FACTS else f"below {TOP_FACTS}"


def analyse(
    memo: Memoryos,
    question: str,
    evidence: list[str],
    answer: str = "",
    text_of: dict[str, str] | None = None,
    page_of: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """None when every evidence turn is in the first TOP turns; otherwise the misses and what outranked them.
    `page_of` (turn id -> page id) gives each missed turn the rank of the closest fact citing its page."""
    shallow = rank_memoryos(memo, question, update_heat=False).turns[:TOP]
    text_of = text_of or {}
    missed = [e for e in evidence if e not in shallow]
    if not missed:
        return None
    deep = memo.retrieve(question, max_results=DEEP, update_heat=False).pages
    dense_rank = _ranks({r.page.id: r.signals.get("dense", 0.0) for r in deep})
    lexical_rank = _ranks({r.page.id: r.signals["lexical"] for r in deep if "lexical" in r.signals})
    by_fact = fact_ranks(memo, question) if page_of is not None else {}
    where: dict[str, int] = {}
    for rank, r in enumerate(deep, 1):
        for turn in page_turns(r.page.meta_data):
            where.setdefault(turn, rank)
    turns = []
    for turn in missed:
        rank = where.get(turn)
        hit = deep[rank - 1] if rank is not None else None
        lex = lexical_rank.get(hit.page.id) if hit is not None else None
        dense = dense_rank.get(hit.page.id) if hit is not None else None
        above = deep[: min(rank - 1, SHOWN_ABOVE)] if rank is not None else deep[:SHOWN_ABOVE]
        turns.append(
            {
                "turn": turn,
                "page_rank": rank,
                "lexical_rank": lex,
                "dense_rank": dense,
                "signals": _signals(hit.signals) if hit is not None else {},
                "text": hit.page.text[:200] if hit is not None else "",
                "cause": _cause(rank, lex, dense),
                "fact_rank": by_fact.get((page_of or {}).get(turn, "")),
                "above": [{"text": a.page.text[:120], "signals": _signals(a.signals)} for a in above],
            }
        )
    in_top = answer_share(answer, [text_of.get(t, "") for t in shallow])
    in_evidence = answer_share(answer, [text_of.get(t, "") for t in evidence])
    return {
        "question": question,
        "answer": answer,
        "evidence": evidence,
        "found": [e for e in evidence if e in shallow],
        "answer_in_top": in_top,
        "answer_in_evidence": in_evidence,
        "answered_elsewhere": in_evidence > 0 and in_top >= in_evidence,
        "missed": turns,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stores", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--category", action="append", default=[], help="multi-hop, open-domain, ... (repeatable)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a MemoryosConfig override")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="JSON file for every miss")
    parser.add_argument("--verbose", action="store_true", help="print each miss")
    args = parser.parse_args(argv)
    quiet_environment()
    logging.basicConfig(level=logging.WARNING)
    wanted = set(args.category or ["multi-hop", "open-domain"])
    overrides = parse_settings(args.set)
    embedder = local_model()
    misses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    asked: Counter[str] = Counter()
    for conv in load(args.data, args.limit):
        memo = open_kept(args.stores, conv.sample_id, embedder)
        for key, value in overrides.items():
            setattr(memo.config, key, value)
        try:
            text_of = {t.dia_id: t.labelled() for t in conv.turns}
            page_of = {turn: p.id for p in memo.store.list_pages(memo.scope) for turn in page_turns(p.meta_data)}
            for q in retrieval_questions(conv):
                category = CATEGORIES[q.category]
                if category not in wanted:
                    continue
                asked[category] += 1
                found = analyse(memo, q.question, q.evidence, q.answer, text_of, page_of)
                if found is not None:
                    misses[category].append({"conversation": conv.sample_id, **found})
        finally:
            memo.close()
    summary: dict[str, Any] = {}
    for category, items in misses.items():
        causes = Counter(t["cause"] for m in items for t in m["missed"])
        summary[category] = {
            "questions": asked[category],
            "questions_missing_evidence": len(items),
            "missed_turns": sum(len(m["missed"]) for m in items),
            "answered_elsewhere": sum(m["answered_elsewhere"] for m in items),
            "causes": dict(causes.most_common()),
            "fact_reach": dict(Counter(_reach(t["fact_rank"]) for m in items for t in m["missed"]).most_common()),
        }
        print(category, json.dumps(summary[category]))
        if args.verbose:
            for m in items:
                print(
                    f"\n[{m['conversation']}] {m['question']}  found {m['found']}  answer {m['answer']!r} "
                    f"in top {m['answer_in_top']} in evidence {m['answer_in_evidence']}"
                )
                for t in m["missed"]:
                    print(
                        f"  {t['turn']} page {t['page_rank']} lex {t['lexical_rank']} cos {t['dense_rank']} "
                        f"{t['cause']} fact {t['fact_rank']} {t['signals']}\n     {t['text'][:150]!r}"
                    )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"summary": summary, "misses": misses}, indent=1))
    return summary


if __name__ == "__main__":
    main()
