"""Highlighting in Python, so both stores mark the same words the same way.

Folded terms are found in the folded text, which is aligned character for character
with the original, and the same spans are marked in the original.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from duluan.core.normalize import fold
from duluan.index.query import MARK_END, MARK_START, Hit, ParsedQuery


@lru_cache(maxsize=1024)
def pattern(text: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in text.split()]
    return re.compile(r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)", re.IGNORECASE)


def spans(text: str, parsed: ParsedQuery) -> list[tuple[int, int]]:
    folded = fold(text)
    aligned = len(folded) == len(text)
    found: list[tuple[int, int]] = []
    for group in parsed.must:
        for term in group:
            if term.folded and aligned:
                found += [m.span() for m in pattern(term.match_text).finditer(folded)]
            elif not term.folded:
                found += [m.span() for m in pattern(term.text).finditer(text)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def mark(text: str, parsed: ParsedQuery, fragment: int | None = None) -> str | None:
    """The text with matches between MARK_START/MARK_END, cut to about `fragment` characters
    around the first match; None when nothing matches."""
    found = spans(text, parsed)
    if not found:
        return None
    begin, finish = 0, len(text)
    if fragment and len(text) > fragment:
        begin = max(0, found[0][0] - fragment // 3)
        finish = min(len(text), begin + fragment)
        found = [(s, min(e, finish)) for s, e in found if s < finish]
    out, pos = [], begin
    for start, end in found:
        out += [text[pos:start], MARK_START, text[start:end], MARK_END]
        pos = end
    out.append(text[pos:finish])
    return ("…" if begin else "") + "".join(out) + ("…" if finish < len(text) else "")


def highlights(title: str, sapo: str, body: str, parsed: ParsedQuery) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, text, size in (("title", title, None), ("sapo", sapo, 240), ("body", body, 240)):
        marked = mark(text, parsed, size)
        if marked:
            out[name] = [marked]
    return out


def add_highlights(hits: list[Hit], parsed: ParsedQuery) -> None:
    for hit in hits:
        a = hit.article
        hit.highlights = highlights(a.title, a.sapo, a.body, parsed)


def snippet_html(snippet: str) -> str:
    """Escape a marked snippet, then turn the markers into <mark>."""
    return html.escape(snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
