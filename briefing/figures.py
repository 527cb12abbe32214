"""Every figure of the monthly briefing, computed through the query API so both stores give the
same report. Each figure keeps the query that reproduces it and the article ids behind it.

`compute` fetches the month once and hands it to one function per section of the briefing."""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from duluan.annotations import FLAGS, AnnotationStore, Watchlist
from duluan.annotations.watch import rule_query
from duluan.briefing.evidence import Citations
from duluan.briefing.model import (
    Attention,
    AttentionRow,
    Briefing,
    EntityRow,
    OutletRow,
    Period,
    Story,
    Week,
)
from duluan.classifiers.taxonomy import TONES, TOPICS
from duluan.core.record import VN_TZ, Article
from duluan.index import Query, Store

PAGE = 2000
TOP_STORIES = 10
TOP_ENTITIES = 15
ATTENTION_ROWS = 40


def month_range(month: str) -> tuple[date, date]:
    try:
        year, mon = (int(x) for x in month.split("-"))
        return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])
    except ValueError:
        raise ValueError(f"month must look like 2026-10, not {month!r}") from None


def previous_month(start: date) -> str:
    last = start - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def compute(
    store: Store, month: str, watchlist: Watchlist | None = None, annotations: AnnotationStore | None = None
) -> Briefing:
    start, end = month_range(month)
    prev_start, prev_end = month_range(previous_month(start))
    base = (rule_query(watchlist.rule, date_from=start, date_to=end) if watchlist
            else Query(date_from=start, date_to=end))
    articles = fetch_all(store, base)
    before = fetch_all(store, replace(base, date_from=prev_start, date_to=prev_end))
    citations = Citations(base)
    # Each section cites its figures as it goes: this order is the order of the appendix.
    current, previous = _periods(articles, before, citations, prev_start, prev_end)
    _cite_topics(articles, citations)
    weeks = _weeks(articles, start, end, citations)
    stories = _stories(articles, citations)
    entities = _entities(articles, citations)
    outlets = _outlets(articles, citations)
    attention = _attention(store, articles, citations, annotations, watchlist, start, end)
    return Briefing(
        month=month,
        start=start,
        end=end,
        watchlist=watchlist.name if watchlist else None,
        current=current,
        previous=previous,
        weeks=weeks,
        stories=stories,
        attention=attention,
        entities=entities,
        outlets=outlets,
        activity=_activity(annotations, start, end),
        evidence=citations.evidence,
        generated_at=datetime.now(VN_TZ),
    )


def fetch_all(store: Store, query: Query) -> list[Article]:
    """Every article the query matches, page by page."""
    out: list[Article] = []
    page = replace(query, size=PAGE, highlight=False, facets=[], search_after=None)
    while True:
        result = store.search(page)
        out += [h.article for h in result.hits]
        if not result.next_after or len(result.hits) < PAGE:
            return out
        page = replace(page, search_after=result.next_after)


def _group(articles: Iterable[Article], key: Callable[[Article], str]) -> dict[str, list[Article]]:
    groups: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        groups[key(a)].append(a)
    return groups


def _largest_first(groups: dict[str, list[Article]]) -> list[tuple[str, list[Article]]]:
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def _tone_counts(articles: list[Article]) -> dict[str, int]:
    return dict(Counter(a.tone or "unknown" for a in articles))


def _period(articles: list[Article]) -> Period:
    return Period(
        total=len(articles),
        tones=_tone_counts(articles),
        topics=dict(Counter(a.topic or "unknown" for a in articles)),
        outlets=len({a.source for a in articles}),
    )


# Summary: this month against the previous one, overall and by tone.
def _periods(
    articles: list[Article], before: list[Article], citations: Citations, prev_start: date, prev_end: date
) -> tuple[Period, Period]:
    citations.cite("total", "Tổng số bài viết trong tháng", articles)
    citations.cite("total-previous", "Tổng số bài viết tháng trước", before, date_from=prev_start,
                   date_to=prev_end)
    by_tone = _group(articles, lambda a: a.tone or "unknown")
    for tone in TONES:
        citations.cite(f"tone-{tone}", f"Bài viết {TONES[tone].lower()}", by_tone.get(tone, []), tones=[tone])
    return _period(articles), _period(before)


# Topics: counted in the periods; here each gets its evidence.
def _cite_topics(articles: list[Article], citations: Citations) -> None:
    by_topic = _group(articles, lambda a: a.topic or "unknown")
    for topic in TOPICS:
        if by_topic.get(topic):
            citations.cite(f"topic-{topic}", f"Chủ đề {TOPICS[topic]}", by_topic[topic], topics=[topic])


