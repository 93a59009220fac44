"""The lexical index in every language, and the same BM25 on both backends.

The analyzer (memoryos.lexical) is checked on its own; then the same pages go into a SQLite and a PostgreSQL store,
and every search must give the same pages with the same scores, equal to BM25 computed here from the analyzer's
tokens (k1 1.2, b 0.75, FTS5's idf floor and row length)."""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from memoryos.lexical import (
    MAX_REPEATS,
    MAX_TOKENS,
    analyze,
    has_cjk,
    index_text,
    page_tokens,
    without_question_words,
)
from memoryos.models import Page, Scope
from memoryos.storage import Store, open_store
from memoryos.textutil import content_tokens

ANA = Scope("ana", "assistant")
BEN = Scope("ben", "assistant")

PAGES = [
    ("うちの猫の名前はミケです。三毛猫で、もう五歳になります。", "ミケちゃん、かわいい名前ですね！"),
    ("来月、大阪に引っ越すことになりました。", "大阪ですか！新しい生活、楽しみですね。"),
    ("我家的猫叫小白，它特别喜欢睡觉。", "小白这个名字真可爱！"),
    ("我下个月要搬到上海去工作了。", "上海是个很棒的城市，祝你顺利！"),
    ("우리 고양이 이름은 나비예요. 세 살이에요.", "나비라는 이름이 정말 예쁘네요!"),
    ("다음 달에 부산으로 이사 가요.", "부산은 바다가 아름다운 도시예요."),
    ("My dog Biscuit loves running on the beach.", "Biscuit sounds like a happy dog!"),
    ("I'm moving to Lisbon next month for a new job.", "Lisbon is lovely, congratulations!"),
    ("昨日Tokyoのcaféでmeetingがあった", "How did the meeting go?"),
    ("周末我和朋友去了Starbucks，点了一杯latte。", "Sounds relaxing!"),
    ("주말에 Netflix로 영화를 봤어요.", "What did you watch?"),
    ("Painting helps me relax after work.", "Painting is a wonderful hobby."),
]


def test_cjk_runs_become_bigrams_and_han_and_hangul_characters_unigrams() -> None:
    assert analyze("猫の名前") == ["猫の", "の名", "名前", "猫", "名", "前"]  # no unigrams for kana (particles)
    assert analyze("我的猫") == ["我的", "的猫", "我", "的", "猫"]
    assert analyze("차는 이름") == ["차는", "차", "는", "이름", "이", "름"]  # 차 matches 차를 too
    assert analyze("집") == ["집"] and analyze("ね") == ["ね"]  # a lone character is a token


def test_bigrams_never_span_scripts_and_mixed_text_splits_at_script_changes() -> None:
    assert analyze("ミケです") == ["ミケ", "です"]  # katakana | hiragana
    assert analyze("私はTokyoに住む") == ["私は", "私", "tokyo", "に住", "住む", "住"]
    assert analyze("周末去Starbucks喝latte") == ["周末", "末去", "周", "末", "去", "starbuck", "喝", "latt"]
    assert has_cjk("Tokyo に") and has_cjk("이름") and not has_cjk("Zürich café")


def test_latin_words_fold_diacritics_and_only_plain_english_words_are_stemmed() -> None:
    assert analyze("Painting paintings PAINTED") == ["paint", "paint", "paint"]
    assert analyze("Café Zürich naïve") == ["cafe", "zurich", "naiv"]
    assert analyze("Привет мир") == ["привет", "мир"]  # other scripts as written
    assert analyze("is as x86_64 3.5") == ["is", "as", "x86", "64", "3", "5"]  # short words and numbers unstemmed
    assert analyze("ＡＢＣ１２３ ｶﾀｶﾅ") == ["abc123", "カタ", "タカ", "カナ"]  # NFKC: full and half width
    assert analyze("a" * 65) == []  # hashes and blobs are not words


def test_long_texts_stay_within_what_both_indexes_count_alike() -> None:
    repeated = analyze("echo " * 1000)
    assert repeated == ["echo"] * MAX_REPEATS
    many = analyze(" ".join(f"w{i}" for i in range(MAX_TOKENS + 500)))
    assert len(many) == MAX_TOKENS and many[-1] == f"w{MAX_TOKENS - 1}"
    assert index_text("Hello", "猫") == "hello 猫"


def test_query_words_keep_short_cjk_words_and_lose_question_words() -> None:
    assert content_tokens("猫 名前 is it") == ["猫", "名前"]
    assert content_tokens("집은 어디야?") == ["집은", "어디야"]
    assert without_question_words("你的猫叫什么名字？") == "你的猫叫 名字？"  # no bigram 叫什 or 么名 left
    assert without_question_words("引っ越し先はどこ？") == "引っ越し先は ？"
    assert without_question_words("무슨 차를 타요?").split() == ["차를", "타요?"]
    assert without_question_words("What is it?") == "What is it?"


