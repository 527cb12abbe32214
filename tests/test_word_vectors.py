"""Word vectors from unlabelled news, and the feature block the tone model builds from them."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from duluan.classifiers.corpora import vntc_split
from duluan.classifiers.features import TokenBatch, union_transform
from duluan.classifiers.model import ModelMismatch, TextClassifier, build_text_classifier
from duluan.classifiers.word_vectors import WordVectors, cooccurrence_vectors, quantize, save_table


@pytest.fixture(scope="module")
def articles(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return vntc_split(shared_data, "vntc10-mini", "train", tmp_path_factory.mktemp("cache")).texts


@pytest.fixture(scope="module")
def vectors(articles: list[str]) -> tuple[list[str], np.ndarray]:
    return cooccurrence_vectors(articles, vocabulary_size=8000, dim=100)


def similarity(vectors: tuple[list[str], np.ndarray], a: str, b: str) -> float:
    vocabulary, matrix = vectors
    return float(matrix[vocabulary.index(a)] @ matrix[vocabulary.index(b)])


@pytest.mark.slow
def test_words_used_alike_get_similar_vectors(vectors) -> None:  # noqa: ANN001
    """1,000 real VNTC articles are enough for the vectors to tell sport from economy."""
    vocabulary, matrix = vectors
    assert matrix.shape == (len(vocabulary), 100) and len(vocabulary) == 8000
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1, atol=1e-4)
    # Football words sit nearer each other than near a word of the markets, and the reverse.
    assert similarity(vectors, "bóng_đá", "cầu_thủ") > similarity(vectors, "bóng_đá", "cổ_phiếu")
    assert similarity(vectors, "cổ_phiếu", "chứng_khoán") > similarity(vectors, "cổ_phiếu", "cầu_thủ")


@pytest.mark.slow
def test_vectors_are_reproducible(articles: list[str], vectors) -> None:  # noqa: ANN001
    """Seeded, and independent of the order of the texts: `duluan train tone` reproduces them."""
    vocabulary, matrix = cooccurrence_vectors(list(reversed(articles)), vocabulary_size=8000, dim=100)
    assert vocabulary == vectors[0]
    # A column of an SVD may come out with its sign flipped; the similarities may not change.
    words = [vocabulary.index(w) for w in ("bóng_đá", "cầu_thủ", "cổ_phiếu", "chứng_khoán", "bệnh_viện")]
    assert np.allclose(matrix[words] @ matrix[words].T, vectors[1][words] @ vectors[1][words].T, atol=1e-3)


def test_too_little_text_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="too little text"):
        cooccurrence_vectors(["một", "hai"])


@pytest.mark.slow
def test_quantized_vectors_stay_close(vectors) -> None:  # noqa: ANN001
    codes, scale = quantize(vectors[1])
    assert codes.dtype == np.int8 and codes.nbytes * 4 == vectors[1].nbytes
    assert np.abs(codes * scale - vectors[1]).max() <= scale.max() / 2 + 1e-7


@pytest.mark.slow
def test_vector_block_in_a_classifier(articles, vectors, shared_data: Path,  # noqa: ANN001
                                      tmp_path: Path) -> None:
    """The block joins the TF-IDF blocks; prediction's numpy path gives scikit-learn's matrix;
    and the saved model keeps only the int8 codes."""
    vocabulary, matrix = vectors
    block = WordVectors(vocabulary, *quantize(matrix), weight=1.5)
    labels = vntc_split(shared_data, "vntc10-mini", "train", tmp_path / "cache").labels
    model = TextClassifier(task="topic", pipeline=build_text_classifier(vectors=block))
    model.fit(articles[::2], labels[::2])

    union = model.pipeline.named_steps["features"]
    texts = [*articles[1:200:2], "", "xyzzy_qwerty plugh", "Bóng_đá BÓNG_ĐÁ cầu_thủ"]
    expected = union.transform(texts)
    got = union_transform(union, TokenBatch(texts), model._fast)
    assert got.shape == expected.shape == (len(texts), expected.shape[1])
    assert abs(got - expected).max() < 1e-5
    summary = block.transform(texts)
    assert summary.shape == (len(texts), 100)
    norms = np.sqrt(summary.multiply(summary).sum(axis=1)).A.ravel()
    assert np.allclose(norms[:-3], 1.5, atol=1e-4)  # unit length, times the weight
    assert norms[-3] == norms[-2] == 0  # nothing known: nothing invented
    assert np.allclose(norms[-1], 1.5, atol=1e-4)  # lower-cased like the vocabulary

    path = tmp_path / "m.pkl.gz"
    model.save(path, {}, {})
    again = TextClassifier.load(path, "topic")
    stored = again.pipeline.named_steps["features"].transformer_list[-1][1]
    assert "_dense" not in stored.__dict__ and stored.codes.dtype == np.int8
    assert list(again.predict(texts)) == list(model.predict(texts))
    # The vectors are in their own file, not in the model's.
    (shared,) = tmp_path.glob("vectors-*.npz")
    assert model.meta["vectors"] == [shared.name]
    assert stored.codes.tobytes()[:4096] not in gzip.decompress(path.read_bytes())


@pytest.mark.slow
def test_models_share_one_vectors_file(articles, vectors, shared_data: Path,  # noqa: ANN001
                                       tmp_path: Path) -> None:
    """Two models reading the same vectors save them once and load them once; a file no model
    names any more is removed; a model whose vectors file is missing, altered or unreadable is refused."""
    vocabulary, matrix = vectors
    codes, scale = quantize(matrix)
    labels = vntc_split(shared_data, "vntc10-mini", "train", tmp_path / "cache").labels
    models = tmp_path / "models"
    for task, weight in (("topic", 1.0), ("tone", 1.25)):
        block = WordVectors(vocabulary, codes, scale, weight=weight)
        TextClassifier(task=task, pipeline=build_text_classifier(vectors=block)).fit(articles, labels).save(
            models / f"{task}.pkl.gz", {}, {})
    (shared,) = models.glob("vectors-*.npz")
    topic, tone = (TextClassifier.load(models / f"{t}.pkl.gz", t) for t in ("topic", "tone"))
    blocks = [m.pipeline.named_steps["features"].transformer_list[-1][1] for m in (topic, tone)]
    assert blocks[0].codes is blocks[1].codes and blocks[0].vocabulary == vocabulary
    assert [b.weight for b in blocks] == [1.0, 1.25]

    # Retrained on other vectors, the tone model gets a file of its own; the topic model's stays.
    other = quantize(matrix[:, ::-1].copy())
    for task, weight in (("tone", 1.25), ("topic", 1.0)):
        block = WordVectors(vocabulary, *other, weight=weight)
        model = TextClassifier(task=task, pipeline=build_text_classifier(vectors=block)).fit(articles, labels)
        model.save(models / f"{task}.pkl.gz", {}, {})
        if task == "tone":
            assert len(list(models.glob("vectors-*.npz"))) == 2 and shared.exists()
    # ... and once no model names the first file, it goes.
    assert [p.name for p in models.glob("vectors-*.npz")] == model.meta["vectors"]
    assert not shared.exists()

    # Other vectors under the model's file name are refused, and so is a missing file.
    save_table(models / model.meta["vectors"][0], vocabulary, codes, scale)
    with pytest.raises(ModelMismatch, match="does not hold the word vectors"):
        TextClassifier.load(models / "tone.pkl.gz", "tone")
    (models / model.meta["vectors"][0]).write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(ModelMismatch, match="cannot read the word vectors"):
        TextClassifier.load(models / "tone.pkl.gz", "tone")
    (models / model.meta["vectors"][0]).unlink()
    with pytest.raises(ModelMismatch, match="word vectors"):
        TextClassifier.load(models / "tone.pkl.gz", "tone")
