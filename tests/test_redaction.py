"""Credentials inside URLs (a PostgreSQL password, an LLM endpoint's userinfo and `?api-key=`) never reach a log
(DEBUG included), an error message, `stats`, an export, the MCP startup line, REST `/v1/info` and stats, or the
command line."""

from __future__ import annotations

import json
import logging
import subprocess
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import psycopg
import pytest
from doubles import HashingEmbedder
from fake_openai import FakeOpenAIServer
from test_mcp_helpers import child_env, memoryos_command

from memoryos import ConfigError, LLMError, Memoryos, MemoryosConfig, StorageError
from memoryos.config import build_config
from memoryos.redact import redact_settings, redact_text, redact_url
from memoryos.storage import open_store

PG_PASSWORD = "pgPa55-7f3a91c2"
PG_QUERY_PASSWORD = "pgQuery-0b6d44e1"
LLM_PASSWORD = "llmPa55-4be2c07d"
LLM_QUERY_KEY = "qKey-8d1e5f07a2"
SECRETS = (PG_PASSWORD, PG_QUERY_PASSWORD, LLM_PASSWORD, LLM_QUERY_KEY)
ROLE = "memo_secret"


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked: …{text[max(0, text.find(secret) - 120) :][:240]!r}…"


def llm_url(server: FakeOpenAIServer) -> str:
    """The fake endpoint behind HTTP basic-auth userinfo and an `api-key` query parameter, as gateways want."""
    parts = urlsplit(server.base_url)
    return urlunsplit(
        (parts.scheme, f"alice:{LLM_PASSWORD}@{parts.netloc}", parts.path, f"api-key={LLM_QUERY_KEY}&v=1", "")
    )


