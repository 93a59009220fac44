"""The fake model behind the loopback OpenAI endpoint (fake_openai.py) that the LLM-path tests talk to.

`Brain` answers every request with valid JSON built from the request's own messages; a test overrides one
purpose's answer. conftest.py serves it (`brain`, `server`, `llm_memo` fixtures).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from doubles import default_script
from fake_openai import message_text

ANSWER = "From the fake model: you told me you work as a data scientist in San Francisco."

EXCHANGES: list[tuple[str, str]] = [
    ("Hi! I'm Tom, I work as a data scientist in San Francisco.", "Nice to meet you Tom! What data do you use?"),
    ("Mostly clickstream data for an online bookshop.", "Interesting. Which tools do you prefer?"),
    ("I do everything in Python with pandas and scikit-learn.", "A classic stack. Any favourite model?"),
    ("Gradient boosting, it wins most of our churn experiments.", "Makes sense for tabular churn data."),
    ("On weekends I go climbing in Yosemite with my sister Anna.", "That sounds wonderful. Is Anna a climber too?"),
    ("Yes, Anna has been climbing for ten years, longer than me.", "She must be a great partner on the wall."),
    ("Next month we plan to climb Half Dome together.", "Exciting! I will remind you to check the weather."),
    ("My cat Miso knocked my coffee onto the keyboard today.", "Oh no! Is the keyboard still working?"),
    ("The keyboard survived, Miso is unrepentant as always.", "Cats rarely apologise. Glad it works."),
]


# ---- the fake model's behaviour ----


def purpose_of(body: dict[str, Any]) -> str:
    """Which upkeep step sent a request, told by its system prompt."""
    system = message_text(body["messages"][0])
    if "chain_summaries" in system:
        return "consolidation"
    if "user_facts" in system:
        return "profile_knowledge"
    return "generation"


class Brain:
    """The responder: valid answers built from the request's messages; `overrides` replace one purpose's answer."""

    def __init__(self) -> None:
        self.overrides: dict[str, Callable[[list[dict[str, str]]], str]] = {}
        self.answers: list[tuple[str, str]] = []  # (purpose, content) of every answer the responder produced

    def __call__(self, body: dict[str, Any]) -> str:
        messages = [{"role": m["role"], "content": message_text(m)} for m in body["messages"]]
        purpose = purpose_of(body)
        if purpose in self.overrides:
            content = self.overrides[purpose](messages)
        elif purpose == "generation":
            content = ANSWER
        else:
            # a structured-output retry appends the bad answer and a correction: the task is the first two
            content = default_script(messages[:2], purpose)
        self.answers.append((purpose, content))
        return content
