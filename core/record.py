"""The article record, defined once.

Every field carries an `index` kind in its metadata. The Scrapy item
(`crawlers.items`), the search-engine mapping (`index.mapping`) and the embedded
SQLite schema (`index.sqlite_store`) are all derived from `Article.model_fields`,
so adding a field here adds it everywhere.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationInfo, field_validator

from duluan.core.normalize import normalize_text


class Kind(StrEnum):
    """How a field is stored and searched."""

    KEYWORD = "keyword"  # exact value, facetable
    KEYWORDS = "keywords"  # list of exact values
    TEXT = "text"  # Vietnamese text, syllable-level matching (standard analyzer)
    TEXTS = "texts"  # list of texts
    SEGMENTED = "segmented"  # words already joined by "_", split on whitespace
    FOLDED = "folded"  # text without diacritics, for accent-free queries
    DATE = "date"
    FLOAT = "float"
    BOOL = "bool"
    SCORES = "scores"  # label -> probability, stored not indexed
    ENTITIES = "entities"  # list of {name, type}


def _f(kind: Kind, default: Any = None, **kw: Any) -> Any:
    return Field(default, json_schema_extra={"index": kind.value}, **kw)


def _fl(kind: Kind, **kw: Any) -> Any:
    return Field(default_factory=list, json_schema_extra={"index": kind.value}, **kw)


class Entity(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    type: str  # PER, ORG, LOC


class ReviewState(StrEnum):
    NEW = "new"
    REVIEWED = "reviewed"


class LabelSource(StrEnum):
    """Who set a topic or tone: the classifier, or a reviewer (whose label no rerun overwrites)."""

    MODEL = "model"
    HUMAN = "human"


class Status(StrEnum):
    LIVE = "live"
    EDITED = "edited"
    GONE = "gone"  # taken down by the outlet


# Vietnam has one time zone and no daylight saving; naive times from Vietnamese pages mean it.
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def article_id(canonical_url: str) -> str:
    """Stable id: a short hash of the canonical URL."""
    return hashlib.blake2b(canonical_url.encode("utf-8"), digest_size=12).hexdigest()


class Article(BaseModel):
    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    # identity
    id: str = _f(Kind.KEYWORD)
    url: str = _f(Kind.KEYWORD)
    canonical_url: str = _f(Kind.KEYWORD)
    source: str = _f(Kind.KEYWORD, description="outlet id from the registry")
    tier: str = _f(Kind.KEYWORD, "central", description="central or provincial")
    section: str | None = _f(Kind.KEYWORD)

    # content
    title: str = _f(Kind.TEXT)
    sapo: str = _f(Kind.TEXT, "")
    body: str = _f(Kind.TEXT, "", description="paragraphs separated by blank lines")
    captions: list[str] = _fl(Kind.TEXTS)
    authors: list[str] = _fl(Kind.KEYWORDS)
    tags: list[str] = _fl(Kind.KEYWORDS)
    published_at: AwareDatetime | None = _f(Kind.DATE)
    fetched_at: AwareDatetime = _f(Kind.DATE)
    language: str = _f(Kind.KEYWORD, "vi")
    extractor: str = _f(Kind.KEYWORD, "rules",
                        description="rules, rules:<template> (an outlet's named rule set), fallback, or "
                                    "fallback:rules-short (the rules read far less than the page held)")
    content_hash: str = _f(Kind.KEYWORD, "")

    # NLP
    text_segmented: str = _f(Kind.SEGMENTED, "")
    title_folded: str = _f(Kind.FOLDED, "")
    text_folded: str = _f(Kind.FOLDED, "")
    keywords: list[str] = _fl(Kind.KEYWORDS)
    entities: list[Entity] = _fl(Kind.ENTITIES)

    # classification
    topic: str | None = _f(Kind.KEYWORD)
    topic_score: float | None = _f(Kind.FLOAT)
    topic_scores: dict[str, float] = Field(
        default_factory=dict, json_schema_extra={"index": Kind.SCORES.value}
    )
    topic_source: LabelSource = _f(Kind.KEYWORD, LabelSource.MODEL)
    tone: str | None = _f(Kind.KEYWORD)
    tone_score: float | None = _f(Kind.FLOAT)
    tone_scores: dict[str, float] = Field(
        default_factory=dict, json_schema_extra={"index": Kind.SCORES.value}
    )
    tone_source: LabelSource = _f(Kind.KEYWORD, LabelSource.MODEL)
    needs_review: bool = _f(Kind.BOOL, False, description="a prediction had low confidence")

    # duplicates and stories
    duplicate_of: str | None = _f(Kind.KEYWORD)
    cluster_id: str | None = _f(Kind.KEYWORD)
    cluster_title: str | None = _f(Kind.KEYWORD, description="the story's representative title")

    # lifecycle and review
    status: Status = _f(Kind.KEYWORD, Status.LIVE)
    review_state: ReviewState = _f(Kind.KEYWORD, ReviewState.NEW)
    flag: str | None = _f(Kind.KEYWORD)
    assignee: str | None = _f(Kind.KEYWORD)

    @field_validator("title", "sapo", "body")
    @classmethod
    def _nfc(cls, value: str, info: ValidationInfo) -> str:
        if info.context and (info.context.get("stored") or info.context.get("normalized")):
            return value  # normalised when it was written, or by the extractor; skip the cost
        return normalize_text(value)

    @field_validator("title")
    @classmethod
    def _title_required(cls, value: str) -> str:
        if not value:
            raise ValueError("empty title")
        return value

    @property
    def text(self) -> str:
        """Title, lead and body: what NLP and classification read."""
        return "\n\n".join(p for p in (self.title, self.sapo, self.body) if p)

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Article:
        """A record read back from a store, which holds only validated, normalised records."""
        for label in ("topic", "tone"):
            # Records stored before `<label>_source` existed marked a reviewer's label only by a
            # score of exactly 1 (the embedded store's migration rewrote its own; the engine's
            # documents are read this way).
            if f"{label}_source" not in data and data.get(f"{label}_score") == 1.0:
                data = {**data, f"{label}_source": LabelSource.HUMAN}
        return cls.model_validate(data, context={"stored": True})

    def to_doc(self) -> dict[str, Any]:
        """JSON-ready dict, the shape both stores write."""
        return self.model_dump(mode="json")


@cache
def field_kinds() -> dict[str, Kind]:
    """Field name -> storage kind, in declaration order. Read-only: the result is shared."""
    kinds: dict[str, Kind] = {}
    for name, info in Article.model_fields.items():
        extra = info.json_schema_extra
        assert isinstance(extra, dict), f"field {name} has no index kind"
        kinds[name] = Kind(extra["index"])
    return kinds


@cache
def _adapter(name: str) -> TypeAdapter:
    return TypeAdapter(Article.model_fields[name].annotation)


def validate_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate a partial update field by field; returns JSON-ready values."""
    unknown = set(fields) - set(Article.model_fields) - {"id"}
    if unknown:
        raise ValueError(f"not article fields: {sorted(unknown)}")
    out = {}
    for name, value in fields.items():
        adapter = _adapter(name)
        out[name] = adapter.dump_python(adapter.validate_python(value), mode="json")
    return out


def utcnow() -> datetime:
    return datetime.now(UTC)