# ---- the stores ----


@pytest.fixture
def stores(new_storage: Callable[[], str]) -> Iterator[Store]:
    store = open_store(new_storage())
    store.check_embedding_model("lexical-test", 4)
    yield store
    store.close()


def fill(store: Store, scope: Scope, pages: list[tuple[str, str]]) -> list[Page]:
    return [
        store.add_page(scope, Page(id=uuid.uuid4().hex, user_input=u, agent_response=a, timestamp=1.7e9 + i))
        for i, (u, a) in enumerate(pages)
    ]


def reference_bm25(pages: list[Page], query: list[str], counted: list[Page] | None = None) -> dict[str, float]:
    """FTS5's bm25() of the pages: N pages, n(t) pages with t, row length = tokens + the scope token; N, n(t) and
    the average length over `counted` (default: the pages themselves)."""

    def tokens(page: Page) -> Counter[str]:
        return Counter(page_tokens(page.user_input, page.agent_response, page.timestamp))

    rows = [tokens(p) for p in counted or pages]
    avg = sum(sum(r.values()) + 1 for r in rows) / len(rows)
    scores: dict[str, float] = {}
    for term in dict.fromkeys(query):
        n = sum(1 for r in rows if term in r)
        idf = max(math.log((len(rows) - n + 0.5) / (n + 0.5)), 1e-6)
        for page in pages:
            tf, length = tokens(page)[term], sum(tokens(page).values()) + 1
            if tf:
                scores[page.id] = scores.get(page.id, 0.0) + idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / avg))
    return scores


QUERIES = [
    "猫の名前は何ですか？",
    "引っ越し先はどこ？",
    "你的猫叫什么名字",
    "고양이 이름이 뭐예요?",
    "Where is Ana moving?",
    "paint hobby",
    "Tokyo meeting",
    "latte Starbucks",
]


@pytest.mark.parametrize("query", QUERIES)
def test_lexical_scores_are_bm25_on_either_backend(stores: Store, query: str) -> None:
    pages = fill(stores, ANA, PAGES)
    terms = analyze(query)
    expected = reference_bm25(pages, terms)
    found = dict(stores.lexical_search(ANA, terms, 50))
    assert found.keys() == expected.keys()
    for pid, score in expected.items():
        assert found[pid] == pytest.approx(score, rel=1e-6), pid
    assert stores.lexical_search(BEN, terms, 50) == []


def test_the_question_finds_its_page_in_each_language(stores: Store) -> None:
    pages = fill(stores, ANA, PAGES)
    for query, page in [
        ("猫の名前は何ですか？", 0),
        ("引っ越し先はどこ？", 1),
        ("你家猫叫什么？", 2),
        ("搬到哪里去？", 3),
        ("고양이 이름이 뭐예요?", 4),
        ("어디로 이사 가요?", 5),
    ]:
        hits = stores.lexical_search(ANA, analyze(query), 3)
        assert hits and hits[0][0] == pages[page].id, query


def test_the_index_follows_deletes_imports_and_forgetting(stores: Store) -> None:
    """Statistics are the user's own on PostgreSQL, the whole store's on SQLite (FTS5 counts its whole table)."""
    pages = fill(stores, ANA, PAGES)
    others = fill(stores, BEN, PAGES[:3])
    per_user = not hasattr(stores, "path")
    stores.delete_page(ANA, pages[0].id)
    remaining = pages[1:]
    assert stores.lexical_index_problems(ANA) == []
    terms = analyze("名前 猫 Lisbon")
    expected = reference_bm25(remaining, terms, None if per_user else remaining + others)
    assert dict(stores.lexical_search(ANA, terms, 50)) == pytest.approx(expected)
    dump = stores.export_scope(ANA)
    copy = Scope("ana-copy", "assistant")
    stores.import_scope(copy, dump)
    assert stores.lexical_index_problems(copy) == []
    copies = stores.get_pages(copy, [p.id for p in remaining])
    expected = reference_bm25(copies, terms, None if per_user else remaining + others + copies)
    assert dict(stores.lexical_search(copy, terms, 50)) == pytest.approx(expected)
    stores.forget_scope(ANA)
    assert stores.lexical_index_problems(ANA) == [] and stores.lexical_search(ANA, terms, 50) == []
    assert stores.lexical_index_problems(BEN) == []


