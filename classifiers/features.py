"""Feature extraction shared by the topic and tone models."""

from __future__ import annotations

from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize


def words(segmented: str) -> list[str]:
    """Lower-cased segmented words ("kinh_tế")."""
    return segmented.lower().split()


def syllables(segmented: str) -> list[str]:
    """Lower-cased syllables ("kinh", "tế")."""
    return segmented.lower().replace("_", " ").split()


def syllable_bigrams(segmented: str) -> list[str]:
    """Syllable 1- and 2-grams, which survive segmentation errors and unseen compounds."""
    units = syllables(segmented)
    return units + [f"{a} {b}" for a, b in zip(units, units[1:], strict=False)]


def text_features(min_df: int = 3, max_features: int | None = 100_000) -> FeatureUnion:
    common = {"min_df": min_df, "sublinear_tf": True, "lowercase": False, "dtype": np.float32}
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer=words, max_features=max_features, **common)),
            (
                "syllables",
                TfidfVectorizer(analyzer=syllable_bigrams, max_features=max_features, **common),
            ),
        ]
    )


def drop_pruned_terms(union: FeatureUnion) -> None:
    """Forget the terms that min_df and max_features pruned: only kept for inspection,
    they would multiply the size of the saved model."""
    for _, vectorizer in union.transformer_list:
        if hasattr(vectorizer, "stop_words_"):
            vectorizer.stop_words_ = None


class _Terms:
    """Every token (word or syllable) and syllable pair that any loaded model knows, numbered
    once per process, so that a batch looks each up once however many models then read it."""

    def __init__(self) -> None:
        self.tokens: dict[str, int] = {}
        self.pairs: dict[int, int] = {}  # (first << 32) | second -> pair id
        self.pair_codes = np.zeros(0, dtype=np.int64)  # sorted, for searchsorted
        self.pair_ids = np.zeros(0, dtype=np.int64)
        self.version = 0

    def add(self, vocabulary: dict[str, int]) -> None:
        for term in vocabulary:
            first, _, second = term.partition(" ")
            a = self.tokens.setdefault(first, len(self.tokens))
            if second:
                b = self.tokens.setdefault(second, len(self.tokens))
                self.pairs.setdefault((a << 32) | b, len(self.pairs))
        codes = np.fromiter(self.pairs.keys(), dtype=np.int64, count=len(self.pairs))
        order = np.argsort(codes)
        self.pair_codes = codes[order]
        self.pair_ids = np.fromiter(self.pairs.values(), dtype=np.int64, count=len(self.pairs))[order]
        self.version += 1


_TERMS = {"words": _Terms(), "syllables": _Terms()}


class TokenBatch:
    """A batch of segmented texts, tokenised once for every model that reads it, and each token
    (and syllable pair) looked up once: map() over dict.get in C, pairs with numpy."""

    def __init__(self, segmented: list[str]) -> None:
        self.segmented = segmented
        self._cells: dict[str, tuple[int, tuple[np.ndarray, ...]]] = {}

    def _tokens(self, kind: str) -> tuple[list[str], np.ndarray]:
        # The words words() gives, or the syllables syllable_bigrams() pairs.
        split = words if kind == "words" else syllables
        lists = [split(doc) for doc in self.segmented]
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        return list(chain.from_iterable(lists)), lengths

    def cells(self, kind: str) -> tuple[np.ndarray, ...]:
        """(rows, token ids, pair rows, pair ids) of the known tokens and syllable pairs."""
        terms = _TERMS[kind]
        if kind not in self._cells or self._cells[kind][0] != terms.version:  # a model loaded since
            tokens, lengths = self._tokens(kind)
            ids = np.fromiter(map(terms.tokens.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
            rows = np.repeat(np.arange(len(lengths)), lengths)
            known = ids >= 0
            pair_rows = pair_ids = np.zeros(0, dtype=np.int64)
            if kind == "syllables" and len(terms.pair_codes):
                first, second = ids[:-1], ids[1:]
                pair = (rows[1:] == rows[:-1]) & known[:-1] & known[1:]
                codes = (first[pair] << 32) | second[pair]
                at = np.minimum(np.searchsorted(terms.pair_codes, codes), len(terms.pair_codes) - 1)
                hit = terms.pair_codes[at] == codes
                pair_rows, pair_ids = rows[:-1][pair][hit], terms.pair_ids[at[hit]]
            self._cells[kind] = (terms.version, (rows[known], ids[known], pair_rows, pair_ids))
        return self._cells[kind][1]


class FastVectorizer:
    """A fitted TfidfVectorizer over words() or syllable_bigrams(), transforming in bulk with
    numpy: scikit-learn's transform looks each token up in a Python loop, and the syllable
    bigrams it would build as strings are found here as pairs of syllable ids. The output is the
    vectorizer's own, value for value (tests/test_topic.py checks)."""

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        self.vectorizer = vectorizer
        self.kind = {"words": "words", "syllable_bigrams": "syllables"}[vectorizer.analyzer.__name__]
        terms = _TERMS[self.kind]
        terms.add(vectorizer.vocabulary_)
        # Token id / pair id -> this vocabulary's column, -1 where it has none.
        self.column = np.full(len(terms.tokens), -1, dtype=np.int64)
        self.pair_column = np.full(len(terms.pairs), -1, dtype=np.int64)
        for term, column in vectorizer.vocabulary_.items():
            first, _, second = term.partition(" ")
            if second:
                self.pair_column[terms.pairs[(terms.tokens[first] << 32) | terms.tokens[second]]] = column
            else:
                self.column[terms.tokens[first]] = column

    @staticmethod
    def _lookup(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
        # Ids that models loaded later added lie beyond this vocabulary's table.
        inside = ids < len(table)
        return np.where(inside, table[np.where(inside, ids, 0)], -1)

    def _cells(self, batch: TokenBatch) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every token occurrence this vocabulary knows."""
        rows, ids, pair_rows, pair_ids = batch.cells(self.kind)
        return (np.concatenate([rows, pair_rows]),
                np.concatenate([self._lookup(self.column, ids), self._lookup(self.pair_column, pair_ids)]))

    def transform(self, batch: TokenBatch) -> sp.csr_matrix:
        vectorizer = self.vectorizer
        rows, columns = self._cells(batch)
        known = columns >= 0
        counts = sp.coo_matrix(
            (np.ones(int(known.sum()), dtype=vectorizer.dtype), (rows[known], columns[known])),
            shape=(len(batch.segmented), len(vectorizer.vocabulary_)),
        ).tocsr()  # duplicates summed: term frequencies (column order within a row is irrelevant)
        # The fitted vectorizer's TF-IDF weighting, from its public parameters.
        if vectorizer.binary:
            counts.data[:] = 1
        if vectorizer.sublinear_tf:
            np.log(counts.data, counts.data)
            counts.data += 1
        if vectorizer.use_idf:
            counts = counts @ sp.diags(vectorizer.idf_.astype(counts.dtype, copy=False))
        return normalize(counts, norm=vectorizer.norm, copy=False) if vectorizer.norm else counts


def union_transform(union: FeatureUnion, batch: TokenBatch,
                    fast: dict[int, FastVectorizer]) -> sp.csr_matrix:
    """What `union.transform(batch.segmented)` returns, faster; `fast` keeps the prepared
    vectorizers between calls."""
    blocks = []
    for _, vectorizer in union.transformer_list:
        if id(vectorizer) not in fast:
            fast[id(vectorizer)] = FastVectorizer(vectorizer)
        blocks.append(fast[id(vectorizer)].transform(batch))
    return sp.hstack(blocks, format="csr", dtype=blocks[0].dtype)
