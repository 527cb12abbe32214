"""Sentence splitting and word segmentation with underthesea.

Segmented text joins the syllables of a word with "_" ("kinh_tế"), so that a
whitespace tokenizer (the engine's, or scikit-learn's) sees whole words.
"""

from __future__ import annotations

import re

_TOKEN_CHARS = re.compile(r"\w", re.UNICODE)


def sentences(text: str) -> list[str]:
    from underthesea import sent_tokenize

    out: list[str] = []
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            out.extend(s for s in sent_tokenize(paragraph) if s.strip())
    return out


def segment(text: str) -> str:
    """Word-segmented text: "Giá vàng giảm" -> "Giá vàng giảm" / "kinh tế Mỹ" -> "kinh_tế Mỹ".

    Punctuation is dropped: it carries nothing for matching or features.
    """
    from underthesea import word_tokenize

    words: list[str] = []
    # Paragraph by paragraph: underthesea segments across sentence ends correctly,
    # and skipping sent_tokenize halves the cost.
    for paragraph in text.split("\n\n"):
        for word in word_tokenize(paragraph):
            if _TOKEN_CHARS.search(word):
                words.append(word.replace(" ", "_"))
    return " ".join(words)


def segment_many(texts: list[str], workers: int | None = None, progress: str | None = None) -> list[str]:
    """Segment many texts across processes; underthesea loads once per worker."""
    import os
    from multiprocessing import get_context

    from tqdm import tqdm

    workers = workers or os.cpu_count() or 1
    bar = tqdm(total=len(texts), desc=progress, unit="doc", disable=progress is None)
    if workers == 1 or len(texts) < 50:
        out = []
        for text in texts:
            out.append(segment(text))
            bar.update()
        bar.close()
        return out
    with get_context("spawn").Pool(workers) as pool:
        out = []
        for result in pool.imap(segment, texts, chunksize=16):
            out.append(result)
            bar.update()
    bar.close()
    return out
