"""Long-term knowledge: provenance, near-duplicate merging, capacity; embeddings from an OpenAI-compatible
endpoint."""

from __future__ import annotations

import json

import pytest
from doubles import ScriptedLLM
from fake_openai import FakeOpenAIServer

from memoryos import InvalidInput, NotFound


def test_near_duplicate_facts_merge_and_capacity_evicts_oldest(make_memo) -> None:
    memo = make_memo(long_term_knowledge_capacity=3)
    first = memo.add_knowledge("The user is allergic to peanuts.")
    assert memo.add_knowledge("The user is allergic to peanuts!") == first  # near-identical: one fact
    memo.add_knowledge("The user's favourite colour is green.")
    memo.add_knowledge("The user drives a blue Volvo.")
    memo.add_knowledge("The user speaks Portuguese.")
    texts = [f["text"] for f in memo.get_knowledge("user")]
    assert len(texts) == 3 and "The user is allergic to peanuts." not in texts  # the oldest left
    assert all(f["method"] == "manual" for f in memo.get_knowledge("user"))
    with pytest.raises(InvalidInput):
        memo.add_knowledge("   ")
    fact_id = memo.get_knowledge("user")[0]["id"]
    memo.delete_knowledge(fact_id)
    with pytest.raises(NotFound):
        memo.delete_knowledge(fact_id)


def test_promoted_duplicates_extend_provenance_instead_of_repeating(make_memo) -> None:
    def script(messages, purpose):
        if purpose == "profile_knowledge":
            return json.dumps({"profile": "The user is a keen birdwatcher in Norfolk.",
                               "user_facts": ["The user is a keen birdwatcher."], "assistant_facts": []})
        from doubles import default_script

        return default_script(messages, purpose)

    memo = make_memo(llm=ScriptedLLM(script), short_term_capacity=2, short_term_retain=0, mid_term_heat_threshold=3,
                     mid_term_similarity_threshold=5.0)
    memo.add_memory("I watched avocets today.", "Lovely birds.")
    memo.add_memory("And a marsh harrier!", "Wow.")
    cley = memo.add_memory("Birdwatching again at Cley.", "Any rarities?")
    memo.add_memory("A spoonbill.", "Brilliant.")
    [fact] = memo.get_knowledge("user")
    # the answer gives no page indices: each promotion cites the one page most like the fact; stored once
    assert len(fact["source_page_ids"]) == 2 and cley in fact["source_page_ids"]


def test_embeddings_from_an_openai_compatible_endpoint(make_memo) -> None:
    with FakeOpenAIServer() as server:
        memo = make_memo(embedder=None, embedding_base_url=server.base_url, embedding_model_name="fake-embed",
                         short_term_capacity=2, short_term_retain=0)
        memo.add_memory("I keep bees on my roof.", "Sweet!")
        memo.add_memory("The honey tastes of lime blossom.", "Delicious.")
        result = memo.search("bees roof")
        assert result.pages and "bees" in result.pages[0].page.user_input
        assert server.embedding_calls >= 2
