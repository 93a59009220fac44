"""One look at the configured LLM endpoint: what works, what does not, and what memoryos will do about it.

`memoryos doctor` prints this report. It makes at most three small requests (the model list, one chat call with
JSON mode, and one without it if JSON mode is refused) and never stores anything.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from ..config import MemoryosConfig
from ..redact import redact_url
from .answers import parse_json_object, strip_reasoning

PROBE_MESSAGES = [
    {"role": "system", "content": 'Reply with one JSON object: {"ok": true, "colour": "<a colour>"}.'},
    {"role": "user", "content": "Name any colour."},
]


@dataclass
class Check:
    name: str
    ok: bool | None  # None: not tried (an earlier step failed)
    detail: str


@dataclass
class LLMReport:
    endpoint: str
    model: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Usable for upkeep: reachable, authorised, the model answers with parseable JSON."""
        usable = {"reachable", "auth", "model", "json"}
        return all(c.ok for c in self.checks if c.name in usable) and {c.name for c in self.checks} >= usable

    def add(self, name: str, ok: bool | None, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "model": self.model,
            "ok": self.ok,
            "checks": [asdict(c) for c in self.checks],
        }


def probe_llm(config: MemoryosConfig, timeout: float = 20.0) -> LLMReport:
    import openai

    report = LLMReport(
        endpoint=redact_url(config.openai_base_url or "https://api.openai.com/v1"), model=config.llm_model
    )
    if not config.llm_enabled:
        report.add(
            "configured", False, "no LLM configured (OPENAI_API_KEY / OPENAI_BASE_URL); memoryos runs extractively"
        )
        return report
    key = config.openai_api_key.get_secret_value() if config.openai_api_key else None
    client = openai.OpenAI(api_key=key or "not-needed", base_url=config.openai_base_url, timeout=timeout, max_retries=0)

    try:
        models = [m.id for m in client.models.list()]
    except openai.AuthenticationError:
        report.add("reachable", True, "the endpoint answered")
        report.add("auth", False, "HTTP 401: the API key was refused")
        return report
    except openai.APIConnectionError as exc:
        report.add("reachable", False, f"cannot connect: {type(exc).__name__}")
        return report
    except openai.APIError as exc:
        models = []  # some servers have no model list; the chat call below still tells
        report.add("reachable", True, f"no model list ({type(exc).__name__} {getattr(exc, 'status_code', '')})")
    else:
        report.add("reachable", True, f"{len(models)} model(s) listed")

    request: dict[str, Any] = {"model": config.llm_model, "messages": PROBE_MESSAGES, "max_tokens": 400}
    started = time.perf_counter()
    json_mode, reasoning = True, False
    try:
        response = client.chat.completions.create(**request, response_format={"type": "json_object"})
    except openai.BadRequestError:
        json_mode = False
        started = time.perf_counter()
        try:
            response = client.chat.completions.create(**request)
        except openai.APIError as exc:
            return _chat_failed(report, exc, models)
    except openai.APIError as exc:
        return _chat_failed(report, exc, models)
    latency_ms = (time.perf_counter() - started) * 1000
    report.add("auth", True, "accepted")
    listed = not models or config.llm_model in models
    report.add("model", True, "found" if listed else "answers, though not in the model list")
    message = response.choices[0].message if response.choices else None
    content = (message.content if message else None) or ""
    reasoning = bool(getattr(message, "reasoning_content", None)) or strip_reasoning(content) != content.strip()
    report.add(
        "json_mode",
        json_mode,
        "response_format honoured" if json_mode else "response_format refused (HTTP 400): memoryos asks without it",
    )
    try:
        parse_json_object(content)
        report.add("json", True, "the answer holds a JSON object")
    except ValueError:
        report.add("json", False, f"no JSON object in the answer ({len(content)} characters)")
    report.add(
        "reasoning",
        None if not reasoning else True,
        "reasoning blocks sent: memoryos strips them" if reasoning else "no reasoning blocks",
    )
    report.add("latency", True, f"{latency_ms:.0f} ms for one short JSON answer")
    return report


def _chat_failed(report: LLMReport, exc: Exception, models: list[str]) -> LLMReport:
    status = getattr(exc, "status_code", None)
    if status == 401:
        report.add("auth", False, "HTTP 401: the API key was refused")
    elif status == 404:
        report.add("auth", True, "accepted")
        hint = f"; listed: {', '.join(models[:8])}" if models else ""
        report.add("model", False, f"HTTP 404: the model {report.model!r} does not exist{hint}")
    else:
        report.add("chat", False, f"the chat call failed: {type(exc).__name__}{f' {status}' if status else ''}")
    return report
