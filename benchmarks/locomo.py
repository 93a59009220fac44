"""LoCoMo evidence recall: memoryos against turn-level baselines (BM25, dense, last turns).

    python -m benchmarks.locomo [--data PATH] [--limit N] [--llm-base-url URL --llm-model NAME] [--storage URL]

Each conversation is ingested through `add_memory` (speaker_a = user, speaker_b = agent, one page per pair of
consecutive turns, the session date as timestamp, the turn ids in meta_data); every question with evidence
(categories 1-4) is asked through `retrieve`, and retrieved pages are mapped back to their turns.

recall@k: the ranked pages are expanded into their turns in order (a page of two turns uses two of the k
places), the list is cut at k turns, and recall is the share of the question's evidence turns in it, averaged
over questions. hit@k: the share of questions with at least one evidence turn in the first k turns.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from memoryos import Memoryos
from memoryos.config import MemoryosConfig
from memoryos.models import page_text
from memoryos.providers.embeddings import embed_queries
from memoryos.retrieval.result import RetrievalResult
from memoryos.textutil import estimate_tokens
from memoryos.units import unit_texts

from ._baselines import BM25Turns, DenseTurns, LastTurns
from ._common import DEFAULT_DATA, RESULTS_DIR, machine, markdown_table, print_table, progress, write_results
from ._locomo_data import CATEGORIES, Conversation, Question, load, page_sides, pages, retrieval_questions
from ._storage import open_backend, storage_suffix

KS = (5, 10, 20)
MAX_K = 20
METHODS = ("memoryos", "bm25_turns", "dense_turns", "last_turns")
# memoryos with one retrieval signal switched off, or an opt-in one on (--ablations): config overrides, or None =
# names kept in queries
ABLATIONS: dict[str, dict[str, float | bool] | None] = {
    "memoryos-no-names": None,
    "memoryos-no-chain": {"chain_weight": 0.0},
    "memoryos-no-dates": {"date_weight": 0.0},
    "memoryos-no-event-dates": {"event_dates": False},
    "memoryos-no-time-boost": {"time_weight": 0.0},
    "memoryos-no-place-boost": {"place_weight": 0.0},
    "memoryos-no-inference-meaning": {"inference_meaning_every": 0},
    "memoryos-no-spread": {"spread_weight": 0.0},
    "memoryos-no-query-analysis": {"query_analysis": False},
    "memoryos-keep-frame-words": {"frame_words": False},
    "memoryos-no-segments": {"segment_weight": 0.0},
    "memoryos-no-fact-pages": {"fact_page_weight": 0.0},
    "memoryos-no-speakers": {"speaker_attribution": False},
    "memoryos-no-speaker-words": {"speaker_weight": 0.0},
    "memoryos-no-list-side-cut": {"list_side_cut": 0.0},
    "memoryos-no-units": {"unit_weight": 0.0},
    "memoryos-units-0.5": {"unit_weight": 0.5},
    "memoryos-units-1.0": {"unit_weight": 1.0},
    "memoryos-plus-second-hop": {"hop_weight": 0.1},
    "memoryos-plus-diversity": {"diversity_weight": 0.15},
    "memoryos-no-categories": {"category_weight": 0.0},
    "memoryos-categories-every-kind": {"category_lists_only": False},
    "memoryos-no-instance-questions": {"instance_questions": False},
    "memoryos-no-meaning-places": {"meaning_every": 0},
    "memoryos-meaning-no-margin": {"meaning_margin": 0.0},
    "memoryos-plus-chain-floor": {"chain_answer_floor": 0.75},
    # one signal alone: no place kept for the order by meaning (in dense-only it is fusion's order anyway)
    "memoryos-dense-only": {"lexical_weight": 0.0, "meaning_every": 0},
    "memoryos-lexical-only": {"dense_weight": 0.0, "meaning_every": 0},
}


@dataclasses.dataclass
class Ranked:
    """One method's answer to one question: turn ids in rank order and the context size at each k."""

    turns: list[str]
    tokens_at: dict[int, int]  # the whole context handed to an LLM
    text_tokens_at: dict[int, int]  # the retrieved conversation text alone


