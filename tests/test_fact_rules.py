"""The rules of facts over time (tiers.facts): duplicates, attribute updates, LLM operations, capacity.

Pure planning over records: vectors are written by hand so that each test knows the cosine it relies on.
"""

from __future__ import annotations

import logging
import random

import numpy as np
import pytest

from memoryos.models import Fact
from memoryos.providers.fact_attribute import attribute_of
from memoryos.retrieval.knowledge import _ATTRIBUTE_WORDS, about_the_user, query_terms, rank_facts, word_share
from memoryos.retrieval.past import asks_about_past
from memoryos.textutil import tokens
from memoryos.tiers.facts import FactOperation, attribute_key, may_be_same, plan_operations

T0 = 1_683_000_000.0  # early May 2023 (conversation time)
DAY = 86_400.0
NOW = 1_750_000_000.0  # upkeep's clock


def vec(*weights: float) -> np.ndarray:
    v = np.zeros(8, dtype=np.float32)
    v[: len(weights)] = weights
    return v / np.linalg.norm(v)


def stored(text: str, vector: np.ndarray, said: float, attribute: str | None = None, **extra: object) -> Fact:
    return Fact(
        id=extra.pop("id", f"f-{abs(hash(text)) % 10**8}"),  # type: ignore[arg-type]
        kind=extra.pop("kind", "user"),  # type: ignore[arg-type]
        text=text,
        source_page_ids=[f"p-{said}"],
        created_at=NOW - 100,
        method="extractive",
        embedding=vector,
        observed_at=said,
        valid_from=said,
        attribute=attribute,
        **extra,  # type: ignore[arg-type]
    )


def op(text: str, vector: np.ndarray | None, said: float, kind: str = "user", **extra: object) -> FactOperation:
    return FactOperation(kind, extra.pop("op", "add"), text, [f"page@{said}"], said, vector, **extra)  # type: ignore[arg-type]


def plan(existing: list[Fact], ops: list[FactOperation], capacity: int = 100):
    return plan_operations(existing, ops, method="llm", now=NOW, dedup_threshold=0.92, capacity=capacity)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("User is 34 years old.", "User is 35 years old.", False),
        ("The user lives in Lisbon.", "The user lives in Berlin.", False),
        ("I like olives.", "I don't like olives.", False),
        ("I like olives.", "I never liked olives.", False),
        ("Has two dogs.", "Has 2 dogs.", True),
        ("Likes green tea.", "The user likes green tea!", True),
        ("Caroline adopted a dog.", "Melanie adopted a dog.", False),
        ("Is allergic to peanuts.", "The user is allergic to peanuts.", True),
        ("Moved in May 2023.", "Moved in June 2023.", False),
    ],
)
def test_numbers_names_and_negation_decide_whether_two_texts_may_be_one_fact(a: str, b: str, same: bool) -> None:
    assert may_be_same(a, b) is same and may_be_same(b, a) is same


def test_attribute_keys_have_one_spelling() -> None:
    assert attribute_key(" Pet : Dog ") == "pet:dog" == attribute_key("pet:dog")
    assert attribute_key("Relationship status") == "relationship_status"
    assert attribute_key("  ") is None and attribute_key(None) is None


def test_a_new_value_of_an_attribute_closes_the_old_fact_which_is_kept_with_its_interval() -> None:
    lisbon = stored("The user lives in Lisbon.", vec(1, 0.2), T0, "residence")
    result = plan([lisbon], [op("The user lives in Berlin.", vec(1, 0.3), T0 + 30 * DAY, attribute="Residence")])
    [berlin] = result.new
    [closed] = result.invalidations
    assert (closed.fact_id, closed.valid_until, closed.superseded_by) == (lisbon.id, T0 + 30 * DAY, berlin.id)
    assert closed.invalidated_at == NOW  # learnt now (upkeep's clock), true until the Berlin page's time
    assert berlin.is_current() and berlin.attribute == "residence"
    assert (berlin.observed_at, berlin.valid_from) == (T0 + 30 * DAY, T0 + 30 * DAY)
    assert berlin.source_page_ids == [f"page@{T0 + 30 * DAY}"] and not result.merged and not result.evict


