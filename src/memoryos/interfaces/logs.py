"""Logging for the shells: stderr or a file, never stdout (stdout carries MCP protocol messages or JSON output)."""

from __future__ import annotations

import logging
import sys

from ..redact import redacting_filter

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def configure_logging(level: str = "WARNING", log_file: str | None = None) -> None:
    """Route every log record (ours, the SDK's, uvicorn's) to stderr or `log_file`."""
    name = level.upper()
    if name not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)}")
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redacting_filter())  # no credential inside a URL reaches the log, whoever logs it
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(name)
    # one-time notices (a first run preparing the embedding model, and how long it took) show unless the user asked
    # for errors only
    logging.getLogger("memoryos.notice").setLevel(logging.INFO if root.level <= logging.WARNING else logging.NOTSET)
    # third-party chatter at INFO would drown our own startup lines
    for noisy in ("httpx", "httpcore", "sentence_transformers", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    logging.captureWarnings(True)  # warnings go through the same handler, not bare stderr writes
