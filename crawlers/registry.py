"""The outlet registry: one TOML file per outlet in `crawlers/sources/`, validated on load."""

from __future__ import annotations

import json
import re
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator, model_validator


class RegistryError(ValueError):
    """A source file is malformed; the message names the file and the field."""


class Feed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: HttpUrl
    section: str | None = None


class Rules(BaseModel):
    """CSS selectors for the outlet's article pages. Unset ones fall back to generic rules."""

    model_config = ConfigDict(extra="forbid")
    # Which of the outlet's page templates these rules read ("2026"); recorded with each article
    # they extract, so that a template change shows in the share of articles per rule set.
    template: str | None = None
    title: str | None = None
    sapo: str | None = None
    body: str | None = None
    paragraphs: str = "p, h2, h3, h4"
    authors: str | None = None
    date: str | None = None
    section: str | None = None
    tags: str | None = None
    captions: str = "figcaption"
    remove: list[str] = Field(default_factory=list)
    # A regex with one group of digits (YYYYMMDDhhmm[ss]) when the URL carries the time.
    date_in_url: str | None = None
    # Prefixes to strip from the lead, e.g. the "(Dân trí) - " dateline.
    sapo_prefix: str | None = None


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    home: HttpUrl
    domains: list[str] = Field(min_length=1)
    tier: Literal["central", "provincial"]
    language: str = "vi"
    active: bool = True
    crawl_delay: float = Field(1.0, ge=0)
    concurrency: int = Field(2, ge=1, le=16)
    feeds: list[Feed] = Field(default_factory=list)
    sitemaps: list[HttpUrl] = Field(default_factory=list)
    listings: list[HttpUrl] = Field(default_factory=list)
    article_url: str
    # A real article address of the outlet: the pattern and the domains are checked against it.
    example_url: HttpUrl
    notes: str | None = None  # e.g. how far the rules have been checked against real pages
    rules: Rules = Field(default_factory=Rules)
    # Rules for the outlet's earlier templates, newest first: tried in turn when `rules` finds no
    # article, since old pages stay online after a redesign.
    older_rules: list[Rules] = Field(default_factory=list)
    # The outlet's own sections that mean one topic, as labels for training (`duluan train topic
    # --from-crawl`): a URL's first path segment ("giao-duc-huong-nghiep") or the section name
    # the article page gives ("Giáo dục"), onto a topic slug. Sections spanning topics stay out.
    section_topics: dict[str, str] = Field(default_factory=dict)

    @field_validator("section_topics")
    @classmethod
    def _slugs(cls, value: dict[str, str]) -> dict[str, str]:
        for section, topic in value.items():
            if not re.fullmatch(r"[a-z]+(?:-[a-z]+)*", topic):
                raise ValueError(f"{section!r} maps to {topic!r}, which is not a topic slug")
        return {section.casefold(): topic for section, topic in value.items()}

    @field_validator("article_url")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value

    @model_validator(mode="after")
    def _example_is_an_article(self) -> Source:
        example = str(self.example_url)
        if not self.owns(example):
            raise ValueError(f"field 'example_url': {example} is not on the outlet's domains")
        if not self.is_article(example):
            raise ValueError(f"field 'example_url': {example} does not match field 'article_url'")
        if not (self.feeds or self.sitemaps or self.listings):
            raise ValueError("fields 'feeds', 'sitemaps', 'listings': none given, so nothing finds articles")
        return self

    @property
    def rule_sets(self) -> list[Rules]:
        return [self.rules, *self.older_rules]

    def owns(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def is_article(self, url: str) -> bool:
        return re.search(self.article_url, url) is not None

    def section_topic(self, url: str, section: str | None) -> str | None:
        """The topic the outlet's own section gives an article, if section_topics maps it: the
        URL's first path segment first (fixed by the outlet's site map), then the section name."""
        segments = [p for p in urlsplit(url).path.split("/") if p]
        first = segments[0].casefold() if len(segments) > 1 else ""
        name = (section or "").strip().casefold()
        return self.section_topics.get(first) or self.section_topics.get(name)


def load_source(path: Path) -> Source:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from exc
    try:
        source = Source.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"field '{'.'.join(map(str, e['loc']))}': {e['msg']}" if e["loc"] else e["msg"]
            for e in exc.errors()
        )
        raise RegistryError(f"{path}: {problems}") from exc
    if source.id != path.stem:
        raise RegistryError(f"{path}: field 'id' is {source.id!r} but the file is named {path.stem!r}")
    return source


class Registry:
    def __init__(self, sources: list[Source]) -> None:
        self.sources = {s.id: s for s in sources}

    @classmethod
    def load(cls, folder: Path | None = None) -> Registry:
        folder = folder or Path(str(resources.files("duluan.crawlers").joinpath("sources")))
        return cls([load_source(p) for p in sorted(folder.glob("*.toml"))])

    def __getitem__(self, source_id: str) -> Source:
        try:
            return self.sources[source_id]
        except KeyError:
            raise KeyError(f"no source {source_id!r}; known: {', '.join(sorted(self.sources))}") from None

    def with_overrides(self, path: Path | str | None) -> Registry:
        """The registry with an operator's changes from the data directory applied: editors turn
        outlets on and off in the review app without editing the shipped files."""
        if not path or not Path(path).exists():
            return self
        changes = json.loads(Path(path).read_text("utf-8"))
        return Registry([
            s.model_copy(update={k: v for k, v in changes.get(s.id, {}).items() if k in OVERRIDABLE})
            for s in self.sources.values()
        ])

    def active(self) -> list[Source]:
        return [s for s in self.sources.values() if s.active]

    def for_url(self, url: str) -> Source | None:
        return next((s for s in self.sources.values() if s.owns(url)), None)


OVERRIDABLE = ("active", "crawl_delay")


def save_override(path: Path | str, source_id: str, **changes: object) -> None:
    unknown = set(changes) - set(OVERRIDABLE)
    if unknown:
        raise ValueError(f"cannot override {sorted(unknown)}; only {', '.join(OVERRIDABLE)}")
    path = Path(path)
    data = json.loads(path.read_text("utf-8")) if path.exists() else {}
    data.setdefault(source_id, {}).update(changes)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    tmp.replace(path)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return Registry.load()