def test_an_age_update_is_never_merged_even_when_the_vectors_are_nearly_identical() -> None:
    age = stored("User is 34 years old.", vec(1, 0.01), T0)
    result = plan([age], [op("User is 35 years old.", vec(1, 0.02), T0 + DAY)])  # cosine ≈ 1.0
    assert [f.text for f in result.new] == ["User is 35 years old."] and not result.merged
    assert not result.invalidations  # no attribute named: both stay, neither absorbs the other
    with_attribute = plan([age], [op("User is 35 years old.", vec(1, 0.02), T0 + DAY, attribute="age")])
    assert not with_attribute.invalidations  # the stored one has no attribute to collide on
    aged = stored("User is 34 years old.", vec(1, 0.01), T0, "age")
    update = plan([aged], [op("User is 35 years old.", vec(1, 0.02), T0 + DAY, attribute="age")])
    assert [i.fact_id for i in update.invalidations] == [aged.id]


def test_a_true_duplicate_gains_the_stating_pages_and_is_not_added_again() -> None:
    peanuts = stored("The user is allergic to peanuts.", vec(1, 0.1), T0, "allergy:peanuts")
    result = plan([peanuts], [op("Is allergic to peanuts.", vec(1, 0.12), T0 + DAY, attribute="allergy:peanuts")])
    assert not result.new and not result.invalidations
    assert result.merged == {peanuts.id: [f"page@{T0 + DAY}"]}


def test_multi_valued_attributes_only_collide_on_the_same_key() -> None:
    dog = stored("I have a dog.", vec(1, 0.5), T0, "pet:dog")
    result = plan([dog], [op("I have a cat.", vec(1, 0.6), T0 + DAY, attribute="pet:cat")])
    assert [f.text for f in result.new] == ["I have a cat."] and not result.invalidations


def test_a_closed_fact_never_absorbs_a_new_statement_moving_back_is_a_new_current_fact() -> None:
    lisbon = stored("Lives in Lisbon.", vec(1), T0, "residence", valid_until=T0 + DAY, superseded_by="berlin")
    berlin = stored("Lives in Berlin.", vec(0, 1), T0 + DAY, "residence", id="berlin")
    result = plan([lisbon, berlin], [op("Lives in Lisbon.", vec(1), T0 + 9 * DAY, attribute="residence")])
    [again] = result.new
    assert again.is_current() and [(i.fact_id, i.superseded_by) for i in result.invalidations] == [("berlin", again.id)]


def test_statements_apply_in_the_order_they_were_said_within_one_batch() -> None:
    lisbon = stored("Lives in Lisbon.", vec(1), T0 - DAY, "residence", id="lisbon")
    later = op("Lives in Berlin.", vec(0, 1), T0 + 5 * DAY, attribute="residence")
    earlier = op("Lives in Porto.", vec(0, 0, 1), T0, attribute="residence")
    result = plan([lisbon], [later, earlier])
    porto, berlin = result.new
    assert porto.text == "Lives in Porto." and berlin.text == "Lives in Berlin."
    # closings in order, each naming a successor that is still current when it is applied (storage's rule)
    assert [(i.fact_id, i.valid_until, i.superseded_by) for i in result.invalidations] == [
        ("lisbon", T0, porto.id),
        (porto.id, T0 + 5 * DAY, berlin.id),
    ]


def test_a_statement_older_than_what_memory_holds_is_added_as_history() -> None:
    berlin = stored("Lives in Berlin.", vec(0, 1), T0 + 10 * DAY, "residence")
    result = plan([berlin], [op("Lives in Lisbon.", vec(1), T0, attribute="residence")])
    [lisbon] = result.new
    assert not result.invalidations and not lisbon.is_current()
    assert (lisbon.valid_until, lisbon.superseded_by) == (T0 + 10 * DAY, berlin.id)


def test_llm_operations_update_invalidate_and_keep(caplog: pytest.LogCaptureFixture) -> None:
    job = stored("Works as a nurse.", vec(1), T0, id="job")
    gym = stored("Goes to the gym on Mondays.", vec(0, 1), T0, id="gym")
    tea = stored("Drinks green tea.", vec(0, 0, 1), T0, id="tea")
    said = T0 + 40 * DAY
    with caplog.at_level(logging.INFO, logger="memoryos.tiers.facts"):
        result = plan(
            [job, gym, tea],
            [
                op("Works as a paramedic.", vec(1, 0.5), said, op="update", target="job"),
                op("Stopped going to the gym.", vec(0, 1, 0, 1), said, op="invalidate", target="gym"),
                op("", None, said, op="keep", target="tea"),
                op("", None, said, op="invalidate", target="no-such-id"),
                op("Plays chess.", vec(0, 0, 0, 0, 1), said, op="update", target="F99"),
            ],
        )
    texts = sorted(f.text for f in result.new)
    assert texts == ["Plays chess.", "Works as a paramedic."]  # an update of an unknown fact still says something
    paramedic = next(f for f in result.new if f.text == "Works as a paramedic.")
    closed = {i.fact_id: (i.valid_until, i.superseded_by) for i in result.invalidations}
    assert closed == {"job": (said, paramedic.id), "gym": (said, None)}
    assert result.merged == {"tea": [f"page@{said}"]}
    assert "no-such-id" in caplog.text and "F99" in caplog.text


