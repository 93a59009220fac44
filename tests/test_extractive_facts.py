"""The no-LLM promotion analysis: who said it, facts citing their page with time resolved, attributes that update,
and the structured bounded profile (ExtractiveAnalyzer.analyze_for_profile and the Memoryos public API)."""

from __future__ import annotations

from datetime import datetime, timezone

from memoryos.config import MemoryosConfig
from memoryos.models import Fact, Page
from memoryos.providers.attributes import find_attributes
from memoryos.providers.extractive import ExtractiveAnalyzer
from memoryos.providers.profile_builder import HEADER, MAX_PROFILE_CHARS, build_profile, parse_profile
from memoryos.providers.results import FactOut, PromotionOut
from memoryos.providers.statements import third_person

MAY_8 = datetime(2023, 5, 8, 13, 56, tzinfo=timezone.utc).timestamp()
JUNE_9 = datetime(2023, 6, 9, 10, 0, tzinfo=timezone.utc).timestamp()


def _pages(*sides: tuple[str, str], at: float = MAY_8) -> list[Page]:
    return [Page(f"p{i}", user, agent, at + i) for i, (user, agent) in enumerate(sides)]


def _analyze(pages: list[Page], profile: str = "", related: list[Fact] | None = None) -> PromotionOut:
    return ExtractiveAnalyzer(MemoryosConfig()).analyze_for_profile(profile, pages, related or [])


def _texts(facts: list[FactOut]) -> list[str]:
    return [f.text for f in facts]


def test_each_side_gives_facts_about_itself_citing_its_page() -> None:
    out = _analyze(
        _pages(
            ("Hi there! How are you?", "Doing well, thanks for asking!"),
            ("I adopted a puppy named Max yesterday.", "Congrats! I just got back from a hiking trip in Norway."),
            ("I work as a nurse at the city hospital.", "That sounds rewarding. I'm always here for you."),
        )
    )
    assert _texts(out.user_facts) == [
        "User adopted a puppy named Max on 7 May 2023.",
        "User works as a nurse at the city hospital.",
    ]
    assert [f.page_indices for f in out.user_facts] == [[1], [2]]
    assert [f.attribute for f in out.user_facts] == ["pet:dog", "occupation"]
    assert _texts(out.assistant_facts) == ["Assistant just got back from a hiking trip in Norway."]
    assert out.assistant_facts[0].page_indices == [1]
    assert all(f.op == "add" for f in out.user_facts + out.assistant_facts)


def test_questions_greetings_thanks_encouragement_and_the_other_party_are_not_facts() -> None:
    out = _analyze(
        _pages(
            ("Hey! Good to see you! How have you been?", "Hey! Great to see you too!"),
            ("Thanks so much, that means a lot to me.", "You're so brave, I'm proud of you."),
            ("Do you have any pets at home?", "I'm always here for you, no matter what."),
            ("Your garden looks amazing!", "Keep going and never give up on your dreams!"),
            ("I'll keep pushing and chasing my dreams no matter what.", "Let's grab coffee sometime soon."),
            ("Wow, that's so cool! Sounds like a great time.", "I totally agree, it was a lovely day."),
            ("I love that show too!", "I'd recommend trying the new pottery place downtown."),
        )
    )
    assert out.user_facts == [] and out.assistant_facts == []


def test_taking_up_the_others_suggestion_offers_and_generic_we_are_not_facts() -> None:
    out = _analyze(
        _pages(
            ("You'd love this fantasy novel, great for travelling.", "Thanks! I'll definitely check it out soon."),
            ("We had so many volunteers at the food drive.", "I'd love to lend a hand with networking at events."),
            ("Sharing my story was hard.", "Our stories can be so inspiring to others facing the same challenges."),
        )
    )
    assert out.assistant_facts == []


