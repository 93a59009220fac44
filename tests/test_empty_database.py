"""A 0-byte database file is refused, never silently turned into a new empty store (issue 10, item 7)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from memoryos import Memoryos, StorageError
from memoryos.cli import app
from memoryos.storage.schema import SQLITE_MIGRATIONS
from memoryos.storage.sqlite import SqliteStore


def test_a_zero_byte_database_is_refused_and_left_untouched(tmp_path: Path, embedder: Any) -> None:
    data = tmp_path / "data"
    data.mkdir()
    database = data / "memoryos.db"
    database.touch()  # what a failed copy or a truncation leaves behind
    for opener in (
        lambda: Memoryos(user_id="tom", data_storage_path=str(data), embedder=embedder, background_upkeep=False),
        lambda: SqliteStore(str(database)),
        lambda: SqliteStore(str(database), read_only=True),
    ):
        started = time.monotonic()
        with pytest.raises(StorageError) as caught:
            opener()
        assert time.monotonic() - started < 10
        message = str(caught.value)
        assert "empty (0 bytes)" in message and "truncated" in message and "delete the file" in message
    assert database.stat().st_size == 0  # nothing was written over it
    assert sorted(p.name for p in data.iterdir()) == ["memoryos.db"]  # no -wal/-shm either

    # the command line says the same, without a traceback
    result = CliRunner().invoke(app, ["stats", "--data", str(data), "--user", "tom"])
    assert result.exit_code == 1 and "empty (0 bytes)" in result.output and "Traceback" not in result.output

    # once the file is gone, a store is created as usual
    database.unlink()
    memo = Memoryos(user_id="tom", data_storage_path=str(data), embedder=embedder, background_upkeep=False)
    memo.add_memory("A new start.", "Welcome.")
    memo.close()
    assert database.stat().st_size > 0


def test_a_store_being_created_by_another_process_is_opened(tmp_path: Path) -> None:
    """Another process's new store is 0 bytes only until its first PRAGMA; opening it meanwhile waits for that."""
    database = tmp_path / "memoryos.db"
    database.touch()

    def create_later() -> None:
        time.sleep(0.3)
        conn = sqlite3.connect(database)
        conn.execute("PRAGMA journal_mode=WAL")  # writes the header, as a creating memoryos does first
        conn.close()

    creator = threading.Thread(target=create_later)
    creator.start()
    store = SqliteStore(str(database))
    creator.join()
    store.close()
    assert database.stat().st_size > 0


def test_processes_creating_one_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    database = tmp_path / "new" / "memoryos.db"
    code = (
        "import sys; from memoryos.storage.sqlite import SqliteStore; "
        "SqliteStore(sys.argv[1]).close()"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", code, str(database)], stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    for process in processes:
        _out, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors
    with sqlite3.connect(database) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    assert version == str(len(SQLITE_MIGRATIONS))
