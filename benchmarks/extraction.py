"""What the no-LLM extractor finds in LoCoMo conversations, scored against the annotators' observations.

    python -m benchmarks.extraction [--data PATH] [--limit N] [--batch session|N] [--show N]

No memory pipeline: each conversation's pages (built as `benchmarks.locomo` builds them, speaker_a = user) go
through `ExtractiveAnalyzer.analyze_for_profile` in batches (a session at a time by default, the profile carried
from batch to batch, as promotion does), and the facts it returns, each citing the pages it named, are scored
with `benchmarks._fact_metrics` (the issue 12 definition). A fast loop for working on the extractor; the full
pipeline is measured by `benchmarks.knowledge`.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from memoryos.config import MemoryosConfig
from memoryos.models import Page
from memoryos.providers.extractive import ExtractiveAnalyzer

from ._common import DEFAULT_DATA, RESULTS_DIR, local_model, machine, print_table, quiet_environment, write_results
from ._fact_metrics import load_observations, score_facts, score_profile
from ._locomo_data import Conversation, load, page_sides, pages

log = logging.getLogger("benchmarks.extraction")


def conversation_pages(conv: Conversation) -> list[tuple[Page, list[str]]]:
    """The conversation's pages with the turn ids each holds."""
    out = []
    for i, turns in enumerate(pages(conv)):
        user, agent = page_sides(conv, turns)
        page = Page(f"{conv.sample_id}:{i}", user, agent, turns[0].timestamp, {"dia_ids": [t.dia_id for t in turns]})
        out.append((page, [t.dia_id for t in turns]))
    return out


def batches(items: list[tuple[Page, list[str]]], size: int | None) -> list[list[tuple[Page, list[str]]]]:
    """Sessions (pages sharing a timestamp) when `size` is None, else consecutive runs of `size` pages."""
    if size:
        return [items[i : i + size] for i in range(0, len(items), size)]
    grouped: list[list[tuple[Page, list[str]]]] = []
    for item in items:
        if grouped and grouped[-1][0][0].timestamp == item[0].timestamp:
            grouped[-1].append(item)
        else:
            grouped.append([item])
    return grouped


def extract(conv: Conversation, analyzer: ExtractiveAnalyzer, size: int | None) -> tuple[list[dict[str, Any]], str]:
    """Facts (as `get_knowledge` dicts: kind, text, source_page_ids) and the final profile."""
    facts: list[dict[str, Any]] = []
    profile = ""
    for batch in batches(conversation_pages(conv), size):
        batch_pages = [p for p, _ in batch]
        out = analyzer.analyze_for_profile(profile, batch_pages)
        profile = out.profile
        for kind, found in (("user", out.user_facts), ("assistant", out.assistant_facts)):
            for fact in found:
                if fact.op != "add" or not fact.text.strip():
                    continue
                sources = [batch_pages[i].id for i in fact.page_indices if 0 <= i < len(batch_pages)]
                facts.append({"kind": kind, "text": fact.text, "source_page_ids": sources, "attribute": fact.attribute})
    return facts, profile


class CachedEmbed:
    """Embeddings by text, kept across runs in an optional .npz file (observations never change)."""

    def __init__(self, model: Any, path: str | None) -> None:
        self.model, self.path, self.dim = model, path, model.dim
        self.known: dict[str, np.ndarray] = {}
        if path and Path(path).exists():
            with np.load(path, allow_pickle=False) as data:
                self.known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.known))
        if missing:
            self.known.update(zip(missing, self.model.embed(missing), strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.known[t] for t in texts]).astype(np.float32)

    def save(self) -> None:
        if self.path and self.known:
            texts = list(self.known)
            np.savez(self.path, texts=np.array(texts), vectors=np.stack([self.known[t] for t in texts]))


