"""A text classifier as data plus fit and predict, saved with the metadata that vouches for it."""

from __future__ import annotations

import gzip
import hashlib
import json
import pickle
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from duluan.classifiers.features import (
    FastVectorizer,
    TokenBatch,
    drop_pruned_terms,
    text_features,
    union_transform,
)
from duluan.classifiers.word_vectors import WordVectors, load_table, save_table, table_digest


class ModelMismatch(RuntimeError):
    """A saved model was built by another scikit-learn or for other labels."""


# Chosen on each task's training data (validation part or cross-validation), never on its
# held-out test: the tone corpus is small, so it keeps rare words (min_df 1) and regularises
# harder. balance_all: the calibration too learns from class-balanced weights (topic: +0.7 on
# VNTC validation); otherwise only the SVM does, and probabilities follow the real frequencies
# (tone: macro-F1 0.693 against 0.670). docs/models.md has the figures.
PARAMS: dict[str, dict[str, Any]] = {"topic": {"c": 0.5, "min_df": 3, "balance_all": True},
                                     "tone": {"c": 0.25, "min_df": 1, "balance_all": False}}


def build_text_classifier(c: float = 0.5, min_df: int = 3, seed: int = 13, balance_all: bool = False,
                          vectors: WordVectors | None = None) -> Pipeline:
    """TF-IDF over segmented words and syllable n-grams (and, given `vectors`, a word-vector
    summary of the text), then a calibrated linear SVM.

    Calibration gives every prediction a probability, which drives the review threshold.
    """
    # "balanced" is computed on each class's weighted mass, so corpus weights are respected; with
    # balance_all the sample weights passed to fit carry the balance instead (TextClassifier.fit).
    svm = LinearSVC(C=c, class_weight=None if balance_all else "balanced", random_state=seed)
    return Pipeline(
        [
            ("features", text_features(min_df=min_df, vectors=vectors)),
            ("clf", CalibratedClassifierCV(svm, cv=3, method="sigmoid", ensemble=False)),
        ]
    )


def balanced_weights(labels: list[str], weights: np.ndarray) -> np.ndarray:
    """Sample weights giving every class the same total: scikit-learn's class_weight="balanced"
    when all weights are 1, and per-corpus weights kept within each class otherwise."""
    classes, index = np.unique(np.asarray(labels), return_inverse=True)
    per_class = np.bincount(index, weights=weights, minlength=len(classes))
    return weights * weights.sum() / (len(classes) * per_class[index])


@dataclass
class Prediction:
    label: str
    score: float
    scores: dict[str, float]


