"""Retrieval beyond one matching page (issue 14): facts as an index into the pages that stated them, an opt-in
second hop and MMR diversity, and the optional cross-encoder reranker (a tiny one built offline)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from memoryos import Memoryos
from memoryos.errors import ConfigError

FILLER_TOPICS = [
    "the weather forecast for the weekend",
    "a recipe for tomato soup with basil",
    "the football match on television",
    "repainting the kitchen cabinets",
    "a podcast about ancient Rome",
    "the traffic on the ring road",
    "a birthday present for a cousin",
    "the new phone's battery life",
    "a documentary about deep sea fish",
    "a broken bicycle chain",
]
# one self-statement buried in an exchange about something else: the page as a whole is about the week, its
# fact is only about the job
BURIED = (
    "What a week. The printer jammed twice, the train was late every morning, the neighbours held a party until "
    "three and the cat knocked over a vase. I work as a paramedic at the county hospital.",
    "That sounds exhausting, I hope the weekend is quieter for you.",
)


def _fill(memo: Memoryos, n: int) -> None:
    for i in range(n):
        topic = FILLER_TOPICS[i % len(FILLER_TOPICS)]
        memo.add_memory(f"Let's talk about {topic} ({i}).", f"Sure, {topic} is an interesting subject, note {i}.")


def _promote_all(memo: Memoryos) -> None:
    memo.flush()
    while memo.promote():
        pass


def test_a_fact_lifts_the_page_that_stated_it(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo()
    _fill(memo, 12)
    memo.add_memory(*BURIED)
    _fill(memo, 12)
    _promote_all(memo)
    facts = [f for f in memo.get_knowledge("user") if "paramedic" in f["text"]]
    assert facts and facts[0]["source_page_ids"], "the extractive analysis states the job, citing its page"
    source = facts[0]["source_page_ids"][0]

    lifted = memo.retrieve("What do I do for a living?", update_heat=False).pages
    assert lifted[0].page.id == source
    assert lifted[0].signals["fact"] > 0

    memo.config.fact_page_weight = 0.0
    plain = memo.retrieve("What do I do for a living?", update_heat=False).pages
    assert all("fact" not in p.signals for p in plain)
    # the page was a near tie with the filler on its own; its fact puts it clearly ahead
    assert lifted[0].score - lifted[1].score > (plain[0].score - plain[1].score) + 0.05


def test_the_second_hop_follows_the_words_of_the_first_hits(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo(hop_weight=0.5)
    _fill(memo, 20)
    memo.add_memory("My sister plays the theremin in a band.", "The theremin? That is a rare instrument!")
    memo.add_memory("We went to the Zorbatron festival in August.", "Zorbatron sounds like fun.")
    memo.add_memory("The theremin solo at Zorbatron was the highlight.", "I bet the crowd loved it.")
    _fill(memo, 10)
    memo.flush()
    result = memo.retrieve("Which instrument does my sister play?", update_heat=False)
    hopped = [p for p in result.pages if "hop" in p.signals]
    assert hopped, "pages sharing the first hits' rare words are lifted"
    assert all("instrument" not in p.page.text.lower() or "theremin" in p.page.text.lower() for p in hopped)
    assert any("Zorbatron" in p.page.text for p in hopped)


def test_diversity_keeps_near_copies_from_filling_the_top(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo()
    _fill(memo, 15)
    for day in ("Monday", "Tuesday", "Wednesday"):
        memo.add_memory(f"I visited Paris on {day}, the city was lovely.", "Paris is a lovely city to visit.")
    memo.add_memory("I also visited Lisbon, the trams were lovely.", "Lisbon is a city worth a visit.")
    _fill(memo, 10)
    memo.flush()
    plain = [p.page.user_input for p in memo.retrieve("Which cities did I visit?", update_heat=False).pages[:3]]
    memo.config.diversity_weight = 1.0
    varied = [p.page.user_input for p in memo.retrieve("Which cities did I visit?", update_heat=False).pages[:3]]
    assert sum("Paris" in t for t in plain) == 3, "without diversity the near-copies take the top three"
    assert any("Lisbon" in t for t in varied[:2])


def _tiny_cross_encoder(target: Path) -> Path:
    """A cross-encoder of the layout sentence-transformers loads (a BERT with one output), tiny and random: what
    is tested is the loading and the re-ordering, not its judgement."""
    pytest.importorskip("sentence_transformers")
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    target.mkdir(parents=True)
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "what", "my", "job", "is", "i", "work", "as", "a"]
    (target / "vocab.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(str(target / "vocab.txt"))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=512,
        num_labels=1,
    )
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target


def test_the_reranker_orders_the_best_candidates_by_its_scores(
    make_memo: Callable[..., Memoryos], tmp_path: Path
) -> None:
    model = _tiny_cross_encoder(tmp_path / "tiny-cross-encoder")
    memo = make_memo(reranker_model=str(model), reranker_candidates=8)
    _fill(memo, 20)
    memo.add_memory(*BURIED)
    memo.flush()
    result = memo.retrieve("What is my job?", max_results=5, update_heat=False)
    assert "rerank" in result.timings_ms
    scores = [p.signals["rerank"] for p in result.pages]
    assert scores == sorted(scores, reverse=True)
    from sentence_transformers import CrossEncoder

    expected = CrossEncoder(str(model), device="cpu").predict([("What is my job?", p.page.text) for p in result.pages])
    assert scores == pytest.approx([float(v) for v in expected], abs=1e-5)


def test_no_reranker_by_default(make_memo: Callable[..., Memoryos]) -> None:
    memo = make_memo()
    _fill(memo, 10)
    memo.flush()
    result = memo.retrieve("What is my job?", update_heat=False)
    assert memo.config.reranker_model is None
    assert "rerank" not in result.timings_ms and all("rerank" not in p.signals for p in result.pages)


@pytest.mark.parametrize("value", ["/no/such/reranker", "~/no-such-reranker"])
def test_a_reranker_path_that_is_no_directory_is_a_config_error(value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"reranker_model.*not a directory"):
        Memoryos(data_storage_path=str(tmp_path), reranker_model=value, background_upkeep=False)


def test_a_directory_without_a_model_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"no config\.json"):
        Memoryos(data_storage_path=str(tmp_path), reranker_model=str(tmp_path / "empty"), background_upkeep=False)
