"""Common personal attributes in first-person statements, without an LLM.

`find_attributes("I just moved to Berlin")` → [Attribute("residence", "Berlin", "User lives in Berlin")]. The key
says what the statement is about so that a later statement with the same key replaces it (facts are closed, not
merged, when the value changes); the value is what it says; the statement is a normalized third-person sentence
for the profile. Negation aware: "I don't live in Berlin anymore" gives the key with `negated=True`, so it closes
the fact it contradicts. Multi-valued attributes key by the thing itself (hobby:painting, pet:dog, child:emma,
language:spanish, likes:green_tea, favorite:food, plan:japan), so two hobbies never collide, and a flip of the same
one does ("I don't like coffee anymore" → likes:coffee).

Only statements that state an attribute count, not passing mentions: "my husband and I went hiking" says nothing
new about a partner and gets no key (a key on it would close the fact that named him).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..textutil import STOPWORDS
from ..timeexpr import MONTHS, NUMBER_WORDS, TENS, WEEKDAYS, mentioned_dates
from .kin_words import CIRCLE, FAMILY


@dataclass(frozen=True)
class Attribute:
    key: str  # "residence", "pet:dog", "hobby:painting" (lower case, ':' separated, '_' for spaces)
    value: str  # "Berlin", "dog named Max", "painting"
    statement: str  # "User lives in Berlin" / "User no longer lives in Berlin"
    negated: bool = False


# ---- vocabulary (general English, not tied to any data set) ----

PET_KINDS = {
    "dog": "dog",
    "dogs": "dog",
    "puppy": "dog",
    "puppies": "dog",
    "pup": "dog",
    "cat": "cat",
    "cats": "cat",
    "kitten": "cat",
    "kittens": "cat",
    "kitty": "cat",
    "rabbit": "rabbit",
    "bunny": "rabbit",
    "rabbits": "rabbit",
    "parrot": "parrot",
    "bird": "bird",
    "birds": "bird",
    "hamster": "hamster",
    "guinea pig": "guinea_pig",
    "fish": "fish",
    "goldfish": "fish",
    "turtle": "turtle",
    "tortoise": "tortoise",
    "snake": "snake",
    "horse": "horse",
    "pony": "horse",
    "lizard": "lizard",
    "gecko": "lizard",
    "ferret": "ferret",
    "chickens": "chicken",
}
_PET = r"(?P<kind>guinea pig|" + "|".join(k for k in PET_KINDS if k != "guinea pig") + r")"
LANGUAGES = frozenset(
    """
    english spanish french german italian portuguese dutch swedish norwegian danish finnish icelandic polish czech
    slovak hungarian romanian bulgarian greek turkish russian ukrainian serbian croatian arabic hebrew persian farsi
    hindi urdu bengali punjabi tamil telugu marathi gujarati chinese mandarin cantonese japanese korean vietnamese
    thai indonesian malay tagalog filipino swahili amharic yoruba zulu afrikaans latin esperanto catalan basque
    irish welsh gaelic sign asl
    """.split()  # noqa: SIM905
)
OCCUPATIONS = frozenset(
    """
    accountant actor actress analyst architect artist attorney author baker banker barber barista
    bartender biologist builder butcher carpenter cashier chef chemist cleaner clerk coach consultant cook counselor
    counsellor dancer dentist designer detective developer dietitian director doctor driver economist editor
    electrician engineer entrepreneur farmer firefighter fisherman freelancer gardener geologist hairdresser
    historian illustrator instructor intern janitor jeweler journalist judge lawyer lecturer librarian lifeguard
    manager marketer mechanic midwife model musician nanny nurse officer painter paralegal paramedic pharmacist
    photographer physician physicist physiotherapist pilot plumber poet politician producer professor programmer
    psychologist publisher realtor receptionist reporter researcher sailor salesman saleswoman scientist
    secretary singer soldier surgeon tailor teacher technician therapist translator tutor veterinarian vet waiter
    waitress welder writer youtuber streamer influencer administrator ceo cto founder owner volunteer
    """.split()  # noqa: SIM905
)
_FAMILY_ROLES = r"(?:husband|wife|partner|boyfriend|girlfriend|fianc[ée]e?|spouse)"
_CHILD_ROLES = {"son": "son", "daughter": "daughter", "kid": "child", "child": "child", "baby": "baby"}
_UNITS = "|".join(w for w, n in NUMBER_WORDS.items() if n < 10)  # what follows a ten: "thirty-five"
_AGE_WORDS = r"(?:" + "|".join(TENS) + r")(?:[- ](?:" + _UNITS + r"))?"

# where a value phrase ends: punctuation, a new clause, or words that only situate it in time
_STOP_WORDS = frozenset(
    """
    and but because cause 'cause so since with for as where which who that when while now today yesterday tomorrow
    these this last next ago right until after before by to from on at in every each again anymore instead too
    though although if or then just already soon recently lately currently still all really very so's
    """.split()  # noqa: SIM905
)
_NEGATION_RE = re.compile(
    r"\b(?:not|no longer|never|don't|do not|doesn't|didn't|won't|can't|cannot|isn't|aren't|wasn't|haven't|"
    r"hasn't)\b|n't\b",
    re.IGNORECASE,
)
_ANYMORE_RE = re.compile(r"\b(?:any\s?more|no longer|not anymore)\b", re.IGNORECASE)
_WORD_RE = re.compile(r"[\w'’&.-]+|[,;:!?()\"]")


def phrase(text: str, start: int, max_words: int = 5, proper: bool = False) -> str:
    """The value phrase at `start`: words up to punctuation or a word that starts a new clause. `proper`: only
    the run of capitalised words (a place, a company), allowing inner "of"/"de"/"the"."""
    words: list[str] = []
    for m in _WORD_RE.finditer(text, start):
        word = m.group(0)
        if word in ',;:!?()"' or (word.endswith(".") and len(word) > 1 and not _abbreviation(word)):
            if word.endswith(".") and len(word) > 1:
                stripped = word.rstrip(".")
                if proper and not stripped[:1].isupper():
                    break
                if not (words and stripped.lower() in _STOP_WORDS):
                    words.append(stripped)
            break
        low = word.lower()
        if proper:
            if word[:1].isupper() or (words and (low in {"of", "de", "la", "del", "the", "&"} or word[:1].isdigit())):
                words.append(word)
            else:
                break
        else:
            if words and low in _STOP_WORDS:
                break
            words.append(word)
        if len(words) >= max_words:
            break
    while words and words[-1].lower() in {"of", "de", "la", "del", "the", "&", "a", "an", "my", "our"}:
        words.pop()
    return " ".join(words).strip(" .'’")


def _abbreviation(word: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Z]\.)+|(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Inc|Co|Ltd)\.", word))


def _slug(text: str) -> str:
    words = [w for w in re.findall(r"[\w-]+", text.lower()) if w not in {"a", "an", "the", "my", "our", "some"}]
    return "_".join(words)[:60]


def _head(text: str) -> str:
    """The last content word of a phrase ("a new rowing club" → "club"; "playing the violin" → "violin")."""
    words = [w for w in re.findall(r"[\w-]+", text.lower()) if w not in STOPWORDS]
    return words[-1] if words else _slug(text)


def _negated(sentence: str, span_start: int) -> bool:
    """Negation before the attribute's words (in its clause) or "anymore"/"no longer" anywhere."""
    clause_start = max(sentence.rfind(c, 0, span_start) for c in ",;") + 1
    return bool(_NEGATION_RE.search(sentence[clause_start:span_start]) or _ANYMORE_RE.search(sentence))


