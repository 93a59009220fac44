"""One store shape for the kind-of-thing retrieval tests: Ben tells three pastimes between small talk, and a few
pages of the test's own say the question's words without being about them."""

from __future__ import annotations

from memoryos import Memoryos

FILLER = [
    "the weather forecast for the weekend",
    "the traffic on the ring road",
    "the new phone's battery life",
    "a podcast about ancient Rome",
    "the price of train tickets",
    "a birthday present for a cousin",
]
DONE = [
    "Ben: We went camping by the lake with the kids, the tent leaked a bit.",
    "Ben: I signed up for a pottery class yesterday, my first bowl is wonky.",
    "Ben: I hiked up the ridge trail on Saturday morning.",
]


def talk(memo: Memoryos, n: int, start: int) -> None:
    for i in range(start, start + n):
        topic = FILLER[i % len(FILLER)]
        memo.add_memory(f"Ana: Did you hear about {topic}? ({i})", f"Ben: Yes, {topic} came up at work, note {i}.")


def tell_pastimes(memo: Memoryos, distractors: list[tuple[str, str]]) -> None:
    """The pastimes among small talk, then the distractor exchanges, all promoted into facts."""
    talk(memo, 10, 0)
    for i, said in enumerate(DONE):
        memo.add_memory(f"Ana: How have you been? ({i})", said)
        talk(memo, 8, 10 + 8 * i)
    for user_input, agent_response in distractors:
        memo.add_memory(user_input, agent_response)
    talk(memo, 10, 40)
    memo.flush()
    while memo.promote():
        pass


def pastimes_found(memo: Memoryos, question: str, k: int) -> int:
    pages = memo.retrieve(question, update_heat=False, max_pages=k).pages
    return sum(any(said in p.page.agent_response for p in pages) for said in DONE)
