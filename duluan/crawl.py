"""Running the Scrapy crawl from the `duluan` command, with a closing summary."""

from __future__ import annotations

import json
import os
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
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "duluan.crawlers.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from duluan.crawlers.spiders.news import NewsSpider

    scrapy_settings = get_project_settings()
    scrapy_settings.set("DULUAN_CRAWL_DB", str(settings.crawl_db), priority="cmdline")
    scrapy_settings.set("DULUAN_SOURCE_OVERRIDES", str(settings.source_overrides), priority="cmdline")
    scrapy_settings.set("DULUAN_MIRROR_URL", settings.mirror_url, priority="cmdline")
    scrapy_settings.set("DULUAN_ALLOW_LOOPBACK", settings.allow_loopback, priority="cmdline")
    scrapy_settings.set("USER_AGENT", settings.user_agent_header, priority="cmdline")
    scrapy_settings.set("LOG_LEVEL", log_level, priority="cmdline")
    scrapy_settings.set("DULUAN_PROGRESS", progress, priority="cmdline")
    scrapy_settings.set("DOWNLOAD_TIMEOUT", settings.download_timeout, priority="cmdline")
    scrapy_settings.set("DULUAN_RETRY_BACKOFF", settings.retry_backoff, priority="cmdline")
    scrapy_settings.set("DULUAN_EXTRACT_WORKERS", settings.extract_workers, priority="cmdline")
    scrapy_settings.set("DULUAN_SITEMAP_MAX_AGE_DAYS", settings.sitemap_max_age_days, priority="cmdline")
    if settings.mirror_url:
        handler = "duluan.crawlers.mirror.handler.MirrorDownloadHandler"
        scrapy_settings.set("DOWNLOAD_HANDLERS", {"http": handler, "https": handler}, priority="cmdline")
        # The mirror is our own loopback server: no politeness delay or concurrency cap is owed to it.
        scrapy_settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        scrapy_settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        scrapy_settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="cmdline")
        scrapy_settings.set("DOWNLOAD_SLOTS", {}, priority="cmdline")  # nor the outlets' own delays
    if settings.mirror_url and sources == "all":
        sources = mirrored_sources(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
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
