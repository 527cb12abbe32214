"""Scrapy extensions: a progress line for people watching a crawl, and politeness per outlet."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from twisted.internet import task

from duluan.crawlers.summary import CrawlSummary


class CrawlProgress:
    """A tqdm bar on stderr: article links settled (stored, unchanged, rejected, skipped) out of
    the links found so far, with the running counts. The total grows as feeds are read."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.bar = None
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        if not crawler.settings.getbool("DULUAN_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler, crawler.settings.getfloat("DULUAN_PROGRESS_INTERVAL", 0.5))
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self) -> None:
        from tqdm import tqdm

        # A terminal gets a live bar; a log file a line every half minute at most.
        self.bar = tqdm(total=0, unit=" bài", desc="crawl", file=sys.stderr, dynamic_ncols=True,
                        mininterval=self.interval if sys.stderr.isatty() else 30)
        self.loop = task.LoopingCall(self.update)
        self.loop.start(self.interval, now=False)

    def update(self) -> None:
        stats = self.crawler.stats.get_stats()
        now = CrawlSummary.from_stats(stats)
        total = max(now.links_found + now.resumed + stats.get("duluan/recheck/queued", 0), now.settled)
        self.bar.total = total
        self.bar.set_postfix_str(f"{now.new} new · {now.updated} updated · {now.gone} gone · "
                                 f"{sum(now.rejected.values())} rejected", refresh=False)
        self.bar.update(now.settled - self.bar.n)  # throttled by mininterval

    def closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.bar is not None:
            self.update()
            self.bar.close()


class RegistryAutoThrottle(AutoThrottle):
    """AutoThrottle that adapts each outlet's delay to its latency but never below the crawl
    delay the registry sets for it (stock AutoThrottle's floor is the global DOWNLOAD_DELAY)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # Read once: getdict copies the setting, and this runs for every response.
        self.floors = {host: float(slot.get("delay", 0.0))
                       for host, slot in crawler.settings.getdict("DOWNLOAD_SLOTS").items()}

    def _adjust_delay(self, slot: Slot, latency: float, response: Response) -> None:
        super()._adjust_delay(slot, latency, response)
        slot.delay = max(slot.delay, self.floors.get(urlsplit(response.url).hostname or "", 0.0))