def test_a_wish_about_something_named_only_by_a_pronoun_is_not_a_fact() -> None:
    out = _analyze(
        _pages(
            ("I went to a Harry Potter place in London. I'd love to explore them someday!", "Sounds fun!"),
            ("The veterans deserve our backing. I want to help make their lives better.", "Great!"),
            ("I'd love to visit Japan with my sister next spring.", "Lovely plan."),
        )
    )
    assert _texts(out.user_facts) == [
        "User went to a Harry Potter place in London.",
        "User would love to visit Japan with their sister in spring 2024.",
    ]


def test_telling_the_other_frames_the_news_it_does_not_hide_or_mangle_it() -> None:
    out = _analyze(
        _pages(
            ("Haven't talked in a few days, wanted to let you know I joined a travel club!", "Nice!"),
            ("Hi!", "I just wanted to let you know I ran a charity race last Friday."),
            ("I share my flat in Porto with two cats.", "Busy home!"),
        )
    )
    assert _texts(out.user_facts) == ["User joined a travel club!", "User shares their flat in Porto with two cats."]
    assert _texts(out.assistant_facts) == ["Assistant ran a charity race on Friday 5 May 2023."]


def test_labelled_transcripts_strip_names_and_skip_the_other_speaker() -> None:
    """Benchmarks label each side with its speaker ("Caroline: ..."); what names the other speaker is about them."""
    out = _analyze(
        _pages(
            (
                "Caroline: I went to a LGBTQ support group yesterday and it was so powerful.",
                "Melanie: Caroline, you're amazing! I painted a lake sunrise last year with my kids.",
            ),
            (
                "Caroline: Melanie is such a good painter and I'm jealous of her skills.",
                "Melanie: Aww, thanks Caroline!",
            ),
            (
                "Caroline: Thanks, Mel! My guinea pig Oscar loves carrots.",
                "Melanie: Haha, Mel's kids would love Oscar.",
            ),
        )
    )
    assert _texts(out.user_facts) == [
        "User went to a LGBTQ support group on 7 May 2023 and it was so powerful.",
        "User's guinea pig Oscar loves carrots.",
    ]
    assert _texts(out.assistant_facts) == ["Assistant painted a lake sunrise in 2022 with their kids."]
    assert not any("Caroline" in t or "Melanie" in t for t in _texts(out.user_facts + out.assistant_facts))


def test_facts_are_third_person_with_time_resolved_against_their_own_page() -> None:
    pages = [
        Page("a", "I'm going to a conference this month.", "", MAY_8),
        Page("b", "Lost my job as a banker yesterday, so I'm starting my own business.", "", JUNE_9),
        Page("c", "We moved into our new house last weekend and I love it.", "", JUNE_9),
    ]
    out = _analyze(pages)
    assert _texts(out.user_facts) == [
        "User is going to a conference in May 2023.",
        "User lost their job as a banker on 8 June 2023, so they're starting their own business.",
        "User and others moved into their new house on the weekend of 3 June 2023 and they love it.",
    ]
    assert [f.page_indices for f in out.user_facts] == [[0], [1], [2]]
    # a four-letter past ("used", "owed") is not a base form that takes -s; "need" and "feed" are
    assert third_person("I used to paint and I owed it to myself", "User") == (
        "User used to paint and they owed it to themselves"
    )
    assert third_person("I need a break", "User") == "User needs a break"


def test_small_talk_around_a_statement_is_left_out() -> None:
    out = _analyze(
        _pages(
            (
                "Oh wow, it's been such a crazy week, honestly. I started taking pottery classes at the community "
                "center. I'm so excited. It's so much fun!",
                "",
            )
        )
    )
    assert _texts(out.user_facts) == ["User started taking pottery classes at the community center."]


def test_assistant_promises_are_kept_as_its_own_facts() -> None:
    out = _analyze(_pages(("Can you remind me about my dentist appointment?", "Sure! I'll remind you tomorrow.")))
    assert _texts(out.assistant_facts) == ["Assistant will remind User on 9 May 2023."]


