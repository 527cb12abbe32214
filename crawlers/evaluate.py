"""Scoring an extraction against an expected one, for the tests and the crawl benchmark."""

from __future__ import annotations

from collections import Counter


def word_f1(got: list[str], expected: list[str]) -> float:
    """Word-level F1 of two texts given as lists of paragraphs (bag of words, counts kept)."""
    g, w = Counter(" ".join(got).split()), Counter(" ".join(expected).split())
    total = sum(g.values()) + sum(w.values())
    return 2 * sum((g & w).values()) / total if total else 1.0
