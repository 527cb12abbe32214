"""Is this Vietnamese, and is there enough of it to classify?"""

from __future__ import annotations

import re

from nlp.legacy import syllable_share

_WORD = re.compile(r"[^\W\d_]+")
_VI_LETTER = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
MIN_WORDS = 8  # below this a text is near-empty: a link label, a caption, an error page


def _marked(words: list[str]) -> float:
    return sum(1 for w in words if _VI_LETTER.search(w)) / len(words) if words else 0.0


def marked_share(text: str) -> float:
    """Share of words carrying a Vietnamese letter or tone mark (about half in Vietnamese prose,
    a third in a list of foreign names, nearly none in English)."""
    return _marked(_WORD.findall(text))


def language_of(text: str) -> str:
    """"vi", "short" (too little text to judge or classify) or "other"."""
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS:
        return "short"
    with_marks = _marked(words)
    # Vietnamese prose has diacritics on about half its syllables, and nearly all its
    # words are well-formed syllables; English or Chinese text has neither.
    if with_marks >= 0.2 and syllable_share(" ".join(words[:400])) >= 0.75:
        return "vi"
    return "other"
