"""`duluan train`: reproduce a shipped model from data, seeded, and report held-out scores."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score

from duluan.classifiers.corpora import BAOMOI, baomoi_splits, corpus_file, vntc_split
from duluan.classifiers.features import classifier_input, headline
from duluan.classifiers.model import (
    MODEL_SUFFIX,
    PARAMS,
    TextClassifier,
    build_text_classifier,
    file_hash,
    vector_blocks,
)
from duluan.classifiers.taxonomy import VNTC_FOLD
from duluan.classifiers.word_vectors import (
    WordVectors,
    cooccurrence_vectors,
    load_table,
    quantize,
    save_table,
)
from duluan.core.normalize import normalize_text
from duluan.core.settings import Settings

# How much a Báo Mới snippet counts beside a VNTC article. Chosen on validation parts of both
# training sets (never their test parts): the VNTC articles keep the topics' definitions, the
# snippets bring 2016–18 vocabulary, short texts and the giao-duc class (docs/models.md).
BAOMOI_WEIGHT = 0.5

# The word vectors both models read: 30,000 words, 300 dimensions, chosen by cross-validation on
# the tone training part; and each model's weight for the block beside its TF-IDF blocks (tone:
# the same cross-validation; topic: the validation parts above). docs/models.md has the figures.
VECTOR_WORDS, VECTOR_DIM = 30_000, 300
VECTOR_WEIGHT = {"topic": 1.5, "tone": 1.25}

Vectors = tuple[WordVectors, dict[str, str]]  # word vectors and the hashes of the data they come from


def macro_f1_interval(labels: list[str], predicted: list[str], resamples: int = 1000,
                      seed: int = 0) -> list[float]:
    """95 % bootstrap interval of macro-F1: how far the figure could move on another draw of
    as many items, which matters on a test set of a few thousand."""
    # Macro-F1 as scikit-learn computes it over the true labels' classes (a prediction outside
    # them is a miss), from each resample's confusion counts: f1_score's checks took 3 ms a call.
    classes = {c: i for i, c in enumerate(sorted(set(labels)))}
    k = len(classes)
    pairs = np.array([classes[t] * (k + 1) + classes.get(q, k)
                      for t, q in zip(labels, predicted, strict=True)])
    rng = np.random.default_rng(seed)
    scores = []
    for _ in range(resamples):
        confusion = np.bincount(pairs[rng.integers(0, len(pairs), len(pairs))],
                                minlength=k * (k + 1)).reshape(k, k + 1)
        hits, support, guesses = np.diag(confusion), confusion.sum(1), confusion[:, :k].sum(0)
        both = support + guesses
        scores.append(np.mean(np.divide(2 * hits, both, out=np.zeros(k), where=both > 0)))
    return [round(float(v), 3) for v in np.percentile(scores, [2.5, 97.5])]


# Review thresholds (DULUAN_REVIEW_CONFIDENCE) at which the held-out figures say what marking
# costs and buys: how many labels get marked, and how often the unmarked and the marked are right.
REVIEW_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


def review_figures(scores: np.ndarray, correct: np.ndarray,
                   thresholds: tuple[float, ...] = REVIEW_THRESHOLDS) -> list[dict[str, float | None]]:
    """Per threshold: the share of predictions scored below it (marked for review), and the
    accuracy of the unmarked and of the marked ones (None where there are none)."""
    def share(hits: np.ndarray) -> float | None:
        return round(float(hits.mean()), 4) if len(hits) else None

    return [{"below": t, "marked": round(float(np.mean(scores < t)), 4),
             "accuracy_unmarked": share(correct[scores >= t]), "accuracy_marked": share(correct[scores < t])}
            for t in thresholds]


def evaluate(model: TextClassifier, texts: list[str], labels: list[str],
             fold: dict[str, str] | None = None, interval: bool = False) -> dict[str, Any]:
    """Scores on a held-out set; `fold` maps predicted labels the set cannot hold onto the one
    that holds them there (giao-duc is in VNTC's Chinh tri Xa hoi). `interval` adds macro-F1's
    bootstrap interval."""
    # Labels and scores as the pipeline gets them, which marks a label for review by its score.
    predictions = model.predictions(texts)
    predicted = [(fold or {}).get(p.label, p.label) for p in predictions]
    report = classification_report(labels, predicted, output_dict=True, zero_division=0)
    names = sorted(set(labels) | set(predicted))
    spread = {"macro_f1_95": macro_f1_interval(labels, predicted)} if interval else {}
    return {
        "n": len(labels),
        "accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "macro_f1": round(float(f1_score(labels, predicted, average="macro", labels=sorted(set(labels)))), 4),
        **spread,
        "per_class_f1": {
            k: round(v["f1-score"], 4) for k, v in report.items() if isinstance(v, dict) and k in set(labels)
        },
        "confusion": {"labels": names,  # rows: true label, columns: predicted
                      "matrix": confusion_matrix(labels, predicted, labels=names).tolist()},
        "review": review_figures(np.array([p.score for p in predictions]),
                                 np.asarray(predicted) == np.asarray(labels)),
    }


def train_topic(settings: Settings, corpus: str = "vntc10", output: Path | None = None,
                extra: Labelled | None = None, vectors: Vectors | None = None) -> dict:
    """VNTC's articles and Báo Mới's snippets (weighted, see BAOMOI_WEIGHT), plus `extra`
    labelled texts; scored on VNTC's de-duplicated test split and on held-out snippets.
    `vectors` default to news_word_vectors()."""
    cache = settings.data_dir / "cache"
    train = vntc_split(settings.shared_data, corpus, "train", cache)
    test = vntc_split(settings.shared_data, corpus, "test", cache)
    short_train, short_test = baomoi_splits(settings.shared_data, cache)
    extra_texts, extra_labels = _segmented(extra)
    weights = np.concatenate([np.ones(len(train.texts)), np.full(len(short_train.texts), BAOMOI_WEIGHT),
                              np.ones(len(extra_texts))])
    word_vectors, vector_hashes = vectors or news_word_vectors(settings, corpus)
    pipeline = build_text_classifier(**PARAMS["topic"], vectors=_weighted(word_vectors, "topic"))
    texts = train.inputs + short_train.inputs + extra_texts
    model = TextClassifier(task="topic", pipeline=pipeline).fit(
        texts, train.labels + short_train.labels + extra_labels, weights)
    metrics = {
        "test": {"corpus": corpus, "giao-duc counted as": VNTC_FOLD["giao-duc"],
                 **evaluate(model, test.inputs, test.labels, VNTC_FOLD)},
        "short_items": {"corpus": f"{BAOMOI}, held-out title + sapo snippets",
                        **evaluate(model, short_test.inputs, short_test.labels)},
        "training": {"vntc_articles": len(train.texts), "baomoi_snippets": len(short_train.texts),
                     "baomoi_weight": BAOMOI_WEIGHT},
        "word_vectors": _vector_summary(model),
    }
    hashes = vector_hashes | {
        f"{corpus}/{split}": file_hash(corpus_file(settings.shared_data, corpus, split))
        for split in ("train", "test")
    } | {f"{BAOMOI}/snippets": file_hash(corpus_file(settings.shared_data, BAOMOI, "snippets"))}
    return keep_or_replace(model, metrics, output or settings.models_dir / f"topic{MODEL_SUFFIX}", hashes,
                           (test.inputs, test.labels), len(extra_labels), VNTC_FOLD)


def cohen_kappa(first: dict[str, str], second: dict[str, str]) -> float:
    from sklearn.metrics import cohen_kappa_score

    ids = sorted(set(first) & set(second))
    return round(float(cohen_kappa_score([first[i] for i in ids], [second[i] for i in ids])), 4)


Labelled = tuple[list[str], list[str]]  # raw texts (title first, as Article.text) and their labels


def _segmented(extra: Labelled | None) -> Labelled:
    """Raw texts as model inputs (classifier_input)."""
    from duluan.nlp.segment import segment_many

    texts, labels = extra or ([], [])
    if not texts:
        return [], list(labels)
    titles = segment_many([headline(t) for t in texts])
    bodies = segment_many([normalize_text(t) for t in texts])
    return [classifier_input(t, x) for t, x in zip(titles, bodies, strict=True)], list(labels)


def keep_or_replace(model: TextClassifier, metrics: dict, path: Path, hashes: dict[str, str],
                    test: tuple[list[str], list[str]], feedback: int,
                    fold: dict[str, str] | None = None) -> dict:
    """Save the retrained model unless the current one scores better on the same held-out set."""
    task = model.task
    if feedback and path.exists():
        current = evaluate(TextClassifier.load(path, task), *test, fold)
        metrics["previous_test"] = current
        metrics["change_macro_f1"] = round(metrics["test"]["macro_f1"] - current["macro_f1"], 4)
        if metrics["change_macro_f1"] < 0:
            metrics["replaced"] = False  # held-out macro-F1 dropped: keep what we have
            return metrics
    metrics["feedback_items"] = feedback
    metrics["replaced"] = True
    model.save(path, hashes, metrics)
    return metrics


def tone_split(rounds: list[list[str]], labels: dict[str, str], seed: int = 13,
               held_out: set[str] | None = None) -> tuple[list[str], list[str]]:
    """Training and held-out item ids: a stratified 20 % of each annotation round held out, each
    round on its own, so that the items of earlier rounds stay on their side as the corpus grows.

    A round with items in `held_out` (tone_items.held_out_ids(), recorded when the round was
    added) keeps exactly those, which may be the whole round: correcting a label later must not
    move an item across the split, which a stratified draw on the corrected labels would do."""
    from sklearn.model_selection import train_test_split

    recorded = held_out or set()
    train: list[str] = []
    test: list[str] = []
    for ids in rounds:
        ids = sorted(ids)
        if any(i in recorded for i in ids):
            a, b = [i for i in ids if i not in recorded], [i for i in ids if i in recorded]
        else:
            a, b = train_test_split(ids, test_size=0.2, stratify=[labels[i] for i in ids], random_state=seed)
        train += a
        test += b
    return train, test


def news_word_vectors(settings: Settings, corpus: str = "vntc10") -> Vectors:
    """Word vectors learnt from the unlabelled text of VNTC's training split and Báo Mới's
    training snippets (never their held-out parts), and the hashes of that data. Learnt once
    for that data and kept in the cache: both models read the same vectors."""
    cache = settings.data_dir / "cache"
    hashes = {f"{corpus}/train": file_hash(corpus_file(settings.shared_data, corpus, "train")),
              f"{BAOMOI}/snippets": file_hash(corpus_file(settings.shared_data, BAOMOI, "snippets"))}
    key = hashlib.sha256(json.dumps([hashes, VECTOR_WORDS, VECTOR_DIM], sort_keys=True).encode()).hexdigest()
    path = cache / f"word-vectors.{key[:16]}.npz"
    if not path.exists():
        articles = vntc_split(settings.shared_data, corpus, "train", cache).texts
        snippets = baomoi_splits(settings.shared_data, cache)[0].texts
        print(f"learning word vectors from {len(articles)} articles and {len(snippets)} snippets",
              file=sys.stderr)
        vocabulary, vectors = cooccurrence_vectors(articles + snippets, VECTOR_WORDS, VECTOR_DIM,
                                                   progress="word vectors")
        save_table(path, vocabulary, *quantize(vectors))
        print(f"word vectors: {len(vocabulary):,} words x {vectors.shape[1]}, kept in {path}",
              file=sys.stderr)
    table = load_table(path)
    return WordVectors(table["vocabulary"], table["codes"], table["scale"]), hashes


def _weighted(vectors: WordVectors, task: str) -> WordVectors:
    # A block of its own (each model fits its own IDF) over the same, shared arrays.
    return WordVectors(vectors.vocabulary, vectors.codes, vectors.scale, weight=VECTOR_WEIGHT[task])


def _vector_summary(model: TextClassifier) -> dict[str, Any]:
    (block,) = vector_blocks(model.pipeline)
    return {"words": len(block.vocabulary), "dimensions": int(block.codes.shape[1]), "weight": block.weight}


def train_tone(settings: Settings, output: Path | None = None, seed: int = 13,
               extra: Labelled | None = None,
               vectors: Vectors | None = None) -> dict:
    """Train on the annotated news-tone corpus, plus `extra` labelled texts (reviewers'
    corrections); score the held-out items of each annotation round (tone_split), which the
    extra texts never join.
    `vectors` default to news_word_vectors()."""
    from duluan.classifiers.tone_items import DATA, held_out_ids, label_rounds, load_texts, read_labels
    from duluan.nlp.corpus import cached_segmentation

    labels = read_labels(DATA / "labels.jsonl")
    items = load_texts(settings.shared_data, set(labels))
    missing = set(labels) - set(items)
    if missing:
        raise FileNotFoundError(f"{len(missing)} annotated items are not in the shared data")
    ids = sorted(labels)
    cache = settings.data_dir / "cache"
    segmented = cached_segmentation([items[i].text for i in ids], cache, "tone-items")
    titles = cached_segmentation([headline(items[i].text) for i in ids], cache, "tone-items-titles")
    text_of = dict(zip(ids, (classifier_input(t, x) for t, x in zip(titles, segmented, strict=True)),
                       strict=True))
    rounds = label_rounds()
    train_ids, test_ids = tone_split(rounds, labels, seed, held_out_ids())
    extra_texts, extra_labels = _segmented(extra)
    word_vectors, vector_hashes = vectors or news_word_vectors(settings)
    pipeline = build_text_classifier(**PARAMS["tone"], vectors=_weighted(word_vectors, "tone"))
    model = TextClassifier(task="tone", pipeline=pipeline).fit([text_of[i] for i in train_ids] + extra_texts,
                                                               [labels[i] for i in train_ids] + extra_labels)
    test = ([text_of[i] for i in test_ids], [labels[i] for i in test_ids])
    held_out = set(test_ids)
    # Second readings of annotated items: each file is read once for its kappa and its size.
    pass2, pass3 = read_labels(DATA / "labels_pass2.jsonl"), read_labels(DATA / "labels_pass3.jsonl")
    reread = read_labels(DATA / "labels_round2_reread.jsonl")
    metrics = {
        "test": {"split": f"{len(test_ids)} of {len(ids)} items: a stratified 20 % of each annotation "
                          f"round (seed {seed}), or a whole round kept for testing (held_out.txt)",
                 **evaluate(model, *test, interval=True)},
        # Each round's held-out items alone: the first round's are the same items at every retraining.
        "test_by_round": [{"items": len(r), "held_out": len(h := [i for i in r if i in held_out]),
                           **{k: v for k, v in evaluate(model, [text_of[i] for i in h],
                                                        [labels[i] for i in h], interval=True).items()
                              if k in ("accuracy", "macro_f1", "macro_f1_95")}}
                          for r in rounds],
        "annotation": {"items": len(ids),
                       "intra_annotator_kappa": cohen_kappa(labels, pass2),
                       "double_annotated": len(pass2),
                       # The same annotator, first round's items labelled again sessions later.
                       "cross_session_kappa": cohen_kappa(labels, pass3),
                       "relabelled_later": len(pass3),
                       # The second round read again blind, against its labels before the two were
                       # reconciled (labels.jsonl holds the reconciled ones).
                       "second_round_reread_kappa": cohen_kappa(
                           read_labels(DATA / "labels_round2_first.jsonl"), reread),
                       "second_round_reread": len(reread)},
    }
    metrics["word_vectors"] = _vector_summary(model)
    hashes = {"tone/labels.jsonl": file_hash(DATA / "labels.jsonl")} | vector_hashes
    path = output or settings.models_dir / f"tone{MODEL_SUFFIX}"
    return keep_or_replace(model, metrics, path, hashes, test, len(extra_labels))
