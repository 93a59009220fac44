"""Pages → fact operations without an LLM: each side's self-statements, as third-person facts citing their page.

The user side gives user facts, the assistant side assistant facts (statements.py decides what is a self-statement
and writes it in the third person). A turn holds few things worth keeping: statements that state an attribute are
always kept, and the most informative others up to `max_per_turn`; the rest is small talk around them.

A statement that states an attribute carries its key (attributes.py), so that a later value closes it. With the
current facts related to these pages (`related`), a value said again confirms its fact (`keep`) instead of replacing
it, and a name said with an ending ("Miso passed away", "I rehomed Miso") closes the fact that named it. A statement
of change ("I switched to matcha in the mornings", "I quit espresso", changes.py) is read against the facts it may
contrast with (contrast.py): the new value takes the attribute of the fact it replaces, which closes; a value given
up closes the fact holding it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..models import Fact, KnowledgeKind, Page
from ..textutil import STOPWORDS, sentences
from ..tiers.habits import tells_change
from ..tiers.present_states import marked_now
from .attribute_reader import AttributeReader, Reading
from .attributes import Attribute, find_attributes, key_for, statement_for
from .changes import Change, find_change
from .contrast import Embed, contrasted, multi_valued
from .current_state import states_current
from .details import detail, with_detail
from .echo import echoes
from .references import Context, resolve
from .reported_speech import own_words
from .results import FactOut
from .stale_slots import marked_operations, marks_change, slot_of, stale_operations
from .statements import (
    candidate_statements,
    fact_text,
    first_person,
    implied_speaker,
    informative_words,
    is_specific,
    later_clause_head,
    promise_text,
    promises,
    read_side,
)
from .turn_endings import turn_endings

SUBJECTS: dict[KnowledgeKind, str] = {"user": "User", "assistant": "Assistant"}
MAX_FACTS_PER_TURN = 1
_ATTRIBUTE_BONUS = 3  # an attribute outweighs a few extra content words when choosing what a turn said
# what ends a pet or a relationship, with the name it ends
_ENDING_RE = re.compile(
    r"\b(?P<a>[A-Z][a-z]+),?\s+(?:(?:sadly|finally|recently)\s+)?(?:passed away|died|ran away|is gone|was gone|"
    r"was put down|left me)\b|\b(?:rehomed|gave away|lost|put down|said goodbye to|broke up with|split from|"
    r"divorced|left)\s+(?P<b>[A-Z][a-z]+)\b"
)
_ENDING_KEYS = ("pet", "relationship", "partner")
_ONLY_PET_RE = re.compile(r"\b(?:only|one and only)\s+(?:pet|animal)\b", re.IGNORECASE)
# tastes and pastimes said in passing next to a weightier attribute get no fact of their own
_NO_SECOND_FACT = frozenset({"likes", "hobby", "goal", "habit", "favorite"})
# a change told as an event, then what holds now ("We had to put Tofu down. Now there's a ferret called Gus"): the
# statement after one about a thing memory holds as the speaker's, marked as holding now, is a fact of its own
NEW_AFTER_EVENT = True
# "The aquarium is gone; I keep hens now": a later clause with the speaker as subject is theirs when the clause
# before names a thing memory holds as theirs (as statements.py reads it after "my ...")
HELD_TOPIC_CLAUSE = True
# a statement marked as holding now ("now", "these days", "instead") that names a held thing is not that thing said
# again (a confirmation) but news of its own
CHANGE_IS_NO_CONFIRMATION = True
_HELD_WORD_MIN = 4  # a held thing is named by a content word of at least this length ("ferry", "Tofu", "aquarium")


@dataclass(frozen=True)
class Extracted:
    """One fact operation and what it came from (the profile builder reads the attributes)."""

    kind: KnowledgeKind
    out: FactOut
    sentence: str  # the statement as said (cleaned, first person)
    attributes: tuple[Attribute, ...]
    timestamp: float
    value: str = ""  # the value the operation's attribute takes, when the attribute reader read it


def speaker_names(pages: Sequence[Page]) -> tuple[list[str], list[str]]:
    """The names the two sides are labelled with in these pages ("Caroline: ..."), user side first."""
    users: list[str] = []
    assistants: list[str] = []
    for page in pages:
        for text, names in ((page.user_input, users), (page.agent_response, assistants)):
            name = read_side(text).name
            if name and name not in names:
                names.append(name)
    return users, assistants


def _names_value(fact: Fact, attribute: Attribute) -> bool:
    """The stored fact says the same value (every word of it, case aside) with the same polarity."""
    words = re.findall(r"\w+", attribute.value.lower().replace("not ", "", 1))
    text = fact.said.lower()
    negated = bool(re.search(r"\b(?:no longer|not|never|n't|gave up|quit|stopped)\b", text))
    return (
        bool(words)
        and all(re.search(r"\b" + re.escape(w) + r"\b", text) for w in words)
        and (negated == attribute.negated)
    )


_NAME_RE = re.compile(r"\b[A-Z][\w'’-]+|\b\d+\b")
_MENTION_EXTRA_WORDS = 3  # a mention says little else; a statement with more to say is a fact of its own


def _mentioned_fact(kind: KnowledgeKind, sentence: str, related: Sequence[Fact]) -> Fact | None:
    """A current attributed fact whose names (or numbers) this statement repeats while saying little else."""
    words = set(informative_words(sentence))
    said = {w.lower() for w in _NAME_RE.findall(sentence)}
    for fact in related:
        if fact.kind != kind or not fact.attribute:
            continue
        names = {w.lower() for w in _NAME_RE.findall(fact.said)} - {SUBJECTS[kind].lower(), "user's", "assistant's"}
        shared = names & said
        if shared and len(words - shared) <= _MENTION_EXTRA_WORDS:
            return fact
    return None


def _operation(
    kind: KnowledgeKind,
    sentence: str,
    attrs: tuple[Attribute, ...],
    index: int,
    page: Page,
    related: Sequence[Fact],
    ends: Sequence[Fact] = (),
    context: Context | None = None,
    extra: tuple[str, bool] | None = None,
) -> tuple[list[FactOut], tuple[Attribute, ...]]:
    """The operations a statement makes, and the attributes that end with it (for the profile). `ends`: facts the
    statement says are over (a change's contrasted fact); `context`: what was said before it, which completes what
    the fact's text points at (references.py); `extra`: the detail its turn gives a vague statement (details.py),
    which the fact's text says and the rules do not read (the statement alone is Fact.statement)."""
    subject = SUBJECTS[kind]
    told = resolve(sentence, context) if context is not None else sentence
    text = fact_text(with_detail(told, extra), subject, page.timestamp)
    # with a detail, the statement alone is what the fact is embedded and compared by (Fact.statement)
    statement = fact_text(told, subject, page.timestamp) if extra is not None else None
    said = own_words(sentence)  # what the rules read: the speaker's own words, not those they report
    outs: list[FactOut] = []
    ended: list[Attribute] = []
    if not attrs:
        mentioned = _mentioned_fact(kind, said, related)
        if mentioned is not None and not (CHANGE_IS_NO_CONFIRMATION and _holds_now(said)):
            # "Washed the Fiat Panda today": the car fact, said again, not a new fact
            outs.append(FactOut(text=text, page_indices=[index], op="keep", target=mentioned.id))
        else:
            outs.append(FactOut(text=text, page_indices=[index], statement=statement))
    for n, attribute in enumerate(attrs):
        if n and attribute.key.split(":")[0] in _NO_SECOND_FACT:
            continue
        said_before = next(
            (f for f in related if f.kind == kind and f.attribute == attribute.key and _names_value(f, attribute)),
            None,
        )
        # the sentence stands for its first attribute; others get their normalized statement as a fact of their own
        body = text if n == 0 else fact_text(attribute.statement, subject, page.timestamp)
        stated = statement if n == 0 else None
        if said_before is not None:
            outs.append(FactOut(text=body, page_indices=[index], attribute=attribute.key, op="keep",
                                target=said_before.id))  # fmt: skip
        else:
            outs.append(FactOut(text=body, page_indices=[index], attribute=attribute.key, statement=stated))
    for fact in ends:
        outs.append(FactOut(text=text, page_indices=[index], op="invalidate", target=fact.id))
        key = fact.attribute or ""
        ended.append(Attribute(key, key.partition(":")[2].replace("_", " "), (statement or text).rstrip("."), True))
    pets = [a.key for a in attrs if a.key.startswith("pet:") and not a.negated]
    if pets and _ONLY_PET_RE.search(said):  # "Juniper is the only pet at home now": the others are gone
        for fact in related:
            if fact.kind == kind and (fact.attribute or "").startswith("pet:") and fact.attribute not in pets:
                outs.append(FactOut(text=text, page_indices=[index], op="invalidate", target=fact.id))
    for m in _ENDING_RE.finditer(said):
        name = (m.group("a") or m.group("b")).lower()
        for fact in related:
            if (
                fact.kind == kind
                and fact.attribute
                and fact.attribute.split(":")[0] in _ENDING_KEYS
                and re.search(r"\b" + re.escape(name) + r"\b", fact.said.lower())
            ):
                outs.append(FactOut(text=text, page_indices=[index], op="invalidate", target=fact.id))
                ended.append(_ended(fact, name.title(), subject))
    return outs, tuple(ended)


def _ended(fact: Fact, name: str, subject: str) -> Attribute:
    """What the profile says once a named pet or partner is gone (the key of the fact it closes)."""
    key = fact.attribute or ""
    category, _, kind = key.partition(":")
    if category == "pet":
        shown = kind.split(":")[0].replace("_", " ")
        return Attribute(
            key, name, f"{subject} no longer has {'an' if shown[:1] in 'aeiou' else 'a'} {shown} ({name})", True
        )
    return Attribute(key, name, f"{subject} is no longer with {name}", True)


def _read_change(
    kind: KnowledgeKind,
    sentence: str,
    attrs: tuple[Attribute, ...],
    at: float,
    related: Sequence[Fact],
    embed: Embed | None,
) -> tuple[tuple[Attribute, ...], list[Fact]]:
    """A statement's attributes and the facts it ends, once a change it states is read against `related`.

    The new value of a change with no attribute of its own takes the contrasted fact's (its category's, for a
    multi-valued one); a statement that has its own attribute ends the contrasted fact when the two are values of
    one multi-valued category ("I joined a rowing club and stopped the old sport") or when it names what it gave up.
    """
    change = find_change(first_person(sentence))
    if change is None:
        return attrs, []
    subject = SUBJECTS[kind]
    if change.new is None and change.category and attrs and not attrs[0].negated:
        change = replace(change, new=attrs[0].value, generic=True)  # "my new favourite dish is X": X is new
    vector = None
    if embed is not None and change.new and not change.old:
        raw = np.asarray(embed([fact_text(sentence, subject, at)])[0], dtype=np.float32)
        vector = raw / (float(np.linalg.norm(raw)) or 1.0)
    contrast = contrasted(kind, change, first_person(sentence), related, vector, embed)
    if contrast is None or not contrast.fact.attribute:
        return attrs, []
    key = contrast.fact.attribute
    if attrs:
        own = attrs[0].key
        if own == key:
            return attrs, []  # the planner closes it: one value per key
        if contrast.how == "named" and attrs[0].negated:
            # "I stopped playing tennis" (hobby:playing_tennis) ends the fact that holds tennis: it is that key
            return (replace(attrs[0], key=key), *attrs[1:]), []
        same_category = own.split(":")[0] == key.split(":")[0]
        if contrast.closes and ((multi_valued(key) and same_category) or contrast.how != "alike"):
            return attrs, [contrast.fact]
        return attrs, []
    if not change.new:
        # only given up ("I quit espresso"); a category alone ("my new favourite snack") ends nothing
        return attrs, [contrast.fact] if change.ended else []
    closes = multi_valued(key) and contrast.closes
    return _inferred(change, key, subject, sentence, at), [contrast.fact] if closes else []


def _inferred(change: Change, key: str, subject: str, sentence: str, at: float) -> tuple[Attribute, ...]:
    value = change.new or ""
    new_key = key_for(key.split(":")[0], value) if multi_valued(key) else key
    statement = statement_for(new_key, value, subject) or fact_text(sentence, subject, at).rstrip(".")
    return (Attribute(new_key, value, statement),)


def page_facts(
    pages: Sequence[Page],
    related: Sequence[Fact] = (),
    max_per_turn: int = MAX_FACTS_PER_TURN,
    embed: Embed | None = None,
    reader: AttributeReader | None = None,
    before: Sequence[Page] = (),
) -> list[Extracted]:
    """Fact operations from every side of every page, in page order; page_indices name the page. `embed` (the
    memory's embedder) lets a change find the fact it contrasts with by meaning, not only by name; `reader` reads
    by meaning the attributes of the statements the rules leave unread (attribute_reader.py); `before`: pages
    outside the batch that its pages continue (what a statement may refer to)."""
    continued = {p.id: p for p in before}
    users, assistants = speaker_names(pages)
    found: list[Extracted] = []
    sides: tuple[tuple[KnowledgeKind, list[str], list[str]], ...] = (
        ("user", users, assistants),
        ("assistant", assistants, users),
    )
    readings = _read_by_meaning(pages, sides, related, reader)
    held = {kind: _held_words(kind, related) for kind in SUBJECTS}
    for index, page in enumerate(pages):
        for kind, own, other in sides:
            side = read_side(page.user_input if kind == "user" else page.agent_response)
            previous = _previous(pages, index, continued)
            other_said = _other_before(page, previous, kind)
            own_said = _own_before(previous, kind)
            statements = candidate_statements(side.text, own, other)
            if HELD_TOPIC_CLAUSE:
                statements = [(s, subject or _held_topic(s, held[kind])) for s, subject in statements]
            # the turn (or the speaker's turn just before) told of a thing memory holds as theirs: what follows,
            # marked as holding now, is the new state
            event = NEW_AFTER_EVENT and _names_held(own_said, held[kind])
            # statements that are facts of their own whatever is chosen: never another's detail
            keyed = tuple(
                s for s, _ in statements
                if (kind, s) in readings or find_attributes(first_person(own_words(s)), SUBJECTS[kind])
            )  # fmt: skip
            candidates = []
            followers: set[int] = set()
            for order, (sentence, subject) in enumerate(statements):
                context = Context(_earlier(side.text, sentence), other_said, own_said)
                if implied_speaker(sentence) and echoes(sentence, other_said):
                    continue  # "Adopted a cat named Miso!" after the other said so: their news, repeated back
                said = own_words(sentence)  # others' words the speaker reports tell nothing of the speaker
                attrs = tuple(find_attributes(first_person(said), SUBJECTS[kind]))
                attrs, ends = _read_change(kind, said, attrs, page.timestamp, related, embed)
                full = _told(sentence, context)
                told_change = tells_change(fact_text(full, "User", 0.0))
                names_held = NEW_AFTER_EVENT and _names_held(said, held[kind])
                # after the event, or in the same sentence as a held thing ("The divorce from Mark came through,
                # so it's just me and the kids now")
                if (event or names_held) and _new_state(said, full, page.timestamp, told_change):
                    followers.add(order)
                # an event: a held thing named, a fact ended, a change told ("Tobias and I broke up")
                event = event or bool(NEW_AFTER_EVENT and (ends or names_held or marks_change(said)))
                reading = readings.get((kind, sentence)) if not (attrs or ends) else None
                plan = any(a.key.startswith("plan:") for a in attrs)  # a trip is a plan by nature
                if not plan:  # a wish, a question, a memory: no value that replaces one, nothing ended
                    now = tuple(a for a in attrs if not _changes(a) or _current(said, page.timestamp, a))
                    if len(now) < len(attrs) or not _current(said, page.timestamp, attrs[0] if attrs else None):
                        ends = []
                    attrs = now
                if reading is not None:
                    extra = detail(sentence, side.text, own, other, keyed)
                    outs = _reading_operation(kind, sentence, reading, index, page, context, extra)
                    for out in outs:  # the profile keeps to what the rules read (lines it can state plainly)
                        value = reading.attribute.value if out.attribute == reading.attribute.key else ""
                        found.append(Extracted(kind, out, sentence, (), page.timestamp, value))
                    continue
                # what the fact will say, with what it points at said in full ("I take it everywhere" → "I take
                # my grandfather's compass everywhere") is what makes it news or small talk
                score = len(set(informative_words(full))) + _ATTRIBUTE_BONUS * bool(attrs or ends)
                # an attribute says whose it is ("Home for me is Lisbon"); other news needs the speaker as subject,
                # or tells what they do or have now in place of something else ("the shuttle bus picks me up now",
                # "I'm teaching myself the clarinet now": habits.tells_change, read on the fact's text)
                if attrs or ends or (subject and is_specific(full)) or told_change or order in followers:
                    candidates.append((order, sentence, attrs, score, ends, context))
            chosen = [c for c in candidates if c[2] or c[4] or c[0] in followers]
            rest = sorted((c for c in candidates if not (c[2] or c[4] or c[0] in followers)), key=lambda c: -c[3])
            chosen += rest[: max(0, max_per_turn - sum(c[0] not in followers for c in chosen))]
            # a follower is a fact of its own and still the detail of the event before it ("Biscuit died in
            # February. A greyhound called Pepper lives with us now": the ending says what came after it)
            taken = (*keyed, *(c[1] for c in chosen if c[0] not in followers))
            for _order, sentence, attrs, _score, ends, context in sorted(chosen, key=lambda c: c[0]):
                # a keyed fact takes its detail too: it is found and compared by its statement (Fact.statement)
                extra = detail(sentence, side.text, own, other, taken)
                outs, ended = _operation(kind, sentence, attrs, index, page, related, ends, context, extra)
                for n, out in enumerate(outs):  # the profile reads a statement's attributes once
                    found.append(Extracted(kind, out, sentence, (attrs + ended) if n == 0 else (), page.timestamp))
            if kind == "assistant":
                for sentence in promises(side.text):
                    out = FactOut(text=promise_text(sentence, page.timestamp), page_indices=[index])
                    found.append(Extracted(kind, out, sentence, (), page.timestamp))
    if reader is not None:
        found += _stale_slots(found, related, reader)
    # what a sentence of the turn says is over, whether or not it became a fact (turn_endings.py)
    targets = {e.out.target for e in found if e.out.op in ("invalidate", "update") and e.out.target}
    kept = [(e.kind, e.sentence) for e in found if e.out.op in ("add", "update")]  # a "keep" is no fact of its own
    found += [Extracted(k, out, s, (), at) for k, out, s, at in turn_endings(pages, related, targets, kept)]
    return found


def _held_words(kind: KnowledgeKind, related: Sequence[Fact]) -> frozenset[str]:
    """What memory holds as this speaker's (their current facts' statements), by the words that name a thing: a
    noun after a determiner or a possessive ("the aquarium", "their motorbike") and a name as written ("Duke",
    kept as "@duke"), lower-cased; not a verb's inflection, not a word said in general ("family is important")."""
    words: set[str] = set()
    for fact in related:
        if fact.kind == kind:
            words.update(w for w in _things(fact.said) if len(w.lstrip("@")) >= _HELD_WORD_MIN and w != "@user")
    return frozenset(words)


_DETERMINED_RE = re.compile(
    r"\b(?:the|a|an|my|our|their|his|her|your)\s+(?P<words>[a-z][\w'’-]*(?:\s+[a-z][\w'’-]*)?)", re.IGNORECASE
)
_NAME_WORD_RE = re.compile(r"\b[A-Z][a-z][\w-]+")


def _things(text: str) -> set[str]:
    """The words a text names a thing by: the (up to two) words after a determiner or a possessive, and its
    capitalised words (as "@name"; the first word of a sentence too, which counts only when memory holds it as a
    name)."""
    found: set[str] = set()
    for m in _DETERMINED_RE.finditer(text):
        for word in m.group("words").split():
            word = re.sub(r"['’]s$", "", word.lower())
            if word not in STOPWORDS and not word.endswith(("ed", "ing", "ly")):
                found.add(word)
    for m in _NAME_WORD_RE.finditer(text):
        found.add("@" + re.sub(r"['’]s$", "", m.group(0).lower()))
    return found


def _names_held(text: str, held: frozenset[str]) -> bool:
    """The text names a held thing: a noun memory holds, after a determiner or possessive ("the aquarium is
    gone"), or a name memory holds ("Duke has been sold")."""
    if not text or not held:
        return False
    said = _things(text)
    return any(w in held or ("@" + w) in held for w in said if not w.startswith("@")) or any(
        w in held for w in said if w.startswith("@")
    )


_ENDED_RE = re.compile(r"\b(?:any\s?more|no\s+longer|used\s+to)\b", re.IGNORECASE)


def _holds_now(said: str) -> bool:
    """Marked as what holds now ("these days", "now", "instead"), not only as what ended ("I used to live in
    Halifax" is the held thing said again, in the past)."""
    return marked_now(said) and not _ENDED_RE.search(said)


def _held_topic(sentence: str, held: frozenset[str]) -> bool:
    """The speaker is the subject of a later clause, after a clause about a thing memory holds as theirs."""
    head = later_clause_head(sentence)
    return head is not None and _names_held(head, held)


# the speaker in the statement, or what is there now in place of the old ("Now there's a ferret called Gus")
_SPEAKER_OR_THERE_RE = re.compile(
    r"\b(?:I|me|my|mine|we|us|our)\b|\bI['’]|^(?:(?:so|and|now|but)\s+)*there(?:['’]s|\s+is|\s+are)\b", re.IGNORECASE
)


def _new_state(said: str, full: str, at: float, told_change: bool) -> bool:
    """A statement that says what holds now in place of something (marked so: "now", "these days", "instead"),
    in the present, of the speaker (in it, or what is there now), naming what it is (or a habit or state told as a
    change): after an event about a held thing, the new state. "The drummer plays in a jazz trio now" is someone
    else's."""
    return (
        marks_change(said)
        and bool(_SPEAKER_OR_THERE_RE.search(said))
        and states_current(said, at)
        and (told_change or (is_specific(full) and _names_something(said)))
    )


def _names_something(said: str) -> bool:
    """A name or a number: what a new state is ("Mirela", "a ferret called Gus", "the 7:40 train"), not a feeling
    ("now I'm passionate about creating a safe place")."""
    if re.search(r"\d", said):
        return True
    return any(w.lower() not in STOPWORDS and w.lower() != "now" for w in _NAME_WORD_RE.findall(said))


def _told(sentence: str, context: Context) -> str:
    """What a statement tells, in the speaker's own words, with what it points at said in full."""
    return own_words(resolve(sentence, context))


def _previous(pages: Sequence[Page], index: int, continued: dict[str, Page]) -> Page | None:
    """The page just before this one in the conversation: the batch's previous page when it is the one before (in
    sequence or by its link), else the page its link names from outside the batch."""
    page = pages[index]
    if index > 0:
        previous = pages[index - 1]
        if page.prev_page_id == previous.id or previous.seq + 1 == page.seq or previous.seq == page.seq == 0:
            return previous
    return continued.get(page.prev_page_id or "")


def _other_before(page: Page, previous: Page | None, kind: KnowledgeKind) -> str:
    """What the other party said just before this side of the page: for the assistant, the page's user input; for
    the user, the previous page's response."""
    if kind == "assistant":
        return read_side(page.user_input).text
    return read_side(previous.agent_response).text if previous is not None else ""


def _own_before(previous: Page | None, kind: KnowledgeKind) -> str:
    """This side's previous turn: the same side of the page before."""
    if previous is None:
        return ""
    return read_side(previous.user_input if kind == "user" else previous.agent_response).text


def _earlier(text: str, sentence: str) -> tuple[str, ...]:
    """The sentences of a turn said before `sentence` (one of them, cleaned), nearest first."""
    said = sentences(text)
    probe = sentence[1:].strip(" .!?")
    at = next((i for i, s in enumerate(said) if probe and probe in s), 0)
    return tuple(reversed(said[:at]))


def _stale_slots(found: Sequence[Extracted], related: Sequence[Fact], reader: AttributeReader) -> list[Extracted]:
    """Closings of the unkeyed facts that hold the old value of a slot these statements give a new value, or name
    a pet or sport they end (stale_slots.py)."""
    by_id = {f.id: f for f in related}
    taken = {e.out.target for e in found if e.out.target}
    extra: list[Extracted] = []
    for e in found:
        out = e.out
        target = by_id.get(out.target or "")
        ended = [
            by_id[x.out.target]
            for x in found
            if x.out.op == "invalidate" and x.sentence == e.sentence and x.kind == e.kind and x.out.target in by_id
        ]
        if out.op == "add" and not out.attribute:
            for op in marked_operations(e.kind, out, e.sentence, related, reader, taken):
                extra.append(Extracted(e.kind, op, e.sentence, (), e.timestamp))
            continue
        if out.op in ("add", "update") and out.attribute:
            key = out.attribute
            ended += [target] if out.op == "update" and target is not None else []
        elif out.op == "invalidate" and target is not None and slot_of(target.attribute) in ("pet", "sport"):
            key = target.attribute or ""
            if any(x.out.op in ("add", "update") and x.out.attribute and x.sentence == e.sentence for x in found):
                continue  # the statement's new value reads the slot
        else:
            continue
        said = FactOut(text=out.text, page_indices=list(out.page_indices), attribute=key)
        # the new value, where known, not the whole statement: "my last day at Northwind; Monday I start at
        # Initech" names the old employer too
        value = e.value or next((a.value for a in e.attributes if a.key == key and not a.negated), "")
        for op in stale_operations(e.kind, said, value or out.text, ended, related, reader, taken, e.sentence):
            extra.append(Extracted(e.kind, op, e.sentence, (), e.timestamp))
    return extra


def _read_by_meaning(
    pages: Sequence[Page],
    sides: tuple[tuple[KnowledgeKind, list[str], list[str]], ...],
    related: Sequence[Fact],
    reader: AttributeReader | None,
) -> dict[tuple[KnowledgeKind, str], Reading]:
    """The attribute reader's readings of every statement the rules find no attribute or change in, read in one
    batch (one embedding call for all of these pages)."""
    if reader is None:
        return {}
    unread: dict[tuple[KnowledgeKind, str], str] = {}
    for page in pages:
        for kind, own, other in sides:
            side = read_side(page.user_input if kind == "user" else page.agent_response)
            for sentence, _subject in candidate_statements(side.text, own, other):
                said = first_person(own_words(sentence))
                if not find_attributes(said, SUBJECTS[kind]):
                    unread[(kind, sentence)] = said
    keys = list(unread)
    out: dict[tuple[KnowledgeKind, str], Reading] = {}
    for kind in SUBJECTS:
        mine = [k for k in keys if k[0] == kind]
        own_facts = [f for f in related if f.kind == kind]
        for key, reading in zip(mine, reader.read([unread[k] for k in mine], own_facts, SUBJECTS[kind]), strict=True):
            if reading is not None:
                out[key] = reading
    return out


def _changes(attribute: Attribute) -> bool:
    """Whether the attribute, once learnt, may close a fact: a single value (where one lives, one's age) or an
    ending ("I quit painting"); a new value of a multi-valued attribute (another hobby) closes nothing."""
    return attribute.negated or not multi_valued(attribute.key)


def _current(sentence: str, at: float, attribute: Attribute | None) -> bool:
    """The statement asserts the attribute's value as holding now (its clause; a taste's hypothetical is a
    disposition), or, with no attribute, the whole statement asserts a present state."""
    if attribute is None:
        return states_current(sentence, at)
    return states_current(sentence, at, attribute.value, attribute.key)


def _reading_operation(
    kind: KnowledgeKind,
    sentence: str,
    reading: Reading,
    index: int,
    page: Page,
    context: Context | None = None,
    extra: tuple[str, bool] | None = None,
) -> list[FactOut]:
    """A reading as fact operations: a confirmation of the fact that said it, or a new fact with its key (which
    closes the fact holding another value of a single-valued key), and the facts it says are over. A statement
    that asserts no current state (a plan, a question, "when I was 17") changes nothing: an unkeyed fact. `extra`:
    the detail its turn gives a vague statement, for the reader (the statement alone is what the fact is matched by)."""
    told = resolve(sentence, context) if context is not None else sentence
    statement = fact_text(told, SUBJECTS[kind], page.timestamp)
    text = fact_text(with_detail(told, extra), SUBJECTS[kind], page.timestamp) if extra is not None else statement
    said = statement if extra is not None else None
    key = reading.attribute.key
    if reading.confirms is not None and CHANGE_IS_NO_CONFIRMATION and _holds_now(own_words(sentence)):
        # "Biscuit lives with my aunt these days, and we adopted a greyhound": the held thing named in a change
        # is no confirmation of it; what the statement says is news, which the rules leave unkeyed
        return [FactOut(text=text, page_indices=[index], statement=said)]
    if reading.confirms is not None:
        return [FactOut(text=text, page_indices=[index], attribute=key, op="keep", target=reading.confirms.id)]
    if _changes(reading.attribute) and not _current(own_words(sentence), page.timestamp, reading.attribute):
        return [FactOut(text=text, page_indices=[index], statement=said)]
    outs = [FactOut(text=text, page_indices=[index], attribute=key, statement=said)]
    outs += [FactOut(text=text, page_indices=[index], op="invalidate", target=f.id) for f in reading.ends]
    return outs
