"""Importing a data directory of the original MemoryOS: the real one in ../shared (written by the original's own
code), and small ones written here for what the real one does not show (odd values, malformed files)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from memoryos import Memoryos
from memoryos.cli import app
from memoryos.errors import InputTooLarge, InvalidInput
from memoryos.migrate import import_original
from memoryos.models import Scope
from memoryos.storage import open_store
from memoryos.testing import HashingEmbedder

FIXTURE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "original-memoryos" / "store"
runner = CliRunner()


def original_time(text: str) -> float:
    """The original writes local times without a zone; memoryos reads naive times as UTC."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.skipif(not FIXTURE.is_dir(), reason="the original-memoryos fixture is not in ../shared/data")
def test_the_real_original_directory_arrives_whole(tmp_path: Path, storage_url: str, embedder: Any) -> None:
    user = FIXTURE / "users" / "caroline"
    short = read_json(user / "short_term.json")
    sessions = read_json(user / "mid_term.json")["sessions"]
    long = read_json(user / "long_term_user.json")
    data = str(tmp_path / "data")

    report = import_original(FIXTURE, storage=storage_url, data_storage_path=data, embedder=embedder)

    [imported] = report.users
    assert (imported.user_id, imported.status, report.assistant_file) == ("caroline", "imported", None)
    original_pages = [page for session in sessions.values() for page in session["details"]]
    assert (imported.short_term_pages, imported.mid_term_pages, imported.segments) == (
        len(short),
        len(original_pages),
        len(sessions),
    )
    assert (imported.profile_versions, imported.user_knowledge, imported.assistant_knowledge) == (1, 95, 0)

    store = open_store(storage_url)
    try:
        dump = store.export_scope(Scope("caroline", report.assistant_id))
        dim = store.embedding_model()[1]  # type: ignore[index]
    finally:
        store.close()
    assert len(dump.pages) == len(short) + len(original_pages) == 80
    assert max(Counter(p.id for p in dump.pages).values()) == 1  # every page once
    stored = {p.id: p for p in dump.pages}
    for session_id, session in sessions.items():
        for page in session["details"]:
            here = stored[page["page_id"]]
            assert (here.tier, here.segment_id) == ("mid", session_id)
            assert (here.prev_page_id, here.next_page_id) == (page["pre_page"], page["next_page"])
            assert (here.user_input, here.agent_response) == (page["user_input"], page["agent_response"])
            assert here.timestamp == original_time(page["timestamp"])
            assert (here.chain_summary, here.analyzed) == (page["meta_info"], page["analyzed"])
            assert here.embedding is not None and here.embedding.shape == (dim,)
    segments = {s.id: s for s in dump.segments}
    assert set(segments) == set(sessions)
    for session_id, session in sessions.items():
        segment = segments[session_id]
        assert (segment.summary, segment.keywords) == (session["summary"], session["summary_keywords"])
        assert (segment.n_visit, segment.l_interaction) == (session["N_visit"], session["L_interaction"])
        assert segment.created_at == original_time(session["timestamp"])
        assert segment.last_access == original_time(session["last_visit_time"])
        assert segment.page_count == len(session["details"]) and segment.embedding is not None

    in_order = sorted(dump.pages, key=lambda p: p.seq)
    assert [p.tier for p in in_order] == ["mid"] * len(original_pages) + ["short"] * len(short)
    short_here = [p for p in in_order if p.tier == "short"]
    assert [(p.user_input, p.agent_response, p.timestamp) for p in short_here] == [
        (q["user_input"], q["agent_response"], original_time(q["timestamp"])) for q in short
    ]
    assert all(p.segment_id is None for p in short_here)

    [profile] = dump.profile_versions
    assert profile.text == long["user_profiles"]["caroline"]["data"]
    assert profile.created_at == original_time(long["user_profiles"]["caroline"]["last_updated"])
    knowledge = long["knowledge_base"]
    assert len(dump.facts) == len(knowledge) == 95
    assert [f.text for f in dump.facts] == [entry["knowledge"].removeprefix("- ") for entry in knowledge]
    assert [f.observed_at for f in dump.facts] == [original_time(entry["timestamp"]) for entry in knowledge]
    assert all(f.kind == "user" and f.embedding is not None for f in dump.facts)

    checked = runner.invoke(app, ["check", "--user", "caroline", "--storage", storage_url, "--data", data, "--full"])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.strip() == "ok"

    again = import_original(FIXTURE, storage=storage_url, data_storage_path=data, embedder=embedder)
    assert [u.status for u in again.users] == ["already imported"]
    with Memoryos(user_id="caroline", storage=storage_url, embedder=embedder, background_upkeep=False) as memo:
        # opening runs upkeep (short-term is over its cadence, so 4 pages consolidate and the segment they join
        # may reach τ and learn a fact of its own); what matters is that nothing imported arrived twice
        imported_facts = [f for f in memo.get_knowledge("user") if f["id"].startswith("orig-kb-")]
        assert len(memo.list_pages()) == 80 and len(imported_facts) == len({f["id"] for f in imported_facts}) == 95
        assert memo.get_user_profile() == profile.text


