"""Whether a question is about the past: only then does retrieval show facts that stopped being true.

Deliberately lenient: a question wrongly taken as about the past costs a few stale facts, each marked with the
date it stopped being true; one wrongly taken as about the present hides the answer.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

_PAST_WORDS = re.compile(
    r"\b(?:before|used to|use to|previous(?:ly)?|prior|former(?:ly)?|earlier|originally|at first|in the past"
    r"|back then|back when|at (?:that|the) time|those days|any ?more|no longer|any longer|still|ago|ex-\w+"
    r"|last (?:year|month|week|summer|winter|spring|autumn|fall|time)|the year before|history|change[ds]?"
    r"|when did|how long did|did|was|were|had|lived|worked|studied|owned|moved|left|quit|went|dated|switched"
    r"|until|since when|first)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:in|during|of|since|throughout|by|around|before|until)\s+((?:19|20)\d{2})\b", re.IGNORECASE)


def asks_about_past(query: str, now: float) -> bool:
    """The question names an earlier time, a change, or is asked in the past tense ("Where did the user live
    before?", "What car did she have in 2021?", "Does he still work at Acme?")."""
    if _PAST_WORDS.search(query):
        return True
    this_year = datetime.fromtimestamp(now, tz=timezone.utc).year
    return any(int(m.group(1)) < this_year for m in _YEAR.finditer(query))


__all__ = ["asks_about_past"]
