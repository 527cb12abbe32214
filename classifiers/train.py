"""`duluan train`: reproduce a shipped model from data, seeded, and report held-out scores."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score

from duluan.classifiers.corpora import (
    BAOMOI,
    CURRENT,
    VNEXPRESS,
    VNNEWS,
    Split,
    baomoi_splits,
    corpus_file,
    current_splits,
    vntc_split,
)
from duluan.classifiers.features import classifier_input, headline
from duluan.classifiers.model import (
    MODEL_SUFFIX,
    PARAMS,
    ModelMismatch,
    TextClassifier,
    build_text_classifier,
    file_hash,
    vector_blocks,
)
from duluan.classifiers.taxonomy import TOPICS, VNTC_FOLD
from duluan.classifiers.word_vectors import (
    WordVectors,
    cooccurrence_vectors,
    load_table,
    quantize,
    save_table,
)
from duluan.core.normalize import normalize_text
from duluan.core.settings import Settings

# How much an item of each corpus counts. Chosen on the current corpora's validation splits
# (never their test splits): docs/models.md, "Current news".
# VNTC (2006) and Báo Mới (2016–18) are left out: any weight of either lowered both current
# validation figures. The full articles count twice as much as the title + sapo snippets.
TOPIC_WEIGHTS: dict[str, float] = {VNNEWS: 1.0, VNEXPRESS: 0.5, "vntc10": 0.0, BAOMOI: 0.0}
CURRENT_FILES = {VNNEWS: "articles", VNEXPRESS: "snippets"}

# How much a crawled article labelled by its outlet's section (`--from-crawl`) counts: as much as
# a snippet of vnexpress-2023, which is labelled the same way.
CRAWL_WEIGHT = 0.5

# A class whose recall on current news falls below this blocks a topic model's release.
RELEASE_RECALL = 0.75

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
        "per_class_recall": {
            k: round(v["recall"], 4) for k, v in report.items() if isinstance(v, dict) and k in set(labels)
        },
        "confusion": {"labels": names,  # rows: true label, columns: predicted
                      "matrix": confusion_matrix(labels, predicted, labels=names).tolist()},
        "review": review_figures(np.array([p.score for p in predictions]),
                                 np.asarray(predicted) == np.asarray(labels)),
    }


def crawled_by_section(settings: Settings) -> Labelled:
    """The crawled articles whose outlet maps their section to a topic (the outlet's
    section_topics), as labelled texts: the outlets keep labelling today's news for us."""
    from duluan.crawlers.registry import default_registry
    from duluan.crawlers.store import CrawlStore

    registry = default_registry()
    texts, labels = [], []
    if not settings.crawl_db.exists():
        return texts, labels
    store = CrawlStore(settings.crawl_db)
    try:
        for article in store.articles():
            source = registry.sources.get(article.source)
            topic = source.section_topic(article.url, article.section) if source else None
            if topic in TOPICS:
                texts.append(article.text)
                labels.append(topic)
    finally:
        store.close()
    return texts, labels


def train_topic(settings: Settings, corpus: str = "vntc10", output: Path | None = None,
                extra: Labelled | None = None, vectors: Vectors | None = None,
                crawled: Labelled | None = None, min_recall: float = RELEASE_RECALL) -> dict:
    """Current news (vnnews-2024, vnexpress-2023), VNTC's articles and Báo Mới's snippets, each
    corpus weighted (TOPIC_WEIGHTS), plus `extra` labelled texts (reviewers' corrections) and
    `crawled` ones (crawled_by_section, CRAWL_WEIGHT). Scored first on the current
    corpora's test splits, the figure that decides a release (release_gate), then on VNTC's
    de-duplicated test split and held-out snippets as secondary figures.
    `vectors` default to news_word_vectors()."""
    shared, cache = settings.shared_data, settings.data_dir / "cache"
    current = current_splits(shared, cache)
    short_train, short_test = baomoi_splits(shared, cache)
    # The choices were made on the validation splits; the shipped model learns from them too.
    parts = {c: _joined([current[c, "train"], current[c, "validation"]]) for c in CURRENT}
    parts[BAOMOI] = short_train
    if TOPIC_WEIGHTS["vntc10"]:
        parts["vntc10"] = vntc_split(shared, corpus, "train", cache)
    parts = {name: split for name, split in parts.items() if TOPIC_WEIGHTS[name] > 0}
    extra_texts, extra_labels = _segmented(extra)
    crawl_texts, crawl_labels = _segmented(crawled)
    texts = [t for split in parts.values() for t in split.inputs] + extra_texts + crawl_texts
    labels = [y for split in parts.values() for y in split.labels] + extra_labels + crawl_labels
    weights = np.concatenate([np.full(len(s.labels), TOPIC_WEIGHTS[name]) for name, s in parts.items()]
                             + [np.ones(len(extra_labels)), np.full(len(crawl_labels), CRAWL_WEIGHT)])
    word_vectors, vector_hashes = vectors or news_word_vectors(settings, corpus)
    pipeline = build_text_classifier(**PARAMS["topic"], vectors=_weighted(word_vectors, "topic"))
    model = TextClassifier(task="topic", pipeline=pipeline).fit(texts, labels, weights)
    test = _joined([current[c, "test"] for c in CURRENT])
    vntc_test = vntc_split(shared, corpus, "test", cache)
    metrics = {
        "test": {"corpus": " + ".join(f"{c} test split" for c in CURRENT),
                 **evaluate(model, test.inputs, test.labels, interval=True)},
        "test_by_corpus": {c: evaluate(model, current[c, "test"].inputs, current[c, "test"].labels)
                           for c in CURRENT},
        "vntc": {"corpus": corpus, "giao-duc counted as": VNTC_FOLD["giao-duc"],
                 **evaluate(model, vntc_test.inputs, vntc_test.labels, VNTC_FOLD)},
        "short_items": {"corpus": f"{BAOMOI}, held-out title + sapo snippets",
                        **evaluate(model, short_test.inputs, short_test.labels)},
        "training": {"items": {name: len(split.labels) for name, split in parts.items()}
                     | {"crawled": len(crawl_labels)}, "weights": TOPIC_WEIGHTS | {"crawled": CRAWL_WEIGHT}},
        "word_vectors": _vector_summary(model),
    }
    metrics["release"] = release_gate(metrics["test"], min_recall)
    files = {c: corpus_file(shared, c, f) for c, f in CURRENT_FILES.items()} | {
        f"{corpus}/{split}": corpus_file(shared, corpus, split) for split in ("train", "test")
    } | {f"{BAOMOI}/snippets": corpus_file(shared, BAOMOI, "snippets")}
    hashes = vector_hashes | {name: file_hash(path) for name, path in files.items()}
    return keep_or_replace(model, metrics, output or settings.models_dir / f"topic{MODEL_SUFFIX}", hashes,
                           (test.inputs, test.labels), len(extra_labels), compare=True)


