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
        slot = self.lease(self.user(user_id))
        try:
            yield slot.memo
        finally:
            evicted = self.release(slot)
            if evicted is not None:
                evicted.close()

    def lease_open(self, uid: str) -> _Slot | None:
        """The memory of `uid` (a checked id) if it is open already, kept open until `release`; None if it must be
        opened first (`lease`). Never waits for storage, so an event loop may call it."""
        with self._lock:
            slot = None if self._closed else self._slots.get(uid)
            if slot is not None:
                self._slots.move_to_end(uid)
                slot.leases += 1
            return slot

    def lease(self, uid: str) -> _Slot:
        """The memory of `uid` (a checked id), opened if need be, kept open until `release`."""
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

    def release(self, slot: _Slot) -> Memoryos | None:
        """End a lease. Returns the memory if it was evicted meanwhile and this was its last lease: the caller
        closes it (which may wait for its upkeep step), so that an event loop can hand that to a thread."""
        with self._lock:
            slot.leases -= 1
            return slot.memo if slot.evicted and slot.leases == 0 else None

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