@dataclass
class TextClassifier(ClassifierMixin, BaseEstimator):
    """Wraps a fitted pipeline with its metadata; input is segmented text."""

    task: str = "topic"
    pipeline: Pipeline | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    _fast: dict[int, FastVectorizer] = field(default_factory=dict, init=False, repr=False, compare=False)

    def fit(self, segmented: list[str], labels: list[str],
            weights: np.ndarray | None = None) -> TextClassifier:
        """`weights` (one per text, default 1) say how much each corpus counts; classes are then
        balanced so that each carries the same total weight."""
        params = PARAMS.get(self.task, {})
        self.pipeline = self.pipeline or build_text_classifier(**params)
        weights = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=float)
        if params.get("balance_all"):
            weights = balanced_weights(labels, weights)
        self.pipeline.fit(segmented, labels, clf__sample_weight=weights)
        drop_pruned_terms(self.pipeline.named_steps["features"])
        self._fast.clear()
        return self

    @property
    def classes_(self) -> np.ndarray:
        assert self.pipeline is not None, "classifier is not fitted"
        return self.pipeline.classes_

    def _features(self, segmented: list[str] | TokenBatch) -> Any:
        assert self.pipeline is not None, "classifier is not fitted"
        batch = segmented if isinstance(segmented, TokenBatch) else TokenBatch(segmented)
        return union_transform(self.pipeline.named_steps["features"], batch, self._fast)

    def predict(self, segmented: list[str] | TokenBatch) -> np.ndarray:
        return self.pipeline.named_steps["clf"].predict(self._features(segmented))

    def predict_proba(self, segmented: list[str] | TokenBatch) -> np.ndarray:
        return self.pipeline.named_steps["clf"].predict_proba(self._features(segmented))

    def predictions(self, segmented: list[str] | TokenBatch) -> list[Prediction]:
        """Pass a TokenBatch to share one tokenisation between models that read the same texts."""
        if not len(segmented.segmented if isinstance(segmented, TokenBatch) else segmented):
            return []
        proba = self.predict_proba(segmented)
        classes = [str(c) for c in self.classes_]
        best = np.argmax(proba, axis=1).tolist()
        return [Prediction(label=classes[top], score=row[top], scores=dict(zip(classes, row, strict=True)))
                for row, top in zip(np.round(proba, 4).tolist(), best, strict=True)]

    def save(self, path: Path, data_hashes: dict[str, str], metrics: dict[str, Any]) -> None:
        """The model file keeps the pipeline; word vectors go to a file of their own beside it,
        named by their content, which every model that reads the same vectors shares."""
        path.parent.mkdir(parents=True, exist_ok=True)
        shared: dict[int, tuple[str, str]] = {}
        for block in vector_blocks(self.pipeline):
            name = f"{VECTORS_PREFIX}{table_digest(block.vocabulary, block.codes, block.scale)}.npz"
            if not (path.parent / name).exists():
                save_table(path.parent / name, block.vocabulary, block.codes, block.scale)
            shared |= {id(getattr(block, part)): (name, part) for part in ("vocabulary", "codes", "scale")}
        self.meta = {
            "task": self.task,
            "labels": [str(c) for c in self.classes_],
            "sklearn": sklearn.__version__,
            "data": data_hashes,
            "metrics": metrics,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "vectors": sorted({name for name, _ in shared.values()}),
        }
        # pickle + gzip, not joblib: joblib's pure-Python unpickler took ten times as long to load.
        with gzip.open(path, "wb", compresslevel=6) as fh:
            pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.persistent_id = lambda obj: shared.get(id(obj))  # type: ignore[method-assign]
            pickler.dump({"meta": self.meta, "pipeline": self.pipeline})
        meta_path(path).write_text(
            json.dumps(self.meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        _remove_unused_vectors(path.parent)

    @classmethod
    def load(cls, path: Path, task: str) -> TextClassifier:
        meta = read_meta(path)
        # Pickles are safe across patch releases, not across minor ones.
        if _minor(meta.get("sklearn", "")) != _minor(sklearn.__version__):
            raise ModelMismatch(
                f"{path} was trained with scikit-learn {meta.get('sklearn')}, this is "
                f"{sklearn.__version__}; retrain it with `duluan train {task}`"
            )
        if meta.get("task") != task:
            raise ModelMismatch(f"{path} is a {meta.get('task')} model, not {task}")
        missing = [name for name in meta.get("vectors", []) if not (path.parent / name).exists()]
        if missing:
            raise ModelMismatch(f"{path} reads word vectors from {', '.join(missing)}, which is not beside "
                                f"it; copy it there or retrain with `duluan train {task}`")

        def shared(pid: tuple[str, str]) -> Any:
            name, part = pid
            try:
                table = load_table(path.parent / name)
            except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
                raise ModelMismatch(f"cannot read the word vectors {path.parent / name} ({exc}); restore "
                                    f"the file or retrain with `duluan train {task}`") from exc
            if f"{VECTORS_PREFIX}{table['digest']}.npz" != name:
                raise ModelMismatch(f"{path.parent / name} does not hold the word vectors {path} was trained "
                                    f"with; restore the file or retrain with `duluan train {task}`")
            return table[part]

        with gzip.open(path, "rb") as fh:
            unpickler = pickle.Unpickler(fh)  # our own model file, shipped or trained here
            unpickler.persistent_load = shared  # type: ignore[method-assign]
            bundle = unpickler.load()
        return cls(task=task, pipeline=bundle["pipeline"], meta=bundle["meta"])


def vector_blocks(pipeline: Pipeline | None) -> list[WordVectors]:
    """The word-vector blocks among a fitted pipeline's features."""
    if pipeline is None or "features" not in pipeline.named_steps:
        return []
    return [block for _, block in pipeline.named_steps["features"].transformer_list
            if isinstance(block, WordVectors)]


def _remove_unused_vectors(folder: Path) -> None:
    """Delete vectors files that no model's metadata in `folder` names (left by retraining)."""
    used: set[str] = set()
    for meta in folder.glob("*.json"):
        try:
            used.update(json.loads(meta.read_text(encoding="utf-8")).get("vectors", []))
        except (ValueError, AttributeError):
            return  # a JSON file we do not understand: delete nothing
    for candidate in folder.glob(f"{VECTORS_PREFIX}*.npz"):
        if candidate.name not in used:
            candidate.unlink()


MODEL_SUFFIX = ".pkl.gz"
VECTORS_PREFIX = "vectors-"


def meta_path(path: Path) -> Path:
    """topic.pkl.gz -> topic.json, the readable metadata beside the model."""
    return path.with_name(path.name.split(".", 1)[0] + ".json")


def read_meta(path: Path) -> dict[str, Any]:
    """The metadata a model file's save() wrote beside it, read without unpickling the model."""
    return json.loads(meta_path(path).read_text(encoding="utf-8"))


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
