"""The integration examples run as a user runs them: offline, in a fresh process, on the real embedding model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from memoryos.providers.embeddings import Embedder

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, data_dir: Path, embedder: Embedder) -> str:
    """`embedder` (the session fixture) has exported the model's ONNX graph into the session's MEMORYOS_CACHE,
    which the example's process reuses instead of exporting it again."""
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}  # the offline path, whatever the machine
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), str(data_dir)],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_openai_agents_example_recalls_an_older_exchange(tmp_path: Path, embedder: Embedder) -> None:
    out = run_example("openai_agents_session.py", tmp_path, embedder)
    last_answer = next(line for line in out.splitlines() if "given my allergy" in line and "agent:" in line)
    assert "memory recalls" in last_answer and "allergic to peanuts" in last_answer
    assert "mid-term" in out and (tmp_path / "memoryos.db").exists()


def test_langgraph_example_recalls_and_uses_the_memory_tools(tmp_path: Path, embedder: Embedder) -> None:
    out = run_example("langgraph_memory.py", tmp_path, embedder)
    turns = out.split("user:   ")[1:]
    assert len(turns) == 3
    assert "recall: []" in turns[0]  # nothing remembered before the first turn
    assert "Tom is allergic to peanuts." in turns[2].split("agent:")[0]  # the fact the model stored in turn 1
    assert "user knowledge: ['Tom is allergic to peanuts.']" in out
