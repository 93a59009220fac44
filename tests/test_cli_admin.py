"""`memoryos check [--repair]`, `memoryos migrate` and `--storage` through the command line (in-process)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memoryos import Memoryos
from memoryos.cli import app

runner = CliRunner()


def _seed(storage: str, embedder, user: str = "cli_user") -> list[str]:
    memo = Memoryos(user_id=user, storage=storage, embedder=embedder, background_upkeep=False, short_term_capacity=3)
    ids = [memo.add_memory(f"I restore old bicycles, project {i}.", "Fun!") for i in range(7)]
    memo.close()
    return ids


def test_check_reports_problems_and_repair_fixes_them(tmp_path: Path, embedder) -> None:
    storage = f"sqlite:///{tmp_path / 'memoryos.db'}"
    ids = _seed(storage, embedder)
    args = ["check", "--storage", storage, "--user", "cli_user", "--json"]
    clean = runner.invoke(app, args)
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout)["problems"] == []
    with sqlite3.connect(tmp_path / "memoryos.db") as conn:
        conn.execute("DELETE FROM pages_fts WHERE rowid = (SELECT pk FROM pages WHERE id = ?)", (ids[0],))
    broken = runner.invoke(app, args)
    assert broken.exit_code == 1
    assert any("lexical index" in p for p in json.loads(broken.stdout)["problems"])
    fixed = runner.invoke(app, [*args, "--repair"])
    assert fixed.exit_code == 0, fixed.output
    report = json.loads(fixed.stdout)
    assert report["remaining"] == [] and report["repaired"]["lexical_rows"] == 7


def test_migrate_command_copies_between_backends(tmp_path: Path, embedder, new_storage) -> None:
    target = new_storage()
    if target.startswith("sqlite"):
        target = f"sqlite:///{tmp_path / 'copy' / 'memoryos.db'}"
    source = f"sqlite:///{tmp_path / 'memoryos.db'}"
    ids = _seed(source, embedder, "ana") + _seed(source, embedder, "ben")
    result = runner.invoke(app, ["migrate", "--from", source, "--to", target, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pages"] == len(ids)
    listed = runner.invoke(app, ["search", "bicycles", "--storage", target, "--user", "ben", "--json"])
    assert listed.exit_code == 0, listed.output
    assert "restore old bicycles" in listed.stdout
    again = runner.invoke(app, ["migrate", "--from", source, "--to", target])
    assert again.exit_code == 1 and "not empty" in again.output
    with pytest.raises(SystemExit):
        app(["migrate", "--from", source], standalone_mode=True)


def test_cli_never_crosses_users(tmp_path: Path, embedder) -> None:
    storage = f"sqlite:///{tmp_path / 'memoryos.db'}"
    ana = _seed(storage, embedder, "ana")
    memo = Memoryos(user_id="ben", storage=storage, embedder=embedder, background_upkeep=False)
    memo.add_memory("My locker code is QZX-LOCKER-7781.", "Noted.")
    memo.close()
    found = runner.invoke(app, ["search", "locker code", "--storage", storage, "--user", "ana", "--json"])
    assert found.exit_code == 0 and "QZX-LOCKER" not in found.stdout
    refused = runner.invoke(app, ["delete", ana[0], "--storage", storage, "--user", "ben"])
    assert refused.exit_code == 1 and "no page" in refused.output
    exported = runner.invoke(app, ["export", "--storage", storage, "--user", "ana"])
    assert exported.exit_code == 0 and "QZX-LOCKER" not in exported.stdout and "bicycles" in exported.stdout
