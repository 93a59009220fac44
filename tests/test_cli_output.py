"""The command line prints stored text, ids and error messages literally: never as Rich markup, never as
terminal control sequences, never with a traceback for bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from doubles import ScriptedLLM
from fake_openai import FakeOpenAIServer
from test_mcp_helpers import child_env, memoryos_command, write_config
from typer.testing import CliRunner

from memoryos import Memoryos
from memoryos.cli import app
from memoryos.interfaces.terminal import json_for_terminal, visible

# what must appear as written: Rich would crash on the first two, eat the next three
MARKUP = ["[/]", "[/weird]", "[red]x[/red]", "[mcp]", "[shares a photo: a dog]"]
# what must never reach the terminal raw: window title (OSC … BEL), clear screen, 8-bit CSI, carriage return
# overwriting the line, a bidi override that reorders it
CONTROLS = {
    "\x1b]0;pwned\x07": "\\x1b]0;pwned\\x07",
    "\x1b[2J": "\\x1b[2J",
    "\x9b31m": "\\x9b31m",
    "fake\rline": "fake",  # shown as \x0d, or as a space where a one-line summary folds whitespace
    "\u202eevil": "\\u202eevil",
}
RAW = ["\x1b", "\x07", "\x9b", "\r", "\u202e"]


@pytest.fixture(autouse=True)
def _keep_test_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands reconfigure the root logger for a real process; in-process they must leave pytest's alone."""
    monkeypatch.setattr("memoryos.interfaces.logs.configure_logging", lambda *a, **k: None)


def invoke(*args: str, **kwargs: Any) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=True, **kwargs)


def assert_clean(text: str) -> None:
    for raw in RAW:
        at = text.find(raw)
        assert at < 0, f"raw {raw!r} reached the terminal: …{text[max(0, at - 80) : at + 80]!r}…"


