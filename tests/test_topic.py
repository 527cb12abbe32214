"""The topic classifier, trained on VNTC-mini train and scored on its held-out test split."""

from __future__ import annotations

from pathlib import Path

import pytest

from duluan.classifiers.corpora import vntc_split
from duluan.classifiers.model import ModelMismatch, TextClassifier
from duluan.classifiers.taxonomy import TOPICS
from duluan.classifiers.train import evaluate, review_figures


@pytest.fixture(scope="module")
def mini(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    cache = tmp_path_factory.mktemp("cache")
    return (vntc_split(shared_data, "vntc10-mini", "train", cache),
            vntc_split(shared_data, "vntc10-mini", "test", cache))


@pytest.mark.slow
def test_topic_model_scores_on_held_out_split(mini, tmp_path: Path) -> None:  # noqa: ANN001
    train, test = mini
    assert not set(train.ids) & set(test.ids)
    model = TextClassifier(task="topic").fit(train.texts, train.labels)
    metrics = evaluate(model, test.texts, test.labels)
    assert metrics["accuracy"] >= 0.85, metrics
    assert set(model.classes_) <= set(TOPICS)
    # What marking for review at each threshold would do, from the predictions' own scores.
    predictions = model.predictions(test.texts)
    for row in metrics["review"]:
        unmarked = [p.label == y for p, y in zip(predictions, test.labels, strict=True)
                    if p.score >= row["below"]]
        assert row["marked"] == pytest.approx(1 - len(unmarked) / len(test.labels), abs=0.003)
        assert row["accuracy_unmarked"] == pytest.approx(sum(unmarked) / len(unmarked), abs=0.003)
    marked = [row["marked"] for row in metrics["review"]]
    assert marked == sorted(marked) and marked[0] < marked[-1]
    assert metrics["review"][0]["accuracy_unmarked"] > metrics["review"][0]["accuracy_marked"]

    path = tmp_path / "topic.pkl.gz"
    model.save(path, {"vntc10-mini": "test"}, {"test": metrics})
    again = TextClassifier.load(path, "topic")
    assert list(again.predict(test.texts[:20])) == list(model.predict(test.texts[:20]))
    with pytest.raises(ModelMismatch):
        TextClassifier.load(path, "tone")


@pytest.mark.slow
def test_predictions_carry_probabilities(mini) -> None:  # noqa: ANN001
    train, test = mini
    model = TextClassifier(task="topic").fit(train.texts, train.labels)
    for prediction in model.predictions(test.texts[:10]):
        assert prediction.label in prediction.scores
        assert abs(sum(prediction.scores.values()) - 1) < 0.01
        assert prediction.score == max(prediction.scores.values())


@pytest.mark.slow
def test_fast_features_equal_scikit_learns(mini) -> None:  # noqa: ANN001
    """Prediction builds TF-IDF with numpy instead of the fitted vectorizers' transform; the matrix
    must be theirs, up to float summation order (a row's terms come in another order), including
    for texts with words no model knows, empty ones, and a batch read by two models whose
    vocabularies differ."""
    import numpy as np

    from duluan.classifiers.features import TokenBatch, union_transform

    train, test = mini
    first = TextClassifier(task="topic").fit(train.texts[::2], train.labels[::2])
    second = TextClassifier(task="topic").fit(train.texts[1::2], train.labels[1::2])
    texts = [*test.texts[:200], "", "xyzzy_qwerty plugh", "Hà_Nội   HÀ_NỘI hà nội", "_ __ hà__nội nội_"]
    batch = TokenBatch(texts)
    for model in (first, second, first):
        union = model.pipeline.named_steps["features"]
        expected = union.transform(texts)
        got = union_transform(union, batch, model._fast)
        assert got.shape == expected.shape
        assert (got != 0).sum() == (expected != 0).sum()  # the same terms, none lost or invented
        assert abs(got - expected).max() < 1e-6
    # Equal up to float summation order (a row's terms come in another order).
    assert np.allclose(first.predict_proba(batch), first.pipeline.predict_proba(texts), rtol=1e-6, atol=1e-9)
    # A later batch: words seen before are looked up again, new ones numbered on the way.
    later = [*test.texts[200:260], "plugh xyzzy_qwerty hà_nội_mới"]
    union = first.pipeline.named_steps["features"]
    got = union_transform(union, TokenBatch(later), first._fast)
    assert abs(got - union.transform(later)).max() < 1e-6


def test_headline_is_the_raw_first_line() -> None:
    """normalize_text joins a paragraph's lines, so the headline comes from the raw text."""
    from duluan.classifiers.features import classifier_input, headline

    raw = "\n  Giá  xăng giảm mạnh\nTừ 15 giờ chiều nay, giá xăng\ngiảm 500 đồng.\n\nĐoạn hai."
    assert headline(raw) == "Giá xăng giảm mạnh"
    assert headline("") == "" and headline("\n \n") == ""
    assert headline("Một đoạn văn dài " * 10 + "\nĐoạn hai.") == ""  # a paragraph, not a title
    assert classifier_input("Giá xăng giảm", "Giá xăng giảm mạnh") == "Giá xăng giảm Giá xăng giảm mạnh"
    assert classifier_input("", "Từ 15 giờ") == "Từ 15 giờ"


@pytest.mark.slow
def test_corpus_titles_are_the_articles_headlines(mini) -> None:  # noqa: ANN001
    train, _ = mini
    assert len(train.titles) == len(train.texts)
    assert 0.6 < sum(1 for t in train.titles if t) / len(train.titles) < 0.9  # some have no title line
    for title, text in [(t, x) for t, x in zip(train.titles, train.texts, strict=True) if t][:50]:
        # The headline only, not its first paragraph (compared by syllable: the segmenter may
        # join words across the line break).
        head, body = title.replace("_", " ").split(), text.replace("_", " ").split()
        assert head and body[:len(head)] == head and len(body) > len(head) + 5
    assert train.inputs[0] == f"{train.titles[0]} {train.texts[0]}"


def test_review_figures_count_marked_labels_and_how_often_each_side_is_right() -> None:
    import numpy as np

    scores = np.array([0.95, 0.85, 0.65, 0.55, 0.45])
    correct = np.array([True, True, False, True, False])
    low, high = review_figures(scores, correct, (0.6, 0.99))
    assert low == {"below": 0.6, "marked": 0.4, "accuracy_unmarked": 0.6667, "accuracy_marked": 0.5}
    assert high == {"below": 0.99, "marked": 1.0, "accuracy_unmarked": None, "accuracy_marked": 0.6}


def test_current_splits_are_fixed_and_share_no_title(shared_data: Path) -> None:
    from duluan.classifiers.corpora import current_topic_items, hashed_split

    items = current_topic_items(shared_data)
    splits = ("train", "validation", "test")
    corpora = ("vnnews-2024", "vnexpress-2023")
    assert {(i.corpus, i.split) for i in items} == {(c, s) for c in corpora for s in splits}
    titles = {s: {i.title.casefold() for i in items if i.split == s} for s in splits}
    assert not titles["train"] & (titles["validation"] | titles["test"])
    assert not titles["validation"] & titles["test"]
    news = [i for i in items if i.corpus == "vnnews-2024"]
    assert all(i.split == hashed_split(i.id) for i in news)
    assert 0.18 < sum(i.split == "test" for i in news) / len(news) < 0.22
    assert {i.topic for i in items} == set(TOPICS)


def test_a_glued_dateline_is_set_apart_and_a_sentence_is_not() -> None:
    from duluan.classifiers.corpora import separate_dateline

    assert separate_dateline("HÀ NỘIPhó chủ tịch nói") == "HÀ NỘI – Phó chủ tịch nói"
    assert separate_dateline("THỪA THIÊN - HUẾGiá vé") == "THỪA THIÊN - HUẾ – Giá vé"
    for kept in ("TP HCM những ngày qua nóng", "VN-Index tăng", "Ông Nam nói", "", "A"):
        assert separate_dateline(kept) == kept


def test_a_class_below_the_recall_floor_blocks_the_release() -> None:
    from duluan.classifiers.train import release_gate

    passed = release_gate({"per_class_recall": {"giao-duc": 0.96, "doi-song": 0.76}})
    assert passed == {"min_recall": 0.75, "passed": True, "below": {}}
    blocked = release_gate({"per_class_recall": {"giao-duc": 0.11, "doi-song": 0.76}})
    assert not blocked["passed"] and blocked["below"] == {"giao-duc": 0.11}


@pytest.mark.slow
def test_a_blocked_or_worse_model_is_not_shipped(mini, tmp_path: Path) -> None:  # noqa: ANN001
    from duluan.classifiers.train import keep_or_replace, release_gate

    train, test = mini
    held_out = (test.texts, test.labels)
    path = tmp_path / "topic.pkl.gz"
    good = TextClassifier(task="topic").fit(train.texts, train.labels)
    scores = evaluate(good, *held_out)
    first = keep_or_replace(good, {"test": scores, "release": release_gate(scores, floor=0.0)}, path, {},
                            held_out, 0, compare=True)
    assert first["replaced"] and path.exists() and "previous_test" not in first
    shipped = path.read_bytes()
    # Every class below an impossible floor: blocked, though it scores as well as the shipped one.
    blocked = keep_or_replace(good, {"test": scores, "release": release_gate(scores, floor=1.01)}, path, {},
                              held_out, 0, compare=True)
    assert not blocked["replaced"] and blocked["previous_test"]["macro_f1"] == scores["macro_f1"]
    # A model trained on a tenth of the data passes the gate but scores worse: kept out too.
    small = TextClassifier(task="topic").fit(train.texts[::10], train.labels[::10])
    worse = evaluate(small, *held_out)
    kept = keep_or_replace(small, {"test": worse, "release": release_gate(worse, floor=0.0)}, path, {},
                           held_out, 0, compare=True)
    assert kept["change_macro_f1"] < 0 and not kept["replaced"] and path.read_bytes() == shipped
