"""The no-LLM attribute extractor: what a first-person statement says about the speaker, keyed so that a later
value of the same thing replaces it (memoryos.providers.attributes)."""

from __future__ import annotations

import pytest

from memoryos.providers.attributes import Attribute, find_attributes


def _keys(sentence: str) -> dict[str, Attribute]:
    return {a.key: a for a in find_attributes(sentence)}


@pytest.mark.parametrize(
    ("sentence", "key", "value", "statement"),
    [
        ("I live in Lisbon.", "residence", "Lisbon", "User lives in Lisbon"),
        ("I've been living in New York for about three years.", "residence", "New York", "User lives in New York"),
        ("Big news: I relocated to Berlin last week.", "residence", "Berlin", "User lives in Berlin"),
        ("We just moved to Porto!", "residence", "Porto", "User lives in Porto"),
        ("My flat in Lisbon is tiny but I love it.", "residence", "Lisbon", "User lives in Lisbon"),
        ("I'm originally from Sweden.", "origin", "Sweden", "User is originally from Sweden"),
        ("I grew up in Rio de Janeiro.", "origin", "Rio de Janeiro", "User is originally from Rio de Janeiro"),
        ("I work at Acme Robotics.", "employer", "Acme Robotics", "User works at Acme Robotics"),
        ("I'm working for Globex now.", "employer", "Globex", "User works at Globex"),
        ("I started a new job at Initech on Monday!", "employer", "Initech", "User works at Initech"),
        ("I left my old job and joined Globex.", "employer", "Globex", "User works at Globex"),
        ("I work as a nurse.", "occupation", "nurse", "User works as a nurse"),
        ("I'm a graphic designer by profession.", "occupation", "graphic designer", "User works as a graphic designer"),
        ("I retrained and I'm an electrician now.", "occupation", "electrician", "User works as an electrician"),
        ("I'm 34 years old.", "age", "34", "User is 34 years old"),
        ("I just turned thirty-five.", "age", "35", "User is 35 years old"),
        ("I just celebrated my 40th birthday.", "age", "40", "User is 40 years old"),
        ("I'm engaged to Sam now.", "relationship", "engaged to Sam", "User is engaged to Sam"),
        ("I've been dating Priya for a few months.", "relationship", "dating Priya", "User is dating Priya"),
        ("My partner Noah and I started dating in the spring.", "relationship", "dating Noah", "User is dating Noah"),
        ("I have two kids.", "children", "2", "User has 2 children"),
        ("I have a daughter named Emma.", "child:emma", "daughter named Emma", "User has a daughter named Emma"),
        ("We adopted a puppy named Max.", "pet:dog", "dog named Max", "User has a dog named Max"),
        ("My cat Miso sleeps all day.", "pet:cat", "cat named Miso", "User has a cat named Miso"),
        ("I study marine biology.", "study:marine_biology", "marine biology", "User studies marine biology"),
        ("I graduated from Stanford.", "school", "Stanford", "User graduated from Stanford"),
        ("I speak Spanish.", "language:spanish", "Spanish", "User speaks Spanish"),
        ("I'm learning Japanese.", "language:japanese", "learning Japanese", "User is learning Japanese"),
        ("My favourite food is sushi.", "favorite:food", "sushi", "User's favourite food is sushi"),
        ("My go-to drink is green tea.", "favorite:drink", "green tea", "User's favourite drink is green tea"),
        (
            "I love hiking in the mountains.",
            "hobby:hiking",
            "hiking in the mountains",
            "User enjoys hiking in the mountains",
        ),
        ("I play tennis every weekend.", "hobby:tennis", "tennis", "User enjoys tennis"),
        ("I joined a rowing club.", "hobby:rowing", "rowing", "User enjoys rowing"),
        (
            "I prefer green tea over coffee.",
            "likes:green_tea",
            "green tea over coffee",
            "User prefers green tea over coffee",
        ),
        ("I drive a Honda Civic.", "car", "Honda Civic", "User drives a Honda Civic"),
        # a gerund subject is the speaker's own state
        ("Being 63 has its perks.", "age", "63", "User is 63 years old"),
        ("Being a midwife means long nights.", "occupation", "midwife", "User works as a midwife"),
        ("Being divorced was hard at first.", "relationship", "divorced", "User is divorced"),
        # what is had daily: with a frequency, with a measure for "have", or wished for ever
        ("I have three mugs of rooibos a day.", "favorite:drink", "rooibos", "User drinks rooibos daily"),
        ("I eat a bowl of muesli every morning.", "favorite:food", "muesli", "User eats muesli daily"),
        ("I could eat dumplings every day.", "favorite:food", "dumplings", "User eats dumplings daily"),
        ("Nothing beats gazpacho in summer.", "likes:gazpacho", "gazpacho", "User likes gazpacho best"),
        ("My name is Tom.", "name", "Tom", "User's name is Tom"),
        (
            "I want to become a counselor.",
            "goal:become_counselor",
            "become a counselor",
            "User wants to become a counselor",
        ),
    ],
)
def test_states_an_attribute(sentence: str, key: str, value: str, statement: str) -> None:
    found = _keys(sentence)
    assert key in found, (sentence, list(found))
    assert (found[key].value, found[key].statement, found[key].negated) == (value, statement, False)


