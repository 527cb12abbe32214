"""What a page says about itself in JSON-LD: whether it is an article, its section and its time.
Outlets keep this stable across redesigns, so it backs up the rules when a template moves. (Its
author is not used: bylines are the names the page prints, and JSON-LD often names the desk.)"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from parsel import Selector

from duluan.core.normalize import normalize_text
from duluan.crawlers.dates import parse_iso

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting"}
# A JSON-LD block larger than this is not page metadata; skipping it keeps parsing bounded.
MAX_BLOCK_CHARS = 200_000


@dataclass
class StructuredData:
    types: set[str] = field(default_factory=set)
    published: datetime | None = None
    section: str | None = None  # the breadcrumb's first level below the home page

    @property
    def is_article(self) -> bool:
        return bool(self.types & ARTICLE_TYPES)


def _items(sel: Selector) -> list[dict]:
    out: list[dict] = []
    for raw in sel.css('script[type="application/ld+json"]::text').getall():
        if len(raw) > MAX_BLOCK_CHARS:
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict):
                out += [g for g in item.get("@graph", []) if isinstance(g, dict)] + [item]
    return out


def _breadcrumb_section(item: dict) -> str | None:
    listed = item.get("itemListElement")
    listed = listed if isinstance(listed, list) else []
    # Some outlets wrap each crumb in a list of its own.
    flat = [c for entry in listed for c in (entry if isinstance(entry, list) else [entry])]
    crumbs = [c for c in flat if isinstance(c, dict)]
    crumbs.sort(key=lambda c: int(c.get("position") or 0) if str(c.get("position") or "").isdigit() else 0)
    if len(crumbs) < 2:
        return None
    second, item = crumbs[1], crumbs[1].get("item")
    name = second.get("name") or (item.get("name") if isinstance(item, dict) else None)
    return normalize_text(str(name)) if name else None


def structured_data(sel: Selector) -> StructuredData:
    found = StructuredData()
    for item in _items(sel):
        kinds = item.get("@type")
        kinds = {str(k) for k in kinds} if isinstance(kinds, list) else {str(kinds)}
        found.types |= kinds
        if kinds & ARTICLE_TYPES:
            found.published = found.published or parse_iso(str(item.get("datePublished") or ""))
        if "BreadcrumbList" in kinds and not found.section:
            found.section = _breadcrumb_section(item)
    return found
