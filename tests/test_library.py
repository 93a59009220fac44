"""The public library API on embedded defaults: retrieval quality, no-LLM mode, persistence, export/import,
deletion, isolation, bad input, background upkeep."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from doubles import ScriptedLLM, VocabularyEmbedder

from memoryos import (
    ConfigError,
    InputTooLarge,
    InvalidInput,
    LLMNotConfigured,
    Memoryos,
    MemoryosConfig,
    NotFound,
    RetrievalResult,
)

HOBBIES = ["chess", "gardening", "surfing", "painting", "baking", "cycling", "knitting", "photography", "climbing"]
PLACES = ["Oslo", "Lima", "Cairo", "Austin", "Kyoto", "Porto", "Quebec", "Nairobi", "Perth", "Hanoi"]


def filler(n: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        hobby, place = rng.choice(HOBBIES), rng.choice(PLACES)
        out.append(
            (
                f"Day {i}: I spent the afternoon {hobby} near {place} with friends.",
                f"That sounds fun! How was the weather in {place}?",
            )
        )
    return out


def test_retrieval_finds_the_right_page_among_hundreds(make_memo) -> None:
    memo = make_memo(short_term_capacity=40, short_term_retain=5)  # fewer, larger batches: same search
    exchanges = filler(300)
    exchanges.insert(
        137,
        (
            "My daughter's violin teacher is called Mrs. Okonkwo, lessons are on Thursdays.",
            "Thursdays with Mrs. Okonkwo, got it.",
        ),
    )
    ids = [memo.add_memory(u, a) for u, a in exchanges]
    memo.flush()
    assert memo.stats()["pages"]["mid"] >= 260
    for query in ("Who teaches my daughter violin?", "When are the violin lessons?"):
        result = memo.search(query)
        assert result.pages[0].page.id == ids[137], query
        assert result.pages[0].tier == "mid"
    limited = [memo.search(query, max_results=1), memo.retrieve(query, max_pages=1, update_heat=False)]
    assert [[p.page.id for p in r.pages] for r in limited] == [[ids[137]]] * 2
    # paraphrase without shared rare words still lands in the top results through the dense side
    result = memo.search("what music instrument is my kid learning")
    assert ids[137] in [p.page.id for p in result.pages[:3]]


def test_no_llm_mode_end_to_end_with_the_real_model(make_memo) -> None:
    memo = make_memo(short_term_capacity=4)
    memo.add_memory(
        "Hi! I'm Tom, I work as a data scientist in San Francisco.",
        "Hello Tom! What kind of data do you work with?",
        meta_data={"source": "chat"},
    )
    memo.add_memory("Mostly healthcare data; I predict hospital readmissions.", "Impactful work!")
    memo.add_memory("I love hiking in Marin with my dog Biscuit.", "Marin is beautiful.")
    memo.add_memory("My favourite food is ramen.", "Yum!")
    memo.add_memory("I'm learning Spanish on Duolingo.", "¡Muy bien!")
    result = memo.retrieve("What do you remember about my job?")
    assert isinstance(result, RetrievalResult)
    assert "data scientist" in result.pages[0].page.user_input
    assert result.pages[0].page.meta_data == {"source": "chat"}
    for _ in range(3):
        memo.retrieve("What do you remember about my job?")
    profile = memo.get_user_profile()
    assert "extracted without an LLM" in profile and "data scientist" in profile
    facts = memo.get_knowledge("user")
    assert facts and all(f["method"] == "extractive" for f in facts)
    assert memo.stats()["mode"] == "no-llm" and memo.stats()["llm_usage"] == {}
    as_dict = result.to_dict()
    json.dumps(as_dict)  # JSON-serializable
    assert {p["tier"] for p in as_dict["short_term"]} == {"short"}
    prompt = result.to_prompt()
    assert "data scientist" in prompt and "MEMORY" in prompt
    with pytest.raises(LLMNotConfigured, match="OPENAI_API_KEY"):
        memo.get_response("What is my job?")


def test_persistence_across_process_restarts(tmp_path: Path, make_memo, storage_url: str) -> None:
    script = textwrap.dedent(
        f"""
        from memoryos import Memoryos
        memo = Memoryos(user_id="alice", storage={storage_url!r}, short_term_capacity=3)
        for i in range(5):
            print(memo.add_memory(f"I planted tree number {{i}} in my garden.", "Nice!"))
        memo.flush()
        memo.close()
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    ids = out.stdout.split()
    assert len(ids) == 5
    memo = make_memo(user_id="alice", assistant_id="default_assistant")
    assert sorted(p["id"] for p in memo.list_pages()) == sorted(ids)
    assert memo.stats()["pages"]["mid"] >= 2
    assert "tree number 3" in memo.search("which trees did I plant").to_prompt()