@pytest.mark.parametrize(
    ("sentence", "key", "statement"),
    [
        ("I don't live in Berlin anymore.", "residence", "User no longer lives in Berlin"),
        ("I no longer work at Globex.", "employer", "User no longer works at Globex"),
        ("I lost my job as a banker yesterday.", "occupation", "User no longer works as a banker"),
        ("I'm not a nurse anymore.", "occupation", "User no longer works as a nurse"),
        ("I don't have a dog anymore.", "pet:dog", "User no longer has a dog"),
        ("Our old cat Luna passed away.", "pet:cat", "User no longer has a cat (Luna)"),
        ("I gave up tennis.", "hobby:tennis", "User gave up tennis"),
        ("I don't like coffee anymore.", "likes:coffee", "User dislikes coffee"),
        ("I hate coffee.", "likes:coffee", "User dislikes coffee"),
        ("I sold my Toyota Corolla.", "car", "User no longer has the Toyota Corolla"),
    ],
)
def test_negation_gives_the_same_key_negated(sentence: str, key: str, statement: str) -> None:
    found = _keys(sentence)
    assert key in found, (sentence, list(found))
    assert found[key].negated and found[key].statement == statement


def test_a_flip_of_a_preference_collides_and_a_new_one_does_not() -> None:
    (liked,) = find_attributes("I like coffee.")
    (flipped,) = find_attributes("I don't like coffee anymore.")
    (other,) = find_attributes("I like green tea.")
    assert liked.key == flipped.key != other.key
    assert not liked.negated and flipped.negated


def test_multi_valued_attributes_only_collide_on_the_same_thing() -> None:
    painting = _keys("I love painting.")
    pottery = _keys("I've been doing pottery since school.")
    assert set(painting) == {"hobby:painting"} and set(pottery) == {"hobby:pottery"}
    assert set(_keys("I stopped painting.")) == {"hobby:painting"}
    assert _keys("I have a dog named Rex.").keys() == {"pet:dog"}
    assert _keys("I have a cat named Tom.").keys() == {"pet:cat"}
    assert _keys("We adopted another dog, Luna.").keys() == {"pet:dog:luna"}  # a second dog is not the first one
    assert _keys("I have a son named Leo.").keys() == {"child:leo"}
    assert _keys("I have a daughter named Mia.").keys() == {"child:mia"}


def test_one_sentence_can_state_several_attributes_most_telling_first() -> None:
    found = find_attributes("I'm a data analyst at Acme Robotics.")
    assert [a.key for a in found] == ["employer", "occupation"]
    assert find_attributes("I gave up tennis and took up rowing.")[1].key == "hobby:rowing"
    moved = find_attributes("I sold my Toyota Corolla and bought a Honda Civic.")
    assert [(a.key, a.value, a.negated) for a in moved] == [("car", "Honda Civic", False)]


@pytest.mark.parametrize(
    "sentence",
    [
        "My husband and I went to the cinema.",  # a passing mention says nothing new about a partner
        "My kids loved the beach.",
        "I'm so happy for you.",
        "I'm a huge believer in kindness.",
        "I love that!",
        "I think so too.",
        "I'm 2 hours away.",
        "I've been feeling down for weeks.",
        "I want to say thank you.",
        "It was great to see the lake.",
        "Nothing beats a cold lemonade after a run.",  # one moment, not a standing taste
        "I have meetings every day.",  # "have" is consumption only with a measure
        "Being honest is important.",  # a gerund subject states the speaker's state only as an attribute
    ],
)
def test_passing_mentions_and_small_talk_state_nothing(sentence: str) -> None:
    assert find_attributes(sentence) == []


def test_the_subject_is_the_one_given() -> None:
    (pet,) = find_attributes("I just adopted a puppy.", subject="Assistant")
    assert pet.statement == "Assistant has a dog"


def test_value_phrases_keep_a_noun_with_its_adjectives_and_leave_context_out() -> None:
    (goal,) = find_attributes("I want to create a safe, inviting place for people to grow.")
    assert goal.value == "create a safe, inviting place"
    (home,) = find_attributes("I plan to build a safe and loving home for kids.")
    assert home.value == "build a safe and loving home"
    assert find_attributes("I love the color.") == []  # the thing in front of them, not a standing taste
    (job,) = find_attributes("I lost my job at the mechanical engineering company.")
    assert (job.key, job.statement) == ("employer", "User no longer works at the mechanical engineering company")


def test_a_change_is_keyed_like_the_value_it_replaces() -> None:
    """What is said first and what is said at the change share the key, however each is phrased."""
    pairs = [
        ("Badminton is my favourite sport.", "I gave up badminton and took up cycling."),
        ("My Mazda 3 is old but reliable.", "I sold my Mazda 3 and bought a Kia Soul."),
        ("I booked flights to Kenya for June.", "The Kenya trip got moved to October."),
        ("I drink espresso every morning.", "These days my go-to drink is matcha."),
        ("I've been doing rowing since school.", "I joined a rock climbing club."),
    ]
    for before, after in pairs:
        old = {a.key for a in find_attributes(before)}
        assert old & {a.key for a in find_attributes(after)} or after.startswith("I joined"), (before, after)
    (car,) = find_attributes("I sold my Mazda 3 and bought a Kia Soul.")
    assert (car.value, car.negated) == ("Kia Soul", False)  # the later value holds
    assert [a.key for a in find_attributes("I joined a rock climbing club.")] == ["hobby:rock_climbing"]
    assert find_attributes("I drove my Fiat Panda to the coast and we camped.")[0].key == "hobby:camping"
