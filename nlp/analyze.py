"""The NLP stage: one article's text in, its derived fields out."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from duluan.core.language import language_of
from duluan.core.normalize import fold
from duluan.nlp.background import background
from duluan.nlp.gazetteer import gazetteer
from duluan.nlp.names import PERSON_CUES, typed_names
from duluan.nlp.segment import segment

HEADLINE_CHARS = 200  # NER reads at most this much: a headline, not a mis-extracted body
_NUMERIC = re.compile(r"^[\d.,_%/-]+$")
_NER_TYPES = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("nlp").joinpath("data/stopwords-vi.txt").read_text("utf-8")
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip())


@dataclass
class Analysis:
    language: str  # "vi", "short" or "other"
    text_segmented: str
    title_folded: str
    text_folded: str
    keywords: list[str]
    entities: list[tuple[str, str]] = field(default_factory=list)  # (name, type)
    title_segmented: str = ""


def _candidates(segmented: str) -> Counter:
    """Content words, and adjacent content-word pairs, as lower-cased phrases."""
    stop = stopwords()
    words = [w.lower() for w in segmented.split()]
    content = [not (_NUMERIC.match(w) or w in stop or len(w) < 2) for w in words]
    counts: Counter = Counter(w for w, ok in zip(words, content, strict=True) if ok)
    for i in range(len(words) - 1):
        if content[i] and content[i + 1]:
            counts[f"{words[i]} {words[i + 1]}"] += 1
    return counts


def keywords(segmented: str, limit: int = 10, title_words: int = 0) -> list[str]:
    """TF-IDF keywords against the shipped background frequencies.

    Multi-word phrases are segmented compounds ("kinh_tế") and word pairs seen at least
    twice ("giá vàng"); a pair's rarity is that of its rarer word. Phrases of the title
    (the first `title_words` words) weigh half again as much: the headline says what
    the article is about.
    """
    bg = background()
    in_title = set(_candidates(" ".join(segmented.split()[:title_words])))
    scored = []
    for phrase, tf in _candidates(segmented).items():
        parts = phrase.split(" ")
        if len(parts) == 2 and tf < 2:
            continue
        idf = max(bg.idf(p) for p in parts)
        weight = math.log1p(tf) * idf * (1.2 if len(parts) == 2 or "_" in phrase else 1.0)
        scored.append((weight * (1.5 if phrase in in_title else 1.0), phrase))
    scored.sort(key=lambda x: (-x[0], x[1]))
    out: list[str] = []
    for _, phrase in scored:
        text = phrase.replace("_", " ")
        # Skip a word already inside a chosen phrase, and a phrase made of chosen words.
        if any(text in chosen or chosen in text for chosen in out):
            continue
        out.append(text)
        if len(out) == limit:
            break
    return out


def _ner_tokens(text: str) -> list[tuple[str, str, str]]:
    """(token, part of speech, entity tag) for each token."""
    from underthesea import ner

    return [(tok, pos, tag) for tok, pos, _chunk, tag in ner(text)]


def ner_spans(text: str) -> list[tuple[str, str]]:
    """Named people, organisations and places found by underthesea's NER.

    The model's spans are noisy ("Thủ tướng Phạm Minh Chính" tagged as a place), so a
    span is cut at punctuation; names the gazetteer knows are kept whole, otherwise only
    the proper nouns in it, typed as a person after a title such as "Thủ tướng".
    """
    found: list[tuple[str, str]] = []
    for paragraph in text.split("\n\n"):
        tokens = _ner_tokens(paragraph)
        spans: list[tuple[str, list[int]]] = []
        open_span = False
        for i, (tok, _pos, tag) in enumerate(tokens):
            if not any(c.isalnum() for c in tok):  # punctuation ends a span
                open_span = False
            elif tag.startswith("I-") and open_span and spans[-1][0] == tag[2:]:
                spans[-1][1].append(i)
            elif tag[:2] in ("B-", "I-") and tag[2:] in _NER_TYPES:
                spans.append((tag[2:], [i]))
                open_span = True
            else:
                open_span = False
        for kind, positions in spans:
            whole = " ".join(tokens[i][0] for i in positions)
            if gazetteer().lookup(whole) is not None:
                found.append((whole, kind))
                continue
            runs: list[list[int]] = []
            for i in positions:
                if tokens[i][1] != "Np":
                    continue
                if runs and runs[-1][-1] == i - 1:
                    runs[-1].append(i)
                else:
                    runs.append([i])
            for run in runs:
                name = " ".join(tokens[i][0] for i in run)
                before = tokens[run[0] - 1][0].lower().replace(" ", "_") if run[0] > 0 else ""
                found.append((name, "PER" if before in PERSON_CUES else kind))
    return found


def entities(title: str, text: str, segmented: str | None = None) -> list[tuple[str, str]]:
    """NER on the headline, cue-typed names in the whole text, the gazetteer over all.

    NER costs about 1.5 ms a word (three CRF passes with Python features), so it reads
    only the headline, which names the main actors. Places and central bodies are
    renamed to their canonical form: "TP.HCM" and "Sài Gòn" become "TP Hồ Chí Minh",
    a former province its current unit.
    """
    gaz = gazetteer()
    found: dict[str, str] = {}
    body_names = typed_names(segmented if segmented is not None else segment(text))
    headline = title[:HEADLINE_CHARS].rsplit(" ", 1)[0] if len(title) > HEADLINE_CHARS else title
    for span, kind in ner_spans(headline) + body_names:
        place = gaz.lookup(span)
        if place is not None:
            found.setdefault(place.name, place.type)
        elif len(span) > 1 and not span.isdigit():
            found.setdefault(span, kind)
    for place in gaz.find(text):
        found.setdefault(place.name, place.type)
    return list(found.items())


def analyze(title: str, text: str) -> Analysis:
    language = language_of(text)
    segmented = segment(text)
    title_segmented = segment(title) if title else ""
    return Analysis(
        language=language,
        text_segmented=segmented,
        title_folded=fold(title),
        text_folded=fold(text),
        keywords=keywords(segmented, title_words=len(title_segmented.split())) if language == "vi" else [],
        entities=entities(title, text, segmented) if language == "vi" else [],
        title_segmented=title_segmented,
    )


def _analyze_pair(pair: tuple[str, str]) -> Analysis:
    return analyze(*pair)


class BatchAnalyzer:
    """Batch API: (title, text) pairs analysed across processes.

    The worker pool lives as long as this object, so underthesea's models load once
    per worker, not once per batch. Use as a context manager.
    """

    def __init__(self, workers: int | None = None) -> None:
        import os
        from multiprocessing import get_context

        from duluan.core.processes import die_with_parent

        self.workers = workers or os.cpu_count() or 1
        self.pool = (get_context("spawn").Pool(self.workers, initializer=die_with_parent)
                     if self.workers > 1 else None)

    def __call__(self, pairs: list[tuple[str, str]]) -> list[Analysis]:
        if self.pool is None or len(pairs) < 8:
            return [analyze(t, x) for t, x in pairs]
        chunk = max(1, len(pairs) // (self.workers * 8))
        return self.pool.map(_analyze_pair, pairs, chunksize=chunk)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()

    def __enter__(self) -> BatchAnalyzer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def analyze_many(pairs: list[tuple[str, str]], workers: int | None = None) -> list[Analysis]:
    with BatchAnalyzer(workers) as run:
        return run(pairs)
