"""Loading the shipped models and labelling articles with them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from duluan.classifiers.features import TokenBatch, classifier_input
from duluan.classifiers.model import MODEL_SUFFIX, Prediction, TextClassifier, read_meta


@dataclass
class Labels:
    topic: Prediction | None
    tone: Prediction | None


class ArticleClassifier:
    """Topic and tone together; a missing model leaves its label unset rather than guessing."""

    def __init__(self, topic: TextClassifier | None, tone: TextClassifier | None) -> None:
        self.topic = topic
        self.tone = tone

    @classmethod
    def load(cls, models_dir: Path) -> ArticleClassifier:
        def one(task: str) -> TextClassifier | None:
            path = models_dir / f"{task}{MODEL_SUFFIX}"
            return TextClassifier.load(path, task) if path.exists() else None

        return cls(one("topic"), one("tone"))

    def classify_articles(self, titles: list[str], texts: list[str]) -> list[Labels]:
        """Segmented headlines and segmented texts (which begin with the headline)."""
        return self.classify([classifier_input(t, x) for t, x in zip(titles, texts, strict=True)])

    def classify(self, segmented: list[str]) -> list[Labels]:
        """Model inputs as classifier_input() builds them."""
        batch = TokenBatch(segmented)  # both models tokenise the same way: once is enough
        topics = self.topic.predictions(batch) if self.topic else [None] * len(segmented)
        tones = self.tone.predictions(batch) if self.tone else [None] * len(segmented)
        return [Labels(t, n) for t, n in zip(topics, tones, strict=True)]


def held_out_accuracy(models_dir: Path) -> dict[str, float]:
    """Each shipped model's accuracy on its held-out test set, from its metadata (no unpickling):
    what reports quote when they say how far the labels can be trusted."""
    out: dict[str, float] = {}
    for task in ("topic", "tone"):
        try:
            meta = read_meta(models_dir / f"{task}{MODEL_SUFFIX}")
            out[task] = float(meta["metrics"]["test"]["accuracy"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # no model, or metadata without a test score: say nothing rather than guess
    return out
