"""`probe_llm` (behind `memoryos doctor`) against the local fake endpoint in each behaviour real servers show."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fake_openai import FakeOpenAIServer

from memoryos.config import MemoryosConfig
from memoryos.providers.probe import probe_llm


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


def config(server: FakeOpenAIServer, **kwargs: object) -> MemoryosConfig:
    return MemoryosConfig(openai_base_url=server.base_url, openai_api_key="test-key", llm_model="fake-model", **kwargs)


def checks(report) -> dict[str, bool | None]:  # type: ignore[no-untyped-def]
    return {c.name: c.ok for c in report.checks}


def test_a_working_endpoint_passes_every_check(server: FakeOpenAIServer) -> None:
    report = probe_llm(config(server))
    assert report.ok
    found = checks(report)
    assert found["reachable"] and found["auth"] and found["model"] and found["json_mode"] and found["json"]
    assert found["reasoning"] is None
    assert server.calls == 1


def test_reasoning_model_without_json_mode_is_usable_and_said_so(server: FakeOpenAIServer) -> None:
    server.set_behaviours("think", "no_json_mode", "prose")
    report = probe_llm(config(server))
    assert report.ok
    found = checks(report)
    assert found["json_mode"] is False and found["reasoning"] is True
    details = {c.name: c.detail for c in report.checks}
    assert "refused" in details["json_mode"] and "strips" in details["reasoning"]


@pytest.mark.parametrize(("fault", "failing"), [("401", "auth"), ("404", "model"), ("500", "chat")])
def test_failures_name_the_step_that_failed(server: FakeOpenAIServer, fault: str, failing: str) -> None:
    server.set_always_fault(fault)
    report = probe_llm(config(server))
    assert not report.ok
    assert checks(report)[failing] is False


def test_unreachable_endpoint_and_secret_in_the_url() -> None:
    cfg = MemoryosConfig(openai_base_url="http://user:s3cr3t-pass@127.0.0.1:9/v1?api-key=s3cr3t-key", llm_model="m")
    report = probe_llm(cfg, timeout=2)
    assert not report.ok and checks(report)["reachable"] is False
    text = str(report.to_dict())
    assert "s3cr3t" not in text


def test_no_llm_configured() -> None:
    report = probe_llm(MemoryosConfig())
    assert not report.ok and checks(report) == {"configured": False}


def test_doctor_command_reports_each_check(server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from memoryos.cli import app

    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("MEMORYOS_LLM_MODEL", "fake-model")
    server.set_behaviours("think", "no_json_mode")
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "json_mode" in result.output and "refused" in result.output and "usable for upkeep" in result.output
    server.set_always_fault("401")
    result = CliRunner().invoke(app, ["doctor", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False and {"name": "auth", "ok": False}.items() <= report["checks"][-1].items()