def assert_no_crash(result: Any) -> None:
    """Exited through typer (a status), never through an exception."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr


@pytest.fixture
def seeded(tmp_path: Path, embedder: Any) -> list[str]:
    """A store whose pages, chain summaries, segment summaries, profile and knowledge all carry the texts."""
    storage = f"sqlite:///{tmp_path / 'memoryos.db'}"
    memo = Memoryos(
        user_id="tom",
        storage=storage,
        embedder=embedder,
        llm=ScriptedLLM(),
        background_upkeep=False,
        short_term_capacity=3,
        mid_term_heat_threshold=1.0,
    )
    texts = [*MARKUP, *CONTROLS]
    for i, text in enumerate(texts):
        memo.add_memory(f"teapot {i} {text}", f"teapot reply {text}")
    memo.add_knowledge("teapot fact [/] \x1b[2J [mcp]")
    memo.flush()
    assert memo.get_user_profile(), "the scripted LLM should have promoted a profile"
    memo.close()
    return ["--storage", storage, "--user", "tom"]


def test_search_profile_check_and_stats_show_stored_text_literally(seeded: list[str]) -> None:
    outputs = {}
    for command in (["search", "teapot", "-n", "20"], ["profile"], ["check"], ["stats"], ["export"]):
        result = invoke(*command, *seeded)
        assert_no_crash(result)
        assert result.exit_code == 0, (command, result.output, result.stderr)
        assert_clean(result.output + result.stderr)
        outputs[command[0]] = result.stdout
    shown = outputs["search"] + outputs["profile"]
    for text in MARKUP:
        assert text in outputs["search"], f"{text!r} was lost from search output"
        assert text in outputs["profile"], f"{text!r} was lost from the profile output"
    for escaped in CONTROLS.values():
        assert escaped in shown, f"{escaped!r} not shown"
    assert "fake\\x0dline" in shown or "fake line" in shown
    assert "teapot fact [/] \\x1b[2J [mcp]" in outputs["profile"]


def test_stats_and_check_read_as_text(seeded: list[str]) -> None:
    """Labelled lines, not a Python dict; check follows its slow part with a progress bar (on stderr)."""
    shown = invoke("stats", *seeded).stdout
    lines = shown.splitlines()
    assert lines[0] == "memory of tom (assistant default_assistant), no-llm mode"
    labels = [line.split()[0] for line in lines[1:]]
    assert labels == ["pages", "segments", "knowledge", "profile", "storage", "upkeep", "LLM"]
    assert "{" not in shown and "'" not in shown
    knowledge = r"knowledge +\d+ current facts? about the user, \d+ about the assistant"
    knowledge += r"(; \d+ closed facts? in the history)?\n"
    assert re.search(knowledge, shown), shown
    assert "memoryos.db · " in shown and "KiB" in shown and "  LLM        not configured" in shown
    checked = invoke("check", *seeded)
    assert checked.exit_code == 0 and checked.stdout.strip() == "ok"
    assert "checking: embedding pages again" in checked.stderr


def test_json_output_is_exact_and_still_safe_for_a_terminal(seeded: list[str]) -> None:
    for command in (["search", "teapot", "-n", "20", "--json"], ["profile", "--json"], ["export"]):
        result = invoke(*command, *seeded)
        assert result.exit_code == 0, result.output
        assert_clean(result.stdout)
        data = json.dumps(json.loads(result.stdout), ensure_ascii=False)  # parses
        if command == ["export"]:  # every stored text comes back exactly
            for text in [*MARKUP, *CONTROLS]:
                assert json.dumps(text, ensure_ascii=False)[1:-1] in data, text


def test_bad_ids_and_names_give_clean_errors(seeded: list[str], tmp_path: Path) -> None:
    for page_id in ("[/oops]", "[/]", "\x1b]0;pwned\x07"):
        result = invoke("delete", page_id, *seeded)
        assert_no_crash(result)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert_clean(result.stderr)
        assert "error: no page" in result.stderr and visible(repr(page_id)) in result.stderr
    # a user id with markup in it is an ordinary id
    user = "[red]eve[/red]"
    records = tmp_path / "talk.jsonl"
    records.write_text(json.dumps({"user_input": "[/] hello", "agent_response": "[bold]hi"}) + "\n", encoding="utf-8")
    imported = invoke("import", str(records), "--storage", seeded[1], "--user", user)
    assert_no_crash(imported)
    assert imported.exit_code == 0, imported.output
    assert f"{user}: 1 imported" in imported.stdout
    output = tmp_path / "[bold]eve.json"
    exported = invoke("export", "--storage", seeded[1], "--user", user, "-o", str(output))
    assert exported.exit_code == 0 and f"exported 1 page of {user} to {output}" in exported.stderr
    # a file the user names that cannot be written is an error, not a traceback
    unwritable = invoke("export", "--storage", seeded[1], "--user", user, "-o", str(tmp_path))
    assert_no_crash(unwritable)
    assert unwritable.exit_code == 1 and "error:" in unwritable.stderr


def test_missing_extra_hints_name_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "memoryos.interfaces.mcp_server", None)  # import fails
    monkeypatch.setitem(sys.modules, "memoryos.interfaces.rest", None)
    monkeypatch.setitem(sys.modules, "psycopg", None)
    data = ["--data", str(tmp_path)]
    for command, extra in ((["mcp"], "memoryos[mcp]"), (["serve"], "memoryos[rest]")):
        result = invoke(*command, *data)
        assert_no_crash(result)
        assert result.exit_code == 2
        assert f"pip install '{extra}'" in result.stderr, result.stderr
    result = invoke("stats", "--storage", "postgresql://nobody@127.0.0.1:1/none")
    assert_no_crash(result)
    assert result.exit_code == 1 and "pip install 'memoryos[postgres]'" in result.stderr, result.stderr


def test_chat_shows_the_answer_with_controls_visible(tmp_path: Path) -> None:
    answer = "\x1b]0;pwned\x07 [red]hello[/red] [/]"

    def respond(body: dict[str, Any]) -> str:
        return "{}" if body.get("response_format") else answer

    with FakeOpenAIServer(respond) as llm:
        config = write_config(
            tmp_path / "config.json",
            embedding_base_url=llm.base_url,
            embedding_model_name="fake",
            openai_base_url=llm.base_url,
        )
        result = invoke("chat", "--config", str(config), "--data", str(tmp_path / "data"), input="hi\n/exit\n")
    assert_no_crash(result)
    assert result.exit_code == 0, result.output
    assert_clean(result.stdout)
    assert result.stdout.strip() == visible(answer)


def test_the_real_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [*memoryos_command(), "delete", "[/oops]", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(),
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "error: no page '[/oops]' in the memory of user 'default_user'"
    assert result.stdout == ""


def test_visible_and_json_for_terminal() -> None:
    assert visible("a\tb\nc") == "a\tb\nc"
    assert visible("a\tb\nc", keep_newlines=False) == "a\\tb\\nc"
    assert visible("\x00\x1b\x7f\x85\u2028\u2066") == "\\x00\\x1b\\x7f\\x85\\u2028\\u2066"
    assert visible("[red]ünïcödé 👍[/red]") == "[red]ünïcödé 👍[/red]"
    value = {"text": "\x1b[2J \x9b \u202e \u2028 ok ✓"}
    text = json_for_terminal(value)
    assert_clean(text)
    assert "\u2028" not in text and "✓" in text
    assert json.loads(text) == value
