"""The typed errors memoryos raises. Catch `MemoryosError` to catch them all."""

from __future__ import annotations


class MemoryosError(Exception):
    """Base class of every error memoryos raises on purpose."""


class InvalidInput(MemoryosError, ValueError):
    """An argument from the caller is malformed (wrong type, empty, unparseable)."""


class InputTooLarge(InvalidInput):
    """An input is over its configured limit (`max_input_chars`, `max_meta_data_bytes`) or an HTTP body over its own."""


class ConfigError(MemoryosError, ValueError):
    """The configuration is inconsistent or names something that cannot be loaded."""


class NotFound(MemoryosError, KeyError):
    """An id names nothing in this user's memory."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else "not found"


class StorageError(MemoryosError):
    """The storage backend failed (disk full, read-only, locked, corrupt)."""


class LLMNotConfigured(MemoryosError):
    """An operation needs an LLM but none is configured."""

    def __init__(self, operation: str = "this operation") -> None:
        super().__init__(
            f"{operation} needs an LLM, and none is configured. Set openai_api_key / openai_base_url "
            "(or the environment variables OPENAI_API_KEY / OPENAI_BASE_URL, and MEMORYOS_LLM_MODEL) "
            "to any OpenAI-compatible endpoint: OpenAI, DeepSeek, vLLM, Ollama, llama.cpp server."
        )


class LLMError(MemoryosError):
    """The LLM endpoint failed or kept answering with unusable output after the retry budget."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the endpoint's HTTP status, when it answered with an error
