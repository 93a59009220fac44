"""Imports go through the live API's validators (issue 10, item 3): strict types, the same limits and text rules
on both backends, errors that name the record and field, and no way to learn another user's ids."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from doubles import ScriptedLLM
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from memoryos import InputTooLarge, InvalidInput, Memoryos
from memoryos.cli import app
from memoryos.interfaces import import_files
from memoryos.interfaces.rest import create_app
from memoryos.models import Fact, FactInvalidation

BIG = 2_000_000  # twice the default max_input_chars


def source_export(make_memo: Callable[..., Memoryos], user: str = "source") -> dict[str, Any]:
    """A real export with every record kind: pages in two tiers, segments, knowledge, profile versions."""
    memo = make_memo(user_id=user, llm=ScriptedLLM(), short_term_capacity=3, short_term_retain=1,
                     mid_term_heat_threshold=2)
    for i in range(8):
        memo.add_memory(f"I practise judo, lesson {i}.", "Keep going!", timestamp=1_700_000_000 + 60 * i)
    memo.add_knowledge("The user practises judo.")
    memo.retrieve("judo lesson")
    memo.flush()
    dump = memo.export()
    assert dump["segments"] and dump["knowledge"] and dump["profile_versions"]
    assert {p["tier"] for p in dump["pages"]} == {"short", "mid"}
    return dump


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> dict[str, Any]:
    """One real export for the whole module (the data does not depend on the backend under test)."""
    made: list[Memoryos] = []

    def factory(**kwargs: Any) -> Memoryos:
        memo = Memoryos(data_storage_path=str(tmp_path_factory.mktemp("source")), embedder=embedder,
                        background_upkeep=False, assistant_id="test_assistant", **kwargs)
        made.append(memo)
        return memo

    try:
        return source_export(factory)
    finally:
        for memo in made:
            memo.close()


def mutated(dump: dict[str, Any], key: str, index: int, field: str, value: Any) -> dict[str, Any]:
    broken = copy.deepcopy(dump)
    broken[key][index][field] = value
    return broken


# (record kind, field, bad value, error class, what the message says)
BAD_FIELDS: list[tuple[str, str, Any, type[Exception], str]] = [
    ("pages", "user_input", "x" * BIG, InputTooLarge, "2,000,000 characters"),
    ("pages", "agent_response", "x" * BIG, InputTooLarge, "max_input_chars"),
    ("pages", "user_input", "nul \x00 inside", InvalidInput, "NUL"),
    ("pages", "agent_response", "lone \ud800 surrogate", InvalidInput, "surrogate"),
    ("pages", "chain_summary", "nul \x00", InvalidInput, "NUL"),
    ("pages", "user_input", 42, InvalidInput, "must be a string"),
    ("pages", "user_input", None, InvalidInput, "must be a string"),
    ("pages", "seq", 2**70, InvalidInput, "between"),
    ("pages", "seq", 10**5000, InvalidInput, "bits"),
    ("pages", "seq", -1, InvalidInput, "between"),
    ("pages", "seq", "3", InvalidInput, "integer"),
    ("pages", "seq", 3.0, InvalidInput, "integer"),
    ("pages", "analyzed", "no", InvalidInput, "true or false"),
    ("pages", "analyzed", 1, InvalidInput, "true or false"),
    ("pages", "tier", "limbo", InvalidInput, "one of"),
    ("pages", "id", '<img src=x onerror="alert(1)">', InvalidInput, "not a valid id"),
    ("pages", "id", "it's", InvalidInput, "not a valid id"),
    ("pages", "id", "x" * 129, InvalidInput, "not a valid id"),
    ("pages", "id", 12345, InvalidInput, "string id"),
    ("pages", "prev_page_id", "a b", InvalidInput, "not a valid id"),
    ("pages", "meta_data", "not an object", InvalidInput, "meta_data"),
    ("pages", "meta_data", {"x": float("nan")}, InvalidInput, "meta_data"),
    ("segments", "summary", 7, InvalidInput, "must be a string"),
    ("segments", "keywords", ["ok", 3], InvalidInput, "keywords[1]"),
    ("segments", "n_visit", 2**70, InvalidInput, "between"),
    ("segments", "page_count", True, InvalidInput, "integer"),
    ("segments", "status", "dormant", InvalidInput, "one of"),
    ("segments", "id", "seg/../../x", InvalidInput, "not a valid id"),
    ("knowledge", "text", "x" * BIG, InputTooLarge, "characters"),
    ("knowledge", "kind", "admin", InvalidInput, "one of"),
    ("knowledge", "source_page_ids", ["<script>"], InvalidInput, "source_page_ids[0]"),
    ("knowledge", "method", 1, InvalidInput, "one of"),
    ("knowledge", "observed_at", 1e20, InvalidInput, "outside the allowed range"),
    ("knowledge", "valid_from", "2024-01-01", InvalidInput, "epoch seconds"),
    ("knowledge", "valid_until", float("inf"), InvalidInput, "finite"),
    ("knowledge", "invalidated_at", True, InvalidInput, "epoch seconds"),
    ("knowledge", "expires_at", -1e12, InvalidInput, "outside the allowed range"),
    ("knowledge", "superseded_by", "a b", InvalidInput, "not a valid id"),
    ("knowledge", "superseded_by", "no-such-entry", InvalidInput, "another knowledge entry"),
    ("knowledge", "attribute", 3, InvalidInput, "must be a string"),
    ("knowledge", "attribute", " ", InvalidInput, "must not be empty"),
    ("pages", "expires_at", "tomorrow", InvalidInput, "epoch seconds"),
    ("profile_versions", "version", 2**40, InvalidInput, "between"),
    ("profile_versions", "text", "nul \x00", InvalidInput, "NUL"),
]


def test_import_data_checks_every_field_like_the_live_api(make_memo, dump: dict[str, Any]) -> None:
    target = make_memo(user_id="target")
    for key, field, value, error, says in BAD_FIELDS:
        with pytest.raises(error) as caught:
            target.import_data(mutated(dump, key, 0, field, value))
        message = str(caught.value)
        assert message.startswith(f"{key}[0].{field}") and says in message, (key, field, message[:200])
        assert type(caught.value) is error, (key, field, type(caught.value))
    assert target.export()["pages"] == [] and target.stats()["knowledge"] == {"user": 0, "assistant": 0}
    assert target.import_data(dump) == len(dump["pages"])  # the same backend stores the untouched export


def test_import_data_refuses_repeats_missing_fields_and_malformed_lists(make_memo, new_storage, dump) -> None:
    target = make_memo(user_id="target", storage=new_storage())
    repeated = copy.deepcopy(dump)
    repeated["pages"][1]["seq"] = repeated["pages"][0]["seq"]
    with pytest.raises(InvalidInput, match=r"pages\[1\]\.seq .* repeated"):
        target.import_data(repeated)
    repeated = copy.deepcopy(dump)
    repeated["pages"][1]["id"] = repeated["pages"][0]["id"]
    with pytest.raises(InvalidInput, match=r"pages\[1\]\.id .* repeated"):
        target.import_data(repeated)
    missing = copy.deepcopy(dump)
    del missing["segments"][0]["created_at"]
    with pytest.raises(InvalidInput, match=r"segments\[0\]\.created_at is missing"):
        target.import_data(missing)
    for key, value in (("pages", {"a": 1}), ("knowledge", None), ("pages", ["not an object"])):
        with pytest.raises(InvalidInput, match=key):
            target.import_data({**dump, key: value})
    assert target.export()["pages"] == []
    assert target.import_data(dump) == len(dump["pages"])  # the untouched export still restores


def test_fact_history_and_expiry_travel_through_export_and_import(make_memo, dump: dict[str, Any]) -> None:
    source = make_memo(user_id="source")
    assert source.import_data(dump) == len(dump["pages"])
    page_id = dump["pages"][0]["id"]
    old = Fact("fact-old", "user", "lives in Lisbon", [page_id], 1_700_000_000.0, "llm", observed_at=1_699_999_000.0,
               attribute="residence")
    new = Fact("fact-new", "user", "lives in Berlin", [page_id], 1_700_000_100.0, "llm", observed_at=1_700_000_050.0,
               attribute="residence", expires_at=1_900_000_000.0)
    source.store.add_facts(
        source.scope, [old, new], [], [FactInvalidation(old.id, 1_700_000_050.0, 1_700_000_100.0, new.id)]
    )
    exported = source.export()
    assert exported["version"] == 2
    target = make_memo(user_id="target")
    assert target.import_data(exported) == len(dump["pages"])  # ids kept, though the source still holds them
    assert target.export()["knowledge"] == exported["knowledge"]
    assert [f.id for f in target.store.fact_history(target.scope, "fact-new")] == ["fact-old", "fact-new"]
    renewed = make_memo(user_id="renewed")
    renewed.import_data(exported, new_ids=True)  # fresh ids keep the chain
    (current,) = [f for f in renewed.store.list_facts(renewed.scope) if f.attribute == "residence"]
    history = renewed.store.fact_history(renewed.scope, current.id)
    assert [f.text for f in history] == ["lives in Lisbon", "lives in Berlin"]
    for version in (0, 3, True, "2"):
        with pytest.raises(InvalidInput, match="unsupported export version"):
            make_memo(user_id=f"v{version}").import_data({**exported, "version": version})


def test_an_import_never_reveals_another_users_ids(make_memo, new_storage) -> None:
    """Ids are unique per user. An export that reuses ids of another user's pages, segments and knowledge is
    imported like any other, ids kept: the outcome is the same whether or not another user holds them."""
    alice = make_memo(user_id="alice", llm=ScriptedLLM(), short_term_capacity=3, short_term_retain=1)
    for i in range(7):
        alice.add_memory(f"My secret plan, step {i}.", "Understood.")
    alice.add_knowledge("Alice has a secret plan.")
    alice.flush()
    alices = alice.export()
    assert alices["segments"] and alices["knowledge"]

    # mallory's own memory elsewhere, relabelled with alice's ids and mallory as its owner, so ids would be kept
    mallorys = source_export(make_memo, user="mallory_source")
    forged = copy.deepcopy(mallorys)
    forged["user_id"], forged["assistant_id"] = "mallory", "test_assistant"
    renamed = {p["id"]: a["id"] for p, a in zip(mallorys["pages"], alices["pages"], strict=False)}
    renamed |= {s["id"]: a["id"] for s, a in zip(mallorys["segments"], alices["segments"], strict=False)}
    renamed[mallorys["knowledge"][0]["id"]] = alices["knowledge"][0]["id"]
    forged_text = json.dumps(forged)
    for old, new in renamed.items():
        forged_text = forged_text.replace(old, new)
    forged = json.loads(forged_text)

    mallory = make_memo(user_id="mallory")
    assert mallory.import_data(forged) == len(forged["pages"])
    mine = mallory.export()
    assert {p["id"] for p in mine["pages"]} >= {p["id"] for p in alices["pages"][: len(mallorys["pages"])]}
    assert alices["knowledge"][0]["id"] in {f["id"] for f in mine["knowledge"]}
    # the same import where nobody holds those ids gives the same memory: nothing depends on alice's rows
    alone = make_memo(user_id="mallory", storage=new_storage())
    assert alone.import_data(forged) == len(forged["pages"])
    assert alone.export() == mine
    assert mallory.check(sample=None) == []
    assert alice.export() == alices  # alice's memory is untouched
    shared = alices["pages"][0]["id"]
    alice.delete_memory(shared)  # the same id names two pages; each user reaches only their own
    assert len(mallory.export()["pages"]) == len(forged["pages"])
    assert shared in {p["id"] for p in mallory.export()["pages"]}
    mallory.delete_memory(shared)
    assert len(alice.export()["pages"]) == len(alices["pages"]) - 1


def test_records_are_checked_strictly_and_named(tmp_path: Path) -> None:
    def refused(content: Any, says: str, fmt: str = "json") -> None:
        path = tmp_path / f"bad.{fmt}"
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        with pytest.raises(InvalidInput) as caught:
            import_files.read_source(path, fmt)  # type: ignore[arg-type]
        assert says in str(caught.value), caught.value

    refused([{"user_input": "a"}, {"user_input": "b\u0000c"}], "record 1: user_input contains a NUL")
    refused([{"user_input": 0}], "record 0: user_input and agent_response must be strings")
    refused([{"user_input": "a", "agent_response": False}], "must be strings")
    refused([{"user_input": "a", "meta_data": []}], "record 0: meta_data must be a dict")
    refused([{"user_input": "a", "meta_data": 0}], "record 0: meta_data must be a dict")
    refused('{"user_input": "a"}\n{"user_input": "\\ud800"}\n', "line 2: user_input is not valid Unicode", "jsonl")
    locomo = {
        "sample_id": "conv-1",
        "conversation": {
            "speaker_a": "A",
            "speaker_b": "B",
            "session_1": [{"speaker": "A", "text": "hi", "dia_id": "D1:1"}, {"speaker": "B", "text": 5,
                                                                           "dia_id": "D1:2"}],
        },
    }
    with pytest.raises(InvalidInput, match="conv-1 session 1 D1:1/D1:2: text must be a string"):
        import_files.locomo_records(locomo)
    with pytest.raises(InvalidInput, match="sample_id must be a string"):
        import_files.locomo_records({**locomo, "sample_id": 7})


def test_record_lengths_are_checked_against_the_users_limit_before_anything_is_written(make_memo,
                                                                                       tmp_path: Path) -> None:
    path = tmp_path / "talk.json"
    path.write_text(json.dumps([{"user_input": "fine"}, {"user_input": "also fine"}, {"user_input": "x" * 1001}]))
    records = import_files.read_source(path).records
    memo = make_memo(max_input_chars=1000)
    with pytest.raises(InputTooLarge, match="record 2: user_input is 1,001 characters"):
        import_files.import_records(memo, records)
    assert memo.list_pages() == []


# ---- the command line and REST ----


def test_cli_import_refuses_bad_files_with_a_message_and_writes_nothing(storage_url: str, tmp_path: Path,
                                                                          dump: dict[str, Any]) -> None:
    runner = CliRunner()
    common = ["--storage", storage_url, "--user", "target", "--assistant", "test_assistant"]

    def refused(path: Path, says: str) -> None:
        result = runner.invoke(app, ["import", str(path), "--quiet", *common])
        assert result.exit_code == 1, result.output
        assert says in result.output and "Traceback" not in result.output, result.output
        listed = runner.invoke(app, ["stats", "--json", *common])
        assert json.loads(listed.stdout)["pages"] == {"short": 0, "mid": 0, "archive": 0}

    for key, field, value in (
        ("pages", "user_input", "x" * BIG),
        ("pages", "seq", 2**70),
        ("pages", "analyzed", "no"),
        ("pages", "id", "<b>"),
        ("segments", "last_access", float("inf")),
    ):
        export_file = tmp_path / "export.json"
        export_file.write_text(json.dumps(mutated(dump, key, 0, field, value)))
        refused(export_file, f"{key}[0].{field}")
    records = tmp_path / "talk.json"
    records.write_text(json.dumps([{"user_input": "first, fine"}, {"user_input": "x" * BIG}]))
    refused(records, "record 1: user_input is 2,000,000 characters")
    lines = tmp_path / "talk.jsonl"
    lines.write_text('{"user_input": "fine"}\n{"user_input": 12}\n')
    refused(lines, "line 2: user_input and agent_response must be strings")


@pytest.fixture
def rest(tmp_path: Path, embedder: Any, clock: Any, storage_url: str) -> Iterator[TestClient]:
    app_ = create_app(
        {"user_id": "alice", "assistant_id": "test_assistant", "data_storage_path": str(tmp_path / "data"),
         "storage": storage_url, "background_upkeep": False, "short_term_capacity": 3},
        embedder=embedder,
        clock=clock,
    )
    with TestClient(app_, base_url="http://127.0.0.1") as client:
        yield client


def test_rest_import_uses_the_same_validators_and_reveals_no_ids(rest: TestClient, dump: dict[str, Any]) -> None:
    cases = [
        (mutated(dump, "pages", 0, "user_input", "nul \x00"), 422, "invalid_input", "pages[0].user_input"),
        (mutated(dump, "pages", 0, "seq", 2**70), 422, "invalid_input", "pages[0].seq"),
        (mutated(dump, "pages", 0, "analyzed", "no"), 422, "invalid_input", "pages[0].analyzed"),
        (mutated(dump, "pages", 0, "id", "<b>bold</b>"), 422, "invalid_input", "pages[0].id"),
        (mutated(dump, "pages", 0, "timestamp", 1e20), 422, "invalid_input", "pages[0].timestamp"),
        (mutated(dump, "pages", 0, "user_input", "x" * BIG), 413, "input_too_large", ""),
    ]
    for body, status, code, says in cases:
        response = rest.post("/v1/users/bob/import", json=body)
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["code"] == code and says in error["message"], error
    assert rest.get("/v1/users/bob/pages").json()["items"] == []

    # alice's page ids in bob's import: accepted with the ids kept (they are per user); nothing about alice comes back
    for i in range(4):
        assert rest.post("/v1/users/alice/memories", json={"user_input": f"alice note {i}"}).status_code == 201
    alice_ids = [p["id"] for p in rest.get("/v1/users/alice/export").json()["pages"]]
    forged = copy.deepcopy(dump)
    forged["user_id"], forged["assistant_id"] = "bob", "test_assistant"
    for page, taken in zip(forged["pages"], alice_ids, strict=False):
        for other in forged["pages"]:
            for link in ("prev_page_id", "next_page_id"):
                if other[link] == page["id"]:
                    other[link] = taken
        page["id"] = taken
    response = rest.post("/v1/users/bob/import", json=forged)
    assert response.status_code == 200, response.text
    assert "UNIQUE" not in response.text and "constraint" not in response.text
    bob_ids = [p["id"] for p in rest.get("/v1/users/bob/export").json()["pages"]]
    assert bob_ids == [p["id"] for p in forged["pages"]] and set(alice_ids) <= set(bob_ids)
    assert [p["id"] for p in rest.get("/v1/users/alice/export").json()["pages"]] == alice_ids
