"""Who said it, when the user reports someone else's words (issue 12, no-LLM mode), through the public API on
both backends: the first person inside a quotation, or after a colon of saying, belongs to the one quoted.

"My sister told me "I'm moving to Denver"" is news about the sister; read as the user's own first person it
became "User is moving to Denver". Every segment is promoted as soon as it is written (as in test_closures.py).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fact_helpers import learnt, promoting

from memoryos import Memoryos
from memoryos.providers.reported_speech import others_speech, own_words

MAY_8 = datetime(2023, 5, 8, 10, tzinfo=timezone.utc).timestamp()


def learn(memo: Memoryos, *exchanges: tuple[str, str]) -> list[dict[str, Any]]:
    return learnt(memo, MAY_8, exchanges, 60, ("Anyway, how is the weather over there?", "Sunny and warm today."))


def test_someone_elses_quoted_words_are_not_the_users_facts(make_memo) -> None:
    facts = learn(
        promoting(make_memo),
        ('"I\'m moving to Denver next month," my sister told me.', "Wow, that's a big change for her."),
        ('"We\'re getting married in June!" my best friend screamed when she called.', "How exciting!"),
        ('My grandma always says "I was born in Naples and I will die in Naples".', "She sounds wonderful."),
        ('Mom texted me "I adopted a kitten named Luna"', "Aww, how sweet."),
    )
    texts = [f["text"] for f in facts]
    assert not [t for t in texts if "Denver" in t or "married" in t or "Luna" in t], texts
    assert not [t for t in texts if "Naples" in t and '"I was born' not in t], texts
    assert not [f for f in facts if (f.get("attribute") or "").startswith(("residence", "home", "pet", "relationship"))]


def test_words_reported_after_a_colon_of_saying_are_the_other_persons(make_memo) -> None:
    facts = learn(
        promoting(make_memo),
        ("My daughter wrote in her diary: I want to be a pilot when I grow up.", "So sweet!"),
        ("My coworker Dana announced at lunch: I'm quitting to open a bakery in Lisbon.", "Bold move."),
    )
    texts = [f["text"] for f in facts]
    # kept or not, the words reported stay in the person who said them: never "they want to be a pilot"
    assert all("I want to be a pilot" in t for t in texts if "pilot" in t), texts
    assert all("I'm quitting" in t for t in texts if "bakery" in t), texts
    assert not [f for f in facts if (f.get("attribute") or "").startswith(("residence", "employer", "occupation"))]


def test_a_quotation_keeps_its_own_person_in_the_users_fact(make_memo) -> None:
    """The user's own news around a quotation stays a fact, the quotation as said: a title's "I", the user's own
    quoted words, a relative's news they passed on."""
    facts = learn(
        promoting(make_memo),
        ('My brother called last night and said, "I got the job at Google!"', "That's great news for him!"),
        ('I told my boss "I quit" and walked out of Initech for good.', "Wow, brave."),
        ('My favourite movie is "I Am Legend".', "Good pick."),
    )
    texts = [f["text"] for f in facts]
    assert any(t.startswith("User's brother called") and '"I got the job at Google!"' in t for t in texts), texts
    assert any(t.startswith("User told their boss") and '"I quit"' in t for t in texts), texts
    assert any('"I Am Legend"' in t for t in texts), texts
    assert not [f for f in facts if "google" in (f.get("attribute") or "").lower()]


def test_what_is_reported_speech() -> None:
    assert own_words('"I\'m moving to Denver," my sister told me.') == '"…" my sister told me.'
    assert own_words("My daughter wrote in her diary: I want to be a pilot.") == 'My daughter wrote in her diary: "…"'
    # the speaker quoting themselves, a title, a name and a heading are not someone else's words
    for sentence in (
        'I told my boss "I quit" and left.',
        'I was like "no way, I\'m not doing that".',
        'I just watched "Little Women" and it was amazing!',
        'I wrote a song called "I Will Survive Monday".',
        "Big news: I adopted a puppy.",
        "I keep telling everyone: I love my new job.",
        "My writing is going well: I'm in the middle of a fantasy novel.",
        "Quick add: I moved to Berlin last month.",
        "One more thing to add: I got a new job at Initech.",
        "I'm 5'11\" and I play basketball every Sunday.",
        'I bought a 27" monitor for my home office.',
        'I\'ve been playing a game called "Cyberpunk 2077".',
    ):
        assert others_speech(sentence) == [] and own_words(sentence) == sentence, sentence
