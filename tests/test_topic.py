"""The topic classifier, trained on VNTC-mini train and scored on its held-out test split."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.corpora import vntc_split
from classifiers.model import ModelMismatch, TextClassifier
from classifiers.taxonomy import TOPICS
from classifiers.train import evaluate


@pytest.fixture(scope="module")
def mini(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    cache = tmp_path_factory.mktemp("cache")
    return (vntc_split(shared_data, "vntc10-mini", "train", cache),
            vntc_split(shared_data, "vntc10-mini", "test", cache))


def test_topic_model_scores_on_held_out_split(mini, tmp_path: Path) -> None:  # noqa: ANN001
    train, test = mini
    assert not set(train.ids) & set(test.ids)
    model = TextClassifier(task="topic").fit(train.texts, train.labels)
    metrics = evaluate(model, test.texts, test.labels)
    assert metrics["accuracy"] >= 0.85, metrics
    assert set(model.classes_) <= set(TOPICS)

    path = tmp_path / "topic.joblib"
    model.save(path, {"vntc10-mini": "test"}, {"test": metrics})
    again = TextClassifier.load(path, "topic")
    assert list(again.predict(test.texts[:20])) == list(model.predict(test.texts[:20]))
    with pytest.raises(ModelMismatch):
        TextClassifier.load(path, "tone")


def test_predictions_carry_probabilities(mini) -> None:  # noqa: ANN001
    train, test = mini
    model = TextClassifier(task="topic").fit(train.texts, train.labels)
    for prediction in model.predictions(test.texts[:10]):
        assert prediction.label in prediction.scores
        assert abs(sum(prediction.scores.values()) - 1) < 0.01
        assert prediction.score == max(prediction.scores.values())
