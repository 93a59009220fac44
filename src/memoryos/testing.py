"""Test doubles for agents built on memoryos: deterministic, offline, instant.

Use them to test your own agent's memory behaviour without a model download, an API key or a clock::

    from memoryos import Memoryos
    from memoryos.testing import HashingEmbedder, ManualClock, ScriptedLLM, temp_store

    clock = ManualClock()
    with temp_store() as store:
        memo = Memoryos(user_id="tom", store=store, embedder=HashingEmbedder(), llm=ScriptedLLM(), clock=clock,
                        background_upkeep=False)
        memo.add_memory("I moved to Lisbon", "How is it?")
        clock.advance(3600)

- `ScriptedLLM` implements the LLM protocol: valid answers built from each prompt (or your own script), canned
  answers and errors queued per purpose, and every call recorded. A script reads a prompt with `pages_in_prompt`
  and `known_facts_in_prompt` (the current facts a promotion shows, by short id, to update, invalidate or keep).
- `ManualClock` is a clock you move by hand (heat recency is computed from it).
- `HashingEmbedder` (feature hashing) and `VocabularyEmbedder` (a transparent bag of words, so a test can know
  the exact cosine between two texts) implement the Embedder protocol.
- `temp_store()` is an embedded store in a temporary directory, removed on exit.

memoryos's own test suite uses exactly these.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .providers.llm import Completion
from .providers.prompts import MEMORY_FENCE_CLOSE
from .storage import Store, open_store
from .textutil import extract_keywords, tokens

_PAGES_RE = re.compile(r"new pages\n(\[.*?\])\n" + re.escape(MEMORY_FENCE_CLOSE), re.S)
_KNOWN_RE = re.compile(r"known facts\n(\[.*?\])\n" + re.escape(MEMORY_FENCE_CLOSE), re.S)


def _fenced_json(messages: list[dict[str, str]], pattern: re.Pattern[str]) -> list[dict[str, object]]:
    for message in messages:
        match = pattern.search(message["content"])
        if match:
            return json.loads(match.group(1))
    return []


def pages_in_prompt(messages: list[dict[str, str]]) -> list[dict[str, object]]:
    """The pages a consolidation or promotion prompt carries (the JSON inside its 'new pages' fence)."""
    return _fenced_json(messages, _PAGES_RE)


def known_facts_in_prompt(messages: list[dict[str, str]]) -> list[dict[str, object]]:
    """The current facts a promotion prompt shows (its 'known facts' fence): id (the short id to answer
    with), about ("user" or "assistant"), text, attribute and said (the date it was said)."""
    return _fenced_json(messages, _KNOWN_RE)


def default_script(messages: list[dict[str, str]], purpose: str) -> str:
    """Valid answers built from the prompt itself: one topic per batch; facts = the user's sentences, each citing
    its page, as `add` operations (`keep` for one that repeats a known fact exactly)."""
    pages = pages_in_prompt(messages)
    if purpose == "consolidation":
        texts = [f"{p['user']} {p['assistant']}" for p in pages]
        return json.dumps(
            {
                "continues_previous": False,
                "chain_summaries": [f"thread up to: {p['user']}" for p in pages],
                "topics": [
                    {
                        "page_indices": list(range(len(pages))),
                        "summary": "Conversation about " + "; ".join(str(p["user"]) for p in pages),
                        "keywords": extract_keywords(texts, 6),
                    }
                ],
            }
        )
    if purpose == "profile_knowledge":
        # each user sentence is a fact stated on its own page; one repeating a known fact word for word keeps it
        known = {str(f["text"]).strip().lower(): str(f["id"]) for f in known_facts_in_prompt(messages)}
        facts: list[dict[str, object]] = []
        for i, page in enumerate(pages):
            text = str(page["user"]).strip()
            if text and text.lower() in known:
                facts.append({"text": text, "pages": [i], "op": "keep", "target": known[text.lower()]})
            elif text:
                facts.append({"text": text, "pages": [i], "op": "add"})
        promises = [
            {"text": str(p["assistant"]), "pages": [i], "op": "add"}
            for i, p in enumerate(pages)
            if "I will" in str(p["assistant"])
        ]
        return json.dumps(
            {
                "profile": "The user said: " + " ".join(str(p["user"]) for p in pages if p["user"]),
                "user_facts": facts,
                "assistant_facts": promises,
            }
        )
    return "scripted answer"


class ScriptedLLM:
    """Implements the LLM protocol. Answers come from a script function, or a queue of canned answers/errors
    consumed first
    (per purpose, then general). Every call is recorded."""

    def __init__(self, script: Callable[[list[dict[str, str]], str], str] = default_script) -> None:
        self.script = script
        self.queue: list[str | Exception] = []
        self.queued_for: dict[str, list[str | Exception]] = {}
        self.calls: list[tuple[str, list[dict[str, str]]]] = []
        self._lock = threading.Lock()  # upkeep may call from its background thread

    def complete(
        self, messages: list[dict[str, str]], *, purpose: str, json_mode: bool = False, max_tokens: int | None = None
    ) -> Completion:
        with self._lock:
            self.calls.append((purpose, messages))
            pending = self.queued_for.get(purpose) or self.queue
            item = pending.pop(0) if pending else None
        if item is not None:
            if isinstance(item, Exception):
                raise item
            text = item
        else:
            text = self.script(messages, purpose)
        words = sum(len(m["content"].split()) for m in messages)
        return Completion(text=text, prompt_tokens=words, completion_tokens=len(text.split()))

    def queue_for(self, purpose: str, *items: str | Exception) -> None:
        """Canned answers (or errors to raise) for the next calls of one purpose."""
        self.queued_for.setdefault(purpose, []).extend(items)

    def purposes(self) -> list[str]:
        return [purpose for purpose, _ in self.calls]


class ManualClock:
    """A clock tests move by hand (heat recency is computed from it)."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class VocabularyEmbedder:
    """Implements the Embedder protocol with a transparent bag-of-words over a fixed vocabulary, so a test
    can know the exact cosine between two texts. Words outside the vocabulary share one 'other' axis."""

    def __init__(self, vocabulary: list[str], name: str = "vocabulary-test-embedder") -> None:
        self.vocabulary = [w.lower() for w in vocabulary]
        self.name = name
        self.dim = len(self.vocabulary) + 1

    def embed(self, texts: list[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokens(text):
                column = self.vocabulary.index(token) if token in self.vocabulary else self.dim - 1
                matrix[row, column] += 1.0
            if not matrix[row].any():
                matrix[row, -1] = 1.0
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


class HashingEmbedder:
    """Implements the Embedder protocol with feature hashing of word tokens: deterministic, instant, no model.
    For tests about storage and concurrency, where what the vectors mean does not matter."""

    def __init__(self, dim: int = 64) -> None:
        self.name = f"hashing-test-embedder-{dim}"
        self.dim = dim

    def embed(self, texts: list[str]) -> np.ndarray:
        import zlib

        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokens(text) or ["<empty>"]:
                matrix[row, zlib.crc32(token.encode()) % self.dim] += 1.0
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@contextmanager
def temp_store() -> Iterator[Store]:
    """An embedded SQLite store in a fresh temporary directory; closed and removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="memoryos-test-store-"))
    store = open_store(f"sqlite:///{folder / 'memoryos.db'}")
    try:
        yield store
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


__all__ = [
    "HashingEmbedder",
    "ManualClock",
    "ScriptedLLM",
    "VocabularyEmbedder",
    "default_script",
    "known_facts_in_prompt",
    "pages_in_prompt",
    "temp_store",
]