def test_an_update_whose_text_repeats_its_target_only_confirms_it() -> None:
    job = stored("Works as a nurse.", vec(1), T0, id="job")
    result = plan([job], [op("Works as a nurse.", vec(1), T0 + DAY, op="update", target="job")])
    assert not result.new and not result.invalidations and result.merged == {"job": [f"page@{T0 + DAY}"]}


def test_an_interval_never_ends_before_it_began() -> None:
    job = stored("Works as a nurse.", vec(1), T0 + DAY, id="job")
    result = plan([job], [op("No longer a nurse.", vec(0, 1), T0, op="invalidate", target="job")])
    assert result.invalidations[0].valid_until == T0 + DAY


def test_expired_facts_are_neither_current_nor_duplicates() -> None:
    gone = stored("Is in Rome this week.", vec(1), T0, expires_at=NOW - 1)
    result = plan([gone], [op("Is in Rome this week.", vec(1), T0 + DAY)])
    assert len(result.new) == 1 and not result.merged


def test_capacity_evicts_history_before_current_facts() -> None:
    old_current = stored("Speaks Portuguese.", vec(1), T0, id="current")
    history = stored("Lives in Lisbon.", vec(0, 1), T0 + DAY, "residence", id="history", valid_until=T0 + 2 * DAY)
    now_current = stored("Lives in Berlin.", vec(0, 0.9, 0.1), T0 + 2 * DAY, "residence", id="berlin")
    result = plan([old_current, history, now_current], [op("Plays the cello.", vec(0, 0, 1), T0 + 3 * DAY)], 3)
    assert result.evict == ["history"]
    # a fact closed by this very plan counts as history too
    result = plan(
        [old_current, now_current],
        [op("Lives in Paris.", vec(0, 0.8, 0.2), T0 + 3 * DAY, attribute="residence")],
        capacity=2,
    )
    assert result.evict == ["berlin"] and not result.invalidations  # no closing of a fact that is deleted
    assert [f.text for f in result.new] == ["Lives in Paris."]


def test_capacity_is_per_kind() -> None:
    user = stored("Speaks Portuguese.", vec(1), T0, id="u")
    assistant = stored("I will remind you on Friday.", vec(0, 1), T0, id="a", kind="assistant")
    result = plan([user, assistant], [op("Plays the cello.", vec(0, 0, 1), T0 + DAY)], capacity=1)
    assert result.evict == ["u"]


def test_new_facts_past_capacity_drop_history_first_and_leave_no_dangling_closings() -> None:
    porto = op("Lives in Porto.", vec(1), T0, attribute="residence")
    berlin = op("Lives in Berlin.", vec(0, 1), T0 + DAY, attribute="residence")
    result = plan([], [porto, berlin], capacity=1)
    assert [f.text for f in result.new] == ["Lives in Berlin."] and not result.invalidations


@pytest.mark.parametrize(
    ("query", "past"),
    [
        ("Where did the user live before?", True),
        ("Where does the user live?", False),
        ("What job did she use to have?", True),
        ("What was Tom's previous employer?", True),
        ("Which car does he drive now?", False),
        ("What did the user do last year?", True),
        ("Where was the user working in 2022?", True),
        ("What does the user do in 2025?", False),
        ("Is the user still vegetarian?", True),
        ("When did Caroline move to Berlin?", True),
        ("What is the user's favourite food?", False),
        ("How old is the user?", False),
    ],
)
def test_questions_about_the_past_are_told_from_questions_about_now(query: str, past: bool) -> None:
    assert asks_about_past(query, NOW) is past  # NOW is in 2025


