"""The feed: the query a reviewer's filters make, and its hits grouped one row per story."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from duluan.annotations import Watchlist, WatchRule
from duluan.annotations.watch import matching
from duluan.core.record import Article
from duluan.index import Query, Store
from duluan.index.query import MAX_QUERY_CHARS, Hit, QueryTooLong, SearchResult

PAGE_SIZE = 50


class BadFilter(ValueError):
    """A filter value the feed cannot use (a malformed date or page cursor)."""


@dataclass
class FeedFilters:
    q: str = ""
    topic: str = ""
    tone: str = ""
    source: str = ""
    tier: str = ""
    entity: str = ""
    watchlist: str = ""
    flag: str = ""
    state: str = "new"
    date_from: str = ""
    date_to: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class FeedRow:
    hit: Hit
    others: list[Article]  # the story's other articles on other outlets, oldest first
    first: Article  # the story's earliest article
    watch: list[Watchlist] = field(default_factory=list)  # watchlists any of them matches


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise BadFilter("Ngày không hợp lệ (cần dạng YYYY-MM-DD).") from None


def _cursor(after: str) -> list[Any] | None:
    try:
        value = json.loads(after) if after else None
    except ValueError:
        raise BadFilter("Tham số trang không hợp lệ.") from None
    if value is not None and not isinstance(value, list):
        raise BadFilter("Tham số trang không hợp lệ.")
    return value


def feed_query(f: FeedFilters, rule: WatchRule, after: str = "") -> Query:
    """The watchlist's keywords form one OR-group ANDed with the typed words."""
    try:
        return _query(f, rule, after)
    except QueryTooLong:
        limit = f"{MAX_QUERY_CHARS:,}".replace(",", ".")  # Vietnamese groups thousands with dots
        raise BadFilter(f"Từ khóa tìm kiếm quá dài (tối đa {limit} ký tự).") from None


def _query(f: FeedFilters, rule: WatchRule, after: str) -> Query:
    return Query(
        text=f"{f.q} {rule.query_text()}".strip(), topics=[f.topic] if f.topic else [],
        tones=[f.tone] if f.tone else list(rule.tones),
        sources=[f.source] if f.source else list(rule.sources), tiers=[f.tier] if f.tier else [],
        entity=rule.entity or f.entity or None, flags=[f.flag] if f.flag else [],
        review_states=[f.state] if f.state in ("new", "reviewed") else [],
        date_from=_date(f.date_from), date_to=_date(f.date_to), size=PAGE_SIZE,
        search_after=_cursor(after),
    )


def _members(store: Store, hits: list[Hit]) -> dict[str, list[Article]]:
    clusters = sorted({h.article.cluster_id for h in hits if h.article.cluster_id})
    members: dict[str, list[Article]] = defaultdict(list)
    if clusters:
        found = store.search(Query(cluster_ids=clusters, size=500, highlight=False))
        for h in found.hits:
            members[h.article.cluster_id or ""].append(h.article)
    return members


def story_rows(store: Store, result: SearchResult, watchlists: list[Watchlist]) -> list[FeedRow]:
    """One row per story on this page, with its other outlets folded away."""
    members = _members(store, result.hits)
    on_page = {h.article.id: h.article for h in result.hits} | {
        m.id: m for group in members.values() for m in group}
    matches = matching(list(on_page.values()), watchlists)
    rows, shown = [], set()
    for h in result.hits:
        cid = h.article.cluster_id
        if cid and cid in shown:
            continue
        if cid:
            shown.add(cid)
        everyone = sorted([h.article, *(m for m in members.get(cid or "", []) if m.id != h.article.id)],
                          key=lambda m: m.published_at or m.fetched_at)
        # A story touches a watchlist when any of its articles does.
        watch = {w.id: w for m in everyone for w in matches.get(m.id, [])}
        rows.append(FeedRow(h, [m for m in everyone if m.id != h.article.id], everyone[0],
                            list(watch.values())))
    return rows
