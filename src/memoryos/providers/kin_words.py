"""People named by their tie to the speaker: one closed class of English nouns, in four groups.

Several rules ask whether a noun names a person other than the speaker: "it" cannot stand for one
(`references`), "Dad hired me" names no employer (`attributes`), a sentence about "my sister" is not the speaker's
(`attribute_reader`), "my flatmate has the car now" is not the speaker's state (`tiers.present_states`). They read
the same words; where a rule needs fewer, it takes fewer groups, and the module that does says why:

- `FAMILY`: relatives and partners ("my sister", "my fiancée");
- `CIRCLE`: people the speaker knows by where they meet ("my flatmate", "my boss");
- `ROLES`: people by the service they give ("my doctor", "my coach"), which are also names of firms and brands
  ("Coach");
- `GROUPS`: nouns for a group of people ("my family", "our team"), also in names of firms ("Family Dollar");
- `ANYONE`: people by no tie ("a guy", "someone", "fans").

Every set holds singular and plural forms ("friend", "friends"; "child", "children"), lower case.
"""

from __future__ import annotations

from collections.abc import Iterable

_IRREGULAR = {
    "child": "children",
    "man": "men",
    "woman": "women",
    "person": "people",
    "wife": "wives",
    "baby": "babies",
    "granny": "grannies",
    "everyone": "everyone",
    "someone": "someone",
    "people": "people",
}


def _plural(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "sh", "ch", "x")):
        return word + "es"
    return word + "s"


def _forms(words: str) -> frozenset[str]:
    singular = words.split()
    return frozenset(singular) | frozenset(_plural(w) for w in singular)


FAMILY = _forms(
    """
    mother mom mum dad father parent brother sister sibling son daughter kid child baby husband wife partner
    boyfriend girlfriend fiance fiancee fiancé fiancée grandma grandpa grandmother grandfather granny grandad
    aunt uncle cousin niece nephew
    """
)
CIRCLE = _forms(
    """
    friend neighbor neighbour boss manager colleague coworker co-worker teammate classmate roommate flatmate
    housemate
    """
)
ROLES = _forms("teacher mentor coach doctor therapist counselor counsellor student")
GROUPS = _forms("family team")
ANYONE = _forms("guy girl man woman people person everyone someone fan")

PEOPLE_BY_TIE = FAMILY | CIRCLE | ROLES | GROUPS


def alternation(words: Iterable[str]) -> str:
    """The words as a regular-expression alternation, longest first (so "friends" is tried before "friend")."""
    return "|".join(sorted((w.replace("-", r"\-") for w in words), key=lambda w: (-len(w), w)))
