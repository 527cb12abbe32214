"""The query API shared by both stores: what to find, and what comes back."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from duluan.core.normalize import fold, has_diacritics, normalize_text
from duluan.core.record import VN_TZ, Article

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
    field: str | None = None  # "title", "sapo" or "body" to search one field only
    word: bool = False  # a word of several syllables that segmenting the query found

    @property
    def segmented(self) -> str:
        """The word as the segmented text writes it: "kinh tế" -> "kinh_tế"."""
        return "_".join(self.text.split())

    @property
    def folded(self) -> bool:
        words = self.text.split()
        if self.word:  # found in a query typed with diacritics: "kinh tế" is exact, though "kinh" has none
            return not any(has_diacritics(w) for w in words)
        return not all(has_diacritics(w) for w in words)

    @property
    def match_text(self) -> str:
        return fold(self.text) if self.folded else self.text

    def fields(self) -> list[str]:
        """The record fields this term searches, with boosts as `name^n`."""
        if self.folded:
            return ["title_folded"] if self.field == "title" else (
                ["text_folded"] if self.field else ["title_folded^3", "text_folded"])
        return [self.field] if self.field else ["title^3", "sapo^2", "body"]


@dataclass
class ParsedQuery:
    must: list[list[Term]] = field(default_factory=list)  # AND of OR-groups
    must_not: list[Term] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)  # from field:value prefixes

    @property
    def empty(self) -> bool:
        return not self.must


_WORDS = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*")
TEXT_PREFIXES = ("title", "sapo", "body")
# Prefix -> Query filter attribute; values are matched exactly (slugs, ids, names).
FILTER_PREFIXES = {"source": "sources", "tier": "tiers", "topic": "topics", "tone": "tones",
                   "entity": "entity", "review": "review_states", "cluster": "cluster_id",
                   "flag": "flags"}


OPERATORS = ("OR", "AND", "&&", "NOT")


def _segment_runs(tokens: list[str], quoted: set[str]) -> tuple[list[str], set[str]]:
    """Runs of plain words, segmented, so that "kinh tế" asks for the word kinh_tế and not
    for "kinh" and "tế" anywhere in the article. A run typed with diacritics is segmented as
    the articles are; one typed without, by underthesea's word list folded ("kinh te" is a word
    there, "gia vang" is not), since the segmenter reads such text poorly. Returns the new
    tokens and the words of several syllables among them. A run ends at an operator, a quoted
    phrase, a prefix or an excluded word: "kinh AND tế" keeps two words."""
    from duluan.nlp.segment import segment, segment_folded

    out: list[str] = []
    words: set[str] = set()
    run: list[str] = []

    def flush() -> None:
        if len(run) > 1:
            if any(has_diacritics(w) for w in run):
                segmented = segment(" ".join(run))
            else:
                segmented = segment_folded(" ".join(w for t in run for w in _WORDS.findall(t)))
            for word in segmented.split():
                out.append(word.replace("_", " "))
                if "_" in word:
                    words.add(out[-1])
        else:
            out.extend(run)
        run.clear()

    for i, token in enumerate(tokens):
        plain = (token not in OPERATORS and token not in quoted and not token.startswith("-")
                 and ":" not in token and (i == 0 or tokens[i - 1] != "NOT"))
        if plain:
            run.append(token)
        else:
            flush()
            out.append(token)
    flush()
    return out, words


MAX_QUERY_CHARS = 4000  # a watchlist's keywords included; far beyond any typed search


class QueryTooLong(ValueError):
    def __init__(self, length: int) -> None:
        super().__init__(f"the query is {length:,} characters long; at most {MAX_QUERY_CHARS:,} are allowed")
        self.length = length


def parse_text(text: str) -> ParsedQuery:
    """Words are ANDed; "quoted phrases", OR between terms, -word or NOT word to exclude;
    title:/sapo:/body: search one field, source:/topic:/tone:/tier:/entity: filter. The words
    are segmented first: a word of several syllables is matched whole."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooLong(len(text))
    out = ParsedQuery()
    text = normalize_text(text)
    try:
        tokens = shlex.split(text, posix=True)
        quoted = {m.group(1) for m in re.finditer(r'"([^"]+)"', text)}
    except ValueError:  # unbalanced quote: treat the text as plain words
        tokens, quoted = text.replace('"', " ").split(), set()
    tokens, segmented_words = _segment_runs(tokens, quoted)
    negate = join_or = False
    for token in tokens:
        prefix, sep, rest = token.partition(":")
        if sep and rest and prefix.lower() in FILTER_PREFIXES:
            out.filters.setdefault(prefix.lower(), []).append(rest)
            continue
        field_name = None
        if sep and rest and prefix.lower() in TEXT_PREFIXES:
            field_name, token = prefix.lower(), rest
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
        is_word = token in segmented_words
        is_phrase = is_word or (token in quoted and " " in token)
        words = _WORDS.findall(token)
        if not words:
            continue
        terms = ([Term(" ".join(words), phrase=True, field=field_name, word=is_word)] if is_phrase
                 else [Term(w, field=field_name) for w in words])
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
    cluster_ids: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    sort: Literal["newest", "relevance"] = "newest"
    size: int = 20
    search_after: list | None = None
    facets: list[str] = field(default_factory=list)
    facet_size: int = 50
    highlight: bool = True
    # Counts per day, week or month (Vietnam time), optionally split by a facetable field.
    histogram: Literal["day", "week", "month"] | None = None
    histogram_by: str | None = None
    # Keywords unusually frequent in this query's date range against the weeks before it.
    significant: bool = False
    background_weeks: int = 4

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):  # ISO text, as saved queries and JSON carry them
            value = getattr(self, name)
            if isinstance(value, str):
                parse = datetime.fromisoformat if "T" in value else date.fromisoformat
                setattr(self, name, parse(value))
        unknown = set(self.facets) - set(FACETABLE)
        if unknown:
            raise ValueError(f"cannot facet on {sorted(unknown)}; choose from {FACETABLE}")
        if self.histogram_by and self.histogram_by not in FACETABLE:
            raise ValueError(f"cannot split a histogram by {self.histogram_by}")
        if not 0 <= self.size <= 10_000:
            raise ValueError(f"size must be between 0 and 10,000, not {self.size}")
        if self.significant and self.date_from is None:
            raise ValueError("significant terms need date_from: the period to compare")
        parsed = parse_text(self.text)
        self._parsed = parsed
        for prefix, values in parsed.filters.items():
            attr = FILTER_PREFIXES[prefix]
            if attr in ("entity", "cluster_id"):
                setattr(self, attr, values[-1])
            else:
                setattr(self, attr, sorted({*getattr(self, attr), *values}))

    @property
    def parsed(self) -> ParsedQuery:
        return self._parsed

    def exact_filters(self) -> list[tuple[str, list[str]]]:
        """(field, values it may take) for every exact-match filter this query sets, each one
        ANDed with the others: the one list both stores translate (terms queries, IN clauses)."""
        pairs = [("source", self.sources), ("tier", self.tiers), ("topic", self.topics),
                 ("tone", self.tones), ("review_state", self.review_states), ("id", self.ids),
                 ("cluster_id", self.cluster_ids), ("flag", self.flags),
                 ("cluster_id", [self.cluster_id] if self.cluster_id else [])]
        return [(name, list(values)) for name, values in pairs if values]

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
class Bucket:
    start: str  # YYYY-MM-DD, Vietnam time: the day, the week's Monday or the month's first
    count: int
    by: dict[str, int] = field(default_factory=dict)


