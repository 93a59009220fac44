"""memoryos: a memory operating system for personalized AI agents (after MemoryOS, arXiv 2506.06326)."""

from __future__ import annotations

import logging

from .async_api import AsyncMemoryos
from .config import MemoryosConfig
from .errors import (
    ConfigError,
    InputTooLarge,
    InvalidInput,
    LLMError,
    LLMNotConfigured,
    MemoryosError,
    NotFound,
    StorageError,
)
from .memoryos import Memoryos
from .redact import install_log_redaction
from .retrieval.result import RetrievalResult, RetrievedFact, RetrievedPage, RetrievedSegment

logging.getLogger(__name__).addHandler(logging.NullHandler())
install_log_redaction()  # credentials in URLs never reach a log, ours or our libraries'

__version__ = "0.1.0"

__all__ = [
    "AsyncMemoryos",
    "ConfigError",
    "InputTooLarge",
    "InvalidInput",
    "LLMError",
    "LLMNotConfigured",
    "Memoryos",
    "MemoryosConfig",
    "MemoryosError",
    "NotFound",
    "RetrievalResult",
    "RetrievedFact",
    "RetrievedPage",
    "RetrievedSegment",
    "StorageError",
    "__version__",
]
