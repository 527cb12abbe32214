"""Vietnamese text normalisation: NFC, one tone-mark convention, clean whitespace, folding.

The same functions serve documents and queries, so that both meet in one form.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

# Combining tone marks, in NFD: grave, acute, hook above, tilde, dot below.
TONES = frozenset("\u0300\u0301\u0309\u0303\u0323")
# Vowel modifiers: breve (ă), circumflex (â ê ô), horn (ơ ư).
MODIFIERS = frozenset("\u0306\u0302\u031b")
VOWELS = frozenset("aeiouy")

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_SPACES = "\u00a0\u2007\u202f\u2009\u200a\u3000"
_QUOTES = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'"}
_CLEAN = str.maketrans(dict.fromkeys(_INVISIBLE, None) | dict.fromkeys(_SPACES, " ") | _QUOTES)
# One scan finds whether the (slow, dict-driven) translate pass has anything to do.
_NEEDS_CLEAN = re.compile("[" + _INVISIBLE + _SPACES + "".join(_QUOTES) + "]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[^\W\d_]+")
_VOWEL_LETTERS = "aăâeêioôơuưy"
_ALL_VOWELS = "".join(sorted({unicodedata.normalize("NFC", v + t) for v in _VOWEL_LETTERS
                              for t in ("", *TONES)}))
_ALL_VOWELS += _ALL_VOWELS.upper()
# Only a word with two vowels side by side can carry its tone mark on the "wrong" one
# ("hoà"/"hòa"); the others are left alone, which spares a callback per word. Matches start
# only where a word starts (the lookbehind): unanchored, a long run of letters without a vowel
# pair was tried again from each of its letters, quadratic in its length.
_CLUSTER_WORD = re.compile(rf"(?<![^\W\d_])[^\W\d_]*[{_ALL_VOWELS}]{{2}}[^\W\d_]*")
# After NFC a Vietnamese letter carries its marks precomposed: a combining mark left after no
# letter, or after another mark, is debris (and each would cost the segmenter a token).
_STRAY_MARKS = re.compile(r"(?<![^\W\d_])[\u0300-\u036f]+|(?<=[\u0300-\u036f])[\u0300-\u036f]+")
_HSPACE = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"\n\s*\n+")


def _split_syllable(word: str) -> list[list[str]]:
    """NFD word -> list of [base, *combining marks] per letter."""
    letters: list[list[str]] = []
    for ch in word:
        if unicodedata.combining(ch) and letters:
            letters[-1].append(ch)
        else:
            letters.append([ch])
    return letters


@lru_cache(maxsize=200_000)
def canonical_tone(word: str) -> str:
    """Place the tone mark by the traditional rule ("hòa", "thủy", "Tỉnh ủy").

    Old- and new-style spellings ("hoà"/"hòa", "thuỷ"/"thủy") of the same syllable
    become one form. Words that are not one Vietnamese syllable come back in NFC.
    """
    letters = _split_syllable(unicodedata.normalize("NFD", word))
    toned = [i for i, marks in enumerate(letters) if TONES.intersection(marks[1:])]
    if len(toned) != 1:
        return unicodedata.normalize("NFC", word)
    lower = [m[0].lower() for m in letters]
    vowel_at = [i for i, c in enumerate(lower) if c in VOWELS]
    # "qu" and "gi" before another vowel: the u / i belongs to the consonant.
    if len(vowel_at) > 1 and lower[:2] in (["q", "u"], ["g", "i"]) and vowel_at[0] == 1:
        vowel_at = vowel_at[1:]
    if not vowel_at or vowel_at != list(range(vowel_at[0], vowel_at[-1] + 1)):
        return unicodedata.normalize("NFC", word)
    modified = [i for i in vowel_at if MODIFIERS.intersection(letters[i][1:])]
    has_final = vowel_at[-1] < len(letters) - 1
    if modified:
        target = modified[-1]
    elif has_final:
        target = vowel_at[-1]
    elif len(vowel_at) == 3:
        target = vowel_at[1]
    else:
        target = vowel_at[0]
    source = toned[0]
    if source != target:
        tone = next(m for m in letters[source][1:] if m in TONES)
        letters[source] = [m for m in letters[source] if m != tone]
        letters[target] = letters[target] + [tone]
    return unicodedata.normalize("NFC", "".join("".join(m) for m in letters))


def normalize_tones(text: str) -> str:
    """NFC text with every syllable's tone mark in its traditional place."""
    return _CLUSTER_WORD.sub(lambda m: canonical_tone(m.group()), text)


def normalize_text(text: str) -> str:
    """Clean text for storage: entities, invisible characters, quotes, NFC, tones, spaces.

    Paragraph breaks (blank lines) survive; other runs of white space become one space.
    """
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    if _NEEDS_CLEAN.search(text):
        text = text.translate(_CLEAN)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _STRAY_MARKS.search(text):
        text = _STRAY_MARKS.sub("", text)
    text = normalize_tones(text)
    paragraphs = (_HSPACE.sub(" ", p).strip() for p in _BLANKS.split(text.replace("\r\n", "\n")))
    return "\n\n".join(" ".join(line.strip() for line in p.split("\n") if line.strip())
                       for p in paragraphs if p)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    base = base.lower()
    return base if len(base) == 1 else ch  # keep the result aligned with the input


@lru_cache(maxsize=1)
def _bmp_fold_table() -> str:
    """_fold_char of every code point below U+10000, as one string that str.translate indexes
    by code point: folding then runs in C, 2.3x as fast as a Python call per character (the
    review app folds every article on a page to mark watchlist matches). Built once, ~70 ms."""
    return "".join(_fold_char.__wrapped__(chr(i)) if not 0xD800 <= i <= 0xDFFF else chr(i)
                   for i in range(0x10000))


def fold(text: str) -> str:
    """Lower-case text without diacritics ("Đà Nẵng" -> "da nang"), for accent-free search.

    One character in, one out (on NFC input), so a match found in the folded text
    marks the same span of the original.
    """
    if text.isascii():
        return text.lower()
    # A character beyond the table (emoji, historic scripts) takes two UTF-16 units; such text
    # is folded one call a character. (Encoding is 30x as fast as max() over the characters.)
    if len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text):
        return "".join(map(_fold_char, text))
    return text.translate(_bmp_fold_table())


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()
