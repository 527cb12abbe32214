"""The news spider: registry feeds -> article pages -> extracted articles or counted rejects."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Generator, Iterator
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap
from twisted.internet import defer
from twisted.internet.error import ConnectionRefusedError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from duluan.core.record import article_id, utcnow
from duluan.crawlers.dates import parse_iso
from duluan.crawlers.feeds import FeedEntry, parse_feed
from duluan.crawlers.items import ArticleItem, DiscoveryItem, GoneItem, RejectItem
from duluan.crawlers.middlewares import AlreadySeen, BlockedAddress
from duluan.crawlers.registry import Registry, Source, default_registry
from duluan.crawlers.rejects import GoneReason, RejectReason, http_reason
from duluan.crawlers.store import CrawlStore
from duluan.crawlers.urls import canonicalize
from duluan.crawlers.workers import Extractor


def content_hash(title: str, sapo: str, body: str) -> str:
    return hashlib.sha256("\x1f".join((title, sapo, body)).encode("utf-8")).hexdigest()[:32]


class NewsSpider(scrapy.Spider):
    name = "news"
    custom_settings: dict[str, Any] = {}

    def __init__(self, sources: str = "all", registry: Registry | None = None, recheck_days: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.recheck_days = int(recheck_days)
        self.registry = registry or default_registry()
        wanted = self.registry.active() if sources == "all" else [
            self.registry[s] for s in sources.split(",") if s
        ]
        self.sources: list[Source] = wanted
        self.extractor: Extractor | None = None  # started with the first article page
        self._store: CrawlStore | None = None

    @property
    def store(self) -> CrawlStore:
        """What the spider reads to plan its requests (frontier, validators, recent articles);
        everything it finds goes to the store pipeline as items, which alone writes."""
        if self._store is None:
            self._store = CrawlStore(self.settings["DULUAN_CRAWL_DB"])
        return self._store

    def closed(self, reason: str) -> None:
        if self.extractor is not None:
            self.extractor.close()
        if self._store is not None:
            self._store.close()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Each outlet's hosts get the registry's delay and concurrency (Scrapy's download slots)."""
        super().update_settings(settings)
        registry = default_registry().with_overrides(settings.get("DULUAN_SOURCE_OVERRIDES"))
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        for source in registry.sources.values():
            for domain in source.domains:
                for host in (domain, f"www.{domain}"):
                    slots.setdefault(host, {"concurrency": source.concurrency, "delay": source.crawl_delay,
                                            "randomize_delay": True})
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        if kwargs.get("registry") is None:
            overrides = crawler.settings.get("DULUAN_SOURCE_OVERRIDES")
            kwargs["registry"] = default_registry().with_overrides(overrides)
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        ids = {s.id for s in self.sources}
        for source in self.sources:
            discovery = [(str(f.url), "feed", f.section) for f in source.feeds]
            discovery += [(str(u), "sitemap", None) for u in source.sitemaps]
            discovery += [(str(u), "listing", None) for u in source.listings]
            for url, kind, section in discovery:
                yield self._discovery_request(url, kind, source.id, section)
        if self.recheck_days:
            # Stored articles of the last days, fetched again: edited text, or taken down.
            for article_id, url, source_id in self.store.recent(self.recheck_days, ids):
                self.crawler.stats.inc_value("duluan/recheck/queued")
                yield scrapy.Request(
                    url, callback=self.parse_recheck, errback=self.failed, dont_filter=True,
                    meta={"source": source_id, "article_id": article_id, "canonical_url": url,
                          "recheck": True, "handle_httpstatus_list": [404, 410]},
                )
        # Links an earlier, interrupted run found but did not finish.
        for url, source_id, section in self.store.frontier(ids):
            self.crawler.stats.inc_value("duluan/frontier/resumed")
            yield self._article_request(url, source_id, section, None)

    def _discovery_request(self, url: str, kind: str, source_id: str, section: str | None) -> scrapy.Request:
        """A feed, sitemap or listing page, fetched with the validators of the last visit."""
        etag, modified = self.store.validators(url)
        headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", modified)) if v}
        return scrapy.Request(
            url, callback=self.parse_discovery, errback=self.failed, headers=headers, dont_filter=True,
            meta={"source": source_id, "section": section, "discovery": kind,
                  "handle_httpstatus_list": [304]},
        )

    def _article_request(self, url: str, source_id: str, section: str | None, entry: Any) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_article, errback=self.failed,
            meta={"source": source_id, "section": section, "article": True, "canonical_url": url,
                  "entry": entry},
        )

    def parse_discovery(self, response: Response) -> Iterator[scrapy.Request | RejectItem | DiscoveryItem]:
        kind = response.meta["discovery"]
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value(f"duluan/{kind}s/not_modified")
            yield DiscoveryItem(url=response.url, source=response.meta["source"], etag=None,
                                last_modified=None, links=[], not_modified=True)
            return
        stats.inc_value(f"duluan/{kind}s/read")
        source = self.registry[response.meta["source"]]
        if kind == "feed":
            links = self._feed_links(response)
        elif kind == "sitemap":
            links = yield from self._sitemap_links(response, source)
        else:
            links = self._listing_links(response)
        found: dict[str, FeedEntry | None] = {}
        for url, entry in links:
            url = canonicalize(url)
            if not source.is_article(url):
                if kind == "feed":  # a feed lists articles: anything else is worth a look
                    yield RejectItem(url=url, source=source.id, reason=RejectReason.NOT_ARTICLE_URL,
                                     detail="feed link does not match the outlet's article pattern")
                continue  # sitemaps and listings also link sections, tags, videos
            found.setdefault(url, entry)
        section = response.meta.get("section")
        # Yielded before the article requests: the store pipeline writes the links down before
        # anything is fetched, so however a run ends, the next one resumes from here.
        yield DiscoveryItem(url=response.url, source=source.id, not_modified=False,
                            etag=(response.headers.get("ETag") or b"").decode("latin-1") or None,
                            last_modified=(response.headers.get("Last-Modified") or b"").decode("latin-1")
                            or None,
                            links=[(url, source.id, section) for url in found])
        stats.inc_value("duluan/links/found", len(found))
        for url, entry in found.items():
            yield self._article_request(url, source.id, section, entry)

    def _feed_links(self, response: Response) -> list[tuple[str, FeedEntry | None]]:
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        feed = parse_feed(response.body, response.url, content_type)
        if feed.malformed:
            self.crawler.stats.inc_value("duluan/feeds/malformed")
            self.logger.warning("malformed feed %s: %s (recovered %d entries)",
                                response.url, feed.malformed, len(feed.entries))
        if feed.skipped:
            self.crawler.stats.inc_value("duluan/feeds/entries_without_link", feed.skipped)
        return [(e.url, e) for e in feed.entries]

    def _sitemap_links(self, response: Response, source: Source
                       ) -> Generator[scrapy.Request | RejectItem, None, list[tuple[str, None]]]:
        """Article links of a (news) sitemap; a sitemap index yields its child sitemaps."""
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, ValueError) as exc:
                yield RejectItem(url=response.url, source=source.id, reason=RejectReason.BAD_SITEMAP,
                                 detail=str(exc))
                return []
        try:
            sitemap = Sitemap(body)
            entries = list(sitemap)
        except Exception as exc:  # lxml raises several types on hostile XML  # noqa: BLE001
            yield RejectItem(url=response.url, source=source.id, reason=RejectReason.BAD_SITEMAP,
                             detail=str(exc)[:300])
            return []
        max_age = timedelta(days=self.settings.getint("DULUAN_SITEMAP_MAX_AGE_DAYS", 3))
        cutoff = (utcnow() - max_age).isoformat()
        fresh = []
        for e in entries:
            modified = parse_iso(e.get("lastmod", "")) if e.get("lastmod") else None
            if modified and modified.astimezone(UTC).isoformat() < cutoff:
                self.crawler.stats.inc_value("duluan/sitemaps/old_entries")  # archive, not news
                continue
            fresh.append(e["loc"])
        if sitemap.type == "sitemapindex":
            for url in fresh:
                if source.owns(url):
                    yield self._discovery_request(url, "sitemap", source.id, None)
            return []
        return [(url, None) for url in fresh]

    def _listing_links(self, response: Response) -> list[tuple[str, None]]:
        """Links on a section page, for outlets that publish no feed."""
        if not isinstance(response, TextResponse):
            return []
        return [(response.urljoin(href), None) for href in response.css("a::attr(href)").getall()
                if not href.startswith(("#", "javascript:", "mailto:"))]

    async def parse_recheck(self, response: Response) -> AsyncIterator[ArticleItem | RejectItem | GoneItem]:
        source = self.registry[response.meta["source"]]
        self.crawler.stats.inc_value("duluan/recheck/fetched")
        home = urlsplit(str(source.home))
        landed = urlsplit(response.url)
        reason: GoneReason
        if response.status in (404, 410):
            reason = GoneReason.NOT_FOUND if response.status == 404 else GoneReason.REMOVED
        elif landed.path in ("", "/") or (landed.hostname, landed.path) == (home.hostname, home.path):
            reason = GoneReason.REDIRECT_HOME
        else:
            async for item in self.parse_article(response):  # the store tells edited from unchanged
                yield item
            return
        yield GoneItem(article_id=response.meta["article_id"], url=response.meta["canonical_url"],
                       source=source.id, reason=reason)

    async def parse_article(self, response: Response) -> AsyncIterator[ArticleItem | RejectItem]:
        source = self.registry[response.meta["source"]]
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        if self.extractor is None:
            self.extractor = Extractor(self.settings.getint("DULUAN_EXTRACT_WORKERS"))
        result = await self.extractor(response.body, content_type, response.url, source)
        if result.charset_corrected:
            self.crawler.stats.inc_value("duluan/pages/charset_corrected")
            self.logger.info("%s declared %s but is %s", response.url, content_type, result.encoding)
        extraction = result.extraction
        if extraction is None:
            yield RejectItem(url=response.url, source=source.id, reason=result.reason, detail=result.detail)
            return
        entry = response.meta.get("entry")
        canonical = canonicalize(extraction.canonical_url or response.meta["canonical_url"])
        if not source.owns(canonical):
            canonical = response.meta["canonical_url"]
        body = "\n\n".join(extraction.body)
        yield ArticleItem(
            id=article_id(canonical),
            url=response.url,
            canonical_url=canonical,
            source=source.id,
            tier=source.tier,
            section=extraction.section or response.meta.get("section"),
            title=extraction.title or (entry.title if entry else ""),
            sapo=extraction.sapo or (entry.summary if entry else ""),
            body=body,
            captions=extraction.captions,
            authors=extraction.authors,
            tags=extraction.tags,
            published_at=extraction.published or (entry.published if entry else None),
            fetched_at=utcnow(),
            language=source.language,
            extractor=extraction.extractor,
            content_hash=content_hash(extraction.title, extraction.sapo, body),
        )

    def failed(self, failure: Failure) -> Iterator[RejectItem]:
        if failure.check(AlreadySeen):
            return
        if failure.check(BlockedAddress):
            reason = RejectReason.BLOCKED_ADDRESS
            original = failure.request.url
            yield RejectItem(url=original, source=failure.request.meta.get("source"), reason=reason,
                             detail=str(failure.value)[:300])
            return
        request = failure.request
        response = getattr(failure.value, "response", None)
        message = str(failure.value)
        reason: str
        if response is not None:
            reason = http_reason(response.status)
        elif failure.check(IgnoreRequest) and "robots.txt" in message:
            reason = RejectReason.ROBOTS_DISALLOWED
        elif failure.check(IgnoreRequest) and "max redirections" in message:
            reason = RejectReason.REDIRECT_LOOP
        elif failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError, defer.TimeoutError):
            reason = RejectReason.TIMEOUT
        elif failure.check(DownloadCancelledError, defer.CancelledError) and "max size" in message:
            reason = RejectReason.TOO_LARGE
        elif failure.check(CannotResolveHostError):
            reason = RejectReason.DNS_FAILURE
        elif failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
            reason = RejectReason.CONNECTION_REFUSED
        else:
            reason = RejectReason.FETCH_ERROR
        yield RejectItem(url=request.url, source=request.meta.get("source"), reason=reason,
                         detail=f"{type(failure.value).__name__}: {failure.value}"[:300])
