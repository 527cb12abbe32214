"""Source health: per outlet, whether its feeds answer, whether new articles arrive, how they are
extracted and why URLs were refused. Editors see it on the Nguồn tin page; an outlet that stops
or whose template changed is flagged there, in Vietnamese."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from duluan.crawlers.registry import Registry, Source
from duluan.crawlers.store import CrawlStore

WINDOW_DAYS = 14
QUIET_DAYS = 2  # an active outlet with no new article for this long is flagged
UNREAD_HOURS = 24  # nor a feed read for this long
FALLBACK_SHARE = 0.5  # this share of generic extractions (of at least FALLBACK_MIN articles)
FALLBACK_MIN = 10


@dataclass
class OutletHealth:
    source: str
    last_read: datetime | None = None  # the last feed, sitemap or listing read
    per_day: list[int] = field(default_factory=list)  # articles per Vietnam day, oldest first
    extractors: Counter[str] = field(default_factory=Counter)  # "rules:2026", "fallback", …
    rejects: Counter[str] = field(default_factory=Counter)  # reason -> URLs refused
    discovery_errors: int = 0  # feeds, sitemaps and listing pages that failed
    alerts: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)  # pages the generic extractor read, to check

    @property
    def last_article_day(self) -> int | None:
        """Days since the last day with a new article in the window (0: today)."""
        days = [n for n, count in enumerate(reversed(self.per_day)) if count]
        return days[0] if days else None

    @property
    def fallback_share(self) -> float:
        total = sum(self.extractors.values())
        generic = sum(n for name, n in self.extractors.items() if name.startswith("fallback"))
        return generic / total if total else 0.0


def outlet_health(store: CrawlStore, registry: Registry, now: datetime | None = None,
                  days: int = WINDOW_DAYS) -> dict[str, OutletHealth]:
    """Every registry outlet's health over the last `days` days."""
    now = now or datetime.now(UTC)
    since = (now - timedelta(days=days)).isoformat(timespec="seconds")
    today = (now + timedelta(hours=7)).date()  # Vietnam's day
    health = {sid: OutletHealth(sid, per_day=[0] * days) for sid in registry.sources}
    for sid, read_at in store.reads_by_source().items():
        if sid in health:
            health[sid].last_read = datetime.fromisoformat(read_at)
    for sid, day, extractor, count in store.articles_since(since):
        if sid in health and day:
            offset = (today - date.fromisoformat(day)).days
            if 0 <= offset < days:
                health[sid].per_day[days - 1 - offset] += count
            health[sid].extractors[extractor or "rules"] += count
    discovery = {url: s.id for s in registry.sources.values() for url in _discovery_urls(s)}
    for sid, url, reason in store.rejects_since(since):
        owner = sid or discovery.get(url)
        if owner in health:
            health[owner].rejects[reason] += 1
            health[owner].discovery_errors += url in discovery
    for sid, h in health.items():
        if registry[sid].active:
            h.alerts = _alerts(h, now)
            if _template_suspect(h):
                h.examples = store.generic_examples(sid, since)
    return health


def _template_suspect(h: OutletHealth) -> bool:
    return sum(h.extractors.values()) >= FALLBACK_MIN and h.fallback_share >= FALLBACK_SHARE


def _discovery_urls(source: Source) -> list[str]:
    return [str(f.url) for f in source.feeds] + [str(u) for u in (*source.sitemaps, *source.listings)]


def _alerts(h: OutletHealth, now: datetime) -> list[str]:
    alerts = []
    if not h.last_read or h.last_read < now - timedelta(hours=UNREAD_HOURS):
        alerts.append(f"Không đọc được kênh tin nào trong {UNREAD_HOURS} giờ qua")
    quiet = h.last_article_day
    if quiet is None:
        alerts.append(f"Không có bài mới trong {len(h.per_day)} ngày")
    elif quiet >= QUIET_DAYS:
        alerts.append(f"Không có bài mới trong {quiet} ngày")
    if _template_suspect(h):
        alerts.append(f"Quy tắc trích xuất có thể đã hỏng: {h.fallback_share:.0%} số bài "
                      "phải dùng trích xuất chung")
    if h.discovery_errors:
        alerts.append(f"Kênh RSS, sitemap hoặc trang chuyên mục lỗi {h.discovery_errors} lần")
    return alerts


def attention_first(sources: list[Source], health: dict[str, OutletHealth]) -> list[Source]:
    """Outlets with alerts first (the most alerts first), then by tier and name."""
    def key(source: Source) -> tuple[int, str, str]:
        h = health.get(source.id)
        return (-len(h.alerts) if h else 0, source.tier, source.name)

    return sorted(sources, key=key)


def health_json(h: OutletHealth) -> dict:
    return {"source": h.source, "last_read": h.last_read.isoformat() if h.last_read else None,
            "per_day": h.per_day, "extractors": dict(h.extractors.most_common()),
            "rejects": dict(h.rejects.most_common()), "discovery_errors": h.discovery_errors,
            "alerts": h.alerts, "examples": h.examples}
