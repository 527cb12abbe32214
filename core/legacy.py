"""Text still in the pre-Unicode Vietnamese encodings that old provincial sites serve.

TCVN3 (ABC) puts each letter in one byte; VNI-Windows writes a base letter followed by
mark characters. Read as Windows-1252, both give recognisable mojibake ("ViÖt Nam",
"Vieät Nam"), which is detected here and converted to Unicode.
"""

from __future__ import annotations

import re
import unicodedata

from duluan.core.normalize import normalize_text


class LegacyEncodingError(ValueError):
    """The text is in a legacy encoding that cannot be converted faithfully."""


# TCVN3: byte (as read in Windows-1252 / Latin-1) -> letter. Upper-case toned letters
# share the lower-case codes (TCVN3 set them in a separate upper-case font).
_TCVN3 = dict(zip(
    "µ¶·¸¹¨»¼½¾Æ©ÇÈÉÊË®ÌÎÏÐÑªÒÓÔÕÖ×ØÜÝÞßáâãä«åæçèé¬êëìíîïñòóô\xadõö÷øùúûüýþ¡¢£¤¥¦§",
    "àảãáạăằẳẵắặâầẩẫấậđèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵĂÂÊÔƠƯĐ",
    strict=True,
))
_TCVN3_TABLE = str.maketrans(_TCVN3)
# Latin-1 letters that Unicode Vietnamese uses too; every other TCVN3 code is a sign of TCVN3.
_VI_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_TCVN3_SIGN = re.compile("[" + re.escape("".join(sorted(set(_TCVN3) - _VI_LATIN1))) + "]")

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"


def _vni_table() -> dict[str, str]:
    """VNI-Windows sequence -> Unicode letter, built from VNI's regular scheme."""
    tones = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
    circ = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
    breve = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
    table: dict[str, str] = {}

    def put(seq: str, base: str, marks: str) -> None:
        for s, b in ((seq, base), (seq.upper(), base.upper())):
            table[s] = unicodedata.normalize("NFC", b + marks)

    for v in "aeouy":
        for mark, tone in tones.items():
            put(v + mark, v, tone)
    for v in "aeo":
        for mark, tone in circ.items():
            put(v + mark, v, _CIRC + tone)
    for mark, tone in breve.items():
        put("a" + mark, "a", _BREVE + tone)
    for single, base in (("ô", "o"), ("ö", "u")):  # ơ and ư, then their tones
        put(single, base, _HORN)
        for mark, tone in tones.items():
            put(single + mark, base, _HORN + tone)
    for single, tone in (("ì", _GRAVE), ("í", _ACUTE), ("æ", _HOOK), ("ó", _TILDE), ("ò", _DOT)):
        put(single, "i", tone)
    put("ñ", "đ", "")
    return table


_VNI = _vni_table()
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))
_VNI_SIGN = re.compile(r"[aeouyAEOUYöôÖÔ][ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]|[ñÑ][a-zA-Zöô]")
# Letters only Unicode Vietnamese has: neither encoding's mojibake contains them.
_UNICODE_VI = re.compile(r"[ăđơưĂĐƠƯ\u1ea0-\u1ef9]")
_TONES = set("\u0300\u0301\u0303\u0309\u0323")


def _signs(text: str) -> tuple[int, int, int]:
    return (len(_TCVN3_SIGN.findall(text)), len(_VNI_SIGN.findall(text)),
            len(_UNICODE_VI.findall(text)))


def looks_legacy(text: str) -> bool:
    tcvn3, vni, unicode_letters = _signs(text)
    return max(tcvn3, vni) >= 3 and max(tcvn3, vni) > 2 * unicode_letters


def _plausible_word(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONES for c in decomposed) > 1:
        return False
    return all(c.isascii() or c == "đ" or unicodedata.combining(c) for c in decomposed)


_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    # Rhymes ending in a glide take no final consonant; the others may.
    r"(?:(?:uyu|uya|ươi|ươu|yêu|iêu|oai|oao|oay|oeo|uây|uôi|"
    r"ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|ui|ưa|ưi|ưu|uơ)"
    r"|(?:uyê|iê|yê|oa|oă|oe|oo|uâ|uê|uô|uy|ươ|[aăâeêioôơuưy])(?:ch|ng|nh|[cmnpt])?)"
)


def _syllable(word: str) -> bool:
    stripped = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if c not in _TONES)
    return _SYLLABLE.fullmatch(unicodedata.normalize("NFC", stripped)) is not None


def plausibility(text: str) -> float:
    """Share of words that could be Vietnamese syllables (letters, at most one tone)."""
    words = re.findall(r"[^\W\d_]+", text)
    return sum(map(_plausible_word, words)) / len(words) if words else 0.0


def syllable_share(text: str) -> float:
    """Share of words that are well-formed Vietnamese syllables; ranks candidate decodings."""
    words = re.findall(r"[^\W\d_]+", text)
    return sum(map(_syllable, words)) / len(words) if words else 0.0


def convert(text: str, encoding: str) -> str:
    if encoding == "tcvn3":
        return text.translate(_TCVN3_TABLE)
    return _VNI_PATTERN.sub(lambda m: _VNI[m.group()], text)


def detect(text: str) -> str | None:
    """"tcvn3", "vni" or None (Unicode).

    Both conversions are tried and the more plausible kept: the two encodings share
    many characters, so counting signs alone cannot tell them apart. Raises
    LegacyEncodingError when the text looks legacy but neither converts plausibly.
    """
    if not looks_legacy(text):
        return None
    candidates = {enc: convert(text, enc) for enc in ("tcvn3", "vni")}
    best = max(candidates, key=lambda enc: (syllable_share(candidates[enc]), plausibility(candidates[enc])))
    if plausibility(candidates[best]) < 0.9:
        raise LegacyEncodingError("text looks legacy-encoded (TCVN3/VNI) but does not convert cleanly")
    return best


def repair(text: str) -> tuple[str, str | None]:
    """Text in Unicode NFC, and the legacy encoding it was in (None if it was Unicode)."""
    encoding = detect(text)
    return (normalize_text(convert(text, encoding)), encoding) if encoding else (text, None)


def repair_parts(parts: list[str]) -> tuple[list[str], str | None]:
    """Decide the encoding once for a whole page (a short title alone can be ambiguous),
    then convert each part with it."""
    encoding = detect("\n".join(parts))
    if encoding is None:
        return parts, None
    return [normalize_text(convert(p, encoding)) for p in parts], encoding
