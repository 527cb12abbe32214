"""Every figure of the monthly briefing, computed through the query API so both stores give the
same report. Each figure keeps the query that reproduces it and the article ids behind it."""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from duluan.annotations import FLAGS, AnnotationStore, Watchlist, WatchRule
from duluan.annotations.watch import rule_query
from duluan.classifiers.taxonomy import TONES, TOPICS
from duluan.core.record import VN_TZ, Article
from duluan.index import Query, Store

PAGE = 2000
TOP_STORIES = 10
TOP_ENTITIES = 15
ATTENTION_ROWS = 40
ENTITY_TYPES = {"PER": "Người", "ORG": "Tổ chức", "LOC": "Địa danh"}
TIERS = {"central": "Trung ương", "provincial": "Địa phương"}


@dataclass
class Evidence:
    """What stands behind one figure: a query anyone can re-run, and the matching article ids."""

    key: str
    label: str
    value: int
    query: dict[str, Any]
    ids: list[str] = field(default_factory=list)


@dataclass
class Story:
    cluster_id: str
    title: str
    articles: int
    outlets: list[str]
    first_source: str
    first_time: datetime | None
    tones: dict[str, int]
    evidence: str


@dataclass
class EntityRow:
    name: str
    type: str
    articles: int
    tones: dict[str, int]
    evidence: str


@dataclass
class AttentionRow:
    article: Article
    reasons: list[str]  # flag names and watchlist names
    notes: list[tuple[str, str, datetime]]


@dataclass
class OutletRow:
    source: str
    tier: str
    articles: int
    negative: int
    evidence: str


@dataclass
class Period:
    total: int = 0
    tones: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    outlets: int = 0


@dataclass
class Briefing:
    month: str
    start: date
    end: date
    scope: str  # "toàn bộ báo chí" or the watchlist's name
    current: Period
    previous: Period
    weeks: list[tuple[date, date, dict[str, int]]]  # week start, end (within the month), tone counts
    stories: list[Story]
    attention: list[AttentionRow]
    attention_total: int
    entities: list[EntityRow]
    outlets: list[OutletRow]
    activity: dict[str, dict[str, int]]  # reviewer -> action -> count
    evidence: dict[str, Evidence]
    generated_at: datetime

    @property
    def empty(self) -> bool:
        return self.current.total == 0


def month_range(month: str) -> tuple[date, date]:
    try:
        year, mon = (int(x) for x in month.split("-"))
        return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])
    except ValueError:
        raise ValueError(f"month must look like 2026-10, not {month!r}") from None


def previous_month(start: date) -> str:
    last = start - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def _query_dict(query: Query) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in (
        "text",
        "date_from",
        "date_to",
        "sources",
        "tiers",
        "topics",
        "tones",
        "entity",
        "cluster_id",
        "flags",
        "ids",
    ):
        value = getattr(query, name)
        if value:
            out[name] = value.isoformat() if isinstance(value, date) else value
    return out


def _all(store: Store, query: Query) -> list[Article]:
    """Every article the query matches, page by page."""
    out: list[Article] = []
    page = replace(query, size=PAGE, highlight=False, facets=[], search_after=None)
    while True:
        result = store.search(page)
        out += [h.article for h in result.hits]
        if not result.next_after or len(result.hits) < PAGE:
            return out
        page = replace(page, search_after=result.next_after)


def _period(articles: list[Article]) -> Period:
    return Period(
        len(articles),
        dict(Counter(a.tone or "unknown" for a in articles)),
        dict(Counter(a.topic or "unknown" for a in articles)),
        len({a.source for a in articles}),
    )


