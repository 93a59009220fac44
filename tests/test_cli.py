"""The real `memoryos` entry point, run as a subprocess for every command."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAIServer
from test_mcp_helpers import LOCOMO_DEV, TOM, child_env, memoryos_command, write_config

TIMEOUT = 180


def memoryos(*args: str, input: str | None = None, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*memoryos_command(), *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=child_env(**env),
        cwd=cwd,
    )


def ok(*args: str, **kwargs: Any) -> subprocess.CompletedProcess:
    result = memoryos(*args, **kwargs)
    assert result.returncode == 0, f"memoryos {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def as_json(*args: str, **kwargs: Any) -> Any:
    return json.loads(ok(*args, "--json", **kwargs).stdout)


def fast_config(tmp_path: Path, endpoint: FakeOpenAIServer, **settings: Any) -> Path:
    """Embeddings from the loopback fake endpoint: no model load in the child, so these runs take a second or two.
    The local model runs in a subprocess in test_demo and in the MCP server tests."""
    return write_config(
        tmp_path / "config.json", embedding_base_url=endpoint.base_url, embedding_model_name="fake", **settings
    )


def test_help_and_version() -> None:
    assert "forget-user" in ok("--help").stdout
    assert ok("--version").stdout.strip() == "0.1.0"


def test_add_stats_profile_delete_forget(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path / "data"), "--user", "tom"]
    ids = [as_json("add", user_input, reply, *data)["page_id"] for user_input, reply in TOM[:2]]
    assert ok("add", "Plain output", "prints the id", *data).stdout.strip().isalnum()
    stats = as_json("stats", *data)
    assert stats["user_id"] == "tom" and stats["pages"]["short"] == 3 and stats["mode"] == "no-llm"
    profile = as_json("profile", *data)
    assert profile == {"user_id": "tom", "profile": "", "user_knowledge": [], "assistant_knowledge": []}

    assert as_json("delete", ids[0], *data) == {"deleted": ids[0], "user_id": "tom"}
    missing = memoryos("delete", ids[0], *data)
    assert missing.returncode == 1 and "error:" in missing.stderr and ids[0] in missing.stderr
    assert missing.stdout == ""
    bad = memoryos("add", "x", "y", "--meta", "[1]", *data)
    assert bad.returncode == 2 and "JSON object" in bad.stderr
    # MEMORYOS_DATA stands in for --data; other users are untouched by forget-user
    other = as_json("add", "I'm someone else", "hi", "--user", "ann", MEMORYOS_DATA=str(tmp_path / "data"))
    assert other["user_id"] == "ann"
    assert as_json("forget-user", "--yes", *data) == {"user_id": "tom", "pages_deleted": 2}
    assert as_json("stats", "--user", "ann", MEMORYOS_DATA=str(tmp_path / "data"))["pages"]["short"] == 1
    refused = memoryos("forget-user", *data, input="n\n")
    assert refused.returncode == 1


def test_jsonl_import_export_round_trip(tmp_path: Path) -> None:
    """Import (resumable), export, import the export into an empty store, export again: the same content."""
    with FakeOpenAIServer() as endpoint:
        config = fast_config(tmp_path, endpoint, short_term_capacity=3, mid_term_heat_threshold=1.0)
        records = tmp_path / "talk.jsonl"
        lines = [
            {"user_input": u, "agent_response": a, "timestamp": f"2025-06-0{i + 1}T10:00:00Z", "meta_data": {"n": i}}
            for i, (u, a) in enumerate(TOM * 2)
        ]
        records.write_text("\n".join(json.dumps(line) for line in lines))
        first = ["--config", str(config), "--data", str(tmp_path / "a"), "--user", "tom"]
        report = as_json("import", str(records), *first)
        assert report == [{"user_id": "tom", "format": "jsonl", "total": 8, "imported": 8, "skipped": 0}]
        assert as_json("import", str(records), *first)[0]["skipped"] == 8  # re-running skips everything

        exported = tmp_path / "export.json"
        ok("export", "--output", str(exported), *first)
        dump = json.loads(exported.read_text())
        assert {p["tier"] for p in dump["pages"]} >= {"short", "mid"} and dump["segments"] and dump["profile_versions"]
        assert json.loads(ok("export", *first).stdout) == dump  # stdout and file agree

        second = ["--config", str(config), "--data", str(tmp_path / "b")]
        assert as_json("import", str(exported), *second)[0] == {
            "user_id": "tom",
            "format": "export",
            "total": 8,
            "imported": 8,
            "skipped": 0,
        }
        assert json.loads(ok("export", *second, "--user", "tom").stdout) == dump


@pytest.mark.skipif(not LOCOMO_DEV.exists(), reason="shared LoCoMo data not present")
def test_locomo_import_then_search(tmp_path: Path) -> None:
    """Conversation 0 of the shared LoCoMo dev file; the fake endpoint also shows that texts go out in batches."""
    with FakeOpenAIServer() as endpoint:
        data = ["--config", str(fast_config(tmp_path, endpoint)), "--data", str(tmp_path / "data")]
        result = ok("import", str(LOCOMO_DEV), "--format", "locomo", "--conversation", "0", *data)
        assert "conv-26: 215 imported, 0 already there" in result.stdout
        assert "215/215" in result.stderr  # the progress bar
        batches = [len(r["input"]) for r in endpoint.embedding_requests if isinstance(r["input"], list)]
        assert max(batches) == 64 and sum(b for b in batches if b > 8) >= 215  # pages embedded 64 at a time

        again = as_json("import", str(LOCOMO_DEV), "-n", "0", *data)
        assert again == [{"user_id": "conv-26", "format": "locomo", "total": 215, "imported": 0, "skipped": 215}]
        stats = as_json("stats", "--user", "conv-26", *data)
        assert stats["pages"]["mid"] > 150 and stats["segments"]["active"] > 0

        found = as_json("search", "adoption agencies", "--user", "conv-26", "--max-results", "5", *data)
        assert any("adoption" in p["user_input"].lower() for p in found["pages"]) and len(found["pages"]) <= 5
        assert as_json("search", "adoption agencies", "--user", "conv-26", "--max", "2", *data)["pages"] == (
            found["pages"][:2]
        )  # --max, the old name
        human = ok("search", "adoption agencies", "--user", "conv-26", "-n", "3", *data).stdout
        assert "adoption" in human.lower() and "profile:" in human


def test_chat_needs_an_llm_and_uses_memory(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path / "data"), "--user", "tom"]
    refused = memoryos("chat", *data, input="hello\n")
    assert refused.returncode == 2 and "needs an LLM" in refused.stderr and "OPENAI_BASE_URL" in refused.stderr

    with FakeOpenAIServer(lambda body: "{}" if body.get("response_format") else "You work as a data scientist.") as llm:
        data += ["--config", str(fast_config(tmp_path, llm))]
        ok("add", *TOM[0], *data)
        result = ok("chat", *data, input="What is my job?\n/exit\n", OPENAI_BASE_URL=llm.base_url)
        prompts = [json.dumps(r["messages"]) for r in llm.requests]
        assert result.stdout.strip() == "You work as a data scientist."
        assert any("data scientist in San Francisco" in p for p in prompts)  # the memory reached the prompt
        assert as_json("stats", *data)["pages"]["short"] == 2  # the chat exchange was stored


def test_demo(tmp_path: Path) -> None:
    """The quick start with the local embedding model, in a subprocess, as on a first run: it says that it
    prepares the model and how long that took, and leaves no temporary directory behind."""
    scratch, cache = tmp_path / "tmp", tmp_path / "cache"
    scratch.mkdir()
    result = ok("demo", TMPDIR=str(scratch), MEMORYOS_CACHE=str(cache))
    assert "memoryos demo" in result.stdout and "data scientist" in result.stdout
    assert "temporary directory, removed" in result.stdout
    assert "preparing the embedding model all-MiniLM-L6-v2" in result.stderr
    assert re.search(r"embedding model all-MiniLM-L6-v2 ready in \d+\.\d s", result.stderr), result.stderr
    # (ONNX Runtime itself keeps a 51-byte .ses file in the temporary directory: not the demo's)
    # the cache keeps the model's graph and the int8 graph its questions are embedded with, nothing else
    assert [p.name for p in scratch.iterdir() if p.name != ".ses"] == []
    graphs = sorted(p.name for p in cache.glob("*.onnx"))
    assert len(graphs) == 2 and graphs[0].endswith(".int8.onnx") and graphs[0].replace(".int8", "") == graphs[1]
    kept = ok("demo", "--data", str(tmp_path / "kept"), MEMORYOS_CACHE=str(cache))
    assert f"data in {tmp_path / 'kept'}" in kept.stdout and (tmp_path / "kept").is_dir()
    assert "preparing" not in kept.stderr  # once per model, not per run


def test_bench_from_a_checkout(tmp_path: Path) -> None:
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "__init__.py").write_text("")
    (tmp_path / "benchmarks" / "echo_args.py").write_text(
        "import sys\n\ndef main(argv):\n    print('bench got', argv)\n    return 0\n"
    )
    result = ok("bench", "echo_args", "--rounds", "2", "--help", cwd=tmp_path)
    assert "bench got ['--rounds', '2', '--help']" in result.stdout
    missing = memoryos("bench", "no_such_bench", cwd=tmp_path)
    assert missing.returncode == 2 and "no benchmark 'no_such_bench'" in missing.stderr
    assert "echo_args" in missing.stderr  # lists what is there
