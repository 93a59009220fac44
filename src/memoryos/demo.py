"""The quick-start demo on embedded defaults: no server, no API key, no network."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from typing import TextIO

from . import Memoryos
from .interfaces.terminal import visible

CONVERSATION = [
    (
        "Hi! I'm Tom, I work as a data scientist in San Francisco.",
        "Hello Tom! Nice to meet you. What kind of data do you work with?",
    ),
    (
        "Mostly healthcare data. I build models that predict hospital readmissions.",
        "That's impactful work! Which tools do you use for it?",
    ),
    ("Python and PyTorch, and a lot of SQL. My team has five people.", "Sounds like a strong setup."),
    ("On weekends I love hiking in Marin with my dog Biscuit.", "Marin has beautiful trails! How old is Biscuit?"),
    ("Biscuit is three, a golden retriever.", "Golden retrievers make wonderful hiking companions."),
    ("I'm learning Spanish because my partner's family is from Madrid.", "¡Qué bien! How is it going?"),
    ("Slowly! I practice on Duolingo every morning before work.", "Consistency is what counts."),
    ("My favorite food is ramen; I try a new place every month.", "Any favourite spot in SF so far?"),
    ("Marufuku in Japantown is the best so far.", "Noted, Marufuku in Japantown!"),
]
QUESTION = "What do you remember about my job?"


def run(data_path: str | None = None, out: TextIO = sys.stdout) -> None:
    """Reproduce the README quick start and print what memory returns about Tom's job. Without `data_path` (or
    MEMORYOS_DATA) the memory lives in a temporary directory that is removed when the demo ends."""
    path = data_path or os.environ.get("MEMORYOS_DATA")
    if path:
        _demo(path, out, kept=True)
        return
    with tempfile.TemporaryDirectory(prefix="memoryos-demo-") as scratch:
        _demo(scratch, out, kept=False)


def _demo(path: str, out: TextIO, kept: bool) -> None:
    with Memoryos(
        user_id="demo_user",
        data_storage_path=path,
        assistant_id="demo_assistant",
        openai_api_key=None,
        openai_base_url=None,
        llm_model="gpt-4o-mini",
        short_term_capacity=7,
        mid_term_heat_threshold=5,
        retrieval_queue_capacity=7,
        long_term_knowledge_capacity=100,
    ) as memo:
        for user_input, agent_response in CONVERSATION:
            memo.add_memory(user_input=user_input, agent_response=agent_response, meta_data={"source": "chat"})
        memo.flush()
        result = memo.retrieve(QUESTION)
        for _ in range(3):  # a few more visits heat the job segment past τ: it is promoted into the profile
            memo.retrieve(QUESTION)
        memo.flush()
        stats = memo.stats()
        where = f"data in {path}" if kept else "data in a temporary directory, removed at the end (--data DIR keeps it)"
        print(f"memoryos demo — {where} ({stats['mode']} mode)", file=out)
        print(f"pages by tier: {stats['pages']}, segments: {stats['segments']['active']}", file=out)
        print(f"\nQ: {QUESTION}\nRetrieved memory (best first):", file=out)
        for item in result.pages[:3]:
            print(visible(f"  [{item.tier}, score {item.score:.4f}] {item.page.user_input}"), file=out)
        profile = memo.get_user_profile()
        print("\nUser profile:\n" + visible(profile or "(not promoted yet)"), file=out)
        if stats["mode"] == "no-llm":
            print(
                "\nNo LLM configured: get_response() needs one. Set OPENAI_API_KEY / OPENAI_BASE_URL to any "
                "OpenAI-compatible endpoint to get generated answers.",
                file=out,
            )


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    logging.getLogger("memoryos.notice").setLevel(logging.INFO)  # a first run says what it prepares, and how long
    run()


if __name__ == "__main__":
    main()
