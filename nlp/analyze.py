"""The NLP stage: one article's text in, its derived fields out."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from nlp.normalize import fold
from nlp.segment import segment

_NUMERIC = re.compile(r"^[\d.,_%/-]+$")
_NER_TYPES = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("nlp").joinpath("data/stopwords-vi.txt").read_text("utf-8")
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip())


@dataclass
class Analysis:
    text_segmented: str
    title_folded: str
    text_folded: str
    keywords: list[str]
    entities: list[tuple[str, str]] = field(default_factory=list)  # (name, type)


def keywords(segmented: str, limit: int = 10) -> list[str]:
    """Most frequent content words, multi-syllable words first among equals."""
    stop = stopwords()
    counts = Counter(
        w.replace("_", " ")
        for w in segmented.split()
        if len(w) > 1 and not _NUMERIC.match(w) and w.lower() not in stop
    )
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], -kv[0].count(" "), kv[0]))
    return [w for w, _ in ranked[:limit]]


def entities(text: str, limit_chars: int = 3000) -> list[tuple[str, str]]:
    """Named people, organisations and places, by underthesea's NER on the lead of the text."""
    from underthesea import ner

    found: dict[str, str] = {}
    for sentence in text[:limit_chars].split("\n\n"):
        current: list[str] = []
        kind = ""
        for token, *_rest, tag in ner(sentence) + [("", "", "", "O")]:
            if tag.startswith("I-") and current and tag[2:] == kind:
                current.append(token)
                continue
            if current and kind in _NER_TYPES:
                found.setdefault(" ".join(current), _NER_TYPES[kind])
            current, kind = ([token], tag[2:]) if tag.startswith("B-") else ([], "")
    return list(found.items())


def analyze(title: str, text: str) -> Analysis:
    segmented = segment(text)
    return Analysis(
        text_segmented=segmented,
        title_folded=fold(title),
        text_folded=fold(text),
        keywords=keywords(segmented),
        entities=entities(text),
    )


def _analyze_pair(pair: tuple[str, str]) -> Analysis:
    return analyze(*pair)


def analyze_many(pairs: list[tuple[str, str]], workers: int | None = None) -> list[Analysis]:
    """Batch API: (title, text) pairs analysed across processes, models loaded once per worker."""
    import os
    from multiprocessing import get_context

    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(pairs) < 8:
        return [analyze(t, x) for t, x in pairs]
    with get_context("spawn").Pool(workers) as pool:
        return pool.map(_analyze_pair, pairs, chunksize=max(1, len(pairs) // (workers * 4)))
