"""Feature extraction shared by the topic and tone models."""

from __future__ import annotations

from itertools import chain, repeat
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

from duluan.core.normalize import normalize_text

if TYPE_CHECKING:  # word_vectors imports this module
    from duluan.classifiers.word_vectors import WordVectors


def words(segmented: str) -> list[str]:
    """Lower-cased segmented words ("kinh_tế")."""
    return segmented.lower().split()


def classifier_input(title_segmented: str, text_segmented: str) -> str:
    """What both models read: the headline, then the text, which begins with it again, so the
    headline's words count twice (tone: +0.006 macro-F1 in cross-validation, docs/models.md)."""
    return f"{title_segmented} {text_segmented}" if title_segmented else text_segmented


# A first line longer than this is a paragraph, not a headline: 30 % of VNTC's articles have no
# title line, while 95 % of Báo Mới's headlines have at most 29 syllables.
HEADLINE_MAX_WORDS = 30


def headline(raw: str) -> str:
    """A raw text's first non-blank line, normalised, if it is short enough to be its title (the
    corpora, tone items and reviewers' corrections put the title there); otherwise "". Taken
    before normalize_text, which joins the lines of a paragraph."""
    for line in raw.split("\n"):
        if line.strip():
            line = normalize_text(line)
            return line if len(line.split()) <= HEADLINE_MAX_WORDS else ""
    return ""


def syllables(segmented: str) -> list[str]:
    """Lower-cased syllables ("kinh", "tế")."""
    return segmented.lower().replace("_", " ").split()


def syllable_bigrams(segmented: str) -> list[str]:
    """Syllable 1- and 2-grams, which survive segmentation errors and unseen compounds."""
    units = syllables(segmented)
    return units + [f"{a} {b}" for a, b in zip(units, units[1:], strict=False)]


def text_features(min_df: int = 3, max_features: int | None = 100_000,
                  vectors: WordVectors | None = None) -> FeatureUnion:
    """TF-IDF over words and over syllable 1-2-grams, and optionally a word-vector summary."""
    common = {"min_df": min_df, "sublinear_tf": True, "lowercase": False, "dtype": np.float32}
    blocks: list[tuple[str, Any]] = [
        ("words", TfidfVectorizer(analyzer=words, max_features=max_features, **common)),
        ("syllables", TfidfVectorizer(analyzer=syllable_bigrams, max_features=max_features, **common)),
    ]
    if vectors is not None:
        blocks.append(("vectors", vectors))
    return FeatureUnion(blocks)


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
        self.opens_pair = np.zeros(0, dtype=bool)  # token id -> first of some known pair
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
        self.opens_pair = np.zeros(len(self.tokens), dtype=bool)
        self.opens_pair[self.pair_codes >> 32] = True
        self.version += 1


_TERMS = {"words": _Terms(), "syllables": _Terms()}