def run(data: str, limit: int | None, size: int | None, show: int, cache: str | None = None) -> dict[str, Any]:
    quiet_environment()
    embed = CachedEmbed(local_model(), cache)
    dim = embed.dim
    observations = load_observations(data)
    analyzer = ExtractiveAnalyzer(MemoryosConfig())
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    for conv in load(data, limit):
        facts, profile = extract(conv, analyzer, size)
        page_turns = {p.id: t for p, t in conversation_pages(conv)}
        names = (conv.speaker_a, conv.speaker_b)
        obs = observations[conv.sample_id]
        scored = score_facts(facts, obs, page_turns, names, embed, dim)
        rows.append(
            {
                "conversation": conv.sample_id,
                "facts": scored,
                "profile": score_profile(profile, obs, names, embed, dim),
            }
        )
        if show:
            for fact in facts[:show]:
                print(f"  [{fact['kind']}] {fact['attribute'] or '-'}: {fact['text']}")
            print(profile)
        log.info("%s: %d facts, profile of %d characters", conv.sample_id, len(facts), len(profile))
    embed.save()
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 1)}


def pooled(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in ("user", "assistant"):
        facts = [r["facts"][kind] for r in rows]
        n = sum(f["facts"] for f in facts)
        n_obs = sum(f["observations"] for f in facts)
        out[kind] = {
            "facts": n,
            "observations": n_obs,
            "precision": round(sum(f["supporting_facts"] for f in facts) / n, 4) if n else None,
            "recall": round(sum(f["supported_observations"] for f in facts) / n_obs, 4) if n_obs else None,
            "wrong_person": round(sum(f["wrong_person_facts"] for f in facts) / n, 4) if n else None,
            "wrong_person_facts": sum(f["wrong_person_facts"] for f in facts),
            "wrong_person_ties": sum(f["wrong_person_ties"] for f in facts),
            "wrong_person_other_names_speaker": sum(f["wrong_person_other_names_speaker"] for f in facts),
        }
    lines = sum(r["profile"]["lines"] for r in rows)
    out["profile"] = {
        "chars_max": max(r["profile"]["chars"] for r in rows),
        "supported_share": round(sum(r["profile"]["supported_lines"] for r in rows) / lines, 4) if lines else None,
    }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--batch", default="session", help="'session' or a number of pages per analysis")
    parser.add_argument("--show", type=int, default=0, help="print the first N facts and the profile of each")
    parser.add_argument("--cache", default=None, help="an .npz file keeping embeddings between runs")
    parser.add_argument("--save", action="store_true", help=f"write results to {RESULTS_DIR}/extraction.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    size = None if args.batch == "session" else int(args.batch)
    result = run(args.data, args.limit, size, args.show, args.cache)
    overall = pooled(result["rows"])
    header = ["conversation", "user P", "user R", "user wrong", "asst P", "asst R", "asst wrong", "profile", "prof ok"]
    table = [
        [
            r["conversation"],
            r["facts"]["user"]["precision"],
            r["facts"]["user"]["recall"],
            r["facts"]["user"]["wrong_person"],
            r["facts"]["assistant"]["precision"],
            r["facts"]["assistant"]["recall"],
            r["facts"]["assistant"]["wrong_person"],
            r["profile"]["chars"],
            r["profile"]["supported_share"],
        ]
        for r in result["rows"]
    ]
    u, a, p = overall["user"], overall["assistant"], overall["profile"]
    table.append(["overall", u["precision"], u["recall"], u["wrong_person"], a["precision"], a["recall"],
                  a["wrong_person"], p["chars_max"], p["supported_share"]])  # fmt: skip
    print_table("no-LLM extraction vs LoCoMo observations", header, table)
    print(f"user facts {u['facts']} / {u['observations']} observations; assistant facts {a['facts']} / "
          f"{a['observations']}; {result['seconds']} s")  # fmt: skip
    for kind, row in (("user", u), ("assistant", a)):
        print(f"{kind} wrong-person facts {row['wrong_person_facts']}: ties {row['wrong_person_ties']}, the other's "
              f"observation names the speaker {row['wrong_person_other_names_speaker']}")  # fmt: skip
    if args.save:
        write_results("extraction", {"machine": machine(), "batch": args.batch, "overall": overall, **result})


if __name__ == "__main__":
    main()