# ---- the functions ----


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://memoryos@127.0.0.1:5432/memoryos", "postgresql://memoryos@127.0.0.1:5432/memoryos"),
        ("postgresql://user:pw@db:5432/mem?sslmode=require", "postgresql://user:***@db:5432/mem?sslmode=require"),
        ("postgres://u:p%40ss@[::1]:5432/db", "postgres://u:***@[::1]:5432/db"),
        ("postgresql://:onlypw@host/db", "postgresql://:***@host/db"),
        ("postgresql://user:p@ss@host/db", "postgresql://user:***@host/db"),  # "@" unencoded in the password
        ("postgresql://user:pa/ss@host/db", "postgresql://user:***@host/db"),  # "/" unencoded in the password
        ("postgresql:///db?user=u&password=pw&PassWord=x", "postgresql:///db?user=u&password=***&PassWord=***"),
        ("http://user:SECRET@host/v1?api-key=SECRET", "http://user:***@host/v1?api-key=***"),
        (
            "https://h/v1?API_KEY=a&apikey=b&key=c&token=d&access_token=e&sig=f&signature=g&auth=h&secret=i&model=m",
            "https://h/v1?API_KEY=***&apikey=***&key=***&token=***&access_token=***&sig=***&signature=***&auth=***"
            "&secret=***&model=m",
        ),
        ("https://h/cb#access_token=t&state=s", "https://h/cb#access_token=***&state=s"),
        ("http://127.0.0.1:11434/v1", "http://127.0.0.1:11434/v1"),
        ("sqlite:////tmp/data/memoryos.db?timeout=5", "sqlite:////tmp/data/memoryos.db?timeout=5"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert redact_url(shown) == shown  # idempotent


def test_redact_text_finds_urls_connection_strings_and_query_parameters() -> None:
    text = (
        "connection to \"postgresql://u:pa'ss@h/db\" failed; host=h password='a b' user=u; "
        "Unknown path: /v1/?api-key=k1&Token=k2; see https://x:y@h/p."
    )
    assert redact_text(text) == (
        'connection to "postgresql://u:***@h/db" failed; host=h password=*** user=u; '
        "Unknown path: /v1/?api-key=***&Token=***; see https://x:***@h/p."
    )
    assert redact_text("3 tokens, max_keywords 12, a=b") == "3 tokens, max_keywords 12, a=b"


def test_redact_settings() -> None:
    shown = redact_settings(
        {
            "openai_api_key": "sk-x",
            "storage": f"postgresql://u:{PG_PASSWORD}@h/d",
            "openai_base_url": f"http://u:{LLM_PASSWORD}@h/v1?api-key={LLM_QUERY_KEY}",
            "embedding_base_url": None,
            "max_keywords": 12,
            "nested": {"token": "t", "url": f"http://h/?key={LLM_QUERY_KEY}"},
        }
    )
    assert shown == {
        "openai_api_key": "***",
        "storage": "postgresql://u:***@h/d",
        "openai_base_url": "http://u:***@h/v1?api-key=***",
        "embedding_base_url": None,
        "max_keywords": 12,
        "nested": {"token": "***", "url": "http://h/?key=***"},
    }


# ---- configuration and storage errors (no server needed) ----


def test_config_repr_settings_dump_and_errors_hide_url_credentials() -> None:
    storage = f"postgresql://{ROLE}:{PG_PASSWORD}@db.internal:5432/mem?password={PG_QUERY_PASSWORD}"
    endpoint = f"http://alice:{LLM_PASSWORD}@llm.internal/v1?api-key={LLM_QUERY_KEY}"
    config = MemoryosConfig(storage=storage, openai_base_url=endpoint, embedding_base_url=endpoint)
    assert_no_secret(repr(config), str(config), str(config.public_dict()), json.dumps(config.public_dict()))
    assert f"{ROLE}:***@db.internal:5432/mem" in repr(config)  # still says where and as whom
    assert config.storage_url() == storage  # the real value is untouched

    errors = []
    for bad in (
        {"openai_key": LLM_QUERY_KEY},  # a typo of openai_api_key: pydantic would echo the value
        {"storage": f"postgresql://u:{PG_PASSWORD}@h/d", "short_term_capacity": 0},
        {"openai_base_url": ["http://u:" + LLM_PASSWORD + "@h"]},
    ):
        with pytest.raises(ConfigError) as caught:
            build_config(bad)
        errors.append(caught.value)
    with pytest.raises(ConfigError) as caught:
        open_store(f"mysql://u:{PG_PASSWORD}@h/db")
    errors.append(caught.value)
    assert "openai_key" in str(errors[0]) and "short_term_capacity" in str(errors[1])
    for error in errors:
        assert_no_secret(str(error), repr(error), "".join(traceback.format_exception(error)))


def test_postgres_error_mapping_hides_the_password() -> None:
    from memoryos.storage.postgres import PostgresStore

    store = PostgresStore.__new__(PostgresStore)  # the error mapping only; no server
    store._psycopg = psycopg
    url = f"postgresql://{ROLE}:{PG_PASSWORD}@h:5432/db?password={PG_QUERY_PASSWORD}"
    for raised in (
        psycopg.OperationalError(f'connection to "{url}" failed'),
        psycopg.ProgrammingError(f"invalid connection string: host=h password={PG_PASSWORD} user=u"),
    ):
        with pytest.raises(StorageError) as caught, store._errors():
            raise raised
        assert_no_secret(str(caught.value))
        assert "***" in str(caught.value)


# ---- a live store and endpoint ----


@pytest.fixture(params=["sqlite", "postgres"])
def secret_storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite (no secret of its own), or PostgreSQL reached by a role with a password, in the userinfo and in the
    query (the test server trusts local connections, so the password is carried but not checked)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'memoryos.db'}"
        return
    base = request.getfixturevalue("postgres_base_url")
    template = request.getfixturevalue("postgres_template")
    name = f"memoryos_secret_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone():
            conn.execute(f"CREATE ROLE {ROLE} LOGIN SUPERUSER PASSWORD '{PG_PASSWORD}'")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template} OWNER {ROLE}")
    parts = urlsplit(base)
    host = parts.netloc.rpartition("@")[2]
    query = "&".join(q for q in (parts.query, f"password={PG_QUERY_PASSWORD}") if q)
    yield urlunsplit((parts.scheme, f"{ROLE}:{PG_PASSWORD}@{host}", f"/{name}", query, ""))
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_library_logs_stats_exports_and_errors_never_show_url_credentials(
    secret_storage: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeOpenAIServer(lambda body: "{}" if body.get("response_format") else "You like tea.") as server:
        endpoint = llm_url(server)
        memo = Memoryos(
            user_id="tom",
            storage=secret_storage,
            openai_base_url=endpoint,
            embedding_base_url=endpoint,
            embedding_model_name="fake-embed",
            llm_max_retries=0,
            llm_output_attempts=1,
            short_term_capacity=2,
            short_term_retain=0,
            upkeep_retry_seconds=0.0,
        )
        errors: list[BaseException] = []
        try:
            memo.add_memory("I like green tea.", "Noted.")
            # the endpoint works with its credentials: the api-key travels as a query parameter, not in the path
            assert memo.get_response("What do I like?") == "You like tea."
            assert server.calls >= 1 and server.embedding_calls >= 1
            memo.add_memory("And oolong.", "Nice.")  # consolidation gets "{}": unusable, postponed, logged
            assert memo.flush(timeout=30) is False
            server.set_always_fault("500")
            with pytest.raises(LLMError) as caught:
                memo.get_response("What else?")
            errors.append(caught.value)
            stats = memo.stats()
            assert stats["upkeep"]["failures"] >= 1 and stats["upkeep"]["last_error"]
            texts = [json.dumps(stats, default=str), json.dumps(memo.export(), default=str), repr(memo)]
            texts += [repr(memo.config), str(memo.config.public_dict())]
        finally:
            memo.close()
    for error in errors:
        texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
    texts += [caplog.text, *(record.getMessage() for record in caplog.records)]
    assert_no_secret(*texts)
    ready = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("memoryos ready"))
    assert "alice:***@" in ready and "api-key=***" in ready  # the ready line names the endpoint, redacted
    # one short INFO line per instance (a server opens one per user); the ~50 settings only at DEBUG
    assert "short_term_capacity" not in ready and len(ready) < 300
    dump = next(r for r in caplog.records if r.getMessage().startswith("settings of"))
    assert dump.levelno == logging.DEBUG and "short_term_capacity" in dump.getMessage()
    assert "alice:***@" in dump.getMessage() and "api-key=***" in dump.getMessage()  # the dump too, redacted
    if secret_storage.startswith("postgresql"):
        assert f"storage=postgresql://{ROLE}:***@" in ready
        assert stats["storage"]["url"].startswith(f"postgresql://{ROLE}:***@")
    assert any("HTTP Request" in r.getMessage() and "api-key=***" in r.getMessage() for r in caplog.records)