def _joined(splits: list[Split]) -> Split:
    return Split(texts=[t for s in splits for t in s.texts], labels=[y for s in splits for y in s.labels],
                 ids=[i for s in splits for i in s.ids], titles=[t for s in splits for t in s.titles])


def release_gate(test: dict[str, Any], floor: float = RELEASE_RECALL) -> dict[str, Any]:
    """A topic model ships only if every class keeps its recall on current news at `floor` or
    above: a class users filter by must not silently vanish from their feed."""
    below = {k: v for k, v in test["per_class_recall"].items() if v < floor}
    return {"min_recall": floor, "passed": not below, "below": below}


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
                    fold: dict[str, str] | None = None, compare: bool = False) -> dict:
    """Save the retrained model unless it fails its release gate (metrics["release"]) or the
    current one scores better on the same held-out set (compared when `feedback` items were
    added, or always with `compare`)."""
    if (feedback or compare) and path.exists():
        try:
            current = evaluate(TextClassifier.load(path, model.task), *test, fold)
        except ModelMismatch:
            current = None  # built for other labels or another scikit-learn: nothing to compare
        if current is not None:
            metrics["previous_test"] = current
            metrics["change_macro_f1"] = round(metrics["test"]["macro_f1"] - current["macro_f1"], 4)
    metrics["feedback_items"] = feedback
    blocked = not metrics.get("release", {}).get("passed", True)
    metrics["replaced"] = not blocked and metrics.get("change_macro_f1", 0) >= 0
    if metrics["replaced"]:
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


# How much a DANeS item (independent annotators, another reading of tone: docs/models.md) counts
# beside one of our annotations. Chosen on validation parts of the current round's and DANeS's
# training sides: at 0.5 it gains on DANeS and costs nothing measurable on current news.
DANES_WEIGHT = 0.5


def _tone_corpus(settings: Settings) -> tuple[dict[str, str], dict[str, str], list[list[str]], set[str]]:
    """Our annotations (four older rounds, then current news) and DANeS's items: labels and model
    inputs by id, our annotation rounds, and the DANeS ids."""
    from duluan.classifiers.tone_items import (
        CURRENT_LABELS,
        DATA,
        danes_items,
        label_rounds,
        load_texts,
        read_labels,
    )
    from duluan.nlp.corpus import cached_segmentation

    current = read_labels(CURRENT_LABELS)
    labels = read_labels(DATA / "labels.jsonl") | current
    texts = {i: item.text for i, item in load_texts(settings.shared_data, set(labels)).items()}
    missing = set(labels) - set(texts)
    if missing:
        raise FileNotFoundError(f"{len(missing)} annotated items are not in the shared data")
    danes = danes_items(settings.shared_data)
    labels |= {i: tone for i, (_, tone) in danes.items()}
    texts |= {i: item.text for i, (item, _) in danes.items()}
    ids = sorted(labels)
    cache = settings.data_dir / "cache"
    segmented = cached_segmentation([texts[i] for i in ids], cache, "tone-items")
    titles = cached_segmentation([headline(texts[i]) for i in ids], cache, "tone-items-titles")
    inputs = {i: classifier_input(t, x) for i, t, x in zip(ids, titles, segmented, strict=True)}
    return labels, inputs, [*label_rounds(), sorted(current)], set(danes)


