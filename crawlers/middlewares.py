"""Downloader middlewares: the persistent seen-URL filter, the guard that keeps crawls off
private networks, and retries with backoff."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings

from duluan.crawlers.store import CrawlStore


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


class BlockedAddress(IgnoreRequest):
    """The URL points into a private, loopback, link-local or otherwise non-public network."""


class PublicAddressesOnlyMiddleware:
    """Server-side request forgery guard: a feed, a redirect or a page link must not make the
    crawler fetch internal services (cloud metadata at 169.254.169.254, an admin port on
    127.0.0.1, hosts on the LAN). Every request, redirects included, is checked against the
    addresses its host resolves to. `DULUAN_ALLOW_LOOPBACK` admits loopback only, for the tests
    and the demo's mirror. (The socket connects after its own lookup; a host that changes its
    answer in between is not covered, which a proxy that enforces the rule would be.)"""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.allow_loopback = crawler.settings.getbool("DULUAN_ALLOW_LOOPBACK")
        # With a mirror, every request is really fetched from the mirror's address.
        self.mirror_host = urlsplit(crawler.settings.get("DULUAN_MIRROR_URL") or "").hostname
        self.cache: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PublicAddressesOnlyMiddleware:
        return cls(crawler)

    def refusal(self, host: str) -> str | None:
        """Why this host may not be fetched, or None."""
        if host in self.cache:
            return self.cache[host]
        try:
            addresses = {ipaddress.ip_address(host.strip("[]"))}
        except ValueError:
            try:
                addresses = {ipaddress.ip_address(info[4][0].split("%")[0])
                             for info in socket.getaddrinfo(host, None)}
            except (socket.gaierror, UnicodeError):
                return None  # unresolvable: the download fails with a DNS error of its own
        reason = None
        for addr in addresses:
            if addr.is_loopback and self.allow_loopback:
                continue
            if not addr.is_global or addr.is_multicast:
                reason = f"{host} resolves to the non-public address {addr}"
                break
        self.cache[host] = reason
        return reason

    def process_request(self, request: Request) -> None:
        host = self.mirror_host or urlsplit(request.url).hostname
        reason = self.refusal(host) if host else "no host in the URL"
        if reason:
            self.stats.inc_value("duluan/blocked/non_public_address")
            raise BlockedAddress(reason)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, each one later than the last (backoff, 2x backoff, …): a struggling
    server gets room to recover instead of an immediate second hit."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff = settings.getfloat("DULUAN_RETRY_BACKOFF", 2.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        return await self._later(super().process_response(request, response))

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:  # type: ignore[override]
        return await self._later(super().process_exception(request, exception))

    async def _later(self, result: Request | Response | None) -> Request | Response | None:
        if isinstance(result, Request) and self.backoff:
            await asyncio.sleep(self.backoff * 2 ** (result.meta.get("retry_times", 1) - 1))
        return result
