"""The suite's test doubles are memoryos's public ones (memoryos.testing)."""

from memoryos.testing import (
    HashingEmbedder,
    ManualClock,
    ScriptedLLM,
    VocabularyEmbedder,
    default_script,
    known_facts_in_prompt,
    pages_in_prompt,
    temp_store,
)

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
