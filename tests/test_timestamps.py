"""One timestamp rule (issue 10, item 2): every stored time renders as ISO 8601 and sorts.

Writes refuse what breaks the rule on every path (library, CLI, MCP, REST, imports, the stores themselves). Rows
that older versions wrote outside the rule never make a read fail; `check` reports them and `--repair` replaces
them. Old rows are simulated by writing them with SQL, on both backends.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import anyio
import pytest
from doubles import ScriptedLLM
from fastapi.testclient import TestClient
from mcp import Client
from typer.testing import CliRunner

from memoryos import InvalidInput, Memoryos
from memoryos.cli import app
from memoryos.interfaces.mcp_server import MemoryServer
from memoryos.interfaces.rest import create_app
from memoryos.models import Page, Scope, iso
from memoryos.storage import open_store
from memoryos.validation import parse_timestamp

START = 1_750_000_000.0  # the test clock's time
EARLIER = START - 86_400.0
RANGE = "0001-01-02T00:00:00Z to 9999-12-30T23:59:59Z"
TIMESTAMP_MIN, TIMESTAMP_MAX = -62135510400.0, 253402214399.0  # the range's ends in epoch seconds
# what issue 10 reproduced (ISO times one step past datetime's range once converted to UTC), and its neighbours
BAD_TIMES: list[Any] = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T12:00:00Z",
    1e20,
    -1e15,
    float("inf"),
    float("-inf"),
    float("nan"),
    TIMESTAMP_MAX + 1,
    TIMESTAMP_MIN - 1,
    10**400,
    -(10**5000),  # too long even for str()
    True,
]


def run_sql(storage_url: str, statement: str, *params: Any) -> None:
    """Write to the database behind memoryos's back, as an older version might have (`?` placeholders)."""
    if storage_url.startswith("sqlite:///"):
        with sqlite3.connect(storage_url.removeprefix("sqlite:///")) as conn:
            conn.execute(statement, params)
        return
    import psycopg

    with psycopg.connect(storage_url, autocommit=True) as conn:
        conn.execute(statement.replace("?", "%s"), params)  # type: ignore[arg-type]


def assert_renders(value: object) -> None:
    assert isinstance(value, str)
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None


# ---- the rule ----


def test_the_rule_accepts_its_whole_range_and_renders_it_in_every_time_zone() -> None:
    for text, epoch in (
        ("0001-01-02T00:00:00Z", TIMESTAMP_MIN),
        ("9999-12-30T23:59:59Z", TIMESTAMP_MAX),
        ("0001-01-02T10:00:00+10:00", TIMESTAMP_MIN),
        ("1969-07-20T20:17:40Z", -14182940.0),
        ("2025-06-01T14:30:00Z", 1748788200.0),
    ):
        assert parse_timestamp(text) == epoch
        moment = datetime.fromisoformat(iso(epoch))
        for hours in (-23, -14, 14, 23):  # any zone the standard library can express
            assert moment.astimezone(timezone(timedelta(hours=hours))).isoformat()
    assert parse_timestamp(TIMESTAMP_MIN) == TIMESTAMP_MIN and parse_timestamp(TIMESTAMP_MAX) == TIMESTAMP_MAX
    assert parse_timestamp(datetime(2025, 1, 1)) == datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp()
    for bad in BAD_TIMES:
        with pytest.raises(InvalidInput) as caught:
            parse_timestamp(bad)
        if not isinstance(bad, bool):
            assert RANGE in str(caught.value) or "finite" in str(caught.value), caught.value
    # rendering never raises, even for what the rule refuses (rows written by older versions)
    for bad in (1e20, -1e15, float("inf"), float("-inf"), float("nan")):
        assert_renders(iso(bad))


# ---- every write path refuses ----


def test_add_memory_refuses_times_that_cannot_render_and_the_user_stays_readable(make_memo) -> None:
    memo = make_memo()
    memo.add_memory("before", "ok", timestamp=START)
    for bad in BAD_TIMES:
        with pytest.raises(InvalidInput, match="timestamp"):
            memo.add_memory("bad time", "refused", timestamp=bad)
    edges = [memo.add_memory("edge", "ok", timestamp=t) for t in ("0001-01-02T00:00:00Z", "9999-12-30T23:59:59Z")]
    assert [p["user_input"] for p in memo.list_pages()] == ["before", "edge", "edge"]
    assert [memo.get_page(i)["time"] for i in edges] == ["0001-01-02T00:00:00+00:00", "9999-12-30T23:59:59+00:00"]
    assert memo.retrieve("edge").pages is not None and memo.export()["pages"]