# ---- small directories written here ----


def page(page_id: str, said: str, **fields: Any) -> dict[str, Any]:
    return {
        "page_id": page_id,
        "user_input": f"user words of {page_id}",
        "agent_response": f"assistant words of {page_id}",
        "timestamp": said,
        "preloaded": False,
        "analyzed": False,
        "pre_page": None,
        "next_page": None,
        "meta_info": f"thread through {page_id}",
        "page_embedding": [0.5, 0.5],
        "page_keywords": [],
        **fields,
    }


def session(*pages: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "summary": "hiking and dogs",
        "summary_keywords": ["hiking", "dogs"],
        "summary_embedding": [0.1, 0.2],
        "details": list(pages),
        "L_interaction": len(pages),
        "N_visit": 1,
        "R_recency": 1.0,
        "H_segment": 2.0,
        "timestamp": "2025-03-01 10:00:00",
        "last_visit_time": "2025-03-02 10:00:00",
        "access_count_lfu": 0,
        **fields,
    }


def write_user(
    root: Path,
    user_id: str,
    *,
    short: Any = None,
    sessions: dict[str, Any] | None = None,
    long: Any = None,
) -> Path:
    folder = root / "users" / user_id
    folder.mkdir(parents=True)
    if short is not None:
        (folder / "short_term.json").write_text(json.dumps(short), encoding="utf-8")
    if sessions is not None:
        mid = {"sessions": sessions, "access_frequency": dict.fromkeys(sessions, 0)}
        (folder / "mid_term.json").write_text(json.dumps(mid), encoding="utf-8")
    if long is not None:
        (folder / "long_term_user.json").write_text(json.dumps(long), encoding="utf-8")
    return folder


def write_assistant(root: Path, assistant_id: str, knowledge: list[Any]) -> None:
    folder = root / "assistants" / assistant_id
    folder.mkdir(parents=True)
    data = {"user_profiles": {}, "knowledge_base": [], "assistant_knowledge": knowledge}
    (folder / "long_term_assistant.json").write_text(json.dumps(data), encoding="utf-8")


def valid_user(root: Path, user_id: str = "alice") -> Path:
    return write_user(
        root,
        user_id,
        short=[
            {"user_input": "I got a puppy.", "agent_response": "Congratulations!", "timestamp": "2025-03-03 09:00:00"}
        ],
        sessions={
            "s1": session(
                page("p1", "2025-03-01 10:00:00", next_page="p2"), page("p2", "2025-03-01 10:05:00", pre_page="p1")
            )
        },
        long={
            "user_profiles": {user_id: {"data": "Likes hiking with a dog.", "last_updated": "2025-03-02 11:00:00"}},
            "knowledge_base": [{"knowledge": "- The user likes hiking.", "timestamp": "2025-03-02 11:00:00"}],
            "assistant_knowledge": [],
        },
    )