class PrefetchEmbedder:
    """Embeds a conversation's pages in large batches up front; consolidation, which embeds a few pages at a
    time, then finds their vectors ready (the same vectors, computed faster)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._ready: dict[str, np.ndarray] = {}

    def prefetch(self, texts: list[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self._ready]
        if missing:
            self._ready.update(zip(missing, self.inner.embed(missing), strict=True))

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._ready]
        fresh = dict(zip(missing, self.inner.embed(missing), strict=True)) if missing else {}
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        fresh.update((t, self._ready.pop(t)) for t in dict.fromkeys(texts) if t not in fresh)
        return np.stack([fresh[t] for t in texts]).astype(np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return embed_queries(self.inner, texts)  # never prefetched: questions are embedded as they are asked


def ingest(memo: Memoryos, conv: Conversation, prefetcher: PrefetchEmbedder | None = None) -> int:
    """Every session in order through the public API. Returns the number of pages."""
    count = 0
    if prefetcher is not None:
        sides = [page_sides(conv, page) for page in pages(conv)]
        units = [t for user, agent in sides for t in unit_texts(user, agent)] if memo.config.unit_weight > 0 else []
        prefetcher.prefetch([page_text(*pair) for pair in sides] + units)
    for page in pages(conv):
        user, agent = page_sides(conv, page)
        meta = {"dia_ids": [t.dia_id for t in page], "session": page[0].session, "conversation": conv.sample_id}
        memo.add_memory(user, agent, timestamp=page[0].timestamp, meta_data=meta)
        count += 1
    memo.flush()
    return count


def page_turns(meta: dict[str, Any]) -> list[str]:
    return [str(x) for x in meta.get("dia_ids", [])]


def rank_memoryos(memo: Memoryos, question: str, update_heat: bool = True) -> Ranked:
    """Retrieve, then expand ranked pages (and, after them, the short-term pages) into turn ids."""
    result = memo.retrieve(question, max_results=MAX_K, update_heat=update_heat)
    ordered: list[tuple[list[str], str]] = [(page_turns(r.page.meta_data), r.page.text) for r in result.pages]
    ordered += [(page_turns(p.meta_data), p.text) for p in result.short_term]
    turns: list[str] = []
    cut_after: dict[int, int] = {}  # k -> number of ranked items needed for k turns
    for index, (ids, _item) in enumerate(ordered):
        for dia_id in ids:
            if dia_id not in turns:
                turns.append(dia_id)
        for k in KS:
            if k not in cut_after and len(turns) >= k:
                cut_after[k] = index + 1
    tokens_at = {k: _context_tokens(result, cut_after.get(k, len(ordered))) for k in KS}
    text_at = {k: estimate_tokens("\n".join(text for _, text in ordered[: cut_after.get(k, len(ordered))])) for k in KS}
    return Ranked(turns[:MAX_K], tokens_at, text_at)


def _context_tokens(result: RetrievalResult, n_items: int) -> int:
    """Tokens of the prompt context memoryos would hand an LLM with only the first n ranked pages."""
    kept_pages = result.pages[:n_items]
    kept_short = result.short_term[: max(0, n_items - len(result.pages))]
    return dataclasses.replace(result, pages=kept_pages, short_term=kept_short).context_tokens()


def rank_ablation(memo: Memoryos, question: str, overrides: dict[str, float | bool] | None) -> Ranked:
    """memoryos with one signal off, without side effects on heat; the settings are restored afterwards."""
    saved = {k: getattr(memo.config, k) for k in overrides or {}}
    terms = memo.retriever.terms
    participants = terms.participants
    try:
        for key, value in (overrides or {}).items():
            setattr(memo.config, key, value)
        if overrides is None:
            terms.participants = lambda query, newest_seq: set()  # type: ignore[method-assign]
        return rank_memoryos(memo, question, update_heat=False)
    finally:
        for key, value in saved.items():
            setattr(memo.config, key, value)
        terms.participants = participants  # type: ignore[method-assign]


def rank_baseline(method: Any, question: str, text_of: dict[str, str]) -> Ranked:
    turns = method.rank(question, MAX_K)
    tokens = {k: estimate_tokens("\n".join(text_of[t] for t in turns[:k])) for k in KS}
    return Ranked(turns, tokens, tokens)


def score(evidence: list[str], ranked: list[str], k: int) -> tuple[float, float]:
    top = set(ranked[:k])
    found = sum(1 for e in evidence if e in top)
    return found / len(evidence), float(found > 0)


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """rows: one per (method, question). Returns method -> group -> metrics (group = 'overall' or a category)."""
    grouped: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[row["method"]]["overall"].append(row)
        grouped[row["method"]][CATEGORIES[row["category"]]].append(row)
    summary: dict[str, Any] = {}
    for method, groups in grouped.items():
        summary[method] = {}
        for group, items in groups.items():
            n = len(items)
            metrics: dict[str, Any] = {"n": n}
            for k in range(1, MAX_K + 1):
                metrics[f"recall@{k}"] = round(sum(score(r["evidence"], r["turns"], k)[0] for r in items) / n, 4)
            for k in KS:
                metrics[f"hit@{k}"] = round(sum(score(r["evidence"], r["turns"], k)[1] for r in items) / n, 4)
                metrics[f"tokens@{k}"] = round(sum(r["tokens_at"][k] for r in items) / n, 1)
                metrics[f"text_tokens@{k}"] = round(sum(r["text_tokens_at"][k] for r in items) / n, 1)
            summary[method][group] = metrics
    return summary


def evaluate(
    conversations: list[Conversation],
    embedder: Any,
    make_memo: Callable[[Conversation, Path, Any], Memoryos],
    max_questions: int | None = None,
    show_progress: bool = True,
    ablations: bool = False,
    stores: Path | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`stores`: keep each conversation's SQLite store in stores/<sample_id>, ingest only when it is not there yet,
    and retrieve with update_heat=False, so repeated runs (variants of the retriever) read the same memory."""
    rows: list[dict[str, Any]] = []
    timing: dict[str, Any] = {"ingest_s": 0.0, "retrieve_s": 0.0, "pages": 0, "questions": 0}
    for conv in progress(conversations, desc="conversations", enabled=show_progress):
        questions = retrieval_questions(conv)[:max_questions]
        text_of = {t.dia_id: t.labelled() for t in conv.turns}
        baselines = {
            "bm25_turns": BM25Turns(conv.turns),
            "dense_turns": DenseTurns(conv.turns, embedder),
            "last_turns": LastTurns(conv.turns),
        }
        with tempfile.TemporaryDirectory(prefix="memoryos-locomo-") as tmp:
            prefetcher = PrefetchEmbedder(embedder)
            folder = stores / conv.sample_id if stores is not None else Path(tmp)
            built = stores is not None and folder.exists()
            memo = make_memo(conv, folder, prefetcher)
            try:
                started = time.perf_counter()
                timing["pages"] += len(pages(conv)) if built else ingest(memo, conv, prefetcher)
                timing["ingest_s"] += time.perf_counter() - started
                for q in progress(questions, desc=conv.sample_id, enabled=show_progress):
                    started = time.perf_counter()
                    ranked = {"memoryos": rank_memoryos(memo, q.question, update_heat=stores is None)}
                    timing["retrieve_s"] += time.perf_counter() - started
                    for name, method in baselines.items():
                        ranked[name] = rank_baseline(method, q.question, text_of)
                    for name, overrides in ABLATIONS.items() if ablations else ():
                        ranked[name] = rank_ablation(memo, q.question, overrides)
                    rows += [_row(conv, q, name, r) for name, r in ranked.items()]
                    timing["questions"] += 1
            finally:
                memo.close()
                baselines["bm25_turns"].close()  # type: ignore[attr-defined]
    return rows, timing


