"""Watchlist rules as queries over the store, so both backends match the same articles."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from duluan.annotations.models import Watchlist, WatchRule
from duluan.annotations.store import AnnotationStore
from duluan.core.normalize import fold
from duluan.core.record import VN_TZ, Article
from duluan.index import Query, Store
from duluan.index.highlight import pattern, spans
from duluan.index.query import Hit, parse_text


def rule_query(rule: WatchRule, **extra: Any) -> Query:
    return Query(text=rule.query_text(), entity=rule.entity, sources=list(rule.sources),
                 tones=list(rule.tones), **extra)


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready to check many articles: keyword patterns built once."""

    rule: WatchRule
    # (first word, pattern, on the folded text): the word is looked for first, which is cheap,
    # and only a text that has it is searched with the pattern.
    patterns: tuple[tuple[str, re.Pattern[str], bool], ...]

    @classmethod
    def of(cls, rule: WatchRule) -> CompiledRule:
        terms = [t for group in parse_text(rule.query_text()).must for t in group] if rule.keywords else []
        return cls(rule, tuple((t.match_text.split()[0].lower(), pattern(t.match_text), t.folded)
                               for t in terms))

    def matches(self, article: Article, haystack: tuple[str, str] | None = None) -> bool:
        """As the rule's query would match the article in a store: any keyword in the title,
        lead or body (in the folded text when typed without diacritics), the entity, the outlet
        and the tone."""
        rule = self.rule
        if rule.sources and article.source not in rule.sources:
            return False
        if rule.tones and article.tone not in rule.tones:
            return False
        if rule.entity and all(e.name != rule.entity for e in article.entities):
            return False
        if not self.patterns:
            return True
        text, folded = haystack or _haystack(article)
        return any(word in (folded if on_folded else text) and p.search(folded if on_folded else text)
                   for word, p, on_folded in self.patterns)


def _haystack(article: Article) -> tuple[str, str]:
    """The article's text and folded text, lower-cased once for every rule."""
    text = article.text
    return text.lower(), (article.text_folded or fold(text)).lower()


def matching(articles: list[Article], watchlists: list[Watchlist]) -> dict[str, list[Watchlist]]:
    """Which watchlists each of these articles matches, checked on the articles at hand:
    a page that holds them needs no query for its badges."""
    compiled = [(w, CompiledRule.of(w.rule)) for w in watchlists]
    out: dict[str, list[Watchlist]] = {}
    for a in articles if compiled else []:
        haystack = _haystack(a)
        hits = [w for w, rule in compiled if rule.matches(a, haystack)]
        if hits:
            out[a.id] = hits
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
    total: int  # matches the reader has not been shown yet
    hits: list[Hit] = field(default_factory=list)
    since: datetime | None = None  # when the reader last looked
    unseen: list[str] = field(default_factory=list)  # their ids, to mark once shown


ALERT_SCAN = 1000  # at most this many recent matches are checked per watchlist


def alerts(store: Store, db: AnnotationStore, reader: str, window_days: int, size: int = 20) -> list[Alert]:
    """Each watchlist's matches, published in the last `window_days`, that the reader has not
    been shown. Kept per article, not by a time mark: an article crawled before the reader
    looked but indexed after still counts as new."""
    out = []
    since = db.alerts_seen(reader)
    window = datetime.now(VN_TZ) - timedelta(days=window_days)
    for w in db.watchlists():
        seen = db.seen_items(reader, w.id)
        result = store.search(rule_query(w.rule, size=ALERT_SCAN, date_from=window, highlight=False))
        fresh = [h for h in result.hits if h.article.id not in seen]
        out.append(Alert(w, len(fresh), fresh[:size], since.get(w.id), [h.article.id for h in fresh]))
    return out


def mark_shown(db: AnnotationStore, reader: str, shown: list[Alert]) -> None:
    for alert in shown:
        db.mark_seen(reader, alert.watchlist.id, alert.unseen)