def run_import(root: Path, tmp_path: Path, **kwargs: Any) -> Any:
    kwargs.setdefault("storage", f"sqlite:///{tmp_path / 'store' / 'memoryos.db'}")
    return import_original(root, embedder=HashingEmbedder(), **kwargs)


def stored(tmp_path: Path, user_id: str, assistant_id: str = "default_assistant") -> Any:
    store = open_store(f"sqlite:///{tmp_path / 'store' / 'memoryos.db'}")
    try:
        return store.export_scope(Scope(user_id, assistant_id))
    finally:
        store.close()


def test_values_as_the_original_writes_them_are_read_for_what_they_mean(tmp_path: Path) -> None:
    root = tmp_path / "original"
    write_user(
        root,
        "bob",
        short=[
            {
                "user_input": "Back from the trail.",
                "agent_response": "Welcome back!",
                "timestamp": "2025-03-05 08:00:00",
            },
            {"user_input": "", "agent_response": None, "timestamp": "2025-03-05 08:01:00"},
        ],
        sessions={
            "s1": session(
                page("p1", "2025-03-01 10:00:00", next_page="p2", analyzed="True", meta_info="None"),
                page("p2", "2025-03-01 10:05:00", pre_page="None", next_page="p3", page_keywords='["trail"]'),
                page("p3", "2025-03-01 10:07:00", pre_page="p2", next_page="gone", analyzed="False"),
                N_visit="3",
                L_interaction=2.0,
                summary_keywords='["hiking", "trail"]',
            ),
            # the original's updater inserts a batch into every topic's session: p3 again, and a JSON-in-a-string list
            "s2": session(
                details=json.dumps([page("p3", "2025-03-01 10:07:00"), page("p4", "2025-03-04 12:00:00")]),
                summary="None",
                summary_keywords="dogs, parks",
                last_visit_time="None",
            ),
            "s3": session(),
        },
        long={
            "user_profiles": {"bob": {"data": "None", "last_updated": "2025-03-02 11:00:00"}},
            "knowledge_base": [
                {"knowledge": "- The user hikes every Sunday.", "timestamp": "2025-03-02 11:00:00"},
                {"knowledge": "- None", "timestamp": "2025-03-02 11:00:00"},
                "The user has a dog named Rex.",
            ],
            "assistant_knowledge": '[{"knowledge": "- I promised trail tips.", "timestamp": "None"}]',
        },
    )
    write_assistant(root, "guide", [{"knowledge": "- The assistant is a hiking guide.", "timestamp": "2025-02-01"}])

    report = run_import(root, tmp_path)

    assert report.assistant_id == "guide" and report.assistant_file == "assistants/guide/long_term_assistant.json"
    [bob] = report.users
    dump = stored(tmp_path, "bob", "guide")
    pages = {p.id: p for p in dump.pages}
    assert sorted(pages) == ["p1", "p2", "p3", "p4", *[p.id for p in dump.pages if p.tier == "short"]]
    assert len([p for p in dump.pages if p.tier == "short"]) == 1  # the exchange without text is left out
    assert (pages["p1"].analyzed, pages["p3"].analyzed, pages["p1"].chain_summary) == (True, False, "")
    assert pages["p3"].segment_id == "s1" and pages["p4"].segment_id == "s2"
    # p2's pre_page "None" is no link, so p1 -> p2 is completed from p1's side; p3 -> "gone" is dropped
    assert (pages["p2"].prev_page_id, pages["p2"].next_page_id, pages["p3"].next_page_id) == ("p1", "p3", None)
    assert pages["p2"].meta_data == {"source": "memoryos-original", "keywords": ["trail"]}
    segments = {s.id: s for s in dump.segments}
    assert sorted(segments) == ["s1", "s2"]  # s3 has no pages
    assert (segments["s1"].n_visit, segments["s1"].l_interaction, segments["s1"].keywords) == (
        3,
        2,
        ["hiking", "trail"],
    )
    assert (segments["s2"].summary, segments["s2"].keywords) == ("", ["dogs", "parks"])
    assert segments["s2"].last_access == segments["s2"].created_at and segments["s2"].embedding is not None
    assert dump.profile_versions == []  # "None" is no profile
    facts = sorted((f.kind, f.text, f.observed_at) for f in dump.facts)
    sunday = original_time("2025-03-02 11:00:00")
    assert facts == [
        ("assistant", "I promised trail tips.", None),
        ("assistant", "The assistant is a hiking guide.", original_time("2025-02-01 00:00:00")),
        ("user", "The user has a dog named Rex.", None),
        ("user", "The user hikes every Sunday.", sunday),
    ]
    assert any("kept in the first" in n for n in bob.notes) and any("dropped" in n for n in bob.notes)
    assert (bob.short_term_pages, bob.mid_term_pages, bob.segments, bob.assistant_knowledge) == (1, 4, 2, 2)


