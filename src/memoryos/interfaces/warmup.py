"""Loading the local embedding model off the request path, and finishing that load before the process exits."""

from __future__ import annotations

import logging
import threading

from ..config import MemoryosConfig
from ..memoryos import make_embedder

log = logging.getLogger(__name__)

# a first start may export the model to ONNX (~10 s on 2 cores); longer than that, exiting matters more
FINISH_TIMEOUT_SECONDS = 120.0


class ModelWarmUp:
    """Starts the load once in a daemon thread; `finish` waits for it at shutdown.

    A process must not exit while that thread is inside the model runtime's native code (ONNX Runtime aborts the
    process when its thread pool is torn down mid-construction), so servers call `finish` before they return."""

    def __init__(self, config: MemoryosConfig) -> None:
        self._config = config
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._load, name="memoryos-warm-up", daemon=True)
            self._thread.start()

    def _load(self) -> None:
        try:
            make_embedder(self._config)
            log.info("embedding model %s loaded", self._config.embedding_model_name)
        except Exception as exc:  # the first call that needs the model reports it again, as a tool or HTTP error
            log.warning("could not preload the embedding model: %s", exc)

    def finish(self, timeout: float = FINISH_TIMEOUT_SECONDS) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            log.info("waiting for the embedding model to finish loading before exit")
            thread.join(timeout)
