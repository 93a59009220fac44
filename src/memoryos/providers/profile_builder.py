"""A structured user profile without an LLM: one line per attribute, newest value first, bounded in size.

    User profile (extracted without an LLM from the user's own statements; dates are when each was said):
    - residence: lives in Berlin (said 2023-05-08)
    - pet (dog): has a dog named Pepper (said 2023-06-02)
    - hobby (painting): enjoys painting (said 2023-05-08)

Each line is one attribute (attributes.py): the key (category, and in parentheses what a multi-valued category is
about), the statement, and the day it was said, which names the pages it came from (the facts with the same
attribute cite them). A newer statement of the same key replaces the line. Lines are parsed back from the current
profile, so the profile is its own state; lines it cannot parse (a profile an LLM wrote before an outage) are
kept, after the structured ones, while they fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from ..timeexpr import resolve_relative
from .attributes import Attribute

HEADER = "User profile (extracted without an LLM from the user's own statements; dates are when each was said):"
MAX_PROFILE_CHARS = 1500
# what a reader needs first; the long tail (likes, hobbies) fills what room is left, newest first
_ORDER = [
    "name",
    "age",
    "residence",
    "origin",
    "occupation",
    "employer",
    "school",
    "study",
    "relationship",
    "children",
    "child",
    "pet",
    "car",
    "language",
    "plan",
    "goal",
    "favorite",
    "habit",
    "hobby",
    "likes",
]
_LINE_RE = re.compile(
    r"^- (?P<cat>[a-z_]+)(?: \((?P<q>[^)]*)\))?: (?P<text>.+?)"
    r"(?: \(said (?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)\))?$"
)


@dataclass(frozen=True)
class ProfileLine:
    key: str
    text: str  # the statement without its subject: "lives in Berlin"
    said: float | None  # when (the page timestamp), None when unknown

    def render(self) -> str:
        category, _, qualifier = self.key.partition(":")
        label = f"{category} ({qualifier.replace(':', ', ').replace('_', ' ')})" if qualifier else category
        when = f" (said {day_of(self.said)})" if self.said is not None else ""
        return f"- {label}: {self.text}{when}"


def day_of(ts: float) -> str:
    """ISO dates: short, unambiguous, and they weigh less than words on what the line says."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


def _parse_day(day: str, month: str, year: str) -> float | None:
    try:
        return datetime(int(year), int(month), int(day), tzinfo=timezone.utc).timestamp()
    except ValueError:
        return None


def parse_profile(profile: str) -> tuple[list[ProfileLine], list[str]]:
    """The structured lines of a profile this module wrote, and any other lines (header excluded)."""
    lines: list[ProfileLine] = []
    other: list[str] = []
    for raw in profile.splitlines():
        line = raw.strip()
        if not line or line == HEADER or line.startswith("User profile (extracted without an LLM"):
            continue
        m = _LINE_RE.match(line)
        if not m:
            other.append(line)
            continue
        qualifier = m.group("q")
        key = m.group("cat") + (":" + qualifier.replace(", ", ":").replace(" ", "_") if qualifier else "")
        said = _parse_day(m.group("day"), m.group("month"), m.group("year")) if m.group("day") else None
        lines.append(ProfileLine(key, m.group("text"), said))
    return lines, other


def _without_subject(statement: str, subject: str) -> str:
    """ "User lives in Berlin" → "lives in Berlin"; "User's favourite food is sushi" → "favourite food is sushi"."""
    for lead in (f"{subject}'s ", f"{subject} "):
        if statement.startswith(lead):
            return statement[len(lead) :]
    return statement


def line_for(attribute: Attribute, said: float, subject: str = "User") -> ProfileLine:
    text = resolve_relative(_without_subject(attribute.statement, subject), said).rstrip(".")
    return ProfileLine(attribute.key, text, said)


def _rank(line: ProfileLine) -> tuple[int, float]:
    category = line.key.split(":")[0]
    order = _ORDER.index(category) if category in _ORDER else len(_ORDER)
    return order, -(line.said or 0.0)


def build_profile(
    current: str, found: list[tuple[Attribute, float]], limit: int = MAX_PROFILE_CHARS, subject: str = "User"
) -> str:
    """The current profile updated with newly found attributes (each with the timestamp it was said): a newer
    statement of a key replaces the older one; the most telling lines are kept within `limit` characters.
    Returns the current profile unchanged when nothing new was found."""
    lines, other = parse_profile(current)
    by_key = {line.key: line for line in lines}
    changed = False
    for attribute, said in sorted(found, key=lambda item: item[1]):
        held = by_key.get(attribute.key)
        if held is not None and held.said is not None and held.said > said:
            continue  # memory already holds a newer statement (a late analysis of older pages)
        new = line_for(attribute, said, subject)
        if held is None or held.text != new.text:
            by_key[attribute.key] = new
            changed = True
    if not changed:
        return current
    return render_profile(list(by_key.values()), other, limit)


def render_profile(lines: list[ProfileLine], other: list[str], limit: int = MAX_PROFILE_CHARS) -> str:
    """The profile text: the header, the most telling lines first, then lines it could not parse, within
    `limit` characters."""
    ranked = sorted(lines, key=_rank)
    out = [HEADER]
    size = len(HEADER)
    for line in [ln.render() for ln in ranked] + other:
        if size + 1 + len(line) > limit:
            continue  # a shorter line further down may still fit
        out.append(line)
        size += 1 + len(line)
    return "\n".join(out)