def test_the_stores_refuse_bad_times_at_their_boundary(storage_url: str) -> None:
    """A defensive second check with the same function, for callers that bypass Memoryos."""
    store = open_store(storage_url)
    try:
        for bad in (1e20, float("inf"), float("nan"), -1e15):
            page = Page(id=f"p{abs(hash(str(bad)))}", user_input="x", agent_response="y", timestamp=bad)
            with pytest.raises(InvalidInput, match="timestamp"):
                store.add_page(Scope("u", "a"), page)
        assert store.list_pages(Scope("u", "a")) == []
    finally:
        store.close()


def test_imports_refuse_bad_times_in_every_record_kind(make_memo, new_storage) -> None:
    source = make_memo(llm=ScriptedLLM(), short_term_capacity=3, short_term_retain=1, mid_term_heat_threshold=2)
    for i in range(8):
        source.add_memory(f"I like hiking trail number {i}.", "Nice!", timestamp=START + 60 * i)
    source.add_knowledge("The user likes hiking.")
    source.retrieve("hiking trail")
    source.flush()
    dump = source.export()
    assert dump["segments"] and dump["knowledge"] and dump["profile_versions"]
    target = make_memo(user_id="target", storage=new_storage())
    fields = [
        ("pages", "timestamp"),
        ("segments", "last_access"),
        ("segments", "created_at"),
        ("knowledge", "created_at"),
        ("profile_versions", "created_at"),
    ]
    for key, name in fields:
        for bad in (1e20, "inf", -1e15, "2025-01-01", None, True):
            broken = json.loads(json.dumps(dump))
            broken[key][0][name] = bad
            with pytest.raises(InvalidInput, match=rf"{key}\[0\]\.{name}"):
                target.import_data(broken)
    assert target.export()["pages"] == []  # nothing half-written
    assert target.import_data(dump) == len(dump["pages"])


def test_json_and_locomo_records_refuse_bad_times_before_writing(tmp_path: Path, make_memo) -> None:
    from memoryos.interfaces import import_files

    for bad in ("0001-01-01T00:00:00+01:00", 1e20, -1e15):
        path = tmp_path / "r.json"
        path.write_text(json.dumps([{"user_input": "a"}, {"user_input": "b", "timestamp": bad}]))
        with pytest.raises(InvalidInput, match="record 1"):
            import_files.read_source(path)
    # a LoCoMo session dated at the very end of the range: its later turns would step past it
    conversation = {
        "speaker_a": "A",
        "speaker_b": "B",
        "session_1_date_time": "9999-12-30T23:59:59Z",
        "session_1": [{"speaker": "A", "text": "hi", "dia_id": "D1:1"}, {"speaker": "A", "text": "again",
                                                                       "dia_id": "D1:2"}],
    }
    with pytest.raises(InvalidInput, match="D1:2"):
        import_files.locomo_records({"sample_id": "c1", "conversation": conversation})


# ---- rows written by older versions ----


def _populated(make_memo) -> Memoryos:
    memo = make_memo(llm=ScriptedLLM(), short_term_capacity=3, short_term_retain=1, mid_term_heat_threshold=2)
    for i in range(10):
        memo.add_memory(f"Day {i}: I went sailing near the harbour.", "Sounds lovely.", timestamp=EARLIER + 60 * i)
    memo.add_knowledge("The user sails.")
    memo.retrieve("sailing harbour")
    memo.flush()
    dump = memo.export()
    assert dump["segments"] and len(dump["knowledge"]) >= 1 and dump["profile_versions"]
    return memo


def _corrupt(memo: Memoryos, storage_url: str) -> dict[str, Any]:
    """Write times no current path accepts, straight into the tables; returns what was broken."""
    dump = memo.export()
    pages, segment, fact = dump["pages"], dump["segments"][0], dump["knowledge"][0]
    postgres = not storage_url.startswith("sqlite")
    garbage: Any = float("nan") if postgres else "garbage"  # SQLite turns NaN into NULL; text is its oddity
    broken = {
        ("page", pages[0]["id"]): 1e20,
        ("page", pages[1]["id"]): -1e15,
        ("page", pages[2]["id"]): float("inf"),
        ("page", pages[-1]["id"]): garbage,  # a short-term page
        ("segment", segment["id"]): float("-inf"),
        ("knowledge", fact["id"]): 1e20,
        ("profile", "1"): float("inf"),
    }
    for (kind, ident), value in broken.items():
        if kind == "page":
            run_sql(storage_url, "UPDATE pages SET timestamp = ? WHERE id = ?", value, ident)
        elif kind == "segment":
            run_sql(storage_url, "UPDATE segments SET last_access = ?, created_at = ? WHERE id = ?", value, -1e15,
                    ident)
        elif kind == "knowledge":
            run_sql(storage_url, "UPDATE knowledge SET created_at = ? WHERE id = ?", value, ident)
        else:
            run_sql(storage_url, "UPDATE profiles SET created_at = ? WHERE version = 1", value)
    return {"dump": dump, "broken": broken}