def _stored(fact_id: str, text: str, attribute: str) -> Fact:
    return Fact(fact_id, "user", text, ["old"], MAY_8, method="extractive", attribute=attribute)


def test_related_facts_turn_a_repeated_value_into_keep_and_a_named_ending_into_invalidate() -> None:
    related = [
        _stored("f-dog", "User has a dog named Rex.", "pet:dog"),
        _stored("f-home", "User lives in Lisbon.", "residence"),
    ]
    out = _analyze(
        _pages(
            ("I still live in Lisbon, right by the river.", ""),
            ("Sadly Rex passed away last week, we miss him so much.", ""),
            ("I moved to Berlin in the spring and I love the city.", ""),
        ),
        related=related,
    )
    ops = [(f.op, f.target, f.attribute, f.page_indices) for f in out.user_facts]
    assert ops == [
        ("keep", "f-home", "residence", [0]),
        ("add", None, None, [1]),
        ("invalidate", "f-dog", None, [1]),
        ("add", None, "residence", [2]),
    ]
    assert out.user_facts[3].text == "User moved to Berlin in the spring and they love the city."
    lines, _ = parse_profile(out.profile)
    assert [(line.key, line.text) for line in lines] == [
        ("residence", "lives in Berlin"),  # the newest statement of the key
        ("pet:dog", "no longer has a dog (Rex)"),  # the ending closes the profile's line too
    ]


def test_a_flip_carries_the_attribute_it_contradicts() -> None:
    out = _analyze(_pages(("I don't like coffee anymore, it makes me jittery.", "")))
    (fact,) = out.user_facts
    assert fact.attribute == "likes:coffee" and "doesn't like coffee anymore" in fact.text


# ---- the profile ----


def test_the_profile_is_structured_lines_with_their_date() -> None:
    out = _analyze(
        _pages(
            ("I'm Tom, I work as a data scientist in San Francisco.", "Nice to meet you, Tom!"),
            ("I live in Oakland with my wife.", "Lovely."),
            ("I love hiking in Marin with my dog Biscuit.", "Marin is beautiful."),
            ("My favourite food is ramen.", "Yum!"),
            ("I'm always here for you, Mel!", "Thanks!"),
        )
    )
    assert out.profile.splitlines() == [
        HEADER,
        "- name: name is Tom (said 2023-05-08)",
        "- residence: lives in Oakland (said 2023-05-08)",
        "- occupation: works as a data scientist (said 2023-05-08)",
        "- pet (dog): has a dog named Biscuit (said 2023-05-08)",
        "- favorite (food): favourite food is ramen (said 2023-05-08)",
        "- hobby (hiking): enjoys hiking in Marin with their dog (said 2023-05-08)",
    ]
    assert "extracted without an LLM" in out.profile and "Mel" not in out.profile


def test_a_newer_value_replaces_the_line_and_an_older_one_does_not() -> None:
    first = _analyze(_pages(("I live in Lisbon.", ""), ("I'm 34 years old.", "")))
    moved = _analyze(_pages(("I just moved to Berlin!", ""), at=JUNE_9), profile=first.profile)
    assert "lives in Berlin (said 2023-06-09)" in moved.profile and "Lisbon" not in moved.profile
    assert "is 34 years old" in moved.profile  # other lines stay
    late = _analyze(_pages(("I live in Porto.", ""), at=MAY_8 - 86400), profile=moved.profile)
    assert late.profile == moved.profile  # an older statement does not replace a newer one


def test_the_profile_is_bounded_and_keeps_the_most_telling_lines() -> None:
    found = [(a, MAY_8 + i) for i, s in enumerate(f"I love {h}." for h in _HOBBIES) for a in find_attributes(s)]
    found += [(find_attributes("I live in Lisbon.")[0], MAY_8)]
    profile = build_profile("", found)
    assert len(profile) <= MAX_PROFILE_CHARS
    lines, other = parse_profile(profile)
    assert other == [] and lines[0].key == "residence"  # identity first, then the newest hobbies that fit
    hobbies = [line.text for line in lines[1:]]
    assert hobbies[0] == f"enjoys {_HOBBIES[-1]}" and len(hobbies) < len(_HOBBIES)