MALFORMED = [
    ("short_term.json", "{not json", "users/bob/short_term.json: not valid JSON"),
    ("short_term.json", {"user_input": "x"}, "users/bob/short_term.json: expected a JSON list, got an object"),
    (
        "short_term.json",
        [{"user_input": "hi", "agent_response": "yo", "timestamp": "soon"}],
        "users/bob/short_term.json: [0].timestamp: timestamp 'soon' is not a recognised date/time",
    ),
    (
        "short_term.json",
        [{"user_input": 7, "agent_response": "yo", "timestamp": "2025-01-01"}],
        "users/bob/short_term.json: [0].user_input must be a string",
    ),
    (
        "short_term.json",
        [{"user_input": "a\x00b", "agent_response": "yo", "timestamp": "2025-01-01"}],
        "users/bob/short_term.json: [0].user_input contains a NUL character",
    ),
    (
        "mid_term.json",
        {"sessions": {"s1": session(page("p1", "2025-01-01", analyzed="perhaps"))}},
        "users/bob/mid_term.json: sessions.s1.details[0].analyzed must be true or false",
    ),
    (
        "mid_term.json",
        {"sessions": {"s1": session(page("p1", "2025-01-01"), N_visit=-2)}},
        "users/bob/mid_term.json: sessions.s1.N_visit must be a count",
    ),
    (
        "mid_term.json",
        {"sessions": {"s1": session({"user_input": "hi", "agent_response": "yo"})}},
        "users/bob/mid_term.json: sessions.s1.details[0].page_id is missing",
    ),
    (
        "mid_term.json",
        {"sessions": {"s1": session(page("../p1", "2025-01-01"))}},
        "users/bob/mid_term.json: sessions.s1.details[0].page_id is not a valid id",
    ),
    (
        "mid_term.json",
        {
            "sessions": {
                "s1": session(
                    page("p1", "2025-01-01", pre_page="p2", next_page="p2"),
                    page("p2", "2025-01-01", pre_page="p1", next_page="p1"),
                )
            }
        },
        "users/bob/mid_term.json: sessions.s1.details[0]: its chain links (pre_page/next_page) form a cycle",
    ),
    (
        "mid_term.json",
        {"sessions": {"s1": session(details="[broken")}},
        "users/bob/mid_term.json: sessions.s1.details must be a list, got a string that is not JSON",
    ),
    (
        "long_term_user.json",
        {"knowledge_base": [{"knowledge": ["a"], "timestamp": "2025-01-01"}]},
        "users/bob/long_term_user.json: knowledge_base[0].knowledge must be a string",
    ),
    (
        "long_term_user.json",
        {"user_profiles": {"bob": {"data": "Likes tea.", "last_updated": "yesterday-ish"}}},
        "users/bob/long_term_user.json: user_profiles.bob.last_updated: timestamp 'yesterday-ish'",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), MALFORMED, ids=[m[2][:60] for m in MALFORMED])
def test_malformed_files_are_refused_before_anything_is_written(
    tmp_path: Path, name: str, content: Any, message: str
) -> None:
    root = tmp_path / "original"
    valid_user(root, "alice")  # read first, and never written: the whole directory is checked before any write
    folder = write_user(root, "bob")
    (folder / name).write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        run_import(root, tmp_path)
    assert message in str(caught.value)
    assert not (tmp_path / "store").exists()  # not even the store was opened


