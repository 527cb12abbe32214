"""Watchlist rules as queries over the store, so both backends match the same articles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from index import Query, Store
from index.highlight import spans
from index.query import Hit, parse_text
from review.state import Watchlist, WatchRule


def rule_query(rule: WatchRule, **extra: Any) -> Query:
    return Query(text=rule.query_text(), entity=rule.entity, sources=list(rule.sources),
                 tones=list(rule.tones), **extra)


def matching(store: Store, watchlists: list[Watchlist], ids: list[str]) -> dict[str, list[Watchlist]]:
    """Which of these articles each watchlist matches: one query per watchlist, filtered by id."""
    out: dict[str, list[Watchlist]] = {}
    if not ids:
        return out
    for w in watchlists:
        result = store.search(rule_query(w.rule, ids=ids, size=len(ids), highlight=False))
        for hit in result.hits:
            out.setdefault(hit.article.id, []).append(w)
    return out


def keyword_spans(text: str, watchlists: list[Watchlist]) -> list[tuple[int, int]]:
    """Where the watchlists' keywords occur in `text`, with or without diacritics."""
    found: list[tuple[int, int]] = []
    for w in watchlists:
        if w.rule.keywords:
            found += spans(text, parse_text(w.rule.query_text()))
    return sorted(found)


@dataclass
class Alert:
    watchlist: Watchlist
    total: int  # matches crawled since the user last looked
    hits: list[Hit] = field(default_factory=list)
    since: datetime | None = None


def alerts(store: Store, watchlists: list[Watchlist], seen: dict[int, datetime],
           size: int = 20) -> list[Alert]:
    out = []
    for w in watchlists:
        since = seen.get(w.id)
        query = rule_query(w.rule, size=size, fetched_after=since)
        result = store.search(query)
        out.append(Alert(w, result.total, result.hits, since))
    return out