_HOBBIES = [f"{verb} {thing}" for verb in ("painting", "drawing", "baking", "knitting") for thing in (
    "landscapes at dawn", "old city streets", "portraits of friends", "birds in the garden", "abstract shapes",
    "mountain lakes", "flowers in spring", "boats on the river", "cats asleep",
)]  # fmt: skip


def test_the_profile_parses_back_and_keeps_lines_it_did_not_write() -> None:
    llm_written = "The user is a keen birdwatcher in Norfolk."
    out = _analyze(_pages(("I play the cello every Sunday.", "")), profile=llm_written)
    assert out.profile.splitlines() == [HEADER, "- hobby (cello): enjoys cello (said 2023-05-08)", llm_written]
    lines, other = parse_profile(out.profile)
    assert [(line.key, line.text) for line in lines] == [("hobby:cello", "enjoys cello")]
    assert other == [llm_written]
    again = _analyze(_pages(("Nothing new here, just chatting.", "")), profile=out.profile)
    assert again.profile == out.profile  # nothing new: the profile is unchanged


# ---- through the public API ----


def test_no_llm_memory_learns_facts_and_a_structured_profile(make_memo) -> None:
    memo = make_memo(short_term_capacity=3, short_term_retain=0, mid_term_heat_threshold=5)
    exchanges = [
        ("I just moved to Lisbon last week.", "Lisbon is lovely! I lived in Porto for a year when I was a student."),
        ("I work as a nurse at Santa Maria hospital.", "Night shifts must be hard."),
        ("Thanks, you're so kind!", "I'm always here for you."),
    ]
    page_ids = [memo.add_memory(u, a, timestamp=MAY_8 + i) for i, (u, a) in enumerate(exchanges)]
    for _ in range(3):
        memo.retrieve("Where do I live?")
    user = {f["text"] for f in memo.get_knowledge("user")}
    assert "User just moved to Lisbon in the week of 1 May 2023." in user
    assert "User works as a nurse at Santa Maria hospital." in user
    assert not any("kind" in t or "here for you" in t for t in user)
    assistant = [f["text"] for f in memo.get_knowledge("assistant")]
    assert assistant == ["Assistant lived in Porto for a year when they were a student."]
    for fact in memo.get_knowledge():
        assert fact["method"] == "extractive" and set(fact["source_page_ids"]) <= set(page_ids)
    profile = memo.get_user_profile()
    assert profile.startswith(HEADER) and len(profile) <= MAX_PROFILE_CHARS
    assert "- residence: lives in Lisbon (said 2023-05-08)" in profile
    assert "- occupation: works as a nurse (said 2023-05-08)" in profile


def test_openers_and_clauses_before_the_speaker_do_not_hide_a_statement() -> None:
    out = _analyze(
        _pages(
            ("Big news: I relocated to Krakow last week.", ""),
            ("Sadly Rex passed away, and now I have a cat named Nacho.", ""),
            ("After the move we adopted a rabbit named Pixel.", ""),
            ("We're engaged! Alex said yes.", ""),
        )
    )
    assert [(f.attribute, f.page_indices) for f in out.user_facts] == [
        ("residence", [0]),
        ("pet:cat", [1]),
        ("pet:rabbit", [2]),
        ("relationship", [3]),
    ]
    assert out.user_facts[0].text == "User relocated to Krakow in the week of 1 May 2023."


