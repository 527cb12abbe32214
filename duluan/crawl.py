"""Running the Scrapy crawl from the `duluan` command, with a closing summary."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

from duluan.core.settings import Settings
from duluan.crawlers.summary import CrawlSummary


def mirrored_sources(settings: Settings) -> str:
    """The active outlets whose sites the mirror holds: `--all` against the mirror should not
    count the other outlets' feeds as 404s."""
    from duluan.crawlers.registry import default_registry

    with urllib.request.urlopen(f"{settings.mirror_url.rstrip('/')}/_hosts", timeout=30) as response:
        hosts = json.load(response)
    registry = default_registry().with_overrides(settings.source_overrides)
    return ",".join(s.id for s in registry.active() if any(s.owns(f"https://{h}/") for h in hosts))


def run_crawl(settings: Settings, sources: str = "all", log_level: str = "WARNING",
              recheck_days: int = 0, progress: bool = True) -> CrawlSummary:
    """One crawl in this process. Twisted's reactor cannot restart: call once per process."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings as ScrapySettings

    from duluan.crawlers.config import crawler_settings
    from duluan.crawlers.spiders.news import NewsSpider

    if settings.mirror_url and sources == "all":
        sources = mirrored_sources(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Above the spider's own settings, as command-line values are: the mirror's empty
    # DOWNLOAD_SLOTS must win over the outlets' delays the spider sets.
    scrapy_settings = ScrapySettings()
    scrapy_settings.setdict(crawler_settings(settings, log_level, progress), priority="cmdline")
    process = CrawlerProcess(scrapy_settings)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, sources=sources, recheck_days=recheck_days)
    process.start()
    return CrawlSummary.from_stats(crawler.stats.get_stats())


def crawl_in_subprocess(settings: Settings, mirror_url: str | None, sources: str = "all",
                        recheck_days: int = 0) -> int:
    """Scrapy's reactor runs once per process, so each crawl gets its own."""
    cmd = [sys.executable, "-m", "duluan.cli", "--data-dir", str(settings.data_dir), "crawl"]
    if recheck_days:
        cmd += ["--recheck-days", str(recheck_days)]
    cmd += ["--all"] if sources == "all" else [a for s in sources.split(",") for a in ("--source", s)]
    if mirror_url:
        cmd += ["--mirror", mirror_url]
    return subprocess.run(cmd, check=False).returncode
