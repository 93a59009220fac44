"""Process CPU time per retrieve on a kept SQLite store, with the median of each stage: a measure that holds on a
busy machine, where wall-clock percentiles mostly show the load.

    python -m benchmarks.retrieve_cpu --store DIR [--pages 10000] [--queries 100] [--passes 2] [--heat] [--set K=V]

The store is built once in DIR (`Store.import_scope` of the speed benchmark's synthetic pages, random unit vectors)
and copied for each run, so retrievals that write heat (`--heat`: the default `retrieve`, with the background
upkeep those visits wake) start from the same memory every time. Each pass asks the same questions; the first pass
reads pages the later ones find in the page cache. CPU is the whole process's (`time.process_time`: the caller,
the side threads beside the query embedding, ONNX Runtime's threads and the background upkeep), per retrieve.
`--dump FILE` writes each question's page ids and scores (first pass) to compare two versions for equality.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from ._common import RESULTS_DIR, local_model, machine, percentiles_ms, quiet_environment, write_results
from ._synth import questions, scale_dump
from .locomo import parse_settings
from .speed import open_memo

log = logging.getLogger(__name__)


def build(folder: Path, pages: int, embedder: Any) -> None:
    """The synthetic store of `pages` pages for one user, once."""
    if (folder / "memoryos.db").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    memo = open_memo(folder, embedder)
    memo.store.import_scope(memo.scope, scale_dump(pages, embedder.dim, seed=pages))
    memo.close()


def run_pass(memo: Any, asked: list[str], heat: bool, ranked: list[Any] | None) -> dict[str, Any]:
    stages: dict[str, list[float]] = {}
    walls: list[float] = []
    cpu = time.process_time()
    for query in asked:
        started = time.perf_counter()
        result = memo.retrieve(query, update_heat=heat)
        walls.append(time.perf_counter() - started)
        for stage, ms in result.timings_ms.items():
            stages.setdefault(stage, []).append(ms)
        if ranked is not None:
            hits = [[p.page.id, p.score] for p in result.pages]
            ranked.append(hits + [[s.segment_id, s.score] for s in result.segments])
    memo.flush()  # what the visits woke in the background counts too
    out = percentiles_ms(walls)
    out["cpu_ms_per_retrieve"] = round((time.process_time() - cpu) * 1000 / len(asked), 3)
    out["stages_p50_ms"] = {k: round(sorted(v)[len(v) // 2], 3) for k, v in stages.items()}
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="benchmarks.retrieve_cpu", description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="folder of the kept store (built if missing)")
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--heat", action="store_true", help="retrieve with update_heat=True (the default call)")
    parser.add_argument("--dump", type=Path, help="write the first pass's page ids and scores here")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--name", default="retrieve_cpu", help="results file name (without .json)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a MemoryosConfig setting")
    args = parser.parse_args(argv)
    quiet_environment()
    embedder = local_model()
    build(args.store, args.pages, embedder)
    work = args.store.with_name(args.store.name + ".run")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(args.store, work)
    load_before = os.getloadavg()[0]
    memo = open_memo(work, embedder, background_upkeep=True)
    settings = parse_settings(args.set)
    for key, value in settings.items():
        setattr(memo.config, key, value)
    try:
        memo.retrieve("warm up: what did I do last weekend?")
        for query in questions(5, seed=99):
            memo.retrieve(query)
        asked = questions(args.queries, seed=args.pages)
        ranked: list[Any] = []
        dumped = ranked if args.dump else None
        passes = [run_pass(memo, asked, args.heat, dumped if i == 0 else None) for i in range(args.passes)]
    finally:
        memo.close()
        shutil.rmtree(work, ignore_errors=True)
    if args.dump:
        args.dump.write_text(json.dumps(ranked))
    import memoryos

    results = {
        "benchmark": "retrieve_cpu",
        "library": str(Path(memoryos.__file__).parent),
        "pages": args.pages,
        "queries": args.queries,
        "update_heat": args.heat,
        "settings": settings,
        "passes": passes,
        "machine": {**machine(), "load_average_at_start": round(load_before, 2)},
    }
    path = write_results(args.name, results, args.out)
    for i, p in enumerate(passes):
        cpu, p50, p95 = p["cpu_ms_per_retrieve"], p["p50_ms"], p["p95_ms"]
        log.warning("pass %d: %.2f ms CPU per retrieve, wall p50 %.2f p95 %.2f ms", i, cpu, p50, p95)
    print(f"results: {path}")
    return results


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    main()
