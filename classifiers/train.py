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


def cohen_kappa(first: dict[str, str], second: dict[str, str]) -> float:
    from sklearn.metrics import cohen_kappa_score

    ids = sorted(set(first) & set(second))
    return round(float(cohen_kappa_score([first[i] for i in ids], [second[i] for i in ids])), 4)


def train_tone(settings: Settings, output: Path | None = None, seed: int = 13) -> dict:
    """Train on the annotated news-tone corpus; score a stratified 20 % held out."""
    from sklearn.model_selection import train_test_split

    from classifiers.tone_items import DATA, load_texts, read_labels
    from nlp.corpus import cached_segmentation

    labels = read_labels(DATA / "labels.jsonl")
    items = load_texts(settings.shared_data, set(labels))
    missing = set(labels) - set(items)
    if missing:
        raise FileNotFoundError(f"{len(missing)} annotated items are not in the shared data")
    ids = sorted(labels)
    texts = cached_segmentation([items[i].text for i in ids], settings.data_dir / "cache", "tone-items")
    y = [labels[i] for i in ids]
    train_idx, test_idx = train_test_split(range(len(ids)), test_size=0.2, stratify=y, random_state=seed)
    model = TextClassifier(task="tone").fit([texts[i] for i in train_idx], [y[i] for i in train_idx])
    metrics = {
        "test": {"split": f"stratified 20 % of {len(ids)} annotated items, seed {seed}",
                 **evaluate(model, [texts[i] for i in test_idx], [y[i] for i in test_idx])},
        "annotation": {"items": len(ids),
                       "intra_annotator_kappa": cohen_kappa(labels, read_labels(DATA / "labels_pass2.jsonl")),
                       "double_annotated": len(read_labels(DATA / "labels_pass2.jsonl"))},
    }
    hashes = {"tone/labels.jsonl": file_hash(DATA / "labels.jsonl")}
    model.save(output or settings.models_dir / "tone.joblib", hashes, metrics)
    return metrics