def test_pending_upkeep_survives_a_restart(tmp_path: Path, make_memo) -> None:
    broken = ScriptedLLM()
    broken.queue.extend([RuntimeError("endpoint down")] * 10)
    memo = make_memo(llm=broken, short_term_capacity=3, short_term_retain=0)
    ids = [memo.add_memory(f"I visited museum {i} in Paris.", "Lovely.") for i in range(4)]
    assert memo.flush() is False  # failed: postponed, nothing lost
    assert memo.stats()["pages"] == {"short": 4, "mid": 0, "archive": 0}
    memo.close()
    healthy = ScriptedLLM()
    reopened = make_memo(
        llm=healthy, short_term_capacity=3, short_term_retain=0
    )  # same store; starting up finishes the pending consolidation
    assert reopened.flush() is True
    assert healthy.purposes()[:1] == ["consolidation"]
    assert sorted(p["id"] for p in reopened.list_pages()) == sorted(ids)
    # consolidated in batches of capacity - retain = 3 until short-term is under capacity again
    assert reopened.stats()["pages"] == {"short": 1, "mid": 3, "archive": 0}


def test_background_worker_keeps_upkeep_off_the_callers_path(make_memo) -> None:
    llm = ScriptedLLM()
    memo = make_memo(llm=llm, background_upkeep=True, short_term_capacity=3, short_term_retain=1)
    ids = [memo.add_memory(f"I read book number {i}.", "Good choice.") for i in range(7)]
    assert memo.flush(timeout=60) is True
    stats = memo.stats()
    assert stats["pages"]["short"] + stats["pages"]["mid"] == 7
    assert stats["pages"]["mid"] >= 4
    assert sorted(p["id"] for p in memo.list_pages()) == sorted(ids)
    assert stats["upkeep"]["background"] is True and stats["llm_usage"]["consolidation"]["calls"] >= 1


def test_export_then_import_into_an_empty_store_gives_the_same_content(make_memo, new_storage) -> None:
    llm = ScriptedLLM()
    memo = make_memo(llm=llm, short_term_capacity=3, short_term_retain=1, mid_term_heat_threshold=4)
    for u, a in filler(12):
        memo.add_memory(u, a)
    memo.add_knowledge("The user prefers metric units.")
    memo.retrieve("cycling in Kyoto")
    dump = memo.export()
    text = json.dumps(dump)
    assert dump["profile_versions"] and dump["knowledge"] and dump["segments"]
    assert {p["tier"] for p in dump["pages"]} == {"short", "mid"}
    copy = make_memo(llm=ScriptedLLM(), storage=new_storage())
    assert copy.import_data(json.loads(text)) == 13 - 1
    assert copy.export() == dump
    # the import is searchable (vectors and lexical index rebuilt)
    assert copy.search("cycling Kyoto").pages
    with pytest.raises(InvalidInput, match="not empty"):
        copy.import_data(dump)
    with pytest.raises(InvalidInput):
        copy.import_data({"format": "something else"})


