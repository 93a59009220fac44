"""An OpenAI Agents SDK agent whose session is memoryos: `pip install -e ".[agents]"`, then

    python examples/openai_agents_session.py [DATA_DIR]

With OPENAI_API_KEY set, the agent runs on the SDK's default OpenAI model; without it, on a stand-in model that
answers by quoting what reached it, so the example runs offline and shows what memory gives the model. Memory
lives in DATA_DIR (default: a temporary directory, removed at the end): run twice with the same DATA_DIR and the
second run remembers the first.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from typing import Any

from agents import Agent, Model, ModelResponse, ModelSettings, RunConfig, Runner, Usage
from openai.types.responses import ResponseOutputMessage, ResponseOutputText

from memoryos.integrations.openai_agents import MemoryosSession, is_memory_item

TURNS = [
    "Hi, I'm Tom. I live in Lisbon and I'm allergic to peanuts.",
    "My sister Ana teaches chemistry in Porto.",
    "I started learning the cello last month.",
    "What snack should I pack, given my allergy?",
]


class StandInModel(Model):
    """Answers with the user's message and the past exchanges memory recalled for it (the recall item)."""

    async def get_response(self, system_instructions: str | None, input: Any, *args: Any, **kwargs: Any) -> Any:
        items = [{"role": "user", "content": input}] if isinstance(input, str) else input
        question = next(str(i["content"]) for i in reversed(items) if i.get("role") == "user")
        recalled = [
            line.split("] ", 1)[-1]
            for item in items
            if is_memory_item(item)
            for line in str(item["content"]).splitlines()
            if line.startswith("[")  # "[2025-06-01T10:00:00Z] user: ... assistant: ..."
        ]
        text = f"(stand-in model) you said {question!r}" + (f"; memory recalls {recalled}" if recalled else "")
        message = ResponseOutputMessage(
            id="msg_stand_in",
            type="message",
            role="assistant",
            status="completed",
            content=[ResponseOutputText(type="output_text", text=text, annotations=[])],
        )
        return ModelResponse(output=[message], usage=Usage(), response_id=None)

    def stream_response(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        raise NotImplementedError("the stand-in model does not stream")


async def main(data_dir: str) -> None:
    online = bool(os.environ.get("OPENAI_API_KEY"))
    agent = Agent(
        name="friend",
        instructions="You are a friendly assistant who remembers the user. Be brief.",
        model=None if online else StandInModel(),
        model_settings=ModelSettings(),
    )
    # a small short-term tier, so that older exchanges move on to mid-term during the example
    session = MemoryosSession("tom", data_storage_path=data_dir, short_term_capacity=2)
    # recall keyed to each new message (by default it is keyed to the conversation so far)
    config = RunConfig(session_input_callback=session.input_with_recall, tracing_disabled=not online)
    try:
        for turn in TURNS:
            result = await Runner.run(agent, turn, session=session, run_config=config)
            print(f"user:  {turn}\nagent: {result.final_output}\n")
        await session.memory.flush()  # let consolidation finish before showing what memory holds
        tiers = (await session.memory.stats())["pages"]
        print(f"pages: {tiers.get('short', 0)} short-term (the session's items), {tiers.get('mid', 0)} mid-term")
    finally:
        await session.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    if len(sys.argv) > 1:
        asyncio.run(main(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory(prefix="memoryos-example-") as folder:
            asyncio.run(main(folder))
