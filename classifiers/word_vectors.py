"""Word vectors learnt from unlabelled news, and a feature block that summarises a text with them.

The tone model learns from a few thousand annotated items, so most words that signal harm or
success (*thảm_khốc*, *đăng_quang*) are rare or absent in its training data. Vectors learnt
from the shared corpora's millions of words place such words near the ones it has seen.

The vectors are a truncated SVD of the positive pointwise mutual information between words
and their neighbours (Levy, Goldberg and Dagan, 2015): scipy and scikit-learn only,
deterministic for a seed, and about two minutes for the shared corpora's 18.8 million words once
their segmentation is cached.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.extmath import randomized_svd
from tqdm import tqdm

from duluan.classifiers.features import words


def cooccurrence_vectors(segmented: Iterable[str], vocabulary_size: int = 30_000, dim: int = 300,
                         window: int = 5, seed: int = 13, progress: str | None = None
                         ) -> tuple[list[str], np.ndarray]:
    """(words by frequency, one unit-length vector per word) from segmented texts; `progress`
    labels a progress bar on stderr.

    Neighbours count 1/distance within `window` words; the context distribution is smoothed
    with the exponent 0.75, which keeps rare contexts from dominating the PMI.
    """
    texts = [words(text) for text in segmented]
    frequency = Counter(w for text in texts for w in text)
    # Ties in frequency are broken by the word, so the vocabulary does not depend on input order.
    vocabulary = [w for w, _ in sorted(frequency.items(), key=lambda kv: (-kv[1], kv[0]))[:vocabulary_size]]
    index = {w: i for i, w in enumerate(vocabulary)}
    size = len(vocabulary)
    counts = sp.csr_matrix((size, size), dtype=np.float64)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    pending = 0

    def add_pending() -> None:
        nonlocal counts, pending
        if rows:
            block = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                                  shape=(size, size))
            counts = counts + block
            rows.clear()
            cols.clear()
            vals.clear()
        pending = 0

    for text in tqdm(texts, desc=progress, unit="doc", disable=progress is None, file=sys.stderr):
        ids = np.fromiter((index.get(w, -1) for w in text), dtype=np.int64, count=len(text))
        ids = ids[ids >= 0]  # out-of-vocabulary words are dropped, so windows close over them
        for distance in range(1, min(window, len(ids) - 1) + 1):
            left, right = ids[:-distance], ids[distance:]
            weight = np.full(len(left), 1.0 / distance)
            rows.extend((left, right))
            cols.extend((right, left))
            vals.extend((weight, weight))
            pending += 2 * len(left)
        if pending > 20_000_000:  # bounded memory on large corpora
            add_pending()
    add_pending()
    if counts.nnz == 0:
        raise ValueError("no two vocabulary words ever occur near each other: too little text")

    pairs = counts.tocoo()
    total = pairs.data.sum()
    word_mass = np.asarray(counts.sum(axis=1)).ravel() / total
    context_mass = np.asarray(counts.sum(axis=0)).ravel() ** 0.75
    context_mass /= context_mass.sum()
    pmi = np.log(pairs.data / total / word_mass[pairs.row] / context_mass[pairs.col])
    positive = pmi > 0
    ppmi = sp.csr_matrix((pmi[positive], (pairs.row[positive], pairs.col[positive])), shape=(size, size))
    dim = min(dim, size - 1)
    if progress is not None:
        print(f"{progress}: SVD of {size:,} x {size:,} PPMI ({ppmi.nnz:,} non-zero) to {dim} dimensions",
              file=sys.stderr)
    u, s, _ = randomized_svd(ppmi, dim, n_iter=5, random_state=seed)
    vectors = normalize((u * np.sqrt(s)).astype(np.float32))
    return vocabulary, vectors


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and one float scale per word: a quarter of the size, and the tone model's
    cross-validated macro-F1 moved by less than 0.001 (docs/models.md)."""
    scale = np.abs(vectors).max(axis=1, keepdims=True) / 127
    scale[scale == 0] = 1
    return np.round(vectors / scale).astype(np.int8), scale.astype(np.float32)


def table_digest(vocabulary: list[str], codes: np.ndarray, scale: np.ndarray) -> str:
    """A content hash of quantized vectors: it names their file, so two models that read the
    same vectors share one file."""
    digest = hashlib.sha256("\n".join(vocabulary).encode())
    digest.update(np.ascontiguousarray(codes).tobytes())
    digest.update(np.ascontiguousarray(scale).tobytes())
    return digest.hexdigest()[:16]


def save_table(path: Path, vocabulary: list[str], codes: np.ndarray, scale: np.ndarray) -> None:
    """An .npz with no pickled objects: the words, newline-joined UTF-8, and the int8 codes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    words_utf8 = np.frombuffer("\n".join(vocabulary).encode(), dtype=np.uint8)
    np.savez_compressed(partial, words=words_utf8, codes=codes, scale=scale)
    partial.replace(path)  # never a half-written file under the real name


@lru_cache(maxsize=8)
def _load_table(path: str, mtime_ns: int, size: int) -> dict[str, object]:
    with np.load(path, allow_pickle=False) as data:
        table: dict[str, object] = {"vocabulary": data["words"].tobytes().decode().split("\n"),
                                    "codes": data["codes"], "scale": data["scale"]}
    table["digest"] = table_digest(table["vocabulary"], table["codes"], table["scale"])  # type: ignore[arg-type]
    return table


def load_table(path: Path) -> dict[str, object]:
    """The table save_table wrote, and its table_digest, read once per process: models that
    share it share its arrays."""
    stat = path.stat()
    return _load_table(str(path), stat.st_mtime_ns, stat.st_size)


class WordVectors(TransformerMixin, BaseEstimator):
    """A text as the TF-IDF-weighted mean of its words' vectors, unit length, times `weight`.

    The vectors come quantized (`quantize`), which is how the model file keeps them. `weight`
    sets how much the block counts beside the sparse TF-IDF blocks in a linear model. `fit`
    learns the IDF over the vectors' fixed vocabulary.
    """

    def __init__(self, vocabulary: list[str] | None = None, codes: np.ndarray | None = None,
                 scale: np.ndarray | None = None, weight: float = 1.0) -> None:
        self.vocabulary = vocabulary
        self.codes = codes
        self.scale = scale
        self.weight = weight

    def fit(self, segmented: list[str], y: object = None) -> WordVectors:
        if self.vocabulary is None or self.codes is None or self.scale is None:
            raise ValueError("WordVectors needs a vocabulary and its quantized vectors")
        if len(self.vocabulary) != len(self.codes):
            raise ValueError(f"{len(self.vocabulary)} words but {len(self.codes)} vectors")
        self.tfidf_ = TfidfVectorizer(analyzer=words, vocabulary=self.vocabulary, lowercase=False,
                                      sublinear_tf=True, norm=None, dtype=np.float32).fit(segmented)
        return self

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_dense", None)  # the file keeps the int8 codes; floats are rebuilt on first use
        return state

    def project(self, tfidf: sp.csr_matrix) -> sp.csr_matrix:
        """The block for a TF-IDF matrix over the vocabulary (from tfidf_ or its fast twin)."""
        dense = self.__dict__.get("_dense")
        if dense is None:
            dense = self._dense = self.codes.astype(np.float32) * self.scale
        return sp.csr_matrix(self.weight * normalize(tfidf @ dense))

    def transform(self, segmented: list[str]) -> sp.csr_matrix:
        return self.project(self.tfidf_.transform(segmented))
