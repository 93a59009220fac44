"""Facts that change over time, through the public API: updates close the old fact (kept, with its interval),
retrieval shows what is true now first and the past only when asked, the LLM's fact operations are applied.

Every segment is promoted as soon as it is written (τ = 1, two pages per batch, no merging), so each pair of
exchanges is one promotion and the test decides what each promotion sees.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from doubles import ScriptedLLM, default_script, known_facts_in_prompt, pages_in_prompt
from fact_helpers import PROMOTE_EVERY_PAGE, at
from fake_openai import FakeOpenAIServer, message_text

from memoryos import InvalidInput, Memoryos, NotFound
from memoryos.models import Fact, Page

MARCH, MAY = at("2023-03-02"), at("2023-05-08")


def attribute_script(messages: list[dict[str, str]], purpose: str) -> str:
    """A model that names attributes: where the user lives, their age, their pets (one key per animal)."""
    if purpose != "profile_knowledge":
        return default_script(messages, purpose)
    facts: list[dict[str, Any]] = []
    for i, page in enumerate(pages_in_prompt(messages)):
        said = str(page["user"])
        if city := re.search(r"live in (\w+)", said):
            facts.append({"text": f"The user lives in {city[1]}.", "pages": [i], "attribute": "residence"})
        if age := re.search(r"(\d+) years old", said):
            facts.append({"text": f"The user is {age[1]} years old.", "pages": [i], "attribute": "age"})
        if pet := re.search(r"I have an? (\w+)", said):
            facts.append({"text": f"The user has a {pet[1]}.", "pages": [i], "attribute": f"pet:{pet[1]}"})
    profile = "The user said: " + " ".join(str(p["user"]) for p in pages_in_prompt(messages))
    return json.dumps({"profile": profile, "user_facts": facts, "assistant_facts": []})


def promoting(make_memo: Callable[..., Memoryos], **kwargs: Any) -> Memoryos:
    kwargs.setdefault("llm", ScriptedLLM(attribute_script))
    return make_memo(**PROMOTE_EVERY_PAGE, **kwargs)


def session(memo: Memoryos, when: float, *exchanges: tuple[str, str]) -> list[str]:
    ids = [memo.add_memory(user, reply, timestamp=when + 60 * i) for i, (user, reply) in enumerate(exchanges)]
    memo.flush()
    return ids


def by_text(facts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["text"]: f for f in facts}


def test_a_move_closes_the_old_residence_and_retrieval_tells_now_from_before(make_memo, clock) -> None:
    memo = promoting(make_memo)
    lisbon_page, _ = session(memo, MARCH, ("I live in Lisbon.", "Lovely city!"), ("I am 34 years old.", "Noted."))
    berlin_page, _ = session(memo, MAY, ("Big news: I live in Berlin now.", "Wow!"), ("I am 35 years old.", "Yay!"))

    current = by_text(memo.get_knowledge("user"))
    assert set(current) == {"The user lives in Berlin.", "The user is 35 years old."}
    history = by_text(memo.get_knowledge("user", include_history=True))
    lisbon, berlin = history["The user lives in Lisbon."], history["The user lives in Berlin."]
    # closed, not merged: Lisbon held until the Berlin page was said, and names its successor
    assert lisbon["valid_until"] == MAY and lisbon["superseded_by"] == berlin["id"]
    assert lisbon["invalidated_at"] == clock.now  # learnt by upkeep, now
    assert berlin["valid_until"] is None and berlin["superseded_by"] is None
    # provenance and time: the stating page only, said when that page was
    assert lisbon["source_page_ids"] == [lisbon_page] and berlin["source_page_ids"] == [berlin_page]
    assert (berlin["observed_at"], berlin["valid_from"], berlin["attribute"]) == (MAY, MAY, "residence")
    # 34 → 35 is an update, never a merge into one fact
    assert history["The user is 34 years old."]["superseded_by"] == history["The user is 35 years old."]["id"]
    chain = [f["text"] for f in memo.fact_history(berlin["id"])]
    assert chain == ["The user lives in Lisbon.", "The user lives in Berlin."]

    now = memo.retrieve("Where does the user live?")
    assert now.user_knowledge[0].fact.text == "The user lives in Berlin." and now.user_knowledge[0].current
    assert "Lisbon" not in " ".join(f.fact.text for f in now.user_knowledge) and not now.about_past
    assert "- The user lives in Berlin. (said 8 May 2023)" in now.to_prompt()
    assert memo.retrieve("Which city do I live in?").user_knowledge[0].fact.text == "The user lives in Berlin."

    before = memo.retrieve("Where did the user live before?")
    assert before.about_past
    [old] = [f for f in before.user_knowledge if f.fact.text == "The user lives in Lisbon."]
    assert not old.current and old.to_dict()["current"] is False and old.to_dict()["until"].startswith("2023-05-08")
    assert before.user_knowledge[0].current  # what is true now still comes first
    assert "- The user lives in Lisbon. (said 2 March 2023; until 8 May 2023, no longer true)" in before.to_prompt()


def test_different_pets_are_both_current_and_a_repeat_only_adds_provenance(make_memo) -> None:
    memo = promoting(make_memo)
    dog_page, _ = session(memo, MARCH, ("I have a dog.", "Cute!"), ("I live in Lisbon.", "Nice."))
    cat_page, again = session(memo, MAY, ("I have a cat.", "Two pets!"), ("I have a dog.", "Yes, you said."))
    facts = by_text(memo.get_knowledge("user"))
    assert {"The user has a dog.", "The user has a cat.", "The user lives in Lisbon."} == set(facts)
    assert facts["The user has a dog."]["source_page_ids"] == [dog_page, again]
    assert facts["The user has a cat."]["source_page_ids"] == [cat_page]
    assert len(memo.get_knowledge("user", include_history=True)) == 3


def operations_script(messages: list[dict[str, str]], purpose: str) -> str:
    """A model that updates, retires and confirms the known facts it was shown (and names two it was not);
    any other user sentence is a new fact."""
    if purpose != "profile_knowledge":
        return default_script(messages, purpose)
    known = {str(f["text"]): str(f["id"]) for f in known_facts_in_prompt(messages)}
    pages = pages_in_prompt(messages)
    facts: list[dict[str, Any]] = []
    for i, page in enumerate(pages):
        said = str(page["user"])
        if "paramedic" in said:
            facts.append({"text": "The user works as a paramedic.", "pages": [i], "op": "update",
                          "target": known["I work as a nurse."]})
        elif "sold my bike" in said:
            facts.append({"text": "The user sold their bike.", "pages": [i], "op": "invalidate",
                          "target": known["I ride my bike to work."]})
        elif "Green tea again" in said:
            facts.append({"pages": [i], "op": "keep", "target": known["I drink green tea every morning."]})
        elif said == "Rainy.":
            facts.append({"text": "The user dislikes rain.", "pages": [i], "op": "update", "target": "F77"})
            facts.append({"op": "invalidate", "target": "F99"})
        else:
            facts.append({"text": said, "pages": [i]})
    return json.dumps({"profile": "The user said: " + " ".join(str(p["user"]) for p in pages), "user_facts": facts})


def test_llm_operations_update_invalidate_and_keep_known_facts(make_memo) -> None:
    llm = ScriptedLLM(operations_script)
    memo = promoting(make_memo, llm=llm)
    session(memo, MARCH, ("I work as a nurse.", "Hard work."), ("I ride my bike to work.", "Healthy!"))
    session(memo, MARCH + 3600, ("I drink green tea every morning.", "Good habit."), ("I like sunny days.", "Me too."))
    before = by_text(memo.get_knowledge("user"))
    tea_id = before["I drink green tea every morning."]["id"]
    paramedic, _, tea, rainy = session(
        memo,
        MAY,
        ("I'm a paramedic now.", "Congratulations!"),
        ("I sold my bike.", "Oh?"),
        ("Green tea again this morning.", "Classic."),
        ("Rainy.", "Stay dry."),
    )
    prompt = llm.calls[-1][1][1]["content"]
    shown = known_facts_in_prompt(llm.calls[-1][1])
    assert shown and all(re.fullmatch(r"F\d+", str(f["id"])) for f in shown)  # short ids, inside the fence
    assert tea_id not in prompt

    history = by_text(memo.get_knowledge("user", include_history=True))
    nurse, now = history["I work as a nurse."], history["The user works as a paramedic."]
    assert (nurse["valid_until"], nurse["superseded_by"]) == (MAY, now["id"])
    assert now["source_page_ids"] == [paramedic] and now["valid_until"] is None
    bike_fact = history["I ride my bike to work."]
    assert bike_fact["valid_until"] == MAY + 60 and bike_fact["superseded_by"] is None
    assert "The user sold their bike." not in history  # an invalidation says why, it is not a fact
    assert history["I drink green tea every morning."]["source_page_ids"][-1] == tea
    assert history["I drink green tea every morning."]["valid_until"] is None
    # an update naming an unknown fact still adds its text; an invalidation of one changes nothing
    assert history["The user dislikes rain."]["valid_until"] is None
    assert history["The user dislikes rain."]["source_page_ids"] == [rainy]
    current = {f["text"] for f in memo.get_knowledge("user")}
    assert current >= {"The user works as a paramedic.", "I drink green tea every morning.", "The user dislikes rain."}
    assert not current & {"I work as a nurse.", "I ride my bike to work."}


def test_the_openai_client_path_shows_known_facts_and_applies_an_update(make_memo) -> None:
    seen: list[str] = []

    def responder(body: dict[str, Any]) -> str:
        messages = [{"role": m["role"], "content": message_text(m)} for m in body["messages"]]
        purpose = "consolidation" if "chain_summaries" in messages[0]["content"] else "profile_knowledge"
        if purpose == "profile_knowledge":
            seen.append(messages[1]["content"])
            known = [f for f in known_facts_in_prompt(messages) if "Lisbon" in str(f["text"])]
            if known:
                return json.dumps({
                    "profile": "The user is an engineer who moved from Lisbon to Berlin.",
                    "user_facts": [{"text": "The user lives in Berlin.", "pages": [0], "op": "UPDATE",
                                    "target": int(str(known[0]["id"])[1:]), "attribute": "Residence"}],
                })
        return default_script(messages, purpose)

    with FakeOpenAIServer(responder) as server:
        memo = promoting(make_memo, llm=None, openai_base_url=server.base_url, openai_api_key="k", llm_model="m",
                         llm_max_retries=0)
        session(memo, MARCH, ("I live in Lisbon.", "Nice."), ("I like trams.", "Me too."))
        lisbon_id = by_text(memo.get_knowledge("user"))["I live in Lisbon."]["id"]
        berlin_page, _ = session(memo, MAY, ("We moved, Berlin is home now.", "Welcome!"), ("Cold here.", "Brr."))
    assert "known facts" in seen[-1] and lisbon_id not in seen[-1]
    [berlin] = [f for f in memo.get_knowledge("user") if f["text"] == "The user lives in Berlin."]
    [lisbon] = [f for f in memo.fact_history(berlin["id"]) if f["id"] == lisbon_id]
    assert lisbon["superseded_by"] == berlin["id"] and lisbon["valid_until"] == MAY
    assert berlin["source_page_ids"] == [berlin_page] and berlin["attribute"] == "residence"


def test_facts_are_closed_by_hand_and_their_history_is_kept(make_memo, clock) -> None:
    memo = make_memo()
    fact_id = memo.add_knowledge("The user is training for a marathon.")
    assert memo.stats()["knowledge"] == {"user": 1, "assistant": 0}
    clock.advance(3600)
    closed = memo.invalidate_knowledge(fact_id)
    # what memory knows now and what it keeps in the history are counted apart
    assert memo.stats()["knowledge"] == {"user": 0, "assistant": 0}
    assert memo.stats()["closed_knowledge"] == {"user": 1, "assistant": 0}
    assert closed["valid_until"] == clock.now and closed["invalidated_at"] == clock.now
    assert memo.get_knowledge("user") == []
    [kept] = memo.get_knowledge("user", include_history=True)
    assert kept["id"] == fact_id and [f["id"] for f in memo.fact_history(fact_id)] == [fact_id]
    assert memo.invalidate_knowledge(fact_id, valid_until=clock.now + 50)["valid_until"] == clock.now  # first wins
    other = memo.add_knowledge("The user plays chess.")
    with pytest.raises(InvalidInput):
        memo.invalidate_knowledge(other, valid_until=clock.now - 10 * 86400)  # before it became true
    with pytest.raises(NotFound):
        memo.invalidate_knowledge("no-such-fact")
    with pytest.raises(NotFound):
        memo.fact_history("no-such-fact")
    with pytest.raises(InvalidInput):
        memo.get_knowledge("user", include_history="yes")  # type: ignore[arg-type]


def test_expired_pages_and_facts_leave_retrieval_before_upkeep_purges_them(make_memo, clock, embedder) -> None:
    memo = make_memo()
    text = "The user is in Rome for a conference this week."
    fact = Fact("rome", "user", text, [], clock.now, "manual", embedder.embed([text])[0], observed_at=clock.now,
                valid_from=clock.now, expires_at=clock.now + 10)
    memo.store.add_facts(memo.scope, [fact], [])
    page = Page("rome-page", "I'm in Rome for a conference.", "Enjoy!", clock.now, expires_at=clock.now + 10)
    memo.store.add_page(memo.scope, page)
    seen = memo.search("Where is the user this week?")
    assert [f.fact.id for f in seen.user_knowledge] == ["rome"] and [p.id for p in seen.short_term] == ["rome-page"]
    clock.advance(10)  # expires_at <= now: gone, though still stored until upkeep purges it
    gone = memo.search("Where is the user this week? Did they go to Rome before?")
    assert not gone.user_knowledge and not gone.short_term and not gone.pages
    assert memo.get_knowledge() == [] and memo.get_knowledge(include_history=True) == []


def test_relative_time_in_a_models_fact_is_resolved_against_the_page_that_said_it(make_memo) -> None:
    def script(messages: list[dict[str, str]], purpose: str) -> str:
        if purpose != "profile_knowledge":
            return default_script(messages, purpose)
        return json.dumps({
            "profile": "The user works in events and travels a lot.",
            "user_facts": [{"text": "The user is going to a conference this month.", "pages": [1]}],
        })

    memo = promoting(make_memo, llm=ScriptedLLM(script))
    _, said = session(memo, MAY - 40 * 86400, ("Hi!", "Hello."), ("A conference is coming up.", "Where?"))
    [fact] = memo.get_knowledge("user")
    assert fact["text"] == "The user is going to a conference in March 2023."  # said 29 March 2023
    assert fact["source_page_ids"] == [said] and fact["observed_at"] == MAY - 40 * 86400 + 60


def test_without_an_llm_a_move_an_age_and_a_second_pet_update_what_is_true_now(make_memo) -> None:
    memo = promoting(make_memo, llm=None)
    session(memo, MARCH, ("I live in Lisbon.", "Lovely city!"), ("I am 34 years old.", "Noted."))
    session(memo, MARCH + 86400, ("I have a dog named Rex.", "Cute!"), ("The weather is grey.", "It is."))
    berlin_page, _ = session(memo, MAY, ("I live in Berlin now.", "Wow!"), ("I am 35 years old.", "Happy birthday!"))
    session(memo, MAY + 86400, ("I adopted a cat.", "Two pets!"), ("Any podcast tips?", "Try a history one."))

    history = memo.get_knowledge("user", include_history=True)
    assert all(f["method"] == "extractive" for f in history)
    homes = {f["text"]: f for f in history if f["attribute"] == "residence"}
    [lisbon] = [f for text, f in homes.items() if "Lisbon" in text]
    [berlin] = [f for text, f in homes.items() if "Berlin" in text]
    assert (lisbon["valid_until"], lisbon["superseded_by"]) == (MAY, berlin["id"])
    assert berlin["valid_until"] is None and berlin["source_page_ids"] == [berlin_page]
    ages = {f["text"]: f for f in history if f["attribute"] == "age"}
    [young] = [f for text, f in ages.items() if "34" in text]
    [older] = [f for text, f in ages.items() if "35" in text]
    assert young["superseded_by"] == older["id"] and older["valid_until"] is None  # an update, not a merge
    current = memo.get_knowledge("user")
    assert {f["attribute"] for f in current} >= {"residence", "age", "pet:dog", "pet:cat"}
    assert not any("Lisbon" in f["text"] or "34" in f["text"] for f in current)

    assert "Berlin" in memo.retrieve("Where does the user live?").user_knowledge[0].fact.text
    before = memo.retrieve("Where did I live before?")
    assert any("Lisbon" in f.fact.text and not f.current for f in before.user_knowledge)
    assert "until 8 May 2023, no longer true" in before.to_prompt()


def test_a_fact_added_by_hand_updates_the_learnt_one_it_replaces(make_memo, clock) -> None:
    memo = promoting(make_memo)
    session(memo, MARCH, ("I live in Lisbon.", "Lovely city!"), ("I have a dog.", "Cute!"))
    [lisbon] = [f for f in memo.get_knowledge("user") if f["attribute"] == "residence"]
    berlin_id = memo.add_knowledge("The user lives in Berlin.")
    [berlin] = [f for f in memo.get_knowledge("user") if f["attribute"] == "residence"]
    assert berlin["id"] == berlin_id and berlin["method"] == "manual" and berlin["observed_at"] == clock.now
    [closed] = [f for f in memo.fact_history(berlin_id) if f["id"] == lisbon["id"]]
    assert (closed["valid_until"], closed["superseded_by"]) == (clock.now, berlin_id)
    memo.add_knowledge("The user has a cat.")  # another pet: both hold
    assert {f["attribute"] for f in memo.get_knowledge("user")} == {"residence", "pet:dog", "pet:cat"}
