"""Is this Vietnamese, and is there enough of it to classify?"""

from __future__ import annotations

import re

from duluan.core.legacy import syllable_share

_WORD = re.compile(r"[^\W\d_]+")
_VI_LETTER = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
# Letters no other language written in Latin letters uses (French has é, à, ê; Portuguese ã, õ).
_VI_ONLY = re.compile(r"[ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
MIN_WORDS = 8  # below this a text is near-empty: a link label, a caption, an error page


def _marked(words: list[str], letters: re.Pattern[str] = _VI_LETTER) -> float:
    return sum(1 for w in words if letters.search(w)) / len(words) if words else 0.0


def marked_share(text: str) -> float:
    """Share of words carrying a Vietnamese letter or tone mark (about half in Vietnamese prose,
    a third in a list of foreign names, nearly none in English)."""
    return _marked(_WORD.findall(text))


def language_of(text: str) -> str:
    """"vi", "short" (too little text to judge or classify) or "other"."""
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS:
        return "short"
    # Vietnamese prose has diacritics on about half its syllables, and nearly all its
    # words are well-formed syllables; English or Chinese text has neither. A news list of
    # foreign names ("Bukayo Saka (Anh): +10 triệu euro") fails the syllable test, but a fifth
    # or more of its words still carry letters only Vietnamese uses (VNTC-mini's articles: 17 % at
    # least, 55 % typically).
    if _marked(words, _VI_ONLY) >= 0.2:
        return "vi"
    if _marked(words) >= 0.2 and syllable_share(" ".join(words[:400])) >= 0.75:
        return "vi"
    return "other"