def _every_read_works(memo: Memoryos) -> dict[str, Any]:
    pages = memo.list_pages()
    for page in pages:
        assert_renders(page["time"])
        assert TIMESTAMP_MIN <= page["timestamp"] <= TIMESTAMP_MAX
        assert memo.get_page(page["id"])["time"] == page["time"]
    result = memo.retrieve("sailing near the harbour")
    assert result.pages and "[" in result.to_prompt()
    json.dumps(result.to_dict(), allow_nan=False)
    memo.search("harbour")
    for segment in memo.list_segments(include_archived=True):
        assert math.isfinite(segment["heat"]) and memo.get_segment(segment["id"])
    memo.get_knowledge()
    memo.profile_history()
    memo.stats()
    assert memo.get_response("Where did I go sailing?") == "scripted answer"
    export = memo.export()
    json.dumps(export, allow_nan=False)  # strict JSON: no NaN or Infinity
    return export


def test_reads_never_raise_on_bad_rows_and_check_then_repair_fixes_them(make_memo, storage_url, new_storage) -> None:
    memo = _populated(make_memo)
    corrupted = _corrupt(memo, storage_url)
    before = corrupted["dump"]
    export = _every_read_works(memo)  # get_response added one exchange
    assert [p["id"] for p in export["pages"][:-1]] == [p["id"] for p in before["pages"]]  # every row still there

    # the degraded export restores elsewhere
    copy = make_memo(user_id="copy", storage=new_storage())
    assert copy.import_data(export) == len(export["pages"])

    problems = memo.check(sample=None)
    invalid = [p for p in problems if "invalid" in p]
    # the segment had two bad times; a visit (the retrievals above) may have written a valid last_access since
    assert len(invalid) in (len(corrupted["broken"]), len(corrupted["broken"]) + 1)
    for kind, ident in corrupted["broken"]:
        assert any(p.startswith(f"{kind} {ident} has an invalid") for p in invalid), (kind, ident, invalid)
    assert all(RANGE in p for p in invalid)

    repaired = memo.repair()
    assert repaired["timestamps"] == len(invalid)
    assert memo.check(sample=None) == []
    pages = memo.list_pages()
    notes = {p["id"]: p["meta_data"].get("memoryos_invalid_timestamp") for p in pages}
    assert notes[before["pages"][0]["id"]] == "1e+20" and notes[before["pages"][2]["id"]] == "inf"
    # a repaired page takes its nearest valid neighbour's time, so insertion order and time order agree again
    times = [p["timestamp"] for p in pages]
    assert times == sorted(times)
    assert all(before["pages"][3]["timestamp"] == t for t in times[:3])
    repaired_segment = memo.get_segment(before["segments"][0]["id"])
    assert repaired_segment["created_at"] == repaired_segment["last_access"] == 1_750_000_000.0  # the repair time
    _every_read_works(memo)
    # a user can always delete
    memo.delete_memory(pages[0]["id"])
    assert memo.forget_user() == len(pages) - 1 + 1  # and the exchange of the last get_response


def test_llm_consolidation_does_not_stall_on_a_bad_row(make_memo, storage_url) -> None:
    llm = ScriptedLLM()
    memo = make_memo(llm=llm, short_term_capacity=3, short_term_retain=1)
    first = memo.add_memory("I keep bees on my roof.", "How many hives?", timestamp=START)
    memo.add_memory("Two hives, since spring.", "Lovely.", timestamp=START + 60)
    run_sql(storage_url, "UPDATE pages SET timestamp = ? WHERE id = ?", float("inf"), first)
    memo.add_memory("The bees made honey in July.", "Delicious!", timestamp=START + 120)
    assert memo.flush() is True
    assert memo.stats()["pages"]["mid"] >= 2
    assert memo.get_page(first)["tier"] == "mid"
    prompts = [m["content"] for purpose, messages in llm.calls if purpose == "consolidation" for m in messages]
    assert prompts and "9999-12-30T23:59:59+00:00" in "".join(prompts)


# ---- the other shells ----


