"""The lexical analyzer: text -> the tokens of the full-text index, in every language.

One function, `analyze`, makes the tokens of both backends' indexes (SQLite FTS5, PostgreSQL tsvector) and of the
queries against them, so the two backends match and count the same tokens. The databases only split on spaces.

- Text is NFKC-normalised (full-width Latin and digits, half-width katakana) and lower-cased.
- Words are runs of letters and digits. Latin-script words lose their diacritics and, when they are plain ASCII
  letters of 3 to 64 characters, are stemmed with the Porter algorithm (English is the language with stemming
  here; FTS5's porter tokenizer stems the same words the same way). Other scripts are kept as written.
- Chinese and Japanese runs have no spaces between words, and Korean attaches particles to its words (차는, 차를),
  so these runs become overlapping character bigrams within each script (Han and hiragana together, katakana,
  Hangul), plus every Han character and Hangul syllable on its own (one is often a word: 猫, 车, 차, 집) and any
  lone character. "猫の名前" -> 猫の の名 名前 猫 名 前. Kana alone are mostly particles and get no unigrams.

Stop-words are the query's business: English has a list (textutil.STOPWORDS), CJK questions lose their question
words (`without_question_words`), and any language's very common tokens are left out of queries by their measured
frequency (retrieval/terms.py).

What `analyze` returns (and `page_tokens`, with a page's dates) is stored in every index: a change to it needs a
migration step that rebuilds the indexes of existing stores (storage/schema.py, both backends), or `memoryos check`
will call their entries stale.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from typing import Any

from .datetokens import event_tokens

_HAN = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HIRAGANA = "\u3041-\u309f"
_KATAKANA = "\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"  # without the middle dot U+30FB, which is punctuation
_HANGUL = "\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3"
_CJK = _HAN + _HIRAGANA + _KATAKANA + _HANGUL
# a CJK run, or a word of other letters and digits ("_" and punctuation separate)
_TOKEN_RE = re.compile(f"([{_CJK}]+)|((?:(?![{_CJK}])[^\\W_])+)")
# the runs inside which bigrams are made: a bigram never spans two scripts
_SCRIPT_RUN_RE = re.compile(f"[{_HAN}{_HIRAGANA}]+|[{_KATAKANA}]+|[{_HANGUL}]+")
_UNIGRAM_RE = re.compile(f"[{_HAN}{_HANGUL}]")  # characters that are often a word on their own
_CJK_RE = re.compile(f"[{_CJK}]")
_DIACRITICS_RE = re.compile("[\u0300-\u036f]")  # combining marks of Latin, Greek and Cyrillic letters

MAX_TOKEN_CHARS = 64  # longer "words" (hashes, base64) are not indexed
# PostgreSQL records positions up to 16383 and stores a tsvector in at most 1 MB: a page's tokens stop there on
# both backends, so both count the same tokens (pages that long are rare; their first 16k tokens are searchable)
MAX_TOKENS = 16383
MAX_REPEATS = 256  # positions PostgreSQL keeps per token: the term frequency both backends count at most
MAX_DISTINCT_BYTES = 400_000

_STEM_MIN, _STEM_MAX = 3, 64  # FTS5's porter tokenizer leaves shorter and longer tokens alone


_local = threading.local()


def _stemmer() -> Any:
    """This thread's Porter stemmer: a snowballstemmer object keeps its working state in itself, so threads (the
    upkeep worker, a server's request threads) must not share one."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer  # on first use: importing it loads all of its 36 stemmers (~35 ms)

        stemmer = _local.stemmer = snowballstemmer.stemmer("porter")
    return stemmer


@functools.lru_cache(maxsize=65536)
def _word(word: str) -> str:
    """A non-CJK word as indexed: without Latin diacritics, Porter-stemmed if it is plain ASCII letters."""
    if not word.isascii():
        word = unicodedata.normalize("NFC", _DIACRITICS_RE.sub("", unicodedata.normalize("NFD", word)))
    if word.isascii() and word.isalpha() and _STEM_MIN <= len(word) <= _STEM_MAX:
        return str(_stemmer().stemWord(word))
    return word