def test_query_words_break_near_ties_between_facts_but_never_bring_back_history() -> None:
    job = stored("User works as a paramedic.", vec(1, 1), T0, "occupation")
    age = stored("User is 35 years old.", vec(1, 1.05), T0 + DAY, "age")
    home = stored("User lives in Berlin.", vec(1, 0.9), T0, "residence")
    old_home = stored("User lives in Lisbon.", vec(1, 0.9), T0, "residence", valid_until=T0 + 1)
    query = vec(1, 1.1)  # a touch closer to the age fact
    ranked = rank_facts([job, age, home, old_home], "What is the user's job?", query, NOW, 5, 0.2)
    assert [f.fact.text for f in ranked][:2] == ["User works as a paramedic.", "User is 35 years old."]
    assert [f.current for f in ranked] == [True, True, True, False]  # history (passed in) after what holds
    where = rank_facts([job, age, home], "Where does the user live?", query, NOW, 5, 0.2)
    assert where[0].fact.id == home.id  # "live" matches "lives", and the residence attribute (a copy: the caller's)
    assert query_terms("Where does Tom's sister live?") == ["tom", "sister", "live"]
    assert word_share(["job"], age) == 0.0 and word_share(["job"], job) == 1.0  # by attribute: occupation


def _word_share_by_definition(terms: list[str], fact: Fact) -> float:
    """The word share as the rule says it, word by word: a term is one of the fact's words (or its attribute's),
    or a 4+-letter term begins one, or a word of 5+ letters shares the term's first five."""
    words = set(tokens(fact.text))
    if fact.attribute:
        words.update(fact.attribute.replace(":", " ").replace("_", " ").split())
        words.update(_ATTRIBUTE_WORDS.get(fact.attribute.split(":")[0], "").split())

    def carried(term: str) -> bool:
        if term in words:
            return True
        return len(term) >= 4 and any(w.startswith(term) or (len(w) >= 5 and w[:5] == term[:5]) for w in words)

    return sum(carried(t) for t in terms) / len(terms) if terms else 0.0


def test_word_share_is_the_word_by_word_rule_for_random_words() -> None:
    rng = random.Random(17)
    letters = "abcdeé"  # few letters: prefixes and stems collide often
    keys = [None, "occupation", "hobby:climbing", "residence", "pet_name", "favorite:food"]

    def word() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randint(1, 8)))

    for i in range(400):
        text = " ".join(word() for _ in range(rng.randint(0, 9)))
        fact = stored(text, vec(1), T0, rng.choice(keys), id=f"f-{i}")
        for _ in range(5):
            terms = [word() for _ in range(rng.randint(0, 5))] + rng.sample(["work", "live", "climb", "pets"], 1)
            assert word_share(terms, fact) == _word_share_by_definition(terms, fact), (terms, text, fact.attribute)
    # the same fact text read again gives the same share (the words are kept indexed between retrievals)
    fact = stored("User plays volleyball on weekends.", vec(1), T0, "hobby:volleyball")
    assert word_share(["volley", "weekend", "play"], fact) == word_share(["volley", "weekend", "play"], fact) == 1.0


def test_of_two_facts_that_hold_and_answer_alike_the_one_said_later_ranks_first() -> None:
    earlier = stored("User drinks espresso every morning.", vec(1, 0.5), T0)
    later = stored("User drinks matcha every morning.", vec(1, 0.5), T0 + 30 * DAY)
    ranked = rank_facts([later, earlier], "What does the user drink?", vec(1, 0.5), NOW, 5, 0.2)
    assert [f.fact.id for f in ranked] == [later.id, earlier.id]
    assert ranked[0].score - ranked[1].score == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("question", "asked_of_facts"),
    [
        ("Which city do I live in?", "Which city do the user live in?"),
        ("What's my pet called?", "What's the user's pet called?"),
        ("What did you promise me?", "What did the assistant promise the user?"),
        ("I’m curious, where is Tom?", "the user is curious, where is Tom?"),
        ("Where does the user live?", "Where does the user live?"),
        ("Is Mike's dog called Max?", "Is Mike's dog called Max?"),
    ],
)
def test_questions_are_asked_of_facts_in_the_third_person(question: str, asked_of_facts: str) -> None:
    assert about_the_user(question) == asked_of_facts


@pytest.mark.parametrize(
    ("text", "attribute"),
    [
        ("The user lives in Berlin.", "residence"),
        ("User is 35 years old.", "age"),
        ("Tom works at Globex.", "employer"),
        ("The user has a cat.", "pet:cat"),
        ("User studies medicine.", "study:medicine"),
        ("I live in Oslo.", "residence"),
        ("The user is allergic to peanuts.", None),
    ],
)
def test_a_fact_written_by_hand_is_read_for_the_attribute_it_states(text: str, attribute: str | None) -> None:
    assert attribute_of(text, ("tom",)) == attribute
