"""What the user says about themselves that the no-LLM rules used to drop (issue 12, who said it; session 28),
through the public API on SQLite: news said before a pep talk, an event someone is "putting together",
news after a catching-up opener or "you won't believe it", and facts written without the slips of the third person
("User been practicing", "User firsts visited", "User retooks"). Guards: a pep talk alone and what is about both
speakers ("together, we can ...") stay out.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fact_helpers import learnt, promoting

from memoryos import Memoryos

MAR_3 = datetime(2024, 3, 3, 18, tzinfo=timezone.utc).timestamp()


def user_facts(memo: Memoryos, *exchanges: tuple[str, str]) -> list[str]:
    """User fact texts after the exchanges, every segment promoted."""
    return [f["text"] for f in learnt(memo, MAR_3, exchanges)]


def test_news_said_before_a_pep_talk_is_learnt(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("I failed the pharmacy licensing exam in Leeds last month, but I'm staying positive.", "Hang in there."),
    )
    assert any("failed the pharmacy licensing exam in Leeds" in t for t in facts), facts


def test_a_pep_talk_alone_is_still_not_a_fact(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("I'll keep pushing and make my dreams come true.", "You will!"),
        ("Stay motivated and keep chasing those dreams!", "Thanks, you too."),
    )
    assert facts == [], facts


def test_what_someone_puts_together_is_their_news(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("We're putting together a charity bake sale at the Elm Street library next month.", "Count me in."),
    )
    assert any("putting together a charity bake sale at the Elm Street library" in t for t in facts), facts


def test_what_is_about_both_speakers_is_still_not_a_fact(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("Together, we can really make a difference in the neighbourhood schools.", "Absolutely."),
    )
    assert facts == [], facts


def test_news_after_a_catching_up_opener_is_learnt_with_its_speaker(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("A lot has happened since we last talked - I joined a rowing club on the Charles River.", "Fun!"),
    )
    assert any(t.startswith("User joined a rowing club on the Charles River") for t in facts), facts


def test_news_after_you_wont_believe_it_is_learnt(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("You won't believe it - I got mentored by a retired architect from Porto yesterday!", "Wow!"),
    )
    assert any(t.startswith("User got mentored by a retired architect from Porto") for t in facts), facts


def test_facts_are_written_without_third_person_slips(make_memo) -> None:
    facts = user_facts(
        promoting(make_memo),
        ("Been practicing the cello every evening for the orchestra audition in Bristol.", "Good luck!"),
        ("I first visited Kyoto in 2015 with my uncle Hiro.", "Lovely."),
        ("Last week I retook my driving test at the Camden centre and passed.", "Congrats!"),
    )
    assert any(t.startswith("User has been practicing the cello") for t in facts), facts
    assert any(t.startswith("User first visited Kyoto in 2015") for t in facts), facts
    assert any("User retook their driving test at the Camden centre" in t for t in facts), facts


# session 29: the speaker as the subject of a later clause (statements.SPEAKER_IN_LATER_CLAUSE)


def test_news_told_from_its_topic_with_the_speaker_later_is_learnt(make_memo) -> None:
    said = "Losing my job at the print shop in Leeds was rough, but I started a pottery course at the college."
    facts = user_facts(promoting(make_memo), (said, "Good for you."))
    assert any("pottery course at the college" in t and "User's job" in t for t in facts), facts


def test_a_later_i_after_an_opinion_is_still_not_news(make_memo) -> None:
    # a guard: the clause before is about nothing of the speaker's, so the sentence is an opinion on a shared topic
    facts = user_facts(
        promoting(make_memo),
        ("Mountain villages in Austria are gorgeous in the winter, and I think hiking there is amazing.", "Agreed!"),
    )
    assert facts == [], facts
