"""OpenTelemetry spans and metrics for add, retrieve (and its stages), upkeep and LLM calls (the `[otel]` extra).

Without the opentelemetry API installed every hook here is inert: the decorators return the methods unchanged and
`llm_call` is a shared no-op, so memory pays nothing for instrumentation nobody asked for. With the API and no SDK
configured, the API's own no-op tracer and meter serve (some microseconds a span: ~17 µs on a loaded 2-core
machine, against the milliseconds of a retrieve). The application chooses the
SDK and exporters; memoryos only reports, through the tracer and meter named "memoryos".

Spans: `memoryos.add_memory`, `memoryos.retrieve` with one child per stage (`memoryos.retrieve.query`, `.embed`,
`.search`, `.rank`, `.long_term`), `memoryos.upkeep` (one unit of upkeep) and `memoryos.llm` (one model call, with
its purpose and tokens). Metrics: `memoryos.pages.added`, `memoryos.retrieve.duration` (ms, per stage),
`memoryos.llm.calls` (per purpose and outcome) and `memoryos.llm.tokens` (per purpose and prompt/completion).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

try:
    from opentelemetry import metrics, trace
except ImportError:  # the [otel] extra is not installed
    metrics = trace = None  # type: ignore[assignment]

ENABLED = trace is not None
STAGES = ("query", "embed", "search", "rank", "long_term")  # retrieve's stages, in the order they run

F = TypeVar("F", bound=Callable[..., Any])



def configure(tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Report to these providers instead of the global ones (None: the global ones, the default), for an
    application that does not set OpenTelemetry's globals. Without the API installed, nothing to configure."""
    global _tracer, _pages_added, _retrieve_ms, _llm_calls, _llm_tokens
    if not ENABLED:
        return
    _tracer = trace.get_tracer("memoryos", tracer_provider=tracer_provider)
    meter = metrics.get_meter("memoryos", meter_provider=meter_provider)
    _pages_added = meter.create_counter("memoryos.pages.added", unit="{page}", description="Pages stored")
    _retrieve_ms = meter.create_histogram(
        "memoryos.retrieve.duration", unit="ms", description="retrieve() and each of its stages"
    )
    _llm_calls = meter.create_counter("memoryos.llm.calls", unit="{call}", description="LLM calls by outcome")
    _llm_tokens = meter.create_counter("memoryos.llm.tokens", unit="{token}", description="LLM tokens")


_tracer: Any = None
_pages_added: Any = None
_retrieve_ms: Any = None
_llm_calls: Any = None
_llm_tokens: Any = None
configure()


def _scope(memo: Any) -> dict[str, str]:
    scope = getattr(memo, "scope", None)
    return {
        "memoryos.user_id": str(getattr(scope, "user_id", "?")),
        "memoryos.assistant_id": str(getattr(scope, "assistant_id", "?")),
    }


def traced_add(method: F) -> F:
    """Memoryos.add_memory in a span; counts pages stored."""
    if not ENABLED:
        return method

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        attributes = _scope(self)
        with _tracer.start_as_current_span("memoryos.add_memory", attributes=attributes) as span:
            page_id = method(self, *args, **kwargs)
            span.set_attribute("memoryos.page_id", str(page_id))
        _pages_added.add(1, {"memoryos.assistant_id": attributes["memoryos.assistant_id"]})
        return page_id

    return wrapper  # type: ignore[return-value]


def traced_retrieve(method: F) -> F:
    """Memoryos.retrieve in a span, its stages as child spans laid out from the timings retrieve measures itself
    (the stages run one after another), and their durations as a histogram."""
    if not ENABLED:
        return method

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        attributes = _scope(self)
        with _tracer.start_as_current_span("memoryos.retrieve", attributes=attributes) as span:
            started = time.time_ns()
            result = method(self, *args, **kwargs)
            timings: dict[str, float] = getattr(result, "timings_ms", {}) or {}
            span.set_attribute("memoryos.update_heat", bool(kwargs.get("update_heat", True)))
            span.set_attribute("memoryos.pages", len(getattr(result, "pages", [])))
            span.set_attribute("memoryos.visited_segments", len(getattr(result, "visited_segment_ids", [])))
            at = started
            for stage in STAGES:
                if stage not in timings:
                    continue
                end = at + int(timings[stage] * 1_000_000)
                _tracer.start_span(f"memoryos.retrieve.{stage}", start_time=at, attributes=attributes).end(end)
                _retrieve_ms.record(timings[stage], {"memoryos.stage": stage})
                at = end
            if "total" in timings:
                _retrieve_ms.record(timings["total"], {"memoryos.stage": "total"})
        return result

    return wrapper  # type: ignore[return-value]


def traced_upkeep(method: F) -> F:
    """One unit of upkeep (purge, consolidation, promotion or re-analysis) in a span; whether it found work."""
    if not ENABLED:
        return method

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _tracer.start_as_current_span("memoryos.upkeep", attributes=_scope(self)) as span:
            did_work = method(self, *args, **kwargs)
            span.set_attribute("memoryos.did_work", bool(did_work))
        return did_work

    return wrapper  # type: ignore[return-value]


@contextmanager
def _no_llm_span(purpose: str) -> Iterator[Callable[[Any], None]]:
    yield _ignore


def _ignore(completion: Any) -> None:
    return None


@contextmanager
def _llm_span(purpose: str) -> Iterator[Callable[[Any], None]]:
    """A span around one LLM call; the caller hands the completion to the yielded function to record its tokens.
    An exception marks the call failed (and propagates)."""
    with _tracer.start_as_current_span("memoryos.llm", attributes={"memoryos.purpose": purpose}) as span:

        def record(completion: Any) -> None:
            prompt = int(getattr(completion, "prompt_tokens", 0) or 0)
            answer = int(getattr(completion, "completion_tokens", 0) or 0)
            span.set_attribute("gen_ai.usage.input_tokens", prompt)
            span.set_attribute("gen_ai.usage.output_tokens", answer)
            _llm_tokens.add(prompt, {"memoryos.purpose": purpose, "memoryos.token_type": "prompt"})
            _llm_tokens.add(answer, {"memoryos.purpose": purpose, "memoryos.token_type": "completion"})

        try:
            yield record
        except BaseException:
            _llm_calls.add(1, {"memoryos.purpose": purpose, "memoryos.outcome": "error"})
            raise
        _llm_calls.add(1, {"memoryos.purpose": purpose, "memoryos.outcome": "ok"})


llm_call = _llm_span if ENABLED else _no_llm_span
