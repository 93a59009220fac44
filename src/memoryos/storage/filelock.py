"""A cross-process write lock for the SQLite store: an OS file lock (`flock`) on a sidecar file next to the
database, `<db>.write-lock`, taken before `BEGIN IMMEDIATE`.

Without it, writers of several processes (`memoryos serve --workers 2`) meet on SQLite's own file lock, whose busy
handler polls it with sleeps of 1-100 ms: a waiting add sleeps long after the holder has committed. Waiters on
the `flock` poll it with sleeps of at most 2 ms and give up after the store's timeout (a StorageError), as SQLite's
own wait would. The lock belongs to the open file description, so
the kernel releases it when its holder exits, crashed or not. Only on POSIX; elsewhere `FileWriteLock` does nothing
and writers meet in SQLite's busy handler as before. Reads never take it."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

SUFFIX = ".write-lock"


def lock_path(database: Path) -> Path:
    """The sidecar lock file of a database (the store's own, already validated path)."""
    return database.with_name(database.name + SUFFIX)


class FileWriteLock:
    """Re-entrant within one thread of one process; callers serialise their own threads first (the store's
    in-process lock is always taken before this one, never after, so the two cannot deadlock)."""

    def __init__(self, database: Path) -> None:
        self.path = lock_path(database)
        self._fd: int | None = None
        self._pid = 0
        self._depth = 0
        self._guard = threading.Lock()  # opening the file, once per process
        self._disabled = fcntl is None

    def _file(self) -> int | None:
        if self._disabled:
            return None
        pid = os.getpid()
        if self._fd is not None and self._pid == pid:
            return self._fd
        with self._guard:
            if self._fd is not None and self._pid == pid:
                return self._fd
            # a forked child must not share its parent's open file description: the lock would be held by both
            flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
            try:
                fd = os.open(self.path, flags, 0o666)  # the umask applies, as for the database file
            except OSError as exc:
                log.warning("no write lock file %s (%s): writers of several processes wait in SQLite", self.path, exc)
                self._disabled = True
                return None
            self._fd, self._pid, self._depth = fd, pid, 0
            return fd

    def acquire(self, timeout: float) -> None:
        """Take the lock, waiting at most `timeout` seconds (TimeoutError): a holder that hangs must not stop
        every writer for ever, as SQLite's own busy timeout would not either."""
        fd = self._file()
        if fd is None:
            return
        if self._depth == 0:
            _lock_within(fd, timeout)
        self._depth += 1

    def release(self) -> None:
        if self._fd is None or self._pid != os.getpid() or self._depth == 0:
            return
        self._depth -= 1
        if self._depth == 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._guard:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)  # releases the lock if still held
            self._fd, self._depth = None, 0


def _lock_within(fd: int, timeout: float) -> None:
    """An exclusive flock within `timeout`. Uncontended it is one call; contended, it polls with sleeps of 0.1 ms
    growing to 2 ms (a blocking flock has no timeout), still far finer than SQLite's 1-100 ms busy handler."""
    deadline = time.monotonic() + timeout
    pause = 0.0001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"another process has held the write lock for over {timeout:g} s") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.002)
