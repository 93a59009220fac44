"""Whether a statement asserts the speaker's state now: what may replace a single-valued attribute.

Where someone lives or works, their age, relationship status and occupation hold one value at a time, so a new
value closes the old one; a statement that only *mentions* such a value must not. English marks those with a small,
closed set of devices, read here (no vocabulary of values): a question; a plan, wish or hypothetical (modal verbs,
"going to", "want to", "if"); a memory of the past ("when I was 17", "as a kid", "back then", a year before the
page's, "years ago"). Someone else's state is decided where the attribute is read (the subject must be the speaker).
"""

from __future__ import annotations

import datetime as dt
import re

_QUESTION_RE = re.compile(r"\?\s*[\"'”’)]*\s*$")
_NOT_NOW_RE = re.compile(
    r"\b(?:going to|gonna|plan(?:s|ned|ning)? (?:to|on)|want(?:s|ed)? to|wanna|would|wouldn't|'d (?:like|love)|"
    r"’d (?:like|love)|hop(?:e|es|ing) to|thinking (?:about|of)|consider(?:s|ing)?|might|could|should|"
    r"someday|one day|dream(?:s|ed|ing)? (?:of|about)|wish(?:es|ed)?|'ll|’ll|if|unless|imagine|"
    r"looking (?:into|for|forward)|maybe|perhaps|about to|next (?:year|month|week)|tempted to|can't wait to)\b",
    re.IGNORECASE,
)
_MODAL_RE = re.compile(r"\b(?:may|will)\b")  # lower case only: "in May", "Will" are names
_PAST_RE = re.compile(
    r"\b(?:(?:when|since|while|as|back when|until) (?:I|we|i) (?:was|were)|as a (?:kid|child|teen(?:ager)?|boy|girl)|"
    r"growing up|back then|back in the day|in (?:my|our) (?:youth|teens|twenties|thirties)|"
    r"(?:years|months|decades) ago|at the time|in (?:high school|middle school|college))\b",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


def states_current(sentence: str, at: float | None = None) -> bool:
    """False for a question, a plan, wish or hypothetical, or a memory of the past (a year before `at`'s, the
    conversation time the sentence was said)."""
    if any(r.search(sentence) for r in (_QUESTION_RE, _NOT_NOW_RE, _MODAL_RE, _PAST_RE)):
        return False
    if at is not None:
        year = dt.datetime.fromtimestamp(at, dt.timezone.utc).year
        if any(int(y) < year for y in _YEAR_RE.findall(sentence)):
            return False  # "my 18th birthday in 2013": an event of the past, not the state now
    return True


__all__ = ["states_current"]
