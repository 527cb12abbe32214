"""Decoding article pages: the declared charset is honoured unless the bytes prove it wrong."""

from __future__ import annotations

import codecs

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding


def _norm(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


# Single-byte Western charsets that servers send by default (Apache's old ISO-8859-1) for pages
# that are really UTF-8. Vietnamese can only be written in them as mojibake.
_WESTERN = {_norm(n) for n in ("latin-1", "cp1252", "ascii")}


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str, bool]:
    """(text, encoding used, whether the declaration was overruled).

    A page declared Western-European that decodes cleanly as UTF-8 and holds multi-byte
    characters is UTF-8: by chance that almost never happens to real Latin-1 text."""
    declared = _norm(http_content_type_encoding(content_type or "")) or _norm(
        html_body_declared_encoding(body[:4096]))
    if declared in _WESTERN and not body.isascii():
        try:
            return body.decode("utf-8"), "utf-8", True
        except UnicodeDecodeError:
            pass
    encoding, text = html_to_unicode(content_type, body)
    return text, _norm(encoding) or encoding, False
