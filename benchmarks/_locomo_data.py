"""Reading LoCoMo-format files: turns, pages (pairs of turns), and questions with repaired evidence.

Only `conversation` and `qa` are read; the derived annotations (summaries, observations) never are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memoryos.validation import parse_timestamp

CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}
_EVIDENCE_RE = re.compile(r"D:?(\d+):0*(\d+)")


@dataclass
class Turn:
    dia_id: str
    session: int
    speaker: str
    text: str  # the spoken text, with the photo caption appended when one was shared
    timestamp: float

    def labelled(self) -> str:
        return f"{self.speaker}: {self.text}"


@dataclass
class Question:
    question: str
    category: int
    evidence: list[str]
    answer: str = ""


@dataclass
class Conversation:
    sample_id: str
    speaker_a: str
    speaker_b: str
    turns: list[Turn]
    session_dates: dict[int, str]
    questions: list[Question] = field(default_factory=list)


def turn_text(raw: dict[str, Any]) -> str:
    text = str(raw.get("text", "")).strip()
    caption = raw.get("blip_caption")
    if caption:
        text = f"{text} [shares a photo: {str(caption).strip()}]".strip()
    return text


def parse_evidence(items: list[str], known: set[str]) -> list[str]:
    """Repair '; '- or space-joined lists and ids like 'D:11:26' or 'D30:05'; drop ids that name no turn."""
    found: list[str] = []
    for item in items:
        for session, turn in _EVIDENCE_RE.findall(str(item)):
            dia_id = f"D{int(session)}:{int(turn)}"
            if dia_id in known and dia_id not in found:
                found.append(dia_id)
    return found


def load(path: str | Path, limit: int | None = None) -> list[Conversation]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(raw, dict):
        raw = [raw]
    conversations = []
    for item in raw[:limit] if limit else raw:
        conv = item["conversation"]
        turns: list[Turn] = []
        dates: dict[int, str] = {}
        n = 1
        while f"session_{n}" in conv:  # conv-26 has unused date keys after its last session
            date = conv.get(f"session_{n}_date_time", "")
            dates[n] = date
            ts = parse_timestamp(date) if date else float(n * 86400)
            for t in conv[f"session_{n}"]:
                turns.append(Turn(str(t["dia_id"]), n, str(t["speaker"]), turn_text(t), ts))
            n += 1
        known = {t.dia_id for t in turns}
        questions = [
            Question(
                str(q["question"]),
                int(q["category"]),
                parse_evidence(q.get("evidence", []), known),
                str(q.get("answer", "")),
            )
            for q in item.get("qa", [])
        ]
        conversations.append(
            Conversation(
                str(item.get("sample_id", f"conv-{len(conversations)}")),
                conv["speaker_a"],
                conv["speaker_b"],
                turns,
                dates,
                questions,
            )
        )
    return conversations


def retrieval_questions(conv: Conversation) -> list[Question]:
    """Questions with usable evidence, adversarial ones excluded."""
    return [q for q in conv.questions if q.category != 5 and q.evidence]


def pages(conv: Conversation) -> list[list[Turn]]:
    """Pair consecutive turns of a session into pages: a speaker_a turn (user) with the speaker_b turn
    (agent) that follows it. A session that opens with speaker_b gives a page with no user side."""
    result: list[list[Turn]] = []
    current: list[Turn] = []
    for turn in conv.turns:
        starts_new = (
            not current
            or current[0].session != turn.session
            or len(current) == 2
            or turn.speaker == conv.speaker_a
            or current[-1].speaker == turn.speaker
        )
        if starts_new and current:
            result.append(current)
            current = []
        current.append(turn)
    if current:
        result.append(current)
    return result


def page_sides(conv: Conversation, page: list[Turn]) -> tuple[str, str]:
    """(user_input, agent_response) of a page; each side is labelled with its speaker's name."""
    user = " ".join(t.labelled() for t in page if t.speaker != conv.speaker_b)
    agent = " ".join(t.labelled() for t in page if t.speaker == conv.speaker_b)
    return user, agent
