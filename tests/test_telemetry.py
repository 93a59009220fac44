"""OpenTelemetry: spans for add, retrieve (with its stages), upkeep and LLM calls, token and call metrics, read
back through the SDK's in-memory exporter and reader; and nothing at all without the API installed."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from doubles import ManualClock, ScriptedLLM

from memoryos import Memoryos, telemetry
from memoryos.testing import HashingEmbedder

sdk_trace = pytest.importorskip("opentelemetry.sdk.trace", reason="the OpenTelemetry SDK is a dev dependency")
from opentelemetry.sdk.metrics import MeterProvider  # noqa: E402
from opentelemetry.sdk.metrics.export import InMemoryMetricReader  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402

EXPORTER = InMemorySpanExporter()
READER = InMemoryMetricReader()


@pytest.fixture(scope="module", autouse=True)
def _providers() -> Iterator[None]:
    """This module's exporter and reader through telemetry.configure: OpenTelemetry's global providers, which can
    be set once per process, stay untouched for the rest of the session."""
    provider, meters = sdk_trace.TracerProvider(), MeterProvider(metric_readers=[READER])
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
    telemetry.configure(provider, meters)
    yield
    telemetry.configure()  # back to the global providers
    provider.shutdown()
    meters.shutdown()
    EXPORTER.clear()


def _metric_points(name: str) -> list[Any]:
    data = READER.get_metrics_data()
    return [
        point
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == name
        for point in metric.data.data_points
    ]


def test_add_retrieve_upkeep_and_llm_calls_are_traced_and_counted(tmp_path: Path) -> None:
    EXPORTER.clear()
    memo = Memoryos(
        user_id="tom",
        data_storage_path=str(tmp_path),
        embedder=HashingEmbedder(),
        llm=ScriptedLLM(),
        clock=ManualClock(),
        background_upkeep=False,
        short_term_capacity=3,
        short_term_retain=0,
    )
    try:
        for text in ("I work as a pilot.", "I fly to Tokyo often.", "I like green tea.", "My dog is Rex."):
            memo.add_memory(text, "Noted.")
        result = memo.retrieve("What is my job?")
        memo.flush()
    finally:
        memo.close()
    spans = EXPORTER.get_finished_spans()
    names = [s.name for s in spans]
    assert names.count("memoryos.add_memory") == 4
    assert all(s.attributes["memoryos.user_id"] == "tom" for s in spans if s.name.startswith("memoryos.add"))

    [retrieve] = [s for s in spans if s.name == "memoryos.retrieve"]
    stages = [s for s in spans if s.name.startswith("memoryos.retrieve.")]
    assert [s.name.rsplit(".", 1)[1] for s in stages] == ["query", "embed", "search", "rank", "long_term"]
    assert all(s.parent is not None and s.parent.span_id == retrieve.context.span_id for s in stages)
    assert retrieve.start_time <= stages[0].start_time and stages[-1].end_time <= retrieve.end_time
    assert all(a.end_time == b.start_time for a, b in itertools.pairwise(stages))  # one after another
    assert retrieve.attributes["memoryos.pages"] == len(result.pages)

    llm_spans = [s for s in spans if s.name == "memoryos.llm"]
    assert {s.attributes["memoryos.purpose"] for s in llm_spans} >= {"consolidation"}
    assert all(s.attributes["gen_ai.usage.input_tokens"] > 0 for s in llm_spans)
    upkeep = [s for s in spans if s.name == "memoryos.upkeep"]
    assert any(s.attributes["memoryos.did_work"] for s in upkeep)
    consolidation = next(s for s in llm_spans if s.attributes["memoryos.purpose"] == "consolidation")
    assert any(consolidation.parent and consolidation.parent.span_id == s.context.span_id for s in upkeep)

    assert sum(p.value for p in _metric_points("memoryos.pages.added")) >= 4
    tokens = {(p.attributes["memoryos.purpose"], p.attributes["memoryos.token_type"]): p.value
              for p in _metric_points("memoryos.llm.tokens")}
    assert tokens[("consolidation", "prompt")] > 0 and tokens[("consolidation", "completion")] > 0
    stages_seen = {p.attributes["memoryos.stage"] for p in _metric_points("memoryos.retrieve.duration")}
    assert stages_seen >= {"embed", "search", "total"}


def test_a_failed_llm_call_is_a_failed_span_and_counted(tmp_path: Path) -> None:
    from memoryos.errors import LLMError
    from memoryos.providers.llm import MeteredLLM, UsageMeter

    class Down:
        def complete(self, messages: Any, *, purpose: str, json_mode: bool = False, max_tokens: Any = None) -> Any:
            raise LLMError("endpoint down")

    EXPORTER.clear()
    with pytest.raises(LLMError):
        MeteredLLM(Down(), UsageMeter()).complete([{"role": "user", "content": "hi"}], purpose="generation")
    [span] = [s for s in EXPORTER.get_finished_spans() if s.name == "memoryos.llm"]
    assert span.status.status_code.name == "ERROR" and span.attributes["memoryos.purpose"] == "generation"
    errors = [p for p in _metric_points("memoryos.llm.calls") if p.attributes["memoryos.outcome"] == "error"]
    assert sum(p.value for p in errors) >= 1


def test_without_opentelemetry_nothing_is_wrapped(tmp_path: Path) -> None:
    """The default install has no OpenTelemetry: no method is wrapped by a telemetry layer, and memory works."""
    script = (
        "import sys\n"
        "sys.modules['opentelemetry'] = None  # as if not installed\n"
        "from memoryos import Memoryos, telemetry\n"
        "from memoryos.testing import HashingEmbedder\n"
        "def layers(f):\n"
        "    while f is not None:\n"
        "        yield f\n"
        "        f = getattr(f, '__wrapped__', None)\n"
        "# (the foreground marker wraps them too: only a telemetry layer would be wrong here)\n"
        "plain = not any(g.__code__.co_filename.endswith('telemetry.py') for f in (Memoryos.add_memory,\n"
        "    Memoryos.retrieve, Memoryos.get_response) for g in layers(f))\n"
        f"memo = Memoryos(user_id='u', data_storage_path={str(tmp_path)!r}, embedder=HashingEmbedder())\n"
        "memo.add_memory('I live in Lisbon', 'Lovely!')\n"
        "print(telemetry.ENABLED, plain, len(memo.retrieve('where do I live?').short_term))\n"
        "memo.close()\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["False", "True", "1"], out.stderr[-2000:]
