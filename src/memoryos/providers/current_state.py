"""Whether a statement asserts the speaker's state now: what may replace a single-valued attribute.

Where someone lives or works, their age, relationship status and occupation hold one value at a time, so a new
value closes the old one; a statement that only *mentions* such a value must not. English marks those with a small,
closed set of devices, read here (no vocabulary of values): a question; a plan, wish or hypothetical (modal verbs,
"going to", "want to", "if"); a memory of the past ("when I was 17", "as a kid", "back then", a year before the
page's, "years ago"). Someone else's state is decided where the attribute is read (the subject must be the speaker).

Scope: a question, a condition ("if", "unless", "imagine") and a memory of the past frame the whole sentence; a
modal or a time ahead belongs to its own clause ("I accepted the offer from Initech, I start next week": the
offer clause states what holds). A taste is a disposition, and English says dispositions with the hypothetical
modals: "I could eat X every day", "if I had to pick one dish it would be X" state a favourite now.
"""

from __future__ import annotations

import datetime as dt
import re

_QUESTION_RE = re.compile(r"\?\s*[\"'”’)]*\s*$")
_CONDITION_RE = re.compile(r"\b(?:if|unless|imagine|wish(?:es|ed)?)\b", re.IGNORECASE)
_NOT_NOW_RE = re.compile(
    r"\b(?:going to|gonna|plan(?:s|ned|ning)? (?:to|on)|want(?:s|ed)? to|wanna|'d (?:like|love)|"
    r"’d (?:like|love)|would (?:like|love)|hop(?:e|es|ing) to|thinking (?:about|of)|consider(?:s|ing)?|might|"
    r"should|someday|one day|dream(?:s|ed|ing)? (?:of|about)|'ll|’ll|looking (?:into|for|forward)|maybe|perhaps|"
    r"about to|next (?:year|month|week)|tempted to|can't wait to)\b",
    re.IGNORECASE,
)
# the hypothetical modals: a wish or a plan for most states, a disposition for a taste
_HYPOTHETICAL_RE = re.compile(r"\b(?:would|wouldn't|could)\b", re.IGNORECASE)
# a choice made in a hypothetical states the taste: "if I had to pick one", "if I could only eat one"
_PICK_RE = re.compile(
    r"\bif\s+I\s+(?:had to|could only|could|were to|must)\s+(?:pick|choose|eat|drink|keep|have)\b", re.IGNORECASE
)
_MODAL_RE = re.compile(r"\b(?:may|will)\b")  # lower case only: "in May", "Will" are names
_PAST_RE = re.compile(
    r"\b(?:(?:when|since|while|as|back when|until) (?:I|we|i) (?:was|were)|as a (?:kid|child|teen(?:ager)?|boy|girl)|"
    r"growing up|back then|back in the day|in (?:my|our) (?:youth|teens|twenties|thirties)|"
    r"(?:years|months|decades) ago|at the time|in (?:high school|middle school|college))\b",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"(?<!since )\b(?:19|20)\d\d\b")  # "since 2019": a state that goes on
_CLAUSE_RE = re.compile(r"[,;:—–]|\s-\s|\b(?:and|but|so)\b", re.IGNORECASE)
_TASTES = ("favorite:", "likes:")


def _clause_of(sentence: str, value: str | None) -> str:
    """The clause that names `value` (each of its words), or the whole sentence."""
    words = re.findall(r"[\w'’-]+", (value or "").lower())
    if not words:
        return sentence
    for clause in _CLAUSE_RE.split(sentence):
        low = clause.lower()
        if all(re.search(r"\b" + re.escape(w) + r"\b", low) for w in words):
            return clause
    return sentence


def states_current(sentence: str, at: float | None = None, value: str | None = None, key: str | None = None) -> bool:
    """False for a question, a plan, wish or hypothetical, or a memory of the past (a year before `at`'s, the
    conversation time the sentence was said). `value`: the attribute's value, whose clause alone decides on modals
    and times ahead; `key`: the attribute's key (a taste said with a hypothetical modal is a disposition)."""
    taste = bool(key) and str(key).startswith(_TASTES)
    if _QUESTION_RE.search(sentence) or _PAST_RE.search(sentence):
        return False
    if _CONDITION_RE.search(sentence) and not (taste and _PICK_RE.search(sentence)):
        return False
    clause = _clause_of(sentence, value)
    if _NOT_NOW_RE.search(clause) or _MODAL_RE.search(clause):
        return False
    if _HYPOTHETICAL_RE.search(clause) and not taste:
        return False
    if at is not None:
        year = dt.datetime.fromtimestamp(at, dt.timezone.utc).year
        if any(int(y) < year for y in _YEAR_RE.findall(sentence)):
            return False  # "my 18th birthday in 2013": an event of the past, not the state now
    return True


__all__ = ["states_current"]
