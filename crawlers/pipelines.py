"""Item pipelines: validate against the article record, then store once (or record a reject)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from scrapy import Request, signals
from scrapy.crawler import Crawler

from duluan.core.record import Article
from duluan.crawlers.items import ArticleItem, DiscoveryItem, GoneItem, RejectItem
from duluan.crawlers.rejects import RejectReason
from duluan.crawlers.store import CrawlStore


class ValidationPipeline:
    """ArticleItem -> Article; an invalid one becomes a RejectItem with the failing fields."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        try:
            # The extractor normalised every text field already (crawlers.extract, crawlers.feeds).
            return Article.model_validate(dict(item), context={"normalized": True})
        except ValidationError as exc:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
            return RejectItem(url=item.get("url"), source=item.get("source"),
                              reason=RejectReason.INVALID_RECORD, detail=f"invalid fields: {fields}")


class StorePipeline:
    """The crawl's one writer to the crawl store: articles, rejects, takedowns and discovered
    links, each outcome counted; and redirect loops, which the scheduler only signals."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store: CrawlStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.request_dropped, signal=signals.request_dropped)
        return pipeline

    def request_dropped(self, request: Request) -> None:
        """The scheduler drops a request for a URL this run already asked for. For a link found
        twice that is right; for a redirect it means a loop, which would otherwise vanish."""
        stats = self.crawler.stats
        if not request.meta.get("redirect_times"):
            stats.inc_value("duluan/skipped/duplicate_link")
            return
        assert self.store is not None
        original = request.meta.get("canonical_url") or request.meta.get("redirect_urls", [request.url])[0]
        self.store.reject(original, request.meta.get("source"), RejectReason.REDIRECT_LOOP,
                          f"redirected back to {request.url} after {request.meta['redirect_times']} hops")
        stats.inc_value(f"duluan/rejected/{RejectReason.REDIRECT_LOOP}")

    def open_spider(self) -> None:
        self.store = CrawlStore(self.crawler.settings["DULUAN_CRAWL_DB"])

    def close_spider(self) -> None:
        if self.store:
            self.store.close()

    def process_item(self, item: Any) -> Any:
        assert self.store is not None
        stats = self.crawler.stats
        if isinstance(item, DiscoveryItem):
            if item["not_modified"]:
                self.store.record_read(item["url"], item["source"])
            else:
                self.store.record_discovery(item["url"], item["source"], item["etag"], item["last_modified"],
                                            item["links"])
        elif isinstance(item, GoneItem):
            if self.store.mark_gone(item["article_id"]):
                stats.inc_value("duluan/articles/gone")
        elif isinstance(item, RejectItem):
            self.store.reject(item["url"], item.get("source"), item["reason"], item.get("detail", ""))
            stats.inc_value(f"duluan/rejected/{item['reason']}")
        elif isinstance(item, Article):
            outcome = self.store.save(item)  # a duplicate is recorded as a reject by the store
            stats.inc_value(f"duluan/rejected/{RejectReason.DUPLICATE_CONTENT}" if outcome == "duplicate"
                            else f"duluan/articles/{outcome}")
        return item
