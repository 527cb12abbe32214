"""The download handler that fetches every outlet from the offline mirror."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response


class MirrorDownloadHandler(HTTP11DownloadHandler):
    """Fetches https://host/path from {DULUAN_MIRROR_URL}/host/path.

    Swapped in for http and https when a mirror is set, so robots.txt, redirects, retries,
    the middlewares and the spider all see the outlets' real URLs; only the bytes come from
    the mirror. (A downloader middleware could only reschedule a rewritten request, which
    sent every request through the scheduler and the middlewares twice.)
    """

    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        mirror = crawler.settings.get("DULUAN_MIRROR_URL")
        if not mirror:
            raise NotConfigured("DULUAN_MIRROR_URL is not set")
        super().__init__(crawler)
        self.mirror = mirror.rstrip("/")

    async def download_request(self, request: Request) -> Response:
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        mirrored = request.replace(url=f"{self.mirror}/{parts.hostname}{path}")
        response = await super().download_request(mirrored)
        location = (response.headers.get("Location") or b"").decode("latin-1")
        if location.startswith(self.mirror + "/"):  # the mirror's redirect names the real page
            response.headers["Location"] = f"{parts.scheme}://{location[len(self.mirror) + 1:]}"
        return response.replace(url=request.url, request=request)