def index_word(word: str) -> str:
    """One lower-case non-CJK word (at most MAX_TOKEN_CHARS) as the index holds it: `analyze` of it, faster."""
    return _word(word)


def _cjk(run: str, out: list[str]) -> None:
    for part in _SCRIPT_RUN_RE.findall(run):
        if len(part) == 1:
            out.append(part)
            continue
        out.extend(part[i : i + 2] for i in range(len(part) - 1))
        out.extend(_UNIGRAM_RE.findall(part))


def analyze(*texts: str) -> list[str]:
    """The index tokens of the texts, one after the other, in order (repeats kept: they are the term
    frequencies)."""
    out: list[str] = []
    for text in texts:
        for cjk, word in _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower()):
            if cjk:
                _cjk(cjk, out)
            elif word and len(word) <= MAX_TOKEN_CHARS:
                out.append(_word(word))
    if len(out) > MAX_REPEATS:  # only then can a token repeat too often or the tokens grow too many
        out = _bounded(out[:MAX_TOKENS])
    return out


def _bounded(tokens: list[str]) -> list[str]:
    """The tokens up to the tsvector's size limit, each repeated at most MAX_REPEATS times."""
    counts: dict[str, int] = {}
    kept: list[str] = []
    size = 0
    for token in tokens:
        seen = counts.get(token, 0)
        if seen == 0:
            size += len(token.encode()) + 8  # a tsvector entry's overhead
            if size > MAX_DISTINCT_BYTES:
                break
        if seen < MAX_REPEATS:
            counts[token] = seen + 1
            kept.append(token)
    return kept


def index_text(*texts: str) -> str:
    """The texts' tokens joined by spaces: the body of the SQLite FTS5 index (its tokenizer splits on spaces)."""
    return " ".join(analyze(*texts))


def page_tokens(user_input: str, agent_response: str, timestamp: object) -> list[str]:
    """A page's index tokens on both backends: its words (`analyze`), then the dates it mentions as date tokens
    (`datetokens.event_tokens`, relative phrases resolved against `timestamp`, when the page was said)."""
    words = analyze(user_input, agent_response)
    if len(words) >= MAX_TOKENS or not isinstance(timestamp, (int, float)):
        return words
    dates = event_tokens(f"{user_input}\n{agent_response}", float(timestamp))
    return words + dates[: MAX_TOKENS - len(words)]


def page_index_text(user_input: str, agent_response: str, timestamp: object) -> str:
    """`page_tokens` joined by spaces: a page's SQLite FTS5 body."""
    return " ".join(page_tokens(user_input, agent_response, timestamp))


# Question words and sentence-final question particles: what the English stop-word list does for "what", "where",
# "when" in questions. Chinese, Japanese and Korean questions are built from a few of these, and "叫什么名字"
# ("called what name") would otherwise match every page that asks a name rather than the page that gives it.
# Only queries lose them (an index keeps every token); longest first, so 为什么 goes whole.
_QUESTION_TEXT = (
    "什么 为什么 怎么样 怎么 哪里 哪儿 哪个 哪些 多少 谁 吗 呢"  # Chinese
    " 何 なに なん どこ いつ 誰 だれ どう どうして なぜ どんな どの どれ ですか ますか でしょうか っけ"  # Japanese
    " 뭐예요 뭐야 뭐 무엇 무슨 어디 언제 누구 누가 왜 어떻게 어떤 몇"  # Korean
)
_QUESTION_RE = re.compile("|".join(sorted(_QUESTION_TEXT.split(), key=len, reverse=True)))


def without_question_words(text: str) -> str:
    """A query without CJK question words (each leaves a space, so no bigram spans the gap)."""
    return _QUESTION_RE.sub(" ", text) if has_cjk(text) else text


def has_cjk(text: str) -> bool:
    """Whether the text has Chinese, Japanese or Korean letters (whose words need no spaces and may be short)."""
    return _CJK_RE.search(text) is not None
