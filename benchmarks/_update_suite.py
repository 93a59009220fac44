"""A knowledge-update suite: scripted multi-session dialogues in which one of the user's attributes changes.

Each dialogue states a value (where the user lives, works, their age, partner, pet, a trip's date, a favourite,
their occupation, car, sport) in an early session, repeats it in passing, changes it in a later session, then
goes on with small talk; distractor turns sit in between. Phrasings come from several templates per attribute,
values and names from pools, dates from a seeded generator: the same seed gives the same suite.

Scoring (through the public API only):
- current: for each question about the current value, the first user fact `retrieve` returns names it;
- stale: the facts that name the old value (and not the new one) are closed: `valid_until` set, between 31 days
  before and 1 day after the changing session (a change said as "last week" may date itself earlier);
- past: for each question about the past value, one of those old facts is among the retrieved user knowledge.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from memoryos.timeexpr import MONTHS

DAY = 86400.0
STALE_BEFORE_DAYS = 31
STALE_AFTER_DAYS = 1


@dataclass(frozen=True)
class Value:
    text: str
    marks: tuple[str, ...] = ()  # regexes that name this value in a fact (default: the text as a word)

    def named_in(self, text: str) -> bool:
        patterns = self.marks or (r"\b" + re.escape(self.text) + r"\b",)
        return any(re.search(p, text, re.IGNORECASE) for p in patterns)


@dataclass
class Session:
    timestamp: float
    pages: list[tuple[str, str]]  # (user_input, agent_response)


@dataclass
class Question:
    text: str
    kind: str  # "current" or "past"


@dataclass
class Dialogue:
    id: str
    attribute: str
    old: Value
    new: Value
    change_timestamp: float  # the changing session's date
    sessions: list[Session] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)

    def pages(self) -> list[tuple[str, str, float]]:
        return [(u, a, s.timestamp + 60 * i) for s in self.sessions for i, (u, a) in enumerate(s.pages)]


CITIES = [
    "Lisbon",
    "Berlin",
    "Denver",
    "Osaka",
    "Toronto",
    "Melbourne",
    "Dublin",
    "Austin",
    "Krakow",
    "Seattle",
    "Valencia",
    "Montreal",
    "Nairobi",
    "Edinburgh",
    "Portland",
    "Helsinki",
    "Boston",
    "Vienna",
]
COMPANIES = [
    "Acme Robotics",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Logistics",
    "Hooli",
    "Vandelay Imports",
    "Wayne Foods",
    "Pied Piper",
    "Soylent Labs",
    "Cyberdyne",
]
ROLES = [
    "data analyst",
    "nurse",
    "carpenter",
    "teacher",
    "pharmacist",
    "graphic designer",
    "electrician",
    "accountant",
    "chef",
    "librarian",
    "paramedic",
    "architect",
]
PARTNERS = ["Sam", "Alex", "Jordan", "Priya", "Mateo", "Lena", "Kofi", "Yuki", "Noah", "Ines", "Omar", "Clara"]
PET_NAMES = [
    "Miso",
    "Pepper",
    "Biscuit",
    "Luna",
    "Rex",
    "Mango",
    "Ziggy",
    "Olive",
    "Nacho",
    "Pixel",
    "Juniper",
    "Clover",
]
PETS = ["cat", "dog", "rabbit", "parrot", "hamster", "tortoise"]
PLACES = ["Iceland", "Japan", "Peru", "Morocco", "Norway", "Vietnam", "Chile", "Greece", "Canada", "Kenya"]
FOODS = ["sushi", "lasagna", "ramen", "tacos", "curry", "paella", "pho", "dumplings", "falafel", "risotto"]
DRINKS = [
    ("coffee", "green tea"),
    ("black tea", "coffee"),
    ("espresso", "matcha"),
    ("soda", "sparkling water"),
    ("beer", "kombucha"),
    ("hot chocolate", "chai"),
]
CARS = [
    "Toyota Corolla",
    "Honda Civic",
    "Volvo V70",
    "Ford Focus",
    "Subaru Outback",
    "Mazda 3",
    "Kia Soul",
    "Tesla Model 3",
    "Fiat Panda",
    "VW Golf",
]
SPORTS = [
    "tennis",
    "rock climbing",
    "swimming",
    "volleyball",
    "cycling",
    "badminton",
    "rowing",
    "yoga",
    "boxing",
    "table tennis",
]

DISTRACTORS = [
    ("The weather has been so grey this week.", "Grey weeks are tough. Hope the sun shows up soon."),
    ("Did you see the lunar eclipse last night?", "I didn't, but I heard it was spectacular."),
    ("Can you recommend a good podcast about history?", "Try one that covers a single era per season."),
    ("I binge-watched a documentary about octopuses.", "Octopuses are fascinating, they can solve puzzles."),
    ("Traffic this morning was a nightmare.", "Sounds stressful. Did you make it on time?"),
    ("What's a quick recipe for dinner tonight?", "A stir-fry with whatever vegetables you have is quick."),
    ("My phone battery dies so fast lately.", "Maybe check which apps drain it in the settings."),
    ("I finally finished that thousand-piece puzzle.", "Nice work! That takes real patience."),
    ("Do you think it will rain this weekend?", "I can't check forecasts, but it's worth packing an umbrella."),
    ("I tried a new bakery around the corner.", "Was it good? Fresh bread is hard to beat."),
    ("The neighbours are renovating again, so noisy.", "Renovation noise is the worst. Earplugs might help."),
    ("I'm reading a mystery novel, can't put it down.", "Those are the best. No spoilers though!"),
    ("How many hours of sleep should an adult get?", "Most adults do well with seven to nine hours."),
    ("I cleaned out my closet and found old concert tickets.", "What a nice bit of nostalgia."),
    ("What's the difference between a latte and a flat white?", "A flat white has less milk and finer foam."),
    ("The museum downtown has a new dinosaur exhibit.", "That sounds like a fun afternoon."),
    ("I keep forgetting to water my plants.", "A weekly reminder on your phone could help."),
    ("Any tips for staying focused while working?", "Short breaks every hour help many people."),
    ("There was a power cut in our street yesterday.", "Hope everything came back on quickly."),
    ("I learned how to make sourdough starter.", "Impressive! It needs feeding every day, right?"),
    ("Is it true that honey never spoils?", "Yes, sealed honey can last for a very long time."),
    ("I watched the football final with friends.", "Was it a close game?"),
    ("My laptop fan is suddenly very loud.", "Cleaning the vents often helps with that."),
    ("Tell me a fun fact about space.", "A day on Venus is longer than its year."),
]
CLOSERS = [
    "Sounds good!",
    "Got it, thanks for telling me.",
    "Good to know!",
    "That's a big change!",
    "Thanks for the update.",
    "Noted, tell me more sometime.",
]


@dataclass
class Spec:
    """One attribute: how to draw its old and new values, state them, change them, and ask about them."""

    attribute: str
    draw: Callable[[random.Random], tuple[Value, Value, dict[str, str]]]
    state: list[str]  # templates with {v} (the value) and the extras
    repeat: list[str]  # the old value mentioned in passing in a later session
    change: list[str]  # templates with {v} (new), {old} and the extras
    current: list[str]
    past: list[str]
    gap_days: tuple[int, int] = (40, 200)  # from the first session to the change


def _two(rng: random.Random, pool: list[str]) -> tuple[str, str]:
    a, b = rng.sample(pool, 2)
    return a, b


def _city(rng: random.Random) -> tuple[Value, Value, dict[str, str]]:
    a, b = _two(rng, CITIES)
    return Value(a), Value(b), {}


def _employer(rng: random.Random) -> tuple[Value, Value, dict[str, str]]:
    a, b = _two(rng, COMPANIES)
    return Value(a), Value(b), {"role": rng.choice(ROLES)}


def _age(rng: random.Random) -> tuple[Value, Value, dict[str, str]]:
    n = rng.randint(22, 58)
    old, new = str(n), str(n + 1)
    return Value(old, (rf"\b{old}(?:th)?\b",)), Value(new, (rf"\b{new}(?:th)?\b",)), {}


def _relationship(rng: random.Random) -> tuple[Value, Value, dict[str, str]]:
    partner = rng.choice(PARTNERS)
    old = Value(
        "dating",
        (r"\bdating\b", r"\bseeing\b", r"\bboyfriend\b", r"\bgirlfriend\b", r"\bpartner\b", r"\bgoing out\b",
         r"\bin a relationship\b"),
    )  # fmt: skip
    new = Value("engaged", (r"\bengaged\b", r"\bengagement\b", r"\bfianc[ée]e?\b", r"\bproposed\b",
                            r"\bpopped the question\b"))  # fmt: skip
    return old, new, {"p": partner}


def _pet(rng: random.Random) -> tuple[Value, Value, dict[str, str]]:
    a, b = _two(rng, PET_NAMES)
    kind_a, kind_b = _two(rng, PETS)
    return Value(a), Value(b), {"kind_a": kind_a, "kind_b": kind_b}


def _trip(rng: random.Random) -> tuple[Value, Value, dict[str, str]]:
    i = rng.randrange(12)
    j = (i + rng.randint(2, 5)) % 12
    # case-sensitive: "may" the verb is not "May" the month
    old, new = (Value(MONTHS[k], (rf"(?-i:\b{MONTHS[k]}\b)",)) for k in (i, j))
    return old, new, {"place": rng.choice(PLACES)}


def _food(rng: random.Random) -> tuple[Value, Value, dict[str, str]]:
    a, b = _two(rng, FOODS)
    return Value(a), Value(b), {}


def _drink(rng: random.Random) -> tuple[Value, Value, dict[str, str]]:
    a, b = rng.choice(DRINKS)
    return Value(a), Value(b), {}


def _role(rng: random.Random) -> tuple[Value, Value, dict[str, str]]:
    a, b = _two(rng, ROLES)
    return Value(a), Value(b), {}


def _car(rng: random.Random) -> tuple[Value, Value, dict[str, str]]:
    a, b = _two(rng, CARS)
    return _by_make(a), _by_make(b), {}


def _by_make(car: str) -> Value:
    """A car is named by its make: "my Volvo" is the Volvo V70."""
    return Value(car, (r"\b" + re.escape(car.split()[0]) + r"\b",))


def _sport(rng: random.Random) -> tuple[Value, Value, dict[str, str]]:
    a, b = _two(rng, SPORTS)
    return Value(a), Value(b), {}


SPECS = [
    Spec(
        "residence",
        _city,
        [
            "I live in {v}.",
            "I've been living in {v} for about three years.",
            "My flat in {v} is tiny but I love it.",
            "Home for me is {v}, right by the river.",
        ],
        ["Walking around {v} today was lovely.", "The cafés in {v} are packed this month."],
        [
            "I just moved to {v}!",
            "Big news: I relocated to {v} last week.",
            "I live in {v} now, the move was exhausting.",
            "I finally unpacked my boxes in my new place in {v}.",
        ],
        ["Where does the user live now?", "Which city do I live in?", "Where is home for me these days?"],
        ["Where did I live before?", "Which city did I use to live in?", "Where was I living when we first talked?"],
    ),
    Spec(
        "employer",
        _employer,
        [
            "I work at {v} as a {role}.",
            "I've been at {v} for two years now.",
            "My job at {v} keeps me really busy.",
            "I'm a {role} at {v}.",
        ],
        ["Another long day at {v} today.", "My team at {v} had a lunch outing."],
        [
            "I started a new job at {v} on Monday!",
            "I left my old job and joined {v}.",
            "I'm working for {v} now.",
            "I accepted the offer from {v}, I start next week.",
        ],
        ["Where does the user work now?", "Which company do I work for?", "Who is my current employer?"],
        ["Where did I work before?", "What was my previous employer?", "Which company did I use to work for?"],
    ),
    Spec(
        "age",
        _age,
        [
            "I'm {v} years old.",
            "I turned {v} this spring.",
            "Being {v} is honestly great so far.",
            "At {v} I finally feel like an adult.",
        ],
        ["Not bad for someone who is {v}, right?"],
        [
            "I turned {v} last week!",
            "I just celebrated my {v}th birthday.",
            "I'm {v} now, time flies.",
            "My birthday was yesterday, I'm officially {v}.",
        ],
        ["How old is the user?", "How old am I now?", "What is my age?"],
        ["How old was I last year?", "How old was I when we first talked?", "What age did I tell you before?"],
        gap_days=(330, 400),
    ),
    Spec(
        "relationship",
        _relationship,
        [
            "I've been dating {p} for a few months.",
            "I'm seeing someone called {p}, it's getting serious.",
            "My partner {p} and I started dating in the spring.",
            "{p} is my girlfriend, we met at a concert.",
        ],
        ["{p}, who I'm dating, took me to the cinema on Friday."],
        [
            "{p} proposed and we're engaged!",
            "{p} and I got engaged last weekend.",
            "We're engaged! {p} said yes.",
            "I'm engaged to {p} now, we're planning the wedding.",
        ],
        ["What is my relationship status?", "Am I engaged or just dating {p}?", "What's going on with {p} and me?"],
        [
            "Was I dating {p} before?",
            "What was my relationship with {p} when we first talked?",
            "How did things stand with {p} earlier?",
        ],
    ),
    Spec(
        "pet",
        _pet,
        [
            "I have a {kind_a} named {v}.",
            "My {kind_a} {v} sleeps all day.",
            "{v}, my {kind_a}, chewed my slippers.",
            "I adopted a {kind_a} called {v} last year.",
        ],
        ["{v} was being silly again this morning."],
        [
            "Sadly {old} passed away, and now I have a {kind_b} named {v}.",
            "I rehomed {old} with my sister, so my pet is a {kind_b} called {v} now.",
            "My new {kind_b} {v} is the only pet at home now.",
            "After {old} was gone we adopted a {kind_b} named {v}.",
        ],
        ["What pet does the user have now?", "What's my pet called?", "Which animal lives with me now?"],
        ["What pet did I have before?", "What was my old pet's name?", "Which pet did I have when we first talked?"],
    ),
    Spec(
        "trip",
        _trip,
        [
            "I'm planning a trip to {place} in {v}.",
            "I booked flights to {place} for {v}.",
            "In {v} I'm going to {place}, can't wait.",
            "My {place} trip is set for {v}.",
        ],
        ["Still excited about {place} in {v}."],
        [
            "The {place} trip got moved to {v}.",
            "We had to postpone {place} until {v}.",
            "I rebooked the flights, so {place} is in {v} now.",
            "Change of plans: I'm going to {place} in {v} instead.",
        ],
        ["When is my trip to {place}?", "Which month am I going to {place}?", "When do I fly to {place}?"],
        [
            "When was my {place} trip originally planned?",
            "Which month did I first book {place} for?",
            "What was the original date of the {place} trip?",
        ],
    ),
    Spec(
        "favourite_food",
        _food,
        [
            "My favourite food is {v}.",
            "I could eat {v} every single day.",
            "Nothing beats {v} for me.",
            "If I had to pick one dish forever it would be {v}.",
        ],
        ["I had {v} again for dinner."],
        [
            "These days my favourite food is {v}.",
            "I'm totally over my old favourite, now it's all about {v}.",
            "My new favourite dish is {v}.",
            "Honestly {v} is my favourite food now.",
        ],
        ["What is my favourite food?", "Which dish do I like most now?", "What does the user love eating these days?"],
        ["What was my favourite food before?", "Which dish did I use to love?", "What food did I like most earlier?"],
    ),
    Spec(
        "drink",
        _drink,
        [
            "I drink {v} every morning.",
            "I can't start the day without {v}.",
            "My go-to drink is {v}.",
            "I have at least two cups of {v} a day.",
        ],
        ["Just made myself a {v}."],
        [
            "I quit {old}, I only drink {v} now.",
            "I switched to {v} in the mornings.",
            "These days my go-to drink is {v}.",
            "My doctor told me to cut back, so now it's {v} every morning.",
        ],
        ["What do I drink in the morning?", "What is my go-to drink now?", "What does the user drink every morning?"],
        [
            "What did I use to drink in the morning?",
            "What was my go-to drink before?",
            "What did I drink every day earlier?",
        ],
    ),
    Spec(
        "occupation",
        _role,
        [
            "I work as a {v}.",
            "I'm a {v} by profession.",
            "Being a {v} is tiring but rewarding.",
            "I've been a {v} for six years.",
        ],
        ["Work as a {v} was intense this week."],
        [
            "I retrained and I'm a {v} now.",
            "I changed careers, I work as a {v} these days.",
            "I finally got my licence, so I'm a {v} now.",
            "My new job is as a {v}.",
        ],
        ["What does the user do for a living?", "What is my job now?", "What's my profession?"],
        ["What was my job before?", "What did I do for a living earlier?", "What was my previous profession?"],
    ),
    Spec(
        "car",
        _car,
        [
            "I drive a {v}.",
            "My {v} is old but reliable.",
            "I take my {v} to work every day.",
            "I bought a second-hand {v} a while ago.",
        ],
        ["Washed the {v} this weekend."],
        [
            "I sold my {old} and bought a {v}.",
            "I drive a {v} now.",
            "Got a {v}, the old car is gone.",
            "My new car is a {v}.",
        ],
        ["What car does the user drive?", "What car do I have now?", "Which car do I drive these days?"],
        ["What car did I drive before?", "Which car did I use to have?", "What was my old car?"],
    ),
    Spec(
        "sport",
        _sport,
        [
            "I play {v} every weekend.",
            "{v} is my favourite sport.",
            "I've been doing {v} since school.",
            "My {v} club meets on Tuesdays.",
        ],
        ["Sore muscles after {v} yesterday."],
        [
            "I gave up {old} and took up {v}.",
            "These days I do {v} instead.",
            "I switched to {v}, I love it.",
            "I joined a {v} club and stopped the old sport.",
        ],
        ["Which sport do I do now?", "What sport does the user practise?", "What's my sport these days?"],
        ["Which sport did I do before?", "What sport did I use to play?", "What was my sport earlier?"],
    ),
]


# Held-out phrasings: other wordings of the same statements, mentions and changes, written before the extractor
# was worked on against them and never adapted to it. `build_suite(phrasings="heldout")` uses these instead of the
# templates above (the "dev" phrasings, which the extractor has been developed on), so that a gain measured on dev
# can be checked on wording it was not tuned to. (state, repeat, change) per attribute.
HELDOUT: dict[str, tuple[list[str], list[str], list[str]]] = {
    "residence": (
        [
            "We rent a small place in {v}.",
            "I'm based in {v} at the moment.",
            "My neighbourhood in {v} is really quiet.",
            "{v} has been my home since college.",
        ],
        ["It rained all day in {v}.", "Got lost on the tram in {v} again."],
        [
            "We packed up and left {old} for {v}.",
            "I don't live in {old} anymore, I'm in {v} now.",
            "The movers dropped everything off at my new apartment in {v}.",
            "After years in {old}, I've settled in {v}.",
        ],
    ),
    "employer": (
        [
            "I'm employed by {v}.",
            "{v} pays my bills, I'm a {role} there.",
            "I've worked for {v} since 2019.",
            "I spend my weekdays at {v} as their {role}.",
        ],
        ["The coffee machine at {v} broke again.", "Payday at {v} is tomorrow."],
        [
            "Today was my last day at {old}; on Monday I start at {v}.",
            "{v} hired me as a {role}!",
            "I switched employers, I'm with {v} now.",
            "I handed in my notice at {old} and signed with {v}.",
        ],
    ),
    "age": (
        [
            "I'm a {v}-year-old, believe it or not.",
            "I celebrated turning {v} a few weeks ago.",
            "My age? {v}.",
            "I'm {v} and still learning new things.",
        ],
        ["Feeling every one of my {v} years today."],
        [
            "Another birthday came and went, so I'm {v} now.",
            "Yesterday I hit {v}.",
            "As of this week I'm {v} years old.",
            "I'm no longer {old}, I turned {v} on Sunday.",
        ],
    ),
    "relationship": (
        [
            "My boyfriend {p} is coming over tonight.",
            "{p} and I have been going out since March.",
            "I started seeing {p} a couple of months ago.",
            "I'm in a relationship with {p}.",
        ],
        ["My partner {p} cooked dinner for me."],
        [
            "{p} popped the question and I said yes!",
            "We got engaged over the holidays, {p} hid the ring in a cake.",
            "I'm wearing an engagement ring now, {p} proposed on the beach.",
            "{p} is my fiancé now.",
        ],
    ),
    "pet": (
        [
            "I've got a {kind_a}, {v}, who follows me everywhere.",
            "{v} is my {kind_a} and the boss of the house.",
            "We share the flat with a {kind_a} called {v}.",
            "My little {kind_a} {v} hates the vacuum cleaner.",
        ],
        ["{v} knocked a glass off the table."],
        [
            "{old} died in the spring; we got a {kind_b} named {v} last month.",
            "We said goodbye to {old} and welcomed a {kind_b}, {v}.",
            "Meet {v}, my new {kind_b}! {old} lives with my parents now.",
            "{old} is gone now, but {v} the {kind_b} keeps me company.",
        ],
    ),
    "trip": (
        [
            "We're flying to {place} in {v}.",
            "{place} in {v} is the plan!",
            "I've got tickets to {place} for {v}.",
            "I'm visiting {place} this {v}.",
        ],
        ["Counting down to {place} in {v}."],
        [
            "{place} is now happening in {v} rather than {old}.",
            "The airline cancelled our flight, so {place} moved to {v}.",
            "We pushed {place} back to {v}.",
            "My {place} trip is now in {v}.",
        ],
    ),
    "favourite_food": (
        [
            "{v} is my comfort food.",
            "I love {v} more than any other food.",
            "Give me {v} and I'm happy.",
            "I'm obsessed with {v}.",
        ],
        ["Ordered {v} for lunch."],
        [
            "I used to love {old}, but {v} is my favourite now.",
            "Lately I've been craving {v} more than anything.",
            "{old} doesn't do it for me anymore; {v} is the best.",
            "I've gone off {old}, these days I'd pick {v} every time.",
        ],
    ),
    "drink": (
        [
            "Every morning starts with a cup of {v}.",
            "I'm a {v} person in the mornings.",
            "Morning {v} is my ritual.",
            "I usually have {v} with breakfast.",
        ],
        ["Spilled my {v} on the keyboard."],
        [
            "I stopped drinking {old}; it's {v} for me now.",
            "I've replaced my morning {old} with {v}.",
            "No more {old} for me, I have {v} with breakfast instead.",
            "I've been having {v} in the mornings since I gave up {old}.",
        ],
    ),
    "occupation": (
        [
            "I'm working as a {v} at the moment.",
            "My job title is {v}.",
            "As a {v}, I spend a lot of time on my feet.",
            "I earn my living as a {v}.",
        ],
        ["Long shift as a {v} today."],
        [
            "I quit being a {old} and became a {v}.",
            "Starting today I'm officially a {v}.",
            "I'm not a {old} anymore, I'm a {v}.",
            "I got hired as a {v} last month.",
        ],
    ),
    "car": (
        [
            "I get around in a {v}.",
            "My car is a {v}.",
            "I've had my {v} for ages.",
            "My {v} needs new tyres.",
        ],
        ["Filled up the {v} on the way home."],
        [
            "I traded in the {old} for a {v}.",
            "I finally replaced my {old} with a {v}.",
            "My {old} broke down for good, so now I drive a {v}.",
            "I picked up a {v} at the dealership on Saturday.",
        ],
    ),
    "sport": (
        [
            "{v} keeps me fit.",
            "I'm really into {v}.",
            "I train for {v} three times a week.",
            "My weekends revolve around {v}.",
        ],
        ["Pulled a muscle at {v} practice."],
        [
            "I've dropped {old} and started doing {v}.",
            "My new sport is {v}.",
            "I'm not doing {old} anymore, it's {v} now.",
            "I signed up for {v} lessons and quit {old}.",
        ],
    ),
}
PHRASINGS = ("dev", "heldout", "fresh", "unseen", "unseen2", "unseen3", "unseen4", "unseen5", "unseen6", "unseen7")


def _phrased(spec: Spec, phrasings: str) -> Spec:
    if phrasings == "dev":
        return spec
    if phrasings == "fresh":  # a third set, questions reworded too (_update_fresh.py)
        from ._update_fresh import FRESH

        state, repeat, change, current, past = FRESH[spec.attribute]
        return replace(spec, state=state, repeat=repeat, change=change, current=current, past=past)
    if phrasings != "heldout":
        raise ValueError(f"unknown phrasings {phrasings!r} (one of {PHRASINGS})")
    state, repeat, change = HELDOUT[spec.attribute]
    return replace(spec, state=state, repeat=repeat, change=change)


def _fill(template: str, value: Value, old: Value, extras: dict[str, str]) -> str:
    text = template.format(v=value.text, old=old.text, **extras)
    return text[0].upper() + text[1:]


def _distractors(rng: random.Random, n: int) -> list[tuple[str, str]]:
    return rng.sample(DISTRACTORS, n)


def _session(rng: random.Random, statements: list[tuple[str, str]], n_distractors: int) -> list[tuple[str, str]]:
    """Distractor pages with the statements at random places (never as the very first page)."""
    pages = _distractors(rng, n_distractors)
    for statement in statements:
        pages.insert(rng.randint(1, len(pages)), statement)
    return pages


def _date(rng: random.Random) -> float:
    start = datetime(2021, 1, 1, tzinfo=timezone.utc) + timedelta(days=rng.randrange(900))
    return start.replace(hour=rng.randrange(8, 20)).timestamp()


def build_suite(n: int = 44, seed: int = 12, closing_pages: int = 7, phrasings: str = "dev") -> list[Dialogue]:
    """n dialogues, cycling through the attributes; `closing_pages` of small talk end each one (so that the
    changing session leaves short-term memory, as it would in a conversation that goes on). `phrasings`: "dev"
    (SPECS' templates), "heldout" (HELDOUT's) or "fresh" (_update_fresh.FRESH's, questions included); "unseen" is
    another set of dialogues (_update_unseen: hand-written, with attributes and values of its own), "unseen2" a
    fifth one (_update_unseen2, session 25's transfer check), "unseen3" a sixth (_update_unseen3, session 26's),
    "unseen4" a seventh (_update_unseen4, session 27's), "unseen5" an eighth (_update_unseen5, session 28's),
    "unseen6" a ninth (_update_unseen6, session 29's), "unseen7" a tenth (_update_unseen7, session 30's)."""
    if phrasings == "unseen":
        from ._update_unseen import build_unseen

        return build_unseen(n, seed, closing_pages)
    if phrasings == "unseen2":
        from ._update_unseen2 import build_unseen2

        return build_unseen2(n, seed, closing_pages)
    if phrasings == "unseen3":
        from ._update_unseen3 import build_unseen3

        return build_unseen3(n, seed, closing_pages)
    if phrasings == "unseen4":
        from ._update_unseen4 import build_unseen4

        return build_unseen4(n, seed, closing_pages)
    if phrasings == "unseen5":
        from ._update_unseen5 import build_unseen5

        return build_unseen5(n, seed, closing_pages)
    if phrasings == "unseen6":
        from ._update_unseen6 import build_unseen6

        return build_unseen6(n, seed, closing_pages)
    if phrasings == "unseen7":
        from ._update_unseen7 import build_unseen7

        return build_unseen7(n, seed, closing_pages)
    rng = random.Random(seed)
    suite: list[Dialogue] = []
    for index in range(n):
        spec = _phrased(SPECS[index % len(SPECS)], phrasings)
        variant = index // len(SPECS)
        old, new, extras = spec.draw(rng)
        start = _date(rng)
        change = start + DAY * rng.randint(*spec.gap_days)
        state = _fill(spec.state[variant % len(spec.state)], old, old, extras)
        repeat = _fill(rng.choice(spec.repeat), old, old, extras)
        changed = _fill(spec.change[(3 * variant + 1) % len(spec.change)], new, old, extras)
        sessions = [
            Session(start, _session(rng, [(state, rng.choice(CLOSERS))], 3)),
            Session(start + DAY * rng.randint(5, 20), _session(rng, [(repeat, rng.choice(CLOSERS))], 2)),
            Session(change, _session(rng, [(changed, rng.choice(CLOSERS))], 3)),
            Session(change + DAY * rng.randint(2, 10), _distractors(rng, closing_pages)),
        ]
        current = [_fill(q, new, old, extras) for q in rng.sample(spec.current, 2)]
        past = [_fill(rng.choice(spec.past), new, old, extras)]
        suite.append(
            Dialogue(
                id=f"{spec.attribute}-{variant}",
                attribute=spec.attribute,
                old=old,
                new=new,
                change_timestamp=change,
                sessions=sessions,
                questions=[Question(q, "current") for q in current] + [Question(q, "past") for q in past],
            )
        )
    return suite


def knowledge(memo: Any, kind: str = "user") -> list[dict[str, Any]]:
    """Every fact of a kind, closed ones included where the library keeps a history (older versions: current)."""
    try:
        return list(memo.get_knowledge(kind, include_history=True))
    except TypeError:  # a memoryos without fact history
        return list(memo.get_knowledge(kind))


def score_dialogue(memo: Any, dialogue: Dialogue) -> dict[str, Any]:
    """What the memory of one ingested dialogue knows about the change."""
    facts = knowledge(memo)
    old_facts = [f for f in facts if dialogue.old.named_in(f["text"]) and not dialogue.new.named_in(f["text"])]
    new_facts = [f for f in facts if dialogue.new.named_in(f["text"])]
    low = dialogue.change_timestamp - STALE_BEFORE_DAYS * DAY
    high = dialogue.change_timestamp + STALE_AFTER_DAYS * DAY
    closed = [f for f in old_facts if f.get("valid_until") is not None]
    dated = [f for f in closed if low <= float(f["valid_until"]) <= high]
    old_ids = {f["id"] for f in old_facts}
    questions = []
    for q in dialogue.questions:
        result = memo.retrieve(q.text, update_heat=False)
        retrieved = [r.fact for r in result.user_knowledge]
        if q.kind == "current":
            ok = bool(retrieved) and dialogue.new.named_in(retrieved[0].text)
        else:
            ok = any(f.id in old_ids for f in retrieved)
        questions.append({"question": q.text, "kind": q.kind, "ok": ok, "retrieved": [f.text for f in retrieved[:3]]})
    return {
        "id": dialogue.id,
        "attribute": dialogue.attribute,
        "old": dialogue.old.text,
        "new": dialogue.new.text,
        "old_facts": len(old_facts),
        "new_facts": len(new_facts),
        "old_learnt": bool(old_facts),
        "new_learnt": bool(new_facts),
        "stale_closed": bool(old_facts) and len(closed) == len(old_facts),
        "facts_closed": sum(1 for f in facts if f.get("valid_until") is not None or f.get("superseded_by")),
        "stale_dated": bool(old_facts) and len(dated) == len(old_facts),
        "questions": questions,
    }


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def share(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    current = [q["ok"] for r in rows for q in r["questions"] if q["kind"] == "current"]
    past = [q["ok"] for r in rows for q in r["questions"] if q["kind"] == "past"]
    return {
        "dialogues": len(rows),
        "current_questions": len(current),
        "past_questions": len(past),
        "current_first": share(current),
        "stale_invalidated": share([r["stale_dated"] for r in rows]),
        "stale_closed_any_date": share([r["stale_closed"] for r in rows]),
        "past_retrieved": share(past),
        "old_value_learnt": share([r["old_learnt"] for r in rows]),
        "new_value_learnt": share([r["new_learnt"] for r in rows]),
        "by_attribute": {
            attribute: {
                "current_first": share(
                    [
                        q["ok"]
                        for r in rows
                        if r["attribute"] == attribute
                        for q in r["questions"]
                        if q["kind"] == "current"
                    ]
                ),
                "stale_invalidated": share([r["stale_dated"] for r in rows if r["attribute"] == attribute]),
                "past_retrieved": share(
                    [
                        q["ok"]
                        for r in rows
                        if r["attribute"] == attribute
                        for q in r["questions"]
                        if q["kind"] == "past"
                    ]
                ),
            }
            for attribute in dict.fromkeys(r["attribute"] for r in rows)
        },
    }