def test_an_export_can_be_given_to_another_user_of_the_same_store(make_memo) -> None:
    """Ids are unique per user: a copy for another user keeps them (or, with new_ids, gets fresh ones with every
    reference kept); either way each user reaches only their own records."""
    alice = make_memo(llm=ScriptedLLM(), user_id="alice", short_term_capacity=3, short_term_retain=1)
    for u, a in filler(9):
        alice.add_memory(u, a)
    alice.add_knowledge("The user prefers metric units.")
    alice.flush()
    dump = alice.export()
    carol = make_memo(llm=ScriptedLLM(), user_id="carol")  # the same store
    assert carol.import_data(dump) == len(dump["pages"])
    kept = carol.export()
    assert {k: v for k, v in kept.items() if k != "user_id"} == {k: v for k, v in dump.items() if k != "user_id"}
    dave = make_memo(llm=ScriptedLLM(), user_id="dave")
    assert dave.import_data(dump, new_ids=True) == len(dump["pages"])
    copy = dave.export()
    assert not {p["id"] for p in copy["pages"]} & {p["id"] for p in dump["pages"]}
    assert not {s["id"] for s in copy["segments"]} & {s["id"] for s in dump["segments"]}

    def shape(export: dict) -> list:
        """Content and links, with ids replaced by positions."""
        pos = {p["id"]: i for i, p in enumerate(export["pages"])}
        seg = {s["id"]: i for i, s in enumerate(export["segments"])}
        return [
            (p["user_input"], p["tier"], seg.get(p["segment_id"]), pos.get(p["prev_page_id"]),
             pos.get(p["next_page_id"]))
            for p in export["pages"]
        ] + [(f["text"], [pos[i] for i in f["source_page_ids"] if i in pos]) for f in export["knowledge"]] + [
            (v["text"], [pos[i] for i in v["source_page_ids"]]) for v in export["profile_versions"]
        ]

    assert shape(copy) == shape(dump)
    assert carol.check() == [] and dave.check() == [] and alice.check() == []
    # deleting carol's copy (the same id) leaves alice's original alone
    carol.delete_memory(kept["pages"][0]["id"])
    assert len(alice.export()["pages"]) == len(dump["pages"])


def test_delete_memory_keeps_chains_and_is_scoped_to_the_user(make_memo, tmp_path: Path) -> None:
    llm = ScriptedLLM()
    alice = make_memo(llm=llm, user_id="alice", short_term_capacity=3, short_term_retain=0)
    bob = make_memo(llm=llm, user_id="bob", short_term_capacity=3, short_term_retain=0)
    a_ids = [alice.add_memory(f"My secret number is {i}.", "ok") for i in range(3)]
    b_ids = [bob.add_memory(f"My secret number is {i + 100}.", "ok") for i in range(3)]
    # isolation: overlapping content, each sees only their own
    assert {p.page.id for p in alice.search("secret number").pages} <= set(a_ids)
    assert {p.page.id for p in bob.search("secret number").pages} <= set(b_ids)
    with pytest.raises(NotFound):
        alice.delete_memory(b_ids[0])
    with pytest.raises(NotFound):
        alice.get_page(b_ids[0])
    assert len(bob.list_pages()) == 3
    alice.delete_memory(a_ids[1])
    pages = {p["id"]: p for p in alice.list_pages()}
    assert a_ids[1] not in pages
    assert pages[a_ids[0]]["next_page_id"] == a_ids[2] and pages[a_ids[2]]["prev_page_id"] == a_ids[0]
    assert a_ids[1] not in [p.page.id for p in alice.search("secret number is 1").pages]
    assert alice.forget_user() == 2
    assert alice.list_pages() == [] and len(bob.list_pages()) == 3


def test_bad_input_gets_typed_errors(make_memo) -> None:
    memo = make_memo(max_input_chars=1000)
    with pytest.raises(InvalidInput):
        memo.add_memory("", "   ")
    with pytest.raises(InvalidInput):
        memo.add_memory(42, "x")  # type: ignore[arg-type]
    with pytest.raises(InputTooLarge):
        memo.add_memory("x" * 1001, "y")
    with pytest.raises(InvalidInput, match="surrogate"):
        memo.add_memory("bad \ud800 text", "y")
    with pytest.raises(InvalidInput, match="timestamp"):
        memo.add_memory("hello", "hi", timestamp="next tuesday-ish")
    with pytest.raises(InvalidInput, match="meta_data"):
        memo.add_memory("hello", "hi", meta_data={"when": object()})
    with pytest.raises(InvalidInput):
        memo.retrieve(None)  # type: ignore[arg-type]
    # the result limit: max_results (max_pages, its old name, too); a negative, a bool or a disagreement is refused
    for bad in ({"max_results": -1}, {"max_results": True}, {"max_pages": -2}, {"max_results": 1, "max_pages": 2}):
        with pytest.raises(InvalidInput, match="max_results"):
            memo.retrieve("hello", **bad)
    for bad_id in ("x" * 300, "a\x00b"):  # "" is "not set" (issue 15): the default user
        with pytest.raises(InvalidInput):
            Memoryos(user_id=bad_id, data_storage_path="/nonexistent-never-created")
    # faithful storage of unusual but valid text; every accepted timestamp form parses
    odd = "RTL שלום, emoji 🦜, NUL-free control \t tab; SQL '); DROP TABLE pages;--"
    page_id = memo.add_memory(odd, "ok", timestamp="2023-05-08T13:56:00Z")
    assert memo.get_page(page_id)["user_input"] == odd
    for stamp in (
        "2023-05-08",
        "2023-05-08 13:56:00",
        "1:56 pm on 8 May, 2023",
        1683554160,
        "2023-05-08T13:56:00+02:00",
    ):
        memo.add_memory("time test", "ok", timestamp=stamp)


