"""The shells' pieces in-process: config files, import formats, resumable import, batched embedding, bench."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_mcp_helpers import LOCOMO_DEV
from typer.testing import CliRunner

from memoryos.cli import app
from memoryos.errors import ConfigError, InvalidInput
from memoryos.interfaces import import_files
from memoryos.interfaces.bench import BenchmarkMissing, run_benchmark
from memoryos.interfaces.settings import read_config_file, resolve_settings

COMMANDS = ["demo", "add", "search", "profile", "stats", "delete", "forget-user", "import", "export", "chat"]
COMMANDS += ["mcp", "bench"]


# ---- settings ----


def test_config_file_then_environment_then_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "conf" / "config.json"
    config.parent.mkdir()
    config.write_text(
        json.dumps(
            {
                "_comment": "ignored",
                "user_id": "from_file",
                "llm_model": "file-model",
                "openai_api_key": "",
                "data_storage_path": "data",
                "short_term_capacity": 5,
            }
        )
    )
    settings = resolve_settings(config)
    assert settings["user_id"] == "from_file" and "openai_api_key" not in settings
    assert settings["data_storage_path"] == str(config.parent.resolve() / "data")  # next to the file
    monkeypatch.setenv("MEMORYOS_LLM_MODEL", "env-model")
    monkeypatch.setenv("MEMORYOS_DATA", str(tmp_path / "env-data"))
    settings = resolve_settings(config, data_storage_path="flag-data", user_id=None)
    assert settings["llm_model"] == "env-model" and settings["data_storage_path"] == "flag-data"
    assert settings["short_term_capacity"] == 5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"user": "x"}', "unknown setting(s) user"),
        ('{"short_term_capacity": 0}', "short_term_capacity"),
    ],
)
def test_bad_config_files_are_config_errors(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "config.json"
    config.write_text(content)
    with pytest.raises(ConfigError) as caught:
        resolve_settings(config)
    assert message in str(caught.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        read_config_file(tmp_path / "nope.json")


def test_shipped_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "config.json"
    assert resolve_settings(example)["assistant_id"] == "memoryos_assistant"


# ---- import formats ----


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


RECORDS = [
    {"user_input": f"I went to place number {i}", "agent_response": f"Nice, {i}!", "timestamp": 1_700_000_000 + i}
    for i in range(12)
]


def test_json_and_jsonl_give_the_same_records(tmp_path: Path) -> None:
    as_json = import_files.read_source(write(tmp_path, "a.json", RECORDS))
    lines = "\n".join(json.dumps(r) for r in RECORDS) + "\n\n"
    as_jsonl = import_files.read_source(write(tmp_path, "a.jsonl", lines))
    assert (as_json.format, as_jsonl.format) == ("json", "jsonl")
    assert [r.key for r in as_json.records] == [r.key for r in as_jsonl.records]
    assert len({r.key for r in as_json.records}) == len(RECORDS)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([{"user": "hi"}], "record 0: unknown field(s) user"),
        ([{"user_input": "", "agent_response": ""}], "record 0: user_input and agent_response are both empty"),
        ([{"user_input": "a"}, {"user_input": "b", "timestamp": "someday"}], "record 1: timestamp 'someday'"),
        ([{"user_input": 3}], "must be strings"),
        ({"user_input": "a"}, "expected a JSON list"),
    ],
)
def test_malformed_records_are_refused_before_anything_is_written(tmp_path: Path, content: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        import_files.read_source(write(tmp_path, "bad.json", content), "json")
    assert message in str(caught.value)


def test_jsonl_errors_name_the_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="line 2"):
        import_files.read_source(write(tmp_path, "bad.jsonl", '{"user_input": "a"}\n{oops\n'))


def test_locomo_pairs_speaker_a_with_the_reply() -> None:
    turns = [
        {"speaker": "B", "dia_id": "D1:1", "text": "Hi A!"},
        {"speaker": "A", "dia_id": "D1:2", "text": "Hey B."},
        {"speaker": "B", "dia_id": "D1:3", "text": "Look", "blip_caption": "a photo of a cat"},
        {"speaker": "A", "dia_id": "D1:4", "text": "Cute!"},
        {"speaker": "A", "dia_id": "D1:5", "text": "Mine is older."},
    ]
    sample = {
        "sample_id": "s1",
        "conversation": {
            "speaker_a": "A",
            "speaker_b": "B",
            "session_1_date_time": "1:56 pm on 8 May, 2023",
            "session_1": turns,
        },
    }
    records = import_files.locomo_records([sample])
    assert [(r.user_input, r.agent_response) for r in records] == [
        ("", "Hi A!"),
        ("Hey B.", "Look [shares a photo: a photo of a cat]"),
        ("Cute!", ""),
        ("Mine is older.", ""),
    ]
    assert [r.meta_data["dia_ids"] for r in records][:2] == [["D1:1"], ["D1:2", "D1:3"]]
    assert {r.user_id for r in records} == {"s1"}
    times = [r.timestamp for r in records]
    assert times == sorted(times) and len(set(times)) == len(times)
    with pytest.raises(InvalidInput, match="no conversation 3"):
        import_files.locomo_records([sample], [3])


@pytest.mark.skipif(not LOCOMO_DEV.exists(), reason="shared LoCoMo data not present")
def test_locomo_dev_conversation_0() -> None:
    source = import_files.read_source(LOCOMO_DEV, "auto", [0])
    assert source.format == "locomo"
    assert len(source.records) == 215 and {r.user_id for r in source.records} == {"conv-26"}
    first = source.records[0]
    assert first.user_input.startswith("Hey Mel!") and first.agent_response.startswith("Hey Caroline!")
    assert len({r.key for r in source.records}) == 215


def test_auto_detects_exports(tmp_path: Path) -> None:
    dump = {"format": "memoryos-export", "version": 1, "pages": []}
    assert import_files.read_source(write(tmp_path, "e.json", dump)).format == "export"
    with pytest.raises(InvalidInput, match="not a memoryos export"):
        import_files.read_source(write(tmp_path, "r.json", RECORDS), "export")


# ---- writing ----


class CountingEmbedder:
    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dim, self.batches = inner, inner.name, inner.dim, []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.batches.append(len(texts))
        return self.inner.embed(texts)


def test_import_is_resumable_and_embeds_in_batches(make_memo: Any, embedder: Any, tmp_path: Path) -> None:
    records = import_files.read_source(write(tmp_path, "a.json", RECORDS)).records
    counting = CountingEmbedder(embedder)
    prefetch = import_files.PrefetchEmbedder(lambda: counting)
    memo = make_memo(short_term_capacity=3, embedder=prefetch)
    first = import_files.import_records(memo, records[:5], prefetch, batch_size=64)  # "interrupted" after 5
    assert (first.imported, first.skipped) == (5, 0)
    seen: list[int] = []
    second = import_files.import_records(memo, records, prefetch, batch_size=64, advance=seen.append)
    assert (second.imported, second.skipped) == (7, 5) and sum(seen) == len(RECORDS)
    memo.flush()
    pages = memo.list_pages()
    assert len(pages) == len(RECORDS) and len({p["meta_data"]["import_key"] for p in pages}) == len(RECORDS)
    assert memo.stats()["pages"]["mid"] > 0
    assert counting.batches[:2] == [5, 7]  # page texts came in two prefetch batches, not a few at a time
    again = import_files.import_records(memo, records, prefetch)
    assert (again.imported, again.skipped) == (0, len(RECORDS))


def test_prefetch_serves_cached_vectors_in_order(embedder: Any) -> None:
    counting = CountingEmbedder(embedder)
    prefetch = import_files.PrefetchEmbedder(lambda: counting)
    prefetch.prefetch(["a cat", "a dog"])
    vectors = prefetch.embed(["a dog", "a bird", "a cat"])
    assert counting.batches == [2, 1]
    assert np.allclose(vectors, embedder.embed(["a dog", "a bird", "a cat"]), atol=1e-5)


def test_export_import_refuses_a_user_with_other_pages(make_memo: Any) -> None:
    source = make_memo(user_id="source")
    source.add_memory("I like tea", "Noted")
    dump = source.export()
    target = make_memo(user_id="target", data_storage_path=str(Path(source.config.data_storage_path) / "other"))
    target.add_memory("something else", "ok")
    with pytest.raises(InvalidInput, match="already holds 1 pages"):
        import_files.import_export(target, dump)


# ---- bench and help ----


def test_bench_runs_benchmarks_main_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "benchmarks"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "probe_cli_bench.py").write_text("def main(argv):\n    return 3 if argv == ['--fast', 'x'] else 1\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(__import__("sys").modules, "benchmarks", raising=False)
    assert run_benchmark("probe_cli_bench", ["--fast", "x"]) == 3
    with pytest.raises(BenchmarkMissing, match="no benchmark 'nothing_here'"):
        run_benchmark("nothing_here", [])
    with pytest.raises(BenchmarkMissing, match="module names"):
        run_benchmark("../etc", [])


@pytest.mark.parametrize("command", [*COMMANDS, "check", "migrate", "serve", "knowledge", "doctor"])
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "--help" in result.output
    # values are named for what they are (USER, DIR, N), flags take none: no <bool>, <str>, <int range>
    assert not re.search(r"<(bool|str|int|float|path|list)\b[^>]*>", result.output), result.output
    if command not in ("demo", "mcp", "chat", "export", "bench", "migrate", "serve", "doctor"):
        assert "--json" in result.output and "--user" in result.output and "--data" in result.output


def test_stats_lines_name_every_part_in_words() -> None:
    from memoryos.interfaces.stats_text import plural, stats_lines

    assert [plural(0, "page"), plural(1, "page"), plural(2_500, "entry", "entries")] == [
        "0 pages",
        "1 page",
        "2,500 entries",
    ]
    stats = {
        "user_id": "ann",
        "assistant_id": "bot",
        "mode": "llm",
        "pages": {"short": 9, "mid": 1, "archive": 0},
        "segments": {"active": 1, "archived": 2},
        "knowledge": {"user": 1, "assistant": 3},
        "closed_knowledge": {"user": 2, "assistant": 0},
        "profile_versions": 1,
        "storage": {"backend": "postgresql", "url": "postgresql://ann:***@db/memoryos", "bytes": 3 * 1024 * 1024},
        "upkeep": {"background": True, "failures": 1, "last_error": "timeout", "waiting_pages": 2},
        "llm": {
            "state": "degraded",
            "since": "2025-01-01T00:00:00Z",
            "consecutive_failures": 3,
            "extractive_batches": 1,
        },
        "llm_usage": {"consolidation": {"calls": 4, "failures": 3, "prompt_tokens": 1200, "completion_tokens": 300}},
    }
    assert stats_lines(stats) == [
        "memory of ann (assistant bot), llm mode",
        "  pages      9 short-term, 1 mid-term, 0 archived",
        "  segments   1 active, 2 archived",
        "  knowledge  1 current fact about the user, 3 about the assistant; 2 closed facts in the history",
        "  profile    1 version",
        "  storage    postgresql · postgresql://ann:***@db/memoryos · 3.0 MiB",
        "  upkeep     in the background; 2 pages waiting; 1 failure; last error: timeout",
        "  LLM        degraded since 2025-01-01T00:00:00Z; 3 failures in a row; 1 step done without it",
        "  LLM calls  consolidation: 4 calls (3 failed), 1,200 prompt + 300 completion tokens",
    ]
