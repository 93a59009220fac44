"""A background thread that runs upkeep steps off the caller's path, with back-off after failures."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from .. import foreground
from ..redact import redact_text

log = logging.getLogger(__name__)


class UpkeepWorker:
    """Runs `step()` until it returns False (nothing left) or raises (postponed with back-off).

    Pending work is derived from the stored state (short-term over capacity, hot segments), so nothing is lost
    if the process stops: the next start finds the same work and does it.
    """

    def __init__(
        self,
        step: Callable[[], bool],
        retry_seconds: float,
        name: str = "memoryos-upkeep",
        around: Callable[[], AbstractContextManager[object]] = nullcontext,
    ) -> None:
        self._step = step
        self._around = around  # wraps each pass (memoryos keeps the upkeep lease between a pass's steps)
        self._retry_seconds = retry_seconds
        self._cond = threading.Condition()
        self._requested = 0  # pass requests issued
        self._completed = 0  # pass requests satisfied
        self._retry_at = 0.0
        self._deferred_at: float | None = None  # a pass asked for "soon" (see notify's delay)
        self._closing = False
        self.last_error: str | None = None
        self.failures = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def notify(self, delay: float = 0.0) -> None:
        """Ask for a pass, unless a recent failure asks us to wait. With `delay`, the pass may wait that long
        (never longer than the first such request asked), so that the requests of a busy caller share one pass;
        an undelayed request runs it at once."""
        with self._cond:
            now = time.monotonic()
            if now < self._retry_at:
                return
            if delay > 0:
                if self._deferred_at is None:
                    self._deferred_at = now + delay
                    self._cond.notify_all()
                return
            self._requested += 1
            self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Run a full pass now (ignoring back-off) and wait for it. True if it finished without error."""
        with self._cond:
            self._retry_at = 0.0
            self._requested += 1
            ticket = self._requested
            self._cond.notify_all()
            finished = self._cond.wait_for(lambda: self._completed >= ticket or self._closing, timeout)
            return bool(finished) and self.last_error is None

    def close(self, timeout: float = 30.0) -> None:
        """Stop after the step in progress (one consolidation or promotion at most) and wait for it."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        foreground.mark_background()  # its steps and model calls give way to callers' adds and retrievals
        while True:
            with self._cond:
                while not self._closing and self._requested <= self._completed:
                    if self._deferred_at is None:
                        self._cond.wait()
                    elif self._deferred_at <= time.monotonic():
                        self._requested += 1
                    else:
                        self._cond.wait(self._deferred_at - time.monotonic())
                if self._closing:
                    return
                self._deferred_at = None  # this pass does what was deferred
                ticket = self._requested
            with self._around():
                error = run_until_idle(self._step, should_stop=lambda: self._closing, pause=foreground.give_way)
            with self._cond:
                self.last_error = error
                if error:
                    self.failures += 1
                    self._retry_at = time.monotonic() + self._retry_seconds
                self._completed = ticket
                self._cond.notify_all()


def run_until_idle(
    step: Callable[[], bool],
    max_steps: int = 10_000,
    should_stop: Callable[[], bool] = lambda: False,
    pause: Callable[[], object] = lambda: None,
) -> str | None:
    """Run steps until none is left or `should_stop()`; return the error text if one failed (the work stays
    pending). Stopping between steps loses nothing: what is left is found again from the stored state. `pause()`
    runs before each step (the worker gives way to foreground calls there)."""
    for _ in range(max_steps):
        pause()
        if should_stop():
            return None
        try:
            if not step():
                return None
        except Exception as exc:
            # the text of a client's exception may hold the endpoint URL (its traceback is redacted by the
            # filter on this logger); last_error is shown by stats()
            message = redact_text(str(exc))
            log.warning("memory upkeep postponed: %s", message, exc_info=log.isEnabledFor(logging.DEBUG))
            return f"{type(exc).__name__}: {message}"
    return None
