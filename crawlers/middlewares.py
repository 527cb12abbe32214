"""Downloader middlewares: the offline mirror and the persistent seen-URL filter."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawlers.store import CrawlStore


class MirrorMiddleware:
    """Fetch https://host/path from {DULUAN_MIRROR_URL}/host/path instead.

    Sits next to the downloader, so robots.txt, redirects, retries and the spider
    all see the outlet's real URLs; only the bytes come from the mirror.
    """

    def __init__(self, mirror: str) -> None:
        self.mirror = mirror.rstrip("/")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MirrorMiddleware:
        mirror = crawler.settings.get("DULUAN_MIRROR_URL")
        if not mirror:
            raise NotConfigured
        return cls(mirror)

    def process_request(self, request: Request) -> Request | None:
        if "mirror_original_url" in request.meta or request.url.startswith(self.mirror):
            return None
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        mirrored = f"{self.mirror}/{parts.hostname}{path}"
        return request.replace(url=mirrored, meta={**request.meta, "mirror_original_url": request.url})

    def process_response(self, request: Request, response: Response) -> Response:
        original = request.meta.get("mirror_original_url")
        if original is None:
            return response
        # Hand the response back under the real URL, and Scrapy's next hop too.
        location = response.headers.get("Location")
        if location:
            loc = location.decode("latin-1")
            if loc.startswith(self.mirror + "/"):
                host_path = loc[len(self.mirror) + 1:]
                scheme = urlsplit(original).scheme
                response.headers["Location"] = f"{scheme}://{host_path}"
        return response.replace(url=original, request=request.replace(url=original))


class AlreadySeen(IgnoreRequest):
    """The article is stored already; not an error, not a reject."""


class SeenUrlsMiddleware:
    """Skip article pages already stored by an earlier run (incremental crawling)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.store = CrawlStore(crawler.settings["DULUAN_CRAWL_DB"])

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeenUrlsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        canonical = request.meta.get("canonical_url")
        if request.meta.get("article") and canonical and self.store.is_seen(canonical):
            self.stats.inc_value("duluan/skipped/seen")
            raise AlreadySeen(f"already stored: {canonical}")