def train_tone(settings: Settings, output: Path | None = None, seed: int = 13,
               extra: Labelled | None = None,
               vectors: Vectors | None = None) -> dict:
    """Train on our annotated news-tone items, DANeS's training side (DANES_WEIGHT) and `extra`
    labelled texts (reviewers' corrections). Scored first on the held-out current-news items,
    then on the older rounds' and on DANeS's held-out items, none of which training ever sees.
    `vectors` default to news_word_vectors()."""
    from duluan.classifiers.tone_items import HELD_OUT_CURRENT, danes_side, held_out_ids

    labels, inputs, rounds, danes = _tone_corpus(settings)
    train_ids, test_ids = tone_split(rounds, labels, seed, held_out_ids() | held_out_ids(HELD_OUT_CURRENT))
    danes_train = sorted(i for i in danes if danes_side(i) == "train")
    extra_texts, extra_labels = _segmented(extra)
    word_vectors, vector_hashes = vectors or news_word_vectors(settings)
    pipeline = build_text_classifier(**PARAMS["tone"], vectors=_weighted(word_vectors, "tone"))
    fit_ids = train_ids + danes_train
    weights = np.concatenate([np.ones(len(train_ids)), np.full(len(danes_train), DANES_WEIGHT),
                              np.ones(len(extra_labels))])
    model = TextClassifier(task="tone", pipeline=pipeline).fit(
        [inputs[i] for i in fit_ids] + extra_texts, [labels[i] for i in fit_ids] + extra_labels, weights)
    metrics = _tone_metrics(model, labels, inputs, rounds, set(test_ids), danes, seed)
    metrics["word_vectors"] = _vector_summary(model)
    from duluan.classifiers.tone_items import CURRENT_LABELS, DANES, DATA

    hashes = {"tone/labels.jsonl": file_hash(DATA / "labels.jsonl"),
              "tone/labels_current.jsonl": file_hash(CURRENT_LABELS),
              str(DANES): file_hash(settings.shared_data / DANES)} | vector_hashes
    current_test = [i for i in rounds[-1] if i in set(test_ids)]
    test = ([inputs[i] for i in current_test], [labels[i] for i in current_test])
    path = output or settings.models_dir / f"tone{MODEL_SUFFIX}"
    return keep_or_replace(model, metrics, path, hashes, test, len(extra_labels))


def _tone_metrics(model: TextClassifier, labels: dict[str, str], inputs: dict[str, str],
                  rounds: list[list[str]], held_out: set[str], danes: set[str], seed: int) -> dict:
    from duluan.classifiers.tone_items import DATA, danes_side, read_labels

    def scored(ids: list[str], note: str) -> dict[str, Any]:
        return {"split": note, **evaluate(model, [inputs[i] for i in ids], [labels[i] for i in ids],
                                          interval=True)}

    older = [i for r in rounds[:-1] for i in r if i in held_out]
    pass2, pass3 = read_labels(DATA / "labels_pass2.jsonl"), read_labels(DATA / "labels_pass3.jsonl")
    reread = read_labels(DATA / "labels_round2_reread.jsonl")
    ours_on_danes = read_labels(DATA / "labels_danes.jsonl")
    return {
        "test": scored([i for i in rounds[-1] if i in held_out],
                       f"current news (2022–25): the fifth round's stratified 20 % (seed {seed}, "
                       "held_out_current.txt)"),
        "test_older": scored(older, "the older rounds (2006–18): a stratified 20 % of each, or a whole "
                                    "round kept for testing (held_out.txt)"),
        "danes": scored(sorted(i for i in danes if danes_side(i) == "test"),
                        "DANeS (2021, independent annotators): 30 % held out by a hash of the id"),
        # Each round's held-out items alone: the first round's are the same items at every retraining.
        "test_by_round": [{"items": len(r), "held_out": len(h := [i for i in r if i in held_out]),
                           **{k: v for k, v in evaluate(model, [inputs[i] for i in h],
                                                        [labels[i] for i in h], interval=True).items()
                              if k in ("accuracy", "macro_f1", "macro_f1_95")}}
                          for r in rounds],
        "annotation": {"items": sum(map(len, rounds)),
                       "intra_annotator_kappa": cohen_kappa(labels, pass2),
                       "double_annotated": len(pass2),
                       # The same annotator, first round's items labelled again sessions later.
                       "cross_session_kappa": cohen_kappa(labels, pass3),
                       "relabelled_later": len(pass3),
                       # The second round read again blind, against its labels before the two were
                       # reconciled (labels.jsonl holds the reconciled ones).
                       "second_round_reread_kappa": cohen_kappa(
                           read_labels(DATA / "labels_round2_first.jsonl"), reread),
                       "second_round_reread": len(reread),
                       "current_reread_kappa": cohen_kappa(
                           labels, read_labels(DATA / "labels_current_reread.jsonl")),
                       # Our guidelines against DANeS's annotators, on DANeS items we labelled blind.
                       "ours_against_danes_kappa": cohen_kappa(ours_on_danes, labels),
                       "ours_against_danes_items": len(ours_on_danes)},
    }