def test_a_broken_lexical_index_is_found_and_rebuilt(stores: Store) -> None:
    pages = fill(stores, ANA, PAGES)
    if hasattr(stores, "path"):
        import sqlite3

        with sqlite3.connect(stores.path) as conn:  # type: ignore[attr-defined]
            conn.execute(
                "UPDATE pages_fts SET body = 'wrong' WHERE rowid = (SELECT pk FROM pages WHERE id = ?)", (pages[0].id,)
            )
    else:
        import psycopg

        with psycopg.connect(stores.url) as conn:  # type: ignore[attr-defined]
            conn.execute("UPDATE pages SET lex = 'wrong:1', lex_len = 1 WHERE id = %s", (pages[0].id,))
    problems = stores.lexical_index_problems(ANA)
    assert any("lexical index" in p for p in problems)
    assert stores.rebuild_lexical_index(ANA) == len(pages)
    assert stores.lexical_index_problems(ANA) == []
    terms = analyze("ミケ")
    assert [h[0] for h in stores.lexical_search(ANA, terms, 5)] == [pages[0].id]


def test_any_string_as_a_term_is_safe_on_either_backend(stores: Store) -> None:
    pages = fill(stores, ANA, PAGES)
    odd = ['"', "'", "\\", "OR", "NEAR(", "a:b", "x" * 3000, "猫' OR '1'='1", "", "*"]
    for term in odd:
        assert isinstance(stores.lexical_search(ANA, [term, "biscuit"], 5), list), term
    assert [h[0] for h in stores.lexical_search(ANA, [*odd, "biscuit"], 5)] == [pages[6].id]


def test_threads_stem_alike() -> None:
    """The upkeep worker and request threads analyze at once: each thread needs its own stemmer's state."""
    import threading

    from memoryos import lexical

    stems = ("connect", "relat", "general", "hope", "adjust", "depend", "communic", "activ", "effect", "formal")
    ends = ("ing", "ed", "ational", "ization", "fulness", "ously", "ments", "ers", "ively", "alities")
    words = [f"{s}{e}{'x' * (i % 3)}" for i, (s, e) in enumerate((s, e) for s in stems for e in ends)] * 3
    lexical._word.cache_clear()
    expected = analyze(" ".join(words))
    results: list[list[str]] = []
    start = threading.Barrier(8)

    def work(shift: int) -> None:
        start.wait()
        for _ in range(20):
            lexical._word.cache_clear()  # every word through the stemmer, in every thread
            results.append(analyze(" ".join(words[shift:] + words[:shift])))

    threads = [threading.Thread(target=work, args=(i * 7,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(sorted(r) == sorted(expected) for r in results)


def test_sqlite_searches_a_one_user_store_without_the_scope_filter_with_the_same_results(tmp_path: Path) -> None:
    """A store holding only this user's pages is searched without the scope phrase (storage/sqlite.py): the
    same ids, scores bit for bit and order, ties included, as the filtered query; any page or index row of another
    scope sends the search back to the filtered query."""
    from memoryos.storage.sqlite import _LEXICAL_SCOPED, SqliteStore

    store = open_store(f"sqlite:///{tmp_path / 'one.db'}")
    assert isinstance(store, SqliteStore)
    store.check_embedding_model("lexical-test", 4)
    # many equal scores: the same two words in pages of equal length
    fill(store, ANA, PAGES + [(f"biscuit painting {i}", "ok") for i in range(40)] + [("biscuit", "ok")] * 10)

    def filtered(terms: list[str], k: int) -> list[tuple[str, float]]:
        body = "body : (" + " OR ".join(f'"{t}"' for t in terms) + ")"
        with store._read() as tx:
            rows = tx.all(_LEXICAL_SCOPED, (f'scope : "{ANA.key}" AND {body}', k, ANA.key))
        return [(r[0], float(r[1])) for r in rows]

    statements: list[str] = []
    store._conn().set_trace_callback(statements.append)
    searches = [
        (analyze(q), k)
        for q in ["biscuit", "paint biscuit", "Lisbon job", "猫の名前", "nothing here"]
        for k in (1, 5, 12, 50)
    ]
    for terms, k in searches:
        assert store.lexical_search(ANA, terms, k) == filtered(terms, k), (terms, k)
    unfiltered = [s for s in statements if "MATCH" in s and "LEFT JOIN" in s]
    assert len(unfiltered) == len(searches) and not any("scope :" in s for s in unfiltered)

    fill(store, BEN, PAGES[6:7])  # a second user: the filtered query, Ben's page never returned to Ana
    statements.clear()
    for terms, k in searches:
        assert store.lexical_search(ANA, terms, k) == filtered(terms, k), (terms, k)
    assert not any("LEFT JOIN" in s for s in statements)
    store.forget_scope(BEN)

    # an index row without a page of this user (an orphan, as a broken index has): found, and the filtered query
    import sqlite3

    with sqlite3.connect(store.path) as conn:
        conn.execute("INSERT INTO pages_fts(rowid, scope, body) VALUES (999999, 'nobody', 'biscuit')")
    for terms, k in searches:
        assert store.lexical_search(ANA, terms, k) == filtered(terms, k), (terms, k)
    assert all(pid != "999999" for pid, _ in store.lexical_search(ANA, ["biscuit"], 100))
    store.close()