def test_a_text_over_the_limit_is_refused_with_the_file_that_holds_it(tmp_path: Path) -> None:
    root = tmp_path / "original"
    write_user(
        root,
        "bob",
        sessions={"s1": session(page("p1", "2025-01-01"), page("p2", "2025-01-01", agent_response="x" * 500))},
    )
    with pytest.raises(InputTooLarge) as caught:
        run_import(root, tmp_path, max_input_chars=100)
    assert str(caught.value).startswith("users/bob/mid_term.json: sessions.s1.details[1]: pages[1].agent_response")


def test_users_already_imported_are_skipped_and_other_memory_is_never_mixed_in(tmp_path: Path) -> None:
    root = tmp_path / "original"
    valid_user(root, "alice")
    first = run_import(root, tmp_path, users=["alice"])
    assert [(u.user_id, u.status) for u in first.users] == [("alice", "imported")]
    valid_user(root, "carol")
    again = run_import(root, tmp_path)  # resumes: alice is there, carol is not
    assert [(u.user_id, u.status) for u in again.users] == [("alice", "already imported"), ("carol", "imported")]
    assert len(stored(tmp_path, "alice").pages) == 3 and len(stored(tmp_path, "carol").pages) == 3

    valid_user(root, "dave")
    url = f"sqlite:///{tmp_path / 'store' / 'memoryos.db'}"
    with Memoryos(user_id="dave", storage=url, embedder=HashingEmbedder(), background_upkeep=False) as memo:
        memo.add_memory("Something said here first.", "Noted.")
    valid_user(root, "erin")
    with pytest.raises(InvalidInput, match=r"'dave'.*already holds other pages"):
        run_import(root, tmp_path)
    assert stored(tmp_path, "erin").pages == []  # refused before anything was written
    with pytest.raises(InvalidInput, match="no user 'zed'"):
        run_import(root, tmp_path, users=["zed"])


def test_the_assistant_is_chosen_when_there_are_several(tmp_path: Path) -> None:
    root = tmp_path / "original"
    valid_user(root)
    write_assistant(root, "guide", [{"knowledge": "I am a guide.", "timestamp": "2025-01-01"}])
    write_assistant(root, "chef", [{"knowledge": "I am a chef.", "timestamp": "2025-01-01"}])
    with pytest.raises(InvalidInput, match=r"2 assistants \(chef, guide\)"):
        run_import(root, tmp_path)
    report = run_import(root, tmp_path, assistant_id="chef")
    assert [f.text for f in stored(tmp_path, "alice", "chef").facts if f.kind == "assistant"] == ["I am a chef."]
    assert report.users[0].assistant_id == "chef"


def test_imported_pages_get_the_configured_time_to_live(tmp_path: Path) -> None:
    root = tmp_path / "original"
    valid_user(root)
    run_import(root, tmp_path, memory_ttl_seconds=3600)
    dump = stored(tmp_path, "alice")
    assert all(p.expires_at is not None for p in dump.pages)
    assert all(f.expires_at is None for f in dump.facts)


def test_the_command_line_imports_a_directory_with_a_progress_report(tmp_path: Path) -> None:
    root = tmp_path / "original"
    valid_user(root, "alice")
    args = ["import", str(root), "--data", str(tmp_path / "data")]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "alice: 3 pages (1 short-term, 2 mid-term in 1 segment), a profile, 1 user and 0 assistant" in first.stdout
    again = runner.invoke(app, [*args, "--format", "memoryos-original", "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["users"][0]["status"] == "already imported"
    (root / "users" / "alice" / "mid_term.json").write_text("[]", encoding="utf-8")
    bad = runner.invoke(app, [*args, "--user", "alice"])
    assert bad.exit_code == 1
    assert "users/alice/mid_term.json: expected a JSON object, got a list" in bad.output
    assert "Traceback" not in bad.output