def compute(
    store: Store, month: str, watchlist: Watchlist | None = None, review: AnnotationStore | None = None
) -> Briefing:
    start, end = month_range(month)
    rule = watchlist.rule if watchlist else WatchRule()
    base = (
        rule_query(rule, date_from=start, date_to=end) if watchlist else Query(date_from=start, date_to=end)
    )
    prev_start, prev_end = month_range(previous_month(start))
    articles = _all(store, base)
    before = _all(store, replace(base, date_from=prev_start, date_to=prev_end))
    evidence: dict[str, Evidence] = {}

    def cite(key: str, label: str, members: list[Article], **filters: Any) -> str:
        # A watchlist's own tone or entity cannot be widened by a figure's filter; such a figure
        # cites its articles by id within the watchlist's query instead.
        tones, entity = filters.get("tones"), filters.get("entity")
        conflict = bool(base.tones and tones and not set(tones) <= set(base.tones)) or bool(
            base.entity and entity and entity != base.entity)
        by_id = replace(base, ids=[a.id for a in members] or ["none"])
        query = by_id if conflict else replace(base, **filters)
        evidence[key] = Evidence(key, label, len(members), _query_dict(query), [a.id for a in members])
        return key

    cite("total", "Tổng số bài viết trong tháng", articles)
    cite("total-previous", "Tổng số bài viết tháng trước", before, date_from=prev_start, date_to=prev_end)
    by_tone: dict[str, list[Article]] = defaultdict(list)
    by_topic: dict[str, list[Article]] = defaultdict(list)
    by_source: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_tone[a.tone or "unknown"].append(a)
        by_topic[a.topic or "unknown"].append(a)
        by_source[a.source].append(a)
    for tone in TONES:
        cite(f"tone-{tone}", f"Bài viết {TONES[tone].lower()}", by_tone.get(tone, []), tones=[tone])
    for topic in TOPICS:
        if by_topic.get(topic):
            cite(f"topic-{topic}", f"Chủ đề {TOPICS[topic]}", by_topic[topic], topics=[topic])

    # Weeks start on Monday, clipped to the month; times are Vietnam time.
    weeks = []
    day = start
    while day <= end:
        stop = min(end, day + timedelta(days=6 - day.weekday()))
        lo = datetime.combine(day, time.min, VN_TZ)
        hi = datetime.combine(stop, time.max, VN_TZ)
        members = [a for a in articles if a.published_at and lo <= a.published_at <= hi]
        cite(
            f"week-{day.isoformat()}", f"Tuần {day:%d/%m}–{stop:%d/%m}", members, date_from=day, date_to=stop
        )
        weeks.append((day, stop, dict(Counter(a.tone or "unknown" for a in members))))
        day = stop + timedelta(days=1)

    clusters: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        if a.cluster_id:
            clusters[a.cluster_id].append(a)
    stories = []
    ranked = sorted(clusters.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for cid, members in ranked[:TOP_STORIES]:
        if len(members) < 2:
            break
        first = min(members, key=lambda a: (a.published_at or a.fetched_at, a.id))
        key = cite(f"story-{cid}", f"Sự kiện: {first.cluster_title or first.title}", members, cluster_id=cid)
        stories.append(
            Story(
                cid,
                first.cluster_title or first.title,
                len(members),
                sorted({a.source for a in members}),
                first.source,
                first.published_at,
                dict(Counter(a.tone or "unknown" for a in members)),
                key,
            )
        )

    named: dict[str, list[Article]] = defaultdict(list)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for a in articles:
        for e in a.entities:
            kinds[e.name][e.type] += 1
        for name in {e.name for e in a.entities}:
            named[name].append(a)
    entities = []
    for name, members in sorted(named.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOP_ENTITIES]:
        key = cite(f"entity-{name}", f"Thực thể: {name}", members, entity=name)
        entities.append(
            EntityRow(
                name,
                kinds[name].most_common(1)[0][0],
                len(members),
                dict(Counter(a.tone or "unknown" for a in members)),
                key,
            )
        )

    outlets = []
    for source, members in sorted(by_source.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        key = cite(f"outlet-{source}", f"Cơ quan báo: {source}", members, sources=[source])
        outlets.append(
            OutletRow(source, members[0].tier, len(members), sum(a.tone == "negative" for a in members), key)
        )

    # Needing attention: flagged items, and negative matches of the watchlists.
    reasons: dict[str, list[str]] = defaultdict(list)
    flagged = [a for a in articles if a.flag in FLAGS]
    cite("flagged", "Bài viết được gắn nhãn", flagged, flags=list(FLAGS))
    for a in flagged:
        reasons[a.id].append(FLAGS[a.flag or ""])
    for w in review.watchlists() if review else []:
        if watchlist and w.id != watchlist.id:
            continue
        if w.rule.tones and "negative" not in w.rule.tones:
            continue
        q = replace(rule_query(w.rule, date_from=start, date_to=end), tones=["negative"])
        members = _all(store, q)
        evidence[f"watch-{w.id}"] = Evidence(
            f"watch-{w.id}",
            f"Danh sách theo dõi: {w.name} (tiêu cực)",
            len(members),
            _query_dict(q),
            [a.id for a in members],
        )
        for a in members:
            reasons[a.id].append(w.name)
    by_id = {a.id: a for a in articles}
    for aid in reasons:
        if aid not in by_id:  # a watchlist match outside this report's scope
            found = store.get(aid)
            if found:
                by_id[aid] = found
    notes = review.notes(list(reasons)) if review else {}
    attention_ids = sorted(reasons, key=lambda i: by_id[i].published_at or by_id[i].fetched_at, reverse=True)
    attention = [AttentionRow(by_id[i], reasons[i], notes.get(i, [])) for i in attention_ids[:ATTENTION_ROWS]]

    month_start = datetime.combine(start, time.min, VN_TZ)
    month_end = datetime.combine(end + timedelta(days=1), time.min, VN_TZ)
    activity = review.activity(month_start, month_end) if review else {}
    return Briefing(
        month,
        start,
        end,
        watchlist.name if watchlist else "toàn bộ báo chí",
        _period(articles),
        _period(before),
        weeks,
        stories,
        attention,
        len(reasons),
        entities,
        outlets,
        activity,
        evidence,
        datetime.now(VN_TZ),
    )