class _WordTable:
    """Every lower-cased word seen so far, numbered once per process, with the ids of that word and
    of its syllables in the loaded vocabularies: a batch then looks each word up once, and its
    syllables, which syllable_bigrams() reads, are gathered with numpy instead of split again."""

    LIMIT = 2_000_000  # words kept before starting afresh, so a long-running process stays bounded

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        # Per word: its id in _TERMS["words"] (-1 if none), where its syllables start in the flat
        # syllable array, and how many it has. Arrays grow by doubling; [:n] is in use.
        self.word_ids = np.zeros(1024, dtype=np.int64)
        self.starts = np.zeros(1024, dtype=np.int64)
        self.lengths = np.zeros(1024, dtype=np.int64)
        self.syllable_ids = np.zeros(4096, dtype=np.int64)
        self.n = self.n_syllables = 0
        self.versions = (-1, -1)

    @staticmethod
    def _put(array: np.ndarray, at: int, values: list[int]) -> np.ndarray:
        if at + len(values) > len(array):
            array = np.concatenate([array, np.zeros(max(len(array), len(values)), dtype=array.dtype)])
        array[at:at + len(values)] = values
        return array

    def lookup(self, tokens: list[str]) -> np.ndarray:
        """Each token's number; afterwards self.arrays describes every numbered word."""
        versions = (_TERMS["words"].version, _TERMS["syllables"].version)
        if versions != self.versions or len(self.index) > self.LIMIT:  # a model loaded since
            self.__init__()
            self.versions = versions
        ids = np.fromiter(map(self.index.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
        missing = np.flatnonzero(ids < 0)
        if len(missing):
            known_words, known_syllables = _TERMS["words"].tokens, _TERMS["syllables"].tokens
            new = list(dict.fromkeys(tokens[i] for i in missing))
            parts = [[known_syllables.get(p, -1) for p in syllables(word)] for word in new]
            lengths = [len(p) for p in parts]
            starts = (self.n_syllables + np.cumsum([0, *lengths[:-1]])).tolist()
            self.word_ids = self._put(self.word_ids, self.n, [known_words.get(w, -1) for w in new])
            self.starts = self._put(self.starts, self.n, starts)
            self.lengths = self._put(self.lengths, self.n, lengths)
            flat = list(chain.from_iterable(parts))
            self.syllable_ids = self._put(self.syllable_ids, self.n_syllables, flat)
            self.index.update(zip(new, range(self.n, self.n + len(new)), strict=True))
            self.n += len(new)
            self.n_syllables += len(flat)
            ids[missing] = np.fromiter(map(self.index.__getitem__, (tokens[i] for i in missing)),
                                       dtype=np.int64, count=len(missing))
        return ids

    @property
    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.word_ids, self.syllable_ids, self.starts, self.lengths


_WORDS = _WordTable()


class TokenBatch:
    """A batch of segmented texts, tokenised once for every model that reads it: each word is
    looked up once (map() over dict.get, in C), its syllables and syllable pairs found with numpy,
    and the term counts of every document computed once per kind of term."""

    def __init__(self, segmented: list[str]) -> None:
        self.segmented = segmented
        self._counts: dict[str, tuple[tuple[int, int], sp.csr_matrix, int]] = {}

    def _terms(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """(rows, ids) of every word and every syllable, in text order; ids are -1 where unknown."""
        lists = [words(doc) for doc in self.segmented]
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        index = _WORDS.lookup(list(chain.from_iterable(lists)))
        word_ids, syllable_ids, starts, counts = _WORDS.arrays
        rows = np.repeat(np.arange(len(lengths)), lengths)
        # Each word's syllables, laid end to end: what syllables() gives for the whole text.
        sizes = counts[index]
        offsets = np.repeat(starts[index] - (np.cumsum(sizes) - sizes), sizes)
        syllables = syllable_ids[offsets + np.arange(len(offsets))]
        return {"words": (rows, word_ids[index]), "syllables": (np.repeat(rows, sizes), syllables)}

    def counts(self, kind: str) -> tuple[sp.csr_matrix, int]:
        """How often each document holds each known term, as a matrix over this process's term ids
        (tokens first, then syllable pairs from the returned offset on); duplicates summed."""
        versions = (_TERMS["words"].version, _TERMS["syllables"].version)
        if kind not in self._counts or self._counts[kind][0] != versions:  # a model loaded since
            for name, (rows, ids) in self._terms().items():
                self._counts[name] = (versions, *self._matrix(name, rows, ids))
        return self._counts[kind][1], self._counts[kind][2]

    def _matrix(self, kind: str, rows: np.ndarray, ids: np.ndarray) -> tuple[sp.csr_matrix, int]:
        terms = _TERMS[kind]
        known = ids >= 0
        offset = len(terms.tokens)
        if kind == "syllables" and len(terms.pair_codes):
            # Only a syllable that opens some known pair needs looking up (searchsorted is the cost).
            pair = (rows[1:] == rows[:-1]) & known[:-1] & known[1:]
            pair &= terms.opens_pair[np.where(known[:-1], ids[:-1], 0)]
            codes = (ids[:-1][pair] << 32) | ids[1:][pair]
            at = np.minimum(np.searchsorted(terms.pair_codes, codes), len(terms.pair_codes) - 1)
            hit = terms.pair_codes[at] == codes
            rows = np.concatenate([rows[known], rows[:-1][pair][hit]])
            ids = np.concatenate([ids[known], offset + terms.pair_ids[at[hit]]])
            order = np.argsort(rows, kind="stable")  # two sorted runs: a linear merge
            rows, ids = rows[order], ids[order]
        else:
            rows, ids = rows[known], ids[known]
        n = len(self.segmented)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        matrix = sp.csr_matrix((np.ones(len(ids), dtype=np.float32), ids, indptr),
                               shape=(n, offset + len(terms.pairs)))
        matrix.sum_duplicates()
        return matrix, offset


class FastVectorizer:
    """A fitted TfidfVectorizer over words() or syllable_bigrams(), transforming in bulk with
    numpy: scikit-learn's transform looks each token up in a Python loop, and the syllable
    bigrams it would build as strings are found here as pairs of syllable ids. The output is the
    vectorizer's own, up to float summation order (tests/test_topic.py checks)."""

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
        self.idf = vectorizer.idf_.astype(vectorizer.dtype) if vectorizer.use_idf else None

    @staticmethod
    def _lookup(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
        # Ids that models loaded later added lie beyond this vocabulary's table; negative ones
        # belong to the other kind of term (tokens or pairs).
        if not len(table):
            return np.full(len(ids), -1, dtype=np.int64)
        inside = (ids >= 0) & (ids < len(table))
        return np.where(inside, table[np.where(inside, ids, 0)], -1)

    def transform(self, batch: TokenBatch) -> sp.csr_matrix:
        vectorizer = self.vectorizer
        counts, offset = batch.counts(self.kind)
        ids = counts.indices
        is_pair = ids >= offset
        columns = np.where(is_pair, self._lookup(self.pair_column, ids - offset),
                           self._lookup(self.column, ids))
        known = columns >= 0
        # Row boundaries after dropping the unknown terms: how many known ones precede each.
        indptr = np.concatenate([[0], np.cumsum(known)])[counts.indptr]
        data = counts.data[known].astype(vectorizer.dtype, copy=False)
        # Term ids map to columns one to one: no duplicates arise, and a row's order is irrelevant.
        columns = columns[known]
        # The fitted vectorizer's TF-IDF weighting, from its public parameters.
        if vectorizer.binary:
            data[:] = 1
        if vectorizer.sublinear_tf:
            np.log(data, data)
            data += 1
        if self.idf is not None:
            data *= self.idf[columns]
        matrix = sp.csr_matrix((data, columns, indptr), shape=(counts.shape[0], len(vectorizer.vocabulary_)))
        return normalize(matrix, norm=vectorizer.norm, copy=False) if vectorizer.norm else matrix


def union_transform(union: FeatureUnion, batch: TokenBatch,
                    fast: dict[int, FastVectorizer]) -> sp.csr_matrix:
    """What `union.transform(batch.segmented)` returns, faster; `fast` keeps the prepared
    vectorizers between calls."""
    blocks = []
    for _, block in union.transformer_list:
        # A word-vector block reads the words through its own TF-IDF, then projects them.
        vectorizer = getattr(block, "tfidf_", block)
        if id(vectorizer) not in fast:
            fast[id(vectorizer)] = FastVectorizer(vectorizer)
        matrix = fast[id(vectorizer)].transform(batch)
        blocks.append(block.project(matrix) if vectorizer is not block else matrix)
    return sp.hstack(blocks, format="csr", dtype=blocks[0].dtype)
