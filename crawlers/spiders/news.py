"""The news spider: registry feeds -> article pages -> extracted articles or counted rejects."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.extract import Rejected, extract
from crawlers.feeds import parse_feed
from crawlers.items import ArticleItem, GoneItem, RejectItem
from crawlers.middlewares import AlreadySeen, BlockedAddress
from crawlers.registry import Registry, Source, default_registry
from crawlers.store import CrawlStore
from crawlers.urls import canonicalize
from duluan.record import article_id, utcnow


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

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        if kwargs.get("registry") is None:
            overrides = crawler.settings.get("DULUAN_SOURCE_OVERRIDES")
            kwargs["registry"] = default_registry().with_overrides(overrides)
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        store = CrawlStore(self.settings["DULUAN_CRAWL_DB"])
        for source in self.sources:
            for feed in source.feeds:
                url = str(feed.url)
                etag, modified = store.validators(url)
                headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", modified)) if v}
                yield scrapy.Request(
                    url, callback=self.parse_feed, errback=self.failed, headers=headers,
                    meta={"source": source.id, "section": feed.section, "feed": True,
                          "handle_httpstatus_list": [304]},
                    dont_filter=True,
                )
        if self.recheck_days:
            # Stored articles of the last days, fetched again: edited text, or taken down.
            for article_id, url, source_id in store.recent(self.recheck_days, {s.id for s in self.sources}):
                yield scrapy.Request(
                    url, callback=self.parse_recheck, errback=self.failed, dont_filter=True,
                    meta={"source": source_id, "article_id": article_id, "canonical_url": url,
                          "recheck": True, "handle_httpstatus_list": [404, 410]},
                )
        # Links an earlier, interrupted run found but did not finish.
        for url, source_id, section in store.frontier({s.id for s in self.sources}):
            self.crawler.stats.inc_value("duluan/frontier/resumed")
            yield self._article_request(url, source_id, section, None)
        store.close()

    def _article_request(self, url: str, source_id: str, section: str | None, entry: Any) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_article, errback=self.failed,
            meta={"source": source_id, "section": section, "article": True, "canonical_url": url,
                  "entry": entry},
        )

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request | RejectItem]:
        source = self.registry[response.meta["source"]]
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value("duluan/feeds/not_modified")
            return
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        feed = parse_feed(response.body, response.url, content_type)
        stats.inc_value("duluan/feeds/read")
        if feed.malformed:
            stats.inc_value("duluan/feeds/malformed")
            self.logger.warning("malformed feed %s: %s (recovered %d entries)",
                                response.url, feed.malformed, len(feed.entries))
        if feed.skipped:
            stats.inc_value("duluan/feeds/entries_without_link", feed.skipped)
        found = []
        for entry in feed.entries:
            url = canonicalize(entry.url)
            if not source.is_article(url):
                yield RejectItem(url=url, source=source.id, reason="not-article-url",
                                 detail="feed link does not match the outlet's article pattern")
                continue
            found.append((url, entry))
        section = response.meta.get("section")
        # The links are written down before the feed's validators, and both before anything is
        # fetched: however a run ends, the next one resumes from here.
        store = CrawlStore(self.settings["DULUAN_CRAWL_DB"])
        store.add_to_frontier([(url, source.id, section) for url, _ in found])
        store.set_validators(
            response.url,
            (response.headers.get("ETag") or b"").decode("latin-1") or None,
            (response.headers.get("Last-Modified") or b"").decode("latin-1") or None,
        )
        store.close()
        for url, entry in found:
            yield self._article_request(url, source.id, section, entry)

    def parse_recheck(self, response: Response) -> Iterator[ArticleItem | RejectItem | GoneItem]:
        source = self.registry[response.meta["source"]]
        self.crawler.stats.inc_value("duluan/recheck/fetched")
        home = urlsplit(str(source.home))
        landed = urlsplit(response.url)
        if response.status in (404, 410):
            reason = f"http-{response.status}"
        elif landed.path in ("", "/") or (landed.hostname, landed.path) == (home.hostname, home.path):
            reason = "redirect-home"
        else:
            yield from self.parse_article(response)  # the store tells edited from unchanged
            return
        yield GoneItem(article_id=response.meta["article_id"], url=response.meta["canonical_url"],
                       source=source.id, reason=reason)

    def parse_article(self, response: Response) -> Iterator[ArticleItem | RejectItem]:
        source = self.registry[response.meta["source"]]
        try:
            extraction = extract(response.text, response.url, source)
        except Rejected as exc:
            yield RejectItem(url=response.url, source=source.id, reason=exc.reason, detail=exc.detail)
            return
        except (AttributeError, ValueError) as exc:  # undecodable or non-text response
            yield RejectItem(url=response.url, source=source.id, reason="parse-failure", detail=str(exc))
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
            reason = "blocked-address"
            original = failure.request.meta.get("mirror_original_url", failure.request.url)
            yield RejectItem(url=original, source=failure.request.meta.get("source"), reason=reason,
                             detail=str(failure.value)[:300])
            return
        request = failure.request
        response = getattr(failure.value, "response", None)
        if response is not None:
            reason = f"http-{response.status}"
        elif failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            reason = "robots-disallowed"
        else:
            reason = type(failure.value).__name__
        original = request.meta.get("mirror_original_url", request.url)
        yield RejectItem(url=original, source=request.meta.get("source"), reason=reason,
                         detail=str(failure.value)[:300])
