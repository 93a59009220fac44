"""Property-based tests: for any sequence of valid operations the memory stays consistent, and any input
either gets stored faithfully or gets a typed error."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timezone

from doubles import HashingEmbedder, ScriptedLLM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from memoryos import Memoryos, MemoryosError

_EMBEDDER = HashingEmbedder()
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200)
NONEMPTY = TEXT.filter(lambda t: t.strip() != "")


class MemoryMachine(RuleBasedStateMachine):
    """A model of what was acknowledged, checked against the store after every step."""

    @initialize(capacity=st.integers(2, 6), use_llm=st.booleans())
    def open(self, capacity: int, use_llm: bool) -> None:
        self.dir = tempfile.mkdtemp(prefix="memoryos-prop-")
        self.memo = Memoryos(user_id="prop", data_storage_path=self.dir, embedder=_EMBEDDER,
                             llm=ScriptedLLM() if use_llm else None, background_upkeep=False,
                             short_term_capacity=capacity, short_term_retain=1, mid_term_capacity=3,
                             mid_term_heat_threshold=4)
        self.pages: dict[str, tuple[str, str]] = {}

    @rule(user=TEXT, agent=NONEMPTY)
    def add(self, user: str, agent: str) -> None:
        self.pages[self.memo.add_memory(user, agent)] = (user, agent)

    @rule(query=TEXT)
    def retrieve(self, query: str) -> None:
        result = self.memo.retrieve(query)
        assert {p.page.id for p in result.pages} <= set(self.pages)
        assert {p.id for p in result.short_term} <= set(self.pages)

    @precondition(lambda self: bool(self.pages))
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        page_id = data.draw(st.sampled_from(sorted(self.pages)))
        self.memo.delete_memory(page_id)
        del self.pages[page_id]

    @rule(text=NONEMPTY)
    def add_knowledge(self, text: str) -> None:
        self.memo.add_knowledge(text)

    @invariant()
    def every_acknowledged_page_is_in_exactly_one_tier(self) -> None:
        if not hasattr(self, "memo"):
            return
        stored = self.memo.list_pages()
        assert sorted(p["id"] for p in stored) == sorted(self.pages)
        for page in stored:
            assert (page["user_input"], page["agent_response"]) == self.pages[page["id"]]
        stats = self.memo.stats()
        assert sum(stats["pages"].values()) == len(self.pages)
        assert self.memo.check(sample=None) == []

    def teardown(self) -> None:
        if hasattr(self, "memo"):
            self.memo.close()
            shutil.rmtree(self.dir, ignore_errors=True)


TestMemoryMachine = MemoryMachine.TestCase
TestMemoryMachine.settings = settings(max_examples=25, stateful_step_count=25, deadline=None,
                                      suppress_health_check=[HealthCheck.too_slow])


ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=50), st.binary(max_size=20),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.datetimes(timezones=st.just(timezone.utc)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user=ANYTHING, agent=ANYTHING, timestamp=ANYTHING, meta=ANYTHING)
def test_any_input_is_stored_faithfully_or_refused_with_a_typed_error(tmp_path_factory, user, agent, timestamp,
                                                                     meta) -> None:
    memo = _shared_memo(tmp_path_factory)
    before = len(memo.list_pages())
    try:
        page_id = memo.add_memory(user, agent, timestamp=timestamp, meta_data=meta)
    except MemoryosError:
        assert len(memo.list_pages()) == before  # refused: nothing half-written
        return
    page = memo.get_page(page_id)
    assert page["user_input"] == (user or "") and page["agent_response"] == (agent or "")
    assert page["meta_data"] == (meta or {})
    if isinstance(timestamp, datetime):
        assert page["timestamp"] == timestamp.timestamp()


_MEMOS: dict[str, Memoryos] = {}


def _shared_memo(tmp_path_factory) -> Memoryos:
    if "memo" not in _MEMOS:
        _MEMOS["memo"] = Memoryos(user_id="fuzz", data_storage_path=str(tmp_path_factory.mktemp("fuzz")),
                                  embedder=_EMBEDDER, background_upkeep=False, short_term_capacity=10_000)
    return _MEMOS["memo"]


def test_one_megabyte_is_stored_whole_and_one_more_character_is_refused(tmp_path) -> None:
    from memoryos import InputTooLarge

    memo = Memoryos(user_id="big", data_storage_path=str(tmp_path), embedder=_EMBEDDER, background_upkeep=False)
    try:
        big = ("ünïcødé " * 125_000)[:1_000_000]
        page_id = memo.add_memory(big, "ok")
        assert memo.get_page(page_id)["user_input"] == big
        try:
            memo.add_memory(big + "x", "ok")
        except InputTooLarge as exc:
            assert "max_input_chars" in str(exc)
        else:
            raise AssertionError("a text past the limit was accepted")
    finally:
        memo.close()
