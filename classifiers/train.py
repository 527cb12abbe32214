"""`duluan train`: reproduce a shipped model from data, seeded, and report held-out scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, classification_report, f1_score

from classifiers.corpora import corpus_file, vntc_split
from classifiers.model import TextClassifier, file_hash
from duluan.settings import Settings


def evaluate(model: TextClassifier, texts: list[str], labels: list[str]) -> dict[str, Any]:
    predicted = model.predict(texts)
    report = classification_report(labels, predicted, output_dict=True, zero_division=0)
    return {
        "n": len(labels),
        "accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "macro_f1": round(float(f1_score(labels, predicted, average="macro")), 4),
        "per_class_f1": {
            k: round(v["f1-score"], 4) for k, v in report.items() if isinstance(v, dict) and k in set(labels)
        },
    }


def train_topic(settings: Settings, corpus: str = "vntc10", output: Path | None = None) -> dict:
    cache = settings.data_dir / "cache"
    train = vntc_split(settings.shared_data, corpus, "train", cache)
    test = vntc_split(settings.shared_data, corpus, "test", cache)
    model = TextClassifier(task="topic").fit(train.texts, train.labels)
    metrics = {"test": {"corpus": corpus, **evaluate(model, test.texts, test.labels)}}
    hashes = {
        f"{corpus}/{split}": file_hash(corpus_file(settings.shared_data, corpus, split))
        for split in ("train", "test")
    }
    model.save(output or settings.models_dir / "topic.joblib", hashes, metrics)
    return metrics
