"""An echo: a speaker repeating the other's news back to them ("Adopted a cat named Miso! So cute.").

Said with no subject, a statement's speaker is only implied ("Lost my job yesterday" is news of the speaker's own);
when its words are the other party's just before ("I adopted a cat named Miso on Saturday." — "Adopted a cat named
Miso!"), it is an exclamation over what they said, and the news is theirs. A statement with its own subject ("I
adopted a cat too", "I ran one in Boston back in 2019") says who; an echo is read only where grammar leaves the
person open.
"""

from __future__ import annotations

from ..textutil import content_tokens

ECHO_SHARE = 2 / 3  # of the statement's content words found in what the other just said
_MIN_WORDS = 2
_STEM = 5  # "adopted" ~ "adopt", "finished" ~ "finishing": a shared start of this many letters


def _stems(text: str) -> set[str]:
    return {w[:_STEM] for w in content_tokens(text)}


def echoes(statement: str, other_said: str) -> bool:
    """Most of the statement's content words (at least two) are in what the other party just said."""
    words = [w[:_STEM] for w in dict.fromkeys(content_tokens(statement))]
    if len(words) < _MIN_WORDS or not other_said.strip():
        return False
    theirs = _stems(other_said)
    return sum(w in theirs for w in words) >= ECHO_SHARE * len(words)