def _number(word: str) -> int | None:
    word = word.lower().replace("-", " ")
    if word.isdigit():
        return int(word)
    parts = word.split()
    if len(parts) == 1:
        return NUMBER_WORDS.get(parts[0]) or TENS.get(parts[0])
    if len(parts) == 2 and parts[0] in TENS and NUMBER_WORDS.get(parts[1], 10) < 10:
        return TENS[parts[0]] + NUMBER_WORDS[parts[1]]
    return None


# ---- rules: (pattern, builder) ----

Builder = Callable[[re.Match[str], str, str], "list[Attribute]"]
_I = r"(?:\bI|\bwe)(?:\s+|(?=['’]))"  # the speaker (a household "we" moves and adopts pets too), "I've" too
_ADV = r"(?:(?:just|finally|recently|now|currently|still|also|already|officially|actually|happily|really)\s+)*"
_NEG = r"(?P<neg>(?:don't|do not|no longer|never|am not|'m not|are not|'re not|didn't|did not)\s+)?"


def _residence(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    value = phrase(sentence, m.end(), proper=True) or phrase(sentence, m.end(), max_words=4)
    if not value or value.lower() in {"it", "there", "here", "a", "the"}:
        return []
    neg = bool(m.groupdict().get("neg")) or _negated(sentence, m.start())
    return [Attribute("residence", value, f"{s} {'no longer lives' if neg else 'lives'} in {value}", neg)]


def _origin(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    value = phrase(sentence, m.end(), proper=True)
    if not value:
        return []
    return [Attribute("origin", value, f"{s} is originally from {value}")]


def _employer(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    value = phrase(sentence, m.end(), proper=True)
    if not value or value.lower() in {"home", "i", "my"}:
        return []
    neg = bool(m.groupdict().get("neg")) or _negated(sentence, m.start())
    found = [Attribute("employer", value, f"{s} {'no longer works' if neg else 'works'} at {value}", neg)]
    role = m.groupdict().get("role")
    if role and _is_occupation(role):
        found.append(Attribute("occupation", role.lower(), f"{s} works as {_article(role)} {role.lower()}"))
    return found


# the first word of a name before "hired me" that is a person, not a firm: a pronoun, a relative or someone one
# knows ("Dad hired me to paint"); roles and groups are left out, they name firms too ("Coach", "Family Dollar")
_NOT_EMPLOYERS = (
    frozenset("i we they he she it nobody someone somebody everyone".split())  # noqa: SIM905
    | FAMILY
    | CIRCLE
)


def _hired_me(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    """ "Northwind hired me as a data analyst": the employer named before the verb."""
    value = m.group("v")
    if value.split()[0].lower() in _NOT_EMPLOYERS:
        return []  # a person, not a company: "Dad hired me to paint"
    return [Attribute("employer", value, f"{s} works at {value}")]


def _job_ended(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    value = phrase(sentence, m.end(), proper=True)
    return [Attribute("employer", value, f"{s} no longer works at {value}", True)] if value else []


def _left_job(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    """ "I lost my job as a banker", "I quit my job at Acme", "I got laid off": the job ends."""
    rest = sentence[m.end() :]
    found = []
    at = re.match(r"\s+(?:at|with)\s+", rest)
    if at:
        value = phrase(rest, at.end(), proper=True) or phrase(rest, at.end(), max_words=5)
        if value:
            found.append(Attribute("employer", value, f"{s} no longer works at {value}", True))
    role = re.match(r"\s+as\s+an?\s+", rest)
    if role:
        value = phrase(rest, role.end(), max_words=3)
        if value:
            found.append(
                Attribute("occupation", value.lower(), f"{s} no longer works as {_article(value)} {value}", True)
            )
    if not found:
        found.append(Attribute("employer", "job", f"{s} left their job", True))
    return found


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _is_occupation(phrase: str) -> bool:
    words = phrase.lower().split()
    if not words or len(words) > 3:
        return False
    last = words[-1]
    return last in OCCUPATIONS or (len(last) > 5 and last.endswith(("ologist", "ician", "ographer", "ineer")))


def _occupation(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    words = m.group("v").strip().lower().split()
    while words and words[-1] in _STOP_WORDS:
        words.pop()
    value = " ".join(words)
    strict = m.groupdict().get("strict") is None  # "I'm a X" counts only for known occupations
    if strict and not _is_occupation(value):
        return []
    value = phrase(value, 0, max_words=3)
    if not value:
        return []
    neg = bool(m.groupdict().get("neg")) or _negated(sentence, m.start())
    verb = "no longer works" if neg else "works"
    return [Attribute("occupation", value, f"{s} {verb} as {_article(value)} {value}", neg)]


def _study(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    value = phrase(sentence, m.end(), max_words=4)
    if not value or value.lower() in {"it", "that", "this", "hard"}:
        return []
    return [Attribute(f"study:{_slug(value)}", value, f"{s} studies {value}")]


def _school(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    value = phrase(sentence, m.end(), proper=True)
    if not value:
        return []
    verb = "graduated from" if "graduat" in m.group(0).lower() else "studies at"
    return [Attribute("school", value, f"{s} {verb} {value}")]


def _age(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    n = _number(m.group("v"))
    if n is None or not 1 <= n <= 120:
        return []
    return [Attribute("age", str(n), f"{s} is {n} years old")]


def _status(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    status = m.group("v").lower()
    status = {"hitched": "married", "together": "in a relationship"}.get(status, status)
    partner = phrase(sentence, m.end("to"), proper=True) if m.groupdict().get("to") else ""
    text = f"{s} is {status}" + (f" to {partner}" if partner else "")
    neg = bool(m.groupdict().get("neg"))
    if neg:
        return []  # "I'm not married" says too little to replace anything
    return [Attribute("relationship", status + (f" to {partner}" if partner else ""), text)]


def _dating(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    partner = phrase(sentence, m.end(), proper=True)
    if not partner:  # "My partner Sam and I started dating", "Sam and I started dating"
        named = re.search(
            r"\b(?i:my)\s+" + _FAMILY_ROLES + r"\s+(?P<n>[A-Z][a-z]+)|\b(?P<m>[A-Z][a-z]+)\s+and\s+I\b", sentence
        )
        partner = (named.group("n") or named.group("m")) if named else ""
    if not partner or partner.lower() in STOPWORDS:
        return []
    return [Attribute("relationship", f"dating {partner}", f"{s} is dating {partner}")]


def _partner_named(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    name, role = m.group("name"), m.group("role").lower()
    if name.lower() in STOPWORDS:
        return []
    status = "dating" if role in {"boyfriend", "girlfriend", "partner"} else "married to"
    if role.startswith("fianc"):
        status = "engaged to"
    return [Attribute("relationship", f"{status} {name}", f"{s} is {status} {name} ({role})")]


def _breakup(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    partner = phrase(sentence, m.end(), proper=True) if m.group(0).rstrip().endswith("with") else ""
    text = f"{s} broke up" + (f" with {partner}" if partner else "")
    return [Attribute("relationship", "single", text)]


def _children_count(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    n = _number(m.group("n"))
    if n is None:
        return []
    return [Attribute("children", str(n), f"{s} has {n} {'child' if n == 1 else 'children'}")]


def _child_named(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    role, name = _CHILD_ROLES[m.group("role").lower()], m.group("name")
    if name.lower() in STOPWORDS:
        return []
    return [Attribute(f"child:{name.lower()}", f"{role} named {name}", f"{s} has a {role} named {name}")]


def _pet(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    kind = PET_KINDS[m.group("kind").lower()]
    name = m.groupdict().get("name") or m.groupdict().get("name2") or ""
    if name and name.lower() in STOPWORDS:
        name = ""
    neg = bool(m.groupdict().get("neg")) or _negated(sentence, m.start())
    shown = kind.replace("_", " ")
    value = f"{shown} named {name}" if name else shown
    article = _article(shown)
    text = f"{s} no longer has {article} {shown}" if neg else f"{s} has {article} {value}"
    # a second animal of a kind is a new pet, not a change of the first
    key = (
        f"pet:{kind}:{name.lower()}"
        if name and re.search(r"\b(?:another|second|third|other)\b", m.group(0))
        else f"pet:{kind}"
    )
    return [Attribute(key, value, text, neg)]


def _pet_gone(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    kind = PET_KINDS[m.group("kind").lower()]
    name = m.groupdict().get("name") or ""
    shown = kind.replace("_", " ")
    return [
        Attribute(
            f"pet:{kind}",
            f"{shown} named {name}" if name else shown,
            f"{s} no longer has {_article(shown)} {shown}" + (f" ({name})" if name else ""),
            True,
        )
    ]


_ACTIVITY_STOPS = frozenset(
    """
    and but so because cause 'cause while when which who that since as though although if or now these anymore
    instead too again every each for lately recently today yesterday tomorrow whenever it's it is was about ago
    tonight
    """.split()  # noqa: SIM905
)
_TIME_UNITS = frozenset(
    "week weekend month year morning afternoon evening night summer winter spring fall autumn time".split()  # noqa: SIM905
)
_THIRD = {"my": "their", "me": "them", "myself": "themselves", "our": "their", "us": "them", "mine": "theirs"}
_LIGHT_GERUNDS = frozenset("going doing playing making having taking getting spending trying learning".split())  # noqa: SIM905
_VAGUE_WORDS = frozenset("different new some all more good great little big few lot lots other various own".split())  # noqa: SIM905


def _activity(sentence: str, start: int, max_words: int = 6) -> str:
    """The activity phrase at `start`: up to `max_words` words, to punctuation or a new clause ("helping people and
    ..." → "helping people"); "playing the violin" stays whole; a trailing "classes"/"lessons" is dropped."""
    tokens = re.findall(r"[\w'’&-]+|[,;:!?.()\"—–]", sentence[start:])
    words: list[str] = []
    for i, word in enumerate(tokens):
        low = word.lower()
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        when = low in {"this", "last", "next"} and nxt in _TIME_UNITS  # "hiking this weekend": a time, not the hobby
        if low in {",", "and"} and len(words) >= 2 and words[-2].lower() in {"a", "an", "the"} and nxt.isalpha():
            # "a safe, inviting place", "a safe and loving home": adjectives of one noun, not the phrase's end
            if low == ",":
                words[-1] += ","
            else:
                words.append(word)
            continue
        if not word[0].isalnum() or (words and (low in _ACTIVITY_STOPS or when)) or len(words) >= max_words:
            break
        words.append(word)
    while words and words[-1].lower() in STOPWORDS:
        words.pop()
    phrase = " ".join(_THIRD.get(w.lower(), w) for w in words)  # "writing my memories" → "writing their memories"
    return re.sub(r"\s+(?:classes|class|lessons|sessions)$", "", phrase, flags=re.IGNORECASE)


def _activity_key(activity: str) -> str:
    """What two statements must share to be about the same activity: its gerund ("hiking in the alps" →
    "hiking"), with its object when the gerund says little ("playing the violin" → "playing_violin"), or the
    first content word of a noun phrase ("pottery classes" → "pottery")."""
    words = [w for w in re.findall(r"[\w-]+", activity.lower()) if w not in STOPWORDS]
    if not words:
        return ""
    if words[0] in _LIGHT_GERUNDS:
        objects = [w for w in words[1:] if w not in _VAGUE_WORDS]
        return f"{words[0]}_{objects[0]}" if objects else words[0]
    if words[0].endswith("ing") or len(words) == 1:
        return words[0]
    return "_".join(words[:2])  # a compound names one activity: "rock climbing", "table tennis"


def _hobby(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    activity = _activity(sentence, m.end())
    first = activity.split()[0].lower() if activity else ""
    if (
        not first
        or first in STOPWORDS
        or first in {"a", "an", "the", "my", "our", "his", "her", "their", "some", "any", "it", "that", "this"}
        or re.fullmatch(_NOT_HOBBIES, first)
        or first in LANGUAGES
        or (first in _LIGHT_GERUNDS and len(activity.split()) == 1)  # "I've been playing": playing what?
    ):
        return []
    neg = bool(m.groupdict().get("neg")) or _negated(sentence, m.start())
    gave_up = (m.groupdict().get("neg") or "").lower()
    if gave_up:
        text = f"{s} {gave_up} {activity}"
    else:
        text = f"{s} no longer does {activity}" if neg else f"{s} enjoys {activity}"
    return [Attribute(f"hobby:{_activity_key(activity)}", activity, text, neg)]


def _club(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    activity = m.group("v").lower()
    if activity in STOPWORDS or activity.split()[0] in LANGUAGES:
        return []
    return [Attribute(f"hobby:{_activity_key(activity)}", activity, f"{s} enjoys {activity}")]


_NOT_LIKED = frozenset(
    """
    it that this them those these how what when where to you your her him his their it's seeing hearing being
    having getting
    """.split()  # noqa: SIM905
)


def _likes(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    verb = m.group("verb").lower()
    value = _activity(sentence, m.end())
    words = value.lower().split()
    if not words or words[0] in _NOT_LIKED or re.fullmatch(_NOT_HOBBIES, words[0]):
        return []
    if words[0] == "the" or words[:2] == ["all", "the"]:
        return []  # "I love the color": the one in front of them, not a standing taste
    neg = bool(m.groupdict().get("neg")) or _negated(sentence, m.start()) or verb in {"hate", "dislike", "detest"}
    if words[0].endswith("ing") and len(words[0]) > 4:  # "I love hiking": an activity
        text = f"{s} no longer enjoys {value}" if neg else f"{s} enjoys {value}"
        return [Attribute(f"hobby:{_activity_key(value)}", value, text, neg)]
    things = [w for w in re.findall(r"[\w-]+", value.lower()) if w not in STOPWORDS and w not in _VAGUE_WORDS]
    key = f"likes:{'_'.join(things[:2]) or _slug(value)}"
    if verb == "prefer":
        return [Attribute(key, value, f"{s} prefers {value}")]
    text = f"{s} {'dislikes' if neg else 'likes'} {value}"
    return [Attribute(key, ("not " if neg else "") + value, text, neg)]


CATEGORY_WORDS = {  # a favourite's category, one spelling
    "dish": "food",
    "meal": "food",
    "cuisine": "food",
    "beverage": "drink",
    "drinks": "drink",
    "films": "movie",
    "film": "movie",
    "books": "book",
    "songs": "song",
    "bands": "band",
    "sports": "sport",
}


def _favorite(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    category = m.group("cat").strip().lower()
    category = CATEGORY_WORDS.get(category, category)
    value = m.groupdict().get("v") or ""
    if not value:
        value = phrase(sentence, m.end(), max_words=5)
    value = value.strip()
    if not value or not category or value.lower() in {"it", "that", "this"}:
        return []
    text = f"{s}'s favourite {category} is {value}"
    if category in {"sport", "hobby", "activity", "pastime"}:  # a favourite sport is a sport they do
        return [Attribute(f"hobby:{_activity_key(value)}", value.lower(), text)]
    return [Attribute(f"favorite:{_slug(category)}", value, text)]


def _hypothetical_pick(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    value = phrase(sentence, m.end(), max_words=4)
    category = CATEGORY_WORDS.get(m.group("cat").lower(), m.group("cat").lower())
    if not value or value.lower().split()[0] in _NOT_LIKED:
        return []
    if category in {"thing", "one"}:  # "one thing": the kind is not said
        return [Attribute(f"likes:{_slug(value)}", value, f"{s} likes {value} best")]
    return [Attribute(f"favorite:{_slug(category)}", value, f"{s}'s favourite {category} is {value}")]


def _daily_need(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    """ "I can't start the day without hot chocolate": a daily habit, whatever it is (habit:hot_chocolate)."""
    value = phrase(sentence, m.end(), max_words=3)
    if not value or value.lower() in STOPWORDS or value.lower().split()[0] in _NOT_LIKED:
        return []
    return [Attribute(f"habit:{_slug(value)}", value, f"{s} has {value} every day")]


def _superlative(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    value = phrase(sentence, m.end(), max_words=4)
    words = value.lower().split()
    if not words or words[0] in _NOT_LIKED or words[0] in {"a", "an", "the", "my", "being"}:
        return []  # "nothing beats a sunny day", "nothing beats the feeling": a moment, not a standing taste
    return [Attribute(f"likes:{_slug(value)}", value, f"{s} likes {value} best")]


def _language(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    verb = m.group("verb").lower()
    found = []
    for lang in re.findall(r"[A-Z][a-z]+", sentence[m.end() : m.end() + 60]):
        if lang.lower() not in LANGUAGES:
            break
        learning = "learn" in verb or "study" in verb
        neg = bool(m.groupdict().get("neg"))
        text = f"{s} is learning {lang}" if learning else f"{s} {'does not speak' if neg else 'speaks'} {lang}"
        found.append(Attribute(f"language:{lang.lower()}", ("learning " if learning else "") + lang, text, neg))
    return found


_HOBBY_VERBS = (
    r"painted|paint|drew|draw|baked|bake|knitted|knit|sewed|sew|hiked|hike|swam|swim|ran a|run a|cycled|cycle|"
    r"surfed|surf|skied|ski|climbed|camped|camp|gardened|sang|sing|danced|dance|wrote a|write a|read a|played a|"
    r"fished|volunteered|volunteer|meditated|meditate|practiced|practised"
)
_GERUNDS = {"ran": "running", "run": "running", "swam": "swimming", "swim": "swimming", "drew": "drawing",
            "draw": "drawing", "sang": "singing", "sing": "singing", "wrote": "writing", "write": "writing",
            "read": "reading", "played": "playing", "sew": "sewing", "sewed": "sewing", "knit": "knitting",
            "knitted": "knitting", "ski": "skiing", "skied": "skiing"}  # fmt: skip


def _hobby_done(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    """ "I painted a lake sunrise" → hobby painting: doing it says they do it."""
    verb = m.group("done").lower().split()[0]
    if verb in {"practiced", "practised", "played"}:
        return []
    gerund = _GERUNDS.get(verb) or re.sub(r"(?:ed|e)?$", "", verb) + "ing"
    gerund = {"hikeing": "hiking", "campeing": "camping", "climbeing": "climbing", "danceing": "dancing"}.get(
        gerund, gerund
    )
    gerund = re.sub(r"(?<=[^aeiou][aeiou])([pnmgt])ing$", r"\1\1ing", gerund) if len(gerund) <= 6 else gerund
    if re.fullmatch(_NOT_HOBBIES, gerund):
        return []
    return [Attribute(f"hobby:{gerund}", gerund, f"{s} enjoys {gerund}")]


_NOT_GOALS = frozenset(
    """
    say thank see hear know tell ask share check give keep try let do make have get go it talk show send stay savor
    enjoy a an the my our this that some
    """.split()  # noqa: SIM905
)


def _goal(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    """ "I want to become a counselor", "I'm planning to adopt a child": what they mean to do."""
    what = _activity(sentence, m.end(), max_words=8)
    words = what.lower().split()
    if len(words) < 2 or words[0] in _NOT_GOALS or (words[0] == "be" and words[1] not in {"a", "an"}):
        return []  # "I want to say ...", "I'm gonna try it": not a goal
    verb = m.group("verb").lower().replace("’", "'")
    shown = "wants to" if verb in {"want to", "wanna", "'d love to", "would love to", "dream of"} else "plans to"
    if "thinking" in verb:
        shown = "is thinking about"
    key = "goal:" + "_".join(w for w in words[:3] if w not in STOPWORDS)[:40]
    return [Attribute(key, what, f"{s} {shown} {what}")]


_CAR_MAKES = (
    "Toyota|Honda|Ford|Chevy|Chevrolet|Volvo|Subaru|Mazda|Kia|Hyundai|Tesla|Fiat|VW|Volkswagen|BMW|Audi|Mercedes|"
    "Nissan|Jeep|Dodge|Renault|Peugeot|Citroen|Citroën|Skoda|Škoda|Seat|Opel|Mini|Porsche|Lexus|Jaguar|Suzuki|"
    "Mitsubishi|Dacia|Saab|Prius|Corolla|Civic"
)


def _car(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    value = phrase(sentence, m.end(), proper=True, max_words=3)
    if not value or value.split()[0].lower() in STOPWORDS:
        return []
    if m.groupdict().get("neg"):
        return [Attribute("car", value, f"{s} no longer has the {value}", True)]
    return [Attribute("car", value, f"{s} drives a {value}")]


_MEASURES = (
    r"cups?|glass(?:es)?|mugs?|bottles?|cans?|shots?|pints?|bowls?|plates?|slices?|servings?|pieces?|portions?|"
    r"helpings?"
)
_FREQUENCY = (
    r"(?:(?:a|per|every|each)\s+(?:single\s+)?(?:day|morning|night|evening|week)|daily|now|these days|forever|"
    r"all day)\b"
)
_DRINK_MEASURES = re.compile(r"^(?:cup|glass|mug|bottle|can|shot|pint)", re.I)


def _habit(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    """What they drink (or eat) daily is their drink (or food), however they put it: "I drink X every morning",
    "I have two cups of X a day", "I could eat X every single day"."""
    verb = m.group("verb").lower().split()[-1]
    unit = (m.group("unit") or "").lower()
    if verb == "have" and not unit:
        return []  # "I have meetings every day": only a measure makes "have" consumption
    value = re.split(r"\s+" + _FREQUENCY, phrase(sentence, m.end(), max_words=5), maxsplit=1, flags=re.I)[0]
    value = re.sub(r"\s+(?:a|per)$", "", value.strip())
    if not value or value.lower() in STOPWORDS:
        return []
    drink = verb == "drink" or bool(_DRINK_MEASURES.match(unit))
    key = "favorite:drink" if drink else "favorite:food"
    return [Attribute(key, value, f"{s} {'drinks' if drink else 'eats'} {value} daily")]


def _name(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    name = m.group("v")
    if name.lower() in STOPWORDS or name.lower() in LANGUAGES or name.lower() in OCCUPATIONS:
        return []
    return [Attribute("name", name, f"{s}'s name is {name}")]


_WHEN_NAMED = r"\b(?:" + "|".join(MONTHS) + r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b"
_NOT_PLACES = frozenset(
    ["i", "i'm", "i've", "i'll", "i'd", "christmas", "easter", "change", "big"]
    + [m.lower() for m in MONTHS]
    + [d.lower() for d in WEEKDAYS]
)
_NOT_HOBBIES = (
    r"(?:feeling|working|thinking|trying|looking|going|getting|doing|having|waiting|dealing|struggling|living|dating|"
    r"seeing|talking|planning|saving|studying|learning|wanting|hoping|meaning|staying|coming|being|using|taking|"
    r"caring|wondering|realizing|realising|noticing|hearing|feeling|missing|needing|asking|telling|saying)\b"
)
_PLAN_WORDS = (
    r"(?:trip|vacation|holiday|visit|flight|flights|wedding|conference|move|interview|concert|party|race|marathon|"
    r"festival|exam|surgery)"
)


def _plan(m: re.Match[str], sentence: str, s: str) -> list[Attribute]:
    """A plan and its date: keyed by where or what ("plan:japan", "plan:wedding") so a changed date updates it."""
    tail = sentence[m.start() :]
    event = re.search(r"\b" + _PLAN_WORDS + r"\b", tail, re.IGNORECASE)
    # where: a capitalised word that is not the sentence's first, a pronoun, or a date
    names = [w.group(0) for w in re.finditer(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w-]+(?:\s[A-Z][\w-]+)?", sentence)]
    names = [n for n in names if n.split()[0].lower() not in _NOT_PLACES]
    target = names[0] if names else (event.group(0) if event else "")
    if not target:
        return []
    # when: a date, else a month or weekday named without a year ("in March"): a plan's value is its date
    dates = [d.phrase for d in mentioned_dates(tail, 0.0)]
    named = re.findall(_WHEN_NAMED, tail)
    when = dates[0] if dates else named[-1] if named else ""
    neg = (
        bool(m.groupdict().get("neg"))
        or _negated(sentence, m.start())
        or bool(re.search(r"\b(?:cancel(?:l?ed)?|called off)\b", tail, re.IGNORECASE))
    )
    from .statements import third_person

    what = third_person(sentence.rstrip(".!"), s)
    text = f"{what} (cancelled)" if neg else what
    value = f"{target} {when}".strip()
    return [Attribute(f"plan:{_slug(target)}", value, text, neg)]


_RULES: list[tuple[re.Pattern[str], Builder]] = [
    # residence and origin
    (
        re.compile(
            _I + _ADV + _NEG + r"(?:live|am living|'m living|are living|'re living|have been living|"
            r"'ve been living|reside|am based|'m based|are based|'re based)\s+(?:in|at|near|outside)\s+",
            re.I,
        ),
        _residence,
    ),
    (
        re.compile(
            _I + _ADV + r"(?:moved|relocated)\s+(?:back\s+|here\s+)?(?:to|into)\s+(?!a\b|an\b|the\b|my\b)", re.I
        ),
        _residence,
    ),
    (re.compile(r"\bmy\s+(?:new\s+)?(?:flat|apartment|house|home|place)\s+in\s+", re.I), _residence),
    (re.compile(r"\bhome\s+for\s+me\s+is\s+", re.I), _residence),
    (re.compile(r"\bI(?:'m| am)\s+(?:originally\s+)?from\s+", re.I), _origin),
    (re.compile(r"\bI\s+(?:grew up|was born|was raised)\s+in\s+", re.I), _origin),
    (re.compile(r"\bmy\s+(?:hometown|home town|home country)\s+is\s+", re.I), _origin),
    (re.compile(_I + _ADV + r"moved\s+(?:here\s+)?from\s+", re.I), _origin),
    # work
    (
        re.compile(
            r"\bI(?:\s+|(?=['’]))"
            + _ADV
            + _NEG
            + r"(?:work|am working|'m working|have been working|'ve been working|have worked|'ve worked)\s+"
            r"(?:at|for)\s+(?!my|myself|a\b|an\b|the\b|home)",
            re.I,
        ),
        _employer,
    ),
    (re.compile(r"\bI(?:'ve| have)\s+been\s+at\s+(?=[A-Z])", re.I), _employer),
    (re.compile(r"\bmy\s+(?:new\s+)?job\s+at\s+", re.I), _employer),
    (
        re.compile(
            r"\b(?:got|started|accepted|took|landed|began)\s+(?:a\s+|my\s+|the\s+)?(?:new\s+)?"
            r"(?:job|position|role|internship|offer)\s+(?:at|with|from)\s+",
            re.I,
        ),
        _employer,
    ),
    (
        re.compile(r"\b(?:I|and|then)\s+" + _ADV + r"(?:joined|got hired (?:at|by)|was hired by)\s+(?=[A-Z])", re.I),
        _employer,
    ),
    (re.compile(r"\bI(?:'m| am)\s+" + _ADV + r"an?\s+(?P<role>[a-z]+(?:\s[a-z]+)?)\s+at\s+(?=[A-Z])", re.I), _employer),
    # how English says whom one works for: employed by, hired by (or "X hired me"), signed with, starting at
    (
        re.compile(
            r"\bI(?:'m| am|'ve been| have been)\s+" + _ADV + r"(?:employed|hired|contracted)\s+(?:by|at)\s+(?=[A-Z])",
            re.I,
        ),
        _employer,
    ),
    (
        re.compile(r"\b(?P<v>[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,2})\s+(?:just\s+)?(?:hired|employs)\s+me\b"),
        _hired_me,
    ),
    (re.compile(r"\b(?:I|and)\s+" + _ADV + r"(?:signed|signed on)\s+with\s+(?=[A-Z])", re.I), _employer),
    (
        re.compile(
            # "I start at X" (a start arranged), "I started work at X"; a bare "I started at X" may be a school
            r"\b(?:I|and)\s+" + _ADV + r"(?:(?:start|begin)\s+(?:work(?:ing)?\s+|my\s+new\s+job\s+)?|"
            r"(?:started|began)\s+(?:work(?:ing)?|my\s+new\s+job)\s+)at\s+(?=[A-Z])",
            re.I,
        ),
        _employer,
    ),
    (
        re.compile(
            r"\bmy\s+first\s+(?:day|week|month)\s+(?:on the payroll\s+|of work\s+)?(?:at|with)\s+(?=[A-Z])", re.I
        ),
        _employer,
    ),
    (
        # the job that ends, named: "my last day at X", "handed in my notice at X", "resigned from X"
        re.compile(
            r"\b(?:my\s+last\s+day\s+(?:at|with)|handed\s+in\s+my\s+notice\s+(?:at|to)|resigned\s+from)\s+(?=[A-Z])",
            re.I,
        ),
        _job_ended,
    ),
    (re.compile(r"\b(?:lost|quit|left)\s+my\s+(?:old\s+)?(?:job|position)", re.I), _left_job),
    (re.compile(r"\bI\s+(?:got|was)\s+(?:fired|laid off|let go)", re.I), _left_job),
    (
        re.compile(r"\bI\s+" + _ADV + _NEG + r"work\s+as\s+an?\s+(?P<v>[a-z]+(?:\s[a-z]+){0,2})(?P<strict>)", re.I),
        _occupation,
    ),
    (
        re.compile(
            r"\bI(?:'m| am)\s+" + _ADV + r"an?\s+(?P<v>[a-z]+(?:\s[a-z]+)?)\s+by\s+(?:profession|trade)(?P<strict>)",
            re.I,
        ),
        _occupation,
    ),
    (
        re.compile(
            r"\bmy\s+(?:new\s+)?(?:job|profession|occupation|career)\s+is\s+(?:as\s+)?an?\s+(?P<v>[a-z]+(?:\s[a-z]+)?)(?P<strict>)",
            re.I,
        ),
        _occupation,
    ),
    (re.compile(r"\bI(?:'ve| have)\s+been\s+an?\s+(?P<v>[a-z]+(?:\s[a-z]+)?)\s+(?:for|since)\b", re.I), _occupation),
    (
        re.compile(
            r"\bI(?:'m| am)\s+"
            + _ADV
            + r"(?P<neg>not\s+|no longer\s+)?an?\s+(?P<v>[a-z]+(?:\s[a-z]+)?)(?=\s+now\b|\s*[,.!;]|\s*$|\s+and\b)",
            re.I,
        ),
        _occupation,
    ),
    # study
    (
        re.compile(
            r"\bI(?:'m| am)\s+"
            + _ADV
            + r"(?:studying|majoring in|doing a (?:degree|masters|master's|phd|PhD|course) in)\s+",
            re.I,
        ),
        _study,
    ),
    (re.compile(r"\bI\s+" + _ADV + r"(?:study|studied|major in|majored in)\s+", re.I), _study),
    (re.compile(r"\bI(?:'m| am)\s+(?:a\s+)?(?:student|freshman|sophomore|junior|senior)\s+at\s+", re.I), _school),
    (
        re.compile(r"\bI\s+" + _ADV + r"(?:go to|attend|graduated from|enrolled at|enrolled in)\s+(?=[A-Z])", re.I),
        _school,
    ),
    # age
    (
        re.compile(
            r"\bI(?:'m| am)\s+" + _ADV + r"(?:almost\s+|nearly\s+)?(?P<v>\d{1,3}|" + _AGE_WORDS + ")"
            r"(?=\s+years?\s+old|\s+now\b|\s*[,.!;]|\s*$|\s+and\b|\s+this\b|\s+today\b)",
            re.I,
        ),
        _age,
    ),
    (
        re.compile(
            r"\bI\s+" + _ADV + r"turned\s+(?P<v>\d{1,3}|" + _AGE_WORDS + r")\b",
            re.I,
        ),
        _age,
    ),
    (re.compile(r"\bmy\s+(?P<v>\d{1,3})(?:st|nd|rd|th)\s+birthday\b", re.I), _age),
    (re.compile(r"^at\s+(?P<v>\d{1,3}),?\s+(?=I\b)", re.I), _age),
    # relationships and family
    (
        re.compile(
            r"\b(?:I(?:'m| am)|we(?:'re| are))\s+" + _ADV + _NEG + r"(?P<v>married|single|divorced|engaged|widowed|"
            r"separated|in a relationship)\b(?:\s+(?P<to>to)\b)?",
            re.I,
        ),
        _status,
    ),
    (
        re.compile(
            r"\b(?:I|we)\s+" + _ADV + r"got\s+(?P<v>married|engaged|divorced|hitched)\b(?:\s+(?P<to>to)\b)?", re.I
        ),
        _status,
    ),
    (
        re.compile(
            r"\bI(?:'ve| have|'m| am)\s+(?:been\s+)?(?:dating|seeing)\s+(?:someone\s+(?:called|named)\s+)?(?=[A-Z])",
            re.I,
        ),
        _dating,
    ),
    (re.compile(r"\b(?:I|we)\s+" + _ADV + r"(?:started|began)\s+dating\b", re.I), _dating),
    (re.compile(r"\b(?P<name>[A-Z][a-z]+)\s+is\s+my\s+(?P<role>" + _FAMILY_ROLES[3:-1] + r")\b"), _partner_named),
    (
        re.compile(
            r"\bmy\s+(?P<role>"
            + _FAMILY_ROLES[3:-1]
            + r")(?:'s name is|,|\s+is\s+called|\s+named)?\s+(?P<name>[A-Z][a-z]+)"
            r"\s+and\s+I\s+(?:got|are|just|have been)"
        ),
        _partner_named,
    ),
    (re.compile(r"\b(?:we|I)\s+" + _ADV + r"(?:broke up|split up|separated)(?:\s+with)?", re.I), _breakup),
    (
        re.compile(
            r"\bI\s+have\s+(?P<n>\d|" + "|".join(NUMBER_WORDS) + r")\s+(?:kids|children|sons|daughters)\b",
            re.I,
        ),
        _children_count,
    ),
    (
        re.compile(
            r"\b(?:I have|we have|I had|we had)\s+an?\s+(?:baby\s+|little\s+)?(?P<role>son|daughter|baby|kid)\s+"
            r"(?:named|called)\s+(?P<name>[A-Z][a-z]+)"
        ),
        _child_named,
    ),
    (re.compile(r"\bmy\s+(?P<role>son|daughter)(?:,)?\s+(?P<name>[A-Z][a-z]+)\b"), _child_named),
    # pets
    (
        re.compile(
            _I + _ADV + _NEG + r"(?:have|own|got|adopted|rescued|bought|brought home|took in|welcomed|"
            r"have got|'ve got)\s+(?:a|an|one|two|another|a second|a new|our|my)?\s*(?:new\s+|little\s+|cute\s+|"
            r"rescue\s+|baby\s+|[a-z]+-?[a-z]*\s+)?"
            + _PET
            + r"\b(?:\s*(?:,\s*)?(?:named|called)\s+(?P<name>(?-i:[A-Z][a-z]+))|,\s*(?P<name2>(?-i:[A-Z][a-z]+))\b)?",
            re.I,
        ),
        _pet,
    ),
    (re.compile(r"\b(?i:my)\s+(?i:new\s+|little\s+)?" + _PET + r",?\s+(?P<name>[A-Z][a-z]+)\b"), _pet),
    (re.compile(r"\b(?P<name>[A-Z][a-z]+),\s+(?i:my)\s+(?i:new\s+|little\s+)?" + _PET + r"\b"), _pet),
    (
        re.compile(
            r"\b(?i:my)\s+(?i:new\s+|only\s+)?pets?\s+(?i:is|are)\s+an?\s+" + _PET + r"(?:\s+(?i:named|called)\s+"
            r"(?P<name>[A-Z][a-z]+))?"
        ),
        _pet,
    ),
    (
        re.compile(
            r"\b(?:my|our)\s+(?:old\s+|beloved\s+|sweet\s+)?" + _PET + r"(?:,?\s+(?P<name>[A-Z][a-z]+),?)?\s+"
            r"(?:passed away|died|ran away|was put down|is gone|passed)\b",
            re.I,
        ),
        _pet_gone,
    ),
    (
        re.compile(
            r"\bI\s+(?:lost|rehomed|gave away|had to give up)\s+my\s+" + _PET + r"\b(?:,?\s+(?P<name>[A-Z][a-z]+))?",
            re.I,
        ),
        _pet_gone,
    ),
    # hobbies, likes and favourites
    (
        re.compile(
            r"\bI\s+"
            + _ADV
            + _NEG
            + r"(?:play|practice|practise)\s+(?:the\s+)?(?=\w+(?:\s\w+)?\s+(?:every|each|on|twice|once|"
            r"regularly|a lot|at|with|since)\b|\w+\s*[.!,]|\w+$)",
            re.I,
        ),
        _hobby,
    ),
    (re.compile(r"\bI(?:'ve| have)\s+been\s+(?:doing|playing|practicing|practising)\s+", re.I), _hobby),
    (re.compile(r"\bI(?:'ve| have)\s+been\s+(?=(?!" + _NOT_HOBBIES + r")[a-z]+ing\s+(?:for|since)\b)", re.I), _hobby),
    (
        re.compile(
            r"\bI(?:'m| am)\s+" + _ADV + r"(?:into|passionate about|obsessed with|hooked on|a big fan of)\s+", re.I
        ),
        _hobby,
    ),
    (re.compile(r"\bmy\s+(?:favou?rite\s+)?(?:hobby|hobbies|passion)\s+(?:is|are|has always been)\s+", re.I), _hobby),
    (re.compile(r"\bI\s+" + _ADV + r"(?:started|began)\s+(?!dating\b)(?=\w+ing\b)", re.I), _hobby),
    (
        re.compile(
            r"\b(?:I|and)\s+" + _ADV + r"(?P<neg>gave up|quit|stopped)\s+(?!my\b|the\b|it\b|that\b|being\b)", re.I
        ),
        _hobby,
    ),
    (
        re.compile(r"\b(?:I|and)\s+" + _ADV + r"(?:took up|got into)\s+(?!my\b|the\b|it\b|that\b|a\b|an\b)", re.I),
        _hobby,
    ),
    (
        re.compile(
            r"\bI\s+" + _ADV + r"do\s+(?=[a-z]+ing\b|yoga\b|pilates\b|karate\b|judo\b|ballet\b|crossfit\b)", re.I
        ),
        _hobby,
    ),
    (
        re.compile(
            r"\bI\s+" + _ADV + r"(?:joined|signed up for)\s+(?:a|an|the)\s+(?P<v>[a-z]+(?:\s[a-z]+)?)\s+"
            r"(?:club|class|team|league|course|lessons|group)\b",
            re.I,
        ),
        _club,
    ),
    (re.compile(r"\bmy\s+(?P<v>[a-z]+(?:\s[a-z]+)?)\s+(?:club|team)\b", re.I), _club),
    (
        re.compile(r"\bI\s+" + _ADV + _NEG + r"(?P<verb>love|like|enjoy|adore|prefer|hate|dislike|detest)\s+", re.I),
        _likes,
    ),
    (
        re.compile(
            r"\bmy\s+(?:new\s+|all-time\s+|absolute\s+)?(?:favou?rite|fave|fav|go-to)\s+(?P<cat>[a-z]+(?:\s[a-z]+)?)\s+"
            r"(?:is|are|has to be|would be|these days is)\s+(?:definitely\s+|probably\s+)?",
            re.I,
        ),
        _favorite,
    ),
    (
        # a choice made in a hypothetical: "if I had to pick one dish forever, it would be X" (the favourite dish)
        re.compile(
            r"^if\s+I\s+(?:had to|could only|could|were to|must)\s+(?:pick|choose|eat|drink|keep|have)\s+"
            r"(?:only\s+)?(?:one|a single|just one)\s+(?P<cat>[a-z]+)\b[^,;]*?,?\s+(?:it|mine)\s*"
            r"(?:would be|'d be|’d be|is)\s+",
            re.I,
        ),
        _hypothetical_pick,
    ),
    (
        # what the day cannot start without is had daily: "I can't start the day without X"
        re.compile(
            r"\bI\s+(?:can't|cannot|can not|couldn't|could not)\s+(?:start|begin|get through|survive|function)\s+"
            r"(?:(?:the|my|a)\s+)?(?:day|morning|mornings|days|week)?\s*without\s+(?:(?:a|my|some)\s+)?",
            re.I,
        ),
        _daily_need,
    ),
    (
        # "nothing beats X (for me)", "there's nothing like X": a taste said as a superlative
        re.compile(
            r"^(?:nothing|no \w+)\s+(?:ever\s+)?(?:beats|tops|compares to|comes close to)\s+|"
            r"^there['’]s\s+nothing\s+(?:quite\s+)?(?:like|better than)\s+",
            re.I,
        ),
        _superlative,
    ),
    (
        re.compile(
            r"^(?P<v>[A-Za-z][\w'’ -]{0,30}?)\s+is\s+(?:definitely\s+|still\s+)?my\s+(?:new\s+)?"
            r"(?:favou?rite|fave|go-to)\s+(?P<cat>[a-z]+)\b",
            re.I,
        ),
        _favorite,
    ),
    # car, daily habits
    (re.compile(r"\bI\s+" + _ADV + _NEG + r"drive\s+an?\s+(?=[A-Z])", re.I), _car),
    (
        # the car as what the sentence is about ("My Mazda 3 is old", "I take my Volvo to work"), not in passing
        re.compile(
            r"(?:^|\bI\s+(?:take|drive|love|use|park|wash|fixed|repaired)\s+)(?i:my)\s+(?i:new\s+|old\s+)?"
            r"(?=(?:" + _CAR_MAKES + r")\b)"
        ),
        _car,
    ),
    (re.compile(r"\bmy\s+(?:new\s+)?car\s+is\s+an?\s+(?=[A-Z])", re.I), _car),
    (
        re.compile(
            r"\b(?:I|we|and)\s+" + _ADV + r"(?:bought|got|leased)\s+an?\s+(?:new\s+|used\s+|second-hand\s+)?(?=[A-Z])"
        ),
        _car,
    ),
    (
        re.compile(
            r"\bI\s+" + _ADV + r"(?P<neg>sold|scrapped|crashed|totaled|totalled)\s+my\s+(?:old\s+)?(?=[A-Z])", re.I
        ),
        _car,
    ),
    (
        # what they drink or eat as a habit: with a frequency ("every morning", "a day", "daily", "now"), with a
        # measure for "have" ("two cups of X a day"), or wished for ever ("I could eat X every single day")
        re.compile(
            r"\bI(?:\s+|(?=['’]))"
            + _ADV
            + r"(?:only\s+)?(?P<verb>drink|eat|have|(?:could|would|'d|’d)\s+(?:happily\s+)?(?:eat|drink))\s+"
            r"(?:(?:at least|about|around|like|maybe|easily)\s+)?(?:(?:\d+|a|one|two|three|four|five|a few|"
            r"a couple of|several)\s+(?P<unit>" + _MEASURES + r")\s+of\s+)?"
            r"(?=[\w -]+?\s+" + _FREQUENCY + r")",
            re.I,
        ),
        _habit,
    ),
    # languages, name
    (
        re.compile(
            r"\bI(?:\s+|(?=['’]))"
            + _ADV
            + _NEG
            + r"(?P<verb>speak|am fluent in|'m fluent in|am learning|'m learning|learned|learnt|"
            r"am studying|'m studying)\s+(?=[A-Z])",
            re.I,
        ),
        _language,
    ),
    (re.compile(r"\b(?i:my name is)\s+(?P<v>[A-Z][a-z]+)"), _name),
    (re.compile(r"^(?:I'm|I am)\s+(?P<v>[A-Z][a-z]+)(?=\s*[,.!]|\s*$|\s+and\b)"), _name),
    # plans
    (
        re.compile(
            r"\b(?:I|we)(?:'m| am|'re| are)\s+" + _ADV + _NEG + r"(?:planning|going|flying|heading|travell?ing|off)\s+"
            r"(?:a\s+|to\s+|on\s+)",
            re.I,
        ),
        _plan,
    ),
    (
        re.compile(
            r"\b(?:I|we)\s+" + _ADV + r"(?:plan|booked|rebooked|postponed|rescheduled|had to postpone|had to move|"
            r"moved (?=the|my|our))\s*",
            re.I,
        ),
        _plan,
    ),
    (re.compile(r"\bmy\s+(?P<p>[A-Z][\w-]+)\s+" + _PLAN_WORDS + r"\s+is\s+", re.I), _plan),
    (
        re.compile(
            r"\b(?i:the|my|our)\s+(?P<p>[A-Z][\w-]+)\s+(?i:" + _PLAN_WORDS[3:-1] + r")\s+(?i:got|was|has been|is)\s+"
            r"(?i:moved|postponed|rescheduled|pushed back|cancell?ed|canceled|called off|now)\b"
        ),
        _plan,
    ),
    # goals: what they want to become or do
    (
        re.compile(
            r"\bI(?:\s+|(?=['’]))" + _ADV + r"(?P<verb>want to|wanna|plan to|hope to|'m hoping to|am hoping to|"
            r"'m planning to|am planning to|'m thinking (?:about|of)|am thinking (?:about|of)|dream of|'d love to|"
            r"would love to|aim to|intend to|'m going to|am going to|'m gonna|am gonna)\s+(?=[a-z])",
            re.I,
        ),
        _goal,
    ),
    (re.compile(r"\bmy\s+(?:\w+\s+)?(?P<verb>goal|dream|plan|aim)\s+is\s+to\s+", re.I), _goal),
    # activities done: "I went hiking", "I painted a sunrise" (the activity, not the one occasion)
    (re.compile(r"\b(?:I|we)\s+" + _ADV + r"(?:went|go|goes|love going|like going)\s+(?=[a-z]+ing\b)", re.I), _hobby),
    (re.compile(r"\b(?:I|we)\s+" + _ADV + r"(?P<done>" + _HOBBY_VERBS + r")\b", re.I), _hobby_done),
]
_PRIORITY = (
    "name",
    "residence",
    "employer",
    "occupation",
    "age",
    "relationship",
    "pet",
    "child",
    "children",
    "school",
    "study",
    "origin",
    "car",
    "plan",
    "goal",
    "language",
    "favorite",
    "habit",
    "hobby",
    "likes",
)


def key_for(category: str, value: str) -> str:
    """The key a value of a multi-valued category gets, spelled as the rules spell it ("hobby", "rock climbing" →
    "hobby:rock_climbing"; "likes", "green tea" → "likes:green_tea")."""
    if category == "hobby":
        return f"hobby:{_activity_key(value)}"
    return f"{category}:{_slug(value)}"


_STATEMENTS = {
    "residence": "{s} lives in {v}",
    "employer": "{s} works at {v}",
    "occupation": "{s} works as {a} {v}",
    "age": "{s} is {v} years old",
    "car": "{s} drives {a} {v}",
    "hobby": "{s} enjoys {v}",
    "likes": "{s} likes {v}",
    "origin": "{s} is originally from {v}",
    "school": "{s} studies at {v}",
    "study": "{s} studies {v}",
    "language": "{s} speaks {v}",
}


def statement_for(key: str, value: str, subject: str = "User") -> str | None:
    """The normalized statement of a value of `key`, as the rules write it; None for keys without one."""
    category, _, thing = key.partition(":")
    if category == "favorite" and thing:
        return f"{subject}'s favourite {thing.replace('_', ' ')} is {value}"
    template = _STATEMENTS.get(category)
    return template.format(s=subject, v=value, a=_article(value)) if template else None


# a gerund subject with no one else's name is the speaker's own state: "Being 51 is great" says "I'm 51"
_BEING_RE = re.compile(
    r"^(?:being|as)\s+(?P<state>(?:an?\s+)?[\w'’-]+(?:\s+[\w'’-]+){0,2}?)\s*(?:,|\s+(?:is|was|has|feels|means|"
    r"makes|keeps|can be|isn't|has been|gets)\b)",
    re.IGNORECASE,
)


def _readings(sentence: str) -> list[str]:
    """The sentence, and what a gerund subject says of the speaker ("Being a nurse is tiring" → "I'm a nurse.")."""
    being = _BEING_RE.match(sentence)
    return [sentence, f"I'm {being.group('state')}."] if being else [sentence]


def find_attributes(sentence: str, subject: str = "User") -> list[Attribute]:
    """The attributes a first-person statement states, most telling first (one per key)."""
    found: dict[str, tuple[Attribute, int]] = {}
    for pattern, build in _RULES:
        for text in _readings(sentence):
            for m in pattern.finditer(text):
                for attribute in build(m, text, subject):
                    held = found.get(attribute.key)
                    # one value per key: what holds beats what ended, the later beats the earlier ("I left my old
                    # job and joined Globex": Globex; "I sold my Mazda and bought a Kia": the Kia)
                    if held is None or (not attribute.negated and (held[0].negated or m.start() > held[1])):
                        found[attribute.key] = (attribute, m.start())
    rank = {name: i for i, name in enumerate(_PRIORITY)}
    return sorted((a for a, _ in found.values()), key=lambda a: rank.get(a.key.split(":")[0], len(rank)))
