"""LLM providers behind one small protocol, plus usage metering and validated structured output."""

from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError

from ..errors import LLMError
from ..redact import install_log_redaction_for
from ..telemetry import llm_call
from .answers import parse_json_object, strip_reasoning

log = logging.getLogger(__name__)

Message = dict[str, str]


@dataclass
class Completion:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0


@runtime_checkable
class LLM(Protocol):
    """A chat model. `purpose` labels the call for accounting; `json_mode` asks for a JSON object."""

    def complete(
        self, messages: list[Message], *, purpose: str, json_mode: bool = False, max_tokens: int | None = None
    ) -> Completion: ...


class UnusableAnswer(LLMError):
    """The endpoint answered, but with nothing usable (an undecodable body, no text): worth asking again."""


def split_endpoint(base_url: str | None) -> tuple[str | None, dict[str, str] | None]:
    """An endpoint URL as the `openai` client needs it: the URL without its query, and the query's parameters
    (e.g. `?api-key=…` of gateways) to send with every request. The client appends paths to `base_url`, so a
    query left in it would end up inside the path."""
    if not base_url or "?" not in base_url:
        return base_url, None
    url, _, query = base_url.partition("?")
    query, _, _fragment = query.partition("#")
    return url, dict(parse_qsl(query, keep_blank_values=True)) or None


class OpenAICompatibleLLM:
    """Any OpenAI-compatible chat endpoint via the official `openai` client (timeouts, retries, back-off)."""

    def __init__(
        self,
        model: str,
        api_key: str | None,
        base_url: str | None,
        timeout: float = 60.0,
        max_retries: int = 2,
        json_mode: bool = True,
        temperature: float = 0.3,
    ) -> None:
        from openai import OpenAI

        self.model = model
        self.json_mode = json_mode  # turned off for good once the endpoint refuses it
        self._lock = threading.Lock()
        self.temperature = temperature
        url, query = split_endpoint(base_url)
        self._client = OpenAI(
            api_key=api_key or "not-needed", base_url=url, default_query=query, timeout=timeout, max_retries=max_retries
        )
        install_log_redaction_for(self._client)  # its HTTP library logs request URLs

    def complete(
        self, messages: list[Message], *, purpose: str, json_mode: bool = False, max_tokens: int | None = None
    ) -> Completion:
        kwargs: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": self.temperature}
        if max_tokens:
            kwargs["max_tokens"] = max_tokens
        if json_mode and self.json_mode:
            try:
                return self._create({**kwargs, "response_format": {"type": "json_object"}}, purpose)
            except _JsonModeRefused:
                # llama.cpp, vLLM and proxy setups without JSON mode answer 400: the prompt asks for JSON anyway.
                # Only a success without it proves JSON mode was the cause (a 400 can mean other things).
                completion = self._create(kwargs, purpose)
                with self._lock:
                    if self.json_mode:
                        self.json_mode = False
                        log.warning(
                            "the LLM endpoint refused response_format (JSON mode); continuing without it "
                            "(the prompts ask for JSON and answers are parsed leniently)"
                        )
                return completion
        return self._create(kwargs, purpose)

    def _create(self, kwargs: dict[str, Any], purpose: str) -> Completion:
        import openai

        try:
            response = self._client.chat.completions.create(**kwargs)
        except openai.BadRequestError as exc:
            if "response_format" in kwargs:
                raise _JsonModeRefused from exc
            raise LLMError(f"LLM call for {purpose} failed: BadRequestError 400", status=400) from exc
        except openai.APIError as exc:
            # never echo request headers (they carry the key); the class and status say enough
            status = getattr(exc, "status_code", None)
            raise LLMError(
                f"LLM call for {purpose} failed: {type(exc).__name__}{f' {status}' if status else ''}", status=status
            ) from exc
        except Exception as exc:  # malformed bodies surface as various decode errors
            raise UnusableAnswer(f"LLM call for {purpose} failed: {type(exc).__name__}") from exc
        choices = getattr(response, "choices", None) or []
        content = choices[0].message.content if choices and choices[0].message else None
        if not isinstance(content, str):
            raise UnusableAnswer(f"LLM answer for {purpose} had no text content")
        # reasoning models: DeepSeek puts it in `reasoning_content` (never read here), others inline <think>
        text = strip_reasoning(content)
        if not text:
            raise UnusableAnswer(f"LLM answer for {purpose} held only reasoning, no answer")
        usage = getattr(response, "usage", None)
        return Completion(
            text=text,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        )


class _JsonModeRefused(Exception):
    """The endpoint answered 400 to a request that carried `response_format`."""


class UsageMeter:
    """Counts calls, failures and tokens per purpose (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, int]] = defaultdict(
            lambda: {"calls": 0, "failures": 0, "prompt_tokens": 0, "completion_tokens": 0}
        )

    def record(self, purpose: str, completion: Completion | None) -> None:
        with self._lock:
            row = self._data[purpose]
            row["calls"] += 1
            if completion is None:
                row["failures"] += 1
            else:
                row["prompt_tokens"] += completion.prompt_tokens
                row["completion_tokens"] += completion.completion_tokens

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {purpose: dict(row) for purpose, row in self._data.items()}


class MeteredLLM:
    """Wraps any LLM and records every call in a UsageMeter."""

    def __init__(self, inner: LLM, meter: UsageMeter) -> None:
        self.inner = inner
        self.meter = meter

    def complete(
        self, messages: list[Message], *, purpose: str, json_mode: bool = False, max_tokens: int | None = None
    ) -> Completion:
        with llm_call(purpose) as traced:
            try:
                completion = self.inner.complete(messages, purpose=purpose, json_mode=json_mode, max_tokens=max_tokens)
            except Exception:
                self.meter.record(purpose, None)
                raise
            self.meter.record(purpose, completion)
            traced(completion)
        return completion


T = TypeVar("T", bound=BaseModel)


def complete_structured(
    llm: LLM,
    messages: list[Message],
    model: type[T],
    *,
    purpose: str,
    attempts: int = 2,
    max_chars: int = 20_000,
) -> T:
    """Ask for JSON and validate it; a bad answer is retried with the error shown, then raises LLMError."""
    conversation = list(messages)
    last_error = "no attempt made"
    for attempt in range(1, attempts + 1):
        try:
            text = llm.complete(conversation, purpose=purpose, json_mode=True).text
        except UnusableAnswer as exc:  # a garbage body is a bad answer too; transport errors propagate
            text, last_error = "", str(exc)
        else:
            if len(text) > max_chars:
                last_error = f"answer of {len(text):,} characters exceeds the {max_chars:,} limit"
            else:
                try:
                    return model.model_validate(parse_json_object(text))
                except (json.JSONDecodeError, ValidationError, TypeError) as exc:
                    last_error = f"{type(exc).__name__}: {str(exc)[:300]}"
        log.warning("LLM %s answer unusable (attempt %d/%d): %s", purpose, attempt, attempts, last_error)
        conversation = [
            *messages,
            *([{"role": "assistant", "content": text[:2000]}] if text else []),
            {
                "role": "user",
                "content": f"That answer could not be used ({last_error}). Reply with only the JSON object "
                "in the requested format.",
            },
        ]
    raise LLMError(f"LLM gave no usable {purpose} answer after {attempts} attempts: {last_error}")
