"""`embedding_model_name` as a local sentence-transformers model directory, as a multilingual model is used.

No multilingual model can be downloaded here, so the test builds one of the same layout as
paraphrase-multilingual-MiniLM-L12-v2 and multilingual-e5-small (a BERT encoder, mean pooling, a WordPiece
vocabulary with CJK characters), tiny and with random weights: the path handling, both runtimes and the store's
record of the model are what is tested, not the quality of its vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from memoryos import Memoryos
from memoryos.errors import ConfigError
from memoryos.providers.embeddings import SentenceTransformerEmbedder, local_embedder
from memoryos.providers.onnx_embedder import OnnxEmbedder

DIM = 32
CHARACTERS = "猫の名前はミケです引っ越し先大阪我家叫小白고양이이름나비"


def build_model(target: Path) -> Path:
    from sentence_transformers import SentenceTransformer

    try:  # where sentence-transformers 6 keeps them
        from sentence_transformers.sentence_transformer import modules as models
    except ImportError:
        from sentence_transformers import models  # type: ignore[no-redef]
    from transformers import BertConfig, BertModel, BertTokenizerFast

    raw = target.parent / f"{target.name}-raw"
    raw.mkdir(parents=True)
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "my", "cat", "name", "is", "moving", "to", "osaka"]
    (raw / "vocab.txt").write_text("\n".join(dict.fromkeys(words + list(CHARACTERS))) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(str(raw / "vocab.txt"), tokenize_chinese_chars=True)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=DIM,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    import torch

    torch.manual_seed(0)
    BertModel(config).save_pretrained(raw)
    tokenizer.save_pretrained(raw)
    transformer = models.Transformer(str(raw), max_seq_length=64)
    pooling = models.Pooling(DIM, pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling, models.Normalize()], device="cpu").save(str(target))
    return target


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_model(tmp_path_factory.mktemp("models") / "tiny-multilingual")


def test_a_local_model_directory_runs_on_onnx_and_torch_alike(model_dir: Path, tmp_path: Path) -> None:
    texts = ["猫の名前はミケです", "我家的猫叫小白", "고양이 이름은 나비", "my cat is moving to osaka"]
    onnx = local_embedder(str(model_dir), cache_dir=tmp_path / "cache")
    torch_model = local_embedder(str(model_dir), backend="torch")
    assert isinstance(onnx, OnnxEmbedder) and isinstance(torch_model, SentenceTransformerEmbedder)
    assert onnx.dim == torch_model.dim == DIM
    a, b = onnx.embed(texts), torch_model.embed(texts)
    np.testing.assert_allclose(np.sum(a * b, axis=1), 1.0, atol=1e-4)
    assert len({tuple(np.round(v, 4)) for v in a}) == len(texts)  # CJK text is not all [UNK]


def test_a_home_relative_path_works_and_the_store_records_the_name(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    (home / "models" / model_dir.name).symlink_to(model_dir, target_is_directory=True)
    monkeypatch.setenv("HOME", str(home))
    name = f"~/models/{model_dir.name}"
    data = tmp_path / "data"
    memo = Memoryos(user_id="yui", data_storage_path=str(data), embedding_model_name=name, background_upkeep=False)
    try:
        memo.add_memory("うちの猫の名前はミケです", "かわいい名前ですね")
        memo.add_memory("来月大阪に引っ越します", "楽しみですね")
        for i in range(8):  # past short-term's 7 pages: the two above are consolidated, embedded and searched
            memo.add_memory(f"その{i}", "はい")
        memo.flush()
        assert memo.search("猫の名前は？").pages[0].page.user_input == "うちの猫の名前はミケです"
        assert memo.store.embedding_model() == (name, DIM)
    finally:
        memo.close()
    # the store answers only to the model it was built with
    other = Memoryos(user_id="yui", data_storage_path=str(data), background_upkeep=False)
    try:
        with pytest.raises(ConfigError, match="embedding model"):
            other.search("猫の名前は？")
    finally:
        other.close()


@pytest.mark.parametrize("name", ["./no-such-model", "/no/such/model", "~/no-such-model"])
def test_a_path_that_is_not_a_model_directory_is_a_clear_config_error(name: str) -> None:
    with pytest.raises(ConfigError, match="not a directory"):
        local_embedder(name)
