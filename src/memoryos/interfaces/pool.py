"""One Memoryos per user behind a server that serves several users."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..config import build_config, validate_identifier
from ..memoryos import Memoryos
from ..providers.llm import LLM

log = logging.getLogger(__name__)

LLMChooser = Callable[[str], "LLM | None"]


class _Slot:
    def __init__(self, memo: Memoryos) -> None:
        self.memo = memo
        self.leases = 0
        self.evicted = False


class MemoryPool:
    """Opens a Memoryos per user on first use, all with the same settings and assistant.

    Every instance has its own connection to the same store, which scopes each call by user: one user's
    call can never reach another user's rows. Past `max_open` users the least recently used instance is
    closed once no call is using it (its pending upkeep is stored state, so a later open resumes it).
    """

    def __init__(
        self,
        settings: dict[str, Any],
        *,
        choose_llm: LLMChooser | None = None,
        max_open: int = 32,
        **objects: Any,
    ) -> None:
        self.settings = dict(settings)
        self.default_user = build_config(self.settings).user_id
        self._choose_llm = choose_llm
        self._objects = objects  # e.g. embedder= / clock= for in-process tests
        self._max_open = max_open
        self._slots: OrderedDict[str, _Slot] = OrderedDict()
        self._lock = threading.Lock()
        self._closed = False

    def user(self, user_id: str | None) -> str:
        return self.default_user if user_id is None else validate_identifier(user_id, "user_id")

    @contextmanager
    def use(self, user_id: str | None = None) -> Iterator[Memoryos]:
        """The user's Memoryos, kept open for the duration of the block."""
        slot = self._acquire(self.user(user_id))
        try:
            yield slot.memo
        finally:
            with self._lock:
                slot.leases -= 1
                close_now = slot.evicted and slot.leases == 0
            if close_now:
                slot.memo.close()

    def _acquire(self, uid: str) -> _Slot:
        evicted: list[_Slot] = []
        with self._lock:
            if self._closed:
                raise RuntimeError("the memory pool is closed")
            slot = self._slots.get(uid)
            if slot is None:
                llm = self._choose_llm(uid) if self._choose_llm else None
                slot = _Slot(Memoryos(**{**self.settings, "user_id": uid}, llm=llm, **self._objects))
                self._slots[uid] = slot
                log.info("opened the memory of user %r (%s mode)", uid, slot.memo.analyzer.method)
                while len(self._slots) > self._max_open:
                    old = self._slots.popitem(last=False)[1]
                    old.evicted = True
                    if old.leases == 0:
                        evicted.append(old)
            self._slots.move_to_end(uid)
            slot.leases += 1
        for old in evicted:
            old.memo.close()
        return slot

    def open_users(self) -> list[str]:
        with self._lock:
            return list(self._slots)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            slots, self._slots = list(self._slots.values()), OrderedDict()
        for slot in slots:
            try:
                slot.memo.close()
            except Exception:  # closing the others matters more than one failure
                log.exception("closing the memory of %r failed", slot.memo)
