"""Settings for the shells: a JSON config file, then environment variables, then command-line flags."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from ..config import ENV_OVERRIDES, MemoryosConfig, build_config
from ..errors import ConfigError
from ..memoryos import Memoryos
from ..redact import redact_url

log = logging.getLogger(__name__)


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The established MemoryOS config.json: a flat object of MemoryosConfig fields.

    Keys starting with "_" are comments; empty strings mean "not set" (example files ship them as placeholders);
    a relative data_storage_path is relative to the file.
    """
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {file} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {file}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"config file {file} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {file} must hold a JSON object of settings")
    settings = {k: v for k, v in data.items() if not k.startswith("_") and v != ""}
    unknown = sorted(set(settings) - set(MemoryosConfig.model_fields))
    if unknown:
        raise ConfigError(f"config file {file}: unknown setting(s) {', '.join(unknown)}")
    data_path = settings.get("data_storage_path")
    if isinstance(data_path, str) and not Path(data_path).expanduser().is_absolute():
        # MCP clients start servers from arbitrary directories: anchor the data next to the config file
        settings["data_storage_path"] = str(file.resolve().parent / data_path)
    return settings


def resolve_settings(config_path: str | os.PathLike[str] | None = None, **flags: Any) -> dict[str, Any]:
    """Merge file < environment < flags (flags that are None are unset) and validate the result."""
    settings = read_config_file(config_path) if config_path else {}
    for env_name, field in ENV_OVERRIDES.items():
        value = os.environ.get(env_name)
        if value:
            settings[field] = value
    settings.update({k: v for k, v in flags.items() if v is not None})
    build_config(settings)  # fail early, with the library's message, on a bad value
    return settings


def effective_config(settings: dict[str, Any]) -> MemoryosConfig:
    return build_config(settings)


def open_memory(settings: dict[str, Any], **overrides: Any) -> Memoryos:
    """A Memoryos for these settings; `overrides` may also carry `llm=` / `embedder=` / `clock=` objects."""
    return Memoryos(**{**settings, **{k: v for k, v in overrides.items() if v is not None}})


def describe_llm(config: MemoryosConfig) -> str:
    """Which LLM consolidation uses, for startup logs (never the key)."""
    if not config.llm_enabled:
        return "none (no-LLM extractive mode)"
    endpoint = redact_url(config.openai_base_url or "https://api.openai.com/v1")
    return f"OpenAI-compatible endpoint {endpoint}, model {config.llm_model}"
