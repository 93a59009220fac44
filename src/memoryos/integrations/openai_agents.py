"""A Session of the OpenAI Agents SDK backed by memoryos (extra `[agents]`).

    session = MemoryosSession("tom", data_storage_path="./memoryos_data")
    result = await Runner.run(agent, "Where did I say I live?", session=session)

The session's items are the memory's short-term tier: each stored exchange gives back the items it was made of
(user message, tool calls, the assistant's answer). An exchange is stored with `add_memory` once it is finished,
i.e. when the items end with an assistant message; until then its items wait in the session object. Before the
history, one leading system item carries what memory recalls from the other tiers (topics, knowledge, profile)
for the latest user message the session holds (none without one): the SDK reads a session's items before it adds
the new input, so the recall is keyed to the conversation so far; pass `RunConfig(session_input_callback=
session.input_with_recall)` to key it to the new message instead. Older exchanges leave the items when memory
consolidates them, and come back through that leading item when they are relevant.

The class implements the SDK's `Session` protocol (the SDK advises third-party sessions to do so rather than
subclass `SessionABC`), so this module imports the SDK only to check it is installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from ..async_api import AsyncMemoryos
from ..errors import InvalidInput, NotFound
from . import require
from .context import HEADER, recalled_context

log = logging.getLogger(__name__)

Item = dict[str, Any]  # the SDK's TResponseInputItem: a union of TypedDicts, all plain dicts at run time
ITEMS_KEY = "session_items"  # page meta_data: the exchange's items as the SDK gave them


def _is_message(item: Item, role: str) -> bool:
    return item.get("role") == role and item.get("type", "message") == "message"


def _text(item: Item) -> str:
    content = item.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # input_text / output_text parts; images, files and refusals carry no text
        return "\n".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def _page_items(page: dict[str, Any]) -> list[Item]:
    """A page as session items: those it was stored from, or messages made from its text (pages added by hand)."""
    stored = (page.get("meta_data") or {}).get(ITEMS_KEY)
    if isinstance(stored, list) and all(isinstance(i, dict) for i in stored):
        return stored
    items: list[Item] = []
    if page["user_input"]:
        items.append({"role": "user", "content": page["user_input"]})
    if page["agent_response"]:
        items.append({"role": "assistant", "content": page["agent_response"]})
    return items


def is_memory_item(item: Item) -> bool:
    """Whether an item is the leading recall item (it is never stored: add_items skips it)."""
    return _is_message(item, "system") and _text(item).startswith(HEADER)


class MemoryosSession:
    """`MemoryosSession(session_id, **memoryos_settings)`: the keyword arguments are Memoryos's (e.g.
    `data_storage_path`, `llm_model`, `store`), plus the SDK's `session_settings`. `user_id` defaults to the
    session id: the memory belongs to that user, and sessions given the same `user_id` share it (its recent
    exchanges included). `clear_session()` removes the session's items, not what memory learnt from them;
    `memory.forget_user()` forgets everything."""

    def __init__(self, session_id: str, *, session_settings: Any = None, **memoryos_settings: Any) -> None:
        memory_module = require("agents.memory", "agents")
        self.session_id = session_id
        if session_settings is None or isinstance(session_settings, dict):
            session_settings = memory_module.SessionSettings(**(session_settings or {}))
        self.session_settings = session_settings
        memoryos_settings.setdefault("user_id", session_id)
        self.memory = AsyncMemoryos(**memoryos_settings)
        self._pending: list[Item] = []  # the exchange in progress, stored when it finishes
        self._recall_on_input = False  # input_with_recall is in use: get_items leaves the recall to it
        self._lock = asyncio.Lock()

    # ---- the Session protocol ----

    async def get_items(self, limit: int | None = None) -> list[Item]:
        """The leading recall item (when memory has something), then the short-term exchanges and the one in
        progress; `limit`: the latest that many of them, in order (the session settings' limit by default)."""
        if limit is None:
            limit = getattr(self.session_settings, "limit", None)
        async with self._lock:
            items = await self._conversation()
        if limit is not None and limit <= len(items):
            return items[len(items) - limit :] if limit > 0 else []
        recall = None if self._recall_on_input else await self._recall(items)
        return ([recall] if recall else []) + items

    async def add_items(self, items: list[Item]) -> None:
        async with self._lock:
            for item in items:
                if is_memory_item(item):
                    continue
                if _is_message(item, "user") and self._finished_turn_before_user():
                    await self._store()  # an exchange that never got its answer (a failed run): kept as it is
                self._pending.append(item)
            if self._pending and _is_message(self._pending[-1], "assistant"):
                await self._store()

    async def pop_item(self) -> Item | None:
        """The most recent item, removed. Popping from a stored exchange deletes its page and keeps the rest of
        it as the exchange in progress (it is stored again when it finishes)."""
        async with self._lock:
            if self._pending:
                return self._pending.pop()
            pages = await self.memory.list_pages("short")
            while pages:
                page = pages.pop()
                items = _page_items(page)
                try:
                    await self.memory.delete_memory(page["id"])
                except NotFound:  # deleted meanwhile (another session of this user): not ours to return
                    continue
                self._pending = items[:-1]
                return items[-1] if items else None
            return None

    async def clear_session(self) -> None:
        async with self._lock:
            self._pending = []
            for page in await self.memory.list_pages("short"):
                with contextlib.suppress(NotFound):  # deleted meanwhile
                    await self.memory.delete_memory(page["id"])

    async def input_with_recall(self, history: list[Item], new_items: list[Item]) -> list[Item]:
        """A `session_input_callback` (`RunConfig(session_input_callback=session.input_with_recall)`): the recall
        item keyed to the new user message rather than to the conversation so far. The SDK offers the new item
        to `add_items`, which never stores a recall item. Once this is in use, `get_items` leaves recall to it
        (one retrieval, so one visit, per turn)."""
        self._recall_on_input = True
        conversation = [i for i in history if not is_memory_item(i)]
        recall = await self._recall(conversation + new_items)
        return ([recall] if recall else []) + conversation + new_items

    async def close(self) -> None:
        """Close the memory (an exchange still in progress is not stored)."""
        await self.memory.close()

    # ---- helpers ----

    async def _conversation(self) -> list[Item]:
        pages = await self.memory.list_pages("short")
        return [item for page in pages for item in _page_items(page)] + list(self._pending)

    async def _recall(self, items: list[Item]) -> Item | None:
        query = next((_text(i) for i in reversed(items) if _is_message(i, "user") and _text(i).strip()), "")
        if not query:  # nothing to key a recall to (a new or cleared memory)
            return None
        context = recalled_context(await self.memory.retrieve(query), recent=False)  # the items are the recent part
        return {"role": "system", "content": context} if context else None

    def _finished_turn_before_user(self) -> bool:
        """A user message opens a new exchange once the pending one has gone past its user messages."""
        return any(_is_message(i, "user") for i in self._pending) and not _is_message(self._pending[-1], "user")

    async def _store(self) -> None:
        """Store the pending exchange; it stays pending if storing fails, so a later call can store it."""
        items = self._pending
        user = "\n".join(_text(i) for i in items if _is_message(i, "user")).strip()
        answer = "\n".join(_text(i) for i in items if _is_message(i, "assistant")).strip()
        if not user and not answer:
            return  # no text to remember yet (e.g. only instructions): it joins the next exchange
        meta = {"session_id": self.session_id}
        try:
            await self.memory.add_memory(user, answer, meta_data={**meta, ITEMS_KEY: items})
        except InvalidInput as exc:  # items too large for meta_data (or not JSON): remember the text alone
            log.info("session %s: exchange stored without its items (%s)", self.session_id, exc)
            await self.memory.add_memory(user, answer, meta_data=meta)
        self._pending = []

    def __repr__(self) -> str:
        return f"MemoryosSession(session_id={self.session_id!r})"


__all__ = ["MemoryosSession", "is_memory_item"]