def _weeks(articles: list[Article], start: date, end: date, citations: Citations) -> list[Week]:
    # Weeks start on Monday, clipped to the month; times are Vietnam time.
    weeks = []
    day = start
    while day <= end:
        stop = min(end, day + timedelta(days=6 - day.weekday()))
        lo = datetime.combine(day, time.min, VN_TZ)
        hi = datetime.combine(stop, time.max, VN_TZ)
        members = [a for a in articles if a.published_at and lo <= a.published_at <= hi]
        week = Week(start=day, end=stop, tones=_tone_counts(members))
        citations.cite(f"week-{day.isoformat()}", f"Tuần {week.span}", members, date_from=day, date_to=stop)
        weeks.append(week)
        day = stop + timedelta(days=1)
    return weeks


def _stories(articles: list[Article], citations: Citations) -> list[Story]:
    """The largest story clusters that two or more articles share."""
    clusters = _group((a for a in articles if a.cluster_id), lambda a: a.cluster_id or "")
    stories = []
    for cid, members in _largest_first(clusters)[:TOP_STORIES]:
        if len(members) < 2:
            break
        first = min(members, key=lambda a: (a.published_at or a.fetched_at, a.id))
        title = first.cluster_title or first.title
        key = citations.cite(f"story-{cid}", f"Sự kiện: {title}", members, cluster_id=cid)
        stories.append(Story(cluster_id=cid, title=title, articles=len(members),
                             outlets=sorted({a.source for a in members}), first_source=first.source,
                             first_time=first.published_at, tones=_tone_counts(members), evidence=key))
    return stories


def _entities(articles: list[Article], citations: Citations) -> list[EntityRow]:
    """The people, organisations and places most articles name; each typed as it is most often tagged."""
    named: dict[str, list[Article]] = defaultdict(list)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for a in articles:
        for e in a.entities:
            kinds[e.name][e.type] += 1
        for name in {e.name for e in a.entities}:
            named[name].append(a)
    rows = []
    for name, members in _largest_first(named)[:TOP_ENTITIES]:
        key = citations.cite(f"entity-{name}", f"Thực thể: {name}", members, entity=name)
        rows.append(EntityRow(name=name, type=kinds[name].most_common(1)[0][0], articles=len(members),
                              tones=_tone_counts(members), evidence=key))
    return rows


def _outlets(articles: list[Article], citations: Citations) -> list[OutletRow]:
    rows = []
    for source, members in _largest_first(_group(articles, lambda a: a.source)):
        key = citations.cite(f"outlet-{source}", f"Cơ quan báo: {source}", members, sources=[source])
        rows.append(OutletRow(source=source, tier=members[0].tier, articles=len(members),
                              negative=sum(a.tone == "negative" for a in members), evidence=key))
    return rows


def _attention(
    store: Store,
    articles: list[Article],
    citations: Citations,
    annotations: AnnotationStore | None,
    watchlist: Watchlist | None,
    start: date,
    end: date,
) -> Attention:
    """Needing attention: flagged articles, and negative matches of the watchlists; newest first."""
    reasons = _flagged(articles, citations)
    for w in annotations.watchlists() if annotations else []:
        if watchlist and w.id != watchlist.id:
            continue  # a watchlist's report lists its own matches only
        for a in _negative_matches(store, w, start, end, citations):
            reasons[a.id].append(w.name)
    by_id = {a.id: a for a in articles}
    for aid in reasons:
        if aid not in by_id:  # a watchlist match outside this report's scope
            found = store.get(aid)
            if found:
                by_id[aid] = found
    notes = annotations.notes(list(reasons)) if annotations else {}
    newest = sorted(reasons, key=lambda i: by_id[i].published_at or by_id[i].fetched_at, reverse=True)
    rows = [AttentionRow(article=by_id[i], reasons=reasons[i], notes=notes.get(i, []))
            for i in newest[:ATTENTION_ROWS]]
    return Attention(rows=rows, total=len(reasons))


def _flagged(articles: list[Article], citations: Citations) -> dict[str, list[str]]:
    """The flag's name for every flagged article, by id; the caller adds watchlist names."""
    reasons: dict[str, list[str]] = defaultdict(list)
    flagged = [a for a in articles if a.flag in FLAGS]
    citations.cite("flagged", "Bài viết được gắn nhãn", flagged, flags=list(FLAGS))
    for a in flagged:
        reasons[a.id].append(FLAGS[a.flag or ""])
    return reasons


def _negative_matches(
    store: Store, w: Watchlist, start: date, end: date, citations: Citations
) -> list[Article]:
    """The watchlist's negative matches of the month, cited by the watchlist's own query."""
    if w.rule.tones and "negative" not in w.rule.tones:
        return []
    query = replace(rule_query(w.rule, date_from=start, date_to=end), tones=["negative"])
    members = fetch_all(store, query)
    citations.record(f"watch-{w.id}", f"Danh sách theo dõi: {w.name} (tiêu cực)", query, members)
    return members


def _activity(annotations: AnnotationStore | None, start: date, end: date) -> dict[str, dict[str, int]]:
    """Per reviewer, how many of each action they took in the month (Vietnam time)."""
    if not annotations:
        return {}
    return annotations.activity(datetime.combine(start, time.min, VN_TZ),
                                datetime.combine(end + timedelta(days=1), time.min, VN_TZ))