@dataclass
class SignificantTerm:
    term: str
    count: int  # articles in the period with this keyword
    background: int  # articles in the preceding weeks with it
    score: float


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    next_after: list | None = None  # pass as search_after for the next page
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    histogram: list[Bucket] = field(default_factory=list)
    significant: list[SignificantTerm] = field(default_factory=list)


def background_range(query: Query) -> dict[str, datetime]:
    """The weeks before the query's period, for significant terms."""
    start = query.utc_from
    assert start is not None
    return {"date_from": start - timedelta(weeks=query.background_weeks),
            "date_to": start - timedelta(microseconds=1)}


def significant_terms(fg: dict[str, int], fg_total: int, bg: dict[str, int], bg_total: int,
                      size: int, min_count: int = 3) -> list[SignificantTerm]:
    """JLH scoring, as Elasticsearch's significant_terms does: (fg% - bg%) * fg% / bg%."""
    out = []
    for term, count in fg.items():
        if count < min_count or not fg_total:
            continue
        fg_pct = count / fg_total
        bg_pct = (bg.get(term, 0) + 1) / (bg_total + 1)  # smoothed: unseen before is not infinite
        if fg_pct > bg_pct:
            out.append(SignificantTerm(term, count, bg.get(term, 0),
                                       round((fg_pct - bg_pct) * fg_pct / bg_pct, 6)))
    out.sort(key=lambda t: (-t.score, t.term))
    return out[:size]
