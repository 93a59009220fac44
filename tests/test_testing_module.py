"""memoryos.testing: the doubles users test their own agents with, and Memoryos(store=...)."""

from __future__ import annotations

import pytest

from memoryos import ConfigError, Memoryos
from memoryos.testing import HashingEmbedder, ManualClock, ScriptedLLM, VocabularyEmbedder, temp_store


def test_an_agent_test_runs_offline_on_the_public_doubles() -> None:
    clock, llm = ManualClock(), ScriptedLLM()
    with temp_store() as store:
        memo = Memoryos(
            user_id="tom",
            store=store,
            embedder=HashingEmbedder(),
            llm=llm,
            clock=clock,
            background_upkeep=False,
            short_term_capacity=3,
            short_term_retain=1,
        )
        for i in range(4):
            clock.advance(60)
            memo.add_memory(f"I climbed route {i} in Yosemite", "Impressive!")
        assert llm.purposes() == ["consolidation"]  # one batch moved to mid-term, analysed by the scripted LLM
        assert memo.list_segments()[0]["summary"].startswith("Conversation about")
        llm.queue_for("generation", "You climbed four routes.")
        assert memo.get_response("How many routes did I climb?") == "You climbed four routes."
        memo.close()


def test_one_store_serves_several_users_and_stays_open_for_its_owner() -> None:
    with temp_store() as store:
        tom = Memoryos(user_id="tom", store=store, embedder=HashingEmbedder(), background_upkeep=False)
        ann = Memoryos(user_id="ann", store=store, embedder=HashingEmbedder(), background_upkeep=False)
        tom.add_memory("I like tea", "Noted")
        ann.add_memory("I like coffee", "Noted")
        tom.close()  # a given store is the caller's: still open for ann
        assert [p["user_input"] for p in ann.list_pages()] == ["I like coffee"]
        ann.close()
        assert store.count_pages(tom.scope) == 1


def test_storage_and_store_are_exclusive() -> None:
    with temp_store() as store, pytest.raises(ConfigError, match="not both"):
        Memoryos(user_id="tom", store=store, storage="sqlite:///x.db", embedder=HashingEmbedder())


def test_vocabulary_embedder_gives_known_cosines() -> None:
    embedder = VocabularyEmbedder(["tea", "coffee"])
    tea, coffee, both = embedder.embed(["tea", "coffee", "tea coffee"])
    assert float(tea @ coffee) == 0.0 and float(tea @ both) == pytest.approx(2**-0.5)
