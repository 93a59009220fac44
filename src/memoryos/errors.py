"""The typed errors memoryos raises. Catch `MemoryosError` to catch them all.

Each class also says, once, how every interface reports it, so that REST, MCP and the CLI keep no tables of
their own: `code` (stable and machine-readable: REST's `{"error": {"code": ...}}`), `http_status` (REST's
status), `label` (the words that open an MCP tool error, `not found: ...`) and `exit_status` (the CLI's).
"""

from __future__ import annotations

from typing import ClassVar


class MemoryosError(Exception):
    """Base class of every error memoryos raises on purpose."""

    code: ClassVar[str] = "internal_error"
    http_status: ClassVar[int] = 500
    label: ClassVar[str] = ""  # nothing to add: the message alone
    exit_status: ClassVar[int] = 1


class InvalidInput(MemoryosError, ValueError):
    """An argument from the caller is malformed (wrong type, empty, unparseable)."""

    code = "invalid_input"
    http_status = 422
    label = "invalid argument"


class InputTooLarge(InvalidInput):
    """An input is over its configured limit (`max_input_chars`, `max_meta_data_bytes`) or an HTTP body over its own."""

    code = "input_too_large"
    http_status = 413


class ConfigError(MemoryosError, ValueError):
    """The configuration is inconsistent or names something that cannot be loaded."""

    code = "configuration_error"
    http_status = 500
    label = "configuration error"


class NotFound(MemoryosError, KeyError):
    """An id names nothing in this user's memory."""

    code = "not_found"
    http_status = 404
    label = "not found"

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else "not found"


class StorageError(MemoryosError):
    """The storage backend failed (disk full, read-only, locked, corrupt)."""

    code = "storage_unavailable"
    http_status = 503
    label = "storage failure"


class LLMNotConfigured(MemoryosError):
    """An operation needs an LLM but none is configured."""

    code = "llm_not_configured"
    http_status = 409  # the server's configuration, not the request, lacks it
    label = "LLM unavailable"
    exit_status = 2  # like a usage error: nothing was tried

    def __init__(self, operation: str = "this operation") -> None:
        super().__init__(
            f"{operation} needs an LLM, and none is configured. Set openai_api_key / openai_base_url "
            "(or the environment variables OPENAI_API_KEY / OPENAI_BASE_URL, and MEMORYOS_LLM_MODEL) "
            "to any OpenAI-compatible endpoint: OpenAI, DeepSeek, vLLM, Ollama, llama.cpp server."
        )


class LLMError(MemoryosError):
    """The LLM endpoint failed or kept answering with unusable output after the retry budget.

    `status` is the endpoint's own HTTP status when it answered with an error (upkeep reads it: 401/403/404 will
    not fix themselves); `http_status` is what memoryos's REST API answers with (502)."""

    code = "llm_error"
    http_status = 502
    label = "LLM unavailable"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the endpoint's HTTP status, when it answered with an error
