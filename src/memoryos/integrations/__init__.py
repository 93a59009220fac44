"""Adapters that put memoryos inside agent frameworks; each imports its framework only when used.

- `memoryos.integrations.openai_agents`: `MemoryosSession`, a Session of the OpenAI Agents SDK (extra `[agents]`).
- `memoryos.integrations.langchain`: a recall step, a remember step and memory tools for LangGraph / LangChain
  (extra `[langchain]`).
"""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str) -> ModuleType:
    """Import a framework module, or say which memoryos extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"this memoryos integration needs {module.split('.')[0]!r}: pip install 'memoryos[{extra}]' ({exc})"
        ) from exc
