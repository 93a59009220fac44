"""SQLite writers of several processes queue on a sidecar file lock (`<db>.write-lock`), not in SQLite's busy
handler: the lock file's life, a holder that blocks writers until it lets go or dies, and concurrent writers that
lose nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from doubles import HashingEmbedder

from memoryos import Memoryos
from memoryos.errors import StorageError

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the file lock is POSIX-only")

TESTS_DIR = Path(__file__).parent

HOLDER = textwrap.dedent(
    """
    import fcntl, sys, time
    fd = open(sys.argv[1], "a+")
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    """
)

WRITER = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {tests_dir!r})
    from doubles import HashingEmbedder
    from memoryos import Memoryos

    url, worker, adds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    memo = Memoryos(user_id="shared", assistant_id="a", storage=url, embedder=HashingEmbedder(),
                    background_upkeep=False, mid_term_heat_threshold=1e9, mid_term_capacity=100000)
    ids = [memo.add_memory(f"writer {{worker}} message {{i}}", f"reply {{i}}") for i in range(adds)]
    memo.close()
    print(json.dumps(ids))
    """
)


def _memo(db: Path, query: str = "") -> Memoryos:
    return Memoryos(user_id="u", assistant_id="a", storage=f"sqlite:///{db}{query}", embedder=HashingEmbedder(),
                    background_upkeep=False)


def test_lock_file_beside_a_writable_store_and_none_for_a_read_only_one(tmp_path: Path) -> None:
    db = tmp_path / "store" / "memoryos.db"
    memo = _memo(db)
    memo.add_memory("hello", "hi")
    memo.close()
    lock = db.with_name("memoryos.db.write-lock")
    assert lock.is_file() and lock.stat().st_size == 0

    other = tmp_path / "other.db"
    _memo(other).close()
    other.with_name("other.db.write-lock").unlink()
    reader = _memo(other, "?mode=ro")
    assert reader.list_pages() == []
    reader.close()
    assert not other.with_name("other.db.write-lock").exists()


def _hold(lock: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _add_in_thread(memo: Memoryos) -> tuple[threading.Thread, list[str]]:
    done: list[str] = []
    thread = threading.Thread(target=lambda: done.append(memo.add_memory("waited", "for the lock")))
    thread.start()
    return thread, done


@pytest.mark.parametrize("how", ["released", "killed"])
def test_a_writer_waits_for_the_holder_and_goes_on_when_it_lets_go_or_dies(tmp_path: Path, how: str) -> None:
    db = tmp_path / "memoryos.db"
    memo = _memo(db)
    memo.add_memory("first", "page")
    holder = _hold(db.with_name("memoryos.db.write-lock"), 1.0 if how == "released" else 60)
    try:
        assert len(memo.list_pages()) == 1  # reads never take the lock
        thread, done = _add_in_thread(memo)
        time.sleep(0.3)
        assert done == []  # queued behind the other process
        if how == "killed":
            holder.kill()  # a crashed holder: the kernel releases its lock
        thread.join(timeout=30)
        assert len(done) == 1
    finally:
        holder.kill()
        holder.wait()
    assert [p["id"] for p in memo.list_pages()][-1] == done[0]
    assert memo.check() == []
    memo.close()


def test_a_holder_that_hangs_stops_a_writer_for_the_store_timeout_only(tmp_path: Path) -> None:
    db = tmp_path / "memoryos.db"
    memo = _memo(db, "?timeout=0.5")
    memo.add_memory("first", "page")
    holder = _hold(db.with_name("memoryos.db.write-lock"), 60)
    try:
        started = time.monotonic()
        with pytest.raises(StorageError, match="write lock"):
            memo.add_memory("second", "page")
        assert time.monotonic() - started < 20  # bounded by the store's timeout, not by the holder
    finally:
        holder.kill()
        holder.wait()
    memo.add_memory("third", "page")  # the holder is gone: writes go on
    assert [p["user_input"] for p in memo.list_pages()] == ["first", "third"]
    memo.close()


def test_concurrent_writer_processes_lose_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'memoryos.db'}"
    Memoryos(user_id="shared", assistant_id="a", storage=url, embedder=HashingEmbedder(),
             background_upkeep=False).close()  # created before the writers race
    adds, writers = 60, 3
    script = WRITER.format(tests_dir=str(TESTS_DIR))
    procs = [subprocess.Popen([sys.executable, "-c", script, url, str(w), str(adds)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for w in range(writers)]
    acknowledged: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        acknowledged += json.loads(out.strip().splitlines()[-1])
    memo = Memoryos(user_id="shared", assistant_id="a", storage=url, embedder=HashingEmbedder(),
                    background_upkeep=False, mid_term_heat_threshold=1e9, mid_term_capacity=100000)
    assert memo.flush() is True
    assert Counter(p["id"] for p in memo.list_pages()) == Counter(acknowledged)
    assert len(acknowledged) == adds * writers
    assert memo.check() == []
    memo.close()