def test_ids_are_keys_not_paths(make_memo, tmp_path: Path, storage_url: str) -> None:
    if not storage_url.startswith("sqlite"):
        pytest.skip("file layout is a SQLite matter")
    memo = make_memo(user_id="../../etc", assistant_id="a/b")
    memo.add_memory("path-looking ids are fine", "they are only keys")
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [
        "memoryos.db",
        "memoryos.db-shm",
        "memoryos.db-wal",
        *(["memoryos.db.write-lock"] if os.name == "posix" else []),  # writers' cross-process lock
    ]
    assert not (tmp_path / "etc").exists()


def test_configuration_sources_and_embedding_mismatch(make_memo, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MEMORYOS_LLM_MODEL", "env-model")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-secret")
    memo = make_memo(use_llm=False)
    assert memo.config.llm_model == "env-model"
    assert "sk-env-secret" not in json.dumps(memo.stats()) and "sk-env-secret" not in repr(memo.config.public_dict())
    explicit = make_memo(llm_model="explicit", config=MemoryosConfig(short_term_capacity=3), use_llm=False)
    assert explicit.config.llm_model == "explicit" and explicit.config.short_term_capacity == 3
    with pytest.raises(ConfigError):
        make_memo(short_term_capacity=0)
    memo.add_memory("hello", "hi")
    memo.search("hello")  # loads the model: the store records MiniLM, 384 dimensions
    other = make_memo(embedder=VocabularyEmbedder(["hello"]))
    with pytest.raises(ConfigError, match="embedding model"):
        other.search("hello")


def test_segments_can_be_read_listed_and_deleted_whole(make_memo) -> None:
    memo = make_memo(short_term_capacity=4, short_term_retain=0, mid_term_similarity_threshold=5.0)
    ids = [memo.add_memory(f"I keep a {w} journal, entry {i}.", "Nice.") for i, w in enumerate("abcdefgh")]
    segments = memo.list_segments()
    assert segments
    target = segments[0]
    assert memo.get_segment(target["id"])["page_count"] == target["page_count"]
    pages = memo.list_pages(segment_id=target["id"])
    assert len(pages) == target["page_count"] and all(p["segment_id"] == target["id"] for p in pages)
    assert memo.delete_segment(target["id"]) == len(pages)
    with pytest.raises(NotFound):
        memo.get_segment(target["id"])
    left = {p["id"] for p in memo.list_pages()}
    assert left == set(ids) - {p["id"] for p in pages}
    assert memo.check(sample=None) == []  # links of the surviving pages stay whole
    with pytest.raises(InvalidInput):
        memo.list_pages(limit=-1)


def test_heat_writes_leave_the_retrieve_path_but_are_never_lost(make_memo, storage_url: str) -> None:
    memo = make_memo(background_upkeep=True, short_term_capacity=3, short_term_retain=0, mid_term_heat_threshold=1e9)
    for text in ("I grow chillies on my balcony.", "The Carolina Reaper is my hottest plant.", "I make hot sauce."):
        memo.add_memory(text, "Spicy!")
    assert memo.flush(timeout=60)
    visits = sum(len(memo.retrieve("chillies hot sauce").visited_segment_ids) for _ in range(5))
    assert visits >= 5
    # a read that shows heat sees every visit, written or still pending
    assert sum(s["n_visit"] for s in memo.list_segments()) == visits
    memo.retrieve("balcony chillies")
    memo.close()  # pending visits are written on close
    reopened = make_memo(mid_term_heat_threshold=1e9)
    assert sum(s["n_visit"] for s in reopened.list_segments()) == visits + 1
