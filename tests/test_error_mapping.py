"""Each typed error says once how it is reported (`code`, `http_status`, `label`, `exit_status`), and REST, MCP and
the CLI all read it from the class: one error raised by the library reaches each interface as its class says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from doubles import HashingEmbedder
from fastapi.testclient import TestClient
from mcp import Client
from typer.testing import CliRunner

from memoryos import Memoryos
from memoryos.cli import app as cli_app
from memoryos.errors import (
    ConfigError,
    InputTooLarge,
    InvalidInput,
    LLMError,
    LLMNotConfigured,
    MemoryosError,
    NotFound,
    StorageError,
)
from memoryos.interfaces.mcp_server import MemoryServer
from memoryos.interfaces.rest import create_app

# what each interface has always answered (README's error list): the classes must keep saying exactly this
PUBLISHED: dict[type[MemoryosError], tuple[str, int, str, int]] = {
    MemoryosError: ("internal_error", 500, "", 1),
    InvalidInput: ("invalid_input", 422, "invalid argument", 1),
    InputTooLarge: ("input_too_large", 413, "invalid argument", 1),
    ConfigError: ("configuration_error", 500, "configuration error", 1),
    NotFound: ("not_found", 404, "not found", 1),
    StorageError: ("storage_unavailable", 503, "storage failure", 1),
    LLMNotConfigured: ("llm_not_configured", 409, "LLM unavailable", 2),
    LLMError: ("llm_error", 502, "LLM unavailable", 1),
}


def _every_error_class() -> list[type[MemoryosError]]:
    """Those of errors.py and every subclass defined elsewhere (e.g. providers.llm.UnusableAnswer)."""
    found, todo = set(), [MemoryosError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.__qualname__)


def _published(cls: type[MemoryosError]) -> tuple[str, int, str, int]:
    """What the class must say: its own row, or that of the nearest published class it derives from."""
    return PUBLISHED[next(base for base in cls.__mro__ if base in PUBLISHED)]


def _instance(cls: type[MemoryosError]) -> MemoryosError:
    if cls is LLMNotConfigured:
        return LLMNotConfigured("this <test> call")
    if cls is LLMError:
        return LLMError("the <test> endpoint failed", status=401)
    return cls("a <test> failure")


def test_every_error_class_says_what_was_published() -> None:
    classes = _every_error_class()
    assert set(PUBLISHED) <= set(classes)
    for cls in classes:
        assert (cls.code, cls.http_status, cls.label, cls.exit_status) == _published(cls), cls


def test_llm_error_keeps_the_endpoints_own_status() -> None:
    exc = LLMError("unauthorized", status=401)
    assert exc.status == 401 and exc.http_status == 502  # upkeep reads `status`; REST answers `http_status`
    assert LLMError("timed out").status is None


@pytest.fixture
def failing_stats(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Memoryos.stats raises the error put in the returned list: the one library call all three interfaces make."""
    raising: list[MemoryosError] = []

    def stats(_self: Memoryos) -> dict[str, Any]:
        raise raising[0]

    monkeypatch.setattr(Memoryos, "stats", stats)
    return raising


@pytest.mark.parametrize("cls", _every_error_class(), ids=lambda c: c.__name__)
def test_each_interface_reports_an_error_as_its_class_says(
    cls: type[MemoryosError], failing_stats: list[MemoryosError], tmp_path: Path
) -> None:
    _check_interfaces(_instance(cls), failing_stats, tmp_path)


def test_the_interfaces_keep_no_table_of_their_own(
    failing_stats: list[MemoryosError], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Change what a class says, and REST, MCP and the CLI all say it."""
    for name, value in (("code", "teapot"), ("http_status", 418), ("label", "short and stout"), ("exit_status", 7)):
        monkeypatch.setattr(StorageError, name, value)
    _check_interfaces(StorageError("the <test> disk is a teapot"), failing_stats, tmp_path)


def _check_interfaces(exc: MemoryosError, failing_stats: list[MemoryosError], tmp_path: Path) -> None:
    failing_stats.append(exc)
    settings = {"user_id": "alice", "data_storage_path": str(tmp_path / "data"), "background_upkeep": False}

    # REST: the class's status and code, the message as it is
    with TestClient(create_app(settings, embedder=HashingEmbedder()), base_url="http://127.0.0.1") as client:
        response = client.get("/v1/users/alice/stats")
    assert response.status_code == exc.http_status
    assert response.json() == {"error": {"code": exc.code, "message": str(exc)}}

    # MCP: a tool error opened by the class's label (after the SDK's own "Error executing tool ...: ")
    server = MemoryServer(settings, embedder=HashingEmbedder())

    async def main() -> str:
        async with Client(server.mcp) as mcp_client:
            result = await mcp_client.call_tool("memory_stats", {})
            assert result.is_error
            return result.content[0].text  # type: ignore[union-attr]

    try:
        message = anyio.run(main)
    finally:
        server.pool.close()
    assert message.endswith(f"tool memory_stats: {exc.label}: {exc}" if exc.label else f"tool memory_stats: {exc}")

    # CLI: the class's exit status, the message on stderr
    result = CliRunner().invoke(cli_app, ["stats", "--data", str(tmp_path / "data"), "--user", "alice"])
    assert result.exit_code == exc.exit_status, result.output
    assert f"error: {exc}" in result.stderr
