"""What a monthly briefing holds, section by section: plain figures, computed once (figures.py) and
then written out as text (document.py) and charts (charts.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from duluan.briefing.evidence import Evidence
from duluan.core.record import Article


@dataclass(kw_only=True)
class Period:
    """A month's articles counted: the summary compares this month's with the previous month's."""

    total: int = 0
    tones: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    outlets: int = 0


@dataclass(kw_only=True)
class Week:
    """A week's tone counts; weeks start on Monday and are clipped to the month."""

    start: date
    end: date
    tones: dict[str, int]

    @property
    def span(self) -> str:
        return f"{self.start:%d/%m}–{self.end:%d/%m}"


@dataclass(kw_only=True)
class Story:
    """An event (a story cluster) that two or more outlets carried."""

    cluster_id: str
    title: str
    articles: int
    outlets: list[str]
    first_source: str
    first_time: datetime | None
    tones: dict[str, int]
    evidence: str


@dataclass(kw_only=True)
class AttentionRow:
    article: Article
    reasons: list[str]  # flag names and watchlist names
    notes: list[tuple[str, str, datetime]]


@dataclass(kw_only=True)
class Attention:
    """Articles needing attention: flagged, or negative matches of a watchlist; newest first."""

    rows: list[AttentionRow]  # the newest, at most ATTENTION_ROWS of them
    total: int  # how many there are in all


@dataclass(kw_only=True)
class EntityRow:
    name: str
    type: str
    articles: int
    tones: dict[str, int]
    evidence: str


@dataclass(kw_only=True)
class OutletRow:
    source: str
    tier: str
    articles: int
    negative: int
    evidence: str


@dataclass(kw_only=True)
class Briefing:
    month: str
    start: date
    end: date
    watchlist: str | None  # the name of the watchlist the report is limited to; None: the whole press
    generated_at: datetime
    current: Period
    previous: Period
    weeks: list[Week]
    stories: list[Story]
    attention: Attention
    entities: list[EntityRow]
    outlets: list[OutletRow]
    activity: dict[str, dict[str, int]]  # reviewer -> action -> count
    evidence: dict[str, Evidence]

    @property
    def empty(self) -> bool:
        return self.current.total == 0