def test_cli_add_refuses_and_check_repair_fix_bad_rows(make_memo, storage_url: str, embedder) -> None:
    runner = CliRunner()
    memo = make_memo(user_id="cli_user")
    ids = [memo.add_memory(f"I restore old clocks, number {i}.", "Neat!", timestamp=START + i) for i in range(3)]
    memo.close()
    common = ["--storage", storage_url, "--user", "cli_user", "--assistant", "test_assistant"]
    refused = runner.invoke(app, ["add", "x", "y", "--timestamp", "0001-01-01T00:00:00+01:00", *common])
    assert refused.exit_code == 1 and RANGE in refused.output and "Traceback" not in refused.output

    run_sql(storage_url, "UPDATE pages SET timestamp = ? WHERE id = ?", 1e20, ids[1])
    exported = runner.invoke(app, ["export", *common])
    assert exported.exit_code == 0, exported.output
    assert len(json.loads(exported.stdout)["pages"]) == 3
    searched = runner.invoke(app, ["search", "clocks", "--json", *common])
    assert searched.exit_code == 0, searched.output
    checked = runner.invoke(app, ["check", "--json", *common])
    assert checked.exit_code == 1
    assert any(f"page {ids[1]} has an invalid timestamp" in p for p in json.loads(checked.stdout)["problems"])
    fixed = runner.invoke(app, ["check", "--repair", "--json", *common])
    assert fixed.exit_code == 0, fixed.output
    report = json.loads(fixed.stdout)
    assert report["repaired"]["timestamps"] == 1 and report["remaining"] == []
    assert runner.invoke(app, ["check", *common]).exit_code == 0


@pytest.fixture
def rest_client(tmp_path: Path, embedder: Any, clock: Any, storage_url: str) -> Iterator[TestClient]:
    app_ = create_app(
        {"user_id": "alice", "assistant_id": "test_assistant", "data_storage_path": str(tmp_path / "data"),
         "storage": storage_url, "background_upkeep": False, "short_term_capacity": 3},
        embedder=embedder,
        clock=clock,
    )
    with TestClient(app_, base_url="http://127.0.0.1") as client:
        yield client


def test_rest_refuses_bad_times_and_serves_users_with_bad_rows(rest_client: TestClient, storage_url: str) -> None:
    base = "/v1/users/alice"
    for bad in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00", 1e20, -1e15):
        response = rest_client.post(f"{base}/memories", json={"user_input": "x", "timestamp": bad})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_input"
    ids = [
        rest_client.post(f"{base}/memories", json={"user_input": f"I paint {c} walls.", "timestamp": START}).json()[
            "page_id"
        ]
        for c in ("red", "blue")
    ]
    run_sql(storage_url, "UPDATE pages SET timestamp = ? WHERE id = ?", float("inf"), ids[0])
    for response in (
        rest_client.get(f"{base}/pages"),
        rest_client.get(f"{base}/pages/{ids[0]}"),
        rest_client.post(f"{base}/retrieve", json={"query": "painted walls"}),
        rest_client.get(f"{base}/export"),
        rest_client.get(f"{base}/stats"),
    ):
        assert response.status_code == 200, response.text
    assert rest_client.get(f"{base}/pages/{ids[0]}").json()["time"] == "9999-12-30T23:59:59+00:00"
    assert rest_client.delete(f"{base}/pages/{ids[0]}").status_code in (200, 204)


def test_mcp_refuses_bad_times_and_serves_users_with_bad_rows(tmp_path: Path, embedder: Any) -> None:
    server = MemoryServer(
        {"data_storage_path": str(tmp_path / "data"), "user_id": "alice", "short_term_capacity": 3},
        embedder=embedder,
    )

    async def main() -> None:
        async with Client(server.mcp) as client:
            for bad in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00", 1e20):
                result = await client.call_tool("add_memory", {"user_input": "x", "agent_response": "y",
                                                               "timestamp": bad})
                assert result.is_error and "invalid argument" in result.content[0].text  # type: ignore[union-attr]
            added = await client.call_tool("add_memory", {"user_input": "I grow tomatoes.", "agent_response": "Yum"})
            page_id = added.structured_content["page_id"]  # type: ignore[index]
            run_sql(f"sqlite:///{tmp_path / 'data' / 'memoryos.db'}", "UPDATE pages SET timestamp = ? WHERE id = ?",
                    -1e15, page_id)
            for tool, arguments in (("retrieve_memory", {"query": "tomatoes"}), ("search_memory", {"query": "grow"}),
                                    ("memory_stats", {})):
                result = await client.call_tool(tool, arguments)
                assert not result.is_error, result.content

    try:
        anyio.run(main)
    finally:
        server.pool.close()
