"""Feed reading with feedparser: whatever a malformed feed still yields, plus what it lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser

from duluan.core.normalize import normalize_text


@dataclass
class FeedEntry:
    url: str
    title: str
    summary: str
    published: datetime | None


@dataclass
class ParsedFeed:
    entries: list[FeedEntry] = field(default_factory=list)
    malformed: str | None = None  # feedparser's bozo message, if any
    skipped: int = 0  # entries with no usable link


def _summary_text(html: str) -> str:
    from parsel import Selector

    return normalize_text(" ".join(Selector(text=f"<div>{html}</div>").xpath("//text()").getall()))


def parse_feed(body: bytes, base_url: str, content_type: str | None = None) -> ParsedFeed:
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers)
    out = ParsedFeed(malformed=str(parsed.get("bozo_exception")) if parsed.get("bozo") else None)
    for entry in parsed.entries:
        link = (entry.get("link") or entry.get("id") or "").strip()
        if not link.startswith(("http://", "https://")):
            out.skipped += 1
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        out.entries.append(
            FeedEntry(
                url=link,
                title=normalize_text(entry.get("title", "")),
                summary=_summary_text(entry.get("summary", "")),
                published=datetime(*stamp[:6], tzinfo=UTC) if stamp else None,
            )
        )
    return out
