"""The query API shared by both stores: what to find, and what comes back."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Literal

from duluan.record import Article
from nlp.normalize import fold, has_diacritics, normalize_text

# Highlight markers: private-use characters, so snippets are escaped before <mark> goes in.
MARK_START, MARK_END = "\ue000", "\ue001"

FACETABLE = ("source", "tier", "section", "topic", "tone", "review_state", "cluster_id",
             "keywords", "authors", "entities", "status", "flag")


@dataclass(frozen=True)
class Term:
    """A word or quoted phrase. Typed with diacritics it matches them exactly; typed
    without, it matches the folded text, so "ha noi" finds "Hà Nội"."""

    text: str
    phrase: bool = False

    @property
    def folded(self) -> bool:
        words = self.text.split()
        return not all(has_diacritics(w) for w in words)

    @property
    def match_text(self) -> str:
        return fold(self.text) if self.folded else self.text


@dataclass
class ParsedQuery:
    must: list[list[Term]] = field(default_factory=list)  # AND of OR-groups
    must_not: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.must


_WORDS = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*")


def parse_text(text: str) -> ParsedQuery:
    """Words are ANDed; "quoted phrases", OR between terms, and -word or NOT word to exclude."""
    out = ParsedQuery()
    text = normalize_text(text)
    try:
        tokens = shlex.split(text, posix=True)
        quoted = {m.group(1) for m in re.finditer(r'"([^"]+)"', text)}
    except ValueError:  # unbalanced quote: treat the text as plain words
        tokens, quoted = text.replace('"', " ").split(), set()
    negate = join_or = False
    for token in tokens:
        if token == "OR":
            join_or = bool(out.must)
            continue
        if token in ("AND", "&&"):
            continue
        if token == "NOT":
            negate = True
            continue
        if token.startswith("-") and len(token) > 1:
            negate, token = True, token[1:]
        is_phrase = token in quoted and " " in token
        words = _WORDS.findall(token)
        if not words:
            continue
        terms = [Term(" ".join(words), phrase=True)] if is_phrase else [Term(w) for w in words]
        if negate:
            out.must_not.extend(terms)
        elif join_or and out.must:
            out.must[-1].extend(terms[:1])
            out.must.extend([t] for t in terms[1:])
        else:
            out.must.extend([t] for t in terms)
        negate = join_or = False
    return out


def _as_datetime(value: date | datetime | None, end: bool = False) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.max if end else time.min)
    if value.tzinfo is None:
        from crawlers.dates import VN_TZ

        value = value.replace(tzinfo=VN_TZ)
    return value.astimezone(UTC)


@dataclass
class Query:
    text: str = ""
    date_from: date | datetime | None = None
    date_to: date | datetime | None = None  # inclusive
    sources: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    tones: list[str] = field(default_factory=list)
    entity: str | None = None
    review_states: list[str] = field(default_factory=list)
    cluster_id: str | None = None
    ids: list[str] = field(default_factory=list)
    sort: Literal["newest", "relevance"] = "newest"
    size: int = 20
    search_after: list | None = None
    facets: list[str] = field(default_factory=list)
    highlight: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.facets) - set(FACETABLE)
        if unknown:
            raise ValueError(f"cannot facet on {sorted(unknown)}; choose from {FACETABLE}")

    @property
    def parsed(self) -> ParsedQuery:
        return parse_text(self.text)

    @property
    def utc_from(self) -> datetime | None:
        return _as_datetime(self.date_from)

    @property
    def utc_to(self) -> datetime | None:
        return _as_datetime(self.date_to, end=True)


@dataclass
class Hit:
    article: Article
    score: float | None = None
    highlights: dict[str, list[str]] = field(default_factory=dict)  # with MARK_START/MARK_END


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    next_after: list | None = None  # pass as search_after for the next page
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
