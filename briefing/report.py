"""`duluan briefing`: compute the month's figures once, write them as HTML, DOCX and PDF, and
keep the evidence (the query and article ids behind every figure) beside them as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from duluan.annotations import AnnotationStore
from duluan.briefing.document import build
from duluan.briefing.figures import compute
from duluan.briefing.model import Briefing
from duluan.briefing.write_docx import write_docx
from duluan.briefing.write_html import render_html
from duluan.briefing.write_pdf import write_pdf
from duluan.core.settings import Settings
from duluan.index import open_store

FORMATS = ("html", "docx", "pdf")


def load(settings: Settings, month: str, watchlist: str | None = None) -> Briefing:
    store, review = open_store(settings), AnnotationStore(settings.review_db)
    try:
        chosen = None
        if watchlist:
            chosen = review.watchlist(watchlist)
            if chosen is None:
                names = ", ".join(w.name for w in review.watchlists()) or "none yet"
                raise ValueError(f"no watchlist named {watchlist!r} (watchlists: {names})")
        return compute(store, month, chosen, review)
    finally:
        store.close()
        review.close()


def write(b: Briefing, settings: Settings, formats: list[str], output: Path) -> list[Path]:
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s) {sorted(unknown)}; choose from {', '.join(FORMATS)}")
    output.mkdir(parents=True, exist_ok=True)
    stem = f"bao-cao-{b.month}" + (f"-{_slug(b.watchlist)}" if b.watchlist is not None else "")
    doc = build(b, settings)
    html = render_html(doc)
    paths = []
    if "html" in formats:
        paths.append(output / f"{stem}.html")
        paths[-1].write_text(html, "utf-8")
    if "docx" in formats:
        paths.append(write_docx(doc, output / f"{stem}.docx"))
    if "pdf" in formats:
        paths.append(write_pdf(html, output / f"{stem}.pdf"))
    evidence = output / f"{stem}-bang-chung.json"
    evidence.write_text(json.dumps({k: e.__dict__ for k, e in b.evidence.items()}, ensure_ascii=False,
                                   indent=1), "utf-8")
    return [*paths, evidence]


def write_briefing(settings: Settings, month: str, formats: list[str], output: Path,
                   watchlist: str | None = None) -> list[Path]:
    return write(load(settings, month, watchlist), settings, formats, output)


def _slug(text: str) -> str:
    from duluan.core.normalize import fold

    return "-".join("".join(c if c.isalnum() else " " for c in fold(text).lower()).split())
