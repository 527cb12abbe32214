"""Sentence splitting and word segmentation with underthesea.

Segmented text joins the syllables of a word with "_" ("kinh_tế"), so that a
whitespace tokenizer (the engine's, or scikit-learn's) sees whole words.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

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


# The Vietnamese word list (73,901 entries) that the underthesea package ships.
_LEXICON = ("underthesea", "corpus/data/Viet74K.txt")
_LONGEST = 4  # syllables in the longest word looked up


@lru_cache(maxsize=1)
def folded_words() -> frozenset[tuple[str, ...]]:
    """The words of several syllables in underthesea's word list, without diacritics:
    ("kinh", "te") for kinh tế and kính tệ alike."""
    from importlib import resources

    from duluan.core.normalize import fold

    package, name = _LEXICON
    try:
        text = resources.files(package).joinpath(name).read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        logging.getLogger(__name__).warning(
            "%s has no %s: queries without diacritics are not segmented", package, name)
        return frozenset()
    words = (line.split() for line in text.splitlines())
    return frozenset(tuple(fold(s).lower() for s in w) for w in words if 2 <= len(w) <= _LONGEST)


def segment_folded(text: str) -> str:
    """Words typed without diacritics, segmented by the longest match in the folded word list
    ("kinh te my" -> "kinh_te my"). The tagger behind segment() reads such text poorly; the
    word list keeps a run of syllables together only where some word spells it."""
    syllables = text.split()
    lowered = [s.lower() for s in syllables]
    known = folded_words()
    out: list[str] = []
    i = 0
    while i < len(syllables):
        for n in range(min(_LONGEST, len(syllables) - i), 1, -1):
            if tuple(lowered[i:i + n]) in known:
                out.append("_".join(syllables[i:i + n]))
                i += n
                break
        else:
            out.append(syllables[i])
            i += 1
    return " ".join(out)