def test_mcp_startup_line_and_memory_stats_hide_credentials(
    secret_storage: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcp import Client

    from memoryos.interfaces import mcp_server

    caplog.set_level(logging.DEBUG)
    endpoint = f"http://alice:{LLM_PASSWORD}@127.0.0.1:9/v1?api-key={LLM_QUERY_KEY}"  # never called here
    settings = {"user_id": "tom", "storage": secret_storage, "openai_base_url": endpoint}
    server = mcp_server.MemoryServer(settings, embedder=HashingEmbedder())

    async def main() -> dict[str, Any]:
        async with Client(server.mcp) as client:
            result = await client.call_tool("memory_stats", {})
            assert not result.is_error, result.content
            return result.structured_content or {}

    stats = anyio.run(main)
    monkeypatch.setattr(mcp_server.anyio, "run", lambda *a, **k: None)  # the startup lines, not the serving
    server.serve("stdio")
    lines = [r.getMessage() for r in caplog.records]
    startup = next(line for line in lines if "MCP server on stdio" in line)
    llm_line = next(line for line in lines if line.startswith("LLM for consolidation"))
    assert "alice:***@127.0.0.1:9/v1?api-key=***" in llm_line
    if secret_storage.startswith("postgresql"):
        assert f"storage=postgresql://{ROLE}:***@" in startup
    assert_no_secret(json.dumps(stats), caplog.text, *lines)


def test_rest_info_and_stats_hide_credentials(
    secret_storage: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from memoryos.interfaces.rest import create_app

    caplog.set_level(logging.DEBUG)
    endpoint = f"http://alice:{LLM_PASSWORD}@127.0.0.1:9/v1?api-key={LLM_QUERY_KEY}"
    settings = {
        "user_id": "tom",
        "storage": secret_storage,
        "openai_base_url": endpoint,
        "data_storage_path": str(tmp_path / "data"),
        "background_upkeep": False,
    }
    with TestClient(create_app(settings, embedder=HashingEmbedder()), base_url="http://127.0.0.1") as client:
        info = client.get("/v1/info")
        added = client.post("/v1/users/tom/memories", json={"user_input": "hi", "agent_response": "hello"})
        stats = client.get("/v1/users/tom/stats")
        export = client.get("/v1/users/tom/export")
    assert info.status_code == 200 and added.status_code == 201 and stats.status_code == 200
    assert export.status_code == 200
    assert_no_secret(info.text, stats.text, export.text, caplog.text)


def test_cli_verbose_log_and_stats_json_hide_credentials(secret_storage: str, tmp_path: Path) -> None:
    endpoint = f"http://alice:{LLM_PASSWORD}@127.0.0.1:9/v1?api-key={LLM_QUERY_KEY}"
    result = subprocess.run(
        [*memoryos_command(), "--verbose", "stats", "--json", "--user", "tom", "--storage", secret_storage],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(OPENAI_BASE_URL=endpoint, MEMORYOS_DATA=str(tmp_path / "data")),
    )
    assert result.returncode == 0, result.stderr
    assert "memoryos ready" in result.stderr and "api-key=***" in result.stderr
    assert json.loads(result.stdout)["user_id"] == "tom"
    assert_no_secret(result.stdout, result.stderr)
    failed = subprocess.run(
        [*memoryos_command(), "stats", "--storage", f"mysql://u:{PG_PASSWORD}@h/db"],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(),
    )
    assert failed.returncode == 1 and "error: unknown storage URL" in failed.stderr
    assert_no_secret(failed.stdout, failed.stderr)