def test_a_mention_of_a_known_value_confirms_its_fact_and_a_new_date_updates_a_plan() -> None:
    related = [
        _stored("f-car", "User drives a Fiat Panda.", "car"),
        _stored("f-trip", "User's Peru trip is set for October.", "plan:peru"),
    ]
    out = _analyze(
        _pages(
            ("Washed the Fiat Panda this weekend.", ""),
            ("My Peru trip is set for October.", ""),
            ("I rebooked the flights, so Peru is in March now.", ""),
            ("I drove my Fiat Panda to the coast with my sister and we camped on the beach for three nights.", ""),
        ),
        related=related,
    )
    assert [(f.op, f.target, f.attribute) for f in out.user_facts] == [
        ("keep", "f-car", None),
        ("keep", "f-trip", "plan:peru"),
        ("add", None, "plan:peru"),  # another month: the planner closes the October plan
        ("add", None, "hobby:camping"),  # a mention with more to say is a fact of its own
    ]


# ---- the measuring harness (benchmarks/extraction.py) ----


def test_the_extraction_benchmark_scores_facts_by_their_own_page(tmp_path) -> None:
    import json
    import sys
    from pathlib import Path

    import numpy as np

    repo = Path(__file__).resolve().parent.parent
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    from benchmarks._fact_metrics import load_observations, score_facts
    from benchmarks._locomo_data import load
    from benchmarks.extraction import conversation_pages, extract

    turns = [
        ("Ann", "D1:1", "Hi Bob! I adopted a puppy named Max last week."),
        ("Bob", "D1:2", "Congrats Ann! I started a new job at the bakery downtown."),
        ("Ann", "D1:3", "Thanks! How is the bakery?"),
        ("Bob", "D1:4", "Busy but fun."),
    ]
    data = {
        "sample_id": "tiny",
        "conversation": {
            "speaker_a": "Ann",
            "speaker_b": "Bob",
            "session_1_date_time": "1:56 pm on 8 May, 2023",
            "session_1": [{"speaker": s, "dia_id": d, "text": t} for s, d, t in turns],
        },
        "observation": {
            "session_1_observation": {
                "Ann": [["Ann adopted a puppy named Max.", "D1:1"]],
                "Bob": [["Bob started a new job at a bakery downtown.", "D1:2"]],
            }
        },
    }
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps([data]))
    (conv,) = load(path)
    facts, profile = extract(conv, ExtractiveAnalyzer(MemoryosConfig()), None)
    assert [(f["kind"], f["source_page_ids"]) for f in facts] == [("user", ["tiny:0"]), ("assistant", ["tiny:0"])]
    assert "pet (dog): has a dog named Max" in profile

    vocabulary: dict[str, int] = {}

    def embed(texts: list[str]) -> np.ndarray:  # bag of words: the same words, the same vector
        rows = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().replace(".", "").split():
                rows[i, vocabulary.setdefault(word, len(vocabulary)) % 64] += 1
        return rows

    page_turns = {p.id: t for p, t in conversation_pages(conv)}
    scored = score_facts(facts, load_observations(path)["tiny"], page_turns, ("Ann", "Bob"), embed, 64)
    assert scored["user"]["recall"] == 1.0 and scored["assistant"]["recall"] == 1.0
    assert scored["user"]["wrong_person"] == 0.0


def test_an_attribute_says_whose_it_is_even_when_the_speaker_is_not_the_subject() -> None:
    related = [
        _stored("f-rabbit", "User has a rabbit named Pepper.", "pet:rabbit"),
        _stored("f-food", "User's favourite food is risotto.", "favorite:food"),
    ]
    out = _analyze(
        _pages(
            ("Home for me is Austin, right by the river.", ""),
            ("Honestly curry is my favourite food now.", ""),
            ("My new tortoise Juniper is the only pet at home now.", ""),
            ("Painting with friends is so relaxing.", ""),  # no speaker, no attribute: not theirs to keep
        ),
        related=related,
    )
    assert [(f.op, f.target, f.attribute) for f in out.user_facts] == [
        ("add", None, "residence"),
        ("add", None, "favorite:food"),
        ("add", None, "pet:tortoise"),
        ("invalidate", "f-rabbit", None),  # "the only pet": the others are gone
    ]