def _row(conv: Conversation, q: Question, method: str, ranked: Ranked) -> dict[str, Any]:
    return {
        "conversation": conv.sample_id,
        "method": method,
        "category": q.category,
        "question": q.question,
        "evidence": q.evidence,
        "turns": ranked.turns,
        "tokens_at": ranked.tokens_at,
        "text_tokens_at": ranked.text_tokens_at,
    }


def report_rows(summary: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    header = [
        "method",
        "group",
        "n",
        *[f"R@{k}" for k in KS],
        *[f"hit@{k}" for k in KS],
        "text tok@10",
        "context tok@10",
    ]
    groups = ["overall", *[CATEGORIES[c] for c in (1, 2, 3, 4)]]
    rows = []
    for method in [*METHODS, *ABLATIONS]:
        for group in groups:
            m = summary.get(method, {}).get(group)
            if m:
                rows.append(
                    [
                        method,
                        group,
                        m["n"],
                        *[m[f"recall@{k}"] for k in KS],
                        *[m[f"hit@{k}"] for k in KS],
                        m["text_tokens@10"],
                        m["tokens@10"],
                    ]
                )
    return header, rows


def plot(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    ks = list(range(1, MAX_K + 1))
    for method in METHODS:
        overall = summary.get(method, {}).get("overall")
        if overall:
            ax.plot(ks, [overall[f"recall@{k}"] for k in ks], marker="o", markersize=3, label=method)
    ax.set_xlabel("k (turns retrieved)")
    ax.set_ylabel("evidence recall@k")
    ax.set_title("LoCoMo dev: evidence recall@k (categories 1-4)")
    ax.set_ylim(0, 1)
    ax.set_xticks([1, 5, 10, 15, 20])
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def open_kept(stores: Path, sample_id: str, embedder: Any) -> Memoryos:
    """A conversation's store kept by an earlier `--stores` run (SQLite, no LLM, no background upkeep)."""
    folder = stores / sample_id
    if not folder.exists():
        raise SystemExit(f"{folder} missing: build it with python -m benchmarks.locomo --stores {stores}")
    return Memoryos(
        user_id=sample_id,
        assistant_id="locomo",
        data_storage_path=str(folder),
        embedder=embedder,
        background_upkeep=False,
        use_llm=False,
    )


def parse_settings(items: list[str]) -> dict[str, Any]:
    """["key=value", ...] -> {key: value}: true/false as booleans, numbers as floats, anything else as text."""
    settings: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or key.strip() not in MemoryosConfig.model_fields:
            raise SystemExit(f"--set {item}: expected KEY=VALUE with KEY a MemoryosConfig setting")
        value: Any = raw
        if raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        else:
            with contextlib.suppress(ValueError):
                value = float(raw)
        settings[key.strip()] = value
    return settings


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.locomo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="LoCoMo-format JSON file")
    parser.add_argument("--limit", type=int, default=None, help="only the first N conversations")
    parser.add_argument("--max-questions", type=int, default=None, help="only the first N questions per conversation")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results directory")
    parser.add_argument(
        "--storage",
        default="sqlite",
        help="sqlite (default), embedded-postgres (throwaway server) or postgresql://... (a database per conversation)",
    )
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG plot")
    parser.add_argument("--ablations", action="store_true", help="also run memoryos with each signal switched off")
    parser.add_argument(
        "--unit-weight",
        type=float,
        default=None,
        help="memoryos's unit_weight (page units written and used when > 0; default: the library's)",
    )
    parser.add_argument(
        "--stores",
        type=Path,
        default=None,
        help="SQLite only: keep each conversation's store in DIR/<sample_id> (ingested once) and retrieve with "
        "update_heat=False, so runs of retriever variants read the same memory",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a MemoryosConfig setting for memoryos (repeatable), e.g. --set category_weight=0.5; "
        "the results file name says which",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument(
        "--query-precision",
        choices=("int8", "float32"),
        default=MemoryosConfig.model_fields["query_embedding_precision"].default,
        help="graph of the local model that embeds questions (query_embedding_precision)",
    )
    parser.add_argument("--llm-base-url", default=None, help="OpenAI-compatible endpoint (default: no-LLM mode)")
    parser.add_argument("--llm-model", default="gpt-4o-mini")
    parser.add_argument("--llm-api-key", default=None)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    from ._common import quiet_environment

    quiet_environment()
    logging.basicConfig(level=logging.WARNING)
    from ._common import local_model

    conversations = load(args.data, args.limit)
    embedder = local_model()
    llm = bool(args.llm_base_url)
    settings = parse_settings(args.set)

    def make_memo(conv: Conversation, folder: Path, conv_embedder: Any) -> Memoryos:
        return Memoryos(
            user_id=conv.sample_id,
            assistant_id="locomo",
            data_storage_path=str(folder),
            storage=backend.store_url(conv.sample_id, folder),
            embedder=conv_embedder,
            background_upkeep=False,
            use_llm=llm,
            openai_base_url=args.llm_base_url,
            openai_api_key=args.llm_api_key or ("not-needed" if llm else None),
            llm_model=args.llm_model,
            query_embedding_precision=args.query_precision,
            **({"unit_weight": args.unit_weight} if args.unit_weight is not None else {}),
            **settings,
        )

    started = time.perf_counter()
    with open_backend(args.storage) as backend:  # make_memo reads it
        if args.stores is not None and args.storage != "sqlite":
            raise SystemExit("--stores keeps SQLite stores only")
        rows, timing = evaluate(
            conversations, embedder, make_memo, args.max_questions, not args.quiet, args.ablations, args.stores
        )
        storage = backend.describe()
    summary = summarize(rows)
    header, table = report_rows(summary)
    print_table(f"LoCoMo evidence recall ({args.data.name}, {timing['questions']} questions)", header, table)
    results = {
        "benchmark": "locomo",
        "data": args.data.name,
        "mode": f"llm:{args.llm_model}" if llm else "no-llm",
        "storage": storage,
        "conversations": [c.sample_id for c in conversations],
        "questions": timing["questions"],
        "pages": timing["pages"],
        "ks": list(KS),
        "summary": summary,
        "per_conversation": {
            conv.sample_id: summarize([r for r in rows if r["conversation"] == conv.sample_id])
            for conv in conversations
        },
        "timing": {
            "ingest_s": round(timing["ingest_s"], 2),
            "retrieve_mean_ms": round(1000 * timing["retrieve_s"] / max(1, timing["questions"]), 2),
            "total_s": round(time.perf_counter() - started, 1),
        },
        "machine": machine(),
        "markdown": markdown_table(header, table),
    }
    suffix = storage_suffix(backend)
    name = ("locomo_ablations" if args.ablations else "locomo") + suffix
    if args.unit_weight is not None:
        results["unit_weight"] = args.unit_weight
        name += f"_units{args.unit_weight:g}"
    if settings:
        results["settings"] = settings
        name += "".join(
            f"_{key}{value:g}" if isinstance(value, float) else f"_{key}{value}" for key, value in settings.items()
        )
    results["query_embedding_precision"] = args.query_precision
    path = write_results(name, results, args.out)
    if not args.no_plot:
        units = f"_units{args.unit_weight:g}" if args.unit_weight is not None else ""
        plot(summary, args.out / f"locomo_recall{suffix}{units}.png")
    print(f"results: {path}")
    return results


if __name__ == "__main__":
    main()
