"""The int8 query graph against the float32 one on LoCoMo's questions: vector agreement and CPU per query.

    python -m benchmarks.query_precision [--data PATH] [--rounds 3]

Each question (categories 1-4, as `benchmarks.locomo` asks them) is embedded alone by both graphs of the local
model, in alternating rounds so that both see the same machine load. Reports the cosine of the int8 vector to the
float32 one (min, 1st percentile, mean) and the process CPU time per query (CPU time, not wall time: it holds on
a busy machine). Then the int8 graph on the same questions in shared calls of 8 and 32 (what the executor does
with questions that arrive together): CPU per query, and the cosine of each question's vector in company to its
vector alone. Recall with either graph is `python -m benchmarks.locomo --query-precision int8|float32`.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from ._common import DEFAULT_DATA, RESULTS_DIR, local_model, machine, print_table, write_results
from ._locomo_data import load, retrieval_questions


def cpu_ms_per_text(embed: Any, texts: list[str]) -> tuple[float, np.ndarray]:
    started = time.process_time()
    vectors = np.vstack([embed([t]) for t in texts])
    return (time.process_time() - started) * 1000 / len(texts), vectors


def shared_call(model: Any, texts: list[str]) -> np.ndarray:
    """The query graph on `texts` padded into one batch (embed_queries runs each alone)."""
    from memoryos.providers.onnx_embedder import mean_pool

    feeds = model.feeds(texts)
    return mean_pool(model.query_session().run(None, feeds)[0], feeds["attention_mask"])


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="benchmarks.query_precision", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="LoCoMo-format JSON file")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timing rounds per graph")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--name", default="query_precision", help="results file name (without .json)")
    args = parser.parse_args(argv)
    questions = [q.question for conv in load(args.data) for q in retrieval_questions(conv)]
    model = local_model()
    model.embed_queries(questions[:1])  # load (or build) the query graph before timing
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {"float32": [], "int8": []}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):
        for name, embed in (("float32", model.embed), ("int8", model.embed_queries)):
            ms, vectors[name] = cpu_ms_per_text(embed, questions)
            times[name].append(round(ms, 3))
    # shared calls: consecutive questions of different lengths, padded to the longest of each call
    batched: dict[str, dict[str, float]] = {}
    for size in (8, 32):
        started = time.process_time()
        together = np.vstack([shared_call(model, questions[i : i + size]) for i in range(0, len(questions), size)])
        agreement = (together * vectors["int8"]).sum(axis=1)
        batched[str(size)] = {
            "cpu_ms_per_query": round((time.process_time() - started) * 1000 / len(questions), 3),
            "cosine_to_alone_min": round(float(agreement.min()), 7),
            "bit_identical_share": round(float((together == vectors["int8"]).all(axis=1).mean()), 4),
        }
    end_load = round(os.getloadavg()[0], 2)
    cosines = (vectors["int8"] * vectors["float32"]).sum(axis=1)
    results = {
        "benchmark": "query_precision",
        "questions": len(questions),
        "cosine_int8_to_float32": {
            "min": round(float(cosines.min()), 5),
            "p1": round(float(np.percentile(cosines, 1)), 5),
            "mean": round(float(cosines.mean()), 5),
        },
        "cpu_ms_per_query": times,
        "cpu_ms_per_query_median": {k: round(float(np.median(v)), 3) for k, v in times.items()},
        "int8_in_shared_calls": batched,
        "machine": {**machine(), "load_average_at_start": round(load_before, 2), "load_average_at_end": end_load},
    }
    c = results["cosine_int8_to_float32"]
    print_table(
        f"int8 against float32 query graph ({len(questions)} LoCoMo questions, each alone)",
        ["graph", "CPU ms/query (median of rounds)", "cosine to float32 min / p1 / mean"],
        [
            ["float32", results["cpu_ms_per_query_median"]["float32"], "1 / 1 / 1"],
            ["int8", results["cpu_ms_per_query_median"]["int8"], f"{c['min']} / {c['p1']} / {c['mean']}"],
        ],
    )
    for size, row in batched.items():
        print(
            f"int8, {size} questions per call: {row['cpu_ms_per_query']} CPU ms/query, cosine to alone min "
            f"{row['cosine_to_alone_min']}, bit-identical {row['bit_identical_share']:.1%}"
        )
    print(f"results: {write_results(args.name, results, args.out)}")
    return results


if __name__ == "__main__":
    main()
