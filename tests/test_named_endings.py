"""What a statement gives up ends what was said about it, whatever its key (issue 12, point 3, session 25): the
head of the object of "swapped", "stopped", "gave up", "dropped" ... names the thing, and the user's earlier facts
naming it close when it is said. Through the public API on SQLite; wording and values are this file's own
(none of the update suites' texts). The unit part pins what is not an ending: wishes, denials, phrasal verbs."""

from __future__ import annotations

import pytest
from fact_helpers import at, naming, promoting, say

from memoryos.tiers.named_endings import ended_heads

MARCH, APRIL, JULY = at("2024-03-03"), at("2024-04-11"), at("2024-07-19")



def test_a_swap_ends_every_earlier_fact_about_what_was_given_up(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I'm a big rooibos drinker, three pots a day.")
    say(memo, APRIL, "I spilled my rooibos all over the new sofa.")
    say(memo, JULY, "I swapped my evening rooibos for peppermint.")
    old = [f for f in naming(memo, "rooibos") if "peppermint" not in f["text"].lower()]
    assert len(old) == 2
    assert all(f["valid_until"] == JULY and f["superseded_by"] for f in old)
    swap = next(f for f in naming(memo, "peppermint"))
    assert swap["valid_until"] is None
    answer = memo.retrieve("What do I drink in the evening now?", update_heat=False).user_knowledge
    assert "peppermint" in answer[0].fact.text.lower()


def test_a_passing_mention_of_a_pastime_closes_when_it_is_given_up(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "My kayaking instructor was strict with me today.")
    say(memo, JULY, "I gave up kayaking after the shoulder injury.")
    mention = naming(memo, "instructor")
    assert len(mention) == 1 and mention[0]["valid_until"] == JULY
    past = memo.retrieve("What did I use to do on weekends before?", update_heat=False)
    assert any("instructor" in f.fact.text for f in past.user_knowledge)


def test_a_name_given_up_ends_only_facts_naming_all_of_it(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I keep the books for Quillfeather Books in the old town.")
    say(memo, APRIL, "I opened a savings account at my local books club.")
    say(memo, JULY, "I resigned from Quillfeather Books.")
    held = [f for f in naming(memo, "quillfeather") if "resigned" not in f["text"]]
    assert held and all(f["valid_until"] == JULY for f in held)
    assert naming(memo, "savings") and all(f["valid_until"] is None for f in naming(memo, "savings"))


def test_a_firm_one_is_no_longer_at_ends_what_was_said_about_it(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I pack biscuits on the night line at Brightwater Foods.")
    say(memo, JULY, "After six years I'm not at Brightwater Foods any longer; I took a post with Calder Mills.")
    held = [f for f in naming(memo, "brightwater") if "calder" not in f["text"].lower()]
    assert len(held) == 1 and held[0]["valid_until"] == JULY


def test_a_wish_to_give_up_ends_nothing(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I'm a big rooibos drinker, three pots a day.")
    say(memo, JULY, "I keep thinking I should quit rooibos, but I never do.")
    assert all(f["valid_until"] is None for f in naming(memo, "rooibos"))


def test_a_phrasal_verb_is_no_ending(make_memo) -> None:
    memo = promoting(make_memo)
    say(memo, MARCH, "I bake sourdough at the community bakery on Sundays.")
    say(memo, JULY, "I stopped by the bakery to say hello to everyone.")
    assert all(f["valid_until"] is None for f in naming(memo, "bakery"))


@pytest.mark.parametrize(
    ("text", "heads"),
    [
        ("User swapped their evening rooibos for peppermint.", {"rooibos"}),
        ("User stopped drinking hot cocoa; it's green tea now.", {"cocoa"}),
        ("Cut out fizzy drinks completely.", {"drinks"}),
        ("User dropped pottery and started boxing.", {"pottery"}),
        ("User quit their job at the mill to travel.", {"job"}),
        ("User resigned from Quillfeather Books last week.", {"quillfeather books"}),
        ("User broke up with Oskar two months ago.", {"oskar"}),
        ("User stopped by the bakery.", set()),
        ("User dropped their phone in the bathtub, it survived.", set()),
        ("User's old Vespa was sold to a neighbour.", {"vespa"}),
        ("User gave up on the Wolves after the relegation.", {"wolves"}),
        ("User is not at Brightwater Foods any longer.", {"brightwater foods"}),
        ("User no longer sings with the Harbour Voices.", {"harbour voices"}),
        ("User dropped off the twins at school.", set()),
        ("User wants to quit the choir.", set()),
        ("User never gave up on the garden.", set()),
        ("User is thinking about quitting the choir.", set()),
    ],
)
def test_the_head_of_what_is_given_up(text: str, heads: set[str]) -> None:
    assert ended_heads(text) == heads
